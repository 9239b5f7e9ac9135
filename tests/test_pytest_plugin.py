"""The pytest plugin (``amino_async.pytest_plugin``, entry point ``amino_async``) as a user's project meets it.

Each test writes a small project with ``pytester`` and runs pytest on it in a fresh interpreter, so that the
plugin is loaded the way it is elsewhere: by its installed ``pytest11`` entry point.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

pytest_plugins = ["pytester"]

#: A user's test module: the three fixtures, under both anyio backends.
USER_TESTS = """
import os

import pytest

from amino_async import AminoClient, ClientClosedError
from amino_async._http import library_of
from amino_async.pytest_plugin import AminoServer
from amino_async.testing import FakeAmino

pytestmark = pytest.mark.anyio
closed_after_their_test = []


@pytest.fixture(params=["asyncio", "trio"])
def anyio_backend(request):
    return request.param


def test_each_test_gets_a_fresh_fake(fake_amino):
    assert isinstance(fake_amino, FakeAmino)
    assert [user.username for user in fake_amino.users] == ["user@example.com"]
    fake_amino.add_user("bob@example.com", "bobs-password")  # the next test must not see Bob


async def test_the_client_is_logged_in_on_the_fake(amino_client, fake_amino, anyio_backend):
    assert isinstance(amino_client, AminoClient)
    assert library_of(amino_client.http_client).__name__ == os.environ["AMINO_HTTP_LIBRARY"]
    assert amino_client.tokens is not None  # logged in before the test started
    assert fake_amino.stats.grants["password"] == 1
    assert [user.username for user in fake_amino.users] == ["user@example.com"]
    page = await amino_client.channels.list()
    assert [channel.id for channel in page.items] == [fake_amino.channel_id(i) for i in range(100)]
    assert fake_amino.stats.requests_by_user == {fake_amino.default_user.user_id: 1}
    closed_after_their_test.append(amino_client)


async def test_the_clients_of_earlier_tests_are_closed(amino_client):
    assert len(closed_after_their_test) == 2  # one per backend
    for client in closed_after_their_test:
        with pytest.raises(ClientClosedError):
            await client.login()


async def test_the_server_serves_the_same_fake_on_loopback(amino_server, amino_client, fake_amino):
    assert isinstance(amino_server, AminoServer)
    assert amino_server.fake is fake_amino
    assert amino_server.base_url.startswith("http://127.0.0.1:")
    fake_amino.add_user("carol@example.com", "carols-password")
    async with AminoClient(amino_server.base_url, username="carol@example.com", password="carols-password") as carol:
        streams = await carol.channels.streams(fake_amino.channel_id(3))
    assert streams and all(fake_amino.channel_id(3) in stream.stream_url for stream in streams)
    async with AminoClient(
        amino_server.base_url, username=amino_server.username, password=amino_server.password
    ) as client:
        await client.channels.list()
    await amino_client.channels.list()  # the in-process client, on the very same fake
    assert fake_amino.stats.grants["password"] == 3
"""


def _run(pytester: pytest.Pytester, library: str, *args: str) -> pytest.RunResult:
    pytester.makepyfile(test_user_project=USER_TESTS)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("AMINO_HTTP_LIBRARY", library)
        patch.delenv("PYTEST_DISABLE_PLUGIN_AUTOLOAD", raising=False)
        patch.delenv("PYTEST_ADDOPTS", raising=False)
        return pytester.runpytest_subprocess("-p", "no:cacheprovider", "-W", "error::pytest.PytestWarning", *args)


@pytest.mark.parametrize(
    "library",
    [
        "httpx",
        pytest.param("httpx2", marks=pytest.mark.httpx2),
    ],
)
def test_a_user_project_uses_the_three_fixtures_under_both_backends(pytester: pytest.Pytester, library: str) -> None:
    result = _run(pytester, library, "-v")
    result.assert_outcomes(passed=7)
    for backend in ("asyncio", "trio"):
        result.stdout.fnmatch_lines([f"*test_the_server_serves_the_same_fake_on_loopback?{backend}? PASSED*"])


def test_the_readme_example_passes_as_a_test_module(pytester: pytest.Pytester) -> None:
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    (example,) = re.findall(r"^```python\n(# tests/test_guide.py\n.*?)^```", readme, re.MULTILINE | re.DOTALL)
    pytester.makepyfile(test_guide=example)
    pytester.makeconftest(
        "import pytest\n\n\n@pytest.fixture(params=['asyncio', 'trio'])\ndef anyio_backend(request):\n"
        "    return request.param\n"
    )
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=4)


def test_the_plugin_comes_with_the_package_and_lists_its_fixtures(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_nothing="def test_nothing():\n    pass\n")
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "--fixtures")
    result.stdout.fnmatch_lines(["*fake_amino*", "*amino_client*", "*amino_server*"])
    assert result.ret == 0


# --- without the testing extra --------------------------------------------------------------------------


def _python(code: str, cwd: object = None) -> subprocess.CompletedProcess[str]:
    """``code`` in a fresh interpreter where starlette and uvicorn (the testing extra) cannot be imported."""
    blocker = "import sys\nsys.modules['starlette'] = sys.modules['uvicorn'] = None  # import raises ImportError\n"
    return subprocess.run(
        [sys.executable, "-c", blocker + code], capture_output=True, text=True, timeout=120, cwd=cwd, check=False
    )


def test_the_plugin_module_imports_nothing_of_the_testing_extra() -> None:
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys\nimport amino_async.pytest_plugin\n"
            "print(sorted(n for n in sys.modules if n.split('.')[0] in ('starlette', 'uvicorn', 'pydantic')))\n"
            "print('amino_async.testing' in sys.modules)\n",
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["[]", "False"]


def test_pytest_runs_without_the_testing_extra_and_a_fixture_names_it(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        test_plain="def test_plain():\n    assert True\n",
        test_fixture="def test_fake(fake_amino):\n    pass\n",
    )
    result = _python(
        "import pytest\nsys.exit(pytest.main(['-p', 'no:cacheprovider', '-q', 'test_plain.py']))\n", pytester.path
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 passed" in result.stdout
    result = _python(
        "import pytest\nsys.exit(pytest.main(['-p', 'no:cacheprovider', '-q', 'test_fixture.py']))\n", pytester.path
    )
    assert result.returncode == 1
    assert "amino-async[testing]" in result.stdout
