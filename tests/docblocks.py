"""The runner of the code blocks in README.md and docs/**/*.md, shared by ``test_readme.py`` and ``test_docs.py``.

Python blocks run as written (top-level ``await`` allowed) under asyncio and trio, against a FakeAmino served on a
loopback socket that stands in for ``https://customer.domain``; the only change made to a block's text is that URL.
The environment gives the blocks what a real user would have: a password, a session cookie, and ids of a broadcast
slot and a recording. Console blocks may only hold commands this suite (or CI itself) runs.

A Python block preceded, on the line just above its fence, by ``<!-- show only: REASON -->`` is compiled (so it
stays valid Python, top-level ``await`` included) but not run: for the few that cannot run here, such as one naming
a real deployment's proxy or CA file.
"""

from __future__ import annotations

import ast
import inspect
import logging
import re
import shlex
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from amino_async.testing import FakeAmino, FakeProfile

ROOT = Path(__file__).resolve().parent.parent
PLACEHOLDER_URL = "https://customer.domain"
_FENCE = re.compile(r"^```(\w*)[^\n]*\n(.*?)^```", re.MULTILINE | re.DOTALL)
_SHOW_ONLY = re.compile(r"^<!--\s*show only:\s*(.+?)\s*-->\s*$")


@dataclass(frozen=True)
class Block:
    """One fenced code block: where it is, its language, its text, and why it is show-only (if it is)."""

    path: Path
    line: int
    language: str
    source: str
    show_only: str | None = None

    @property
    def name(self) -> str:
        return f"{self.path.relative_to(ROOT).as_posix()}:{self.line}"


def blocks(path: Path, language: str) -> list[Block]:
    """The blocks of one language in a Markdown file, each with the show-only marker above its fence, if any."""
    text = path.read_text(encoding="utf-8")
    found = []
    for match in _FENCE.finditer(text):
        if match.group(1) != language:
            continue
        before = text[: match.start()].rstrip("\n").rsplit("\n", 1)[-1]
        marker = _SHOW_ONLY.match(before)
        found.append(
            Block(
                path,
                text.count("\n", 0, match.start()) + 1,
                language,
                match.group(2),
                marker.group(1) if marker else None,
            )
        )
    return found


def params(found: list[Block]) -> list[Any]:
    """``pytest.param`` for each block, named by file and line."""
    return [pytest.param(block, id=block.name) for block in found]


@pytest.fixture
async def deployment(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[tuple[FakeAmino, str]]:
    """The fake deployment the blocks talk to, on a loopback socket, and the environment they read."""
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
    # The operators' blocks: a service account.
    fake.admin.add_operator(fake, "ops@example.com", "op-secret")
    monkeypatch.setenv("AMINO_SERVICE_PASSWORD", "op-secret")
    async with fake.serve() as base_url:
        yield fake, base_url


@pytest.fixture
def quiet_logging() -> Iterator[None]:
    """A block that configures logging does it for the process: put it back afterwards."""
    logger = logging.getLogger("amino_async")
    root = logging.getLogger()
    level, root_level, handlers = logger.level, root.level, list(root.handlers)
    yield
    logger.setLevel(level)
    root.setLevel(root_level)
    for handler in root.handlers:
        if handler not in handlers:
            root.removeHandler(handler)


def _compile(block: Block, base_url: str | None) -> Any:
    source = block.source if base_url is None else block.source.replace(PLACEHOLDER_URL, base_url)
    return compile(source, block.name, "exec", flags=ast.PyCF_ALLOW_TOP_LEVEL_AWAIT)


def runnable(found: list[Block]) -> list[Block]:
    """The blocks that run: all but the show-only ones."""
    return [block for block in found if block.show_only is None]


def show_only(found: list[Block]) -> list[Block]:
    """The show-only blocks (compiled, not run)."""
    return [block for block in found if block.show_only is not None]


def compile_block(block: Block) -> None:
    """A show-only block is still valid Python, with its top-level await."""
    _compile(block, None)


async def run_python_block(
    block: Block,
    deployment: tuple[FakeAmino, str],
    request: pytest.FixtureRequest,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Run one Python block against the deployment."""
    fake, base_url = deployment
    if "AMINO_REDIS_URL" in block.source:
        # The Redis suite's server (a redis-server of its own on loopback), started only for the blocks using it.
        monkeypatch.setenv("AMINO_REDIS_URL", request.getfixturevalue("redis_url"))
    namespace: dict[str, Any] = {"__name__": "__docs__"}
    result = eval(_compile(block, base_url), namespace)
    if inspect.isawaitable(result):
        await result
    if PLACEHOLDER_URL in block.source:
        # The block really talked to the deployment, as the user it names.
        assert fake.stats.requests_by_user.get("1001", 0) > 0, f"{block.name} never called the deployment as 1001"


#: Commands a console block may show: CI runs the nox sessions and the install; tests/test_cli.py runs the CLI,
#: with its settings (AMINO_*) in the environment.
KNOWN_COMMANDS = (
    "pip install",
    "python -m pip install nox",
    "nox -s",
    "nox",  # alone: what .ci/run runs
    "amino-async",
    "python -m amino_async",
    "export AMINO_",
)


def check_console_block(block: Block) -> None:
    """Every command of a console block is one the suite or CI runs."""
    for command_line in block.source.splitlines():
        command = command_line.split("#", 1)[0].strip()
        if not command:
            continue
        for part in command.split("&&"):
            words = shlex.split(part)
            assert words, f"{block.name}: empty command in {command_line!r}"
            assert part.strip().startswith(KNOWN_COMMANDS), f"{block.name}: {part.strip()!r} is not run"
