"""The users area: user configuration under ``/api/users/v1`` and ``/api/users/v2``.

Served: a user's profiles (list, create, update, delete), a profile's favourite channel lists and their channels,
the channel lock, market segments, the user (``getUser``, also in ``config/users.yml``: one route serves both)
and its user-side PATCH, the v2 password change, and the password reset pair (no bearer: ``security: []``).

Users and their profiles live in ``fake.directory``, shared with the auth area (logins name them): a profile
created, renamed or deleted here is one of ``FakeUser.profiles`` at once, so ``login_user_profile`` sees it, and a
changed password is the one the next login checks. The user's account record (name, contact details, flags, market
segments, registration state, external reference) is ``fake.accounts`` (``_accounts.Accounts``), shared with the
admin area: the user's PATCH writes its name and telephone number, an operator its flags and market segments, and
``getUser`` and the market segments serve it as it is now. Everything else this area writes lives in
``fake.user_config`` (:class:`UserConfig`), per user id and per (user id, profile id); ``reset()`` also puts back
the profiles and passwords it changed, and forgets every change of the account records (the operator's too).

``owned_user`` and ``owned_profile`` are the checks every path naming a ``{user_id}`` or a ``{user_profile_id}``
makes, in this area and others.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import uuid
from typing import TYPE_CHECKING, Any, Final

import attrs
from starlette.responses import Response

from .. import _catalogue as catalogue
from .._responses import answer, bad_request, dumps, entity_error, not_yours
from .._routing import Call, FakeRoute
from .._state import FakeProfile, FakeUser
from ._accounts import EXPIRES_AT, REGISTERED_AT, Accounts

if TYPE_CHECKING:
    from .._app import FakeAmino

# --- ownership -------------------------------------------------------------------------------------


def owned_user(fake: FakeAmino, call: Call, param: str = "user_id") -> FakeUser | None:
    """The user ``call.params[param]`` names, when it is the bearer's own; None otherwise (answer ``not_yours``).

    The fake takes a username where a user id is asked for, as the legacy paths do.
    """
    user = fake.directory.resolve(call.params[param])
    return user if user is not None and user.user_id == call.user.user_id else None


def owned_profile(fake: FakeAmino, call: Call, param: str = "user_profile_id") -> tuple[FakeUser, FakeProfile] | None:
    """The bearer's user and the profile ``call.params[param]`` names, when it is one of that user's profiles now
    (any of them, not only the one the token was issued for); None otherwise (answer ``not_yours``: a profile
    that does not exist gets the same answer as another user's)."""
    user = call.user
    profile = user.profile(call.params[param])
    return None if profile is None else (user, profile)


# --- state -----------------------------------------------------------------------------------------

#: The PIN every account has until it is changed (``is_default_pin_code`` says so).
DEFAULT_PIN: Final = "1234"
#: How many favourite channel lists a profile may have; one more is refused (403), as the file documents.
MAX_FAVOURITE_LISTS: Final = 20
_ID_NAMESPACE: Final = uuid.UUID("5b56765e-fa7b-45d2-8dee-2869ec736cc9")


@attrs.define(eq=False)
class FavouriteList:
    """A favourite channel list: its name and its channel ids, in the order they were added."""

    id: str
    name: str
    channels: list[str] = attrs.field(factory=list)


@attrs.define(eq=False)
class ChannelLock:
    """A user's channel lock configuration."""

    id: str
    lock_adult_channels: bool = False
    locked_channels: tuple[str, ...] = ()


class UserConfig:
    """What the users area writes, per user id and per (user id, profile id), but the account records (name,
    contact details, flags, market segments: ``fake.accounts``, shared with the admin area); tests read it and
    ``reset()`` it.

    Attributes:
        favourite_lists: (user id, profile id) -> list id -> :class:`FavouriteList`, in creation order.
        channel_locks: user id -> :class:`ChannelLock` (absent: nothing locked).
        pins: user id -> PIN (absent: :data:`DEFAULT_PIN`).
        reset_codes: user id -> the reset code last "emailed" by ``POST /reset_password``.
        max_favourite_lists: lists a profile may have (a knob; default :data:`MAX_FAVOURITE_LISTS`).
    """

    def __init__(self, accounts: Accounts) -> None:
        self.max_favourite_lists = MAX_FAVOURITE_LISTS
        self._accounts = accounts  # ``fake.accounts``, shared with the admin area: only for ``reset()``
        # user id -> (the user, its profiles and password before this area first changed them).
        self._originals: dict[str, tuple[FakeUser, tuple[FakeProfile, ...], str]] = {}
        self._clear()

    def reset(self) -> None:
        """Forget everything written, give the users back the profiles and passwords they had before, and forget
        every account change (``fake.accounts.reset()``: the operator's too, as it is one record a user; the
        knob ``max_favourite_lists`` stays)."""
        self._accounts.reset()
        for user, profiles, password in self._originals.values():
            user.profiles = profiles
            user.password = password
        self._originals.clear()
        self._clear()

    def _clear(self) -> None:
        self.favourite_lists: dict[tuple[str, str], dict[str, FavouriteList]] = {}
        self.channel_locks: dict[str, ChannelLock] = {}
        self.pins: dict[str, str] = {}
        self.reset_codes: dict[str, str] = {}
        # list id -> (user id, profile id): whose a list is, to refuse another user's (403) rather than 404.
        self._list_owners: dict[str, tuple[str, str]] = {}

    # --- what tests read ---

    def lists_of(self, user_id: str, profile_id: str) -> list[FavouriteList]:
        """The favourite lists of a profile, in creation order."""
        return list(self.favourite_lists.get((user_id, profile_id), {}).values())

    def pin_of(self, user_id: str) -> str:
        """The user's PIN now."""
        return self.pins.get(user_id, DEFAULT_PIN)

    def lock_of(self, user_id: str) -> ChannelLock:
        """The user's channel lock now."""
        return self.channel_locks.get(user_id) or ChannelLock(_stable_id("lock", user_id))

    # --- what the handlers write ---

    def change_profiles(self, user: FakeUser, profiles: tuple[FakeProfile, ...]) -> None:
        """Give ``user`` these profiles (checked: one default, unique ids), remembering the first ones."""
        self._remember(user)
        user.profiles = profiles
        kept = {profile.id for profile in profiles}
        for key in [key for key in self.favourite_lists if key[0] == user.user_id and key[1] not in kept]:
            # "All recordings, settings, and other information regarding the profile will also be deleted."
            for list_id in self.favourite_lists.pop(key):
                self._list_owners.pop(list_id, None)

    def change_password(self, user: FakeUser, password: str) -> None:
        """Give ``user`` a new password, remembering the first one."""
        self._remember(user)
        user.password = password

    def add_list(self, user_id: str, profile_id: str, name: str) -> FavouriteList:
        """A new, empty list of the profile."""
        created = FavouriteList(str(uuid.uuid4()), name)
        self.favourite_lists.setdefault((user_id, profile_id), {})[created.id] = created
        self._list_owners[created.id] = (user_id, profile_id)
        return created

    def remove_list(self, user_id: str, profile_id: str, list_id: str) -> None:
        """Delete a list of the profile."""
        del self.favourite_lists[user_id, profile_id][list_id]
        del self._list_owners[list_id]

    def owner_of_list(self, list_id: str) -> tuple[str, str] | None:
        """The (user id, profile id) a list belongs to, or None when there is no such list."""
        return self._list_owners.get(list_id)

    def _remember(self, user: FakeUser) -> None:
        if user.user_id not in self._originals:
            self._originals[user.user_id] = (user, user.profiles, user.password)


def _stable_id(kind: str, key: str) -> str:
    return str(uuid.uuid5(_ID_NAMESPACE, f"{kind}:{key}"))


# --- answers ---------------------------------------------------------------------------------------

_NOT_VISIBLE: Final = "You are trying to access something that is not available or is not visible for this user."


def _not_found(fake: FakeAmino) -> Response:
    """404 as ``user_profiles.yml`` documents it (ErrorEntity), for every unknown id of the v1 user paths."""
    return answer(fake, 404, entity_error("6b10ac9", "Not found", _NOT_VISIBLE))


def _not_permitted(fake: FakeAmino, details: str) -> Response:
    return answer(fake, 403, entity_error("df1e80a", "Action not permitted", details))


def _pin_incorrect(fake: FakeAmino, status: int) -> Response:
    details = "The PIN code that you supplied does not match the one we have stored for the account."
    return answer(fake, status, entity_error("f223db3", "PIN code incorrect", details))


def _v2_error(fake: FakeAmino, status: int, code: str, title: str, detail: str) -> Response:
    """The v2 files' JsonApiErrorEntity: its schema requires ``details``, its examples send ``detail``: both."""
    error = {"id": str(uuid.uuid4()), "status": str(status), "code": code, "title": title}
    error["detail"] = error["details"] = detail
    return answer(fake, status, dumps({"errors": [error]}))


def _no_content(fake: FakeAmino) -> Response:
    return answer(fake, 204, b"", media_type=None)


async def _json_object(fake: FakeAmino, call: Call) -> dict[str, Any] | Response:
    """The request body as a JSON object, or the 400 to answer."""
    try:
        body = json.loads(await call.request.body())
    except ValueError:
        return bad_request(fake, "The request body is not valid JSON")
    if not isinstance(body, dict):
        return bad_request(fake, "The request body must be a JSON object")
    return body


def _text(value: object, *, limit: int = 200) -> str | None:
    """``value`` when it is a string that is neither blank nor longer than ``limit``."""
    return value if isinstance(value, str) and value.strip() and len(value) <= limit else None


# --- profiles --------------------------------------------------------------------------------------


async def user_profiles(fake: FakeAmino, call: Call) -> Response:
    """``GET /api/users/v1/users/{user_id}/user_profiles``: every profile of the bearer's own user."""
    owner = owned_user(fake, call)
    if owner is None:
        return not_yours(fake)
    base = _profiles_base(call, owner)
    data = [_profile_resource(owner, profile, base) for profile in owner.profiles]
    return answer(fake, 200, dumps({"data": data}))


async def create_user_profile(fake: FakeAmino, call: Call) -> Response:
    """``POST .../users/{user_id}/user_profiles``: 201 and the new profile, which is one of the user's at once."""
    owner = owned_user(fake, call)
    if owner is None:
        return not_yours(fake)
    body = await _json_object(fake, call)
    if isinstance(body, Response):
        return body
    name = _text(body.get("name"), limit=64)
    if name is None:
        return bad_request(fake, "name is required: a string of 1 to 64 characters")
    if not isinstance(body.get("is_child_profile"), bool):
        return bad_request(fake, "is_child_profile is required: true or false")
    changes = _profile_changes(body)
    if isinstance(changes, str):
        return bad_request(fake, changes)
    if body.get("user_id") not in (None, owner.user_id):
        return bad_request(fake, "user_id must be the user of the path")
    created = FakeProfile(str(uuid.uuid4()), name, **{k: v for k, v in changes.items() if k != "name"})
    profiles = (*owner.profiles, created)
    if created.is_default:
        profiles = tuple(attrs.evolve(p, is_default=p is created) for p in profiles)
    fake.user_config.change_profiles(owner, profiles)
    resource = _profile_resource(owner, owner.profile(created.id) or created, _profiles_base(call, owner))
    return answer(fake, 201, dumps({"data": resource}))


async def update_user_profile(fake: FakeAmino, call: Call) -> Response:
    """``PATCH .../users/{user_id}/user_profiles/{user_profile_id}``: 204; the fields given change."""
    owner = owned_user(fake, call)
    if owner is None:
        return not_yours(fake)
    profile = owner.profile(call.params["user_profile_id"])
    if profile is None:
        return _unknown_profile(fake, call.params["user_profile_id"])
    body = await _json_object(fake, call)
    if isinstance(body, Response):
        return body
    changes = _profile_changes(body)
    if isinstance(changes, str):
        return bad_request(fake, changes)
    if "name" in body and "name" not in changes:
        return bad_request(fake, "name must be a string of 1 to 64 characters")
    if changes.get("is_default") is False:
        del changes["is_default"]  # "Setting it to false will have no effect."
    # Looked up again: the body was read after an await, and the profile may have changed meanwhile.
    current = owner.profile(profile.id)
    if current is None:
        return _not_found(fake)
    updated = attrs.evolve(current, **changes)
    profiles = tuple(updated if p.id == current.id else p for p in owner.profiles)
    if updated.is_default:
        profiles = tuple(attrs.evolve(p, is_default=p.id == updated.id) for p in profiles)
    fake.user_config.change_profiles(owner, profiles)
    return _no_content(fake)


async def delete_user_profile(fake: FakeAmino, call: Call) -> Response:
    """``DELETE .../users/{user_id}/user_profiles/{user_profile_id}``: 204, and the profile's favourites go too.

    The default profile is refused (403): an account always has one (inferred; the file documents only 204).
    """
    owner = owned_user(fake, call)
    if owner is None:
        return not_yours(fake)
    profile = owner.profile(call.params["user_profile_id"])
    if profile is None:
        return _unknown_profile(fake, call.params["user_profile_id"])
    if profile.is_default:
        return _not_permitted(fake, "The default profile cannot be deleted: make another profile the default first.")
    fake.user_config.change_profiles(owner, tuple(p for p in owner.profiles if p.id != profile.id))
    return _no_content(fake)


def _unknown_profile(fake: FakeAmino, profile_id: str) -> Response:
    """403 for another user's profile, 404 for one nobody has."""
    if any(user.profile(profile_id) is not None for user in fake.directory.all):
        return not_yours(fake)
    return _not_found(fake)


def _profile_changes(body: dict[str, Any]) -> dict[str, Any] | str:
    """The profile fields ``body`` sets, checked; a string says what is wrong."""
    changes: dict[str, Any] = {}
    if "name" in body:
        name = _text(body["name"], limit=64)
        if name is not None:
            changes["name"] = name
    for flag in ("is_child_profile", "is_default"):
        if flag in body:
            if not isinstance(body[flag], bool):
                return f"{flag} must be true or false"
            changes[flag] = body[flag]
    if "age_limit" in body:
        age = body["age_limit"]
        if isinstance(age, bool) or not isinstance(age, int) or not 0 <= age <= 99:
            return "age_limit must be a whole number from 0 to 99"
        changes["age_limit"] = age
    return changes


def _profiles_base(call: Call, owner: FakeUser) -> str:
    return f"{call.origin}/api/users/v1/users/{owner.user_id}/user_profiles"


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


# --- favourite channel lists -----------------------------------------------------------------------


async def favourite_lists(fake: FakeAmino, call: Call) -> Response:
    """``GET /user_profiles/{user_profile_id}/favourite_channel_lists``: by name (``sort=name|-name``)."""
    owned = owned_profile(fake, call)
    if owned is None:
        return not_yours(fake)
    sort = call.request.query_params.get("sort", "name")
    if sort not in ("name", "-name"):
        return bad_request(fake, "sort must be name or -name")
    lists = _sorted_lists(fake, owned, descending=sort == "-name")
    return answer(fake, 200, dumps({"data": [_list_resource(found) for found in lists]}))


async def create_favourite_list(fake: FakeAmino, call: Call) -> Response:
    """``POST .../favourite_channel_lists``: 201 and the new list (a one-element ``data`` array, as documented)."""
    owned = owned_profile(fake, call)
    if owned is None:
        return not_yours(fake)
    body = await _json_object(fake, call)
    if isinstance(body, Response):
        return body
    name = _text(body.get("name"))
    if name is None:
        return bad_request(fake, "name is required: a string of 1 to 200 characters")
    user, profile = owned
    config = fake.user_config
    if len(config.lists_of(user.user_id, profile.id)) >= config.max_favourite_lists:
        details = (
            "You have tried to create a favourite channel list but you are already at the maximum allowable limit."
        )
        return _not_permitted(fake, details)
    created = config.add_list(user.user_id, profile.id, name)
    return answer(fake, 201, dumps({"data": [_list_resource(created)]}))


async def update_favourite_list(fake: FakeAmino, call: Call) -> Response:
    """``PATCH .../favourite_channel_lists/{favourite_channel_list_id}``: 204, the list renamed."""
    found = _owned_list(fake, call)
    if isinstance(found, Response):
        return found
    body = await _json_object(fake, call)
    if isinstance(body, Response):
        return body
    name = _text(body.get("name"))
    if name is None:
        return bad_request(fake, "name is required: a string of 1 to 200 characters")
    found.name = name
    return _no_content(fake)


async def delete_favourite_list(fake: FakeAmino, call: Call) -> Response:
    """``DELETE .../favourite_channel_lists/{favourite_channel_list_id}``: 204."""
    found = _owned_list(fake, call)
    if isinstance(found, Response):
        return found
    fake.user_config.remove_list(call.user.user_id, call.params["user_profile_id"], found.id)
    return _no_content(fake)


async def favourite_channels(fake: FakeAmino, call: Call) -> Response:
    """``GET .../favourite_channel_lists/relationships/channels``: every channel of any list, once each, lists in
    name order and each list's channels in its order."""
    owned = owned_profile(fake, call)
    if owned is None:
        return not_yours(fake)
    seen: dict[str, None] = {}
    for found in _sorted_lists(fake, owned, descending=False):
        seen.update(dict.fromkeys(found.channels))
    return answer(fake, 200, dumps({"data": [_channel_ref(channel_id) for channel_id in seen]}))


async def favourite_list_channels(fake: FakeAmino, call: Call) -> Response:
    """``GET .../{favourite_channel_list_id}/relationships/channels``: the list's channels, in the order added."""
    found = _owned_list(fake, call)
    if isinstance(found, Response):
        return found
    return answer(fake, 200, dumps({"data": [_channel_ref(channel_id) for channel_id in found.channels]}))


async def add_favourite_channel(fake: FakeAmino, call: Call) -> Response:
    """``POST .../relationships/channels/{channel_id}``: 201 ``CREATED`` (text/plain, as documented); a channel
    the list has already keeps its place."""
    found = _owned_list(fake, call)
    if isinstance(found, Response):
        return found
    channel_id = call.params["channel_id"]
    if not _is_channel(fake, channel_id):
        return _not_found(fake)
    if channel_id not in found.channels:
        found.channels.append(channel_id)
    return answer(fake, 201, b"CREATED", media_type="text/plain")


async def remove_favourite_channel(fake: FakeAmino, call: Call) -> Response:
    """``DELETE .../relationships/channels/{channel_id}``: 204; a channel not in the list is a 404."""
    found = _owned_list(fake, call)
    if isinstance(found, Response):
        return found
    channel_id = call.params["channel_id"]
    if channel_id not in found.channels:
        return _not_found(fake)
    found.channels.remove(channel_id)
    return _no_content(fake)


def _owned_list(fake: FakeAmino, call: Call) -> FavouriteList | Response:
    """The list the path names, in the path's profile of the bearer's user; else the refusal to answer."""
    owned = owned_profile(fake, call)
    if owned is None:
        return not_yours(fake)
    user, profile = owned
    list_id = call.params["favourite_channel_list_id"]
    found = fake.user_config.favourite_lists.get((user.user_id, profile.id), {}).get(list_id)
    if found is not None:
        return found
    owner = fake.user_config.owner_of_list(list_id)
    if owner is not None and owner[0] != user.user_id:
        return not_yours(fake)
    return _not_found(fake)


def _sorted_lists(fake: FakeAmino, owned: tuple[FakeUser, FakeProfile], *, descending: bool) -> list[FavouriteList]:
    user, profile = owned
    lists = fake.user_config.lists_of(user.user_id, profile.id)
    return sorted(lists, key=lambda found: found.name.casefold(), reverse=descending)


def _list_resource(found: FavouriteList) -> dict[str, object]:
    return {"type": "FavouriteChannelList", "id": found.id, "attributes": {"name": found.name}}


def _channel_ref(channel_id: str) -> dict[str, str]:
    return {"type": "Channel", "id": channel_id}


def _is_channel(fake: FakeAmino, channel_id: str) -> bool:
    index = fake.catalogue_ids.channel.parse(channel_id)
    return index is not None and index < fake.channel_count


# --- channel lock ----------------------------------------------------------------------------------


async def channel_lock(fake: FakeAmino, call: Call) -> Response:
    """``GET /users/{user_id}/channel_lock_configuration``, with the documented ``cache-control``."""
    owner = owned_user(fake, call)
    if owner is None:
        return not_yours(fake)
    lock = fake.user_config.lock_of(owner.user_id)
    resource = {
        "type": "UserChannelLockingConfiguration",
        "id": lock.id,
        "attributes": {"lock_adult_channels": lock.lock_adult_channels, "locked_channels": list(lock.locked_channels)},
    }
    return answer(fake, 200, dumps({"data": resource}), {"cache-control": "private, max-age=600"})


async def set_channel_lock(fake: FakeAmino, call: Call) -> Response:
    """``PATCH .../channel_lock_configuration``: 204 given the account's PIN; a wrong or missing one is the 401 the
    file documents."""
    owner = owned_user(fake, call)
    if owner is None:
        return not_yours(fake)
    body = await _json_object(fake, call)
    if isinstance(body, Response):
        return body
    locked = body.get("locked_channels")
    if not isinstance(locked, list) or not all(isinstance(item, str) for item in locked):
        return bad_request(fake, "locked_channels is required: an array of channel ids")
    adult = body.get("lock_adult_channels")
    if adult is not None and not isinstance(adult, bool):
        return bad_request(fake, "lock_adult_channels must be true or false")
    unknown = [channel_id for channel_id in locked if not _is_channel(fake, channel_id)]
    if unknown:
        return bad_request(fake, f"locked_channels: {len(unknown)} unknown channel id(s)")
    pin = body.get("pin_code")
    config = fake.user_config
    if not isinstance(pin, str) or not hmac.compare_digest(pin.encode(), config.pin_of(owner.user_id).encode()):
        return _pin_incorrect(fake, 401)
    current = config.lock_of(owner.user_id)
    config.channel_locks[owner.user_id] = ChannelLock(
        current.id,
        lock_adult_channels=current.lock_adult_channels if adult is None else adult,
        locked_channels=tuple(dict.fromkeys(locked)),
    )
    return _no_content(fake)


# --- market segments -------------------------------------------------------------------------------


async def market_segments(fake: FakeAmino, call: Call) -> Response:
    """``GET /users/{user_id}/relationships/market_segments``: the account record's, as an operator set them."""
    owner = owned_user(fake, call)
    if owner is None:
        return not_yours(fake)
    return answer(fake, 200, dumps({"data": fake.accounts.segment_resources(fake.accounts.of(owner))}))


# --- the user --------------------------------------------------------------------------------------

_INCLUDABLE: Final = {"product": "Product", "license": "License"}
#: What a user may change of themself with ``PATCH /users/{user_id_or_email}``; the rest is refused (403).
_USER_PATCHABLE: Final = frozenset({"pin_code", "new_pin_code", "name", "contact_details"})


async def get_user(fake: FakeAmino, call: Call) -> Response:
    """``GET /api/users/v1/users/{user_id_or_email}`` (``getUser``, in ``user_info.yml`` and ``config/users.yml``):
    the bearer's own user by id or email; anyone else, or no one, is 403 (never 404, as documented)."""
    owner = owned_user(fake, call, "user_id_or_email")
    if owner is None:
        return not_yours(fake)
    wanted: list[str] = []
    for item in call.request.query_params.get("included", "").split(","):
        if item.strip():
            kind = _INCLUDABLE.get(item.strip().lower())
            if kind is None:
                return bad_request(fake, "included takes Product and License")
            wanted.append(kind)
    return answer(fake, 200, dumps(_user_document(fake, owner, wanted)))


async def update_user(fake: FakeAmino, call: Call) -> Response:
    """``PATCH /api/users/v1/users/{user_id_or_email}``: 204; the PIN (given the current one), the name and the
    telephone number (of the account record, which the operator sees too) may change, nothing else (403)."""
    owner = owned_user(fake, call, "user_id_or_email")
    if owner is None:
        return not_yours(fake)
    body = await _json_object(fake, call)
    if isinstance(body, Response):
        return body
    refused = sorted(set(body) - _USER_PATCHABLE)
    if refused:
        return _not_permitted(fake, f"These fields may not be changed by the user: {', '.join(refused)}")
    config = fake.user_config
    account = fake.accounts.of(owner)
    new_pin = body.get("new_pin_code")
    if new_pin is not None:
        pin = body.get("pin_code")
        if not isinstance(pin, str) or not hmac.compare_digest(pin.encode(), config.pin_of(owner.user_id).encode()):
            return _pin_incorrect(fake, 403)
        if not isinstance(new_pin, str) or not new_pin.isascii() or not new_pin.isdigit() or not 4 <= len(new_pin) <= 8:
            return bad_request(fake, "new_pin_code must be 4 to 8 digits")
    name = body.get("name")
    if name is not None and not _is_name(name):
        return bad_request(fake, "name needs full_name, and first_name and last_name are strings")
    contact = body.get("contact_details")
    telephone = None
    if contact is not None:
        if not isinstance(contact, dict) or contact.get("email") not in (None, account.email):
            return _not_permitted(fake, "The email address is the login and may not be changed by the user")
        telephone = contact.get("telephone_number_E123")
        if telephone is not None and _text(telephone, limit=32) is None:
            return bad_request(fake, "telephone_number_E123 must be a string of up to 32 characters")
    if new_pin is not None:
        config.pins[owner.user_id] = new_pin
    if name is not None:  # the whole name: a part not given is gone
        account.full_name, account.first_name, account.last_name = (
            name["full_name"],
            name.get("first_name"),
            name.get("last_name"),
        )
    if telephone is not None:
        account.telephone = telephone
    return _no_content(fake)


def _is_name(name: object) -> bool:
    if not isinstance(name, dict) or _text(name.get("full_name")) is None:
        return False
    return all(name.get(key) is None or isinstance(name.get(key), str) for key in ("first_name", "last_name"))


def _user_products(fake: FakeAmino, user: FakeUser) -> list[int]:
    """The catalogue products a user has: the first, and one more seeded from the user id."""
    extra = 1 + hashlib.sha256(user.user_id.encode()).digest()[0] % (len(catalogue.PRODUCTS) - 1)
    return [0, extra]


def _user_document(fake: FakeAmino, user: FakeUser, wanted: list[str]) -> dict[str, object]:
    """The user's account record (``fake.accounts``: what the operator sees, but the PIN flag, which is of the
    user's PIN here) and this area's viewer advice."""
    config = fake.user_config
    account = fake.accounts.of(user)
    attributes: dict[str, Any] = {
        "is_default_pin_code": user.user_id not in config.pins,
        "is_demo_user": account.is_demo_user,
        "name": account.name(),
        "contact_details": account.contact_details(),
        "security": {"password_hashing_algorithm": "digest", "licenses_must_auto_renew": False},
        "viewer_advice": {"block_adult_viewing_default": config.lock_of(user.user_id).lock_adult_channels},
        "registration_information": account.registration_information(),
        "user_flags": list(account.flags),
    }
    if account.external_reference is not None:
        attributes["external_reference"] = account.external_reference
    document: dict[str, object] = {"data": {"type": "User", "id": user.user_id, "attributes": attributes}}
    if wanted:
        ids = fake.catalogue_ids.product
        products = _user_products(fake, user)
        included: list[dict[str, object]] = []
        relationships: dict[str, object] = {}
        if "Product" in wanted:
            included += [_product_resource(fake, index) for index in products]
            relationships["Product"] = {"data": [{"type": "Product", "id": ids.make(i)} for i in products]}
        if "License" in wanted:
            licenses = [_license_resource(fake, user, index) for index in products]
            included += licenses
            relationships["License"] = {"data": [{"type": "License", "id": lic["id"]} for lic in licenses]}
        # "DO NOT include this key UNLESS there is a top level `included` key."
        attributes["relationships"] = relationships
        document["included"] = included
    return document


def _product_resource(fake: FakeAmino, index: int) -> dict[str, object]:
    name, external_id = catalogue.PRODUCTS[index]
    attributes = {"title": name, "name": name, "external_id": external_id, "type": "SUBSCRIPTION", "rank": index}
    return {"type": "Product", "id": fake.catalogue_ids.product.make(index), "attributes": attributes}


def _license_resource(fake: FakeAmino, user: FakeUser, index: int) -> dict[str, Any]:
    license_id = _stable_id("license", f"{user.user_id}:{index}")
    return {
        "type": "License",
        "id": license_id,
        "attributes": {
            "order_id": None,
            "status": "ACTIVE",
            "valid_from_timestamp": REGISTERED_AT,
            "valid_until_timestamp": EXPIRES_AT,
            "recurring": True,
            "purchase_record": {
                "price_currency_amount": None,
                "price_currency_iso4217": None,
                "payment_method": "billing",
            },
        },
        "relationships": {
            "user": {"data": [{"type": "User", "id": user.user_id}]},
            "product": {"data": [{"type": "Product", "id": fake.catalogue_ids.product.make(index)}]},
        },
    }


# --- v2: preferences and password reset ------------------------------------------------------------


async def update_preferences(fake: FakeAmino, call: Call) -> Response:
    """``PATCH /api/users/v2/users/{user_id}``: 204 and a new password, given the current one (else 401); an unknown
    user is the documented 404, another user's 403."""
    user = fake.directory.resolve(call.params["user_id"])
    if user is None:
        detail = f'User with ID "{call.params["user_id"][:100]}" does not exist'
        return _v2_error(fake, 404, "30501", "Not found", detail)
    if user.user_id != call.user.user_id:
        return not_yours(fake)
    body = await _json_object(fake, call)
    if isinstance(body, Response):
        return body
    data = body.get("data")
    if not isinstance(data, dict) or data.get("type") != "User" or data.get("id") != user.user_id:
        return _v2_error(fake, 400, "31201", "Bad Request", "data must be the User of the path (type and id)")
    attributes = data.get("attributes")
    security = attributes.get("security") if isinstance(attributes, dict) else None
    if not isinstance(security, dict):
        return _v2_error(fake, 400, "31201", "Bad Request", "attributes.security is required")
    new_password, current = security.get("new_password"), security.get("current_password")
    if not isinstance(new_password, str) or not new_password.strip():
        return _v2_error(fake, 400, "31201", "Bad Request", "new_password must not be blank")
    if not isinstance(current, str) or not hmac.compare_digest(current.encode(), user.password.encode()):
        return _v2_error(fake, 401, "30502", "Unauthorized", "Password verification failed.")
    fake.user_config.change_password(user, new_password)
    return _no_content(fake)


async def reset_password(fake: FakeAmino, call: Call) -> Response:
    """``POST /api/users/v2/reset_password`` (no bearer): 204 whether or not the email is a user's; for a user, a
    new reset code in ``fake.user_config.reset_codes`` (what the email would carry)."""
    body = await _json_object(fake, call)
    if isinstance(body, Response):
        return body
    email = body.get("email")
    if not isinstance(email, str) or not email:
        return _v2_error(fake, 400, "31201", "Bad Request", "email is required")
    user = fake.directory.by_name(email)
    if user is not None:
        fake.user_config.reset_codes[user.user_id] = secrets.token_hex(16)
    return _no_content(fake)


async def confirm_reset_password(fake: FakeAmino, call: Call) -> Response:
    """``POST /api/users/v2/confirm_reset_password`` (no bearer): 204 and the new password, for the code last sent;
    404 for an unknown email, 400 for a wrong code (each code works once)."""
    body = await _json_object(fake, call)
    if isinstance(body, Response):
        return body
    email, code, new_password = body.get("email"), body.get("reset_code"), body.get("new_password")
    if not (isinstance(email, str) and isinstance(code, str) and isinstance(new_password, str)):
        return _v2_error(fake, 400, "31201", "Bad Request", "email, reset_code and new_password are required")
    user = fake.directory.by_name(email)
    if user is None:
        return _v2_error(fake, 404, "30501", "Not found", f'User with email "{email[:100]}" does not exist')
    expected = fake.user_config.reset_codes.get(user.user_id)
    if expected is None or not hmac.compare_digest(code.encode(), expected.encode()):
        return _v2_error(fake, 400, "10100", "Invalid ResetCode", f"Invalid reset code: {code[:100]}")
    if not new_password.strip():
        return _v2_error(fake, 400, "31201", "Bad Request", "new_password must not be blank")
    del fake.user_config.reset_codes[user.user_id]
    fake.user_config.change_password(user, new_password)
    return _no_content(fake)


# --- routes ----------------------------------------------------------------------------------------

_V1: Final = "/api/users/v1"
_V2: Final = "/api/users/v2"
_PROFILES: Final = _V1 + "/users/{user_id}/user_profiles"
_LISTS: Final = _V1 + "/user_profiles/{user_profile_id}/favourite_channel_lists"
_LIST: Final = _LISTS + "/{favourite_channel_list_id}"
_CHANNEL: Final = _LIST + "/relationships/channels/{channel_id}"
_LOCK: Final = _V1 + "/users/{user_id}/channel_lock_configuration"
_USER: Final = _V1 + "/users/{user_id_or_email}"
_ONE_RESOURCE_MALFORMED: Final = {"data": {"type": "User"}}
_LIST_MALFORMED: Final = {"data": [{"type": "FavouriteChannelList"}]}

ROUTES: tuple[FakeRoute, ...] = (
    FakeRoute("user_profiles", "GET", _PROFILES, user_profiles, data=True, malformed={"data": {"type": "UserProfile"}}),
    FakeRoute("create_user_profile", "POST", _PROFILES, create_user_profile, data=True),
    FakeRoute("update_user_profile", "PATCH", _PROFILES + "/{user_profile_id}", update_user_profile, data=True),
    FakeRoute("delete_user_profile", "DELETE", _PROFILES + "/{user_profile_id}", delete_user_profile, data=True),
    FakeRoute("favourite_lists", "GET", _LISTS, favourite_lists, data=True, malformed=_LIST_MALFORMED),
    FakeRoute("create_favourite_list", "POST", _LISTS, create_favourite_list, data=True),
    FakeRoute("update_favourite_list", "PATCH", _LIST, update_favourite_list, data=True),
    FakeRoute("delete_favourite_list", "DELETE", _LIST, delete_favourite_list, data=True),
    FakeRoute(
        "favourite_channels",
        "GET",
        _LISTS + "/relationships/channels",
        favourite_channels,
        data=True,
        malformed={"data": [{"id": "no type"}]},
    ),
    FakeRoute(
        "favourite_list_channels",
        "GET",
        _LIST + "/relationships/channels",
        favourite_list_channels,
        data=True,
        malformed={"data": [{"id": "no type"}]},
    ),
    FakeRoute("add_favourite_channel", "POST", _CHANNEL, add_favourite_channel, data=True),
    FakeRoute("remove_favourite_channel", "DELETE", _CHANNEL, remove_favourite_channel, data=True),
    FakeRoute("channel_lock", "GET", _LOCK, channel_lock, data=True, malformed={"data": "locked"}),
    FakeRoute("set_channel_lock", "PATCH", _LOCK, set_channel_lock, data=True),
    FakeRoute(
        "market_segments",
        "GET",
        _V1 + "/users/{user_id}/relationships/market_segments",
        market_segments,
        data=True,
        malformed={"data": {"name": "fibre"}},
    ),
    FakeRoute("user", "GET", _USER, get_user, data=True, malformed=_ONE_RESOURCE_MALFORMED),
    FakeRoute("update_user", "PATCH", _USER, update_user, data=True),
    FakeRoute("update_preferences", "PATCH", _V2 + "/users/{user_id}", update_preferences, data=True),
    FakeRoute("reset_password", "POST", _V2 + "/reset_password", reset_password, data=False),
    FakeRoute("confirm_reset_password", "POST", _V2 + "/confirm_reset_password", confirm_reset_password, data=False),
)
