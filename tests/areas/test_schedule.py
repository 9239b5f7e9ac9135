"""client.schedule and client.catchup against FakeAmino: a day of EPG, a range of days fetched concurrently and
bounded, the catch-up items and their streams in one flow."""

from __future__ import annotations

import datetime
from urllib.parse import parse_qs

import pytest

from amino_async import AminoClient, BadRequestError, BroadcastSlot, ConfigurationError, NotFoundError
from amino_async.testing import FakeAmino
from amino_async.testing import _catalogue as cat
from tests.helpers import Recorder

from ._catalogue_support import check_against_files, client, fake, recording

__all__ = ["client", "fake", "recording"]

DAY = datetime.timedelta(days=1)


async def test_a_day_of_a_channel(fake: FakeAmino, client: AminoClient, recording: Recorder) -> None:
    channel_id = fake.channel_id(3)

    slots = await client.schedule.slots(channel_id, fake.epg_today, language="fin")

    assert recording.last().method == "GET"
    assert recording.last().path == f"/api/metadata/v1/broadcast_slots/{channel_id}/{fake.epg_today.isoformat()}"
    assert parse_qs(recording.last().query) == {"language": ["fin"]}
    assert len(slots) == cat.SLOTS_PER_DAY
    assert all(isinstance(slot, BroadcastSlot) for slot in slots)
    first = slots[0]
    assert first.start == datetime.datetime.combine(fake.epg_today, cat.DAY_START)
    assert [s.end_time_unix for s in slots[:-1]] == [s.start_time_unix for s in slots[1:]]
    assert first.channel is not None and first.channel.id == channel_id and first.channel.name
    assert first.channel_id == channel_id and first.title
    # Every slot's programme exists, and is the one the slot names.
    program = await client.programs.get(first.program_id or "")
    assert first.title.endswith(program.title)
    assert check_against_files(recording.exchanges) == 2


async def test_days_outside_the_epg_are_empty_and_bad_ones_refused(
    fake: FakeAmino, client: AminoClient, recording: Recorder
) -> None:
    channel_id = fake.channel_id(0)
    assert await client.schedule.slots(channel_id, fake.epg_today + 30 * DAY) == []
    with pytest.raises(NotFoundError) as missing:
        await client.schedule.slots(fake.channel_id(fake.channel_count), fake.epg_today)
    error = missing.value.errors[0]
    assert (error.status, error.code, error.title) == ("404", "30301", "Not found")
    with pytest.raises(NotFoundError):
        await client.schedule.slots("a/b?c#d", fake.epg_today)
    assert recording.last().raw_path.endswith("/broadcast_slots/a%2Fb%3Fc%23d/" + fake.epg_today.isoformat())
    with pytest.raises(BadRequestError):
        await client.request("GET", f"/broadcast_slots/{channel_id}/tomorrow", family="metadata")
    with pytest.raises(ConfigurationError):
        await client.schedule.slots("..", fake.epg_today)
    assert check_against_files(recording.exchanges[:2]) == 2


async def test_a_range_of_days_is_fetched_concurrently_and_bounded(
    fake: FakeAmino, client: AminoClient, recording: Recorder
) -> None:
    channel_id = fake.channel_id(5)
    start = fake.epg_today - 3 * DAY
    await client.login()
    fake.data_delay = 0.05
    fake.reset_stats()

    slots = await client.schedule.slots_range(channel_id, start, 10, concurrency=3)

    assert fake.stats.peak_in_flight == 3
    assert len(slots) == 10 * cat.SLOTS_PER_DAY
    assert [s.start_time_unix for s in slots] == sorted(s.start_time_unix for s in slots)
    dates = sorted(e.path.rsplit("/", 1)[1] for e in recording.exchanges if "/broadcast_slots/" in e.path)
    assert dates == [(start + n * DAY).isoformat() for n in range(10)]
    fake.reset_stats()
    await client.schedule.slots_range(channel_id, start, 4, concurrency=8)
    assert fake.stats.peak_in_flight == 4  # never more than the days asked for


async def test_the_range_fails_with_the_earliest_failing_day(fake: FakeAmino, client: AminoClient) -> None:
    with pytest.raises(NotFoundError):
        await client.schedule.slots_range(fake.channel_id(fake.channel_count), fake.epg_today, 3)
    with pytest.raises(ConfigurationError):
        await client.schedule.slots_range(fake.channel_id(0), fake.epg_today, 0)
    with pytest.raises(ValueError, match="concurrency"):
        await client.schedule.slots_range(fake.channel_id(0), fake.epg_today, 2, concurrency=0)


async def test_days_as_they_complete(fake: FakeAmino, client: AminoClient) -> None:
    dates = [fake.epg_today + n * DAY for n in range(5)] + [fake.epg_today + 40 * DAY]

    async with client.schedule.days(fake.channel_id(1), dates, concurrency=2) as results:
        outcomes = {result.date: result async for result in results}

    assert set(outcomes) == set(dates)
    assert all(outcome.ok for outcome in outcomes.values())
    assert outcomes[dates[-1]].slots == []
    async with client.schedule.days(fake.channel_id(fake.channel_count), dates[:2]) as results:
        failed = [result async for result in results]
    assert [isinstance(result.error, NotFoundError) for result in failed] == [True, True]


async def test_catchup_items_then_their_streams(fake: FakeAmino, client: AminoClient, recording: Recorder) -> None:
    channel_id = fake.channel_id(2)

    items = await client.catchup.list(channel_id=channel_id)

    assert recording.last().path == "/api/metadata/v1/catchup"
    assert parse_qs(recording.last().query) == {"filter": [f"channel.id:{channel_id}"]}
    assert len(items) == cat.SLOTS_PER_CHANNEL
    assert {item.channel_id for item in items} == {channel_id}
    # An item's id is its broadcast slot's: one of the channel's slots on a catch-up day.
    epg = await client.schedule.slots(channel_id, fake.epg_today - DAY)
    assert {slot.id for slot in epg} <= {item.id for item in items}
    assert all(item.available_until_timestamp > slot.end_time_unix for item, slot in zip(items[-8:], epg, strict=True))
    recording.clear()
    async with client.catchup.streams_many(items[:5], concurrency=2, stream_type="hls") as results:
        outcomes = [result async for result in results]
    assert sorted(o.item_id for o in outcomes) == sorted(item.id for item in items[:5])
    assert all(o.ok and o.streams and o.item is not None for o in outcomes)
    assert all(parse_qs(e.query) == {"stream_type": ["hls"]} for e in recording.exchanges)
    assert check_against_files(recording.exchanges) == 5


async def test_catchup_filters(fake: FakeAmino, client: AminoClient, recording: Recorder) -> None:
    everything = await client.catchup.list()
    assert parse_qs(recording.last().query) == {"filter": ["channel.id:*"]}
    assert len(everything) == fake.channel_count * cat.SLOTS_PER_CHANNEL

    two = [fake.channel_id(0), fake.channel_id(1)]
    assert len(await client.catchup.list(channel_id=two)) == 2 * cat.SLOTS_PER_CHANNEL
    assert parse_qs(recording.last().query) == {"filter": [f"channel.id:{','.join(two)}"]}
    title = cat.SERIES_TITLES[0]
    found = await client.catchup.list(program_title=title)
    assert found and all(item.title.startswith(title) for item in found)
    assert parse_qs(recording.last().query) == {"filter": ["channel.id:*", f"program.title:{title}"]}
    with pytest.raises(BadRequestError):
        await client.catchup.list(filter="series.id:x")  # the channel.id filter is compulsory
    check_against_files(recording.exchanges[-2:])


async def test_unknown_catchup_streams_are_404(fake: FakeAmino, client: AminoClient) -> None:
    future = (await client.schedule.slots(fake.channel_id(0), fake.epg_today + DAY))[0]
    assert "catchup" in future.services_blacklisted
    async with client.catchup.streams_many([future.id]) as results:
        (outcome,) = [result async for result in results]
    assert isinstance(outcome.error, NotFoundError) and outcome.streams is None
