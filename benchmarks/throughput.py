"""Throughput worker: one client configuration on one event loop, a fixed number of requests per concurrency.

Run by ``run.py`` against the Node.js server (``server.js``), in a fresh process per configuration so that each
one's imports, blocked extras and event loop are its own; ``run.py`` pins it to the core the server is not on.
Each measurement is ``--requests`` calls (after a warm-up of a tenth as many), ``concurrency`` tasks taking the
next call until all are done. Prints one JSON line: per concurrency, requests/s and the CPU seconds of client and
server per wall second.

Configurations (``--client``):

- ``sdk``: ``client.channels.streams(id)``, decoded into models, logged in once beforehand (a password grant
  against the server's token endpoint: only the data calls are measured); ``--http-library`` picks httpx or
  httpx2 (``http_library=``), ``--no-extras`` makes aiohttp and orjson look uninstalled (httpx2 alone);
- ``aiohttp``, ``httpx``, ``httpx2``: a raw GET with a static ``Authorization`` header and ``json.loads``, the
  libraries' default pools sized as the SDK's (100 connections);
- ``mixed``: the SDK on httpx2 and on httpx, raw httpx2 and raw aiohttp in one process, taking ``--rounds``
  turns each (asyncio), for the steadiest comparison on a busy machine.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))
from _common import PASSWORD, USERNAME, block_speedups, cpu_seconds, emit

Call = Callable[[str], Awaitable[Any]]
PATH = "/api/v1/channels/{}/relationships/streams"
#: Channel ids the calls cycle through (the server keeps one answer per id).
IDS = [f"ch-{i:05d}" for i in range(1000)]


async def _drive(call: Call, concurrency: int, requests: int) -> None:
    """``requests`` calls of ``call`` by ``concurrency`` tasks, each taking the next one until none is left."""
    import anyio

    left = requests

    async def loop() -> None:
        nonlocal left
        while left > 0:
            left -= 1
            await call(IDS[left % len(IDS)])

    async with anyio.create_task_group() as group:
        for _ in range(concurrency):
            group.start_soon(loop)


async def _measure(call: Call, args: argparse.Namespace) -> list[dict[str, Any]]:
    results = []
    for concurrency in args.concurrency:
        await _drive(call, concurrency, max(concurrency, args.requests // 10))
        server0, client0, start = cpu_seconds(args.server_pid), time.process_time(), time.perf_counter()
        await _drive(call, concurrency, args.requests)
        wall = time.perf_counter() - start
        results.append(
            {
                "concurrency": concurrency,
                "requests": args.requests,
                "rps": args.requests / wall,
                "client_cpu": (time.process_time() - client0) / wall,
                "server_cpu": (cpu_seconds(args.server_pid) - server0) / wall,
            }
        )
    return results


def _token(url: str) -> str:
    """A token from the server's token endpoint, for the raw clients' static header."""
    import urllib.request

    body = json.dumps({"grant_type": "password", "credentials": {"username": USERNAME, "password": PASSWORD}})
    request = urllib.request.Request(f"{url}/api/auth/v1/access_tokens", data=body.encode(), method="POST")
    request.add_header("Content-Type", "application/json")
    with urllib.request.urlopen(request, timeout=30) as answer:
        token: str = json.loads(answer.read())["data"]["attributes"]["access_token"]
    return token


async def _sdk(args: argparse.Namespace) -> dict[str, Any]:
    from amino_async import AminoClient

    async with AminoClient(args.url, username=USERNAME, password=PASSWORD, http_library=args.http_library) as client:
        await client.login()
        results = await _measure(client.channels.streams, args)
        pool = client.http_client
        transport = getattr(pool, "_transport", None)
        transport = getattr(transport, "chosen", transport)
        library = type(pool).__mro__[1].__module__.partition(".")[0]
    return {"results": results, "transport": type(transport).__name__, "library": library}


async def _raw_httpx(args: argparse.Namespace, module: str) -> dict[str, Any]:
    import importlib

    lib: Any = importlib.import_module(module)
    limits = lib.Limits(max_connections=100, max_keepalive_connections=100)
    headers = {"Authorization": f"Bearer {_token(args.url)}"}
    async with lib.AsyncClient(base_url=args.url, headers=headers, limits=limits) as client:

        async def call(channel_id: str) -> Any:
            response = await client.get(PATH.format(channel_id))
            response.raise_for_status()
            return json.loads(response.content)

        return {"results": await _measure(call, args), "library": module}


async def _raw_aiohttp(args: argparse.Namespace) -> dict[str, Any]:
    import aiohttp

    headers = {"Authorization": f"Bearer {_token(args.url)}"}
    connector = aiohttp.TCPConnector(limit=100)
    async with aiohttp.ClientSession(args.url, headers=headers, connector=connector) as session:

        async def call(channel_id: str) -> Any:
            async with session.get(PATH.format(channel_id)) as response:
                response.raise_for_status()
                return json.loads(await response.read())

        return {"results": await _measure(call, args), "library": "aiohttp"}


async def _mixed(args: argparse.Namespace) -> dict[str, Any]:
    """The asyncio clients in this one process, taking turns: every client sees the same moments of load."""
    import statistics

    import aiohttp
    import httpx2

    from amino_async import AminoClient

    token = _token(args.url)
    headers = {"Authorization": f"Bearer {token}"}
    on_httpx2 = AminoClient(args.url, username=USERNAME, password=PASSWORD, http_library="httpx2")
    on_httpx = AminoClient(args.url, username=USERNAME, password=PASSWORD, http_library="httpx")
    raw = httpx2.AsyncClient(
        base_url=args.url, headers=headers, limits=httpx2.Limits(max_connections=100, max_keepalive_connections=100)
    )
    session = aiohttp.ClientSession(args.url, headers=headers, connector=aiohttp.TCPConnector(limit=100))

    async def via_httpx2(channel_id: str) -> Any:
        response = await raw.get(PATH.format(channel_id))
        response.raise_for_status()
        return json.loads(response.content)

    async def via_aiohttp(channel_id: str) -> Any:
        async with session.get(PATH.format(channel_id)) as response:
            response.raise_for_status()
            return json.loads(await response.read())

    clients: dict[str, Call] = {
        "SDK, speedups, httpx2": on_httpx2.channels.streams,
        "SDK, speedups, httpx": on_httpx.channels.streams,
        "raw httpx2 (static header)": via_httpx2,
        "raw aiohttp": via_aiohttp,
    }
    results: dict[str, Any] = {}
    try:
        await on_httpx2.login()
        await on_httpx.login()
        for concurrency in args.concurrency:
            rates: dict[str, list[float]] = {name: [] for name in clients}
            per_cpu: dict[str, list[float]] = {name: [] for name in clients}
            for call in clients.values():
                await _drive(call, concurrency, max(concurrency, args.requests // 10))
            for _ in range(args.rounds):
                for name, call in clients.items():
                    client0, start = time.process_time(), time.perf_counter()
                    await _drive(call, concurrency, args.requests)
                    rates[name].append(args.requests / (time.perf_counter() - start))
                    per_cpu[name].append(args.requests / max(time.process_time() - client0, 1e-9))
            results[str(concurrency)] = {
                name: {"rps": statistics.median(rates[name]), "per_cpu": statistics.median(per_cpu[name])}
                for name in clients
            }
    finally:
        await on_httpx2.aclose()
        await on_httpx.aclose()
        await raw.aclose()
        await session.close()
    return results


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", required=True)
    parser.add_argument("--server-pid", type=int, required=True)
    parser.add_argument("--client", choices=["sdk", "aiohttp", "httpx", "httpx2", "mixed"], required=True)
    parser.add_argument("--http-library", choices=["httpx", "httpx2"], default=None, help="the SDK's (--client sdk)")
    parser.add_argument("--backend", choices=["asyncio", "trio"], default="asyncio")
    parser.add_argument("--no-extras", action="store_true", help="aiohttp and orjson look uninstalled")
    parser.add_argument("--concurrency", type=lambda s: [int(c) for c in s.split(",")], default=[50, 200])
    parser.add_argument("--requests", type=int, default=4000)
    parser.add_argument("--rounds", type=int, default=4, help="turns each client takes (--client mixed)")
    args = parser.parse_args()
    if args.no_extras:
        block_speedups()
    import anyio

    if args.client == "sdk":
        answer = anyio.run(_sdk, args, backend=args.backend)
    elif args.client == "mixed":
        answer = anyio.run(_mixed, args, backend="asyncio")
    elif args.client == "aiohttp":
        answer = anyio.run(_raw_aiohttp, args, backend="asyncio")
    else:
        answer = anyio.run(_raw_httpx, args, args.client, backend=args.backend)
    emit(answer)


if __name__ == "__main__":
    main()
