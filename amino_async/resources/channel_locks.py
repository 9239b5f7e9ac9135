"""``client.channel_locks``: the user's channel lock (adult channels and chosen channels behind the PIN)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Final

from .._encoding import to_json
from .._resource import APIResource, uses
from .._urls import Route
from ..models import UserChannelLockingConfiguration, UserChannelLockingConfigurationBody

__all__ = ["ChannelLocks"]

GET: Final = Route("GET", "users", "/users/{user_id}/channel_lock_configuration")
SET: Final = Route("PATCH", "users", "/users/{user_id}/channel_lock_configuration")


class ChannelLocks(APIResource):
    """The channel lock of the account (``/api/users/v1/users/{user_id}/channel_lock_configuration``).

    The server keeps which channels are locked and checks the PIN when they change; whether a session is
    unlocked is the client's own business. ``user_id`` defaults to the logged-in user's.
    """

    __slots__ = ()

    @uses(GET)
    async def get(self, *, user_id: str | None = None) -> UserChannelLockingConfiguration:
        """Whether adult channels are locked, and which channels are (``GET .../channel_lock_configuration``)."""
        user = await self._user_id(user_id)
        return await self._api.call(GET, {"user_id": user}, answer=UserChannelLockingConfiguration)

    @uses(SET)
    async def set(
        self,
        locked_channels: Iterable[str],
        *,
        pin_code: str | None = None,
        lock_adult_channels: bool | None = None,
        user_id: str | None = None,
    ) -> None:
        """Lock exactly ``locked_channels`` (and adult channels, if ``lock_adult_channels``), given the account's
        PIN (``PATCH .../channel_lock_configuration``).

        The file documents a wrong PIN as 401, which the SDK reports as an
        :class:`~amino_async.AuthenticationError` (after renewing the token once, as for any 401).
        """
        user = await self._user_id(user_id)
        body = UserChannelLockingConfigurationBody(
            tuple(locked_channels), lock_adult_channels=lock_adult_channels, pin_code=pin_code
        )
        secrets = (pin_code,) if pin_code else ()
        await self._api.call(SET, {"user_id": user}, json=to_json(body), secrets=secrets)
