"""FaultProxy: it forwards faithfully, applies each fault as counted, and closes everything on exit."""

from __future__ import annotations

import contextlib

import anyio
import pytest

from amino_async import AminoClient, RetryPolicy
from amino_async.testing import FakeAmino, FaultProxy

from ..helpers import httpx

STREAMS = "/api/v1/channels/{}/relationships/streams"
PASSWORD = {"grant_type": "password", "credentials": {"username": "user@example.com", "password": "secret"}}


def _plain_client(proxy: FaultProxy) -> httpx.AsyncClient:
    # One connection per request, so each request is a fresh exchange through the proxy.
    return httpx.AsyncClient(base_url=proxy.url, headers={"Connection": "close"}, timeout=10)


async def test_without_faults_it_forwards_every_request_over_kept_alive_connections() -> None:
    fake = FakeAmino(channels=20)
    async with fake.serve() as upstream, FaultProxy(upstream) as proxy:
        assert proxy.url == f"http://127.0.0.1:{proxy.port}"
        async with AminoClient(proxy.url, username="user@example.com", password="secret") as client:
            for i in range(20):
                assert await client.channels.streams(fake.channel_id(i))
        with anyio.fail_after(10):
            await proxy.wait_idle()
    assert proxy.requests == 21  # the login and 20 fetches
    assert proxy.connections < 21  # connections were reused
    assert proxy.open_connections == 0
    assert not proxy.faults
    assert fake.stats.calls == {"access_tokens": 1, "channel_streams": 20}


@pytest.mark.parametrize(
    ("option", "kind", "reaches_server"),
    [
        ("reset_before_request", "reset_before_request", False),
        ("reset_mid_body", "reset_mid_body", True),
        ("truncate", "truncated", True),
    ],
)
async def test_each_fault_breaks_the_exchange_where_it_says(option: str, kind: str, reaches_server: bool) -> None:
    fake = FakeAmino()
    async with fake.serve() as upstream, FaultProxy(upstream, **{option: 1.0}) as proxy, _plain_client(proxy) as http:
        for _ in range(5):
            with pytest.raises(httpx.TransportError):
                await http.post("/api/auth/v1/access_tokens", json=PASSWORD)
    assert proxy.faults == {kind: 5}
    assert proxy.requests == 5
    # A reset before the request keeps it from the server; the others cut off an answer the server gave.
    assert fake.stats.grants["password"] == (5 if reaches_server else 0)


async def _read_into(response: httpx.Response, chunks: list[bytes]) -> None:
    async for chunk in response.aiter_raw():
        chunks.append(chunk)


async def test_a_cut_off_answer_is_missing_part_of_its_body() -> None:
    fake = FakeAmino()
    received: list[int] = []
    async with fake.serve() as upstream, FaultProxy(upstream, truncate=1.0) as proxy, _plain_client(proxy) as http:
        for _ in range(10):
            async with http.stream("POST", "/api/auth/v1/access_tokens", json=PASSWORD) as response:
                assert response.status_code == 201  # the head arrives whole
                expected = int(response.headers["content-length"])
                chunks: list[bytes] = []
                with pytest.raises(httpx.RemoteProtocolError):
                    await _read_into(response, chunks)
                body = b"".join(chunks)
                received.append(len(body))
                assert len(body) < expected
    assert proxy.faults == {"truncated": 10}


async def test_paths_limit_the_faults() -> None:
    fake = FakeAmino(channels=5)
    async with (
        fake.serve() as upstream,
        FaultProxy(upstream, reset_before_request=1.0, paths="/api/v1/*") as proxy,
        _plain_client(proxy) as http,
    ):
        assert (await http.post("/api/auth/v1/access_tokens", json=PASSWORD)).status_code == 201
        with pytest.raises(httpx.TransportError):
            await http.get(STREAMS.format(fake.channel_id(0)))
    assert proxy.faults == {"reset_before_request": 1}
    assert fake.stats.calls == {"access_tokens": 1}


async def test_delays_only_delay() -> None:
    fake = FakeAmino(channels=5)
    async with (
        fake.serve() as upstream,
        FaultProxy(upstream, delay=1.0, max_delay=0.01) as proxy,
        _plain_client(proxy) as http,
    ):
        for _ in range(3):
            assert (await http.post("/api/auth/v1/access_tokens", json=PASSWORD)).status_code == 201
    assert proxy.faults == {"delayed": 3}
    assert fake.stats.grants == {"password": 3}


async def test_the_same_seed_draws_the_same_faults() -> None:
    fake = FakeAmino(channels=50)
    counts = []
    for _ in range(2):
        async with (
            fake.serve() as upstream,
            FaultProxy(upstream, seed=42, reset_before_request=0.2, truncate=0.2) as proxy,
            _plain_client(proxy) as http,
        ):
            for i in range(30):  # one at a time, so the order of draws is the order of requests
                with contextlib.suppress(httpx.TransportError):
                    await http.get(STREAMS.format(fake.channel_id(i)))
        counts.append(dict(proxy.faults))
    assert counts[0] == counts[1]
    assert sum(counts[0].values()) > 0


async def test_exit_closes_connections_still_open() -> None:
    fake = FakeAmino(channels=5)
    async with fake.serve() as upstream:
        async with FaultProxy(upstream) as proxy:
            http = httpx.AsyncClient(base_url=proxy.url)
            await http.post("/api/auth/v1/access_tokens", json=PASSWORD)
            assert proxy.open_connections == 1  # kept alive by the client
        assert proxy.open_connections == 0
        with pytest.raises(httpx.TransportError):
            await http.post("/api/auth/v1/access_tokens", json=PASSWORD)
        await http.aclose()


def test_bad_settings_are_refused() -> None:
    with pytest.raises(ValueError, match="probability"):
        FaultProxy("127.0.0.1:1", delay=1.5)
    with pytest.raises(ValueError, match="more than 1"):
        FaultProxy("127.0.0.1:1", reset_mid_body=0.6, truncate=0.6)
    with pytest.raises(ValueError, match="upstream"):
        FaultProxy("http://nowhere")
    with pytest.raises(RuntimeError, match="async with"):
        _ = FaultProxy("127.0.0.1:1").url


async def test_a_retrying_client_gets_through_a_lossy_proxy() -> None:
    fake = FakeAmino(channels=40)
    retry = RetryPolicy(max_retries=10, initial_delay=0.001, max_delay=0.01)
    async with (
        fake.serve() as upstream,
        FaultProxy(upstream, seed=3, reset_mid_body=0.2, paths="/api/v1/*") as proxy,
        AminoClient(proxy.url, username="user@example.com", password="secret", retry=retry) as client,
    ):
        results = [r async for r in client.channels.streams_many([fake.channel_id(i) for i in range(40)])]
    assert all(r.ok for r in results)
    assert proxy.faults["reset_mid_body"] > 0
    # Every answer cut off was re-sent (by the SDK, or by the transport for a kept-alive connection).
    assert fake.stats.calls["channel_streams"] == 40 + proxy.faults["reset_mid_body"]
