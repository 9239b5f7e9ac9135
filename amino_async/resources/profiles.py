"""``client.profiles``: the profiles of the user's account."""

from __future__ import annotations

from typing import Final

from .._resource import APIResource, uses
from .._urls import Route
from ..models import UserProfile

__all__ = ["Profiles"]

LIST: Final = Route("GET", "users", "/users/{user_id}/user_profiles")


class Profiles(APIResource):
    """The user's profiles (``/api/users/v1/users/{user_id}/user_profiles``).

    Act as one of them with ``client.as_profile(profile.id)``.
    """

    __slots__ = ()

    @uses(LIST)
    async def list(self, *, user_id: str | None = None, max_retries: int | None = None) -> list[UserProfile]:
        """The profiles of ``user_id``, by default the logged-in user's."""
        user = await self._user_id(user_id)
        return await self._api.retrying(max_retries).call(LIST, {"user_id": user}, answer=list[UserProfile])
