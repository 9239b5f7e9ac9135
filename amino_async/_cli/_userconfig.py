"""``amino-async profiles`` and ``amino-async favourites``: the account's profiles and a profile's favourites.

``profiles`` alone lists the profiles, as it always did; ``profiles create|rename|delete`` change them.
``favourites`` alone lists the lists of a profile with their channels (one request a list, behind a progress bar);
``favourites show|create|rename|delete|add|remove`` do the rest. ``--profile ID`` picks the profile (default: the
logged-in one).
"""

from __future__ import annotations

import argparse
import contextlib
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from .. import AminoClient, ApiError, FavouriteChannelList
from ..resources import Fanout
from ._commands import AddCommand, add_command
from ._output import CliError, console, emit_json, plural, print_table, to_json
from ._session import Settings, open_client

if TYPE_CHECKING:
    from collections.abc import Callable

__all__ = ["add_userconfig_commands"]

#: Requests in flight at once when a command makes one per list or per channel.
_CONCURRENCY = 8
_PROFILE_ID = "the profile's id (see 'amino-async profiles')"
_LIST_ID = "the favourite list's id (see 'amino-async favourites')"


def add_userconfig_commands(command: AddCommand) -> None:
    """Add ``profiles`` and ``favourites`` (with their actions) to the command line."""
    profiles = command("profiles", _list_profiles, "List the profiles of the logged-in account (or change them).")
    actions = profiles.add_subparsers(title="actions", metavar="ACTION")
    add_command(actions, "list", _list_profiles, "List the profiles of the account (the default).")
    create = add_command(actions, "create", _create_profile, "Create a profile.")
    create.add_argument("name", metavar="NAME", help="the profile's name")
    create.add_argument("--child", action="store_true", help="a child profile: adult content is blocked")
    create.add_argument("--age-limit", type=_age, metavar="AGE", help="the profile's age limit")
    create.add_argument("--default", action="store_true", help="make it the default profile")
    rename = add_command(actions, "rename", _rename_profile, "Rename a profile.")
    rename.add_argument("profile_id", metavar="PROFILE_ID", help=_PROFILE_ID)
    rename.add_argument("name", metavar="NAME", help="the profile's new name")
    delete = add_command(
        actions, "delete", _delete_profile, "Delete a profile, with its recordings, settings and favourites."
    )
    delete.add_argument("profile_id", metavar="PROFILE_ID", help=_PROFILE_ID)

    favourites = command(
        "favourites", _list_favourites, "List the favourite channel lists of a profile, with their channels."
    )
    _profile_option(favourites)
    actions = favourites.add_subparsers(title="actions", metavar="ACTION")
    _profile_option(add_command(actions, "list", _list_favourites, "List the lists and their channels (the default)."))
    show = _profile_option(add_command(actions, "show", _show_favourites, "List the channels of one list, in order."))
    show.add_argument("list_id", metavar="LIST_ID", help=_LIST_ID)
    create = _profile_option(add_command(actions, "create", _create_favourites, "Create an empty list."))
    create.add_argument("name", metavar="NAME", help="the list's name")
    rename = _profile_option(add_command(actions, "rename", _rename_favourites, "Rename a list."))
    rename.add_argument("list_id", metavar="LIST_ID", help=_LIST_ID)
    rename.add_argument("name", metavar="NAME", help="the list's new name")
    delete = _profile_option(add_command(actions, "delete", _delete_favourites, "Delete a list."))
    delete.add_argument("list_id", metavar="LIST_ID", help=_LIST_ID)
    add = _profile_option(add_command(actions, "add", _add_favourites, "Add channels at the end of a list."))
    add.add_argument("list_id", metavar="LIST_ID", help=_LIST_ID)
    add.add_argument("channel_ids", nargs="+", metavar="CHANNEL_ID", help="a channel to add, at the end, in order")
    remove = _profile_option(add_command(actions, "remove", _remove_favourites, "Take channels out of a list."))
    remove.add_argument("list_id", metavar="LIST_ID", help=_LIST_ID)
    remove.add_argument("channel_ids", nargs="+", metavar="CHANNEL_ID", help="a channel to take out of the list")


def _profile_option(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    # SUPPRESS: an action's parser must not reset what was given before the action's name.
    parser.add_argument(
        "--profile",
        metavar="PROFILE_ID",
        default=argparse.SUPPRESS,
        help="the profile whose favourites these are (default: the logged-in profile)",
    )
    return parser


def _age(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if not 0 <= value <= 99:
        raise argparse.ArgumentTypeError(f"must be from 0 to 99, not {value}")
    return value


# --- profiles --------------------------------------------------------------------------------------------------


async def _list_profiles(args: argparse.Namespace, settings: Settings) -> int:
    async with await open_client(settings) as client:
        profiles = await client.profiles.list()
        current = client.tokens.profile_id if client.tokens else None
    if settings.json:
        emit_json([{**to_json(profile), "current": profile.id == current} for profile in profiles])
        return 0
    print_table(
        None,
        [("id", "left", False), "name", "default", "child", ("age limit", "right"), "current"],
        (
            (
                profile.id,
                profile.name,
                "yes" if profile.is_default else "",
                "yes" if profile.is_child_profile else "",
                profile.age_limit,
                "*" if profile.id == current else "",
            )
            for profile in profiles
        ),
    )
    return 0


async def _create_profile(args: argparse.Namespace, settings: Settings) -> int:
    async with await open_client(settings) as client:
        profile = await client.profiles.create(
            args.name, is_child_profile=args.child, age_limit=args.age_limit, is_default=args.default or None
        )
    if settings.json:
        emit_json(profile)
    else:
        print(f"Created profile {profile.name!r}: {profile.id}")
    return 0


async def _rename_profile(args: argparse.Namespace, settings: Settings) -> int:
    async with await open_client(settings) as client:
        await client.profiles.update(args.profile_id, name=args.name)
    _done(settings, {"renamed": args.profile_id, "name": args.name}, f"Renamed profile {args.profile_id}.")
    return 0


async def _delete_profile(args: argparse.Namespace, settings: Settings) -> int:
    async with await open_client(settings) as client:
        await client.profiles.delete(args.profile_id)
    _done(settings, {"deleted": args.profile_id}, f"Deleted profile {args.profile_id}.")
    return 0


# --- favourites ------------------------------------------------------------------------------------------------


async def _list_favourites(args: argparse.Namespace, settings: Settings) -> int:
    profile = getattr(args, "profile", None)
    async with await open_client(settings) as client:
        lists = await client.favourites.list(user_profile_id=profile)
        channels = await _channels_of(client, lists, profile, settings)
    rows = [{**to_json(found), "channels": channels[found.id]} for found in lists]
    if settings.json:
        emit_json(rows)
        return 0
    print_table(
        None,
        [("id", "left", False), "name", ("channels", "right")],
        ((row["id"], row["name"], len(row["channels"])) for row in rows),
        caption=plural(len(rows), "favourite list"),
    )
    return 0


async def _channels_of(
    client: AminoClient, lists: list[FavouriteChannelList], profile: str | None, settings: Settings
) -> dict[str, list[str]]:
    """The channel ids of every list, fetched a few at a time."""

    async def fetch(found: FavouriteChannelList) -> tuple[str, list[str]]:
        channels = await client.favourites.channels(found.id, user_profile_id=profile)
        return found.id, [channel.id for channel in channels]

    result: dict[str, list[str]] = {}
    with _progress(settings, "Fetching the lists' channels", len(lists)) as advance:
        async with Fanout(fetch, lists, concurrency=_CONCURRENCY) as fetched:
            async for list_id, channel_ids in fetched:
                result[list_id] = channel_ids
                advance()
    return result


async def _show_favourites(args: argparse.Namespace, settings: Settings) -> int:
    async with await open_client(settings) as client:
        channels = await client.favourites.channels(args.list_id, user_profile_id=getattr(args, "profile", None))
    if settings.json:
        emit_json([channel.id for channel in channels])
        return 0
    print_table(
        None,
        [("#", "right"), ("channel id", "left", False)],
        ((number, channel.id) for number, channel in enumerate(channels, 1)),
        caption=f"{plural(len(channels), 'channel')} in list {args.list_id}",
    )
    return 0


async def _create_favourites(args: argparse.Namespace, settings: Settings) -> int:
    async with await open_client(settings) as client:
        created = await client.favourites.create(args.name, user_profile_id=getattr(args, "profile", None))
    if settings.json:
        emit_json(created)
    else:
        print(f"Created favourite list {created.name!r}: {created.id}")
    return 0


async def _rename_favourites(args: argparse.Namespace, settings: Settings) -> int:
    async with await open_client(settings) as client:
        await client.favourites.update(args.list_id, args.name, user_profile_id=getattr(args, "profile", None))
    _done(settings, {"renamed": args.list_id, "name": args.name}, f"Renamed favourite list {args.list_id}.")
    return 0


async def _delete_favourites(args: argparse.Namespace, settings: Settings) -> int:
    async with await open_client(settings) as client:
        await client.favourites.delete(args.list_id, user_profile_id=getattr(args, "profile", None))
    _done(settings, {"deleted": args.list_id}, f"Deleted favourite list {args.list_id}.")
    return 0


async def _add_favourites(args: argparse.Namespace, settings: Settings) -> int:
    return await _change_channels(args, settings, add=True)


async def _remove_favourites(args: argparse.Namespace, settings: Settings) -> int:
    return await _change_channels(args, settings, add=False)


async def _change_channels(args: argparse.Namespace, settings: Settings, *, add: bool) -> int:
    """Add (in the order given: one after another) or remove channels; every channel is tried, and a failure
    is reported after the rest are done."""
    profile = getattr(args, "profile", None)
    channel_ids: list[str] = list(dict.fromkeys(args.channel_ids))
    failed: list[tuple[str, str]] = []
    async with await open_client(settings) as client:
        favourites = client.favourites
        change = favourites.add_channel if add else favourites.remove_channel
        verb = "Adding" if add else "Removing"
        with _progress(settings, f"{verb} channels", len(channel_ids)) as advance:
            for channel_id in channel_ids:  # in order: a list keeps the order channels were added in
                try:
                    await change(args.list_id, channel_id, user_profile_id=profile)
                except ApiError as exc:  # refused: the other channels are still tried
                    failed.append((channel_id, str(exc)))
                advance()
    done = [channel_id for channel_id in channel_ids if channel_id not in dict(failed)]
    key = "added" if add else "removed"
    if settings.json:
        emit_json({"list_id": args.list_id, key: done, "failed": [{"channel_id": c, "error": e} for c, e in failed]})
    else:
        print(f"{key.capitalize()} {len(done):,} of {plural(len(channel_ids), 'channel')} ({args.list_id}).")
    if failed:
        channel_id, error = failed[0]
        more = f" (and {len(failed) - 1} more)" if len(failed) > 1 else ""
        raise CliError(f"channel {channel_id}: the server refused: {error}{more}")
    return 0


# --- output ----------------------------------------------------------------------------------------------------


def _done(settings: Settings, result: dict[str, Any], message: str) -> None:
    if settings.json:
        emit_json(result)
    else:
        print(message)


@contextlib.contextmanager
def _progress(settings: Settings, description: str, total: int) -> Iterator[Callable[[], None]]:
    """A progress bar on stderr, drawn only on a terminal, never with ``--json``; advanced by what this yields."""
    if settings.json or total < 2:
        yield lambda: None
        return
    out = console(stderr=True)
    if not out.is_terminal:
        yield lambda: None
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    progress = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), console=out)
    task = progress.add_task(description, total=total)
    with progress:
        yield lambda: progress.advance(task)
