"""Serving an ASGI app (the fake) over a real socket with uvicorn."""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import AsyncIterator, Callable
from typing import TYPE_CHECKING

import anyio
from starlette.types import ASGIApp

if TYPE_CHECKING:
    import uvicorn

STARTUP_TIMEOUT = 10.0


def _server(app: ASGIApp) -> uvicorn.Server:
    """A quiet uvicorn server for ``app``: no lifespan, access log, Date or Server header."""
    try:
        import uvicorn
    except ImportError as exc:  # pragma: no cover - the testing extra installs it
        raise ImportError("serving the fake Amino server needs uvicorn: pip install 'amino-async[testing]'") from exc
    config = uvicorn.Config(
        app,
        lifespan="off",
        access_log=False,
        date_header=False,  # the fake sends its own, shifted by clock_offset
        server_header=False,
        log_config=None,  # a library must not reconfigure the caller's logging
        log_level="warning",
        ws="none",
        timeout_graceful_shutdown=1,
    )
    return uvicorn.Server(config)


def bind(host: str, port: int) -> socket.socket:
    """A listening TCP socket on ``host``:``port`` (0: a free port)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # proto must say TCP: asyncio sets TCP_NODELAY only on accepted sockets whose proto does, and
    # without it Nagle's algorithm and delayed ACKs add 40 ms to every small answer.
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen(2048)
    except OSError:
        sock.close()
        raise
    return sock


def base_url(sock: socket.socket) -> str:
    """The ``http://host:port`` a client reaches ``sock`` at (loopback for a wildcard address)."""
    host, port = sock.getsockname()[:2]
    host = {"0.0.0.0": "127.0.0.1", "::": "::1"}.get(host, host)
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


@contextlib.asynccontextmanager
async def serve(app: ASGIApp, host: str = "127.0.0.1", port: int = 0) -> AsyncIterator[str]:
    """Run ``app`` under uvicorn in a daemon thread with its own asyncio loop; yield its base URL.

    The caller may run any anyio backend. On exit the server stops and its thread is joined, even
    when the caller is being cancelled.
    """
    server = _server(app)
    sock = bind(host, port)
    url = base_url(sock)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, name=f"FakeAmino {url}", daemon=True)
    try:
        thread.start()
        await _started(server, thread)
        yield url
    finally:
        server.should_exit = True
        if thread.ident is not None:
            with anyio.CancelScope(shield=True):
                await anyio.to_thread.run_sync(thread.join)
        sock.close()


async def _started(server: uvicorn.Server, thread: threading.Thread) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT
    while not server.started:
        if not thread.is_alive():
            raise RuntimeError("the fake Amino server stopped while starting")
        if time.monotonic() > deadline:
            raise TimeoutError(f"the fake Amino server did not start in {STARTUP_TIMEOUT} s")
        await anyio.sleep(0.002)


def run(app: ASGIApp, host: str, port: int, ready: Callable[[str], None]) -> None:
    """Serve ``app`` in this thread until SIGINT/SIGTERM; ``ready`` gets the base URL first.

    The socket listens before ``ready`` is called, so a client may connect at once.
    """
    server = _server(app)
    sock = bind(host, port)
    try:
        ready(base_url(sock))
        server.run(sockets=[sock])
    finally:
        sock.close()
