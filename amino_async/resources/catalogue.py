"""The enriched metadata (``/api/metadata/v1``): ``client.programs``, ``client.series``, ``client.seasons``,
``client.genres`` and ``client.credited_persons``."""

from __future__ import annotations

import builtins
import datetime
from collections.abc import AsyncIterator, Sequence
from typing import Final, Literal

from .._pagination import Page
from .._resource import APIResource, uses
from .._urls import Route
from ..models import BroadcastSlot, Episode, Genre, Program, Season
from ..models import Series as SeriesModel
from ._query import every, filters

__all__ = [
    "CreditedPersons",
    "CreditedProgramSort",
    "DaysToReturn",
    "EpisodeSort",
    "Genres",
    "ProgramSort",
    "Programs",
    "Seasons",
    "SeriesResource",
    "SeriesSort",
]

#: The sorts ``GET /programs`` takes ("-" first: descending).
ProgramSort = Literal["program.release_year", "-program.release_year"]
#: The sorts ``GET /credited_persons/{credited_person_id}/programs`` takes.
CreditedProgramSort = Literal["program.title", "-program.title", "program.release_year", "-program.release_year"]
#: The sorts of the series listings.
SeriesSort = Literal["series.title", "-series.title", "series.release_year", "-series.release_year"]
#: The sorts of a season's episodes.
EpisodeSort = Literal["episode.number", "-episode.number", "episode.title", "-episode.title"]
#: How many days of broadcast slots ``GET /programs/{program_id}/broadcast_slots`` returns.
DaysToReturn = Literal[1, 3, 7, 31]

#: The listings paged by ``page[number]`` (the files: "page[number]=1"), 100 a page.
PAGE_PARAM: Final = "page[number]"

PROGRAMS: Final = Route("GET", "metadata", "/programs")
PROGRAM: Final = Route("GET", "metadata", "/programs/{program_id}")
PROGRAM_SLOTS: Final = Route("GET", "metadata", "/programs/{program_id}/broadcast_slots")
SERIES_INDEX: Final = Route("GET", "metadata", "/series")
SERIES: Final = Route("GET", "metadata", "/series/{series_id}")
SEASON: Final = Route("GET", "metadata", "/seasons/{season_id}")
SEASON_EPISODES: Final = Route("GET", "metadata", "/seasons/{season_id}/episodes")
SEASON_SERIES: Final = Route("GET", "metadata", "/seasons/{season_id}/series")
GENRES: Final = Route("GET", "metadata", "/genres")
PERSON_PROGRAMS: Final = Route("GET", "metadata", "/credited_persons/{credited_person_id}/programs")


class Programs(APIResource):
    """Programmes: movies, episodes and other things that can be shown (``/api/metadata/v1/programs``)."""

    __slots__ = ()

    @uses(PROGRAMS)
    async def list(
        self,
        *,
        page_number: int = 1,
        sort: ProgramSort | None = None,
        filter: str | Sequence[str] | None = None,
        genre_id: str | Sequence[str] | None = None,
        series_id: str | Sequence[str] | None = None,
        language: str | None = None,
        max_retries: int | None = None,
    ) -> Page[Program]:
        """One page (100) of programmes (``GET /programs``), newest release first unless ``sort`` says otherwise.

        Filter with ``genre_id`` or ``series_id`` (sent as ``filter=genre.id:...``), or pass the API's own
        ``filter``. ``page_number`` is sent as ``page[number]``.
        """
        query = {
            PAGE_PARAM: page_number,
            "sort": sort,
            "filter": filters(filter, {"genre.id": genre_id, "series.id": series_id}),
            "language": language,
        }
        return await self._api.retrying(max_retries).page(PROGRAMS, None, query, Program, number_param=PAGE_PARAM)

    @uses(PROGRAMS)
    async def iterate(
        self,
        *,
        sort: ProgramSort | None = None,
        filter: str | Sequence[str] | None = None,
        genre_id: str | Sequence[str] | None = None,
        series_id: str | Sequence[str] | None = None,
        language: str | None = None,
        max_retries: int | None = None,
    ) -> AsyncIterator[Program]:
        """Every programme, page after page (``GET /programs``)."""
        first = await self.list(
            sort=sort, filter=filter, genre_id=genre_id, series_id=series_id, language=language, max_retries=max_retries
        )
        async for program in every(first):
            yield program

    @uses(PROGRAM)
    async def get(self, program_id: str, *, language: str | None = None, max_retries: int | None = None) -> Program:
        """One programme with its series, seasons, episode, genres and credited persons resolved
        (``GET /programs/{program_id}``)."""
        api = self._api.retrying(max_retries)
        return await api.call(PROGRAM, {"program_id": program_id}, query={"language": language}, answer=Program)

    @uses(PROGRAM_SLOTS)
    async def slots(
        self,
        program_id: str,
        start_date_yyyymmdd: datetime.date,
        *,
        days_to_return: DaysToReturn | None = None,
        language: str | None = None,
        max_retries: int | None = None,
    ) -> builtins.list[BroadcastSlot]:
        """The broadcast slots showing a programme in the days from ``start_date_yyyymmdd`` on
        (``GET /programs/{program_id}/broadcast_slots``; the API's default is 7 days)."""
        query = {
            "start_date_yyyymmdd": start_date_yyyymmdd.strftime("%Y%m%d"),
            "days_to_return": days_to_return,
            "language": language,
        }
        api = self._api.retrying(max_retries)
        path = {"program_id": program_id}
        return await api.call(PROGRAM_SLOTS, path, query=query, answer=builtins.list[BroadcastSlot])


class SeriesResource(APIResource):
    """Series, whose episodes belong to seasons (``/api/metadata/v1/series``)."""

    __slots__ = ()

    @uses(SERIES_INDEX)
    async def list(
        self,
        *,
        page_number: int = 1,
        sort: SeriesSort | None = None,
        filter: str | Sequence[str] | None = None,
        genre_id: str | Sequence[str] | None = None,
        season_id: str | Sequence[str] | None = None,
        adult: bool | None = None,
        language: str | None = None,
        max_retries: int | None = None,
    ) -> Page[SeriesModel]:
        """One page (100) of series (``GET /series``), newest release first unless ``sort`` says otherwise.

        Filter with ``genre_id``, ``season_id`` or ``adult`` (``content_rating.adult``), or the API's ``filter``.
        """
        typed = {"genre.id": genre_id, "season.id": season_id, "content_rating.adult": adult}
        query = {PAGE_PARAM: page_number, "sort": sort, "filter": filters(filter, typed), "language": language}
        return await self._api.retrying(max_retries).page(
            SERIES_INDEX, None, query, SeriesModel, number_param=PAGE_PARAM
        )

    @uses(SERIES_INDEX)
    async def iterate(
        self,
        *,
        sort: SeriesSort | None = None,
        filter: str | Sequence[str] | None = None,
        genre_id: str | Sequence[str] | None = None,
        season_id: str | Sequence[str] | None = None,
        adult: bool | None = None,
        language: str | None = None,
        max_retries: int | None = None,
    ) -> AsyncIterator[SeriesModel]:
        """Every series, page after page (``GET /series``)."""
        first = await self.list(
            sort=sort,
            filter=filter,
            genre_id=genre_id,
            season_id=season_id,
            adult=adult,
            language=language,
            max_retries=max_retries,
        )
        async for series in every(first):
            yield series

    @uses(SERIES)
    async def get(self, series_id: str, *, language: str | None = None, max_retries: int | None = None) -> SeriesModel:
        """One series with its seasons, genres and credited persons resolved (``GET /series/{series_id}``)."""
        api = self._api.retrying(max_retries)
        return await api.call(SERIES, {"series_id": series_id}, query={"language": language}, answer=SeriesModel)


class Seasons(APIResource):
    """Seasons, and the episodes and series of each (``/api/metadata/v1/seasons``)."""

    __slots__ = ()

    @uses(SEASON)
    async def get(self, season_id: str | int, *, language: str | None = None, max_retries: int | None = None) -> Season:
        """One season (``GET /seasons/{season_id}``)."""
        api = self._api.retrying(max_retries)
        return await api.call(SEASON, {"season_id": season_id}, query={"language": language}, answer=Season)

    @uses(SEASON_EPISODES)
    async def episodes(
        self,
        season_id: str | int,
        *,
        sort: EpisodeSort | None = None,
        language: str | None = None,
        max_retries: int | None = None,
    ) -> list[Episode]:
        """The episodes of a season, each with its programme resolved (``GET /seasons/{season_id}/episodes``)."""
        api = self._api.retrying(max_retries)
        query = {"sort": sort, "language": language}
        return await api.call(SEASON_EPISODES, {"season_id": season_id}, query=query, answer=list[Episode])

    @uses(SEASON_SERIES)
    async def series(
        self,
        season_id: str | int,
        *,
        sort: SeriesSort | None = None,
        filter: str | Sequence[str] | None = None,
        adult: bool | None = None,
        genre_name: str | Sequence[str] | None = None,
        language: str | None = None,
        max_retries: int | None = None,
    ) -> list[SeriesModel]:
        """The series a season belongs to, usually one (``GET /seasons/{season_id}/series``)."""
        typed = {"content_rating.adult": adult, "genre.name": genre_name}
        query = {"sort": sort, "filter": filters(filter, typed), "language": language}
        api = self._api.retrying(max_retries)
        return await api.call(SEASON_SERIES, {"season_id": season_id}, query=query, answer=list[SeriesModel])


class Genres(APIResource):
    """The genres programmes and channels belong to (``/api/metadata/v1/genres``)."""

    __slots__ = ()

    @uses(GENRES)
    async def list(
        self, *, page_number: int = 1, language: str | None = None, max_retries: int | None = None
    ) -> Page[Genre]:
        """One page of genres (``GET /genres``)."""
        query = {PAGE_PARAM: page_number, "language": language}
        return await self._api.retrying(max_retries).page(GENRES, None, query, Genre, number_param=PAGE_PARAM)

    @uses(GENRES)
    async def iterate(self, *, language: str | None = None, max_retries: int | None = None) -> AsyncIterator[Genre]:
        """Every genre, page after page (``GET /genres``)."""
        async for genre in every(await self.list(language=language, max_retries=max_retries)):
            yield genre


class CreditedPersons(APIResource):
    """The people and companies credited in programmes (``/api/metadata/v1/credited_persons``)."""

    __slots__ = ()

    @uses(PERSON_PROGRAMS)
    async def programs(
        self,
        credited_person_id: str,
        *,
        sort: CreditedProgramSort | None = None,
        filter: str | Sequence[str] | None = None,
        role: str | Sequence[str] | None = None,
        language: str | None = None,
        max_retries: int | None = None,
    ) -> list[Program]:
        """The programmes a person is credited in, newest first by default
        (``GET /credited_persons/{credited_person_id}/programs``); ``role`` filters on the credit (e.g. Cast)."""
        query = {"sort": sort, "filter": filters(filter, {"role": role}), "language": language}
        api = self._api.retrying(max_retries)
        path = {"credited_person_id": credited_person_id}
        return await api.call(PERSON_PROGRAMS, path, query=query, answer=list[Program])
