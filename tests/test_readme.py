"""Every code block of README.md runs, so the README stays true (the runner: ``tests/docblocks.py``)."""

from __future__ import annotations

import io
import itertools
import tokenize

import pytest

from amino_async.testing import FakeAmino

from .docblocks import ROOT, Block, blocks, check_console_block, params, run_python_block
from .docblocks import deployment as deployment
from .docblocks import quiet_logging as quiet_logging
from .redis.conftest import redis_url as redis_url

README = ROOT / "README.md"
PYTHON_BLOCKS = blocks(README, "python")
CONSOLE_BLOCKS = blocks(README, "console")


def test_readme_has_blocks_of_both_kinds() -> None:
    assert len(PYTHON_BLOCKS) >= 10
    assert CONSOLE_BLOCKS
    assert all(block.show_only is None for block in PYTHON_BLOCKS), "every README block runs"


@pytest.mark.parametrize("block", params(PYTHON_BLOCKS))
async def test_python_block_runs(
    block: Block,
    deployment: tuple[FakeAmino, str],
    quiet_logging: None,
    request: pytest.FixtureRequest,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    await run_python_block(block, deployment, request, monkeypatch)


@pytest.mark.parametrize("block", params(CONSOLE_BLOCKS))
def test_console_block_holds_only_commands_the_suite_runs(block: Block) -> None:
    check_console_block(block)


#: Words that go on with the compound statement before them, at its indentation.
_CONTINUATIONS = {"except", "else", "elif", "finally", "case"}


def _paste_problems(source: str) -> list[tuple[int, str]]:
    """(line, problem) wherever pasting ``source`` into ``python -m asyncio`` would go wrong.

    That REPL (the classic one: before Python 3.13, and off a terminal) ends a compound statement at the first
    blank line, and only there: a blank line inside an indented body cuts it short, and a statement right after
    the body, without a blank line between, is a SyntaxError.
    """
    logical: list[tuple[int, int, str, int]] = []  # first line, indentation, first word, last line
    first: tokenize.TokenInfo | None = None
    skipped = (tokenize.NL, tokenize.COMMENT, tokenize.INDENT, tokenize.DEDENT, tokenize.ENDMARKER)
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if first is None and token.type in skipped:
            continue
        if first is None:
            first = token
        if token.type == tokenize.NEWLINE:
            logical.append((first.start[0], first.start[1], first.string, token.end[0]))
            first = None
    lines = source.splitlines()
    problems = []
    for (_, indent, _, end), (start, next_indent, word, _) in itertools.pairwise(logical):
        blank = any(not line.strip() for line in lines[end : start - 1])
        goes_on = next_indent > 0 or word in _CONTINUATIONS
        if blank and goes_on:
            problems.append((start, "a blank line inside an indented body ends it in the REPL"))
        elif not blank and indent > 0 and not goes_on:
            problems.append((start, "the REPL needs a blank line between an indented body and this line"))
    return problems


def test_python_blocks_paste_into_python_m_asyncio() -> None:
    problems = [
        f"{block.path.name}:{block.line + number}: {problem}"
        for block in PYTHON_BLOCKS
        for number, problem in _paste_problems(block.source)
    ]
    assert problems == []
    assert _paste_problems("async with x:\n    a()\n\n    b()\n") == [
        (4, "a blank line inside an indented body ends it in the REPL")
    ]
    assert _paste_problems("if x:\n    a()\n\nelse:\n    b()\n") == [
        (4, "a blank line inside an indented body ends it in the REPL")
    ]
    assert _paste_problems("async with x(\n    1,\n) as y:\n    a()\nprint(y)\n") == [
        (5, "the REPL needs a blank line between an indented body and this line")
    ]
    assert _paste_problems("f(\n\n    1,\n)\nasync with x:\n    # note\n    a()\n\nprint(1)\n") == []
