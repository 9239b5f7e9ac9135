"""Shared test setup: every async test runs once under asyncio and once under trio (anyio_mode = auto)."""

from __future__ import annotations

import importlib.util

import pytest

#: httpx2 installs on Python 3.11+: where it is not installed, its tests are deselected (as soak is), never skipped.
HAS_HTTPX2 = importlib.util.find_spec("httpx2") is not None


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if HAS_HTTPX2:
        return
    deselected = [item for item in items if item.get_closest_marker("httpx2") is not None]
    if deselected:
        config.hook.pytest_deselected(items=deselected)
        items[:] = [item for item in items if item.get_closest_marker("httpx2") is None]


@pytest.fixture(params=["asyncio", "trio"])
def anyio_backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)
