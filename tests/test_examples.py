"""The examples run: the FastAPI app serving two users at once, and the bulk fetcher writing JSON lines."""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from types import ModuleType
from typing import Any

import anyio
import pytest

from amino_async.testing import FakeAmino

from .helpers import httpx, in_process

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def _load(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"amino_example_{name}", EXAMPLES / f"{name}.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclass-like tools look their module up by name
    spec.loader.exec_module(module)
    return module


fastapi_app = _load("fastapi_app")
bulk_fetch = _load("bulk_fetch")


# --- examples/fastapi_app.py -----------------------------------------------------------------------------


@pytest.fixture
async def backend() -> AsyncIterator[tuple[FakeAmino, httpx.AsyncClient]]:
    """The app, its lifespan running, calling a FakeAmino in-process; an HTTP client of the app."""
    fake = FakeAmino(channels=20)
    fake.add_user("bob@example.com", "bobs-password")
    app = fastapi_app.create_app("http://localhost", transport=httpx.ASGITransport(app=fake))
    # httpx.ASGITransport sends no lifespan events: run the app's lifespan around the test, as a server would.
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://app.test") as http,
    ):
        yield fake, http


def test_fastapi_app_without_amino_base_url_says_what_to_set(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AMINO_BASE_URL", raising=False)
    with pytest.raises(SystemExit, match="set AMINO_BASE_URL to the Amino deployment"):
        fastapi_app.create_app()
    # As the README runs it: uvicorn prints the line and exits 1, without a traceback.
    result = subprocess.run(
        [sys.executable, "-m", "uvicorn", "--factory", "examples.fastapi_app:create_app", "--port", "0"],
        cwd=EXAMPLES.parent,
        env={name: value for name, value in os.environ.items() if name != "AMINO_BASE_URL"},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 1
    assert "Traceback" not in result.stderr and "KeyError" not in result.stderr
    assert result.stderr.strip().splitlines()[-1].startswith("fastapi_app: set AMINO_BASE_URL"), result.stderr


def _as(fake: FakeAmino, user_id: str, session: str | None = None) -> dict[str, str]:
    """The headers of a browser of user ``user_id`` logged in to Amino."""
    return {"X-Amino-User-Id": user_id, "Cookie": f"amino_session={session or fake.create_session(user_id)}"}


async def test_fastapi_app_serves_two_users_at_once_each_as_themselves(
    backend: tuple[FakeAmino, httpx.AsyncClient],
) -> None:
    fake, http = backend
    alice, bob = fake.users
    headers = {alice.user_id: _as(fake, alice.user_id), bob.user_id: _as(fake, bob.user_id)}
    # Alice asks for channels 0-5 and Bob for 6-11, all at once.
    wanted = {fake.channel_id(i): (alice if i < 6 else bob).user_id for i in range(12)}
    answers: dict[str, Any] = {}

    async def get(channel_id: str, user_id: str) -> None:
        response = await http.get(
            f"/channels/{channel_id}/streams", params={"stream_type": "dash"}, headers=headers[user_id]
        )
        answers[channel_id] = (response.status_code, response.json())

    async with anyio.create_task_group() as group:
        for channel_id, user_id in wanted.items():
            group.start_soon(get, channel_id, user_id)

    for channel_id, (status, streams) in answers.items():
        assert status == 200
        assert streams
        assert all(channel_id in stream["stream_url"] and ".mpd" in stream["stream_url"] for stream in streams)
    # Each call reached Amino with the bearer of the user who made it.
    assert fake.stats.requests_by_user == {alice.user_id: 6, bob.user_id: 6}
    for user_id, _, _, path in fake.stats.authorized_log:
        assert wanted[path.split("/")[4]] == user_id
    assert fake.stats.grants["cookie"] == 2  # one cookie exchange per user, however many requests they made


async def test_fastapi_app_maps_amino_errors_to_http_answers(backend: tuple[FakeAmino, httpx.AsyncClient]) -> None:
    fake, http = backend
    user_id = fake.default_user.user_id
    headers = _as(fake, user_id)
    channel = fake.channel_id(1)

    response = await http.get("/channels", params={"page": 2}, headers=headers)
    assert response.status_code == 200
    assert response.json() == []  # 20 channels: page 2 is empty
    response = await http.get("/channels", headers=headers)
    assert [channel["id"] for channel in response.json()] == [fake.channel_id(i) for i in range(20)]

    logins = fake.stats.calls["login"]
    response = await http.get(f"/channels/{channel}/streams")
    assert response.status_code == 401  # no Amino session at all: Amino is not even asked
    assert fake.stats.calls["login"] == logins

    # The user has a live session in the app (the calls above), yet naming their user id with another cookie
    # gets nothing of theirs.
    response = await http.get(f"/channels/{channel}/streams", headers=_as(fake, user_id, session="forged"))
    assert response.status_code == 401
    assert fake.stats.token_refusals["no_session"] == 1

    response = await http.get(f"/channels/{fake.channel_id(999)}/streams", headers=headers)
    assert response.status_code == 404

    # A user id that would move the SDK's request elsewhere never leaves the app.
    calls = sum(fake.stats.calls.values())
    for hostile in ("..", "."):
        response = await http.get(
            f"/channels/{channel}/streams", headers=_as(fake, user_id) | {"X-Amino-User-Id": hostile}
        )
        assert response.status_code == 400
    assert sum(fake.stats.calls.values()) == calls

    response = await http.get(f"/channels/{channel}/streams", params={"stream_type": "flash"}, headers=headers)
    assert response.status_code == 422  # FastAPI checked the query before Amino saw it

    fake.inject(f"/api/v1/channels/{channel}/relationships/streams", times=1, status=500)
    response = await http.get(f"/channels/{channel}/streams", headers=headers)
    assert (response.status_code, response.json()) == (502, {"detail": "Amino answered with an error"})

    fake.inject(f"/api/v1/channels/{channel}/relationships/streams", times=3, status=429, headers={"Retry-After": "0"})
    response = await http.get(f"/channels/{channel}/streams", headers=headers)
    assert response.status_code == 429
    assert response.headers["retry-after"] == "1"

    response = await http.get(f"/channels/{channel}/streams", headers=headers)
    assert response.status_code == 200  # and the next call is fine again


# --- examples/bulk_fetch.py ------------------------------------------------------------------------------


async def test_bulk_fetch_writes_one_line_per_channel(tmp_path: Path) -> None:
    fake = FakeAmino(channels=130)
    broken = fake.channel_id(77)
    fake.inject(f"/api/v1/channels/{broken}/relationships/streams", times=1, status=500)
    out = tmp_path / "streams.jsonl"
    async with in_process(fake) as client:
        written = await bulk_fetch.bulk_fetch(client, out, concurrency=10, stream_type="hls")
    lines = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert (written.channels, written.errors) == (130, 1)
    assert sorted(line["channel_id"] for line in lines) == sorted(fake.channel_id(i) for i in range(130))
    by_id = {line["channel_id"]: line for line in lines}
    assert "HTTP 500" in by_id.pop(broken)["error"]
    assert all(line["streams"] and ".m3u8" in line["streams"][0]["stream_url"] for line in by_id.values())
    assert written.streams == sum(len(line["streams"]) for line in by_id.values())


def test_bulk_fetch_demo_from_its_command_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "streams.jsonl"
    assert bulk_fetch.main(["--demo", "--channels", "120", "--concurrency", "16", "--out", str(out)]) == 0
    assert len(out.read_text(encoding="utf-8").splitlines()) == 120
    assert "120 channels" in capsys.readouterr().err


def test_bulk_fetch_against_a_deployment_needs_credentials(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AMINO_USERNAME", raising=False)
    monkeypatch.delenv("AMINO_PASSWORD", raising=False)
    with pytest.raises(SystemExit, match="AMINO_PASSWORD"):
        bulk_fetch.main(["--base-url", "http://127.0.0.1:1", "--out", str(tmp_path / "x.jsonl")])


def test_bulk_fetch_bad_arguments_and_unwritable_output_end_in_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as usage:
        bulk_fetch.main(["--demo", "--concurrency", "0", "--out", str(tmp_path / "x.jsonl")])
    assert usage.value.code == 2
    capsys.readouterr()
    missing = tmp_path / "no" / "such" / "dir" / "x.jsonl"
    assert bulk_fetch.main(["--demo", "--channels", "3", "--out", str(missing)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: ") and len(err.strip().splitlines()) == 1


async def test_fastapi_app_schedules_a_recording_for_the_signed_in_user_only(
    backend: tuple[FakeAmino, httpx.AsyncClient],
) -> None:
    fake, http = backend
    alice, bob = fake.users
    slot = fake.broadcast_slot_id(1)
    alices, bobs = _as(fake, alice.user_id), _as(fake, bob.user_id)

    response = await http.post("/recordings", json={"broadcast_slot_id": slot, "is_favourite": True}, headers=alices)
    assert response.status_code == 201, response.text
    made = response.json()  # the SDK's Recording, as FastAPI serializes it: its fields, its relationships a list
    assert made["is_favourite"] is True
    assert {"type": "BroadcastSlot", "id": slot} in made["relationships"]
    # The write landed on Alice's own profile, and only there.
    stored = fake.recordings.recordings_of_user(alice.user_id)
    assert [(r.id, r.profile_id) for r in stored] == [(made["id"], alice.default_profile.id)]
    assert fake.recordings.recordings_of_user(bob.user_id) == []
    assert [r["id"] for r in (await http.get("/recordings", headers=alices)).json()] == [made["id"]]
    assert (await http.get("/recordings", headers=bobs)).json() == []

    # Amino's refusals keep their status: recording it again is a 409, a slot that does not exist a 404.
    again = await http.post("/recordings", json={"broadcast_slot_id": slot}, headers=alices)
    assert again.status_code == 409
    missing = await http.post("/recordings", json={"broadcast_slot_id": fake.broadcast_slot_id(10**6)}, headers=bobs)
    assert missing.status_code == 404
    assert (await http.post("/recordings", json={"broadcast_slot_id": slot})).status_code == 401
    # Bob naming Alice's profile gets Amino's 403, and nothing is written.
    body = {"broadcast_slot_id": fake.broadcast_slot_id(2), "profile_id": alice.default_profile.id}
    assert (await http.post("/recordings", json=body, headers=bobs)).status_code == 403
    assert len(fake.recordings.all) == 1
