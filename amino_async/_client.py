"""``AminoClient``: one deployment's connection pool, its lifecycle, and the views that share it."""

from __future__ import annotations

import functools
import logging
import ssl
import weakref
from collections import OrderedDict
from collections.abc import Callable, Mapping
from types import ModuleType
from typing import TYPE_CHECKING, Any, Final

import anyio
import attrs
import httpx

from ._auth import AminoAuth, auth_for
from ._constants import (
    DEFAULT_LIMITS,
    DEFAULT_MAX_RESPONSE_SIZE,
    DEFAULT_MAX_RETRIES,
    DEFAULT_PREFIXES,
    DEFAULT_TIMEOUT,
    LOGGER_NAME,
    REFRESH_MARGIN,
    TOKEN_CALL_TIMEOUT,
    USER_AGENT,
    Family,
)
from ._credentials import Credentials, GivenTokens, credentials_from
from ._errors import ClientClosedError, ConfigurationError
from ._events import EventHook, Events
from ._http import choose_library, library_of, limits_for, pool_class, timeout_for
from ._jsonapi import Document
from ._request import CallOptions, RetryPolicy, Sender
from ._resource import Api
from ._tokens import MemoryTokenStore, Tokens, TokenStore
from ._transport import AutoTransport, CertTypes, Network, ssl_context
from ._urls import QueryValue, Urls, parse_base_url

if TYPE_CHECKING:
    from typing_extensions import Unpack

    from ._credentials import CredentialKeywords
    from .resources import (
        Admin,
        Catchup,
        ChannelLocks,
        Channels,
        CreditedPersons,
        Favourites,
        Genres,
        Legacy,
        MarketSegments,
        Packages,
        PasswordReset,
        Playback,
        Preferences,
        Profiles,
        Programs,
        Recommendations,
        Recordings,
        Schedule,
        Seasons,
        SeriesResource,
        Streams,
        Subscriptions,
        Users,
    )

__all__ = ["AminoClient"]

logger = logging.getLogger(LOGGER_NAME)

Params = Mapping[str, QueryValue]

#: Views keep their auth (and so their tokens) per credentials value: a web backend that makes a view per
#: incoming request for the same user reuses that user's tokens instead of logging in every time.
_VIEW_CACHE_SIZE: Final = 1024


def _library(http_client: Any, transport: Any, name: str | None) -> ModuleType:
    """The HTTP library of a client: that of the object passed, else the one asked for, else the default."""
    if http_client is not None and transport is not None:
        raise ConfigurationError("give http_client or transport, not both")
    given = http_client if http_client is not None else transport
    if given is None:
        return choose_library(name)
    lib = library_of(given)
    if http_client is not None and (lib is None or not isinstance(http_client, lib.AsyncClient)):
        raise ConfigurationError("http_client must be an httpx.AsyncClient or an httpx2.AsyncClient")
    if lib is None:
        return choose_library(name) if name is not None else httpx  # a transport of no library's: httpx's duck type
    if name is not None and lib.__name__ != name:
        raise ConfigurationError(
            f"http_library={name!r}, but the {'http_client' if http_client else 'transport'} given is {lib.__name__}'s"
        )
    return lib


@attrs.define
class _Shared:
    """What a client and all its views share: the send path, the store, the settings, the auths."""

    sender: Sender
    urls: Urls
    store: TokenStore
    strict: bool
    auth_options: dict[str, Any]
    token_timeout: float
    #: The auth of each credentials value that views were made for, most recently used last.
    auths: OrderedDict[Credentials, AminoAuth] = attrs.field(factory=OrderedDict)
    #: Every auth made for this client or its views: closing waits for their token calls in the air.
    every_auth: weakref.WeakSet[AminoAuth] = attrs.field(factory=weakref.WeakSet)


class AminoClient:
    """An async client of one Amino deployment.

    ::

        async with AminoClient("https://customer.domain", username="user@example.com", password="...") as client:
            page = await client.channels.list()
            streams = await client.channels.streams(page.items[0].id, stream_type="dash")

    ``credentials`` is the way in (:class:`~amino_async.PasswordLogin`, :class:`~amino_async.DigestLogin`,
    :class:`~amino_async.CookieLogin`, :class:`~amino_async.GivenTokens`), or the keyword shortcuts
    (``username=``, ``password=``, ``user_id=``, ``cookies=``, ``tokens=``, ``profile_id=``,
    ``login_method=``); authentication is :class:`~amino_async.AminoAuth`'s.

    The client owns one connection pool (default ``timeout`` :data:`DEFAULT_TIMEOUT`, ``limits``
    :data:`DEFAULT_LIMITS`), or uses ``http_client`` as given and never closes it; either way it never follows
    a redirect and never sends a cookie jar. Its transport is aiohttp's (``httpx-aiohttp``) on asyncio when the
    ``speedups`` extra is installed, else httpcore's, chosen at the first request; ``transport`` replaces that.

    Each attempt of a call ends within ``timeout`` (the largest phase of an ``httpx.Timeout``), from connecting to
    the last byte of the body; ``deadline`` (seconds) bounds a whole call, retries and the wait for a token
    renewal included. A body over ``max_response_size`` bytes after decompression ends in
    :class:`~amino_async.ResponseTooLargeError`. Idempotent calls are retried ``max_retries`` times (default 2)
    after a connection error, a timeout, or a 429, 502, 503 or 504 answer, with exponential backoff and jitter,
    honouring ``Retry-After``; ``retry`` sets the whole policy. ``strict=True`` refuses answers in any shape other
    than documented instead of keeping odd attributes raw.

    :meth:`with_auth` and :meth:`as_profile` make views with other credentials over the same pool, cheaply enough
    for one per incoming web request; :meth:`with_options` a view with other per-call options.
    """

    def __init__(
        self,
        base_url: str | httpx.URL,
        *,
        credentials: Credentials | None = None,
        token_store: TokenStore | None = None,
        timeout: float | httpx.Timeout | Any = DEFAULT_TIMEOUT,
        deadline: float | None = None,
        max_retries: int = DEFAULT_MAX_RETRIES,
        retry: RetryPolicy | None = None,
        limits: httpx.Limits | Any = DEFAULT_LIMITS,
        headers: Mapping[str, str] | None = None,
        http_client: httpx.AsyncClient | Any | None = None,
        transport: httpx.AsyncBaseTransport | Any | None = None,
        http_library: str | None = None,
        proxy: str | None = None,
        verify: ssl.SSLContext | str | bool = True,
        cert: CertTypes | None = None,
        http2: bool = False,
        trust_env: bool = True,
        event_hooks: Mapping[str, list[Callable[..., Any]]] | None = None,
        prefixes: Mapping[Family, str] | None = None,
        refresh_margin: float = REFRESH_MARGIN,
        token_timeout: float = TOKEN_CALL_TIMEOUT,
        max_response_size: int = DEFAULT_MAX_RESPONSE_SIZE,
        strict: bool = False,
        allow_insecure_http: bool = False,
        on_event: EventHook | None = None,
        **shortcuts: Unpack[CredentialKeywords],
    ) -> None:
        if deadline is not None and deadline <= 0:
            raise ConfigurationError("deadline must be a positive number of seconds")
        url = parse_base_url(base_url, allow_insecure_http=allow_insecure_http)
        lib = _library(http_client, transport, http_library)
        if http_client is not None:
            pool_options = {"transport": transport, "proxy": proxy, "cert": cert, "event_hooks": event_hooks}
            given = [name for name, value in pool_options.items() if value is not None]
            given += [
                name
                for name, value in (("verify", verify), ("http2", http2), ("trust_env", trust_env))
                if value is not {"verify": True, "http2": False, "trust_env": True}[name]
            ]
            if given:
                raise ConfigurationError(
                    f"{', '.join(given)}: set these on the http_client you pass; the SDK uses it as given"
                )
        store = token_store if token_store is not None else MemoryTokenStore()
        policy = retry or RetryPolicy(max_retries=max_retries)
        auth_options: dict[str, Any] = {
            "token_store": store,
            "refresh_margin": refresh_margin,
            "token_timeout": token_timeout,
            "retry": policy,
            "prefixes": {**DEFAULT_PREFIXES, **(prefixes or {})},
            "allow_insecure_http": allow_insecure_http,
            "on_event": on_event,
        }
        # The auth checks the credentials before any pool exists, so a bad call leaves nothing to close.
        auth = auth_for(lib, url, credentials, **auth_options, **shortcuts)
        owns_http = http_client is None
        pool_timeout = timeout_for(lib, timeout)
        if http_client is None:
            network = Network(
                limits=limits_for(lib, limits),
                ssl_context=ssl_context(verify, cert, trust_env=trust_env),
                proxy=proxy,
                trust_env=trust_env,
                http2=http2,
            )
            http_client = pool_class(lib)(
                transport=transport if transport is not None else AutoTransport(lib, network),
                timeout=pool_timeout,
                headers={"User-Agent": USER_AGENT, **(headers or {})},
                follow_redirects=False,
                event_hooks=dict(event_hooks) if event_hooks else None,
            )
        auth.use_http_client(http_client)
        sender = Sender(
            http_client,
            owns_http=owns_http,
            retry=policy,
            timeout=pool_timeout if owns_http else None,
            deadline=deadline,
            # On a client of the caller's own they go with each call; the SDK's own pool has them already.
            headers=headers if not owns_http else None,
            max_response_size=max_response_size,
            events=Events(on_event),
        )
        shared = _Shared(
            sender=sender,
            urls=Urls(url, auth_options["prefixes"]),
            store=store,
            strict=strict,
            auth_options=auth_options,
            token_timeout=token_timeout,
        )
        shared.every_auth.add(auth)
        self._bind(shared, auth, None, is_view=False)

    def _bind(self, shared: _Shared, auth: AminoAuth, options: CallOptions | None, *, is_view: bool) -> None:
        self._shared = shared
        self._auth = auth
        self._options = options
        self._is_view = is_view
        self._api = Api(shared.sender, shared.urls, auth, options, shared.strict)

    # --- resources ---------------------------------------------------------------------------------------
    # Made on first use: a view per incoming web request then costs only the resources it touches. Each module is
    # imported on first use too, so that a client that never reads recordings never builds their model classes.

    @functools.cached_property
    def channels(self) -> Channels:
        """The channel catalogue and live streams."""
        from .resources.channels import Channels

        return Channels(self._api)

    @functools.cached_property
    def streams(self) -> Streams:
        """The streams of catch-up programmes and recordings."""
        from .resources.streams import Streams

        return Streams(self._api)

    @functools.cached_property
    def profiles(self) -> Profiles:
        """The profiles of the user's account."""
        from .resources.profiles import Profiles

        return Profiles(self._api)

    @functools.cached_property
    def recordings(self) -> Recordings:
        """The profile's recordings (the current v4 API); ``recordings.v1`` is the older user recordings API."""
        from .resources.recordings import Recordings

        return Recordings(self._api)

    # --- catalogue, EPG, catch-up, playback, packages (issue 17) ---

    @functools.cached_property
    def schedule(self) -> Schedule:
        """The EPG: broadcast slots of a channel by day, and ranges of days."""
        from .resources.schedule import Schedule

        return Schedule(self._api)

    @functools.cached_property
    def programs(self) -> Programs:
        """Programmes (movies, episodes) and the broadcast slots showing them."""
        from .resources.catalogue import Programs

        return Programs(self._api)

    @functools.cached_property
    def series(self) -> SeriesResource:
        """Series."""
        from .resources.catalogue import SeriesResource

        return SeriesResource(self._api)

    @functools.cached_property
    def seasons(self) -> Seasons:
        """Seasons, their episodes and their series."""
        from .resources.catalogue import Seasons

        return Seasons(self._api)

    @functools.cached_property
    def genres(self) -> Genres:
        """Genres."""
        from .resources.catalogue import Genres

        return Genres(self._api)

    @functools.cached_property
    def credited_persons(self) -> CreditedPersons:
        """The programmes of the people credited in them."""
        from .resources.catalogue import CreditedPersons

        return CreditedPersons(self._api)

    @functools.cached_property
    def catchup(self) -> Catchup:
        """Catch-up items, and their streams in one flow."""
        from .resources.schedule import Catchup

        return Catchup(self._api)

    @functools.cached_property
    def playback(self) -> Playback:
        """Media play sessions (the user's) and playback info (the profile's resume points)."""
        from .resources.playback import Playback

        return Playback(self._api)

    @functools.cached_property
    def recommendations(self) -> Recommendations:
        """Recommendations, and the viewing events that feed them."""
        from .resources.commerce import Recommendations

        return Recommendations(self._api)

    @functools.cached_property
    def packages(self) -> Packages:
        """Channel packages, of the system and of the user."""
        from .resources.commerce import Packages

        return Packages(self._api)

    @functools.cached_property
    def subscriptions(self) -> Subscriptions:
        """The products the user is subscribed to."""
        from .resources.commerce import Subscriptions

        return Subscriptions(self._api)

    # --- user configuration ---

    @functools.cached_property
    def favourites(self) -> Favourites:
        """The favourite channel lists of the view's profile."""
        from .resources.favourites import Favourites

        return Favourites(self._api)

    @functools.cached_property
    def channel_locks(self) -> ChannelLocks:
        """The user's channel lock."""
        from .resources.channel_locks import ChannelLocks

        return ChannelLocks(self._api)

    @functools.cached_property
    def market_segments(self) -> MarketSegments:
        """The market segments the user belongs to."""
        from .resources.market_segments import MarketSegments

        return MarketSegments(self._api)

    @functools.cached_property
    def users(self) -> Users:
        """The user's own account (user info)."""
        from .resources.users import Users

        return Users(self._api)

    @functools.cached_property
    def preferences(self) -> Preferences:
        """The user's preferences: the password."""
        from .resources.preferences import Preferences

        return Preferences(self._api)

    @functools.cached_property
    def password_reset(self) -> PasswordReset:
        """Resetting a forgotten password by emailed code: needs no credentials."""
        from .resources.preferences import PasswordReset

        return PasswordReset(self._api)

    # --- operators and the legacy API ---

    @functools.cached_property
    def admin(self) -> Admin:
        """Operator management (with an operator's credentials): users, licensing, network permissions, ..."""
        from .resources.admin import Admin

        return Admin(self._api)

    @functools.cached_property
    def legacy(self) -> Legacy:
        """The legacy API's reads: categories, the v3 EPG, a user's channels, legacy play and recordings."""
        from .resources.legacy import Legacy

        return Legacy(self._api)

    # --- lifecycle ---------------------------------------------------------------------------------------

    async def __aenter__(self) -> AminoClient:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Stop sending, let token calls in the air finish (so their tokens are saved), close the pool.

        Calls still under way end in :class:`~amino_async.ClientClosedError`. The wait for token calls is bounded
        by ``token_timeout``. A view's ``aclose`` closes nothing shared; the pool is closed only if this client
        made it.
        """
        if self._is_view:
            return
        shared = self._shared
        if shared.sender.closed:
            return
        shared.sender.closed = True
        with anyio.move_on_after(shared.token_timeout), anyio.CancelScope(shield=True):
            for auth in list(shared.every_auth):
                await auth.settle()
        await shared.sender.aclose()

    @property
    def http_client(self) -> httpx.AsyncClient:
        """The HTTP client the SDK's calls go through: the one you passed, or the client's own pool."""
        return self._shared.sender.http

    # --- auth and views ----------------------------------------------------------------------------------

    @property
    def auth(self) -> AminoAuth:
        """The :class:`~amino_async.AminoAuth` of this client (or view)."""
        return self._auth

    @property
    def credentials(self) -> Credentials | None:
        """The way in of this client (or view); None when it has only a token store to go on."""
        return self._auth.credentials

    @property
    def tokens(self) -> Tokens | None:
        """The tokens in use, or None before the first login."""
        return self._auth.tokens

    async def login(self) -> Tokens:
        """Log in now (otherwise the first request does), and return the tokens."""
        if self._shared.sender.closed:
            raise ClientClosedError("the client is closed")
        return await self._auth.login()

    async def logout(self) -> None:
        """Drop the tokens here and in the token store (Amino has no logout call)."""
        await self._auth.logout()

    def with_auth(self, credentials: Credentials | None = None, **shortcuts: Unpack[CredentialKeywords]) -> AminoClient:
        """A view of this client with other credentials, sharing its connection pool and token store.

        Give a credentials value (or the keyword shortcuts: another user's ``username`` and ``password``, a
        ``user_id`` and their session ``cookies``, their ``tokens``; only ``profile_id`` is :meth:`as_profile`).
        Views for equal credentials share one auth (and so one set of tokens), so making a view per incoming
        request costs no login after the first. Closing a view closes nothing shared.
        """
        if credentials is None:
            profile_id = shortcuts.get("profile_id")
            secrets = {"username", "password", "cookies", "tokens"}
            if profile_id is not None and not secrets & {k for k, v in shortcuts.items() if v is not None}:
                # A profile of this client's own account (what with_auth(profile_id=...) always meant).
                return self.as_profile(profile_id)
            credentials = credentials_from(**shortcuts)
            if credentials is None:
                raise ConfigurationError("with_auth needs credentials, tokens or a profile_id")
        elif shortcuts:
            raise ConfigurationError("give credentials or the keyword shortcuts (username=, ...), not both")
        return self._view(self._view_auth(credentials), self._options)

    def as_profile(self, profile_id: str) -> AminoClient:
        """A view acting as another profile of this client's account, logging in again for that profile.

        Profile-scoped calls take the profile from the view. Needs credentials to log in with (tokens alone
        cannot switch: the refresh would spend the refresh token this client still needs).
        """
        credentials = self._auth.credentials
        if credentials is None:
            raise ConfigurationError("switching profile needs credentials to log in with; this client has none")
        return self._view(self._view_auth(credentials.with_profile(profile_id)), self._options)

    def with_options(
        self,
        *,
        timeout: float | httpx.Timeout | None = None,
        max_retries: int | None = None,
        deadline: float | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> AminoClient:
        """A view with other options for each of its calls (unset ones are this client's), sharing everything else.

        Cheap enough to make for a single call: ``await client.with_options(timeout=5).channels.list()``.
        """
        if deadline is not None and deadline <= 0:
            raise ConfigurationError("deadline must be a positive number of seconds")
        if max_retries is not None and max_retries < 0:
            raise ConfigurationError("max_retries must not be negative")
        options = CallOptions(timeout=timeout, max_retries=max_retries, deadline=deadline, headers=dict(headers or {}))
        merged = options if self._options is None else self._options.merge(options)
        return self._view(self._auth, merged)

    def _view(self, auth: AminoAuth, options: CallOptions | None) -> AminoClient:
        view = object.__new__(AminoClient)
        view._bind(self._shared, auth, options, is_view=True)
        return view

    def _view_auth(self, credentials: Credentials) -> AminoAuth:
        shared = self._shared
        if credentials == self._auth.credentials:
            return self._auth
        # Tokens only are never shared: two auths refreshing one refresh token would spend it twice.
        cacheable = not isinstance(credentials, GivenTokens)
        if cacheable and (cached := shared.auths.get(credentials)) is not None:
            shared.auths.move_to_end(credentials)
            return cached
        auth = auth_for(shared.sender.library, shared.urls.base, credentials, **shared.auth_options)
        auth.use_http_client(shared.sender.http)
        shared.every_auth.add(auth)
        if cacheable:
            shared.auths[credentials] = auth
            if len(shared.auths) > _VIEW_CACHE_SIZE:
                shared.auths.popitem(last=False)
        return auth

    # --- any endpoint ------------------------------------------------------------------------------------

    @property
    def retries(self) -> int:
        """How many retries this client and its views have made so far (for reports and tests)."""
        return self._shared.sender.retries

    async def request(
        self,
        method: str,
        path: str,
        *,
        family: Family = "media",
        params: Params | None = None,
        json: Any = None,
        max_retries: int | None = None,
    ) -> Document | None:
        """Call any endpoint of a family and return the decoded JSON:API document (None for an empty answer).

        The escape hatch for endpoints without a resource: ``path`` is relative to the family's prefix, e.g.
        ``await client.request("GET", "/programs", family="metadata")``; the query goes in ``params``. Errors and
        retries are as for every other call; :meth:`request_raw` returns the :class:`httpx.Response` instead.
        """
        api = self._api.retrying(max_retries)
        answer = await api.send(method.upper(), api.urls.at(family, path, params), json=json)
        result: Document | None = api.decode(answer, Document)
        return result

    async def request_raw(
        self,
        method: str,
        path: str,
        *,
        family: Family = "media",
        params: Params | None = None,
        json: Any = None,
        max_retries: int | None = None,
    ) -> httpx.Response:
        """Like :meth:`request`, but return the (already read) :class:`httpx.Response` of a 2xx answer."""
        api = self._api.retrying(max_retries)
        answer = await api.send(method.upper(), api.urls.at(family, path, params), json=json)
        return answer.http_response()

    def __repr__(self) -> str:
        return f"AminoClient({self._shared.urls.root!r}, auth={self._auth!r})"
