"""``AminoAuth``: the httpx auth flow that gives every request a valid bearer token, and the single flight.

How it stays correct under load (the rules of ``DESIGN.md``):

- The hot path (a valid token) reads one clock and sets one header: no lock, no await.
- A task that may need a renewal takes the lock, checks again, and starts or joins the one renewal in the air
  (a *flight*); the lock is never held across a wait or a ``yield``. The renewal runs detached from every caller
  (:func:`~amino_async._concurrency.spawn_detached`), bounded by its own timeout, so a refresh token the server
  has rotated is always saved; a caller cancelled or timed out while waiting just leaves.
- A 401 for a token that has since been replaced replays with the newer one; a 401 for one that is still current
  renews and replays (back-to-back expiries). A 401 for the token a renewal produced for this very call, which
  the server has never taken and which is still fresh by its stated lifetime, is an error, not a loop. At most
  ``MAX_REPLAYS`` replays a call.

The token calls themselves are :class:`~amino_async._token_calls.TokenCalls`'; how each way in obtains tokens is
its credentials value's (:mod:`amino_async._credentials`).
"""

from __future__ import annotations

import builtins
import copy
import importlib
import logging
import math
import time
from collections.abc import AsyncGenerator, Awaitable, Generator, Mapping
from types import ModuleType
from typing import TYPE_CHECKING, Any, Final, cast

import anyio
import httpx

from . import _errors
from ._concurrency import spawn_detached
from ._constants import (
    DEFAULT_PREFIXES,
    DEFAULT_TIMEOUT,
    LOGGER_NAME,
    MAX_REPLAYS,
    REFRESH_MARGIN,
    TOKEN_CALL_TIMEOUT,
    Family,
)
from ._credentials import Credentials, GivenTokens, credentials_from, store_key
from ._errors import AminoError, AuthenticationError, ConfigurationError, TransportError
from ._events import Event, EventHook, EventKind, Events
from ._http import choose_library, drain, imported, installed, library_of, pool_class, timeout_for
from ._request import RetryPolicy, Sender
from ._token_calls import TokenCalls
from ._tokens import MemoryTokenStore, TokenLease, Tokens, TokenStore, lease_of
from ._urls import Urls, origin_of, parse_base_url

if TYPE_CHECKING:
    from typing_extensions import Unpack

    from ._credentials import CredentialKeywords

__all__ = ["AminoAuth", "auth_for"]

logger = logging.getLogger(LOGGER_NAME)

#: The largest token answer or 401 body read: both are a few hundred bytes.
_SMALL_ANSWER: Final = 64 * 1024


class _Flight:
    """One renewal in the air: everyone who needs it waits on ``done``, then reads the outcome."""

    __slots__ = ("called", "done", "error", "tokens")

    def __init__(self) -> None:
        self.done = anyio.Event()
        self.tokens: Tokens | None = None
        #: Whether the tokens came from a token call (rather than from the store, untried by the server).
        self.called = False
        self.error: AminoError | None = None


def _again(error: AminoError) -> AminoError:
    """A copy of a shared failure, so that each waiter raises its own exception object."""
    clone = copy.copy(error)
    clone.__traceback__ = None
    return clone


class AminoAuth(httpx.Auth):
    """An :class:`httpx.Auth` that gives every request to the Amino deployment a valid bearer token.

    Works inside :class:`~amino_async.AminoClient` and on its own::

        auth = AminoAuth("https://customer.domain", PasswordLogin("user@example.com", "..."))
        async with httpx.AsyncClient(auth=auth) as client:
            await client.get("https://customer.domain/api/metadata/v1/channels")

    ``credentials`` is the way in (:class:`~amino_async.PasswordLogin`, :class:`~amino_async.DigestLogin`,
    :class:`~amino_async.CookieLogin`, :class:`~amino_async.GivenTokens`), or the keyword shortcuts:
    ``username`` + ``password`` (with ``login_method="digest"`` for the legacy Digest login), ``user_id`` +
    ``cookies``, ``tokens`` (existing tokens: alone, there is no logging in again; with a way to log in, the
    tokens to start with), and ``profile_id``.

    ``token_store`` keeps tokens between runs and processes (default: in memory), under ``store_key``. The
    default key names the origin, the user and the profile, and is bound to the secret given: a fingerprint of
    the password (scrypt), the cookies or the given tokens, so that only an auth holding the same secret reads
    the tokens another one saved. An auth given only a ``token_store`` trusts the store and uses the key without
    a fingerprint.

    Tokens are refreshed ``refresh_margin`` seconds before the end of the lifetime the server states (at most
    half of it), and after a 401. The token is only ever sent to the origin of ``base_url``; credentials over
    plain ``http://`` are refused except to loopback, unless ``allow_insecure_http`` is set. Token calls go
    through ``http_client`` when given (``AminoClient`` passes its own), else through a small client of the
    auth's own over ``transport``; close it with :meth:`aclose`. A token call runs on its own, bounded by
    ``token_timeout``, whatever happens to the requests waiting for it.
    """

    def __new__(cls, *args: Any, **kwargs: Any) -> AminoAuth:
        # Each library takes only its own Auth as ``auth=`` (httpx2's client checks isinstance against its plain,
        # non-ABC class, so no virtual subclass will do). An AminoAuth made by the caller is therefore an Auth of
        # every library installed, for either library's client, as the class documents: where httpx2 is
        # installed, it is the flavour of ``cls`` (AminoAuth or a subclass) derived from both, and httpx2 is
        # imported here, not at ``import amino_async``. AminoClient makes its auths with :func:`auth_for`.
        return object.__new__(_with_httpx2(cls) if installed("httpx2") else cls)

    def __init__(
        self,
        base_url: str | httpx.URL,
        credentials: Credentials | None = None,
        *,
        token_store: TokenStore | None = None,
        store_key: str | None = None,
        refresh_margin: float = REFRESH_MARGIN,
        token_timeout: float = TOKEN_CALL_TIMEOUT,
        retry: RetryPolicy | None = None,
        prefixes: Mapping[Family, str] | None = None,
        http_client: httpx.AsyncClient | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        allow_insecure_http: bool = False,
        on_event: EventHook | None = None,
        **shortcuts: Unpack[CredentialKeywords],
    ) -> None:
        url = parse_base_url(base_url, allow_insecure_http=allow_insecure_http)
        initial = shortcuts.get("tokens")
        if credentials is None:
            credentials = credentials_from(**shortcuts)
        elif shortcuts:
            raise ConfigurationError("give credentials or the keyword shortcuts (username=, ...), not both")
        elif not isinstance(credentials, Credentials):
            raise ConfigurationError("credentials must be PasswordLogin, DigestLogin, CookieLogin or GivenTokens")
        if credentials is None and token_store is None:
            raise ConfigurationError(
                "nothing to authenticate with: give username and password, user_id and cookies, tokens, "
                "or a token_store holding tokens"
            )
        if isinstance(credentials, GivenTokens):
            initial = credentials.tokens
        self._credentials = credentials
        self._events = Events(on_event)
        self._profile_id = credentials.profile_id if credentials is not None else shortcuts.get("profile_id")
        self._urls = Urls(url, {**DEFAULT_PREFIXES, **(prefixes or {})})
        self._store: TokenStore = token_store if token_store is not None else MemoryTokenStore()
        self._store_key = store_key
        self._margin = refresh_margin
        self._token_timeout = token_timeout
        self._retry = retry or RetryPolicy()
        self._transport = transport
        self._calls: TokenCalls | None = None
        self._own_sender: Sender | None = None
        if http_client is not None:
            self.use_http_client(http_client)

        self._lock = anyio.Lock()
        self._tokens: Tokens | None = None
        self._refresh_at = -math.inf
        self._flight: _Flight | None = None
        # A refresh token sent in a refresh call whose answer never came: possibly rotated away at the server.
        self._maybe_spent: str | None = None
        # Refresh tokens this process rotated away since its last save that landed: a store that missed the
        # saves may still hold them, and presenting one again would look like reuse.
        self._spent: set[str] = set()
        # The newest tokens the server has served a request with (see the replay rule of async_auth_flow).
        self._accepted: Tokens | None = None
        # Credentials the server refused: asking again with the same ones would only hammer the login.
        self._rejected: AuthenticationError | None = None
        if initial is not None:
            self._set(initial)

    # --- public surface ----------------------------------------------------------------------------------

    @property
    def credentials(self) -> Credentials | None:
        """The way in (None: only what the token store holds)."""
        return self._credentials

    @property
    def tokens(self) -> Tokens | None:
        """The tokens in use now, or None before the first login or after :meth:`logout`."""
        return self._tokens

    @property
    def store_key(self) -> str:
        """The key these tokens are kept under in the token store."""
        if self._store_key is None:
            self._store_key = store_key(self._urls.origin, self._credentials, self._profile_id)
        return self._store_key

    @property
    def profile_id(self) -> str | None:
        """The profile these tokens are asked for (None: the account's default profile)."""
        return self._profile_id

    async def login(self) -> Tokens:
        """Log in now with the credentials, whatever tokens are held (after any renewal in the air)."""
        self._rejected = None
        while True:
            async with self._lock:
                flight = self._flight
                if flight is None:
                    flight = self._launch(self._tokens, login=True)
                    break
            await flight.done.wait()
        return self._outcome(await self._landed(flight))

    @property
    def renewal_due(self) -> bool:
        """Whether the next request must wait for tokens (none yet, or due for renewal): the send path asks this
        first, so that a request on a valid token awaits nothing before it is sent."""
        return self._tokens is None or time.monotonic() >= self._refresh_at

    async def ensure_tokens(self) -> Tokens:
        """Valid tokens: the current ones, or new ones from the store, a refresh or a login."""
        tokens = self._tokens
        if tokens is not None and time.monotonic() < self._refresh_at:
            return tokens
        return (await self._renewed(stale=tokens))[0]

    async def logout(self) -> None:
        """Forget the tokens here and in the token store. Amino keeps no session, so no call is made."""
        self._tokens = None
        self._refresh_at = -math.inf
        await self._store.delete(await self._key())
        logger.info("logged out (tokens dropped for %s)", self._who())

    def use_http_client(self, http_client: httpx.AsyncClient) -> None:
        """Send token calls through ``http_client`` (of either library) from now on; it is never closed here."""
        self._set_sender(Sender(http_client, owns_http=False, retry=self._retry, timeout=DEFAULT_TIMEOUT))

    async def settle(self) -> None:
        """Wait until no token call of this auth is in the air (its outcome is then saved and in effect)."""
        while (flight := self._flight) is not None:
            await flight.done.wait()

    async def aclose(self) -> None:
        """Let a token call in the air finish (bounded by ``token_timeout``), then close the auth's own client."""
        with anyio.move_on_after(self._token_timeout):
            await self.settle()
        sender, self._own_sender = self._own_sender, None
        if sender is not None:
            self._calls = None
            await sender.aclose()

    def __repr__(self) -> str:
        return f"AminoAuth({self._urls.root!r}, user={self._who()!r}, profile_id={self._profile_id!r})"

    # --- the flow ----------------------------------------------------------------------------------------

    def sync_auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        """Refuse synchronous clients: renewals are async and shared between tasks."""
        raise ConfigurationError("AminoAuth works with httpx.AsyncClient (or httpx2's) only, not httpx.Client")
        yield request  # pragma: no cover - makes this a generator, as httpx expects

    async def async_auth_flow(self, request: httpx.Request) -> AsyncGenerator[httpx.Request, httpx.Response]:
        """Attach the bearer token; renew it first when due; after a 401, renew or replay (bounded)."""
        if origin_of(request.url) != self._urls.origin:
            # Another host (an absolute URL, a CDN): the token is not theirs to see.
            yield request
            return
        if request.method not in ("GET", "HEAD", "OPTIONS", "DELETE"):
            await request.aread()  # a replay sends the body again, so a streamed one must be kept
        tokens = self._tokens
        renewed = False  # whether ``tokens`` came from a token call this request waited for
        if tokens is None or time.monotonic() >= self._refresh_at:
            tokens, renewed = await self._renewed(stale=tokens)
        request.headers["Authorization"] = f"Bearer {tokens.access_token}"
        response = yield request
        replays = 0
        while response.status_code == 401 and replays < MAX_REPLAYS:
            if renewed and tokens is self._tokens and tokens is not self._accepted and not self._due():
                # The token a renewal just made for this very call, refused before the server ever took it and
                # still fresh by its lifetime: the server refuses new tokens, and renewing again would loop.
                break
            # Free the 401's connection before waiting: with every waiter holding one, a full pool would leave
            # no connection for the renewal and the replays.
            await drain(response, _SMALL_ANSWER)
            tokens, renewed = await self._renewed(stale=tokens)
            self._events.emit(Event("replay", request.method, request.url.path, 401, replays + 1, user=tokens.user_id))
            request.headers["Authorization"] = f"Bearer {tokens.access_token}"
            replays += 1
            response = yield request
        if response.status_code != 401:
            # The server took this token: a 401 for it later means it expired, not that it is refused outright.
            self._accepted = tokens

    def _due(self) -> bool:
        return time.monotonic() >= self._refresh_at

    # --- single flight -----------------------------------------------------------------------------------

    async def _renewed(self, stale: Tokens | None) -> tuple[Tokens, bool]:
        """Tokens other than ``stale`` and not due (and whether a token call made them), renewing once for all."""
        failures = 0
        while True:
            async with self._lock:
                current = self._tokens
                if current is not None and current is not stale and time.monotonic() < self._refresh_at:
                    return current, False
                flight = self._flight
                launched = flight is None
                if flight is None:
                    flight = self._launch(current, login=False)
            landed = await self._landed(flight)
            if landed.error is None:
                return self._outcome(landed), landed.called
            failures += 1
            # A refusal is final, and so is the failure of a renewal this call started; another's failure (a
            # timeout, a reset) lets one waiter try once more.
            if launched or isinstance(landed.error, AuthenticationError) or failures > 1:
                raise _again(landed.error)

    @staticmethod
    async def _landed(flight: _Flight) -> _Flight:
        # Cancellable: a caller that gives up leaves at once; the flight goes on without it.
        await flight.done.wait()
        return flight

    @staticmethod
    def _outcome(flight: _Flight) -> Tokens:
        if flight.error is not None:
            raise _again(flight.error)
        assert flight.tokens is not None
        return flight.tokens

    def _launch(self, stale: Tokens | None, *, login: bool) -> _Flight:
        """Start a renewal on its own, owned by no caller; called with the lock held."""
        flight = self._flight = _Flight()

        async def renew() -> None:
            # The outcome is recorded here, by the renewal itself, for whoever is still waiting.
            try:
                with anyio.fail_after(self._token_timeout):
                    flight.tokens, flight.called = await self._renew(stale, login=login)
            except AminoError as exc:
                flight.error = exc
            except builtins.TimeoutError:
                flight.error = _errors.TimeoutError(
                    f"the token call did not finish within {self._token_timeout:g} seconds"
                )
            except Exception as exc:
                flight.error = AminoError(f"the token renewal failed: {type(exc).__name__}")
            except BaseException:
                flight.error = TransportError("the token call was cut short: its event loop is ending")
                raise
            finally:
                self._flight = None
                flight.done.set()

        spawn_detached(renew)
        return flight

    async def _renew(self, stale: Tokens | None, *, login: bool) -> tuple[Tokens, bool]:
        credentials = self._credentials
        can_log_in = credentials is not None and credentials.can_log_in
        async with lease_of(self._store, await self._key()) as lease:
            stored = lease.tokens
            if stored is not None and stored.refresh_token in self._spent:
                # The store missed this process's last save: the tokens in memory are the newer ones.
                stored = None
            if not login:
                if stored is not None and not _same(stored, stale) and not _due_soon(stored, self._margin):
                    logger.debug("using tokens from the token store for %s", self._who())
                    return self._set(stored), False
                newest = stored if stored is not None else stale
                # After an interrupted renewal the refresh token may be spent: a fresh login avoids reusing it.
                interrupted = lease.interrupted or (newest is not None and newest.refresh_token == self._maybe_spent)
                if newest is not None and newest.refresh_token and not (interrupted and can_log_in):
                    tokens = await self._refresh(newest.refresh_token)
                    if tokens is not None:
                        return await self._adopt(tokens, lease), True
                    if can_log_in:
                        logger.info("refresh token refused; logging in again as %s", self._who())
            if credentials is None or not can_log_in:
                await self._drop()
                raise AuthenticationError(
                    "the tokens can no longer be renewed and there are no credentials to log in again"
                )
            if self._rejected is not None:
                raise _again(self._rejected)
            try:
                tokens = await self._timed("login", credentials.obtain(self._token_calls()))
            except AuthenticationError as exc:
                self._rejected = exc
                raise
            return await self._adopt(tokens, lease), True

    async def _refresh(self, refresh_token: str) -> Tokens | None:
        """New tokens from a refresh grant, or None when the server refuses the refresh token."""
        try:
            tokens = await self._timed("refresh", self._token_calls().refresh_grant(refresh_token, self._profile_id))
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

    async def _timed(self, kind: EventKind, call: Awaitable[Tokens]) -> Tokens:
        """Await a token call, telling how long it took and how it ended."""
        started = time.monotonic()
        try:
            tokens = await call
        except AminoError as exc:
            self._events.emit(Event(kind, error=type(exc).__name__, duration=time.monotonic() - started))
            raise
        self._events.emit(Event(kind, duration=time.monotonic() - started, user=tokens.user_id))
        return tokens

    def _token_calls(self) -> TokenCalls:
        if self._calls is None:
            # Standalone use without an http_client: a small client of the auth's own, made on first need, of the
            # library of the transport given (else the default one).
            lib = library_of(self._transport) if self._transport is not None else None
            lib = lib or choose_library()
            http = pool_class(lib)(transport=self._transport, timeout=timeout_for(lib, DEFAULT_TIMEOUT))
            self._set_sender(Sender(http, owns_http=True, retry=self._retry, timeout=DEFAULT_TIMEOUT))
            assert self._calls is not None
        return self._calls

    def _set_sender(self, sender: Sender) -> None:
        sender.max_response_size = _SMALL_ANSWER
        self._own_sender = sender if sender.owns_http else None
        self._calls = TokenCalls(sender, self._urls)

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

    async def _drop(self) -> None:
        self._tokens = None
        self._refresh_at = -math.inf
        try:
            await self._store.delete(await self._key())
        except Exception as exc:
            logger.warning("could not delete tokens from %r: %s", self._store, type(exc).__name__)
        logger.info("dropped the tokens of %s: they can no longer be renewed", self._who())

    async def _key(self) -> str:
        if self._store_key is None:
            credentials = self._credentials
            if credentials is not None and credentials.slow_fingerprint:
                # scrypt takes tens of milliseconds: off the event loop, once per auth.
                self._store_key = await anyio.to_thread.run_sync(
                    store_key, self._urls.origin, credentials, self._profile_id
                )
            else:
                self._store_key = store_key(self._urls.origin, credentials, self._profile_id)
        return self._store_key

    def _who(self, tokens: Tokens | None = None) -> str:
        tokens = tokens or self._tokens
        user: Any = tokens.user_id if tokens else None
        if user is None and self._credentials is not None:
            user = getattr(self._credentials, "user_id", None)
        return f"user {user}" if user else "the configured user"


def _same(a: Tokens, b: Tokens | None) -> bool:
    return b is not None and a.access_token == b.access_token


def _margin(tokens: Tokens, margin: float) -> float:
    lifetime = tokens.lifetime
    return min(margin, lifetime / 2) if lifetime is not None else 0.0


def _due_soon(tokens: Tokens, margin: float) -> bool:
    remaining = tokens.expires_in()
    return remaining is not None and remaining <= _margin(tokens, margin)


_FLAVOURS: dict[type[AminoAuth], type[AminoAuth]] = {}


def _with_httpx2(cls: type[AminoAuth]) -> type[AminoAuth]:
    """``cls`` (AminoAuth or a subclass) derived from httpx2's ``Auth`` as well, made (and httpx2 imported) once."""
    flavour = _FLAVOURS.get(cls)
    if flavour is None:
        base = importlib.import_module("httpx2").Auth  # not a static import: mypy runs where httpx2 is not installed
        if issubclass(cls, base):  # already (or httpx2's alias_httpx() makes both names one module)
            flavour = cls
        else:
            namespace = {"__doc__": cls.__doc__, "__module__": cls.__module__, "__qualname__": cls.__qualname__}
            flavour = cast("type[AminoAuth]", type(cls.__name__, (cls, base), namespace))
        _FLAVOURS[cls] = flavour
    return flavour


def auth_for(lib: ModuleType, *args: Any, **kwargs: Any) -> AminoAuth:
    """An ``AminoAuth(*args, **kwargs)`` for a client on ``lib``: an Auth of httpx2 as well only where it is used.

    A client on httpx thus does not import httpx2; where the program has imported httpx2 itself, the auth is an
    Auth of both anyway (``client.auth`` may go into the program's own httpx2 client).
    """
    both = lib.__name__ != "httpx" or imported("httpx2")
    auth: AminoAuth = object.__new__(_with_httpx2(AminoAuth) if both else AminoAuth)
    AminoAuth.__init__(auth, *args, **kwargs)
    return auth
