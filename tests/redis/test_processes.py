"""Many real processes share one session through a real redis-server, against one FakeAmino over loopback.

The fake and every worker run in processes of their own (``tests/processes/``). Each fleet mixes the two backends
(asyncio, trio, asyncio, ...): both run the store, and processes on either share one session.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from tests.processes import Fake, Fleet, kill_holders_mid_refresh

pytestmark = pytest.mark.redis


@pytest.fixture(scope="module")
def fake() -> Iterator[Fake]:
    server = Fake()
    try:
        yield server
    finally:
        server.close()


@pytest.fixture
def make_fleet(fake: Fake, redis_url: str, prefix: str) -> Iterator[Callable[..., Fleet]]:
    fake.post("config", {"token_delay": 0.0})
    fake.post("reset_stats")
    fleets: list[Fleet] = []

    def make(size: int, lock_ttl: float = 5.0) -> Fleet:
        # A live holder keeps its lock however long it takes; lock_ttl only says how soon a dead one's expires.
        store = ["--redis", redis_url, "--prefix", prefix, "--lock-ttl", str(lock_ttl)]
        fleet = Fleet(size, url=fake.url, store=store)
        fleets.append(fleet)
        return fleet

    try:
        yield make
    finally:
        for fleet in fleets:
            fleet.close()


def test_eight_processes_log_in_once_and_refresh_once(fake: Fake, make_fleet: Callable[..., Fleet]) -> None:
    fleet = make_fleet(8)

    first = fleet.ask("tokens")
    assert fake.stats()["grants"] == {"password": 1}
    assert len({answer["token"] for answer in first}) == 1

    fake.post("expire_access_tokens")
    answers = fleet.ask("burst 200")
    assert [answer["errors"] for answer in answers] == [{}] * 8
    assert sum(answer["ok"] for answer in answers) == 1_600
    stats = fake.stats()
    assert stats["grants"] == {"password": 1, "refresh_token": 1}
    assert stats["reuse_detected"] == 0
    tokens = {answer["token"] for answer in answers}
    assert len(tokens) == 1
    assert tokens != {first[0]["token"]}


def test_twenty_expiry_rounds_cost_twenty_refreshes(fake: Fake, make_fleet: Callable[..., Fleet]) -> None:
    fleet = make_fleet(4)
    fleet.ask("tokens")
    for _ in range(20):
        fake.post("expire_access_tokens")
        answers = fleet.ask("burst 5")
        assert [answer["errors"] for answer in answers] == [{}] * 4
        assert len({answer["token"] for answer in answers}) == 1
    stats = fake.stats()
    assert stats["grants"] == {"password": 1, "refresh_token": 20}
    assert stats["reuse_detected"] == 0
    assert stats["token_refusals"] == {}


def test_holders_killed_mid_refresh_are_replaced_without_reuse(fake: Fake, make_fleet: Callable[..., Fleet]) -> None:
    fleet = make_fleet(4, lock_ttl=1.0)
    kill_holders_mid_refresh(fake, fleet)
