"""HTTP answers and failures into SDK errors, and when to try again: the one place for both.

The request path (:mod:`amino_async._client`) and the token calls (:mod:`amino_async._auth`) share these rules,
so a 503 or a reset connection means the same thing wherever it happens.
"""

from __future__ import annotations

import random
import time
from collections.abc import Mapping
from email.utils import parsedate_to_datetime
from typing import Final

import httpx
from attrs import frozen

from ._decoding import load_json
from ._errors import (
    AminoError,
    ApiError,
    AuthenticationError,
    BadRequestError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    ServerError,
    TimeoutError,
    TransportError,
    UnavailableForLegalReasonsError,
)
from ._jsonapi import decode_errors

__all__ = ["RetryPolicy", "error_from_response", "error_from_transport", "parse_retry_after"]

#: Statuses a retry may cure: throttling and gateways that could not reach the service.
RETRYABLE_STATUSES: Final = frozenset({429, 502, 503, 504})
IDEMPOTENT_METHODS: Final = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})

_STATUS_ERRORS: Final[Mapping[int, type[ApiError]]] = {
    400: BadRequestError,
    403: PermissionDeniedError,
    404: NotFoundError,
    429: RateLimitError,
    451: UnavailableForLegalReasonsError,
}
_MAX_DETAIL: Final = 300


@frozen
class RetryPolicy:
    """How often and how long to wait before trying a failed idempotent call again.

    Waits grow exponentially from ``initial_delay`` up to ``max_delay`` with full jitter (so that many clients
    failing together do not retry together). A ``Retry-After`` from the server is honoured as sent, unless it
    asks for more than ``max_retry_after`` seconds, in which case the error is raised at once.
    """

    max_retries: int = 2
    initial_delay: float = 0.5
    max_delay: float = 8.0
    max_retry_after: float = 60.0

    def delay(self, attempt: int, retry_after: float | None = None) -> float | None:
        """Seconds to wait before retry number ``attempt`` (0-based), or None to give up now."""
        if attempt >= self.max_retries:
            return None
        if retry_after is not None:
            return retry_after if retry_after <= self.max_retry_after else None
        ceiling = min(self.max_delay, self.initial_delay * 2.0**attempt)
        return random.uniform(ceiling / 2, ceiling)


def parse_retry_after(value: str | None, *, now: float | None = None) -> float | None:
    """``Retry-After`` in seconds: delta-seconds or an HTTP date; None when absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        try:
            moment = parsedate_to_datetime(value).timestamp()
        except (TypeError, ValueError, IndexError):
            return None
        seconds = moment - (time.time() if now is None else now)
    if seconds != seconds or seconds in (float("inf"), float("-inf")):  # NaN or infinite
        return None
    return max(0.0, seconds)


def error_from_response(response: httpx.Response) -> AminoError:
    """The SDK error for an HTTP error answer, whatever its body (JSON:API errors, HTML, nothing)."""
    status = response.status_code
    try:
        errors = decode_errors(load_json(response.content)) if response.content else ()
    except AminoError:
        errors = ()  # a proxy's HTML page or a truncated body: the status still says what happened
    detail = next((e.detail or e.title for e in errors if e.detail or e.title), None)
    reason = response.reason_phrase or "error"
    message = f"HTTP {status} {reason}"
    if detail:
        message += f": {detail[:_MAX_DETAIL]}"
    request_id = next((e.id for e in errors if e.id), None) or response.headers.get("x-request-id")
    error_class: type[AuthenticationError] | type[ApiError]
    if status == 401:
        error_class = AuthenticationError
    else:
        error_class = _STATUS_ERRORS.get(status) or (ServerError if status >= 500 else ApiError)
    return error_class(
        message,
        status=status,
        errors=errors,
        request_id=request_id,
        retry_after=parse_retry_after(response.headers.get("retry-after")),
        response=response,
    )


def error_from_transport(exc: httpx.TransportError, request: httpx.Request) -> TransportError:
    """The SDK error for a request that got no answer: only the method, path and failure are named."""
    what = f"{request.method} {request.url.path}"
    if isinstance(exc, httpx.TimeoutException):
        return TimeoutError(f"{what} timed out ({type(exc).__name__})")
    return TransportError(f"{what} failed: {type(exc).__name__}: {exc}")
