"""The catalogue commands: ``epg`` (a channel's schedule), ``programs`` (the programme catalogue) and ``catchup``
(what can be watched again, and its streams)."""

from __future__ import annotations

import argparse
import contextlib
import datetime
import sys
from collections.abc import Callable, Iterator
from typing import Any

from ..models import BroadcastSlot
from ._commands import AddCommand, value_may_start_with_dash
from ._output import CliError, console, emit_json, plural, print_table, to_json
from ._session import Settings, open_client

__all__ = ["add_catalogue_commands"]

_MAX_DAYS = 31


def add_catalogue_commands(command: AddCommand) -> None:
    """Add ``epg``, ``programs`` and ``catchup`` (an extension of ``build_parser``)."""
    epg = command("epg", _epg, "Show a channel's schedule: a day (04:00 to 04:00), or several days from it.")
    epg.add_argument("channel_id", metavar="CHANNEL", help="the channel's id (see 'amino-async channels')")
    when = epg.add_mutually_exclusive_group()
    when.add_argument("--date", type=_date, metavar="YYYY-MM-DD", help="the day (default today, UTC)")
    when.add_argument(
        "--days", type=_days, metavar="N", help=f"N days from today (1 to {_MAX_DAYS}), fetched concurrently"
    )
    epg.add_argument("--language", metavar="LANG", help="ISO 639-2 language, e.g. fin")

    programs = command("programs", _programs, "List the programme catalogue, newest release first.")
    value_may_start_with_dash(
        programs.add_argument("--search", metavar="TEXT", help="only programmes whose title contains TEXT (every page)")
    )
    programs.add_argument("--genre", metavar="GENRE_ID", help="only this genre's programmes")
    programs.add_argument("--series", metavar="SERIES_ID", help="only this series' episodes")
    programs.add_argument("--all", action="store_true", help="every page, not only the first (100)")
    programs.add_argument("--language", metavar="LANG", help="ISO 639-2 language, e.g. fin")

    catchup = command("catchup", _catchup, "List the catch-up items (of every channel unless --channel).")
    catchup.add_argument("--channel", action="append", metavar="CHANNEL", help="a channel (repeat for several)")
    value_may_start_with_dash(catchup.add_argument("--title", metavar="TEXT", help="only programmes with this title"))
    catchup.add_argument("--streams", action="store_true", help="fetch each item's streams too")
    catchup.add_argument("--language", metavar="LANG", help="ISO 639-2 language, e.g. fin")


def _date(text: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date as YYYY-MM-DD: {text!r}") from None


def _days(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if not 1 <= value <= _MAX_DAYS:
        raise argparse.ArgumentTypeError(f"must be from 1 to {_MAX_DAYS}, not {value}")
    return value


@contextlib.contextmanager
def _progress(settings: Settings, description: str, total: int | None) -> Iterator[Callable[[], None]]:
    """A progress bar on stderr while multi-request work runs (drawn on a terminal only, never with --json)."""
    if settings.json or not sys.stderr.isatty():
        yield lambda: None
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console(stderr=True),
        transient=True,
    ) as progress:
        task = progress.add_task(description, total=total)
        yield lambda: progress.advance(task)


def _clock(timestamp: int) -> str:
    return datetime.datetime.fromtimestamp(timestamp, tz=datetime.timezone.utc).strftime("%Y-%m-%d %H:%M")


def _today() -> datetime.date:
    return datetime.datetime.now(datetime.timezone.utc).date()


async def _epg(args: argparse.Namespace, settings: Settings) -> int:
    start = args.date or _today()
    days = args.days or 1
    dates = [start + datetime.timedelta(days=offset) for offset in range(days)]
    async with await open_client(settings) as client:
        if days == 1:
            slots = await client.schedule.slots(args.channel_id, start, language=args.language)
        else:
            by_date: dict[datetime.date, list[BroadcastSlot]] = {}
            with _progress(settings, f"{days} days of EPG", days) as advance:
                async with client.schedule.days(args.channel_id, dates, language=args.language) as results:
                    async for result in results:
                        if result.error is not None:
                            raise result.error
                        by_date[result.date] = result.slots or []
                        advance()
            slots = [slot for date in dates for slot in by_date[date]]
    if settings.json:
        emit_json(slots)
        return 0
    channel = next((slot.channel.name for slot in slots if slot.channel is not None), args.channel_id)
    span = start.isoformat() if days == 1 else f"{start.isoformat()} to {dates[-1].isoformat()}"
    print_table(
        f"{channel}, {span} (UTC)",
        ["start", "end", "title", ("slot id", "left", False)],
        ((_clock(s.start_time_unix), _clock(s.end_time_unix)[-5:], s.title, s.id) for s in slots),
        caption=plural(len(slots), "slot"),
    )
    return 0


async def _programs(args: argparse.Namespace, settings: Settings) -> int:
    options = {"genre_id": args.genre, "series_id": args.series, "language": args.language}
    async with await open_client(settings) as client:
        if args.all or args.search:
            found = []
            needle = (args.search or "").casefold()
            with _progress(settings, "programmes", None) as advance:
                async for program in client.programs.iterate(**options):
                    advance()
                    if needle in program.title.casefold():
                        found.append(program)
            caption = plural(len(found), "programme") + (f" matching {args.search!r}" if args.search else "")
        else:
            page = await client.programs.list(**options)
            found = list(page.items)
            more = "; --all for every page" if page.has_next else ""
            caption = f"{plural(len(found), 'programme')}{more}"
    if settings.json:
        emit_json(found)
        return 0
    print_table(
        None,
        ["title", "type", ("year", "right"), ("min", "right"), ("id", "left", False)],
        (
            (
                p.title,
                p.program_type,
                p.release_year,
                (p.duration_without_adverts_seconds or 0) // 60 or None,
                p.id,
            )
            for p in found
        ),
        caption=caption,
    )
    return 0


async def _catchup(args: argparse.Namespace, settings: Settings) -> int:
    async with await open_client(settings) as client:
        items = await client.catchup.list(
            channel_id=args.channel or "*", program_title=args.title, language=args.language
        )
        streams: dict[str, Any] = {}
        if args.streams:
            with _progress(settings, "catch-up streams", len(items)) as advance:
                async with client.catchup.streams_many(items) as results:
                    async for result in results:
                        streams[result.item_id] = result
                        advance()
    if settings.json:
        emit_json(
            [
                {**to_json(item), "streams": to_json(streams[item.id].streams)} if args.streams else to_json(item)
                for item in items
            ]
        )
        return 0
    failed = sum(1 for result in streams.values() if not result.ok)
    columns: list[Any] = ["title", "available until", ("channel", "left", False), ("id", "left", False)]
    if args.streams:
        columns.append(("streams", "right"))

    def row(item: Any) -> list[object]:
        cells: list[object] = [item.title, _clock(item.available_until_timestamp), item.channel_id, item.id]
        if args.streams:
            result = streams[item.id]
            cells.append(len(result.streams) if result.ok else "error")
        return cells

    print_table(None, columns, (row(item) for item in items), caption=plural(len(items), "catch-up item"))
    if failed:
        raise CliError(f"the streams of {failed:,} of {plural(len(items), 'item')} could not be fetched")
    return 0
