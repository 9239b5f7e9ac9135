"""Developer tasks: ``nox -s tests lint typecheck`` is what CI runs."""

from __future__ import annotations

import nox

nox.options.default_venv_backend = "uv|venv"
nox.options.sessions = ["tests", "lint", "typecheck"]

TEST_DEPS = ["pytest>=8", "trio>=0.25", "hypothesis>=6.100", "fastapi>=0.110"]
LINT_DEPS = ["ruff>=0.6"]
TYPE_DEPS = ["mypy>=1.11", "trio>=0.25"]


@nox.session
def tests(session: nox.Session) -> None:
    """Run the test suite; every async test runs under asyncio and trio."""
    session.install(".[cli,redis]", *TEST_DEPS)
    session.run("pytest", *session.posargs)


BENCH_DEPS = [
    "aiohttp>=3.9",
    "authlib>=1.3",
    "httpx-auth>=0.22",
    "pydantic>=2.5",
    "uvicorn[standard]>=0.29",
    "trio>=0.25",
]


@nox.session
def bench(session: nox.Session) -> None:
    """Run the benchmarks side by side with raw httpx, aiohttp, authlib and httpx-auth; writes benchmarks/RESULTS.md."""
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
