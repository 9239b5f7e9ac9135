"""FakeAmino: the fake Amino server, an ASGI application built on Starlette.

This module is the core every route shares: the ASGI entry, fault injection, the bearer check of data
routes, delays, counters, 404/405 and the ``/_fake/`` admin app. The operations themselves are the API
areas' (``_areas``), routed by one table built from their routes.
"""

from __future__ import annotations

import datetime
import json
import time
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from contextlib import AbstractAsyncContextManager
from http import HTTPStatus

import anyio
import attrs
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import Receive, Scope, Send

from . import _catalogue as catalogue
from ._areas import ROUTES, admin, commerce, legacy, playback
from ._areas import recordings as recordings_area
from ._areas import users as users_area
from ._areas._accounts import Accounts
from ._areas.auth import SESSION_COOKIE
from ._digest import DigestAuthority
from ._responses import JSON, answer, dumps, entity_error, jsonapi_error, unauthorized_error
from ._routing import Call, FakeRoute, Router
from ._server import serve
from ._state import (
    FAULT_KINDS,
    KNOB_TYPES,
    FakeProfile,
    FakeStats,
    FakeUser,
    Fault,
    FaultKind,
    FaultTable,
    TokenBook,
    TokenRecord,
    UserDirectory,
    default_profiles,
    default_user,
    validate_knob,
)

_ROUTER = Router(ROUTES)

# --- fault bodies ----------------------------------------------------------------------------------

_UNEXPECTED = dumps({"data": "unexpected"})  # malformed, for a route that names no body of its own
_TRUNCATED = b'{"data":[{"type":"PlayableStream","id":"'  # JSON cut in the middle: no client reads any of it


def _html_page(status: int) -> bytes:
    title = f"{status} {_phrase(status)}"
    return (
        f"<html>\r\n<head><title>{title}</title></head>\r\n<body>\r\n"
        f"<center><h1>{title}</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"
    ).encode()


def _phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


def _fault_content(fault: Fault, route: FakeRoute | None) -> tuple[bytes, str | None, dict[str, str]]:
    """The body, media type and extra headers a fault answers with (before its own headers)."""
    media_type = {"html": "text/html", "empty": None}.get(fault.kind or "", JSON)
    if fault.body is not None:
        return fault.body, media_type, {}
    if fault.kind == "html":
        return _html_page(fault.status), media_type, {}
    if fault.kind == "empty":
        return b"", media_type, {}
    if fault.kind == "malformed":
        malformed = None if route is None else route.malformed
        return (_UNEXPECTED if malformed is None else dumps(malformed)), media_type, {}
    if fault.kind == "truncated":
        return _TRUNCATED, media_type, {}
    if fault.status == 401:
        return unauthorized_error("expired"), media_type, {"www-authenticate": "Bearer"}
    code = f"{fault.status // 100}FAULT1"
    return jsonapi_error(fault.status, code, _phrase(fault.status), "Injected fault"), media_type, {}


# --- requests --------------------------------------------------------------------------------------


def _scan_headers(headers: Iterable[tuple[bytes, bytes]]) -> tuple[str, str | None]:
    """The Host and Authorization headers (ASGI lowercases header names)."""
    host, authorization = "", None
    for name, value in headers:
        if name == b"host":
            host = value.decode("latin-1")
        elif name == b"authorization":
            authorization = value.decode("latin-1")
    return host, authorization


def _origin(scope: Scope, host: str) -> str:
    if not host:
        server_host, server_port = scope.get("server") or ("localhost", 80)
        host = f"{server_host}:{server_port}"
    return f"{scope['scheme']}://{host}"


# --- the app ---------------------------------------------------------------------------------------


class FakeAmino:
    """A fake Amino server: an ASGI app with users, tokens, a catalogue, fault knobs and counters.

    Use it in-process, ``httpx.AsyncClient(transport=httpx.ASGITransport(app=fake))``, or over a
    loopback socket with ``async with fake.serve() as base_url:``. Every knob below is a plain
    attribute that may be changed at any time, also from another thread while ``serve()`` runs.

    Attributes:
        channel_count: how many channels the catalogue has.
        access_token_lifetime: seconds an access token is accepted.
        refresh_token_lifetime: seconds a refresh token is accepted.
        clock_offset: seconds added to every time the fake reports (``login_timestamp``,
            ``expires_at_timestamp``, the legacy arrays, the ``Date`` header); tokens still really
            live their lifetime.
        zero_lifetime: report ``expires_at_timestamp == login_timestamp``, as the seed page does.
        token_delay: seconds slept before answering a token or login request (after it took effect).
        data_delay: seconds slept before answering a data request.
        send_next_links: add ``links.next`` to every channels page but the last.
        legacy_token_shape: answer token requests with a one-element ``data`` list of type
            "AuthenticationTokens" and an integer ``user_id``.
        refresh_refusal_status: status of a refused refresh token, 400 (default) or 401.
        stats: the counters (``FakeStats``).

    State the API areas share, which tests may inspect (each area's own state is an attribute too;
    see ``_areas``):
        directory: the users, by username and user id (``UserDirectory``).
        token_book: the tokens and session cookies issued (``TokenBook``).
        digest: the Digest challenges of the legacy login (``DigestAuthority``).
        catalogue_ids: the id schemes of ``seed`` (``CatalogueIds``).
        accounts: every user's account record (``Accounts``): name, contact details, flags, market segments,
            registration state, external reference, BSS fields; one record a user, which the users area serves
            the user and the admin area the operator, each writing what its calls change.
        user_config: the users area's state (``UserConfig``): favourite lists, channel locks, PINs, reset
            codes; profiles and passwords live on the users themselves.
    """

    def __init__(
        self,
        *,
        channels: int = 200,
        users: Iterable[FakeUser] | None = None,
        access_token_lifetime: float = 3600.0,
        refresh_token_lifetime: float = 30 * 86400.0,
        seed: int = 0,
    ) -> None:
        """A fake with ``channels`` channels and ``users`` (None: ``user@example.com``/``secret``).

        ``seed`` picks the catalogue: ids and data depend on nothing else, so two fakes with one
        seed, in any process, agree on every id.
        """
        self.channel_count = channels
        self.access_token_lifetime = access_token_lifetime
        self.refresh_token_lifetime = refresh_token_lifetime
        self.clock_offset = 0.0
        self.zero_lifetime = False
        self.token_delay = 0.0
        self.data_delay = 0.0
        self.send_next_links = False
        self.legacy_token_shape = False
        self.refresh_refusal_status = 400
        self.stats = FakeStats()
        self._seed = seed
        self.catalogue_ids = catalogue.catalogue_ids(seed)
        self.directory = UserDirectory([default_user()] if users is None else users)
        self.token_book = TokenBook()
        self.digest = DigestAuthority()
        #: The account records, one a user: the users area and the admin area read and write them.
        self.accounts = Accounts(seed)
        #: What the users area wrote: favourites, channel locks, PINs, reset codes (``fake.user_config.reset()``).
        self.user_config = users_area.UserConfig(self.accounts)
        # The admin and legacy areas' state: grants, licenses, permissions, ...; favourite tags.
        self.admin = admin.AdminState(seed, self.accounts)
        self.legacy = legacy.LegacyState()
        self._faults = FaultTable()
        self._admin = _admin_app(self)
        #: The recordings area's state: every user's and profile's recordings and requests.
        self.recordings = recordings_area.Recordings(seed)
        # --- catalogue, EPG, catch-up, playback, packages (issue 17) ---
        #: The day the EPG is centred on (UTC): slots from 7 days before to 7 days after; the 3 days before
        #: it are the catch-up days.
        self.epg_today = datetime.datetime.now(datetime.timezone.utc).date()
        #: Media play sessions per user and playback info per profile.
        self.playback = playback.PlaybackState()
        #: The viewer events posted per user.
        self.commerce = commerce.CommerceState()

    # --- users ---

    @property
    def seed(self) -> int:
        """The catalogue seed."""
        return self._seed

    @property
    def users(self) -> tuple[FakeUser, ...]:
        """Every user, in the order they were added."""
        return self.directory.all

    @property
    def default_user(self) -> FakeUser:
        """The first user (``user@example.com`` unless ``users`` said otherwise)."""
        users = self.directory.all
        if not users:
            raise LookupError("this fake has no users")
        return users[0]

    def add_user(
        self,
        username: str,
        password: str,
        *,
        user_id: str | None = None,
        profiles: Sequence[FakeProfile] | None = None,
    ) -> FakeUser:
        """Add a user; ``user_id`` defaults to the next free number, ``profiles`` to one "Main".

        When no profile in ``profiles`` is marked default, the first one becomes the default.
        Raises ValueError when the username or user id is taken.
        """
        user_id = user_id or self.directory.next_user_id()
        chosen = tuple(profiles) if profiles else default_profiles(user_id)
        if not any(profile.is_default for profile in chosen):
            chosen = (attrs.evolve(chosen[0], is_default=True), *chosen[1:])
        return self.directory.add(FakeUser(username, password, user_id, chosen))

    # --- catalogue ids ---

    def channel_id(self, index: int) -> str:
        """The id of channel ``index`` (0-based; indices >= ``channel_count`` answer 404)."""
        return self.catalogue_ids.channel.make(index)

    def broadcast_slot_id(self, index: int) -> str:
        """The id of broadcast slot ``index``; slot i is programme i % 24 of channel i // 24."""
        return self.catalogue_ids.broadcast_slot.make(index)

    def recording_id(self, index: int) -> str:
        """The id of recording ``index``; recording i is of channel i // 2."""
        return self.catalogue_ids.recording.make(index)

    @property
    def broadcast_slot_count(self) -> int:
        """How many broadcast slots exist: 24 a channel."""
        return self.channel_count * catalogue.SLOTS_PER_CHANNEL

    @property
    def recording_count(self) -> int:
        """How many recordings exist: 2 a channel."""
        return self.channel_count * catalogue.RECORDINGS_PER_CHANNEL

    # --- sessions and tokens ---

    def create_session(self, user: FakeUser | str | None = None) -> str:
        """A fresh session cookie value (cookie ``amino_session``) for ``user`` (default: the first).

        ``user`` may be a FakeUser, a username or a user id.
        """
        found = self._find_user(user)
        return self.token_book.new_session(found)

    def expire_sessions(self) -> None:
        """Invalidate every session cookie issued so far."""
        self.token_book.expire_sessions()

    def expire_access_tokens(self) -> None:
        """Every access token issued so far is expired from now on; new ones are fine."""
        self.token_book.expire_access()

    def revoke_refresh_tokens(self) -> None:
        """Every refresh token issued so far is refused from now on (not counted as reuse)."""
        self.token_book.revoke_refresh()

    # --- knobs, faults, counters ---

    def configure(self, **knobs: object) -> None:
        """Set several knobs at once, validated (``/_fake/config`` uses this).

        Sets nothing and raises ValueError for an unknown name or a value out of range, TypeError
        for a value of the wrong type.
        """
        values = {name: validate_knob(name, value) for name, value in knobs.items()}
        for name, value in values.items():
            setattr(self, name, value)

    def knobs(self) -> dict[str, object]:
        """The current value of every knob."""
        return {name: getattr(self, name) for name in KNOB_TYPES}

    def inject(
        self,
        path: str,
        *,
        times: int | None = 1,
        status: int | None = None,
        headers: Mapping[str, str] | None = None,
        body: bytes | str | None = None,
        kind: FaultKind | None = None,
        delay: float = 0.0,
    ) -> Fault:
        """Answer the next ``times`` requests for ``path`` with a fault instead (None: all of them).

        ``path`` is a request path, exact or an ``fnmatch`` glob (``/api/v1/*/streams``); the query
        is not part of it. Faults apply before authentication and count in ``stats.calls``; the
        ``/_fake/`` admin endpoints are never faulted.
        ``kind`` picks the answer:

        - None: a JSON:API error body for ``status`` (default 503; 401 looks like an expired token)
        - "html": an HTML page from a proxy (default status 502)
        - "empty": no body at all (default status 503)
        - "malformed": status 200, valid JSON of the wrong shape for the endpoint
        - "truncated": status 200, JSON cut in the middle

        ``headers`` are added (e.g. ``{"Retry-After": "1"}``), ``body`` replaces the body, and
        ``delay`` seconds pass before the answer. Raises ValueError for a bad argument.
        """
        fault = Fault.create(path, times=times, status=status, headers=headers, body=body, kind=kind, delay=delay)
        return self._faults.add(fault)

    @property
    def faults(self) -> tuple[Fault, ...]:
        """The injected faults still answering, first match first."""
        return self._faults.active

    def clear_faults(self) -> None:
        """Drop every injected fault."""
        self._faults.clear()

    def issued_tokens(self) -> frozenset[str]:
        """Every access and refresh token issued and still remembered: what a test checks logs against."""
        return self.token_book.issued()

    def reset_stats(self) -> None:
        """Zero every counter (``stats.in_flight`` keeps counting what is still running)."""
        self.stats.reset()

    def serve(self, host: str = "127.0.0.1", port: int = 0) -> AbstractAsyncContextManager[str]:
        """Serve over a real socket: ``async with fake.serve() as base_url:``.

        uvicorn runs in a daemon thread with its own asyncio loop, so this works under trio too;
        ``port=0`` picks a free port. Needs the ``testing`` extra.
        """
        return serve(self, host, port)

    # --- ASGI ---

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """The ASGI entry point."""
        if scope["type"] != "http" or scope["path"].startswith("/_fake"):
            await self._admin(scope, receive, send)
            return
        response = await self._respond(scope, receive)
        await response(scope, receive, send)

    async def _respond(self, scope: Scope, receive: Receive) -> Response:
        host, authorization = _scan_headers(scope["headers"])
        stats = self.stats
        stats.authorization_headers_seen[host, authorization is not None] += 1
        if authorization is not None and authorization[:7].lower() == "bearer ":
            stats.bearer_seen += 1
        matched = _ROUTER.match(scope)
        if matched is not None:
            stats.calls[matched[0].name] += 1
        # Faults match the decoded path, as a test writes it; routes match the raw one.
        fault = self._faults.take(scope["path"])
        if fault is not None:
            return await self._fault(fault, None if matched is None else matched[0])
        if matched is None:
            return self._no_route(scope)
        route, params = matched
        request, origin = Request(scope, receive), _origin(scope, host)
        if route.data:
            return await self._data_call(route, request, params, origin, authorization)
        response = await route.handler(self, Call(request, params, origin, authorization))
        if self.token_delay > 0:
            # After the work, as a slow network would: a client that gives up meanwhile loses the answer (its
            # refresh token rotated all the same), not the call.
            await anyio.sleep(self.token_delay)
        return response

    def _no_route(self, scope: Scope) -> Response:
        allowed = _ROUTER.allowed(scope)
        if not allowed:
            return answer(self, 404, entity_error("4NOTFND", "Not found", "No such resource"))
        details = "This method is not supported for this resource"
        body = entity_error("4INZEX", "Method not allowed", details)
        return answer(self, 405, body, {"allow": ", ".join(allowed)})

    async def _data_call(
        self, route: FakeRoute, request: Request, params: Mapping[str, str], origin: str, authorization: str | None
    ) -> Response:
        stats = self.stats
        stats.in_flight += 1
        stats.peak_in_flight = max(stats.peak_in_flight, stats.in_flight)
        try:
            if self.data_delay > 0:
                await anyio.sleep(self.data_delay)
            # Checked after the delay: a token that expires while a request waits is refused.
            grant = self._authorize(authorization)
            if isinstance(grant, str):
                stats.unauthorized += 1
                return answer(self, 401, unauthorized_error(grant), {"www-authenticate": "Bearer"})
            stats.requests_by_user[grant.user.user_id] += 1
            stats.requests_by_profile[grant.profile.id] += 1
            stats.authorized_log.append((grant.user.user_id, grant.profile.id, request.method, request.scope["path"]))
            return await route.handler(self, Call(request, params, origin, authorization, grant))
        finally:
            stats.in_flight -= 1

    def _authorize(self, authorization: str | None) -> TokenRecord | str:
        """The record of the request's bearer token, or why there is none (never the token)."""
        if authorization is None:
            return "missing"
        scheme, _, token = authorization.partition(" ")
        token = token.strip()
        if scheme.lower() != "bearer" or not token:
            return "malformed"
        return self.token_book.check_access(token, time.monotonic())

    async def _fault(self, fault: Fault, route: FakeRoute | None) -> Response:
        self.stats.faults[fault.kind or str(fault.status)] += 1
        if fault.delay > 0:
            await anyio.sleep(fault.delay)
        body, media_type, headers = _fault_content(fault, route)
        headers.update(fault.headers)
        if fault.status < 200 or fault.status in (204, 304):
            body = b""  # these statuses cannot carry a body
        return answer(self, fault.status, body, headers, media_type=media_type)

    def _find_user(self, user: FakeUser | str | None) -> FakeUser:
        if user is None:
            return self.default_user
        key = user.user_id if isinstance(user, FakeUser) else user
        found = self.directory.resolve(key)
        if found is None:
            raise LookupError(f"no such user: {key!r}")
        return found


# --- admin -----------------------------------------------------------------------------------------

_INJECT_ARGUMENTS = frozenset({"path", "times", "status", "headers", "body", "kind", "delay"})


def _optional_int(payload: dict[str, object], name: str, default: int | None) -> int | None:
    value = payload.get(name, default)
    if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
        raise TypeError(f"{name!r} must be an integer or null")
    return value


def _inject_json(fake: FakeAmino, payload: object) -> Fault:
    """``fake.inject`` with arguments from a JSON payload; TypeError/ValueError when it is bad."""
    if not isinstance(payload, dict) or not isinstance(payload.get("path"), str):
        raise TypeError("expected a JSON object with a string 'path'")
    unknown = set(payload) - _INJECT_ARGUMENTS
    if unknown:
        raise ValueError(f"unknown arguments: {sorted(unknown)}")
    delay = payload.get("delay", 0.0)
    if isinstance(delay, bool) or not isinstance(delay, (int, float)):
        raise TypeError("'delay' must be a number")
    headers = payload.get("headers")
    if headers is not None and not (isinstance(headers, dict) and all(isinstance(v, str) for v in headers.values())):
        raise TypeError("'headers' must be an object of strings")
    kind = payload.get("kind")
    if kind is not None and kind not in FAULT_KINDS:
        raise ValueError(f"'kind' must be null or one of {sorted(FAULT_KINDS)}")
    body = payload.get("body")
    return fake.inject(
        payload["path"],
        times=_optional_int(payload, "times", 1),
        status=_optional_int(payload, "status", None),
        headers=headers,
        # A JSON value other than a string is sent as its JSON text.
        body=body if body is None or isinstance(body, str) else dumps(body),
        kind=kind,
        delay=float(delay),
    )


def _configure_json(fake: FakeAmino, payload: object) -> None:
    if not isinstance(payload, dict):
        raise TypeError("expected a JSON object of knob values")
    fake.configure(**payload)


async def _json_payload(request: Request) -> object:
    body = await request.body()
    return json.loads(body) if body else {}


def _admin_error(message: str) -> Response:
    return JSONResponse({"error": message}, status_code=400)


def _admin_app(fake: FakeAmino) -> Starlette:
    """The ``/_fake/`` endpoints: drive a fake that runs in another process."""

    def action(method: Callable[[], None]) -> Callable[[Request], Awaitable[Response]]:
        async def endpoint(_: Request) -> Response:
            method()
            return Response(status_code=204)

        return endpoint

    async def stats(_: Request) -> Response:
        return JSONResponse(fake.stats.as_dict())

    async def config(request: Request) -> Response:
        if request.method == "POST":
            try:
                _configure_json(fake, await _json_payload(request))
            except (TypeError, ValueError) as exc:
                return _admin_error(str(exc))
        return JSONResponse(fake.knobs())

    async def inject(request: Request) -> Response:
        try:
            fault = _inject_json(fake, await _json_payload(request))
        except (TypeError, ValueError) as exc:
            return _admin_error(str(exc))
        return JSONResponse(fault.as_dict(), status_code=201)

    async def faults(_: Request) -> Response:
        return JSONResponse([fault.as_dict() for fault in fake.faults])

    async def create_session(request: Request) -> Response:
        try:
            payload = await _json_payload(request)
            user = payload.get("user") if isinstance(payload, dict) else None
            value = fake.create_session(user if isinstance(user, str) else None)
        except (ValueError, LookupError) as exc:
            return _admin_error(str(exc))
        return JSONResponse({"cookie": SESSION_COOKIE, "value": value}, status_code=201)

    routes = [
        Route("/_fake/stats", stats, methods=["GET"]),
        Route("/_fake/reset_stats", action(fake.reset_stats), methods=["POST"]),
        Route("/_fake/expire_access_tokens", action(fake.expire_access_tokens), methods=["POST"]),
        Route("/_fake/revoke_refresh_tokens", action(fake.revoke_refresh_tokens), methods=["POST"]),
        Route("/_fake/expire_sessions", action(fake.expire_sessions), methods=["POST"]),
        Route("/_fake/sessions", create_session, methods=["POST"]),
        Route("/_fake/config", config, methods=["GET", "POST"]),
        Route("/_fake/inject", inject, methods=["POST"]),
        Route("/_fake/faults", faults, methods=["GET"]),
        Route("/_fake/clear_faults", action(fake.clear_faults), methods=["POST"]),
    ]
    return Starlette(routes=routes)
