"""The docs site (``mkdocs.yml``, ``docs/``) stays true: every Python block runs, as the README's do (the runner:
``tests/docblocks.py``), its console blocks hold only commands the suite runs, every page is in the navigation,
and the reference covers every public name. ``nox -s docs`` builds the site itself, with ``--strict``.
"""

from __future__ import annotations

import importlib
import re

import pytest
import yaml

from amino_async.testing import FakeAmino

from .docblocks import (
    ROOT,
    Block,
    blocks,
    check_console_block,
    compile_block,
    params,
    run_python_block,
    runnable,
    show_only,
)
from .docblocks import deployment as deployment
from .docblocks import quiet_logging as quiet_logging
from .redis.conftest import redis_url as redis_url

DOCS = ROOT / "docs"
PAGES = sorted(DOCS.rglob("*.md"))
PYTHON_BLOCKS = [block for page in PAGES for block in blocks(page, "python")]
CONSOLE_BLOCKS = [block for page in PAGES for block in blocks(page, "console")]
#: The public modules whose every name the reference shows.
PUBLIC_MODULES = ("amino_async", "amino_async.models", "amino_async.resources", "amino_async.testing")


def test_docs_have_blocks_and_few_show_only_ones() -> None:
    assert len(PYTHON_BLOCKS) >= 20
    # Show-only blocks are for what cannot run here (a real deployment's proxy or CA file): keep them few.
    assert len(show_only(PYTHON_BLOCKS)) <= 3, [block.name for block in show_only(PYTHON_BLOCKS)]


@pytest.mark.parametrize("block", params(runnable(PYTHON_BLOCKS)))
async def test_python_block_runs(
    block: Block,
    deployment: tuple[FakeAmino, str],
    quiet_logging: None,
    request: pytest.FixtureRequest,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    await run_python_block(block, deployment, request, monkeypatch)


@pytest.mark.parametrize("block", params(show_only(PYTHON_BLOCKS)))
def test_show_only_block_compiles(block: Block) -> None:
    compile_block(block)


@pytest.mark.parametrize("block", params(CONSOLE_BLOCKS))
def test_console_block_holds_only_commands_the_suite_runs(block: Block) -> None:
    check_console_block(block)


def _nav_pages(entries: object) -> list[str]:
    if isinstance(entries, str):
        return [entries]
    if isinstance(entries, list):
        return [page for entry in entries for page in _nav_pages(entry)]
    if isinstance(entries, dict):
        return [page for value in entries.values() for page in _nav_pages(value)]
    return []


def test_every_page_is_in_the_navigation() -> None:
    config = yaml.safe_load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"))
    nav = _nav_pages(config["nav"])
    pages = [page.relative_to(DOCS).as_posix() for page in PAGES]
    assert sorted(nav) == sorted(pages)


def _directives() -> set[str]:
    found: set[str] = set()
    for page in (DOCS / "reference").glob("*.md"):
        found.update(re.findall(r"^::: *([\w.]+)", page.read_text(encoding="utf-8"), re.MULTILINE))
    return found


def test_the_reference_covers_every_public_name() -> None:
    """Each name of each public module's ``__all__`` has its entry: the module's own page (``::: module``,
    which renders every member) or a ``::: amino_async.NAME`` of the top level's pages. A name the top level
    re-exports from models or resources is shown there."""
    directives = _directives()
    shown_whole = {module for module in PUBLIC_MODULES[1:] if module in directives}
    assert shown_whole == set(PUBLIC_MODULES[1:]), "each submodule has its page"
    elsewhere = {name for module in shown_whole for name in importlib.import_module(module).__all__}
    top = importlib.import_module("amino_async")
    missing = [
        name
        for name in [*top.__all__, "RedisTokenStore"]
        if name not in elsewhere and f"amino_async.{name}" not in directives
    ]
    assert not missing, f"add '::: amino_async.NAME' to a page of docs/reference/ for: {missing}"
