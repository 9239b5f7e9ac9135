"""httpx and httpx2 alike: whatever the caller passes decides a client's library; proxies from the environment."""

from __future__ import annotations

import importlib.util
from typing import Any

import anyio
import httpx as real_httpx
import pytest

from amino_async import AminoAuth, AminoClient, ConfigurationError, PasswordLogin
from amino_async.testing import FakeAmino

from .helpers import PASSWORD, USERNAME

HAS_HTTPX2 = importlib.util.find_spec("httpx2") is not None
LIBRARIES = ["httpx", "httpx2"] if HAS_HTTPX2 else ["httpx"]


def _lib(name: str) -> Any:
    return importlib.import_module(name)


@pytest.fixture
def fake() -> FakeAmino:
    return FakeAmino(channels=5)


@pytest.mark.parametrize("name", LIBRARIES)
async def test_an_http_client_of_either_library_is_used_as_given(fake: FakeAmino, name: str) -> None:
    lib = _lib(name)
    async with lib.AsyncClient(transport=lib.ASGITransport(app=fake)) as http:
        async with AminoClient("http://localhost", http_client=http, username=USERNAME, password=PASSWORD) as client:
            assert client.http_client is http
            page = await client.channels.list()
        assert len(page.items) == 5
        assert not http.is_closed  # the caller's to close


@pytest.mark.parametrize("name", LIBRARIES)
async def test_a_transport_of_either_library_decides_the_pool(fake: FakeAmino, name: str) -> None:
    lib = _lib(name)
    transport = lib.ASGITransport(app=fake)
    async with AminoClient("http://localhost", transport=transport, username=USERNAME, password=PASSWORD) as client:
        assert isinstance(client.http_client, lib.AsyncClient)
        assert len(await client.channels.streams(fake.channel_id(0))) > 0


@pytest.mark.parametrize("name", LIBRARIES)
async def test_amino_auth_is_the_auth_of_either_librarys_client(fake: FakeAmino, name: str) -> None:
    lib = _lib(name)
    auth = AminoAuth("http://localhost", PasswordLogin(USERNAME, PASSWORD), transport=lib.ASGITransport(app=fake))
    async with lib.AsyncClient(auth=auth, transport=lib.ASGITransport(app=fake)) as http:
        response = await http.get(f"http://localhost/api/v1/channels/{fake.channel_id(0)}/relationships/streams")
    await auth.aclose()
    assert response.status_code == 200
    assert fake.stats.grants["password"] == 1


@pytest.mark.httpx2
@pytest.mark.parametrize(("pool", "values"), [("httpx", "httpx2"), ("httpx2", "httpx")])
async def test_timeouts_and_limits_of_the_other_library_are_converted(fake: FakeAmino, pool: str, values: str) -> None:
    other = _lib(values)
    async with (
        fake.serve() as url,
        AminoClient(
            url,
            http_library=pool,
            timeout=other.Timeout(5.0),
            limits=other.Limits(max_connections=3),
            username=USERNAME,
            password=PASSWORD,
        ) as client,
    ):
        assert isinstance(client.http_client, _lib(pool).AsyncClient)
        assert await client.with_options(timeout=other.Timeout(2.0)).channels.list()


async def test_what_cannot_be_served_together_is_a_configuration_error(fake: FakeAmino) -> None:
    async with real_httpx.AsyncClient() as http:
        with pytest.raises(ConfigurationError, match="proxy"):
            AminoClient("http://localhost", http_client=http, proxy="http://127.0.0.1:1", tokens=None)
        with pytest.raises(ConfigurationError, match="http_library"):
            AminoClient("http://localhost", http_client=http, http_library="httpx2" if HAS_HTTPX2 else "nope")
    with real_httpx.Client() as sync_http, pytest.raises(ConfigurationError, match="AsyncClient"):
        AminoClient("http://localhost", http_client=sync_http)
    with pytest.raises(ConfigurationError, match="http_library"):
        AminoClient("http://localhost", http_library="requests")
    with pytest.raises(ConfigurationError, match="timeout"):
        AminoClient("http://localhost", timeout="soon")  # type: ignore[arg-type]


class _ForwardProxy:
    """A plain-http forward proxy on loopback: records each request line, then relays it to its origin."""

    def __init__(self) -> None:
        self.requests: list[str] = []
        self.url = ""

    async def serve(self, task_status: Any = anyio.TASK_STATUS_IGNORED) -> None:
        listener = await anyio.create_tcp_listener(local_host="127.0.0.1")
        async with listener:
            port = listener.extra(anyio.abc.SocketAttribute.local_port)
            self.url = f"http://127.0.0.1:{port}"
            task_status.started()
            await listener.serve(self._relay)

    async def _relay(self, client: Any) -> None:
        async with client:
            head = b""
            while b"\r\n\r\n" not in head:
                chunk = await client.receive()
                head += chunk
            header, _, rest = head.partition(b"\r\n\r\n")
            lines = header.decode("latin-1").split("\r\n")
            method, target, version = lines[0].split(" ")
            self.requests.append(f"{method} {target}")
            origin = real_httpx.URL(target)
            fields = [line.partition(": ") for line in lines[1:]]
            length = next((int(value) for name, _, value in fields if name.lower() == "content-length"), 0)
            while len(rest) < length:
                rest += await client.receive()
            upstream_headers = [line for line in lines[1:] if not line.lower().startswith(("connection:", "proxy-"))]
            request = "\r\n".join(
                [f"{method} {origin.raw_path.decode()} {version}", *upstream_headers, "Connection: close"]
            )
            async with await anyio.connect_tcp(origin.host, origin.port or 80) as upstream:
                await upstream.send(request.encode("latin-1") + b"\r\n\r\n" + rest)
                try:
                    while True:
                        await client.send(await upstream.receive())
                except (anyio.EndOfStream, anyio.BrokenResourceError):
                    pass


@pytest.mark.parametrize("http2", [False, True] if importlib.util.find_spec("h2") else [False])
async def test_the_environments_proxy_carries_every_call_on_every_transport(
    fake: FakeAmino, monkeypatch: pytest.MonkeyPatch, http2: bool, anyio_backend: str
) -> None:
    proxy = _ForwardProxy()
    async with fake.serve() as url, anyio.create_task_group() as tg:
        await tg.start(proxy.serve)
        monkeypatch.setenv("HTTP_PROXY", proxy.url)
        monkeypatch.delenv("NO_PROXY", raising=False)
        monkeypatch.delenv("no_proxy", raising=False)
        async with AminoClient(url, username=USERNAME, password=PASSWORD, http2=http2) as client:
            await client.channels.list()
        # The token call and the data call both went through the proxy, loopback or not.
        assert any("/api/auth/v1/access_tokens" in r for r in proxy.requests)
        assert any("/api/metadata/v1/channels" in r for r in proxy.requests)
        seen = len(proxy.requests)
        monkeypatch.setenv("NO_PROXY", "127.0.0.1")
        async with AminoClient(url, username=USERNAME, password=PASSWORD, http2=http2) as client:
            await client.channels.list()
        monkeypatch.delenv("NO_PROXY")
        async with AminoClient(url, username=USERNAME, password=PASSWORD, http2=http2, trust_env=False) as client:
            await client.channels.list()
        assert len(proxy.requests) == seen  # NO_PROXY and trust_env=False: straight to the server
        tg.cancel_scope.cancel()
