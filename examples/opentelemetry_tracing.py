"""OpenTelemetry spans for an AminoClient: one per HTTP call, and one per token call, retry and replay.

The spans come from two public hooks, so they work on every transport (aiohttp's, httpcore's, a test's ASGI
one), where the httpx instrumentation sees httpcore's transport only:

- ``event_hooks``: the pool's request and response hooks open and close a span per HTTP call (the SDK's token
  calls included), with its method, path (no query) and status;
- ``on_event``: the SDK's own events (login, refresh, replay, retry, give-up) become spans, their duration and
  outcome as attributes. No event carries a secret.

Run it (``pip install opentelemetry-sdk``)::

    python examples/opentelemetry_tracing.py

which traces a few calls against the built-in fake deployment and prints the spans.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any

from opentelemetry import trace
from opentelemetry.trace import Span, Status, StatusCode

from amino_async import AminoClient, Event

_SPAN: str = "amino_async.span"


def tracing_options(tracer: trace.Tracer) -> Mapping[str, Any]:
    """The ``AminoClient`` keyword arguments that trace it with ``tracer``: ``event_hooks`` and ``on_event``."""

    async def on_request(request: Any) -> None:
        span = tracer.start_span(f"HTTP {request.method}", kind=trace.SpanKind.CLIENT)
        span.set_attribute("http.request.method", request.method)
        span.set_attribute("url.path", request.url.path)
        span.set_attribute("server.address", request.url.host)
        request.extensions[_SPAN] = span

    async def on_response(response: Any) -> None:
        span: Span | None = response.request.extensions.pop(_SPAN, None)
        if span is None:
            return
        span.set_attribute("http.response.status_code", response.status_code)
        if response.status_code >= 400:
            span.set_status(Status(StatusCode.ERROR))
        span.end()

    def on_event(event: Event) -> None:
        now = time.time_ns()
        started = now - int((event.duration or 0.0) * 1e9)
        span = tracer.start_span(f"amino {event.kind}", start_time=started)
        for name in ("method", "path", "status", "attempt", "error", "delay", "user"):
            value = getattr(event, name)
            if value is not None:
                span.set_attribute(f"amino.{name}", value)
        if event.error is not None:
            span.set_status(Status(StatusCode.ERROR, event.error))
        span.end(end_time=now)

    return {"event_hooks": {"request": [on_request], "response": [on_response]}, "on_event": on_event}


async def main() -> None:
    """Trace a login, a few calls and a token expiry against the fake deployment, and print the spans."""
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import SimpleSpanProcessor
    from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

    from amino_async.testing import FakeAmino

    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    fake = FakeAmino(channels=10)
    async with fake.serve() as base_url:
        options = tracing_options(provider.get_tracer("amino-example"))
        async with AminoClient(base_url, username="user@example.com", password="secret", **options) as client:
            page = await client.channels.list()
            fake.expire_access_tokens()
            await client.channels.streams(page.items[0].id)
    for span in exporter.get_finished_spans():
        print(span.name, dict(span.attributes or {}))


if __name__ == "__main__":
    import anyio

    anyio.run(main)
