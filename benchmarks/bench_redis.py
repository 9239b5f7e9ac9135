"""What RedisTokenStore adds to a request, against FakeAmino over loopback: ``python benchmarks/bench_redis.py``.

AminoAuth keeps the current token in the process (its hot path reads a clock and sets a header), so with a
shared store Redis is only asked when tokens are renewed. This measures, one request at a time:

- a request with the token cached (the hot path), with MemoryTokenStore and with RedisTokenStore;
- the same request if the token were read from Redis every time (what the local cache saves);
- a renewal that finds fresh tokens in the store (what a process pays when another one already renewed);
- a refresh after the server expired the token (401, renewal, replay).

Needs the redis and testing extras and a ``redis-server`` binary (or AMINO_REDIS_URL). Prints a table.
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import statistics
import subprocess
import sys
import time
import uuid
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager

import anyio
import httpx

from amino_async import AminoAuth, AminoClient, MemoryTokenStore, RedisTokenStore, TokenStore

USERNAME = "user@example.com"
PASSWORD = "secret"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextmanager
def redis_server() -> Iterator[str]:
    """AMINO_REDIS_URL, or a redis-server of our own on a free loopback port."""
    if url := os.environ.get("AMINO_REDIS_URL"):
        yield url
        return
    binary = shutil.which("redis-server")
    if binary is None:
        raise SystemExit("needs redis-server on PATH (apt-get install redis-server) or AMINO_REDIS_URL")
    port = _free_port()
    process = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
    )
    try:
        for _ in range(500):
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1) as sock:
                    sock.sendall(b"PING\r\n")
                    if sock.recv(16).startswith(b"+PONG"):
                        break
            except OSError:
                time.sleep(0.01)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        process.terminate()
        process.wait()


@contextmanager
def fake_server() -> Iterator[str]:
    """A FakeAmino process on loopback (so its CPU is not the client's)."""
    process = subprocess.Popen(
        [sys.executable, "-m", "amino_async.testing", "--port", "0", "--channels", "1"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert process.stdout is not None
        url = process.stdout.readline().strip()
        for _ in range(500):
            try:
                httpx.get(f"{url}/_fake/config").raise_for_status()
                break
            except httpx.TransportError:
                time.sleep(0.01)
        yield url
    finally:
        process.terminate()
        process.wait()
        if process.stdout is not None:
            process.stdout.close()


def summary(samples: list[float]) -> tuple[float, float, float]:
    ordered = sorted(samples)
    return statistics.fmean(ordered), ordered[len(ordered) // 2], ordered[max(0, int(len(ordered) * 0.99) - 1)]


async def interleaved(
    rounds: int,
    steps: dict[str, Callable[[], Awaitable[object]]],
    before: Callable[[], Awaitable[object]] | None = None,
) -> dict[str, list[float]]:
    """Microseconds per await of each step, taking turns (so that drift in machine load hits every one alike)."""
    samples: dict[str, list[float]] = {name: [] for name in steps}
    for _ in range(rounds):
        if before is not None:
            await before()
        for name, step in steps.items():
            start = time.perf_counter()
            await step()
            samples[name].append((time.perf_counter() - start) * 1e6)
    return samples


async def scenarios(url: str, redis_url: str, requests: int, renewals: int) -> list[tuple[str, str, list[float]]]:
    rows: list[tuple[str, str, list[float]]] = []
    prefix = f"amino-bench:{uuid.uuid4().hex[:8]}:"
    async with (
        httpx.AsyncClient(base_url=f"{url}/_fake") as admin,
        RedisTokenStore.from_url(redis_url, prefix=prefix) as redis_store,
    ):
        stores: dict[str, TokenStore] = {"memory": MemoryTokenStore(), "redis": redis_store}
        clients = {
            name: AminoClient(url, username=USERNAME, password=PASSWORD, token_store=store)
            for name, store in stores.items()
        }
        try:
            for client in clients.values():
                await client.login()
                for _ in range(50):  # warm up connections and code paths
                    await client.profiles.list()
            key = clients["redis"].auth.store_key

            async def read_then_request() -> None:
                await redis_store.load(key)
                await clients["redis"].profiles.list()

            hot = await interleaved(
                requests,
                {
                    "memory": clients["memory"].profiles.list,
                    "redis": clients["redis"].profiles.list,
                    "redis, no local cache": read_then_request,
                },
            )
            rows += [("request, token cached (hot path)", name, hot[name]) for name in ("memory", "redis")]
            rows.append(("request, token read from Redis each time", "redis", hot["redis, no local cache"]))

            def adopter(store: TokenStore) -> Callable[[], Awaitable[None]]:
                async def adopt() -> None:
                    # A process whose tokens another one already renewed: the lease finds them, no token call.
                    auth = AminoAuth(url, username=USERNAME, password=PASSWORD, token_store=store)
                    await auth.ensure_tokens()
                    await auth.aclose()

                return adopt

            adopted = await interleaved(renewals, {name: adopter(store) for name, store in stores.items()})
            rows += [("renewal adopting stored tokens", name, adopted[name]) for name in stores]

            async def expire() -> None:
                await admin.post("/expire_access_tokens")

            refreshed = await interleaved(
                renewals, {name: client.profiles.list for name, client in clients.items()}, before=expire
            )
            rows += [("request after expiry (401, refresh, replay)", name, refreshed[name]) for name in stores]
        finally:
            for client in clients.values():
                await client.aclose()
    return rows


def print_table(rows: list[tuple[str, str, list[float]]]) -> None:
    memory = {scenario: summary(samples)[1] for scenario, store, samples in rows if store == "memory"}
    header = f"{'scenario':45} {'store':7} {'n':>5} {'mean us':>9} {'p50 us':>9} {'p99 us':>9} {'p50 vs memory':>14}"
    print(header)
    print("-" * len(header))
    for scenario, store, samples in rows:
        mean, p50, p99 = summary(samples)
        base = memory.get(scenario)
        if store == "memory":
            added = ""
        elif base is not None:
            added = f"{p50 - base:+.0f} us"
        else:  # no memory row of its own: compare with the memory hot path
            added = f"{p50 - memory['request, token cached (hot path)']:+.0f} us"
        print(f"{scenario:45} {store:7} {len(samples):5d} {mean:9.0f} {p50:9.0f} {p99:9.0f} {added:>14}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--backend", choices=["asyncio", "trio"], default="asyncio")
    parser.add_argument("--requests", type=int, default=2000, help="timed requests per row")
    parser.add_argument("--renewals", type=int, default=100, help="timed renewals per row")
    args = parser.parse_args()
    with redis_server() as redis_url, fake_server() as url:
        rows = anyio.run(scenarios, url, redis_url, args.requests, args.renewals, backend=args.backend)
    print(f"RedisTokenStore vs MemoryTokenStore, {args.backend}, one request at a time, FakeAmino over loopback")
    print_table(rows)


if __name__ == "__main__":
    main()
