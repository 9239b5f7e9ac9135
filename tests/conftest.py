"""Shared test setup: every async test runs once under asyncio and once under trio (anyio_mode = auto)."""

from __future__ import annotations

import pytest


@pytest.fixture(params=["asyncio", "trio"])
def anyio_backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)
