"""RedisTokenStore on its own, against a real redis-server, under asyncio and trio."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import AbstractAsyncContextManager

import anyio
import pytest
import redis

from amino_async import AminoClient, RedisTokenStore, SharedTokenStore, TokenLease, Tokens, TokenStoreError
from amino_async.testing import FakeAmino
from tests.helpers import PASSWORD, USERNAME

from ..helpers import httpx
from .conftest import SlowReplies, free_port

pytestmark = pytest.mark.redis

KEY = "https://customer.domain:443|user@example.com|-"


def tokens(n: int, *, received_at: float | None = None) -> Tokens:
    return Tokens(
        access_token=f"access-{n}",
        refresh_token=f"refresh-{n}",
        expires_at=1_000 + 3_600,
        login_timestamp=1_000,
        user_id="1001",
        flags=("a",),
        received_at=time.time() if received_at is None else received_at,
    )


@pytest.fixture
async def store(redis_url: str, prefix: str) -> AsyncIterator[RedisTokenStore]:
    async with RedisTokenStore.from_url(redis_url, prefix=prefix, lock_ttl=1.0, wait_timeout=5.0) as store:
        yield store


@pytest.fixture
async def other(redis_url: str, prefix: str) -> AsyncIterator[RedisTokenStore]:
    """A second store on the same keys with a client of its own: another process, as Redis sees it."""
    async with RedisTokenStore.from_url(redis_url, prefix=prefix, lock_ttl=1.0, wait_timeout=5.0) as store:
        yield store


def data_key(prefix: str) -> str:
    return f"{prefix}{{{KEY}}}"


async def test_is_a_shared_token_store(store: RedisTokenStore) -> None:
    assert isinstance(store, SharedTokenStore)


async def test_tokens_saved_by_one_process_load_in_another_with_the_lifetime_left(
    store: RedisTokenStore, other: RedisTokenStore, raw_redis: redis.Redis, prefix: str
) -> None:
    assert await other.load(KEY) is None
    saved = tokens(1, received_at=time.time() - 100)
    await store.save(KEY, saved)

    loaded = await other.load(KEY)
    assert loaded == saved
    assert loaded is not None
    remaining = loaded.expires_in()
    assert remaining is not None
    assert 3_400 < remaining <= 3_500  # a wall-clock receipt time: another process judges the lifetime right
    stored = raw_redis.hgetall(data_key(prefix))
    assert json.loads(stored["tokens"]) == saved.to_json()
    assert stored["version"] == "1"


async def test_a_save_never_replaces_newer_tokens(store: RedisTokenStore, other: RedisTokenStore) -> None:
    await store.save(KEY, tokens(1))
    seen = await other.load(KEY)
    assert seen is not None
    assert seen.access_token == "access-1"
    await store.save(KEY, tokens(2))  # newer than what `other` last saw
    await other.save(KEY, tokens(3))
    current = await store.load(KEY)
    assert current is not None
    assert current.access_token == "access-2"


async def test_a_lease_save_refused_returns_the_newer_tokens(store: RedisTokenStore, other: RedisTokenStore) -> None:
    await store.save(KEY, tokens(1))
    async with store.lease(KEY) as lease:
        assert lease.tokens is not None
        assert lease.tokens.access_token == "access-1"
        await other.load(KEY)
        await other.save(KEY, tokens(2))  # e.g. a holder whose lock had expired, finishing late
        current = await lease.save(tokens(3))
    assert current.access_token == "access-2"
    loaded = await store.load(KEY)
    assert loaded is not None
    assert loaded.access_token == "access-2"


async def test_a_lease_save_is_what_the_next_lease_sees(store: RedisTokenStore, other: RedisTokenStore) -> None:
    async with store.lease(KEY) as lease:
        assert lease.tokens is None
        assert not lease.interrupted
        assert (await lease.save(tokens(1))).access_token == "access-1"
    async with other.lease(KEY) as lease:
        assert lease.tokens is not None
        assert lease.tokens.access_token == "access-1"
        assert not lease.interrupted


async def test_a_waiter_gets_the_tokens_the_holder_saved(store: RedisTokenStore, other: RedisTokenStore) -> None:
    events: list[str] = []
    held = anyio.Event()

    async def waiter() -> None:
        await held.wait()
        async with other.lease(KEY) as lease:
            events.append("waiter in")
            assert lease.tokens is not None
            assert lease.tokens.access_token == "access-1"
            assert not lease.interrupted

    async with anyio.create_task_group() as group:
        group.start_soon(waiter)
        async with store.lease(KEY) as lease:
            held.set()
            await anyio.sleep(0.2)  # the waiter is polling the lock meanwhile
            events.append("holder saves")
            await lease.save(tokens(1))
    assert events == ["holder saves", "waiter in"]


async def test_the_holder_keeps_its_lock_past_lock_ttl_while_alive(
    store: RedisTokenStore, other: RedisTokenStore
) -> None:
    events: list[str] = []
    held = anyio.Event()

    async def waiter() -> None:
        await held.wait()
        async with other.lease(KEY):
            events.append("waiter in")

    async with anyio.create_task_group() as group:
        group.start_soon(waiter)
        async with store.lease(KEY):
            held.set()
            await anyio.sleep(1.6)  # longer than lock_ttl=1: the holder extends its lock
            events.append("holder out")
    assert events == ["holder out", "waiter in"]


async def test_a_failed_renewal_leaves_the_next_holder_interrupted_until_a_save(
    store: RedisTokenStore, other: RedisTokenStore
) -> None:
    await store.save(KEY, tokens(1))
    with pytest.raises(RuntimeError, match="token call failed"):
        async with store.lease(KEY):
            raise RuntimeError("token call failed")
    async with other.lease(KEY) as lease:
        assert lease.interrupted
        # Adopting what is stored settles nothing: the refresh token may still be spent.
    async with other.lease(KEY) as lease:
        assert lease.interrupted
        await lease.save(tokens(2))
    async with store.lease(KEY) as lease:
        assert not lease.interrupted
        assert lease.tokens is not None
        assert lease.tokens.access_token == "access-2"


async def test_a_renewal_cut_off_by_its_deadline_lets_go_and_leaves_the_mark(
    store: RedisTokenStore, other: RedisTokenStore, raw_redis: redis.Redis, prefix: str
) -> None:
    await store.save(KEY, tokens(1))

    async def renew_forever() -> None:
        with anyio.fail_after(0.2):
            async with store.lease(KEY):
                await anyio.sleep(10)  # a token call that never ends

    with pytest.raises(TimeoutError):
        await renew_forever()
    assert raw_redis.get(f"{data_key(prefix)}:lock") is None
    async with other.lease(KEY) as lease:
        assert lease.interrupted


async def test_a_lease_save_that_fails_leaves_the_next_holder_interrupted(
    redis_url: str, prefix: str, raw_redis: redis.Redis, other: RedisTokenStore
) -> None:
    async with RedisTokenStore.from_url(redis_url, prefix=prefix, lock_ttl=1.0, timeout=0.2) as store:
        await store.save(KEY, tokens(1))
        async with store.lease(KEY) as lease:
            raw_redis.execute_command("CLIENT", "PAUSE", "300", "WRITE")
            with pytest.raises(TokenStoreError):
                await lease.save(tokens(2))  # the refresh happened; its tokens never reached Redis
    async with other.lease(KEY) as lease:
        assert lease.interrupted  # so the next holder does not present the spent refresh token


async def test_a_lock_answer_that_comes_too_late_lets_go_of_the_lock(
    redis_url: str, prefix: str, raw_redis: redis.Redis, other: RedisTokenStore
) -> None:
    async with (
        SlowReplies(redis_url) as proxy,
        RedisTokenStore.from_url(proxy.url, prefix=prefix, lock_ttl=30.0, timeout=0.2) as store,
    ):
        await store.save(KEY, tokens(1))
        proxy.hold_next_answer(0.4)  # Redis takes the lock at once; the answer arrives after the store gave up
        with pytest.raises(TokenStoreError):
            async with store.lease(KEY):
                pass
    # Not held for lock_ttl by nobody: the next holder gets it as soon as the late answer is in.
    with anyio.fail_after(5):
        async with other.lease(KEY):
            pass


async def test_a_clean_lease_without_a_save_leaves_no_mark(store: RedisTokenStore, other: RedisTokenStore) -> None:
    await store.save(KEY, tokens(1))
    async with store.lease(KEY):
        pass
    async with other.lease(KEY) as lease:
        assert not lease.interrupted


async def test_a_dead_holders_lock_expires_and_its_unfinished_renewal_shows(
    store: RedisTokenStore, raw_redis: redis.Redis, prefix: str
) -> None:
    await store.save(KEY, tokens(1))
    # What a holder that died mid-refresh leaves: its lock (expiring) and its mark at the current version.
    raw_redis.set(f"{data_key(prefix)}:lock", "dead-holder", px=300)
    raw_redis.hset(data_key(prefix), "intent", "1:dead-holder")
    async with store.lease(KEY) as lease:
        assert lease.interrupted
        assert lease.tokens is not None
        assert lease.tokens.access_token == "access-1"
        assert raw_redis.get(f"{data_key(prefix)}:lock") not in (None, "dead-holder")


async def test_a_dead_holder_whose_save_landed_is_not_an_interruption(
    store: RedisTokenStore, raw_redis: redis.Redis, prefix: str
) -> None:
    await store.save(KEY, tokens(1))
    raw_redis.hset(data_key(prefix), "intent", "0:dead-holder")  # began at version 0; version 1 landed since
    async with store.lease(KEY) as lease:
        assert not lease.interrupted


async def test_the_lock_is_released_only_by_its_holder(
    store: RedisTokenStore, raw_redis: redis.Redis, prefix: str
) -> None:
    lock = f"{data_key(prefix)}:lock"
    async with store.lease(KEY):
        assert raw_redis.get(lock) is not None
        # As if our lock had expired and another process had taken it.
        raw_redis.set(lock, "successor", px=5_000)
    assert raw_redis.get(lock) == "successor"
    raw_redis.delete(lock)
    async with store.lease(KEY):
        pass
    assert raw_redis.get(lock) is None


async def test_waiting_longer_than_wait_timeout_raises(redis_url: str, prefix: str, raw_redis: redis.Redis) -> None:
    raw_redis.set(f"{data_key(prefix)}:lock", "slow-holder", px=30_000)
    async with RedisTokenStore.from_url(redis_url, prefix=prefix, wait_timeout=0.3) as store:
        with pytest.raises(TokenStoreError, match="wait_timeout"):
            async with store.lease(KEY):
                pass


async def test_delete_forgets_the_tokens_but_not_the_version(store: RedisTokenStore, other: RedisTokenStore) -> None:
    await store.save(KEY, tokens(1))
    await other.load(KEY)
    await store.delete(KEY)
    assert await other.load(KEY) is None
    await other.save(KEY, tokens(2))
    loaded = await store.load(KEY)
    assert loaded is not None
    assert loaded.access_token == "access-2"


async def test_delete_keeps_the_mark_of_an_unfinished_renewal(
    store: RedisTokenStore, other: RedisTokenStore, raw_redis: redis.Redis, prefix: str
) -> None:
    await store.save(KEY, tokens(1))
    raw_redis.hset(data_key(prefix), "intent", "1:dead-holder")  # a holder died mid-refresh at version 1
    await store.delete(KEY)  # a logout meanwhile
    async with other.lease(KEY) as lease:
        assert lease.tokens is None
        assert lease.interrupted


async def test_unreadable_tokens_load_as_none(store: RedisTokenStore, raw_redis: redis.Redis, prefix: str) -> None:
    raw_redis.hset(data_key(prefix), mapping={"version": 3, "tokens": '{"access_token": 5}'})
    assert await store.load(KEY) is None


async def test_redis_unreachable_raises_token_store_error_without_the_password() -> None:
    url = f"redis://:hunter2-pass@127.0.0.1:{free_port()}/0"
    async with RedisTokenStore.from_url(url, timeout=1.0) as store:
        assert "hunter2" not in repr(store)
        assert "127.0.0.1" in repr(store)
        with pytest.raises(TokenStoreError, match=r"Redis at 127\.0\.0\.1") as caught:
            await store.load(KEY)
        assert "hunter2" not in str(caught.value)
        with pytest.raises(TokenStoreError):
            async with store.lease(KEY):
                pass


async def test_a_client_whose_redis_is_unreachable_fails_its_requests_clearly() -> None:
    fake = FakeAmino(channels=1)
    async with (
        RedisTokenStore.from_url(f"redis://127.0.0.1:{free_port()}/0", timeout=1.0) as store,
        AminoClient(
            "http://localhost",
            username=USERNAME,
            password=PASSWORD,
            token_store=store,
            transport=httpx.ASGITransport(app=fake),
        ) as client,
    ):
        with pytest.raises(TokenStoreError, match="Redis at"):
            await client.profiles.list()
    assert fake.stats.grants == {}


@pytest.fixture
def silent_server() -> Iterator[int]:
    """A port that accepts connections and never answers."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(16)
        yield sock.getsockname()[1]


async def test_redis_not_answering_raises_token_store_error(silent_server: int) -> None:
    async with RedisTokenStore.from_url(f"redis://127.0.0.1:{silent_server}/0", timeout=0.5) as store:
        with pytest.raises(TokenStoreError, match=r"Redis at 127\.0\.0\.1"):
            await store.save(KEY, tokens(1))


async def test_repr_shows_where_and_the_prefix_not_tokens(store: RedisTokenStore, prefix: str) -> None:
    await store.save(KEY, tokens(1))
    text = repr(store)
    assert text.startswith("RedisTokenStore('")
    assert prefix in text
    assert "access-1" not in text
    assert "refresh-1" not in text


async def test_two_clients_on_one_redis_log_in_once(redis_url: str, prefix: str) -> None:
    fake = FakeAmino(channels=1)
    async with (
        RedisTokenStore.from_url(redis_url, prefix=prefix) as first_store,
        RedisTokenStore.from_url(redis_url, prefix=prefix) as second_store,
    ):
        clients = [
            AminoClient(
                "http://localhost",
                username=USERNAME,
                password=PASSWORD,
                token_store=store,
                transport=httpx.ASGITransport(app=fake),
            )
            for store in (first_store, second_store)
        ]
        async with clients[0], clients[1], anyio.create_task_group() as group:
            for client in clients:
                for _ in range(20):
                    group.start_soon(client.profiles.list)
        assert fake.stats.grants == {"password": 1}
        assert clients[0].tokens == clients[1].tokens


class CountingStore(RedisTokenStore):
    leases = 0

    def lease(self, key: str) -> AbstractAsyncContextManager[TokenLease]:
        self.leases += 1
        return super().lease(key)


async def test_one_lease_per_renewal_however_many_tasks_wait(redis_url: str, prefix: str) -> None:
    fake = FakeAmino(channels=1)
    async with (
        CountingStore.from_url(redis_url, prefix=prefix) as store,
        AminoClient(
            "http://localhost",
            username=USERNAME,
            password=PASSWORD,
            token_store=store,
            transport=httpx.ASGITransport(app=fake),
        ) as client,
    ):
        assert isinstance(store, CountingStore)
        await client.login()
        fake.expire_access_tokens()
        async with anyio.create_task_group() as group:
            for _ in range(100):
                group.start_soon(client.profiles.list)
        assert store.leases == 2  # the login's and the refresh's
        assert fake.stats.grants == {"password": 1, "refresh_token": 1}
        assert fake.stats.unauthorized == 100


def test_without_redis_py_the_import_names_the_extra() -> None:
    code = "import sys\nsys.modules['redis'] = None\nimport amino_async\nfrom amino_async import RedisTokenStore\n"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.returncode != 0
    last_line = result.stderr.strip().splitlines()[-1]
    assert last_line.startswith("ImportError")
    assert "amino-async[redis]" in last_line
