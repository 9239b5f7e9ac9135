"""``client.streams``: the streams of catch-up programmes and recordings."""

from __future__ import annotations

from typing import Literal

from ..models import Stream
from ._base import Resource
from .channels import DeviceClass, DrmSystem, StreamType, _segment

__all__ = ["Streams"]


class Streams(Resource):
    """Playable streams of broadcast slots (catch-up) and recordings (``/api/v1/.../relationships/streams``).

    Each endpoint takes the query parameters its OpenAPI file documents, spelled as the API spells them.
    """

    __slots__ = ()

    async def catchup(
        self,
        broadcast_slot_id: str,
        *,
        stream_type: StreamType | None = None,
        device_class: DeviceClass | None = None,
        suggested_start_time: int | None = None,
        autoplay: Literal["catchup"] | None = None,
        network: str | None = None,
        max_retries: int | None = None,
    ) -> list[Stream]:
        """The streams of a past broadcast slot."""
        params = {
            "stream_type": stream_type,  # snake case on this endpoint, unlike the others
            "device_class": device_class,
            "suggested_start_time": suggested_start_time,
            "autoplay": autoplay,
            "network": network,
        }
        return await self._client._get_models(
            "media",
            f"/catchup/{_segment(broadcast_slot_id)}/relationships/streams",
            Stream,
            params=params,
            max_retries=max_retries,
        )

    async def recording(
        self,
        recording_id: str,
        *,
        stream_type: StreamType | None = None,
        drm_system: DrmSystem | None = None,
        device_class: DeviceClass | None = None,
        suggested_start_time: int | None = None,
        autoplay: Literal["catchup"] | None = None,
        max_retries: int | None = None,
    ) -> list[Stream]:
        """The streams of a recording."""
        params = {
            "streamType": stream_type,
            "drmSystem": drm_system,
            "device_class": device_class,
            "suggested_start_time": suggested_start_time,
            "autoplay": autoplay,
        }
        return await self._client._get_models(
            "media",
            f"/recordings/{_segment(recording_id)}/relationships/streams",
            Stream,
            params=params,
            max_retries=max_retries,
        )
