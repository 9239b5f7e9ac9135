"""``amino-async epg``, ``programs`` and ``catchup`` against FakeAmino on a loopback socket (synchronous tests:
the command runs its own event loop)."""

from __future__ import annotations

import datetime
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from anyio.from_thread import start_blocking_portal

from amino_async._cli import main
from amino_async.testing import FakeAmino
from amino_async.testing import _catalogue as cat
from tests.helpers import PASSWORD, USERNAME


@pytest.fixture
def served(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[tuple[FakeAmino, str]]:
    fake = FakeAmino(channels=12)
    for name in ("AMINO_BASE_URL", "AMINO_TOKEN_FILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    monkeypatch.setenv("AMINO_USERNAME", USERNAME)
    monkeypatch.setenv("AMINO_PASSWORD", PASSWORD)
    with start_blocking_portal() as portal, portal.wrap_async_context_manager(fake.serve()) as base_url:
        yield fake, base_url


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    status = main(list(args))
    out, err = capsys.readouterr()
    return status, out, err


def test_epg_of_a_day_and_of_days(served: tuple[FakeAmino, str], capsys: pytest.CaptureFixture[str]) -> None:
    fake, base_url = served
    channel = fake.channel_id(2)
    status, out, err = _run(capsys, "epg", channel, "--date", fake.epg_today.isoformat(), "--base-url", base_url)
    assert (status, err) == (0, "")
    assert "8 slots" in out and "04:00" in out

    status, out, _ = _run(capsys, "epg", channel, "--days", "3", "--json", "--base-url", base_url)
    slots = json.loads(out)
    assert status == 0 and len(slots) == 3 * cat.SLOTS_PER_DAY
    starts = [slot["start_time_unix"] for slot in slots]
    assert starts == sorted(starts)
    today = datetime.datetime.now(datetime.timezone.utc).date()
    first = datetime.datetime.fromtimestamp(starts[0], tz=datetime.timezone.utc).date()
    assert first == today == fake.epg_today

    status, _, err = _run(capsys, "epg", fake.channel_id(99), "--base-url", base_url)
    assert status == 1 and err.startswith("error: the server refused") and len(err.splitlines()) == 1
    assert main(["epg", channel, "--date", "2024-01-01", "--days", "2"]) == 2  # one or the other
    capsys.readouterr()


def test_programs_search_and_pages(served: tuple[FakeAmino, str], capsys: pytest.CaptureFixture[str]) -> None:
    _, base_url = served
    status, out, _ = _run(capsys, "programs", "--json", "--base-url", base_url)
    assert status == 0 and len(json.loads(out)) == 100
    title = cat.SERIES_TITLES[4]
    status, out, _ = _run(capsys, "programs", "--search", title.lower(), "--json", "--base-url", base_url)
    found = json.loads(out)
    assert status == 0 and len(found) == cat.SEASONS_PER_SERIES * cat.EPISODES_PER_SEASON
    assert all(program["title"].startswith(title) for program in found)
    status, out, _ = _run(capsys, "programs", "--all", "--base-url", base_url)
    assert status == 0 and f"{cat.PROGRAM_COUNT} programmes" in out


def test_catchup_with_streams(served: tuple[FakeAmino, str], capsys: pytest.CaptureFixture[str]) -> None:
    fake, base_url = served
    channel = fake.channel_id(1)
    status, out, _ = _run(capsys, "catchup", "--channel", channel, "--streams", "--json", "--base-url", base_url)
    items = json.loads(out)
    assert status == 0 and len(items) == cat.SLOTS_PER_CHANNEL
    assert all(item["streams"] and item["streams"][0]["stream_url"] for item in items)
    status, out, _ = _run(capsys, "catchup", "--base-url", base_url)
    assert status == 0 and f"{fake.channel_count * cat.SLOTS_PER_CHANNEL} catch-up items" in out
