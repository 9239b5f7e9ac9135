"""The EPG and catch-up (``/api/metadata/v1``): ``client.schedule`` (broadcast slots, a day or a range of days)
and ``client.catchup`` (catch-up items, and their streams in one go)."""

from __future__ import annotations

import datetime
from collections.abc import AsyncIterable, Iterable, Sequence
from typing import Any, Final

from attrs import frozen

from .._errors import AminoError, ConfigurationError
from .._resource import APIResource, uses
from .._urls import Route
from ..models import BroadcastSlot, CatchupItem, Stream
from ._bulk import Fanout, bulk_map
from ._query import filters
from .channels import DeviceClass, StreamType
from .streams import CATCHUP as CATCHUP_STREAMS
from .streams import Streams

__all__ = ["Catchup", "CatchupStreams", "DaySlots", "Schedule"]

SLOTS: Final = Route("GET", "metadata", "/broadcast_slots/{channel_id}/{yyyy-mm-dd}")
CATCHUP_ITEMS: Final = Route("GET", "metadata", "/catchup")

#: Days fetched at once by the range helpers unless the caller says otherwise: a week is one round trip.
DEFAULT_DAY_CONCURRENCY: Final = 7
#: Catch-up items whose streams are fetched at once unless the caller says otherwise.
DEFAULT_STREAM_CONCURRENCY: Final = 16


@frozen
class DaySlots:
    """One day's outcome in :meth:`Schedule.days`: the slots, or None when fetching them failed with ``error``."""

    date: datetime.date
    slots: list[BroadcastSlot] | None
    error: AminoError | None = None

    @property
    def ok(self) -> bool:
        """Whether the day's slots were fetched."""
        return self.error is None


@frozen
class CatchupStreams:
    """One catch-up item's outcome in :meth:`Catchup.streams_many`: its streams, or the error fetching them."""

    item_id: str
    streams: list[Stream] | None
    error: AminoError | None = None
    #: The item, when one was given (not only its id).
    item: CatchupItem | None = None

    @property
    def ok(self) -> bool:
        """Whether the streams were fetched."""
        return self.error is None


class Schedule(APIResource):
    """The EPG: the broadcast slots of a channel, one day (from 04:00 to 04:00) at a time."""

    __slots__ = ()

    @uses(SLOTS)
    async def slots(
        self,
        channel_id: str,
        date: datetime.date,
        *,
        language: str | None = None,
        max_retries: int | None = None,
    ) -> list[BroadcastSlot]:
        """The broadcast slots of a channel on one day (``GET .../broadcast_slots/{channel_id}/{yyyy-mm-dd}``), with
        the channel resolved from ``included``."""
        path = {"channel_id": channel_id, "yyyy-mm-dd": date.isoformat()}
        api = self._api.retrying(max_retries)
        return await api.call(SLOTS, path, query={"language": language}, answer=list[BroadcastSlot])

    @uses(SLOTS)
    def days(
        self,
        channel_id: str,
        dates: Iterable[datetime.date] | AsyncIterable[datetime.date],
        *,
        concurrency: int = DEFAULT_DAY_CONCURRENCY,
        language: str | None = None,
        max_retries: int | None = None,
    ) -> Fanout[DaySlots]:
        """The slots of several days, ``concurrency`` requests at a time, each day as it completes.

        Every date comes back exactly once, as a :class:`DaySlots` holding its slots or the error its fetch ended
        with. Use it as a block (``async with client.schedule.days(...) as results:``), as
        :meth:`Channels.streams_many <amino_async.resources.Channels.streams_many>` is used.
        """

        async def fetch(date: datetime.date) -> DaySlots:
            try:
                return DaySlots(date, await self.slots(channel_id, date, language=language, max_retries=max_retries))
            except AminoError as exc:
                return DaySlots(date, None, exc)

        return bulk_map(fetch, dates, concurrency=concurrency)

    @uses(SLOTS)
    async def slots_range(
        self,
        channel_id: str,
        start: datetime.date,
        days: int = 7,
        *,
        concurrency: int = DEFAULT_DAY_CONCURRENCY,
        language: str | None = None,
        max_retries: int | None = None,
    ) -> list[BroadcastSlot]:
        """The slots of ``days`` days from ``start`` on, in time order, fetching at most ``concurrency`` days at once.

        Fails with the error of the earliest day that failed (a 404 for an unknown channel, say).
        """
        if days < 1:
            raise ConfigurationError("days must be at least 1")
        dates = [start + datetime.timedelta(days=offset) for offset in range(days)]
        by_date: dict[datetime.date, DaySlots] = {}
        async with self.days(
            channel_id, dates, concurrency=concurrency, language=language, max_retries=max_retries
        ) as results:
            async for result in results:
                by_date[result.date] = result
        found: list[BroadcastSlot] = []
        for date in dates:
            outcome = by_date[date]
            if outcome.error is not None:
                raise outcome.error
            found.extend(outcome.slots or ())
        return found


class Catchup(APIResource):
    """Catch-up: past broadcast slots that can be watched again (``/api/metadata/v1/catchup``).

    An item's id is its broadcast slot's, so ``client.streams.catchup(item.id)`` plays it;
    :meth:`streams_many` fetches the streams of many items at once.
    """

    __slots__ = ()

    @uses(CATCHUP_ITEMS)
    async def list(
        self,
        *,
        channel_id: str | Sequence[str] | None = None,
        series_id: str | Sequence[str] | None = None,
        program_title: str | Sequence[str] | None = None,
        filter: str | Sequence[str] | None = None,
        language: str | None = None,
        max_retries: int | None = None,
    ) -> list[CatchupItem]:
        """The catch-up items of some channels (``GET /catchup``), by default of every channel (``"*"``).

        The API needs a ``channel.id`` filter: ``channel_id`` is it (one id, several, or ``"*"``); ``series_id`` and
        ``program_title`` narrow it down. ``filter`` passes the API's own filter instead.
        """
        if filter is None and channel_id is None:
            channel_id = "*"
        typed = {"channel.id": channel_id, "series.id": series_id, "program.title": program_title}
        query = {"filter": filters(filter, typed), "language": language}
        return await self._api.retrying(max_retries).call(CATCHUP_ITEMS, query=query, answer=list[CatchupItem])

    @uses(CATCHUP_STREAMS)
    def streams_many(
        self,
        items: Iterable[CatchupItem | str] | AsyncIterable[CatchupItem | str],
        *,
        concurrency: int = DEFAULT_STREAM_CONCURRENCY,
        stream_type: StreamType | None = None,
        device_class: DeviceClass | None = None,
        network: str | None = None,
        max_retries: int | None = None,
    ) -> Fanout[CatchupStreams]:
        """The streams of many catch-up items (or broadcast slot ids), ``concurrency`` at a time, each as it
        completes: the items of :meth:`list`, then their streams, in one flow::

            items = await client.catchup.list(channel_id=channel.id)
            async with client.catchup.streams_many(items) as results:
                async for result in results:
                    ...

        Every item comes back exactly once as a :class:`CatchupStreams`, with its streams or its error.
        """
        streams = Streams(self._api)
        options: dict[str, Any] = {
            "stream_type": stream_type,
            "device_class": device_class,
            "network": network,
            "max_retries": max_retries,
        }

        async def fetch(item: CatchupItem | str) -> CatchupStreams:
            slot_id, given = (item, None) if isinstance(item, str) else (item.id, item)
            try:
                return CatchupStreams(slot_id, await streams.catchup(slot_id, **options), item=given)
            except AminoError as exc:
                return CatchupStreams(slot_id, None, exc, item=given)

        return bulk_map(fetch, items, concurrency=concurrency)
