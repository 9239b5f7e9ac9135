"""``import amino_async`` pays only for the core: what a client chooses (httpx2, aiohttp, orjson) comes when it does.

Each check runs in a fresh interpreter. httpx itself imports rich (and click, pygments) at ``import httpx`` when
they are installed (its command line), so what the SDK adds is measured after ``import httpx``.
"""

from __future__ import annotations

import ast
import importlib
import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

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


@pytest.mark.httpx2
def test_the_default_client_imports_httpx2_when_it_is_built() -> None:
    code = "import amino_async\nclient = amino_async.AminoClient('https://customer.domain', username='u', password='p')"
    assert "httpx2" in _loaded_after(code)


@pytest.mark.httpx2
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


#: The API areas a client imports only when it first uses them.
LAZY_AREAS = (
    "amino_async.models.admin",
    "amino_async.models.legacy",
    "amino_async.models.recordings",
    "amino_async.models.users",
    "amino_async.resources.admin",
    "amino_async.resources.legacy",
    "amino_async.resources.recordings",
)
LAZY_PACKAGES = ("amino_async", "amino_async.models", "amino_async.resources")


def _sdk_modules_after(code: str) -> list[str]:
    """The ``amino_async`` modules a fresh interpreter has imported after ``code``."""
    script = (
        f"import sys, json\n{code}\nprint(json.dumps(sorted(n for n in sys.modules if n.startswith('amino_async'))))"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    loaded: list[str] = json.loads(done.stdout.strip().splitlines()[-1])
    return loaded


def test_importing_the_sdk_imports_no_api_area() -> None:
    loaded = _sdk_modules_after("import amino_async")
    assert [name for name in loaded if name.startswith(("amino_async.models", "amino_async.resources"))] == []
    assert "amino_async._client" not in loaded


def test_a_client_imports_only_the_areas_it_uses() -> None:
    code = (
        "from amino_async import AminoClient\n"
        "client = AminoClient('https://customer.domain', username='u', password='p', http_library='httpx')\n"
        "client.channels, client.with_auth(username='v', password='q').channels\n"
    )
    loaded = _sdk_modules_after(code)
    assert "amino_async.resources.channels" in loaded
    assert [name for name in LAZY_AREAS if name in loaded] == []


def test_each_lazy_name_resolves_and_is_listed() -> None:
    code = (
        "import importlib\n"
        f"for package in {LAZY_PACKAGES!r}:\n"
        "    module = importlib.import_module(package)\n"
        "    for name in module.__all__:\n"
        "        assert getattr(module, name) is not None, (package, name)\n"
        "        assert name in dir(module), (package, name)\n"
        "    exec(f'from {package} import *', {})\n"
    )
    assert "amino_async.models.legacy" in _sdk_modules_after(code)


def test_lazy_names_are_the_same_objects_as_their_modules() -> None:
    import amino_async
    import amino_async.models
    import amino_async.models.legacy
    import amino_async.resources
    from amino_async.models import Stream
    from amino_async.models.media import Stream as MediaStream

    assert Stream is MediaStream is amino_async.models.Stream is amino_async.Stream
    assert amino_async.Recordings is amino_async.resources.Recordings
    assert amino_async.models.legacy is sys.modules["amino_async.models.legacy"]
    with pytest.raises(AttributeError, match="no attribute 'Nope'"):
        _ = amino_async.models.Nope  # type: ignore[attr-defined]
    with pytest.raises(ImportError):
        exec("from amino_async.resources import Nope", {})


@pytest.mark.parametrize("package", LAZY_PACKAGES)
def test_type_checking_imports_match_the_runtime_table(package: str) -> None:
    """The names are written twice, for the type checkers (``if TYPE_CHECKING:``) and for the runtime (``_EXPORTS``),
    and listed in a static ``__all__`` (griffe reads it): the three agree."""
    module = importlib.import_module(package)
    assert module.__file__ is not None
    tree = ast.parse(Path(module.__file__).read_text(encoding="utf-8"))
    block = next(
        node
        for node in tree.body
        if isinstance(node, ast.If) and isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING"
    )
    static: dict[str, set[str]] = {}
    for node in block.body:
        assert isinstance(node, ast.ImportFrom), ast.dump(node)
        static.setdefault("." * node.level + (node.module or ""), set()).update(a.name for a in node.names)
    submodules = static.pop(".", set())
    static.pop("._redis", None)  # the top level's RedisTokenStore: the redis extra's, outside __all__
    runtime = {name: set(names) for name, names in module._EXPORTS.items()}
    assert static == runtime
    assert submodules <= set(module._SUBMODULES)
    exported = {name for names in runtime.values() for name in names}
    assert set(module.__all__) - {"__version__", *submodules} == exported
