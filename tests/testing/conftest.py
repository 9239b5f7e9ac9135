"""The fake's own tests drive it with plain httpx, in-process: each module picks its ``fake``."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from amino_async.testing import FakeAmino

from ..helpers import httpx


@pytest.fixture
async def client(fake: FakeAmino) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=fake)
    async with httpx.AsyncClient(transport=transport, base_url="http://amino.test") as client:
        yield client
