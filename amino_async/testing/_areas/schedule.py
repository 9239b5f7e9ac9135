"""The schedule area (metadata family): the EPG (broadcast slots of a channel by day) and the catch-up items.

Both are rendered from the deterministic catalogue around ``fake.epg_today``; the area keeps no state.
The catch-up items are the slots whose streams the media area serves
(``GET /api/v1/catchup/{broadcast_slot_id}/relationships/streams``): an item's id is its slot's.
"""

from __future__ import annotations

import datetime
import functools
from typing import TYPE_CHECKING

from starlette.responses import Response

from .. import _catalogue as cat
from .._responses import answer, bad_request, dumps, jsonapi_error
from .._routing import Call, FakeRoute
from .catalogue import Refused, filters_of, language_of, query_params, refusing

if TYPE_CHECKING:
    from .._app import FakeAmino

_EPG_CACHE = {"cache-control": "public, max-age=300"}


def _broadcast_slots(fake: FakeAmino, call: Call) -> Response:
    """``GET /api/metadata/v1/broadcast_slots/{channel_id}/{yyyy-mm-dd}``: a day from 04:00 to 04:00."""
    language = language_of(query_params(call))
    text = call.params["yyyy-mm-dd"]
    try:
        date = datetime.date.fromisoformat(text) if len(text) == 10 else None
    except ValueError:
        date = None
    if date is None:
        return bad_request(fake, f"The date must be YYYY-MM-DD, got {text[:20]!r}")
    channel_id = call.params["channel_id"]
    channel = fake.catalogue_ids.channel.parse(channel_id)
    if channel is None or channel >= fake.channel_count:
        body = jsonapi_error(404, "30301", "Not found", f'Channel with ID "{channel_id[:100]}" not found')
        return answer(fake, 404, body)
    body = cat.render_epg_day(fake.seed, fake.channel_count, fake.epg_today, channel, date, language)
    return answer(fake, 200, body, _EPG_CACHE)


def _catchup(fake: FakeAmino, call: Call) -> Response:
    """``GET /api/metadata/v1/catchup``: the catch-up items of the channels the ``channel.id`` filter names."""
    params = query_params(call)
    language = language_of(params)
    chosen = filters_of(params, ("channel.id", "series.id", "program.title"))
    if "channel.id" not in chosen:
        raise Refused("Parameter 'filter' must include channel.id (\"*\" for every channel)")
    body = _render_catchup(
        fake.seed,
        fake.channel_count,
        fake.epg_today,
        tuple(chosen["channel.id"]),
        tuple(chosen.get("series.id", ())),
        tuple(chosen.get("program.title", ())),
        language,
    )
    return answer(fake, 200, body)


@functools.lru_cache(maxsize=64)
def _render_catchup(
    seed: int,
    channels: int,
    today: datetime.date,
    channel_ids: tuple[str, ...],
    series_ids: tuple[str, ...],
    titles: tuple[str, ...],
    language: str,
) -> bytes:
    ids, metadata = cat.catalogue_ids(seed), cat.metadata_ids(seed)
    if "*" in channel_ids:
        chosen: list[int] = list(range(channels))
    else:
        parsed = (ids.channel.parse(channel_id) for channel_id in channel_ids)
        chosen = sorted({c for c in parsed if c is not None and c < channels})
    series = {metadata.series.parse(series_id) for series_id in series_ids}
    wanted = {title.lower() for title in titles}
    data = []
    for channel in chosen:
        for day in cat.CATCHUP_DAYS:
            for place in range(cat.SLOTS_PER_DAY):
                position = cat.SlotPosition(channel, day, place)
                traits = cat.program_traits(seed, cat.slot_program(position))
                if series_ids and traits.series not in series:
                    continue
                if wanted and not any(title in traits.title.lower() for title in wanted):
                    continue
                data.append(cat.catchup_resource(seed, channels, today, position, language))
    return dumps({"data": data})


ROUTES: tuple[FakeRoute, ...] = (
    FakeRoute(
        "broadcast_slots",
        "GET",
        "/api/metadata/v1/broadcast_slots/{channel_id}/{yyyy-mm-dd}",
        refusing(_broadcast_slots),
        data=True,
        malformed={"data": [{"type": "BroadcastSlot", "id": "0", "attributes": {"start_time_unix": None}}]},
    ),
    FakeRoute(
        "catchup_items",
        "GET",
        "/api/metadata/v1/catchup",
        refusing(_catchup),
        data=True,
        malformed={"data": [{"type": "CatchupItem", "id": "0", "attributes": {"available_until_timestamp": "soon"}}]},
    ),
)
