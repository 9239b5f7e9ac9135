"""Token stores: what survives between runs, and what a damaged or foreign file does."""

from __future__ import annotations

import json
import logging
import os
import stat
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from amino_async import FileTokenStore, MemoryTokenStore, Tokens, TokenStore, TokenStoreError


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
