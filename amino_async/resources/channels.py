"""``client.channels``: the catalogue, and the streams of its channels."""

from __future__ import annotations

import builtins
from collections.abc import AsyncIterable, AsyncIterator, Iterable
from typing import Any, Final, Literal

from .._constants import DEFAULT_BULK_CONCURRENCY
from .._errors import AminoError
from .._pagination import Page
from .._resource import APIResource, uses
from .._urls import Route
from ..models import Channel, Stream
from ._bulk import ChannelStreams, Fanout, bulk_map

__all__ = ["ChannelStreams", "Channels", "DeviceClass", "DrmSystem", "StreamType"]

StreamType = Literal["hls", "dash", "mp4", "mss"]
DrmSystem = Literal["fairplay", "widevine", "playready"]
DeviceClass = Literal["stb", "mobile", "smarttv"]


LIST: Final = Route("GET", "metadata", "/channels")
STREAMS: Final = Route("GET", "media", "/channels/{channel_id}/relationships/streams")


class Channels(APIResource):
    """The channel catalogue (``/api/metadata/v1/channels``) and live streams (``/api/v1/channels/...``)."""

    __slots__ = ()

    @uses(LIST)
    async def list(
        self,
        *,
        page_number: int = 1,
        sort: str | None = None,
        filter: str | None = None,
        language: str | None = None,
        max_retries: int | None = None,
    ) -> Page[Channel]:
        """One page (100 channels) of the catalogue, with genres and products resolved.

        ``sort`` (e.g. ``"-logical_channel_number"``), ``filter`` and ``language`` (ISO 639-2, e.g. ``"fin"``)
        are passed as the API defines them. ``max_retries`` is a shortcut for
        ``client.with_options(max_retries=...)``.
        """
        query = {"page_number": page_number, "sort": sort, "filter": filter, "language": language}
        return await self._api.retrying(max_retries).page(LIST, None, query, Channel)

    @uses(LIST)
    async def iterate(
        self,
        *,
        sort: str | None = None,
        filter: str | None = None,
        language: str | None = None,
        max_retries: int | None = None,
    ) -> AsyncIterator[Channel]:
        """Every channel, page after page (following ``links.next`` where sent, else to a short page)."""
        page: Page[Channel] | None = await self.list(
            sort=sort, filter=filter, language=language, max_retries=max_retries
        )
        while page is not None:
            for channel in page.items:
                yield channel
            page = await page.next_page()

    @uses(STREAMS)
    async def streams(
        self,
        channel_id: str,
        *,
        stream_type: StreamType | None = None,
        drm_system: DrmSystem | None = None,
        device_class: DeviceClass | None = None,
        restart_at_beginning: bool | None = None,
        network: str | None = None,
        max_retries: int | None = None,
    ) -> builtins.list[Stream]:
        """The live streams of a channel, every stream the API sends (ids are not unique: none is dropped)."""
        query = {
            "streamType": stream_type,
            "drmSystem": drm_system,
            "device_class": device_class,
            "restart_at_beginning": restart_at_beginning,
            "network": network,
        }
        api = self._api.retrying(max_retries)
        return await api.call(STREAMS, {"channel_id": channel_id}, query=query, answer=builtins.list[Stream])

    @uses(STREAMS)
    def streams_many(
        self,
        channel_ids: Iterable[str] | AsyncIterable[str],
        *,
        concurrency: int = DEFAULT_BULK_CONCURRENCY,
        stream_type: StreamType | None = None,
        drm_system: DrmSystem | None = None,
        device_class: DeviceClass | None = None,
        restart_at_beginning: bool | None = None,
        network: str | None = None,
        max_retries: int | None = None,
    ) -> Fanout[ChannelStreams]:
        """Fetch many channels' streams, ``concurrency`` at a time, each result as it completes.

        Every channel id comes back exactly once, as a :class:`ChannelStreams` holding its streams or the
        :class:`~amino_async.AminoError` its fetch ended with. Ids are read lazily and at most ``concurrency``
        requests are in flight, so memory does not grow with the number of ids. Best used as a block, which
        cancels its workers the moment it is left::

            async with client.channels.streams_many(ids) as results:
                async for result in results:
                    ...

        Iterating it directly (``async for result in client.channels.streams_many(ids)``) works too; to stop
        early that way, close it (``contextlib.aclosing``).
        """
        options: dict[str, Any] = {
            "stream_type": stream_type,
            "drm_system": drm_system,
            "device_class": device_class,
            "restart_at_beginning": restart_at_beginning,
            "network": network,
            "max_retries": max_retries,
        }

        async def fetch(channel_id: str) -> ChannelStreams:
            try:
                return ChannelStreams(channel_id, await self.streams(channel_id, **options))
            except AminoError as exc:
                return ChannelStreams(channel_id, None, exc)

        return bulk_map(fetch, channel_ids, concurrency=concurrency)
