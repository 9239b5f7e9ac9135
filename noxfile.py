"""Developer tasks: ``nox`` alone runs what CI runs (the suite on both HTTP libraries, lint, typecheck, the docs).

The suite runs twice: on httpx2 with the newest Python here and on httpx with Python 3.10 (which httpx2 does not
support), so both libraries and both ends of the supported Python range are covered; the slow chaos run is in the
first only. ``nox -s tests`` runs it on every supported Python the machine has (``nox -s tests-3.12`` on one):
nox finds pyenv's interpreters itself, and skips one the machine lacks (CI, which sets ``CI``, fails instead).
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import nox

nox.options.default_venv_backend = "uv|venv"
nox.options.sessions = ["tests-httpx2", "tests-httpx", "lint", "typecheck", "docs"]

#: Every Python the package supports (``requires-python`` and the classifiers in pyproject.toml name the same).
PYTHONS = ["3.10", "3.11", "3.12", "3.13"]
NEWEST, OLDEST = PYTHONS[-1], PYTHONS[0]


def _pyenv_on_path() -> None:
    """Put pyenv's newest interpreter of each of PYTHONS on PATH, ahead of its shims.

    The shims run only the versions pyenv has activated (``pyenv global``, ``PYENV_VERSION``): without this, nox
    would skip every other Python pyenv has installed.
    """
    versions = Path(os.environ.get("PYENV_ROOT") or Path.home() / ".pyenv", "versions")
    if not versions.is_dir():
        return
    found = []
    for minor in PYTHONS:
        patches = [p for p in versions.iterdir() if re.fullmatch(rf"{re.escape(minor)}\.\d+", p.name)]
        if patches:
            newest = max(patches, key=lambda p: int(p.name.rsplit(".", 1)[1]))
            if (newest / "bin" / f"python{minor}").exists():
                found.append(str(newest / "bin"))
    os.environ["PATH"] = os.pathsep.join([*found, os.environ.get("PATH", "")])


_pyenv_on_path()

TEST_DEPS = [
    "pytest>=8",
    "trio>=0.25",
    "hypothesis>=6.100",
    "fastapi>=0.110",
    "h2>=4",
    "opentelemetry-sdk>=1.20",
    "openapi-core>=0.19",
    "pyyaml>=6",
    "trustme>=1.1",
]
LINT_DEPS = ["ruff>=0.6"]
# pytest and pydantic: the pytest plugin, and the models' pydantic schemas, are type-checked against them.
TYPE_DEPS = ["mypy>=1.11", "trio>=0.25", "pytest>=8", "pydantic>=2.5"]
# The docs site: mkdocs-material, and mkdocstrings reading the docstrings with griffe (statically: the package
# itself need not be installed). mkdocs 2 is another program: stay on 1.x.
DOCS_DEPS = [
    "mkdocs>=1.6,<2",
    "mkdocs-material>=9.5",
    "mkdocstrings[python]>=0.29",
    "mkdocstrings-python>=1.16",
    "ruff>=0.6",  # formats the separated signatures
]


def _suite(session: nox.Session, library: str, *marks: str) -> None:
    session.install(".[cli,redis]", *TEST_DEPS)
    session.run("pytest", *marks, *session.posargs, env={"AMINO_HTTP_LIBRARY": library})


@nox.session(name="tests-httpx2", python=NEWEST)
def tests_httpx2(session: nox.Session) -> None:
    """The whole suite on httpx2, every async test under asyncio and trio."""
    _suite(session, "httpx2")


@nox.session(name="tests-httpx", python=OLDEST)
def tests_httpx(session: nox.Session) -> None:
    """The suite on httpx with the oldest Python supported (the chaos run is in tests-httpx2's)."""
    _suite(session, "httpx", "-m", "not soak and not chaos")


@nox.session(python=PYTHONS)
def tests(session: nox.Session) -> None:
    """The suite on this Python, with the default library: httpx2 where it installs (3.11 on), else httpx."""
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


@nox.session
def docs(session: nox.Session) -> None:
    """Build the docs site (mkdocs.yml, docs/) with --strict: a broken link, anchor or reference fails it."""
    session.install(*DOCS_DEPS)
    site = os.path.join(session.create_tmp(), "site")
    # NO_MKDOCS_2_WARNING: mkdocs-material's banner about mkdocs 2, which the pin above already answers.
    session.run("mkdocs", "build", "--strict", "--site-dir", site, env={"NO_MKDOCS_2_WARNING": "1"})
