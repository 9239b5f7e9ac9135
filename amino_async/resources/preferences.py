"""``client.preferences`` (the user's password) and ``client.password_reset`` (a forgotten one), under
``/api/users/v2``."""

from __future__ import annotations

from typing import Final

from .._encoding import resource_body, to_json
from .._resource import APIResource, PublicRoute, uses
from .._urls import Route
from ..models import ConfirmResetPasswordBody, PasswordChangeBody, ResetPasswordBody, UserPatchRequestBody

__all__ = ["PasswordReset", "Preferences"]

UPDATE: Final = Route("PATCH", "users_v2", "/users/{user_id}")
#: Both reset calls need no credentials (``security: []`` in the file): sent without the auth flow.
REQUEST_RESET: Final = PublicRoute("POST", "users_v2", "/reset_password")
CONFIRM_RESET: Final = PublicRoute("POST", "users_v2", "/confirm_reset_password")


class Preferences(APIResource):
    """The logged-in user's preferences (``/api/users/v2/users/{user_id}``): today, the password."""

    __slots__ = ()

    @uses(UPDATE)
    async def update(self, *, current_password: str, new_password: str, user_id: str | None = None) -> None:
        """Change the user's password, given the current one (``PATCH /api/users/v2/users/{user_id}``).

        A wrong ``current_password`` is answered 401 (as the file documents), which the SDK reports as an
        :class:`~amino_async.AuthenticationError` after renewing the token once, as for any 401. The tokens in
        use stay valid; a credentials value holding the old password needs the new one for its next login.
        """
        user = await self._user_id(user_id)
        attributes = UserPatchRequestBody(security=PasswordChangeBody(current_password, new_password))
        body = resource_body("User", attributes, id=user)
        await self._api.call(UPDATE, {"user_id": user}, json=body, secrets=(current_password, new_password))


class PasswordReset(APIResource):
    """A forgotten password, reset by a code the platform emails (``/api/users/v2/reset_password``,
    ``/confirm_reset_password``).

    **No credentials needed**: both calls go out without the auth flow and without a bearer (their routes are
    :class:`~amino_async._resource.PublicRoute`), so a client made without any way in can make them::

        async with AminoClient("https://customer.domain") as anonymous:
            await anonymous.password_reset.request("user@example.com")
    """

    __slots__ = ()

    @uses(REQUEST_RESET)
    async def request(self, email: str) -> None:
        """Ask for a reset code by email (``POST /reset_password``). The answer is the same (204) whether or not a
        user has that address."""
        await self._api.call(REQUEST_RESET, json=to_json(ResetPasswordBody(email)))

    @uses(CONFIRM_RESET)
    async def confirm(self, email: str, reset_code: str, new_password: str) -> None:
        """Set a new password with the emailed code (``POST /confirm_reset_password``).

        An unknown email is a :class:`~amino_async.NotFoundError`, a wrong code a
        :class:`~amino_async.BadRequestError` (neither message repeats the code or the password).
        """
        body = to_json(ConfirmResetPasswordBody(email, reset_code, new_password))
        await self._api.call(CONFIRM_RESET, json=body, secrets=(reset_code, new_password))
