"""``client.favourites``: a profile's favourite channel lists and the channels in them."""

from __future__ import annotations

import builtins
from typing import Final, Literal

from .._encoding import to_json
from .._resource import APIResource, uses
from .._urls import Route
from ..models import FavouriteChannel, FavouriteChannelList, FavouriteChannelListBody

__all__ = ["FavouriteListSort", "Favourites"]

#: How ``client.favourites.list`` orders the lists: by name, ascending (the default) or descending.
FavouriteListSort = Literal["name", "-name"]

_LISTS: Final = "/user_profiles/{user_profile_id}/favourite_channel_lists"
_LIST: Final = _LISTS + "/{favourite_channel_list_id}"

LIST: Final = Route("GET", "users", _LISTS)
CREATE: Final = Route("POST", "users", _LISTS)
UPDATE: Final = Route("PATCH", "users", _LIST)
DELETE: Final = Route("DELETE", "users", _LIST)
ALL_CHANNELS: Final = Route("GET", "users", _LISTS + "/relationships/channels")
CHANNELS: Final = Route("GET", "users", _LIST + "/relationships/channels")
ADD_CHANNEL: Final = Route("POST", "users", _LIST + "/relationships/channels/{channel_id}")
REMOVE_CHANNEL: Final = Route("DELETE", "users", _LIST + "/relationships/channels/{channel_id}")


class Favourites(APIResource):
    """The favourite channel lists of a profile (``/api/users/v1/user_profiles/{user_profile_id}/...``).

    Every method is profile-scoped: ``user_profile_id`` defaults to the view's profile
    (``client.as_profile(id)``), else the logged-in one. A list keeps its channels in the order they were added.
    """

    __slots__ = ()

    @uses(LIST)
    async def list(
        self, *, sort: FavouriteListSort | None = None, user_profile_id: str | None = None
    ) -> builtins.list[FavouriteChannelList]:
        """The profile's favourite channel lists, by name unless ``sort="-name"``
        (``GET .../favourite_channel_lists``)."""
        profile = await self._profile_id(user_profile_id)
        return await self._api.call(
            LIST, {"user_profile_id": profile}, query={"sort": sort}, answer=builtins.list[FavouriteChannelList]
        )

    @uses(CREATE)
    async def create(self, name: str, *, user_profile_id: str | None = None) -> FavouriteChannelList:
        """A new, empty favourite channel list (``POST .../favourite_channel_lists``).

        A profile already at the deployment's limit of lists gets a :class:`~amino_async.PermissionDeniedError`.
        """
        profile = await self._profile_id(user_profile_id)
        body = to_json(FavouriteChannelListBody(name))
        return await self._api.call(CREATE, {"user_profile_id": profile}, json=body, answer=FavouriteChannelList)

    @uses(UPDATE)
    async def update(self, favourite_channel_list_id: str, name: str, *, user_profile_id: str | None = None) -> None:
        """Rename a favourite channel list (``PATCH .../favourite_channel_lists/{favourite_channel_list_id}``)."""
        path = await self._list_path(favourite_channel_list_id, user_profile_id)
        await self._api.call(UPDATE, path, json=to_json(FavouriteChannelListBody(name)))

    @uses(DELETE)
    async def delete(self, favourite_channel_list_id: str, *, user_profile_id: str | None = None) -> None:
        """Delete a favourite channel list (``DELETE .../favourite_channel_lists/{favourite_channel_list_id}``)."""
        await self._api.call(DELETE, await self._list_path(favourite_channel_list_id, user_profile_id))

    @uses(ALL_CHANNELS)
    async def all_channels(self, *, user_profile_id: str | None = None) -> builtins.list[FavouriteChannel]:
        """Every channel the profile has in any of its lists, each once
        (``GET .../favourite_channel_lists/relationships/channels``)."""
        profile = await self._profile_id(user_profile_id)
        return await self._api.call(ALL_CHANNELS, {"user_profile_id": profile}, answer=builtins.list[FavouriteChannel])

    @uses(CHANNELS)
    async def channels(
        self, favourite_channel_list_id: str, *, user_profile_id: str | None = None
    ) -> builtins.list[FavouriteChannel]:
        """The channels of one list, in the order they were added
        (``GET .../favourite_channel_lists/{favourite_channel_list_id}/relationships/channels``)."""
        path = await self._list_path(favourite_channel_list_id, user_profile_id)
        return await self._api.call(CHANNELS, path, answer=builtins.list[FavouriteChannel])

    @uses(ADD_CHANNEL)
    async def add_channel(
        self, favourite_channel_list_id: str, channel_id: str, *, user_profile_id: str | None = None
    ) -> None:
        """Add a channel at the end of a list (``POST .../relationships/channels/{channel_id}``).

        The server answers 201 without a representation; adding a channel the list has already is no error.
        """
        path = await self._list_path(favourite_channel_list_id, user_profile_id)
        await self._api.call(ADD_CHANNEL, {**path, "channel_id": channel_id})

    @uses(REMOVE_CHANNEL)
    async def remove_channel(
        self, favourite_channel_list_id: str, channel_id: str, *, user_profile_id: str | None = None
    ) -> None:
        """Take a channel out of a list (``DELETE .../relationships/channels/{channel_id}``)."""
        path = await self._list_path(favourite_channel_list_id, user_profile_id)
        await self._api.call(REMOVE_CHANNEL, {**path, "channel_id": channel_id})

    async def _list_path(self, favourite_channel_list_id: str, user_profile_id: str | None) -> dict[str, str]:
        profile = await self._profile_id(user_profile_id)
        return {"user_profile_id": profile, "favourite_channel_list_id": favourite_channel_list_id}
