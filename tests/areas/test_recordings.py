"""client.recordings (v4) and client.recordings.v1 against FakeAmino: what the server saw, stored and answered.

Every exchange of the scenario tests is also checked against the two OpenAPI files with openapi-core (their
``$ref``s to raw.githubusercontent read from the local snippets), minus the files' known defects, each patched
in :func:`_spec` with the reason.
"""

from __future__ import annotations

import copy
import functools
import json
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import anyio
import httpx
import pytest
import yaml

from amino_async import (
    NULL,
    AminoClient,
    ApiError,
    BadRequestError,
    ConfigurationError,
    NewUserRecordingRequest,
    NotFoundError,
    PasswordLogin,
    PermissionDeniedError,
    ResourceRef,
    SerialRecording,
)
from amino_async.testing import FakeAmino, FakeProfile
from amino_async.testing._catalogue import slot_info

from ..helpers import BASE_URL, PASSWORD, USERNAME, Exchange, Recorder

#: The OpenAPI files: in the shared folder beside the checkout (as on the developers' machines and in CI).
REFERENCE = Path(__file__).resolve().parents[3] / "shared" / "reference" / "amino-openapi" / "rest"
RAW_BASE = "https://raw.githubusercontent.com/booxmedialtd/api-documentation/master/rest/"
V4 = "/api/recordings/v4"
V1 = "/api/recordings/v1"
MAIN, KIDS = "p-1001-default", "p-1001-kids"


# --- the wire: every request and answer, whole ------------------------------------------------------------


def client_of(target: Any, **options: Any) -> AminoClient:
    options.setdefault("username", USERNAME)
    options.setdefault("password", PASSWORD)
    return AminoClient(BASE_URL, transport=httpx.ASGITransport(app=target), **options)


@pytest.fixture
def fake() -> FakeAmino:
    return FakeAmino(channels=40)


@pytest.fixture
async def wired(fake: FakeAmino) -> AsyncIterator[tuple[AminoClient, Recorder]]:
    wire = Recorder(fake)
    async with client_of(wire) as client:
        yield client, wire


def recordable_slot(fake: FakeAmino, start: int = 0) -> int:
    """The index of the first recordable slot from ``start`` (radio channels record nothing)."""
    index = start
    while not slot_info(fake.seed, index).recordable:
        index += 1
    return index


def radio_slot(fake: FakeAmino) -> int:
    return next(i for i in range(fake.broadcast_slot_count) if not slot_info(fake.seed, i).recordable)


def slot_id(fake: FakeAmino, index: int) -> str:
    return fake.broadcast_slot_id(index)


# --- the OpenAPI files, as a validator ------------------------------------------------------------------------


def _load(path: Path) -> Any:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def _inline(node: Any, here: Path, document: Any) -> Any:
    """``node`` with every ``$ref`` replaced by what it points to (local snippets for the raw.githubusercontent
    ones); a ref to SwaggerHub, which is not here, becomes any object."""
    if isinstance(node, list):
        return [_inline(item, here, document) for item in node]
    if not isinstance(node, dict):
        return node
    ref = node.get("$ref")
    if ref is None:
        return {str(key): _inline(value, here, document) for key, value in node.items()}
    if "swaggerhub.com" in ref:
        return {"type": "object"}
    target, _, pointer = ref.partition("#")
    if target.startswith(RAW_BASE):
        file = REFERENCE / target[len(RAW_BASE) :]
    elif target:
        file = (here.parent / target).resolve()
    else:
        file = here
    source = document if not target else _load(file)
    value = source
    for part in filter(None, pointer.split("/")):
        value = value[part]
    return _inline(copy.deepcopy(value), file, source)


def _walk(node: Any) -> Iterator[dict[str, Any]]:
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from _walk(value)
    elif isinstance(node, list):
        for value in node:
            yield from _walk(value)


@functools.cache
def _spec(name: str, prefix: str) -> Any:
    """The file, inlined, with the known defects patched (each says why); None without openapi-core."""
    from openapi_core import Config, OpenAPI

    path = REFERENCE / "endpoints/user_recordings" / name
    document = _load(path)
    spec = _inline(document, path, document)
    spec["servers"] = [{"url": f"{BASE_URL}{prefix}"}]
    paths = spec["paths"]
    for schema in _walk(spec):
        properties = schema.get("properties") if isinstance(schema.get("properties"), dict) else {}
        # Defect: channel ids typed integer, shown as strings ("42"); the catalogue's ids are strings.
        # Defect: the legacy UserRecording id typed int64, shown (and sent) as JSON text.
        for key in ("id", "audio_language_iso639_2"):
            item = properties.get(key)
            if isinstance(item, dict) and item.get("type") == "integer":
                item["type"] = "string"
                item.pop("format", None)
        # Defect: ForbiddenError's href is a string, its example (and the platform) sends null.
        if isinstance(properties.get("href"), dict):
            properties["href"]["nullable"] = True
        # Defect: UserRecordingEntity requires automated_maintenance (never defined) and the other attributes in
        # PATCH bodies documented as partial ("you only have to provide the attributes that you want to change").
        if "watched_time_seconds" in properties:
            schema.pop("required", None)
        # Not a defect of the file but of reading it as YAML 1.1: the enum [true, false, 1, 0] of a string is text.
        if schema.get("type") == "string" and isinstance(schema.get("enum"), list):
            schema["enum"] = [json.dumps(v) if not isinstance(v, str) else v for v in schema["enum"]]
        # Defect: JsonApiErrorEntity requires `details` where its own examples send `detail`; the SDK reads both.
    if name == "user_recordings.yml":
        # Defect: path parameters the templates do not have (user_id on modifyRecordings and the bulk delete).
        for template in ("/user_recordings/{epg_id}/{continuous}", "/user_recordings/bulk_delete_request"):
            for operation in paths[template].values():
                operation["parameters"] = [p for p in operation.get("parameters", []) if p["name"] != "user_id"]
        # Defect: the slot operations name their path parameter recording_request_id, the template
        # recording_slot_id.
        for operation in paths["/recording_slots/{recording_slot_id}"].values():
            for parameter in operation.get("parameters", []):
                parameter.update(name="recording_slot_id", required=True)
        # Defect: path parameters not marked required.
        for operations in paths.values():
            for operation in operations.values():
                for parameter in operation.get("parameters", []):
                    if parameter["in"] == "path":
                        parameter["required"] = True
        # Defect: a v1 group's attributes are the whole RecordingGroupEntity resource (type, id, attributes): the
        # platform sends its attributes.
        group = paths["/users/{user_id}/user_recordings/recording_groups"]["get"]["responses"]["200"]
        items = group["content"]["application/json"]["schema"]["properties"]["data"]["items"]
        items["properties"]["attributes"] = items["properties"]["attributes"]["properties"]["attributes"]
    # The files break the OpenAPI schema itself in places (examples of the wrong type, ``services_available``
    # beside ``properties``): the document is not validated as a whole, each exchange is validated against it.
    return OpenAPI.from_dict(spec, config=Config(spec_validator_cls=None))


def check_openapi(exchanges: list[Exchange]) -> int:
    """Validate each recordings exchange (request and answer) against its file; how many were checked."""
    from openapi_core.templating.responses.exceptions import ResponseNotFound
    from openapi_core.testing import MockRequest, MockResponse

    checked = 0
    for exchange in exchanges:
        path = exchange.path
        if path.startswith(V4):
            spec = _spec("profile_recordings.yml", V4)
        elif path.startswith(V1):
            spec = _spec("user_recordings.yml", V1)
        else:
            continue
        request = MockRequest(
            BASE_URL,
            exchange.method.lower(),
            unquote(exchange.raw_path) if "%" in exchange.raw_path else path,
            args=exchange.params,
            headers={"Authorization": exchange.headers.get("authorization", "")},
            data=exchange.body or None,
            content_type=exchange.headers.get("content-type", "application/json"),
        )
        spec.validate_request(request)
        content_type = exchange.content_type or "application/json"
        response = MockResponse(exchange.response_body, exchange.status, content_type=content_type)
        if exchange.status != 204:
            try:
                spec.validate_response(request, response)
            except ResponseNotFound:
                # A refusal the operation does not document (a 404 for an unknown id on a delete, say): the
                # fake answers it in the file's error shape for its API; only refusals may be undocumented.
                assert 400 <= exchange.status < 500, exchange
                assert exchange.answer["errors"]
        checked += 1
    return checked


# --- v4: recordings -------------------------------------------------------------------------------------------


async def test_schedule_appears_in_search_groups_quota_and_plays_until_deleted(
    fake: FakeAmino, wired: tuple[AminoClient, Recorder]
) -> None:
    client, wire = wired
    index = recordable_slot(fake)
    slot = slot_info(fake.seed, index)

    recording = await client.recordings.schedule(slot_id(fake, index), is_favourite=True)

    sent = wire.last()
    assert (sent.method, sent.path, sent.status) == ("POST", f"{V4}/user_profiles/{MAIN}/recordings", 201)
    assert sent.json == {
        "data": {
            "type": "Recording",
            "attributes": {"is_favourite": True},
            "relationships": {"broadcast_slot": {"data": {"type": "BroadcastSlot", "id": slot_id(fake, index)}}},
        }
    }
    stored = fake.recordings.recordings_of_profile(MAIN)
    assert [(r.id, r.slot.index, r.is_favourite, r.user_id) for r in stored] == [(recording.id, index, True, "1001")]
    assert recording.is_favourite is True
    assert recording.broadcast_slot_id == slot_id(fake, index)
    assert recording.series_id is not None and recording.program_id is not None
    assert recording.auto_recording_request_id is None

    page = await client.recordings.search()
    assert [r.id for r in page.items] == [recording.id]
    assert wire.last().params == {"page[number]": "1", "page[size]": "100"}
    groups = (await client.recordings.groups()).items
    assert [(g.series_id, g.approximate_number_of_recordings, g.name) for g in groups] == [
        (recording.series_id, 1, slot.title)
    ]
    assert groups[0].series is not None and groups[0].series.title == slot.title
    quota = await client.recordings.storage_quota()
    assert (quota.id, quota.used_quota, quota.total_quota) == ("1001", 3600, fake.recordings.total_quota)
    assert quota.free_quota == fake.recordings.total_quota - 3600
    assert wire.last().path == f"{V4}/user/1001/storage_quota"
    streams = await client.streams.recording(recording.id, stream_type="hls")
    assert streams and all(recording.id in stream.stream_url for stream in streams)

    await client.recordings.delete(recording.id)
    assert (wire.last().method, wire.last().status) == ("DELETE", 204)
    assert fake.recordings.recordings_of_profile(MAIN) == []
    assert (await client.recordings.search()).items == ()
    assert (await client.recordings.groups()).items == ()
    assert (await client.recordings.storage_quota()).used_quota == 0
    with pytest.raises(NotFoundError):
        await client.streams.recording(recording.id)
    with pytest.raises(NotFoundError) as caught:
        await client.recordings.delete(recording.id)
    assert caught.value.errors[0].code == "30305"
    # The seeded recordings the streams endpoint always served still play.
    assert await client.streams.recording(fake.recording_id(0))
    assert check_openapi(wire.exchanges) >= 8


async def test_update_for_slot_recorded_slots_and_refusals(
    fake: FakeAmino, wired: tuple[AminoClient, Recorder]
) -> None:
    client, wire = wired
    first, second = recordable_slot(fake), recordable_slot(fake, recordable_slot(fake) + 1)
    recording = await client.recordings.schedule(slot_id(fake, first))
    await client.recordings.schedule(slot_id(fake, second))

    updated = await client.recordings.update(recording.id, is_favourite=True)
    assert wire.last().json == {"data": {"type": "Recording", "attributes": {"is_favourite": True}}}
    assert updated.is_favourite is True and fake.recordings.get(recording.id).is_favourite is True  # type: ignore[union-attr]

    slots = await client.recordings.recorded_slots()
    assert [s.id for s in slots] == [slot_id(fake, first), slot_id(fake, second)]
    assert [r.id for r in await client.recordings.for_slot(slot_id(fake, first))] == [recording.id]
    with pytest.raises(NotFoundError) as caught:
        await client.recordings.for_slot(slot_id(fake, first + 30))
    assert caught.value.errors[0].code == "30308"

    with pytest.raises(ApiError) as conflict:
        await client.recordings.schedule(slot_id(fake, first))
    assert conflict.value.status == 409 and conflict.value.errors[0].code == "30307"
    with pytest.raises(PermissionDeniedError) as radio:
        await client.recordings.schedule(slot_id(fake, radio_slot(fake)))
    assert "not recordable" in (radio.value.errors[0].detail or "")
    with pytest.raises(NotFoundError):
        await client.recordings.schedule(slot_id(fake, fake.broadcast_slot_count))
    fake.recordings.total_quota = 2 * 3600
    with pytest.raises(PermissionDeniedError) as full:
        await client.recordings.schedule(slot_id(fake, recordable_slot(fake, second + 1)))
    assert "storage" in (full.value.errors[0].detail or "")
    assert len(fake.recordings.recordings_of_profile(MAIN)) == 2
    with pytest.raises(NotFoundError):
        await client.recordings.update("no-such-recording", is_favourite=False)
    assert check_openapi(wire.exchanges) >= 10


async def test_batch_delete_all_or_none(fake: FakeAmino, wired: tuple[AminoClient, Recorder]) -> None:
    client, wire = wired
    ids = []
    index = 0
    for _ in range(3):
        index = recordable_slot(fake, index)
        ids.append((await client.recordings.schedule(slot_id(fake, index))).id)
        index += 1

    with pytest.raises(NotFoundError) as missing:
        await client.recordings.batch_delete([ids[0], "no-such-recording"])
    assert missing.value.errors[0].code == "30309"
    assert len(fake.recordings.recordings_of_profile(MAIN)) == 3  # none deleted
    with pytest.raises(BadRequestError):
        await client.recordings.batch_delete([])
    with pytest.raises(BadRequestError) as too_many:
        await client.recordings.batch_delete([ids[0]] * 51)
    assert too_many.value.errors[0].code == "3231"

    await client.recordings.batch_delete(ids[:2])
    sent = wire.last()
    assert sent.path == f"{V4}/user_profiles/{MAIN}/recordings/batch_delete_recordings"
    assert sent.headers["content-type"] == "application/vnd.api+json; ext=bulk"
    assert sent.json == {"data": [{"type": "Recording", "id": ids[0]}, {"type": "Recording", "id": ids[1]}]}
    assert sent.status == 204
    assert [r.id for r in fake.recordings.recordings_of_profile(MAIN)] == [ids[2]]
    assert check_openapi(wire.exchanges) >= 6


async def test_search_filters_sorts_and_pages_to_the_end(fake: FakeAmino, wired: tuple[AminoClient, Recorder]) -> None:
    client, wire = wired
    scheduled = []
    index = 0
    for _ in range(7):
        index = recordable_slot(fake, index)
        scheduled.append(await client.recordings.schedule(slot_id(fake, index)))
        index += 1
    page = await client.recordings.search(page_size=3)
    seen = []
    numbers = []
    while page is not None:
        seen += [r.id for r in page.items]
        numbers.append(wire.last().params["page[number]"])
        page = await page.next_page()
    assert seen == [r.id for r in scheduled]
    assert numbers == ["1", "2", "3"]
    assert [r.id async for r in client.recordings.iterate()] == [r.id for r in scheduled]

    newest_broadcast = await client.recordings.search(sort="-broadcast_slot.start_time_unix")
    starts = [fake.recordings.get(r.id).slot.start for r in newest_broadcast.items]  # type: ignore[union-attr]
    assert starts == sorted(starts, reverse=True)
    series = scheduled[0].series_id
    assert series is not None
    by_series = await client.recordings.search(series_id=series)
    assert by_series.items and all(r.series_id == series for r in by_series.items)
    first = fake.recordings.get(scheduled[0].id)
    assert first is not None
    title_word = first.slot.title.split()[-1]
    found = await client.recordings.search(search=title_word, starts_before=first.slot.start + 1)
    assert [r.id for r in found.items] == [scheduled[0].id]
    assert wire.last().params["filter[search]"] == title_word
    channel = fake.channel_id(first.slot.channel)
    assert {r.id for r in (await client.recordings.search(channel_id=channel)).items} >= {scheduled[0].id}
    with pytest.raises(BadRequestError):
        await client.recordings.search(sort="title")  # type: ignore[arg-type]
    assert check_openapi(wire.exchanges) >= 10


async def test_most_popular_ranks_what_every_user_records(fake: FakeAmino) -> None:
    other = fake.add_user("bob@example.com", "bobs")
    popular, less = recordable_slot(fake), recordable_slot(fake, recordable_slot(fake) + 1)
    wire = Recorder(fake)
    async with client_of(wire) as me, client_of(wire, username=other.username, password="bobs") as bob:
        assert await me.recordings.most_popular() == []
        await me.recordings.schedule(slot_id(fake, popular))
        await me.recordings.schedule(slot_id(fake, less))
        await bob.recordings.schedule(slot_id(fake, popular))
        slots = await me.recordings.most_popular("next_week", language="fin")
        assert [s.id for s in slots] == [slot_id(fake, popular), slot_id(fake, less)]
        info = slot_info(fake.seed, popular)
        assert (slots[0].title, slots[0].start_time_unix, slots[0].end_time_unix) == (info.title, info.start, info.end)
        assert slots[0].channel_id == fake.channel_id(info.channel)
        assert wire.last().path == f"{V4}/most_popular/next_week"
        with pytest.raises(BadRequestError):
            await me.recordings.most_popular("yesterday")
    assert check_openapi(wire.exchanges) >= 5


# --- v4: auto-recording requests and groups -------------------------------------------------------------------


async def test_auto_recording_requests_record_the_series(fake: FakeAmino, wired: tuple[AminoClient, Recorder]) -> None:
    client, wire = wired
    index = recordable_slot(fake)
    info = slot_info(fake.seed, index)
    assert info.series is not None
    series_id = (await client.recordings.schedule(slot_id(fake, index))).series_id
    assert series_id is not None
    channel = fake.channel_id(info.channel)

    request = await client.recordings.record_series(series_id, channel_id=channel, is_auto_delete=True)
    assert wire.last().json == {
        "data": {
            "type": "AutoRecordingRequest",
            "attributes": {"is_auto_delete": True},
            "relationships": {
                "series": {"data": {"type": "Series", "id": series_id}},
                "channel": {"data": {"type": "Channel", "id": channel}},
            },
        }
    }
    assert (request.series_id, request.channel_id, request.is_auto_delete) == (series_id, channel, True)
    made = [r for r in fake.recordings.recordings_of_profile(MAIN) if r.auto_request_id == request.id]
    assert made and all(r.slot.series == info.series for r in made)
    assert all(r.slot.index != index for r in made)  # the slot recorded by hand is not recorded twice
    search = await client.recordings.search(series_id=series_id)
    assert sum(r.auto_recording_request_id == request.id for r in search.items) == len(made)

    listed = await client.recordings.auto_requests()
    assert [r.id for r in listed.items] == [request.id]
    with pytest.raises(ApiError) as duplicate:
        await client.recordings.record_series(series_id, channel_id=channel)
    assert duplicate.value.status == 409

    await client.recordings.update_auto_request(request.id, is_auto_delete=False, channel_id=NULL)
    assert wire.last().json == {
        "type": "AutoRecordingRequest",
        "attributes": {"is_auto_delete": False},
        "relationships": {"channel": {"data": None}},
    }
    stored = fake.recordings.auto_requests[request.id]
    assert (stored.is_auto_delete, stored.channel) == (False, None)
    await client.recordings.update_auto_request(request.id, channel_id=channel)
    assert fake.recordings.auto_requests[request.id].channel == info.channel

    radio = slot_info(fake.seed, radio_slot(fake))
    with pytest.raises(PermissionDeniedError):
        await client.recordings.record_series(
            _series_of(fake, radio.channel), channel_id=fake.channel_id(radio.channel)
        )
    await client.recordings.delete_auto_request(request.id)
    assert request.id not in fake.recordings.auto_requests
    assert len(fake.recordings.recordings_of_profile(MAIN)) == len(made) + 1  # its recordings stay
    with pytest.raises(NotFoundError):
        await client.recordings.delete_auto_request(request.id)
    assert check_openapi(wire.exchanges) >= 9


def _series_of(fake: FakeAmino, channel: int) -> str:
    from amino_async.testing._catalogue import SERIES_PER_CHANNEL, schedule_ids

    return schedule_ids(fake.seed).series.make(channel * SERIES_PER_CHANNEL)


async def test_groups_group_recordings_and_ungrouped(fake: FakeAmino, wired: tuple[AminoClient, Recorder]) -> None:
    client, wire = wired
    channel = slot_info(fake.seed, recordable_slot(fake)).channel
    base = channel * 24
    # Positions 0 and 6 air one series, 5 a film of no series.
    first, second, movie = [await client.recordings.schedule(slot_id(fake, base + p)) for p in (0, 6, 5)]
    assert first.series_id == second.series_id and movie.series_id is None
    await client.recordings.update(second.id, is_favourite=True)

    groups = await client.recordings.groups()
    assert [(g.id, g.approximate_number_of_recordings) for g in groups.items] == [(first.series_id, 2)]
    group = groups.items[0]
    assert (group.earliest_start_time, group.latest_start_time) == (
        slot_info(fake.seed, base).start,
        slot_info(fake.seed, base + 6).start,
    )
    favourites = await client.recordings.groups(is_favourite=True)
    assert wire.last().params["filter[is_favourite]"] == "true"
    assert [g.approximate_number_of_recordings for g in favourites.items] == [1]
    by_channel = await client.recordings.groups(group_by="channel_id")
    assert [(g.channel_id, g.approximate_number_of_recordings) for g in by_channel.items] == [
        (fake.channel_id(channel), 3)
    ]

    members = await client.recordings.group_recordings(group.id)
    assert [r.id for r in members.items] == [first.id, second.id]
    assert all(r.is_stream_available for r in members.items)
    assert members.items[0].broadcast_slot is not None
    assert members.items[0].broadcast_slot.start_time_unix == slot_info(fake.seed, base).start
    only_favourite = await client.recordings.group_recordings(group.id, is_favourite=True)
    assert [r.id for r in only_favourite.items] == [second.id]
    ungrouped = await client.recordings.ungrouped_recordings()
    assert [r.id for r in ungrouped.items] == [movie.id]
    assert wire.last().path == f"{V4}/user_profiles/{MAIN}/recordings/recording_groups/ungrouped/recordings"
    with pytest.raises(NotFoundError):
        await client.recordings.group_recordings("not-a-group")
    with pytest.raises(BadRequestError):
        await client.recordings.groups(group_by="title")  # type: ignore[arg-type]
    assert check_openapi(wire.exchanges) >= 9


# --- v1 -------------------------------------------------------------------------------------------------------


async def test_v1_requests_recordings_and_slots(fake: FakeAmino, wired: tuple[AminoClient, Recorder]) -> None:
    client, wire = wired
    v1 = client.recordings.v1
    index = recordable_slot(fake)
    request = await v1.create_request(
        NewUserRecordingRequest(
            serial_recording=SerialRecording(maximum_episodes_to_record=10),
            relationships=(
                ResourceRef("BroadcastSlot", slot_id(fake, index)),
                ResourceRef("UserRecordingDevice", "stb-7"),
            ),
        )
    )
    sent = wire.last()
    assert (sent.path, sent.status) == (f"{V1}/user/1001/user_recording_requests/", 201)
    assert sent.json == {
        "serial_recording": {"maximum_episodes_to_record": 10},
        "relationships": [
            {"type": "BroadcastSlot", "id": slot_id(fake, index)},
            {"type": "UserRecordingDevice", "id": "stb-7"},
        ],
    }
    assert request.device_id == "stb-7" and len(request.slot_ids) == 1
    assert request.serial_recording == SerialRecording(
        maximum_episodes_to_record=10, expire_timestamp=request.serial_recording.expire_timestamp
    )  # type: ignore[union-attr]
    recording_id = request.slot_ids[0]
    stored = fake.recordings.get(recording_id)
    assert stored is not None and (stored.device, stored.profile_id, stored.slot.index) == ("stb-7", MAIN, index)
    # The v1 request's recording is the v4 profile's too, and plays.
    assert [r.id for r in (await client.recordings.search()).items] == [recording_id]
    assert await client.streams.recording(recording_id)

    got = await v1.get_request(request.id)
    assert [s.id for s in got.slots] == [recording_id]
    assert got.slots[0].channel_id == fake.channel_id(slot_info(fake.seed, index).channel)
    assert [r.id for r in (await v1.requests()).items] == [request.id]
    assert (await v1.requests(status="COMPLETE")).items[0].id == request.id
    assert (await v1.requests(status="NEW")).items == ()

    listed = await v1.list(service="tv", favourite=False, expiring="30")
    assert wire.last().params == {
        "page_number": "1",
        "filter[favourite]": "false",
        "filter[expiring]": "30",
        "service": "tv",
    }
    assert [r.id for r in listed.items] == [recording_id]
    recording = listed.items[0]
    assert recording.has_been_recorded and recording.original_broadcast_slot is not None
    assert recording.watch_path == f"/api/v1/recordings/{recording_id}/relationships/streams"
    assert recording.program_id is not None
    with pytest.raises(BadRequestError):
        await v1.list(service="tv", expiring="5")  # type: ignore[arg-type]
    with pytest.raises(BadRequestError):
        await v1.list(service="tv", week_of_timestamp=1_704_067_200 + 86400)  # a Tuesday
    assert (await v1.list(service="tv", week_of_timestamp=1_704_067_200)).items

    await v1.update(recording_id, watched_time_seconds=120, favourite=True)
    assert wire.last().json == {"watched_time_seconds": 120, "favourite": True}
    assert (stored.watched_time_seconds, stored.is_favourite) == (120, True)
    started = await v1.previously_started(max_items=50)
    assert wire.last().params == {"maxItems": "50"}
    assert [json.loads(r.id)["epg_id"] for r in started] == [index]
    legacy = await v1.update_by_epg(index, 0, watched_time_seconds=0)
    assert json.loads(legacy.id) == {"user_id": 1001, "epg_id": index, "continuous": 0}
    assert legacy.watched_time_seconds == 0 and stored.watched_time_seconds == 0
    with pytest.raises(NotFoundError):
        await v1.update_by_epg(index, 1, favourite=False)

    assert [s.id for s in await v1.slots("stb-7")] == [recording_id]
    assert await v1.slots("cloud") == []
    with pytest.raises(BadRequestError):
        await v1.delete_slot(recording_id)  # not deleted by the user: the device may not remove it
    await v1.delete(recording_id)
    assert fake.recordings.get(recording_id) is None
    assert (await client.recordings.search()).items == ()
    deleted = await v1.slots("stb-7", status="DELETED")
    assert wire.last().params == {"filter[status]": "DELETED"}
    assert [s.id for s in deleted] == [recording_id]
    await v1.update_slot(recording_id, status="COMPLETE", status_reason="removed")
    assert wire.last().json == {"status": "COMPLETE", "status_reason": "removed"}
    await v1.delete_slot(recording_id)
    assert recording_id not in fake.recordings.all
    await v1.delete_request(request.id)
    assert request.id not in fake.recordings.user_requests
    with pytest.raises(NotFoundError):
        await v1.get_request(request.id)
    assert check_openapi(wire.exchanges) >= 20


async def test_v1_groups_and_bulk_delete(fake: FakeAmino, wired: tuple[AminoClient, Recorder]) -> None:
    client, wire = wired
    v1 = client.recordings.v1
    channel = slot_info(fake.seed, recordable_slot(fake)).channel
    recordings = [await client.recordings.schedule(slot_id(fake, channel * 24 + p)) for p in (0, 6, 1)]
    kids = client.as_profile(KIDS)
    kids_recording = await kids.recordings.schedule(slot_id(fake, channel * 24 + 12))
    # v1 is per user: the Kids profile's recording is the account's too.
    groups = await v1.groups(language="fin")
    counts = {g.id: g.approximate_number_of_recordings for g in groups.items}
    assert counts == {recordings[0].series_id: 3, recordings[2].series_id: 1}
    members = await v1.group_recordings(recordings[0].series_id or "")
    assert {r.id for r in members.items} == {recordings[0].id, recordings[1].id, kids_recording.id}

    deletion = await v1.bulk_delete([recordings[0].id, kids_recording.id])
    sent = wire.last()
    assert sent.json == {
        "data": {
            "type": "BulkDeleteRequestEntity",
            "attributes": {
                "recordings_to_delete": [{"recording_id": recordings[0].id}, {"recording_id": kids_recording.id}]
            },
        }
    }
    assert [d.recording_id for d in deletion.recordings_to_delete] == [recordings[0].id, kids_recording.id]
    assert {r.id for r in fake.recordings.recordings_of_user("1001")} == {recordings[1].id, recordings[2].id}
    with pytest.raises(NotFoundError):
        await v1.bulk_delete([recordings[1].id, "gone"])
    assert len(fake.recordings.recordings_of_user("1001")) == 2
    with pytest.raises(BadRequestError):
        await v1.bulk_delete([])
    assert check_openapi(wire.exchanges) >= 6


# --- users, profiles and the boundary -------------------------------------------------------------------------


async def test_another_users_recordings_are_refused(fake: FakeAmino) -> None:
    bob = fake.add_user("bob@example.com", "bobs")
    async with client_of(fake) as me, client_of(fake, username=bob.username, password="bobs") as other:
        mine = await me.recordings.schedule(slot_id(fake, recordable_slot(fake)))
        auto = await me.recordings.record_series(mine.series_id or "", channel_id=None)
        request = await me.recordings.v1.create_request(NewUserRecordingRequest())
        bobs_profile = bob.default_profile.id

        refusals = [
            other.recordings.update(mine.id, is_favourite=False),
            other.recordings.delete(mine.id),
            other.recordings.batch_delete([mine.id]),
            other.recordings.update_auto_request(auto.id, is_auto_delete=True),
            other.recordings.delete_auto_request(auto.id),
            other.recordings.v1.update(mine.id, favourite=False),
            other.recordings.v1.delete(mine.id),
            other.recordings.v1.bulk_delete([mine.id]),
            other.recordings.v1.update_slot(mine.id, status="RECORDING_FAILED"),
            other.recordings.v1.delete_slot(mine.id),
            other.recordings.v1.delete_request(request.id),
            other.recordings.v1.get_request(request.id),
            other.streams.recording(mine.id),
            # Naming my profile or my user id in the path.
            other.recordings.search(user_profile_id=MAIN),
            other.recordings.schedule(slot_id(fake, recordable_slot(fake) + 1), user_profile_id=MAIN),
            other.recordings.storage_quota(user_id="1001"),
            other.recordings.v1.list(service="tv", user_id="1001"),
            other.recordings.v1.create_request(NewUserRecordingRequest(), user_id="1001"),
        ]
        for call in refusals:
            with pytest.raises(PermissionDeniedError):
                await call
        # Nothing of mine changed, and Bob sees none of it.
        assert fake.recordings.get(mine.id) is not None and fake.recordings.get(mine.id).is_favourite is False  # type: ignore[union-attr]
        assert auto.id in fake.recordings.auto_requests and request.id in fake.recordings.user_requests
        assert (await other.recordings.search()).items == ()
        assert (await other.recordings.v1.list(service="tv")).items == ()
        assert (await other.recordings.storage_quota()).used_quota == 0
        assert fake.recordings.recordings_of_user(bob.user_id) == []
        assert bobs_profile not in {r.profile_id for r in fake.recordings.all.values()}


async def test_five_hundred_users_at_once_each_write_lands_on_its_own_user() -> None:
    fake = FakeAmino(channels=100, users=[])
    users = [
        fake.add_user(f"user{i}@example.com", f"pw{i}", profiles=[FakeProfile(f"p{i}", "Main", is_default=True)])
        for i in range(500)
    ]
    slots = [recordable_slot(fake, i * 2) for i in range(500)]
    seconds = [recordable_slot(fake, slot + 1) for slot in slots]
    kept: dict[str, str] = {}
    async with AminoClient(BASE_URL, transport=httpx.ASGITransport(app=fake)) as client:

        async def act(i: int) -> None:
            view = client.with_auth(PasswordLogin(users[i].username, f"pw{i}"))
            first = await view.recordings.schedule(slot_id(fake, slots[i]))
            second = await view.recordings.schedule(slot_id(fake, seconds[i]))
            await view.recordings.delete(first.id)
            kept[users[i].user_id] = second.id
            assert [r.id for r in (await view.recordings.search()).items] == [second.id]

        async with anyio.create_task_group() as group:
            for i in range(500):
                group.start_soon(act, i)

    for i, user in enumerate(users):
        recordings = fake.recordings.recordings_of_user(user.user_id)
        assert [(r.id, r.profile_id, r.slot.index) for r in recordings] == [(kept[user.user_id], f"p{i}", seconds[i])]
    assert len(fake.recordings.all) == 1000  # the deleted ones stay as DELETED slots for their device
    for user_id, profile_id, _, path in fake.stats.authorized_log:
        if path.startswith(V4):
            assert f"/user_profiles/{profile_id}/" in path
            assert profile_id == f"p{int(user_id) - 1001}"


async def test_the_profile_view_passes_its_profile_to_every_profile_scoped_call(fake: FakeAmino) -> None:
    wire = Recorder(fake)
    async with client_of(wire) as client:
        kids = client.as_profile(KIDS)
        recordings = kids.recordings
        recording = await recordings.schedule(slot_id(fake, recordable_slot(fake)))
        auto = await recordings.record_series(recording.series_id or "")
        await recordings.search()
        await recordings.update(recording.id, is_favourite=True)
        await recordings.recorded_slots()
        await recordings.for_slot(recording.broadcast_slot_id or "")
        await recordings.auto_requests()
        await recordings.update_auto_request(auto.id, is_auto_delete=True)
        groups = await recordings.groups()
        await recordings.group_recordings(groups.items[0].id)
        await recordings.ungrouped_recordings()
        await recordings.batch_delete([recording.id])
        await recordings.delete_auto_request(auto.id)
        await recordings.storage_quota()  # user-scoped: the logged-in user
    profile_calls = wire.of(f"{V4}/user_profiles/")
    assert len(profile_calls) == 13
    assert all(
        e.path.startswith(f"{V4}/user_profiles/{KIDS}/") or e.path == f"{V4}/user_profiles/{KIDS}"
        for e in profile_calls
    )
    assert wire.of(f"{V4}/user/")[0].path == f"{V4}/user/1001/storage_quota"
    assert all(r.profile_id == KIDS for r in fake.recordings.all.values())
    assert fake.recordings.recordings_of_profile(MAIN) == []
    # A call may still name a profile of the account itself.
    async with client_of(wire) as client:
        assert (await client.recordings.search(user_profile_id=KIDS)).items
        assert wire.last().path == f"{V4}/user_profiles/{KIDS}/recordings"


async def test_hostile_ids_are_refused_or_sent_as_one_segment(
    fake: FakeAmino, wired: tuple[AminoClient, Recorder]
) -> None:
    client, wire = wired
    for hostile in ("..", ".", ""):
        with pytest.raises(ConfigurationError):
            await client.recordings.delete(hostile)
        with pytest.raises(ConfigurationError):
            await client.recordings.v1.get_request(hostile)
    sent = len(wire.exchanges)
    with pytest.raises(NotFoundError):
        await client.recordings.delete("a/b?c#d")
    assert wire.exchanges[sent:][-1].raw_path == f"{V4}/user_profiles/{MAIN}/recordings/a%2Fb%3Fc%23d"
    assert await client.recordings.v1.slots("../recording_slots") == []  # a device of that name has no slots
    assert wire.last().raw_path == f"{V1}/..%2Frecording_slots/recording_slots"
    with pytest.raises(PermissionDeniedError):
        await client.recordings.search(user_profile_id="p-1001-default/../p-other")
    assert wire.last().raw_path.endswith("p-1001-default%2F..%2Fp-other/recordings")


async def test_over_a_real_socket(fake: FakeAmino) -> None:
    async with fake.serve() as base_url, AminoClient(base_url, username=USERNAME, password=PASSWORD) as client:
        recording = await client.recordings.schedule(slot_id(fake, recordable_slot(fake)))
        assert [r.id for r in (await client.recordings.search()).items] == [recording.id]
        assert await client.streams.recording(recording.id)
        await client.recordings.v1.update(recording.id, favourite=True)
        assert (await client.recordings.v1.list(service="tv")).items[0].favourite is True
        await client.recordings.delete(recording.id)
    assert fake.recordings.recordings_of_profile(MAIN) == []


def test_reset_forgets_everything(fake: FakeAmino) -> None:
    user = fake.default_user
    fake.recordings.schedule(user, MAIN, slot_info(fake.seed, 0), now=0)
    assert fake.recordings.recordings_of_user(user.user_id)
    fake.recordings.reset()
    assert fake.recordings.all == {} and fake.recordings.recordings_of_profile(MAIN) == []
    assert fake.recordings.most_popular() == []


# --- the command line -----------------------------------------------------------------------------------------


@pytest.fixture
def served_cli(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[tuple[FakeAmino, str]]:
    """A FakeAmino on loopback, the CLI's settings pointing at it (logging in with the environment's password)."""
    from anyio.from_thread import start_blocking_portal

    fake = FakeAmino(channels=40)
    for name in ("AMINO_TOKEN_FILE", "AMINO_BASE_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    monkeypatch.setenv("AMINO_USERNAME", USERNAME)
    monkeypatch.setenv("AMINO_PASSWORD", PASSWORD)
    with start_blocking_portal() as portal, portal.wrap_async_context_manager(fake.serve()) as base_url:
        monkeypatch.setenv("AMINO_BASE_URL", base_url)
        yield fake, base_url


def _cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    from amino_async._cli import main

    status = main(list(args))
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def test_cli_schedules_lists_and_deletes(served_cli: tuple[FakeAmino, str], capsys: pytest.CaptureFixture[str]) -> None:
    fake, _ = served_cli
    first, second = recordable_slot(fake), recordable_slot(fake, recordable_slot(fake) + 1)
    status, out, err = _cli(capsys, "recordings", "schedule", slot_id(fake, first), slot_id(fake, second), "--json")
    assert (status, err) == (0, "")
    scheduled = json.loads(out)
    assert [r["id"] for r in scheduled] == [r.id for r in fake.recordings.recordings_of_profile(MAIN)]
    status, out, err = _cli(capsys, "recordings", "list", "--json")
    assert (status, err) == (0, "")
    assert [r["id"] for r in json.loads(out)] == [r["id"] for r in scheduled]
    status, out, _ = _cli(capsys, "recordings", "list")
    assert status == 0 and "page 1: 2 recordings" in out and "broadcast slot" in out

    status, out, err = _cli(capsys, "recordings", "schedule", slot_id(fake, first), "--profile", KIDS)
    assert (status, err) == (0, "")
    assert [r.slot.index for r in fake.recordings.recordings_of_profile(KIDS)] == [first]
    status, out, err = _cli(capsys, "recordings", "delete", scheduled[0]["id"], "--json")
    assert (status, json.loads(out), err) == (0, {"deleted": [scheduled[0]["id"]]}, "")
    assert fake.recordings.get(scheduled[0]["id"]) is None

    # One error line for a failure, after doing what could be done.
    status, out, err = _cli(capsys, "recordings", "delete", scheduled[1]["id"], "no-such-recording")
    assert status == 1
    assert f"Deleted {scheduled[1]['id']}." in out
    assert err.startswith("error: no-such-recording: ") and len(err.splitlines()) == 1
    assert fake.recordings.recordings_of_profile(MAIN) == []
    status, _, err = _cli(capsys, "recordings", "schedule", slot_id(fake, radio_slot(fake)))
    assert status == 1 and "not recordable" in err and len(err.splitlines()) == 1
    status, out, _ = _cli(capsys, "recordings", "list", "--all", "--profile", KIDS, "--json")
    assert status == 0 and len(json.loads(out)) == 1


def test_the_fake_serves_all_31_operations_of_the_two_files() -> None:
    from amino_async.testing._areas import recordings as area

    documented = set()
    for name, prefix in (("profile_recordings.yml", V4), ("user_recordings.yml", V1)):
        paths = _load(REFERENCE / "endpoints/user_recordings" / name)["paths"]
        documented |= {(method.upper(), prefix + path) for path, ops in paths.items() for method in ops}
    assert len(documented) == 31
    assert {(route.method, route.template) for route in area.ROUTES} == documented
    from amino_async import AminoClient
    from amino_async._resource import endpoints

    listed = {(e.http_method, e.path) for e in endpoints(AminoClient, __import__("amino_async").DEFAULT_PREFIXES)}
    assert documented <= listed  # every operation has a method, its path the file's template
