"""The ways in, as values: each knows how it obtains tokens, whether it can log in again, and its store key.

A credentials value is frozen and hashable: a client keeps one auth per value, so views made per incoming web
request for the same user share that user's tokens. Every string is checked once, here, for what could reach a
header or a path (CR, LF, NUL; a cookie's separators): a :class:`~amino_async.ConfigurationError` names the
argument, never its value. The keyword shortcuts of ``AminoClient`` and ``AminoAuth`` (``username=``,
``password=``, ...) become one of these in :func:`credentials_from`, and nowhere else.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Mapping
from typing import (
    TYPE_CHECKING,
    Any,
    ClassVar,
    Final,
    Literal,
    Protocol,
    TypeAlias,
    TypedDict,
    TypeVar,
    runtime_checkable,
)

import attrs
from attrs import Factory, define, field, frozen

from ._errors import AuthenticationError, ConfigurationError
from ._tokens import Tokens
from ._urls import Origin

if TYPE_CHECKING:
    from ._token_calls import TokenCalls

__all__ = [
    "CookieLogin",
    "CookieSession",
    "CredentialKeywords",
    "Credentials",
    "DigestLogin",
    "GivenTokens",
    "LoginMethod",
    "PasswordLogin",
    "ServiceLogin",
    "check_text",
    "credentials_from",
    "sendable_cookie",
    "store_key",
]

LoginMethod: TypeAlias = Literal["password", "digest"]


class CredentialKeywords(TypedDict, total=False):
    """The keyword shortcuts for credentials that ``AminoClient``, ``AminoAuth`` and ``with_auth`` accept.

    ``username`` + ``password`` (``login_method="digest"`` for the legacy Digest login), ``user_id`` +
    ``cookies`` (the cookie-to-token exchange), ``tokens`` (alone: tokens only; with a way to log in: the tokens
    to start with), and ``profile_id``. :func:`credentials_from` turns them into a credentials value.
    """

    username: str | None
    password: str | None
    user_id: str | None
    cookies: Mapping[str, str] | Any | None
    tokens: Tokens | None
    profile_id: str | None
    login_method: LoginMethod


_HEADER_BREAKERS: Final = re.compile(r"[\r\n\x00]")
# RFC 6265: a cookie name is a token; a value may not hold ';' (it would start another cookie), nor controls.
_COOKIE_NAME: Final = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
_COOKIE_VALUE_BAD: Final = re.compile(r"[\x00-\x1f\x7f;]")


def check_text(name: str, value: object, *, required: bool = True) -> None:
    """Refuse a credential string that could end a header early (CR, LF, NUL); the message names ``name`` only."""
    if value is None and not required:
        return
    if not isinstance(value, str):
        raise ConfigurationError(f"{name} must be a string")
    if _HEADER_BREAKERS.search(value):
        raise ConfigurationError(f"{name} must not contain CR, LF or NUL")
    if required and not value:
        raise ConfigurationError(f"{name} must not be empty")


def _text(name: str, *, required: bool = True) -> Any:
    """An attrs validator running :func:`check_text`."""

    def validate(_: object, __: attrs.Attribute[Any], value: object) -> None:
        check_text(name, value, required=required)

    return validate


def sendable_cookie(name: object, value: object) -> bool:
    """Whether a cookie can go into a ``Cookie`` header as it is: a name that is a token, a value without ';'."""
    return (
        isinstance(name, str)
        and _COOKIE_NAME.fullmatch(name) is not None
        and isinstance(value, str)
        and _COOKIE_VALUE_BAD.search(value) is None
    )


def _cookie_pairs(cookies: Mapping[str, str] | Any) -> tuple[tuple[str, str], ...]:
    """Cookies as sorted (name, value) pairs, checked: a value with ';' would smuggle in a second cookie."""
    items: Iterable[tuple[Any, Any]] = cookies.items() if isinstance(cookies, Mapping) else cookies
    pairs: list[tuple[str, str]] = []
    for name, value in items:
        if not isinstance(name, str) or not _COOKIE_NAME.fullmatch(name):
            raise ConfigurationError("cookies: a cookie name must be a non-empty token (no ';', '=', spaces)")
        if not sendable_cookie(name, value):
            raise ConfigurationError("cookies: a cookie value must not contain ';' or control characters")
        pairs.append((name, value))
    if not pairs:
        raise ConfigurationError("cookies must hold the session cookie")
    return tuple(sorted(pairs))


def _scrypt(password: str, salt: str) -> str:
    # A password has little entropy: a slow, salted hash, so a store's keys do not make guessing it cheap.
    return hashlib.scrypt(password.encode(), salt=salt.encode(), n=2**14, r=8, p=1, dklen=16).hex()


def _sha256(*parts: str) -> str:
    # Cookies and tokens are long random strings: a plain hash cannot be reversed by guessing.
    digest = hashlib.sha256()
    for part in parts:
        digest.update(f"{part}\0".encode())
    return digest.hexdigest()[:32]


@runtime_checkable
class Credentials(Protocol):
    """What every way in provides (see :class:`PasswordLogin`, :class:`DigestLogin`, :class:`CookieLogin`,
    :class:`GivenTokens`, :class:`ServiceLogin`)."""

    @property
    def profile_id(self) -> str | None:
        """The profile tokens are asked for (None: the account's default profile)."""
        ...

    @property
    def can_log_in(self) -> bool:
        """Whether new tokens can be obtained from these credentials when the refresh token no longer works."""
        ...

    @property
    def user(self) -> str:
        """Who these credentials are for, as the store key names them (a username or user id)."""
        ...

    @property
    def slow_fingerprint(self) -> bool:
        """Whether :meth:`fingerprint` is slow enough (scrypt) to be taken off the event loop."""
        ...

    def fingerprint(self, salt: str) -> str | None:
        """A fingerprint of the secret, bound into the store key so that only the same secret reads the tokens."""
        ...

    def with_profile(self, profile_id: str | None) -> Credentials:
        """The same credentials, for another profile of the account."""
        ...

    async def obtain(self, calls: TokenCalls) -> Tokens:
        """Log in: new tokens from the server (:class:`~amino_async.AuthenticationError` when refused)."""
        ...


_P = TypeVar("_P", bound="_PasswordCredentials")


@frozen(repr=False)
class _PasswordCredentials:
    """What the two ways in with a password share: who, the password, the profile, the password's fingerprint."""

    username: str = field(validator=_text("username"))
    password: str = field(validator=_text("password", required=False))
    profile_id: str | None = field(default=None, kw_only=True, validator=_text("profile_id", required=False))

    can_log_in: ClassVar[bool] = True
    slow_fingerprint: ClassVar[bool] = True

    @property
    def user(self) -> str:
        """The username."""
        return self.username

    def fingerprint(self, salt: str) -> str:
        """scrypt of the password, salted with the rest of the store key."""
        return f"password:{_scrypt(self.password, salt)}"

    def with_profile(self: _P, profile_id: str | None) -> _P:
        """These credentials for ``profile_id``."""
        return attrs.evolve(self, profile_id=profile_id)


@frozen(repr=False)
class PasswordLogin(_PasswordCredentials):
    """A username and password, exchanged for tokens by createAccessToken's password grant.

    The password is sent in that call's body and nowhere else.
    """

    async def obtain(self, calls: TokenCalls) -> Tokens:
        """The password grant."""
        return await calls.password_grant(self.username, self.password, self.profile_id)

    def __repr__(self) -> str:
        return f"PasswordLogin(username={self.username!r}, profile_id={self.profile_id!r})"


@frozen(repr=False)
class DigestLogin(_PasswordCredentials):
    """A username and password for the legacy loginUser call (HTTP Digest, realm "user").

    The password itself never leaves the process: Digest sends a hash. ``user_id`` is the path's user (default:
    the username). The legacy login knows no profiles: a ``profile_id`` is reached by a refresh grant naming it.
    """

    user_id: str | None = field(default=None, kw_only=True, validator=_text("user_id", required=False))

    async def obtain(self, calls: TokenCalls) -> Tokens:
        """loginUser with Digest, then a profile switch if one was asked for."""
        tokens = await calls.digest_login(self.user_id or self.username, self.username, self.password)
        return await calls.switch_profile(tokens, self.profile_id)

    def __repr__(self) -> str:
        return f"DigestLogin(username={self.username!r}, user_id={self.user_id!r}, profile_id={self.profile_id!r})"


@frozen(repr=False)
class ServiceLogin(_PasswordCredentials):
    """A service (operator) account's username and password, for the legacy loginService call.

    ``POST /auth/service`` takes HTTP Digest parameters of realm "service" in its form field ``authParams`` and
    answers with a session cookie, which the cookie-to-token exchange (``POST /api/user/{user_id}/login``) then
    turns into tokens. The password itself never leaves the process: Digest sends a hash. ``user_id`` is the
    exchange's user (default: the username). A ``profile_id`` is reached by a refresh grant naming it.
    """

    user_id: str | None = field(default=None, kw_only=True, validator=_text("user_id", required=False))

    async def obtain(self, calls: TokenCalls) -> Tokens:
        """loginService, the cookie-to-token exchange of its session, then a profile switch if one was asked for."""
        user_id = self.user_id or self.username
        cookies = await calls.service_login(self.username, self.password, user_id=user_id)
        tokens, _ = await calls.cookie_exchange(user_id, cookies)
        return await calls.switch_profile(tokens, self.profile_id)

    def __repr__(self) -> str:
        return f"ServiceLogin(username={self.username!r}, user_id={self.user_id!r}, profile_id={self.profile_id!r})"


@define(eq=False)
class CookieSession:
    """The session cookies of a :class:`CookieLogin` as they are now: the server may renew them in its answers.

    One object, shared by every value derived with ``with_profile``, so a renewed cookie is seen by all.
    """

    cookies: dict[str, str] = field(repr=False)


@frozen(repr=False)
class CookieLogin:
    """A session already logged in by cookie (``amino_session``), exchanged for tokens by the legacy login call.

    The exchange sends the cookies, without an Authorization header, to ``POST /api/user/{user_id}/login``; a
    renewed session cookie in its answer replaces the old one in :attr:`session`.
    """

    user_id: str = field(validator=_text("user_id"))
    cookies: tuple[tuple[str, str], ...] = field(converter=_cookie_pairs)
    profile_id: str | None = field(default=None, kw_only=True, validator=_text("profile_id", required=False))
    session: CookieSession = field(
        default=Factory(lambda self: CookieSession(dict(self.cookies)), takes_self=True),
        kw_only=True,
        eq=False,
        hash=False,
    )

    can_log_in: ClassVar[bool] = True
    slow_fingerprint: ClassVar[bool] = False

    @property
    def user(self) -> str:
        """The user id."""
        return self.user_id

    def fingerprint(self, salt: str) -> str:
        """A hash of the cookies as given (not as renewed: the key stays that of the secret given)."""
        return "cookie:" + _sha256(*(part for pair in self.cookies for part in pair))

    def with_profile(self, profile_id: str | None) -> CookieLogin:
        """These credentials for ``profile_id``, sharing the live session cookies."""
        return attrs.evolve(self, profile_id=profile_id)

    async def obtain(self, calls: TokenCalls) -> Tokens:
        """The cookie-to-token exchange, then a profile switch if one was asked for."""
        tokens, renewed = await calls.cookie_exchange(self.user_id, self.session.cookies)
        self.session.cookies = renewed
        return await calls.switch_profile(tokens, self.profile_id)

    def __repr__(self) -> str:
        return f"CookieLogin(user_id={self.user_id!r}, cookies=<hidden>, profile_id={self.profile_id!r})"


@frozen(repr=False, eq=False)
class GivenTokens:
    """Tokens obtained elsewhere: used, and refreshed when due, but nothing to log in with once they fail.

    Two values are equal only when they are the same object: two auths refreshing one refresh token would
    spend it twice, so tokens-only views never share an auth by value.
    """

    tokens: Tokens

    can_log_in: ClassVar[bool] = False
    slow_fingerprint: ClassVar[bool] = False

    def __attrs_post_init__(self) -> None:
        if not isinstance(self.tokens, Tokens):
            raise ConfigurationError("tokens must be a Tokens value")

    @property
    def profile_id(self) -> str | None:
        """The profile the tokens are for."""
        return self.tokens.profile_id

    @property
    def user(self) -> str:
        """The user the tokens say they are for."""
        return self.tokens.user_id or "default"

    def fingerprint(self, salt: str) -> str:
        """A hash of the refresh token (the access token when there is none)."""
        secret = self.tokens.refresh_token or self.tokens.access_token
        return "tokens:" + hashlib.sha256(secret.encode()).hexdigest()[:32]

    def with_profile(self, profile_id: str | None) -> GivenTokens:
        """Refused: another profile's tokens would spend this refresh token, which the original still needs."""
        raise ConfigurationError("switching profile needs credentials to log in with; these are tokens only")

    async def obtain(self, calls: TokenCalls) -> Tokens:
        """Refused: there is nothing to log in with."""
        raise AuthenticationError("the tokens can no longer be renewed and there are no credentials to log in again")

    def __repr__(self) -> str:
        return f"GivenTokens({self.tokens!r})"


def credentials_from(
    *,
    username: str | None = None,
    password: str | None = None,
    user_id: str | None = None,
    cookies: Mapping[str, str] | Any | None = None,
    tokens: Tokens | None = None,
    profile_id: str | None = None,
    login_method: LoginMethod = "password",
) -> Credentials | None:
    """The credentials value the keyword shortcuts describe (None: nothing but a token store to go on).

    The one place those keywords are read. ``tokens`` alongside a way to log in are only the tokens to start
    with (the caller keeps them); alone they are the credentials.
    """
    if (username is None) != (password is None):
        raise ConfigurationError("username and password go together")
    if login_method not in ("password", "digest"):
        raise ConfigurationError("login_method is 'password' or 'digest'")
    if password is not None:
        assert username is not None
        if login_method == "digest":
            return DigestLogin(username, password, user_id=user_id, profile_id=profile_id)
        return PasswordLogin(username, password, profile_id=profile_id)
    if cookies is not None:
        if user_id is None:
            raise ConfigurationError("the cookie-to-token exchange needs the user_id as well as the cookies")
        return CookieLogin(user_id, cookies, profile_id=profile_id)
    if tokens is not None:
        return GivenTokens(tokens)
    check_text("profile_id", profile_id, required=False)
    return None


def store_key(origin: Origin, credentials: Credentials | None, profile_id: str | None = None) -> str:
    """The token store key of ``credentials`` on ``origin``: who, which profile, and the secret's fingerprint.

    Without credentials (a client given only a token store) the key names the origin alone and trusts the store.
    Can be slow (scrypt): see :attr:`Credentials.slow_fingerprint`.
    """
    scheme, host, port = origin
    if credentials is None:
        return f"{scheme}://{host}:{port}|default|{profile_id or '-'}"
    key = f"{scheme}://{host}:{port}|{credentials.user}|{credentials.profile_id or '-'}"
    fingerprint = credentials.fingerprint(f"amino-async|{key}")
    return f"{key}|{fingerprint}" if fingerprint else key
