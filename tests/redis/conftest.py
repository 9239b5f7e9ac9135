"""A real redis-server for the Redis tests: started on a free loopback port, or AMINO_REDIS_URL's."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
import uuid
from collections.abc import Iterator
from types import TracebackType

import anyio
import pytest
import redis
from anyio.abc import ByteStream, SocketAttribute, TaskGroup

STARTUP_TIMEOUT = 10.0


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _wait_for_ping(url: str, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT
    client = redis.Redis.from_url(url, socket_timeout=1, socket_connect_timeout=1)
    try:
        while True:
            try:
                if client.ping():
                    return
            except redis.ConnectionError:
                pass
            if process.poll() is not None:
                pytest.fail(f"redis-server exited with status {process.returncode} while starting")
            if time.monotonic() > deadline:
                pytest.fail(f"redis-server did not answer PING within {STARTUP_TIMEOUT:g} s")
            time.sleep(0.02)
    finally:
        client.close()


@pytest.fixture(scope="session")
def redis_url() -> Iterator[str]:
    """The URL of a Redis for these tests: AMINO_REDIS_URL when set, else a redis-server of their own."""
    existing = os.environ.get("AMINO_REDIS_URL")
    if existing:
        yield existing
        return
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.fail(
            "the Redis tests need a redis-server binary on PATH: install it (Debian/Ubuntu: "
            "`apt-get install redis-server`, or run .ci/redis-server.sh), or set AMINO_REDIS_URL to a Redis to use"
        )
    port = free_port()
    process = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"redis://127.0.0.1:{port}/0"
    try:
        _wait_for_ping(url, process)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture
def prefix(redis_url: str) -> Iterator[str]:
    """A key prefix of this test's own, so tests never see each other's keys; its keys go afterwards."""
    prefix = f"amino-test:{uuid.uuid4().hex[:12]}:"
    yield prefix
    client = redis.Redis.from_url(redis_url, socket_timeout=5)
    try:
        keys = list(client.scan_iter(match=f"{prefix}*"))
        if keys:
            client.delete(*keys)
    finally:
        client.close()


@pytest.fixture
def raw_redis(redis_url: str) -> Iterator[redis.Redis]:
    """A plain synchronous client, to look at (and, to stage a dead holder, write) the store's keys."""
    client = redis.Redis.from_url(url=redis_url, decode_responses=True)
    try:
        yield client
    finally:
        client.close()


class SlowReplies:
    """A TCP proxy in front of Redis that can hold Redis's next answer back; commands always pass at once.

    What a slow network looks like to a client that times out: Redis has run the command, the answer is late.
    """

    def __init__(self, redis_url: str) -> None:
        address = redis_url.split("://", 1)[1].split("/", 1)[0]
        self._host, _, port = address.rpartition(":")
        self._port = int(port)
        self.url = ""
        self._hold = 0.0

    def hold_next_answer(self, seconds: float) -> None:
        """Delay the next answer Redis sends, on whichever connection, by ``seconds``."""
        self._hold = seconds

    async def __aenter__(self) -> SlowReplies:
        self._listener = await anyio.create_tcp_listener(local_host="127.0.0.1")
        self.url = f"redis://127.0.0.1:{self._listener.extra(SocketAttribute.local_port)}/0"
        self._group: TaskGroup = anyio.create_task_group()
        await self._group.__aenter__()
        self._group.start_soon(self._listener.serve, self._relay)
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._group.cancel_scope.cancel()
        await self._group.__aexit__(kind, exc, tb)
        await self._listener.aclose()

    async def _relay(self, client: ByteStream) -> None:
        server = await anyio.connect_tcp(self._host, self._port)
        async with client, server, anyio.create_task_group() as group:
            group.start_soon(self._pipe, client, server, group, False)
            group.start_soon(self._pipe, server, client, group, True)

    async def _pipe(self, source: ByteStream, sink: ByteStream, group: TaskGroup, answers: bool) -> None:
        try:
            async for chunk in source:
                if answers and self._hold:
                    delay, self._hold = self._hold, 0.0
                    await anyio.sleep(delay)
                await sink.send(chunk)
        except (anyio.BrokenResourceError, anyio.ClosedResourceError):
            pass
        group.cancel_scope.cancel()  # either side gone: close both
