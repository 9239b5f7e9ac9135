"""FakeAmino's data endpoints: channels, the three streams endpoints, user profiles."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import AsyncIterator
from typing import Any

import pytest

from amino_async.testing import FakeAmino

from ..helpers import httpx

CHANNELS = "/api/metadata/v1/channels"
CHANNEL_STREAMS = "/api/v1/channels/{}/relationships/streams"
CATCHUP_STREAMS = "/api/v1/catchup/{}/relationships/streams"
RECORDING_STREAMS = "/api/v1/recordings/{}/relationships/streams"
PROFILES = "/api/users/v1/users/{}/user_profiles"


@pytest.fixture
def fake() -> FakeAmino:
    return FakeAmino(channels=250)


@pytest.fixture
async def client(fake: FakeAmino) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=fake)
    async with httpx.AsyncClient(transport=transport, base_url="http://amino.test") as client:
        body = {"grant_type": "password", "credentials": {"username": "user@example.com", "password": "secret"}}
        token = (await client.post("/api/auth/v1/access_tokens", json=body)).json()["data"]["attributes"]
        client.headers["Authorization"] = f"Bearer {token['access_token']}"
        yield client


async def get_json(client: httpx.AsyncClient, url: str, **params: Any) -> dict[str, Any]:
    # params={} would make httpx drop a query already in ``url`` (a next link's).
    response = await client.get(url, params=params or None)
    assert response.status_code == 200, response.text
    document: dict[str, Any] = response.json()
    return document


async def every_channel(client: httpx.AsyncClient, **params: Any) -> list[dict[str, Any]]:
    channels: list[dict[str, Any]] = []
    for page in range(1, 10_000):
        data = (await get_json(client, CHANNELS, page_number=page, **params))["data"]
        channels += data
        if len(data) < 100:
            return channels
    raise AssertionError("never a short page")


def assert_bad_request(response: httpx.Response, parameter: str) -> None:
    assert response.status_code == 400
    (error,) = response.json()["errors"]
    assert set(error) == {"id", "href", "code", "title", "details"}
    assert parameter in error["details"]


# --- channels ---


async def test_channels_pages_hold_100_and_the_last_is_short(client: httpx.AsyncClient) -> None:
    sizes = [len((await get_json(client, CHANNELS, page_number=n))["data"]) for n in (1, 2, 3, 4)]

    assert sizes == [100, 100, 50, 0]
    assert (await get_json(client, CHANNELS))["data"] == (await get_json(client, CHANNELS, page_number=1))["data"]


async def test_channel_resources_carry_every_channel_entity_field(fake: FakeAmino, client: httpx.AsyncClient) -> None:
    document = await get_json(client, CHANNELS)

    channel = document["data"][0]
    assert channel["type"] == "Channel"
    assert channel["id"] == fake.channel_id(0)
    attributes = channel["attributes"]
    assert set(attributes) == {
        "name",
        "logical_channel_number",
        "is_demo_channel",
        "is_local_channel",
        "allowed_devices",
        "media_type",
        "content_flags",
        "display_order_weight",
        "images",
        "availability_window",
        "geo_availability",
        "services_available",
        "delivery_networks",
        "relationships",
    }
    assert attributes["logical_channel_number"] == 1
    assert {"image_type", "width_pixels", "height_pixels", "iso_639-2_lang", "url"} <= set(attributes["images"][0])
    assert [r["type"] for r in attributes["relationships"]] == ["Genre", "Product"]
    links = document["links"]
    assert links["play"].startswith("http://amino.test/api/v1/channels/")
    assert "restart_at_beginning=true" in links["start_over"]
    assert "next" not in links


async def test_included_holds_each_referenced_genre_and_product_once(client: httpx.AsyncClient) -> None:
    document = await get_json(client, CHANNELS)

    included = {(r["type"], r["id"]): r for r in document["included"]}
    assert len(included) == len(document["included"])
    referenced = {(r["type"], r["id"]) for c in document["data"] for r in c["attributes"]["relationships"]}
    assert referenced == set(included)
    assert all(isinstance(r["attributes"]["name"], str) for r in included.values())


async def test_the_catalogue_is_realistic(client: httpx.AsyncClient) -> None:
    channels = await every_channel(client)

    media = Counter(c["attributes"]["media_type"] for c in channels)
    assert 10 <= media["audio"] <= 45
    assert media["audio"] + media["mixed"] == 250
    adult = [c for c in channels if any(f["is_adult_rated"] for f in c["attributes"]["content_flags"])]
    assert 1 <= len(adult) <= 25
    references = Counter(r["type"] for c in channels for r in c["attributes"]["relationships"])
    assert references == {"Genre": 250, "Product": 250}
    genres = {r["id"] for c in channels for r in c["attributes"]["relationships"] if r["type"] == "Genre"}
    products = {r["id"] for c in channels for r in c["attributes"]["relationships"] if r["type"] == "Product"}
    assert (len(genres), len(products)) == (8, 5)
    assert len({c["id"] for c in channels}) == 250


async def test_ten_thousand_channels_page_through_next_links(fake: FakeAmino, client: httpx.AsyncClient) -> None:
    fake.channel_count = 10_000
    fake.send_next_links = True

    url: str | None = f"http://amino.test{CHANNELS}?sort=logical_channel_number"
    ids: list[str] = []
    pages = 0
    while url is not None:
        document = await get_json(client, url)
        ids += [c["id"] for c in document["data"]]
        url = document["links"].get("next")
        pages += 1

    assert pages == 100
    assert ids == [fake.channel_id(i) for i in range(10_000)]


async def test_next_links_keep_the_query_and_stop_on_the_last_page(fake: FakeAmino, client: httpx.AsyncClient) -> None:
    fake.send_next_links = True

    first = await get_json(client, CHANNELS, sort="-logical_channel_number", language="fin")
    last = await get_json(client, CHANNELS, page_number=3)
    past_the_end = await get_json(client, CHANNELS, page_number=9)

    assert first["links"]["next"] == (
        "http://amino.test/api/metadata/v1/channels?page_number=2&sort=-logical_channel_number&language=fin"
    )
    assert "next" not in last["links"]
    assert past_the_end["data"] == []
    assert "next" not in past_the_end["links"]


@pytest.mark.parametrize("sort", ["-logical_channel_number", "-channel.logical_channel_number"])
async def test_descending_sort(fake: FakeAmino, client: httpx.AsyncClient, sort: str) -> None:
    pages = [(await get_json(client, CHANNELS, sort=sort, page_number=n))["data"] for n in (1, 3)]

    numbers = [c["attributes"]["logical_channel_number"] for c in pages[0]]
    assert numbers == list(range(250, 150, -1))
    assert [c["id"] for c in pages[1]] == [fake.channel_id(i) for i in range(49, -1, -1)]


async def test_ascending_sort_is_the_default_order(client: httpx.AsyncClient) -> None:
    plain = await get_json(client, CHANNELS)

    assert plain == await get_json(client, CHANNELS, sort="channel.logical_channel_number")


async def test_genre_filter(client: httpx.AsyncClient) -> None:
    sports = await every_channel(client, filter="genre.name:Sports")

    assert sports
    assert all(c["attributes"]["name"].split()[1] == "Sports" for c in sports)
    (genre,) = {r["id"] for c in sports for r in c["attributes"]["relationships"] if r["type"] == "Genre"}
    included = (await get_json(client, CHANNELS, filter="genre.name:sports"))["included"]
    assert [r["attributes"]["name"] for r in included if r["id"] == genre] == ["Sports"]
    assert (await get_json(client, CHANNELS, filter="genre.name:Opera"))["data"] == []


@pytest.mark.parametrize("adult", ["true", "false"])
async def test_adult_filter(client: httpx.AsyncClient, adult: str) -> None:
    channels = await every_channel(client, filter=f"content_rating.adult:{adult}")

    flagged = [any(f["is_adult_rated"] for f in c["attributes"]["content_flags"]) for c in channels]
    assert flagged
    assert set(flagged) == {adult == "true"}


async def test_language_tags_the_images(client: httpx.AsyncClient) -> None:
    default = (await get_json(client, CHANNELS))["data"][0]["attributes"]["images"]
    finnish = (await get_json(client, CHANNELS, language="FIN"))["data"][0]["attributes"]["images"]

    assert {i["iso_639-2_lang"] for i in default} == {"eng"}
    assert {i["iso_639-2_lang"] for i in finnish} == {"fin"}


@pytest.mark.parametrize(
    ("params", "parameter"),
    [
        ({"page_number": "0"}, "page_number"),
        ({"page_number": "two"}, "page_number"),
        ({"page_number": "-1"}, "page_number"),
        ({"sort": "name"}, "sort"),
        ({"filter": "name:YLE"}, "filter"),
        ({"filter": "content_rating.adult:maybe"}, "filter"),
        ({"filter": "Sports"}, "filter"),
        ({"language": "fi"}, "language"),
        ({"language": "f1n"}, "language"),
    ],
)
async def test_bad_channel_parameters_answer_400(
    client: httpx.AsyncClient, params: dict[str, str], parameter: str
) -> None:
    assert_bad_request(await client.get(CHANNELS, params=params), parameter)


async def test_channel_count_may_change_while_serving(fake: FakeAmino, client: httpx.AsyncClient) -> None:
    assert len(await every_channel(client)) == 250

    fake.channel_count = 120

    assert len(await every_channel(client)) == 120
    assert (await client.get(CHANNEL_STREAMS.format(fake.channel_id(200)))).status_code == 404


# --- ids ---


def test_ids_encode_the_index_and_depend_only_on_the_seed() -> None:
    fake, twin, other = FakeAmino(), FakeAmino(seed=0), FakeAmino(seed=1)

    ids = [fake.channel_id(7), fake.broadcast_slot_id(7), fake.recording_id(7)]

    assert len(set(ids)) == 3
    assert all(len(i) == 36 and i.count("-") == 4 for i in ids)
    assert ids == [twin.channel_id(7), twin.broadcast_slot_id(7), twin.recording_id(7)]
    assert other.channel_id(7) != fake.channel_id(7)
    assert fake.channel_id(7) != fake.channel_id(8)
    with pytest.raises(ValueError, match="index"):
        fake.channel_id(-1)


# --- channel streams ---


async def test_channel_streams_are_three_full_resources_two_sharing_an_id(
    fake: FakeAmino, client: httpx.AsyncClient
) -> None:
    document = await get_json(client, CHANNEL_STREAMS.format(fake.channel_id(3)))

    streams = document["data"]
    assert len(streams) == 3
    assert {s["type"] for s in streams} == {"PlayableStream"}
    assert streams[0]["id"] == streams[1]["id"] != streams[2]["id"]
    assert streams[0]["attributes"]["bitrate"] != streams[1]["attributes"]["bitrate"]
    for stream in streams:
        attributes = stream["attributes"]
        assert json.loads(stream["id"])["stream_url"] == attributes["stream_url"]
        assert set(attributes) == {
            "profile_name",
            "suggested_market_segments",
            "suggested_start_time",
            "suggested_devices",
            "codec_info",
            "transport_protocol",
            "streaming_protocols",
            "bitrate",
            "max_resolution",
            "max_fps",
            "vbr_max_bitrate",
            "stream_url",
            "protection_types",
            "protection_keys",
        }
        assert isinstance(attributes["bitrate"], int)
        (key,) = attributes["protection_keys"]
        assert key["type"] == "widevine"
        assert {"key", "laUrl", "keySystem"} <= set(key)
        assert attributes["streaming_protocols"] == ["dash"]
        assert ".mpd" in attributes["stream_url"]


async def test_stream_options_show_in_urls_and_keys(fake: FakeAmino, client: httpx.AsyncClient) -> None:
    url = CHANNEL_STREAMS.format(fake.channel_id(3))
    hls = await get_json(client, url, streamType="hls", restart_at_beginning="true", device_class="mobile", network="x")
    mp4 = await get_json(client, url, streamType="mp4")
    playready = await get_json(client, url, streamType="dash", drmSystem="playready")

    attributes = hls["data"][0]["attributes"]
    assert ".m3u8" in attributes["stream_url"]
    assert "startover=1" in attributes["stream_url"]
    assert attributes["protection_keys"][0]["type"] == "fairplay"
    assert attributes["suggested_devices"] == ["iOS", "Android"]
    assert mp4["data"][0]["attributes"]["protection_types"] == ["none"]
    assert mp4["data"][0]["attributes"]["protection_keys"] == []
    assert playready["data"][0]["attributes"]["protection_keys"][0]["type"] == "playready"


@pytest.mark.parametrize(
    ("params", "parameter"),
    [
        ({"streamType": "rtsp"}, "streamType"),
        ({"drmSystem": "clearkey"}, "drmSystem"),
        ({"restart_at_beginning": "yes"}, "restart_at_beginning"),
        ({"device_class": "fridge"}, "device_class"),
        ({"network": "no spaces"}, "network"),
    ],
)
async def test_bad_stream_options_answer_400(
    fake: FakeAmino, client: httpx.AsyncClient, params: dict[str, str], parameter: str
) -> None:
    response = await client.get(CHANNEL_STREAMS.format(fake.channel_id(0)), params=params)

    assert_bad_request(response, parameter)


def assert_not_found(response: httpx.Response, details: str) -> None:
    assert response.status_code == 404
    (error,) = response.json()["errors"]
    assert error["status"] == "404"
    assert error["title"] == "Not found"
    assert error["details"] == details
    assert "detail" not in error


async def test_unknown_channel_answers_404_in_the_details_variant(fake: FakeAmino, client: httpx.AsyncClient) -> None:
    beyond = fake.channel_id(250)

    for channel_id in ("23", beyond, fake.recording_id(0)):
        response = await client.get(CHANNEL_STREAMS.format(channel_id), params={"streamType": "dash"})
        details = f"Streams for requested format: dash for streamable (channel) with ID {channel_id} not found"
        assert_not_found(response, details)


async def test_a_format_without_streams_answers_404(fake: FakeAmino, client: httpx.AsyncClient) -> None:
    channel_id = fake.channel_id(1)

    response = await client.get(
        CHANNEL_STREAMS.format(channel_id), params={"streamType": "mss", "drmSystem": "fairplay"}
    )

    assert_not_found(
        response, f"Streams for requested format: mss for streamable (channel) with ID {channel_id} not found"
    )


# --- catchup and recording streams ---


async def test_catchup_streams_use_snake_case_options_and_link_the_next_programme(
    fake: FakeAmino, client: httpx.AsyncClient
) -> None:
    slot = fake.broadcast_slot_id(48)
    document = await get_json(
        client, CATCHUP_STREAMS.format(slot), stream_type="hls", suggested_start_time="450", autoplay="catchup"
    )

    attributes = document["data"][0]["attributes"]
    assert attributes["suggested_start_time"] == 450
    assert ".m3u8" in attributes["stream_url"]
    assert document["links"]["play_next_catchup"] == (
        f"http://amino.test/api/v1/catchup/{fake.broadcast_slot_id(49)}/relationships/streams?autoplay=catchup"
    )
    assert "links" not in await get_json(client, CATCHUP_STREAMS.format(slot))
    # The last programme of a channel has no next one.
    last = await get_json(client, CATCHUP_STREAMS.format(fake.broadcast_slot_id(47)), autoplay="catchup")
    assert "links" not in last


async def test_catchup_refuses_bad_options_and_unknown_slots(fake: FakeAmino, client: httpx.AsyncClient) -> None:
    slot = fake.broadcast_slot_id(0)
    for params, parameter in [
        ({"autoplay": "series"}, "autoplay"),
        ({"suggested_start_time": "soon"}, "suggested_start_time"),
        ({"stream_type": "rtsp"}, "stream_type"),
    ]:
        assert_bad_request(await client.get(CATCHUP_STREAMS.format(slot), params=params), parameter)

    unknown = fake.broadcast_slot_id(fake.broadcast_slot_count)
    response = await client.get(CATCHUP_STREAMS.format(unknown))

    assert_not_found(
        response, f"Streams for requested format: dash for streamable (catchup) with ID {unknown} not found"
    )


async def test_recording_streams(fake: FakeAmino, client: httpx.AsyncClient) -> None:
    recording = fake.recording_id(0)

    document = await get_json(
        client, RECORDING_STREAMS.format(recording), streamType="hls", drmSystem="widevine", autoplay="catchup"
    )

    assert len(document["data"]) == 3
    assert document["data"][0]["attributes"]["protection_keys"][0]["type"] == "widevine"
    assert fake.recording_id(1) in document["links"]["play_next_catchup"]
    response = await client.get(RECORDING_STREAMS.format("233232"))
    assert_not_found(response, 'Recording with ID "233232" not found')


# --- user profiles ---


async def test_user_profiles_list_the_users_profiles(client: httpx.AsyncClient) -> None:
    document = await get_json(client, PROFILES.format("1001"))

    main, kids = document["data"]
    assert main == {
        "type": "UserProfile",
        "id": "p-1001-default",
        "attributes": {"name": "Main", "user_id": "1001", "is_child_profile": False, "is_default": True},
        "links": {"self": "http://amino.test/api/users/v1/users/1001/user_profiles/p-1001-default"},
    }
    assert kids["attributes"] == {
        "name": "Kids",
        "user_id": "1001",
        "is_child_profile": True,
        "age_limit": 7,
        "is_default": False,
    }


async def test_another_users_profiles_are_forbidden(fake: FakeAmino, client: httpx.AsyncClient) -> None:
    other = fake.add_user("other@example.com", "pw")

    for user_id in (other.user_id, "4242"):
        response = await client.get(PROFILES.format(user_id))
        assert response.status_code == 403
        assert response.json()["errors"][0]["code"] == "0523AC"


# --- per-user accounting ---


async def test_authorised_requests_are_counted_by_user_and_profile(fake: FakeAmino, client: httpx.AsyncClient) -> None:
    fake.reset_stats()
    await client.get(CHANNELS)
    await client.get(PROFILES.format("1001"))

    assert fake.stats.requests_by_user == {"1001": 2}
    assert fake.stats.requests_by_profile == {"p-1001-default": 2}
    assert list(fake.stats.authorized_log) == [
        ("1001", "p-1001-default", "GET", CHANNELS),
        ("1001", "p-1001-default", "GET", PROFILES.format("1001")),
    ]
    assert fake.stats.calls == {"channels": 1, "user_profiles": 1}
