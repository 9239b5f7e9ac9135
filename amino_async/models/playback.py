"""Playback (``/api/v1/media``, ``/api/playback_info/v1``): media play sessions and playback info (resume points)."""

from __future__ import annotations

from typing import Literal

from attrs import frozen

from .._encoding import Null
from ._common import Entity, Model

__all__ = ["AssetType", "MediaPlaySession", "MediaPlaySessionInput", "PlaybackInfo", "Service"]

#: What a playback info is kept for.
AssetType = Literal["recording", "catchup", "vod"]
#: What a media play session plays.
Service = Literal["live", "npvr", "catchup", "startover", "vod"]


@frozen
class MediaPlaySession(Entity):
    """A stream a user is watching, as the platform counts them to limit concurrent streams (``MediaPlaySession``)."""

    id: str
    stream_type: str | None = None
    #: One of live, npvr, catchup, startover, vod.
    service: str | None = None
    ip4_address: str | None = None
    device_type: str | None = None
    #: A description a person recognises the device by ("Home STB").
    device_identifier: str | None = None
    play_started_timestamp: int | None = None
    last_updated_timestamp: int | None = None


@frozen
class MediaPlaySessionInput(Model):
    """The body of ``POST`` and ``PUT .../media_play_sessions``: the ``MediaPlaySession`` attributes, as a plain
    JSON object (the file documents no JSON:API envelope here).

    Fields left at None are not sent; ``ip4_address=NULL`` sends a JSON null.
    """

    stream_type: str
    service: Service | None = None
    device_type: str | None = None
    device_identifier: str | None = None
    ip4_address: str | Null | None = None
    play_started_timestamp: int | None = None
    last_updated_timestamp: int | None = None


@frozen
class PlaybackInfo(Entity):
    """Where a profile is in an asset (``PlaybackInfoEntity``): the resume point and when it was last watched.

    The id is the composite ``{user_profile_id}.{asset_type}.{asset_id}``.
    """

    id: str
    asset_type: str
    asset_id: str
    #: The position in seconds.
    playback_position: int
    group_id: str | None = None
    #: Unix seconds.
    last_watched_at: int | None = None
