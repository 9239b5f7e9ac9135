"""What the SDK tells about itself: events to a callback and the log, AMINO_LOG, and OpenTelemetry spans."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest

from amino_async import AminoClient, Event, RetryPolicy
from amino_async.testing import FakeAmino

from .helpers import PASSWORD, USERNAME, in_process, secrets_of

FAST_RETRY = RetryPolicy(max_retries=2, initial_delay=0.001, max_delay=0.001)
EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


@pytest.fixture
def fake() -> FakeAmino:
    return FakeAmino(channels=5)


async def test_logins_refreshes_replays_retries_and_give_ups_are_events_without_secrets(
    fake: FakeAmino, caplog: pytest.LogCaptureFixture
) -> None:
    events: list[Event] = []
    path = f"/api/v1/channels/{fake.channel_id(0)}/relationships/streams"
    with caplog.at_level(logging.DEBUG, logger="amino_async"):
        async with in_process(fake, on_event=events.append, retry=FAST_RETRY) as client:
            await client.channels.streams(fake.channel_id(0))
            fake.inject(path, status=401, times=1)  # a token the server calls expired while the client has it
            fake.expire_access_tokens()
            await client.channels.streams(fake.channel_id(0))
            fake.inject(path, status=503, times=1)
            await client.channels.streams(fake.channel_id(0))
            fake.inject(path, status=503, times=None)
            with pytest.raises(Exception, match="503"):
                await client.channels.streams(fake.channel_id(0))
    kinds = [event.kind for event in events]
    assert kinds.count("login") == 1 and kinds.count("refresh") == 1
    assert "replay" in kinds and "retry" in kinds and kinds[-1] == "give_up"
    login = events[kinds.index("login")]
    assert login.duration is not None and login.duration >= 0 and login.user == fake.default_user.user_id
    retry = events[kinds.index("retry")]
    assert (retry.method, retry.path, retry.status, retry.attempt) == ("GET", path, 503, 1)
    give_up = events[-1]
    assert give_up.status == 503 and give_up.attempt == 2 and give_up.error == "ServerError"
    # Every event is on the log too, as a record with the event as a field.
    logged = [record.amino_event for record in caplog.records if hasattr(record, "amino_event")]
    assert logged == events
    rendered = repr(events) + caplog.text
    for secret in secrets_of(fake):
        assert secret not in rendered


async def test_a_failing_event_hook_never_fails_the_call(fake: FakeAmino) -> None:
    def broken(event: Event) -> None:
        raise RuntimeError("metrics backend down")

    async with in_process(fake, on_event=broken) as client:
        assert await client.channels.streams(fake.channel_id(0))


def test_amino_log_switches_the_log_to_stderr_without_code() -> None:
    code = (
        "import anyio, httpx, amino_async\n"
        "from amino_async.testing import FakeAmino\n"
        "async def main():\n"
        "    fake = FakeAmino(channels=1)\n"
        "    async with amino_async.AminoClient('http://localhost', username='user@example.com', password='secret',\n"
        "            transport=httpx.ASGITransport(app=fake)) as client:\n"
        "        await client.channels.list()\n"
        "anyio.run(main)\n"
    )
    quiet = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False)
    loud = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env={**os.environ, "AMINO_LOG": "info"},
    )
    assert quiet.returncode == loud.returncode == 0, loud.stderr
    assert "logged in" not in quiet.stderr
    assert "INFO amino_async: logged in" in loud.stderr and "secret" not in loud.stderr


async def test_the_opentelemetry_example_traces_every_http_call_and_event(fake: FakeAmino) -> None:
    import importlib.util

    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import SimpleSpanProcessor
    from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

    spec = importlib.util.spec_from_file_location("amino_example_otel", EXAMPLES / "opentelemetry_tracing.py")
    assert spec is not None and spec.loader is not None
    example = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(example)

    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    options = example.tracing_options(provider.get_tracer("test"))
    # Over a socket with the SDK's own transport (aiohttp on asyncio, httpcore on trio): the hooks see every call.
    async with (
        fake.serve() as base_url,
        AminoClient(base_url, username=USERNAME, password=PASSWORD, **options) as client,
    ):
        await client.channels.list()
        fake.expire_access_tokens()
        await client.channels.streams(fake.channel_id(0))
    spans = exporter.get_finished_spans()
    http = [span for span in spans if span.name.startswith("HTTP ")]
    paths = [span.attributes["url.path"] for span in http]
    assert "/api/auth/v1/access_tokens" in paths and "/api/metadata/v1/channels" in paths
    assert all("http.response.status_code" in span.attributes for span in http)
    names = {span.name for span in spans}
    assert {"amino login", "amino refresh"} <= names
    assert all(span.end_time is not None and span.end_time >= span.start_time for span in spans)
