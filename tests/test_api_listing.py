"""The listing of every resource method with its route: complete, and written down in api.md as it is."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from amino_async import DEFAULT_PREFIXES, AminoClient
from amino_async._resource import endpoints, render_api_md

ROOT = Path(__file__).resolve().parent.parent


def test_every_public_resource_method_declares_the_routes_it_calls() -> None:
    listing = endpoints(AminoClient, DEFAULT_PREFIXES)
    assert listing
    undeclared = [e.call for e in listing if not e.http_method]
    assert undeclared == []
    for endpoint in listing:
        assert endpoint.http_method in {"GET", "POST", "PUT", "PATCH", "DELETE"}
        assert endpoint.path.startswith("/")


def test_api_md_is_current() -> None:
    expected = render_api_md(endpoints(AminoClient, DEFAULT_PREFIXES))
    assert (ROOT / "api.md").read_text() == expected, "run `nox -s api` to regenerate api.md"


def test_the_generator_checks_and_writes(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "api_md.py"), "--check"], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
