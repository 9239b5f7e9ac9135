"""The one send path: every call of the SDK, data calls and token calls alike, is sent, bounded and retried here.

What it guarantees, whatever the HTTP client it is given was configured to do:

- no redirect is ever followed (a 3xx is an :class:`~amino_async.ApiError` naming the target without its query);
- no cookie jar is ever sent (each user's session cookie travels only in that user's own token calls);
- each attempt ends within its timeout, from connecting to the last byte of the body, and the whole call within
  its ``deadline``, retries, backoff and the wait for a token renewal included;
- no body is read past ``max_response_size`` bytes after decompression, and decompression itself is bounded;
- a closed client sends nothing more, and calls in flight when it closes end in
  :class:`~amino_async.ClientClosedError`;
- every failure is a subclass of :class:`~amino_async.AminoError`, raised with no exception chain and with no
  header value, body or secret the SDK sent in its message.
"""

from __future__ import annotations

import contextlib
import json
import logging
import random
from collections.abc import Callable, Iterable, Mapping
from typing import Any, Final

import anyio
import httpx
from attrs import evolve, frozen

from ._answer import Answer, error_from_answer, read_body, sent_secrets
from ._constants import DEFAULT_MAX_RESPONSE_SIZE, LOGGER_NAME
from ._errors import (
    AminoError,
    ClientClosedError,
    ConfigurationError,
    ResponseTooLargeError,
    TimeoutError,
    TransportError,
)
from ._events import Event, Events
from ._http import library_of, timeout_for
from ._transport import MAX_BODY_EXTENSION, tls_failure

__all__ = ["TOKEN_CALL_RETRY", "CallOptions", "RetryPolicy", "Sender"]

logger = logging.getLogger(LOGGER_NAME)

IDEMPOTENT_METHODS: Final = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})
_ACCEPT_ENCODING: Final = "gzip, deflate"


@frozen
class RetryPolicy:
    """How often and how long to wait before trying a failed call again.

    Waits grow exponentially from ``initial_delay`` up to ``max_delay`` with full jitter (so that many clients
    failing together do not retry together). A ``Retry-After`` from the server is honoured as sent, unless it
    asks for more than ``max_retry_after`` seconds, in which case the error is raised at once.

    Which failures are retried: one that cannot have reached the server (the connection was never made, no
    connection came free in time), for any call; for idempotent calls, answers with one of ``statuses``, and,
    when ``resend`` is set, failures after the request may have been sent (a reset, a read timeout).
    """

    max_retries: int = 2
    initial_delay: float = 0.5
    max_delay: float = 8.0
    max_retry_after: float = 60.0
    statuses: frozenset[int] = frozenset({429, 502, 503, 504})
    resend: bool = True

    def delay(self, attempt: int, retry_after: float | None = None) -> float | None:
        """Seconds to wait before retry number ``attempt`` (0-based), or None to give up now."""
        if attempt >= self.max_retries:
            return None
        if retry_after is not None:
            return retry_after if retry_after <= self.max_retry_after else None
        ceiling = min(self.max_delay, self.initial_delay * 2.0**attempt)
        return random.uniform(ceiling / 2, ceiling)


#: Token calls: a refresh token presented in a call whose answer was lost may have been rotated already, and
#: presenting it again looks like reuse to the server. So only what cannot have been sent is tried again, and
#: answers that say the call was not processed (throttled, or the service unavailable).
TOKEN_CALL_RETRY: Final = RetryPolicy(statuses=frozenset({429, 503}), resend=False)


@frozen
class CallOptions:
    """What one call (or a view made with ``with_options``) sets for itself; None leaves the client's own."""

    timeout: float | httpx.Timeout | None = None
    max_retries: int | None = None
    deadline: float | None = None
    headers: Mapping[str, str] = {}

    def merge(self, other: CallOptions) -> CallOptions:
        """These options with ``other``'s given ones on top."""
        return CallOptions(
            timeout=other.timeout if other.timeout is not None else self.timeout,
            max_retries=other.max_retries if other.max_retries is not None else self.max_retries,
            deadline=other.deadline if other.deadline is not None else self.deadline,
            headers={**self.headers, **other.headers},
        )


def attempt_bound(timeout: float | httpx.Timeout | None) -> float | None:
    """The longest one attempt may take: the timeout, or the largest phase of an ``httpx.Timeout``.

    httpx applies its timeouts per network read, so an answer trickling a byte at a time never times out there.
    """
    if timeout is None or isinstance(timeout, (int, float)):
        return timeout
    phases = [p for p in (timeout.connect, timeout.read, timeout.write, timeout.pool) if p is not None]
    return max(phases) if phases else None


class Sender:
    """The one send path over one HTTP client (see the module's docstring for what it guarantees).

    ``http`` is used as given: its transport, pool, proxies and default headers; never its redirects or its
    cookies. ``owns_http`` says whether closing the sender closes it.
    """

    def __init__(
        self,
        http: httpx.AsyncClient,
        *,
        owns_http: bool,
        retry: RetryPolicy,
        timeout: float | httpx.Timeout | None,
        deadline: float | None = None,
        headers: Mapping[str, str] | None = None,
        max_response_size: int = DEFAULT_MAX_RESPONSE_SIZE,
        events: Events | None = None,
    ) -> None:
        if max_response_size < 1:
            raise ConfigurationError("max_response_size must be at least 1")
        self.http = http
        self.owns_http = owns_http
        self.retry = retry
        self.max_response_size = max_response_size
        self.options = CallOptions(timeout=timeout, deadline=deadline, headers=dict(headers or {}))
        self.events = events if events is not None else Events()
        #: How many retries calls through this sender have made (for reports and tests).
        self.retries = 0
        self.closed = False
        #: The HTTP library ``http`` belongs to (httpx or httpx2): its request, error and auth classes are used.
        self.library = library_of(http) or httpx
        self._timeouts: dict[object, dict[str, float | None]] = {}
        self._last_bound: tuple[object, float | None] | None = None
        self._last_headers: tuple[list[tuple[bytes, bytes]], dict[str, str], list[tuple[bytes, bytes]]] | None = None

    async def aclose(self) -> None:
        """Send nothing more; close the HTTP client if the sender made it."""
        self.closed = True
        if self.owns_http:
            await self.http.aclose()

    async def send(
        self,
        method: str,
        url: str,
        *,
        auth: httpx.Auth | None,
        json_body: Any = None,
        content: bytes | None = None,
        headers: Mapping[str, str] | None = None,
        options: CallOptions | None = None,
        retry: RetryPolicy | None = None,
        idempotent: bool | None = None,
        secrets: Iterable[str] = (),
    ) -> Answer:
        """Send one call, retrying as ``retry`` (default: the sender's) says, and return its 2xx answer.

        Raises the SDK error for anything else. ``idempotent`` (default: by the method) says whether the call may
        be repeated after an answer that it was not processed. ``secrets`` (what the call carries besides the
        bearer) are redacted from whatever the server echoes back into an error's detail.
        """
        options = self.options if options is None else self.options.merge(options)
        policy = retry if retry is not None else self.retry
        if options.max_retries is not None:
            policy = evolve(policy, max_retries=options.max_retries)
        body = content if json_body is None else _dump_json(json_body)
        request_headers = {"Accept-Encoding": _ACCEPT_ENCODING, **(headers or {}), **options.headers}
        if json_body is not None:
            request_headers.setdefault("Content-Type", "application/json")

        def build() -> httpx.Request:
            return self._build(method, url, request_headers, body, options.timeout)

        attempts = self._attempts(build, auth, policy, options, tuple(secrets), idempotent)
        if options.deadline is None:
            return _raise_or_return(await attempts)
        outcome: Answer | AminoError | None = None
        with anyio.move_on_after(options.deadline):
            outcome = await attempts
        if outcome is None:
            outcome = TimeoutError(
                f"{method} {_path_of(url)} timed out: not done within its deadline of {options.deadline:g} seconds"
            )
        return _raise_or_return(outcome)

    def _build(
        self,
        method: str,
        url: str,
        headers: Mapping[str, str],
        body: bytes | None,
        timeout: float | httpx.Timeout | None,
    ) -> httpx.Request:
        # Built here rather than by ``http.build_request``, which would add the client's cookie jar.
        try:
            merged = self._merged_headers(headers)
            extensions = {"timeout": self._timeout_of(timeout), MAX_BODY_EXTENSION: self.max_response_size}
            request: httpx.Request = self.library.Request(
                method, url, headers=merged, content=body, extensions=extensions
            )
        except (self.library.InvalidURL, ValueError, TypeError):
            # The URL builder checked every part the SDK put in; what is left is a header of the caller's own.
            raise ConfigurationError("the request cannot be built: a header name or value is not valid") from None
        return request

    def _merged_headers(self, headers: Mapping[str, str]) -> list[tuple[bytes, bytes]]:
        """The client's default headers with ``headers`` on top, as raw pairs.

        Calls send the same few header sets again and again, so the last merge is kept and reused while both the
        client's headers (which its owner may change at any time: compared each call) and ``headers`` are the
        same; merging them through the library's ``Headers`` costs more than the comparison.
        """
        base = self.http.headers.raw
        last = self._last_headers
        if last is not None and last[1] == headers and last[0] == base:
            return last[2]
        merged = self.http.headers.copy()
        merged.update(headers)
        raw: list[tuple[bytes, bytes]] = merged.raw
        self._last_headers = (base, dict(headers), raw)
        return raw

    def _bound_of(self, timeout: float | httpx.Timeout | None) -> float | None:
        """:func:`attempt_bound` of ``timeout``, worked out again only when the timeout is another one."""
        last = self._last_bound
        if last is not None and last[0] is timeout:
            return last[1]
        bound = attempt_bound(timeout)
        self._last_bound = (timeout, bound)
        return bound

    def _timeout_of(self, timeout: float | httpx.Timeout | None) -> dict[str, float | None]:
        """The per-phase timeouts of a request, as the transports read them (built once per distinct value)."""
        value = timeout if timeout is not None else self.http.timeout
        key: object = value if isinstance(value, (int, float)) else (value.connect, value.read, value.write, value.pool)
        cached = self._timeouts.get(key)
        if cached is None:
            cached = self._timeouts[key] = timeout_for(self.library, value).as_dict()
        return cached

    async def _attempts(
        self,
        build: Callable[[], httpx.Request],
        auth: httpx.Auth | None,
        policy: RetryPolicy,
        options: CallOptions,
        secrets: tuple[str, ...],
        idempotent: bool | None,
    ) -> Answer | AminoError:
        bound = self._bound_of(options.timeout if options.timeout is not None else self.http.timeout)
        attempt = 0
        while True:
            if self.closed:
                return ClientClosedError("the client is closed")
            request = build()
            repeatable = request.method in IDEMPOTENT_METHODS if idempotent is None else idempotent
            outcome, sent = await self._attempt(request, auth, bound)
            if isinstance(outcome, Answer):
                if outcome.response.is_success:
                    return outcome
                error: AminoError = error_from_answer(outcome, secrets=sent_secrets(outcome, secrets))
                delay = (
                    policy.delay(attempt, getattr(error, "retry_after", None))
                    if repeatable and outcome.status in policy.statuses
                    else None
                )
            else:
                error = outcome
                if self.closed:
                    return ClientClosedError("the client was closed while the call was under way")
                resend = repeatable and policy.resend
                # An answer too large to read is as large the next time.
                transient = isinstance(error, TransportError) and not isinstance(error, ResponseTooLargeError)
                delay = policy.delay(attempt) if transient and (not sent or resend) else None
            status = getattr(error, "status", None)
            if delay is None:
                if attempt:
                    self.events.emit(Event("give_up", request.method, request.url.path, status, attempt, _name(error)))
                return error
            self.events.emit(
                Event("retry", request.method, request.url.path, status, attempt + 1, _name(error), delay=delay)
            )
            attempt += 1
            self.retries += 1
            await anyio.sleep(delay)

    async def _attempt(
        self, request: httpx.Request, auth: httpx.Auth | None, bound: float | None
    ) -> tuple[Answer | AminoError, bool]:
        """One attempt: its answer or its failure, and whether the request may have reached the server.

        The bound counts from sending: a token renewal the call needs is awaited before it (bounded by the token
        call's own timeout and the call's deadline), so a slow login does not use up every attempt's time.
        """
        lib = self.library
        ready = getattr(auth, "ensure_tokens", None)
        if ready is not None and getattr(auth, "renewal_due", True):
            try:
                await ready()
            except AminoError as exc:
                return exc.with_traceback(None), False
        response: httpx.Response | None = None
        failure: BaseException | None = None
        answer: Answer | None = None
        with anyio.move_on_after(bound) as scope:
            try:
                response = await self.http.send(request, auth=auth, follow_redirects=False, stream=True)
                if not self.owns_http and "set-cookie" in response.headers:
                    self._forget_cookies(response)
                answer = Answer(response, await read_body(response, self.max_response_size))
            except AminoError as exc:  # from the auth flow (a failed renewal), or the body's own limits
                # Without its traceback: the frames it holds keep the body read so far alive through the retries.
                failure = exc.with_traceback(None)
            except Exception as exc:
                failure = exc
            finally:
                # (read_body closes an answer it took whole itself: no shield to set up then.)
                if response is not None and not response.is_closed:
                    with anyio.CancelScope(shield=True):
                        await _close_quietly(response)
        if failure is None and answer is not None and not scope.cancelled_caught:
            return answer, True
        what = f"{request.method} {request.url.path}"  # only for a failure's message: not worth it on success
        if scope.cancelled_caught:
            # Whether the request got out before the bound is unknown: counted as sent.
            return TimeoutError(f"{what} timed out: no complete answer within {bound:g} seconds"), True
        if isinstance(failure, AminoError):
            return failure, True
        if isinstance(failure, lib.TimeoutException):
            unsent = isinstance(failure, (lib.ConnectTimeout, lib.PoolTimeout))
            return TimeoutError(f"{what} timed out ({type(failure).__name__})"), not unsent
        if isinstance(failure, lib.TransportError):
            unsent = isinstance(failure, lib.ConnectError)
            # The library's message is left out: it can quote a header it refused, bearer token included. What
            # TLS refused (an unknown CA, a missing client certificate) is named by OpenSSL's reason alone.
            tls = tls_failure(failure)
            detail = f" ({tls})" if tls else ""
            return TransportError(f"{what} failed: {type(failure).__name__}{detail}"), not unsent
        if self.closed:
            return ClientClosedError("the client was closed while the call was under way"), True
        return TransportError(f"{what} failed: {type(failure).__name__}"), True

    def _forget_cookies(self, response: httpx.Response) -> None:
        """Take the cookies an answer set back out of a caller's own client, where httpx put them.

        The SDK never sends that jar, but the caller's other requests would: one user's session cookie would
        ride along with them.
        """
        fresh = self.library.Cookies()
        fresh.extract_cookies(response)
        jar = self.http.cookies.jar
        for cookie in fresh.jar:
            with contextlib.suppress(KeyError):  # the caller's own code took it out meanwhile
                jar.clear(cookie.domain, cookie.path, cookie.name)


def _raise_or_return(outcome: Answer | AminoError) -> Answer:
    if isinstance(outcome, Answer):
        return outcome
    # Raised outside any except block, with whatever chain it had cut: a library's exception can hold a header
    # it refused (the bearer) or a document (tokens).
    outcome.__cause__ = None
    outcome.__context__ = None
    outcome.__suppress_context__ = True
    raise outcome


async def _close_quietly(response: httpx.Response) -> None:
    try:
        await response.aclose()
    except Exception:
        return


def _dump_json(value: Any) -> bytes:
    try:
        return json.dumps(value, separators=(",", ":"), ensure_ascii=False, allow_nan=False).encode()
    except (TypeError, ValueError) as exc:
        raise ConfigurationError(f"the request body cannot be sent as JSON ({type(exc).__name__})") from None


def _path_of(url: str) -> str:
    try:
        return str(httpx.URL(url).path)
    except httpx.InvalidURL:
        return "(invalid URL)"


def _name(error: AminoError) -> str:
    return type(error).__name__
