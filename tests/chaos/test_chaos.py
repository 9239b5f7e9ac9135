"""The chaos run: every channel's streams through a fault-injecting proxy to a misbehaving server, nothing lost.

CI runs the small size under asyncio and trio. The full size (5,000 channels at concurrency 100) is one command::

    AMINO_CHAOS_SIZE=full nox -s tests -- -m chaos -s

and prints the figures recorded in ``benchmarks/CHAOS.md``.
"""

from __future__ import annotations

import logging
import os
import random
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager

import anyio
import attrs
import pytest

from amino_async import AminoClient, AminoError, ChannelStreams, RetryPolicy
from amino_async.testing import FakeAmino, FaultProxy

from ..helpers import PASSWORD, USERNAME, httpx

pytestmark = pytest.mark.chaos

SEED = int(os.environ.get("AMINO_CHAOS_SEED", "20261128"))
FULL = os.environ.get("AMINO_CHAOS_SIZE", "ci") == "full"
CHANNELS = 5_000 if FULL else 500
CONCURRENCY = 100
# The server's access tokens are expired once every this many data requests (and see Expiries)...
EXPIRE_EVERY = 250 if FULL else 50
# ... and once every fetch under way at the last renewal is back, or this many seconds have passed.
STRADDLE_WAIT = 10.0 if FULL else 3.0
# Retries enough to absorb most faults, with short waits so the run stays quick.
RETRY = RetryPolicy(max_retries=8, initial_delay=0.005, max_delay=0.1, max_retry_after=2.0)


@attrs.define
class ServerFaults:
    """The faults injected into the fake, channel by channel (exact paths, so the plan is seeded)."""

    by_kind: Counter[str] = attrs.field(factory=Counter)
    # Channels whose answer is sure to be an error: retries cannot cure a 503 that never ends. (A malformed 200
    # is not sure: the proxy may cut it off on its way, and the retry then finds the fault used up.)
    doomed: set[str] = attrs.field(factory=set)


def streams_path(channel_id: str) -> str:
    return f"/api/v1/channels/{channel_id}/relationships/streams"


def inject_server_faults(fake: FakeAmino, ids: list[str], rng: random.Random) -> ServerFaults:
    """429s with a small Retry-After, 502 HTML pages, 503s (JSON and empty), malformed and truncated 200s."""
    plan = ServerFaults()
    for channel_id in ids:
        path = streams_path(channel_id)
        roll = rng.random()
        if roll < 0.05:
            fake.inject(path, status=429, headers={"Retry-After": "0"}, times=rng.randint(1, 2))
            plan.by_kind["429 Retry-After: 0"] += 1
        elif roll < 0.06:
            fake.inject(path, status=429, headers={"Retry-After": "1"})
            plan.by_kind["429 Retry-After: 1"] += 1
        elif roll < 0.10:
            fake.inject(path, kind="html", times=rng.randint(1, 3))
            plan.by_kind["502 HTML page"] += 1
        elif roll < 0.14:
            fake.inject(path, status=503, times=rng.randint(1, 3))
            plan.by_kind["503 JSON:API error"] += 1
        elif roll < 0.15:
            fake.inject(path, kind="empty")
            plan.by_kind["503 empty body"] += 1
        elif roll < 0.16:
            fake.inject(path, kind="malformed")
            plan.by_kind["200 malformed"] += 1
        elif roll < 0.165:
            fake.inject(path, kind="truncated")
            plan.by_kind["200 truncated JSON"] += 1
        elif roll < 0.17:
            fake.inject(path, status=503, times=None)
            plan.by_kind["503 forever"] += 1
            plan.doomed.add(channel_id)
    return plan


@attrs.define
class Progress:
    """Which channels the fetch has started and which have come back."""

    started: set[str] = attrs.field(factory=set)
    finished: set[str] = attrs.field(factory=set)

    def feed(self, ids: list[str]) -> Iterator[str]:
        for channel_id in ids:
            self.started.add(channel_id)
            yield channel_id

    def outstanding(self) -> set[str]:
        return self.started - self.finished


@attrs.define
class Expiries:
    """Expires every access token once ``every`` data requests have been answered since the last renewal, and
    every channel that was being fetched at that renewal has come back; each expiry waits until the client holds
    new tokens (not merely until the server issued them: an answer may be lost on its way).

    The wait keeps one fetch from meeting two expiries: a 401 for a token issued an instant ago is an error by
    design (at most one replay per request), and no real token lives for less than a request's round trip.
    """

    fake: FakeAmino
    progress: Progress
    every: int
    count: int = 0

    async def run(self, client: AminoClient, done: anyio.Event) -> None:
        stats = self.fake.stats
        last_calls, last_time, straddling = 0, anyio.current_time(), set[str]()
        while not done.is_set():
            await anyio.sleep(0.005)
            if stats.calls["channel_streams"] - last_calls < self.every:
                continue
            # A straddler still out after some seconds is waiting to retry (a Retry-After, a backoff), not replaying.
            if not straddling <= self.progress.finished and anyio.current_time() - last_time < STRADDLE_WAIT:
                continue
            expired = client.tokens
            self.fake.expire_access_tokens()
            self.count += 1
            while client.tokens is expired and not done.is_set():  # noqa: ASYNC110 - nothing to wait on
                await anyio.sleep(0.002)
            last_calls, last_time = stats.calls["channel_streams"], anyio.current_time()
            straddling = self.progress.outstanding()


@contextmanager
def captured_logs(caplog: pytest.LogCaptureFixture) -> Iterator[list[logging.LogRecord]]:
    with caplog.at_level(logging.DEBUG, logger="amino_async"):
        yield caplog.records


def assert_no_secret_logged(records: list[logging.LogRecord], fake: FakeAmino) -> None:
    secrets = {PASSWORD, *fake.issued_tokens()}
    assert len(secrets) > 2
    lines = [record.getMessage() for record in records]
    assert lines, "the run should have logged its retries and refreshes"
    for line in lines:
        for secret in secrets:
            assert secret not in line


def task_ids() -> set[tuple[int, str]]:
    return {(task.id, task.name) for task in anyio.get_running_tasks()}


async def fetch_everything(client: AminoClient, ids: list[str], progress: Progress) -> list[ChannelStreams]:
    results: list[ChannelStreams] = []
    async for result in client.channels.streams_many(progress.feed(ids), concurrency=CONCURRENCY):
        progress.finished.add(result.channel_id)
        results.append(result)
    return results


def check_results(results: list[ChannelStreams], ids: list[str], doomed: set[str]) -> Counter[str]:
    """Every channel exactly once, as streams or as a typed error; the errors by kind."""
    seen = Counter(result.channel_id for result in results)
    assert len(results) == len(ids)
    assert seen == Counter(ids), "a channel came back twice or not at all"
    errors: Counter[str] = Counter()
    for result in results:
        if result.ok:
            assert result.streams, f"channel {result.channel_id} came back with no streams and no error"
        else:
            assert isinstance(result.error, AminoError)
            errors[type(result.error).__name__] += 1
    by_id = {result.channel_id: result for result in results}
    for channel_id in doomed:
        assert not by_id[channel_id].ok, f"channel {channel_id} was answered with a fault yet came back as data"
    return errors


def report(title: str, figures: dict[str, object]) -> None:
    width = max(len(name) for name in figures)
    print(f"\n== {title}")
    for name, value in figures.items():
        print(f"  {name:<{width}}  {value}")


async def test_every_channel_comes_back_once_through_faults_and_expiries(
    anyio_backend: str, caplog: pytest.LogCaptureFixture
) -> None:
    rng = random.Random(SEED)
    fake = FakeAmino(channels=CHANNELS, seed=SEED)
    ids = [fake.channel_id(i) for i in range(CHANNELS)]
    plan = inject_server_faults(fake, ids, rng)
    progress = Progress()
    expiries = Expiries(fake, progress, EXPIRE_EVERY)
    started = anyio.current_time()
    with captured_logs(caplog) as records:
        async with (
            fake.serve() as upstream,
            FaultProxy(
                upstream,
                seed=SEED,
                reset_before_request=0.03,
                reset_mid_body=0.03,
                truncate=0.02,
                delay=0.05,
                max_delay=0.05,
                paths="/api/v1/*",
            ) as proxy,
        ):
            tasks_before = task_ids()
            done = anyio.Event()
            async with AminoClient(proxy.url, username=USERNAME, password=PASSWORD, retry=RETRY) as client:
                async with anyio.create_task_group() as background:
                    background.start_soon(expiries.run, client, done)
                    try:
                        results = await fetch_everything(client, ids, progress)
                    finally:
                        done.set()
                # The last expiry may have come after the last fetch: one more call settles its refresh.
                await client.channels.streams(ids[0])
            with anyio.fail_after(10):
                await proxy.wait_idle()
            assert proxy.open_connections == 0
            assert fake.stats.in_flight == 0
            assert task_ids() == tasks_before, "a task outlived the client"
        elapsed = anyio.current_time() - started

    errors = check_results(results, ids, plan.doomed)
    stats = fake.stats
    assert expiries.count >= 2
    assert stats.grants["refresh_token"] == expiries.count, "not exactly one refresh per expiry"
    assert stats.grants["password"] == 1
    assert stats.reuse_detected == 0
    assert not stats.token_refusals
    assert sum(proxy.faults.values()) > 0 and sum(stats.faults.values()) > 0
    assert_no_secret_logged(records, fake)
    report(
        f"chaos run, {anyio_backend}: {CHANNELS} channels at concurrency {CONCURRENCY}, seed {SEED}",
        {
            "channels ok": sum(result.ok for result in results),
            "channels as typed errors": dict(errors),
            "requests through the proxy": proxy.requests,
            "proxy connections": proxy.connections,
            "proxy faults": dict(proxy.faults),
            "server faults planned (channels)": dict(plan.by_kind),
            "server faults served": dict(stats.faults),
            "data requests at the server": stats.calls["channel_streams"],
            "401s (expired tokens)": stats.unauthorized,
            "client retries": client.retries,
            "token expiries": expiries.count,
            "refreshes": stats.grants["refresh_token"],
            "logins": stats.grants["password"],
            "refresh tokens reused": stats.reuse_detected,
            "log lines checked for secrets": len(records),
            "seconds": round(elapsed, 2),
        },
    )


async def test_token_calls_cut_off_mid_answer_never_reuse_a_refresh_token(
    anyio_backend: str, caplog: pytest.LogCaptureFixture
) -> None:
    """A refresh whose answer is lost may have rotated the token at the server: it is never presented again."""
    channels = 400
    fake = FakeAmino(channels=channels, seed=SEED)
    ids = [fake.channel_id(i) for i in range(channels)]
    fake.data_delay = 0.01  # slow enough for several expiries in the run
    progress = Progress()
    expiries = Expiries(fake, progress, 20)
    with captured_logs(caplog) as records:
        async with (
            fake.serve() as upstream,
            FaultProxy(
                upstream, seed=SEED, reset_before_request=0.2, reset_mid_body=0.2, truncate=0.2, paths="/api/auth/*"
            ) as proxy,
        ):
            done = anyio.Event()
            async with (
                AminoClient(proxy.url, username=USERNAME, password=PASSWORD, retry=RETRY) as client,
                anyio.create_task_group() as background,
            ):
                background.start_soon(expiries.run, client, done)
                try:
                    results = await fetch_everything(client, ids, progress)
                finally:
                    done.set()
            with anyio.fail_after(10):
                await proxy.wait_idle()

    errors = check_results(results, ids, set())
    stats = fake.stats
    cut_off = proxy.faults["reset_mid_body"] + proxy.faults["truncated"]
    assert expiries.count >= 2
    assert cut_off > 0, "the seed should cut off some token answers"
    assert stats.reuse_detected == 0
    assert not stats.token_refusals
    report(
        f"token calls cut off, {anyio_backend}: {channels} channels, seed {SEED}",
        {
            "channels ok": sum(result.ok for result in results),
            "channels as typed errors": dict(errors),
            "proxy faults (token calls)": dict(proxy.faults),
            "token expiries": expiries.count,
            "refreshes": stats.grants["refresh_token"],
            "logins": stats.grants["password"],
            "refresh tokens reused": stats.reuse_detected,
        },
    )
    # Each renewal asked for once, plus once more for each answer lost on the way back.
    renewals = stats.grants["refresh_token"] + stats.grants["password"]
    assert renewals <= 1 + expiries.count + cut_off
    assert_no_secret_logged(records, fake)


async def test_requests_waiting_for_a_renewal_do_not_starve_it_of_connections() -> None:
    """Every request of a full pool answered 401 at once: the refresh and the replays still get connections."""
    fake = FakeAmino(channels=10)
    limits = httpx.Limits(max_connections=4, max_keepalive_connections=4)
    async with (
        fake.serve() as base_url,
        AminoClient(
            base_url,
            username=USERNAME,
            password=PASSWORD,
            limits=limits,
            timeout=httpx.Timeout(10.0, pool=2.0),
            max_retries=0,
        ) as client,
    ):
        await client.login()
        fake.data_delay = 0.2  # all four requests are in the air when their 401s come back
        fake.expire_access_tokens()
        fetched: list[int] = []

        async def fetch(index: int) -> None:
            fetched.append(len(await client.channels.streams(fake.channel_id(index))))

        async with anyio.create_task_group() as tasks:
            for index in range(4):
                tasks.start_soon(fetch, index)
    assert len(fetched) == 4 and all(fetched)
    assert fake.stats.unauthorized == 4
    assert fake.stats.grants == {"password": 1, "refresh_token": 1}


async def test_a_renewal_cut_off_on_its_way_is_retried_like_the_call() -> None:
    fake = FakeAmino(channels=10)
    retry = RetryPolicy(max_retries=2, initial_delay=0.1, max_delay=0.1)
    async with (
        fake.serve() as upstream,
        FaultProxy(upstream, paths="/api/auth/*") as proxy,
        AminoClient(proxy.url, username=USERNAME, password=PASSWORD, retry=retry) as client,
    ):
        await client.login()
        proxy.reset_mid_body = 1.0
        fake.expire_access_tokens()

        async def heal() -> None:
            while not proxy.faults:  # noqa: ASYNC110 - the proxy has no event for it
                await anyio.sleep(0.001)
            proxy.reset_mid_body = 0.0

        async with anyio.create_task_group() as tasks:
            tasks.start_soon(heal)
            assert await client.channels.streams(fake.channel_id(0))
        assert client.retries == 1
    assert proxy.faults == {"reset_mid_body": 1}
    assert fake.stats.reuse_detected == 0
