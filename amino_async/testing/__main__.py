"""``python -m amino_async.testing``: run a fake Amino server until killed.

The first line on stdout is the base URL (``http://127.0.0.1:PORT``); nothing else goes to stdout.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from ._app import FakeAmino
from ._server import run


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m amino_async.testing",
        description="Run a fake Amino server; its base URL is the first line on stdout.",
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
    parser.add_argument("--port", type=int, default=0, help="port to listen on (0: a free one)")
    parser.add_argument("--channels", type=int, default=200, help="number of channels")
    parser.add_argument("--seed", type=int, default=0, help="catalogue seed (ids depend on it)")
    parser.add_argument(
        "--user",
        action="append",
        default=[],
        metavar="USERNAME:PASSWORD",
        help="add a user besides user@example.com:secret (repeatable)",
    )
    timing = parser.add_argument_group("timing (seconds)")
    timing.add_argument("--access-token-lifetime", type=float, default=3600.0, metavar="S")
    timing.add_argument("--refresh-token-lifetime", type=float, default=30 * 86400.0, metavar="S")
    timing.add_argument("--token-delay", type=float, default=0.0, metavar="S", help="before token answers")
    timing.add_argument("--data-delay", type=float, default=0.0, metavar="S", help="before data answers")
    timing.add_argument("--clock-offset", type=float, default=0.0, metavar="S", help="added to reported times")
    shapes = parser.add_argument_group("answer shapes")
    shapes.add_argument("--zero-lifetime", action="store_true", help="report expires_at == login_timestamp")
    shapes.add_argument("--legacy-token-shape", action="store_true", help="token answers as on the seed page")
    shapes.add_argument("--send-next-links", action="store_true", help="links.next on channel pages")
    return parser


def build(args: argparse.Namespace) -> FakeAmino:
    """The fake the parsed command line asks for."""
    fake = FakeAmino(
        channels=args.channels,
        seed=args.seed,
        access_token_lifetime=args.access_token_lifetime,
        refresh_token_lifetime=args.refresh_token_lifetime,
    )
    for spec in args.user:
        username, sep, password = spec.partition(":")
        if not sep or not username:
            raise SystemExit(f"--user takes USERNAME:PASSWORD, not {spec!r}")
        fake.add_user(username, password)
    fake.configure(
        token_delay=args.token_delay,
        data_delay=args.data_delay,
        clock_offset=args.clock_offset,
        zero_lifetime=args.zero_lifetime,
        legacy_token_shape=args.legacy_token_shape,
        send_next_links=args.send_next_links,
    )
    return fake


def main(argv: Sequence[str] | None = None) -> int:
    """Parse ``argv``, print the base URL, serve until SIGINT or SIGTERM."""
    args = _parser().parse_args(argv)
    fake = build(args)

    def ready(url: str) -> None:
        print(url, flush=True)
        users = ", ".join(f"{user.username} (id {user.user_id})" for user in fake.users)
        print(f"fake Amino at {url}; users: {users}", file=sys.stderr, flush=True)

    run(fake, args.host, args.port, ready)
    return 0


if __name__ == "__main__":
    sys.exit(main())
