"""One process of the multi-process token store tests: an AminoClient on a shared token store, driven over stdin.

Run with ``sys.executable worker.py --url ... --backend asyncio|trio`` and either ``--redis URL --prefix P`` (a
RedisTokenStore) or ``--token-file PATH`` (a FileTokenStore). The first line on stdout is ``{"ready": true}`` once
the client exists; then one JSON line answers each command read from stdin:

- ``tokens``: make sure of tokens (a login, or the ones another process stored);
- ``burst N``: N requests at once;
- ``pause-saves S``: from now on a renewal, once it has new tokens, says ``{"saving": true}`` and waits S seconds
  before saving them (so a test can kill it after the server rotated the refresh token, before the store knows);
- ``lease``: take the lease of the client's store key and say ``{"held": true, "interrupted": ...}``; the next
  line (``release``) lets go of it, answered by ``{"released": true}``;
- ``save-keys NAME N``: save tokens under N keys ``NAME-0`` ... at once;
- ``key``: the client's store key;
- ``quit``: close and exit.

Answers carry a fingerprint of the access token in use (a hash prefix, never the token).
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import sys
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any

import anyio
import httpx

from amino_async import AminoClient, FileTokenStore, SharedTokenStore, TokenLease, Tokens

USERNAME = "user@example.com"
PASSWORD = "secret"


def reply(message: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(message) + "\n")
    sys.stdout.flush()


def fingerprint(tokens: Tokens | None) -> str | None:
    return hashlib.sha256(tokens.access_token.encode()).hexdigest()[:12] if tokens else None


class PausingStore:
    """A shared store whose lease saves can be made to wait: the window where a holder's death loses tokens."""

    def __init__(self, store: SharedTokenStore) -> None:
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
    return {"ok": ok, "errors": dict(errors), "token": fingerprint(client.tokens)}


async def save_keys(store: SharedTokenStore, name: str, count: int) -> dict[str, Any]:
    async with anyio.create_task_group() as group:
        for n in range(count):
            group.start_soon(store.save, f"{name}-{n}", Tokens(f"access-{name}-{n}", f"refresh-{name}-{n}", None))
    return {"saved": count}


def open_store(args: argparse.Namespace) -> tuple[SharedTokenStore, AbstractAsyncContextManager[object]]:
    """The store the options name, and what closes it."""
    if args.token_file:
        return FileTokenStore(args.token_file, wait_timeout=10.0), contextlib.nullcontext()
    from amino_async import RedisTokenStore

    store = RedisTokenStore.from_url(args.redis, prefix=args.prefix, lock_ttl=args.lock_ttl, wait_timeout=10.0)
    return store, store


async def main(args: argparse.Namespace) -> None:
    store, closing = open_store(args)
    shared = PausingStore(store)
    async with (
        closing,
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
                reply({"token": fingerprint(client.tokens)})
            elif command == "burst":
                reply(await burst(client, int(argument)))
            elif command == "pause-saves":
                shared.pause = float(argument)
                reply({"pause": shared.pause})
            elif command == "lease":
                async with store.lease(client.auth.store_key) as lease:
                    reply({"held": True, "interrupted": lease.interrupted})
                    await stdin.readline()
                reply({"released": True})
            elif command == "save-keys":
                name, count = argument.split()
                reply(await save_keys(store, name, int(count)))
            elif command == "key":
                reply({"key": client.auth.store_key})
            elif command == "quit":
                break
            else:
                reply({"error": f"unknown command {command!r}"})


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", required=True)
    parser.add_argument("--backend", choices=["asyncio", "trio"], default="asyncio")
    parser.add_argument("--token-file")
    parser.add_argument("--redis")
    parser.add_argument("--prefix")
    parser.add_argument("--lock-ttl", type=float, default=1.0)
    arguments = parser.parse_args()
    if not (arguments.token_file or arguments.redis):
        parser.error("give --token-file or --redis")
    anyio.run(main, arguments, backend=arguments.backend)
