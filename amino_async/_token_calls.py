"""The token calls: createAccessToken (password and refresh grants), the legacy loginUser and loginService, on
the send path.

They take the one send path (:class:`~amino_async._request.Sender`) without the auth flow, so a renewal can never
recurse into another, with the token calls' retry rule: only what cannot have reached the server, or was not
processed (429, 503), is sent again. Refusals become :class:`~amino_async.AuthenticationError`; the secret a
call carries (password, refresh token, cookie) is redacted from whatever detail the server echoes back.
"""

from __future__ import annotations

import hashlib
import secrets as _secrets
import time
from collections.abc import Mapping
from typing import Any, Final

import httpx
from attrs import evolve

from ._answer import Answer
from ._constants import USER_AGENT
from ._credentials import sendable_cookie
from ._errors import AminoError, ApiError, AuthenticationError
from ._request import TOKEN_CALL_RETRY, RetryPolicy, Sender
from ._tokens import Tokens, tokens_from_token_answer, tokens_from_user_stat
from ._urls import Route, Urls, query_string

__all__ = ["ACCESS_TOKENS", "LOGIN_SERVICE", "LOGIN_USER", "TokenCalls"]

#: createAccessToken (``rest/endpoints/auth/authentication.yml``).
ACCESS_TOKENS: Final = Route("POST", "auth", "/access_tokens")
#: loginUser (``legacy/endpoints/login/login.yml``): Digest login, and the cookie-to-token exchange.
LOGIN_USER: Final = Route("POST", "legacy", "/api/user/{user_id}/login")
#: loginService (``legacy/endpoints/login/login.yml``): a service account's Digest parameters for a session cookie.
LOGIN_SERVICE: Final = Route("POST", "legacy", "/auth/service")

_HEADERS: Final = {"User-Agent": USER_AGENT, "Accept": "application/json"}
_FORM_HEADERS: Final = {"Content-Type": "application/x-www-form-urlencoded"}
#: The realm of loginService's Digest parameters, as the file's example names it.
SERVICE_REALM: Final = "service"


class TokenCalls:
    """The calls that obtain tokens, for one deployment, over one sender."""

    def __init__(self, sender: Sender, urls: Urls, retry: RetryPolicy | None = None) -> None:
        self._sender = sender
        self._urls = urls
        base = retry if retry is not None else sender.retry
        self._retry = evolve(base, statuses=TOKEN_CALL_RETRY.statuses, resend=TOKEN_CALL_RETRY.resend)

    async def password_grant(self, username: str, password: str, profile_id: str | None) -> Tokens:
        """New tokens for a username and password."""
        credentials = {"username": username, "password": password}
        return await self._grant("password", credentials, profile_id, what="login", secrets=(password,))

    async def refresh_grant(self, refresh_token: str, profile_id: str | None) -> Tokens:
        """New tokens for a refresh token (which the server may rotate); a refusal is an AuthenticationError."""
        credentials = {"refresh_token": refresh_token}
        return await self._grant("refresh_token", credentials, profile_id, what="refresh", secrets=(refresh_token,))

    async def switch_profile(self, tokens: Tokens, profile_id: str | None) -> Tokens:
        """Tokens for ``profile_id``: ``tokens`` when they are for it already, else a refresh grant naming it."""
        if profile_id is None or tokens.profile_id == profile_id or not tokens.refresh_token:
            return tokens
        credentials = {"refresh_token": tokens.refresh_token}
        return await self._grant(
            "refresh_token", credentials, profile_id, what="profile switch", secrets=(tokens.refresh_token,)
        )

    async def digest_login(self, user_id: str, username: str, password: str) -> Tokens:
        """loginUser with HTTP Digest: the password itself is never sent."""
        auth = self._sender.library.DigestAuth(username, password)
        answer = await self._call(LOGIN_USER, {"user_id": user_id}, auth=auth, what="digest login", secrets=())
        return self._user_stat(answer, user_id)

    async def cookie_exchange(self, user_id: str, cookies: Mapping[str, str]) -> tuple[Tokens, dict[str, str]]:
        """The session cookies exchanged for tokens, and the cookies as the answer renewed them."""
        header = "; ".join(f"{name}={value}" for name, value in cookies.items())
        answer = await self._call(
            LOGIN_USER,
            {"user_id": user_id},
            headers={"Cookie": header},
            what="cookie exchange",
            secrets=tuple(cookies.values()),
        )
        renewed = dict(cookies)
        for cookie in answer.response.cookies.jar:
            # Only what can be sent back as it came: a value with ';' would smuggle in a cookie of its own.
            if cookie.value is not None and sendable_cookie(cookie.name, cookie.value):
                renewed[cookie.name] = cookie.value
        return self._user_stat(answer, user_id), renewed

    async def service_login(self, username: str, password: str, *, user_id: str) -> dict[str, str]:
        """loginService: the session cookies of a service account, for the cookie-to-token exchange of ``user_id``.

        A ``POST /auth/service`` without parameters draws the server's Digest challenge (realm "service"); the
        second sends the Digest parameters answering it in the form field ``authParams``, computed for the call
        the session is for (the exchange, ``POST /api/user/{user_id}/login``), which the fields ``uri`` and
        ``requestMethod`` name, with ``serviceUser`` the account, as the file's example sends them. The password
        itself is never sent. How the challenge is obtained is inferred (see the module ``resources.admin``).
        """
        url = self._urls.build(LOGIN_SERVICE)
        target = self._urls.build(LOGIN_USER, {"user_id": user_id})
        challenge = await self._service_challenge(url)
        authorization = _digest_authorization(challenge, username, password, LOGIN_USER.method, target)
        form = {"authParams": authorization, "uri": target, "requestMethod": LOGIN_USER.method, "serviceUser": username}
        answer = await self._call(
            LOGIN_SERVICE,
            None,
            content=query_string(form).encode(),
            headers=_FORM_HEADERS,
            what="service login",
            secrets=(password,),
        )
        cookies = {
            cookie.name: cookie.value
            for cookie in answer.response.cookies.jar
            if cookie.value is not None and sendable_cookie(cookie.name, cookie.value)
        }
        if not cookies:
            raise AuthenticationError("service login: the answer carried no session cookie", status=answer.status)
        return cookies

    async def _service_challenge(self, url: str) -> dict[str, str]:
        """The Digest challenge a ``POST /auth/service`` without parameters is answered with."""
        refusal: AminoError
        try:
            answer = await self._sender.send(
                LOGIN_SERVICE.method,
                url,
                auth=None,
                content=b"",
                headers={**_HEADERS, **_FORM_HEADERS},
                retry=self._retry,
                idempotent=True,
            )
        except AuthenticationError as exc:
            header = exc.response.headers.get("www-authenticate") if exc.response is not None else None
            challenge = _digest_challenge(header)
            if challenge is not None:
                return challenge
            refusal = AuthenticationError("service login refused (HTTP 401): no Digest challenge", status=exc.status)
        except ApiError as exc:
            status = exc.status or 0
            if not (400 <= status < 500 and status != 429):
                raise
            refusal = AuthenticationError(f"service login refused (HTTP {status})", status=status, errors=exc.errors)
        else:
            refusal = AuthenticationError(
                "service login: the server answered without a Digest challenge", status=answer.status
            )
        raise refusal

    async def _grant(
        self,
        grant: str,
        credentials: Mapping[str, str],
        profile_id: str | None,
        *,
        what: str,
        secrets: tuple[str, ...],
    ) -> Tokens:
        body: dict[str, Any] = {"grant_type": grant, "credentials": credentials}
        if profile_id is not None:
            body["login_user_profile"] = profile_id
        answer = await self._call(ACCESS_TOKENS, None, json_body=body, what=what, secrets=secrets)
        return tokens_from_token_answer(answer.json(), received_at=time.time())

    async def _call(
        self,
        route: Route,
        path_params: Mapping[str, str] | None,
        *,
        what: str,
        secrets: tuple[str, ...],
        json_body: Any = None,
        content: bytes | None = None,
        headers: Mapping[str, str] | None = None,
        auth: httpx.Auth | None = None,
    ) -> Answer:
        url = self._urls.build(route, path_params)
        refusal: AminoError
        try:
            return await self._sender.send(
                route.method,
                url,
                auth=auth,
                json_body=json_body,
                content=content,
                headers={**_HEADERS, **(headers or {})},
                retry=self._retry,
                idempotent=True,
                secrets=secrets,
            )
        except (AuthenticationError, ApiError) as exc:
            status = exc.status or 0
            if not (400 <= status < 500 and status != 429):
                raise
            detail = exc.detail
            refusal = AuthenticationError(
                f"{what} refused (HTTP {status})" + (f": {detail}" if detail else ""),
                status=status,
                errors=exc.errors,
                request_id=exc.request_id,
            )
        raise refusal

    @staticmethod
    def _user_stat(answer: Answer, user_id: str) -> Tokens:
        return tokens_from_user_stat(
            answer.json(), date=answer.headers.get("date"), received_at=time.time(), user_id=user_id
        )


# --- Digest parameters (RFC 7616), for loginService ----------------------------------------------------------

_DIGEST_HASHES: Final = {"MD5": "md5", "SHA-256": "sha256"}


def _digest_challenge(header: str | None) -> dict[str, str] | None:
    """The parameters of a Digest challenge in a ``WWW-Authenticate`` value, or None when it has none."""
    if not header:
        return None
    start = header.lower().find("digest ")
    if start < 0:
        return None
    from urllib.request import parse_http_list, parse_keqv_list  # costly to import: only for a digest challenge

    try:
        params = parse_keqv_list(parse_http_list(header[start + len("digest ") :]))
    except ValueError:
        return None
    if not isinstance(params.get("nonce"), str) or not isinstance(params.get("realm"), str):
        return None
    return params


def _digest_authorization(challenge: Mapping[str, str], username: str, password: str, method: str, uri: str) -> str:
    """The Digest parameters answering ``challenge`` for ``method`` on ``uri`` (``Digest username=..., ...``)."""
    algorithm = challenge.get("algorithm", "MD5")
    name = algorithm.upper()
    session = name.endswith("-SESS")
    hash_name = _DIGEST_HASHES.get(name[: -len("-SESS")] if session else name)
    if hash_name is None:
        raise AuthenticationError("service login: the server asks for a Digest algorithm the SDK does not speak")

    def digest(text: str) -> str:
        return hashlib.new(hash_name, text.encode(), usedforsecurity=False).hexdigest()

    realm, nonce = challenge["realm"], challenge["nonce"]
    cnonce = _secrets.token_hex(8)
    ha1 = digest(f"{username}:{realm}:{password}")
    if session:
        ha1 = digest(f"{ha1}:{nonce}:{cnonce}")
    ha2 = digest(f"{method}:{uri}")
    offered = {qop.strip() for qop in challenge.get("qop", "").split(",") if qop.strip()}
    quoted = {"username": username, "realm": realm, "nonce": nonce, "uri": uri}
    extra = ""
    if "auth" in offered:
        count = "00000001"
        response = digest(f"{ha1}:{nonce}:{count}:{cnonce}:auth:{ha2}")
        extra = f', qop=auth, nc={count}, cnonce="{cnonce}"'
    elif offered:
        raise AuthenticationError("service login: the server offers only a Digest qop the SDK does not speak")
    else:
        response = digest(f"{ha1}:{nonce}:{ha2}")
    if "opaque" in challenge:
        quoted["opaque"] = challenge["opaque"]
    fields = ", ".join(f'{key}="{_quote(value)}"' for key, value in quoted.items())
    return f'Digest {fields}, response="{response}", algorithm={algorithm}{extra}'


def _quote(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"')
