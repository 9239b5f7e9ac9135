"""FakeAmino: the fake Amino server, an ASGI application built on Starlette."""

from __future__ import annotations

import email.utils
import functools
import hmac
import json
import re
import secrets
import time
import uuid
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from contextlib import AbstractAsyncContextManager
from http import HTTPStatus
from typing import cast

import anyio
import attrs
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import Receive, Scope, Send

from . import _catalogue as catalogue
from ._digest import DigestAuthority
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
    IssuedTokens,
    TokenBook,
    TokenRecord,
    TokenRefused,
    UserDirectory,
    default_profiles,
    default_user,
    validate_knob,
)

SESSION_COOKIE = "amino_session"
_JSON = "application/json"
_NO_STORE = {"cache-control": "no-cache, no-store, must-revalidate"}
_CHANNELS_CACHE = {"cache-control": "public, max-age=900"}
_STREAMS_SEGMENTS = {"channel": "channels", "catchup": "catchup", "recording": "recordings"}


def _dumps(document: object) -> bytes:
    return json.dumps(document, separators=(",", ":"), ensure_ascii=False).encode()


@functools.lru_cache(maxsize=4)
def _http_date(timestamp: int) -> str:
    return email.utils.formatdate(timestamp, usegmt=True)


# --- error documents -------------------------------------------------------------------------------
# The platform answers errors in two shapes (see amino-api.md); each helper renders one of them.


def _error_id() -> str:
    return secrets.token_hex(7)[:13]


def _entity_error(code: str, title: str, details: str) -> bytes:
    """The ErrorEntity shape: ``{id, href, code, title, details}``."""
    error = {"id": _error_id(), "href": None, "code": code, "title": title, "details": details}
    return _dumps({"errors": [error]})


def _not_found_error(details: str) -> bytes:
    """The 404 shape of the streams endpoints: ``{id, status, code, title, details}``."""
    error = {"id": _error_id(), "status": "404", "code": "3303", "title": "Not found", "details": details}
    return _dumps({"errors": [error]})


def _jsonapi_error(status: int, code: str, title: str, detail: str) -> bytes:
    """The JSON:API shape: ``{id, status, code, title, detail}``."""
    error = {"id": _error_id(), "status": str(status), "code": code, "title": title, "detail": detail}
    return _dumps({"errors": [error]})


def _unauthorized_error(reason: str) -> bytes:
    return _jsonapi_error(401, "4TOKEN1", "Unauthorized", f"Invalid authorization token: {reason}")


# --- fault bodies ----------------------------------------------------------------------------------

# A stream whose URL, which a client cannot do without, is an object: a descriptive attribute of the wrong type
# (the bitrate here) is read as its default, so only a field like this one fails the whole answer.
_BAD_STREAM = {
    "data": [
        {
            "type": "PlayableStream",
            "id": '{"stream_url":"https://live.example.net/malformed"}',
            "attributes": {"stream_url": {"href": "https://live.example.net/malformed"}, "bitrate": "fast"},
        }
    ]
}
# Valid JSON of the wrong shape for what each endpoint promises.
_MALFORMED: dict[str, object] = {
    "access_tokens": {"data": {"type": "AccessToken", "id": "0", "attributes": {"expires_at_timestamp": "soon"}}},
    "login": {"userStat": {"accessToken": "not-a-pair", "refreshToken": None}},
    "channels": {"data": "channels"},
    "channel_streams": _BAD_STREAM,
    "catchup_streams": _BAD_STREAM,
    "recording_streams": _BAD_STREAM,
    "user_profiles": {"data": {"type": "UserProfile"}},
}
_TRUNCATED = _dumps(_BAD_STREAM)[:40]


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


def _fault_content(fault: Fault, endpoint: str | None) -> tuple[bytes, str | None, dict[str, str]]:
    """The body, media type and extra headers a fault answers with (before its own headers)."""
    media_type = {"html": "text/html", "empty": None}.get(fault.kind or "", _JSON)
    if fault.body is not None:
        return fault.body, media_type, {}
    if fault.kind == "html":
        return _html_page(fault.status), media_type, {}
    if fault.kind == "empty":
        return b"", media_type, {}
    if fault.kind == "malformed":
        return _dumps(_MALFORMED.get(endpoint or "", {"data": "unexpected"})), media_type, {}
    if fault.kind == "truncated":
        return _TRUNCATED, media_type, {}
    if fault.status == 401:
        return _unauthorized_error("expired"), media_type, {"www-authenticate": "Bearer"}
    code = f"{fault.status // 100}FAULT1"
    return _jsonapi_error(fault.status, code, _phrase(fault.status), "Injected fault"), media_type, {}


# --- routing ---------------------------------------------------------------------------------------

# One alternation, one named group a route: ``lastgroup`` names the route, the group holds its
# path parameter (static routes capture the whole path, which their handlers ignore).
_ROUTE_PATTERN = re.compile(
    r"(?P<access_tokens>/api/auth/v1/access_tokens)"
    r"|/api/user/(?P<login>[^/]+)/login"
    r"|(?P<channels>/api/metadata/v1/channels)"
    r"|/api/v1/channels/(?P<channel_streams>[^/]+)/relationships/streams"
    r"|/api/v1/catchup/(?P<catchup_streams>[^/]+)/relationships/streams"
    r"|/api/v1/recordings/(?P<recording_streams>[^/]+)/relationships/streams"
    r"|/api/users/v1/users/(?P<user_profiles>[^/]+)/user_profiles"
)


@attrs.define(slots=True)
class _Call:
    """One routed API request."""

    request: Request
    arg: str  # the path parameter
    origin: str  # scheme://host the client addressed, for absolute links
    authorization: str | None
    grant: TokenRecord | None = None  # the bearer token's record, on data calls


_Handler = Callable[["FakeAmino", _Call], Awaitable[Response]]


@attrs.frozen
class _Route:
    name: str
    method: str
    handler: _Handler
    data: bool  # a data call: bearer token required, data_delay, in_flight


def _route(path: str) -> tuple[_Route | None, str]:
    """The route serving ``path`` and its path parameter."""
    match = _ROUTE_PATTERN.fullmatch(path)
    if match is None or match.lastgroup is None:
        return None, ""
    return _ROUTES[match.lastgroup], match.group(match.lastgroup)


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
        self._ids = catalogue.catalogue_ids(seed)
        self._users = UserDirectory([default_user()] if users is None else users)
        self._tokens = TokenBook()
        self._digest = DigestAuthority()
        self._faults = FaultTable()
        self._admin = _admin_app(self)

    # --- users ---

    @property
    def seed(self) -> int:
        """The catalogue seed."""
        return self._seed

    @property
    def users(self) -> tuple[FakeUser, ...]:
        """Every user, in the order they were added."""
        return self._users.all

    @property
    def default_user(self) -> FakeUser:
        """The first user (``user@example.com`` unless ``users`` said otherwise)."""
        users = self._users.all
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
        user_id = user_id or self._users.next_user_id()
        chosen = tuple(profiles) if profiles else default_profiles(user_id)
        if not any(profile.is_default for profile in chosen):
            chosen = (attrs.evolve(chosen[0], is_default=True), *chosen[1:])
        return self._users.add(FakeUser(username, password, user_id, chosen))

    # --- catalogue ids ---

    def channel_id(self, index: int) -> str:
        """The id of channel ``index`` (0-based; indices >= ``channel_count`` answer 404)."""
        return self._ids.channel.make(index)

    def broadcast_slot_id(self, index: int) -> str:
        """The id of broadcast slot ``index``; slot i is programme i % 24 of channel i // 24."""
        return self._ids.broadcast_slot.make(index)

    def recording_id(self, index: int) -> str:
        """The id of recording ``index``; recording i is of channel i // 2."""
        return self._ids.recording.make(index)

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
        return self._tokens.new_session(found)

    def expire_sessions(self) -> None:
        """Invalidate every session cookie issued so far."""
        self._tokens.expire_sessions()

    def expire_access_tokens(self) -> None:
        """Every access token issued so far is expired from now on; new ones are fine."""
        self._tokens.expire_access()

    def revoke_refresh_tokens(self) -> None:
        """Every refresh token issued so far is refused from now on (not counted as reuse)."""
        self._tokens.revoke_refresh()

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
        return self._tokens.issued()

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
        path: str = scope["path"]
        host, authorization = _scan_headers(scope["headers"])
        stats = self.stats
        stats.authorization_headers_seen[host, authorization is not None] += 1
        if authorization is not None and authorization[:7].lower() == "bearer ":
            stats.bearer_seen += 1
        route, arg = _route(path)
        if route is not None and route.method == scope["method"]:
            stats.calls[route.name] += 1
        fault = self._faults.take(path)
        if fault is not None:
            return await self._fault(fault, route.name if route else None)
        if route is None:
            return self._answer(404, _entity_error("4NOTFND", "Not found", "No such resource"))
        if route.method != scope["method"]:
            details = "This method is not supported for this resource"
            body = _entity_error("4INZEX", "Method not allowed", details)
            return self._answer(405, body, {"allow": route.method})
        call = _Call(Request(scope, receive), arg, _origin(scope, host), authorization)
        if route.data:
            return await self._data_call(route, call)
        response = await route.handler(self, call)
        if self.token_delay > 0:
            # After the work, as a slow network would: a client that gives up meanwhile loses the answer (its
            # refresh token rotated all the same), not the call.
            await anyio.sleep(self.token_delay)
        return response

    async def _data_call(self, route: _Route, call: _Call) -> Response:
        stats = self.stats
        stats.in_flight += 1
        stats.peak_in_flight = max(stats.peak_in_flight, stats.in_flight)
        try:
            if self.data_delay > 0:
                await anyio.sleep(self.data_delay)
            # Checked after the delay: a token that expires while a request waits is refused.
            grant = self._authorize(call.authorization)
            if isinstance(grant, str):
                stats.unauthorized += 1
                return self._answer(401, _unauthorized_error(grant), {"www-authenticate": "Bearer"})
            stats.requests_by_user[grant.user.user_id] += 1
            stats.requests_by_profile[grant.profile.id] += 1
            request = call.request
            stats.authorized_log.append((grant.user.user_id, grant.profile.id, request.method, request.scope["path"]))
            call.grant = grant
            return await route.handler(self, call)
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
        return self._tokens.check_access(token, time.monotonic())

    async def _fault(self, fault: Fault, endpoint: str | None) -> Response:
        self.stats.faults[fault.kind or str(fault.status)] += 1
        if fault.delay > 0:
            await anyio.sleep(fault.delay)
        body, media_type, headers = _fault_content(fault, endpoint)
        headers.update(fault.headers)
        if fault.status < 200 or fault.status in (204, 304):
            body = b""  # these statuses cannot carry a body
        return self._answer(fault.status, body, headers, media_type=media_type)

    def _answer(
        self,
        status: int,
        body: bytes,
        headers: Mapping[str, str] | None = None,
        *,
        media_type: str | None = _JSON,
        now: int | None = None,
    ) -> Response:
        """A response carrying the fake's own ``Date`` (``now``: the reported time to use)."""
        all_headers = {"date": _http_date(self._reported_now() if now is None else now)}
        if headers:
            all_headers.update(headers)
        return Response(body, status, all_headers, media_type)

    def _reported_now(self) -> int:
        return int(time.time() + self.clock_offset)

    def _find_user(self, user: FakeUser | str | None) -> FakeUser:
        if user is None:
            return self.default_user
        key = user.user_id if isinstance(user, FakeUser) else user
        found = self._users.resolve(key)
        if found is None:
            raise LookupError(f"no such user: {key!r}")
        return found

    # --- token endpoints ---

    async def _access_tokens(self, call: _Call) -> Response:
        try:
            body = json.loads(await call.request.body())
        except ValueError:
            return self._token_refusal("bad_request", "The request body is not valid JSON")
        if not isinstance(body, dict) or not isinstance(body.get("credentials"), dict):
            return self._token_refusal("bad_request", "Expected grant_type and credentials")
        profile_id = body.get("login_user_profile")
        if profile_id is not None and not isinstance(profile_id, str):
            return self._token_refusal("bad_request", "login_user_profile must be a string")
        grant_type = body.get("grant_type")
        if grant_type == "password":
            return self._password_grant(body["credentials"], profile_id)
        if grant_type == "refresh_token":
            return self._refresh_grant(body["credentials"], profile_id)
        return self._token_refusal("unsupported_grant", "grant_type must be password or refresh_token")

    def _password_grant(self, credentials: dict[str, object], profile_id: str | None) -> Response:
        username, password = credentials.get("username"), credentials.get("password")
        user = self._users.by_name(username) if isinstance(username, str) else None
        if (
            user is None
            or not isinstance(password, str)
            or not hmac.compare_digest(password.encode(), user.password.encode())
        ):
            return self._token_refusal("bad_credentials", "Invalid username or password")
        profile = user.profile(profile_id) if profile_id else user.default_profile
        if profile is None:
            return self._token_refusal("unknown_profile", "No such profile for this user")
        return self._tokens_answer("password", self._issue(user, profile))

    def _refresh_grant(self, credentials: dict[str, object], profile_id: str | None) -> Response:
        token = credentials.get("refresh_token")
        try:
            record = self._tokens.check_refresh(token if isinstance(token, str) else "", time.monotonic())
        except TokenRefused as refused:
            if refused.reason == "refresh_reused":
                self.stats.reuse_detected += 1
            return self._token_refusal(refused.reason, refused.detail, self.refresh_refusal_status)
        profile = record.user.profile(profile_id) if profile_id else record.profile
        if profile is None:
            # Refused before redeeming: a bad profile id does not burn the refresh token.
            return self._token_refusal("unknown_profile", "No such profile for this user")
        return self._tokens_answer("refresh_token", self._issue(record.user, profile, record))

    def _issue(self, user: FakeUser, profile: FakeProfile, redeemed: TokenRecord | None = None) -> IssuedTokens:
        """New tokens with the current lifetimes: a new family, or the next of ``redeemed``'s."""
        now, access, refresh = time.monotonic(), self.access_token_lifetime, self.refresh_token_lifetime
        if redeemed is None:
            return self._tokens.issue(
                user, profile, family=None, now=now, access_lifetime=access, refresh_lifetime=refresh
            )
        return self._tokens.rotate(redeemed, profile, now=now, access_lifetime=access, refresh_lifetime=refresh)

    def _tokens_answer(self, grant: str, issued: IssuedTokens) -> Response:
        self.stats.grants[grant] += 1
        now = self._reported_now()
        return self._answer(201, self._token_document(issued, now), _NO_STORE, now=now)

    def _token_document(self, issued: IssuedTokens, now: int) -> bytes:
        user = issued.record.user
        attributes: dict[str, object] = {
            "login_timestamp": now,
            "user_id": user.user_id,
            "user_profile_id": issued.record.profile.id,
            "user_flags": list(user.flags),
            "access_token": issued.access_token,
            "expires_at_timestamp": self._expires_at(now, issued.access_lifetime),
            "refresh_token": issued.refresh_token,
        }
        if not self.legacy_token_shape:
            resource = {"type": "AccessToken", "id": str(uuid.uuid4()), "attributes": attributes}
            return _dumps({"data": resource})
        if user.user_id.isascii() and user.user_id.isdigit():
            attributes["user_id"] = int(user.user_id)
        resource = {"type": "AuthenticationTokens", "id": str(uuid.uuid4()), "attributes": attributes}
        return _dumps({"data": [resource]})

    def _expires_at(self, now: int, lifetime: float) -> int:
        # Floored: the reported lifetime never overstates the real one.
        return now if self.zero_lifetime else now + int(lifetime)

    def _token_refusal(self, reason: str, details: str, status: int = 400) -> Response:
        self.stats.token_refusals[reason] += 1
        return self._answer(status, _entity_error("4AUTH01", "Authentication failed", details))

    # --- legacy login ---

    async def _login(self, call: _Call) -> Response:
        user = self._users.resolve(call.arg)
        authorization = call.authorization
        if authorization is not None:
            return self._digest_login(call, user, authorization)
        cookie = call.request.cookies.get(SESSION_COOKIE)
        owner = self._tokens.session_user_id(cookie) if cookie else None
        if user is None or owner != user.user_id:
            return self._login_refusal("no_session", "Authentication required")
        return self._user_stat_answer("cookie", self._issue(user, user.default_profile), {})

    def _digest_login(self, call: _Call, user: FakeUser | None, authorization: str) -> Response:
        username = self._digest.verify(
            authorization, call.request.method, call.request.scope["path"], self._password_of
        )
        if user is None or username is None or self._users.resolve(username) != user:
            return self._login_refusal("bad_digest", "Invalid username or password")
        issued = self._issue(user, user.default_profile)
        session = self._tokens.new_session(user)
        cookie = {"set-cookie": f"{SESSION_COOKIE}={session}; Path=/; HttpOnly"}
        return self._user_stat_answer("digest", issued, cookie)

    def _password_of(self, username: str) -> str | None:
        user = self._users.resolve(username)
        return user.password if user else None

    def _login_refusal(self, reason: str, details: str) -> Response:
        self.stats.token_refusals[reason] += 1
        body = _entity_error("4AUTH02", "Unauthorized", details)
        return self._answer(401, body, {"www-authenticate": self._digest.challenge()})

    def _user_stat_answer(self, grant: str, issued: IssuedTokens, headers: dict[str, str]) -> Response:
        self.stats.grants[grant] += 1
        now = self._reported_now()
        user_stat = {
            "maxAllowedSession": 1000,
            "currentSession": 1,
            "migrated": False,
            "configuration": 1,
            "premiumUser": False,
            "streamingOver3G": True,
            "accessToken": [issued.access_token, self._expires_at(now, issued.access_lifetime)],
            "refreshToken": [issued.refresh_token, now + int(issued.refresh_lifetime)],
        }
        headers.update(_NO_STORE)
        return self._answer(200, _dumps({"userStat": user_stat}), headers, now=now)

    # --- data endpoints ---

    def _bad_request(self, details: str) -> Response:
        return self._answer(400, _entity_error("4INVPAR", "Bad Request", details))

    async def _channels(self, call: _Call) -> Response:
        query = catalogue.parse_channel_query(call.request.scope["query_string"])
        if isinstance(query, str):
            return self._bad_request(query)
        body = catalogue.render_channel_page(self._seed, self.channel_count, query, call.origin, self.send_next_links)
        return self._answer(200, body, _CHANNELS_CACHE)

    async def _channel_streams(self, call: _Call) -> Response:
        return self._streams(call, "channel", self._ids.channel, self.channel_count)

    async def _catchup_streams(self, call: _Call) -> Response:
        return self._streams(call, "catchup", self._ids.broadcast_slot, self.broadcast_slot_count)

    async def _recording_streams(self, call: _Call) -> Response:
        return self._streams(call, "recording", self._ids.recording, self.recording_count)

    def _streams(self, call: _Call, kind: catalogue.StreamKind, ids: catalogue.IdScheme, count: int) -> Response:
        """The streams of the ``kind`` resource ``call.arg``, one of ``count`` with ids of ``ids``."""
        query = catalogue.parse_stream_query(kind, call.request.scope["query_string"])
        if isinstance(query, str):
            return self._bad_request(query)
        index = ids.parse(call.arg)
        exists = index is not None and index < count
        if not exists and kind == "recording":
            return self._answer(404, _not_found_error(f'Recording with ID "{call.arg[:100]}" not found'))
        if index is None or not exists or not query.supported:
            return self._streams_not_found(query, kind, call.arg)
        next_url = None
        following = catalogue.next_streamable(kind, index, count) if query.autoplay else None
        if following is not None:
            segment = _STREAMS_SEGMENTS[kind]
            next_url = f"{call.origin}/api/v1/{segment}/{ids.make(following)}/relationships/streams?autoplay=catchup"
        return self._answer(200, catalogue.render_streams(self._seed, kind, call.arg, query, next_url))

    def _streams_not_found(self, query: catalogue.StreamQuery, kind: str, resource_id: str) -> Response:
        details = (
            f"Streams for requested format: {query.stream_type} for streamable ({kind})"
            f" with ID {resource_id[:100]} not found"
        )
        return self._answer(404, _not_found_error(details))

    async def _user_profiles(self, call: _Call) -> Response:
        grant = cast(TokenRecord, call.grant)
        owner = self._users.resolve(call.arg)
        if owner is None or owner.user_id != grant.user.user_id:
            details = "You are not authorized to access that resource."
            return self._answer(403, _entity_error("0523AC", "Forbidden", details))
        base = f"{call.origin}/api/users/v1/users/{owner.user_id}/user_profiles"
        data = [_profile_resource(owner, profile, base) for profile in owner.profiles]
        return self._answer(200, _dumps({"data": data}))


def _profile_resource(user: FakeUser, profile: FakeProfile, base: str) -> dict[str, object]:
    attributes: dict[str, object] = {
        "name": profile.name,
        "user_id": user.user_id,
        "is_child_profile": profile.is_child_profile,
        "is_default": profile.is_default,
    }
    if profile.age_limit is not None:
        attributes["age_limit"] = profile.age_limit
    return {
        "type": "UserProfile",
        "id": profile.id,
        "attributes": attributes,
        "links": {"self": f"{base}/{profile.id}"},
    }


_ROUTES: dict[str, _Route] = {
    route.name: route
    for route in (
        _Route("access_tokens", "POST", FakeAmino._access_tokens, data=False),
        _Route("login", "POST", FakeAmino._login, data=False),
        _Route("channels", "GET", FakeAmino._channels, data=True),
        _Route("channel_streams", "GET", FakeAmino._channel_streams, data=True),
        _Route("catchup_streams", "GET", FakeAmino._catchup_streams, data=True),
        _Route("recording_streams", "GET", FakeAmino._recording_streams, data=True),
        _Route("user_profiles", "GET", FakeAmino._user_profiles, data=True),
    )
}


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
        body=body if body is None or isinstance(body, str) else _dumps(body),
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
