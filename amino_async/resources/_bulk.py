"""Bounded-concurrency fan-out whose memory does not grow with the number of inputs."""

from __future__ import annotations

from collections.abc import AsyncGenerator, AsyncIterable, Awaitable, Callable, Iterable
from typing import TYPE_CHECKING, Generic, TypeVar

import anyio
from attrs import frozen

from .._errors import AminoError
from ..models import Stream

if TYPE_CHECKING:
    # Only named here: anyio loads its memory streams (a tenth of the SDK's import time) on first use.
    from anyio.streams.memory import MemoryObjectSendStream

__all__ = ["ChannelStreams", "bulk_map"]

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


async def bulk_map(
    fn: Callable[[T], Awaitable[R]],
    items: Iterable[T] | AsyncIterable[T],
    *,
    concurrency: int,
) -> AsyncGenerator[R, None]:
    """Yield ``fn(item)`` for every item as each completes, with at most ``concurrency`` running at once.

    Up to ``concurrency`` workers pull items lazily and pass results through a buffer of the same size, so
    neither the number of tasks nor the memory held depends on how many items there are. A worker starts the
    next one only once it has an item, so a concurrency larger than the input costs no idle tasks. Closing the
    generator early
    cancels the workers; close it in the task that iterates (``contextlib.aclosing``), as any generator holding
    a task group must be.
    """
    if concurrency < 1:
        raise ValueError("concurrency must be at least 1")
    source = _Source(items)
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
            try:
                async for result in receive:
                    yield result
            except BaseException as exc:
                # Whatever stops the reading (aclose, a cancellation of this task alone such as asyncio's
                # wait_for or timeout) stops the workers first: left running, they would fail sending to the
                # closed buffer and turn the caller's cancellation into an exception group.
                workers.cancel_scope.cancel()
                if not isinstance(exc, GeneratorExit):
                    raise
