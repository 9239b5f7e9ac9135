"""Every code block of README.md runs, so the README stays true (the runner: ``tests/docblocks.py``)."""

from __future__ import annotations

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
