"""Bulk worker: the streams of N channels, 100 at a time, by ``streams_many`` or raw aiohttp with a semaphore.

The raw version is the usual recipe: ``asyncio.gather`` over one task per id, each taking a semaphore of 100
around ``session.get`` + ``json.loads``. Memory is the growth of the process's peak RSS over its RSS just before
the run (imports, ids and the first connections already in place). Prints one JSON line.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import resource
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))
from _common import PASSWORD, USERNAME, channel_ids, emit, token_answer

CONCURRENCY = 100


def _rss_mb() -> float:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * resource.getpagesize() / 2**20


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


async def _sdk(url: str, ids: list[str]) -> tuple[int, int, float, float]:
    from amino_async import AminoClient

    async with AminoClient(url, username=USERNAME, password=PASSWORD) as client:
        await client.channels.streams(ids[0])
        before = _rss_mb()
        start = time.perf_counter()
        ok = streams = 0
        async for result in client.channels.streams_many(ids, concurrency=CONCURRENCY):
            if result.streams is not None:
                ok += 1
                streams += len(result.streams)
        return ok, streams, time.perf_counter() - start, before


async def _aiohttp(url: str, ids: list[str], token: str) -> tuple[int, int, float, float]:
    import aiohttp

    headers = {"Authorization": f"Bearer {token}"}
    gate = asyncio.Semaphore(CONCURRENCY)
    connector = aiohttp.TCPConnector(limit=CONCURRENCY)
    async with aiohttp.ClientSession(url, headers=headers, connector=connector) as session:

        async def fetch(channel_id: str) -> Any:
            async with gate, session.get(f"/api/v1/channels/{channel_id}/relationships/streams") as response:
                response.raise_for_status()
                return json.loads(await response.read())["data"]

        await fetch(ids[0])
        before = _rss_mb()
        start = time.perf_counter()
        results = await asyncio.gather(*(fetch(channel_id) for channel_id in ids), return_exceptions=True)
        wall = time.perf_counter() - start
        ok = sum(1 for r in results if not isinstance(r, BaseException))
        streams = sum(len(r) for r in results if not isinstance(r, BaseException))
        return ok, streams, wall, before


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", required=True)
    parser.add_argument("--lib", choices=["sdk", "aiohttp"], required=True)
    parser.add_argument("--count", type=int, default=10_000)
    args = parser.parse_args()
    token = token_answer(args.url)["access_token"]
    ids = channel_ids(args.url, token, args.count)
    assert len(ids) == args.count, "the server has too few channels"
    if args.lib == "sdk":
        ok, streams, wall, before = asyncio.run(_sdk(args.url, ids))
    else:
        ok, streams, wall, before = asyncio.run(_aiohttp(args.url, ids, token))
    emit(
        {
            "lib": args.lib,
            "count": args.count,
            "ok": ok,
            "streams": streams,
            "wall": wall,
            "rps": args.count / wall,
            "rss_growth_mb": max(0.0, _peak_mb() - before),
        }
    )


if __name__ == "__main__":
    main()
