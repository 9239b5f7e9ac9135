"""Token stores: what survives between runs, what a damaged or foreign file does, and a file shared by many stores.

Processes sharing one token file are in ``test_file_processes.py``.
"""

from __future__ import annotations

import json
import logging
import os
import stat
import subprocess
import sys
import textwrap
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import anyio
import pytest

from amino_async import (
    AminoClient,
    FileTokenStore,
    MemoryTokenStore,
    SharedTokenStore,
    Tokens,
    TokenStore,
    TokenStoreError,
)
from amino_async.testing import FakeAmino
from tests.helpers import PASSWORD, USERNAME

from .helpers import httpx


def _tokens(n: int) -> Tokens:
    return Tokens(f"access-{n}", f"refresh-{n}", 2000 + n, login_timestamp=1000, user_id="1001", received_at=5.0)


async def test_memory_store_round_trip() -> None:
    store = MemoryTokenStore()
    assert isinstance(store, TokenStore)
    assert await store.load("k") is None
    await store.save("k", _tokens(1))
    assert await store.load("k") == _tokens(1)
    await store.delete("k")
    await store.delete("k")  # deleting nothing is fine
    assert await store.load("k") is None


async def test_file_store_keeps_keys_apart_and_is_private(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "tokens.json"
    store = FileTokenStore(path)
    assert isinstance(store, TokenStore)
    await store.save("alice", _tokens(1))
    await store.save("bob", _tokens(2))
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    # A new store object (a new process) reads what the first wrote.
    again = FileTokenStore(path)
    assert await again.load("alice") == _tokens(1)
    assert await again.load("bob") == _tokens(2)
    await again.delete("alice")
    assert await store.load("alice") is None
    assert await store.load("bob") == _tokens(2)
    await store.delete("bob")
    assert not path.exists()
    assert "access-" not in repr(store)


async def test_file_store_tightens_a_loose_mode_on_write(tmp_path: Path) -> None:
    path = tmp_path / "tokens.json"
    store = FileTokenStore(path)
    await store.save("k", _tokens(1))
    path.chmod(0o644)
    await store.save("k", _tokens(2))
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


@pytest.mark.parametrize(
    "content",
    [b"{not json", b"", b'{"format": "something-else", "tokens": {}}', b"[1, 2]", b"\x00\xff"],
)
async def test_foreign_or_corrupt_file_is_never_overwritten(
    tmp_path: Path, content: bytes, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "tokens.json"
    path.write_bytes(content)
    store = FileTokenStore(path)
    with caplog.at_level(logging.WARNING, logger="amino_async"):
        assert await store.load("k") is None  # a fresh login follows
    assert "not an amino-async token file" in caplog.text
    with pytest.raises(TokenStoreError, match="not an amino-async token file"):
        await store.save("k", _tokens(1))
    assert path.read_bytes() == content


async def test_unreadable_entry_is_ignored_with_a_warning(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    path = tmp_path / "tokens.json"
    store = FileTokenStore(path)
    await store.save("k", _tokens(1))
    document = json.loads(path.read_text())
    document["tokens"]["k"]["access_token"] = ["not", "a", "string"]
    path.write_text(json.dumps(document))
    with caplog.at_level(logging.WARNING, logger="amino_async"):
        assert await store.load("k") is None
    assert "tokens.access_token" in caplog.text


def test_file_store_survives_a_process_that_dies_mid_write(tmp_path: Path) -> None:
    path = tmp_path / "tokens.json"
    script = textwrap.dedent(
        f"""
        import os, signal, anyio
        from amino_async import FileTokenStore, Tokens

        store = FileTokenStore({str(path)!r})
        anyio.run(store.save, "k", Tokens("old-access", "old-refresh", None))

        # The new file is written but not yet renamed into place when the process is killed.
        def die(fd):
            os.kill(os.getpid(), signal.SIGKILL)
        os.fsync = die
        anyio.run(store.save, "k", Tokens("new-access", "new-refresh", None))
        """
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, timeout=60, check=False)
    assert result.returncode == -9, result.stderr.decode()
    leftovers = [p.name for p in tmp_path.iterdir() if p.name != "tokens.json"]
    assert leftovers, "the killed writer should have left its half-written temporary file"
    # The file itself is whole and still holds the old tokens.
    document = json.loads(path.read_text())
    assert document["tokens"]["k"]["access_token"] == "old-access"
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600


# --- one file, many stores -------------------------------------------------------------------------------------


def _document(path: Path) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(path.read_text())
    return document


def _write_document(path: Path, **parts: Any) -> None:
    """A token file as a store (perhaps a dead one) left it."""
    path.write_text(json.dumps({"format": "amino-async/tokens", "version": 2, **parts}))


@asynccontextmanager
async def _leased_elsewhere(path: Path, key: str) -> AsyncIterator[None]:
    """The lease of ``key`` held by another task for the duration of the block."""
    held, done = anyio.Event(), anyio.Event()

    async def hold() -> None:
        async with FileTokenStore(path).lease(key):
            held.set()
            await done.wait()

    async with anyio.create_task_group() as group:
        group.start_soon(hold)
        await held.wait()
        try:
            yield
        finally:
            done.set()


def _open_descriptors(path: Path) -> int:
    """How many of this process's file descriptors are open on ``path`` (Linux only)."""
    descriptors = Path("/proc/self/fd")
    if not descriptors.is_dir():
        pytest.skip("needs /proc/self/fd")
    target, found = os.path.realpath(path), 0
    for descriptor in descriptors.iterdir():
        try:
            found += os.readlink(descriptor) == target
        except OSError:  # closed meanwhile (the descriptor of the listing itself)
            continue
    return found


async def test_file_store_is_a_shared_token_store(tmp_path: Path) -> None:
    assert isinstance(FileTokenStore(tmp_path / "tokens.json"), SharedTokenStore)
    with pytest.raises(ValueError, match="wait_timeout"):
        FileTokenStore(tmp_path / "tokens.json", wait_timeout=0)


async def test_twenty_stores_on_one_path_saving_at_once_keep_all_twenty_keys(tmp_path: Path) -> None:
    path = tmp_path / "tokens.json"
    stores = [FileTokenStore(path) for _ in range(20)]
    async with anyio.create_task_group() as group:
        for n, store in enumerate(stores):
            group.start_soon(store.save, f"key-{n}", _tokens(n))
    again = FileTokenStore(path)
    assert [await again.load(f"key-{n}") for n in range(20)] == [_tokens(n) for n in range(20)]


async def test_a_save_never_replaces_tokens_newer_than_the_store_last_saw(tmp_path: Path) -> None:
    path = tmp_path / "tokens.json"
    store, other = FileTokenStore(path), FileTokenStore(path)
    await store.save("k", _tokens(1))
    assert await other.load("k") == _tokens(1)
    await store.save("k", _tokens(2))  # newer than what `other` last saw
    await other.save("k", _tokens(3))  # from its older view: refused
    assert await FileTokenStore(path).load("k") == _tokens(2)
    await other.load("k")
    await other.save("k", _tokens(3))  # having seen the newest, it may replace them
    assert await FileTokenStore(path).load("k") == _tokens(3)


async def test_a_lease_save_refused_returns_the_newer_tokens(tmp_path: Path) -> None:
    path = tmp_path / "tokens.json"
    store, other = FileTokenStore(path), FileTokenStore(path)
    await store.save("k", _tokens(1))
    async with store.lease("k") as lease:
        assert lease.tokens == _tokens(1)
        await other.load("k")
        await other.save("k", _tokens(2))  # the lease's own task, through another store of the path
        assert await lease.save(_tokens(3)) == _tokens(2)
    assert await store.load("k") == _tokens(2)


async def test_a_lease_save_is_what_the_next_lease_sees(tmp_path: Path) -> None:
    path = tmp_path / "tokens.json"
    async with FileTokenStore(path).lease("k") as lease:
        assert lease.tokens is None
        assert not lease.interrupted
        assert await lease.save(_tokens(1)) == _tokens(1)
    async with FileTokenStore(path).lease("k") as lease:
        assert lease.tokens == _tokens(1)
        assert not lease.interrupted
    assert _document(path)["intents"] == {}
    assert stat.S_IMODE((tmp_path / "tokens.json.lock").stat().st_mode) == 0o600


async def test_a_waiter_gets_the_tokens_the_holder_saved(tmp_path: Path) -> None:
    store = FileTokenStore(tmp_path / "tokens.json")
    other = FileTokenStore(tmp_path / "sub" / ".." / "tokens.json")  # the same file, spelled otherwise
    events: list[str] = []
    held = anyio.Event()

    async def waiter() -> None:
        await held.wait()
        async with other.lease("k") as lease:
            events.append("waiter in")
            assert lease.tokens == _tokens(1)
            assert not lease.interrupted

    async with anyio.create_task_group() as group:
        group.start_soon(waiter)
        async with store.lease("k") as lease:
            held.set()
            await anyio.sleep(0.2)
            events.append("holder saves")
            await lease.save(_tokens(1))
    assert events == ["holder saves", "waiter in"]


async def test_the_task_holding_a_lease_may_load_save_and_delete_through_any_store_of_the_path(
    tmp_path: Path,
) -> None:
    path = tmp_path / "tokens.json"
    store, other = FileTokenStore(path), FileTokenStore(str(path))
    await store.save("k", _tokens(1))
    await store.save("j", _tokens(2))
    with anyio.fail_after(5):  # the lease's own lock covers these: nothing waits for it
        async with store.lease("k"):
            assert await other.load("j") == _tokens(2)
            await other.delete("k")  # as AminoAuth drops tokens it cannot renew
            await other.save("j", _tokens(3))
    assert await store.load("k") is None
    assert await store.load("j") == _tokens(3)


async def test_another_task_waits_for_the_lease_until_wait_timeout(tmp_path: Path) -> None:
    path = tmp_path / "tokens.json"
    impatient = FileTokenStore(path, wait_timeout=0.2)
    async with _leased_elsewhere(path, "k"):
        with pytest.raises(TokenStoreError, match=r"wait_timeout of 0\.2 s"):
            async with impatient.lease("k"):
                pass
        with pytest.raises(TokenStoreError, match="wait_timeout"):
            await impatient.save("j", _tokens(1))
        with pytest.raises(TokenStoreError, match="wait_timeout"):
            await impatient.load("j")
    await impatient.save("j", _tokens(1))  # and nothing is held once the lease is over
    assert await impatient.load("j") == _tokens(1)


async def test_cancelling_a_wait_for_the_lock_leaves_nothing_held(tmp_path: Path) -> None:
    path = tmp_path / "tokens.json"
    store = FileTokenStore(path)
    async with _leased_elsewhere(path, "k"):
        with anyio.move_on_after(0.2) as waiting:
            async with FileTokenStore(path).lease("k"):
                pytest.fail("the lease was held by another task")
        assert waiting.cancelled_caught
        with anyio.move_on_after(0.2) as waiting:
            await FileTokenStore(path).save("j", _tokens(1))
        assert waiting.cancelled_caught
        assert _open_descriptors(tmp_path / "tokens.json.lock") == 1  # the holder's alone
    assert _open_descriptors(tmp_path / "tokens.json.lock") == 0
    with anyio.fail_after(1):
        async with FileTokenStore(path).lease("k") as lease:
            assert not lease.interrupted
    assert await store.load("j") is None


async def test_a_lease_within_a_lease_of_the_same_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "tokens.json"
    async with FileTokenStore(path).lease("k"):
        with pytest.raises(RuntimeError, match="already holds a lease"):
            async with FileTokenStore(path).lease("j"):
                pass


async def test_a_failed_renewal_leaves_the_next_holder_interrupted_until_a_save(tmp_path: Path) -> None:
    path = tmp_path / "tokens.json"
    store, other = FileTokenStore(path), FileTokenStore(path)
    await store.save("k", _tokens(1))
    with pytest.raises(RuntimeError, match="token call failed"):
        async with store.lease("k"):
            raise RuntimeError("token call failed")
    async with other.lease("k") as lease:
        assert lease.interrupted
        # Adopting what is stored settles nothing: the refresh token may still be spent.
    async with other.lease("k") as lease:
        assert lease.interrupted
        await lease.save(_tokens(2))
    async with store.lease("k") as lease:
        assert not lease.interrupted
        assert lease.tokens == _tokens(2)


async def test_a_renewal_cut_off_by_its_deadline_lets_go_and_leaves_the_mark(tmp_path: Path) -> None:
    path = tmp_path / "tokens.json"
    await FileTokenStore(path).save("k", _tokens(1))
    with anyio.move_on_after(0.2):
        async with FileTokenStore(path).lease("k"):
            await anyio.sleep(10)  # a token call that never ends
    with anyio.fail_after(1):
        async with FileTokenStore(path).lease("k") as lease:
            assert lease.interrupted


async def test_a_lease_save_that_fails_leaves_the_next_holder_interrupted(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "tokens.json"
    await FileTokenStore(path).save("k", _tokens(1))
    async with FileTokenStore(path).lease("k") as lease:

        def full(src: object, dst: object) -> None:
            raise OSError(28, "No space left on device")

        monkeypatch.setattr(os, "replace", full)
        with pytest.raises(OSError, match="No space"):
            await lease.save(_tokens(2))  # the refresh happened; its tokens never reached the file
        monkeypatch.undo()
    async with FileTokenStore(path).lease("k") as lease:
        assert lease.interrupted  # so the next holder does not present the spent refresh token
        assert lease.tokens == _tokens(1)


async def test_a_clean_lease_without_a_save_leaves_no_mark(tmp_path: Path) -> None:
    path = tmp_path / "tokens.json"
    await FileTokenStore(path).save("k", _tokens(1))
    async with FileTokenStore(path).lease("k"):
        assert _document(path)["intents"]["k"]["version"] == 1  # marked, durably, before the renewal
    assert _document(path)["intents"] == {}
    async with FileTokenStore(path).lease("k") as lease:
        assert not lease.interrupted
    async with FileTokenStore(path).lease("nobody"):  # nothing stored, nothing saved: nothing left behind
        pass
    assert set(_document(path)["tokens"]) == {"k"}


async def test_a_dead_holders_unfinished_renewal_shows_and_one_whose_save_landed_does_not(tmp_path: Path) -> None:
    path = tmp_path / "tokens.json"
    _write_document(
        path,
        tokens={"died": _tokens(1).to_json(), "saved": _tokens(2).to_json()},
        versions={"died": 3, "saved": 3},
        # Began at version 3 and never finished; began at version 2, and version 3 landed since.
        intents={"died": {"version": 3, "holder": "dead"}, "saved": {"version": 2, "holder": "dead"}},
    )
    async with FileTokenStore(path).lease("died") as lease:
        assert lease.interrupted
        assert lease.tokens == _tokens(1)
    async with FileTokenStore(path).lease("saved") as lease:
        assert not lease.interrupted


async def test_delete_keeps_the_version_and_the_mark_of_an_unfinished_renewal(tmp_path: Path) -> None:
    path = tmp_path / "tokens.json"
    store, other = FileTokenStore(path), FileTokenStore(path)
    await store.save("k", _tokens(1))
    await other.load("k")
    await store.delete("k")
    await store.save("k", _tokens(2))
    await other.save("k", _tokens(3))  # `other` saw version 1; version 2 (after a delete) is newer
    assert await store.load("k") == _tokens(2)

    _write_document(
        path, tokens={"k": _tokens(1).to_json()}, versions={"k": 1}, intents={"k": {"version": 1, "holder": "dead"}}
    )
    await store.delete("k")  # a logout, while a renewal that never finished is marked
    async with other.lease("k") as lease:
        assert lease.tokens is None
        assert lease.interrupted


async def test_a_version_1_file_is_read_and_rewritten_as_version_2(tmp_path: Path) -> None:
    path = tmp_path / "tokens.json"
    path.write_text(json.dumps({"format": "amino-async/tokens", "version": 1, "tokens": {"k": _tokens(1).to_json()}}))
    store = FileTokenStore(path)
    assert await store.load("k") == _tokens(1)
    async with store.lease("k") as lease:
        assert lease.tokens == _tokens(1)
        assert not lease.interrupted
        await lease.save(_tokens(2))
    document = _document(path)
    assert (document["version"], document["versions"], document["intents"]) == (2, {"k": 1}, {})
    assert await FileTokenStore(path).load("k") == _tokens(2)


@pytest.mark.parametrize(
    "content",
    [
        {"format": "amino-async/tokens", "version": 3, "tokens": {}},
        {"format": "amino-async/tokens", "version": 2, "tokens": {}, "versions": {"k": "1"}},
        {"format": "amino-async/tokens", "version": 2, "tokens": {}, "intents": {"k": {"version": 1}}},
    ],
)
async def test_a_token_file_of_another_shape_is_never_overwritten(
    tmp_path: Path, content: dict[str, Any], caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "tokens.json"
    path.write_text(json.dumps(content))
    before = path.read_bytes()
    with caplog.at_level(logging.WARNING, logger="amino_async"):
        assert await FileTokenStore(path).load("k") is None
    assert "ignoring token file" in caplog.text
    with pytest.raises(TokenStoreError):
        await FileTokenStore(path).save("k", _tokens(1))
    assert path.read_bytes() == before


async def test_a_lease_over_a_foreign_file_finds_nothing_and_never_writes_it(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "foreign.json"
    path.write_text(json.dumps({"access_token": "someone else's"}))
    before = path.read_bytes()
    with caplog.at_level(logging.WARNING, logger="amino_async"):
        async with FileTokenStore(path).lease("k") as lease:
            assert lease.tokens is None
            assert not lease.interrupted
            with pytest.raises(TokenStoreError, match="not an amino-async token file"):
                await lease.save(_tokens(1))
        # A client on it logs in all the same, as before (its tokens then live in its memory alone).
        fake = FakeAmino(channels=1)
        async with AminoClient(
            "http://localhost",
            username=USERNAME,
            password=PASSWORD,
            token_store=FileTokenStore(path),
            transport=httpx.ASGITransport(app=fake),
        ) as client:
            await client.profiles.list()
    assert "not an amino-async token file" in caplog.text
    assert path.read_bytes() == before


async def test_two_clients_on_one_file_log_in_once(tmp_path: Path) -> None:
    fake = FakeAmino(channels=1)
    fake.token_delay = 0.2  # the first login is still in the air when the second client needs tokens
    clients = [
        AminoClient(
            "http://localhost",
            username=USERNAME,
            password=PASSWORD,
            token_store=FileTokenStore(tmp_path / "tokens.json"),
            transport=httpx.ASGITransport(app=fake),
        )
        for _ in range(2)
    ]
    async with clients[0], clients[1], anyio.create_task_group() as group:
        for client in clients:
            for _ in range(20):
                group.start_soon(client.profiles.list)
    assert fake.stats.grants == {"password": 1}
    assert clients[0].tokens == clients[1].tokens


def test_stores_of_one_path_serve_one_event_loop_after_another(tmp_path: Path) -> None:
    path = tmp_path / "tokens.json"

    async def save_at_once(n: int) -> None:
        async with anyio.create_task_group() as group:
            for store in (FileTokenStore(path), FileTokenStore(path)):
                group.start_soon(store.save, f"{n}-{id(store)}", _tokens(n))

    for n, backend in enumerate(["asyncio", "trio", "asyncio"]):
        anyio.run(save_at_once, n, backend=backend)
    assert len(_document(path)["tokens"]) == 6
