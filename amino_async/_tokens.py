"""Tokens, how they are read from the two token answers, and where they are kept between uses."""

from __future__ import annotations

import contextlib
import errno
import json
import logging
import math
import os
import random
import re
import secrets
import sys
import threading
import time
import weakref
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any, Final, Protocol, TypeVar, runtime_checkable

import anyio
from anyio.lowlevel import RunVar
from attrs import define, field, frozen

from ._constants import MAX_TOKEN_LIFETIME
from ._errors import AminoError, ConfigurationError, DecodeError
from ._jsonapi import structure

__all__ = [
    "FileTokenStore",
    "MemoryTokenStore",
    "SharedTokenStore",
    "TokenLease",
    "TokenStore",
    "TokenStoreError",
    "Tokens",
    "lease_of",
]

logger = logging.getLogger("amino_async")

T = TypeVar("T")


@frozen(repr=False)
class Tokens:
    """An access token, the refresh token issued with it, and what the server said about them.

    ``expires_at`` and ``login_timestamp`` are the server's Unix seconds exactly as sent; they are only ever
    compared with each other (or with the answer's ``Date``), never with this machine's clock, because the two
    clocks may disagree by hours. ``received_at`` is this machine's wall clock when the answer arrived, which is
    what lets a token stored by one process be judged by another. The repr never shows either token.
    """

    access_token: str
    refresh_token: str | None
    expires_at: int | None
    login_timestamp: int | None = None
    user_id: str | None = None
    profile_id: str | None = None
    flags: tuple[str, ...] = ()
    #: The answer's ``Date`` header in Unix seconds, for answers (the legacy login) without a login timestamp.
    server_date: float | None = None
    received_at: float = field(factory=time.time)

    @property
    def lifetime(self) -> float | None:
        """Seconds the access token lives by the server's own statement, or None when unknown.

        Zero or negative (the seed page's ``expires_at_timestamp == login_timestamp``) counts as unknown: such a
        token is used until the server answers 401.
        """
        start = self.login_timestamp if self.login_timestamp is not None else self.server_date
        if self.expires_at is None or start is None:
            return None
        lifetime = self.expires_at - start
        # A lifetime of centuries (an expiry of 10**400, say) is not a statement to plan by; it is unknown too.
        return float(lifetime) if 0 < lifetime <= MAX_TOKEN_LIFETIME else None

    def expires_in(self, now: float | None = None) -> float | None:
        """Seconds left by this machine's wall clock, or None when the lifetime is unknown."""
        lifetime = self.lifetime
        if lifetime is None:
            return None
        now = time.time() if now is None else now
        # A received_at in the future means the wall clock went back; never grant more than a whole lifetime.
        return min(lifetime, self.received_at + lifetime - now)

    def __attrs_post_init__(self) -> None:
        # Tokens go into a header as they are: nothing that could end it, or start another, ever gets that far.
        if not header_safe(self.access_token) or not (self.refresh_token is None or header_safe(self.refresh_token)):
            raise ConfigurationError("tokens must be visible ASCII without spaces")

    def __repr__(self) -> str:
        return (
            f"Tokens(access_token=<hidden>, refresh_token={'<hidden>' if self.refresh_token else None}, "
            f"expires_at={self.expires_at!r}, login_timestamp={self.login_timestamp!r}, "
            f"user_id={self.user_id!r}, profile_id={self.profile_id!r}, flags={self.flags!r})"
        )

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready mapping of every field, as token stores write it."""
        return {
            "access_token": self.access_token,
            "refresh_token": self.refresh_token,
            "expires_at": self.expires_at,
            "login_timestamp": self.login_timestamp,
            "user_id": self.user_id,
            "profile_id": self.profile_id,
            "flags": list(self.flags),
            "server_date": self.server_date,
            "received_at": self.received_at,
        }

    @classmethod
    def from_json(cls, value: Any) -> Tokens:
        """Read what :meth:`to_json` wrote, raising :class:`~amino_async.DecodeError` when it does not fit."""
        return _checked(structure(value, _StoredTokens, path="tokens"), "tokens").tokens()


_T = TypeVar("_T")
_TOKEN_TEXT: Final = re.compile(r"[\x21-\x7e]+")


def header_safe(token: object) -> bool:
    """Whether ``token`` can be sent as a bearer token as it is: non-empty visible ASCII, no spaces."""
    return isinstance(token, str) and _TOKEN_TEXT.fullmatch(token) is not None


def _checked(tokens: _T, path: str) -> _T:
    for name in ("access_token", "refresh_token"):
        value = getattr(tokens, name)
        if value is not None and not header_safe(value):
            raise DecodeError("not a token that can be sent in a header", path=f"{path}.{name}")
    return tokens


@frozen
class _StoredTokens:
    access_token: str
    refresh_token: str | None
    expires_at: int | None = None
    login_timestamp: int | None = None
    user_id: str | None = None
    profile_id: str | None = None
    flags: tuple[str, ...] = ()
    server_date: float | None = None
    received_at: float | None = None

    def tokens(self) -> Tokens:
        return Tokens(
            access_token=self.access_token,
            refresh_token=self.refresh_token,
            expires_at=self.expires_at,
            login_timestamp=self.login_timestamp,
            user_id=self.user_id,
            profile_id=self.profile_id,
            flags=self.flags,
            server_date=self.server_date,
            # Tokens stored without a receipt time are judged as if just received (a full lifetime ahead).
            received_at=self.received_at if self.received_at is not None else time.time(),
        )


@frozen
class _TokenAttributes:
    """The attributes of a createAccessToken answer (``AuthenticationTokens.yml``)."""

    access_token: str
    refresh_token: str | None = None
    expires_at_timestamp: int | None = None
    login_timestamp: int | None = None
    user_id: str | None = None
    user_profile_id: str | None = None
    user_flags: tuple[str, ...] = ()


def tokens_from_token_answer(document: Any, *, received_at: float) -> Tokens:
    """Read a createAccessToken answer.

    ``data`` is an object (type ``AccessToken``) or, on older deployments and in the seed page, a one-element
    list (type ``AuthenticationTokens``); ``user_id`` may be a string or an int.
    """
    if type(document) is not dict or "data" not in document:
        raise DecodeError("required field missing", path="data")
    data, path = document["data"], "data"
    if type(data) is list:
        if not data:
            raise DecodeError("expected one token resource, found an empty array", path="data")
        data, path = data[0], "data[0]"
    if type(data) is not dict:
        raise DecodeError("expected an object", path=path)
    attributes = _checked(
        structure(data.get("attributes"), _TokenAttributes, path=f"{path}.attributes"), f"{path}.attributes"
    )
    return Tokens(
        access_token=attributes.access_token,
        refresh_token=attributes.refresh_token,
        expires_at=attributes.expires_at_timestamp,
        login_timestamp=attributes.login_timestamp,
        user_id=attributes.user_id,
        profile_id=attributes.user_profile_id,
        flags=attributes.user_flags,
        received_at=received_at,
    )


def tokens_from_user_stat(document: Any, *, date: str | None, received_at: float, user_id: str | None = None) -> Tokens:
    """Read a legacy loginUser answer: ``userStat.accessToken`` / ``refreshToken`` are ``[token, expires_at]``.

    These answers state no login time, so the lifetime is measured from the answer's ``Date`` header.
    """
    stat = document.get("userStat") if type(document) is dict else None
    if type(stat) is not dict:
        raise DecodeError("required field missing", path="userStat")
    access, expires_at = _token_pair(stat.get("accessToken"), "userStat.accessToken")
    refresh = (
        _token_pair(stat["refreshToken"], "userStat.refreshToken")[0] if stat.get("refreshToken") is not None else None
    )
    return Tokens(
        access_token=access,
        refresh_token=refresh,
        expires_at=expires_at,
        user_id=user_id,
        server_date=_http_date(date),
        received_at=received_at,
    )


def _token_pair(value: Any, path: str) -> tuple[str, int | None]:
    if type(value) is not list or not value:
        raise DecodeError("expected an array [token, expires_at]", path=path)
    token = structure(value[0], str, path=f"{path}[0]")
    if not header_safe(token):
        raise DecodeError("not a token that can be sent in a header", path=f"{path}[0]")
    expires_at = structure(value[1], int, path=f"{path}[1]") if len(value) > 1 else None
    return token, expires_at


def _http_date(value: str | None) -> float | None:
    if not value:
        return None
    try:
        return parsedate_to_datetime(value).timestamp()
    except (TypeError, ValueError, IndexError):
        return None


@runtime_checkable
class TokenStore(Protocol):
    """Where tokens live between uses, keyed by user (and profile).

    Implementations must be safe to call from many tasks at once. ``save`` is awaited before a new token is used,
    so a refresh token the server has rotated is never known only in memory.
    """

    async def load(self, key: str) -> Tokens | None:
        """The tokens saved under ``key``, or None."""
        ...

    async def save(self, key: str, tokens: Tokens) -> None:
        """Save ``tokens`` under ``key``, replacing what was there."""
        ...

    async def delete(self, key: str) -> None:
        """Forget the tokens under ``key`` (a no-op when there are none)."""
        ...


@define
class TokenLease:
    """What a renewal sees, and may do, while it alone renews the tokens of a key.

    ``tokens`` is what the store held when the lease began (another process may have renewed them already).
    ``interrupted`` is True when an earlier holder began renewing these tokens and never finished: their refresh
    token may already have been spent at the server, so presenting it again could look like reuse; log in afresh
    instead where possible. ``save`` stores new tokens and returns the tokens now current, which are another
    writer's when those are newer.
    """

    tokens: Tokens | None
    save: Callable[[Tokens], Awaitable[Tokens]]
    interrupted: bool = False


@runtime_checkable
class SharedTokenStore(TokenStore, Protocol):
    """A token store shared by several processes, which also keeps their renewals to one at a time.

    While one process holds the lease of a key, the others wait for it and then find the tokens it saved, so a
    session shared by many processes logs in once and refreshes once per expiry, and a rotated refresh token is
    never presented twice.
    """

    def lease(self, key: str) -> AbstractAsyncContextManager[TokenLease]:
        """Hold the renewal of ``key`` (waiting for another holder first) for the duration of the block."""
        ...


@asynccontextmanager
async def lease_of(store: TokenStore, key: str) -> AsyncIterator[TokenLease]:
    """The lease of ``key`` in ``store``: a shared store's own, or, for a store of one process, a plain one.

    A store of one process needs no lock of its own: the auth's single flight already makes its renewals one at a
    time. A plain lease reads what the store holds (nothing, when it cannot be read: a fresh login follows) and
    saves by replacing it.
    """
    if isinstance(store, SharedTokenStore):
        async with store.lease(key) as lease:
            yield lease
        return
    try:
        stored = await store.load(key)
    except Exception as exc:
        logger.warning("could not read tokens from %r: %s", store, type(exc).__name__)
        stored = None

    async def save(tokens: Tokens) -> Tokens:
        await store.save(key, tokens)
        return tokens

    yield TokenLease(stored, save)


class MemoryTokenStore:
    """Keeps tokens in this process's memory: the default, lost when the process ends."""

    def __init__(self) -> None:
        self._tokens: dict[str, Tokens] = {}

    async def load(self, key: str) -> Tokens | None:
        """The tokens saved under ``key``, or None."""
        return self._tokens.get(key)

    async def save(self, key: str, tokens: Tokens) -> None:
        """Save ``tokens`` under ``key``."""
        self._tokens[key] = tokens

    async def delete(self, key: str) -> None:
        """Forget the tokens under ``key``."""
        self._tokens.pop(key, None)

    def __repr__(self) -> str:
        return f"MemoryTokenStore(keys={len(self._tokens)})"


class TokenStoreError(AminoError):
    """A token store cannot be read or written (e.g. the file belongs to something else)."""


# --- what every shared store does the same way -------------------------------------------------------------


class LockWait:
    """How a shared store's lease waits for a lock another process holds, and how long it may.

    Neither a lock in Redis nor an OS file lock taken without blocking a thread can be waited on, only tried
    again: tries start 5 ms apart, doubling up to 100 ms, each pause cut short at random by up to half so that
    waiters that started together spread out instead of colliding in step. After ``wait_timeout`` seconds the
    wait ends in :class:`TokenStoreError`. Cancellation arrives in the pauses, between tries.
    """

    FIRST_POLL: Final = 0.005
    MAX_POLL: Final = 0.1

    def __init__(self, wait_timeout: float, where: str) -> None:
        #: On anyio's clock: the end of the wait.
        self.deadline = anyio.current_time() + wait_timeout
        self._wait_timeout = wait_timeout
        self._where = where
        self._poll = self.FIRST_POLL

    def expired(self) -> TokenStoreError:
        """The error of a wait that went on for ``wait_timeout``."""
        return TokenStoreError(
            f"another process has been renewing these tokens for longer than the wait_timeout of "
            f"{self._wait_timeout:g} s ({self._where})"
        )

    async def pause(self, at_most: float = math.inf) -> None:
        """Sleep until the next try (never longer than ``at_most``), or raise once ``wait_timeout`` has passed."""
        left = self.deadline - anyio.current_time()
        if left <= 0:
            raise self.expired()
        await anyio.sleep(min(self._poll * random.uniform(0.5, 1.0), at_most, left))
        self._poll = min(self._poll * 2, self.MAX_POLL)


class Renewal:
    """One lease's renewal as its store sees it: whether it saved, and so whether its mark may go at the end.

    A shared store marks a renewal as begun, with the version of the tokens it found, when the lease starts; the
    next holder that finds the mark at the same version knows that renewal never finished (``interrupted``), so
    the refresh token it holds may be spent. When the mark may be cleared is the same rule in every shared store,
    and it is here.
    """

    def __init__(self, interrupted: bool, write: Callable[[Tokens], Awaitable[Tokens]]) -> None:
        self.interrupted = interrupted
        self._write = write
        self._saved = False
        if interrupted:
            logger.info("an earlier renewal of these tokens never finished; its refresh token may be spent")

    def lease(self, tokens: Tokens | None) -> TokenLease:
        """The lease its block sees: ``tokens`` as found, this renewal's save, and whether it inherited a mark."""
        return TokenLease(tokens, self._save, self.interrupted)

    async def _save(self, tokens: Tokens) -> Tokens:
        # Set before the write: a save that fails must not let the release clear the mark, since the refresh
        # whose tokens it carried has happened (a save that lands clears the mark itself).
        self._saved = True
        return await self._write(tokens)

    def clears_mark(self, *, failed: bool) -> bool:
        """Whether the lease, as it ends (its block having ``failed`` or not), removes its own mark."""
        # The mark stays when the renewal failed (its token call may have reached the server) or when it was
        # inherited and not resolved by a save; a clean renewal that saved nothing clears it.
        return not failed and not self._saved and not self.interrupted


# --- FileTokenStore ------------------------------------------------------------------------------------------

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
