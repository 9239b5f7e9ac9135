"""Which HTTP library a client runs on, and the few things that must be made of that library's own classes.

httpx and its maintained fork httpx2 have the same API in two namespaces: a request, a response or an auth of
one is not an instance of the other's classes, and each library checks ``isinstance`` against its own. So:

- a client's library is decided once: by what the caller passed (an ``http_client`` or a ``transport`` of either
  library), else by ``http_library=`` or ``$AMINO_HTTP_LIBRARY``, else httpx2 when it is installed, else httpx;
- everything the SDK builds for a client (requests, timeouts, its pool, response streams) is made from that
  library's module, looked up here; values of the other library (a ``Timeout``, ``Limits``) are converted.

``import amino_async`` imports httpx only (the core dependency): httpx2 is found with ``find_spec`` and imported
when the first client or auth that may run on it is built, so a program pays for it only once it uses it.
"""

from __future__ import annotations

import functools
import importlib
import importlib.util
import os
import sys
from collections.abc import AsyncIterator
from types import ModuleType
from typing import Any, Final

import httpx

from ._errors import ConfigurationError

__all__ = [
    "LIBRARY_NAMES",
    "choose_library",
    "drain",
    "imported",
    "installed",
    "library_of",
    "limits_for",
    "pool_class",
    "timeout_for",
]

#: The libraries the SDK runs on, preferred first.
LIBRARY_NAMES: Final = ("httpx2", "httpx")
_ENVIRONMENT: Final = "AMINO_HTTP_LIBRARY"


def installed(name: str) -> bool:
    """Whether the library ``name`` can be imported (without importing it).

    A ``None`` in ``sys.modules`` (what a test or a benchmark sets to block an import) counts as not installed.
    """
    if name in sys.modules:
        return sys.modules[name] is not None
    return _found(name)


@functools.cache
def _found(name: str) -> bool:
    # Cached: an AminoAuth asks at each construction (one per incoming web request, with views).
    return importlib.util.find_spec(name) is not None


def imported(name: str) -> bool:
    """Whether the library ``name`` has been imported already (by the program or by the SDK)."""
    return sys.modules.get(name) is not None


def choose_library(name: str | None = None) -> ModuleType:
    """The library for a client that was given no HTTP object: ``name``, ``$AMINO_HTTP_LIBRARY``, or the default.

    The default is httpx2 when it is installed (the ``speedups`` extra installs it), else httpx.
    """
    wanted = name or os.environ.get(_ENVIRONMENT) or None
    if wanted is not None:
        if wanted not in LIBRARY_NAMES:
            raise ConfigurationError(f"http_library must be one of {', '.join(LIBRARY_NAMES)}")
        if not installed(wanted):
            raise ConfigurationError(f"http_library {wanted!r} is not installed")
        return importlib.import_module(wanted)
    for candidate in LIBRARY_NAMES:
        if installed(candidate):
            return importlib.import_module(candidate)
    return httpx  # pragma: no cover - httpx is a dependency


def library_of(obj: object) -> ModuleType | None:
    """The library (the ``httpx`` or ``httpx2`` module) whose classes ``obj`` is an instance of, if any."""
    for cls in type(obj).__mro__:
        root = cls.__module__.partition(".")[0]
        if root in LIBRARY_NAMES and root in sys.modules:
            return sys.modules[root]
    return None


def timeout_for(lib: ModuleType, timeout: Any) -> Any:
    """``timeout`` (seconds, None, or either library's ``Timeout``) as ``lib``'s ``Timeout``."""
    if timeout is None or isinstance(timeout, (int, float)):
        return lib.Timeout(timeout)
    if isinstance(timeout, lib.Timeout):
        return timeout
    if library_of(timeout) is not None and hasattr(timeout, "as_dict"):
        return lib.Timeout(**timeout.as_dict())
    raise ConfigurationError("timeout must be a number of seconds, None, or an httpx/httpx2 Timeout")


def limits_for(lib: ModuleType, limits: Any) -> Any:
    """``limits`` (either library's ``Limits``) as ``lib``'s ``Limits``."""
    if isinstance(limits, lib.Limits):
        return limits
    if library_of(limits) is not None:
        return lib.Limits(
            max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=limits.keepalive_expiry,
        )
    raise ConfigurationError("limits must be an httpx or httpx2 Limits")


@functools.cache
def pool_class(lib: ModuleType) -> type[Any]:
    """``lib``'s ``AsyncClient``, keeping no cookie jar: the SDK's own pool.

    One user's session cookie must never ride along with another user's call. The SDK builds its requests without
    any jar, and its own pool does not even fill one, so it need not read the cookies of every answer (about a
    tenth of a request's CPU). The public ``cookies`` property is what is overridden: nothing private is touched.
    """

    class Cookieless(lib.Cookies):  # type: ignore[misc, name-defined]
        """Cookies that are never kept."""

        def extract_cookies(self, response: Any) -> None:
            return None

    no_cookies = Cookieless()

    class Pool(lib.AsyncClient):  # type: ignore[misc, name-defined]
        """The SDK's own connection pool: no cookie jar."""

        @property
        def cookies(self) -> Any:
            return no_cookies

        @cookies.setter
        def cookies(self, cookies: Any) -> None:
            return None

    return Pool


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
    lib = library_of(response) or httpx
    response.stream = _drained_stream(lib)(response.stream, limit)
    await response.aread()
