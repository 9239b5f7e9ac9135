"""client.playback against FakeAmino: media play sessions per user, playback info per profile, what the fake
stored, and every refusal as a typed error."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator

import httpx
import pytest

from amino_async import (
    NULL,
    AminoClient,
    ApiError,
    BadRequestError,
    MediaPlaySession,
    NotFoundError,
    PermissionDeniedError,
    PlaybackInfo,
)
from amino_async.testing import FakeAmino, FakeProfile
from tests.helpers import BASE_URL, Recorder

from ._catalogue_support import check_against_files, recording

__all__ = ["recording"]

USER, PASSWORD, USER_ID = "viewer@example.com", "pw", "2001"
OTHER = "other@example.com"


@pytest.fixture
def fake() -> FakeAmino:
    fake = FakeAmino(channels=5, users=[])
    fake.add_user(
        USER,
        PASSWORD,
        user_id=USER_ID,
        profiles=[FakeProfile("p-main", "Main", is_default=True), FakeProfile("p-kids", "Kids", is_child_profile=True)],
    )
    fake.add_user(OTHER, PASSWORD, user_id="2002")
    return fake


@pytest.fixture
async def client(recording: Recorder) -> AsyncIterator[AminoClient]:
    transport = httpx.ASGITransport(app=recording)
    async with AminoClient(BASE_URL, username=USER, password=PASSWORD, transport=transport) as amino:
        yield amino


async def test_a_session_from_start_to_end(fake: FakeAmino, client: AminoClient, recording: Recorder) -> None:
    session = await client.playback.create_session(
        "dash", service="live", device_type="stb", device_identifier="Home STB"
    )

    assert (recording.last().method, recording.last().path) == (
        "POST",
        f"/api/v1/media/users/{USER_ID}/media_play_sessions",
    )
    assert recording.last().json == {
        "stream_type": "dash",
        "service": "live",
        "device_type": "stb",
        "device_identifier": "Home STB",
    }
    assert recording.last().status == 201 and recording.last().response_headers["location"].endswith(session.id)
    assert isinstance(session, MediaPlaySession) and session.device_identifier == "Home STB"
    assert session.play_started_timestamp is not None
    assert list(fake.playback.sessions[USER_ID]) == [session.id]

    await client.playback.update_session(session.id, "dash", service="live", device_type="stb", ip4_address=NULL)
    assert recording.last().method == "PUT" and recording.last().status == 201
    assert recording.last().json == {
        "stream_type": "dash",
        "service": "live",
        "device_type": "stb",
        "ip4_address": None,
    }

    await client.playback.touch_session(session.id)
    assert recording.last().method == "PATCH" and recording.last().status == 204
    assert abs(recording.last().json["last_updated_timestamp"] - time.time()) < 5
    assert (
        fake.playback.sessions[USER_ID][session.id]["last_updated_timestamp"]
        == recording.last().json["last_updated_timestamp"]
    )

    (listed,) = await client.playback.list_sessions()
    assert listed.id == session.id and listed.ip4_address is None

    await client.playback.end_session(session.id)
    assert recording.last().method == "DELETE" and recording.last().status == 204
    assert await client.playback.list_sessions() == []
    assert check_against_files(recording.exchanges) == len(recording.exchanges)


async def test_session_refusals(fake: FakeAmino, client: AminoClient, recording: Recorder) -> None:
    fake.playback.max_sessions = 1
    first = await client.playback.create_session("hls", device_type="mobile")
    with pytest.raises(PermissionDeniedError) as too_many:
        await client.playback.create_session("hls")
    assert too_many.value.errors[0].title == "Too many sessions"
    with pytest.raises(PermissionDeniedError):
        await client.playback.update_session("new-one", "hls")
    with pytest.raises(ApiError) as conflict:
        await client.playback.update_session(first.id, "hls", device_type="stb")
    assert conflict.value.status == 409
    with pytest.raises(NotFoundError) as missing:
        await client.playback.touch_session("gone")
    assert 'ID "gone" not found' in (missing.value.errors[0].detail or "")
    with pytest.raises(BadRequestError):
        await client.playback.touch_session(first.id, last_updated_timestamp=int(time.time()) - 3600)
    with pytest.raises(NotFoundError):
        await client.playback.end_session("a/b?c#d")
    assert recording.last().raw_path.endswith("/media_play_sessions/a%2Fb%3Fc%23d")
    with pytest.raises(PermissionDeniedError):
        await client.playback.list_sessions(user_id="2002")  # another user's
    assert fake.playback.sessions["2002"] == {}
    check_against_files([e for e in recording.exchanges if e.status != 403 or e.method != "GET"])


async def test_playback_info_is_kept_per_profile(fake: FakeAmino, client: AminoClient, recording: Recorder) -> None:
    await client.playback.save_info("recording", "rec-1", 180, group_id="grp")

    assert (recording.last().method, recording.last().path) == (
        "PUT",
        "/api/playback_info/v1/user_profiles/p-main/assets/recording/rec-1",
    )
    assert recording.last().json == {
        "data": {"type": "PlaybackInfo", "attributes": {"playback_position": 180, "group_id": "grp"}}
    }
    assert recording.last().status == 204
    info = await client.playback.get_info("recording", "rec-1")
    assert isinstance(info, PlaybackInfo)
    assert (info.id, info.playback_position, info.group_id) == ("p-main.recording.rec-1", 180, "grp")
    assert fake.playback.info["p-main"]["recording", "rec-1"].playback_position == 180

    # Another profile of the account, through the view: it has none.
    kids = client.as_profile("p-kids")
    with pytest.raises(NotFoundError) as missing:
        await kids.playback.get_info("recording", "rec-1")
    assert missing.value.errors[0].code == "30401"
    assert recording.last().path.startswith("/api/playback_info/v1/user_profiles/p-kids/")
    await kids.playback.save_info("recording", "rec-2", 60)
    assert [i.asset_id for i in await kids.playback.list_info("recording")] == ["rec-2"]
    assert [i.asset_id for i in await client.playback.list_info("recording", group_id="grp")] == ["rec-1"]
    assert recording.last().query == "filter=group_id%3Agrp"
    assert await client.playback.list_info("vod") == []
    # The argument overrides the view.
    assert (await client.playback.get_info("recording", "rec-2", user_profile_id="p-kids")).playback_position == 60
    assert check_against_files(recording.exchanges) == len(recording.exchanges)


async def test_playback_info_refusals(fake: FakeAmino, client: AminoClient, recording: Recorder) -> None:
    other = fake.directory.resolve(OTHER)
    assert other is not None
    with pytest.raises(PermissionDeniedError) as forbidden:
        await client.playback.save_info("vod", "v", 1, user_profile_id=other.default_profile.id)
    assert forbidden.value.errors[0].code == "51"
    assert fake.playback.info[other.default_profile.id] == {}
    with pytest.raises(BadRequestError):
        await client.playback.get_info("film", "v")  # type: ignore[arg-type]
    with pytest.raises(BadRequestError):
        await client.playback.save_info("vod", "v", -5)
    with pytest.raises(BadRequestError):
        await client.request("PUT", "/user_profiles/p-main/assets/vod/v", family="playback_info", json={"x": 1})
    # The requests the files allow, and the fake's answers to them (a negative position is not refused by them).
    forbidden_put, _bad_type, negative, _no_data = recording.exchanges
    assert check_against_files([forbidden_put, negative]) == 2
