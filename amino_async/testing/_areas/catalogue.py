"""The catalogue area (metadata family): channels, and the enriched metadata: programmes, series, seasons,
genres and credited persons.

The catalogue is a pure function of ``fake.seed`` and ``fake.channel_count`` (``_catalogue``), so this
area keeps no state of its own. The programmes' slots are the EPG's (``_catalogue.program_positions``),
so every programme a slot points to exists here and the other way round.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, urlencode

from starlette.responses import Response

from .. import _catalogue as cat
from .._catalogue import parse_channel_query, render_channel_page
from .._responses import answer, bad_request, dumps, jsonapi_error
from .._routing import Call, FakeRoute

if TYPE_CHECKING:
    from .._app import FakeAmino

_CHANNELS_CACHE = {"cache-control": "public, max-age=900"}
_METADATA_CACHE = {"cache-control": "public, max-age=300"}
_LANGUAGE = re.compile(r"[A-Za-z]{3}")
PAGE_PARAM = "page[number]"
PAGE_SIZE = 100


async def channels(fake: FakeAmino, call: Call) -> Response:
    """``GET /api/metadata/v1/channels``: one page of 100 channels, with their products and genres."""
    query = parse_channel_query(call.request.scope["query_string"])
    if isinstance(query, str):
        return bad_request(fake, query)
    body = render_channel_page(fake.seed, fake.channel_count, query, call.origin, fake.send_next_links)
    return answer(fake, 200, body, _CHANNELS_CACHE)


# --- the query of the metadata listings (shared with the schedule area) ----------------------------


class Refused(Exception):
    """A query parameter out of its documented range: answered 400 with this detail."""


def query_params(call: Call) -> dict[str, list[str]]:
    """The query of ``call``, every value of each parameter."""
    found: dict[str, list[str]] = {}
    for name, value in parse_qsl(call.request.scope["query_string"].decode("latin-1"), keep_blank_values=True):
        found.setdefault(name, []).append(value)
    return found


def one(params: Mapping[str, list[str]], name: str) -> str | None:
    """The value of a parameter given at most once."""
    values = params.get(name)
    if not values:
        return None
    if len(values) > 1:
        raise Refused(f"Parameter '{name}' may be given once")
    return values[0]


def language_of(params: Mapping[str, list[str]]) -> str:
    """The ``language`` asked for (``eng`` by default), checked."""
    language = one(params, "language")
    if language is None:
        return "eng"
    if _LANGUAGE.fullmatch(language) is None:
        raise Refused(f"Parameter 'language' must be a 3 letter ISO 639-2 code, got {language[:20]!r}")
    return language.lower()


def filters_of(params: Mapping[str, list[str]], allowed: Sequence[str]) -> dict[str, list[str]]:
    """The ``filter`` parameters as ``{field: values}``: each ``field:value[,value...]``, all of them to match."""
    found: dict[str, list[str]] = {}
    for text in params.get("filter", ()):
        field, sep, values = text.partition(":")
        if not sep or field not in allowed or not values:
            raise Refused(
                f"Parameter 'filter' must be '<field>:<value>' with a field of {list(allowed)}, got {text[:60]!r}"
            )
        found.setdefault(field, []).extend(values.split(","))
    return found


def sort_of(params: Mapping[str, list[str]], allowed: Sequence[str], default: str) -> tuple[str, bool]:
    """The field to sort on and whether descending (``-field``)."""
    sort = one(params, "sort") or default
    field = sort.removeprefix("-")
    if field not in allowed:
        raise Refused(f"Parameter 'sort' must be one of {list(allowed)}, '-' first for descending, got {sort[:60]!r}")
    return field, sort.startswith("-")


def page_of(params: Mapping[str, list[str]]) -> int:
    """The ``page[number]`` asked for (1 by default)."""
    text = one(params, PAGE_PARAM) or "1"
    if not text.isascii() or not text.isdigit() or int(text) < 1:
        raise Refused(f"Parameter '{PAGE_PARAM}' must be an integer >= 1, got {text[:40]!r}")
    return int(text)


def not_found(fake: FakeAmino, kind: str, resource_id: str) -> Response:
    """404 in the JSON:API shape the metadata files document (``broadcast_slots.yml``)."""
    return answer(
        fake, 404, jsonapi_error(404, "30301", "Not found", f'{kind} with ID "{resource_id[:100]}" not found')
    )


def refusing(handler: Callable[[FakeAmino, Call], Response]) -> Callable[[FakeAmino, Call], Any]:
    """``handler`` as a route handler whose :class:`Refused` parameters are answered 400."""

    async def route(fake: FakeAmino, call: Call) -> Response:
        try:
            return handler(fake, call)
        except Refused as refused:
            return bad_request(fake, str(refused))

    route.__doc__ = handler.__doc__
    return route


def paged(
    fake: FakeAmino,
    call: Call,
    path: str,
    params: Mapping[str, list[str]],
    data: list[Any],
    render: Callable[[Any], object],
) -> Response:
    """One page (100) of ``data``, rendered, with ``links.next`` while more follow when the fake sends them."""
    number = page_of(params)
    start = (number - 1) * PAGE_SIZE
    document: dict[str, object] = {"data": [render(item) for item in data[start : start + PAGE_SIZE]]}
    if fake.send_next_links and start + PAGE_SIZE < len(data):
        following = [(name, value) for name, values in params.items() if name != PAGE_PARAM for value in values]
        following.append((PAGE_PARAM, str(number + 1)))
        document["links"] = {"next": f"{call.origin}{path}?{urlencode(following)}"}
    return answer(fake, 200, dumps(document), _METADATA_CACHE)


# --- programmes ---------------------------------------------------------------------------------------

_PROGRAM_SORTS = ("program.release_year",)
_PERSON_PROGRAM_SORTS = ("program.title", "program.release_year")


def _program_order(seed: int, programs: list[int], field: str, descending: bool) -> list[int]:
    def key(index: int) -> tuple[Any, int]:
        traits = cat.program_traits(seed, index)
        return (traits.release_year if field == "program.release_year" else traits.title, index)

    return sorted(programs, key=key, reverse=descending)


def _program_index(fake: FakeAmino, program_id: str) -> int | None:
    index = cat.metadata_ids(fake.seed).program.parse(program_id)
    return index if index is not None and index < cat.PROGRAM_COUNT else None


def _programs(fake: FakeAmino, call: Call) -> Response:
    """``GET /api/metadata/v1/programs``: 100 a page, newest release first by default."""
    params = query_params(call)
    language = language_of(params)
    chosen = filters_of(params, ("genre.id", "series.id"))
    field, descending = sort_of(params, _PROGRAM_SORTS, "-program.release_year")
    seed, ids = fake.seed, cat.metadata_ids(fake.seed)
    genres = {g for g in (cat.catalogue_ids(seed).genre.parse(v) for v in chosen.get("genre.id", ())) if g is not None}
    series = {s for s in (ids.series.parse(v) for v in chosen.get("series.id", ())) if s is not None}

    def accepts(index: int) -> bool:
        traits = cat.program_traits(seed, index)
        if "genre.id" in chosen and traits.genre not in genres:
            return False
        return "series.id" not in chosen or traits.series in series

    matching = _program_order(seed, [i for i in range(cat.PROGRAM_COUNT) if accepts(i)], field, descending)
    render = lambda index: cat.program_resource(seed, index, language, relationships=False)  # noqa: E731
    return paged(fake, call, "/api/metadata/v1/programs", params, matching, render)


def _program(fake: FakeAmino, call: Call) -> Response:
    """``GET /api/metadata/v1/programs/{program_id}``: always with its series, season, episode, genres, persons."""
    language = language_of(query_params(call))
    index = _program_index(fake, call.params["program_id"])
    if index is None:
        return not_found(fake, "Program", call.params["program_id"])
    seed = fake.seed
    traits = cat.program_traits(seed, index)
    included: list[object] = []
    if traits.series is not None and traits.season is not None:
        included.append(cat.series_resource(seed, traits.series, language, relationships=False))
        included.append(cat.episode_resource(seed, index, language))
        included.append(cat.season_resource(seed, traits.season, language))
    included.append(cat.genre_resource(seed, traits.genre))
    included += [cat.person_resource(seed, person, language) for person in traits.persons]
    resource = cat.program_resource(seed, index, language, relationships=True)
    return answer(fake, 200, dumps({"data": resource, "included": included}), _METADATA_CACHE)


_DAYS_TO_RETURN = ("1", "3", "7", "31")


def _program_slots(fake: FakeAmino, call: Call) -> Response:
    """``GET /api/metadata/v1/programs/{program_id}/broadcast_slots``: the slots of the days asked for."""
    params = query_params(call)
    language = language_of(params)
    start_text = one(params, "start_date_yyyymmdd")
    if start_text is None:
        raise Refused("Parameter 'start_date_yyyymmdd' is required")
    try:
        start = datetime.datetime.strptime(start_text, "%Y%m%d").date()
    except ValueError:
        raise Refused(f"Parameter 'start_date_yyyymmdd' must be a date as YYYYMMDD, got {start_text[:20]!r}") from None
    days = one(params, "days_to_return") or "7"
    if days not in _DAYS_TO_RETURN:
        raise Refused(f"Parameter 'days_to_return' must be one of 1, 3, 7, 31, got {days[:20]!r}")
    index = _program_index(fake, call.params["program_id"])
    if index is None:
        return not_found(fake, "Program", call.params["program_id"])
    today = fake.epg_today
    first = (start - today).days
    last = first + int(days) - 1
    positions = [p for p in cat.program_positions(fake.channel_count, index) if first <= p.day <= last]
    data = [cat.slot_resource(fake.seed, fake.channel_count, today, p, language) for p in positions]
    return answer(fake, 200, dumps({"data": data}))


# --- series, seasons, genres, persons ---------------------------------------------------------------

_SERIES_SORTS = ("series.title", "series.release_year")


def _series_order(series: list[int], field: str, descending: bool) -> list[int]:
    def key(index: int) -> tuple[Any, int]:
        return (cat.series_year(index) if field == "series.release_year" else cat.SERIES_TITLES[index], index)

    return sorted(series, key=key, reverse=descending)


def _adult(values: list[str]) -> bool:
    # "only 'true' will be treated as true"; no series of the fake is adult-rated.
    return "true" in values


def _series_index(fake: FakeAmino, call: Call) -> Response:
    """``GET /api/metadata/v1/series``: newest release first by default."""
    params = query_params(call)
    language = language_of(params)
    chosen = filters_of(params, ("content_rating.adult", "genre.id", "season.id"))
    field, descending = sort_of(params, _SERIES_SORTS, "-series.release_year")
    seed, ids = fake.seed, cat.metadata_ids(fake.seed)
    genres = {cat.catalogue_ids(seed).genre.parse(v) for v in chosen.get("genre.id", ())}
    seasons = {ids.season.parse(v) for v in chosen.get("season.id", ())}

    def accepts(series: int) -> bool:
        if "content_rating.adult" in chosen and _adult(chosen["content_rating.adult"]):
            return False
        if "genre.id" in chosen and cat.series_genre(series) not in genres:
            return False
        own = range(series * cat.SEASONS_PER_SERIES, (series + 1) * cat.SEASONS_PER_SERIES)
        return "season.id" not in chosen or any(season in seasons for season in own)

    matching = _series_order([s for s in range(cat.SERIES_COUNT) if accepts(s)], field, descending)
    render = lambda series: cat.series_resource(seed, series, language, relationships=False)  # noqa: E731
    return paged(fake, call, "/api/metadata/v1/series", params, matching, render)


def _series(fake: FakeAmino, call: Call) -> Response:
    """``GET /api/metadata/v1/series/{series_id}``: always with its seasons, genre and credited persons."""
    language = language_of(query_params(call))
    series = cat.metadata_ids(fake.seed).series.parse(call.params["series_id"])
    if series is None or series >= cat.SERIES_COUNT:
        return not_found(fake, "Series", call.params["series_id"])
    seed = fake.seed
    seasons = range(series * cat.SEASONS_PER_SERIES, (series + 1) * cat.SEASONS_PER_SERIES)
    first_episode = series * cat.SEASONS_PER_SERIES * cat.EPISODES_PER_SEASON
    included = [cat.season_resource(seed, season, language) for season in seasons]
    included.append(cat.genre_resource(seed, cat.series_genre(series)))
    included += [cat.person_resource(seed, p, language) for p in cat.program_traits(seed, first_episode).persons]
    resource = cat.series_resource(seed, series, language, relationships=True)
    return answer(fake, 200, dumps({"data": resource, "included": included}), _METADATA_CACHE)


def _season_index(fake: FakeAmino, call: Call) -> int | None:
    season = cat.metadata_ids(fake.seed).season.parse(call.params["season_id"])
    return season if season is not None and season < cat.SERIES_COUNT * cat.SEASONS_PER_SERIES else None


def _season(fake: FakeAmino, call: Call) -> Response:
    """``GET /api/metadata/v1/seasons/{season_id}``."""
    language = language_of(query_params(call))
    season = _season_index(fake, call)
    if season is None:
        return not_found(fake, "Season", call.params["season_id"])
    return answer(fake, 200, dumps({"data": cat.season_resource(fake.seed, season, language)}), _METADATA_CACHE)


_EPISODE_SORTS = ("episode.number", "episode.title")


def _season_episodes(fake: FakeAmino, call: Call) -> Response:
    """``GET /api/metadata/v1/seasons/{season_id}/episodes``: always with their programmes included."""
    params = query_params(call)
    language = language_of(params)
    field, descending = sort_of(params, _EPISODE_SORTS, "episode.number")
    season = _season_index(fake, call)
    if season is None:
        return not_found(fake, "Season", call.params["season_id"])
    seed = fake.seed
    first = season * cat.EPISODES_PER_SEASON
    episodes = list(range(first, first + cat.EPISODES_PER_SEASON))
    # Titles are "Episode N" with N the number: both sorts agree on a season of fewer than ten episodes.
    episodes.sort(reverse=descending)
    data = [cat.episode_resource(seed, index, language) for index in episodes]
    included = [cat.program_resource(seed, index, language, relationships=False) for index in episodes]
    del field
    return answer(fake, 200, dumps({"data": data, "included": included}), _METADATA_CACHE)


def _season_series(fake: FakeAmino, call: Call) -> Response:
    """``GET /api/metadata/v1/seasons/{season_id}/series``: the one series of the season."""
    params = query_params(call)
    language = language_of(params)
    chosen = filters_of(params, ("content_rating.adult", "genre.name", "season.release_year"))
    sort_of(params, _SERIES_SORTS, "-series.release_year")
    season = _season_index(fake, call)
    if season is None:
        return not_found(fake, "Season", call.params["season_id"])
    series, number = divmod(season, cat.SEASONS_PER_SERIES)
    accepted = not ("content_rating.adult" in chosen and _adult(chosen["content_rating.adult"]))
    if "genre.name" in chosen:
        accepted &= cat.GENRES[cat.series_genre(series)].lower() in {v.lower() for v in chosen["genre.name"]}
    if "season.release_year" in chosen:
        accepted &= str(cat.series_year(series) + number) in chosen["season.release_year"]
    data = [cat.series_resource(fake.seed, series, language, relationships=False)] if accepted else []
    return answer(fake, 200, dumps({"data": data}), _METADATA_CACHE)


def _genres(fake: FakeAmino, call: Call) -> Response:
    """``GET /api/metadata/v1/genres``: every genre (one page)."""
    params = query_params(call)
    language_of(params)
    seed = fake.seed
    render = lambda genre: cat.genre_resource(seed, genre)  # noqa: E731
    return paged(fake, call, "/api/metadata/v1/genres", params, list(range(len(cat.GENRES))), render)


def _person_programs(fake: FakeAmino, call: Call) -> Response:
    """``GET /api/metadata/v1/credited_persons/{credited_person_id}/programs``: newest release first by default."""
    params = query_params(call)
    language = language_of(params)
    chosen = filters_of(params, ("role",))
    field, descending = sort_of(params, _PERSON_PROGRAM_SORTS, "-program.release_year")
    person = cat.metadata_ids(fake.seed).person.parse(call.params["credited_person_id"])
    if person is None or person >= cat.PERSON_COUNT:
        return not_found(fake, "CreditedPerson", call.params["credited_person_id"])
    if "role" in chosen and cat.CREDITS[person % len(cat.CREDITS)].lower() not in {r.lower() for r in chosen["role"]}:
        return answer(fake, 200, dumps({"data": []}))
    seed = fake.seed
    programs = [i for i in range(cat.PROGRAM_COUNT) if person in cat.program_traits(seed, i).persons]
    ordered = _program_order(seed, programs, field, descending)
    data = [cat.program_resource(seed, i, language, relationships=False) for i in ordered]
    return answer(fake, 200, dumps({"data": data}), _METADATA_CACHE)


_PREFIX = "/api/metadata/v1"
_BAD_PROGRAM = {"data": [{"type": "Program", "id": "0", "attributes": {"release_year": "last year"}}]}

ROUTES: tuple[FakeRoute, ...] = (
    FakeRoute("channels", "GET", "/api/metadata/v1/channels", channels, data=True, malformed={"data": "channels"}),
    FakeRoute("programs", "GET", f"{_PREFIX}/programs", refusing(_programs), data=True, malformed={"data": "programs"}),
    FakeRoute(
        "program", "GET", f"{_PREFIX}/programs/{{program_id}}", refusing(_program), data=True, malformed=_BAD_PROGRAM
    ),
    FakeRoute(
        "program_broadcast_slots",
        "GET",
        f"{_PREFIX}/programs/{{program_id}}/broadcast_slots",
        refusing(_program_slots),
        data=True,
        malformed={"data": [{"type": "BroadcastSlot", "id": "0", "attributes": {"start_time_unix": "dawn"}}]},
    ),
    FakeRoute("series_index", "GET", f"{_PREFIX}/series", refusing(_series_index), data=True),
    FakeRoute("series", "GET", f"{_PREFIX}/series/{{series_id}}", refusing(_series), data=True),
    FakeRoute("season", "GET", f"{_PREFIX}/seasons/{{season_id}}", refusing(_season), data=True),
    FakeRoute(
        "season_episodes", "GET", f"{_PREFIX}/seasons/{{season_id}}/episodes", refusing(_season_episodes), data=True
    ),
    FakeRoute("season_series", "GET", f"{_PREFIX}/seasons/{{season_id}}/series", refusing(_season_series), data=True),
    FakeRoute("genres", "GET", f"{_PREFIX}/genres", refusing(_genres), data=True),
    FakeRoute(
        "credited_person_programs",
        "GET",
        f"{_PREFIX}/credited_persons/{{credited_person_id}}/programs",
        refusing(_person_programs),
        data=True,
    ),
)
