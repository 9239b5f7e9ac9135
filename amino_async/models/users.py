"""Users (``/api/users/v1``): the profiles of an account."""

from __future__ import annotations

from attrs import frozen

from ._common import Entity

__all__ = ["UserProfile"]


@frozen
class UserProfile(Entity):
    """A profile of the user's account; its id can be passed as ``profile_id`` to act as that profile."""

    id: str
    name: str = ""
    user_id: str | None = None
    is_child_profile: bool = False
    age_limit: int | None = None
    is_default: bool = False
