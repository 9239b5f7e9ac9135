"""Real processes share one session through one token file (FileTokenStore), against one FakeAmino over loopback.

The fake and every worker run in processes of their own (``tests/processes/``); the workers lock the file with the
OS's own lock. Each fleet mixes the two backends (asyncio, trio, asyncio, ...), and so does this process, which
takes the lease too where a test says so.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterator
from pathlib import Path

import anyio
import pytest

from amino_async import FileTokenStore, TokenStoreError
from tests.processes import BACKENDS, Fake, Fleet, kill, kill_holders_mid_refresh


@pytest.fixture(scope="module")
def fake() -> Iterator[Fake]:
    server = Fake()
    try:
        yield server
    finally:
        server.close()


@pytest.fixture
def token_file(tmp_path: Path) -> Path:
    return tmp_path / "tokens.json"


@pytest.fixture
def make_fleet(fake: Fake, token_file: Path) -> Iterator[Callable[[int], Fleet]]:
    fake.post("config", {"token_delay": 0.0})
    fake.post("reset_stats")
    fleets: list[Fleet] = []

    def make(size: int) -> Fleet:
        fleet = Fleet(size, url=fake.url, store=["--token-file", str(token_file)])
        fleets.append(fleet)
        return fleet

    try:
        yield make
    finally:
        for fleet in fleets:
            fleet.close()


def stored_fingerprint(token_file: Path, key: str) -> str | None:
    """The fingerprint (as the workers give it) of the access token stored under ``key``, read as a new process."""
    tokens = anyio.run(FileTokenStore(token_file).load, key)
    return hashlib.sha256(tokens.access_token.encode()).hexdigest()[:12] if tokens else None


def test_processes_on_one_file_log_in_once_and_refresh_once_per_expiry(
    fake: Fake, make_fleet: Callable[[int], Fleet], token_file: Path
) -> None:
    fleet = make_fleet(4)
    first = fleet.ask("tokens")
    assert fake.stats()["grants"] == {"password": 1}
    assert len({answer["token"] for answer in first}) == 1

    for expiry in range(1, 6):
        fake.post("expire_access_tokens")
        answers = fleet.ask("burst 50")
        assert [answer["errors"] for answer in answers] == [{}] * 4  # no AuthenticationError, nor anything else
        assert sum(answer["ok"] for answer in answers) == 200
        assert len({answer["token"] for answer in answers}) == 1
        assert fake.stats()["grants"] == {"password": 1, "refresh_token": expiry}
    stats = fake.stats()
    assert stats["reuse_detected"] == 0
    assert stats["token_refusals"] == {}
    # The stored login is still there, and it is the one every process uses.
    [key] = {answer["key"] for answer in fleet.ask("key")}
    assert stored_fingerprint(token_file, key) == answers[0]["token"]


def test_processes_saving_at_once_keep_every_key(make_fleet: Callable[[int], Fleet], token_file: Path) -> None:
    fleet = make_fleet(4)
    for n, worker in enumerate(fleet.workers):
        worker.send(f"save-keys worker{n} 25")
    assert [worker.answer() for worker in fleet.workers] == [{"saved": 25}] * 4
    stored = json.loads(token_file.read_text())["tokens"]
    assert sorted(stored) == sorted(f"worker{n}-{i}" for n in range(4) for i in range(25))


def test_a_process_killed_holding_the_lease_lets_go_and_the_next_holder_logs_in_afresh(
    fake: Fake, make_fleet: Callable[[int], Fleet], token_file: Path
) -> None:
    fleet = make_fleet(2)
    holder, successor = fleet.workers
    fleet.ask("tokens")
    [key] = {answer["key"] for answer in fleet.ask("key")}
    holder.send("lease")
    assert holder.answer() == {"held": True, "interrupted": False}

    async def wait_for_the_holder() -> None:
        # Across processes too, a waiter gives up after wait_timeout...
        with pytest.raises(TokenStoreError, match="wait_timeout"):
            async with FileTokenStore(token_file, wait_timeout=0.3).lease(key):
                pass
        # ... and one cancelled while it waits leaves nothing held.
        with anyio.move_on_after(0.2) as waiting:
            async with FileTokenStore(token_file).lease(key):
                pytest.fail("the lease was held by another process")
        assert waiting.cancelled_caught

    for backend in BACKENDS:
        anyio.run(wait_for_the_holder, backend=backend)

    successor.send("lease")
    assert successor.quiet_for(0.5)  # waiting for the holder
    kill(holder)  # SIGKILL, in the middle of its renewal: no cleanup of any kind
    answer = successor.answer(timeout=5)  # the OS let go of the lock at once: no expiry to wait for
    assert answer == {"held": True, "interrupted": True}  # the holder's mark of its unfinished renewal
    successor.send("release")
    assert successor.answer() == {"released": True}

    # The successor inherited the mark and saved nothing: it stays, and a renewal logs in afresh rather than
    # present the refresh token the dead holder may have spent.
    fake.post("expire_access_tokens")
    [answer] = fleet.ask("burst 5", [successor])
    assert (answer["ok"], answer["errors"]) == (5, {})
    stats = fake.stats()
    assert stats["grants"] == {"password": 2}
    assert stats["reuse_detected"] == 0
    assert stored_fingerprint(token_file, key) == answer["token"]

    async def take_at_once() -> None:
        with anyio.fail_after(5):
            async with FileTokenStore(token_file).lease(key) as lease:
                assert not lease.interrupted  # the fresh login resolved the mark

    anyio.run(take_at_once)


def test_holders_killed_mid_refresh_are_replaced_without_reuse(
    fake: Fake, make_fleet: Callable[[int], Fleet], token_file: Path
) -> None:
    fleet = make_fleet(4)
    survivors, answers = kill_holders_mid_refresh(fake, fleet)
    [key] = {answer["key"] for answer in fleet.ask("key", survivors)}
    assert stored_fingerprint(token_file, key) == answers[0]["token"]
