"""``FileTokenStore``: tokens in a private JSON file, shared safely by the processes of one machine."""

from __future__ import annotations

import contextlib
import errno
import json
import logging
import os
import secrets
import sys
import threading
import weakref
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, Final, TypeVar

import anyio
from anyio.lowlevel import RunVar
from attrs import define, field, frozen

from ._errors import DecodeError
from ._tokens import LockWait, Renewal, TokenLease, Tokens, TokenStoreError

__all__ = ["FileTokenStore"]

logger = logging.getLogger("amino_async")

T = TypeVar("T")


_FORMAT: Final = "amino-async/tokens"
#: Version 2 keeps, beside each key's tokens, their version ("versions") and the mark of a renewal begun and not
#: finished ("intents"). A version-1 file (tokens alone) reads as every key at version 0, unmarked; what is
#: written is always version 2, which older releases refuse to overwrite (they would drop the marks).
_FORMAT_VERSION: Final = 2
_READABLE_VERSIONS: Final = (1, 2)


@frozen
class _Intent:
    """The mark of a renewal: the version of the tokens it began from, and which lease began it."""

    version: int
    holder: str


@define
class _Contents:
    """What a token file holds, and the rules for changing it.

    ``begin`` and ``put`` are the rules of ``_ACQUIRE`` and ``_SAVE`` in ``_redis.py`` (which Redis must run as
    Lua scripts, to be atomic there); a change to one belongs in the other.
    """

    tokens: dict[str, Any] = field(factory=dict)  # key: Tokens.to_json(), decoded only when asked for
    versions: dict[str, int] = field(factory=dict)
    intents: dict[str, _Intent] = field(factory=dict)

    def version(self, key: str) -> int:
        return self.versions.get(key, 0)

    def begin(self, key: str, holder: str) -> bool:
        """Mark a renewal of ``key`` by ``holder`` as begun; True when an earlier one of these tokens never ended."""
        # A mark counts only at the version it began from: a renewal that saved has moved the version on.
        previous = self.intents.get(key)
        self.intents[key] = _Intent(self.version(key), holder)
        return previous is not None and previous.version == self.version(key)

    def end(self, key: str, holder: str) -> bool:
        """Remove ``holder``'s own mark of ``key`` (never another's); whether anything changed."""
        intent = self.intents.get(key)
        if intent is None or intent.holder != holder:
            return False
        del self.intents[key]
        return True

    def put(self, key: str, value: Any, expected: int | None) -> bool:
        """Store ``value`` unless newer tokens than version ``expected`` are there (None: expect none newer)."""
        version = self.version(key)
        if expected is not None and version > expected and key in self.tokens:
            return False
        self.tokens[key] = value
        self.versions[key] = max(version, version if expected is None else expected) + 1
        self.intents.pop(key, None)  # whatever renewal was under way, these are its tokens or newer ones
        return True

    def remove(self, key: str) -> bool:
        """Forget the tokens of ``key``; whether there were any.

        The version stays, so versions only ever grow (a store that saw these tokens cannot later overwrite
        newer ones), and so does the mark of a renewal that never finished (as in ``RedisTokenStore.delete``):
        a process still holding these tokens must not take their refresh token for unspent.
        """
        if key not in self.tokens:
            return False
        del self.tokens[key]
        self.versions[key] = self.version(key)
        return True

    @property
    def empty(self) -> bool:
        """Nothing left worth keeping: no tokens, and no renewal that never finished."""
        return not self.tokens and not self.intents

    def to_json(self) -> dict[str, Any]:
        return {
            "format": _FORMAT,
            "version": _FORMAT_VERSION,
            "tokens": self.tokens,
            "versions": self.versions,
            "intents": {key: {"version": i.version, "holder": i.holder} for key, i in self.intents.items()},
        }

    @classmethod
    def parse(cls, raw: bytes, path: Path) -> _Contents:
        """Read a token file's bytes, raising :class:`TokenStoreError` for anything that is not one."""
        try:
            content = json.loads(raw)
        except (ValueError, RecursionError):
            raise TokenStoreError(f"{path} is not an amino-async token file") from None
        if type(content) is not dict or content.get("format") != _FORMAT or type(content.get("tokens")) is not dict:
            raise TokenStoreError(f"{path} is not an amino-async token file")
        version = content.get("version")
        if type(version) is not int or version not in _READABLE_VERSIONS:
            raise TokenStoreError(f"{path} was written by an unknown version of amino-async")
        versions, intents = content.get("versions", {}), content.get("intents", {})
        if (
            type(versions) is not dict
            or not all(_is_version(v) for v in versions.values())
            or type(intents) is not dict
            or not all(type(i) is dict and _is_version(i.get("version")) for i in intents.values())
            or not all(type(i.get("holder")) is str for i in intents.values())
        ):
            raise TokenStoreError(f"{path} is not an amino-async token file")
        return cls(
            tokens=content["tokens"],
            versions=versions,
            intents={key: _Intent(i["version"], i["holder"]) for key, i in intents.items()},
        )


def _is_version(value: Any) -> bool:
    return type(value) is int and value >= 0


# The one place that knows how this platform locks a file: try without waiting, and let go. Both locks belong to
# an open file, so the OS lets go of them when their process dies, however it dies.
if sys.platform == "win32":  # pragma: no cover - exercised on Windows only
    import msvcrt

    def _try_lock(fd: int) -> bool:
        """Lock ``fd``'s first byte if no other open file holds it; False when another does."""
        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError as exc:
            if exc.errno in (errno.EACCES, errno.EDEADLK):
                return False
            raise
        return True

    def _unlock(fd: int) -> None:
        try:
            msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)
        finally:
            os.close(fd)

else:
    import fcntl

    def _try_lock(fd: int) -> bool:
        """Take an exclusive ``flock`` on ``fd`` if no other open file holds one; False when another does."""
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        return True

    def _unlock(fd: int) -> None:
        os.close(fd)  # the only descriptor of its open file: closing it lets go of the flock


class _Hold:
    """The OS lock of a lock file, held by one task of this process, and the file work done under it."""

    def __init__(self, fd: int) -> None:
        self.task = anyio.get_current_task()
        self._fd = fd
        self._guard = threading.Lock()
        self._released = False

    async def run(self, work: Callable[[], T]) -> T:
        """Run ``work`` (blocking file I/O) in a worker thread, under the lock."""

        def guarded() -> T:
            with self._guard:
                if self._released:
                    raise TokenStoreError("the token file's lock was let go before this change could be made")
                return work()

        return await anyio.to_thread.run_sync(guarded)

    def release(self) -> None:
        """Let go of the lock, after the work already under way (if any) is done."""
        # asyncio's own Task.cancel() stops a task's wait for its worker thread, not the thread; the guard keeps
        # the lock until a write in progress is whole, and any work that had not begun never begins.
        with self._guard:
            self._released = True
            _unlock(self._fd)


class _SharedLock:
    """One lock file as the stores of one event loop share it: their queue for it, and its current hold."""

    __slots__ = ("__weakref__", "hold", "queue")

    def __init__(self) -> None:
        self.queue = anyio.Lock()
        self.hold: _Hold | None = None


# Per event loop: an anyio.Lock belongs to the loop it was first used in, and one process may run several loops
# one after another (or at once, in threads; the OS lock keeps those apart). Weak values: a lock file nobody holds
# or waits for needs no entry.
_SHARED_LOCKS: Final[RunVar[weakref.WeakValueDictionary[str, _SharedLock]]] = RunVar("amino_async.token_file_locks")


def _shared_lock(lock_file: str) -> _SharedLock:
    try:
        locks = _SHARED_LOCKS.get()
    except LookupError:
        locks = weakref.WeakValueDictionary()
        _SHARED_LOCKS.set(locks)
    lock = locks.get(lock_file)
    if lock is None:
        lock = locks[lock_file] = _SharedLock()
    return lock


class FileTokenStore:
    """Keeps tokens in a JSON file readable only by its owner (mode 0600), shared safely by many processes.

    Every write goes to a temporary file in the same directory, is flushed to disk and then renamed over the old
    file, so a process that dies mid-write leaves the previous file whole. A file that is not an amino-async token
    file is never overwritten: loading from it logs a warning and finds nothing (a fresh login follows), saving
    to it raises :class:`TokenStoreError`.

    It is a :class:`SharedTokenStore`, as :class:`~amino_async.RedisTokenStore` is: processes on one machine that
    pass the same file log in once, refresh once per expiry, and never present a refresh token another of them
    has spent. Every read, save, delete and renewal (:meth:`lease`) holds an exclusive OS lock on a lock file
    beside the token file (``tokens.json.lock``, mode 0600, never removed: ``flock`` on POSIX,
    ``msvcrt.locking`` on Windows), so no process loses another's entries and one renews at a time while the
    others wait and then use what it saved. The lock is tried without blocking a thread, 5 ms apart at first and
    up to 100 ms; after ``wait_timeout`` seconds a waiter gives up with :class:`TokenStoreError`. The OS lets go
    of the lock of a process that dies, at once; a renewal marks itself in the file as begun before its token
    call, so a successor that finds the mark (and no newer tokens) knows the refresh token may be spent and logs
    in afresh instead. Tokens carry a version that only grows: a save never replaces newer tokens with ones
    older than what the store last saw.

    Stores of one path in one process share one lock (per event loop), and the task holding a lease may still
    load, save and delete through any of them. One lock serves every key of a file: renewals of different keys
    take turns. The lock works only where the file system honours ``flock`` between the processes sharing the
    file: a local disk, not NFS without lock support. A file of the earlier format (version 1, written without
    a lock) is read, and rewritten in the current one, which earlier code refuses to overwrite: upgrade every
    process that shares a file together.
    """

    def __init__(self, path: str | os.PathLike[str], *, wait_timeout: float = 25.0) -> None:
        if wait_timeout <= 0:
            raise ValueError("wait_timeout must be positive")
        self.path = Path(path)
        self._lock_file = self.path.with_name(f"{self.path.name}.lock")
        # Stores that lock the same lock file share one lock in this process, however their path was spelled.
        self._lock_key = os.path.realpath(self._lock_file)
        self._wait_timeout = wait_timeout
        # The version this store last read or wrote per key: what a save outside a lease compares against.
        self._seen: dict[str, int] = {}

    def __repr__(self) -> str:
        return f"FileTokenStore({str(self.path)!r})"

    # --- TokenStore ----------------------------------------------------------------------------------------

    async def load(self, key: str) -> Tokens | None:
        """The tokens saved under ``key``, or None (also when the file is missing or unreadable)."""
        async with self._locked() as hold:
            contents = await hold.run(self._read_or_warn)
        if contents is None:
            return None
        if key in contents.versions:
            self._seen[key] = contents.versions[key]
        return self._decode(contents.tokens.get(key))

    async def save(self, key: str, tokens: Tokens) -> None:
        """Save ``tokens`` under ``key``, atomically, unless another store saved newer ones since this one saw them.

        (A renewal inside :meth:`lease` saves through the lease instead, which says which tokens won.)
        """
        async with self._locked() as hold:
            await self._put(hold, key, tokens, self._seen.get(key))

    async def delete(self, key: str) -> None:
        """Forget the tokens under ``key``; the file is removed when it holds nothing else.

        While the file stays, so do the key's version and the mark of a renewal of these tokens that never
        finished, as in ``RedisTokenStore.delete``.
        """
        async with self._locked() as hold:
            await hold.run(lambda: self._change(lambda contents: contents.remove(key)))

    # --- SharedTokenStore ----------------------------------------------------------------------------------

    @asynccontextmanager
    async def lease(self, key: str) -> AsyncIterator[TokenLease]:
        """Hold the renewal of ``key`` across every process using this file, for the duration of the block.

        Waits while another process (or task) holds the file's lock, up to ``wait_timeout`` seconds; raises
        :class:`TokenStoreError` then, or when the lock file cannot be made or locked, or the mark of the renewal
        cannot be written. Over a file that is not an amino-async token file the lease finds nothing (with a
        warning) and its save raises :class:`TokenStoreError`, as :meth:`load` and :meth:`save` do.
        """
        holder = secrets.token_hex(8)
        async with self._locked(reentrant=False) as hold:
            begun = await hold.run(lambda: self._begin(key, holder))
            version, stored, interrupted = begun if begun is not None else (0, None, False)
            if begun is not None:
                self._seen[key] = version
            renewal = Renewal(interrupted, lambda tokens: self._put(hold, key, tokens, version))
            failed = True
            try:
                yield renewal.lease(self._decode(stored))
                failed = False
            finally:
                if begun is not None and renewal.clears_mark(failed=failed):
                    with anyio.CancelScope(shield=True):
                        await self._clear_mark(hold, key, holder)

    # --- the lock ------------------------------------------------------------------------------------------

    @asynccontextmanager
    async def _locked(self, *, reentrant: bool = True) -> AsyncIterator[_Hold]:
        """Hold the file's lock: first this event loop's (shared by its stores of the path), then the OS's."""
        shared = _shared_lock(self._lock_key)
        held = shared.hold
        if held is not None and held.task == anyio.get_current_task():
            if not reentrant:
                raise RuntimeError(f"this task already holds a lease of {self.path}: it would wait for itself")
            # The task holding a lease (AminoAuth dropping tokens it cannot renew): its lock covers this too.
            yield held
            return
        wait = LockWait(self._wait_timeout, f"token file {self.path}")
        with anyio.move_on_at(wait.deadline) as waiting:
            await shared.queue.acquire()
        if waiting.cancelled_caught:
            raise wait.expired()
        try:
            hold = await self._take(wait)
            shared.hold = hold
            try:
                yield hold
            finally:
                shared.hold = None
                hold.release()
        finally:
            shared.queue.release()

    async def _take(self, wait: LockWait) -> _Hold:
        fd = await anyio.to_thread.run_sync(self._open_lock_file)
        try:
            while not _try_lock(fd):
                await wait.pause()
        except OSError as exc:
            os.close(fd)
            raise TokenStoreError(
                f"cannot lock {self._lock_file}: {exc.strerror} (FileTokenStore needs a file system where flock "
                f"works between processes; NFS without lock support is not one)"
            ) from exc
        except BaseException:
            os.close(fd)
            raise
        return _Hold(fd)

    def _open_lock_file(self) -> int:
        try:
            self._make_directory()
            # Reading is all a lock needs; 0600 and O_CREAT without O_TRUNC: made once, never written, never removed
            # (a removed lock file would let two processes lock two files of one name).
            return os.open(self._lock_file, os.O_RDONLY | os.O_CREAT, 0o600)
        except OSError as exc:
            raise TokenStoreError(f"cannot open the lock file {self._lock_file}: {exc.strerror}") from exc

    # --- under the lock ------------------------------------------------------------------------------------

    async def _put(self, hold: _Hold, key: str, tokens: Tokens, expected: int | None) -> Tokens:
        """Save ``tokens`` unless newer than ``expected`` are there; the tokens now current."""
        value = tokens.to_json()
        contents, saved = await hold.run(lambda: self._change(lambda contents: contents.put(key, value, expected)))
        self._seen[key] = contents.version(key)
        if saved:
            return tokens
        logger.debug("kept the newer tokens another process saved (version %s)", contents.version(key))
        current = self._decode(contents.tokens[key])
        return current if current is not None else tokens

    def _begin(self, key: str, holder: str) -> tuple[int, Any, bool] | None:
        """Mark a renewal of ``key`` as begun: (version, stored tokens, interrupted); None over a foreign file."""
        contents = self._read_or_warn()
        if contents is None:
            return None
        interrupted = contents.begin(key, holder)
        try:
            self._write(contents)
        except OSError as exc:
            raise TokenStoreError(f"cannot mark the renewal in {self.path}: {exc.strerror}") from exc
        return contents.version(key), contents.tokens.get(key), interrupted

    async def _clear_mark(self, hold: _Hold, key: str, holder: str) -> None:
        try:
            await hold.run(lambda: self._change(lambda contents: contents.end(key, holder)))
        except (OSError, TokenStoreError) as exc:
            # The renewal itself is done; the mark left behind costs the next holder a needless fresh login.
            logger.warning("could not clear the mark of a finished renewal in %s: %s", self.path, exc)

    # --- the file (blocking; in worker threads, under the lock) --------------------------------------------

    def _change(self, edit: Callable[[_Contents], bool]) -> tuple[_Contents, bool]:
        """Read the file, ``edit`` its contents, and write them back if the edit changed anything (and say so)."""
        contents = self._read()
        changed = edit(contents)
        if changed:
            self._write(contents)
        return contents, changed

    def _read_or_warn(self) -> _Contents | None:
        try:
            return self._read()
        except TokenStoreError as exc:
            logger.warning("ignoring token file: %s", exc)
            return None

    def _read(self) -> _Contents:
        try:
            raw = self.path.read_bytes()
        except FileNotFoundError:
            return _Contents()
        except OSError as exc:
            raise TokenStoreError(f"cannot read {self.path}: {exc.strerror}") from None
        return _Contents.parse(raw, self.path)

    def _write(self, contents: _Contents) -> None:
        if contents.empty:
            with contextlib.suppress(FileNotFoundError):
                self.path.unlink()
            return
        self._write_atomically(json.dumps(contents.to_json(), indent=2).encode())

    def _decode(self, value: Any) -> Tokens | None:
        if value is None:
            return None
        try:
            return Tokens.from_json(value)
        except DecodeError as exc:
            logger.warning("ignoring unreadable tokens in %s: %s", self.path, exc)
            return None

    def _make_directory(self) -> None:
        self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)

    def _write_atomically(self, content: bytes) -> None:
        directory = self.path.parent
        self._make_directory()
        temporary = directory / f".{self.path.name}.{secrets.token_hex(6)}.tmp"
        # O_EXCL with mode 0600: the token is never, even for an instant, in a file others can read.
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            with os.fdopen(fd, "wb") as file:
                file.write(content)
                file.flush()
                os.fsync(file.fileno())
            os.replace(temporary, self.path)
        except BaseException:
            with contextlib.suppress(OSError):
                temporary.unlink()
            raise
        with contextlib.suppress(OSError):  # make the rename itself durable where the platform allows
            dir_fd = os.open(directory, os.O_RDONLY)
            try:
                os.fsync(dir_fd)
            finally:
                os.close(dir_fd)
