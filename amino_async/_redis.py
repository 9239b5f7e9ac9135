"""``RedisTokenStore``: one session shared by many processes and hosts, renewed by one of them at a time.

Layout, per store key ``K`` (both keys share the hash tag ``{K}``, so they live on one cluster slot):

- ``<prefix>{K}``, a hash: ``version`` (an integer that only grows), ``tokens`` (``Tokens.to_json()`` as JSON;
  never a password) and ``intent`` (``"<version>:<holder>"`` while a renewal that began at that version is under
  way, left behind when its holder died or failed).
- ``<prefix>{K}:lock``, a string: the random id of the lease holder, set with ``SET NX PX`` and extended by its
  holder while it works; deleted only by that holder (compare-and-delete in Lua).

Every step that must see one state (take the lock and read the tokens and the intent; save unless newer tokens
are there; release and clear one's own intent) is one Lua script, so one round trip and atomic.

redis-py's client is asyncio-only; under trio its calls run on a private asyncio loop in a daemon thread.
"""

from __future__ import annotations

import asyncio
import builtins
import json
import logging
import math
import secrets
import threading
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any, Final, TypeVar

import anyio

try:
    import redis.asyncio as aioredis
    from redis.exceptions import RedisError
except ImportError as exc:  # pragma: no cover - the redis extra installs it
    raise ImportError("RedisTokenStore needs redis-py: pip install 'amino-async[redis]'") from exc

from ._constants import LOGGER_NAME
from ._errors import DecodeError
from ._tokens import LockWait, Renewal, TokenLease, Tokens, TokenStoreError

__all__ = ["RedisTokenStore"]

logger = logging.getLogger(LOGGER_NAME)

T = TypeVar("T")

#: How long letting go of a lock request that failed or was abandoned may take: best effort (the lock's expiry is
#: the backstop), and a Redis that did not answer the request will not answer this either.
_LET_GO_AFTER_FAILURE: Final = 0.5

# The rules of _ACQUIRE and _SAVE are FileTokenStore's too (``_Contents.begin`` and ``put`` in _tokens.py): a change
# to one belongs in the other.
# KEYS: data, lock. ARGV: holder, ttl in ms.
# Taken: {1, version, tokens or "", interrupted}. Held by another: {0, the lock's remaining ms}.
_ACQUIRE: Final = """
if not redis.call('SET', KEYS[2], ARGV[1], 'NX', 'PX', ARGV[2]) then
  return {0, redis.call('PTTL', KEYS[2])}
end
local state = redis.call('HMGET', KEYS[1], 'version', 'tokens', 'intent')
local version = tonumber(state[1]) or 0
local interrupted = 0
if state[3] and tonumber(string.match(state[3], '^(%d+):')) == version then
  interrupted = 1
end
redis.call('HSET', KEYS[1], 'version', version, 'intent', version .. ':' .. ARGV[1])
return {1, version, state[2] or '', interrupted}
"""

# KEYS: data. ARGV: expected version ("" for the current one), tokens.
# Saved: {1, new version, ""}. Refused because newer tokens are there: {0, their version, their tokens}.
_SAVE: Final = """
local state = redis.call('HMGET', KEYS[1], 'version', 'tokens')
local version = tonumber(state[1]) or 0
local expected = tonumber(ARGV[1]) or version
if version > expected and state[2] then
  return {0, version, state[2]}
end
local new = math.max(version, expected) + 1
redis.call('HSET', KEYS[1], 'version', new, 'tokens', ARGV[2])
redis.call('HDEL', KEYS[1], 'intent')
return {1, new, ''}
"""

# KEYS: data, lock. ARGV: holder, "1" to clear the holder's own intent. 1 when the lock was still ours.
_RELEASE: Final = """
local intent = redis.call('HGET', KEYS[1], 'intent')
local mine = ':' .. ARGV[1]
if ARGV[2] == '1' and intent and string.sub(intent, -string.len(mine)) == mine then
  redis.call('HDEL', KEYS[1], 'intent')
end
if redis.call('GET', KEYS[2]) == ARGV[1] then
  redis.call('DEL', KEYS[2])
  return 1
end
return 0
"""

# KEYS: lock. ARGV: holder, ttl in ms. 1 when the lock was still ours.
_EXTEND: Final = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return 0
"""


def _on_asyncio() -> bool:
    try:
        return asyncio.current_task() is not None
    except RuntimeError:  # no asyncio loop running here: trio
        return False


class _AsyncioThread:
    """A private asyncio loop in a daemon thread, where redis-py's asyncio client runs for trio callers."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self.loop.run_forever, name="amino-async redis", daemon=True)
        self._thread.start()

    async def run(self, call: Callable[[], Awaitable[T]]) -> T:
        async def coroutine() -> T:
            return await call()

        future = asyncio.run_coroutine_threadsafe(coroutine(), self.loop)
        try:
            return await anyio.to_thread.run_sync(future.result, abandon_on_cancel=True)
        except BaseException:
            future.cancel()  # cancels the command on the loop too (redis-py then drops that connection)
            raise

    async def close(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        await anyio.to_thread.run_sync(self._thread.join)
        self.loop.close()


class RedisTokenStore:
    """Keeps tokens in Redis, shared by every process and host that uses it, with cross-process single-flight.

    Pass it as ``AminoClient(..., token_store=store)`` in every process. Tokens are kept per store key (the user
    and profile, by default), as JSON without any password, with a version that only grows: a writer never
    replaces newer tokens with older ones.

    Renewals (logins and refreshes) take a lock in Redis first: one process renews, the others wait for it and
    then use the tokens it saved, so processes that start together log in once and a token that expires is
    refreshed once, however many processes use it. Waiters poll the lock, starting at 5 ms and doubling up to
    100 ms, never sleeping past its expiry; after ``wait_timeout`` seconds they give up with
    :class:`~amino_async.TokenStoreError`. The holder extends its lock every ``lock_ttl / 3`` seconds while it
    works; if it dies, its lock expires within ``lock_ttl`` seconds and a waiter takes over. Before renewing, a
    holder marks the renewal as begun; a successor that finds that mark, and no newer tokens, knows the refresh
    token may already be spent and logs in afresh instead of presenting it again.

    Every Redis command is bounded by ``timeout`` seconds: Redis unreachable, or not answering, raises
    :class:`~amino_async.TokenStoreError` (there is no silent fallback to per-process tokens, which would bring
    back the duplicate logins and clashing refreshes this store prevents).

    ``client`` is a ``redis.asyncio.Redis``; the store never closes it. :meth:`from_url` makes a client the store
    owns and :meth:`aclose` closes. Under trio, redis-py's calls run on a private asyncio loop in a thread, so one
    store serves one async library: do not share a client between asyncio code and the store used from trio.
    """

    def __init__(
        self,
        client: aioredis.Redis,
        *,
        prefix: str = "amino:tokens:",
        lock_ttl: float = 10.0,
        wait_timeout: float = 25.0,
        timeout: float = 5.0,
    ) -> None:
        if lock_ttl <= 0 or wait_timeout <= 0 or timeout <= 0:
            raise ValueError("lock_ttl, wait_timeout and timeout must be positive")
        self._client = client
        self._prefix = prefix
        self._lock_ttl = lock_ttl
        self._lock_ttl_ms = max(1, math.ceil(lock_ttl * 1000))
        self._wait_timeout = wait_timeout
        self._timeout = timeout
        self._owns_client = False
        self._thread: _AsyncioThread | None = None
        self._thread_lock = threading.Lock()
        # The version this store last read or wrote per key: what a save outside a lease compares against.
        self._seen: dict[str, int] = {}
        self._acquire = client.register_script(_ACQUIRE)
        self._save = client.register_script(_SAVE)
        self._release = client.register_script(_RELEASE)
        self._extend = client.register_script(_EXTEND)
        self._where = _describe(client)

    @classmethod
    def from_url(
        cls,
        url: str,
        *,
        prefix: str = "amino:tokens:",
        lock_ttl: float = 10.0,
        wait_timeout: float = 25.0,
        timeout: float = 5.0,
        **client_options: Any,
    ) -> RedisTokenStore:
        """A store with a client of its own for ``url`` (``redis://``, ``rediss://`` or ``unix://``).

        ``client_options`` go to ``redis.asyncio.Redis.from_url``; socket and connect timeouts default to
        ``timeout``. Close the store with :meth:`aclose` (or ``async with``).
        """
        client_options.setdefault("socket_timeout", timeout)
        client_options.setdefault("socket_connect_timeout", timeout)
        client = aioredis.Redis.from_url(url, **client_options)
        store = cls(client, prefix=prefix, lock_ttl=lock_ttl, wait_timeout=wait_timeout, timeout=timeout)
        store._owns_client = True
        return store

    def __repr__(self) -> str:
        return f"RedisTokenStore({self._where!r}, prefix={self._prefix!r})"

    async def __aenter__(self) -> RedisTokenStore:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close the client if :meth:`from_url` made it, and the trio helper thread if one was started."""
        try:
            if self._owns_client:
                self._owns_client = False
                await self._run(self._client.aclose)
        finally:
            thread, self._thread = self._thread, None
            if thread is not None:
                await thread.close()

    # --- TokenStore ----------------------------------------------------------------------------------------

    async def load(self, key: str) -> Tokens | None:
        """The tokens saved under ``key``, or None (also when what is there cannot be read, with a warning)."""
        data, _ = self._keys(key)
        version, raw = await self._call("read", lambda: self._client.hmget(data, ["version", "tokens"]))
        if version is not None:
            self._seen[key] = int(version)
        return self._decode(raw)

    async def save(self, key: str, tokens: Tokens) -> None:
        """Save ``tokens`` under ``key``, unless another process saved newer ones since this store last saw them.

        (A renewal inside :meth:`lease` saves through the lease instead, which says which tokens won.)
        """
        await self._cas(key, tokens, self._seen.get(key))

    async def delete(self, key: str) -> None:
        """Forget the tokens under ``key``.

        Their version number stays, so versions only ever grow, and so does the mark of a renewal that never
        finished: a process still holding those tokens must not take their refresh token for unspent.
        """
        data, _ = self._keys(key)
        await self._call("delete", lambda: self._client.hdel(data, "tokens"))

    # --- SharedTokenStore ----------------------------------------------------------------------------------

    @asynccontextmanager
    async def lease(self, key: str) -> AsyncIterator[TokenLease]:
        """Hold the renewal of ``key`` across every process using this Redis, for the duration of the block.

        Waits (polling) while another process holds it, up to ``wait_timeout`` seconds; raises
        :class:`~amino_async.TokenStoreError` then, or when Redis cannot be reached.
        """
        data, lock = self._keys(key)
        holder = secrets.token_hex(16)
        version, raw, interrupted = await self._take(data, lock, holder)
        self._seen[key] = version
        renewal = Renewal(interrupted, lambda tokens: self._cas(key, tokens, version))
        error: BaseException | None = None
        try:
            async with anyio.create_task_group() as group:
                group.start_soon(self._keep, lock, holder)
                try:
                    yield renewal.lease(self._decode(raw))
                except BaseException as exc:
                    # Re-raised below, outside the task group, so that it is not wrapped in an exception group.
                    error = exc
                group.cancel_scope.cancel()
        finally:
            with anyio.CancelScope(shield=True):
                await self._let_go(data, lock, holder, clear=renewal.clears_mark(failed=error is not None))
        if error is not None:
            raise error

    # --- the lock ------------------------------------------------------------------------------------------

    async def _take(self, data: str, lock: str, holder: str) -> tuple[int, Any, bool]:
        wait = LockWait(self._wait_timeout, f"Redis at {self._where}")
        while True:
            try:
                answer = await self._call(
                    "lock", lambda: self._acquire(keys=[data, lock], args=[holder, self._lock_ttl_ms])
                )
            except (anyio.get_cancelled_exc_class(), TokenStoreError):
                # The lock may have been taken just as the caller gave up, or just before an answer that came
                # too late: let go of it rather than make every other process wait for it to expire. Its mark
                # stays: whether it replaced an unfinished renewal's is unknown, and a needless fresh login is
                # the safe side.
                with anyio.CancelScope(shield=True), anyio.move_on_after(_LET_GO_AFTER_FAILURE):
                    await self._let_go(data, lock, holder, clear=False)
                raise
            if int(answer[0]) == 1:
                return int(answer[1]), answer[2], int(answer[3]) == 1
            # Never sleeping past the lock's expiry (a lock without one, or just gone: no longer than one poll).
            expiry = int(answer[1]) / 1000 if int(answer[1]) > 0 else LockWait.FIRST_POLL
            await wait.pause(at_most=expiry + 0.001)

    async def _keep(self, lock: str, holder: str) -> None:
        """Extend the lock while its holder works, so that only a dead holder's lock expires."""
        while True:
            await anyio.sleep(self._lock_ttl / 3)
            try:
                kept = await self._call("lock", lambda: self._extend(keys=[lock], args=[holder, self._lock_ttl_ms]))
            except TokenStoreError as exc:
                logger.warning("could not extend the token lease: %s", exc)
                continue
            if not int(kept):
                logger.warning("the token lease expired before its renewal finished; another process may renew too")
                return

    async def _let_go(self, data: str, lock: str, holder: str, *, clear: bool) -> None:
        try:
            await self._call("unlock", lambda: self._release(keys=[data, lock], args=[holder, "1" if clear else "0"]))
        except TokenStoreError as exc:
            # The renewal itself is done (and saved); the lock expires on its own.
            logger.warning("could not release the token lease: %s", exc)

    # --- helpers -------------------------------------------------------------------------------------------

    async def _cas(self, key: str, tokens: Tokens, expected: int | None) -> Tokens:
        data, _ = self._keys(key)
        payload = json.dumps(tokens.to_json(), separators=(",", ":"))
        answer = await self._call(
            "write", lambda: self._save(keys=[data], args=["" if expected is None else expected, payload])
        )
        self._seen[key] = int(answer[1])
        if int(answer[0]) == 1:
            return tokens
        logger.debug("kept the newer tokens another process saved (version %s)", int(answer[1]))
        current = self._decode(answer[2])
        return current if current is not None else tokens

    def _keys(self, key: str) -> tuple[str, str]:
        data = f"{self._prefix}{{{key}}}"
        return data, f"{data}:lock"

    def _decode(self, raw: Any) -> Tokens | None:
        if raw is None or raw in (b"", ""):
            return None
        try:
            return Tokens.from_json(json.loads(raw))
        except (ValueError, DecodeError) as exc:
            logger.warning("ignoring unreadable tokens in Redis at %s: %s", self._where, exc)
            return None

    async def _call(self, what: str, call: Callable[[], Awaitable[T]]) -> T:
        """One Redis command, bounded by ``timeout``, its failures as TokenStoreError."""
        try:
            with anyio.fail_after(self._timeout):
                return await self._run(call)
        except builtins.TimeoutError:
            raise TokenStoreError(
                f"Redis at {self._where} did not answer within {self._timeout:g} s ({what})"
            ) from None
        except (RedisError, OSError) as exc:
            raise TokenStoreError(f"Redis at {self._where} failed ({what}): {type(exc).__name__}: {exc}") from exc

    async def _run(self, call: Callable[[], Awaitable[T]]) -> T:
        if _on_asyncio():
            return await call()
        with self._thread_lock:
            if self._thread is None:
                self._thread = _AsyncioThread()
            thread = self._thread
        return await thread.run(call)


def _describe(client: aioredis.Redis) -> str:
    """Where ``client`` connects, without any password: ``host:port/db`` or the socket path."""
    pool = getattr(client, "connection_pool", None)  # a cluster client has one per node instead
    if pool is None:
        return type(client).__name__
    options = pool.connection_kwargs
    if options.get("path"):
        return f"unix://{options['path']}"
    return f"{options.get('host', 'localhost')}:{options.get('port', 6379)}/{options.get('db', 0)}"
