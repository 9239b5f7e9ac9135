"""An answer: its body read within bounds, and the SDK error a non-2xx answer means.

The body is decompressed by the SDK itself, a bounded step at a time, so that no answer (a compression bomb, an
endless one) can take more memory than the limit asked for. Error messages hold the status and the server's
first detail, cut short, with control characters and any secret the SDK sent taken out.
"""

from __future__ import annotations

import contextlib
import re
import time
import zlib
from collections.abc import AsyncGenerator, Callable, Iterable, Iterator, Mapping
from email.utils import parsedate_to_datetime
from typing import Any, Final, cast

import httpx
from attrs import define

from ._decoding import load_json
from ._errors import (
    AminoError,
    ApiError,
    AuthenticationError,
    BadRequestError,
    DecodeError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    ResponseTooLargeError,
    ServerError,
    UnavailableForLegalReasonsError,
)
from ._jsonapi import decode_errors
from ._transport import BODY_EXTENSION
from .models import ErrorObject

__all__ = ["Answer", "error_from_answer", "parse_retry_after", "read_body", "sent_secrets"]

_STATUS_ERRORS: Final[Mapping[int, type[ApiError]]] = {
    400: BadRequestError,
    403: PermissionDeniedError,
    404: NotFoundError,
    429: RateLimitError,
    451: UnavailableForLegalReasonsError,
}
_MAX_DETAIL: Final = 300
_CONTROL: Final = re.compile(r"[\x00-\x1f\x7f]+")
#: What a decompressor may produce in one step: bounds the memory a compression bomb can take per chunk.
_INFLATE_STEP: Final = 256 * 1024
#: How much compressed input a decompressor is given at once.
_FEED_STEP: Final = 64 * 1024
_REDACTED: Final = "[redacted]"


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
        except (TypeError, ValueError, IndexError, OverflowError):
            return None
        seconds = moment - (time.time() if now is None else now)
    if seconds != seconds or seconds in (float("inf"), float("-inf")):  # NaN or infinite
        return None
    return max(0.0, seconds)


@define(slots=True)
class Answer:
    """A completed HTTP answer: the library's response (its body already consumed) and the body, decoded.

    :meth:`http_response` gives a readable copy of the library's response, built only when asked for.
    """

    response: httpx.Response
    content: bytes
    _copy: httpx.Response | None = None

    @property
    def status(self) -> int:
        """The HTTP status."""
        return self.response.status_code

    @property
    def headers(self) -> httpx.Headers:
        """The answer's headers, as sent."""
        return self.response.headers

    def json(self) -> Any:
        """The body as JSON (:class:`~amino_async.DecodeError` when it is not)."""
        return load_json(self.content)

    def http_response(self) -> httpx.Response:
        """The answer as a read response of the HTTP library in use: ``.content``, ``.json()``, headers.

        Its body is the decoded one, so the ``Content-Encoding`` and ``Content-Length`` of the wire are left out.
        """
        if self._copy is None:
            response = self.response
            headers = [
                (name, value)
                for name, value in response.headers.multi_items()
                if name not in ("content-encoding", "content-length")
            ]
            copy = type(response)(
                response.status_code,
                headers=headers,
                content=self.content,
                request=response.request,
                extensions=response.extensions,
            )
            copy.history = list(response.history)
            self._copy = copy
        return self._copy


async def read_body(response: httpx.Response, limit: int) -> bytes:
    """The answer's body, decompressed with a bound on every step, or an error past ``limit`` bytes.

    The decoding is the SDK's own rather than the library's because the library inflates each network chunk
    whole: 64 KiB of gzip can become 64 MiB in one step, before any limit could be checked. The body of an
    error answer that cannot be decoded is read as empty: its status still says what happened.
    """
    # Taken off the response at once: a copy of it (``Answer.http_response``) must not carry the raw body.
    whole: bytes | None = response.extensions.pop(BODY_EXTENSION, None)
    encoding = response.headers.get("content-encoding", "identity").strip().lower()
    if encoding in ("identity", ""):
        inflate = None
    elif encoding in ("gzip", "x-gzip"):
        inflate = _Inflater(16 + zlib.MAX_WBITS).feed
    elif encoding == "deflate":
        inflate = _Inflater(zlib.MAX_WBITS, raw_fallback=True).feed
    elif response.is_success:
        raise DecodeError("the answer uses a content encoding the SDK did not ask for")
    else:
        return b""
    chunks: list[bytes] = []
    size = 0
    try:
        if whole is not None:
            # The SDK's own transport read the raw body already (stopping past what could fit): taken as it is,
            # with the same count and the same bounded decompression, instead of through the library's stream
            # wrappers. Closed now, so that the send path need not close it under a shield.
            await response.aclose()
            if inflate is None and len(whole) <= limit:
                return whole
            _take(response, chunks, whole, inflate, limit, 0)
            return b"".join(chunks)
        # Closed at once when reading stops early: left to the garbage collector, trio would warn about it.
        # (httpx declares an iterator; it is an async generator, which aclosing needs.)
        async with contextlib.aclosing(cast("AsyncGenerator[bytes, None]", response.aiter_raw())) as raws:
            async for raw in raws:
                size = _take(response, chunks, raw, inflate, limit, size)
    except zlib.error:
        if response.is_success:
            raise DecodeError(f"the answer's {encoding} body is corrupt") from None
        return b""
    return b"".join(chunks)


def _take(
    response: httpx.Response,
    chunks: list[bytes],
    raw: bytes,
    inflate: Callable[[bytes, int], Iterable[bytes]] | None,
    limit: int,
    size: int,
) -> int:
    """Add ``raw`` (decompressed, a bounded step at a time) to ``chunks``; the size so far, or an error past
    ``limit``."""
    for piece in inflate(raw, limit - size + 1) if inflate is not None else (raw,):
        size += len(piece)
        if size > limit:
            request = response.request
            raise ResponseTooLargeError(
                f"the answer to {request.method} {request.url.path} is larger than max_response_size "
                f"({limit} bytes); reading stopped there"
            )
        chunks.append(piece)
    return size


class _Inflater:
    """zlib decompression that never produces more than ``_INFLATE_STEP`` bytes, or than asked, at once."""

    __slots__ = ("_decompress", "_raw_fallback", "_started")

    def __init__(self, wbits: int, *, raw_fallback: bool = False) -> None:
        self._decompress = zlib.decompressobj(wbits)
        # "deflate" answers are zlib streams by the standard and raw deflate by common practice.
        self._raw_fallback = raw_fallback
        self._started = False

    def feed(self, data: bytes, budget: int) -> Iterator[bytes]:
        """The decompressed pieces of ``data``, stopping once ``budget`` bytes came out."""
        if not self._started and self._raw_fallback:
            self._started = True
            try:
                zlib.decompressobj(zlib.MAX_WBITS).decompress(data[:64], 1)
            except zlib.error:
                self._decompress = zlib.decompressobj(-zlib.MAX_WBITS)
        view = memoryview(data)
        produced = 0
        # A whole body in one chunk (a transport that reads it all) goes in a slice at a time: zlib copies the
        # input it has not consumed after every step, and a step of a bomb consumes only a few hundred bytes.
        for start in range(0, len(view), _FEED_STEP):
            pending: bytes | memoryview = view[start : start + _FEED_STEP]
            while pending and produced < budget:
                piece = self._decompress.decompress(pending, min(_INFLATE_STEP, budget - produced))
                produced += len(piece)
                pending = self._decompress.unconsumed_tail
                if piece:
                    yield piece
                elif not pending:
                    break
            if produced >= budget:
                return


def sent_secrets(answer: Answer, given: tuple[str, ...]) -> tuple[str, ...]:
    """What the request carried that the server must not be able to echo into an error: the bearer, and more."""
    authorization = answer.response.request.headers.get("authorization", "")
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() == "bearer" and token:
        return (*given, token.strip())
    return given


def _redact(text: str, secrets: tuple[str, ...]) -> str:
    for secret in secrets:
        if len(secret) >= 4 and secret in text:
            text = text.replace(secret, _REDACTED)
    return _CONTROL.sub(" ", text)


def error_from_answer(answer: Answer, *, secrets: tuple[str, ...] = ()) -> AminoError:
    """The SDK error for a non-2xx answer, whatever its body (JSON:API errors, HTML, nothing).

    The message holds the status and the server's first detail, truncated, with control characters and any of
    ``secrets`` taken out; for a redirect, where it pointed, without the query.
    """
    status = answer.status
    errors: tuple[ErrorObject, ...] = ()
    if answer.content:
        try:
            errors = decode_errors(load_json(answer.content))
        except AminoError:
            errors = ()  # a proxy's HTML page or a truncated body: the status still says what happened
    if secrets and errors:
        errors = tuple(
            ErrorObject(**{name: _redact(value, secrets) if value else value for name, value in _fields(e).items()})
            for e in errors
        )
    detail = next((e.detail or e.title for e in errors if e.detail or e.title), None)
    reason = answer.response.reason_phrase or "error"
    message = f"HTTP {status} {reason}"
    if 300 <= status < 400:
        message += f": redirected to {_redirect_target(answer)} (redirects are not followed)"
    elif detail:
        message += f": {_redact(detail, secrets)[:_MAX_DETAIL]}"
    request_id = next((e.id for e in errors if e.id), None) or answer.headers.get("x-request-id")
    error_class: type[AuthenticationError] | type[ApiError]
    if status == 401:
        error_class = AuthenticationError
    else:
        error_class = _STATUS_ERRORS.get(status) or (ServerError if status >= 500 else ApiError)
    return error_class(
        message,
        status=status,
        errors=errors,
        request_id=request_id[:200] if request_id else None,
        retry_after=parse_retry_after(answer.headers.get("retry-after")),
        response=answer.http_response(),
    )


def _fields(error: ErrorObject) -> dict[str, str | None]:
    return {
        "id": error.id,
        "status": error.status,
        "code": error.code,
        "title": error.title,
        "detail": error.detail,
        "href": error.href,
    }


def _redirect_target(answer: Answer) -> str:
    location = answer.headers.get("location")
    if not location:
        return "nowhere (no Location header)"
    try:
        target = answer.response.request.url.join(location).copy_with(query=None, fragment=None)
    except Exception:
        return "an invalid URL"
    return _CONTROL.sub("", str(target))[:_MAX_DETAIL]
