"""What the SDK tells about itself: events for metrics and traces, log records with fields, and ``AMINO_LOG``.

Each event (a login, a refresh, a replay after a 401, a retry, a call given up) goes to the ``amino_async``
logger, as a record whose ``amino_event`` attribute holds the :class:`Event`, and to the ``on_event`` callback a
client was given. Events carry names, statuses, counts and durations: never a token, a password, a cookie, a
header value or a body.
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Callable
from typing import Final, Literal

from attrs import frozen

from ._constants import LOGGER_NAME

__all__ = ["Event", "EventHook", "Events", "configure_from_environment"]

logger = logging.getLogger(LOGGER_NAME)

EventKind = Literal["login", "refresh", "replay", "retry", "give_up"]
_LEVELS: Final = {"login": logging.INFO, "refresh": logging.INFO, "give_up": logging.INFO}


@frozen
class Event:
    """One thing the SDK did on its own account, with what a metric or a span needs.

    ``kind``: ``"login"`` and ``"refresh"`` (a token call; ``duration`` its seconds, ``error`` the SDK error's
    name when it failed), ``"replay"`` (a request sent again after a 401), ``"retry"`` (a call tried again after
    ``error``, ``attempt`` the retry's number, ``delay`` the wait before it), ``"give_up"`` (a call that ended in
    ``error`` after ``attempt`` retries). ``method`` and ``path`` name the call (no query); ``status`` its HTTP
    status where there was one; ``user`` the user id the tokens are for, where known.
    """

    kind: EventKind
    method: str | None = None
    path: str | None = None
    status: int | None = None
    attempt: int | None = None
    error: str | None = None
    duration: float | None = None
    delay: float | None = None
    user: str | None = None


#: What a client calls with every event (``AminoClient(..., on_event=...)``); it must not block.
EventHook = Callable[[Event], None]


class Events:
    """Where the events of one client go: the logger, and its hook."""

    __slots__ = ("hook",)

    def __init__(self, hook: EventHook | None = None) -> None:
        self.hook = hook

    def emit(self, event: Event) -> None:
        """Log ``event`` and hand it to the hook; a failing hook is logged, never raised into the call."""
        level = _LEVELS.get(event.kind, logging.DEBUG)
        if logger.isEnabledFor(level):
            logger.log(level, "%s", _describe(event), extra={"amino_event": event})
        hook = self.hook
        if hook is not None:
            try:
                hook(event)
            except Exception as exc:  # a metrics bug must not fail the call it measures
                logger.warning("the on_event hook failed: %s", type(exc).__name__)


_WHAT: Final = {
    "login": "logged in",
    "refresh": "refreshed the access token",
    "replay": "replayed after a 401",
    "retry": "retrying",
    "give_up": "gave up",
}


def _describe(event: Event) -> str:
    """The event as a log line a person reads: what happened, to which call, how it ended."""
    what = _WHAT[event.kind]
    if event.error and event.kind in ("login", "refresh"):
        what = f"{event.kind} failed ({event.error})"
    parts = [what]
    if event.method:
        parts.append(f"{event.method} {event.path}")
    if event.error and event.kind not in ("login", "refresh"):
        parts.append(f"after HTTP {event.status}" if event.status is not None else f"after {event.error}")
    if event.attempt is not None and event.kind != "replay":
        parts.append(f"(attempt {event.attempt})")
    if event.delay is not None:
        parts.append(f"in {event.delay:.2f} s")
    if event.duration is not None:
        parts.append(f"in {event.duration * 1000:.0f} ms")
    if event.user:
        parts.append(f"for user {event.user}")
    return " ".join(parts)


_configured = False


def configure_from_environment() -> None:
    """``AMINO_LOG=info`` or ``debug`` (or ``warning``): the SDK's log to stderr, without writing any code."""
    global _configured
    level = os.environ.get("AMINO_LOG", "").strip().upper()
    if _configured or level not in ("DEBUG", "INFO", "WARNING"):
        return
    _configured = True
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    logger.addHandler(handler)
    logger.setLevel(level)
