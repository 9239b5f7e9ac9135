"""``amino-async admin``: operator commands: ``users``, ``packages``, ``grant`` (one user, many, or a file of user
ids with a progress bar and a summary) and ``revoke``.

They need an operator's login: the stored one (``amino-async login`` as an operator's account), or, with
``--service-login``, a service account's (``--username``/``AMINO_USERNAME``, ``AMINO_PASSWORD`` or a prompt) for
that command alone.
"""

from __future__ import annotations

import argparse
import contextlib
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from .. import AminoClient, ServiceLogin
from .._constants import DEFAULT_BULK_CONCURRENCY
from ..models import GrantOutcome
from ._commands import AddCommand, add_command
from ._output import CliError, console, emit_json, plural, print_table
from ._session import Settings, open_client, read_password

__all__ = ["add_admin_commands"]

#: Failures the grant summary lists by name (``--json`` lists them all).
_SHOWN_FAILURES = 10
_PACKAGE_ID = "the license package's id (see 'amino-async admin packages')"


def add_admin_commands(command: AddCommand) -> None:
    """Add ``admin`` and its commands."""
    admin = command("admin", _users, "Operator management: users, license packages and grants.")
    commands = admin.add_subparsers(title="admin commands", metavar="ADMIN_COMMAND", required=True)

    users = add_command(commands, "users", _users, "List the deployment's users, a page (100) at a time.")
    users.add_argument("--page", type=_count, default=1, metavar="N", help="page number (default: %(default)s)")
    users.add_argument("--all", action="store_true", help="every page")
    users.add_argument("--status", metavar="STATE", help="only users in this registration state, e.g. REGISTERED")

    packages = add_command(commands, "packages", _packages, "List the license packages.")

    grant = add_command(
        commands,
        "grant",
        _grant,
        "Grant a license package to users: those named, or one user id a line from --from-file, with a progress "
        "bar and a summary. A grant whose answer was lost is not sent again: it is reported as unknown.",
    )
    grant.add_argument("package_id", metavar="PACKAGE_ID", help=_PACKAGE_ID)
    grant.add_argument("user_ids", nargs="*", metavar="USER_ID", help="a user to grant it to (or --from-file)")
    grant.add_argument("--from-file", metavar="PATH", help="user ids, one a line ('-' for stdin; '#' comments)")
    grant.add_argument(
        "--concurrency",
        type=_count,
        default=DEFAULT_BULK_CONCURRENCY,
        metavar="N",
        help=f"grants in flight at once (default: {DEFAULT_BULK_CONCURRENCY})",
    )

    revoke = add_command(commands, "revoke", _revoke, "Revoke a license package from a user.")
    revoke.add_argument("package_id", metavar="PACKAGE_ID", help=_PACKAGE_ID)
    revoke.add_argument("user_id", metavar="USER_ID", help="the user's id (see 'amino-async admin users')")

    for parser in (users, packages, grant, revoke):
        parser.add_argument(
            "--service-login",
            action="store_true",
            help="log in as the service account --username names (loginService), for this command alone",
        )
        parser.set_defaults(prepare=_ask_service_password)


def _count(text: str) -> int:
    try:
        value = int(text.replace(",", "").replace("_", ""))
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, not {value}")
    return value


def _ask_service_password(args: argparse.Namespace, settings: Settings) -> None:
    # Asked before the event loop starts, as 'login' asks: a prompt blocks.
    if getattr(args, "service_login", False):
        settings.require_base_url()
        if not settings.username:
            raise CliError("--service-login needs the service account: pass --username or set AMINO_USERNAME", status=2)
        args.service_password = read_password(from_stdin=False)


async def _client(args: argparse.Namespace, settings: Settings) -> AminoClient:
    password = getattr(args, "service_password", None)
    if password is not None and settings.username:
        return settings.client(settings.require_base_url(), credentials=ServiceLogin(settings.username, password))
    return await open_client(settings)


# --- users and packages --------------------------------------------------------------------------------------


async def _users(args: argparse.Namespace, settings: Settings) -> int:
    async with await _client(args, settings) as client:
        if getattr(args, "all", False):
            users = [user async for user in client.admin.users.iterate(registration_status=args.status)]
            caption = plural(len(users), "user")
        else:
            page = await client.admin.users.list(
                page_number=getattr(args, "page", 1), registration_status=getattr(args, "status", None)
            )
            users = list(page.items)
            more = f"; --page {page.number + 1} for more" if page.has_next else ""
            caption = f"page {page.number}: {plural(len(users), 'user')}{more}"
    if settings.json:
        emit_json(users)
        return 0
    print_table(
        None,
        [("id", "left", False), "email", "name", "state", "flags"],
        (
            (
                user.id,
                user.email,
                user.name.full_name if user.name else None,
                user.registration_state,
                ", ".join(user.user_flags),
            )
            for user in users
        ),
        caption=caption,
    )
    return 0


async def _packages(args: argparse.Namespace, settings: Settings) -> int:
    async with await _client(args, settings) as client:
        packages = await client.admin.licenses.packages()
    if settings.json:
        emit_json(packages)
        return 0
    print_table(
        None,
        [("id", "left", False), "name", ("available after", "right"), ("available until", "right")],
        (
            (
                package.id,
                package.name,
                package.availability.available_after_timestamp if package.availability else None,
                package.availability.available_until_timestamp if package.availability else None,
            )
            for package in packages
        ),
        caption=plural(len(packages), "license package"),
    )
    return 0


# --- grants --------------------------------------------------------------------------------------------------


def _ids_from(source: str) -> Iterator[str]:
    """The user ids of a file (or stdin for ``-``), one a line, read as they are needed."""
    stream = sys.stdin if source == "-" else Path(source).open(encoding="utf-8")  # noqa: SIM115 - closed below
    try:
        for line in stream:
            user_id = line.split("#", 1)[0].strip()
            if user_id:
                yield user_id
    finally:
        if stream is not sys.stdin:
            stream.close()


def _count_ids(source: str) -> int | None:
    """How many user ids a file holds (None for stdin, which cannot be read twice)."""
    if source == "-":
        return None
    return sum(1 for _ in _ids_from(source))


async def _grant(args: argparse.Namespace, settings: Settings) -> int:
    if args.from_file is not None and args.user_ids:
        raise CliError("name the user ids or give --from-file, not both", status=2)
    if args.from_file is None and not args.user_ids:
        raise CliError("no users: name their ids or give --from-file PATH", status=2)
    if args.from_file is not None:
        total = _count_ids(args.from_file)
        ids: Iterator[str] = _ids_from(args.from_file)
    else:
        total = len(args.user_ids)
        ids = iter(args.user_ids)
    counts = {"granted": 0, "failed": 0, "unknown": 0}
    problems: list[GrantOutcome] = []
    async with await _client(args, settings) as client:
        grants = client.admin.licenses.grant_many(ids, args.package_id, concurrency=args.concurrency)
        with _progress(settings, total) as advance:
            async with grants as outcomes:
                async for outcome in outcomes:
                    counts[outcome.status] += 1
                    if not outcome.ok:
                        problems.append(outcome)
                    advance()
    done = sum(counts.values())
    summary: dict[str, Any] = {"package_id": args.package_id, "users": done, **counts}
    if settings.json:
        summary["problems"] = [
            {"user_id": p.user_id, "status": p.status, "error": str(p.error) if p.error else None} for p in problems
        ]
        emit_json(summary)
    else:
        _print_grant_summary(summary, problems)
    if problems:
        unknown = f", {counts['unknown']} unknown (check before granting again)" if counts["unknown"] else ""
        raise CliError(f"{counts['failed'] + counts['unknown']:,} of {plural(done, 'grant')} did not succeed{unknown}")
    return 0


@contextlib.contextmanager
def _progress(settings: Settings, total: int | None) -> Iterator[Any]:
    """A progress bar on a terminal (stderr), advanced by calling what this yields; nothing with ``--json``."""
    if settings.json:
        yield lambda: None
        return
    out = console(stderr=True)
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    progress = Progress(
        TextColumn("Granting"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=out,
        disable=not out.is_terminal,
    )
    task = progress.add_task("grant", total=total)
    with progress:
        yield lambda: progress.advance(task)


def _print_grant_summary(summary: dict[str, Any], problems: list[GrantOutcome]) -> None:
    rows = [
        ("granted", f"{summary['granted']:,}", "the server answered 201"),
        ("failed", f"{summary['failed']:,}", "refused, or never processed: safe to try again"),
        ("unknown", f"{summary['unknown']:,}", "the answer was lost; not sent again"),
        ("users", f"{summary['users']:,}", f"package {summary['package_id']}"),
    ]
    print_table("Grants", ["", ("count", "right"), ""], rows)
    if problems:
        shown = problems[:_SHOWN_FAILURES]
        more = len(problems) - len(shown)
        print_table(
            None,
            [("user id", "left", False), "status", "error"],
            ((p.user_id, p.status, str(p.error) if p.error else "") for p in shown),
            caption=f"and {more:,} more (--json lists them all)" if more else None,
        )


async def _revoke(args: argparse.Namespace, settings: Settings) -> int:
    async with await _client(args, settings) as client:
        await client.admin.licenses.revoke(args.user_id, args.package_id)
    result = {"revoked": args.package_id, "user_id": args.user_id}
    if settings.json:
        emit_json(result)
    else:
        print(f"Revoked package {args.package_id} from user {args.user_id}.")
    return 0
