"""Every code block of README.md runs, so the README stays true.

Python blocks run as written (top-level ``await`` allowed) under asyncio and trio, against a FakeAmino served
on a loopback socket that stands in for ``https://customer.domain``; the only change made to a block's text is
that URL. The environment gives the blocks what a real user would have: a password, a session cookie, and ids
of a broadcast slot and a recording. Console blocks may only hold commands this suite (or CI itself) runs.
"""

from __future__ import annotations

import ast
import inspect
import io
import itertools
import logging
import re
import shlex
import tokenize
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest

from amino_async.testing import FakeAmino, FakeProfile

from .redis.conftest import redis_url as redis_url

README = Path(__file__).resolve().parent.parent / "README.md"
PLACEHOLDER_URL = "https://customer.domain"
_FENCE = re.compile(r"^```(\w*)\n(.*?)^```", re.MULTILINE | re.DOTALL)


def _blocks(language: str) -> list[tuple[int, str]]:
    text = README.read_text(encoding="utf-8")
    return [
        (text.count("\n", 0, match.start()) + 1, match.group(2))
        for match in _FENCE.finditer(text)
        if match.group(1) == language
    ]


PYTHON_BLOCKS = _blocks("python")
CONSOLE_BLOCKS = _blocks("console")


def test_readme_has_blocks_of_both_kinds() -> None:
    assert len(PYTHON_BLOCKS) >= 10
    assert CONSOLE_BLOCKS


@pytest.fixture
async def deployment(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[tuple[FakeAmino, str]]:
    fake = FakeAmino(channels=250, users=[])
    user = fake.add_user(
        "user@example.com",  # the user python -m amino_async.testing starts with
        "secret",
        user_id="1001",
        profiles=[FakeProfile("p-main", "Main", is_default=True), FakeProfile("p-kids", "Kids", is_child_profile=True)],
    )
    monkeypatch.setenv("AMINO_PASSWORD", "secret")
    monkeypatch.setenv("AMINO_SESSION", fake.create_session(user))
    monkeypatch.setenv("AMINO_SLOT_ID", fake.broadcast_slot_id(0))
    monkeypatch.setenv("AMINO_RECORDING_ID", fake.recording_id(0))
    # The operators' section: a service account.
    fake.admin.add_operator(fake, "ops@example.com", "op-secret")
    monkeypatch.setenv("AMINO_SERVICE_PASSWORD", "op-secret")
    async with fake.serve() as base_url:
        yield fake, base_url


@pytest.fixture
def quiet_logging() -> Iterator[None]:
    """The logging block configures logging for the process: put it back afterwards."""
    logger = logging.getLogger("amino_async")
    root = logging.getLogger()
    level, root_level, handlers = logger.level, root.level, list(root.handlers)
    yield
    logger.setLevel(level)
    root.setLevel(root_level)
    for handler in root.handlers:
        if handler not in handlers:
            root.removeHandler(handler)


@pytest.mark.parametrize(("line", "source"), PYTHON_BLOCKS, ids=[f"line{line}" for line, _ in PYTHON_BLOCKS])
async def test_python_block_runs(
    line: int,
    source: str,
    deployment: tuple[FakeAmino, str],
    quiet_logging: None,
    request: pytest.FixtureRequest,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    fake, base_url = deployment
    if "AMINO_REDIS_URL" in source:
        # The Redis suite's server (a redis-server of its own on loopback), started only for the blocks using it.
        monkeypatch.setenv("AMINO_REDIS_URL", request.getfixturevalue("redis_url"))
    code = compile(
        source.replace(PLACEHOLDER_URL, base_url),
        f"README.md:{line}",
        "exec",
        flags=ast.PyCF_ALLOW_TOP_LEVEL_AWAIT,
    )
    namespace: dict[str, Any] = {"__name__": "__readme__"}
    result = eval(code, namespace)
    if inspect.isawaitable(result):
        await result
    if PLACEHOLDER_URL in source:
        # The block really talked to the deployment, as the user it names.
        assert fake.stats.requests_by_user.get("1001", 0) > 0


#: Commands a console block may show: CI runs the nox sessions and the install; tests/test_cli.py runs the CLI,
#: with its settings (AMINO_*) in the environment.
_KNOWN_COMMANDS = (
    "pip install",
    "python -m pip install nox",
    "nox -s",
    "nox",  # alone: what .ci/run runs
    "amino-async",
    "python -m amino_async",
    "export AMINO_",
)


def test_console_blocks_hold_only_commands_the_suite_runs() -> None:
    for line, block in CONSOLE_BLOCKS:
        for command_line in block.splitlines():
            command = command_line.split("#", 1)[0].strip()
            if not command:
                continue
            for part in command.split("&&"):
                words = shlex.split(part)
                assert words, f"README.md:{line}: empty command in {command_line!r}"
                assert part.strip().startswith(_KNOWN_COMMANDS), f"README.md:{line}: {part.strip()!r} is not run"


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
        f"README.md:{line + number}: {problem}"
        for line, source in PYTHON_BLOCKS
        for number, problem in _paste_problems(source)
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
