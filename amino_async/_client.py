"""``AminoClient``: the one request path every resource goes through, and the connection pool it owns."""

from __future__ import annotations

import hashlib
import logging
from collections import OrderedDict
from collections.abc import Mapping
from typing import Any, Final, TypeVar

import anyio
import attrs
import httpx

from ._auth import AminoAuth, LoginMethod, no_cookie_jar, parse_base_url
from ._constants import (
    DEFAULT_LIMITS,
    DEFAULT_MAX_RETRIES,
    DEFAULT_PREFIXES,
    DEFAULT_TIMEOUT,
    LOGGER_NAME,
    REFRESH_MARGIN,
    USER_AGENT,
    Family,
)
from ._decoding import load_json
from ._errors import AminoError, ConfigurationError, TransportError
from ._http import (
    IDEMPOTENT_METHODS,
    RETRYABLE_STATUSES,
    RetryPolicy,
    error_from_response,
    error_from_transport,
)
from ._jsonapi import Document, decode_document
from ._tokens import MemoryTokenStore, Tokens, TokenStore
from ._transport import default_transport
from .resources import Channels, Profiles, Streams

__all__ = ["AminoClient"]

logger = logging.getLogger(LOGGER_NAME)

M = TypeVar("M")
Params = Mapping[str, str | int | float | bool | None]

#: Views keep their auth (and so their tokens) per set of credentials: a web backend that makes a view per
#: incoming request for the same user reuses that user's tokens instead of logging in every time.
_VIEW_CACHE_SIZE: Final = 1024


@attrs.define
class _Shared:
    """What a client and all its views share: the pool, the store, the settings."""

    http: httpx.AsyncClient
    owns_http: bool
    base_url: httpx.URL
    prefixes: Mapping[Family, str]
    retry: RetryPolicy
    auth_options: dict[str, Any]
    auths: OrderedDict[tuple[Any, ...], AminoAuth] = attrs.field(factory=OrderedDict)
    retries: int = 0
    #: Whether an attribute in a shape other than documented fails the answer (``strict=True``) or reads as its
    #: field's default, its JSON value kept in the model's ``raw``.
    strict: bool = False
    #: ``base_url`` as text without its trailing slash, for :meth:`AminoClient._text_url`.
    root: str = ""
    closed: bool = False


class AminoClient:
    """An async client of one Amino deployment.

    ::

        async with AminoClient("https://customer.domain", username="me@example.com", password="...") as client:
            page = await client.channels.list()
            streams = await client.channels.streams(page.items[0].id, stream_type="dash")

    Authentication is :class:`~amino_async.AminoAuth`'s (same arguments). The client owns one
    :class:`httpx.AsyncClient` (its connection pool, default timeouts :data:`DEFAULT_TIMEOUT` and limits
    :data:`DEFAULT_LIMITS`), or uses ``http_client`` as given and then never closes it. Its transport is aiohttp's
    (``httpx-aiohttp``) on asyncio when the ``speedups`` extra is installed, else httpcore's (trio, or no extra),
    chosen at the first request; ``transport`` (e.g. ``httpx.AsyncHTTPTransport(...)``) replaces that choice.

    Answers are decoded tolerantly: an attribute the SDK does not need, sent in a shape other than documented, reads
    as its field's default and its JSON value is kept in the model's ``raw`` (logged once at DEBUG); ``strict=True``
    makes that a :class:`~amino_async.DecodeError` instead. What the SDK needs (ids, stream URLs, tokens) is always
    strict.

    Idempotent calls are retried ``max_retries`` times (default 2) after a connection error, a timeout, or a 429,
    502, 503 or 504 answer, with exponential backoff and jitter, honouring ``Retry-After``; ``retry`` sets the
    whole policy. Nothing else is retried.

    :meth:`with_auth` makes a view with other credentials over the same pool, cheaply enough for one per incoming
    web request.
    """

    channels: Channels
    streams: Streams
    profiles: Profiles

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
        timeout: float | httpx.Timeout = DEFAULT_TIMEOUT,
        max_retries: int = DEFAULT_MAX_RETRIES,
        retry: RetryPolicy | None = None,
        limits: httpx.Limits = DEFAULT_LIMITS,
        headers: Mapping[str, str] | None = None,
        http_client: httpx.AsyncClient | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        prefixes: Mapping[Family, str] | None = None,
        refresh_margin: float = REFRESH_MARGIN,
        allow_insecure_http: bool = False,
        strict: bool = False,
    ) -> None:
        if http_client is not None and transport is not None:
            raise ConfigurationError("give http_client or transport, not both")
        url = parse_base_url(base_url, allow_insecure_http=allow_insecure_http)
        store = token_store if token_store is not None else MemoryTokenStore()
        merged_prefixes = {**DEFAULT_PREFIXES, **(prefixes or {})}
        auth_options: dict[str, Any] = {
            "token_store": store,
            "refresh_margin": refresh_margin,
            "retry": retry,
            "prefixes": merged_prefixes,
            "allow_insecure_http": allow_insecure_http,
        }
        credentials: dict[str, Any] = {
            "username": username,
            "password": password,
            "user_id": user_id,
            "cookies": dict(cookies.items()) if cookies is not None else None,
            "tokens": tokens,
            "profile_id": profile_id,
            "login_method": login_method,
        }
        # The auth checks the arguments before any pool exists, so a bad call leaves nothing to close.
        auth = AminoAuth(url, **credentials, **auth_options)
        owns_http = http_client is None
        if http_client is None:
            http_client = httpx.AsyncClient(
                transport=transport if transport is not None else default_transport(limits),
                timeout=timeout,
                headers={"User-Agent": USER_AGENT, **(headers or {})},
                cookies=no_cookie_jar(),
                follow_redirects=False,
            )
            # The jar keeps nothing (one user's cookie must never ride along with another's call), so skip
            # parsing every answer's cookies for it: that cost about a tenth of a request's CPU time. Should
            # httpx rename its private attribute, this sets an unused one and the refusing jar above still holds.
            http_client._cookies = _NoCookies(no_cookie_jar())
        auth_options["http_client"] = http_client
        auth.use_http_client(http_client)
        shared = _Shared(
            http=http_client,
            owns_http=owns_http,
            base_url=url,
            root=str(url.copy_with(query=None, fragment=None)).rstrip("/"),
            prefixes=merged_prefixes,
            retry=retry or RetryPolicy(max_retries=max_retries),
            auth_options=auth_options,
            strict=strict,
        )
        self._bind(shared, auth, credentials, is_view=False)

    def _bind(self, shared: _Shared, auth: AminoAuth, credentials: dict[str, Any], *, is_view: bool) -> None:
        self._shared = shared
        self._auth = auth
        self._credentials = credentials
        self._is_view = is_view
        self.channels = Channels(self)
        self.streams = Streams(self)
        self.profiles = Profiles(self)

    # --- lifecycle ---------------------------------------------------------------------------------------

    async def __aenter__(self) -> AminoClient:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close the connection pool, if this client made it. A view's ``aclose`` closes nothing shared."""
        if self._is_view:
            return
        shared = self._shared
        if not shared.closed:
            shared.closed = True
            if shared.owns_http:
                await shared.http.aclose()

    # --- auth --------------------------------------------------------------------------------------------

    @property
    def auth(self) -> AminoAuth:
        """The :class:`~amino_async.AminoAuth` of this client (or view)."""
        return self._auth

    @property
    def tokens(self) -> Tokens | None:
        """The tokens in use, or None before the first login."""
        return self._auth.tokens

    async def login(self) -> Tokens:
        """Log in now (otherwise the first request does), and return the tokens."""
        return await self._auth.login()

    async def logout(self) -> None:
        """Drop the tokens here and in the token store (Amino has no logout call)."""
        await self._auth.logout()

    def with_auth(
        self,
        *,
        username: str | None = None,
        password: str | None = None,
        user_id: str | None = None,
        cookies: Mapping[str, str] | httpx.Cookies | None = None,
        tokens: Tokens | None = None,
        profile_id: str | None = None,
        login_method: LoginMethod | None = None,
    ) -> AminoClient:
        """A view of this client with other credentials, sharing its connection pool and token store.

        Give another user's ``username`` and ``password``, a ``user_id`` and their session ``cookies``, their
        ``tokens``, or only a ``profile_id`` to act as another profile with this client's own credentials.
        Views for the same credentials share one auth (and so one set of tokens), so making a view per incoming
        request costs no login after the first. Closing a view closes nothing shared.
        """
        credentials: dict[str, Any]
        if username is None and password is None and cookies is None and tokens is None:
            if profile_id is None:
                raise ConfigurationError("with_auth needs credentials, tokens or a profile_id")
            if self._credentials["password"] is None and not self._credentials["cookies"]:
                raise ConfigurationError(
                    "switching profile needs credentials to log in with; this client only has tokens"
                )
            credentials = {**self._credentials, "tokens": None, "profile_id": profile_id}
            if user_id is not None:
                credentials["user_id"] = user_id
            if login_method is not None:
                credentials["login_method"] = login_method
        else:
            credentials = {
                "username": username,
                "password": password,
                "user_id": user_id,
                "cookies": dict(cookies.items()) if cookies is not None else None,
                "tokens": tokens,
                "profile_id": profile_id,
                "login_method": login_method or "password",
            }
        view = object.__new__(AminoClient)
        view._bind(self._shared, self._view_auth(credentials), credentials, is_view=True)
        return view

    def _view_auth(self, credentials: dict[str, Any]) -> AminoAuth:
        shared = self._shared
        key = _credentials_key(credentials)
        if key is not None and (cached := shared.auths.get(key)) is not None:
            shared.auths.move_to_end(key)
            return cached
        auth = AminoAuth(shared.base_url, **credentials, **shared.auth_options)
        if key is not None:
            shared.auths[key] = auth
            if len(shared.auths) > _VIEW_CACHE_SIZE:
                shared.auths.popitem(last=False)
        return auth

    # --- the request path --------------------------------------------------------------------------------

    @property
    def retries(self) -> int:
        """How many retries this client and its views have made so far (for reports and tests)."""
        return self._shared.retries

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
        """Call any endpoint of a family and return the decoded JSON:API document, or None for a 204 answer.

        The escape hatch for endpoints without a resource: ``path`` is relative to the family's prefix, e.g.
        ``await client.request("GET", "/programs", family="metadata")``. Errors and retries are as for every
        other call; :meth:`request_raw` returns the :class:`httpx.Response` instead.
        """
        response = await self.request_raw(
            method, path, family=family, params=params, json=json, max_retries=max_retries
        )
        if response.status_code == 204:
            return None
        return Document.parse(load_json(response.content))

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
        """Like :meth:`request`, but return the raw (already read) :class:`httpx.Response` of a 2xx answer."""
        return await self._send(method, self._url(family, path), params=params, json=json, max_retries=max_retries)

    async def _get_models(
        self,
        family: Family,
        path: str,
        model: type[M],
        *,
        params: Params | None = None,
        max_retries: int | None = None,
    ) -> list[M]:
        response = await self._send("GET", self._text_url(family, path), params=params, max_retries=max_retries)
        return decode_document(load_json(response.content), model, strict=self._shared.strict)

    async def _get_json(
        self, url: httpx.URL | str, *, params: Params | None = None, max_retries: int | None = None
    ) -> Any:
        response = await self._send("GET", url, params=params, max_retries=max_retries)
        return load_json(response.content)

    def _text_url(self, family: Family, path: str) -> str:
        """What :meth:`_url` gives, as text: httpx parses it once, where an ``httpx.URL`` is parsed twice."""
        shared = self._shared
        return f"{shared.root}{shared.prefixes[family]}{path}"

    def _url(self, family: Family, path: str) -> httpx.URL:
        base = self._shared.base_url
        return base.copy_with(path=f"{base.path.rstrip('/')}{self._shared.prefixes[family]}{path}")

    async def _send(
        self,
        method: str,
        url: httpx.URL | str,
        *,
        params: Params | None = None,
        json: Any = None,
        max_retries: int | None = None,
    ) -> httpx.Response:
        """The one place a call is sent, retried, and its failure turned into an SDK error."""
        shared = self._shared
        if shared.closed:
            raise AminoError("the client is closed")
        request = shared.http.build_request(method, url, params=_query(params), json=json)
        policy = shared.retry
        if max_retries is not None:
            policy = attrs.evolve(policy, max_retries=max_retries)
        retryable = request.method in IDEMPOTENT_METHODS
        attempt = 0
        while True:
            try:
                response = await shared.http.send(request, auth=self._auth)
            except httpx.TransportError as exc:
                delay = policy.delay(attempt) if retryable else None
                if delay is None:
                    raise error_from_transport(exc, request) from None
                logger.debug("retrying %s %s after %s", method, request.url.path, type(exc).__name__)
            except TransportError:
                # The token renewal this call waited for got no answer (reset, timeout): as retryable as the call.
                delay = policy.delay(attempt) if retryable else None
                if delay is None:
                    raise
                logger.debug("retrying %s %s after a failed token renewal", method, request.url.path)
            else:
                if response.is_success:
                    return response
                error = error_from_response(response)
                delay = None
                if retryable and response.status_code in RETRYABLE_STATUSES:
                    delay = policy.delay(attempt, getattr(error, "retry_after", None))
                if delay is None:
                    raise error
                logger.debug("retrying %s %s after HTTP %d", method, request.url.path, response.status_code)
            attempt += 1
            shared.retries += 1
            await anyio.sleep(delay)

    def __repr__(self) -> str:
        return f"AminoClient({str(self._shared.base_url)!r}, auth={self._auth!r})"


def _query(params: Params | None) -> dict[str, str | int | float] | None:
    """Drop unset parameters and spell booleans the way the API does."""
    if not params:
        return None
    query: dict[str, str | int | float] = {}
    for name, value in params.items():
        if value is None:
            continue
        query[name] = ("true" if value else "false") if isinstance(value, bool) else value
    # None, not {}: httpx re-parses the URL for any params given, even empty ones.
    return query or None


class _NoCookies(httpx.Cookies):
    """The pool's cookies: none kept, none read from answers (token calls read their answer's own cookies)."""

    def extract_cookies(self, response: httpx.Response) -> None:
        return None


def _credentials_key(options: Mapping[str, Any]) -> tuple[Any, ...] | None:
    """A key for a view's credentials; secrets enter it only hashed. Tokens-only views are never shared."""
    if options.get("tokens") is not None:
        return None
    digest = hashlib.sha256()
    for name in ("username", "password", "user_id", "profile_id", "login_method"):
        digest.update(f"{name}\0{options.get(name)}\0".encode())
    for name, value in sorted((options.get("cookies") or {}).items()):
        digest.update(f"cookie\0{name}\0{value}\0".encode())
    return (digest.hexdigest(),)
