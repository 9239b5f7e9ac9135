"""Server side of HTTP Digest authentication (RFC 2617 / RFC 7616): MD5, ``qop=auth``, realm "user" (the legacy
login's; loginService's authority is made with realm "service").

Nonces are stateless: a timestamp signed with a per-server secret, so verifying one needs no table
and a server that issued a million challenges holds no memory for them.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from collections.abc import Callable
from urllib.parse import unquote, urlsplit
from urllib.request import parse_http_list, parse_keqv_list

REALM = "user"
NONCE_LIFETIME = 300.0


def _md5(text: str) -> str:
    return hashlib.md5(text.encode(), usedforsecurity=False).hexdigest()


def _same(a: str, b: str) -> bool:
    # compare_digest refuses non-ASCII str; header values are client-controlled.
    return hmac.compare_digest(a.encode(), b.encode())


def parse_digest_header(header: str) -> dict[str, str] | None:
    """The parameters of an ``Authorization: Digest ...`` value, or None when it is not one."""
    scheme, _, rest = header.strip().partition(" ")
    if scheme.lower() != "digest":
        return None
    try:
        return parse_keqv_list(parse_http_list(rest))
    except ValueError:
        return None


class DigestAuthority:
    """Issues Digest challenges of one realm and verifies the answers to them."""

    def __init__(self, realm: str = REALM) -> None:
        self.realm = realm
        self._secret = secrets.token_bytes(32)
        self.opaque = secrets.token_hex(16)

    def challenge(self) -> str:
        """A ``WWW-Authenticate`` value with a fresh nonce."""
        return (
            f'Digest realm="{self.realm}", qop="auth", nonce="{self._new_nonce()}", opaque="{self.opaque}", '
            "algorithm=MD5"
        )

    def verify(self, header: str, method: str, path: str, password_of: Callable[[str], str | None]) -> str | None:
        """The digest username when ``header`` proves its password for ``method`` on ``path``.

        ``password_of`` maps a digest username to its password (None: no such user).
        """
        params = parse_digest_header(header)
        if params is None or not self._well_formed(params, path):
            return None
        username = params["username"]
        password = password_of(username)
        if password is None:
            return None
        ha1 = _md5(f"{username}:{self.realm}:{password}")
        ha2 = _md5(f"{method}:{params['uri']}")
        fields = (ha1, params["nonce"], params["nc"], params["cnonce"], "auth", ha2)
        expected = _md5(":".join(fields))
        return username if _same(expected, params["response"].lower()) else None

    def _well_formed(self, params: dict[str, str], path: str) -> bool:
        required = ("username", "realm", "nonce", "uri", "response", "qop", "nc", "cnonce")
        if any(name not in params for name in required):
            return False
        return (
            params["realm"] == self.realm
            and params["qop"] == "auth"
            and params.get("algorithm", "MD5").upper() == "MD5"
            and _same(params.get("opaque", ""), self.opaque)
            # The uri may be the request target or the absolute URL (the OpenAPI example sends one).
            and unquote(urlsplit(params["uri"]).path) == path
            and self._nonce_is_fresh(params["nonce"])
        )

    def _new_nonce(self) -> str:
        stamp = f"{time.monotonic_ns():x}"
        return f"{stamp}.{self._sign(stamp)}"

    def _nonce_is_fresh(self, nonce: str) -> bool:
        stamp, _, signature = nonce.partition(".")
        if not _same(signature, self._sign(stamp)):
            return False
        age = time.monotonic_ns() - int(stamp, 16)
        return 0 <= age <= NONCE_LIFETIME * 1e9

    def _sign(self, stamp: str) -> str:
        return hmac.new(self._secret, stamp.encode(), hashlib.sha256).hexdigest()[:32]
