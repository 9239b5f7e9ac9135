"""``client.streams``: the streams of catch-up programmes and recordings."""

from __future__ import annotations

from typing import Final, Literal

from .._resource import APIResource, uses
from .._urls import Route
from ..models import Stream
from .channels import DeviceClass, DrmSystem, StreamType

__all__ = ["Streams"]

CATCHUP: Final = Route("GET", "media", "/catchup/{broadcast_slot_id}/relationships/streams")
RECORDING: Final = Route("GET", "media", "/recordings/{recording_id}/relationships/streams")


class Streams(APIResource):
    """Playable streams of broadcast slots (catch-up) and recordings (``/api/v1/.../relationships/streams``).

    Each endpoint takes the query parameters its OpenAPI file documents, spelled as the API spells them.
    """

    __slots__ = ()

    @uses(CATCHUP)
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
        query = {
            "stream_type": stream_type,  # snake case on this endpoint, unlike the others
            "device_class": device_class,
            "suggested_start_time": suggested_start_time,
            "autoplay": autoplay,
            "network": network,
        }
        api = self._api.retrying(max_retries)
        return await api.call(CATCHUP, {"broadcast_slot_id": broadcast_slot_id}, query=query, answer=list[Stream])

    @uses(RECORDING)
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
        query = {
            "streamType": stream_type,
            "drmSystem": drm_system,
            "device_class": device_class,
            "suggested_start_time": suggested_start_time,
            "autoplay": autoplay,
        }
        api = self._api.retrying(max_retries)
        return await api.call(RECORDING, {"recording_id": recording_id}, query=query, answer=list[Stream])
