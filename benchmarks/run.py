"""The benchmark runner: ``nox -s bench`` (or ``python benchmarks/run.py``) writes ``benchmarks/RESULTS.md``.

Throughput is measured against a minimal Node.js server (``server.js``) pinned to one core, each client in a fresh
worker process pinned to the other; refresh and bulk against the SDK's fake server (``python -m
amino_async.testing``), which has the knobs they need. Each measurement runs in a fresh worker process (so imports,
blocked extras and event loops are its own); configurations are interleaved, repeated, and reported as medians.
Everything in RESULTS.md above the notes marker is generated; the notes below it are kept from run to run.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from collections import defaultdict
from collections.abc import Iterable, Sequence
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))
from _common import NodeServer, Server, cpu_seconds, pinned

HERE = Path(__file__).parent
RESULTS = HERE / "RESULTS.md"
NOTES_MARKER = "<!-- notes: everything below is kept when run.py rewrites this file -->"
CONCURRENCY = (50, 200)
REQUESTS = 4000

AIOHTTP = "raw aiohttp"
HTTPX = "raw httpx 0.28 (static header)"
HTTPX2 = "raw httpx2 (static header)"
HTTPX2_TRIO = "raw httpx2 (static header), trio"
SDK = "SDK, speedups, httpx2 (default)"
SDK_HTTPX = "SDK, speedups, AMINO_HTTP_LIBRARY=httpx"
SDK_BARE = "SDK, httpx2 only (no aiohttp, no orjson)"
SDK_BARE_TRIO = "SDK, httpx2 only, trio"
HTTPX_TRIO = "raw httpx 0.28 (static header), trio"

#: Throughput configurations: label -> (worker arguments, extra environment). asyncio unless the label says trio.
THROUGHPUT: dict[str, tuple[list[str], dict[str, str]]] = {
    AIOHTTP: (["--client", "aiohttp"], {}),
    HTTPX: (["--client", "httpx"], {}),
    HTTPX2: (["--client", "httpx2"], {}),
    SDK: (["--client", "sdk"], {}),
    SDK_HTTPX: (["--client", "sdk"], {"AMINO_HTTP_LIBRARY": "httpx"}),
    SDK_BARE: (["--client", "sdk", "--no-extras"], {}),
    HTTPX2_TRIO: (["--client", "httpx2", "--backend", "trio"], {}),
    SDK_BARE_TRIO: (["--client", "sdk", "--no-extras", "--backend", "trio"], {}),
    HTTPX_TRIO: (["--client", "httpx", "--backend", "trio"], {}),
}
#: The issue's targets: (label, measured against, at least this ratio of its requests/s).
THROUGHPUT_TARGETS: tuple[tuple[str, str, float], ...] = (
    (SDK, AIOHTTP, 0.6),
    (SDK_HTTPX, AIOHTTP, 0.5),
    (SDK, HTTPX, 8.0),
    (SDK_BARE, HTTPX2, 0.9),
    (SDK_BARE_TRIO, HTTPX2_TRIO, 0.9),
)
REFRESH_LIBS = ("sdk", "authlib", "httpx-auth")
REFRESH_SCENARIOS = ("expired", "valid", "short", "revoked")
VERSIONS = (
    "amino-async",
    "httpx",
    "httpcore",
    "httpx2",
    "httpcore2",
    "aiohttp",
    "anyio",
    "sniffio",
    "trio",
    "attrs",
    "cattrs",
    "orjson",
    "pydantic",
    "authlib",
    "httpx-auth",
    "uvicorn",
    "uvloop",
    "httptools",
    "starlette",
)


def worker(script: str, *args: str, env: dict[str, str] | None = None, core: int | None = None) -> Any:
    """Run one worker (on ``core`` alone, when given) and return its JSON answer (None, after printing why, when it
    failed)."""
    command = [sys.executable, str(HERE / script), *args]
    if core is not None:
        command = pinned(core, command)
    environment = dict(os.environ)
    environment.pop("AMINO_HTTP_LIBRARY", None)  # each configuration says which library it runs on
    environment.update(env or {})
    done = subprocess.run(command, capture_output=True, text=True, timeout=600, env=environment)
    lines = done.stdout.strip().splitlines()
    if done.returncode != 0 or not lines:
        print(f"  FAILED: {' '.join(command[1:])}\n{done.stderr[-2000:]}", file=sys.stderr)
        return None
    return json.loads(lines[-1])


def rotate(items: Sequence[Any], by: int) -> list[Any]:
    """``items`` starting at a different one each repetition, so that no configuration always goes first."""
    by %= len(items)
    return [*items[by:], *items[:by]]


def median(values: Iterable[float]) -> float:
    found = list(values)
    return statistics.median(found) if found else float("nan")


# --- scenarios --------------------------------------------------------------------------------------------


def throughput(server: NodeServer, reps: int, requests: int) -> dict[str, Any]:
    runs: dict[str, list[dict[str, Any]]] = defaultdict(list)
    concurrency = ",".join(str(c) for c in CONCURRENCY)
    for rep in range(reps):
        for label in rotate(list(THROUGHPUT), rep):
            print(f"throughput {rep + 1}/{reps}: {label}", flush=True)
            arguments, env = THROUGHPUT[label]
            args = ["--url", server.url, "--server-pid", str(server.pid), "--requests", str(requests)]
            args += ["--concurrency", concurrency]
            result = worker("throughput.py", *args, *arguments, env=env, core=NodeServer.CLIENT_CORE)
            if result is not None:
                runs[label].append(result)
    table: dict[str, Any] = {}
    for label, results in runs.items():
        table[label] = {"library": results[0].get("library"), "transport": results[0].get("transport")}
        for index, c in enumerate(CONCURRENCY):
            cells = [result["results"][index] for result in results]
            table[label][c] = {key: median(cell[key] for cell in cells) for key in ("rps", "client_cpu", "server_cpu")}
            table[label][c]["runs"] = [round(cell["rps"]) for cell in cells]
    return table


def mixed(server: NodeServer, rounds: int) -> dict[str, Any]:
    print("throughput, one process, clients taking turns", flush=True)
    args = ["--url", server.url, "--server-pid", str(server.pid), "--client", "mixed", "--requests", "2000"]
    args += ["--concurrency", ",".join(str(c) for c in CONCURRENCY), "--rounds", str(rounds)]
    result: dict[str, Any] = worker("throughput.py", *args, core=NodeServer.CLIENT_CORE) or {}
    return result


def refresh(server: Server, reps: int) -> dict[str, Any]:
    runs: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    for rep in range(reps):
        for scenario in REFRESH_SCENARIOS:
            for lib in rotate(REFRESH_LIBS, rep):
                print(f"refresh {rep + 1}/{reps}: {scenario} {lib}", flush=True)
                result = worker("refresh.py", "--url", server.url, "--lib", lib, "--scenario", scenario)
                if result is not None:
                    runs[scenario, lib].append(result)
    table: dict[str, Any] = {}
    for (scenario, lib), results in runs.items():
        table.setdefault(scenario, {})[lib] = {
            "requests": results[0]["requests"],
            "ok": median(r["ok"] for r in results),
            "token_calls": median(r["token_calls"] for r in results),
            "wall": median(r["wall"] for r in results),
            "stall_ms": median(r["stall_ms"] for r in results),
            "runs": [(r["ok"], r["token_calls"]) for r in results],
        }
    return table


def decoding(reps: int) -> dict[str, Any]:
    runs: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for rep in range(reps):
        for mode in rotate(["speedups", "no speedups"], rep):
            print(f"decoding {rep + 1}/{reps}: {mode}", flush=True)
            options = ["--budget", "0.6", *(["--no-speedups"] if mode == "no speedups" else [])]
            result = worker("decoding.py", *options)
            if result is not None:
                runs[mode].append(result)
    table: dict[str, Any] = {}
    for mode, results in runs.items():
        table[mode] = {"sizes": {k: results[0][k] for k in ("page_bytes", "streams_bytes", "streams_count")}}
        for name in results[0]:
            if isinstance(results[0][name], dict):
                table[mode][name] = {k: median(r[name][k] for r in results) for k in ("page_us", "streams_us")}
    return table


def bulk(server: Server, reps: int) -> dict[str, Any]:
    runs: dict[tuple[str, int], list[dict[str, Any]]] = defaultdict(list)
    cases = [(lib, count) for count in (1_000, 10_000) for lib in ("sdk", "aiohttp")]
    for rep in range(reps):
        for lib, count in rotate(cases, rep):
            print(f"bulk {rep + 1}/{reps}: {lib} {count}", flush=True)
            server0, start = cpu_seconds(server.pid), time.perf_counter()
            result = worker("bulk.py", "--url", server.url, "--lib", lib, "--count", str(count))
            if result is not None:
                result["server_cpu"] = (cpu_seconds(server.pid) - server0) / (time.perf_counter() - start)
                runs[lib, count].append(result)
    return {
        f"{lib} {count}": {
            key: median(r[key] for r in results) for key in ("ok", "wall", "rps", "rss_growth_mb", "server_cpu")
        }
        for (lib, count), results in runs.items()
    }


def import_time(repeat: int) -> dict[str, Any]:
    print("import time", flush=True)
    result: dict[str, Any] = worker("importtime.py", "--repeat", str(repeat)) or {}
    return result


# --- the report -------------------------------------------------------------------------------------------


def _version(name: str) -> str:
    try:
        return version(name)
    except PackageNotFoundError:
        return "not installed"


def machine() -> dict[str, Any]:
    model = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "cpu": model,
        "cores": os.cpu_count(),
        "load": " ".join(f"{x:.2f}" for x in os.getloadavg()),
        "system": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
    }


def _fmt(value: float, digits: int = 0) -> str:
    return "n/a" if value != value else f"{value:,.{digits}f}"


def _ratio(a: float, b: float) -> float:
    return a / b if b else float("nan")


def targets(data: dict[str, Any]) -> list[tuple[str, str, bool | None]]:
    """(target, measured, met) rows."""
    rows: list[tuple[str, str, bool | None]] = []
    tp = data.get("throughput", {})

    def ratio(label: str, other: str, c: int) -> tuple[float, float]:
        """Requests/s, and requests per client CPU-second, of ``label`` over ``other``."""
        a, b = tp.get(label, {}).get(c, {}), tp.get(other, {}).get(c, {})
        if not a or not b:
            return float("nan"), float("nan")
        return _ratio(a["rps"], b["rps"]), _ratio(a["rps"] / a["client_cpu"], b["rps"] / b["client_cpu"])

    for label, other, floor in THROUGHPUT_TARGETS if tp else ():
        for c in CONCURRENCY:
            by_rate, by_cpu = ratio(label, other, c)
            rows.append(
                (
                    f"c={c}: {label} >= {floor:g} x {other}",
                    f"{by_rate:.2f} x (per client CPU-second: {by_cpu:.2f} x)",
                    by_rate >= floor if by_rate == by_rate else None,
                )
            )
    mx = data.get("mixed", {})
    for c, row in mx.items():
        for label, other, floor in (("SDK, speedups, httpx2", AIOHTTP, 0.6), ("SDK, speedups, httpx", AIOHTTP, 0.5)):
            a, b = row.get(label), row.get(other)
            if a and b:
                by_rate, by_cpu = _ratio(a["rps"], b["rps"]), _ratio(a["per_cpu"], b["per_cpu"])
                rows.append(
                    (
                        f"c={c}: {label} >= {floor:g} x {other} (one process, taking turns)",
                        f"{by_rate:.2f} x (per client CPU-second: {by_cpu:.2f} x)",
                        by_rate >= floor,
                    )
                )
    rf = data.get("refresh", {})
    expired = rf.get("expired", {}).get("sdk")
    valid = rf.get("valid", {}).get("sdk")
    if expired:
        rows.append(
            (
                "expired token, 1,000 concurrent: 1 token call, all succeed",
                f"{expired['token_calls']:.0f} call(s), {expired['ok']:.0f}/{expired['requests']}",
                expired["token_calls"] == 1 and expired["ok"] == expired["requests"],
            )
        )
        if valid:
            added = expired["stall_ms"] - valid["stall_ms"]
            rows.append(
                (
                    "no event-loop stall over 10 ms (stall beyond the same burst on a valid token)",
                    f"{expired['stall_ms']:.0f} ms vs {valid['stall_ms']:.0f} ms: {added:+.0f} ms",
                    added <= 10,
                )
            )
    short = rf.get("short", {}).get("sdk")
    if short:
        rows.append(
            ("short-lived tokens: <= 2 token calls / 100", f"{short['token_calls']:.0f}", short["token_calls"] <= 2)
        )
    revoked = rf.get("revoked", {}).get("sdk")
    if revoked:
        rows.append(
            (
                "revoked token: 100/100 succeed after one refresh",
                f"{revoked['ok']:.0f}/100, {revoked['token_calls']:.0f} call(s)",
                revoked["ok"] == 100 and revoked["token_calls"] == 1,
            )
        )
    dec = data.get("decoding", {}).get("speedups", {})
    if "sdk" in dec and "pydantic" in dec:
        for doc in ("page", "streams"):
            ours, theirs = dec["sdk"][f"{doc}_us"], dec["pydantic"][f"{doc}_us"]
            rows.append((f"decoding ({doc}) <= pydantic v2", f"{ours:,.0f} us vs {theirs:,.0f} us", ours <= theirs))
    bk = data.get("bulk", {})
    if "sdk 1000" in bk and "sdk 10000" in bk:
        small, large = bk["sdk 1000"]["rss_growth_mb"], bk["sdk 10000"]["rss_growth_mb"]
        rows.append(
            (
                "bulk memory, 10,000 ids within 10% of 1,000 ids",
                f"{large:.1f} MB vs {small:.1f} MB",
                large <= small * 1.1 or large - small <= 1.0,
            )
        )
    imp = data.get("import", {})
    if "added" in imp:
        rows.append(("import adds <= 50 ms over httpx", f"{imp['added']:.0f} ms", imp["added"] <= 50))
    return rows


def render(data: dict[str, Any], command: str, notes: str) -> str:
    out: list[str] = []
    add = out.append
    m = data["machine"]
    add("# Benchmark results\n")
    add(
        f"Generated by `nox -s bench` (`{command}`) on {data['date']} in {data['elapsed'] / 60:.1f} minutes. "
        "Every number is a median over interleaved repetitions, all configurations measured side by side in the "
        "same run; absolute numbers depend on the machine and its load, the ratios are what to compare.\n"
    )
    add(
        f"- Machine: {m['cpu']}, {m['cores']} cores, {m['system']}, Python {m['python']}; "
        f"load average at start: {m['load']}"
        + (f", after the throughput runs: {data['load_after_throughput']}" if "load_after_throughput" in data else "")
    )
    add(f"- Repetitions: {data['reps']}")
    add("- Versions: " + ", ".join(f"{name} {v}" for name, v in data["versions"].items()))
    add(
        f"- Throughput server: `benchmarks/server.js`, node {data.get('node', '?')} with its built-in `http` "
        "(keep-alive, one process) pinned to core 0 with `taskset`, each client process pinned to core 1. It "
        "answers the streams route with a JSON:API document of about 1.6 KB (two streams) and the token route with "
        "a one-hour token; its CPU share is given next to the client's and stays well under a core, so the client "
        "is what is measured.\n"
        "- Refresh and bulk server: `python -m amino_async.testing --port 0 --channels 10000`, one uvicorn worker "
        "(uvloop and httptools when installed); it has the knobs those scenarios need (token lifetimes, a slow "
        "token endpoint, revocation).\n"
    )

    add("## Targets\n")
    add("| target | measured | met |")
    add("| --- | --- | --- |")
    for target, measured, met in targets(data):
        add(f"| {target} | {measured} | {'yes' if met else 'no' if met is not None else 'n/a'} |")
    add("")

    tp = data.get("throughput", {})
    if tp:
        add("## 1. Throughput\n")
        add(
            "`client.channels.streams(id)` (decoded into models; logged in once beforehand, so only data calls are "
            "measured) vs a raw GET + `json.loads` with a static bearer header, "
            f"{data.get('requests', REQUESTS):,} requests per measurement at each concurrency (after a warm-up of a "
            "tenth as many), one fresh worker process per row and repetition; medians. asyncio unless the row "
            "says trio. CPU: client / server, in cores (1.00 = one core busy). On a machine shared with other work a "
            "client may not get a whole core, so requests per client CPU-second are given too: the steadier "
            "measure of each library's own cost.\n"
        )
        add(
            "| configuration | library / transport | "
            + " | ".join(f"c={c} req/s" for c in CONCURRENCY)
            + " | "
            + " | ".join(f"c={c} req per client CPU-s" for c in CONCURRENCY)
            + " | "
            + " | ".join(f"c={c} CPU client/server" for c in CONCURRENCY)
            + " |"
        )
        add("| --- | --- |" + " ---: |" * (3 * len(CONCURRENCY)))
        for label, row in tp.items():
            lib = row.get("library") or ""
            if row.get("transport"):
                lib += f" / {row['transport']}"
            rates = " | ".join(_fmt(row[c]["rps"]) for c in CONCURRENCY)
            per_cpu = " | ".join(_fmt(row[c]["rps"] / row[c]["client_cpu"]) for c in CONCURRENCY)
            cpu = " | ".join(f"{row[c]['client_cpu']:.2f} / {row[c]['server_cpu']:.2f}" for c in CONCURRENCY)
            add(f"| {label} | {lib} | {rates} | {per_cpu} | {cpu} |")
        add("")
        context = []
        for a, b in ((HTTPX2, HTTPX), (HTTPX2_TRIO, HTTPX_TRIO), (SDK, SDK_HTTPX)):
            if a in tp and b in tp:
                cells = ", ".join(f"{_ratio(tp[a][c]['rps'], tp[b][c]['rps']):.2f} x at c={c}" for c in CONCURRENCY)
                context.append(f"{a} / {b}: {cells}")
        if context:
            add("For context: " + "; ".join(context) + ".\n")
        add("Every repetition (req/s at " + ", ".join(f"c={c}" for c in CONCURRENCY) + "):\n")
        for label, row in tp.items():
            per_rep = list(zip(*(row[c]["runs"] for c in CONCURRENCY), strict=False))
            add(f"- {label}: " + "; ".join("/".join(str(x) for x in rep) for rep in per_rep))
        add("")

    mx = data.get("mixed", {})
    if mx:
        add(
            "The asyncio clients again, all in one process, taking turns of 2,000 requests (medians of "
            f"{data['reps'] + 1} turns each): the steadiest comparison on a busy machine, since every client sees "
            "the same moments of load.\n"
        )
        add("| client | " + " | ".join(f"c={c} req/s | c={c} req per CPU-s" for c in mx) + " |")
        add("| --- |" + " ---: |" * (2 * len(mx)))
        for name in next(iter(mx.values())):
            cells = " | ".join(f"{_fmt(mx[c][name]['rps'])} | {_fmt(mx[c][name]['per_cpu'])}" for c in mx)
            add(f"| {name} | {cells} |")
        add("")

    rf = data.get("refresh", {})
    if rf:
        add("## 2. Refresh\n")
        add(
            "- **expired**: 2 s tokens, each library's early-expiry margin set to 0.5 s (a documented parameter of "
            "each), wait until expired, then 1,000 concurrent requests; the token endpoint answers after 50 ms.\n"
            "- **valid**: the same burst on a valid token, for the stall the burst itself causes (1,000 tasks "
            "started at once, each running until its first wait in one event-loop turn).\n"
            "- **short**: 20 s tokens (shorter than every library's default margin: the SDK 60 s but at most half "
            "the lifetime, authlib 60 s, httpx-auth 30 s), 100 sequential requests, counting the first login.\n"
            "- **revoked**: the server expires every access token the client holds, then 100 concurrent requests.\n"
            "\nauthlib (`AsyncOAuth2Client`) and httpx-auth (`OAuth2ResourceOwnerPasswordCredentials`) are set up "
            "as their documentation shows for the password grant. Both speak standard OAuth 2 (form-encoded "
            "grants, `access_token`/`expires_in` answers) and Amino's endpoint does not, so each gets an httpx "
            "transport, through its documented `transport`/`client` parameter, that translates the token call "
            "alone. httpx-auth fetches tokens with a synchronous `httpx.Client`, blocking the event loop.\n"
        )
        add("| scenario | library | succeeded | token calls | wall (s) | longest stall (ms) |")
        add("| --- | --- | ---: | ---: | ---: | ---: |")
        for scenario in REFRESH_SCENARIOS:
            for lib in REFRESH_LIBS:
                r = rf.get(scenario, {}).get(lib)
                if r:
                    add(
                        f"| {scenario} | {lib} | {r['ok']:.0f}/{r['requests']} | {r['token_calls']:.0f} | "
                        f"{r['wall']:.2f} | {r['stall_ms']:.0f} |"
                    )
        add("")

    dec = data.get("decoding", {})
    if dec:
        add("## 3. Decoding\n")
        sizes = next(iter(dec.values()))["sizes"]
        add(
            f"From bytes to models: a 100-channel page ({sizes['page_bytes']:,} bytes) and a streams answer "
            f"({sizes['streams_bytes']:,} bytes, {sizes['streams_count']} streams). The SDK is `load_json` + "
            "`decode_document` (what every call runs; for the page that includes resolving each channel's genres "
            "and products); pydantic v2 is `model_validate_json` on models of the same fields (in `decoding.py`). "
            "Microseconds per document.\n"
        )
        add("| parser | page (us) | streams (us) |")
        add("| --- | ---: | ---: |")
        for mode, results in dec.items():
            for name, r in results.items():
                if name != "sizes":
                    add(f"| {name} ({mode}) | {_fmt(r['page_us'])} | {_fmt(r['streams_us'], 1)} |")
        add("")

    bk = data.get("bulk", {})
    if bk:
        add("## 4. Bulk\n")
        add(
            "`client.channels.streams_many(ids, concurrency=100)` vs raw aiohttp: `asyncio.gather` of one task per "
            "id under a semaphore of 100. Memory: growth of peak RSS over the RSS just before the run.\n"
        )
        add("| run | ok | wall (s) | req/s | peak RSS growth (MB) | server CPU |")
        add("| --- | ---: | ---: | ---: | ---: | ---: |")
        for name, r in bk.items():
            add(
                f"| {name} ids | {r['ok']:,.0f} | {r['wall']:.2f} | {_fmt(r['rps'])} | {r['rss_growth_mb']:.1f} | "
                f"{r['server_cpu']:.2f} |"
            )
        add("")

    imp = data.get("import", {})
    if imp:
        add("## 5. Import time\n")
        add("Fresh interpreters, median wall time in ms.\n")
        add("| measure | ms |")
        add("| --- | ---: |")
        names = {
            "python": "`python -c pass`",
            "httpx": "`python -c 'import httpx'`",
            "amino_async": "`python -c 'import amino_async'`",
            "added": "`import amino_async` after httpx",
            "added_by_deps": "`import attrs, cattrs, anyio` after httpx",
        }
        for key, label in names.items():
            if key in imp:
                add(f"| {label} | {imp[key]:.0f} |")
        add("")
    add(NOTES_MARKER)
    add(notes)
    return "\n".join(out)


def _int_keys(mapping: dict[str, Any]) -> dict[Any, Any]:
    """JSON object keys back to the concurrency ints they were."""
    return {int(k) if k.isdigit() else k: v for k, v in mapping.items()}


def write(data: dict[str, Any], command: str) -> None:
    """Rewrite RESULTS.md from ``data``, keeping its notes."""
    text = RESULTS.read_text() if RESULTS.exists() else ""
    notes = text.split(NOTES_MARKER, 1)[1].lstrip("\n") if NOTES_MARKER in text else ""
    RESULTS.write_text(render(data, command, notes))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--reps", type=int, default=3, help="repetitions of each scenario")
    parser.add_argument("--requests", type=int, default=REQUESTS, help="requests per throughput measurement")
    parser.add_argument(
        "--only",
        nargs="*",
        default=["throughput", "mixed", "refresh", "decoding", "bulk", "import"],
        help="scenarios to run",
    )
    parser.add_argument("--json", type=Path, default=HERE / "results.json", help="raw results, for the record")
    parser.add_argument("--render", action="store_true", help="only rewrite RESULTS.md from the --json file")
    args = parser.parse_args()
    if args.render:
        data = json.loads(args.json.read_text(), object_hook=_int_keys)
        write(data, data.get("command", "python benchmarks/run.py"))
        return
    started = time.perf_counter()
    data: dict[str, Any] = {
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "machine": machine(),
        "versions": {name: _version(name) for name in VERSIONS},
        "reps": args.reps,
        "requests": args.requests,
    }
    if "import" in args.only:
        data["import"] = import_time(repeat=2 * args.reps + 1)
    if "decoding" in args.only:
        data["decoding"] = decoding(max(1, args.reps - 1))
    if "throughput" in args.only or "mixed" in args.only:
        node = NodeServer()
        data["node"] = node.version
        try:
            if "throughput" in args.only:
                data["throughput"] = throughput(node, args.reps, args.requests)
            if "mixed" in args.only:
                data["mixed"] = mixed(node, rounds=args.reps + 1)
        finally:
            node.close()
        data["load_after_throughput"] = machine()["load"]
    if "refresh" in args.only or "bulk" in args.only:
        server = Server(channels=10_000)
        try:
            if "refresh" in args.only:
                data["refresh"] = refresh(server, max(1, args.reps - 1))
            if "bulk" in args.only:
                data["bulk"] = bulk(server, max(1, args.reps - 1))
        finally:
            server.close()
    data["elapsed"] = time.perf_counter() - started
    args.json.write_text(json.dumps(data, indent=1, default=str))
    notes = (
        RESULTS.read_text().split(NOTES_MARKER, 1)[1]
        if RESULTS.exists() and NOTES_MARKER in RESULTS.read_text()
        else ""
    )
    command = " ".join(["python benchmarks/run.py", *sys.argv[1:]])
    RESULTS.write_text(render(data, command, notes.lstrip("\n")))
    for target, measured, met in targets(data):
        print(f"{'met   ' if met else 'MISSED'} {target}: {measured}")
    print(f"wrote {RESULTS} in {data['elapsed'] / 60:.1f} minutes")


if __name__ == "__main__":
    main()
