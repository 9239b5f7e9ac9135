"""The users area: a user's profiles.

Users and their profiles live in ``fake.directory``, shared with the auth area (logins name them).
``owned_user`` is the check every path naming a ``{user_id}`` makes, in this area and others.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from starlette.responses import Response

from .._responses import answer, dumps, not_yours
from .._routing import Call, FakeRoute
from .._state import FakeProfile, FakeUser

if TYPE_CHECKING:
    from .._app import FakeAmino


def owned_user(fake: FakeAmino, call: Call, param: str = "user_id") -> FakeUser | None:
    """The user ``call.params[param]`` names, when it is the bearer's own; None otherwise (answer ``not_yours``).

    The fake takes a username where a user id is asked for, as the legacy paths do.
    """
    user = fake.directory.resolve(call.params[param])
    return user if user is not None and user.user_id == call.user.user_id else None


def owned_profile(fake: FakeAmino, call: Call, param: str = "user_profile_id") -> FakeProfile | None:
    """The profile ``call.params[param]`` names, when it is a profile of the bearer's own user; None otherwise
    (answer with the refusal the area's file documents, ``not_yours`` where it documents none)."""
    return call.user.profile(call.params[param])


async def user_profiles(fake: FakeAmino, call: Call) -> Response:
    """``GET /api/users/v1/users/{user_id}/user_profiles``: every profile of the bearer's own user."""
    owner = owned_user(fake, call)
    if owner is None:
        return not_yours(fake)
    base = f"{call.origin}/api/users/v1/users/{owner.user_id}/user_profiles"
    data = [_profile_resource(owner, profile, base) for profile in owner.profiles]
    return answer(fake, 200, dumps({"data": data}))


def _profile_resource(user: FakeUser, profile: FakeProfile, base: str) -> dict[str, object]:
    attributes: dict[str, object] = {
        "name": profile.name,
        "user_id": user.user_id,
        "is_child_profile": profile.is_child_profile,
        "is_default": profile.is_default,
    }
    if profile.age_limit is not None:
        attributes["age_limit"] = profile.age_limit
    return {
        "type": "UserProfile",
        "id": profile.id,
        "attributes": attributes,
        "links": {"self": f"{base}/{profile.id}"},
    }


ROUTES: tuple[FakeRoute, ...] = (
    FakeRoute(
        "user_profiles",
        "GET",
        "/api/users/v1/users/{user_id}/user_profiles",
        user_profiles,
        data=True,
        malformed={"data": {"type": "UserProfile"}},
    ),
)
