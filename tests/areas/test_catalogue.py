"""client.programs, client.series, client.seasons, client.genres and client.credited_persons against FakeAmino:
the requests the fake saw, the models decoded, the refusals as typed errors, paging to the end, and every
exchange checked against the OpenAPI files."""

from __future__ import annotations

import datetime
from urllib.parse import parse_qs

import pytest

from amino_async import (
    AminoClient,
    BadRequestError,
    ConfigurationError,
    Episode,
    NotFoundError,
    Program,
    Series,
)
from amino_async.testing import FakeAmino
from amino_async.testing import _catalogue as cat
from tests.helpers import Recorder

from ._catalogue_support import check_against_files, client, fake, recording

__all__ = ["client", "fake", "recording"]


def _ids(fake: FakeAmino) -> cat.MetadataIds:
    return cat.metadata_ids(fake.seed)


async def test_programs_page_to_the_end_newest_first(client: AminoClient, recording: Recorder) -> None:
    first = await client.programs.list(language="fin")

    assert recording.last().path == "/api/metadata/v1/programs"
    assert parse_qs(recording.last().query) == {"page[number]": ["1"], "language": ["fin"]}
    assert len(first) == 100 and first.has_next
    everything = [program async for program in client.programs.iterate()]
    assert len(everything) == cat.PROGRAM_COUNT
    assert len({program.id for program in everything}) == cat.PROGRAM_COUNT
    years = [program.release_year or 0 for program in everything]
    assert years == sorted(years, reverse=True)
    # Short last page: three requests for 200 programmes (two full pages, then an empty one is never asked).
    pages = [parse_qs(e.query)["page[number]"] for e in recording.exchanges if e.path.endswith("/programs")]
    assert pages == [["1"], ["1"], ["2"], ["3"]]
    assert all(isinstance(program, Program) and program.images for program in everything)
    assert check_against_files(recording.exchanges) == len(recording.exchanges)


async def test_programs_follow_next_links_where_sent(fake: FakeAmino, client: AminoClient, recording: Recorder) -> None:
    fake.send_next_links = True
    everything = [program async for program in client.programs.iterate(sort="program.release_year")]

    assert len(everything) == cat.PROGRAM_COUNT
    assert [parse_qs(e.query)["page[number]"] for e in recording.exchanges] == [["1"], ["2"]]
    assert parse_qs(recording.last().query)["sort"] == ["program.release_year"]


async def test_program_filters_are_typed(fake: FakeAmino, client: AminoClient, recording: Recorder) -> None:
    series_id = _ids(fake).series.make(2)

    page = await client.programs.list(series_id=series_id)

    assert parse_qs(recording.last().query)["filter"] == [f"series.id:{series_id}"]
    assert len(page) == cat.SEASONS_PER_SERIES * cat.EPISODES_PER_SEASON
    assert {program.title.rsplit(" ", 1)[0] for program in page} == {cat.SERIES_TITLES[2]}
    genre = fake.catalogue_ids.genre.make(1)
    both = await client.programs.list(genre_id=[genre], series_id=series_id)
    assert parse_qs(recording.last().query)["filter"] == [f"genre.id:{genre}", f"series.id:{series_id}"]
    assert cat.series_genre(2) == 6 and len(both) == 0
    with pytest.raises(ConfigurationError, match="not both"):
        await client.programs.list(filter="genre.id:x", genre_id="y")
    with pytest.raises(BadRequestError) as refused:
        await client.programs.list(filter="title:x")
    assert refused.value.status == 400 and "filter" in (refused.value.errors[0].detail or "")
    with pytest.raises(BadRequestError):
        await client.programs.list(sort="program.title")  # type: ignore[arg-type]


async def test_a_program_with_everything_it_relates_to(
    fake: FakeAmino, client: AminoClient, recording: Recorder
) -> None:
    index = 13  # episode 2 of season 1 of series 1
    program = await client.programs.get(_ids(fake).program.make(index))

    assert recording.last().method == "GET"
    assert recording.last().path == f"/api/metadata/v1/programs/{program.id}"
    assert program.program_type == "episode"
    assert program.series is not None and program.series.title == cat.SERIES_TITLES[1]
    assert [season.season_number for season in program.seasons] == [1]
    assert isinstance(program.episode, Episode) and program.episode.episode_number == 2
    assert [genre.name for genre in program.genres] == [cat.GENRES[cat.series_genre(1)]]
    assert len(program.credited_persons) == 2 and all(person.credit for person in program.credited_persons)
    movie = await client.programs.get(_ids(fake).program.make(cat.PROGRAM_COUNT - 1))
    assert movie.program_type == "movie" and movie.series is None and movie.episode is None
    assert check_against_files(recording.exchanges) == 2


async def test_unknown_and_hostile_program_ids(fake: FakeAmino, client: AminoClient, recording: Recorder) -> None:
    with pytest.raises(NotFoundError) as missing:
        await client.programs.get(_ids(fake).program.make(cat.PROGRAM_COUNT))
    assert missing.value.status == 404 and "not found" in (missing.value.errors[0].detail or "")
    with pytest.raises(NotFoundError):
        await client.programs.get("a/b?c#d")
    assert recording.last().raw_path == "/api/metadata/v1/programs/a%2Fb%3Fc%23d"
    sent = len(recording.exchanges)
    with pytest.raises(ConfigurationError):
        await client.programs.get("..")
    assert len(recording.exchanges) == sent


async def test_the_slots_of_a_program_point_back_to_it(
    fake: FakeAmino, client: AminoClient, recording: Recorder
) -> None:
    program_id = _ids(fake).program.make(5)
    start = fake.epg_today - datetime.timedelta(days=1)

    slots = await client.programs.slots(program_id, start, days_to_return=3)

    assert parse_qs(recording.last().query) == {
        "start_date_yyyymmdd": [start.strftime("%Y%m%d")],
        "days_to_return": ["3"],
    }
    assert slots and all(slot.program_id == program_id for slot in slots)
    window_start = int(datetime.datetime.combine(start, cat.DAY_START).timestamp())
    assert all(window_start <= slot.start_time_unix < window_start + 3 * 86400 for slot in slots)
    # Each slot is in its channel's EPG for that day.
    slot = slots[0]
    assert slot.channel_id is not None
    epg = await client.schedule.slots(slot.channel_id, slot.start.date())
    assert slot.id in {s.id for s in epg}
    with pytest.raises(BadRequestError):
        await client.programs.slots(program_id, start, days_to_return=2)  # type: ignore[arg-type]
    check_against_files(recording.exchanges[:1])


async def test_series_seasons_and_episodes(fake: FakeAmino, client: AminoClient, recording: Recorder) -> None:
    all_series = [series async for series in client.series.iterate(sort="series.title")]
    assert [s.title for s in all_series] == sorted(cat.SERIES_TITLES)
    assert parse_qs(recording.last().query) == {"page[number]": ["1"], "sort": ["series.title"]}

    series = await client.series.get(all_series[0].id)
    assert isinstance(series, Series)
    assert [season.season_number for season in series.seasons] == [1, 2]
    assert series.genres and series.credited_persons

    season = await client.seasons.get(series.seasons[1].id)
    assert season.title.startswith("Season 2")
    episodes = await client.seasons.episodes(season.id, sort="-episode.number")
    assert parse_qs(recording.last().query) == {"sort": ["-episode.number"]}
    assert [e.episode_number for e in episodes] == [6, 5, 4, 3, 2, 1]
    assert all(e.program is not None and e.program.program_type == "episode" for e in episodes)
    assert [s.id for s in await client.seasons.series(season.id)] == [series.id]
    assert await client.seasons.series(season.id, adult=True) == []
    assert parse_qs(recording.last().query) == {"filter": ["content_rating.adult:true"]}
    by_season = await client.series.list(season_id=season.id)
    assert [s.id for s in by_season] == [series.id]
    with pytest.raises(NotFoundError):
        await client.seasons.episodes(_ids(fake).season.make(999))
    with pytest.raises(NotFoundError):
        await client.series.get(_ids(fake).series.make(cat.SERIES_COUNT))
    assert check_against_files(recording.exchanges) == len(recording.exchanges)


async def test_genres_and_credited_persons(fake: FakeAmino, client: AminoClient, recording: Recorder) -> None:
    genres = [genre async for genre in client.genres.iterate(language="fin")]
    assert [g.name for g in genres] == list(cat.GENRES)
    assert recording.last().path == "/api/metadata/v1/genres"

    person_id = _ids(fake).person.make(3)
    programs = await client.credited_persons.programs(person_id, sort="program.title")
    assert recording.last().path == f"/api/metadata/v1/credited_persons/{person_id}/programs"
    assert programs and [p.title for p in programs] == sorted(p.title for p in programs)
    for program in programs[:2]:
        full = await client.programs.get(program.id)
        assert person_id in {person.id for person in full.credited_persons}
    credit = cat.CREDITS[3 % len(cat.CREDITS)]
    assert len(await client.credited_persons.programs(person_id, role=credit)) == len(programs)
    assert parse_qs(recording.last().query) == {"filter": [f"role:{credit}"]}
    assert await client.credited_persons.programs(person_id, role="Nobody") == []
    with pytest.raises(NotFoundError):
        await client.credited_persons.programs(_ids(fake).person.make(cat.PERSON_COUNT))
    assert check_against_files(recording.exchanges) == len(recording.exchanges)


@pytest.mark.parametrize("page_number", [0, -1])
async def test_page_numbers_are_checked_before_sending(
    client: AminoClient, recording: Recorder, page_number: int
) -> None:
    with pytest.raises(ConfigurationError):
        await client.programs.list(page_number=page_number)
    assert recording.exchanges == []
