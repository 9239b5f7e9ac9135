"""``AminoAuth``: attaches the bearer token, and logs in, exchanges cookies and refreshes as needed.

How it stays correct under load (the rules of ``DESIGN.md``):

- The hot path (a valid token) reads one clock and sets one header: no lock, no await.
- Every renewal is a *flight*: the first task that needs one starts it, every other task that needs one while it
  is in the air waits for its result. The flight runs shielded from its task's cancellation, bounded by its own
  timeout, so a refresh token the server has rotated is always saved; no lock is ever held across a ``yield``.
- A 401 for the token a request carried renews once (or not at all, if that token was already replaced) and
  replays the request once.
- Token calls go to the token endpoints directly (never through this auth flow), so a renewal cannot recurse.
"""

from __future__ import annotations

import builtins
import copy
import hashlib
import ipaddress
import logging
import math
import time
from collections.abc import AsyncGenerator, AsyncIterator, Callable, Coroutine, Generator, Mapping
from contextlib import asynccontextmanager
from http.cookiejar import CookieJar, DefaultCookiePolicy
from typing import Any, Literal, TypeVar

import anyio
import httpx

from . import _errors
from ._constants import (
    DEFAULT_PREFIXES,
    DEFAULT_TIMEOUT,
    LOGGER_NAME,
    REFRESH_MARGIN,
    TOKEN_CALL_TIMEOUT,
    USER_AGENT,
    Family,
)
from ._decoding import load_json
from ._errors import AminoError, AuthenticationError, ConfigurationError
from ._http import RetryPolicy, error_from_response, error_from_transport, parse_retry_after
from ._tokens import (
    MemoryTokenStore,
    SharedTokenStore,
    TokenLease,
    Tokens,
    TokenStore,
    tokens_from_token_answer,
    tokens_from_user_stat,
)
from ._transport import current_async_library

__all__ = ["AminoAuth"]

T = TypeVar("T")

logger = logging.getLogger(LOGGER_NAME)

LoginMethod = Literal["password", "digest"]
_LOOPBACK_NAMES = frozenset({"localhost", "localhost.localdomain"})
_NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)


def is_loopback(host: str) -> bool:
    """Whether ``host`` names this machine (where plain http cannot be overheard)."""
    if host in _LOOPBACK_NAMES or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def parse_base_url(base_url: str | httpx.URL, *, allow_insecure_http: bool) -> httpx.URL:
    """The deployment's URL, checked: http(s) with a host, no credentials in it, https unless loopback or allowed.

    Messages never repeat the URL: it could carry a password.
    """
    try:
        url = httpx.URL(str(base_url))
        host = url.host  # decoded on access: a host that is not valid IDNA fails here, as a ValueError
    except (httpx.InvalidURL, ValueError):
        raise ConfigurationError("base_url is not a valid URL") from None
    if url.scheme not in ("http", "https") or not host:
        raise ConfigurationError("base_url must be an http(s) URL such as https://customer.domain")
    if url.userinfo:
        raise ConfigurationError("base_url must not carry a username or password; pass them as arguments")
    if url.scheme == "http" and not allow_insecure_http and not is_loopback(host):
        raise ConfigurationError(
            "refusing to send credentials over plain http to a host other than loopback; "
            "use https, or pass allow_insecure_http=True if the network is trusted"
        )
    return url.copy_with(query=None, fragment=None)


def origin_of(url: httpx.URL) -> tuple[str, str, int | None]:
    """(scheme, host, port) with the scheme's default port made explicit, for same-origin checks."""
    port = url.port or {"http": 80, "https": 443}.get(url.scheme)
    return (url.scheme, url.host, port)


def no_cookie_jar() -> CookieJar:
    """A cookie jar that keeps nothing: one user's session cookie must never ride along with another's call."""
    return CookieJar(policy=DefaultCookiePolicy(allowed_domains=[]))


class _Flight:
    """One renewal in the air: everyone who needs it waits on ``done``, then reads the outcome."""

    __slots__ = ("done", "error", "tokens")

    def __init__(self) -> None:
        self.done = anyio.Event()
        self.tokens: Tokens | None = None
        self.error: BaseException | None = None


async def _to_the_end(work: Callable[[], Coroutine[Any, Any, T]]) -> T:
    """Run ``work`` to its end even if the calling task is cancelled meanwhile; the cancellation follows.

    anyio's shielded scope holds off anyio's and trio's cancellation but not asyncio's own ``Task.cancel()``
    (``asyncio.wait_for``, ``asyncio.timeout``, a web server dropping the request), which would abort a token
    call the server may already have answered by rotating the refresh token. On asyncio the work therefore
    runs in a task of its own, and the caller waits for it before taking its cancellation.
    """
    with anyio.CancelScope(shield=True):
        if current_async_library() == "asyncio":
            outcome = await _in_own_task(work)
        else:
            outcome = await work()
    return outcome


async def _in_own_task(work: Callable[[], Coroutine[Any, Any, T]]) -> T:
    import asyncio

    task = asyncio.ensure_future(work())
    cancelled: asyncio.CancelledError | None = None
    while not task.done():
        try:
            # asyncio.wait, unlike awaiting the task, leaves the task running when the caller is cancelled.
            await asyncio.wait([task])
        except asyncio.CancelledError as exc:  # noqa: PERF203 - only on a cancellation
            cancelled = exc
    if cancelled is not None:
        if not task.cancelled():
            task.exception()  # retrieved, so that asyncio does not log it as lost
        raise cancelled
    return task.result()


def _again(error: BaseException) -> BaseException:
    """A copy of a shared failure, so that each waiter raises its own exception object."""
    clone = copy.copy(error)
    clone.__traceback__ = None
    return clone


class AminoAuth(httpx.Auth):
    """An :class:`httpx.Auth` that gives every request to the Amino deployment a valid bearer token.

    Works inside :class:`~amino_async.AminoClient` and on its own::

        auth = AminoAuth("https://customer.domain", username="me@example.com", password="...")
        async with httpx.AsyncClient(auth=auth) as client:
            await client.get("https://customer.domain/api/metadata/v1/channels")

    Ways in, by what is given:

    - ``username`` + ``password``: createAccessToken with ``grant_type=password`` (``login_method="password"``,
      the default) or the legacy Digest ``loginUser`` (``login_method="digest"``);
    - ``user_id`` + ``cookies``: the session cookie exchanged for tokens (the cookie-to-token exchange);
    - ``tokens``: existing tokens, refreshed when due; with nothing else given, there is no logging in again.

    ``profile_id`` asks for tokens of that profile of the account. ``token_store`` keeps tokens between runs and
    processes (default: in memory), under ``store_key``. The default key names the origin, the user and the
    profile, and is bound to the secret given: a fingerprint of the password (scrypt), the cookies or the given
    tokens, so that only an auth holding the same secret reads the tokens another one saved (a view with a wrong
    password or a forged cookie finds nothing and must log in). An auth given only a ``token_store`` trusts the
    store and uses the key without a fingerprint.

    Tokens are refreshed ``refresh_margin`` seconds before the end of the lifetime the server states (at most
    half of it), and after a 401 for the token a request carried. The token is only ever sent to the origin of
    ``base_url``; credentials over plain ``http://`` are refused except to loopback, unless
    ``allow_insecure_http`` is set. Token calls go through ``http_client`` when given (``AminoClient`` passes
    its own), else through a small client of the auth's own over ``transport``; close it with :meth:`aclose`.
    """

    requires_request_body = True  # a request answered 401 is replayed, body included

    def __init__(
        self,
        base_url: str | httpx.URL,
        *,
        username: str | None = None,
        password: str | None = None,
        user_id: str | None = None,
        cookies: Mapping[str, str] | httpx.Cookies | None = None,
        tokens: Tokens | None = None,
        token_store: TokenStore | None = None,
        profile_id: str | None = None,
        login_method: LoginMethod = "password",
        store_key: str | None = None,
        refresh_margin: float = REFRESH_MARGIN,
        token_timeout: float = TOKEN_CALL_TIMEOUT,
        retry: RetryPolicy | None = None,
        prefixes: Mapping[Family, str] | None = None,
        http_client: httpx.AsyncClient | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        allow_insecure_http: bool = False,
    ) -> None:
        url = parse_base_url(base_url, allow_insecure_http=allow_insecure_http)
        if (username is None) != (password is None):
            raise ConfigurationError("username and password go together")
        if cookies is not None and user_id is None:
            raise ConfigurationError("the cookie-to-token exchange needs the user_id as well as the cookies")
        if login_method not in ("password", "digest"):
            raise ConfigurationError("login_method is 'password' or 'digest'")
        if password is None and cookies is None and tokens is None and token_store is None:
            raise ConfigurationError(
                "nothing to authenticate with: give username and password, user_id and cookies, tokens, "
                "or a token_store holding tokens"
            )

        self._base = url
        self._origin = origin_of(url)
        self._username = username
        self._password = password
        self._user_id = user_id
        self._cookies: dict[str, str] = dict(cookies.items()) if cookies is not None else {}
        self._profile_id = profile_id
        self._login_method: LoginMethod = login_method
        self._store: TokenStore = token_store if token_store is not None else MemoryTokenStore()
        self._store_key = store_key
        # The fast fingerprints are taken now, so the key stays that of the secret given, whatever rotates later.
        self._fingerprint = _fingerprint(cookies=self._cookies, tokens=tokens) if password is None else None
        self._key_user = username or user_id or (tokens.user_id if tokens else None) or "default"
        self._margin = refresh_margin
        self._token_timeout = token_timeout
        self._retry = retry or RetryPolicy()
        self._prefixes = {**DEFAULT_PREFIXES, **(prefixes or {})}
        self._http = http_client
        self._transport = transport
        self._owns_http = False

        self._tokens: Tokens | None = None
        self._refresh_at = -math.inf
        self._flight: _Flight | None = None
        # A refresh token sent in a refresh call whose answer never came: possibly rotated away at the server.
        self._maybe_spent: str | None = None
        # Refresh tokens this process rotated away since its last save that landed: a store that missed the
        # saves may still hold them, and presenting one again would look like reuse.
        self._spent: set[str] = set()
        # Tokens taken from the store without a token call: the server has not vouched for them yet.
        self._untried: Tokens | None = None
        # Credentials the server refused: asking again with the same ones would only hammer the login.
        self._rejected: AuthenticationError | None = None
        if tokens is not None:
            self._set(tokens)

    # --- public surface ----------------------------------------------------------------------------------

    @property
    def tokens(self) -> Tokens | None:
        """The tokens in use now, or None before the first login or after :meth:`logout`."""
        return self._tokens

    @property
    def store_key(self) -> str:
        """The key these tokens are kept under in the token store."""
        if self._store_key is None:
            self._store_key = self._derive_store_key()
        return self._store_key

    @property
    def profile_id(self) -> str | None:
        """The profile these tokens are asked for (None: the account's default profile)."""
        return self._profile_id

    async def login(self) -> Tokens:
        """Log in now with the configured credentials (or cookies), whatever tokens are held."""
        self._rejected = None
        while self._flight is not None:
            await self._flight.done.wait()
        return await self._fly(self._tokens, login=True)

    async def ensure_tokens(self) -> Tokens:
        """Valid tokens: the current ones, or new ones from the store, a refresh or a login."""
        tokens = self._tokens
        if tokens is not None and time.monotonic() < self._refresh_at:
            return tokens
        return await self._fresh(stale=tokens)

    async def logout(self) -> None:
        """Forget the tokens here and in the token store. Amino keeps no session, so no call is made."""
        self._tokens = None
        self._refresh_at = -math.inf
        await self._store.delete(await self._key())
        logger.info("logged out (tokens dropped for %s)", self._who())

    def use_http_client(self, http_client: httpx.AsyncClient) -> None:
        """Send token calls through ``http_client`` from now on (``AminoClient`` hands over its pool)."""
        self._http = http_client
        self._owns_http = False

    async def aclose(self) -> None:
        """Close the HTTP client this auth made for its token calls, if it made one."""
        if self._owns_http and self._http is not None:
            await self._http.aclose()
            self._http = None
            self._owns_http = False

    def __repr__(self) -> str:
        return (
            f"AminoAuth({str(self._base)!r}, user={self._who()!r}, profile_id={self._profile_id!r}, "
            f"method={self._method_name()!r})"
        )

    # --- the flow ----------------------------------------------------------------------------------------

    def sync_auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        """Refuse synchronous clients: renewals are async and shared between tasks."""
        raise ConfigurationError("AminoAuth works with httpx.AsyncClient only, not httpx.Client")
        yield request  # pragma: no cover - makes this a generator, as httpx expects

    async def async_auth_flow(self, request: httpx.Request) -> AsyncGenerator[httpx.Request, httpx.Response]:
        """Attach the bearer token; renew it first when due; after a 401, renew once and replay once."""
        if origin_of(request.url) != self._origin:
            # Another host (an absolute URL, a CDN): the token is not theirs to see.
            yield request
            return
        tokens = self._tokens
        if tokens is None or time.monotonic() >= self._refresh_at:
            tokens = await self._fresh(stale=tokens)
        request.headers["Authorization"] = f"Bearer {tokens.access_token}"
        response = yield request
        replays = 0
        # One replay after a 401, and one more only when the replay carried tokens taken untried from the token
        # store (another process's, which the server may have expired too): the renewal after that is a token
        # call, so a request never loops.
        while response.status_code == 401 and (replays == 0 or (replays == 1 and tokens is self._untried)):
            # Read (and so release) the 401's connection before waiting: otherwise every request waiting for the
            # renewal holds a pooled connection, and with the pool full the refresh and the replays cannot start.
            await response.aread()
            logger.debug(
                "401 for %s %s; %s and replaying",
                request.method,
                request.url.path,
                "token already replaced" if self._tokens is not tokens else "renewing",
            )
            tokens = await self._fresh(stale=tokens)
            request.headers["Authorization"] = f"Bearer {tokens.access_token}"
            replays += 1
            response = yield request

    # --- single flight -----------------------------------------------------------------------------------

    async def _fresh(self, stale: Tokens | None) -> Tokens:
        """Tokens other than ``stale`` and not due, renewing once for every task that asks at the same time."""
        failures = 0
        while True:
            current = self._tokens
            if current is not None and current is not stale and time.monotonic() < self._refresh_at:
                return current
            flight = self._flight
            if flight is None:
                return await self._fly(current, login=False)
            await flight.done.wait()
            if flight.error is not None:
                failures += 1
                # A refusal is final; anything else (a timeout, a reset) lets one waiter try once more.
                if isinstance(flight.error, AuthenticationError) or failures > 1:
                    raise _again(flight.error)

    async def _fly(self, stale: Tokens | None, *, login: bool) -> Tokens:
        flight = self._flight = _Flight()

        async def renew() -> Tokens:
            # The outcome is recorded here, by the renewal itself: the task that started it may be cancelled
            # meanwhile (on asyncio it then waits in another task), and its cancellation is nobody else's.
            try:
                with anyio.fail_after(self._token_timeout):
                    tokens = await self._renew(stale, login=login)
            except builtins.TimeoutError:
                error = _errors.TimeoutError(f"the token call did not finish within {self._token_timeout:g} seconds")
                flight.error = error
                raise error from None
            except BaseException as exc:
                flight.error = exc
                raise
            else:
                flight.tokens = tokens
                return tokens
            finally:
                self._flight = None
                flight.done.set()

        return await _to_the_end(renew)

    async def _renew(self, stale: Tokens | None, *, login: bool) -> Tokens:
        async with self._lease() as lease:
            stored = lease.tokens
            if stored is not None and stored.refresh_token in self._spent:
                # The store missed this process's last save: the tokens in memory are the newer ones.
                stored = None
            if not login:
                if stored is not None and not _same(stored, stale) and not _due_soon(stored, self._margin):
                    logger.debug("using tokens from the token store for %s", self._who())
                    self._untried = stored
                    return self._set(stored)
                newest = stored if stored is not None else stale
                # After an interrupted renewal the refresh token may be spent: a fresh login avoids reusing it.
                interrupted = lease.interrupted or (newest is not None and newest.refresh_token == self._maybe_spent)
                if newest is not None and newest.refresh_token and not (interrupted and self._can_login()):
                    tokens = await self._refresh(newest.refresh_token)
                    if tokens is not None:
                        logger.info("refreshed the access token for %s", self._who(tokens))
                        return await self._adopt(tokens, lease)
                    if self._can_login():
                        logger.info("refresh token refused; logging in again as %s", self._who())
            if not self._can_login():
                await self._drop()
                raise AuthenticationError(
                    "the tokens can no longer be renewed and there are no credentials to log in again"
                )
            if self._rejected is not None:
                raise _again(self._rejected)
            try:
                tokens = await self._login()
            except AuthenticationError as exc:
                self._rejected = exc
                raise
            logger.info("logged in as %s by %s", self._who(tokens), self._method_name())
            return await self._adopt(tokens, lease)

    # --- token state -------------------------------------------------------------------------------------

    def _set(self, tokens: Tokens) -> Tokens:
        self._tokens = tokens
        remaining = tokens.expires_in()
        if remaining is None:
            self._refresh_at = math.inf  # no stated lifetime: use it until a 401 says otherwise
        else:
            self._refresh_at = time.monotonic() + remaining - _margin(tokens, self._margin)
        return tokens

    async def _adopt(self, tokens: Tokens, lease: TokenLease) -> Tokens:
        """Save new tokens, then make them current: nobody uses a token the store has not seen."""
        try:
            tokens = await lease.save(tokens)
        except Exception as exc:
            logger.warning("could not save tokens to %r: %s", self._store, type(exc).__name__)
        else:
            self._spent.clear()
        self._rejected = None
        return self._set(tokens)

    @asynccontextmanager
    async def _lease(self) -> AsyncIterator[TokenLease]:
        key = await self._key()
        if isinstance(self._store, SharedTokenStore):
            async with self._store.lease(key) as lease:
                yield lease
        else:
            async with self._local_lease(key) as lease:
                yield lease

    @asynccontextmanager
    async def _local_lease(self, key: str) -> AsyncIterator[TokenLease]:
        """A lease over a store of this process alone: the flight already makes renewals one at a time."""
        try:
            stored = await self._store.load(key)
        except Exception as exc:
            logger.warning("could not read tokens from %r: %s", self._store, type(exc).__name__)
            stored = None

        async def save(tokens: Tokens) -> Tokens:
            await self._store.save(key, tokens)
            return tokens

        yield TokenLease(stored, save)

    async def _drop(self) -> None:
        self._tokens = None
        self._refresh_at = -math.inf
        try:
            await self._store.delete(await self._key())
        except Exception as exc:
            logger.warning("could not delete tokens from %r: %s", self._store, type(exc).__name__)
        logger.info("dropped the tokens of %s: they can no longer be renewed", self._who())

    # --- token calls -------------------------------------------------------------------------------------

    def _can_login(self) -> bool:
        return self._password is not None or bool(self._cookies)

    async def _login(self) -> Tokens:
        if self._password is not None and self._login_method == "password":
            credentials = {"username": self._username, "password": self._password}
            return await self._token_grant("password", credentials, what="login")
        tokens = await self._legacy_login()
        if self._profile_id is not None and tokens.profile_id != self._profile_id and tokens.refresh_token:
            # The legacy login knows no profiles: switch with a refresh grant that names the profile.
            return await self._token_grant(
                "refresh_token", {"refresh_token": tokens.refresh_token}, what="profile switch"
            )
        return tokens

    async def _refresh(self, refresh_token: str) -> Tokens | None:
        """New tokens from a refresh grant, or None when the server refuses the refresh token."""
        try:
            tokens = await self._token_grant("refresh_token", {"refresh_token": refresh_token}, what="refresh")
        except AuthenticationError as exc:
            logger.debug("refresh token refused with HTTP %s", exc.status)
            return None
        except BaseException:
            # No answer (reset, timeout, cancelled): the server may have rotated this refresh token already, and
            # presenting it again would look like reuse and revoke the whole token family.
            self._maybe_spent = refresh_token
            raise
        if tokens.refresh_token != refresh_token:  # rotated; a server that keeps it spends nothing
            self._spent.add(refresh_token)
        return tokens

    async def _token_grant(self, grant: str, credentials: Mapping[str, Any], *, what: str) -> Tokens:
        body: dict[str, Any] = {"grant_type": grant, "credentials": credentials}
        if self._profile_id is not None:
            body["login_user_profile"] = self._profile_id
        request = httpx.Request(
            "POST",
            self._url("auth", "/access_tokens"),
            json=body,
            headers={"User-Agent": USER_AGENT},
        )
        response = await self._call(request)
        if not response.is_success:
            raise self._failure(what, response)
        return tokens_from_token_answer(load_json(response.content), received_at=time.time())

    async def _legacy_login(self) -> Tokens:
        user = self._user_id if self._user_id is not None else self._username
        request = httpx.Request(
            "POST",
            self._url("legacy", f"/api/user/{user}/login"),
            headers={"User-Agent": USER_AGENT},
        )
        auth: httpx.Auth | None = None
        if self._username is not None and self._password is not None:
            auth = httpx.DigestAuth(self._username, self._password)
            what = "digest login"
        else:
            request.headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self._cookies.items())
            what = "cookie exchange"
        response = await self._call(request, auth=auth)
        if not response.is_success:
            raise self._failure(what, response)
        if auth is None:
            self._cookies.update(response.cookies.items())  # the session cookie may be renewed
        return tokens_from_user_stat(
            load_json(response.content),
            date=response.headers.get("date"),
            received_at=time.time(),
            user_id=self._user_id,
        )

    async def _call(self, request: httpx.Request, *, auth: httpx.Auth | None = None) -> httpx.Response:
        """Send one token call, retrying only what cannot have reached the service (or was throttled)."""
        client = self._client()
        attempt = 0
        while True:
            try:
                response = await client.send(request, auth=auth)
            except httpx.TransportError as exc:
                delay = self._retry.delay(attempt) if isinstance(exc, _NOT_SENT) else None
                if delay is None:
                    raise error_from_transport(exc, request) from None
            else:
                if response.status_code not in (429, 503):
                    return response
                retry_after = parse_retry_after(response.headers.get("retry-after"))
                delay = self._retry.delay(attempt, retry_after)
                if delay is None:
                    return response
            attempt += 1
            await anyio.sleep(delay)

    def _client(self) -> httpx.AsyncClient:
        if self._http is None:
            self._http = httpx.AsyncClient(
                transport=self._transport,
                timeout=DEFAULT_TIMEOUT,
                cookies=no_cookie_jar(),
            )
            self._owns_http = True
        return self._http

    def _failure(self, what: str, response: httpx.Response) -> AminoError:
        error = error_from_response(response)
        status = response.status_code
        if 400 <= status < 500 and status != 429:
            detail = getattr(error, "detail", None)
            return AuthenticationError(
                f"{what} refused (HTTP {status})" + (f": {detail}" if detail else ""),
                status=status,
                errors=getattr(error, "errors", ()),
                request_id=getattr(error, "request_id", None),
            )
        return error

    # --- helpers -----------------------------------------------------------------------------------------

    def _url(self, family: Family, path: str) -> httpx.URL:
        return self._base.copy_with(path=f"{self._base.path.rstrip('/')}{self._prefixes[family]}{path}")

    async def _key(self) -> str:
        if self._store_key is None:
            derive = self._derive_store_key
            # scrypt takes tens of milliseconds: off the event loop, once per auth.
            self._store_key = await anyio.to_thread.run_sync(derive) if self._password is not None else derive()
        return self._store_key

    def _derive_store_key(self) -> str:
        scheme, host, port = self._origin
        key = f"{scheme}://{host}:{port}|{self._key_user}|{self._profile_id or '-'}"
        if self._password is not None:
            salt = f"amino-async|{key}".encode()
            digest = hashlib.scrypt(self._password.encode(), salt=salt, n=2**14, r=8, p=1, dklen=16).hex()
            return f"{key}|password:{digest}"
        return f"{key}|{self._fingerprint}" if self._fingerprint else key

    def _who(self, tokens: Tokens | None = None) -> str:
        tokens = tokens or self._tokens
        user = (tokens.user_id if tokens else None) or self._user_id
        return f"user {user}" if user else "the configured user"

    def _method_name(self) -> str:
        if self._password is not None:
            return "digest" if self._login_method == "digest" else "password"
        return "cookie" if self._cookies else "tokens"


def _fingerprint(*, cookies: Mapping[str, str], tokens: Tokens | None) -> str | None:
    """A fingerprint of a high-entropy secret (session cookies, tokens): a plain hash is safe for those."""
    digest = hashlib.sha256()
    if cookies:
        kind = "cookie"
        for name, value in sorted(cookies.items()):
            digest.update(f"{name}\0{value}\0".encode())
    elif tokens is not None:
        kind = "tokens"
        digest.update((tokens.refresh_token or tokens.access_token).encode())
    else:
        return None
    return f"{kind}:{digest.hexdigest()[:32]}"


def _same(a: Tokens, b: Tokens | None) -> bool:
    return b is not None and a.access_token == b.access_token


def _margin(tokens: Tokens, margin: float) -> float:
    lifetime = tokens.lifetime
    return min(margin, lifetime / 2) if lifetime is not None else 0.0


def _due_soon(tokens: Tokens, margin: float) -> bool:
    remaining = tokens.expires_in()
    return remaining is not None and remaining <= _margin(tokens, margin)
