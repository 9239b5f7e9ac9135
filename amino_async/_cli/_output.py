"""What the command line prints: rich tables for people, JSON for scripts, one line for an error.

rich is imported here only, and only when a table or a progress bar is drawn: it comes with the ``cli`` extra,
and ``--json`` output works without it.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, TextIO

import attrs

if TYPE_CHECKING:
    from rich.console import Console, JustifyMethod

__all__ = ["CliError", "console", "emit_json", "error_line", "print_table", "to_json"]


class CliError(Exception):
    """A failure the command line reports as one line on stderr, with exit status ``status``."""

    def __init__(self, message: str, *, status: int = 1) -> None:
        super().__init__(message)
        self.status = status


def error_line(message: str, stream: TextIO | None = None) -> None:
    """Print ``error: message`` as one line on stderr (line breaks in the message are folded)."""
    text = " ".join(str(message).split())
    print(f"error: {text}", file=stream or sys.stderr, flush=True)


def to_json(value: Any) -> Any:
    """``value`` as JSON-ready data: attrs instances become dicts, tuples lists."""
    if attrs.has(type(value)):
        return {name: to_json(item) for name, item in attrs.asdict(value, recurse=False).items()}
    if isinstance(value, Mapping):
        return {str(key): to_json(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_json(item) for item in value]
    return value


def emit_json(value: Any, stream: TextIO | None = None) -> None:
    """Print ``value`` as indented JSON on stdout."""
    out = stream or sys.stdout
    out.write(json.dumps(to_json(value), indent=2, ensure_ascii=False) + "\n")
    out.flush()


def console(*, stderr: bool = False) -> Console:
    """A rich console on stdout (or stderr), or a :class:`CliError` saying how to install rich."""
    try:
        from rich.console import Console
    except ImportError:
        raise CliError("tables and progress bars need rich: pip install 'amino-async[cli]' (or use --json)") from None
    return Console(stderr=stderr, highlight=False)


def print_table(
    title: str | None,
    columns: Sequence[str | tuple[str, JustifyMethod] | tuple[str, JustifyMethod, bool]],
    rows: Iterable[Sequence[object]],
    *,
    caption: str | None = None,
) -> None:
    """Print a table on stdout.

    A column is a header, or ``(header, justify)`` with justify "left", "right" or "center", or
    ``(header, justify, wrap)``; a column that must not wrap (an id to copy) says ``wrap=False``.
    """
    out = console()  # first: it says how to install rich when it is missing
    from rich.table import Table

    table = Table(title=title, caption=caption, title_justify="left", caption_justify="left")
    for column in columns:
        spec = (column,) if isinstance(column, str) else column
        justify: JustifyMethod = (
            "right" if spec[1:2] == ("right",) else "center" if spec[1:2] == ("center",) else "left"
        )
        wrap = spec[2] if len(spec) > 2 else True
        table.add_column(spec[0], justify=justify, overflow="fold", no_wrap=not wrap)
    for row in rows:
        table.add_row(*("" if cell is None else str(cell) for cell in row))
    out.print(table)
