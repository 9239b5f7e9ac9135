"""Small shared pieces of the test suite."""

from __future__ import annotations

from typing import Any

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
#: Another origin, played in-process by :class:`Recorder`.
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


class Recorder:
    """An ASGI app in front of the fake that records every request whole, and plays another host too.

    Requests for ``other.example`` are answered here (a 200, or a redirect) and never reach the fake.
    """

    def __init__(self, fake: FakeAmino) -> None:
        self.fake = fake
        self.requests: list[dict[str, Any]] = []

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.fake(scope, receive, send)
            return
        chunks = []
        while True:
            message = await receive()
            chunks.append(message.get("body", b""))
            if not message.get("more_body"):
                break
        body = b"".join(chunks)
        headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"]}
        self.requests.append(
            {
                "host": headers.get("host", ""),
                "method": scope["method"],
                "path": scope["path"],
                "query": scope["query_string"].decode("latin-1"),
                "headers": headers,
                "body": body.decode("latin-1"),
            }
        )
        if headers.get("host", "").startswith(OTHER):
            await _answer(send, 200, b'{"data": []}')
            return
        if "/redirect-away" in scope["path"]:
            await _answer(send, 302, b"", [(b"location", f"http://{OTHER}/landing".encode())])
            return
        sent = False

        async def replay() -> dict[str, Any]:
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.fake(scope, replay, send)

    def seen_by(self, host: str) -> list[dict[str, Any]]:
        return [r for r in self.requests if r["host"].split(":")[0] == host]


async def _answer(send: Any, status: int, body: bytes, headers: list[tuple[bytes, bytes]] | None = None) -> None:
    all_headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": all_headers + (headers or [])})
    await send({"type": "http.response.body", "body": body})
