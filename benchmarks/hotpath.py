"""Where a throughput worker's time goes, per request: ``python benchmarks/hotpath.py [worker options]``.

Starts the Node.js server (core 0), runs one ``throughput.py`` worker (core 1) under ``py-spy record`` at a single
concurrency, and prints the client's CPU per request split into the parts of the stack it was sampled in, in
microseconds (the split from the samples, the total from an unprofiled run of the same worker, since sampling
slows the process down). Not part of ``nox -s bench``; the notes of RESULTS.md quote it. Needs ``py-spy``.

    python benchmarks/hotpath.py                                  # the SDK with speedups, httpx2
    python benchmarks/hotpath.py --client sdk --no-extras         # httpx2 alone
    python benchmarks/hotpath.py --client aiohttp                 # raw aiohttp, for comparison
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from _common import NodeServer, pinned

HERE = Path(__file__).parent

_FRAME = re.compile(r"(?P<function>.*) \((?P<file>.*?):\d+\)")


def _part(frames: list[tuple[str, str]]) -> str:
    """The part of the stack a sample belongs to (frames outermost first, as (function, file))."""
    functions = [f for f, _ in frames]
    # py-spy names a file by its path inside site-packages (``aiohttp/client.py``): its first part is the package.
    packages = [p.split("/", 1)[0] for _, p in frames]

    def inside(name: str) -> int | None:
        for index, function in enumerate(functions):
            if function == name:
                return index
        return None

    leaf_function, leaf_file = frames[-1]
    if leaf_function == "_SelectorSocketTransport.write":
        return "socket write (the send syscall)"
    if inside("Api.decode") is not None:
        return "SDK: decoding into models (JSON parse, JSON:API, cattrs)"
    if inside("Request.__init__") is not None:
        return "httpx: building the Request (URL parsing, headers)"
    if "aiohttp" in packages:
        return "aiohttp: the request and the answer (but the syscall)"
    if "httpcore" in packages or "httpcore2" in packages:
        return "httpcore: the pool, the request and the answer (but the syscall)"
    if inside("read_body") is not None:
        return "SDK: reading the body (read_body, bounded decompression)"
    if inside("AminoAuth.async_auth_flow") is not None:
        return "SDK: auth flow (bearer)"
    if leaf_file == "amino_async/_transport.py" or (
        inside("AiohttpTransport.handle_async_request") is not None and packages[-1] in ("httpx", "httpx2")
    ):
        return "SDK: transport adapter (aiohttp <-> httpx)"
    if inside("AsyncClient.send") is not None:
        return "httpx: AsyncClient.send (auth, redirect and hook machinery, Response)"
    if any(f == "move_on_after" or f.startswith("CancelScope.") for f in functions) and (
        inside("Sender._attempt") is not None
    ):
        return "SDK: per-attempt timeout scope (anyio)"
    if inside("Channels.streams") is not None or inside("Api.call") is not None:
        return "SDK: the rest of the send path (URL builder, options, retries, headers)"
    if inside("_raw_aiohttp.<locals>.call") is not None or inside("_raw_httpx.<locals>.call") is not None:
        if leaf_function in ("loads", "JSONDecoder.decode", "JSONDecoder.raw_decode"):
            return "raw: json.loads"
        return "raw: the call itself"
    return "event loop, tasks, the benchmark's driver"


def breakdown(path: str) -> tuple[int, collections.Counter[str]]:
    parts: collections.Counter[str] = collections.Counter()
    total = 0
    with open(path) as samples:
        for line in samples:
            stack, _, count = line.rstrip().rpartition(" ")
            frames = []
            for frame in stack.split(";"):
                match = _FRAME.match(frame)
                frames.append((match["function"], match["file"]) if match else (frame, ""))
            if any(f == "_find_and_load" for f, _ in frames):
                continue  # imports at start-up
            total += int(count)
            parts[_part(frames)] += int(count)
    return total, parts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--requests", type=int, default=20000)
    parser.add_argument("--rate", type=int, default=500, help="py-spy samples per second")
    options, worker_args = parser.parse_known_args()
    worker_args = worker_args or ["--client", "sdk"]
    beside = Path(sys.executable).parent / "py-spy"  # installed in the running venv, which may not be on PATH
    py_spy = str(beside) if beside.exists() else shutil.which("py-spy")
    if py_spy is None:
        raise SystemExit("py-spy is not installed: pip install py-spy")
    server = NodeServer()
    try:
        common = ["--url", server.url, "--server-pid", str(server.pid), "--concurrency", str(options.concurrency)]
        worker = [sys.executable, str(HERE / "throughput.py"), *common, *worker_args]
        plain = subprocess.run(
            pinned(NodeServer.CLIENT_CORE, [*worker, "--requests", str(options.requests)]),
            capture_output=True,
            text=True,
            check=True,
        )
        result = json.loads(plain.stdout.strip().splitlines()[-1])["results"][0]
        per_request = result["client_cpu"] / result["rps"] * 1e6
        with tempfile.TemporaryDirectory() as scratch:
            raw = os.path.join(scratch, "samples.txt")
            record = [py_spy, "record", "-r", str(options.rate), "--format", "raw", "-o", raw, "--"]
            subprocess.run(
                pinned(NodeServer.CLIENT_CORE, [*record, *worker, "--requests", str(options.requests)]),
                capture_output=True,
                check=True,
            )
            total, parts = breakdown(raw)
    finally:
        server.close()
    print(
        f"{' '.join(worker_args)} at c={options.concurrency}: {result['rps']:,.0f} req/s, "
        f"{per_request:.0f} us of client CPU per request (load {os.getloadavg()[0]:.2f})"
    )
    for part, count in parts.most_common():
        print(f"  {count / total * per_request:6.1f} us  {100 * count / total:5.1f}%  {part}")


if __name__ == "__main__":
    main()
