"""``client.profiles``: the profiles of the user's account."""

from __future__ import annotations

import builtins
from typing import Final

from .._encoding import to_json
from .._errors import ConfigurationError
from .._resource import APIResource, uses
from .._urls import Route
from ..models import UserProfile, UserProfileBody, UserProfilePatchRequestBody

__all__ = ["Profiles"]

LIST: Final = Route("GET", "users", "/users/{user_id}/user_profiles")
CREATE: Final = Route("POST", "users", "/users/{user_id}/user_profiles")
UPDATE: Final = Route("PATCH", "users", "/users/{user_id}/user_profiles/{user_profile_id}")
DELETE: Final = Route("DELETE", "users", "/users/{user_id}/user_profiles/{user_profile_id}")


class Profiles(APIResource):
    """The user's profiles (``/api/users/v1/users/{user_id}/user_profiles``): list, create, change, delete.

    Act as one of them with ``client.as_profile(profile.id)``: profile-scoped calls (favourites, recordings,
    playback info) then take the profile from that view. Every method's ``user_id`` defaults to the logged-in
    user's.
    """

    __slots__ = ()

    @uses(LIST)
    async def list(self, *, user_id: str | None = None, max_retries: int | None = None) -> builtins.list[UserProfile]:
        """The profiles of the account (``GET /users/{user_id}/user_profiles``)."""
        user = await self._user_id(user_id)
        return await self._api.retrying(max_retries).call(LIST, {"user_id": user}, answer=builtins.list[UserProfile])

    @uses(CREATE)
    async def create(
        self,
        name: str,
        *,
        is_child_profile: bool = False,
        age_limit: int | None = None,
        is_default: bool | None = None,
        user_id: str | None = None,
    ) -> UserProfile:
        """A new profile of the account, as the server made it (``POST /users/{user_id}/user_profiles``).

        ``is_child_profile`` blocks adult content for it; ``is_default=True`` makes it the default profile.
        """
        user = await self._user_id(user_id)
        body = UserProfileBody(name, is_child_profile=is_child_profile, age_limit=age_limit, is_default=is_default)
        return await self._api.call(CREATE, {"user_id": user}, json=to_json(body), answer=UserProfile)

    @uses(UPDATE)
    async def update(
        self,
        user_profile_id: str,
        *,
        name: str | None = None,
        is_child_profile: bool | None = None,
        age_limit: int | None = None,
        is_default: bool | None = None,
        user_id: str | None = None,
    ) -> None:
        """Change a profile: rename it (``name=``), and the rest (``PATCH .../user_profiles/{user_profile_id}``).

        Only the fields given are sent. ``is_default=True`` makes it the default profile (False has no effect:
        make another profile the default instead). An unknown profile is a :class:`~amino_async.NotFoundError`.
        """
        body = UserProfilePatchRequestBody(
            name=name, is_child_profile=is_child_profile, age_limit=age_limit, is_default=is_default
        )
        if body == UserProfilePatchRequestBody():
            raise ConfigurationError("give at least one field to change")
        user = await self._user_id(user_id)
        path = {"user_id": user, "user_profile_id": user_profile_id}
        await self._api.call(UPDATE, path, json=to_json(body))

    @uses(DELETE)
    async def delete(self, user_profile_id: str, *, user_id: str | None = None) -> None:
        """Delete a profile, and with it its recordings, settings and favourites
        (``DELETE .../user_profiles/{user_profile_id}``)."""
        user = await self._user_id(user_id)
        await self._api.call(DELETE, {"user_id": user, "user_profile_id": user_profile_id})
