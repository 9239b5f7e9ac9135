"""The media area: the playable streams of a channel, a catch-up broadcast slot and a recording.

Streams are rendered from the deterministic catalogue (``_catalogue``); this area keeps no state.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from starlette.responses import Response

from .._catalogue import IdScheme, StreamKind, StreamQuery, next_streamable, parse_stream_query, render_streams
from .._responses import answer, bad_request, not_found_error, not_yours
from .._routing import Call, FakeRoute

if TYPE_CHECKING:
    from .._app import FakeAmino

# The collection each kind's streams live under, for the autoplay link to the next one.
_COLLECTIONS: dict[StreamKind, str] = {"channel": "channels", "catchup": "catchup", "recording": "recordings"}


async def channel_streams(fake: FakeAmino, call: Call) -> Response:
    """``GET /api/v1/channels/{channel_id}/relationships/streams``."""
    return _streams(fake, call, "channel", call.params["channel_id"], fake.catalogue_ids.channel, fake.channel_count)


async def catchup_streams(fake: FakeAmino, call: Call) -> Response:
    """``GET /api/v1/catchup/{broadcast_slot_id}/relationships/streams``."""
    slot_id, ids = call.params["broadcast_slot_id"], fake.catalogue_ids.broadcast_slot
    return _streams(fake, call, "catchup", slot_id, ids, fake.broadcast_slot_count)


async def recording_streams(fake: FakeAmino, call: Call) -> Response:
    """``GET /api/v1/recordings/{recording_id}/relationships/streams``."""
    recording_id, ids = call.params["recording_id"], fake.catalogue_ids.recording
    scheduled = fake.recordings.get(recording_id)
    if scheduled is not None:
        # Scheduled through the recordings API: playable by its user only, until deleted (then a 404, below).
        if scheduled.user_id != call.user.user_id:
            return not_yours(fake)
        index = ids.parse(recording_id)
        return _streams(fake, call, "recording", recording_id, ids, 0 if index is None else index + 1)
    return _streams(fake, call, "recording", recording_id, ids, fake.recording_count)


def _streams(fake: FakeAmino, call: Call, kind: StreamKind, resource_id: str, ids: IdScheme, count: int) -> Response:
    """The streams of the ``kind`` resource ``resource_id``, one of ``count`` with ids of ``ids``."""
    query = parse_stream_query(kind, call.request.scope["query_string"])
    if isinstance(query, str):
        return bad_request(fake, query)
    index = ids.parse(resource_id)
    exists = index is not None and index < count
    if not exists and kind == "recording":
        return answer(fake, 404, not_found_error(f'Recording with ID "{resource_id[:100]}" not found'))
    if index is None or not exists or not query.supported:
        return _no_streams(fake, query, kind, resource_id)
    next_url = None
    following = next_streamable(kind, index, count) if query.autoplay else None
    if following is not None:
        path = f"/api/v1/{_COLLECTIONS[kind]}/{ids.make(following)}/relationships/streams"
        next_url = f"{call.origin}{path}?autoplay=catchup"
    return answer(fake, 200, render_streams(fake.seed, kind, resource_id, query, next_url))


def _no_streams(fake: FakeAmino, query: StreamQuery, kind: str, resource_id: str) -> Response:
    details = (
        f"Streams for requested format: {query.stream_type} for streamable ({kind})"
        f" with ID {resource_id[:100]} not found"
    )
    return answer(fake, 404, not_found_error(details))


# Valid JSON of the wrong shape: a stream whose bitrate is not a number.
_BAD_STREAM = {
    "data": [
        {
            "type": "PlayableStream",
            "id": '{"stream_url":"https://live.example.net/malformed"}',
            # The URL, which a client cannot do without, as an object: a descriptive attribute of the wrong type
            # (the bitrate) is read as its default, so only a field like this one fails the whole answer.
            "attributes": {"stream_url": {"href": "https://live.example.net/malformed"}, "bitrate": "fast"},
        }
    ]
}

ROUTES: tuple[FakeRoute, ...] = (
    FakeRoute(
        "channel_streams",
        "GET",
        "/api/v1/channels/{channel_id}/relationships/streams",
        channel_streams,
        data=True,
        malformed=_BAD_STREAM,
    ),
    FakeRoute(
        "catchup_streams",
        "GET",
        "/api/v1/catchup/{broadcast_slot_id}/relationships/streams",
        catchup_streams,
        data=True,
        malformed=_BAD_STREAM,
    ),
    FakeRoute(
        "recording_streams",
        "GET",
        "/api/v1/recordings/{recording_id}/relationships/streams",
        recording_streams,
        data=True,
        malformed=_BAD_STREAM,
    ),
)
