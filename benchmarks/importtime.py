"""Import-time worker: fresh interpreters, interleaved, medians.

``python``, ``httpx`` and ``amino_async`` are the wall time of ``python -c "import X"``; ``added`` is what
``import amino_async`` takes in a process that has already imported httpx (what the SDK adds over httpx), and
``added_by_deps`` the same for its other core dependencies alone (attrs, cattrs, anyio).
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from _common import emit

TARGETS = {"python": "pass", "httpx": "import httpx", "amino_async": "import amino_async"}
ADDED = "import time, httpx\nstart = time.perf_counter()\nimport {}\nprint((time.perf_counter() - start) * 1000)"
#: After httpx: the SDK, and its other core dependencies alone (what part of the SDK's cost is theirs).
AFTER_HTTPX = {"added": "amino_async", "added_by_deps": "attrs, cattrs, cattrs.gen, anyio"}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=9)
    args = parser.parse_args()
    times: dict[str, list[float]] = {name: [] for name in [*TARGETS, *AFTER_HTTPX]}
    for _ in range(args.repeat):
        for name, code in TARGETS.items():
            start = time.perf_counter()
            subprocess.run([sys.executable, "-c", code], check=True)
            times[name].append((time.perf_counter() - start) * 1000)
        for name, modules in AFTER_HTTPX.items():
            code = ADDED.format(modules)
            added = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True)
            times[name].append(float(added.stdout))
    emit({name: statistics.median(values) for name, values in times.items()})


if __name__ == "__main__":
    main()
