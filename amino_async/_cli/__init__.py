"""The ``amino-async`` command line (also ``python -m amino_async``); installed with the ``cli`` extra.

Every failure ends in one line on stderr, ``error: ...``, and a non-zero exit status: 1 for a failed command,
2 for a usage error, 130 when interrupted. No traceback (unless ``--debug``), and never a password or token.
A closed pipe (``amino-async channels | head -1``) ends any command quietly, with exit status 0.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import functools
import importlib.util
import logging
import os
import signal
import sys
import threading
from collections.abc import Iterator, Sequence
from typing import NoReturn

import anyio

from .. import (
    AminoError,
    ApiError,
    AuthenticationError,
    ConfigurationError,
    DecodeError,
    TimeoutError,
    TokenStoreError,
    TransportError,
)
from ._admin import add_admin_commands
from ._catalogue import add_catalogue_commands
from ._commands import Command, build_parser, join_dash_values, settings_from
from ._output import CliError, error_line
from ._recordings import add_recordings_command
from ._session import Settings
from ._userconfig import add_userconfig_commands

__all__ = ["main"]


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line with ``argv`` (default: ``sys.argv[1:]``) and return the exit status."""
    try:
        status = _main(sys.argv[1:] if argv is None else argv)
        sys.stdout.flush()  # here, so that a closed pipe shows now, not as a warning when the interpreter exits
    except BrokenPipeError:
        return _reader_gone()
    return status


def _reader_gone() -> int:
    """Whoever read stdout stopped (``| head -1``): done, quietly.

    What is still buffered for stdout goes to the null device, so that flushing it at exit neither fails nor
    says "Exception ignored".
    """
    with contextlib.suppress(OSError, ValueError):  # no file descriptor (a test's capture): nothing is flushed
        fd = sys.stdout.fileno()
        devnull = os.open(os.devnull, os.O_WRONLY)
        try:
            os.dup2(devnull, fd)
        finally:
            os.close(devnull)
    return 0


def make_parser() -> argparse.ArgumentParser:
    """The parser of the whole command line: the core commands and every API area's."""
    return build_parser(add_userconfig_commands, add_admin_commands, add_catalogue_commands, add_recordings_command)


def _main(argv: Sequence[str]) -> int:
    parser = make_parser()
    try:
        args = parser.parse_args(join_dash_values(argv))
    except SystemExit as exit_:  # --help, --version and usage errors: argparse has printed what it had to
        return _exit_status(exit_.code)
    settings = settings_from(args)
    base_url = settings.base_url
    if args.backend == "trio" and importlib.util.find_spec("trio") is None:
        error_line("--backend trio needs trio, which the cli extra does not install: pip install trio")
        return 2
    level = (logging.DEBUG if args.debug else logging.INFO) if args.verbose else logging.WARNING
    try:
        prepare = getattr(args, "prepare", None)
        if prepare is not None:
            prepare(args, settings)
        with _sdk_logging(level):
            status: int = anyio.run(functools.partial(_run, args.run, args, settings), backend=args.backend)
    except KeyboardInterrupt:
        return 130
    except BaseException as exc:  # every failure becomes one line: nothing else is shown to the user
        leaf = _leaf(exc)
        if isinstance(leaf, BrokenPipeError):  # the reader of stdout is gone: not a failure of the command
            return _reader_gone()
        if args.debug:
            raise
        if _interrupted(exc, expected=isinstance(leaf, (AminoError, CliError))):
            return 130
        if isinstance(leaf, SystemExit):
            return _exit_status(leaf.code)
        message, status = describe(leaf, base_url)
        error_line(message)
        return status
    return status


async def _run(command: Command, args: argparse.Namespace, settings: Settings) -> int:
    """Run ``command``; Ctrl-C cancels it (so everything it opened is closed in order), a second one quits."""
    interrupted = False

    async def watch(scope: anyio.CancelScope) -> None:
        nonlocal interrupted
        try:
            with anyio.open_signal_receiver(signal.SIGINT) as signals:
                async for _ in signals:
                    if interrupted:  # a second Ctrl-C: whoever pressed it will not wait for the cleanup
                        _quit_now(130)
                    interrupted = True
                    scope.cancel()
                    group.start_soon(explain_the_wait)
        except NotImplementedError:  # asyncio on Windows: Ctrl-C stays a plain KeyboardInterrupt
            return

    async def explain_the_wait() -> None:
        # A token call runs to its end (its answer may carry the only valid refresh token): say so if it is slow.
        await anyio.sleep(_QUIET_STOP)
        print(_STOPPING, file=sys.stderr)

    if threading.current_thread() is not threading.main_thread():  # signals reach the main thread only
        return await command(args, settings)
    status = 130
    try:
        async with anyio.create_task_group() as group:
            with anyio.CancelScope() as scope:
                group.start_soon(watch, scope)
                status = await command(args, settings)
            group.cancel_scope.cancel()  # done (or cancelled): stop watching
    except Exception:
        # After a Ctrl-C, whatever the cancelled command ended with (a token call that ran to its end and timed
        # out, say) is its doing: the user asked to stop.
        if interrupted:
            return 130
        raise
    return 130 if interrupted else status


#: Seconds a stop after Ctrl-C may take before the command line says what it is waiting for, and what it says.
_QUIET_STOP = 2.0
_STOPPING = "stopping: waiting for a call that must finish (a token renewal); Ctrl-C again to quit now"


def _quit_now(status: int) -> NoReturn:
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):
            stream.flush()
    os._exit(status)


def describe(exc: BaseException, base_url: str | None = None) -> tuple[str, int]:
    """The one-line message and exit status for a failure (SDK messages never carry secrets)."""
    if isinstance(exc, CliError):
        return str(exc), exc.status
    if isinstance(exc, AuthenticationError):
        # No status: no server refused anything now, the stored login has simply run out.
        hint = "; run 'amino-async login' again" if exc.status is None else ""
        return f"authentication failed: {exc}{hint}", 1
    if isinstance(exc, TimeoutError):
        return f"timed out talking to {base_url}: {exc}", 1
    if isinstance(exc, TransportError):
        return f"cannot reach {base_url}: {exc}", 1
    if isinstance(exc, ApiError):
        return f"the server refused: {exc}", 1
    if isinstance(exc, DecodeError):
        return f"unexpected answer from the server: {exc}", 1
    if isinstance(exc, TokenStoreError):  # the command line's store is the token file
        return f"{exc}; move it away or pass --token-file PATH", 1
    if isinstance(exc, ConfigurationError):  # its advice names the Python argument; here it is an option
        return str(exc).replace("pass allow_insecure_http=True", "pass --allow-insecure-http"), 1
    if isinstance(exc, AminoError):
        return str(exc), 1
    if isinstance(exc, OSError):
        where = f": {exc.filename}" if exc.filename else ""
        return f"{exc.strerror or type(exc).__name__}{where}", 1
    return f"unexpected {type(exc).__name__}: {exc} (run with --debug for the traceback)", 1


@contextlib.contextmanager
def _sdk_logging(level: int) -> Iterator[None]:
    """Show the SDK's log lines on stderr, as ``warning: ...`` (or more, with ``-v``), for this run only."""
    logger = logging.getLogger("amino_async")
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(levelname)s: %(message)s"))
    handler.setLevel(level)
    old_level, old_propagate = logger.level, logger.propagate
    logger.addHandler(handler)
    logger.setLevel(level)
    logger.propagate = False
    try:
        yield
    finally:
        logger.removeHandler(handler)
        logger.setLevel(old_level)
        logger.propagate = old_propagate


def _interrupted(exc: BaseException, *, expected: bool) -> bool:
    """Whether a failure is Ctrl-C's doing.

    That is a KeyboardInterrupt anywhere inside it (trio puts it in exception groups) or, for a failure no command
    expects, a cancellation behind it: asyncio answers SIGINT by cancelling the main task, and a task group torn
    down by that cancellation may raise errors of its own in its place.
    """
    pending, seen = [exc], set()
    while pending:
        current = pending.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        if isinstance(current, KeyboardInterrupt):
            return True
        if not expected and _is_cancellation(current):
            return True
        pending.extend(getattr(current, "exceptions", ()))
        pending.extend(e for e in (current.__context__, current.__cause__) if e is not None)
    return False


def _is_cancellation(exc: BaseException) -> bool:
    kind = type(exc)
    return isinstance(exc, asyncio.CancelledError) or (
        kind.__module__.startswith("trio") and kind.__name__ == "Cancelled"
    )


def _leaf(exc: BaseException) -> BaseException:
    """The failure to report.

    That is the one exception inside (nested) exception groups, else the first of several that the SDK or the
    command raised, else ``exc`` itself.
    """
    leaves: list[BaseException] = []
    pending = [exc]
    while pending:
        current = pending.pop(0)
        inner = getattr(current, "exceptions", None)
        if isinstance(inner, tuple):
            pending.extend(inner)
        else:
            leaves.append(current)
    if len(leaves) == 1:
        return leaves[0]
    return next((leaf for leaf in leaves if isinstance(leaf, (AminoError, CliError))), exc)


def _exit_status(code: object) -> int:
    if code is None:
        return 0
    if isinstance(code, int):
        return code
    error_line(str(code))
    return 1
