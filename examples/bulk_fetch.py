"""Every channel's streams into a JSON-lines file, many requests in flight at once.

::

    AMINO_USERNAME=user@example.com AMINO_PASSWORD=... \\
        python examples/bulk_fetch.py --base-url https://customer.domain --out streams.jsonl

    python examples/bulk_fetch.py --demo --out streams.jsonl   # against a built-in fake deployment

Each line is ``{"channel_id": ..., "streams": [...]}``, or ``{"channel_id": ..., "error": ...}`` for a channel
whose streams could not be fetched, in the order the answers arrive. ``channels.streams_many`` keeps at most
``--concurrency`` requests in flight and reads the ids lazily, so memory stays flat however many channels there
are; the SDK retries what is worth retrying and refreshes the token once when it expires mid-run.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
from collections.abc import AsyncIterator, Sequence
from pathlib import Path
from typing import Literal

import anyio
import attrs

from amino_async import AminoClient, AminoError

StreamType = Literal["hls", "dash", "mp4", "mss"]


@attrs.frozen
class Written:
    """What a run wrote: channels (one line each), streams in all, and channels that failed."""

    channels: int
    streams: int
    errors: int


async def bulk_fetch(
    client: AminoClient,
    out: str | os.PathLike[str],
    *,
    concurrency: int = 50,
    stream_type: StreamType | None = None,
) -> Written:
    """Write one line per channel of the catalogue to ``out``: its streams, or the error fetching them."""
    channel_ids = [channel.id async for channel in client.channels.iterate()]
    streams = errors = 0
    async with await anyio.open_file(out, "w", encoding="utf-8") as file:
        results = client.channels.streams_many(
            channel_ids,
            concurrency=concurrency,
            stream_type=stream_type,
        )
        async with contextlib.aclosing(results):
            async for result in results:
                line: dict[str, object] = {"channel_id": result.channel_id}
                if result.streams is not None:
                    line["streams"] = [attrs.asdict(stream) for stream in result.streams]
                    streams += len(result.streams)
                else:
                    line["error"] = str(result.error)
                    errors += 1
                await file.write(json.dumps(line, ensure_ascii=False) + "\n")
    return Written(len(channel_ids), streams, errors)


@contextlib.asynccontextmanager
async def open_client(args: argparse.Namespace) -> AsyncIterator[AminoClient]:
    """A client of ``--base-url`` with the credentials in the environment, or of a fake one with ``--demo``."""
    if args.demo:
        from amino_async.testing import FakeAmino  # the `testing` extra

        fake = FakeAmino(channels=args.channels)
        async with fake.serve() as base_url:
            user = fake.default_user
            async with AminoClient(base_url, username=user.username, password=user.password) as client:
                yield client
        return
    if not args.base_url:
        raise SystemExit("give --base-url (or set AMINO_BASE_URL), or --demo")
    username, password = os.environ.get("AMINO_USERNAME"), os.environ.get("AMINO_PASSWORD")
    if not username or not password:
        raise SystemExit("set AMINO_USERNAME and AMINO_PASSWORD")
    async with AminoClient(args.base_url, username=username, password=password) as client:
        yield client


async def run(args: argparse.Namespace) -> int:
    """Fetch everything as ``args`` say and report on stderr; 1 when some channel failed."""
    async with open_client(args) as client:
        written = await bulk_fetch(client, args.out, concurrency=args.concurrency, stream_type=args.stream_type)
    print(
        f"{written.channels} channels, {written.streams} streams, {written.errors} failed -> {args.out}",
        file=sys.stderr,
    )
    return 1 if written.errors else 0


def main(argv: Sequence[str] | None = None) -> int:
    """The command line: parse ``argv``, run, return the exit status."""
    parser = argparse.ArgumentParser(description="Every channel's streams into a JSON-lines file.")
    parser.add_argument("--base-url", default=os.environ.get("AMINO_BASE_URL"), help="env AMINO_BASE_URL")
    parser.add_argument("--out", type=Path, required=True, help="the JSON-lines file to write")
    parser.add_argument("--concurrency", type=int, default=50, help="requests in flight at once (default 50)")
    parser.add_argument("--stream-type", choices=("hls", "dash", "mp4", "mss"))
    parser.add_argument("--demo", action="store_true", help="start a fake Amino deployment and fetch from it")
    parser.add_argument("--channels", type=int, default=2000, help="channels of the --demo deployment")
    args = parser.parse_args(argv)
    if args.concurrency < 1 or args.channels < 1:
        parser.error("--concurrency and --channels must be at least 1")
    try:
        return anyio.run(run, args)
    except AminoError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except OSError as exc:  # the output file cannot be written
        print(f"error: {exc.strerror}: {exc.filename}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
