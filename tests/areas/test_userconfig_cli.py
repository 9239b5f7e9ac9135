"""``amino-async profiles`` and ``amino-async favourites`` against FakeAmino on a loopback socket.

Synchronous tests (the command runs its own event loop), so they run once; the fake runs in a portal's thread.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from anyio.from_thread import start_blocking_portal

from amino_async._cli import main
from amino_async.testing import FakeAmino

USERNAME, PASSWORD, USER_ID = "user@example.com", "secret", "1001"
MAIN, KIDS = "p-1001-default", "p-1001-kids"


@pytest.fixture
def served(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[FakeAmino]:
    """A FakeAmino on a loopback port; the environment logs each command in as its default user."""
    fake = FakeAmino(channels=20)
    with start_blocking_portal() as portal, portal.wrap_async_context_manager(fake.serve()) as base_url:
        monkeypatch.setenv("AMINO_BASE_URL", base_url)
        monkeypatch.setenv("AMINO_USERNAME", USERNAME)
        monkeypatch.setenv("AMINO_PASSWORD", PASSWORD)
        monkeypatch.setenv("AMINO_TOKEN_FILE", str(tmp_path / "tokens.json"))  # none stored: each logs in
        yield fake


def cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    status = main(list(args))
    out, err = capsys.readouterr()
    return status, out, err


def one_error(err: str, *needles: str) -> None:
    lines = err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), err
    for needle in needles:
        assert needle in lines[0]


def test_profiles_alone_still_lists_and_the_actions_change_them(
    served: FakeAmino, capsys: pytest.CaptureFixture[str]
) -> None:
    status, out, err = cli(capsys, "profiles")
    assert (status, err) == (0, "")
    assert "Main" in out and "Kids" in out
    status, out, _ = cli(capsys, "--json", "profiles", "list")
    assert [(p["name"], p["current"]) for p in json.loads(out)] == [("Main", True), ("Kids", False)]

    status, out, err = cli(capsys, "profiles", "create", "Teen", "--child", "--age-limit", "12", "--json")
    assert (status, err) == (0, "")
    created = json.loads(out)
    assert (created["name"], created["is_child_profile"], created["age_limit"]) == ("Teen", True, 12)
    assert served.default_user.profile(created["id"]) is not None

    status, out, _ = cli(capsys, "profiles", "rename", created["id"], "Teenager")
    assert (status, out) == (0, f"Renamed profile {created['id']}.\n")
    assert served.default_user.profile(created["id"]).name == "Teenager"  # type: ignore[union-attr]
    status, out, _ = cli(capsys, "profiles", "delete", created["id"], "--json")
    assert (status, json.loads(out)) == (0, {"deleted": created["id"]})
    assert [p.id for p in served.default_user.profiles] == [MAIN, KIDS]

    status, _, err = cli(capsys, "profiles", "delete", MAIN)
    assert status == 1
    one_error(err, "403", "default profile")
    status, _, err = cli(capsys, "profiles", "create", "X", "--age-limit", "200")
    assert status == 2  # a usage error, sent nowhere


def test_favourites_lists_show_and_change_channels_in_order(
    served: FakeAmino, capsys: pytest.CaptureFixture[str]
) -> None:
    status, out, _ = cli(capsys, "favourites", "create", "Sports", "--json")
    assert status == 0
    sports = json.loads(out)["id"]
    channels = [served.channel_id(i) for i in (9, 3, 14)]
    status, out, err = cli(capsys, "favourites", "add", sports, *channels)
    assert (status, err) == (0, "")
    assert out == f"Added 3 of 3 channels ({sports}).\n"
    assert served.user_config.lists_of(USER_ID, MAIN)[0].channels == channels

    status, out, _ = cli(capsys, "favourites", "show", sports, "--json")
    assert json.loads(out) == channels
    status, out, _ = cli(capsys, "favourites", "--json")
    assert json.loads(out) == [{"raw": {}, "id": sports, "name": "Sports", "channels": channels}]
    status, out, _ = cli(capsys, "favourites")
    assert "Sports" in out and "1 favourite list\n" in out

    status, out, _ = cli(capsys, "favourites", "remove", sports, channels[1], "--json")
    assert json.loads(out) == {"list_id": sports, "removed": [channels[1]], "failed": []}
    status, out, _ = cli(capsys, "favourites", "rename", sports, "Sport")
    assert status == 0
    assert served.user_config.lists_of(USER_ID, MAIN)[0].name == "Sport"

    # Another profile's lists: --profile, before or after the action's name.
    status, out, _ = cli(capsys, "favourites", "--profile", KIDS, "create", "Cartoons")
    assert status == 0 and "Cartoons" in out
    status, out, _ = cli(capsys, "favourites", "list", "--profile", KIDS, "--json")
    assert [found["name"] for found in json.loads(out)] == ["Cartoons"]

    status, out, err = cli(capsys, "favourites", "add", sports, served.channel_id(1), "no-such-channel")
    assert status == 1
    assert out == f"Added 1 of 2 channels ({sports}).\n"
    one_error(err, "no-such-channel", "404")
    assert served.user_config.lists_of(USER_ID, MAIN)[0].channels == [channels[0], channels[2], served.channel_id(1)]

    status, out, _ = cli(capsys, "favourites", "delete", sports, "--json")
    assert json.loads(out) == {"deleted": sports}
    assert served.user_config.lists_of(USER_ID, MAIN) == []
    status, _, err = cli(capsys, "favourites", "show", sports)
    assert status == 1
    one_error(err, "404")
    status, _, err = cli(capsys, "favourites", "--profile", "p-2002-x")
    assert status == 1
    one_error(err, "403")
