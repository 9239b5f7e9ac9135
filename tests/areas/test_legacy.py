"""The legacy reads against FakeAmino: ``client.legacy`` (categories, the v3 EPG, a user's channels and favourite
tags, legacy play URLs and legacy recordings), under asyncio and trio.

As in ``test_admin``, every exchange is checked against the OpenAPI file documenting it when the test ends.
"""

from __future__ import annotations

import datetime
import json
from collections.abc import AsyncIterator, Iterator
from typing import Any
from urllib.parse import parse_qs

import httpx
import pytest

from amino_async import (
    AminoClient,
    BadRequestError,
    ConfigurationError,
    DecodeError,
    NotFoundError,
    PermissionDeniedError,
)
from amino_async.models import ChannelLicenseInput, PermissionsGranted
from amino_async.models.legacy import (
    CategoryList,
    Guide,
    LegacyChannel,
    LegacyPlayback,
    LegacyProgram,
    RecordingGroup,
    UserChannels,
)
from amino_async.testing import FakeAmino
from amino_async.testing._catalogue import channel_traits

from ..helpers import BASE_URL, PASSWORD, USER_ID, USERNAME, Recorder
from ._operator_openapi import check

SERVICE = "dnaclient"
OTHER = "other@example.com"


@pytest.fixture
def fake() -> FakeAmino:
    fake = FakeAmino(channels=40)
    fake.add_user(OTHER, "other-secret")
    return fake


@pytest.fixture
def wire(fake: FakeAmino) -> Iterator[Recorder]:
    exchanges = Recorder(fake)
    yield exchanges
    ours = [exchange for exchange in exchanges.exchanges if not exchange.path.startswith("/api/auth/")]
    checked = [check(exchange, "legacy") for exchange in ours]
    # A test that got an answer checks it against its file, not only the requests.
    assert any(result.response_checked for result in checked) or all(e.status >= 400 for e in ours)


@pytest.fixture
async def user(wire: Recorder) -> AsyncIterator[AminoClient]:
    async with AminoClient(
        BASE_URL, transport=httpx.ASGITransport(app=wire), username=USERNAME, password=PASSWORD
    ) as client:
        yield client


def adult_channel(fake: FakeAmino) -> int:
    return next(i for i in range(fake.channel_count) if channel_traits(fake.seed, i).adult)


def radio_channel(fake: FakeAmino) -> int:
    return next(i for i in range(fake.channel_count) if channel_traits(fake.seed, i).radio)


# --- categories ---------------------------------------------------------------------------------------------


async def test_categories(wire: Recorder, user: AminoClient) -> None:
    listing = await user.legacy.categories(service=SERVICE, lang="fi")
    assert isinstance(listing, CategoryList) and listing.title == "Category List"
    assert [c.title for c in listing.categories][:2] == ["News (fi)", "Sports (fi)"]
    first = listing.categories[0]
    assert first.category_type == "booxtv_featured" and first.source == "Amino TV"
    assert first.epg_url is not None and first.epg_url.startswith(f"{BASE_URL}/api/v3/epg?")
    sent = wire.last("GET", "/api/category")
    assert parse_qs(sent.query) == {"service": [SERVICE], "lang": ["fi"]}
    assert "authorization" in sent.headers  # the bearer goes to every family
    with pytest.raises(BadRequestError) as missing:
        await user.legacy.categories(service="")
    assert missing.value.errors[0].code == "400" and "service" in (missing.value.detail or "")
    with pytest.raises(AssertionError, match="cannot be empty"):
        check(wire.take_last(), "legacy")  # the file refuses it too


# --- a user's channels ----------------------------------------------------------------------------------------


async def test_a_users_channels_page_by_page(fake: FakeAmino, wire: Recorder, user: AminoClient) -> None:
    page = await user.legacy.channels(service=SERVICE, pg=1, ipp=5, sort="title__desc")
    assert isinstance(page, UserChannels) and len(page.channels) == 5
    sent = wire.last("GET")
    assert sent.path == f"/api/user/{USERNAME}/channel"  # the logged-in user's username, the e-mail
    assert parse_qs(sent.query) == {"service": [SERVICE], "sort": ["title__desc"], "pg": ["1"], "ipp": ["5"]}
    assert page.result_set is not None and page.result_set.current_page == 1 and page.result_set.items_per_page == 5
    videos = page.result_set.total_items
    everything = await user.legacy.channels(service=SERVICE)
    assert len(everything.channels) == videos
    titles = [c.title for c in everything.channels]
    assert [c.title for c in page.channels] == sorted(titles, reverse=True)[5:10]
    channel = everything.channels[0]
    assert isinstance(channel, LegacyChannel) and channel.media_type == "video" and not channel.favorite
    assert channel.live_service is not None and channel.live_service.services[0].id == "1"
    stream = channel.live_service.services[0].stream
    assert stream is not None and stream.stream_url.endswith(f"/channel/{channel.id}/stream/1/play?service={SERVICE}")
    assert stream.bitrate == 6000  # sent as the string "6000"
    assert channel.categories[0].type == "CHANNEL_GROUP" and channel.raw == {}
    radios = await user.legacy.channels(service=SERVICE, media_type="audio")
    assert fake.channel_id(radio_channel(fake)) in {c.id for c in radios.channels}
    # Adult channels are verimatrix-protected: left out unless asked for.
    adult = fake.channel_id(adult_channel(fake))
    assert adult not in {c.id for c in everything.channels}
    protected = await user.legacy.channels(service=SERVICE, stream_protection=["all"])
    assert adult in {c.id for c in protected.channels}
    assert parse_qs(wire.last("GET").query)["stream_protection"] == ["all"]


async def test_favourite_tags(fake: FakeAmino, wire: Recorder, user: AminoClient) -> None:
    channel_id = fake.channel_id(2)
    tagged = await user.legacy.set_favourite(channel_id, True, service=SERVICE)
    sent = wire.last("PUT")
    assert sent.path == f"/api/user/{USERNAME}/channel/{channel_id}/tag"
    assert sent.headers["content-type"] == "application/x-www-form-urlencoded" and sent.body == b"favorite=true"
    assert parse_qs(sent.query) == {"service": [SERVICE]}
    assert tagged.id == channel_id and tagged.favorite
    assert fake.legacy.favourites_of(USER_ID) == [channel_id]
    favourites = await user.legacy.channels(service=SERVICE, favorite=True)
    assert [c.id for c in favourites.channels] == [channel_id]
    assert parse_qs(wire.last("GET").query)["favorite"] == ["true"]
    untagged = await user.legacy.set_favourite(channel_id, False, service=SERVICE)
    assert not untagged.favorite and fake.legacy.favourites_of(USER_ID) == []
    with pytest.raises(NotFoundError):
        await user.legacy.set_favourite("not-a-channel", True, service=SERVICE)


async def test_another_users_paths_are_refused(fake: FakeAmino, user: AminoClient) -> None:
    with pytest.raises(PermissionDeniedError) as refused:
        await user.legacy.channels(service=SERVICE, user_email=OTHER)
    assert refused.value.errors[0].code == "403"
    with pytest.raises(PermissionDeniedError):
        await user.legacy.set_favourite(fake.channel_id(0), True, service=SERVICE, user_email=OTHER)
    with pytest.raises(PermissionDeniedError):
        await user.legacy.search_recordings(user_id=OTHER)
    assert fake.legacy.favourites_of(fake.directory.by_name(OTHER).user_id) == []  # type: ignore[union-attr]


# --- the v3 EPG -----------------------------------------------------------------------------------------------


async def test_the_guide_between_two_times(fake: FakeAmino, wire: Recorder, user: AminoClient) -> None:
    day = datetime.datetime.now(datetime.timezone.utc).replace(hour=0, minute=0, second=0, microsecond=0)
    wanted = [fake.channel_id(1), fake.channel_id(3)]
    guide = await user.legacy.guide(
        service_token="token-1",
        st=day + datetime.timedelta(hours=6),
        et=int((day + datetime.timedelta(hours=8)).timestamp()),
        ch=wanted,
        sort="ch_id__asc",
        network=["ott", "dvb"],
    )
    sent = parse_qs(wire.last("GET", "/api/v3/epg").query)
    assert sent["st"] == [str(int((day + datetime.timedelta(hours=6)).timestamp()))]
    assert sent["ch"] == [",".join(wanted)] and sent["network"] == ["ott,dvb"]
    assert isinstance(guide, Guide) and [c.id for c in guide.channels] == wanted
    assert guide.result_set.total_items == 2
    programmes = guide.channels[0].programs
    assert [p.start_time for p in programmes] == [
        int((day + datetime.timedelta(hours=h)).timestamp()) for h in (6, 7, 8)
    ]
    first = programmes[0]
    assert first.program_uid == fake.broadcast_slot_id(1 * 24 + 6) and first.duration == 3600
    assert first.services is not None and first.services.catchup is not None
    assert guide.channels[0].services is not None and guide.channels[0].services.live_tv is not None
    paged = await user.legacy.guide(service_token="token-1", pg=2, ipp=10)
    assert [c.id for c in paged.channels] == [fake.channel_id(i) for i in range(20, 30)]
    with pytest.raises(ConfigurationError):
        await user.legacy.guide(service_token="token-1", st=datetime.datetime(2024, 1, 1))  # naive: which zone?
    with pytest.raises(BadRequestError):
        await user.legacy.guide(service_token="")
    with pytest.raises(AssertionError, match="cannot be empty"):
        check(wire.take_last(), "legacy")


# --- legacy play ----------------------------------------------------------------------------------------------


async def test_a_live_channel_plays_as_ajax_asks(fake: FakeAmino, wire: Recorder, user: AminoClient) -> None:
    channel_id = fake.channel_id(0)
    playback = await user.legacy.play_channel(channel_id, "1", startover=True)
    sent = wire.last("GET")
    assert sent.path == f"/api/user/{USERNAME}/channel/{channel_id}/stream/1/play"
    assert sent.headers["x-requested-with"] == "XMLHttpRequest" and parse_qs(sent.query) == {"startover": ["true"]}
    assert sent.status == 200
    assert isinstance(playback, LegacyPlayback) and playback.drm is None
    assert playback.url.startswith(f"https://live.example.net/legacy/{channel_id}/playlist.m3u8")
    protected = await user.legacy.play_channel(channel_id, "1", stream_type="mss")
    assert protected.drm is not None and protected.drm.encryption_mode == "playready"
    assert protected.drm.token is not None and protected.drm.token not in repr(protected)
    with pytest.raises(NotFoundError):
        await user.legacy.play_channel(channel_id, "9")


async def test_an_adult_channel_plays_only_with_a_license(fake: FakeAmino, wire: Recorder, user: AminoClient) -> None:
    channel_id = fake.channel_id(adult_channel(fake))
    with pytest.raises(PermissionDeniedError) as refused:
        await user.legacy.play_channel(channel_id, "1")
    assert refused.value.errors[0].code == "311"
    assert refused.value.detail == "You do not have a valid license to view this content"
    # An operator grants the channel (the admin area's state): now it plays.
    fake.admin.channel_licenses[USER_ID] = {}
    operator = fake.admin.add_operator(fake, "ops@example.com", "op-secret")
    async with AminoClient(
        BASE_URL, transport=httpx.ASGITransport(app=fake), username=operator.username, password="op-secret"
    ) as admin:
        await admin.admin.licenses.add_channel_licenses(
            USER_ID, [ChannelLicenseInput(channel_id, PermissionsGranted(("live",)))]
        )
    assert (await user.legacy.play_channel(channel_id, "1")).url.startswith("https://live.example.net/")


class _NotAjax:
    """In front of the fake: takes out the AJAX header, as a proxy that strips it would, so the fake redirects."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.media_requests = 0

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            if scope["headers"] and any(k == b"host" and b"example.net" in v for k, v in scope["headers"]):
                self.media_requests += 1
            scope = {**scope, "headers": [(k, v) for k, v in scope["headers"] if k != b"x-requested-with"]}
        await self.app(scope, receive, send)


async def test_a_redirect_answer_gives_its_target_without_following_it(fake: FakeAmino, wire: Recorder) -> None:
    front = _NotAjax(wire)
    async with AminoClient(
        BASE_URL, transport=httpx.ASGITransport(app=front), username=USERNAME, password=PASSWORD
    ) as client:
        channel_id = fake.channel_id(0)
        live = await client.legacy.play_channel(channel_id, "1")
        assert wire.last("GET").status == 302
        assert live.url == wire.last("GET").response_headers["location"]
        recording = await client.legacy.play_recording(fake.recording_id(3), service=SERVICE, stream_type="dash")
        assert recording.url == f"https://npvr.example.net/legacy/{fake.recording_id(3)}/manifest.mpd"
    assert front.media_requests == 0  # nothing followed the redirects
    assert all(exchange.headers.get("host") == "localhost" for exchange in wire.exchanges)


async def test_a_recording_plays(fake: FakeAmino, wire: Recorder, user: AminoClient) -> None:
    playback = await user.legacy.play_recording(fake.recording_id(0), service=SERVICE)
    sent = wire.last("GET")
    assert sent.path == f"/api/user/{USERNAME}/recording/{fake.recording_id(0)}" and sent.status == 200
    assert playback.url.endswith("/playlist.m3u8")
    with pytest.raises(NotFoundError):
        await user.legacy.play_recording(fake.recording_id(fake.recording_count - 1), service=SERVICE)


# --- legacy recordings ---------------------------------------------------------------------------------------


async def test_recordings_are_searched_newest_first(fake: FakeAmino, wire: Recorder, user: AminoClient) -> None:
    found = await user.legacy.search_recordings(ipp=4)
    assert found.storage is not None and found.storage.total == "100:00:00"
    assert found.result_set is not None and found.result_set.total_items == 25
    starts = [p.start_time for p in found.programs]
    assert len(starts) == 4 and found.programs[0].recordings[0].status == "RECORDED"
    assert len(found.programs[0].recordings) == 2  # "always at least 2 streams"
    assert found.programs[0].recordings[0].recording_id == found.programs[0].program_uid
    everything = await user.legacy.search_recordings()
    parsed = [email_time(p) for p in everything.programs]
    assert parsed == sorted(parsed, reverse=True)
    channel = fake.channel_id(1)
    on_one = await user.legacy.search_recordings(ch=[channel], keyword="recording 2", search_in="title")
    assert [p.channel_id for p in on_one.programs] == [channel]
    assert parse_qs(wire.last("GET").query) == {"ch": [channel], "keyword": ["recording 2"], "search_in": ["title"]}


def email_time(programme: LegacyProgram) -> float:
    import email.utils

    assert programme.start_time is not None
    return email.utils.parsedate_to_datetime(programme.start_time).timestamp()


async def test_recording_groups_and_their_programmes(fake: FakeAmino, wire: Recorder, user: AminoClient) -> None:
    listing = await user.legacy.recording_groups()
    assert len(listing.groups) == 12 and len(listing.programs) == 1  # 25 recordings: 12 channels of 2, one alone
    assert [item.title for item in listing.items] == sorted(item.title for item in listing.items)
    group = listing.groups[0]
    assert isinstance(group, RecordingGroup) and group.type == "SYSTEMGROUP" and group.programs_count == 2
    assert group.latest_programs[0].channel_info is not None
    programmes = await user.legacy.group_programs(group.id, pg=0, ipp=1)
    assert wire.last("GET").path == f"/api/user/{USERNAME}/recording/group/{group.id}/program"
    assert len(programmes.programs) == 1 and programmes.result_set is not None
    assert programmes.result_set.total_items == 2  # read from the file's nested resultSet.resultSet
    with pytest.raises(NotFoundError):
        await user.legacy.group_programs("no-such-group")


async def test_catchup_lists_what_has_begun_today(fake: FakeAmino, wire: Recorder, user: AminoClient) -> None:
    listing = await user.legacy.catchup(ipp=5, show_past_catchup=True)
    assert parse_qs(wire.last("GET").query) == {"ipp": ["5"], "show_past_catchup": ["true"]}
    assert len(listing.programs) == 5 and listing.description == "Catchup Listing"
    assert listing.result_set is not None and listing.result_set.items_per_page == 5
    first = listing.programs[0]
    assert first.recordable == "true" and first.fast_forward is not None and first.fast_forward.catchup
    now = datetime.datetime.now(datetime.timezone.utc).timestamp()
    assert all(email_time(p) <= now for p in listing.programs)
    radio = fake.channel_id(radio_channel(fake))
    assert (await user.legacy.catchup(ch=[radio])).programs == ()


# --- decoding ------------------------------------------------------------------------------------------------


async def test_an_odd_field_falls_back_and_strict_refuses(fake: FakeAmino, wire: Recorder) -> None:
    channel = {
        "id": "c-1",
        "title": "Odd",
        "rank": "first",  # not an integer
        "favorite": True,
        "liveservice": {"services": "none"},  # not an array
    }
    body = json.dumps({"resultSet": {"totalItems": 1}, "channelList": {"description": "x", "channels": [channel]}})
    path = f"/api/user/{USERNAME}/channel"
    async with AminoClient(
        BASE_URL, transport=httpx.ASGITransport(app=fake), username=USERNAME, password=PASSWORD
    ) as c:
        fake.inject(path, status=200, body=body)
        (odd,) = (await c.legacy.channels(service=SERVICE)).channels
        assert (odd.id, odd.title, odd.favorite, odd.rank, odd.live_service) == ("c-1", "Odd", True, None, None)
        assert odd.raw == {"rank": "first", "liveservice": {"services": "none"}}
    async with AminoClient(
        BASE_URL, transport=httpx.ASGITransport(app=fake), username=USERNAME, password=PASSWORD, strict=True
    ) as strict:
        fake.inject(path, status=200, body=body)
        with pytest.raises(DecodeError) as refused:
            await strict.legacy.channels(service=SERVICE)
    assert refused.value.path.startswith("channelList.channels[0].")


async def test_answers_of_the_wrong_shape_are_decode_errors(fake: FakeAmino) -> None:
    async with AminoClient(
        BASE_URL, transport=httpx.ASGITransport(app=fake), username=USERNAME, password=PASSWORD
    ) as c:
        fake.inject("/api/category", kind="malformed")
        with pytest.raises(DecodeError) as malformed:
            await c.legacy.categories(service=SERVICE)
        assert malformed.value.path == "categoryList"
        fake.inject("/api/v3/epg", status=200, body=b"")
        with pytest.raises(DecodeError):
            await c.legacy.guide(service_token="t")
        channel = fake.channel_id(0)
        fake.inject(f"/api/user/{USERNAME}/channel/{channel}/stream/1/play", kind="malformed")
        with pytest.raises(DecodeError) as no_url:
            await c.legacy.play_channel(channel, "1")
        assert no_url.value.path == "redirect.url"
        fake.inject(
            f"/api/user/{USERNAME}/recording/group",
            status=200,
            body=b'{"groupedAndSingleProgramsList": {"groupsAndPrograms": 3}}',
        )
        with pytest.raises(DecodeError):
            await c.legacy.recording_groups()


async def test_the_schemas_own_slips_are_read_as_their_examples_show(fake: FakeAmino) -> None:
    """Where a file's schema and its example disagree, both spellings are read (see ``resources.legacy``)."""
    async with AminoClient(
        BASE_URL, transport=httpx.ASGITransport(app=fake), username=USERNAME, password=PASSWORD
    ) as c:
        programme = {"title": "Under services", "programUId": "p-1", "startTime": 1}
        guide = {
            "resultSet": {"totalItems": 1},
            "channels": [{"id": "c", "title": "C", "services": {"programs": [programme]}}],
        }
        fake.inject("/api/v3/epg", status=200, body=json.dumps(guide))
        (channel,) = (await c.legacy.guide(service_token="t")).channels
        assert [p.program_uid for p in channel.programs] == ["p-1"]
        drm = {"redirect": {"url": "https://media/x"}, "drm": {"encryptedMode": "widevine", "token": "t"}}
        fake.inject(f"/api/user/{USERNAME}/recording/r-1", status=200, body=json.dumps(drm))
        played = await c.legacy.play_recording("r-1", service=SERVICE)
        assert played.drm is not None and played.drm.encryption_mode == "widevine"
        search = {"storage": {"storage": "10:00:00", "left": "1:00:00"}, "recordedContent": {}, "programList": {}}
        fake.inject(f"/api/user/{USERNAME}/recording/search", status=200, body=json.dumps(search))
        found = await c.legacy.search_recordings()
        assert found.storage is not None and (found.storage.total, found.storage.left) == ("10:00:00", "1:00:00")
        nested = {"resultSet": {"resultSet": {"totalItems": 3}, "programList": {"programs": [{"title": "T"}]}}}
        fake.inject(f"/api/user/{USERNAME}/recording/catchup", status=200, body=json.dumps(nested))
        catchup = await c.legacy.catchup()
        assert catchup.result_set is not None and catchup.result_set.total_items == 3
        assert [p.title for p in catchup.programs] == ["T"]


async def test_legacy_reads_over_a_real_socket(fake: FakeAmino) -> None:
    async with fake.serve() as base_url, AminoClient(base_url, username=USERNAME, password=PASSWORD) as client:
        assert len((await client.legacy.categories(service=SERVICE)).categories) == 8
        channel_id = fake.channel_id(0)
        assert (await client.legacy.set_favourite(channel_id, True, service=SERVICE)).favorite
        assert (await client.legacy.play_channel(channel_id, "1")).url.startswith("https://live.example.net/")
    assert fake.legacy.favourites_of(USER_ID) == [channel_id]


async def test_every_operation_is_checked_against_its_file(fake: FakeAmino, wire: Recorder, user: AminoClient) -> None:
    """One call of each operation: its request and its answer conform to the file documenting it."""
    from ._operator_openapi import operations

    channel_id = fake.channel_id(0)
    await user.legacy.categories(service=SERVICE)
    await user.legacy.channels(service=SERVICE, include=["product", "liveservice"], ipp=3)
    await user.legacy.set_favourite(channel_id, True, service=SERVICE)
    await user.legacy.guide(service_token="t", ipp=2, stream_protection=["none", "vualto"])
    await user.legacy.play_channel(channel_id, "1", stream_type="mss")
    await user.legacy.play_recording(fake.recording_id(0), service=SERVICE)
    await user.legacy.search_recordings(ipp=2)
    groups = await user.legacy.recording_groups()
    await user.legacy.group_programs(groups.groups[0].id)
    await user.legacy.catchup(ipp=2, network=["ott"])
    results = [check(e, "legacy") for e in wire.exchanges if not e.path.startswith("/api/auth/")]
    assert {result.operation_id for result in results if result.response_checked} == {
        op for _, _, _, op in operations("legacy")
    }
    assert len(results) == 10 == len(operations("legacy"))
