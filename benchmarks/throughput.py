"""Throughput worker: one library on one event loop, at several concurrencies, against the fake server.

Run by ``run.py`` in a fresh process per library so that each one's imports (and the blocked speedups) are its
own. Prints one JSON line: a result per concurrency with requests/s and the CPU seconds of client and server.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))
from _common import PASSWORD, USERNAME, block_sniffio, block_speedups, channel_ids, cpu_seconds, emit, token_answer

Call = Callable[[str], Awaitable[Any]]


async def _drive(call: Call, ids: list[str], concurrency: int, seconds: float) -> int:
    """Run ``concurrency`` loops of ``call`` for ``seconds``; the number of calls completed."""
    import anyio

    done = 0
    deadline = time.perf_counter() + seconds

    async def loop(offset: int) -> None:
        nonlocal done
        index = offset
        while time.perf_counter() < deadline:
            await call(ids[index % len(ids)])
            index += concurrency
            done += 1

    async with anyio.create_task_group() as group:
        for offset in range(concurrency):
            group.start_soon(loop, offset)
    return done


async def _measure(call: Call, ids: list[str], args: argparse.Namespace) -> list[dict[str, Any]]:
    results = []
    for concurrency in args.concurrency:
        await _drive(call, ids, concurrency, args.warmup)
        server0, client0, start = cpu_seconds(args.server_pid), time.process_time(), time.perf_counter()
        done = await _drive(call, ids, concurrency, args.duration)
        wall = time.perf_counter() - start
        results.append(
            {
                "concurrency": concurrency,
                "requests": done,
                "rps": done / wall,
                "client_cpu": (time.process_time() - client0) / wall,
                "server_cpu": (cpu_seconds(args.server_pid) - server0) / wall,
            }
        )
    return results


async def _sdk(args: argparse.Namespace, ids: list[str]) -> list[dict[str, Any]]:
    from amino_async import AminoClient

    async with AminoClient(args.url, username=USERNAME, password=PASSWORD) as client:
        await client.login()
        results = await _measure(client.channels.streams, ids, args)
        transport = client._shared.http._transport
        transport = type(getattr(transport, "chosen", transport)).__name__
    for result in results:
        result["transport"] = transport
    return results


async def _httpx(args: argparse.Namespace, ids: list[str], token: str) -> list[dict[str, Any]]:
    import json

    import httpx

    limits = httpx.Limits(max_connections=100, max_keepalive_connections=100)
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(base_url=args.url, headers=headers, limits=limits) as client:

        async def call(channel_id: str) -> Any:
            response = await client.get(f"/api/v1/channels/{channel_id}/relationships/streams")
            response.raise_for_status()
            return json.loads(response.content)

        return await _measure(call, ids, args)


async def _httpx_aiohttp(args: argparse.Namespace, ids: list[str], token: str) -> list[dict[str, Any]]:
    import json

    import httpx
    from httpx_aiohttp import AiohttpTransport

    limits = httpx.Limits(max_connections=100, max_keepalive_connections=100)
    headers = {"Authorization": f"Bearer {token}"}
    transport = AiohttpTransport(limits=limits)
    async with httpx.AsyncClient(base_url=args.url, headers=headers, transport=transport) as client:

        async def call(channel_id: str) -> Any:
            response = await client.get(f"/api/v1/channels/{channel_id}/relationships/streams")
            response.raise_for_status()
            return json.loads(response.content)

        return await _measure(call, ids, args)


async def _aiohttp(args: argparse.Namespace, ids: list[str], token: str) -> list[dict[str, Any]]:
    import json

    import aiohttp

    headers = {"Authorization": f"Bearer {token}"}
    connector = aiohttp.TCPConnector(limit=100)
    async with aiohttp.ClientSession(args.url, headers=headers, connector=connector) as session:

        async def call(channel_id: str) -> Any:
            async with session.get(f"/api/v1/channels/{channel_id}/relationships/streams") as response:
                response.raise_for_status()
                return json.loads(await response.read())

        return await _measure(call, ids, args)


async def _mixed(args: argparse.Namespace, ids: list[str], token: str) -> dict[str, Any]:
    """Every asyncio client in this one process, taking turns: the steadiest comparison on a busy machine."""
    import json
    import statistics

    import aiohttp
    import httpx
    from httpx_aiohttp import AiohttpTransport

    from amino_async import AminoClient

    limits = httpx.Limits(max_connections=100, max_keepalive_connections=100)
    headers = {"Authorization": f"Bearer {token}"}
    path = "/api/v1/channels/{}/relationships/streams"
    sdk = AminoClient(args.url, username=USERNAME, password=PASSWORD)
    await sdk.login()
    plain = httpx.AsyncClient(base_url=args.url, headers=headers, limits=limits)
    on_aiohttp = httpx.AsyncClient(base_url=args.url, headers=headers, transport=AiohttpTransport(limits=limits))
    session = aiohttp.ClientSession(args.url, headers=headers, connector=aiohttp.TCPConnector(limit=100))

    def via_httpx(client: httpx.AsyncClient) -> Call:
        async def call(channel_id: str) -> Any:
            response = await client.get(path.format(channel_id))
            response.raise_for_status()
            return json.loads(response.content)

        return call

    async def via_aiohttp(channel_id: str) -> Any:
        async with session.get(path.format(channel_id)) as response:
            response.raise_for_status()
            return json.loads(await response.read())

    clients: dict[str, Call] = {
        "SDK, speedups (aiohttp transport)": sdk.channels.streams,
        "raw httpx + AiohttpTransport": via_httpx(on_aiohttp),
        "raw httpx (httpcore)": via_httpx(plain),
        "raw aiohttp": via_aiohttp,
    }
    results: dict[str, Any] = {}
    try:
        for concurrency in args.concurrency:
            rates: dict[str, list[float]] = {name: [] for name in clients}
            per_cpu: dict[str, list[float]] = {name: [] for name in clients}
            for call in clients.values():
                await _drive(call, ids, concurrency, args.warmup)
            for _ in range(args.rounds):
                for name, call in clients.items():
                    client0, start = time.process_time(), time.perf_counter()
                    done = await _drive(call, ids, concurrency, args.duration)
                    rates[name].append(done / (time.perf_counter() - start))
                    per_cpu[name].append(done / max(time.process_time() - client0, 1e-9))
            results[str(concurrency)] = {
                name: {"rps": statistics.median(rates[name]), "per_cpu": statistics.median(per_cpu[name])}
                for name in clients
            }
    finally:
        await sdk.aclose()
        await plain.aclose()
        await on_aiohttp.aclose()
        await session.close()
    return results


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", required=True)
    parser.add_argument("--server-pid", type=int, required=True)
    parser.add_argument("--lib", choices=["sdk", "httpx", "httpx-aiohttp", "aiohttp", "mixed"], required=True)
    parser.add_argument("--backend", choices=["asyncio", "trio"], default="asyncio")
    parser.add_argument("--no-speedups", action="store_true")
    parser.add_argument("--no-sniffio", action="store_true", help="also block sniffio (asyncio only)")
    parser.add_argument("--concurrency", type=lambda s: [int(c) for c in s.split(",")], default=[1, 50, 200])
    parser.add_argument("--duration", type=float, default=2.0)
    parser.add_argument("--warmup", type=float, default=0.3)
    parser.add_argument("--rounds", type=int, default=4, help="turns each client takes (--lib mixed)")
    args = parser.parse_args()
    if args.no_speedups:
        block_speedups()
    if args.no_sniffio:
        block_sniffio()
    import anyio

    token = token_answer(args.url)["access_token"]
    ids = channel_ids(args.url, token, 1000)
    if args.lib == "sdk":
        results = anyio.run(_sdk, args, ids, backend=args.backend)
    elif args.lib == "httpx":
        results = anyio.run(_httpx, args, ids, token, backend=args.backend)
    elif args.lib == "mixed":
        results = anyio.run(_mixed, args, ids, token, backend="asyncio")
    elif args.lib == "httpx-aiohttp":
        results = anyio.run(_httpx_aiohttp, args, ids, token, backend="asyncio")
    else:
        results = anyio.run(_aiohttp, args, ids, token, backend="asyncio")
    emit(results)


if __name__ == "__main__":
    main()
