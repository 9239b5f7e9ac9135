"""The fake's router: path templates in the OpenAPI files' own spelling, matched segment by segment.

A template such as ``/api/metadata/v1/broadcast_slots/{channel_id}/{yyyy-mm-dd}`` is a sequence of
segments, each static text or one whole ``{placeholder}`` (any name without ``{``, ``}`` or ``/``, so
``-`` is fine). The request path is matched as the client sent it (``scope["raw_path"]``), split into
segments *before* percent-decoding, so a placeholder always takes exactly one segment: an id ``a/b?c#d`` sent as
``a%2Fb%3Fc%23d`` arrives whole in ``call.params``, where the decoded ``scope["path"]`` could not tell it
from two segments. Escapes of unreserved characters are decoded before matching (RFC 3986 6.2.2.2:
``chann%65ls`` is ``channels``); every other escape only when a parameter's value is handed out. A
placeholder never takes an empty segment, ``.`` or ``..`` (``%2E`` included): no id is spelled that way,
and a gateway would have turned such a path into another one.

Precedence: of the templates that match a path and have the request's method, the one with a static
segment where another has a placeholder, leftmost difference first, wins: ``/users/search`` beats
``/users/{user_id}``, and ``/user_recordings/{id}`` beats ``/{device_id}/recording_slots``. Methods take
part in matching (as in Go's ServeMux): a path that some template serves for the method is never
refused because a more specific template lacks that method. When every template matching the path
lacks the method, the answer is 405 with all their methods; when none matches, 404.

Speed: the table is compiled once, per method, into one regular expression shaped like a trie of the
templates' segments (static branches before the placeholder branch, which is the precedence above), so
a match is one pass in C however many routes there are, and an empty group at the end of each template
tells by ``lastindex`` which one matched.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Iterable, Mapping
from types import MappingProxyType
from typing import TYPE_CHECKING
from urllib.parse import unquote_to_bytes

import attrs
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Scope

from ._state import FakeProfile, FakeUser, TokenRecord

if TYPE_CHECKING:
    from ._app import FakeAmino

Handler = Callable[["FakeAmino", "Call"], Awaitable[Response]]


@attrs.frozen(eq=False)
class FakeRoute:
    """One operation the fake serves.

    Attributes:
        name: its key in ``FakeStats.calls``, unique in the fake (tests and the CLI read the counters).
        method: the HTTP method, upper case.
        template: the whole path template, family prefix included, spelled as in the OpenAPI file.
        handler: ``async def handler(fake, call) -> Response``.
        data: True for a data call: a bearer token is required and ``call.grant`` is its record,
            ``data_delay`` applies before the handler and ``stats.in_flight`` counts it. False for the
            token calls, which need no bearer and are slowed by ``token_delay`` after their work.
        malformed: the body of a ``kind="malformed"`` fault: a JSON value of the wrong shape for what
            this route answers (None: a generic one).
    """

    name: str
    method: str
    template: str
    handler: Handler = attrs.field(repr=False)
    data: bool
    malformed: object = attrs.field(default=None, repr=False)


# Not frozen: a frozen class's __init__ costs three times as much, on every request. Handlers only read it.
@attrs.define(slots=True)
class Call:
    """One routed request, as a handler sees it (read it; it is not frozen only because that is slower).

    Attributes:
        request: the Starlette request (body, query, cookies, headers).
        params: the decoded path parameters by placeholder name (``call.params["channel_id"]``).
        origin: ``scheme://host`` the client addressed, for absolute links in answers.
        authorization: the Authorization header, if any.
        grant: on data calls, the record of the bearer token (None on token calls).
    """

    request: Request
    params: Mapping[str, str]
    origin: str
    authorization: str | None
    grant: TokenRecord | None = None

    @property
    def user(self) -> FakeUser:
        """The user the bearer token was issued to (data calls only)."""
        if self.grant is None:
            raise RuntimeError(_NO_GRANT)
        return self.grant.user

    @property
    def profile(self) -> FakeProfile:
        """The profile the bearer token was issued for (data calls only)."""
        if self.grant is None:
            raise RuntimeError(_NO_GRANT)
        return self.grant.profile


_NO_GRANT = "only data routes (data=True) carry a bearer grant"


# --- templates -------------------------------------------------------------------------------------

# RFC 3986 pchar without escapes: what a static segment may hold and still be sent as it is written.
_STATIC = re.compile(r"[A-Za-z0-9._~!$&'()*+,;=:@-]*")
_PLACEHOLDER = re.compile(r"\{([^{}/]+)\}")


def _parse(template: str) -> list[tuple[str, str | None]]:
    """The segments after the leading ``/``, each (static text, None) or (the placeholder, its name).

    Raises ValueError when ``template`` is not one the router can match as written.
    """
    first, *segments = template.split("/")
    if first or not segments:
        raise ValueError(f"a template starts with '/': {template!r}")
    parsed: list[tuple[str, str | None]] = []
    for segment in segments:
        placeholder = _PLACEHOLDER.fullmatch(segment)
        if placeholder is not None:
            parsed.append((segment, placeholder[1]))
        elif _STATIC.fullmatch(segment) and segment not in (".", ".."):
            parsed.append((segment, None))
        else:
            raise ValueError(f"a template segment is plain text or one whole {{placeholder}}: {template!r}")
    return parsed


# --- request targets -------------------------------------------------------------------------------

_UNRESERVED = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
_ESCAPE = re.compile(r"%([0-9A-Fa-f]{2})")
_NON_ASCII = re.compile(rb"[\x80-\xff]")
_PERCENT, _QUERY = ord("%"), ord("?")
_NO_PARAMS: Mapping[str, str] = MappingProxyType({})


def _unreserved(escape: re.Match[str]) -> str:
    char = chr(int(escape[1], 16))
    return char if char in _UNRESERVED else escape[0]


def _escape_byte(byte: re.Match[bytes]) -> bytes:
    return b"%%%02X" % byte[0][0]


def request_target(scope: Scope) -> str:
    """The path to match: what the client sent, split-safe, only its escapes left to decode.

    Without an escape in ``raw_path``, that is the decoded path (ASGI's path is raw_path decoded, less
    its query). Otherwise it is ``raw_path`` with escapes of unreserved characters decoded, bytes beyond
    ASCII (which no client should send raw) escaped, and the query some clients leave in it dropped. A
    server that gives no ``raw_path`` leaves only the decoded path, whose ``%`` are escaped again so that
    no parameter is decoded twice.
    """
    raw: bytes | None = scope.get("raw_path")
    path: str = scope["path"]
    if raw is not None and _PERCENT not in raw:  # an int operand: a memchr, ten times cheaper than bytes
        return path
    if raw is None:
        raw = path.replace("%", "%25").encode()
    if _QUERY in raw:  # httpx before 0.28 puts the query into raw_path
        raw = raw.partition(b"?")[0]
    if not raw.isascii():
        raw = _NON_ASCII.sub(_escape_byte, raw)
    target = raw.decode("ascii")
    return _ESCAPE.sub(_unreserved, target) if "%" in target else target


def _unquote(value: str) -> str:
    return unquote_to_bytes(value).decode("utf-8", "replace")


# --- the router ------------------------------------------------------------------------------------

# One segment, not empty, "." or "..". Escapes of "." were decoded before matching, so "%2E" is caught.
# (A negated single character: sre scans those fastest, and ids are long.)
_SEGMENT = r"((?!\.\.?(?:/|\Z))[^/]+)"
# Where a template ends: an empty group, whose number (``lastindex``) tells which template matched.
_END = r"\Z()"

Matched = tuple[FakeRoute, Mapping[str, str]]
# What turns a match that ended at a template's marker group into that route and its params.
_Reader = Callable[[re.Match[str]], Matched]


def _reader(route: FakeRoute, fields: tuple[tuple[str, int], ...]) -> _Reader:
    """The reader of ``route``, whose placeholders are ``fields`` (name, group number); it decodes nothing.

    One per arity, the common ones with their values bound as defaults: a reader runs on every request,
    where a comprehension or a closure's cells cost about as much as the match itself.
    """
    if not fields:
        matched: Matched = (route, _NO_PARAMS)

        def none(_: re.Match[str], matched: Matched = matched) -> Matched:
            return matched

        return none
    if len(fields) == 1:
        ((name, group),) = fields

        def one(found: re.Match[str], route: FakeRoute = route, name: str = name, group: int = group) -> Matched:
            return route, {name: found[group]}

        return one

    def several(found: re.Match[str]) -> Matched:
        return route, {name: found[group] for name, group in fields}

    return several


# One method's table: the fullmatch of its pattern, and the reader of each template's end marker group.
_Compiled = tuple[Callable[[str], re.Match[str] | None], dict[int, _Reader]]


class _Node:
    """A segment position of the template trie: static children, the placeholder child, templates ending here."""

    __slots__ = ("methods", "placeholder", "static")

    def __init__(self) -> None:
        self.static: dict[str, _Node] = {}
        self.placeholder: _Node | None = None
        self.methods: dict[str, tuple[FakeRoute, tuple[str, ...]]] = {}  # the route, its placeholder names


def _add(root: _Node, route: FakeRoute) -> None:
    if not route.method.isalpha() or not route.method.isupper():
        raise ValueError(f"route {route.name!r}: the method is an upper-case token, not {route.method!r}")
    node, names = root, []
    for text, name in _parse(route.template):
        if name is None:
            node = node.static.setdefault(text, _Node())
        else:
            names.append(name)
            node.placeholder = node.placeholder or _Node()
            node = node.placeholder
    if len(set(names)) != len(names):
        raise ValueError(f"route {route.name!r}: a placeholder appears twice in {route.template}")
    clash = node.methods.get(route.method)
    if clash is not None:
        raise ValueError(f"routes {clash[0].name!r} and {route.name!r} both serve {route.method} {route.template}")
    node.methods[route.method] = (route, tuple(names))


class _Compiler:
    """Writes the regular expression of one method's templates (None: of every template), numbering
    its groups as it writes them."""

    def __init__(self, method: str | None) -> None:
        self.method = method
        self.groups = 0
        self.readers: dict[int, _Reader] = {}

    def below(self, node: _Node, params: tuple[int, ...]) -> str | None:
        """The pattern of what may follow ``node``'s segment; None when no template of the method does.

        ``params`` are the group numbers of the placeholders on the way to ``node``.
        """
        branches: list[str] = []
        leaf = next(iter(node.methods.values()), None) if self.method is None else node.methods.get(self.method)
        if leaf is not None:
            self.groups += 1
            route, names = leaf
            self.readers[self.groups] = _reader(route, tuple(zip(names, params, strict=True)))
            branches.append(_END)
        segments: list[str] = []
        for text, child in node.static.items():  # static first: the precedence
            pattern = self.below(child, params)
            if pattern is not None:
                segments.append(re.escape(text) + pattern)
        if node.placeholder is not None:
            self.groups += 1
            pattern = self.below(node.placeholder, (*params, self.groups))
            if pattern is None:
                self.groups -= 1  # nothing below numbered a group either
            else:
                segments.append(_SEGMENT + pattern)
        if segments:
            branches.append("/(?:" + "|".join(segments) + ")")
        return "(?:" + "|".join(branches) + ")" if branches else None


class Router:
    """Finds the route of a request among ``routes``, compiled once.

    Raises ValueError for a template it cannot match as written, a placeholder named twice in one
    template, two routes of one name, or two routes of one method on templates that match the same
    paths (``/a/{x}`` and ``/a/{y}`` are one path: placeholder names are each route's own).
    """

    def __init__(self, routes: Iterable[FakeRoute]) -> None:
        root = _Node()
        by_name: dict[str, FakeRoute] = {}
        for route in routes:
            if route.name in by_name:
                raise ValueError(f"two routes named {route.name!r}: {by_name[route.name].template}, {route.template}")
            by_name[route.name] = route
            _add(root, route)
        self.routes: tuple[FakeRoute, ...] = tuple(by_name.values())
        self._methods = {method: _compile(root, method) for method in sorted({r.method for r in self.routes})}
        self._any = _compile(root, None)[0]  # spares a 404 a match per method

    def match(self, scope: Scope) -> Matched | None:
        """The route serving the request of ``scope`` (an ASGI HTTP scope) and its decoded path parameters."""
        compiled = self._methods.get(scope["method"])
        if compiled is None:
            return None
        raw: bytes | None = scope.get("raw_path")
        if raw is None or _PERCENT in raw:
            return _match_escaped(compiled, request_target(scope))
        # request_target's first case, inlined: on every request its call would cost more than the match.
        fullmatch, readers = compiled
        found = fullmatch(scope["path"])
        return None if found is None else readers[found.lastindex or 0](found)

    def allowed(self, scope: Scope) -> tuple[str, ...]:
        """Every method some template serves on the path of ``scope``, sorted; empty when none matches it."""
        target = request_target(scope)
        if not self._any(target):
            return ()
        return tuple(method for method, (fullmatch, _) in self._methods.items() if fullmatch(target))


def _compile(root: _Node, method: str | None) -> _Compiled:
    compiler = _Compiler(method)
    pattern = compiler.below(root, ())
    # No route at all: a pattern that matches nothing.
    return re.compile(r"(?!)" if pattern is None else pattern).fullmatch, compiler.readers


def _match_escaped(compiled: _Compiled, target: str) -> Matched | None:
    fullmatch, readers = compiled
    found = fullmatch(target)
    if found is None:
        return None
    route, params = readers[found.lastindex or 0](found)
    return route, {name: _unquote(value) if "%" in value else value for name, value in params.items()}
