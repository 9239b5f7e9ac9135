"""The commands: ``login``, ``logout``, ``token``, ``channels``, ``streams`` (and ``demo``); the API areas add
theirs through :func:`build_parser`'s extensions (``profiles``, ``favourites``: ``_userconfig``)."""

from __future__ import annotations

import argparse
import datetime
import os
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from .. import Tokens
from .._version import __version__
from ._output import CliError, emit_json, plural, print_table
from ._session import (
    Settings,
    default_token_file,
    open_client,
    read_password,
    read_username,
    session_key,
    stored_tokens,
)

__all__ = [
    "AddCommand",
    "Command",
    "add_command",
    "build_parser",
    "join_dash_values",
    "settings_from",
    "value_may_start_with_dash",
]

#: What a command runs: the parsed arguments and the settings in, the exit status out. A command may also set
#: ``prepare``, run before the event loop starts (to prompt for a password, say).
Command = Callable[[argparse.Namespace, Settings], Awaitable[int]]
#: What adds a command: its name, what it runs and its one-line summary in; its parser (for its options) out.
AddCommand = Callable[[str, Command, str], argparse.ArgumentParser]

_STREAM_TYPES = ("hls", "dash", "mp4", "mss")
_DRM_SYSTEMS = ("fairplay", "widevine", "playready")
_DEVICE_CLASSES = ("stb", "mobile", "smarttv")
_SORTS = ("logical_channel_number", "-logical_channel_number")

#: The option strings whose value may start with "-" (a descending sort, a search for "-x"); see
#: :func:`join_dash_values`. Filled by :func:`value_may_start_with_dash` as the options are added.
_DASH_VALUED: set[str] = set()
#: The short options of the command line: never taken for a value that starts with "-".
SHORT_OPTIONS = ("-h", "-v")


def value_may_start_with_dash(action: argparse.Action) -> argparse.Action:
    """Mark an option (what ``add_argument`` returned) as one whose value may start with "-"."""
    _DASH_VALUED.update(action.option_strings)
    return action


def join_dash_values(argv: Sequence[str]) -> list[str]:
    """``argv`` with ``--sort -x`` (an option of :func:`value_may_start_with_dash`) written ``--sort=-x``.

    argparse reads a word that starts with "-" as an option, so that ``--sort -logical_channel_number`` would be
    "expected one argument". A word after such an option is its value when it starts with one "-" and is not a
    short option of the command line (``-h``, ``-v``); a word with two ("--json") is still an option, as is
    everything after ``--``, which is left as it is.
    """
    joined: list[str] = []
    words = iter(argv)
    for word in words:
        if word == "--":
            joined.append(word)
            joined.extend(words)
            break
        if word in _DASH_VALUED:
            value = next(words, None)
            if value is None:
                joined.append(word)  # argparse says that it expects a value
            elif value.startswith("-") and not value.startswith("--") and value not in SHORT_OPTIONS:
                joined.append(f"{word}={value}")
            else:
                joined.extend((word, value))
        else:
            joined.append(word)
    return joined


_EPILOG = """\
environment:
  AMINO_BASE_URL     the deployment, e.g. https://customer.domain (--base-url)
  AMINO_USERNAME     the username to log in with (--username)
  AMINO_PASSWORD     the password; without it 'login' reads --password-stdin or prompts
                     (a password is never a command-line argument)
  AMINO_TOKEN_FILE   where 'login' keeps the tokens (--token-file); default
                     $XDG_CONFIG_HOME/amino-async/tokens.json, i.e. ~/.config/amino-async/tokens.json

The commands use the login 'amino-async login' stored for the deployment (one per deployment), refreshing
it as needed; without one, AMINO_USERNAME and AMINO_PASSWORD log in for that command alone.
Exit status: 0 done, 1 failed (one 'error:' line on stderr), 2 usage error, 130 interrupted.

Start with 'amino-async demo': it needs no account.
"""


def _add_global_options(parser: argparse.ArgumentParser, *, top: bool) -> None:
    # The same options on the main parser and on every command, so they may come before or after the command
    # name; on the commands they default to "not given", so they never undo a value given before the name.
    # The environment fills in what is not given in settings_from: args.base_url is what the command line says.
    def default(value: object) -> object:
        return value if top else argparse.SUPPRESS

    group = parser.add_argument_group("global options")
    group.add_argument(
        "--base-url",
        metavar="URL",
        default=default(None),
        help="the Amino deployment, e.g. https://customer.domain (default: env AMINO_BASE_URL)",
    )
    group.add_argument(
        "--username", default=default(None), help="the username to log in with (default: env AMINO_USERNAME)"
    )
    group.add_argument(
        "--token-file",
        metavar="PATH",
        default=default(None),
        help="where the login's tokens are kept "
        "(default: env AMINO_TOKEN_FILE, else ~/.config/amino-async/tokens.json)",
    )
    group.add_argument("--json", action="store_true", default=default(False), help="print JSON, for scripts")
    group.add_argument(
        "--allow-insecure-http",
        action="store_true",
        default=default(False),
        help="allow a plain http:// deployment other than loopback (credentials cross the network unencrypted)",
    )
    group.add_argument(
        "--backend",
        choices=("asyncio", "trio"),
        default=default("asyncio"),
        help="the event loop to run on (default: asyncio)",
    )
    group.add_argument(
        "-v", "--verbose", action="store_true", default=default(False), help="log the SDK's logins and refreshes"
    )
    group.add_argument(
        "--debug", action="store_true", default=default(False), help="show the traceback of an unexpected error"
    )


def add_command(
    commands: argparse._SubParsersAction[argparse.ArgumentParser], name: str, run: Command, summary: str
) -> argparse.ArgumentParser:
    """Add command ``name`` to ``commands`` (a parser's subparsers; a command's own, for its actions), with the
    global options, so that they may come after its name too."""
    sub = commands.add_parser(name, help=summary, description=summary)
    _add_global_options(sub, top=False)
    sub.set_defaults(run=run)
    return sub


def build_parser(*extensions: Callable[[AddCommand], object]) -> argparse.ArgumentParser:
    """The argument parser of ``amino-async``; each command sets ``run`` to its :data:`Command`.

    Each extension (an API area's commands) is called with the function that adds a command.
    """
    parser = argparse.ArgumentParser(
        prog="amino-async",
        description="The Amino TV platform API from a shell: log in, list channels, fetch streams.",
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"amino-async {__version__}")
    _add_global_options(parser, top=True)
    commands = parser.add_subparsers(title="commands", metavar="COMMAND", required=True)

    def command(name: str, run: Command, summary: str) -> argparse.ArgumentParser:
        return add_command(commands, name, run, summary)

    from ._demo import add_demo_options, run_demo

    add_demo_options(
        command(
            "demo",
            run_demo,
            "Run the SDK against a built-in fake deployment: every channel's streams, a token expiry midway, "
            "injected 503s, and a summary. Needs no account.",
        )
    )

    login = command("login", _login, "Log in and keep the tokens in the token file (mode 0600).")
    login.set_defaults(prepare=_ask_credentials)
    login.add_argument("--password-stdin", action="store_true", help="read the password from standard input (one line)")
    login.add_argument(
        "--profile", metavar="PROFILE_ID", help="log in as this profile of the account (default: its default profile)"
    )
    login.add_argument(
        "--login-method",
        choices=("password", "digest"),
        default="password",
        help="send the password as it is (over TLS) or as a digest (default: %(default)s)",
    )

    command("logout", _logout, "Forget the stored tokens of the deployment (no server call is needed).")

    command("token", _token, "Show who the stored login is and when its access token expires (never the token).")

    channels = command("channels", _channels, "List the channel catalogue, a page (100 channels) at a time.")
    channels.add_argument("--page", type=_positive, default=1, metavar="N", help="page number (default: %(default)s)")
    channels.add_argument("--all", action="store_true", help="every page")
    value_may_start_with_dash(
        channels.add_argument(
            "--sort",
            choices=_SORTS,
            metavar="ORDER",
            help="order by channel number: logical_channel_number, or -logical_channel_number for the highest "
            "first (default: the server's order)",
        )
    )
    channels.add_argument("--language", metavar="LANG", help="ISO 639-2 language of names and images, e.g. fin")
    value_may_start_with_dash(
        channels.add_argument(
            "--filter", metavar="FILTER", help="only the channels FILTER matches, e.g. genre.name:news"
        )
    )

    streams = command("streams", _streams, "List the live streams of a channel.")
    streams.add_argument("channel_id", metavar="CHANNEL_ID", help="the channel's id (see 'amino-async channels')")
    streams.add_argument("--stream-type", choices=_STREAM_TYPES, help="only streams of this type (default: every type)")
    streams.add_argument("--drm-system", choices=_DRM_SYSTEMS, help="only streams protected by this DRM (default: any)")
    streams.add_argument(
        "--device-class", choices=_DEVICE_CLASSES, help="the streams for this kind of device (default: any)"
    )
    streams.add_argument(
        "--network", metavar="NETWORK", help="the network the device is on, as the deployment names it"
    )
    streams.add_argument(
        "--restart-at-beginning", action="store_true", default=None, help="start-over streams of the programme"
    )

    for extend in extensions:
        extend(command)
    return parser


def settings_from(args: argparse.Namespace) -> Settings:
    """The settings the parsed arguments and the environment give (an option wins over its variable)."""
    token_file = default_token_file()
    if args.token_file:
        token_file = default_token_file({"AMINO_TOKEN_FILE": args.token_file})
    return Settings(
        base_url=args.base_url or os.environ.get("AMINO_BASE_URL") or None,
        username=args.username or os.environ.get("AMINO_USERNAME") or None,
        token_file=token_file,
        json=args.json,
        allow_insecure_http=args.allow_insecure_http,
    )


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, not {value}")
    return value


# --- login and the stored tokens ---------------------------------------------------------------------------


def _ask_credentials(args: argparse.Namespace, settings: Settings) -> None:
    # Asked before the event loop starts: a prompt blocks, and Ctrl-C must still end it at once.
    settings.require_base_url()
    args.credentials = (read_username(settings), read_password(from_stdin=args.password_stdin))


async def _login(args: argparse.Namespace, settings: Settings) -> int:
    base_url = settings.require_base_url()
    username, password = args.credentials
    async with settings.client(
        base_url, username=username, password=password, profile_id=args.profile, login_method=args.login_method
    ) as client:
        tokens = await client.login()
    store = settings.store()
    await store.save(session_key(base_url, store, allow_insecure_http=settings.allow_insecure_http), tokens)
    info = _token_info(base_url, settings, tokens)
    if settings.json:
        emit_json(info)
    else:
        profile = f", profile {tokens.profile_id}" if tokens.profile_id else ""
        print(f"Logged in to {base_url} as user {tokens.user_id or username}{profile}.")
        print(f"Tokens saved in {settings.token_file} (mode 0600); they are refreshed as needed.")
    return 0


async def _logout(args: argparse.Namespace, settings: Settings) -> int:
    base_url, store, tokens = await stored_tokens(settings)
    if tokens is not None:
        async with settings.client(base_url, token_store=store) as client:
            await client.logout()  # drops the tokens from the file; Amino keeps no session to end
    _say(settings, {"logged_out": base_url, "token_file": str(settings.token_file), "removed": tokens is not None})
    return 0


def _say(settings: Settings, result: dict[str, Any]) -> None:
    if settings.json:
        emit_json(result)
    elif not result["removed"]:
        print(f"Not logged in to {result['logged_out']}: nothing to forget.")
    else:
        print(f"Logged out of {result['logged_out']}: its tokens are gone from {result['token_file']}.")


async def _token(args: argparse.Namespace, settings: Settings) -> int:
    base_url, _, tokens = await stored_tokens(settings)
    if tokens is None:
        raise CliError(f"not logged in to {base_url}: run 'amino-async login' first")
    info = _token_info(base_url, settings, tokens)
    if settings.json:
        emit_json(info)
        return 0
    remaining = info["expires_in"]
    if remaining is None:
        expiry = "unknown (the server stated no lifetime): used until the server refuses it"
    elif remaining <= 0:
        expiry = f"expired at {info['expires_at']}; the next command refreshes it"
    else:
        expiry = f"{info['expires_at']} (in {_duration(remaining)})"
    print_table(
        "Stored login",
        ["", ""],
        [
            ("deployment", base_url),
            ("user id", info["user_id"]),
            ("profile", info["profile_id"]),
            ("flags", ", ".join(info["flags"]) or "-"),
            ("logged in", info["login_time"]),
            ("access token expires", expiry),
            ("refresh token", "yes" if info["refreshable"] else "no (log in again when it expires)"),
            ("token file", info["token_file"]),
        ],
    )
    return 0


def _token_info(base_url: str, settings: Settings, tokens: Tokens) -> dict[str, Any]:
    """What may be shown of a login: who, which profile, until when. Never a token."""
    lifetime = tokens.lifetime
    remaining = tokens.expires_in()
    expires_at = _iso(tokens.received_at + lifetime) if lifetime is not None else None
    login_time = _iso(tokens.received_at)
    return {
        "base_url": base_url,
        "user_id": tokens.user_id,
        "profile_id": tokens.profile_id,
        "flags": list(tokens.flags),
        "login_time": login_time,
        "lifetime": lifetime,
        "expires_at": expires_at,
        "expires_in": None if remaining is None else round(remaining, 1),
        "refreshable": tokens.refresh_token is not None,
        "token_file": str(settings.token_file),
    }


def _iso(timestamp: float) -> str:
    moment = datetime.datetime.fromtimestamp(timestamp, tz=datetime.timezone.utc)
    return moment.replace(microsecond=0).isoformat().replace("+00:00", "Z")


def _duration(seconds: float) -> str:
    minutes, secs = divmod(int(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    days, hours = divmod(hours, 24)
    if days:
        return f"{days} d {hours} h"
    if hours:
        return f"{hours} h {minutes} min"
    if minutes:
        return f"{minutes} min {secs} s"
    return f"{secs} s"


# --- the catalogue -------------------------------------------------------------------------------------------


async def _channels(args: argparse.Namespace, settings: Settings) -> int:
    options = {"sort": args.sort, "language": args.language, "filter": args.filter}
    async with await open_client(settings) as client:
        if args.all:
            channels = [channel async for channel in client.channels.iterate(**options)]
            caption = plural(len(channels), "channel")
        else:
            page = await client.channels.list(page_number=args.page, **options)
            channels = list(page.items)
            more = f"; --page {page.number + 1} for more" if page.has_next else ""
            caption = f"page {page.number}: {plural(len(channels), 'channel')}{more}"
    if settings.json:
        emit_json(channels)
        return 0
    print_table(
        None,
        [("#", "right"), "name", ("id", "left", False), "genres", "services"],
        (
            (
                channel.logical_channel_number,
                channel.name,
                channel.id,
                ", ".join(genre.name or genre.id for genre in channel.genres),
                ", ".join(channel.services_available.services_enabled),
            )
            for channel in channels
        ),
        caption=caption,
    )
    return 0


async def _streams(args: argparse.Namespace, settings: Settings) -> int:
    async with await open_client(settings) as client:
        streams = await client.channels.streams(
            args.channel_id,
            stream_type=args.stream_type,
            drm_system=args.drm_system,
            device_class=args.device_class,
            network=args.network,
            restart_at_beginning=args.restart_at_beginning,
        )
    if settings.json:
        emit_json(streams)
        return 0
    print_table(
        None,
        [("bitrate", "right"), "resolution", "protocols", "protection", ("url", "left", False)],
        (
            (
                stream.bitrate,
                stream.max_resolution,
                ", ".join(stream.streaming_protocols) or stream.transport_protocol,
                ", ".join(stream.protection_types) or "-",
                stream.stream_url,
            )
            for stream in streams
        ),
        caption=f"{plural(len(streams), 'stream')} of channel {args.channel_id}",
    )
    return 0
