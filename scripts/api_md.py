"""Write ``api.md`` from the code: every resource method with the route it calls (``nox -s api``)."""

from __future__ import annotations

import sys
from pathlib import Path

from amino_async import DEFAULT_PREFIXES, AminoClient
from amino_async._resource import endpoints, render_api_md

API_MD = Path(__file__).resolve().parent.parent / "api.md"


def main() -> int:
    """Write api.md (or, with --check, fail when it is not current)."""
    text = render_api_md(endpoints(AminoClient, DEFAULT_PREFIXES))
    if "--check" in sys.argv:
        if not API_MD.exists() or API_MD.read_text() != text:
            print("api.md is not current: run `nox -s api`", file=sys.stderr)
            return 1
        return 0
    API_MD.write_text(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
