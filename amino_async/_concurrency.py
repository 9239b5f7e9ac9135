"""The one place that knows which event loop runs: work detached from its caller, and the loop's name.

anyio has no detached task: everything it starts belongs to a task group, and so to a caller that may be
cancelled. A token call must outlive the caller that started it (the server may have rotated the refresh token
already, and the answer is the only copy of the new one), so it runs on its own: in a task of its own on
asyncio, in a system task on trio. Everything else in the SDK is plain anyio.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Coroutine
from typing import Any, Final

from ._constants import LOGGER_NAME

__all__ = ["current_async_library", "spawn_detached"]

logger = logging.getLogger(LOGGER_NAME)

#: The asyncio tasks running detached work: the loop keeps only weak references to its tasks, so without
#: these a task could be collected mid-flight.
_running: Final[set[Any]] = set()


def current_async_library() -> str:
    """The event loop running this task: "asyncio" or "trio"."""
    try:
        import sniffio
    except ImportError:  # pragma: no cover - trio depends on sniffio, so without it this is asyncio
        return "asyncio"
    return sniffio.current_async_library()


def spawn_detached(work: Callable[[], Coroutine[Any, Any, None]]) -> None:
    """Run ``work()`` beside the current task, owned by no caller, so that no caller's cancellation stops it.

    ``work`` must record its own outcome and catch its own failures: nobody awaits it. What still escapes it is
    logged (by type only: it may carry a secret) and dropped. Cancelled only when the event loop itself ends.
    """
    if current_async_library() == "trio":
        import trio

        trio.lowlevel.spawn_system_task(_guarded, work, name="amino-async token call")
        return
    import asyncio

    task = asyncio.get_running_loop().create_task(_guarded(work))
    _running.add(task)
    task.add_done_callback(_running.discard)


async def _guarded(work: Callable[[], Coroutine[Any, Any, None]]) -> None:
    # A trio system task that raises takes the whole run down with it; an asyncio task's failure would only
    # be logged when it is collected. Either way nobody could handle it, so it is logged here and dropped.
    try:
        await work()
    except Exception as exc:
        logger.error("detached work failed: %s", type(exc).__name__)  # noqa: TRY400 - no traceback: it holds locals
