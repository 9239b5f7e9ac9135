"""``client.recordings``: a profile's recordings (``/api/recordings/v4``, the current API), and
``client.recordings.v1``: a user's recordings in the older API (``/api/recordings/v1``, still served).

Profile-scoped calls default to the view's profile (``client.as_profile(id)``), else the logged-in one;
user-scoped calls to the logged-in user. Play a recording with ``client.streams.recording(recording.id)``.
"""

from __future__ import annotations

import builtins
from collections.abc import AsyncIterator, Iterable
from typing import Final, Literal

from .._constants import PAGE_SIZE
from .._encoding import Null
from .._pagination import Page
from .._resource import APIResource, uses
from .._urls import Route
from ..models.recordings import (
    AutoRecordingRequest,
    AutoRecordingRequestUpdate,
    BatchDelete,
    BulkDelete,
    BulkDeletion,
    EpgBroadcastSlot,
    GroupRecording,
    NewAutoRecordingRequest,
    NewRecording,
    NewUserRecordingRequest,
    RecordedBroadcastSlot,
    Recording,
    RecordingGroup,
    RecordingSlot,
    RecordingSlotStatus,
    RecordingSlotUpdate,
    RecordingUpdate,
    StorageQuota,
    UserRecording,
    UserRecordingGroup,
    UserRecordingRequest,
    UserRecordingUpdate,
)

__all__ = ["MostPopularPeriod", "Recordings", "RecordingsV1"]

#: The periods of the most popular listing the file names (a deployment may take others: any string is sent).
MostPopularPeriod = Literal["today", "next_week"]
#: How v4 recording groups group: by series (the API's default), by channel, or both.
GroupBy = Literal["series_id", "channel_id", "series_id,channel_id"]
#: The v1 expiry filter: recordings expiring today, or within 3, 7 or 30 days.
Expiring = Literal["today", "3", "7", "30"]

_BULK: Final = "application/vnd.api+json; ext=bulk"

# --- v4 routes (profile_recordings.yml), the templates as the file writes them ---
SEARCH: Final = Route("GET", "recordings", "/user_profiles/{user_profile_id}/recordings")
CREATE: Final = Route("POST", "recordings", "/user_profiles/{user_profile_id}/recordings")
UPDATE: Final = Route("PATCH", "recordings", "/user_profiles/{user_profile_id}/recordings/{recording_id}")
DELETE: Final = Route("DELETE", "recordings", "/user_profiles/{user_profile_id}/recordings/{recording_id}")
BATCH_DELETE: Final = Route("POST", "recordings", "/user_profiles/{user_profile_id}/recordings/batch_delete_recordings")
RECORDED_SLOTS: Final = Route("GET", "recordings", "/user_profiles/{user_profile_id}/recorded_broadcast_slots")
RECORDED_SLOT: Final = Route(
    "GET", "recordings", "/user_profiles/{user_profile_id}/recorded_broadcast_slots/{broadcast_slot_id}"
)
STORAGE_QUOTA: Final = Route("GET", "recordings", "/user/{user_id}/storage_quota")
MOST_POPULAR: Final = Route("GET", "recordings", "/most_popular/{period}")
AUTO_REQUESTS: Final = Route("GET", "recordings", "/user_profiles/{user_profile_id}/auto_recording_requests")
CREATE_AUTO_REQUEST: Final = Route("POST", "recordings", "/user_profiles/{user_profile_id}/auto_recording_requests")
UPDATE_AUTO_REQUEST: Final = Route(
    "PATCH", "recordings", "/user_profiles/{user_profile_id}/auto_recording_requests/{recording_request_id}"
)
DELETE_AUTO_REQUEST: Final = Route(
    "DELETE", "recordings", "/user_profiles/{user_profile_id}/auto_recording_requests/{recording_request_id}"
)
GROUPS: Final = Route("GET", "recordings", "/user_profiles/{user_profile_id}/recordings/recording_groups")
GROUP_RECORDINGS: Final = Route(
    "GET",
    "recordings",
    "/user_profiles/{user_profile_id}/recordings/recording_groups/{recording_group_id}/recordings",
)
UNGROUPED_RECORDINGS: Final = Route(
    "GET", "recordings", "/user_profiles/{user_profile_id}/recordings/recording_groups/ungrouped/recordings"
)

# --- v1 routes (user_recordings.yml) ---
V1_UPDATE_SLOT: Final = Route("PATCH", "recordings_v1", "/recording_slots/{recording_slot_id}")
V1_DELETE_SLOT: Final = Route("DELETE", "recordings_v1", "/recording_slots/{recording_slot_id}")
V1_SLOTS: Final = Route("GET", "recordings_v1", "/{device_id}/recording_slots")
V1_REQUESTS: Final = Route("GET", "recordings_v1", "/user/{user_id}/user_recording_requests/")
V1_CREATE_REQUEST: Final = Route("POST", "recordings_v1", "/user/{user_id}/user_recording_requests/")
V1_REQUEST: Final = Route("GET", "recordings_v1", "/user_recording_requests/{recording_request_id}")
V1_DELETE_REQUEST: Final = Route("DELETE", "recordings_v1", "/user_recording_requests/{recording_request_id}")
V1_LIST: Final = Route("GET", "recordings_v1", "/user/{user_id}/user_recordings/")
V1_UPDATE: Final = Route("PATCH", "recordings_v1", "/user_recordings/{user_recordings_id}")
V1_DELETE: Final = Route("DELETE", "recordings_v1", "/user_recordings/{user_recordings_id}")
V1_BULK_DELETE: Final = Route("POST", "recordings_v1", "/user_recordings/bulk_delete_request")
V1_GROUPS: Final = Route("GET", "recordings_v1", "/users/{user_id}/user_recordings/recording_groups")
V1_GROUP_RECORDINGS: Final = Route("GET", "recordings_v1", "/recording_groups/{recording_group_id}/recordings")
V1_MODIFY: Final = Route("PATCH", "recordings_v1", "/user_recordings/{epg_id}/{continuous}")
V1_STARTED: Final = Route("GET", "recordings_v1", "/user/{user_id}/previously_started_user_recordings")

#: The page size of v1 group recordings (the file's).
V1_GROUP_PAGE_SIZE: Final = 500


def _flag(value: bool | None) -> str | None:
    return None if value is None else ("true" if value else "false")


class Recordings(APIResource):
    """A profile's recordings, auto-recording requests and recording groups (``/api/recordings/v4``).

    The current API, to prefer over :attr:`v1`: it is per profile, pages by ``page[number]``, and answers with
    the created or updated resource. Every profile-scoped method takes ``user_profile_id``, by default the view's
    profile (``client.as_profile(id)``) or else the logged-in one.
    """

    __slots__ = ()

    @property
    def v1(self) -> RecordingsV1:
        """The older user recordings API (``/api/recordings/v1``), for deployments and data that still need it."""
        return RecordingsV1(self._api)

    # --- recordings ---

    @uses(SEARCH)
    async def search(
        self,
        *,
        search: str | None = None,
        starts_before: int | None = None,
        starts_after: int | None = None,
        ends_before: int | None = None,
        ends_after: int | None = None,
        series_id: str | None = None,
        channel_id: str | None = None,
        sort: Literal["created_at", "-created_at", "broadcast_slot.start_time_unix", "-broadcast_slot.start_time_unix"]
        | None = None,
        language: str | None = None,
        page_number: int = 1,
        page_size: int = PAGE_SIZE,
        user_profile_id: str | None = None,
        max_retries: int | None = None,
    ) -> Page[Recording]:
        """One page of the profile's recordings (``GET .../user_profiles/{user_profile_id}/recordings``).

        ``search`` matches title keywords (none: every recording); the times are Unix seconds of the broadcast;
        ``sort`` is ascending by ``created_at`` unless said otherwise. ``page.next_page()`` fetches the next.
        """
        profile = await self._profile_id(user_profile_id)
        query = {
            "page[number]": page_number,
            "page[size]": page_size,
            "language": language,
            "filter[search]": search,
            "filter[starts_before]": starts_before,
            "filter[starts_after]": starts_after,
            "filter[ends_before]": ends_before,
            "filter[ends_after]": ends_after,
            "filter[series.id]": series_id,
            "filter[broadcast_slot.channel.id]": channel_id,
            "sort": sort,
        }
        api = self._api.retrying(max_retries)
        return await api.page(
            SEARCH, {"user_profile_id": profile}, query, Recording, number_param="page[number]", size=page_size
        )

    @uses(SEARCH)
    async def iterate(
        self,
        *,
        search: str | None = None,
        series_id: str | None = None,
        channel_id: str | None = None,
        user_profile_id: str | None = None,
        max_retries: int | None = None,
    ) -> AsyncIterator[Recording]:
        """Every recording of the profile matching the filters, page after page."""
        page: Page[Recording] | None = await self.search(
            search=search,
            series_id=series_id,
            channel_id=channel_id,
            user_profile_id=user_profile_id,
            max_retries=max_retries,
        )
        while page is not None:
            for recording in page.items:
                yield recording
            page = await page.next_page()

    @uses(CREATE)
    async def schedule(
        self, broadcast_slot_id: str, *, is_favourite: bool | None = None, user_profile_id: str | None = None
    ) -> Recording:
        """Record a broadcast slot for the profile (``POST .../user_profiles/{user_profile_id}/recordings``).

        Refused with :class:`~amino_async.PermissionDeniedError` (403) when the slot or its channel is not
        recordable or the storage is full, and with a 409 :class:`~amino_async.ApiError` when the profile
        already records the programme.
        """
        profile = await self._profile_id(user_profile_id)
        body = NewRecording(broadcast_slot_id, is_favourite=is_favourite).body()
        return await self._api.call(CREATE, {"user_profile_id": profile}, json=body, answer=Recording)

    @uses(UPDATE)
    async def update(
        self, recording_id: str, *, is_favourite: bool | None = None, user_profile_id: str | None = None
    ) -> Recording:
        """Change a recording (``PATCH .../user_profiles/{user_profile_id}/recordings/{recording_id}``)."""
        profile = await self._profile_id(user_profile_id)
        path = {"user_profile_id": profile, "recording_id": recording_id}
        return await self._api.call(UPDATE, path, json=RecordingUpdate(is_favourite).body(), answer=Recording)

    @uses(DELETE)
    async def delete(self, recording_id: str, *, user_profile_id: str | None = None) -> None:
        """Delete a recording (``DELETE .../user_profiles/{user_profile_id}/recordings/{recording_id}``)."""
        profile = await self._profile_id(user_profile_id)
        await self._api.call(DELETE, {"user_profile_id": profile, "recording_id": recording_id})

    @uses(BATCH_DELETE)
    async def batch_delete(self, recording_ids: Iterable[str], *, user_profile_id: str | None = None) -> None:
        """Delete up to 50 recordings, all or none (``POST .../recordings/batch_delete_recordings``).

        A 404 :class:`~amino_async.NotFoundError` when one is not the profile's (none is deleted then), a 400
        :class:`~amino_async.BadRequestError` for an empty list or more than 50.
        """
        profile = await self._profile_id(user_profile_id)
        body = BatchDelete(tuple(recording_ids)).body()
        await self._api.call(BATCH_DELETE, {"user_profile_id": profile}, json=body, media_type=_BULK)

    @uses(RECORDED_SLOTS)
    async def recorded_slots(self, *, user_profile_id: str | None = None) -> builtins.list[RecordedBroadcastSlot]:
        """The broadcast slots the profile has recordings of (``GET .../recorded_broadcast_slots``)."""
        profile = await self._profile_id(user_profile_id)
        return await self._api.call(
            RECORDED_SLOTS, {"user_profile_id": profile}, answer=builtins.list[RecordedBroadcastSlot]
        )

    @uses(RECORDED_SLOT)
    async def for_slot(self, broadcast_slot_id: str, *, user_profile_id: str | None = None) -> builtins.list[Recording]:
        """The profile's recordings of one broadcast slot (``GET .../recorded_broadcast_slots/{broadcast_slot_id}``);
        a :class:`~amino_async.NotFoundError` when it has none."""
        profile = await self._profile_id(user_profile_id)
        path = {"user_profile_id": profile, "broadcast_slot_id": broadcast_slot_id}
        return await self._api.call(RECORDED_SLOT, path, answer=builtins.list[Recording])

    @uses(STORAGE_QUOTA)
    async def storage_quota(self, *, user_id: str | None = None) -> StorageQuota:
        """The user's recording storage, used and in all, in seconds (``GET /user/{user_id}/storage_quota``)."""
        user = await self._user_id(user_id)
        return await self._api.call(STORAGE_QUOTA, {"user_id": user}, answer=StorageQuota)

    @uses(MOST_POPULAR)
    async def most_popular(
        self, period: MostPopularPeriod | str = "today", *, language: str | None = None
    ) -> builtins.list[EpgBroadcastSlot]:
        """The most recorded broadcast slots of a period (``GET /most_popular/{period}``)."""
        return await self._api.call(
            MOST_POPULAR, {"period": period}, query={"language": language}, answer=builtins.list[EpgBroadcastSlot]
        )

    # --- auto-recording requests ---

    @uses(AUTO_REQUESTS)
    async def auto_requests(
        self, *, page_number: int = 1, user_profile_id: str | None = None
    ) -> Page[AutoRecordingRequest]:
        """One page of the profile's auto-recording requests (``GET .../auto_recording_requests``)."""
        profile = await self._profile_id(user_profile_id)
        query = {"page[number]": page_number}
        return await self._api.page(
            AUTO_REQUESTS, {"user_profile_id": profile}, query, AutoRecordingRequest, number_param="page[number]"
        )

    @uses(CREATE_AUTO_REQUEST)
    async def record_series(
        self,
        series_id: str,
        *,
        channel_id: str | None = None,
        is_auto_delete: bool | None = None,
        user_profile_id: str | None = None,
    ) -> AutoRecordingRequest:
        """Record a series as it airs, on ``channel_id`` or (None) every channel
        (``POST .../user_profiles/{user_profile_id}/auto_recording_requests``).

        ``is_auto_delete`` deletes old episodes as new ones are recorded (the API's default: False). A 409
        :class:`~amino_async.ApiError` when the profile already has this request.
        """
        profile = await self._profile_id(user_profile_id)
        body = NewAutoRecordingRequest(series_id, channel_id=channel_id, is_auto_delete=is_auto_delete).body()
        return await self._api.call(
            CREATE_AUTO_REQUEST, {"user_profile_id": profile}, json=body, answer=AutoRecordingRequest
        )

    @uses(UPDATE_AUTO_REQUEST)
    async def update_auto_request(
        self,
        recording_request_id: str,
        *,
        is_auto_delete: bool | None = None,
        channel_id: str | Null | None = None,
        user_profile_id: str | None = None,
    ) -> None:
        """Change an auto-recording request (``PATCH .../auto_recording_requests/{recording_request_id}``).

        ``channel_id``: None leaves it, a channel id records from that channel only, :data:`~amino_async.NULL`
        records from every channel.
        """
        profile = await self._profile_id(user_profile_id)
        path = {"user_profile_id": profile, "recording_request_id": recording_request_id}
        body = AutoRecordingRequestUpdate(is_auto_delete=is_auto_delete, channel_id=channel_id).body()
        await self._api.call(UPDATE_AUTO_REQUEST, path, json=body)

    @uses(DELETE_AUTO_REQUEST)
    async def delete_auto_request(self, recording_request_id: str, *, user_profile_id: str | None = None) -> None:
        """Stop an auto-recording request (``DELETE .../auto_recording_requests/{recording_request_id}``)."""
        profile = await self._profile_id(user_profile_id)
        path = {"user_profile_id": profile, "recording_request_id": recording_request_id}
        await self._api.call(DELETE_AUTO_REQUEST, path)

    # --- recording groups ---

    @uses(GROUPS)
    async def groups(
        self,
        *,
        is_favourite: bool | None = None,
        starts_before: int | None = None,
        starts_after: int | None = None,
        ends_before: int | None = None,
        ends_after: int | None = None,
        group_by: GroupBy | None = None,
        language: str | None = None,
        page_number: int = 1,
        user_profile_id: str | None = None,
    ) -> Page[RecordingGroup]:
        """One page of the profile's recording groups, series resolved (``GET .../recordings/recording_groups``).

        Grouped by series unless ``group_by`` says otherwise; the times filter the recordings counted.
        """
        profile = await self._profile_id(user_profile_id)
        query = {
            "page[number]": page_number,
            "language": language,
            "filter[is_favourite]": _flag(is_favourite),
            "filter[starts_before]": starts_before,
            "filter[starts_after]": starts_after,
            "filter[ends_before]": ends_before,
            "filter[ends_after]": ends_after,
            "group_by": group_by,
        }
        return await self._api.page(
            GROUPS, {"user_profile_id": profile}, query, RecordingGroup, number_param="page[number]"
        )

    @uses(GROUP_RECORDINGS)
    async def group_recordings(
        self,
        recording_group_id: str,
        *,
        is_favourite: bool | None = None,
        page_number: int = 1,
        user_profile_id: str | None = None,
    ) -> Page[GroupRecording]:
        """One page of a group's recordings, broadcast slots resolved
        (``GET .../recording_groups/{recording_group_id}/recordings``; deprecated by the API)."""
        profile = await self._profile_id(user_profile_id)
        path = {"user_profile_id": profile, "recording_group_id": recording_group_id}
        query = {"page[number]": page_number, "filter[is_favourite]": _flag(is_favourite)}
        return await self._api.page(GROUP_RECORDINGS, path, query, GroupRecording, number_param="page[number]")

    @uses(UNGROUPED_RECORDINGS)
    async def ungrouped_recordings(
        self, *, is_favourite: bool | None = None, page_number: int = 1, user_profile_id: str | None = None
    ) -> Page[GroupRecording]:
        """One page of the recordings in no group (``GET .../recording_groups/ungrouped/recordings``; deprecated by
        the API)."""
        profile = await self._profile_id(user_profile_id)
        query = {"page[number]": page_number, "filter[is_favourite]": _flag(is_favourite)}
        return await self._api.page(
            UNGROUPED_RECORDINGS, {"user_profile_id": profile}, query, GroupRecording, number_param="page[number]"
        )


class RecordingsV1(APIResource):
    """A user's recordings in the older API (``/api/recordings/v1``): recording requests, recordings, groups and
    the recording slots devices record.

    Still served, per user rather than per profile; prefer ``client.recordings`` (v4) for new code.
    """

    __slots__ = ()

    # --- recording slots ---

    @uses(V1_SLOTS)
    async def slots(
        self, device_id: str, *, window_seconds: int | None = None, status: Literal["DELETED"] | None = None
    ) -> builtins.list[RecordingSlot]:
        """The slots a recording device is to record, or (``status="DELETED"``) to remove
        (``GET /{device_id}/recording_slots``)."""
        query = {"filter[window_seconds]": window_seconds, "filter[status]": status}
        return await self._api.call(
            V1_SLOTS, {"device_id": device_id}, query=query, answer=builtins.list[RecordingSlot]
        )

    @uses(V1_UPDATE_SLOT)
    async def update_slot(
        self, recording_slot_id: str, *, status: RecordingSlotStatus, status_reason: str | None = None
    ) -> None:
        """Set a recording slot's status (``PATCH /recording_slots/{recording_slot_id}``)."""
        body = RecordingSlotUpdate(status, status_reason).body()
        await self._api.call(V1_UPDATE_SLOT, {"recording_slot_id": recording_slot_id}, json=body)

    @uses(V1_DELETE_SLOT)
    async def delete_slot(self, recording_slot_id: str) -> None:
        """Say a device has removed a deleted recording's file (``DELETE /recording_slots/{recording_slot_id}``);
        a 400 :class:`~amino_async.BadRequestError` for a slot the user has not deleted."""
        await self._api.call(V1_DELETE_SLOT, {"recording_slot_id": recording_slot_id})

    # --- recording requests ---

    @uses(V1_REQUESTS)
    async def requests(
        self,
        *,
        status: Literal["NEW", "WAITING", "RECORDING", "FAILED", "FAILED_PERMANENTLY", "COMPLETE"] | None = None,
        page_number: int = 1,
        user_id: str | None = None,
    ) -> Page[UserRecordingRequest]:
        """One page (100) of the user's recording requests, oldest first
        (``GET /user/{user_id}/user_recording_requests/``)."""
        user = await self._user_id(user_id)
        query = {"page_number": page_number, "filter[status]": status}
        return await self._api.page(V1_REQUESTS, {"user_id": user}, query, UserRecordingRequest)

    @uses(V1_CREATE_REQUEST)
    async def create_request(
        self, request: NewUserRecordingRequest, *, user_id: str | None = None
    ) -> UserRecordingRequest:
        """Ask for recordings (``POST /user/{user_id}/user_recording_requests/``)."""
        user = await self._user_id(user_id)
        return await self._api.call(
            V1_CREATE_REQUEST, {"user_id": user}, json=request.body(), answer=UserRecordingRequest
        )

    @uses(V1_REQUEST)
    async def get_request(self, recording_request_id: str) -> UserRecordingRequest:
        """One recording request, its recording slots resolved
        (``GET /user_recording_requests/{recording_request_id}``)."""
        path = {"recording_request_id": recording_request_id}
        return await self._api.call(V1_REQUEST, path, answer=UserRecordingRequest)

    @uses(V1_DELETE_REQUEST)
    async def delete_request(self, recording_request_id: str) -> None:
        """Delete a recording request: its future recordings go, made ones stay
        (``DELETE /user_recording_requests/{recording_request_id}``)."""
        await self._api.call(V1_DELETE_REQUEST, {"recording_request_id": recording_request_id})

    # --- recordings ---

    @uses(V1_LIST)
    async def list(
        self,
        *,
        service: str,
        favourite: bool | None = None,
        expiring: Expiring | None = None,
        week_of_timestamp: int | None = None,
        deleted: bool | None = None,
        search_title: str | None = None,
        search_description: str | None = None,
        language: str | None = None,
        page_number: int = 1,
        user_id: str | None = None,
    ) -> Page[UserRecording]:
        """One page (100) of the user's recordings, latest broadcast first (``GET /user/{user_id}/user_recordings/``).

        ``service`` (the service the user belongs to) is required by the API. ``search_title`` takes
        comma-separated words that must all appear (``"Die,Hard"``); ``week_of_timestamp`` must be a Monday
        00:00 GMT.
        """
        user = await self._user_id(user_id)
        query = {
            "page_number": page_number,
            "filter[favourite]": _flag(favourite),
            "filter[expiring]": expiring,
            "filter[week_of_timestamp]": week_of_timestamp,
            "filter[deleted]": _flag(deleted),
            "search[title]": search_title,
            "search[Program.description]": search_description,
            "language": language,
            "service": service,
        }
        return await self._api.page(V1_LIST, {"user_id": user}, query, UserRecording)

    @uses(V1_UPDATE)
    async def update(
        self, user_recordings_id: str, *, watched_time_seconds: int | None = None, favourite: bool | None = None
    ) -> None:
        """Change a recording: how far it was watched, whether it is a favourite
        (``PATCH /user_recordings/{user_recordings_id}``)."""
        body = UserRecordingUpdate(watched_time_seconds=watched_time_seconds, favourite=favourite).body()
        await self._api.call(V1_UPDATE, {"user_recordings_id": user_recordings_id}, json=body)

    @uses(V1_DELETE)
    async def delete(self, user_recordings_id: str) -> None:
        """Delete a recording, or cancel one scheduled (``DELETE /user_recordings/{user_recordings_id}``)."""
        await self._api.call(V1_DELETE, {"user_recordings_id": user_recordings_id})

    @uses(V1_BULK_DELETE)
    async def bulk_delete(self, recording_ids: Iterable[str]) -> BulkDeletion:
        """Delete up to 50 recordings in one request (``POST /user_recordings/bulk_delete_request``)."""
        body = BulkDelete(tuple(recording_ids)).body()
        return await self._api.call(V1_BULK_DELETE, json=body, answer=BulkDeletion)

    @uses(V1_GROUPS)
    async def groups(
        self, *, language: str | None = None, page_number: int = 1, user_id: str | None = None
    ) -> Page[UserRecordingGroup]:
        """One page (100) of the user's recording groups (``GET /users/{user_id}/user_recordings/recording_groups``)."""
        user = await self._user_id(user_id)
        query = {"page_number": page_number, "language": language}
        return await self._api.page(V1_GROUPS, {"user_id": user}, query, UserRecordingGroup)

    @uses(V1_GROUP_RECORDINGS)
    async def group_recordings(self, recording_group_id: str, *, page_number: int = 1) -> Page[UserRecording]:
        """One page (500) of a group's recordings (``GET /recording_groups/{recording_group_id}/recordings``)."""
        query = {"page_number": page_number}
        path = {"recording_group_id": recording_group_id}
        return await self._api.page(V1_GROUP_RECORDINGS, path, query, UserRecording, size=V1_GROUP_PAGE_SIZE)

    @uses(V1_MODIFY)
    async def update_by_epg(
        self,
        epg_id: str | int,
        continuous: int,
        *,
        watched_time_seconds: int | None = None,
        favourite: bool | None = None,
    ) -> UserRecording:
        """Change a recording named by its EPG id and continuous flag (``PATCH /user_recordings/{epg_id}/{continuous}``;
        deprecated by the API in favour of :meth:`update`)."""
        attributes = UserRecordingUpdate(watched_time_seconds=watched_time_seconds, favourite=favourite).body()
        body = {"data": {"type": "UserRecording", "attributes": attributes}}
        path = {"epg_id": epg_id, "continuous": continuous}
        return await self._api.call(V1_MODIFY, path, json=body, answer=UserRecording)

    @uses(V1_STARTED)
    async def previously_started(
        self, *, max_items: Literal[20, 50, 100] = 20, user_id: str | None = None
    ) -> builtins.list[UserRecording]:
        """The user's recordings they started watching, at most ``max_items``
        (``GET /user/{user_id}/previously_started_user_recordings``; to be deprecated by the API)."""
        user = await self._user_id(user_id)
        query = {"maxItems": max_items}
        return await self._api.call(V1_STARTED, {"user_id": user}, query=query, answer=builtins.list[UserRecording])
