"""``client.profiles``: the profiles of the user's account."""

from __future__ import annotations

from .._errors import ConfigurationError
from ..models import UserProfile
from ._base import Resource
from .channels import _segment

__all__ = ["Profiles"]


class Profiles(Resource):
    """The user's profiles (``/api/users/v1/users/{user_id}/user_profiles``).

    Pass a profile's id as ``profile_id`` (to the client or to ``with_auth``) to act as that profile.
    """

    __slots__ = ()

    async def list(self, *, user_id: str | None = None, max_retries: int | None = None) -> list[UserProfile]:
        """The profiles of ``user_id``, by default the logged-in user's."""
        if user_id is None:
            tokens = await self._client.auth.ensure_tokens()
            user_id = tokens.user_id or self._client._credentials.get("user_id")
            if user_id is None:
                raise ConfigurationError("the server did not say which user is logged in; pass user_id")
        return await self._client._get_models(
            "users",
            f"/users/{_segment(user_id)}/user_profiles",
            UserProfile,
            max_retries=max_retries,
        )
