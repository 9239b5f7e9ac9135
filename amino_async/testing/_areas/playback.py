"""The playback area: media play sessions (``/api/v1/media``, per user) and playback info
(``/api/playback_info/v1``, per profile).

Both write, so the area keeps state in :class:`PlaybackState` (``fake.playback``): sessions by user id,
playback info by profile id, so that one user's or profile's calls never see another's.
"""

from __future__ import annotations

import json
import uuid
from collections import defaultdict
from typing import TYPE_CHECKING, Any

import attrs
from starlette.responses import Response

from .._responses import answer, dumps, entity_error, jsonapi_error, not_yours, reported_now
from .._routing import Call, FakeRoute
from .users import owned_profile, owned_user

if TYPE_CHECKING:
    from .._app import FakeAmino

SERVICES = frozenset({"live", "npvr", "catchup", "startover", "vod"})
ASSET_TYPES = frozenset({"recording", "catchup", "vod"})
#: How far (seconds) a PATCH's ``last_updated_timestamp`` may be from the server's clock.
PATCH_TOLERANCE = 5
_SESSION_FIELDS: dict[str, type | tuple[type, ...]] = {
    "stream_type": str,
    "service": str,
    "ip4_address": (str, type(None)),
    "device_type": str,
    "device_identifier": str,
    "play_started_timestamp": int,
    "last_updated_timestamp": int,
}


@attrs.define
class PlaybackRecord:
    """A profile's playback info of one asset."""

    playback_position: int
    group_id: str | None
    last_watched_at: int


class PlaybackState:
    """What the playback area stores: each user's media play sessions and each profile's playback info.

    Attributes:
        max_sessions: the concurrent sessions a user may have; one more is refused (403).
        sessions: ``{user_id: {session_id: attributes}}``.
        info: ``{profile_id: {(asset_type, asset_id): PlaybackRecord}}``.
    """

    def __init__(self) -> None:
        self.max_sessions = 3
        self.sessions: defaultdict[str, dict[str, dict[str, Any]]] = defaultdict(dict)
        self.info: defaultdict[str, dict[tuple[str, str], PlaybackRecord]] = defaultdict(dict)

    def reset(self) -> None:
        """Forget every session and playback info (``max_sessions`` back to 3)."""
        self.__init__()  # type: ignore[misc]


# --- media play sessions ---------------------------------------------------------------------------


def _too_many(fake: FakeAmino) -> Response:
    details = (
        "You have tried to open a new playback session but you are already at the maximum allowable limit. "
        "You need to stop playing content on another device in order to watch on this one."
    )
    return answer(fake, 403, entity_error("df1e80a", "Too many sessions", details))


def _session_not_found(fake: FakeAmino, user_id: str, session_id: str) -> Response:
    details = f'Session for user "{user_id}" and ID "{session_id[:100]}" not found'
    return answer(fake, 404, entity_error("30100", "Not Found", details))


def _bad_body(fake: FakeAmino, details: str) -> Response:
    return answer(fake, 400, entity_error("4INVBDY", "Bad Request", details))


async def _json_object(call: Call) -> dict[str, Any] | None:
    try:
        body = json.loads(await call.request.body())
    except ValueError:
        return None
    return body if isinstance(body, dict) else None


def _session_attributes(body: dict[str, Any] | None) -> dict[str, Any] | str:
    """The session attributes of a POST or PUT body, or why it is refused."""
    if body is None:
        return "The body must be a JSON object of MediaPlaySession attributes"
    if not isinstance(body.get("stream_type"), str):
        return "stream_type is required and must be a string"
    for name, value in body.items():
        kind = _SESSION_FIELDS.get(name)
        if kind is None:
            return f"Unknown attribute {name[:40]!r}"
        if isinstance(value, bool) or not isinstance(value, kind):
            return f"Attribute {name!r} has the wrong type"
    if "service" in body and body["service"] not in SERVICES:
        return f"service must be one of {sorted(SERVICES)}"
    return dict(body)


def _session_resource(session_id: str, attributes: dict[str, Any]) -> dict[str, object]:
    return {"type": "MediaPlaySession", "id": session_id, "attributes": attributes}


async def _sessions(fake: FakeAmino, call: Call) -> Response:
    """``GET /api/v1/media/users/{user_id}/media_play_sessions``."""
    owner = owned_user(fake, call)
    if owner is None:
        return not_yours(fake)
    sessions = fake.playback.sessions[owner.user_id]
    return answer(fake, 200, dumps({"data": [_session_resource(i, a) for i, a in sessions.items()]}))


async def _create_session(fake: FakeAmino, call: Call) -> Response:
    """``POST /api/v1/media/users/{user_id}/media_play_sessions``: 201, or 403 past ``max_sessions``."""
    owner = owned_user(fake, call)
    if owner is None:
        return not_yours(fake)
    attributes = _session_attributes(await _json_object(call))
    if isinstance(attributes, str):
        return _bad_body(fake, attributes)
    sessions = fake.playback.sessions[owner.user_id]
    if len(sessions) >= fake.playback.max_sessions:
        return _too_many(fake)
    now = reported_now(fake)
    attributes.setdefault("ip4_address", call.request.client.host if call.request.client else None)
    attributes.setdefault("play_started_timestamp", now)
    attributes.setdefault("last_updated_timestamp", now)
    session_id = str(uuid.uuid4())
    sessions[session_id] = attributes
    location = f"{call.origin}/api/v1/media/users/{owner.user_id}/media_play_sessions/{session_id}"
    body = dumps({"data": _session_resource(session_id, attributes)})
    return answer(fake, 201, body, {"location": location}, now=now)


async def _put_session(fake: FakeAmino, call: Call) -> Response:
    """``PUT .../media_play_sessions/{media_play_session_id}``: create or replace, 201 without a body; 409 for a
    change of device type, 403 for a new one past ``max_sessions``."""
    owner = owned_user(fake, call)
    if owner is None:
        return not_yours(fake)
    attributes = _session_attributes(await _json_object(call))
    if isinstance(attributes, str):
        return _bad_body(fake, attributes)
    sessions = fake.playback.sessions[owner.user_id]
    session_id = call.params["media_play_session_id"]
    existing = sessions.get(session_id)
    if existing is None and len(sessions) >= fake.playback.max_sessions:
        return _too_many(fake)
    if existing is not None and existing.get("device_type") != attributes.get(
        "device_type", existing.get("device_type")
    ):
        details = (
            "You are trying to update session with a different device type than what was used to create the "
            "original. Device type cannot be updated. Please contact the support desk for assistance."
        )
        return answer(fake, 409, entity_error("6b10ac9", "Conflicting session", details))
    now = reported_now(fake)
    attributes.setdefault("play_started_timestamp", existing["play_started_timestamp"] if existing else now)
    attributes.setdefault("last_updated_timestamp", now)
    sessions[session_id] = attributes
    return answer(fake, 201, b"", media_type=None)


async def _patch_session(fake: FakeAmino, call: Call) -> Response:
    """``PATCH .../media_play_sessions/{media_play_session_id}``: only ``last_updated_timestamp``, within
    ``PATCH_TOLERANCE`` seconds of the fake's clock; 204."""
    owner = owned_user(fake, call)
    if owner is None:
        return not_yours(fake)
    session_id = call.params["media_play_session_id"]
    session = fake.playback.sessions[owner.user_id].get(session_id)
    if session is None:
        return _session_not_found(fake, owner.user_id, session_id)
    body = await _json_object(call)
    stamp = None if body is None else body.get("last_updated_timestamp")
    if body is None or set(body) != {"last_updated_timestamp"} or isinstance(stamp, bool) or not isinstance(stamp, int):
        return _bad_body(fake, "Only last_updated_timestamp (an integer) may be patched")
    if abs(stamp - reported_now(fake)) > PATCH_TOLERANCE:
        return _bad_body(fake, "last_updated_timestamp is too far from the server's time")
    session["last_updated_timestamp"] = stamp
    return answer(fake, 204, b"", media_type=None)


async def _delete_session(fake: FakeAmino, call: Call) -> Response:
    """``DELETE .../media_play_sessions/{media_play_session_id}``: 204, or 404 for a session not open."""
    owner = owned_user(fake, call)
    if owner is None:
        return not_yours(fake)
    session_id = call.params["media_play_session_id"]
    if fake.playback.sessions[owner.user_id].pop(session_id, None) is None:
        return _session_not_found(fake, owner.user_id, session_id)
    return answer(fake, 204, b"", media_type=None)


# --- playback info ---------------------------------------------------------------------------------


def _forbidden(fake: FakeAmino, call: Call) -> Response:
    detail = f'Authenticated user with Profile ID "{call.profile.id}" not authorized to perform action'
    return answer(fake, 403, jsonapi_error(403, "51", "Forbidden", detail))


def _bad_info(fake: FakeAmino, detail: str) -> Response:
    return answer(fake, 400, jsonapi_error(400, "10100", "Bad Request", detail))


def _info_resource(profile_id: str, asset_type: str, asset_id: str, record: PlaybackRecord) -> dict[str, object]:
    attributes = {
        "asset_type": asset_type,
        "asset_id": asset_id,
        "group_id": record.group_id,
        "playback_position": record.playback_position,
        "last_watched_at": record.last_watched_at,
    }
    return {"type": "PlaybackInfo", "id": f"{profile_id}.{asset_type}.{asset_id}", "attributes": attributes}


def _asset_refusal(fake: FakeAmino, call: Call) -> Response | None:
    if owned_profile(fake, call) is None:
        return _forbidden(fake, call)
    if call.params["asset_type"] not in ASSET_TYPES:
        return _bad_info(fake, f"asset_type must be one of {sorted(ASSET_TYPES)}")
    return None


async def _put_info(fake: FakeAmino, call: Call) -> Response:
    """``PUT /api/playback_info/v1/user_profiles/{user_profile_id}/assets/{asset_type}/{asset_id}``: 204."""
    refusal = _asset_refusal(fake, call)
    if refusal is not None:
        return refusal
    body = await _json_object(call)
    data = body.get("data") if body is not None else None
    if not isinstance(data, dict):
        return _bad_info(fake, '- Must have keys { "data" }')
    attributes = data.get("attributes")
    if data.get("type") != "PlaybackInfo" or not isinstance(attributes, dict):
        return _bad_info(fake, '- data must have type "PlaybackInfo" and attributes')
    position, group_id = attributes.get("playback_position"), attributes.get("group_id")
    if isinstance(position, bool) or not isinstance(position, int) or position < 0:
        return _bad_info(fake, "- playback_position must be a non-negative integer")
    if group_id is not None and not isinstance(group_id, str):
        return _bad_info(fake, "- group_id must be a string")
    record = PlaybackRecord(position, group_id, reported_now(fake))
    fake.playback.info[call.params["user_profile_id"]][call.params["asset_type"], call.params["asset_id"]] = record
    return answer(fake, 204, b"", media_type=None)


async def _get_info(fake: FakeAmino, call: Call) -> Response:
    """``GET .../assets/{asset_type}/{asset_id}``: the playback info, or 404."""
    refusal = _asset_refusal(fake, call)
    if refusal is not None:
        return refusal
    profile_id, asset_type, asset_id = (call.params[k] for k in ("user_profile_id", "asset_type", "asset_id"))
    record = fake.playback.info[profile_id].get((asset_type, asset_id))
    if record is None:
        detail = (
            f'Playback info for user profile "{profile_id}", type "{asset_type}" and ID "{asset_id[:100]}" '
            "was not found"
        )
        return answer(fake, 404, jsonapi_error(404, "30401", "Playback info not found", detail))
    return answer(fake, 200, dumps({"data": _info_resource(profile_id, asset_type, asset_id, record)}))


async def _info_index(fake: FakeAmino, call: Call) -> Response:
    """``GET .../assets/{asset_type}``: every playback info of the type, or of the group ``filter=group_id:X``."""
    refusal = _asset_refusal(fake, call)
    if refusal is not None:
        return refusal
    group = None
    text = call.request.query_params.get("filter")
    if text is not None:
        field, sep, group = text.partition(":")
        if field != "group_id" or not sep:
            return _bad_info(fake, "filter must be group_id:<id>")
    profile_id, asset_type = call.params["user_profile_id"], call.params["asset_type"]
    records = sorted(fake.playback.info[profile_id].items(), key=lambda item: -item[1].last_watched_at)
    data = [
        _info_resource(profile_id, kind, asset_id, record)
        for (kind, asset_id), record in records
        if kind == asset_type and (group is None or record.group_id == group)
    ]
    return answer(fake, 200, dumps({"data": data}))


_SESSIONS = "/api/v1/media/users/{user_id}/media_play_sessions"
_SESSION = _SESSIONS + "/{media_play_session_id}"
_ASSETS = "/api/playback_info/v1/user_profiles/{user_profile_id}/assets/{asset_type}"

ROUTES: tuple[FakeRoute, ...] = (
    FakeRoute("media_play_sessions", "GET", _SESSIONS, _sessions, data=True),
    FakeRoute("create_media_play_session", "POST", _SESSIONS, _create_session, data=True),
    FakeRoute("put_media_play_session", "PUT", _SESSION, _put_session, data=True),
    FakeRoute("patch_media_play_session", "PATCH", _SESSION, _patch_session, data=True),
    FakeRoute("delete_media_play_session", "DELETE", _SESSION, _delete_session, data=True),
    FakeRoute("put_playback_info", "PUT", _ASSETS + "/{asset_id}", _put_info, data=True),
    FakeRoute(
        "playback_info",
        "GET",
        _ASSETS + "/{asset_id}",
        _get_info,
        data=True,
        malformed={"data": {"type": "PlaybackInfo", "id": "x", "attributes": {"playback_position": "middle"}}},
    ),
    FakeRoute("playback_info_index", "GET", _ASSETS, _info_index, data=True),
)
