"""``amino-async demo``: the SDK's real work against the built-in fake deployment, with nothing to set up.

It starts a :class:`~amino_async.testing.FakeAmino` on a loopback port, logs in, lists every channel, then fetches
every channel's streams with :meth:`~amino_async.resources.Channels.streams_many`. Halfway through, the fake
expires every access token, so the requests in flight get 401s and wait for one refresh between them; a few
channels answer 503 once, which the retries absorb. The summary's numbers are the fake's own counters.
"""

from __future__ import annotations

import argparse
import contextlib
import time
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from .. import AminoClient
from ._output import CliError, console, emit_json, plural, print_table
from ._session import Settings

if TYPE_CHECKING:
    from rich.console import Console
    from rich.progress import Progress, TaskID

    from ..testing import FakeAmino

__all__ = ["add_demo_options", "refuse_deployment_options", "run_demo"]

DEFAULT_CHANNELS = 2000
DEFAULT_CONCURRENCY = 50
#: Channels whose first streams request answers 503: each costs one retry, none an error.
INJECTED_FAULTS = 3
DEMO_PASSWORD = "secret"


def add_demo_options(parser: argparse.ArgumentParser) -> None:
    """The demo's own options (and its refusal of the options that name a deployment)."""
    parser.set_defaults(prepare=refuse_deployment_options)
    parser.add_argument(
        "--channels",
        type=_count,
        default=DEFAULT_CHANNELS,
        metavar="N",
        help=f"channels in the fake catalogue (default: {DEFAULT_CHANNELS:,})",
    )
    parser.add_argument(
        "--concurrency",
        type=_count,
        default=DEFAULT_CONCURRENCY,
        metavar="N",
        help=f"stream requests in flight at once (default: {DEFAULT_CONCURRENCY})",
    )


def _count(text: str) -> int:
    try:
        value = int(text.replace(",", "").replace("_", ""))
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, not {value}")
    return value


class _Narrator:
    """Tells a person what happens, above a live progress bar; tells a script nothing (``--json``)."""

    def __init__(self, quiet: bool) -> None:
        self._console: Console | None = None if quiet else console()
        self._progress: Progress | None = None

    def say(self, message: str) -> None:
        if self._console is not None:
            self._console.print(message)

    @contextlib.contextmanager
    def progress(self, description: str, total: int) -> Iterator[Any]:
        """A progress bar (drawn only on a terminal) advanced by calling what this yields."""
        if self._console is None:
            yield lambda: None
            return
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        progress = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=self._console,
            # Off a terminal (a pipe, a test) a live bar would only litter the output with redraws.
            disable=not self._console.is_terminal,
        )
        task: TaskID = progress.add_task(description, total=total)
        self._progress = progress
        with progress:
            yield lambda: progress.advance(task)
        self._progress = None

    def note(self, message: str) -> None:
        """A line printed above the progress bar while it runs."""
        if self._progress is not None and not self._progress.disable:
            self._progress.console.print(message)
        else:
            self.say(message)


#: The global options that choose a deployment or a login: the demo has its own, so it refuses them.
_NOT_FOR_THE_DEMO = (("base_url", "--base-url"), ("username", "--username"), ("token_file", "--token-file"))


def refuse_deployment_options(args: argparse.Namespace, settings: Settings) -> None:
    """A usage error for ``--base-url``, ``--username`` or ``--token-file`` given to the demo.

    The demo runs against the fake it starts, as the fake's user, and stores no login: those options would be
    ignored, which would let someone believe their deployment was tried. (``AMINO_BASE_URL`` and the other
    variables are not refused: they are there for the other commands.)
    """
    given = [option for name, option in _NOT_FOR_THE_DEMO if getattr(args, name, None) is not None]
    if given:
        raise CliError(
            f"demo runs against its own built-in fake deployment, as its user: {' and '.join(given)} "
            f"{'does' if len(given) == 1 else 'do'} not apply "
            "(for a deployment of yours: 'amino-async login', then 'channels' or 'streams')",
            status=2,
        )


async def run_demo(args: argparse.Namespace, settings: Settings) -> int:
    """Run the demo and print its summary (a table, or JSON with ``--json``)."""
    try:
        from ..testing import FakeAmino
    except ImportError:
        raise CliError(
            "the demo needs the fake server's starlette and uvicorn: pip install 'amino-async[cli]'"
        ) from None
    narrator = _Narrator(quiet=settings.json)
    fake = FakeAmino(channels=args.channels)
    async with fake.serve() as base_url:
        user = fake.default_user
        narrator.say(
            f"Started a fake Amino deployment at [bold]{base_url}[/] with {plural(args.channels, 'channel')} "
            f"and the user {user.username}."
        )
        summary = await _fetch_everything(fake, base_url, user.username, args.concurrency, narrator)
    summary["base_url"] = base_url
    summary["backend"] = args.backend
    if settings.json:
        emit_json(summary)
    else:
        _print_summary(summary)
    if summary["errors"]:
        raise CliError(f"{summary['errors']:,} of {plural(summary['channels'], 'channel')} failed")
    return 0


async def _fetch_everything(
    fake: FakeAmino, base_url: str, username: str, concurrency: int, narrator: _Narrator
) -> dict[str, Any]:
    started = time.monotonic()
    async with AminoClient(base_url, username=username, password=DEMO_PASSWORD) as client:
        tokens = await client.login()
        narrator.say(f"Logged in as user {tokens.user_id} (one password grant; the token lives an hour).")

        channel_ids: list[str] = []
        with narrator.progress("Listing channels", total=fake.channel_count) as advance:
            async for channel in client.channels.iterate():
                channel_ids.append(channel.id)
                advance()
        pages = fake.stats.calls["channels"]
        narrator.say(f"Listed {plural(len(channel_ids), 'channel')} in {plural(pages, 'page')}.")

        faulty = _spread(channel_ids, INJECTED_FAULTS)
        for channel_id in faulty:
            fake.inject(f"/api/v1/channels/{channel_id}/relationships/streams", times=1, status=503)
        if faulty:
            absorb = "the retry absorbs it" if len(faulty) == 1 else "the retries absorb them"
            narrator.say(f"{plural(len(faulty), 'channel')} will answer [yellow]503[/] once: {absorb}.")

        streams = errors = 0
        failures: list[str] = []
        halfway = len(channel_ids) // 2
        done = 0
        results = client.channels.streams_many(channel_ids, concurrency=concurrency)
        with narrator.progress("Fetching streams", total=len(channel_ids)) as advance:
            async with contextlib.aclosing(results):
                async for result in results:
                    done += 1
                    advance()
                    if result.ok:
                        streams += len(result.streams or ())
                    else:
                        errors += 1
                        if len(failures) < 3:
                            failures.append(f"{result.channel_id}: {result.error}")
                    if done == halfway:
                        fake.expire_access_tokens()
                        narrator.note(
                            f"Halfway ({plural(done, 'channel')}): the server expired every access token. "
                            "The requests in flight get 401 and wait for [bold]one[/] refresh between them."
                        )
        elapsed = time.monotonic() - started
        retries = client.retries
    stats = fake.stats
    requests = sum(stats.calls.values())
    for failure in failures:
        narrator.say(f"[red]failed[/] {failure}")
    return {
        "channels": len(channel_ids),
        "streams": streams,
        "requests": requests,
        "logins": stats.grants["password"],
        "refresh_calls": stats.grants["refresh_token"],
        "unauthorized_replayed": stats.unauthorized,
        "injected_503s": sum(stats.faults.values()),
        "retries": retries,
        "errors": errors,
        "concurrency": concurrency,
        "wall_time_s": round(elapsed, 3),
        "requests_per_s": round(requests / elapsed, 1) if elapsed > 0 else None,
    }


def _spread(items: list[str], count: int) -> list[str]:
    """``count`` items spread over ``items`` (fewer when there are fewer), none of them the first."""
    if not items:
        return []
    picks = {len(items) * (k + 1) // (count + 1) for k in range(count)}
    return [items[i] for i in sorted(picks) if i < len(items)]


def _print_summary(summary: dict[str, Any]) -> None:
    rows = [
        ("channels", f"{summary['channels']:,}", "listed, a page of 100 at a time"),
        ("streams", f"{summary['streams']:,}", "fetched with streams_many"),
        ("requests", f"{summary['requests']:,}", "answered by the fake, token calls included"),
        ("logins", summary["logins"], "password grants"),
        (
            "refresh calls",
            summary["refresh_calls"],
            f"for {plural(summary['unauthorized_replayed'], 'request')} answered 401",
        ),
        ("retries", summary["retries"], f"after {plural(summary['injected_503s'], 'injected 503')}"),
        ("errors", summary["errors"], "channels whose streams could not be fetched"),
        (
            "wall time",
            f"{summary['wall_time_s']:.2f} s",
            f"{plural(summary['concurrency'], 'request')} in flight at most",
        ),
        ("requests/s", f"{summary['requests_per_s']:,}", f"on {summary['backend']}"),
    ]
    print_table("Summary", ["", ("value", "right"), ""], rows)
