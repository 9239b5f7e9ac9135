"""What the command line prints: rich tables for people, JSON for scripts, one line for an error.

rich is imported here only, and only when a table or a progress bar is drawn: it comes with the ``cli`` extra,
and ``--json`` output works without it.
"""

from __future__ import annotations

import functools
import json
import sys
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, TextIO

import attrs

if TYPE_CHECKING:
    from rich.console import Console, JustifyMethod

__all__ = ["CliError", "console", "emit_json", "error_line", "plural", "print_table", "to_json"]


class CliError(Exception):
    """A failure the command line reports as one line on stderr, with exit status ``status``."""

    def __init__(self, message: str, *, status: int = 1) -> None:
        super().__init__(message)
        self.status = status


def plural(count: int, noun: str, nouns: str | None = None) -> str:
    """``count`` and the noun it counts, ``"1 channel"``, ``"2,000 channels"`` (``nouns``: an irregular plural)."""
    return f"{count:,} {noun if count == 1 else nouns or noun + 's'}"


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
    """A rich console on stdout (or stderr), or a :class:`CliError` saying how to install rich.

    Off a terminal (a pipe, a file) rich's lines are not wrapped: a message is one line, whatever ``COLUMNS`` says.
    """
    try:
        from rich.console import Console
    except ImportError:
        raise CliError("tables and progress bars need rich: pip install 'amino-async[cli]' (or use --json)") from None
    out = _console_class(Console)(stderr=stderr, highlight=False)
    if not out.is_terminal:
        out.soft_wrap = True
    return out


@functools.cache
def _console_class(console_class: type[Console]) -> type[Console]:
    class Output(console_class):  # type: ignore[valid-type,misc]  # rich's class, imported when it is needed
        """rich's console, except that a closed pipe is not an exit 1 of its own: ``main`` ends quietly."""

        def on_broken_pipe(self) -> None:
            self.quiet = True
            raise BrokenPipeError

    return Output


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

    No word is ever broken: a URL, an id or a path stays whole on one line. A column wraps at spaces only, and a
    table that cannot fit the terminal that way is printed wider than it (the terminal folds the lines, a copy
    gets them whole). Off a terminal, nothing wraps: a row is one line.
    """
    out = console()  # first: it says how to install rich when it is missing
    from rich.cells import cell_len
    from rich.table import Table
    from rich.text import Text

    cells = [["" if cell is None else str(cell) for cell in row] for row in rows]
    specs = [(column,) if isinstance(column, str) else column for column in columns]
    wraps = [bool(spec[2]) if len(spec) > 2 else True for spec in specs]
    texts = [[spec[0], *(row[index] for row in cells if index < len(row))] for index, spec in enumerate(specs)]
    widest = [max((cell_len(line) for text in column for line in text.splitlines()), default=0) for column in texts]
    longest_word = [
        max((cell_len(word) for text in column for word in text.split()), default=0) if wrap else width
        for column, wrap, width in zip(texts, wraps, widest, strict=True)
    ]
    # The columns' widths: the widest cell's, narrowed on a terminal (the widest wrapping column first) to fit
    # it, but never below a column's longest word. A table that is still too wide is printed as it is.
    widths = list(widest)
    extra = 3 * len(specs) + 1  # a space either side of each cell, and the lines between and around them
    if out.is_terminal:
        excess = sum(widths) + extra - out.width
        while excess > 0:
            narrower = [i for i, width in enumerate(widths) if width > longest_word[i]]
            if not narrower:
                break
            widths[max(narrower, key=lambda i: widths[i])] -= 1
            excess -= 1
    out.width = max(out.width, sum(widths) + extra)

    table = Table(title=title, caption=caption, title_justify="left", caption_justify="left")
    for spec, wrap, width in zip(specs, wraps, widths, strict=True):
        justify: JustifyMethod = (
            "right" if spec[1:2] == ("right",) else "center" if spec[1:2] == ("center",) else "left"
        )
        table.add_column(spec[0], justify=justify, no_wrap=not wrap, overflow="fold", width=width)
    for row in cells:
        table.add_row(*(Text(cell) for cell in row))  # Text: a "[...]" in a name is not markup
    out.print(table)
