"""Developer tasks: ``nox`` alone runs what CI runs (the suite on both HTTP libraries, lint, typecheck).

The suite runs twice: on httpx2 with the newest Python here and on httpx with Python 3.10 (which httpx2 does not
support), so both libraries and both ends of the supported Python range are covered; the slow chaos run is in the
first only.
"""

from __future__ import annotations

import nox

nox.options.default_venv_backend = "uv|venv"
nox.options.sessions = ["tests-httpx2", "tests-httpx", "lint", "typecheck"]

TEST_DEPS = [
    "pytest>=8",
    "trio>=0.25",
    "hypothesis>=6.100",
    "fastapi>=0.110",
    "h2>=4",
    "opentelemetry-sdk>=1.20",
    "openapi-core>=0.19",
    "pyyaml>=6",
]
LINT_DEPS = ["ruff>=0.6"]
TYPE_DEPS = ["mypy>=1.11", "trio>=0.25"]


def _suite(session: nox.Session, library: str, *marks: str) -> None:
    session.install(".[cli,redis]", *TEST_DEPS)
    session.run("pytest", *marks, *session.posargs, env={"AMINO_HTTP_LIBRARY": library})


@nox.session(name="tests-httpx2", python="3.13")
def tests_httpx2(session: nox.Session) -> None:
    """The whole suite on httpx2, every async test under asyncio and trio."""
    _suite(session, "httpx2")


@nox.session(name="tests-httpx", python="3.10")
def tests_httpx(session: nox.Session) -> None:
    """The suite on httpx with the oldest Python supported (the chaos run is in tests-httpx2's)."""
    _suite(session, "httpx", "-m", "not soak and not chaos")


@nox.session
def tests(session: nox.Session) -> None:
    """The suite with this Python and the default library (httpx2 where it installs): the quick one to iterate."""
    session.install(".[cli,redis]", *TEST_DEPS)
    session.run("pytest", *session.posargs)


BENCH_DEPS = [
    "aiohttp>=3.9",
    "httpx==0.28.1",
    "httpx2>=2.16",
    "authlib>=1.3",
    "httpx-auth>=0.22",
    "pydantic>=2.5",
    "uvicorn[standard]>=0.29",
    "trio>=0.25",
]


@nox.session
def bench(session: nox.Session) -> None:
    """Run the benchmarks side by side with raw httpx, httpx2, aiohttp, authlib and httpx-auth (throughput against
    the Node.js server in benchmarks/, so node must be on PATH); writes benchmarks/RESULTS.md."""
    session.install(".[speedups,testing]", *BENCH_DEPS)
    session.run("python", "benchmarks/run.py", *session.posargs)


@nox.session
def api(session: nox.Session) -> None:
    """Regenerate api.md from the code (every resource method and its route)."""
    session.install(".")
    session.run("python", "scripts/api_md.py")


@nox.session
def lint(session: nox.Session) -> None:
    """ruff check and ruff format --check over the whole tree."""
    session.install(*LINT_DEPS)
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")


@nox.session
def typecheck(session: nox.Session) -> None:
    """mypy --strict on the package."""
    session.install(".[cli,redis]", *TYPE_DEPS)
    session.run("mypy", "--strict", "amino_async")
