"""``client.channels``: the catalogue, and the streams of its channels."""

from __future__ import annotations

import builtins
from collections.abc import AsyncGenerator, AsyncIterable, AsyncIterator, Iterable, Mapping
from typing import Any, Literal
from urllib.parse import quote

import httpx

from .._constants import DEFAULT_BULK_CONCURRENCY, PAGE_SIZE
from .._errors import AminoError
from .._jsonapi import Document, decode_document, decode_included
from .._pagination import Page
from ..models import Channel, Stream
from ._base import Resource as _Resource
from ._bulk import ChannelStreams, bulk_map

__all__ = ["ChannelStreams", "Channels"]

StreamType = Literal["hls", "dash", "mp4", "mss"]
DrmSystem = Literal["fairplay", "widevine", "playready"]
DeviceClass = Literal["stb", "mobile", "smarttv"]


class Channels(_Resource):
    """The channel catalogue (``/api/metadata/v1/channels``) and live streams (``/api/v1/channels/...``)."""

    __slots__ = ()

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
        are passed as the API defines them.
        """
        params = {"page_number": page_number, "sort": sort, "filter": filter, "language": language}
        url = self._client._url("metadata", "/channels")
        return await self._page(url, params, page_number, max_retries, linked=False)

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
        params = {
            "streamType": stream_type,
            "drmSystem": drm_system,
            "device_class": device_class,
            "restart_at_beginning": restart_at_beginning,
            "network": network,
        }
        return await self._client._get_models(
            "media",
            f"/channels/{_segment(channel_id)}/relationships/streams",
            Stream,
            params=params,
            max_retries=max_retries,
        )

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
    ) -> AsyncGenerator[ChannelStreams, None]:
        """Fetch many channels' streams, ``concurrency`` at a time, yielding each result as it completes.

        Every channel id comes back exactly once, as a :class:`ChannelStreams` holding its streams or the
        :class:`~amino_async.AminoError` its fetch ended with. Ids are read lazily and at most ``concurrency``
        requests are in flight, so memory does not grow with the number of ids. To stop early, close the
        iterator (``async with contextlib.aclosing(...)``) so its workers are cancelled at once.
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

    async def _page(
        self,
        url: httpx.URL,
        params: Mapping[str, Any] | None,
        number: int,
        max_retries: int | None,
        *,
        linked: bool,
    ) -> Page[Channel]:
        """Fetch one page; ``linked`` says an earlier page had a next link, so this one's absence ends it."""
        client = self._client
        strict = client._shared.strict
        document = Document.parse(await client._get_json(url, params=params, max_retries=max_retries))
        channels = decode_document(document, Channel, strict=strict)
        next_link = document.next_link

        async def fetch_next() -> Page[Channel]:
            if next_link is not None:
                next_url = client._shared.base_url.join(next_link)
                return await self._page(next_url, None, number + 1, max_retries, linked=True)
            next_params = {**(params or {}), "page_number": number + 1}
            return await self._page(url, next_params, number + 1, max_retries, linked=False)

        # A deployment that links its pages says where they end; one that does not ends on a short page.
        more = next_link is not None or (not linked and len(channels) >= PAGE_SIZE)
        return Page(
            items=tuple(channels),
            number=number,
            links=document.links,
            included=decode_included(document, Channel, strict=strict),
            fetch_next=fetch_next if more else None,
        )


def _segment(value: str) -> str:
    """An id as one path segment: ids are opaque and may hold '/', '?', '#' or JSON punctuation."""
    return quote(str(value), safe="")
