"""Small shared pieces of the test suite."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qsl

import attrs

from amino_async import AminoClient
from amino_async._http import choose_library
from amino_async.testing import FakeAmino

#: The HTTP library the suite runs on: the one the SDK picks by default (httpx2 where installed, else httpx), or
#: ``$AMINO_HTTP_LIBRARY``'s. Test modules import it as ``httpx``, so one suite checks both libraries.
httpx = choose_library()

BASE_URL = "http://localhost"
USERNAME = "user@example.com"
PASSWORD = "secret"
USER_ID = "1001"
#: Another origin, played in-process by :class:`TwoOrigins`.
OTHER = "other.example"


def in_process(fake: FakeAmino, **options: Any) -> AminoClient:
    """A client talking to ``fake`` in-process (httpx.ASGITransport), logged in as its default user."""
    options.setdefault("username", USERNAME)
    options.setdefault("password", PASSWORD)
    return AminoClient(BASE_URL, transport=httpx.ASGITransport(app=fake), **options)


def secrets_of(fake: FakeAmino) -> set[str]:
    """Every token the fake has issued, and the users' passwords."""
    found = {user.password for user in fake.users}
    found.update(fake.issued_tokens())
    return found


@attrs.define
class Exchange:
    """One request through a :class:`Recorder`, whole, and the answer to it."""

    method: str
    path: str
    #: The path as sent, escapes kept (an id ``a/b?c#d`` is one segment here, where ``path`` decodes it); no query.
    raw_path: str
    query: str
    #: The request's headers, their names in lower case.
    headers: dict[str, str]
    body: bytes
    status: int = 0
    #: The answer's headers, their names in lower case.
    response_headers: dict[str, str] = attrs.field(factory=dict)
    response_body: bytes = b""

    @property
    def host(self) -> str:
        return self.headers.get("host", "")

    @property
    def params(self) -> dict[str, str]:
        """The query as a dict (the last value of a repeated name), blank values kept."""
        return dict(parse_qsl(self.query, keep_blank_values=True))

    @property
    def json(self) -> Any:
        """The request's body decoded, or None when it has none."""
        return json.loads(self.body) if self.body else None

    @property
    def answer(self) -> Any:
        """The answer's body decoded, or None when it has none."""
        return json.loads(self.response_body) if self.response_body else None

    @property
    def content_type(self) -> str:
        return self.response_headers.get("content-type", "")

    def request_text(self) -> str:
        """The whole request as one string (host, method, path, query, headers and body), to search for a secret."""
        return json.dumps(
            {
                "host": self.host,
                "method": self.method,
                "path": self.path,
                "query": self.query,
                "headers": self.headers,
                "body": self.body.decode("latin-1"),
            }
        )


def _headers(raw: Any) -> dict[str, str]:
    return {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in raw}


class Recorder:
    """An ASGI app in front of another (the fake) that records every HTTP exchange whole, request and answer.

    Exchanges whose path contains one of ``unrecorded`` (``"/api/auth/"``: the token calls) are passed on but
    not kept.
    """

    def __init__(self, app: Any, *, unrecorded: tuple[str, ...] = ()) -> None:
        self.app = app
        self.unrecorded = unrecorded
        self.exchanges: list[Exchange] = []

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        chunks = []
        while True:
            message = await receive()
            chunks.append(message.get("body", b""))
            if not message.get("more_body"):
                break
        body = b"".join(chunks)
        raw_path = (scope.get("raw_path") or scope["path"].encode()).decode("latin-1").partition("?")[0]
        exchange = Exchange(
            scope["method"],
            scope["path"],
            raw_path,
            scope["query_string"].decode("latin-1"),
            _headers(scope["headers"]),
            body,
        )
        if not any(part in exchange.path for part in self.unrecorded):
            self.exchanges.append(exchange)
        sent = False

        async def replay() -> dict[str, Any]:
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": body, "more_body": False}
            return dict(await receive())

        async def keep(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                exchange.status = message["status"]
                exchange.response_headers = _headers(message.get("headers", []))
            elif message["type"] == "http.response.body":
                exchange.response_body += message.get("body", b"")
            await send(message)

        if not await self.answer_here(exchange, keep):
            await self.app(scope, replay, keep)

    async def answer_here(self, exchange: Exchange, send: Any) -> bool:
        """Answer ``exchange`` without the app behind; whether it did (never, here)."""
        return False

    def last(self, method: str | None = None, path_start: str = "") -> Exchange:
        """The last exchange (of ``method``, whose path starts with ``path_start``, when given)."""
        for e in reversed(self.exchanges):
            if (method is None or e.method == method) and e.path.startswith(path_start):
                return e
        raise AssertionError(f"no {method or 'exchange'} {path_start}".rstrip() + " was recorded")

    def of(self, path_start: str) -> list[Exchange]:
        """The exchanges whose path starts with ``path_start``."""
        return [e for e in self.exchanges if e.path.startswith(path_start)]

    def seen_by(self, host: str) -> list[Exchange]:
        """The exchanges sent to ``host`` (any port)."""
        return [e for e in self.exchanges if e.host.split(":")[0] == host]

    def take_last(self) -> Exchange:
        """The last exchange, taken out of those kept (a request a test made invalid on purpose)."""
        return self.exchanges.pop()

    def clear(self) -> None:
        self.exchanges.clear()


class TwoOrigins(Recorder):
    """A :class:`Recorder` that plays another host too.

    Requests for ``other.example`` are answered here (a 200), as are those whose path has ``/redirect-away`` (a
    redirect to ``other.example``); neither reaches the app behind.
    """

    async def answer_here(self, exchange: Exchange, send: Any) -> bool:
        if exchange.host.startswith(OTHER):
            await _answer(send, 200, b'{"data": []}')
            return True
        if "/redirect-away" in exchange.path:
            await _answer(send, 302, b"", [(b"location", f"http://{OTHER}/landing".encode())])
            return True
        return False


async def _answer(send: Any, status: int, body: bytes, headers: list[tuple[bytes, bytes]] | None = None) -> None:
    all_headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": all_headers + (headers or [])})
    await send({"type": "http.response.body", "body": body})
