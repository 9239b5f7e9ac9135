"""Small shared pieces of the test suite."""

from __future__ import annotations

from typing import Any

import httpx

from amino_async import AminoClient
from amino_async.testing import FakeAmino

BASE_URL = "http://localhost"
USERNAME = "user@example.com"
PASSWORD = "secret"
USER_ID = "1001"


def in_process(fake: FakeAmino, **options: Any) -> AminoClient:
    """A client talking to ``fake`` in-process (httpx.ASGITransport), logged in as its default user."""
    options.setdefault("username", USERNAME)
    options.setdefault("password", PASSWORD)
    return AminoClient(BASE_URL, transport=httpx.ASGITransport(app=fake), **options)


def secrets_of(fake: FakeAmino) -> set[str]:
    """Every token the fake has issued, and the users' passwords."""
    found = {user.password for user in fake.users}
    found.update(fake.issued_tokens())
    return found
