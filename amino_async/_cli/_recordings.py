"""``amino-async recordings``: list, schedule and delete the recordings of a profile (the v4 recordings API)."""

from __future__ import annotations

import argparse
import contextlib
from collections.abc import Callable, Iterator
from typing import Any

from .. import AminoClient, AminoError, Recording
from ._commands import AddCommand, Command, add_command, value_may_start_with_dash
from ._output import CliError, console, emit_json, plural, print_table, to_json
from ._session import Settings, open_client

__all__ = ["add_recordings_command"]


def add_recordings_command(command: AddCommand) -> None:
    """Add ``recordings list|schedule|delete`` (an extension of ``build_parser``)."""
    summary = "List, schedule and delete the recordings of a profile (default: the logged-in one)."
    recordings = command("recordings", _list, summary)
    actions = recordings.add_subparsers(title="actions", metavar="ACTION", required=True)

    def action(name: str, run: Command, text: str) -> argparse.ArgumentParser:
        sub = add_command(actions, name, run, text)
        sub.add_argument(
            "--profile",
            metavar="PROFILE_ID",
            help="act as this profile of the account (default: the logged-in profile)",
        )
        return sub

    listing = action("list", _list, "List the profile's recordings, a page (100) at a time.")
    value_may_start_with_dash(
        listing.add_argument("--search", metavar="WORDS", help="only recordings whose title has these words")
    )
    listing.add_argument("--page", type=_positive, default=1, metavar="N", help="page number (default: %(default)s)")
    listing.add_argument("--all", action="store_true", help="every page")
    schedule = action("schedule", _schedule, "Record broadcast slots (their ids from the EPG).")
    schedule.add_argument("slot_ids", nargs="+", metavar="SLOT_ID", help="a broadcast slot's id (see 'epg')")
    schedule.add_argument("--favourite", action="store_true", default=None, help="mark them favourite")
    delete = action("delete", _delete, "Delete recordings.")
    delete.add_argument(
        "recording_ids", nargs="+", metavar="RECORDING_ID", help="a recording's id (see 'recordings list')"
    )


def _positive(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"must be a whole number of at least 1, not {text!r}")
    return int(text)


@contextlib.asynccontextmanager
async def _profile_client(args: argparse.Namespace, settings: Settings) -> Any:
    async with await open_client(settings) as client:
        yield client.as_profile(args.profile) if args.profile else client


def _rows(recordings: list[Recording]) -> Iterator[tuple[object, ...]]:
    for recording in recordings:
        yield (
            recording.id,
            recording.broadcast_slot_id,
            recording.series_id or "-",
            "*" if recording.is_favourite else "",
        )


_COLUMNS: Any = [("id", "left", False), ("broadcast slot", "left", False), ("series", "left", False), "favourite"]


async def _list(args: argparse.Namespace, settings: Settings) -> int:
    async with _profile_client(args, settings) as client:
        if args.all:
            recordings = [r async for r in client.recordings.iterate(search=args.search)]
            caption = plural(len(recordings), "recording")
        else:
            page = await client.recordings.search(search=args.search, page_number=args.page)
            recordings = list(page.items)
            more = f"; --page {page.number + 1} for more" if page.has_next else ""
            caption = f"page {page.number}: {plural(len(recordings), 'recording')}{more}"
    if settings.json:
        emit_json(recordings)
        return 0
    print_table(None, _COLUMNS, _rows(recordings), caption=caption)
    return 0


async def _each(
    settings: Settings, items: list[str], description: str, work: Callable[[str], Any]
) -> tuple[list[Any], list[tuple[str, AminoError]]]:
    """Run ``work`` on every item in turn, a progress bar on a terminal; what succeeded, and what failed why."""
    done: list[Any] = []
    failed: list[tuple[str, AminoError]] = []
    out = None if settings.json else console(stderr=True)
    from contextlib import nullcontext

    bar: Any = nullcontext()
    advance: Callable[[], None] = lambda: None  # noqa: E731
    if out is not None and out.is_terminal and len(items) > 1:
        from rich.progress import Progress

        bar = Progress(console=out, transient=True)
    with bar as progress:
        if progress is not None:
            task = progress.add_task(description, total=len(items))
            advance = lambda: progress.advance(task)  # noqa: E731
        for item in items:
            try:
                done.append(await work(item))
            except AminoError as exc:
                failed.append((item, exc))
            advance()
    return done, failed


def _report_failures(failed: list[tuple[str, AminoError]], total: int) -> None:
    if failed:
        item, exc = failed[0]
        others = f" (and {len(failed) - 1} more of {total})" if len(failed) > 1 else ""
        raise CliError(f"{item}: {exc}{others}")


async def _schedule(args: argparse.Namespace, settings: Settings) -> int:
    async with _profile_client(args, settings) as client:
        recordings: AminoClient = client

        async def one(slot_id: str) -> Recording:
            return await recordings.recordings.schedule(slot_id, is_favourite=args.favourite)

        done, failed = await _each(settings, list(args.slot_ids), "scheduling", one)
    if settings.json:
        emit_json([to_json(r) for r in done])
    else:
        print_table(None, _COLUMNS, _rows(done), caption=f"{len(done):,} of {len(args.slot_ids):,} scheduled")
    _report_failures(failed, len(args.slot_ids))
    return 0


async def _delete(args: argparse.Namespace, settings: Settings) -> int:
    async with _profile_client(args, settings) as client:
        recordings: AminoClient = client

        async def one(recording_id: str) -> str:
            await recordings.recordings.delete(recording_id)
            return recording_id

        done, failed = await _each(settings, list(args.recording_ids), "deleting", one)
    if settings.json:
        emit_json({"deleted": done})
    else:
        for recording_id in done:
            print(f"Deleted {recording_id}.")
    _report_failures(failed, len(args.recording_ids))
    return 0
