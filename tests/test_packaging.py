"""The install stays small: the core needs httpx, anyio, attrs and cattrs only; everything else is an extra."""

from __future__ import annotations

import re
import subprocess
import sys
from importlib.metadata import metadata, requires
from pathlib import Path

from packaging.requirements import Requirement

CORE = {"httpx", "anyio", "attrs", "cattrs"}
#: Extras, and what they bring: the core must import and work with every one of them absent.
OPTIONAL_MODULES = ("starlette", "uvicorn", "rich", "orjson", "aiohttp", "httpx_aiohttp", "redis", "h2", "trio")


def _run(code: str) -> subprocess.CompletedProcess[str]:
    """Run ``code`` in a fresh interpreter where the optional modules cannot be imported."""
    blocker = (
        "import sys\n"
        f"for name in {OPTIONAL_MODULES!r}:\n"
        "    sys.modules[name] = None  # makes 'import name' raise ImportError\n"
    )
    return subprocess.run([sys.executable, "-c", blocker + code], capture_output=True, text=True, timeout=60)


def test_core_requirements_are_the_four_libraries() -> None:
    requirements = [Requirement(line) for line in requires("amino-async") or []]
    core = {r.name.lower() for r in requirements if r.marker is None}
    # sniffio is the one addition the performance work may make, where it measurably helps httpcore.
    assert CORE <= core <= CORE | {"sniffio"}


def test_the_sdk_imports_and_builds_a_client_without_any_extra() -> None:
    result = _run(
        "import amino_async\n"
        "client = amino_async.AminoClient('https://customer.domain', username='u', password='p')\n"
        f"loaded = sorted(n for n in {OPTIONAL_MODULES!r} if sys.modules.get(n) is not None)\n"
        "print(loaded)\n"
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


def test_the_testing_module_without_its_extra_names_the_extra() -> None:
    result = _run("import amino_async.testing\n")
    assert result.returncode != 0
    last_line = result.stderr.strip().splitlines()[-1]
    assert last_line.startswith("ImportError")
    assert "amino-async[testing]" in last_line


def test_the_metadata_names_the_project_urls_and_the_license() -> None:
    meta = metadata("amino-async")
    urls = dict(entry.split(", ", 1) for entry in meta.get_all("Project-URL") or [])
    assert {"Documentation", "Source", "Issues", "Changelog"} <= set(urls)
    assert meta["License-Expression"] == "MIT"
    assert meta["Requires-Python"] == ">=3.10"


def test_the_sdist_carries_what_the_readme_and_the_tests_read() -> None:
    # The README links SECURITY.md, LICENSE and api.md; the tests read docs/, mkdocs.yml and the examples.
    text = (Path(__file__).resolve().parent.parent / "pyproject.toml").read_text(encoding="utf-8")
    section = text.split("[tool.hatch.build.targets.sdist]", 1)[1].split("\n[", 1)[0]
    included = set(re.findall(r'"([^"]+)"', section))
    assert {"SECURITY.md", "LICENSE", "api.md", "docs", "mkdocs.yml", "examples", "tests", "CHANGELOG.md"} <= included
