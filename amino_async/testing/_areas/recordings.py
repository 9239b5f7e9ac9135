"""The recordings area: the profile recordings API (``/api/recordings/v4``) and the user recordings API
(``/api/recordings/v1``), over one state: :class:`Recordings`, ``fake.recordings``.

A recording is of a broadcast slot of the catalogue (``_catalogue.slot_info``: slot i is programme i % 24 of
channel i // 24, of a series unless it is a film) and belongs to one profile of one user. Both APIs see the same
recordings: v4 per profile, v1 per user (every profile of the account). A recording's id is an id of the
catalogue's recording scheme, past the seeded ones, so ``GET /api/v1/recordings/{id}/relationships/streams``
plays it (for its user only, until it is deleted). Deleting, through either API, takes a recording out of every
listing, group and quota at once; v1 keeps it as a ``DELETED`` recording slot until the recording device says it
removed the file (``DELETE /recording_slots/{id}``).

Refusals: a ``{user_id}`` or ``{user_profile_id}`` that is not the bearer's is ``not_yours`` (403); a recording,
request or slot id of another user is 403 too, an id nobody has is 404 with the file's error body; a body or
query out of the documented range is 400. v4 errors are the JSON:API shape the file gives (``details`` as its
schema requires), v1 errors the ErrorEntity shape.
"""

from __future__ import annotations

import collections
import json
import re
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any, Final

import attrs
from starlette.responses import Response

from .. import _catalogue as catalogue
from .._catalogue import IdScheme, SlotInfo, catalogue_ids, schedule_ids, slot_info
from .._responses import answer, bad_request, dumps, entity_error, not_yours, reported_now
from .._routing import Call, FakeRoute
from .._state import FakeUser
from .users import owned_profile, owned_user

if TYPE_CHECKING:
    from .._app import FakeAmino

V4: Final = "/api/recordings/v4"
V1: Final = "/api/recordings/v1"

#: Recording indices of the catalogue's scheme from which scheduled recordings are numbered: far past the seeded
#: ones (two a channel), so the two never meet.
SCHEDULED_BASE: Final = 16**11
#: Seconds of programme each user may keep recorded unless ``fake.recordings.total_quota`` says otherwise.
DEFAULT_TOTAL_QUOTA: Final = 100 * 3600
#: How long a recording is kept after it is scheduled.
RETENTION_SECONDS: Final = 30 * 86400
MAX_BATCH: Final = 50
PAGE_SIZE: Final = 100
V1_GROUP_PAGE_SIZE: Final = 500
MOST_POPULAR_SIZE: Final = 10
SLOT_STATUSES: Final = frozenset({"NEW", "RECORDING", "RECORDING_FAILED", "FAILED_PERMANENTLY", "WAITING", "COMPLETE"})
REQUEST_STATUSES: Final = frozenset({"NEW", "WAITING", "RECORDING", "FAILED", "FAILED_PERMANENTLY", "COMPLETE"})
CLOUD_DEVICE: Final = "cloud"

_INT: Final = re.compile(r"-?[0-9]{1,12}")
_LANGUAGE: Final = re.compile(r"[A-Za-z]{3}")
_SORTS: Final = frozenset(
    {"created_at", "-created_at", "broadcast_slot.start_time_unix", "-broadcast_slot.start_time_unix"}
)
_GROUPINGS: Final = {
    "series_id": ("series",),
    "channel_id": ("channel",),
    "series_id,channel_id": ("series", "channel"),
    "channel_id,series_id": ("series", "channel"),
}
_FLAGS: Final = {"true": True, "1": True, "false": False, "0": False}


# --- state -----------------------------------------------------------------------------------------


@attrs.define(eq=False)
class FakeRecording:
    """One recording: whose, of which slot, and what the user and the device did with it."""

    id: str
    user_id: str
    profile_id: str
    slot: SlotInfo
    created: int
    scheduled_at: int
    is_favourite: bool = False
    auto_request_id: str | None = None
    user_request_id: str | None = None
    device: str = CLOUD_DEVICE
    watched_time_seconds: int = 0
    watched: int = 0
    status: str = "COMPLETE"
    status_reason: str | None = None
    deleted: bool = False

    @property
    def duration(self) -> int:
        """The seconds of storage it takes."""
        return self.slot.end - self.slot.start


@attrs.define(eq=False)
class FakeAutoRequest:
    """An auto-recording request (v4): a series, on one channel or (None) every channel."""

    id: str
    user_id: str
    profile_id: str
    series: int
    channel: int | None
    is_auto_delete: bool = False


@attrs.define(eq=False)
class FakeUserRequest:
    """A user recording request (v1) as created, and the recordings it made or named."""

    id: str
    user_id: str
    requested_at: int
    serial_recording: dict[str, int]
    relationships: list[dict[str, str]]
    recording_ids: list[str]


class Recordings:
    """The recordings of every user and profile, with their requests: ``fake.recordings``.

    Tests read it (``recordings_of_profile``, ``recordings_of_user``, ``get``) and may set ``total_quota``
    (seconds a user may keep) or call ``reset()``.
    """

    def __init__(self, seed: int) -> None:
        ids = catalogue_ids(seed)
        self._recording_ids = ids.recording
        self._auto_ids = IdScheme.for_kind(seed, "auto_recording_request")
        self._request_ids = IdScheme.for_kind(seed, "user_recording_request")
        self._deletion_ids = IdScheme.for_kind(seed, "bulk_delete_request")
        self.total_quota = DEFAULT_TOTAL_QUOTA
        self.reset()

    def reset(self) -> None:
        """Forget every recording and request."""
        #: Every recording by id, soft-deleted ones (awaiting their device) included.
        self.all: dict[str, FakeRecording] = {}
        self._by_profile: dict[str, dict[str, FakeRecording]] = collections.defaultdict(dict)
        self._by_user: dict[str, dict[str, FakeRecording]] = collections.defaultdict(dict)
        self.auto_requests: dict[str, FakeAutoRequest] = {}
        self.user_requests: dict[str, FakeUserRequest] = {}
        self._popularity: collections.Counter[int] = collections.Counter()
        self._sequence = 0

    def _next(self) -> int:
        self._sequence += 1
        return self._sequence

    # --- reading ---

    def get(self, recording_id: str) -> FakeRecording | None:
        """The recording ``recording_id``, unless deleted."""
        recording = self.all.get(recording_id)
        return recording if recording is not None and not recording.deleted else None

    def recordings_of_profile(self, profile_id: str) -> list[FakeRecording]:
        """The profile's recordings, oldest first."""
        return list(self._by_profile.get(profile_id, {}).values())

    def recordings_of_user(self, user_id: str) -> list[FakeRecording]:
        """The user's recordings (every profile), oldest first."""
        return list(self._by_user.get(user_id, {}).values())

    def used_quota(self, user_id: str) -> int:
        """Seconds of storage the user's recordings take."""
        return sum(recording.duration for recording in self._by_user.get(user_id, {}).values())

    def most_popular(self) -> list[int]:
        """The slots recorded most, most first (ties by slot), at most ``MOST_POPULAR_SIZE``."""
        ranked = sorted(self._popularity.items(), key=lambda item: (-item[1], item[0]))
        return [slot for slot, count in ranked[:MOST_POPULAR_SIZE] if count > 0]

    # --- writing ---

    def schedule(
        self,
        user: FakeUser,
        profile_id: str,
        slot: SlotInfo,
        *,
        now: int,
        is_favourite: bool = False,
        auto_request_id: str | None = None,
        device: str = CLOUD_DEVICE,
    ) -> FakeRecording:
        """A new recording of ``slot`` for the profile (the caller has checked it may be made)."""
        created = self._next()
        recording = FakeRecording(
            id=self._recording_ids.make(SCHEDULED_BASE + created),
            user_id=user.user_id,
            profile_id=profile_id,
            slot=slot,
            created=created,
            scheduled_at=now,
            is_favourite=is_favourite,
            auto_request_id=auto_request_id,
            device=device,
        )
        self.all[recording.id] = recording
        self._by_profile[profile_id][recording.id] = recording
        self._by_user[user.user_id][recording.id] = recording
        self._popularity[slot.index] += 1
        return recording

    def delete(self, recording: FakeRecording) -> None:
        """Take a recording out of every listing; it stays a DELETED recording slot until its device removes it."""
        if recording.deleted:
            return
        recording.deleted = True
        del self._by_profile[recording.profile_id][recording.id]
        del self._by_user[recording.user_id][recording.id]
        self._popularity[recording.slot.index] -= 1

    def purge(self, recording: FakeRecording) -> None:
        """Forget a deleted recording for good (its device removed the file)."""
        self.all.pop(recording.id, None)

    def new_auto_request_id(self) -> str:
        """An id for a new auto-recording request."""
        return self._auto_ids.make(self._next())

    def new_request_id(self) -> str:
        """An id for a new v1 recording request."""
        return self._request_ids.make(self._next())

    def new_deletion_id(self) -> str:
        """An id for a new v1 bulk deletion request."""
        return self._deletion_ids.make(self._next())


# --- shared checks and shapes ----------------------------------------------------------------------


def _v4_error(fake: FakeAmino, status: int, code: str, title: str, details: str) -> Response:
    """The v4 file's error body (JsonApiErrorEntity: its schema requires ``details``)."""
    error = {"id": _error_id(fake), "status": str(status), "code": code, "title": title, "details": details}
    return answer(fake, status, dumps({"errors": [error]}))


def _error_id(fake: FakeAmino) -> str:
    return f"{reported_now(fake):x}-{fake.recordings._next():x}"


def _v4_bad(fake: FakeAmino, details: str) -> Response:
    return _v4_error(fake, 400, "10100", "Bad Request", details)


def _no_content(fake: FakeAmino) -> Response:
    return answer(fake, 204, b"", media_type=None)


_INVALID: Final = object()


async def _body(call: Call) -> Any:
    """The request's JSON body, or ``_INVALID``."""
    try:
        return json.loads(await call.request.body())
    except (ValueError, UnicodeDecodeError):
        return _INVALID


def _get(value: Any, *keys: str) -> Any:
    """``value[k1][k2]...``, None where a level is missing or not an object."""
    for key in keys:
        if not isinstance(value, dict):
            return None
        value = value.get(key)
    return value


def _int_param(params: Mapping[str, str], name: str, *, minimum: int | None = None) -> int | str | None:
    """The integer query parameter ``name`` (None when absent), or the detail of why it is refused."""
    text = params.get(name)
    if text is None:
        return None
    if _INT.fullmatch(text) is None or (minimum is not None and int(text) < minimum):
        floor = f" >= {minimum}" if minimum is not None else ""
        return f"Parameter '{name}' must be an integer{floor}, got {text[:40]!r}"
    return int(text)


def _slot(fake: FakeAmino, slot_id: Any) -> SlotInfo | None:
    """The catalogue slot ``slot_id`` names, or None."""
    if not isinstance(slot_id, str):
        return None
    index = fake.catalogue_ids.broadcast_slot.parse(slot_id)
    if index is None or index >= fake.broadcast_slot_count:
        return None
    return slot_info(fake.seed, index)


def _series_index(fake: FakeAmino, series_id: Any) -> int | None:
    if not isinstance(series_id, str):
        return None
    index = schedule_ids(fake.seed).series.parse(series_id)
    return index if index is not None and index < fake.channel_count * catalogue.SERIES_PER_CHANNEL else None


def _channel_index(fake: FakeAmino, channel_id: Any) -> int | None:
    if isinstance(channel_id, int) and not isinstance(channel_id, bool):
        channel_id = str(channel_id)
    if not isinstance(channel_id, str):
        return None
    index = fake.catalogue_ids.channel.parse(channel_id)
    return index if index is not None and index < fake.channel_count else None


def _ref(kind: str, ident: str | None) -> dict[str, object]:
    return {"data": None if ident is None else {"type": kind, "id": ident}}


def _series_id(fake: FakeAmino, series: int | None) -> str | None:
    return None if series is None else schedule_ids(fake.seed).series.make(series)


def _recording_resource(fake: FakeAmino, recording: FakeRecording, *, for_group: bool = False) -> dict[str, object]:
    slot = recording.slot
    attributes: dict[str, object] = {"is_favourite": recording.is_favourite}
    if for_group:
        attributes["is_stream_available"] = recording.status == "COMPLETE"
    return {
        "type": "Recording",
        "id": recording.id,
        "attributes": attributes,
        "relationships": {
            "broadcast_slot": _ref("BroadcastSlot", fake.broadcast_slot_id(slot.index)),
            "auto_recording_request": _ref("AutoRecordingRequest", recording.auto_request_id),
            "program": _ref("Program", schedule_ids(fake.seed).program.make(slot.index)),
            "series": _ref("Series", _series_id(fake, slot.series)),
        },
    }


def _auto_request_resource(fake: FakeAmino, request: FakeAutoRequest) -> dict[str, object]:
    channel = None if request.channel is None else fake.channel_id(request.channel)
    return {
        "type": "AutoRecordingRequest",
        "id": request.id,
        "attributes": {"is_auto_delete": request.is_auto_delete},
        "relationships": {
            "series": _ref("Series", _series_id(fake, request.series)),
            "channel": _ref("Channel", channel),
        },
    }


def _lookup(
    fake: FakeAmino, call: Call, recording_id: str, scope: Callable[[FakeRecording], bool]
) -> FakeRecording | Response | None:
    """The live recording ``recording_id`` when ``scope`` takes it; 403 for another user's; None when unknown."""
    recording = fake.recordings.get(recording_id)
    if recording is None:
        return None
    if recording.user_id != call.user.user_id:
        return not_yours(fake)
    return recording if scope(recording) else None


def _recording_not_found(fake: FakeAmino, recording_id: str) -> Response:
    details = f'Recording with id "{recording_id[:100]}" cannot be found.'
    return _v4_error(fake, 404, "30305", "Not found", details)


def _page(items: list[Any], number: int, size: int) -> list[Any]:
    return items[(number - 1) * size : number * size]


# --- v4: recordings --------------------------------------------------------------------------------


def _time_filter(params: Mapping[str, str]) -> Callable[[FakeRecording], bool] | str:
    """The ``filter[starts_before]`` ... ``filter[ends_after]`` of ``params`` (Unix seconds of the broadcast)."""
    bounds: dict[str, int] = {}
    for name in ("starts_before", "starts_after", "ends_before", "ends_after"):
        value = _int_param(params, f"filter[{name}]")
        if isinstance(value, str):
            return value
        if value is not None:
            bounds[name] = value

    def accepts(recording: FakeRecording) -> bool:
        slot = recording.slot
        return (
            slot.start < bounds.get("starts_before", slot.start + 1)
            and slot.start > bounds.get("starts_after", slot.start - 1)
            and slot.end < bounds.get("ends_before", slot.end + 1)
            and slot.end > bounds.get("ends_after", slot.end - 1)
        )

    return accepts


def _search_filter(fake: FakeAmino, params: Mapping[str, str]) -> Callable[[FakeRecording], bool] | str:
    times = _time_filter(params)
    if isinstance(times, str):
        return times
    words = (params.get("filter[search]") or "").lower().split()
    series = params.get("filter[series.id]")
    channel = params.get("filter[broadcast_slot.channel.id]")

    def accepts(recording: FakeRecording) -> bool:
        slot = recording.slot
        if any(word not in slot.title.lower() for word in words):
            return False
        if series is not None and _series_id(fake, slot.series) != series:
            return False
        if channel is not None and fake.channel_id(slot.channel) != channel:
            return False
        return times(recording)

    return accepts


def _paging(params: Mapping[str, str], *, sized: bool) -> tuple[int, int] | str:
    number = _int_param(params, "page[number]", minimum=1)
    if isinstance(number, str):
        return number
    size = _int_param(params, "page[size]", minimum=1) if sized else None
    if isinstance(size, str):
        return size
    if size is not None and size > PAGE_SIZE:
        return f"Parameter 'page[size]' must be at most {PAGE_SIZE}, got {size}"
    return number or 1, size or PAGE_SIZE


def _language(params: Mapping[str, str]) -> str | None:
    language = params.get("language")
    if language is not None and _LANGUAGE.fullmatch(language) is None:
        return f"Parameter 'language' must be a 3 letter ISO 639-2 code, got {language[:20]!r}"
    return None


async def search_recordings(fake: FakeAmino, call: Call) -> Response:
    """``GET /api/recordings/v4/user_profiles/{user_profile_id}/recordings`` (searchRecordedSlots)."""
    owned = owned_profile(fake, call)
    if owned is None:
        return not_yours(fake)
    profile = owned[1].id
    params = call.request.query_params
    paging = _paging(params, sized=True)
    accepts = _search_filter(fake, params)
    sort = params.get("sort", "created_at")
    refusal = next((r for r in (paging, accepts, _language(params)) if isinstance(r, str)), None)
    if refusal is None and sort not in _SORTS:
        refusal = f"Parameter 'sort' must be one of {sorted(_SORTS)}, got {sort[:60]!r}"
    if refusal is not None or isinstance(paging, str) or isinstance(accepts, str):
        return _v4_bad(fake, refusal or "")
    found = [r for r in fake.recordings.recordings_of_profile(profile) if accepts(r)]
    key: Callable[[FakeRecording], int] = (
        (lambda r: r.created) if sort.lstrip("-") == "created_at" else (lambda r: r.slot.start)
    )
    found.sort(key=key, reverse=sort.startswith("-"))
    data = [_recording_resource(fake, r) for r in _page(found, *paging)]
    return answer(fake, 200, dumps({"data": data}))


async def create_recording(fake: FakeAmino, call: Call) -> Response:
    """``POST .../user_profiles/{user_profile_id}/recordings`` (createRecordedSlot)."""
    owned = owned_profile(fake, call)
    if owned is None:
        return not_yours(fake)
    profile = owned[1].id
    body = await _body(call)
    if _get(body, "data", "type") != "Recording":
        return _v4_bad(fake, '- data.type must be "Recording"')
    slot_id = _get(body, "data", "relationships", "broadcast_slot", "data", "id")
    if not isinstance(slot_id, str):
        return _v4_bad(fake, "- data.relationships.broadcast_slot.data.id is required")
    favourite = _get(body, "data", "attributes", "is_favourite")
    if favourite is not None and not isinstance(favourite, bool):
        return _v4_bad(fake, "- is_favourite must be a boolean")
    slot = _slot(fake, slot_id)
    if slot is None:
        details = f'Broadcast slot with ID "{slot_id[:100]}" cannot be found'
        return _v4_error(fake, 404, "30306", "Not found", details)
    refusal = _refuse_recording(fake, call.user, profile, slot)
    if refusal is not None:
        return refusal
    now = reported_now(fake)
    recording = fake.recordings.schedule(call.user, profile, slot, now=now, is_favourite=bool(favourite))
    return answer(fake, 201, dumps({"data": _recording_resource(fake, recording)}), now=now)


def _refuse_recording(fake: FakeAmino, user: FakeUser, profile: str, slot: SlotInfo) -> Response | None:
    """Why the profile may not record ``slot`` (the file's 403s and 409), or None."""
    slot_id = fake.broadcast_slot_id(slot.index)
    if not slot.recordable:
        return _v4_error(fake, 403, "30302", "Forbidden", f'Broadcast slot with ID "{slot_id}" is not recordable')
    state = fake.recordings
    if state.used_quota(user.user_id) + (slot.end - slot.start) > state.total_quota:
        details = f'User lacks sufficient storage space to record broadcast slot "{slot_id}"'
        return _v4_error(fake, 403, "30304", "Forbidden", details)
    if any(r.slot.index == slot.index for r in state.recordings_of_profile(profile)):
        program = schedule_ids(fake.seed).program.make(slot.index)
        details = (
            f'Could not create recording because a recording for user profile "{profile}" for program with ID'
            f' "{program}" already exists'
        )
        return _v4_error(fake, 409, "30307", "Recording already exists", details)
    return None


async def update_recording(fake: FakeAmino, call: Call) -> Response:
    """``PATCH .../user_profiles/{user_profile_id}/recordings/{recording_id}`` (updateRecordedSlot)."""
    owned = owned_profile(fake, call)
    if owned is None:
        return not_yours(fake)
    profile = owned[1].id
    recording_id = call.params["recording_id"]
    found = _lookup(fake, call, recording_id, lambda r: r.profile_id == profile)
    if isinstance(found, Response):
        return found
    body = await _body(call)
    if _get(body, "data", "type") != "Recording":
        return _v4_bad(fake, '- data.type must be "Recording"')
    attributes = _get(body, "data", "attributes") or {}
    favourite = attributes.get("is_favourite") if isinstance(attributes, dict) else _INVALID
    if favourite is not None and not isinstance(favourite, bool):
        return _v4_bad(fake, "- is_favourite must be a boolean")
    if found is None:
        return _recording_not_found(fake, recording_id)
    if favourite is not None:
        found.is_favourite = favourite
    return answer(fake, 200, dumps({"data": _recording_resource(fake, found)}))


async def delete_recording(fake: FakeAmino, call: Call) -> Response:
    """``DELETE .../user_profiles/{user_profile_id}/recordings/{recording_id}`` (deleteRecordedSlot)."""
    owned = owned_profile(fake, call)
    if owned is None:
        return not_yours(fake)
    profile = owned[1].id
    recording_id = call.params["recording_id"]
    found = _lookup(fake, call, recording_id, lambda r: r.profile_id == profile)
    if isinstance(found, Response):
        return found
    if found is None:
        return _recording_not_found(fake, recording_id)
    fake.recordings.delete(found)
    return _no_content(fake)


async def batch_delete_recordings(fake: FakeAmino, call: Call) -> Response:
    """``POST .../user_profiles/{user_profile_id}/recordings/batch_delete_recordings``: all or none."""
    owned = owned_profile(fake, call)
    if owned is None:
        return not_yours(fake)
    profile = owned[1].id
    body = await _body(call)
    entries = _get(body, "data")
    if not isinstance(entries, list) or not entries:
        return _v4_error(fake, 400, "3230", "Bad Request", "The list of recordings to delete is missing or empty")
    if len(entries) > MAX_BATCH:
        details = f"The number of recordings that is requested to be deleted exceeds the limit of {MAX_BATCH}"
        return _v4_error(fake, 400, "3231", "Bad Request", details)
    wanted = [e.get("id") for e in entries if isinstance(e, dict) and e.get("type") == "Recording"]
    found, missing = [], []
    for recording_id in wanted:
        recording = fake.recordings.get(recording_id) if isinstance(recording_id, str) else None
        if recording is not None and recording.user_id != call.user.user_id:
            return not_yours(fake)
        if recording is None or recording.profile_id != profile:
            missing.append(str(recording_id)[:100])
        else:
            found.append(recording)
    if missing:
        details = f"Recordings with id {','.join(json.dumps(m) for m in missing)} cannot be found."
        return _v4_error(fake, 404, "30309", "Not Found", details)
    for recording in found:
        fake.recordings.delete(recording)
    return _no_content(fake)


async def recorded_broadcast_slots(fake: FakeAmino, call: Call) -> Response:
    """``GET .../user_profiles/{user_profile_id}/recorded_broadcast_slots``."""
    owned = owned_profile(fake, call)
    if owned is None:
        return not_yours(fake)
    profile = owned[1].id
    slots = dict.fromkeys(r.slot.index for r in fake.recordings.recordings_of_profile(profile))
    data = [{"type": "BroadcastSlot", "id": fake.broadcast_slot_id(index)} for index in slots]
    return answer(fake, 200, dumps({"data": data}))


async def recording_by_broadcast_slot(fake: FakeAmino, call: Call) -> Response:
    """``GET .../user_profiles/{user_profile_id}/recorded_broadcast_slots/{broadcast_slot_id}``."""
    owned = owned_profile(fake, call)
    if owned is None:
        return not_yours(fake)
    profile = owned[1].id
    slot_id = call.params["broadcast_slot_id"]
    slot = _slot(fake, slot_id)
    found = [r for r in fake.recordings.recordings_of_profile(profile) if slot is not None and r.slot == slot]
    if not found:
        details = f'Recording with Broadcast slot ID "{slot_id[:100]}" and User profile ID "{profile}" not found'
        return _v4_error(fake, 404, "30308", "Not found", details)
    return answer(fake, 200, dumps({"data": [_recording_resource(fake, r) for r in found]}))


async def storage_quota(fake: FakeAmino, call: Call) -> Response:
    """``GET /api/recordings/v4/user/{user_id}/storage_quota``."""
    owner = owned_user(fake, call)
    if owner is None:
        return not_yours(fake)
    used = fake.recordings.used_quota(owner.user_id)
    now = reported_now(fake)
    aired = sum(r.duration for r in fake.recordings.recordings_of_user(owner.user_id) if r.slot.end <= now)
    attributes = {"used_quota": used, "total_quota": fake.recordings.total_quota, "used_aired_quota": aired}
    data = {"type": "StorageQuota", "id": owner.user_id, "attributes": attributes}
    return answer(fake, 200, dumps({"data": data}), now=now)


async def most_popular(fake: FakeAmino, call: Call) -> Response:
    """``GET /api/recordings/v4/most_popular/{period}``: the slots recorded most, by every user."""
    period = call.params["period"]
    if period not in ("today", "next_week"):
        return _v4_bad(fake, f"Period must be one of 'today', 'next_week', got {period[:40]!r}")
    refusal = _language(call.request.query_params)
    if refusal is not None:
        return _v4_bad(fake, refusal)
    data = [catalogue.epg_slot_resource(fake.seed, slot_info(fake.seed, i)) for i in fake.recordings.most_popular()]
    return answer(fake, 200, dumps({"data": data}))


# --- v4: auto-recording requests -------------------------------------------------------------------


async def index_auto_requests(fake: FakeAmino, call: Call) -> Response:
    """``GET .../user_profiles/{user_profile_id}/auto_recording_requests`` (indexRecordingRequests)."""
    owned = owned_profile(fake, call)
    if owned is None:
        return not_yours(fake)
    profile = owned[1].id
    paging = _paging(call.request.query_params, sized=False)
    if isinstance(paging, str):
        return _v4_bad(fake, paging)
    mine = [r for r in fake.recordings.auto_requests.values() if r.profile_id == profile]
    data = [_auto_request_resource(fake, r) for r in _page(mine, *paging)]
    return answer(fake, 200, dumps({"data": data}))


async def create_auto_request(fake: FakeAmino, call: Call) -> Response:
    """``POST .../user_profiles/{user_profile_id}/auto_recording_requests``: records the series' slots now
    (every slot of the catalogue's one day has aired), while the quota lasts."""
    owned = owned_profile(fake, call)
    if owned is None:
        return not_yours(fake)
    profile = owned[1].id
    body = await _body(call)
    if _get(body, "data", "type") != "AutoRecordingRequest":
        return _v4_bad(fake, '- data.type must be "AutoRecordingRequest"')
    relationships = _get(body, "data", "relationships")
    channel_relationship = _get(relationships, "channel")
    if not isinstance(channel_relationship, dict) or "data" not in channel_relationship:
        return _v4_bad(fake, "- data.relationships.channel.data is required (null for every channel)")
    auto_delete = _get(body, "data", "attributes", "is_auto_delete")
    if auto_delete is not None and not isinstance(auto_delete, bool):
        return _v4_bad(fake, "- is_auto_delete must be a boolean")
    series_id = _get(relationships, "series", "data", "id")
    series = _series_index(fake, series_id)
    if series is None:
        return _v4_error(fake, 404, "30310", "Not found", f"Series with id {str(series_id)[:100]!r} cannot be found")
    channel: int | None = None
    channel_data = channel_relationship["data"]
    if channel_data is not None:
        channel = _channel_index(fake, _get(channel_data, "id"))
        if channel is None:
            return _v4_error(fake, 404, "30311", "Not found", "Channel cannot be found")
    airing = series // catalogue.SERIES_PER_CHANNEL
    shown = fake.channel_id(airing if channel is None else channel)
    if not slot_info(fake.seed, airing * catalogue.SLOTS_PER_CHANNEL).recordable or (
        channel is not None and channel != airing
    ):
        return _v4_error(fake, 403, "30303", "Forbidden", f'Channel with id "{shown}" is not recordable')
    state = fake.recordings
    if any(
        r.profile_id == profile and (r.series, r.channel) == (series, channel) for r in state.auto_requests.values()
    ):
        details = (
            "Could not create recording request because it already exists for user profile"
            f' "{profile}", series id "{series_id}", channel id "{shown}"'
        )
        return _v4_error(fake, 409, "30308", "Recording request already exists", details)
    request = FakeAutoRequest(
        state.new_auto_request_id(), call.user.user_id, profile, series, channel, bool(auto_delete)
    )
    state.auto_requests[request.id] = request
    now = reported_now(fake)
    recorded = {r.slot.index for r in state.recordings_of_profile(profile)}
    for position in range(catalogue.SLOTS_PER_CHANNEL):
        slot = slot_info(fake.seed, airing * catalogue.SLOTS_PER_CHANNEL + position)
        if slot.series != series or slot.index in recorded:
            continue
        if state.used_quota(call.user.user_id) + (slot.end - slot.start) > state.total_quota:
            break
        state.schedule(call.user, profile, slot, now=now, auto_request_id=request.id)
    return answer(fake, 201, dumps({"data": _auto_request_resource(fake, request)}), now=now)


def _auto_request(fake: FakeAmino, call: Call, profile: str) -> FakeAutoRequest | Response:
    request_id = call.params["recording_request_id"]
    request = fake.recordings.auto_requests.get(request_id)
    if request is not None and request.user_id != call.user.user_id:
        return not_yours(fake)
    if request is None or request.profile_id != profile:
        details = f'Recording request with id "{request_id[:100]}" cannot be found.'
        return _v4_error(fake, 404, "30312", "Not found", details)
    return request


async def update_auto_request(fake: FakeAmino, call: Call) -> Response:
    """``PATCH .../user_profiles/{user_profile_id}/auto_recording_requests/{recording_request_id}``."""
    owned = owned_profile(fake, call)
    if owned is None:
        return not_yours(fake)
    profile = owned[1].id
    request = _auto_request(fake, call, profile)
    if isinstance(request, Response):
        return request
    body = await _body(call)
    if _get(body, "type") != "AutoRecordingRequest" and _get(body, "data", "type") != "AutoRecordingRequest":
        return _v4_bad(fake, '- type must be "AutoRecordingRequest"')
    # The file's PatchRecordingRequestEntity is the resource itself; a JSON:API document wrapping it is taken too.
    resource = body["data"] if isinstance(body.get("data"), dict) else body
    auto_delete = _get(resource, "attributes", "is_auto_delete")
    if auto_delete is not None and not isinstance(auto_delete, bool):
        return _v4_bad(fake, "- is_auto_delete must be a boolean")
    relationships = _get(resource, "relationships")
    channel: int | object | None = _INVALID
    if isinstance(relationships, dict) and "channel" in relationships:
        data = _get(relationships, "channel", "data")
        channel = None if data is None else _channel_index(fake, _get(data, "id"))
        if data is not None and channel is None:
            return _v4_error(fake, 404, "30311", "Not found", "Channel cannot be found")
    if auto_delete is not None:
        request.is_auto_delete = auto_delete
    if channel is not _INVALID:
        request.channel = channel if isinstance(channel, int) else None
    return _no_content(fake)


async def delete_auto_request(fake: FakeAmino, call: Call) -> Response:
    """``DELETE .../user_profiles/{user_profile_id}/auto_recording_requests/{recording_request_id}``: the
    recordings it made stay."""
    owned = owned_profile(fake, call)
    if owned is None:
        return not_yours(fake)
    profile = owned[1].id
    request = _auto_request(fake, call, profile)
    if isinstance(request, Response):
        return request
    del fake.recordings.auto_requests[request.id]
    return _no_content(fake)


# --- v4: recording groups --------------------------------------------------------------------------


def _group_key(fake: FakeAmino, recording: FakeRecording, by: tuple[str, ...]) -> str | None:
    """The id of the group ``recording`` is in when grouping ``by``; None when it is in none (no series)."""
    slot = recording.slot
    parts = []
    if "series" in by:
        if slot.series is None:
            return None
        parts.append(_series_id(fake, slot.series) or "")
    if "channel" in by:
        parts.append(fake.channel_id(slot.channel))
    return ":".join(parts)


def _group_filter(params: Mapping[str, str]) -> Callable[[FakeRecording], bool] | str:
    flag = params.get("filter[is_favourite]")
    if flag is not None and flag not in _FLAGS:
        return f"Parameter 'filter[is_favourite]' must be one of true, false, 1, 0, got {flag[:20]!r}"
    times = _time_filter(params)
    if isinstance(times, str):
        return times

    def accepts(recording: FakeRecording) -> bool:
        return (flag is None or recording.is_favourite == _FLAGS[flag]) and times(recording)

    return accepts


async def index_recording_groups(fake: FakeAmino, call: Call) -> Response:
    """``GET .../user_profiles/{user_profile_id}/recordings/recording_groups`` (indexRecordingGroups)."""
    owned = owned_profile(fake, call)
    if owned is None:
        return not_yours(fake)
    profile = owned[1].id
    params = call.request.query_params
    paging = _paging(params, sized=False)
    accepts = _group_filter(params)
    group_by = params.get("group_by", "series_id")
    refusal = next((r for r in (paging, accepts, _language(params)) if isinstance(r, str)), None)
    if refusal is None and group_by not in _GROUPINGS:
        refusal = f"Parameter 'group_by' must be series_id, channel_id or both, got {group_by[:60]!r}"
    if refusal is not None or isinstance(paging, str) or isinstance(accepts, str):
        return _v4_bad(fake, refusal or "")
    by = _GROUPINGS[group_by]
    groups: dict[str, list[FakeRecording]] = {}
    for recording in fake.recordings.recordings_of_profile(profile):
        key = _group_key(fake, recording, by)
        if key is not None and accepts(recording):
            groups.setdefault(key, []).append(recording)
    data, included = [], {}
    for key, members in _page(list(groups.items()), *paging):
        data.append(_group_resource(fake, key, members, by))
        series = members[0].slot.series
        if "series" in by and series is not None:
            series_id = _series_id(fake, series) or ""
            included[series_id] = _series_resource(fake, series)
    return answer(fake, 200, dumps({"data": data, "included": list(included.values())}))


def _group_attributes(fake: FakeAmino, members: list[FakeRecording], name: str) -> dict[str, object]:
    return {
        "name": name,
        "approximate_number_of_recordings": len(members),
        "earliest_start_time": min(r.slot.start for r in members),
        "latest_start_time": max(r.slot.start for r in members),
    }


def _group_resource(fake: FakeAmino, key: str, members: list[FakeRecording], by: tuple[str, ...]) -> dict[str, Any]:
    slot = members[0].slot
    relationships: dict[str, object] = {}
    if "series" in by and slot.series is not None:
        relationships["series"] = {"type": "Series", "id": _series_id(fake, slot.series)}
        name = catalogue.series_title(fake.seed, slot.series)
    else:
        name = _channel_name(fake, slot.channel)
    if "channel" in by:
        relationships["channel"] = {"type": "Channel", "id": fake.channel_id(slot.channel)}
    attributes = _group_attributes(fake, members, name)
    return {"type": "RecordingGroup", "id": key, "attributes": attributes, "relationships": relationships}


def _channel_name(fake: FakeAmino, channel: int) -> str:
    name = catalogue.channel_resource(fake.seed, channel, "eng")["attributes"]
    return str(name["name"]) if isinstance(name, dict) else ""


def _series_resource(fake: FakeAmino, series: int) -> dict[str, object]:
    title = catalogue.series_title(fake.seed, series)
    attributes = {"title": title, "description": f"{title}: every episode."}
    return {"type": "Series", "id": _series_id(fake, series), "attributes": attributes}


def _group_members(fake: FakeAmino, group_id: str) -> Callable[[FakeRecording], bool] | None:
    """What a recording must be to be in group ``group_id`` (a series, a channel or ``series:channel``)."""
    series_part, _, channel_part = group_id.partition(":")
    series = _series_index(fake, series_part)
    channel = _channel_index(fake, channel_part if channel_part else series_part)
    if channel_part:
        if series is None or channel is None:
            return None
        return lambda r: r.slot.series == series and r.slot.channel == channel
    if series is not None:
        return lambda r: r.slot.series == series
    if channel is not None:
        return lambda r: r.slot.channel == channel
    return None


def _group_recordings_answer(
    fake: FakeAmino, call: Call, profile: str, members: Callable[[FakeRecording], bool]
) -> Response:
    params = call.request.query_params
    paging = _paging(params, sized=False)
    if isinstance(paging, str):
        return _v4_bad(fake, paging)
    accepts = _group_filter({k: v for k, v in params.items() if k == "filter[is_favourite]"})
    if isinstance(accepts, str):
        return _v4_bad(fake, accepts)
    found = [r for r in fake.recordings.recordings_of_profile(profile) if members(r) and accepts(r)]
    page = _page(found, *paging)
    data = [_recording_resource(fake, r, for_group=True) for r in page]
    slots = {r.slot.index: r.slot for r in page}
    included = [catalogue.epg_slot_resource(fake.seed, slot) for slot in slots.values()]
    return answer(fake, 200, dumps({"data": data, "included": included}))


async def group_recordings(fake: FakeAmino, call: Call) -> Response:
    """``GET .../recordings/recording_groups/{recording_group_id}/recordings`` (getRecordingsForGroup)."""
    owned = owned_profile(fake, call)
    if owned is None:
        return not_yours(fake)
    profile = owned[1].id
    group_id = call.params["recording_group_id"]
    members = _group_members(fake, group_id)
    if members is None:
        details = f'Recording group with id "{group_id[:100]}" cannot be found.'
        return _v4_error(fake, 404, "30313", "Not found", details)
    return _group_recordings_answer(fake, call, profile, members)


async def ungrouped_recordings(fake: FakeAmino, call: Call) -> Response:
    """``GET .../recordings/recording_groups/ungrouped/recordings``: the recordings of no series."""
    owned = owned_profile(fake, call)
    if owned is None:
        return not_yours(fake)
    profile = owned[1].id
    return _group_recordings_answer(fake, call, profile, lambda r: r.slot.series is None)


# --- v1: recording slots ---------------------------------------------------------------------------


def _slot_resource(fake: FakeAmino, recording: FakeRecording) -> dict[str, object]:
    attributes: dict[str, object] = {
        "channel_id": fake.channel_id(recording.slot.channel),
        "start_timestamp": recording.slot.start,
        "duration_seconds": recording.duration,
        "status": recording.status,
    }
    if recording.status_reason is not None:
        attributes["status_reason"] = recording.status_reason
    return {"type": "RecordingSlot", "id": recording.id, "attributes": attributes}


def _v1_not_found(fake: FakeAmino, what: str, ident: str) -> Response:
    details = f"{what} with id {ident[:100]!r} not found"
    return answer(fake, 404, entity_error("4NOTFND", "Not found", details))


def _own_recording(
    fake: FakeAmino, call: Call, recording_id: str, *, deleted: bool = False
) -> FakeRecording | Response:
    """The bearer user's recording ``recording_id`` (``deleted``: soft-deleted ones too), or the refusal."""
    recording = fake.recordings.all.get(recording_id)
    if recording is not None and recording.user_id != call.user.user_id:
        return not_yours(fake)
    if recording is None or (recording.deleted and not deleted):
        return _v1_not_found(fake, "Recording", recording_id)
    return recording


async def index_recording_slots(fake: FakeAmino, call: Call) -> Response:
    """``GET /api/recordings/v1/{device_id}/recording_slots``: the bearer's slots on that device (those to remove
    with ``filter[status]=DELETED``)."""
    params = call.request.query_params
    window = _int_param(params, "filter[window_seconds]", minimum=0)
    if isinstance(window, str):
        return bad_request(fake, window)
    status = params.get("filter[status]")
    if status is not None and status != "DELETED":
        return bad_request(fake, f"Only filter[status]=DELETED is supported, got {status[:40]!r}")
    device = call.params["device_id"]
    user_id = call.user.user_id
    found = [
        r
        for r in fake.recordings.all.values()
        if r.user_id == user_id and r.device == device and r.deleted == (status == "DELETED")
    ]
    return answer(fake, 200, dumps({"data": [_slot_resource(fake, r) for r in found]}))


async def update_recording_slot(fake: FakeAmino, call: Call) -> Response:
    """``PATCH /api/recordings/v1/recording_slots/{recording_slot_id}``: only the status (and its reason)."""
    recording = _own_recording(fake, call, call.params["recording_slot_id"], deleted=True)
    if isinstance(recording, Response):
        return recording
    body = await _body(call)
    status = _get(body, "status")
    reason = _get(body, "status_reason")
    if status not in SLOT_STATUSES:
        return bad_request(fake, f"status must be one of {sorted(SLOT_STATUSES)}")
    if reason is not None and not isinstance(reason, str):
        return bad_request(fake, "status_reason must be a string")
    recording.status, recording.status_reason = status, reason
    return _no_content(fake)


async def delete_recording_slot(fake: FakeAmino, call: Call) -> Response:
    """``DELETE /api/recordings/v1/recording_slots/{recording_slot_id}``: a device removed a deleted recording."""
    recording = _own_recording(fake, call, call.params["recording_slot_id"], deleted=True)
    if isinstance(recording, Response):
        return recording
    if not recording.deleted:
        return bad_request(fake, "The recording slot is not deleted: only a deleted one's row may be removed")
    fake.recordings.purge(recording)
    return _no_content(fake)


# --- v1: recording requests ------------------------------------------------------------------------


def _request_status(fake: FakeAmino, request: FakeUserRequest) -> str:
    live = [fake.recordings.get(i) for i in request.recording_ids]
    statuses = {r.status for r in live if r is not None}
    if not statuses:
        return "NEW"
    return "COMPLETE" if statuses == {"COMPLETE"} else "WAITING"


def _request_resource(fake: FakeAmino, request: FakeUserRequest) -> dict[str, object]:
    attributes: dict[str, object] = {
        "serial_recording": request.serial_recording,
        "requested_at_timestamp": request.requested_at,
        "relationships": request.relationships,
    }
    return {"type": "UserRecordingRequest", "id": request.id, "attributes": attributes}


async def index_user_recording_requests(fake: FakeAmino, call: Call) -> Response:
    """``GET /api/recordings/v1/user/{user_id}/user_recording_requests/``: oldest first, 100 a page."""
    owner = owned_user(fake, call)
    if owner is None:
        return not_yours(fake)
    params = call.request.query_params
    number = _int_param(params, "page_number", minimum=1)
    if isinstance(number, str):
        return bad_request(fake, number)
    status = params.get("filter[status]")
    if status is not None and status not in REQUEST_STATUSES:
        return bad_request(fake, f"filter[status] must be one of {sorted(REQUEST_STATUSES)}")
    mine = [
        r
        for r in fake.recordings.user_requests.values()
        if r.user_id == owner.user_id and (status is None or _request_status(fake, r) == status)
    ]
    data = [_request_resource(fake, r) for r in _page(mine, number or 1, PAGE_SIZE)]
    return answer(fake, 200, dumps({"data": data}))


def _serial_recording(value: Any, now: int) -> dict[str, int] | str:
    if value is None:
        value = {}
    if not isinstance(value, dict):
        return "serial_recording must be an object"
    serial = {"maximum_episodes_to_record": -1, "expire_timestamp": now + 2 * 365 * 86400}
    for name in ("maximum_episodes_to_record", "maximum_episodes_to_retain", "expire_timestamp"):
        item = value.get(name)
        if item is None:
            continue
        if not isinstance(item, int) or isinstance(item, bool):
            return f"serial_recording.{name} must be an integer"
        serial[name] = item
    return serial


async def create_user_recording_request(fake: FakeAmino, call: Call) -> Response:
    """``POST /api/recordings/v1/user/{user_id}/user_recording_requests/``.

    Its relationships name what to record: a ``BroadcastSlot`` is recorded for the bearer's profile (on the
    ``UserRecordingDevice`` named, else the cloud) and becomes a ``RecordingSlot`` of the request; a
    ``RecordingSlot`` (a recording of the user's) is linked; a ``ClassificationTag`` is kept as given.
    """
    owner = owned_user(fake, call)
    if owner is None:
        return not_yours(fake)
    body = await _body(call)
    if not isinstance(body, dict):
        return bad_request(fake, "The body must be a UserRecordingRequestEntity object")
    now = reported_now(fake)
    serial = _serial_recording(body.get("serial_recording"), now)
    if isinstance(serial, str):
        return bad_request(fake, serial)
    refs = body.get("relationships", [])
    if not isinstance(refs, list) or not all(
        isinstance(r, dict) and isinstance(r.get("type"), str) and isinstance(r.get("id"), str) for r in refs
    ):
        return bad_request(fake, "relationships must be an array of {id, type}")
    device = next((r["id"] for r in refs if r["type"] == "UserRecordingDevice"), CLOUD_DEVICE)
    state = fake.recordings
    to_record: list[SlotInfo] = []
    linked: list[FakeRecording] = []
    for ref in refs:
        if ref["type"] == "BroadcastSlot":
            slot = _slot(fake, ref["id"])
            if slot is None:
                return _v1_not_found(fake, "Broadcast slot", ref["id"])
            if not slot.recordable:
                details = f"Broadcast slot {ref['id']!r} is not recordable"
                return answer(fake, 403, entity_error("30302", "Forbidden", details))
            to_record.append(slot)
        elif ref["type"] == "RecordingSlot":
            recording = _own_recording(fake, call, ref["id"])
            if isinstance(recording, Response):
                return recording
            linked.append(recording)
    profile = call.profile.id
    existing = {r.slot.index: r for r in state.recordings_of_profile(profile)}
    made: list[FakeRecording] = []
    for slot in to_record:
        if slot.index in existing:
            linked.append(existing[slot.index])
        else:
            made.append(state.schedule(owner, profile, slot, now=now, device=device))
    kept = [{"type": r["type"], "id": r["id"]} for r in refs if r["type"] not in ("BroadcastSlot", "RecordingSlot")]
    recordings = list(dict.fromkeys([*made, *linked]))
    relationships = kept + [{"type": "RecordingSlot", "id": r.id} for r in recordings]
    request = FakeUserRequest(
        state.new_request_id(), owner.user_id, now, serial, relationships, [r.id for r in recordings]
    )
    for recording in made:
        recording.user_request_id = request.id
    state.user_requests[request.id] = request
    return answer(fake, 201, dumps({"data": [_request_resource(fake, request)]}), now=now)


def _own_request(fake: FakeAmino, call: Call) -> FakeUserRequest | Response:
    request_id = call.params["recording_request_id"]
    request = fake.recordings.user_requests.get(request_id)
    if request is not None and request.user_id != call.user.user_id:
        return not_yours(fake)
    if request is None:
        return _v1_not_found(fake, "Recording request", request_id)
    return request


async def get_user_recording_request(fake: FakeAmino, call: Call) -> Response:
    """``GET /api/recordings/v1/user_recording_requests/{recording_request_id}``, its recording slots included."""
    request = _own_request(fake, call)
    if isinstance(request, Response):
        return request
    live = [r for r in (fake.recordings.get(i) for i in request.recording_ids) if r is not None]
    document = {"data": _request_resource(fake, request), "included": [_slot_resource(fake, r) for r in live]}
    return answer(fake, 200, dumps(document))


async def delete_user_recording_request(fake: FakeAmino, call: Call) -> Response:
    """``DELETE /api/recordings/v1/user_recording_requests/{recording_request_id}``: its future recordings go;
    every slot of the catalogue's day has aired, so its recordings stay."""
    request = _own_request(fake, call)
    if isinstance(request, Response):
        return request
    del fake.recordings.user_requests[request.id]
    return _no_content(fake)


# --- v1: user recordings ---------------------------------------------------------------------------


def _user_recording_attributes(fake: FakeAmino, recording: FakeRecording, now: int) -> dict[str, object]:
    slot = recording.slot
    expires = recording.scheduled_at + RETENTION_SECONDS
    relationships: dict[str, object] = {
        "streams": {"links": {"watch": f"/api/v1/recordings/{recording.id}/relationships/streams"}},
        "program": {"data": {"type": "Program", "id": schedule_ids(fake.seed).program.make(slot.index)}},
    }
    if recording.user_request_id is not None:
        relationships["recording_request"] = {"data": {"type": "RecordingRequest", "id": recording.user_request_id}}
    return {
        "watched_time_seconds": recording.watched_time_seconds,
        "expires_at_timestamp": expires,
        "is_about_to_expire": expires - now < 3 * 86400,
        "content_flags": [],
        "favourite": recording.is_favourite,
        "has_been_recorded": recording.status == "COMPLETE",
        "original_broadcast_slot": {
            "channel_id": fake.channel_id(slot.channel),
            "time_start": slot.start,
            "title": slot.title,
        },
        "relationships": relationships,
    }


def _user_recording_resource(
    fake: FakeAmino, recording: FakeRecording, now: int, *, legacy_id: bool = False
) -> dict[str, object]:
    ident = recording.id
    if legacy_id:
        user: int | str = int(recording.user_id) if recording.user_id.isdigit() else recording.user_id
        continuous = 0 if recording.auto_request_id is None else 1
        ident = json.dumps(
            {"user_id": user, "epg_id": recording.slot.index, "continuous": continuous}, separators=(",", ":")
        )
    return {"type": "UserRecording", "id": ident, "attributes": _user_recording_attributes(fake, recording, now)}


_EXPIRING: Final = {"today": 0, "3": 3, "7": 7, "30": 30}


def _user_recordings_filter(params: Mapping[str, str], now: int) -> Callable[[FakeRecording], bool] | str:
    favourite = params.get("filter[favourite]")
    if favourite is not None and favourite not in _FLAGS:
        return f"filter[favourite] must be true or false, got {favourite[:20]!r}"
    expiring = params.get("filter[expiring]")
    if expiring is not None and expiring not in _EXPIRING:
        return f"filter[expiring] must be one of today, 3, 7, 30, got {expiring[:20]!r}"
    week = _int_param(params, "filter[week_of_timestamp]", minimum=0)
    if isinstance(week, str):
        return week
    if week is not None and (week % 86400 or (week // 86400 + 3) % 7):  # 1970-01-01 was a Thursday
        return "filter[week_of_timestamp] must be a Unix timestamp of a Monday 00:00:00 GMT"
    title_words = [w.lower() for w in params.get("search[title]", "").split(",") if w]
    description_words = [w.lower() for w in params.get("search[Program.description]", "").split(",") if w]
    horizon = (now // 86400 + 1 + _EXPIRING[expiring]) * 86400 if expiring is not None else None

    def accepts(recording: FakeRecording) -> bool:
        slot = recording.slot
        if favourite is not None and recording.is_favourite != _FLAGS[favourite]:
            return False
        if horizon is not None and not now <= recording.scheduled_at + RETENTION_SECONDS < horizon:
            return False
        if week is not None and not week <= slot.start < week + 7 * 86400:
            return False
        if any(word not in slot.title.lower() for word in title_words):
            return False
        description = f"{slot.title}, on channel {slot.channel + 1}.".lower()
        return all(word in description for word in description_words)

    return accepts


async def index_user_recordings(fake: FakeAmino, call: Call) -> Response:
    """``GET /api/recordings/v1/user/{user_id}/user_recordings/``: latest broadcast first, 100 a page."""
    owner = owned_user(fake, call)
    if owner is None:
        return not_yours(fake)
    params = call.request.query_params
    if not params.get("service"):
        return bad_request(fake, "Parameter 'service' is required")
    number = _int_param(params, "page_number", minimum=1)
    now = reported_now(fake)
    accepts = _user_recordings_filter(params, now)
    refusal = next((r for r in (number, accepts, _language(params)) if isinstance(r, str)), None)
    if refusal is not None or isinstance(number, str) or isinstance(accepts, str):
        return bad_request(fake, refusal or "")
    deleted = params.get("filter[deleted]")
    if deleted is not None and deleted not in _FLAGS:
        return bad_request(fake, f"filter[deleted] must be true or false, got {deleted[:20]!r}")
    if deleted is not None and _FLAGS[deleted]:
        pool = [r for r in fake.recordings.all.values() if r.user_id == owner.user_id and r.deleted]
    else:
        pool = fake.recordings.recordings_of_user(owner.user_id)
    found = sorted((r for r in pool if accepts(r)), key=lambda r: (r.slot.start, r.created), reverse=True)
    data = [_user_recording_resource(fake, r, now) for r in _page(found, number or 1, PAGE_SIZE)]
    return answer(fake, 200, dumps({"data": data}), now=now)


def _user_recording_changes(fake: FakeAmino, attributes: Any) -> dict[str, Any] | Response:
    if not isinstance(attributes, dict):
        return bad_request(fake, "The body must be a UserRecordingEntity object")
    changes: dict[str, Any] = {}
    watched = attributes.get("watched_time_seconds")
    if watched is not None:
        if not isinstance(watched, int) or isinstance(watched, bool) or watched < 0:
            return bad_request(fake, "watched_time_seconds must be a non-negative integer")
        changes["watched_time_seconds"] = watched
    favourite = attributes.get("favourite")
    if favourite is not None:
        if not isinstance(favourite, bool):
            return bad_request(fake, "favourite must be a boolean")
        changes["is_favourite"] = favourite
    if "expires_at_timestamp" in attributes:
        return bad_request(fake, "The time a recording expires cannot be changed")
    return changes


def _apply(fake: FakeAmino, recording: FakeRecording, changes: dict[str, Any]) -> None:
    if "watched_time_seconds" in changes:
        recording.watched = fake.recordings._next()
    for name, value in changes.items():
        setattr(recording, name, value)


async def update_user_recording(fake: FakeAmino, call: Call) -> Response:
    """``PATCH /api/recordings/v1/user_recordings/{user_recordings_id}``: watched time, favourite."""
    recording = _own_recording(fake, call, call.params["user_recordings_id"])
    if isinstance(recording, Response):
        return recording
    changes = _user_recording_changes(fake, await _body(call))
    if isinstance(changes, Response):
        return changes
    _apply(fake, recording, changes)
    return _no_content(fake)


async def delete_user_recording(fake: FakeAmino, call: Call) -> Response:
    """``DELETE /api/recordings/v1/user_recordings/{user_recordings_id}``."""
    recording = _own_recording(fake, call, call.params["user_recordings_id"])
    if isinstance(recording, Response):
        return recording
    fake.recordings.delete(recording)
    return _no_content(fake)


async def bulk_delete_user_recordings(fake: FakeAmino, call: Call) -> Response:
    """``POST /api/recordings/v1/user_recordings/bulk_delete_request``: the bearer's recordings, all or none."""
    body = await _body(call)
    entries = _get(body, "data", "attributes", "recordings_to_delete")
    if not isinstance(entries, list) or not entries or len(entries) > MAX_BATCH:
        return bad_request(fake, f"recordings_to_delete must list 1 to {MAX_BATCH} recordings")
    found: list[FakeRecording] = []
    for entry in entries:
        recording_id = _get(entry, "recording_id")
        if not isinstance(recording_id, str):
            return bad_request(fake, "Each of recordings_to_delete needs a recording_id")
        recording = _own_recording(fake, call, recording_id)
        if isinstance(recording, Response):
            return recording
        found.append(recording)
    for recording in found:
        fake.recordings.delete(recording)
    attributes = {"recordings_to_delete": [{"recording_id": r.id} for r in found]}
    data = {"type": "UserRecordingRequest", "id": fake.recordings.new_deletion_id(), "attributes": attributes}
    return answer(fake, 201, dumps({"data": [data]}))


async def user_recording_groups(fake: FakeAmino, call: Call) -> Response:
    """``GET /api/recordings/v1/users/{user_id}/user_recordings/recording_groups``: a group per series."""
    owner = owned_user(fake, call)
    if owner is None:
        return not_yours(fake)
    params = call.request.query_params
    number = _int_param(params, "page_number", minimum=1)
    refusal = number if isinstance(number, str) else _language(params)
    if refusal is not None:
        return bad_request(fake, refusal)
    groups: dict[int, list[FakeRecording]] = {}
    for recording in fake.recordings.recordings_of_user(owner.user_id):
        if recording.slot.series is not None:
            groups.setdefault(recording.slot.series, []).append(recording)
    data = [
        {
            "type": "RecordingGroup",
            "id": _series_id(fake, series),
            "attributes": _group_attributes(fake, members, catalogue.series_title(fake.seed, series)),
        }
        for series, members in _page(list(groups.items()), number if isinstance(number, int) else 1, PAGE_SIZE)
    ]
    return answer(fake, 200, dumps({"data": data}))


async def user_group_recordings(fake: FakeAmino, call: Call) -> Response:
    """``GET /api/recordings/v1/recording_groups/{recording_group_id}/recordings``: 500 a page."""
    group_id = call.params["recording_group_id"]
    series = _series_index(fake, group_id)
    if series is None:
        return _v1_not_found(fake, "Recording group", group_id)
    number = _int_param(call.request.query_params, "page_number", minimum=1)
    if isinstance(number, str):
        return bad_request(fake, number)
    now = reported_now(fake)
    found = [r for r in fake.recordings.recordings_of_user(call.user.user_id) if r.slot.series == series]
    data = [_user_recording_resource(fake, r, now) for r in _page(found, number or 1, V1_GROUP_PAGE_SIZE)]
    return answer(fake, 200, dumps({"data": data}), now=now)


async def modify_legacy_recording(fake: FakeAmino, call: Call) -> Response:
    """``PATCH /api/recordings/v1/user_recordings/{epg_id}/{continuous}``: the bearer's recording of slot ``epg_id``
    (its index), ``continuous`` 1 for one an auto-recording request made, 0 otherwise."""
    epg_text, continuous_text = call.params["epg_id"], call.params["continuous"]
    if not epg_text.isdigit() or continuous_text not in ("0", "1"):
        return bad_request(fake, "epg_id must be a non-negative integer and continuous 0 or 1")
    epg_id, continuous = int(epg_text), continuous_text == "1"
    match = next(
        (
            r
            for r in fake.recordings.recordings_of_user(call.user.user_id)
            if r.slot.index == epg_id and (r.auto_request_id is not None) == continuous
        ),
        None,
    )
    if match is None:
        return _v1_not_found(fake, "Recording", f"{epg_text}/{continuous_text}")
    body = await _body(call)
    changes = _user_recording_changes(fake, _get(body, "data", "attributes"))
    if isinstance(changes, Response):
        return changes
    _apply(fake, match, changes)
    now = reported_now(fake)
    return answer(fake, 200, dumps({"data": _user_recording_resource(fake, match, now, legacy_id=True)}), now=now)


async def previously_started_recordings(fake: FakeAmino, call: Call) -> Response:
    """``GET /api/recordings/v1/user/{user_id}/previously_started_user_recordings``: watched ones, latest first."""
    owner = owned_user(fake, call)
    if owner is None:
        return not_yours(fake)
    text = call.request.query_params.get("maxItems")
    if text not in ("20", "50", "100"):
        return bad_request(fake, "Parameter 'maxItems' is required, one of 20, 50, 100")
    started = [r for r in fake.recordings.recordings_of_user(owner.user_id) if r.watched_time_seconds > 0]
    started.sort(key=lambda r: r.watched, reverse=True)
    now = reported_now(fake)
    data = [_user_recording_resource(fake, r, now, legacy_id=True) for r in started[: int(text)]]
    self_link = f"{call.origin}{V1}/user/{owner.user_id}/previously_started_user_recordings?maxItems={text}"
    return answer(fake, 200, dumps({"links": {"self": self_link}, "data": data}), now=now)


def _routes(prefix: str, table: Iterable[tuple[str, str, str, Any]]) -> tuple[FakeRoute, ...]:
    return tuple(FakeRoute(name, method, prefix + path, handler, data=True) for name, method, path, handler in table)


_PROFILE = "/user_profiles/{user_profile_id}"

ROUTES: tuple[FakeRoute, ...] = _routes(
    V4,
    (
        ("search_recordings", "GET", f"{_PROFILE}/recordings", search_recordings),
        ("create_recording", "POST", f"{_PROFILE}/recordings", create_recording),
        ("update_recording", "PATCH", f"{_PROFILE}/recordings/{{recording_id}}", update_recording),
        ("delete_recording", "DELETE", f"{_PROFILE}/recordings/{{recording_id}}", delete_recording),
        ("batch_delete_recordings", "POST", f"{_PROFILE}/recordings/batch_delete_recordings", batch_delete_recordings),
        ("recorded_broadcast_slots", "GET", f"{_PROFILE}/recorded_broadcast_slots", recorded_broadcast_slots),
        (
            "recording_by_broadcast_slot",
            "GET",
            f"{_PROFILE}/recorded_broadcast_slots/{{broadcast_slot_id}}",
            recording_by_broadcast_slot,
        ),
        ("storage_quota", "GET", "/user/{user_id}/storage_quota", storage_quota),
        ("most_popular", "GET", "/most_popular/{period}", most_popular),
        ("index_auto_requests", "GET", f"{_PROFILE}/auto_recording_requests", index_auto_requests),
        ("create_auto_request", "POST", f"{_PROFILE}/auto_recording_requests", create_auto_request),
        (
            "update_auto_request",
            "PATCH",
            f"{_PROFILE}/auto_recording_requests/{{recording_request_id}}",
            update_auto_request,
        ),
        (
            "delete_auto_request",
            "DELETE",
            f"{_PROFILE}/auto_recording_requests/{{recording_request_id}}",
            delete_auto_request,
        ),
        ("index_recording_groups", "GET", f"{_PROFILE}/recordings/recording_groups", index_recording_groups),
        (
            "group_recordings",
            "GET",
            f"{_PROFILE}/recordings/recording_groups/{{recording_group_id}}/recordings",
            group_recordings,
        ),
        (
            "ungrouped_recordings",
            "GET",
            f"{_PROFILE}/recordings/recording_groups/ungrouped/recordings",
            ungrouped_recordings,
        ),
    ),
) + _routes(
    V1,
    (
        ("update_recording_slot", "PATCH", "/recording_slots/{recording_slot_id}", update_recording_slot),
        ("delete_recording_slot", "DELETE", "/recording_slots/{recording_slot_id}", delete_recording_slot),
        ("index_recording_slots", "GET", "/{device_id}/recording_slots", index_recording_slots),
        (
            "index_user_recording_requests",
            "GET",
            "/user/{user_id}/user_recording_requests/",
            index_user_recording_requests,
        ),
        (
            "create_user_recording_request",
            "POST",
            "/user/{user_id}/user_recording_requests/",
            create_user_recording_request,
        ),
        (
            "get_user_recording_request",
            "GET",
            "/user_recording_requests/{recording_request_id}",
            get_user_recording_request,
        ),
        (
            "delete_user_recording_request",
            "DELETE",
            "/user_recording_requests/{recording_request_id}",
            delete_user_recording_request,
        ),
        ("index_user_recordings", "GET", "/user/{user_id}/user_recordings/", index_user_recordings),
        ("update_user_recording", "PATCH", "/user_recordings/{user_recordings_id}", update_user_recording),
        ("delete_user_recording", "DELETE", "/user_recordings/{user_recordings_id}", delete_user_recording),
        ("bulk_delete_user_recordings", "POST", "/user_recordings/bulk_delete_request", bulk_delete_user_recordings),
        (
            "user_recording_groups",
            "GET",
            "/users/{user_id}/user_recordings/recording_groups",
            user_recording_groups,
        ),
        (
            "user_group_recordings",
            "GET",
            "/recording_groups/{recording_group_id}/recordings",
            user_group_recordings,
        ),
        ("modify_legacy_recording", "PATCH", "/user_recordings/{epg_id}/{continuous}", modify_legacy_recording),
        (
            "previously_started_recordings",
            "GET",
            "/user/{user_id}/previously_started_user_recordings",
            previously_started_recordings,
        ),
    ),
)
