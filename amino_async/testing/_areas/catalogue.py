"""The catalogue area (metadata family): the channel list.

The catalogue is a pure function of ``fake.seed`` and ``fake.channel_count`` (``_catalogue``), so this
area keeps no state of its own.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from starlette.responses import Response

from .._catalogue import parse_channel_query, render_channel_page
from .._responses import answer, bad_request
from .._routing import Call, FakeRoute

if TYPE_CHECKING:
    from .._app import FakeAmino

_CHANNELS_CACHE = {"cache-control": "public, max-age=900"}


async def channels(fake: FakeAmino, call: Call) -> Response:
    """``GET /api/metadata/v1/channels``: one page of 100 channels, with their products and genres."""
    query = parse_channel_query(call.request.scope["query_string"])
    if isinstance(query, str):
        return bad_request(fake, query)
    body = render_channel_page(fake.seed, fake.channel_count, query, call.origin, fake.send_next_links)
    return answer(fake, 200, body, _CHANNELS_CACHE)


ROUTES: tuple[FakeRoute, ...] = (
    FakeRoute("channels", "GET", "/api/metadata/v1/channels", channels, data=True, malformed={"data": "channels"}),
)
