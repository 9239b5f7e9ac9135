"""Bounded-concurrency fan-out whose memory does not grow with the number of inputs."""

from __future__ import annotations

from collections.abc import AsyncGenerator, AsyncIterable, AsyncIterator, Awaitable, Callable, Iterable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import TYPE_CHECKING, Any, Generic, TypeVar

import anyio
from attrs import frozen

from .._errors import AminoError
from ..models import Stream

if TYPE_CHECKING:
    # Only named here: anyio loads its memory streams (a tenth of the SDK's import time) on first use.
    from anyio.streams.memory import MemoryObjectReceiveStream, MemoryObjectSendStream

__all__ = ["ChannelStreams", "Fanout", "bulk_map"]

T = TypeVar("T")
R = TypeVar("R")


@frozen
class ChannelStreams:
    """One channel's outcome in :meth:`~amino_async.resources.Channels.streams_many`.

    ``streams`` holds the channel's streams, or is None when fetching them failed with ``error``.
    """

    channel_id: str
    streams: list[Stream] | None
    error: AminoError | None = None

    @property
    def ok(self) -> bool:
        """Whether the streams were fetched."""
        return self.error is None


class _Source(Generic[T]):
    """Hands out the inputs one at a time to any number of workers, reading them only as needed."""

    def __init__(self, items: Iterable[T] | AsyncIterable[T]) -> None:
        self._sync = iter(items) if isinstance(items, Iterable) else None
        self._async = aiter(items) if isinstance(items, AsyncIterable) else None
        # An async iterator must not be advanced by two tasks at once.
        self._lock = anyio.Lock()
        self._done = False

    async def next(self) -> tuple[T] | None:
        if self._done:
            return None
        try:
            if self._sync is not None:
                return (next(self._sync),)
            assert self._async is not None
            async with self._lock:
                if self._done:
                    return None
                return (await anext(self._async),)
        except (StopIteration, StopAsyncIteration):
            self._done = True
            return None


class Fanout(AsyncIterator[R]):
    """``fn(item)`` for every item, as each completes, with at most ``concurrency`` running at once.

    Up to ``concurrency`` workers pull items lazily and pass results through a buffer of the same size, so
    neither the number of tasks nor the memory held depends on how many items there are. A worker starts the
    next one only once it has an item, so a concurrency larger than the input costs no idle tasks.

    Use it the way anyio recommends for fan-out, as a block that owns its workers::

        async with client.channels.streams_many(ids) as results:
            async for result in results:
                ...

    Leaving the block early cancels the workers at once. It is also an async iterator (``async for result in
    client.channels.streams_many(ids)``), as it always was; iterated that way it is an async generator holding
    a task group, so close it in the task that iterates (``contextlib.aclosing``) to stop it early.
    """

    def __init__(
        self, fn: Callable[[T], Awaitable[R]], items: Iterable[T] | AsyncIterable[T], *, concurrency: int
    ) -> None:
        if concurrency < 1:
            raise ValueError("concurrency must be at least 1")
        self._fn = fn
        self._items = items
        self._concurrency = concurrency
        self._generator: AsyncGenerator[R, None] | None = None
        self._block: AbstractAsyncContextManager[MemoryObjectReceiveStream[R]] | None = None

    # --- the block -------------------------------------------------------------------------------------------

    async def __aenter__(self) -> MemoryObjectReceiveStream[R]:
        if self._block is not None or self._generator is not None:
            raise RuntimeError("this fan-out has already been started")
        self._block = self._run()
        return await self._block.__aenter__()

    async def __aexit__(self, *exc_info: Any) -> bool | None:
        assert self._block is not None
        return await self._block.__aexit__(*exc_info)

    # --- the iterator ----------------------------------------------------------------------------------------

    def __aiter__(self) -> Fanout[R]:
        return self

    async def __anext__(self) -> R:
        if self._generator is None:
            if self._block is not None:
                raise RuntimeError("iterate the stream the block gave, not the fan-out itself")
            self._generator = self._iterate()
        return await self._generator.__anext__()

    async def aclose(self) -> None:
        """Stop: cancel the workers and wait for them (a no-op once finished)."""
        if self._generator is not None:
            await self._generator.aclose()

    async def _iterate(self) -> AsyncGenerator[R, None]:
        async with self._run() as results:
            async for result in results:
                yield result

    # --- the workers -----------------------------------------------------------------------------------------

    @asynccontextmanager
    async def _run(self) -> AsyncIterator[MemoryObjectReceiveStream[R]]:
        source = _Source(self._items)
        concurrency, fn = self._concurrency, self._fn
        send, receive = anyio.create_memory_object_stream[R](max_buffer_size=concurrency)
        started = 0

        def start_worker(results: MemoryObjectSendStream[R]) -> None:
            nonlocal started
            started += 1
            workers.start_soon(worker, results.clone())

        async def worker(results: MemoryObjectSendStream[R]) -> None:
            async with results:
                while (item := await source.next()) is not None:
                    if started < concurrency:
                        start_worker(results)
                    await results.send(await fn(item[0]))

        async with anyio.create_task_group() as workers:
            async with send:
                start_worker(send)
            async with receive:
                # Whatever ends the block (its end, an exception, aclose, a cancellation of this task alone such
                # as asyncio's wait_for) stops the workers first: left running, they would fail sending to the
                # closed buffer and turn the caller's cancellation into an exception group.
                try:
                    yield receive
                except BaseException as exc:
                    workers.cancel_scope.cancel()
                    # The generator shape being closed: the task group would wrap the GeneratorExit in a group.
                    if not isinstance(exc, GeneratorExit):
                        raise
                else:
                    workers.cancel_scope.cancel()


def bulk_map(
    fn: Callable[[T], Awaitable[R]],
    items: Iterable[T] | AsyncIterable[T],
    *,
    concurrency: int,
) -> Fanout[R]:
    """``fn(item)`` for every item with at most ``concurrency`` running at once: see :class:`Fanout`."""
    return Fanout(fn, items, concurrency=concurrency)
