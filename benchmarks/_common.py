"""What the benchmark scenarios share: the server processes, CPU accounting, admin calls, the no-speedups switch."""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import json
import os
import shutil
import subprocess
import sys
import time
import urllib.request
from typing import Any

USERNAME = "user@example.com"
PASSWORD = "secret"
#: What ``block_speedups`` makes look uninstalled: the ``speedups`` extra but httpx2 (so httpx2 alone remains).
SPEEDUPS = ("aiohttp", "orjson")
_TICKS = os.sysconf("SC_CLK_TCK")
_HERE = os.path.dirname(os.path.abspath(__file__))


def pinned(core: int, command: list[str]) -> list[str]:
    """``command`` pinned to one CPU core with ``taskset``, when there are two cores to split and taskset exists."""
    if (os.cpu_count() or 1) < 2 or shutil.which("taskset") is None:
        return command
    return ["taskset", "-c", str(core), *command]


def block_speedups() -> None:
    """Make the ``speedups`` extra look uninstalled; call before importing amino_async."""
    for name in SPEEDUPS:
        sys.modules[name] = None  # type: ignore[assignment]  # "import name" raises, find_spec says absent


class _Missing(importlib.abc.MetaPathFinder):
    """Makes a package missing, at the price a missing package costs: a search of every path entry, each time."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.path = [entry for entry in sys.path if importlib.machinery.PathFinder.find_spec(name, [entry]) is None]

    def find_spec(self, name: str, path: Any, target: Any = None) -> None:
        if name.split(".", 1)[0] == self.name:
            importlib.machinery.PathFinder.find_spec(name, self.path)
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)


def block_sniffio() -> None:
    """Make sniffio look uninstalled (anyio no longer requires it); call before importing httpx."""
    sys.modules.pop("sniffio", None)
    sys.meta_path.insert(0, _Missing("sniffio"))


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of a process so far (from /proc/<pid>/stat)."""
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / _TICKS


class Server:
    """One FakeAmino process on loopback (``python -m amino_async.testing``), uvicorn with uvloop+httptools."""

    def __init__(self, channels: int = 10_000) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "amino_async.testing", "--port", "0", "--channels", str(channels)],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        assert self.process.stdout is not None
        self.url = self.process.stdout.readline().strip()
        if not self.url.startswith("http"):
            raise RuntimeError("the fake server did not start")
        self.pid = self.process.pid
        for _ in range(200):  # the socket listens before the URL is printed; wait until uvicorn serves
            try:
                admin(self.url, "config")
                break
            except OSError:
                time.sleep(0.05)

    def close(self) -> None:
        self.process.terminate()
        self.process.wait(10)


class NodeServer:
    """The throughput server (``server.js``: node's built-in ``http``), pinned to core 0; the clients get core 1.

    Node parses and answers a request in a fraction of what any Python client spends on it, and a core of its own
    keeps the two from competing: what is measured is the client.
    """

    CORE = 0
    CLIENT_CORE = 1

    def __init__(self) -> None:
        node = shutil.which("node")
        if node is None:
            raise RuntimeError("the throughput benchmark needs node (Node.js) on PATH")
        self.version = subprocess.run([node, "--version"], capture_output=True, text=True).stdout.strip()
        self.process = subprocess.Popen(
            pinned(self.CORE, [node, os.path.join(_HERE, "server.js"), "0"]),
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        assert self.process.stdout is not None
        self.url = self.process.stdout.readline().strip()
        if not self.url.startswith("http"):
            raise RuntimeError("the node server did not start")
        self.pid = self.process.pid

    def close(self) -> None:
        self.process.terminate()
        self.process.wait(10)


def admin(url: str, action: str, payload: Any = None) -> Any:
    """Call one of the fake's ``/_fake/`` endpoints (POST when ``payload`` is given or the action is a verb)."""
    data = json.dumps(payload).encode() if payload is not None else None
    method = "GET" if action in ("stats", "config") and payload is None else "POST"
    request = urllib.request.Request(f"{url}/_fake/{action}", data=data, method=method)
    request.add_header("Content-Type", "application/json")
    with urllib.request.urlopen(request, timeout=30) as answer:
        body = answer.read()
    return json.loads(body) if body else None


def token_answer(url: str) -> dict[str, Any]:
    """The attributes of a password login at the fake's token endpoint."""
    body = {"grant_type": "password", "credentials": {"username": USERNAME, "password": PASSWORD}}
    request = urllib.request.Request(f"{url}/api/auth/v1/access_tokens", data=json.dumps(body).encode(), method="POST")
    request.add_header("Content-Type", "application/json")
    with urllib.request.urlopen(request, timeout=30) as answer:
        document = json.loads(answer.read())
    data = document["data"]
    return dict((data[0] if isinstance(data, list) else data)["attributes"])


def channel_ids(url: str, token: str, count: int) -> list[str]:
    """The first ``count`` channel ids of the catalogue (pages of 100)."""
    ids: list[str] = []
    page = 1
    while len(ids) < count:
        request = urllib.request.Request(f"{url}/api/metadata/v1/channels?page_number={page}")
        request.add_header("Authorization", f"Bearer {token}")
        with urllib.request.urlopen(request, timeout=30) as answer:
            data = json.loads(answer.read())["data"]
        if not data:
            break
        ids.extend(str(item["id"]) for item in data)
        page += 1
    return ids[:count]


def emit(result: Any) -> None:
    """A worker's answer to the runner: one JSON line on stdout."""
    print(json.dumps(result), flush=True)
