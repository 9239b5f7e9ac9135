"""Real processes for the tests of shared token stores: one FakeAmino server process, and workers driven over stdin.

The fake runs in its own process (``python -m amino_async.testing``) and is read and driven through its
``/_fake/`` admin endpoints; every worker is ``worker.py`` (beside this file) in a process of its own, on the store
its options name.
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
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

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

    def answer(self, timeout: float = ANSWER_TIMEOUT) -> dict[str, Any]:
        try:
            line = self._lines.get(timeout=timeout)
        except queue.Empty:
            raise AssertionError(f"worker {self.process.pid} gave no answer in {timeout:g} s") from None
        message: dict[str, Any] = json.loads(line)
        return message

    def quiet_for(self, seconds: float) -> bool:
        """Whether the worker says nothing for ``seconds`` (it is still waiting for something)."""
        try:
            line = self._lines.get(timeout=seconds)
        except queue.Empty:
            return True
        self._lines.put(line)  # not consumed: the test still reads it as the answer
        return False

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
    """``size`` worker processes of ``url``, started at once, on the store ``store`` names; backends alternate."""

    def __init__(self, size: int, *, url: str, store: list[str]) -> None:
        command = [sys.executable, str(WORKER), "--url", url, *store]
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


def kill(worker: Worker) -> None:
    os.kill(worker.process.pid, signal.SIGKILL)
    worker.process.wait()


def kill_holders_mid_refresh(fake: Fake, fleet: Fleet) -> tuple[list[Worker], list[dict[str, Any]]]:
    """Kill one holder while its refresh is answered, another after the rotation and before its save; the rest
    must go on without reuse. Returns the survivors and their last answers (each store checks what it stored).

    1. Killed while the fake is still answering its refresh (slowly): the answer is never read, and the successor
       finds the unfinished renewal and logs in afresh, once for all.
    2. Killed after the fake rotated the refresh token, before the new pair reached the store: the stored refresh
       token is spent, and presenting it again would be reuse (the fake would revoke the session).
    """
    fleet.ask("tokens")
    slow_victim, late_victim, *survivors = fleet.workers

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
    assert stats["grants"] == {"password": 2, "refresh_token": 1}
    assert len({answer["token"] for answer in answers}) == 1

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
    return survivors, answers
