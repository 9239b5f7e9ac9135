"""``FaultProxy``: a TCP proxy that breaks connections on purpose, between a client and a server on loopback."""

from __future__ import annotations

import fnmatch
import random
import socket
import struct
from collections import Counter
from contextlib import AsyncExitStack, suppress
from types import TracebackType
from typing import Final, Literal
from urllib.parse import urlsplit

import anyio
import anyio.abc
from anyio.abc import SocketAttribute

__all__ = ["FaultProxy", "ProxyFault"]

ProxyFault = Literal["reset_before_request", "reset_mid_body", "truncated", "delayed"]
_RESPONSE_FAULTS: Final = ("reset_mid_body", "truncated")
_CHUNK: Final = 65536
# What a pump may see when the other side or the proxy itself closes a socket under it.
_GONE: Final = (anyio.BrokenResourceError, anyio.ClosedResourceError, anyio.EndOfStream, OSError)


class _Connection:
    """One client connection's place in the request/answer cycle (HTTP/1.1 without pipelining).

    Client bytes after an answer began are a new request; server bytes after a request are its answer.
    """

    __slots__ = ("answer_fault", "head_done", "phase", "tail")

    def __init__(self) -> None:
        self.phase: Literal["idle", "request", "answer"] = "idle"
        self.answer_fault: ProxyFault | None = None
        self.head_done = False
        self.tail = b""


class FaultProxy:
    """A TCP proxy for tests that resets, delays and truncates HTTP/1.1 exchanges at seeded random points.

    ::

        async with fake.serve() as upstream, FaultProxy(upstream, seed=7, reset_mid_body=0.05) as proxy:
            async with AminoClient(proxy.url, username=..., password=...) as client:
                ...
            print(proxy.faults)  # Counter({'reset_mid_body': 12, ...})

    Each request through the proxy draws its fate from one ``random.Random(seed)``, with these probabilities:

    - ``reset_before_request``: the connection is reset (TCP RST) before the request reaches the server;
    - ``reset_mid_body``: the server answers, and the connection is reset part way through the answer's body;
    - ``truncate``: the same, but the connection is closed cleanly (FIN) part way through the body;
    - ``delay``: independently of those, the request waits up to ``max_delay`` seconds before it is forwarded.

    The draws are seeded, but which request gets which draw depends on the order requests arrive in, which
    concurrency makes vary from run to run. ``paths`` (an ``fnmatch`` glob of request paths, query excluded)
    limits the faults to matching requests; others pass untouched. ``upstream`` is the server's
    ``http://host:port`` URL or ``host:port``. Every setting is an attribute of the same name (``truncate`` for
    truncation), which may be changed while the proxy runs.

    Counters: :attr:`faults` (faults applied, by kind), :attr:`requests` (requests seen), :attr:`connections`
    (client connections accepted) and :attr:`open_connections` (client connections open now).
    """

    def __init__(
        self,
        upstream: str,
        *,
        seed: int = 0,
        reset_before_request: float = 0.0,
        reset_mid_body: float = 0.0,
        truncate: float = 0.0,
        delay: float = 0.0,
        max_delay: float = 0.05,
        paths: str | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
    ) -> None:
        for name, value in (
            ("reset_before_request", reset_before_request),
            ("reset_mid_body", reset_mid_body),
            ("truncate", truncate),
            ("delay", delay),
        ):
            if not 0.0 <= value <= 1.0:
                raise ValueError(f"{name} is a probability between 0 and 1, not {value}")
        if reset_before_request + reset_mid_body + truncate > 1.0:
            raise ValueError("the reset and truncate probabilities add up to more than 1")
        if max_delay < 0:
            raise ValueError("max_delay must be >= 0")
        self._upstream = _host_port(upstream)
        self._random = random.Random(seed)
        #: The fault probabilities, ``max_delay`` and ``paths``: plain attributes, which a test may change at
        #: any time (the next request draws with the new values).
        self.reset_before_request = reset_before_request
        self.reset_mid_body = reset_mid_body
        self.truncate = truncate
        self.delay = delay
        self.max_delay = max_delay
        self.paths = paths
        self._bind = (host, port)
        self._stack: AsyncExitStack | None = None
        self._address: tuple[str, int] | None = None
        self._idle: anyio.Event | None = None
        #: Faults applied so far, by kind.
        self.faults: Counter[ProxyFault] = Counter()
        #: Requests seen so far (faulted or not).
        self.requests = 0
        #: Client connections accepted so far.
        self.connections = 0
        #: Client connections open now.
        self.open_connections = 0

    # --- lifecycle ---------------------------------------------------------------------------------------

    async def __aenter__(self) -> FaultProxy:
        if self._stack is not None:
            raise RuntimeError("this FaultProxy is already running")
        host, port = self._bind
        self._idle = anyio.Event()
        self._idle.set()
        async with AsyncExitStack() as stack:
            listener = await anyio.create_tcp_listener(local_host=host, local_port=port)
            await stack.enter_async_context(listener)
            tasks = await stack.enter_async_context(anyio.create_task_group())
            # Cancelled first on exit, so every connection's sockets close before the listener does.
            stack.callback(tasks.cancel_scope.cancel)
            sockname = listener.listeners[0].extra(SocketAttribute.local_address)
            self._address = (str(sockname[0]), int(sockname[1]))
            for one in listener.listeners:  # started here, so the tasks exist once the proxy is entered
                tasks.start_soon(one.serve, self._handle, tasks)
            self._stack = stack.pop_all()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> bool | None:
        stack, self._stack = self._stack, None
        if stack is None:
            return None
        return await stack.__aexit__(exc_type, exc, traceback)

    async def wait_idle(self) -> None:
        """Return once no client connection is open (bound it with ``anyio.fail_after``)."""
        while self.open_connections and self._idle is not None:
            await self._idle.wait()

    # --- where it listens --------------------------------------------------------------------------------

    @property
    def port(self) -> int:
        """The port the proxy listens on."""
        return self._listening()[1]

    @property
    def url(self) -> str:
        """``http://host:port``: give this to the client instead of the server's URL."""
        host, port = self._listening()
        return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"

    def _listening(self) -> tuple[str, int]:
        if self._address is None:
            raise RuntimeError("the proxy listens only inside `async with FaultProxy(...)`")
        return self._address

    def __repr__(self) -> str:
        where = self.url if self._address is not None else "not running"
        return f"FaultProxy({where}, requests={self.requests}, faults={dict(self.faults)})"

    # --- one connection ----------------------------------------------------------------------------------

    async def _handle(self, client: anyio.abc.SocketStream) -> None:
        self.connections += 1
        self.open_connections += 1
        if self.open_connections == 1:
            self._idle = anyio.Event()
        try:
            async with client:
                try:
                    upstream = await anyio.connect_tcp(*self._upstream)
                except OSError:
                    return  # the client sees its connection closed, as it would with the server down
                async with upstream, anyio.create_task_group() as pumps:
                    state = _Connection()
                    pumps.start_soon(self._requests, client, upstream, state, pumps.cancel_scope)
                    await self._answers(upstream, client, state, pumps.cancel_scope)
        finally:
            self.open_connections -= 1
            if not self.open_connections and self._idle is not None:
                self._idle.set()

    async def _requests(
        self,
        client: anyio.abc.SocketStream,
        upstream: anyio.abc.SocketStream,
        state: _Connection,
        done: anyio.CancelScope,
    ) -> None:
        """Client to server: a request's first bytes decide its fate."""
        try:
            while True:
                chunk = await client.receive(_CHUNK)
                if state.phase != "request":
                    state.phase = "request"
                    state.head_done, state.tail, state.answer_fault = False, b"", None
                    self.requests += 1
                    if self._matches(chunk):
                        fate = self._random.random()
                        delayed = self._random.random() < self.delay
                        if fate < self.reset_before_request:
                            self.faults["reset_before_request"] += 1
                            _reset(client)
                            done.cancel()
                            return
                        fate -= self.reset_before_request
                        if fate < self.reset_mid_body:
                            state.answer_fault = "reset_mid_body"
                        elif fate - self.reset_mid_body < self.truncate:
                            state.answer_fault = "truncated"
                        if delayed:
                            self.faults["delayed"] += 1
                            await anyio.sleep(self._random.uniform(0.0, self.max_delay))
                await upstream.send(chunk)
        except anyio.EndOfStream:
            # The client closed its side: pass the half-close on, and let the answer finish.
            try:
                await upstream.send_eof()
            except _GONE:
                done.cancel()
        except _GONE:
            done.cancel()

    async def _answers(
        self,
        upstream: anyio.abc.SocketStream,
        client: anyio.abc.SocketStream,
        state: _Connection,
        done: anyio.CancelScope,
    ) -> None:
        """Server to client: an answer chosen for a fault is cut in its body."""
        try:
            while True:
                chunk = await upstream.receive(_CHUNK)
                if state.phase == "request":
                    state.phase = "answer"
                fault = state.answer_fault
                if fault is not None:
                    cut = self._cut(chunk, state)
                    if cut is not None:
                        self.faults[fault] += 1
                        await client.send(chunk[:cut])
                        if fault == "reset_mid_body":
                            _reset(client)
                        return
                await client.send(chunk)
        except _GONE:
            pass
        finally:
            done.cancel()

    def _cut(self, chunk: bytes, state: _Connection) -> int | None:
        """Where to cut this chunk of an answer so part of the body is missing; None: not in the body yet."""
        start = 0
        if not state.head_done:
            seen = state.tail + chunk
            end = seen.find(b"\r\n\r\n")
            if end < 0:
                state.tail = seen[-3:]
                return None
            state.head_done = True
            start = end + 4 - len(state.tail)
        if start >= len(chunk):
            return None
        return self._random.randint(start, len(chunk) - 1)

    def _matches(self, chunk: bytes) -> bool:
        if self.paths is None:
            return True
        line = chunk.split(b"\r\n", 1)[0].split(b" ")
        path = line[1].decode("latin-1").split("?", 1)[0] if len(line) >= 2 else ""
        return fnmatch.fnmatchcase(path, self.paths)


def _host_port(upstream: str) -> tuple[str, int]:
    parts = urlsplit(upstream if "//" in upstream else f"//{upstream}")
    if parts.hostname is None or parts.port is None:
        raise ValueError(f"upstream must be http://host:port or host:port, not {upstream!r}")
    return parts.hostname, parts.port


def _reset(stream: anyio.abc.SocketStream) -> None:
    """Make the coming close a reset (RST) rather than an orderly FIN."""
    sock = stream.extra(SocketAttribute.raw_socket)
    with suppress(OSError):
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
