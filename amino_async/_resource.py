"""The narrow base every resource stands on: a route, its parameters, its body, and what the answer decodes to.

A resource method does nothing else::

    @uses(STREAMS)
    async def streams(self, channel_id: str, *, stream_type: StreamType | None = None) -> list[Stream]:
        return await self._api.call(STREAMS, {"channel_id": channel_id}, query={"streamType": stream_type},
                                    answer=list[Stream])

and :class:`Api`, which a client hands to its resources, does the rest on the one send path: builds and checks
the URL (:mod:`amino_async._urls`), sends with the view's auth and options (:mod:`amino_async._request`), and
decodes with the one JSON:API reader (:mod:`amino_async._jsonapi`). ``@uses`` records which routes a method
calls, so that every method can be listed with its HTTP method and path (``api.md`` is generated from it).
"""

from __future__ import annotations

import contextvars
import inspect
import types
import typing
from collections.abc import Awaitable, Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any, Final, Generic, TypedDict, TypeVar, get_args, get_origin, overload

from attrs import evolve, frozen

from ._answer import Answer
from ._constants import PAGE_SIZE
from ._decoding import load_json
from ._errors import ConfigurationError, DecodeError
from ._jsonapi import Document, decode_document, decode_included
from ._pagination import Page
from ._request import CallOptions, RetryPolicy, Sender
from ._urls import QueryValue, Route, Urls, query_string

if TYPE_CHECKING:
    from typing_extensions import Unpack

    from ._auth import AminoAuth

__all__ = ["APIResource", "Api", "PublicRoute", "routes_of", "uses"]

T = TypeVar("T")
M = TypeVar("M")
F = TypeVar("F", bound=Callable[..., Any])

PathParams = Mapping[str, str | int]
Query = Mapping[str, QueryValue]

_ROUTES_ATTRIBUTE: Final = "__amino_routes__"
_FORM: Final = "application/x-www-form-urlencoded"


def uses(*routes: Route) -> Callable[[F], F]:
    """Declare the routes a resource method calls (for the listing of every method with its route)."""

    def declare(method: F) -> F:
        setattr(method, _ROUTES_ATTRIBUTE, routes)
        return method

    return declare


def routes_of(method: Callable[..., Any]) -> tuple[Route, ...]:
    """The routes ``method`` declared with :func:`uses` (empty when it declared none)."""
    found: tuple[Route, ...] = getattr(method, _ROUTES_ATTRIBUTE, ())
    return found


@frozen
class PublicRoute(Route):
    """A route the API serves without credentials (its OpenAPI operation says ``security: []``).

    :meth:`Api.call` sends it without the auth flow: no bearer, no login, no renewal. So a client made without
    any way in (``AminoClient(base_url)``) can call it, and a client with one never shows its token to it.
    """


class Sending(TypedDict, total=False):
    """What a call sends besides its URL, and how: the keywords :meth:`Api.call` and :meth:`Api.send` share.

    The body is ``json`` (sent as ``application/json``, or as ``media_type`` where the API documents another one:
    ``application/vnd.api+json; ext=bulk``, say), or ``form`` (``application/x-www-form-urlencoded``, encoded as a
    query is: None values left out, booleans as ``true``/``false``), or nothing. ``headers`` are the route's own
    (an ``Idempotency-Key``, say). ``idempotent`` and ``retry`` are the send path's (:meth:`Sender.send`): whether
    the call may be repeated after an answer saying it was not processed, and which failures are retried.
    ``secrets`` are what the body carries that the server must not echo back into an error (a password, a PIN):
    they are redacted from its detail.
    """

    json: Any
    media_type: str | None
    form: Query | None
    headers: Mapping[str, str] | None
    idempotent: bool | None
    retry: RetryPolicy | None
    secrets: Iterable[str]


@frozen
class Decode(Generic[T]):
    """An answer that is not a JSON:API document (the legacy API's): ``decode(json, strict)`` makes its value.

    ``json`` is the parsed body, None when the body was empty; ``strict`` the client's strictness.
    """

    decode: Callable[[Any, bool], T]


@frozen
class Api:
    """What a resource may use of its client: the one send path, with the view's auth, options and strictness.

    Each view of a client (``with_auth``, ``as_profile``, ``with_options``) has its own, over the shared sender.
    """

    sender: Sender
    urls: Urls
    auth: AminoAuth
    options: CallOptions | None = None
    strict: bool = False

    def retrying(self, max_retries: int | None) -> Api:
        """This Api with ``max_retries`` for its calls (itself when None)."""
        if max_retries is None:
            return self
        return evolve(self, options=(self.options or CallOptions()).merge(CallOptions(max_retries=max_retries)))

    @overload
    async def call(
        self,
        route: Route,
        path: PathParams | None = None,
        *,
        query: Query | None = None,
        answer: type[T] | Decode[T],
        **sending: Unpack[Sending],
    ) -> T: ...

    @overload
    async def call(
        self,
        route: Route,
        path: PathParams | None = None,
        *,
        query: Query | None = None,
        answer: None = None,
        **sending: Unpack[Sending],
    ) -> None: ...

    async def call(
        self,
        route: Route,
        path: PathParams | None = None,
        *,
        query: Query | None = None,
        answer: Any = None,
        **sending: Unpack[Sending],
    ) -> Any:
        """Send ``route`` and decode its answer as ``answer`` (a model, ``list[model]``, None, ``Document``, a
        :class:`Decode`); the body and options are :class:`Sending`'s. A :class:`PublicRoute` is sent without the
        auth flow.
        """
        url = self.urls.build(route, path, query)
        answered = await self.send(route.method, url, public=isinstance(route, PublicRoute), **sending)
        return self.decode(answered, answer)

    async def send(
        self,
        method: str,
        url: str,
        *,
        public: bool = False,
        json: Any = None,
        media_type: str | None = None,
        form: Query | None = None,
        headers: Mapping[str, str] | None = None,
        idempotent: bool | None = None,
        retry: RetryPolicy | None = None,
        secrets: Iterable[str] = (),
    ) -> Answer:
        """Send one call to an URL built by :attr:`urls`, with the body and options :class:`Sending` describes;
        ``public`` sends it without the auth flow (no bearer)."""
        content = None
        if form is not None:
            if json is not None:
                raise ConfigurationError("a call sends a JSON body or a form, not both")
            content = query_string(form).encode()
            media_type = _FORM
        if media_type is not None:
            headers = {"Content-Type": media_type, **(headers or {})}
        answer = await self.sender.send(
            method,
            url,
            auth=None if public else self.auth,
            json_body=json,
            content=content,
            headers=headers,
            options=self.options,
            retry=retry,
            idempotent=idempotent,
            secrets=tuple(secrets),
        )
        captured = _CAPTURED.get()
        if captured is not None:
            captured.append(answer)
        return answer

    def decode(self, answer: Answer, kind: Any) -> Any:
        """The answer's body as ``kind``: None (no body wanted), a ``Document``, a model, a list of models, or a
        :class:`Decode` of a body that is not JSON:API."""
        if kind is None:
            return None
        if isinstance(kind, Decode):
            # An empty body reaches it as None: only the decoder knows whether that can be its answer.
            return kind.decode(load_json(answer.content) if answer.content else None, self.strict)
        item = _list_item(kind)
        if not answer.content:
            return [] if item is not None else None
        document = Document.parse(load_json(answer.content))
        if kind is Document:
            return document
        if item is not None:
            return decode_document(document, item, strict=self.strict)
        models = decode_document(document, kind, strict=self.strict)
        if len(models) != 1:
            raise DecodeError(f"expected one resource, found {len(models)}", path="data")
        return models[0]

    async def page(
        self,
        route: Route,
        path: PathParams | None,
        query: Query,
        item: type[M],
        *,
        number_param: str = "page_number",
        size: int = PAGE_SIZE,
    ) -> Page[M]:
        """One page of a listing that pages by ``number_param``; :meth:`Page.next_page` fetches the next."""
        number = query.get(number_param)
        if not isinstance(number, int) or isinstance(number, bool) or number < 1:
            raise ConfigurationError(f"{number_param} must be a positive integer")
        pager = _Pager(self, route, path, item, number_param, size)
        return await pager.fetch(self.urls.build(route, path, query), query, number, linked=False)


@frozen
class _Pager(Generic[M]):
    """Everything about one listing but the page: what :meth:`Page.next_page` needs to fetch the following one."""

    api: Api
    route: Route
    path: PathParams | None
    item: type[M]
    number_param: str
    size: int

    async def fetch(self, url: str, query: Query, number: int, *, linked: bool) -> Page[M]:
        """The page at ``url``; ``linked`` says an earlier page had a next link, so this one's absence ends it."""
        answer = await self.api.send(self.route.method, url, public=isinstance(self.route, PublicRoute))
        document = Document.parse(load_json(answer.content) if answer.content else {})
        strict = self.api.strict
        items = decode_document(document, self.item, strict=strict)
        link = document.next_link
        # Checked now, not when asked for: a link off the deployment's origin is an error in this very answer.
        next_url = self.api.urls.follow(link, where="links.next") if link is not None else None

        async def fetch_next() -> Page[M]:
            if next_url is not None:
                return await self.fetch(next_url, query, number + 1, linked=True)
            following = {**query, self.number_param: number + 1}
            return await self.fetch(
                self.api.urls.build(self.route, self.path, following), following, number + 1, linked=False
            )

        # A deployment that links its pages says where they end; one that does not ends on a short page.
        more = next_url is not None or (not linked and len(items) >= self.size)
        return Page(
            items=tuple(items),
            number=number,
            links=document.links,
            included=decode_included(document, self.item, strict=strict),
            fetch_next=fetch_next if more else None,
        )


def _is_list(kind: Any) -> bool:
    return get_origin(kind) in (list, tuple)


#: ``list[M]`` -> ``M``, looked up once per kind (the resources name a fixed set of them): ``typing.get_origin``
#: and ``get_args`` cost more than a dictionary lookup on every call.
_LIST_ITEMS: Final[dict[types.GenericAlias, Any]] = {}


def _list_item(kind: Any) -> Any:
    """``M`` for ``list[M]`` (or ``tuple[M, ...]``), None for any other kind."""
    if isinstance(kind, types.GenericAlias):
        item = _LIST_ITEMS.get(kind, _LIST_ITEMS)
        if item is _LIST_ITEMS:
            item = _LIST_ITEMS[kind] = get_args(kind)[0] if _is_list(kind) else None
        return item
    if isinstance(kind, type):  # a model or Document: one resource
        return None
    return get_args(kind)[0] if _is_list(kind) else None


#: The answers of the calls made in this context, while a ``with_raw_response`` method runs (None otherwise).
_CAPTURED: Final[contextvars.ContextVar[list[Answer] | None]] = contextvars.ContextVar("amino_captured", default=None)


@frozen
class RawResponse(Generic[T]):
    """A typed call's value beside the HTTP answer it came from (``client.channels.with_raw_response.list()``).

    ``http_response`` is the library's response, read (its body the decoded one); for a method that makes several
    calls (an iterator's pages, a range of days), the last of them, and ``http_responses`` all of them in order.
    """

    parsed: T
    http_responses: tuple[Any, ...]

    @property
    def http_response(self) -> Any:
        """The (last) HTTP response of the call."""
        return self.http_responses[-1] if self.http_responses else None

    @property
    def headers(self) -> Any:
        """The headers of :attr:`http_response`."""
        return self.http_response.headers if self.http_response is not None else {}

    @property
    def request_id(self) -> str | None:
        """The request id the server sent (``X-Request-Id``), for support requests and logs."""
        value = self.headers.get("x-request-id") if self.http_response is not None else None
        return str(value) if value else None


class _WithRawResponse:
    """A resource's methods, each returning a :class:`RawResponse` of what the method returns."""

    __slots__ = ("_resource",)

    def __init__(self, resource: APIResource) -> None:
        self._resource = resource

    def __getattr__(self, name: str) -> Callable[..., Awaitable[RawResponse[Any]]]:
        method = getattr(self._resource, name)
        if name.startswith("_") or not inspect.iscoroutinefunction(method):
            raise AttributeError(f"{type(self._resource).__name__}.{name} makes no single awaited call")

        async def call(*args: Any, **kwargs: Any) -> RawResponse[Any]:
            answers: list[Answer] = []
            token = _CAPTURED.set(answers)
            try:
                parsed = await method(*args, **kwargs)
            finally:
                _CAPTURED.reset(token)
            return RawResponse(parsed, tuple(answer.http_response() for answer in answers))

        return call


class APIResource:
    """Base of the resources: each holds the :class:`Api` of the client (or view) it belongs to."""

    __slots__ = ("_api",)

    def __init__(self, api: Api) -> None:
        self._api = api

    @property
    def with_raw_response(self) -> Any:
        """These methods, each returning a :class:`RawResponse`: the value and the HTTP answer behind it."""
        return _WithRawResponse(self)

    async def _profile_id(self, given: str | None) -> str:
        """``given``, else the view's profile (``client.as_profile(id)``), else the logged-in profile's id."""
        if given is not None:
            return given
        auth = self._api.auth
        if auth.profile_id is not None:
            return auth.profile_id
        tokens = await auth.ensure_tokens()
        if tokens.profile_id is None:
            raise ConfigurationError("the server did not say which profile is logged in; pass user_profile_id")
        return tokens.profile_id

    async def _user_id(self, given: str | None) -> str:
        """``given``, else the logged-in user's id (what user-scoped paths default to)."""
        if given is not None:
            return given
        tokens = await self._api.auth.ensure_tokens()
        user = tokens.user_id or getattr(self._api.auth.credentials, "user_id", None)
        if user is None:
            raise ConfigurationError("the server did not say which user is logged in; pass user_id")
        return str(user)


@frozen
class Endpoint:
    """One resource method and one route it calls, for the listing of the whole API (``api.md``)."""

    resource: str
    method: str
    call: str
    http_method: str
    path: str


def endpoints(root: type, prefixes: Mapping[str, str]) -> list[Endpoint]:
    """Every public method of the resources reachable from ``root`` (a client class), with the routes it calls.

    Resources are the properties of ``root`` (and of resources, for nested ones) whose type is an
    :class:`APIResource`; paths are written with the default ``prefixes``, as the OpenAPI files write them.
    """
    found: list[Endpoint] = []
    for name, resource in _resources(root):
        for attribute in sorted(vars(resource)):
            method = getattr(resource, attribute)
            if attribute.startswith("_") or not callable(method):
                continue
            signature = inspect.signature(method)
            required = [
                p.name
                for p in list(signature.parameters.values())[1:]
                if p.default is inspect.Parameter.empty and p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)
            ]
            call = f"client.{name}.{attribute}({', '.join(required)})"
            for route in routes_of(method) or (None,):
                if route is None:
                    found.append(Endpoint(name, attribute, call, "", ""))
                else:
                    path = prefixes[route.family] + route.template
                    found.append(Endpoint(name, attribute, call, route.method, path))
    return found


def _resource_names() -> dict[str, object]:
    """Every resource class by name: the client imports each resource module on first use only (its annotations
    name classes that its namespace does not hold), so its hints are resolved with these."""
    from . import resources

    return {name: getattr(resources, name) for name in resources.__all__}


def _resources(owner: type, prefix: str = "") -> list[tuple[str, type[APIResource]]]:
    found: list[tuple[str, type[APIResource]]] = []
    for attribute in sorted(dir(owner)):
        if attribute.startswith("_"):
            continue
        member = inspect.getattr_static(owner, attribute)
        getter = getattr(member, "func", None) or getattr(member, "fget", None)
        if getter is None:
            continue
        kind = typing.get_type_hints(getter, localns=_resource_names()).get("return")
        if isinstance(kind, type) and issubclass(kind, APIResource):
            name = f"{prefix}{attribute}"
            found.append((name, kind))
            found.extend(_resources(kind, f"{name}."))
    return found


def render_api_md(listing: list[Endpoint]) -> str:
    """``api.md``: every method, grouped by resource, one line each in the form tools read."""
    lines = [
        "# API",
        "",
        "Every method of the SDK and the route it calls, grouped by resource. Generated from the code by",
        "`nox -s api`; CI checks that it is current.",
    ]
    current = None
    for endpoint in listing:
        if endpoint.resource != current:
            current = endpoint.resource
            lines += ["", f"## client.{current}", ""]
        lines.append(f"- `{endpoint.call}` -> `{endpoint.http_method} {endpoint.path}`")
    return "\n".join(lines) + "\n"
