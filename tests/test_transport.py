"""The transport a client picks for itself, over real loopback sockets, under asyncio and trio.

On asyncio with the speedups extra (installed in the test environment) that is aiohttp; on trio, or with the
extra missing, httpcore. Either way connection failures, timeouts and dropped connections must come out as the
same SDK errors, retried by the same rules.
"""

from __future__ import annotations

import json
import socket
import sys
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import anyio
import pytest
from anyio.abc import SocketStream
from anyio.streams.stapled import MultiListener
from starlette.types import Receive, Scope, Send

from amino_async import AminoClient, RetryPolicy, TimeoutError, Tokens, TransportError
from amino_async._transport import AiohttpTransport, AutoTransport
from amino_async.testing import FakeAmino
from amino_async.testing._server import serve

from .helpers import PASSWORD, USERNAME, httpx

FAST_RETRY = RetryPolicy(max_retries=1, initial_delay=0.01, max_delay=0.01)


def _chosen(client: AminoClient) -> httpx.AsyncBaseTransport | None:
    transport = client.http_client._transport
    assert isinstance(transport, AutoTransport)
    return transport.chosen


def _expected(anyio_backend: str) -> type[httpx.AsyncBaseTransport]:
    return AiohttpTransport if anyio_backend == "asyncio" else httpx.AsyncHTTPTransport


def _valid_tokens() -> Tokens:
    now = int(time.time())
    return Tokens("access-token-value", "refresh-token-value", expires_at=now + 3600, login_timestamp=now)


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


@asynccontextmanager
async def _dropping_server() -> AsyncIterator[tuple[str, list[int]]]:
    """A server that reads each request and closes the connection without answering."""
    accepted: list[int] = []

    async def handle(stream: SocketStream) -> None:
        accepted.append(1)
        async with stream:
            await stream.receive()

    listener: MultiListener[SocketStream] = await anyio.create_tcp_listener(local_host="127.0.0.1")
    port = listener.listeners[0].extra(anyio.abc.SocketAttribute.local_port)
    async with listener, anyio.create_task_group() as group:
        group.start_soon(listener.serve, handle)
        yield f"http://127.0.0.1:{port}", accepted
        group.cancel_scope.cancel()


async def test_the_default_transport_serves_logins_and_data_over_a_socket(anyio_backend: str) -> None:
    fake = FakeAmino(channels=3)
    async with fake.serve() as url:
        client = AminoClient(url, username=USERNAME, password=PASSWORD)
        assert _chosen(client) is None  # nothing is decided before a request runs in an event loop
        async with client:
            streams = await client.channels.streams(fake.channel_id(0))
            assert type(_chosen(client)) is _expected(anyio_backend)
            results = [r async for r in client.channels.streams_many([fake.channel_id(i) for i in range(3)])]
        assert _chosen(client) is None  # closed with the client
    assert streams
    assert all(r.ok and r.streams for r in results)
    assert fake.stats.grants["password"] == 1
    assert fake.stats.calls["channel_streams"] == 4


async def test_without_the_speedups_extra_asyncio_uses_httpcore(
    anyio_backend: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "aiohttp", None)  # as if not installed
    fake = FakeAmino(channels=1)
    async with fake.serve() as url, AminoClient(url, username=USERNAME, password=PASSWORD) as client:
        assert await client.channels.streams(fake.channel_id(0))
        assert type(_chosen(client)) is httpx.AsyncHTTPTransport


async def test_a_given_transport_is_used_as_given(anyio_backend: str) -> None:
    fake = FakeAmino(channels=1)
    seen: list[str] = []

    async def log(request: httpx.Request) -> None:
        seen.append(request.url.path)

    transport = httpx.AsyncHTTPTransport()
    async with (
        fake.serve() as url,
        AminoClient(url, username=USERNAME, password=PASSWORD, transport=transport) as client,
    ):
        client.http_client.event_hooks["request"].append(log)
        assert await client.channels.streams(fake.channel_id(0))
        assert client.http_client._transport is transport
    assert seen == ["/api/auth/v1/access_tokens", f"/api/v1/channels/{fake.channel_id(0)}/relationships/streams"]


async def test_a_refused_connection_is_a_connect_error_and_is_retried(anyio_backend: str) -> None:
    url = f"http://127.0.0.1:{_closed_port()}"
    async with AminoClient(url, tokens=_valid_tokens(), retry=FAST_RETRY) as client:
        with pytest.raises(TransportError) as caught:
            await client.channels.streams("c1")
        assert client.retries == 1
    assert not isinstance(caught.value, TimeoutError)
    assert "ConnectError" in str(caught.value)


async def test_a_token_call_is_retried_after_a_refused_connection(anyio_backend: str) -> None:
    url = f"http://127.0.0.1:{_closed_port()}"
    async with AminoClient(url, username=USERNAME, password=PASSWORD, retry=FAST_RETRY) as client:
        with pytest.raises(TransportError, match="ConnectError"):
            await client.login()


async def test_a_slow_answer_times_out_and_is_retried(anyio_backend: str) -> None:
    fake = FakeAmino(channels=1)
    options = {"username": USERNAME, "password": PASSWORD, "retry": FAST_RETRY, "timeout": 0.2}
    async with fake.serve() as url, AminoClient(url, **options) as client:  # type: ignore[arg-type]
        await client.login()
        fake.configure(data_delay=0.6)
        with pytest.raises(TimeoutError, match="timed out"):
            await client.channels.streams(fake.channel_id(0))
        assert client.retries == 1
    assert fake.stats.calls["channel_streams"] == 2


async def test_a_dropped_connection_retries_a_read_but_not_a_token_call(anyio_backend: str) -> None:
    async with _dropping_server() as (url, accepted):
        async with AminoClient(url, tokens=_valid_tokens(), retry=FAST_RETRY) as client:
            with pytest.raises(TransportError, match="RemoteProtocolError") as caught:
                await client.channels.streams("c1")
            assert not isinstance(caught.value, TimeoutError)
        # The GET and its one retry; aiohttp itself also sends an idempotent request once more on a dropped
        # connection (as RFC 9112 allows), below the SDK's own retries.
        gets = 4 if anyio_backend == "asyncio" else 2
        assert len(accepted) == gets
        async with AminoClient(url, username=USERNAME, password=PASSWORD, retry=FAST_RETRY) as client:
            with pytest.raises(TransportError, match="RemoteProtocolError"):
                await client.login()
        # The login may have reached the server before the connection dropped: it is not sent again.
        assert len(accepted) == gets + 1


async def _cookie_app(scope: Scope, receive: Receive, send: Send) -> None:
    """Sets a cookie on /api/v1/set; every answer echoes the Cookie header it got."""
    assert scope["type"] == "http"
    received = dict(scope["headers"]).get(b"cookie", b"").decode()
    headers = [(b"content-type", b"application/json")]
    if scope["path"].endswith("/set"):
        headers.append((b"set-cookie", b"session=abc; Path=/"))
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    await send({"type": "http.response.body", "body": json.dumps({"cookie": received}).encode()})


async def test_cookies_set_by_answers_are_never_sent_back(anyio_backend: str) -> None:
    async with serve(_cookie_app) as url, AminoClient(url, tokens=_valid_tokens()) as client:
        first = await client.request_raw("GET", "/set")
        second = await client.request_raw("GET", "/echo")
    assert first.cookies["session"] == "abc"
    assert second.json() == {"cookie": ""}
