"""Playback: ``client.playback``, the user's media play sessions (``/api/v1/media``) and each profile's playback
info, the resume points (``/api/playback_info/v1``)."""

from __future__ import annotations

import time
from typing import Final

from .._encoding import Null, resource_body, to_json
from .._resource import APIResource, uses
from .._urls import Route
from ..models import AssetType, MediaPlaySession, MediaPlaySessionInput, PlaybackInfo, Service
from ._query import filters

__all__ = ["Playback"]

SESSIONS: Final = Route("GET", "media_sessions", "/users/{user_id}/media_play_sessions")
CREATE_SESSION: Final = Route("POST", "media_sessions", "/users/{user_id}/media_play_sessions")
PUT_SESSION: Final = Route("PUT", "media_sessions", "/users/{user_id}/media_play_sessions/{media_play_session_id}")
PATCH_SESSION: Final = Route("PATCH", "media_sessions", "/users/{user_id}/media_play_sessions/{media_play_session_id}")
DELETE_SESSION: Final = Route(
    "DELETE", "media_sessions", "/users/{user_id}/media_play_sessions/{media_play_session_id}"
)
INFO: Final = Route("GET", "playback_info", "/user_profiles/{user_profile_id}/assets/{asset_type}/{asset_id}")
PUT_INFO: Final = Route("PUT", "playback_info", "/user_profiles/{user_profile_id}/assets/{asset_type}/{asset_id}")
INFO_INDEX: Final = Route("GET", "playback_info", "/user_profiles/{user_profile_id}/assets/{asset_type}")


class Playback(APIResource):
    """Media play sessions (how many streams a user watches at once) and playback info (resume points).

    Sessions are the user's (the logged-in user by default, ``user_id=`` to name another); playback info is the
    profile's (the view's profile by default: ``client.as_profile(id).playback``; ``user_profile_id=`` to name one).
    """

    __slots__ = ()

    # --- media play sessions ---------------------------------------------------------------------------------

    @uses(SESSIONS)
    async def list_sessions(
        self, *, user_id: str | None = None, max_retries: int | None = None
    ) -> list[MediaPlaySession]:
        """The user's open media play sessions (``GET /users/{user_id}/media_play_sessions``)."""
        path = {"user_id": await self._user_id(user_id)}
        return await self._api.retrying(max_retries).call(SESSIONS, path, answer=list[MediaPlaySession])

    @uses(CREATE_SESSION)
    async def create_session(
        self,
        stream_type: str,
        *,
        service: Service | None = None,
        device_type: str | None = None,
        device_identifier: str | None = None,
        ip4_address: str | Null | None = None,
        play_started_timestamp: int | None = None,
        user_id: str | None = None,
        max_retries: int | None = None,
    ) -> MediaPlaySession:
        """Start a media play session when the user starts watching (``POST /users/{user_id}/media_play_sessions``).

        A user already at the limit of concurrent streams gets a :class:`~amino_async.PermissionDeniedError`.
        """
        body = MediaPlaySessionInput(
            stream_type=stream_type,
            service=service,
            device_type=device_type,
            device_identifier=device_identifier,
            ip4_address=ip4_address,
            play_started_timestamp=play_started_timestamp,
        )
        path = {"user_id": await self._user_id(user_id)}
        api = self._api.retrying(max_retries)
        return await api.call(CREATE_SESSION, path, json=to_json(body), answer=MediaPlaySession)

    @uses(PUT_SESSION)
    async def update_session(
        self,
        media_play_session_id: str,
        stream_type: str,
        *,
        service: Service | None = None,
        device_type: str | None = None,
        device_identifier: str | None = None,
        ip4_address: str | Null | None = None,
        play_started_timestamp: int | None = None,
        last_updated_timestamp: int | None = None,
        user_id: str | None = None,
        max_retries: int | None = None,
    ) -> None:
        """Create or replace the session ``media_play_session_id``
        (``PUT /users/{user_id}/media_play_sessions/{media_play_session_id}``).

        The device type of a session cannot change: trying is an :class:`~amino_async.ApiError` with status 409.
        """
        body = MediaPlaySessionInput(
            stream_type=stream_type,
            service=service,
            device_type=device_type,
            device_identifier=device_identifier,
            ip4_address=ip4_address,
            play_started_timestamp=play_started_timestamp,
            last_updated_timestamp=last_updated_timestamp,
        )
        path = {"user_id": await self._user_id(user_id), "media_play_session_id": media_play_session_id}
        await self._api.retrying(max_retries).call(PUT_SESSION, path, json=to_json(body))

    @uses(PATCH_SESSION)
    async def touch_session(
        self,
        media_play_session_id: str,
        *,
        last_updated_timestamp: int | None = None,
        user_id: str | None = None,
        max_retries: int | None = None,
    ) -> None:
        """Tell the platform a session is still playing
        (``PATCH /users/{user_id}/media_play_sessions/{media_play_session_id}``).

        Only ``last_updated_timestamp`` may be patched; it defaults to now, and the server refuses one more than a
        few seconds off its own clock.
        """
        stamp = int(time.time()) if last_updated_timestamp is None else last_updated_timestamp
        path = {"user_id": await self._user_id(user_id), "media_play_session_id": media_play_session_id}
        await self._api.retrying(max_retries).call(PATCH_SESSION, path, json={"last_updated_timestamp": stamp})

    @uses(DELETE_SESSION)
    async def end_session(
        self, media_play_session_id: str, *, user_id: str | None = None, max_retries: int | None = None
    ) -> None:
        """End a session when the user stops watching
        (``DELETE /users/{user_id}/media_play_sessions/{media_play_session_id}``)."""
        path = {"user_id": await self._user_id(user_id), "media_play_session_id": media_play_session_id}
        await self._api.retrying(max_retries).call(DELETE_SESSION, path)

    # --- playback info -----------------------------------------------------------------------------------------

    @uses(INFO)
    async def get_info(
        self,
        asset_type: AssetType,
        asset_id: str,
        *,
        user_profile_id: str | None = None,
        max_retries: int | None = None,
    ) -> PlaybackInfo:
        """The profile's playback info of one asset
        (``GET /user_profiles/{user_profile_id}/assets/{asset_type}/{asset_id}``); none is a
        :class:`~amino_async.NotFoundError`."""
        path = {
            "user_profile_id": await self._profile_id(user_profile_id),
            "asset_type": asset_type,
            "asset_id": asset_id,
        }
        return await self._api.retrying(max_retries).call(INFO, path, answer=PlaybackInfo)

    @uses(INFO_INDEX)
    async def list_info(
        self,
        asset_type: AssetType,
        *,
        group_id: str | None = None,
        filter: str | None = None,
        user_profile_id: str | None = None,
        max_retries: int | None = None,
    ) -> list[PlaybackInfo]:
        """The profile's playback info of every asset of a type, or of one group
        (``GET /user_profiles/{user_profile_id}/assets/{asset_type}``; ``group_id`` is ``filter=group_id:...``)."""
        path = {"user_profile_id": await self._profile_id(user_profile_id), "asset_type": asset_type}
        query = {"filter": filters(filter, {"group_id": group_id})}
        return await self._api.retrying(max_retries).call(INFO_INDEX, path, query=query, answer=list[PlaybackInfo])

    @uses(PUT_INFO)
    async def save_info(
        self,
        asset_type: AssetType,
        asset_id: str,
        playback_position: int,
        *,
        group_id: str | None = None,
        user_profile_id: str | None = None,
        max_retries: int | None = None,
    ) -> None:
        """Save where the profile is in an asset, in seconds
        (``PUT /user_profiles/{user_profile_id}/assets/{asset_type}/{asset_id}``)."""
        path = {
            "user_profile_id": await self._profile_id(user_profile_id),
            "asset_type": asset_type,
            "asset_id": asset_id,
        }
        body = resource_body("PlaybackInfo", {"playback_position": playback_position, "group_id": group_id})
        await self._api.retrying(max_retries).call(PUT_INFO, path, json=body)
