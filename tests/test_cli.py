"""The ``amino-async`` command line, end to end against FakeAmino on a real loopback socket.

The tests that start ``python -m amino_async`` in a subprocess check what a user sees: exit statuses, stdout,
stderr, the token file. The rest call ``main([...])`` in this process, which is quicker. All of them are
synchronous tests (the command runs its own event loop), so they run once, not once per anyio backend; the
fake runs in a blocking portal's thread meanwhile.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import signal
import stat
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from anyio.from_thread import start_blocking_portal

from amino_async import FileTokenStore
from amino_async._cli import _STOPPING, main, make_parser
from amino_async._cli._commands import _DASH_VALUED, SHORT_OPTIONS, join_dash_values
from amino_async._cli._session import default_token_file, session_key
from amino_async.testing import FakeAmino

from .helpers import PASSWORD, USER_ID, USERNAME, secrets_of

if sys.version_info < (3, 11):
    from exceptiongroup import BaseExceptionGroup, ExceptionGroup

_ENV_NAMES = ("AMINO_BASE_URL", "AMINO_USERNAME", "AMINO_PASSWORD", "AMINO_TOKEN_FILE", "XDG_CONFIG_HOME")


@pytest.fixture
def served() -> Iterator[tuple[FakeAmino, str]]:
    """A FakeAmino on a loopback port, and its base URL."""
    fake = FakeAmino(channels=150)
    with start_blocking_portal() as portal, portal.wrap_async_context_manager(fake.serve()) as base_url:
        yield fake, base_url


@pytest.fixture(autouse=True)
def environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """No AMINO_* setting leaks in from outside; the config home is a fresh directory."""
    for name in _ENV_NAMES:
        monkeypatch.delenv(name, raising=False)
    config_home = tmp_path / "config"
    monkeypatch.setenv("XDG_CONFIG_HOME", str(config_home))
    return config_home


def _token_file(config_home: Path) -> Path:
    return config_home / "amino-async" / "tokens.json"


def run_cli(*args: str, env: dict[str, str] | None = None, stdin: str = "") -> subprocess.CompletedProcess[str]:
    """``python -m amino_async ARGS`` with only the given AMINO_* variables set."""
    environ = {name: value for name, value in os.environ.items() if name not in _ENV_NAMES}
    environ.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "amino_async", *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=environ,
        timeout=120,
        check=False,
    )


def _assert_one_error_line(result: subprocess.CompletedProcess[str] | tuple[str, str], *needles: str) -> str:
    stderr = result.stderr if isinstance(result, subprocess.CompletedProcess) else result[1]
    lines = stderr.splitlines()
    assert len(lines) == 1, stderr
    assert lines[0].startswith("error: ")
    assert "Traceback" not in stderr
    for needle in needles:
        assert needle in lines[0]
    return lines[0]


def _assert_no_secret(fake: FakeAmino, *outputs: str) -> None:
    for secret in secrets_of(fake):
        for output in outputs:
            assert secret not in output


# --- subprocess: what a user at a shell sees ---------------------------------------------------------------


def test_demo_runs_the_whole_show_and_reports_one_refresh() -> None:
    result = run_cli("demo", "--channels", "200", "--concurrency", "20", "--json")
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout)
    assert summary["channels"] == 200
    assert summary["streams"] >= 200
    assert summary["errors"] == 0
    assert summary["logins"] == 1
    assert summary["refresh_calls"] == 1  # every token expired midway: one refresh served every request
    assert summary["injected_503s"] == 3
    assert summary["retries"] == 3  # each 503 cost one retry, no error
    # streams + 3 pages (the third one empty) + 2 token calls + the 503s retried + the 401s replayed.
    assert summary["requests"] == 200 + 3 + 2 + 3 + summary["unauthorized_replayed"]
    assert summary["requests_per_s"] > 0
    assert result.stderr == ""


def test_login_then_every_command_reuses_the_stored_tokens(served: tuple[FakeAmino, str], tmp_path: Path) -> None:
    fake, base_url = served
    token_file = tmp_path / "private" / "tokens.json"
    env = {"AMINO_BASE_URL": base_url, "AMINO_TOKEN_FILE": str(token_file)}

    login = run_cli("login", "--username", USERNAME, env={**env, "AMINO_PASSWORD": PASSWORD})
    assert login.returncode == 0, login.stderr
    assert f"as user {USER_ID}" in login.stdout
    assert stat.S_IMODE(token_file.stat().st_mode) == 0o600
    assert fake.stats.grants["password"] == 1

    # From here on no password is around: the stored login is all the commands have.
    token = run_cli("token", "--json", env=env)
    assert token.returncode == 0, token.stderr
    info = json.loads(token.stdout)
    assert info["user_id"] == USER_ID
    assert info["profile_id"] == "p-1001-default"
    assert 3000 < info["expires_in"] <= 3600
    assert not {"access_token", "refresh_token", "token"} & info.keys()

    channels = run_cli("channels", "--json", env=env)
    assert channels.returncode == 0, channels.stderr
    listed = json.loads(channels.stdout)
    assert len(listed) == 100  # the first page
    assert listed[0]["id"] == fake.channel_id(0)

    streams = run_cli("streams", fake.channel_id(7), "--stream-type", "dash", "--json", env=env)
    assert streams.returncode == 0, streams.stderr
    found = json.loads(streams.stdout)
    assert found
    assert all(".mpd" in stream["stream_url"] for stream in found)

    profiles = run_cli("--json", "profiles", env=env)  # a global option before the command works as well
    assert profiles.returncode == 0, profiles.stderr
    assert [(p["name"], p["current"]) for p in json.loads(profiles.stdout)] == [("Main", True), ("Kids", False)]

    assert fake.stats.grants["password"] == 1  # no command logged in again
    assert fake.stats.requests_by_user[USER_ID] == 3

    logout = run_cli("logout", env=env)
    assert logout.returncode == 0, logout.stderr
    assert not token_file.exists()  # it held this login only

    after = run_cli("channels", env=env)
    assert after.returncode == 1
    _assert_one_error_line(after, "not logged in", "amino-async login")
    _assert_no_secret(fake, *(r.stdout + r.stderr for r in (login, token, channels, streams, profiles, logout, after)))


def test_a_wrong_password_ends_in_one_line_and_exit_status_1(served: tuple[FakeAmino, str]) -> None:
    fake, base_url = served
    env = {"AMINO_BASE_URL": base_url, "AMINO_USERNAME": USERNAME, "AMINO_PASSWORD": "hunter2-not-it"}
    result = run_cli("login", env=env)
    assert result.returncode == 1
    line = _assert_one_error_line(result, "authentication failed", "Invalid username or password")
    assert "hunter2" not in line
    assert result.stdout == ""
    assert fake.stats.token_refusals["bad_credentials"] == 1


def test_an_unreachable_deployment_ends_in_one_clear_line() -> None:
    import socket

    with socket.socket() as sock:  # a port nothing listens on: bound, never listening
        sock.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{sock.getsockname()[1]}"
        result = run_cli("login", env={"AMINO_BASE_URL": url, "AMINO_USERNAME": USERNAME, "AMINO_PASSWORD": PASSWORD})
    assert result.returncode == 1
    _assert_one_error_line(result, f"cannot reach {url}")
    assert PASSWORD not in result.stderr


# --- in process --------------------------------------------------------------------------------------------


def cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    """``main(args)`` here, with its exit status and what it printed."""
    status = main(list(args))
    out, err = capsys.readouterr()
    return status, out, err


def _login(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, base_url: str) -> None:
    monkeypatch.setenv("AMINO_PASSWORD", PASSWORD)
    status, _, err = cli(capsys, "--base-url", base_url, "login", "--username", USERNAME)
    assert status == 0, err
    monkeypatch.delenv("AMINO_PASSWORD")


def test_tables_by_default(
    served: tuple[FakeAmino, str], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    fake, base_url = served
    _login(capsys, monkeypatch, base_url)
    monkeypatch.setenv("AMINO_BASE_URL", base_url)
    status, out, err = cli(capsys, "channels", "--all", "--sort=-logical_channel_number")
    assert (status, err) == (0, "")
    assert "150 channels" in out
    assert out.index(fake.channel_id(149)) < out.index(fake.channel_id(0))  # highest channel number first
    status, out, _ = cli(capsys, "streams", fake.channel_id(3), "--drm-system", "widevine", "--device-class", "stb")
    assert status == 0
    assert f"streams of channel {fake.channel_id(3)}" in out
    assert "bitrate" in out
    status, out, _ = cli(capsys, "profiles")
    assert status == 0
    assert "Kids" in out
    status, out, _ = cli(capsys, "token")
    assert status == 0
    assert USER_ID in out
    assert "in 59 min" in out or "in 1 h" in out
    _assert_no_secret(fake, out)


def test_a_refreshed_stored_login_is_written_back(
    served: tuple[FakeAmino, str],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    environment: Path,
) -> None:
    fake, base_url = served
    _login(capsys, monkeypatch, base_url)
    token_file = _token_file(environment)
    assert stat.S_IMODE(token_file.stat().st_mode) == 0o600
    before = token_file.read_text()

    fake.expire_access_tokens()
    status, _, err = cli(capsys, "--base-url", base_url, "channels", "--page", "2", "--json")
    assert (status, err) == (0, "")
    assert fake.stats.grants["refresh_token"] == 1
    assert token_file.read_text() != before  # the rotated refresh token is in the file

    # The next command starts from the rotated tokens: a refresh token presented twice would be refused.
    fake.expire_access_tokens()
    status, _, err = cli(capsys, "--base-url", base_url, "profiles", "--json")
    assert (status, err) == (0, "")
    assert fake.stats.grants["refresh_token"] == 2
    assert fake.stats.reuse_detected == 0
    assert fake.stats.grants["password"] == 1


def test_a_stored_login_that_cannot_be_renewed_asks_for_a_new_login(
    served: tuple[FakeAmino, str],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    environment: Path,
) -> None:
    fake, base_url = served
    _login(capsys, monkeypatch, base_url)
    fake.expire_access_tokens()
    fake.revoke_refresh_tokens()
    status, out, err = cli(capsys, "--base-url", base_url, "channels")
    assert status == 1
    assert out == ""
    _assert_one_error_line(("", err), "authentication failed", "amino-async login")
    # Tokens that cannot be renewed are dropped; what stays is the mark of the renewal that failed (no secret).
    assert json.loads(_token_file(environment).read_text())["tokens"] == {}


def test_without_a_login_the_environment_credentials_are_used_and_nothing_is_stored(
    served: tuple[FakeAmino, str],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    environment: Path,
) -> None:
    fake, base_url = served
    monkeypatch.setenv("AMINO_BASE_URL", base_url)
    monkeypatch.setenv("AMINO_USERNAME", USERNAME)
    monkeypatch.setenv("AMINO_PASSWORD", PASSWORD)
    status, out, err = cli(capsys, "profiles", "--json", "--backend", "trio")
    assert (status, err) == (0, "")
    assert len(json.loads(out)) == 2
    assert fake.stats.grants["password"] == 1
    assert not _token_file(environment).exists()


def test_login_reads_the_password_from_stdin_and_can_choose_the_profile_and_the_file(
    served: tuple[FakeAmino, str],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    fake, base_url = served
    token_file = tmp_path / "t.json"
    monkeypatch.setattr(sys, "stdin", _Stdin(f"{PASSWORD}\n"))
    status, out, err = cli(
        capsys, "login", "--base-url", base_url, "--username", USERNAME, "--password-stdin",
        "--profile", "p-1001-kids", "--token-file", str(token_file), "--json",
    )  # fmt: skip
    assert (status, err) == (0, "")
    assert json.loads(out)["profile_id"] == "p-1001-kids"
    store = FileTokenStore(token_file)
    import anyio

    stored = anyio.run(store.load, session_key(base_url, store))
    assert stored is not None
    assert stored.profile_id == "p-1001-kids"
    _assert_no_secret(fake, out)

    status, out, err = cli(capsys, "logout", "--base-url", base_url, "--token-file", str(token_file), "--json")
    assert (status, err) == (0, "")
    assert json.loads(out)["removed"] is True
    assert not token_file.exists()
    status, out, err = cli(capsys, "logout", "--base-url", base_url, "--token-file", str(token_file))
    assert (status, err) == (0, "")
    assert "Not logged in" in out


class _Stdin:
    """A stdin that is not a terminal and holds ``text``."""

    def __init__(self, text: str) -> None:
        self._lines = iter(text.splitlines(keepends=True))

    def readline(self) -> str:
        return next(self._lines, "")

    def isatty(self) -> bool:
        return False


class _Terminal(_Stdin):
    """A terminal where the user presses Ctrl-D at every prompt."""

    def isatty(self) -> bool:
        return True


def test_ctrl_d_at_a_prompt_is_a_usage_error_not_a_crash(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    def end_of_file(prompt: str = "") -> str:
        raise EOFError

    monkeypatch.setattr(sys, "stdin", _Terminal(""))
    monkeypatch.setattr("builtins.input", end_of_file)
    monkeypatch.setattr("getpass.getpass", end_of_file)
    monkeypatch.delenv("AMINO_PASSWORD", raising=False)
    monkeypatch.delenv("AMINO_USERNAME", raising=False)
    status, _, err = cli(capsys, "login", "--base-url", "http://127.0.0.1:1")
    assert status == 2
    _assert_one_error_line(("", err), "no username given")
    status, _, err = cli(capsys, "login", "--base-url", "http://127.0.0.1:1", "--username", USERNAME)
    assert status == 2
    _assert_one_error_line(("", err), "no password given")


def test_usage_errors_exit_2(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    status, _, err = cli(capsys, "channels", "--page", "0")
    assert status == 2
    assert "--page" in err
    status, _, err = cli(capsys, "no-such-command")
    assert status == 2
    status, _, err = cli(capsys, "channels")  # no deployment named anywhere
    assert status == 2
    _assert_one_error_line(("", err), "--base-url", "AMINO_BASE_URL")
    monkeypatch.setattr(sys, "stdin", _Stdin(""))
    status, _, err = cli(capsys, "login", "--base-url", "http://127.0.0.1:1", "--username", USERNAME)
    assert status == 2  # no password anywhere, and no terminal to ask in
    _assert_one_error_line(("", err), "AMINO_PASSWORD")
    status, out, _ = cli(capsys, "--version")
    assert status == 0
    assert out.startswith("amino-async ")


def test_insecure_and_malformed_base_urls_are_refused(capsys: pytest.CaptureFixture[str]) -> None:
    status, _, err = cli(capsys, "--base-url", "http://amino.example.com", "token")
    assert status == 1
    _assert_one_error_line(("", err), "plain http", "--allow-insecure-http")
    assert "allow_insecure_http=True" not in err
    # Allowed on purpose: the command goes on (and finds no login for that deployment; no network needed).
    status, _, err = cli(capsys, "--allow-insecure-http", "--base-url", "http://amino.example.com", "token")
    assert status == 1
    _assert_one_error_line(("", err), "not logged in to http://amino.example.com")
    status, _, err = cli(capsys, "--base-url", "not a url", "token")
    assert status == 1
    _assert_one_error_line(("", err), "http(s) URL")
    status, out, err = cli(capsys, "--base-url", "http://me:hunter2@127.0.0.1:1", "token")
    assert status == 1
    _assert_one_error_line(("", err), "must not carry a username or password")
    assert "hunter2" not in out + err


def test_an_interrupt_exits_130_quietly(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    def interrupted(**_: Any) -> str:
        raise KeyboardInterrupt

    monkeypatch.setattr("amino_async._cli._commands.read_password", interrupted)
    status, out, err = cli(capsys, "login", "--base-url", "http://127.0.0.1:1", "--username", USERNAME)
    assert (status, out, err) == (130, "", "")


def test_tables_without_rich_say_how_to_get_it(
    served: tuple[FakeAmino, str], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    _, base_url = served
    monkeypatch.setenv("AMINO_USERNAME", USERNAME)
    monkeypatch.setenv("AMINO_PASSWORD", PASSWORD)
    monkeypatch.setitem(sys.modules, "rich.console", None)  # as if rich were not installed
    status, _, err = cli(capsys, "--base-url", base_url, "profiles")
    assert status == 1
    _assert_one_error_line(("", err), "pip install 'amino-async[cli]'", "--json")
    status, out, err = cli(capsys, "--base-url", base_url, "profiles", "--json")
    assert (status, err) == (0, "")
    assert json.loads(out)


def test_the_default_token_file() -> None:
    home = Path("~").expanduser()
    assert default_token_file({}) == home / ".config" / "amino-async" / "tokens.json"
    assert default_token_file({"XDG_CONFIG_HOME": "/x"}) == Path("/x/amino-async/tokens.json")
    assert default_token_file({"XDG_CONFIG_HOME": "/x", "AMINO_TOKEN_FILE": "/y/t.json"}) == Path("/y/t.json")


def test_the_demo_in_process_on_trio(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = cli(capsys, "demo", "--channels", "120", "--concurrency", "8", "--backend", "trio")
    assert (status, err) == (0, "")
    assert "Summary" in out
    assert "refresh calls" in out
    assert "expired every access token" in out


def test_the_demo_without_the_fake_server_says_how_to_get_it(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "amino_async.testing", None)  # as if starlette and uvicorn were missing
    status, out, err = cli(capsys, "demo", "--json")
    assert (status, out) == (1, "")
    _assert_one_error_line(("", err), "pip install 'amino-async[cli]'")


@pytest.mark.parametrize("backend", ["asyncio", "trio"])
def test_ctrl_c_in_the_middle_of_the_demo_exits_130_quietly(backend: str) -> None:
    environ = {name: value for name, value in os.environ.items() if name not in _ENV_NAMES}
    with subprocess.Popen(
        [sys.executable, "-m", "amino_async", "demo", "--channels", "5000", "--backend", backend],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=environ,
    ) as process:
        assert process.stdout is not None
        for line in process.stdout:  # wait until the streams are being fetched
            if "answer 503 once" in line:
                break
        time.sleep(0.5)  # well into the fetching: many requests done and 50 in flight
        process.send_signal(signal.SIGINT)
        _, stderr = process.communicate(timeout=60)
    assert process.returncode == 130
    assert stderr in ("", _STOPPING + "\n")  # the hint only if stopping took long (a slow machine)


def test_ctrl_c_during_a_slow_token_call_says_what_it_waits_for(served: tuple[FakeAmino, str], tmp_path: Path) -> None:
    fake, base_url = served
    fake.token_delay = 4.0  # the login takes effect at once; its answer comes 4 s later
    environ = {name: value for name, value in os.environ.items() if name not in _ENV_NAMES}
    environ.update({"AMINO_BASE_URL": base_url, "AMINO_USERNAME": USERNAME, "AMINO_PASSWORD": PASSWORD})
    with subprocess.Popen(
        [sys.executable, "-m", "amino_async", "login", "--token-file", str(tmp_path / "tokens.json")],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=environ,
    ) as process:
        until = time.monotonic() + 30
        while fake.stats.grants["password"] == 0 and time.monotonic() < until:
            time.sleep(0.02)
        process.send_signal(signal.SIGINT)
        _, stderr = process.communicate(timeout=60)
    assert process.returncode == 130
    assert stderr == _STOPPING + "\n"
    assert not (tmp_path / "tokens.json").exists()  # stopped: nothing saved


def test_failures_left_behind_by_a_cancelled_run_count_as_interrupted() -> None:
    import asyncio

    from amino_async import ServerError
    from amino_async._cli import _interrupted, _leaf

    def caused_by_cancellation(error: BaseException) -> BaseException:
        try:
            try:
                raise asyncio.CancelledError
            except asyncio.CancelledError:
                raise error  # noqa: B904 - the implicit context is the point
        except BaseException as raised:
            return raised

    # What asyncio's answer to Ctrl-C (cancelling the main task) can leave: task-group debris, not the interrupt.
    debris = caused_by_cancellation(ExceptionGroup("torn down", [RuntimeError("a"), RuntimeError("b")]))
    assert _interrupted(debris, expected=False)
    assert _interrupted(BaseExceptionGroup("trio", [KeyboardInterrupt()]), expected=True)
    # A real failure is reported, whatever cancellation happened on the way.
    assert not _interrupted(caused_by_cancellation(ServerError("HTTP 503")), expected=True)
    assert not _interrupted(RuntimeError("bug"), expected=False)
    failure = ServerError("HTTP 503")
    assert _leaf(ExceptionGroup("one", [ExceptionGroup("nested", [failure])])) is failure
    assert _leaf(ExceptionGroup("two", [RuntimeError("x"), failure])) is failure


def test_a_token_file_that_is_not_ours_is_named_with_the_way_out(
    served: tuple[FakeAmino, str],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    environment: Path,
) -> None:
    _, base_url = served
    token_file = _token_file(environment)
    token_file.parent.mkdir(parents=True)
    token_file.write_text("")  # empty, or anything else that is not an amino-async token file
    monkeypatch.setenv("AMINO_PASSWORD", PASSWORD)
    status, _, err = cli(capsys, "--base-url", base_url, "login", "--username", USERNAME)
    assert status == 1
    _assert_one_error_line(("", err), "not an amino-async token file", "--token-file")
    assert token_file.read_text() == ""  # never overwritten


# --- the polish of issue 20: what a new user tripped over ----------------------------------------------------


def _parsers(
    parser: argparse.ArgumentParser, path: str = "amino-async"
) -> Iterator[tuple[str, argparse.ArgumentParser]]:
    """Every parser of the command line (the commands', their actions'), with its command line."""
    yield path, parser
    for action in parser._actions:  # argparse has no public walk of a parser's options: the test alone does this
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield from _parsers(sub, f"{path} {name}")


def _options(parser: argparse.ArgumentParser) -> Iterator[argparse.Action]:
    for action in parser._actions:
        if not isinstance(action, (argparse._SubParsersAction, argparse._HelpAction, argparse._VersionAction)):
            yield action


def test_option_values_may_start_with_a_dash_and_real_options_still_work(
    served: tuple[FakeAmino, str], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    fake, base_url = served
    monkeypatch.setenv("AMINO_USERNAME", USERNAME)
    monkeypatch.setenv("AMINO_PASSWORD", PASSWORD)
    for sort in (["--sort", "-logical_channel_number"], ["--sort=-logical_channel_number"]):
        status, out, err = cli(capsys, "channels", "--all", *sort, "--base-url", base_url, "--json")
        assert (status, err) == (0, "")
        assert [c["id"] for c in json.loads(out)][:2] == [fake.channel_id(149), fake.channel_id(148)]
    # The value after such an option is an option when it says so: two dashes, a short option, after "--".
    status, _, err = cli(capsys, "channels", "--sort", "--json", "--base-url", base_url)
    assert status == 2
    assert "--sort: expected one argument" in err
    status, _, err = cli(capsys, "channels", "--sort", "-v", "--base-url", base_url)
    assert status == 2
    assert "--sort: expected one argument" in err
    status, _, err = cli(capsys, "channels", "--sort", "-number", "--base-url", base_url)
    assert status == 2
    assert "invalid choice: '-number'" in err
    assert join_dash_values(["programs", "--search", "-1", "-v", "--", "--sort", "-x"]) == [
        "programs", "--search=-1", "-v", "--", "--sort", "-x",
    ]  # fmt: skip
    assert fake.stats.grants["password"] == 2  # each of the two good commands logged in once; the rest never ran

    # Every option whose choices start with "-" is marked so, and each marked one takes one value.
    shorts: set[str] = set()
    for path, parser in _parsers(make_parser()):
        for action in _options(parser):
            shorts.update(s for s in action.option_strings if not s.startswith("--"))
            if any(str(choice).startswith("-") for choice in action.choices or ()):
                assert set(action.option_strings) <= _DASH_VALUED, f"{path} {action.option_strings}"
            if set(action.option_strings) & _DASH_VALUED:
                assert action.nargs is None and action.option_strings[0].startswith("--"), path
    assert shorts | {"-h"} == set(SHORT_OPTIONS)


def test_every_option_of_every_command_has_help_and_shows_its_default() -> None:
    for path, parser in _parsers(make_parser()):
        assert parser.description, f"{path}: no summary"
        parser.format_help()  # every %(default)s expands
        for action in _options(parser):
            name = "/".join(action.option_strings) or action.metavar or action.dest
            assert action.help and action.help is not argparse.SUPPRESS, f"{path} {name}: no help"
            if action.default not in (None, False, argparse.SUPPRESS):
                shown = {str(action.default), f"{action.default:,}" if isinstance(action.default, int) else ""}
                assert "%(default)" in action.help or any(s and s in action.help for s in shown), (
                    f"{path} {name}: the default {action.default!r} is not shown"
                )
    streams_help = subprocess.run(
        [sys.executable, "-m", "amino_async", "streams", "--help"], capture_output=True, text=True, check=True
    ).stdout
    assert "--stream-type {hls,dash,mp4,mss}\n                        only streams of this type" in streams_help


def _read_one_line_then_close(*args: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    """Run the command with stdout a pipe that its reader closes after one line (``| head -1``)."""
    environ = {name: value for name, value in os.environ.items() if name not in _ENV_NAMES}
    environ.update(env or {})
    with subprocess.Popen(
        [sys.executable, "-m", "amino_async", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=environ,
    ) as process:
        assert process.stdout is not None and process.stderr is not None
        line = process.stdout.readline().decode()
        process.stdout.close()
        stderr = process.stderr.read().decode()
        return process.wait(timeout=120), line, stderr


def test_a_closed_pipe_ends_every_command_quietly_with_status_0(served: tuple[FakeAmino, str]) -> None:
    fake, base_url = served
    # The demo prints as it goes: what comes after the first line meets a closed pipe.
    status, line, stderr = _read_one_line_then_close("demo", "--channels", "300")
    assert (status, stderr) == (0, "")  # no "error: Broken pipe", no "Exception ignored" at the interpreter's exit
    assert line.startswith("Started a fake Amino deployment")
    status, line, stderr = _read_one_line_then_close("demo", "--channels", "300", "--json")
    assert (status, line, stderr) == (0, "{\n", "")
    # A table is one write at the end: the reader is gone before it (it closes the pipe once the fake has answered).
    env = {"AMINO_BASE_URL": base_url, "AMINO_USERNAME": USERNAME, "AMINO_PASSWORD": PASSWORD}
    environ = {name: value for name, value in os.environ.items() if name not in _ENV_NAMES}
    for args in (["channels", "--all"], ["streams", fake.channel_id(1), "--json"], ["channels", "--help"]):
        with subprocess.Popen(
            [sys.executable, "-m", "amino_async", *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env={**environ, **env},
        ) as process:
            assert process.stdout is not None
            process.stdout.close()
            _, stderr_bytes = process.communicate(timeout=120)
        assert (process.returncode, stderr_bytes.decode()) == (0, ""), args
    assert fake.stats.grants["password"] == 2  # channels and streams did their work, then found no reader
    assert fake.stats.calls["channels"] == 2  # 150 channels: two pages


_ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


@pytest.mark.parametrize(("terminal", "columns"), [(True, "60"), (True, "30"), (False, "60")])
def test_urls_and_ids_are_printed_whole_on_one_line(
    served: tuple[FakeAmino, str],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    terminal: bool,
    columns: str,
) -> None:
    fake, base_url = served
    monkeypatch.setenv("AMINO_BASE_URL", base_url)
    monkeypatch.setenv("AMINO_USERNAME", USERNAME)
    monkeypatch.setenv("AMINO_PASSWORD", PASSWORD)
    status, out, _ = cli(capsys, "streams", fake.channel_id(5), "--json")
    urls = [stream["stream_url"] for stream in json.loads(out)]
    assert status == 0 and urls
    monkeypatch.setenv("COLUMNS", columns)  # a narrow terminal, or a narrow setting that a file must not follow
    monkeypatch.setenv("TTY_COMPATIBLE", "1" if terminal else "0")  # rich: a terminal (capsys is not one)
    status, out, err = cli(capsys, "streams", fake.channel_id(5))
    assert (status, err) == (0, "")
    lines = _ANSI.sub("", out).splitlines()
    for url in urls:
        assert any(url in line for line in lines), f"{url} is broken across lines:\n{out}"
    status, out, _ = cli(capsys, "channels")
    lines = _ANSI.sub("", out).splitlines()
    for number in range(100):
        assert any(fake.channel_id(number) in line for line in lines), fake.channel_id(number)
    if not terminal:  # off a terminal a row is one line, whatever COLUMNS says: grep finds it whole
        row = next(line for line in lines if fake.channel_id(7) in line)
        assert row.count("│") == 6


def test_the_demo_refuses_the_options_of_a_real_deployment(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    for args in (
        ["demo", "--base-url", "https://customer.domain"],
        ["--base-url", "https://customer.domain", "demo", "--json"],
        ["demo", "--username", USERNAME],
        ["--token-file", "t.json", "demo"],
    ):
        status, out, err = cli(capsys, *args)
        assert (status, out) == (2, ""), args
        option = next(arg for arg in args if arg.startswith("--") and arg != "--json")
        _assert_one_error_line(
            ("", err), "demo runs against its own built-in fake deployment", option, "does not apply"
        )
    status, _, err = cli(capsys, "demo", "--base-url", "https://customer.domain", "--username", USERNAME)
    _assert_one_error_line(("", err), "--base-url and --username do not apply")
    # The environment is for the other commands: the demo runs with it set (as after the README's export).
    monkeypatch.setenv("AMINO_BASE_URL", "https://customer.domain")
    monkeypatch.setenv("AMINO_USERNAME", "user@example.com")
    status, out, err = cli(capsys, "demo", "--channels", "20", "--json")
    assert (status, err) == (0, "")
    assert json.loads(out)["base_url"].startswith("http://127.0.0.1:")


def test_counts_of_one_are_singular() -> None:
    from amino_async._cli._output import plural

    assert [plural(n, "channel") for n in (0, 1, 2, 2000)] == [
        "0 channels",
        "1 channel",
        "2 channels",
        "2,000 channels",
    ]
    assert plural(1, "catch-up item") == "1 catch-up item"
    assert plural(3, "series", "series") == "3 series"
    # The demo with one channel and one request in flight: every count it prints is 1 (or 0).
    result = run_cli("demo", "--channels", "1", "--concurrency", "1")
    assert result.returncode == 0, result.stderr
    assert "1 channel in 1 page" in result.stdout
    assert "1 channel will answer 503 once: the retry absorbs it" in result.stdout
    assert "after 1 injected 503 " in result.stdout
    assert "1 request in flight at most" in result.stdout
    assert not re.findall(r"(?<![\d,.])1 (?!s\b)[a-z][\w-]*s\b", result.stdout), result.stdout


def test_ctrl_c_at_a_prompt_ends_its_line_and_exits_130_quietly(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    def interrupted(prompt: str = "") -> str:
        raise KeyboardInterrupt

    monkeypatch.setattr(sys, "stdin", _Terminal(""))
    monkeypatch.setattr("getpass.getpass", interrupted)
    monkeypatch.setattr("builtins.input", interrupted)
    # getpass wrote "Password: " (to the terminal, or stderr) and no newline: the cursor goes to a line of its own.
    status, out, err = cli(capsys, "login", "--base-url", "http://127.0.0.1:1", "--username", USERNAME)
    assert (status, out, err) == (130, "", "\n")
    # input() wrote "Username: " on stdout.
    status, out, err = cli(capsys, "login", "--base-url", "http://127.0.0.1:1")
    assert (status, out, err) == (130, "\n", "")
    # The operators' prompt is the same one.
    status, out, err = cli(
        capsys, "admin", "packages", "--service-login", "--username", "ops", "--base-url", "http://127.0.0.1:1"
    )
    assert (status, out, err) == (130, "", "\n")
