"""One process of the multi-process Redis tests: an AminoClient on a shared RedisTokenStore, driven over stdin.

Run with ``sys.executable worker.py --url ... --redis ... --prefix ... --backend asyncio|trio``. The first line on
stdout is ``{"ready": true}`` once the client exists; then one JSON line answers each command read from stdin:

- ``tokens``: make sure of tokens (a login, or the ones another process stored);
- ``burst N``: N requests at once;
- ``pause-saves S``: from now on a renewal, once it has new tokens, says ``{"saving": true}`` and waits S seconds
  before saving them (so a test can kill it after the server rotated the refresh token, before the store knows);
- ``quit``: close and exit.

Answers carry a fingerprint of the access token in use (a hash prefix, never the token).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import anyio
import httpx

from amino_async import AminoClient, RedisTokenStore, TokenLease, Tokens

USERNAME = "user@example.com"
PASSWORD = "secret"


def reply(message: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(message) + "\n")
    sys.stdout.flush()


def fingerprint(client: AminoClient) -> str | None:
    tokens = client.tokens
    return hashlib.sha256(tokens.access_token.encode()).hexdigest()[:12] if tokens else None


class PausingStore:
    """A RedisTokenStore whose lease saves can be made to wait: the window where a holder's death loses tokens."""

    def __init__(self, store: RedisTokenStore) -> None:
        self.store = store
        self.pause = 0.0

    async def load(self, key: str) -> Tokens | None:
        return await self.store.load(key)

    async def save(self, key: str, tokens: Tokens) -> None:
        await self.store.save(key, tokens)

    async def delete(self, key: str) -> None:
        await self.store.delete(key)

    @asynccontextmanager
    async def lease(self, key: str) -> AsyncIterator[TokenLease]:
        async with self.store.lease(key) as lease:

            async def save(tokens: Tokens) -> Tokens:
                if self.pause:
                    reply({"saving": True})
                    await anyio.sleep(self.pause)
                return await lease.save(tokens)

            yield TokenLease(lease.tokens, save, lease.interrupted)


async def burst(client: AminoClient, count: int) -> dict[str, Any]:
    ok = 0
    errors: Counter[str] = Counter()

    async def one() -> None:
        nonlocal ok
        try:
            await client.profiles.list()
        except Exception as exc:
            errors[type(exc).__name__] += 1
        else:
            ok += 1

    async with anyio.create_task_group() as group:
        for _ in range(count):
            group.start_soon(one)
    return {"ok": ok, "errors": dict(errors), "token": fingerprint(client)}


async def main(args: argparse.Namespace) -> None:
    store = RedisTokenStore.from_url(args.redis, prefix=args.prefix, lock_ttl=args.lock_ttl, wait_timeout=10.0)
    shared = PausingStore(store)
    async with (
        store,
        AminoClient(
            args.url,
            username=USERNAME,
            password=PASSWORD,
            token_store=shared,
            # A small pool: 200 requests at once queue on it rather than each opening a connection.
            limits=httpx.Limits(max_connections=20, max_keepalive_connections=20),
        ) as client,
    ):
        reply({"ready": True})
        stdin = anyio.wrap_file(sys.stdin)
        async for line in stdin:
            command, _, argument = line.strip().partition(" ")
            if command == "tokens":
                await client.auth.ensure_tokens()
                reply({"token": fingerprint(client)})
            elif command == "burst":
                reply(await burst(client, int(argument)))
            elif command == "pause-saves":
                shared.pause = float(argument)
                reply({"pause": shared.pause})
            elif command == "quit":
                break
            else:
                reply({"error": f"unknown command {command!r}"})


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", required=True)
    parser.add_argument("--redis", required=True)
    parser.add_argument("--prefix", required=True)
    parser.add_argument("--backend", choices=["asyncio", "trio"], default="asyncio")
    parser.add_argument("--lock-ttl", type=float, default=1.0)
    arguments = parser.parse_args()
    anyio.run(main, arguments, backend=arguments.backend)
