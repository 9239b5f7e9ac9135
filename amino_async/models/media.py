"""Playback (``/api/v1/.../relationships/streams``): streams and the keys that unlock them."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from attrs import field, frozen

from ._common import Entity, Model

__all__ = ["ProtectionKey", "Stream"]


@frozen
class ProtectionKey(Model):
    """A DRM or authentication key needed to play a stream.

    ``extra`` keeps the deployment-specific keys the API allows beside ``type``, ``key`` and ``laUrl``.
    """

    type: str
    key: str | None = field(default=None, repr=False)
    #: The licence acquisition URL.
    la_url: str | None = field(default=None, metadata={"json": "laUrl"})
    extra: Mapping[str, Any] = field(factory=dict, repr=False, metadata={"fill": "extra"})


@frozen
class Stream(Entity):
    """A playable stream (``StreamEntity``).

    Stream ids are opaque and not unique: the API sends ids that are JSON text and several streams (different
    bitrates) sharing one id. Never de-duplicate streams by id.
    """

    id: str
    stream_url: str
    bitrate: int | None = None
    codec_info: str | None = None
    transport_protocol: str | None = None
    streaming_protocols: tuple[str, ...] = ()
    protection_types: tuple[str, ...] = ()
    protection_keys: tuple[ProtectionKey, ...] = ()
    max_resolution: str | None = None
    max_fps: str | None = None
    vbr_max_bitrate: int | None = None
    profile_name: str | None = None
    suggested_devices: tuple[str, ...] = ()
    suggested_market_segments: tuple[str, ...] = ()
    suggested_start_time: int | None = None
