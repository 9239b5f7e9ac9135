"""Which HTTP library a client runs on, and the few things that must be made of that library's own classes.

httpx and its fork httpx2 have the same API in two namespaces: a request, a response or an auth of one is not
an instance of the other's classes, and each library checks ``isinstance`` against its own. Everything the SDK
builds for a library (requests, timeouts, response streams) is therefore made from the module of the client or
response at hand, looked up here.
"""

from __future__ import annotations

import functools
import sys
from collections.abc import AsyncIterator
from types import ModuleType
from typing import Any, Final

import httpx

__all__ = ["drain", "library_of"]

_LIBRARIES: Final = ("httpx", "httpx2")


def library_of(obj: object) -> ModuleType:
    """The HTTP library (the ``httpx`` or ``httpx2`` module) whose classes ``obj`` is an instance of."""
    for cls in type(obj).__mro__:
        root = cls.__module__.partition(".")[0]
        if root in _LIBRARIES:
            return sys.modules[root]
    return httpx


@functools.cache
def _drained_stream(lib: ModuleType) -> type[Any]:
    base: type[Any] = lib.AsyncByteStream

    class Drained(base):  # type: ignore[misc]
        """A body read to its end (up to a limit) and thrown away: only its connection is wanted back."""

        def __init__(self, stream: Any, limit: int) -> None:
            self._stream = stream
            self._limit = limit

        async def __aiter__(self) -> AsyncIterator[bytes]:
            read = 0
            async for chunk in self._stream:
                read += len(chunk)
                if read > self._limit:
                    break  # not worth reading on: closing drops the connection instead
            return
            yield b""  # pragma: no cover - makes this an async generator

        async def aclose(self) -> None:
            await self._stream.aclose()

    return Drained


async def drain(response: Any, limit: int) -> None:
    """Read and discard ``response``'s body (at most ``limit`` bytes, undecoded), so its connection is free.

    The library reads a response it replays after (an auth flow's 401) in full and decoded; this leaves it
    nothing to read, so an answer that inflates without end costs nothing.
    """
    response.stream = _drained_stream(library_of(response))(response.stream, limit)
    await response.aread()
