"""Which transport a client builds for itself when it is given none.

On asyncio with the ``speedups`` extra installed, requests go through aiohttp (``httpx-aiohttp``): on a busy
pool it does several times the requests per CPU second of httpcore, whose pool bookkeeping grows with the square
of its open connections (encode/httpx#3215). Everywhere else (trio, or no extra) it is httpcore's pool. Which
event loop runs is only known once a request is made (a client may be built outside any loop), so the choice is
made on the first request.
"""

from __future__ import annotations

import importlib.util
from collections.abc import AsyncIterator, Callable
from typing import TYPE_CHECKING

import httpx

from ._concurrency import current_async_library

if TYPE_CHECKING:
    import aiohttp

__all__ = ["AutoTransport", "default_transport", "speedups_available"]


def speedups_available() -> bool:
    """Whether the ``speedups`` extra (httpx-aiohttp and aiohttp) can be imported."""
    return all(importlib.util.find_spec(name) is not None for name in ("httpx_aiohttp", "aiohttp"))


def default_transport(limits: httpx.Limits) -> httpx.AsyncBaseTransport:
    """The transport :class:`~amino_async.AminoClient` uses unless given one: an :class:`AutoTransport`."""
    return AutoTransport(limits)


class AutoTransport(httpx.AsyncBaseTransport):
    """Sends through aiohttp on asyncio when the ``speedups`` extra is installed, else through httpcore.

    The real transport is made on the first request, once the event loop is known, with the pool ``limits``
    given. Pass ``transport=httpx.AsyncHTTPTransport(...)`` (or any transport) to
    :class:`~amino_async.AminoClient` to choose for yourself.
    """

    def __init__(self, limits: httpx.Limits) -> None:
        self._limits = limits
        self._transport: httpx.AsyncBaseTransport | None = None

    @property
    def chosen(self) -> httpx.AsyncBaseTransport | None:
        """The transport requests go through, or None before the first request."""
        return self._transport

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        transport = self._transport
        if transport is None:
            transport = self._transport = self._choose()
        return await transport.handle_async_request(request)

    def _choose(self) -> httpx.AsyncBaseTransport:
        if current_async_library() == "asyncio" and speedups_available():
            return AiohttpTransport(self._limits)
        http2 = importlib.util.find_spec("h2") is not None
        return httpx.AsyncHTTPTransport(limits=self._limits, http2=http2)

    async def aclose(self) -> None:
        transport, self._transport = self._transport, None
        if transport is not None:
            await transport.aclose()


def _session_factory(limits: httpx.Limits) -> Callable[[], aiohttp.ClientSession]:
    """Makes the aiohttp session on the first request (it must be made inside the running event loop)."""
    import aiohttp

    def session() -> aiohttp.ClientSession:
        connector = aiohttp.TCPConnector(
            limit=limits.max_connections or 0,
            keepalive_timeout=limits.keepalive_expiry if limits.keepalive_expiry is not None else 15.0,
        )
        # No cookie jar: one user's session cookie must never ride along with another user's call.
        return aiohttp.ClientSession(connector=connector, cookie_jar=aiohttp.DummyCookieJar())

    return session


def _httpx_error(exc: httpx.TransportError) -> httpx.TransportError:
    """httpx-aiohttp's error, renamed after the aiohttp error behind it where its own name misleads.

    It calls a refused connection a ``ConnectTimeout`` and a dropped one (the request may have been sent) a
    ``ConnectTimeout`` too; the retry rules need to know which failures cannot have reached the server.
    """
    import aiohttp

    cause = exc.__cause__
    kind: type[httpx.TransportError]
    if isinstance(cause, aiohttp.ConnectionTimeoutError):
        kind = httpx.ConnectTimeout
    elif isinstance(cause, aiohttp.ServerTimeoutError):
        kind = httpx.ReadTimeout
    elif isinstance(cause, aiohttp.ClientConnectorError):
        kind = httpx.ConnectError
    elif isinstance(cause, aiohttp.ServerDisconnectedError):
        kind = httpx.RemoteProtocolError
    elif isinstance(cause, (aiohttp.ClientOSError, aiohttp.ClientPayloadError, aiohttp.ClientConnectionError)):
        kind = httpx.ReadError
    else:
        return exc
    if type(exc) is kind:
        return exc
    error = kind(str(exc), request=exc._request)
    error.__cause__ = cause
    return error


class _Stream(httpx.AsyncByteStream):
    """A response body that raises the same errors as :func:`_httpx_error` names."""

    def __init__(self, stream: httpx.AsyncByteStream) -> None:
        self._stream = stream

    async def __aiter__(self) -> AsyncIterator[bytes]:
        try:
            async for chunk in self._stream:
                yield chunk
        except httpx.TransportError as exc:
            raise _httpx_error(exc) from exc.__cause__

    async def aclose(self) -> None:
        await self._stream.aclose()


class AiohttpTransport(httpx.AsyncBaseTransport):
    """``httpx_aiohttp.AiohttpTransport`` with the pool ``limits``, no cookie jar, and precise error names."""

    def __init__(self, limits: httpx.Limits) -> None:
        from httpx_aiohttp import AiohttpTransport as _Transport

        self._transport: httpx.AsyncBaseTransport = _Transport(limits=limits, client=_session_factory(limits))

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        try:
            response = await self._transport.handle_async_request(request)
        except httpx.TransportError as exc:
            raise _httpx_error(exc) from exc.__cause__
        response.stream = _Stream(response.stream)  # type: ignore[arg-type]
        return response

    async def aclose(self) -> None:
        await self._transport.aclose()
