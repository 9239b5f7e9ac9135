"""pytest fixtures for the tests of code that calls Amino: ``fake_amino``, ``amino_client`` and ``amino_server``.

pytest loads this plugin by itself wherever amino-async is installed (its ``pytest11`` entry point, named
``amino_async``; ``-p no:amino_async`` turns it off). The fixtures need the ``testing`` extra (starlette, uvicorn),
imported only when a test uses one of them: a project without the extra runs pytest as before.

- ``fake_amino``: a fresh :class:`~amino_async.testing.FakeAmino` for each test (its default user
  ``user@example.com``/``secret``, 200 channels), to configure and inspect.
- ``amino_client``: an :class:`~amino_async.AminoClient` on that fake, in-process (``ASGITransport`` of the HTTP
  library the SDK picks, ``$AMINO_HTTP_LIBRARY`` included), logged in as the fake's default user before the test
  starts and closed after it.
- ``amino_server``: that same fake served on a real loopback socket for the test's duration: an
  :class:`AminoServer` with its ``base_url`` (and the default user's ``username`` and ``password``).

``amino_client`` and ``amino_server`` are async fixtures: use them in async tests run by anyio's pytest plugin
(``@pytest.mark.anyio``, or ``anyio_mode = "auto"``), under asyncio or trio as the ``anyio_backend`` fixture says.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import TYPE_CHECKING

import attrs
import pytest

if TYPE_CHECKING:
    from . import AminoClient
    from .testing import FakeAmino

__all__ = ["AminoServer", "amino_client", "amino_server", "fake_amino"]

#: Where ``amino_client`` reaches the fake in-process: a loopback name, so that the password may go over http.
IN_PROCESS_URL = "http://localhost"


@attrs.frozen
class AminoServer:
    """What the ``amino_server`` fixture gives: the fake, served at ``base_url`` (``http://127.0.0.1:port``)."""

    #: The served fake (the test's ``fake_amino``).
    fake: FakeAmino
    #: Where the fake listens: pass it to the code under test as its Amino base URL.
    base_url: str

    @property
    def username(self) -> str:
        """The fake's default user's username."""
        return self.fake.default_user.username

    @property
    def password(self) -> str:
        """The fake's default user's password."""
        return self.fake.default_user.password


@pytest.fixture
def fake_amino() -> FakeAmino:
    """A fresh fake Amino deployment for this test (``amino_async.testing.FakeAmino()``)."""
    from amino_async.testing import FakeAmino

    return FakeAmino()


@pytest.fixture
async def amino_client(fake_amino: FakeAmino) -> AsyncIterator[AminoClient]:
    """A client of ``fake_amino`` in-process, logged in as its default user; closed after the test."""
    from . import AminoClient
    from ._http import choose_library

    library = choose_library()
    user = fake_amino.default_user
    async with AminoClient(
        IN_PROCESS_URL,
        username=user.username,
        password=user.password,
        transport=library.ASGITransport(app=fake_amino),
    ) as client:
        await client.login()
        yield client


@pytest.fixture
async def amino_server(fake_amino: FakeAmino) -> AsyncIterator[AminoServer]:
    """``fake_amino`` served on a loopback socket (uvicorn in a thread) until the test ends."""
    async with fake_amino.serve() as base_url:
        yield AminoServer(fake_amino, base_url)
