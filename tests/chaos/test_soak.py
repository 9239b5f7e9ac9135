"""The soak run: 100,000 requests with an expiry every 5,000, and memory that stays flat.

Not in the default set (it takes minutes): ``nox -s tests -- -m soak -s``.
"""

from __future__ import annotations

import gc
import os

import pytest

from amino_async import AminoClient, RetryPolicy
from amino_async.testing import FakeAmino

from ..helpers import BASE_URL, PASSWORD, USERNAME, httpx

pytestmark = pytest.mark.soak

REQUESTS = int(os.environ.get("AMINO_SOAK_REQUESTS", "100000"))
CHANNELS = 1_000
EXPIRE_EVERY = 5_000
WARM_UP = 10_000


def peak_rss_kib() -> int:
    """This process's peak resident set size (VmHWM), in KiB."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    raise RuntimeError("no VmHWM in /proc/self/status")


def current_rss_kib() -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise RuntimeError("no VmRSS in /proc/self/status")


async def test_memory_stays_flat_over_a_hundred_thousand_requests(anyio_backend: str) -> None:
    fake = FakeAmino(channels=CHANNELS)
    ids = [fake.channel_id(i) for i in range(CHANNELS)]
    retry = RetryPolicy(max_retries=4, initial_delay=0.001, max_delay=0.01)
    async with AminoClient(
        BASE_URL, username=USERNAME, password=PASSWORD, transport=httpx.ASGITransport(app=fake), retry=retry
    ) as client:
        done = 0
        expiries = 0
        rss_after_warm_up = peak_after_warm_up = 0
        while done < REQUESTS:
            batch = [ids[(done + i) % CHANNELS] for i in range(EXPIRE_EVERY)]
            async for result in client.channels.streams_many(batch, concurrency=100):
                assert result.ok, result.error
            done += len(batch)
            fake.expire_access_tokens()
            expiries += 1
            if done == WARM_UP:
                gc.collect()
                rss_after_warm_up, peak_after_warm_up = current_rss_kib(), peak_rss_kib()
        gc.collect()
        rss_end, peak_end = current_rss_kib(), peak_rss_kib()
    # The last expiry was never followed by a request.
    assert fake.stats.grants == {"password": 1, "refresh_token": expiries - 1}
    assert fake.stats.reuse_detected == 0
    print(
        f"\n== soak, {anyio_backend}: {done} requests, {expiries} expiries; RSS after {WARM_UP} requests "
        f"{rss_after_warm_up} KiB (peak {peak_after_warm_up}), at the end {rss_end} KiB (peak {peak_end})"
    )
    # Flat: whatever the first requests allocated (pools, caches) is reused, not grown per request.
    assert peak_end <= peak_after_warm_up * 1.25 + 20_000
