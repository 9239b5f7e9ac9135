"""``client.users``: the user's own account (user info)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final, Literal

from .._encoding import to_json
from .._errors import ConfigurationError
from .._resource import APIResource, uses
from .._urls import Route
from ..models import ContactDetailsBody, User, UserInfoPatchBody, UserNameBody

__all__ = ["UserIncluded", "Users"]

#: What ``client.users.get`` may ask the server to include beside the user.
UserIncluded = Literal["Product", "License"]

GET: Final = Route("GET", "users", "/users/{user_id_or_email}")
UPDATE: Final = Route("PATCH", "users", "/users/{user_id_or_email}")


class Users(APIResource):
    """User accounts (``/api/users/v1/users/{user_id_or_email}``).

    A user may read and change only themself: another user's id, or one that does not exist, is a
    :class:`~amino_async.PermissionDeniedError` (the API does not tell the two apart).
    """

    __slots__ = ()

    @uses(GET)
    async def get(self, user_id_or_email: str | None = None, *, included: Sequence[UserIncluded] | None = None) -> User:
        """The user (``GET /users/{user_id_or_email}``), by default the logged-in one; the endpoint takes an email
        address too. ``included=["Product", "License"]`` fills ``user.products`` and ``user.licenses``."""
        user = await self._user_id(user_id_or_email)
        query = {"included": ",".join(included) if included else None}
        return await self._api.call(GET, {"user_id_or_email": user}, query=query, answer=User)

    @uses(UPDATE)
    async def update(
        self,
        *,
        name: UserNameBody | None = None,
        contact_details: ContactDetailsBody | None = None,
        pin_code: str | None = None,
        new_pin_code: str | None = None,
        user_id: str | None = None,
    ) -> None:
        """Change what a user may change of themself (``PATCH /users/{user_id_or_email}``): their ``name``,
        ``contact_details``, or their PIN (``new_pin_code``, numeric, with the current ``pin_code``).

        A wrong ``pin_code`` is a :class:`~amino_async.PermissionDeniedError`, a PIN that is not numeric a
        :class:`~amino_async.BadRequestError`.
        """
        if new_pin_code is not None and pin_code is None:
            raise ConfigurationError("changing the PIN takes the current one: pass pin_code")
        body = UserInfoPatchBody(
            pin_code=pin_code, new_pin_code=new_pin_code, name=name, contact_details=contact_details
        )
        if body == UserInfoPatchBody():
            raise ConfigurationError("give at least one field to change")
        user = await self._user_id(user_id)
        secrets = tuple(pin for pin in (pin_code, new_pin_code) if pin)
        await self._api.call(UPDATE, {"user_id_or_email": user}, json=to_json(body), secrets=secrets)
