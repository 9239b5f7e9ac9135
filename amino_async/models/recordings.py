"""Recordings: the current profile recordings API (``/api/recordings/v4``) and the older user recordings API
(``/api/recordings/v1``), their entities and the typed inputs of their request bodies.

Models (what the API answers), after the OpenAPI snippets under ``rest/snippets/UserRecordings/``:

- v4: :class:`Recording` (``RecordingEntity``), :class:`GroupRecording` (``RecordingForGroupEntity``),
  :class:`AutoRecordingRequest` (``RecordingRequestEntity``), :class:`RecordingGroup` (``RecordingGroupEntity``),
  :class:`RecordingSeries` (included beside groups), :class:`RecordedBroadcastSlot`, :class:`StorageQuota`, and
  :class:`EpgBroadcastSlot` (``Epg/BroadcastSlotEntity``, what the most popular listing and group recordings
  carry);
- v1: :class:`UserRecording` (``UserRecordingEntity``), :class:`UserRecordingRequest`
  (``UserRecordingRequestEntity``), :class:`RecordingSlot` (``RecordingSlotEntity``), :class:`UserRecordingGroup`
  and :class:`BulkDeletion` (``BulkDeleteRequestEntity``).

Inputs (what the SDK sends), each with ``body()`` giving the JSON its snippet documents: :class:`NewRecording`,
:class:`RecordingUpdate`, :class:`NewAutoRecordingRequest`, :class:`AutoRecordingRequestUpdate`,
:class:`BatchDelete` (v4) and :class:`NewUserRecordingRequest`, :class:`UserRecordingUpdate`,
:class:`RecordingSlotUpdate`, :class:`BulkDelete` (v1).
"""

from __future__ import annotations

from typing import Any, Final, Literal

from attrs import field, frozen

from .._encoding import Null, resource_body, to_json
from ._common import Entity, Image, Model, ResourceRef
from .catalogue import ContentFlag, ServicesAvailable

__all__ = [
    "AutoRecordingRequest",
    "AutoRecordingRequestUpdate",
    "BatchDelete",
    "BroadcastLanguage",
    "BulkDelete",
    "BulkDeletion",
    "EpgBroadcastSlot",
    "GroupRecording",
    "MetadataProviderInformation",
    "NewAutoRecordingRequest",
    "NewRecording",
    "NewUserRecordingRequest",
    "OriginalBroadcastSlot",
    "RecordedBroadcastSlot",
    "Recording",
    "RecordingGroup",
    "RecordingSeries",
    "RecordingSlot",
    "RecordingSlotProgram",
    "RecordingSlotStatus",
    "RecordingSlotUpdate",
    "RecordingSubtitleLanguage",
    "RecordingToDelete",
    "RecordingUpdate",
    "RelationshipData",
    "SerialRecording",
    "StorageQuota",
    "StreamLinks",
    "StreamsRelationship",
    "UserRecording",
    "UserRecordingGroup",
    "UserRecordingRelationships",
    "UserRecordingRequest",
    "UserRecordingUpdate",
]

#: The statuses of a v1 recording slot (``RecordingSlotEntity.status``).
RecordingSlotStatus = Literal["NEW", "RECORDING", "RECORDING_FAILED", "FAILED_PERMANENTLY", "WAITING", "COMPLETE"]

_REFS: Final = {"refs": True}


def _ref_id(refs: tuple[ResourceRef, ...], kind: str) -> str | None:
    """The id of the first reference of type ``kind``, or None."""
    return next((ref.id for ref in refs if ref.type == kind), None)


# --- broadcast slots (Epg/BroadcastSlotEntity) ----------------------------------------------------------------


@frozen
class MetadataProviderInformation(Model):
    """Where a broadcast slot's metadata came from, for recommendation engines."""

    provider: str | None = None
    external_id: str | None = None


@frozen
class BroadcastLanguage(Model):
    """An audio language of a broadcast slot (ISO 639-2)."""

    audio_language_iso639_2: str | None = None


@frozen
class RecordingSubtitleLanguage(Model):
    """A subtitle language of a broadcast slot (ISO 639-2)."""

    language_iso639_2: str | None = None


@frozen
class RecordingSlotProgram(Model):
    """The programme a broadcast slot airs, as the slot describes it."""

    title: str | None = None
    images: tuple[Image, ...] = ()
    content_flags: tuple[ContentFlag, ...] = ()


@frozen
class EpgBroadcastSlot(Entity):
    """A broadcast slot as the recordings API sends it (``Epg/BroadcastSlotEntity``): what aired, and when.

    Times are the server's Unix seconds. ``relationships`` holds the slot's references (its channel, say).
    """

    id: str
    title: str = ""
    description: str = ""
    start_time_unix: int | None = None
    end_time_unix: int | None = None
    program_duration_seconds: int | None = None
    advertising_enabled: bool = False
    commercial_break_duration_seconds: int | None = None
    metadata_provider_information: tuple[MetadataProviderInformation, ...] = ()
    broadcast_languages: tuple[BroadcastLanguage, ...] = ()
    subtitle_languages: tuple[RecordingSubtitleLanguage, ...] = ()
    services_available: ServicesAvailable | None = None
    program: RecordingSlotProgram | None = None
    relationships: tuple[ResourceRef, ...] = field(default=(), metadata=_REFS)

    @property
    def channel_id(self) -> str | None:
        """The id of the slot's channel, when the answer says it."""
        return _ref_id(self.relationships, "Channel")


# --- v4: recordings -------------------------------------------------------------------------------------------


@frozen
class Recording(Entity):
    """A recording of a broadcast slot for a user profile (``RecordingEntity``, ``/api/recordings/v4``).

    Play it with ``client.streams.recording(recording.id)``. Its relationships are read into ``relationships``;
    the properties give the ids of each.
    """

    id: str
    is_favourite: bool = False
    relationships: tuple[ResourceRef, ...] = field(default=(), metadata=_REFS)

    @property
    def broadcast_slot_id(self) -> str | None:
        """The id of the recorded broadcast slot."""
        return _ref_id(self.relationships, "BroadcastSlot")

    @property
    def program_id(self) -> str | None:
        """The id of the recorded programme."""
        return _ref_id(self.relationships, "Program")

    @property
    def series_id(self) -> str | None:
        """The id of the series the programme belongs to (None for a programme of no series)."""
        return _ref_id(self.relationships, "Series")

    @property
    def auto_recording_request_id(self) -> str | None:
        """The id of the auto-recording request that made this recording (None for one scheduled by hand)."""
        return _ref_id(self.relationships, "AutoRecordingRequest")


@frozen
class GroupRecording(Recording):
    """A recording as a recording group lists it (``RecordingForGroupEntity``), its broadcast slot resolved
    from ``included`` (None when the answer included none)."""

    is_stream_available: bool = False
    broadcast_slot: EpgBroadcastSlot | None = field(default=None, metadata={"included": "BroadcastSlot"})


@frozen
class RecordedBroadcastSlot(Entity):
    """A broadcast slot the profile has a recording of (``GET .../recorded_broadcast_slots``): its id only."""

    id: str


@frozen
class StorageQuota(Entity):
    """A user's recording storage, in seconds of programme: used, in all, and used by what has aired."""

    id: str
    used_quota: int = 0
    total_quota: int = 0
    used_aired_quota: int = 0

    @property
    def free_quota(self) -> int:
        """Seconds still free (never below zero)."""
        return max(self.total_quota - self.used_quota, 0)


@frozen
class AutoRecordingRequest(Entity):
    """A standing request to record a series as it airs (``RecordingRequestEntity``), on one channel or
    (``channel_id`` None) on every channel."""

    id: str
    is_auto_delete: bool = False
    relationships: tuple[ResourceRef, ...] = field(default=(), metadata=_REFS)

    @property
    def series_id(self) -> str | None:
        """The id of the series recorded."""
        return _ref_id(self.relationships, "Series")

    @property
    def channel_id(self) -> str | None:
        """The id of the channel recorded from (None: every channel)."""
        return _ref_id(self.relationships, "Channel")


@frozen
class RecordingSeries(Entity):
    """A series, as included beside recording groups."""

    id: str
    title: str | None = None
    description: str | None = None


@frozen
class RecordingGroup(Entity):
    """A group of a profile's recordings, typically a series (``RecordingGroupEntity``), its series resolved
    from ``included``."""

    id: str
    name: str = ""
    approximate_number_of_recordings: int | None = None
    earliest_start_time: int | None = None
    latest_start_time: int | None = None
    relationships: tuple[ResourceRef, ...] = field(default=(), metadata=_REFS)
    series: RecordingSeries | None = field(default=None, metadata={"included": "Series"})

    @property
    def series_id(self) -> str | None:
        """The id of the group's series, when it groups by series."""
        return _ref_id(self.relationships, "Series")

    @property
    def channel_id(self) -> str | None:
        """The id of the group's channel, when it groups by channel."""
        return _ref_id(self.relationships, "Channel")


# --- v1: user recordings --------------------------------------------------------------------------------------


@frozen
class RecordingSlot(Entity):
    """A slot a recording device is to record (``RecordingSlotEntity``, ``/api/recordings/v1``)."""

    id: str
    channel_id: str | None = None
    start_timestamp: int | None = None
    duration_seconds: int | None = None
    status: str | None = None
    status_reason: str | None = None


@frozen
class SerialRecording(Model):
    """How many episodes of a series a v1 recording request records and keeps, and until when
    (``UserRecordingRequestEntity.serial_recording``); an answer's value and a request's input alike."""

    maximum_episodes_to_record: int | None = None
    maximum_episodes_to_retain: int | None = None
    expire_timestamp: int | None = None


@frozen
class UserRecordingRequest(Entity):
    """A v1 request to record (``UserRecordingRequestEntity``): what it records, on which device.

    ``relationships`` are its references (``UserRecordingDevice``, ``RecordingSlot``, ``ClassificationTag``);
    ``slots`` the recording slots an answer included, resolved.
    """

    id: str
    serial_recording: SerialRecording | None = None
    requested_at_timestamp: int | None = None
    relationships: tuple[ResourceRef, ...] = field(default=(), metadata=_REFS)
    slots: tuple[RecordingSlot, ...] = field(default=(), metadata={"included": "RecordingSlot"})

    @property
    def device_id(self) -> str | None:
        """The id of the recording device the request records on, when it names one."""
        return _ref_id(self.relationships, "UserRecordingDevice")

    @property
    def slot_ids(self) -> tuple[str, ...]:
        """The ids of the recording slots the request made."""
        return tuple(ref.id for ref in self.relationships if ref.type == "RecordingSlot")


@frozen
class OriginalBroadcastSlot(Model):
    """The broadcast slot a v1 recording was made from, as it was then."""

    channel_id: str | None = None
    time_start: int | None = None
    title: str | None = None


@frozen
class RelationshipData(Model):
    """``{"data": {type, id}}``: one relationship of a v1 recording (``data`` None when it relates to nothing)."""

    data: ResourceRef | None = None


@frozen
class StreamLinks(Model):
    """Where a v1 recording's streams are (``watch``: a path, URL-encoded parameters included)."""

    watch: str | None = None


@frozen
class StreamsRelationship(Model):
    """The streams relationship of a v1 recording."""

    links: StreamLinks = StreamLinks()


@frozen
class UserRecordingRelationships(Model):
    """The relationships a v1 recording carries in its attributes: its streams, programme and request."""

    streams: StreamsRelationship | None = None
    program: RelationshipData | None = None
    recording_request: RelationshipData | None = None


@frozen
class UserRecording(Entity):
    """A recording of the older API (``UserRecordingEntity``, ``/api/recordings/v1``).

    The legacy listings give it an id that is itself JSON text (``{"user_id":1,"epg_id":749,"continuous":0}``):
    ids are opaque.
    """

    id: str
    watched_time_seconds: int = 0
    expires_at_timestamp: int | None = None
    is_about_to_expire: bool = False
    content_flags: tuple[ContentFlag, ...] = ()
    favourite: bool = False
    has_been_recorded: bool = False
    images: tuple[Image, ...] = ()
    original_broadcast_slot: OriginalBroadcastSlot | None = None
    relationships: UserRecordingRelationships | None = None

    @property
    def program_id(self) -> str | None:
        """The id of the recorded programme, when the answer says it."""
        relationship = self.relationships.program if self.relationships else None
        return relationship.data.id if relationship and relationship.data else None

    @property
    def watch_path(self) -> str | None:
        """The path of the recording's streams, when the answer says it."""
        return self.relationships.streams.links.watch if self.relationships and self.relationships.streams else None


@frozen
class UserRecordingGroup(Entity):
    """A v1 recording group: a tag some of the user's recordings share."""

    id: str
    name: str = ""
    approximate_number_of_recordings: int | None = None
    earliest_start_time: int | None = None
    latest_start_time: int | None = None


@frozen
class RecordingToDelete(Model):
    """One entry of a bulk deletion: the id of a recording."""

    recording_id: str


@frozen
class BulkDeletion(Entity):
    """A v1 bulk deletion request as created (``BulkDeleteRequestEntity``): the recordings it deletes."""

    id: str
    recordings_to_delete: tuple[RecordingToDelete, ...] = ()


# --- inputs ---------------------------------------------------------------------------------------------------


def _channel_data(channel_id: str | None) -> dict[str, Any]:
    # The files type a channel id as an integer and show it as a string: it is sent as the string it is.
    return {"data": None if channel_id is None else {"type": "Channel", "id": channel_id}}


@frozen
class NewRecording(Model):
    """The body of ``POST /user_profiles/{user_profile_id}/recordings`` (``CreateRecordingRequestEntity``)."""

    broadcast_slot_id: str
    is_favourite: bool | None = None

    def body(self) -> dict[str, Any]:
        """The JSON:API document the API takes."""
        slot = {"broadcast_slot": {"data": {"type": "BroadcastSlot", "id": self.broadcast_slot_id}}}
        return resource_body("Recording", {"is_favourite": self.is_favourite}, relationships=slot)


@frozen
class RecordingUpdate(Model):
    """The body of ``PATCH .../recordings/{recording_id}`` (``UpdateRecordingRequestEntity``)."""

    is_favourite: bool | None = None

    def body(self) -> dict[str, Any]:
        """The JSON:API document the API takes."""
        return resource_body("Recording", {"is_favourite": self.is_favourite})


@frozen
class NewAutoRecordingRequest(Model):
    """The body of ``POST .../auto_recording_requests`` (``CreateAutoRecordingRequestEntity``): a series, on one
    channel or (``channel_id`` None) on every channel."""

    series_id: str
    channel_id: str | None = None
    is_auto_delete: bool | None = None

    def body(self) -> dict[str, Any]:
        """The JSON:API document the API takes."""
        relationships = {
            "series": {"data": {"type": "Series", "id": self.series_id}},
            "channel": _channel_data(self.channel_id),
        }
        return resource_body(
            "AutoRecordingRequest", {"is_auto_delete": self.is_auto_delete}, relationships=relationships
        )


@frozen
class AutoRecordingRequestUpdate(Model):
    """The body of ``PATCH .../auto_recording_requests/{recording_request_id}`` (``PatchRecordingRequestEntity``).

    ``channel_id``: None leaves the channel as it is, a channel id records from that channel only, and
    :data:`~amino_async.NULL` records from every channel.
    """

    is_auto_delete: bool | None = None
    channel_id: str | Null | None = None

    def body(self) -> dict[str, Any]:
        """The resource the API takes: the file's PatchRecordingRequestEntity is not wrapped in ``data``."""
        relationships = None
        if self.channel_id is not None:
            relationships = {"channel": _channel_data(None if isinstance(self.channel_id, Null) else self.channel_id)}
        document = resource_body(
            "AutoRecordingRequest", {"is_auto_delete": self.is_auto_delete}, relationships=relationships
        )
        resource: dict[str, Any] = document["data"]
        return resource


@frozen
class BatchDelete(Model):
    """The body of ``POST .../recordings/batch_delete_recordings`` (``BatchDeleteRequestEntity``): up to 50
    recordings, all deleted or none."""

    recording_ids: tuple[str, ...]

    def body(self) -> dict[str, Any]:
        """The JSON:API bulk document the API takes."""
        return {"data": [{"type": "Recording", "id": recording_id} for recording_id in self.recording_ids]}


@frozen
class NewUserRecordingRequest(Model):
    """The body of ``POST /user/{user_id}/user_recording_requests/`` (``UserRecordingRequestEntity``).

    ``relationships`` name what to record and where: ``ResourceRef("UserRecordingDevice", id)``,
    ``ResourceRef("RecordingSlot", id)``, ``ResourceRef("ClassificationTag", id)`` (FakeAmino also takes
    ``ResourceRef("BroadcastSlot", id)``, a broadcast slot to record).
    """

    serial_recording: SerialRecording | None = None
    relationships: tuple[ResourceRef, ...] = ()

    def body(self) -> dict[str, Any]:
        """The JSON the API takes (not a JSON:API document)."""
        body: dict[str, Any] = to_json(self)
        return body


@frozen
class UserRecordingUpdate(Model):
    """The body of ``PATCH /user_recordings/{user_recordings_id}`` (the attributes of ``UserRecordingEntity`` that
    may change): how far the user has watched, whether it is a favourite."""

    watched_time_seconds: int | None = None
    favourite: bool | None = None

    def body(self) -> dict[str, Any]:
        """The JSON the API takes."""
        body: dict[str, Any] = to_json(self)
        return body


@frozen
class RecordingSlotUpdate(Model):
    """The body of ``PATCH /recording_slots/{recording_slot_id}`` (``RecordingSlotEntity``: only the status and
    its reason may change)."""

    status: RecordingSlotStatus
    status_reason: str | None = None

    def body(self) -> dict[str, Any]:
        """The JSON the API takes."""
        body: dict[str, Any] = to_json(self)
        return body


@frozen
class BulkDelete(Model):
    """The body of ``POST /user_recordings/bulk_delete_request`` (``BulkDeleteRequestEntity``): up to 50
    recordings."""

    recording_ids: tuple[str, ...]

    def body(self) -> dict[str, Any]:
        """The JSON:API document the API takes."""
        attributes = {"recordings_to_delete": [{"recording_id": ident} for ident in self.recording_ids]}
        return resource_body("BulkDeleteRequestEntity", attributes)
