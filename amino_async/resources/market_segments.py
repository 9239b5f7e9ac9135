"""``client.market_segments``: the market segments the user belongs to."""

from __future__ import annotations

from typing import Final

from .._resource import APIResource, uses
from .._urls import Route
from ..models import MarketSegment

__all__ = ["MarketSegments"]

LIST: Final = Route("GET", "users", "/users/{user_id}/relationships/market_segments")


class MarketSegments(APIResource):
    """The user's market segments (``/api/users/v1/users/{user_id}/relationships/market_segments``).

    Operators set them (the user management API); a user reads them.
    """

    __slots__ = ()

    @uses(LIST)
    async def list(self, *, user_id: str | None = None) -> list[MarketSegment]:
        """The market segments of ``user_id``, by default the logged-in user's
        (``GET /users/{user_id}/relationships/market_segments``)."""
        user = await self._user_id(user_id)
        return await self._api.call(LIST, {"user_id": user}, answer=list[MarketSegment])
