"""``import amino_async`` pays only for the core: what a client chooses (httpx2, aiohttp, orjson) comes when it does.

Each check runs in a fresh interpreter. httpx itself imports rich (and click, pygments) at ``import httpx`` when
they are installed (its command line), so what the SDK adds is measured after ``import httpx``.
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys

import pytest

#: Never imported by ``import amino_async`` itself.
DEFERRED = (
    "httpx2",
    "httpcore2",
    "aiohttp",
    "orjson",
    "rich",
    "pydantic",
    "starlette",
    "uvicorn",
    "trio",
    "redis",
    "h2",
)
HAS_HTTPX2 = importlib.util.find_spec("httpx2") is not None


def _loaded_after(code: str) -> list[str]:
    """The DEFERRED modules a fresh interpreter has imported after ``import httpx`` and then ``code``."""
    script = (
        "import sys, json, httpx\n"
        "before = set(sys.modules)\n"
        f"{code}\n"
        f"print(json.dumps(sorted(n for n in {DEFERRED!r} if n in sys.modules and n not in before)))\n"
    )
    env = {name: value for name, value in os.environ.items() if name != "AMINO_HTTP_LIBRARY"}  # the default
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=False, env=env
    )
    assert done.returncode == 0, done.stderr
    loaded: list[str] = json.loads(done.stdout.strip().splitlines()[-1])
    return loaded


def test_importing_the_sdk_imports_no_optional_library() -> None:
    assert _loaded_after("import amino_async") == []


def test_a_client_on_httpx_does_not_import_httpx2() -> None:
    code = (
        "import amino_async\n"
        "options = {'username': 'u', 'password': 'p', 'http_library': 'httpx'}\n"
        "client = amino_async.AminoClient('https://customer.domain', **options)\n"
        "assert client.with_auth(username='v', password='q') is not client\n"
    )
    assert _loaded_after(code) == []


@pytest.mark.skipif(not HAS_HTTPX2, reason="httpx2 is not installed with this Python")
def test_the_default_client_imports_httpx2_when_it_is_built() -> None:
    code = "import amino_async\nclient = amino_async.AminoClient('https://customer.domain', username='u', password='p')"
    assert "httpx2" in _loaded_after(code)


@pytest.mark.skipif(not HAS_HTTPX2, reason="httpx2 is not installed with this Python")
def test_an_amino_auth_is_an_auth_of_both_libraries() -> None:
    import httpx
    import httpx2

    from amino_async import AminoAuth, AminoClient

    # Made by the caller: for either library's client, whichever was imported first.
    auth = AminoAuth("https://customer.domain", username="u", password="p")
    assert isinstance(auth, httpx.Auth)
    assert isinstance(auth, httpx2.Auth)
    assert isinstance(auth, AminoAuth)
    assert type(auth).__name__ == "AminoAuth"

    # A subclass of the caller's too.
    class Custom(AminoAuth):
        pass

    custom = Custom("https://customer.domain", username="u", password="p")
    assert isinstance(custom, Custom)
    assert isinstance(custom, httpx2.Auth)
    assert type(custom).__name__ == "Custom"
    # A client's own: httpx2 is imported here, so its auths are Auths of both as well, views' included.
    for library in ("httpx", "httpx2"):
        client = AminoClient("https://customer.domain", username="u", password="p", http_library=library)
        for each in (client.auth, client.with_auth(username="v", password="q").auth):
            assert isinstance(each, httpx.Auth)
            assert isinstance(each, httpx2.Auth)
