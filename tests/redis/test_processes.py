"""Many real processes share one session through a real redis-server, against one FakeAmino over loopback.

The fake runs in its own process (``python -m amino_async.testing``) and is read and driven through its
``/_fake/`` admin endpoints; every worker is ``worker.py`` in a process of its own. Each fleet mixes the two
backends (asyncio, trio, asyncio, ...): both run the store, and processes on either share one session.
"""

from __future__ import annotations

import contextlib
import json
import os
import queue
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

pytestmark = pytest.mark.redis

WORKER = Path(__file__).with_name("worker.py")
ANSWER_TIMEOUT = 30.0
BACKENDS = ["asyncio", "trio"]


class Fake:
    """The fake server process and its admin endpoints."""

    def __init__(self) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "amino_async.testing", "--port", "0", "--channels", "1"],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        assert self.process.stdout is not None
        self.url = self.process.stdout.readline().strip()
        assert self.url.startswith("http://127.0.0.1:"), "the fake server did not start"
        self.admin = httpx.Client(base_url=f"{self.url}/_fake", timeout=10)
        until(lambda: self._answers(), "the fake server to answer")

    def _answers(self) -> bool:
        try:
            return self.admin.get("/config").is_success
        except httpx.TransportError:
            return False

    def stats(self) -> dict[str, Any]:
        answer = self.admin.get("/stats")
        answer.raise_for_status()
        stats: dict[str, Any] = answer.json()
        return stats

    def post(self, action: str, payload: Any = None) -> None:
        self.admin.post(f"/{action}", json=payload).raise_for_status()

    def close(self) -> None:
        self.admin.close()
        self.process.terminate()
        self.process.wait(timeout=10)
        if self.process.stdout is not None:
            self.process.stdout.close()


class Worker:
    def __init__(self, command: list[str]) -> None:
        self.process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        self._lines: queue.Queue[str] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        with self.process.stdout:
            for line in self.process.stdout:
                self._lines.put(line)

    def send(self, command: str) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write(command + "\n")
        self.process.stdin.flush()

    def answer(self) -> dict[str, Any]:
        try:
            line = self._lines.get(timeout=ANSWER_TIMEOUT)
        except queue.Empty:
            raise AssertionError(f"worker {self.process.pid} gave no answer in {ANSWER_TIMEOUT:g} s") from None
        message: dict[str, Any] = json.loads(line)
        return message

    def quit(self) -> None:
        if self.process.poll() is None:
            with contextlib.suppress(OSError):
                self.send("quit")

    def close(self) -> None:
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        if self.process.stdin is not None:
            with contextlib.suppress(OSError):
                self.process.stdin.close()


class Fleet:
    """``size`` worker processes, started at once, on one Redis key prefix; backends alternate."""

    def __init__(self, size: int, *, url: str, redis_url: str, prefix: str, lock_ttl: float) -> None:
        command = [sys.executable, str(WORKER), "--url", url, "--redis", redis_url, "--prefix", prefix]
        command += ["--lock-ttl", str(lock_ttl)]
        self.workers = [Worker([*command, "--backend", BACKENDS[i % 2]]) for i in range(size)]
        for worker in self.workers:
            assert worker.answer() == {"ready": True}

    def ask(self, command: str, workers: list[Worker] | None = None) -> list[dict[str, Any]]:
        """Send ``command`` to every worker (or those given) before reading any answer: they all run at once."""
        chosen = self.workers if workers is None else workers
        for worker in chosen:
            worker.send(command)
        return [worker.answer() for worker in chosen]

    def close(self) -> None:
        for worker in self.workers:
            worker.quit()
        for worker in self.workers:
            worker.close()


def until(condition: Callable[[], bool], what: str, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up waiting for {what}")
        time.sleep(0.01)


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
        fleet = Fleet(size, url=fake.url, redis_url=redis_url, prefix=prefix, lock_ttl=lock_ttl)
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
    fleet.ask("tokens")
    slow_victim, late_victim, *survivors = fleet.workers

    # 1. Killed while the fake is still answering its refresh (slowly): the answer is never read.
    fake.post("config", {"token_delay": 1.0})
    fake.post("expire_access_tokens")
    slow_victim.send("burst 1")
    until(lambda: fake.stats()["calls"].get("access_tokens") == 2, "the first victim's refresh to reach the fake")
    kill(slow_victim)
    fake.post("config", {"token_delay": 0.0})
    answers = fleet.ask("burst 20", [late_victim, *survivors])
    assert [answer["ok"] for answer in answers] == [20, 20, 20]
    stats = fake.stats()
    assert stats["reuse_detected"] == 0
    # The server rotated the victim's refresh token, but the answer died with it: the successor found the
    # unfinished renewal after the lock expired and logged in afresh, once for all.
    assert stats["grants"] == {"password": 2, "refresh_token": 1}
    assert len({answer["token"] for answer in answers}) == 1

    # 2. Killed after the fake rotated the refresh token, before the new pair reached Redis: the stored
    # refresh token is spent, and presenting it again would be reuse (the fake would revoke the session).
    assert fleet.ask("pause-saves 30", [late_victim]) == [{"pause": 30.0}]
    fake.post("expire_access_tokens")
    late_victim.send("burst 1")
    assert late_victim.answer() == {"saving": True}
    kill(late_victim)
    assert fake.stats()["grants"] == {"password": 2, "refresh_token": 2}  # the server did rotate it
    answers = fleet.ask("burst 20", survivors)
    assert [answer["ok"] for answer in answers] == [20, 20]
    stats = fake.stats()
    assert stats["reuse_detected"] == 0
    assert stats["token_refusals"] == {}
    assert stats["grants"] == {"password": 3, "refresh_token": 2}
    assert len({answer["token"] for answer in answers}) == 1


def kill(worker: Worker) -> None:
    os.kill(worker.process.pid, signal.SIGKILL)
    worker.process.wait()
