"""The exception hierarchy: everything the SDK raises derives from :class:`AminoError`.

No message built here ever includes a token, a password, a cookie or a response body verbatim: only statuses,
the server's error titles and details, and field paths.
"""

from __future__ import annotations

import builtins
from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import httpx

    from .models import ErrorObject

__all__ = [
    "AminoError",
    "ApiError",
    "AuthenticationError",
    "BadRequestError",
    "ClientClosedError",
    "ConfigurationError",
    "DecodeError",
    "NotFoundError",
    "PermissionDeniedError",
    "RateLimitError",
    "ResponseTooLargeError",
    "ServerError",
    "TimeoutError",
    "TransportError",
    "UnavailableForLegalReasonsError",
]


class AminoError(Exception):
    """Base class of every error the SDK raises."""


class ConfigurationError(AminoError, ValueError):
    """The client was set up in a way that cannot work or is unsafe (e.g. credentials over plain http)."""


class DecodeError(AminoError):
    """A successful answer that is not the documented shape.

    ``path`` names the offending field in the document, e.g. ``data[2].attributes.bitrate``; the message
    describes what was expected and the type found, never the value itself (it may be a token).
    """

    def __init__(self, reason: str, *, path: str = "") -> None:
        self.path = path
        self.reason = reason
        super().__init__(f"{path}: {reason}" if path else reason)


class ClientClosedError(AminoError):
    """The client was closed before or while the call was made: nothing more is sent through it."""


class TransportError(AminoError):
    """The request could not be completed: connection refused or reset, protocol error, or a timeout."""


class TimeoutError(TransportError, builtins.TimeoutError):
    """A call took longer than its timeout, its deadline, or the wait for a connection from the pool.

    It is also a :class:`builtins.TimeoutError`, so ``except TimeoutError:`` in code that never imported this
    name catches it too.
    """


class ResponseTooLargeError(TransportError):
    """The answer's body, counted after decompression, is larger than the client's ``max_response_size``.

    Reading stops at the limit, so an answer that inflates without end (a compression bomb) never fills memory.
    """


class _StatusError(AminoError):
    """Shared shape of errors that come from an HTTP answer."""

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        errors: Sequence[ErrorObject] = (),
        request_id: str | None = None,
        retry_after: float | None = None,
        response: httpx.Response | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.errors: tuple[ErrorObject, ...] = tuple(errors)
        self.request_id = request_id
        # The server's Retry-After in seconds, where it sent one (429, 503).
        self.retry_after = retry_after
        # The raw answer, for callers who need a header the SDK does not surface. Not part of str()/repr().
        self.response = response

    @property
    def detail(self) -> str | None:
        """The first error object's ``detail`` (or ``details``), or its title."""
        for error in self.errors:
            if error.detail or error.title:
                return error.detail or error.title
        return None


class AuthenticationError(_StatusError):
    """Credentials were refused, or the tokens can no longer be renewed and there is nothing to log in with.

    ``status`` is the HTTP status of the answer that refused them, or None when no call was made.
    """


class ApiError(_StatusError):
    """The server answered with an HTTP error status.

    ``status`` is always set; ``errors`` holds the parsed JSON:API error objects (empty when the body was not
    JSON, such as a proxy's HTML page); ``request_id`` is the first error object's id or a request-id header;
    ``retry_after`` the server's ``Retry-After`` in seconds where sent.
    """


class BadRequestError(ApiError):
    """400: the server refused the request's parameters."""


class PermissionDeniedError(ApiError):
    """403: the user may not access this resource."""


class NotFoundError(ApiError):
    """404: no such resource."""


class UnavailableForLegalReasonsError(ApiError):
    """451: the content may not be shown here (geo or rights restrictions)."""


class RateLimitError(ApiError):
    """429: too many requests. ``retry_after`` is the server's wait in seconds, or None."""


class ServerError(ApiError):
    """Any 5xx answer, including gateways' 502/503/504 pages."""
