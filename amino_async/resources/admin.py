"""``client.admin``: operator management: users, licensing, network permissions, device entitlements, the legacy
BSS user management, and the service login.

These are back-office calls, made with an operator's credentials: a service account logs in with
:class:`~amino_async.ServiceLogin` (``client.admin.service_login`` is the call itself), an operator's own user
account with :class:`~amino_async.PasswordLogin`. A plain end user's token is refused (403,
:class:`~amino_async.PermissionDeniedError`), except for the user-scoped licensing calls on that user's own id
(:meth:`Licenses.channel_licenses`, :meth:`Licenses.recording_devices`, :meth:`Licenses.purchase`).

What the OpenAPI files leave open, and how the SDK reads it (*inferred* unless marked *confirmed*):

- *Confirmed*: every route, parameter and body as the files write them; createUser, grantPackageToUser,
  addUserChannelLicenses, createNetworkPermission(Link) and createDeviceEntitlement answer 201 with a text body,
  revokePackageFromUser, the Irdeto delete and the BSS calls 200 with one, the rest 204 or JSON:API documents.
- *Inferred*: loginService's Digest challenge is the ``WWW-Authenticate`` of a ``POST /auth/service`` sent without
  parameters (realm "service"); ``authParams`` carries the whole Digest answer (``Digest username=..., realm=...,
  nonce=..., uri=..., response=..., ...``), computed for the call the session is for (the cookie-to-token exchange
  of ``/api/user/{user_id}/login``), which the form's ``uri`` and ``requestMethod`` name, with ``serviceUser`` the
  account: the four fields the file's example sends.
- *Inferred*: a 429 or 503 answer to a grant means it was not processed, so it is retried; a failure after the
  request may have reached the server (a reset, a timeout, another 5xx) is not, and reads as ``"unknown"``.
- *Inferred*: the BSS ``/user`` calls declare ``email`` a path parameter of a path without a placeholder; the SDK
  keeps the file's path and sends the (current) e-mail as the query's ``email``, and editUser's new e-mail, which
  the file also calls ``email``, as ``new_email``.
- The file's defects read as the schemas say: ``listLicenseTemplatesForPackage`` takes no package id (every
  template is listed); ``UserChannelLicense.permissions_granted.services_enabled`` is declared an array of arrays
  but shown as strings (strings are read); the Irdeto delete reuses the create's operationId.
"""

from __future__ import annotations

import builtins
import datetime
import uuid
from collections.abc import AsyncIterable, AsyncIterator, Iterable, Sequence
from typing import Final, Literal

from attrs import evolve

from .._constants import DEFAULT_BULK_CONCURRENCY
from .._credentials import CookieLogin
from .._decoding import decode_object
from .._encoding import resource_body, to_json
from .._errors import AminoError, ApiError, AuthenticationError, ConfigurationError, ServerError
from .._pagination import Page
from .._request import RetryPolicy
from .._resource import APIResource, Decode, uses
from .._token_calls import LOGIN_SERVICE, TokenCalls
from .._urls import Route
from ..models.admin import (
    ChannelLicenseInput,
    DvbEntitlement,
    GrantOutcome,
    LicensePackage,
    LicenseTemplate,
    NetworkPermission,
    NetworkPermissionInput,
    NewUser,
    RecordingDevice,
    StbLink,
    UserChannelLicense,
)
from ..models.users import License, MarketSegment, User
from ._bulk import Fanout, bulk_map

__all__ = ["Admin", "AdminUsers", "BssUsers", "Entitlements", "Licenses", "NetworkPermissions"]

# --- routes, as the files write them ------------------------------------------------------------------------

# rest/endpoints/config/users.yml
INDEX_USERS: Final = Route("GET", "users", "/users")
CREATE_USER: Final = Route("POST", "users", "/users")
SET_MARKET_SEGMENTS: Final = Route("PUT", "users", "/management/users/{user_id}/relationships/market_segments")
GET_MARKET_SEGMENTS: Final = Route("GET", "users", "/management/users/{user_id}/relationships/market_segments")
ADD_USER_FLAG: Final = Route("PUT", "users", "/management/users/{user_id}/relationships/user_flags")
DELETE_USER_FLAG: Final = Route("DELETE", "users", "/management/users/{user_id}/relationships/user_flags")
# rest/endpoints/config/license.yml
LICENSE_PACKAGES: Final = Route("GET", "license", "/license_packages")
LICENSE_TEMPLATES: Final = Route("GET", "license", "/license_packages/relationships/license_templates")
GRANT_PACKAGE: Final = Route("POST", "license", "/user/{user_id}/relationships/license_packages/{license_package_id}")
REVOKE_PACKAGE: Final = Route(
    "DELETE", "license", "/user/{user_id}/relationships/license_packages/{license_package_id}"
)
ADD_CHANNEL_LICENSES: Final = Route("POST", "license", "/user/{user_id}/relationships/channel_licenses")
DELETE_CHANNEL_LICENSE: Final = Route(
    "DELETE", "license", "/user/{user_id}/relationships/channel_licenses/{channel_license_id}"
)
# rest/endpoints/license/{channel_license,user_licenses}.yml (both define this GET), user_licenses_v4.yml,
# management_license.yml
CHANNEL_LICENSES: Final = Route("GET", "license", "/user/{user_id}/relationships/channel_licenses")
RECORDING_DEVICES: Final = Route("GET", "license", "/users/{user_id}/recording_devices")
CREATE_LICENSE: Final = Route("POST", "license_v4", "/users/{user_id}")
GET_LICENSES: Final = Route("GET", "license_management", "/licenses")
# rest/endpoints/config/network_restrictions.yml
INDEX_NETWORK_PERMISSIONS: Final = Route("GET", "config", "/network_permissions")
CREATE_NETWORK_PERMISSION: Final = Route("POST", "config", "/network_permissions")
UPDATE_NETWORK_PERMISSION: Final = Route("PUT", "config", "/network_permissions/{network_permission_id}")
DELETE_NETWORK_PERMISSION: Final = Route("DELETE", "config", "/network_permissions/{network_permission_id}")
LINK_NETWORK_PERMISSIONS: Final = Route("POST", "config", "/channels/{channel_id}/relationships/network_permissions")
UNLINK_NETWORK_PERMISSION: Final = Route(
    "DELETE", "config", "/channels/{channel_id}/relationships/network_permissions/{network_permission_id}"
)
# rest/endpoints/irdeto/irdeto.yml
CREATE_ENTITLEMENT: Final = Route("POST", "irdeto", "/user/{user_id}/device/{device_id}/entitlements")
DELETE_ENTITLEMENT: Final = Route("DELETE", "irdeto", "/user/{user_id}/device/{device_id}/entitlements")
# legacy/endpoints/user_management_bss/user_management.yml
BSS_CREATE_USER: Final = Route("POST", "management", "/user")
BSS_EDIT_USER: Final = Route("PUT", "management", "/user")
BSS_DELETE_USER: Final = Route("DELETE", "management", "/user")
LINK_STB: Final = Route("POST", "management", "/stb/link_user")

#: The page sizes the files state: 100 users, 1000 licenses.
USERS_PAGE_SIZE: Final = 100
LICENSES_PAGE_SIZE: Final = 1000

#: Answers that say a call was not processed, so that a grant (a POST) may be sent again after one.
_NOT_PROCESSED: Final = frozenset({429, 503})


def _not_processed(policy: RetryPolicy) -> RetryPolicy:
    """``policy`` for a call that must reach the server at most once: retried only after an answer saying it was
    not processed (429, 503), or a failure that cannot have reached the server."""
    return evolve(policy, statuses=_NOT_PROCESSED, resend=False)


def _standing(error: AminoError) -> Literal["failed", "unknown"]:
    """Where a grant that ended in ``error`` stands: refused (or never sent), or possibly done."""
    if isinstance(error, ServerError):
        return "failed" if error.status in _NOT_PROCESSED else "unknown"
    if isinstance(error, (ApiError, AuthenticationError, ConfigurationError)):
        return "failed"  # the server refused it, or it was never sent
    return "unknown"  # a reset, a timeout, a client closed mid-call: the request may have been processed


class Admin(APIResource):
    """Operator management (back-office calls, with an operator's credentials), as nested resources.

    ``client.admin.users``, ``.licenses``, ``.network_permissions``, ``.entitlements``, ``.bss``; and
    :meth:`service_login`, the legacy service login itself.
    """

    __slots__ = ()

    @property
    def users(self) -> AdminUsers:
        """User accounts, market segments and user flags (``/api/users/v1``)."""
        return AdminUsers(self._api)

    @property
    def licenses(self) -> Licenses:
        """License packages, grants, channel licenses, licenses and recording devices (``/api/license/...``)."""
        return Licenses(self._api)

    @property
    def network_permissions(self) -> NetworkPermissions:
        """Network permissions and their links to channels (``/api/config/v1``)."""
        return NetworkPermissions(self._api)

    @property
    def entitlements(self) -> Entitlements:
        """Set-top boxes' DVB entitlements (``/api/irdeto/v1``)."""
        return Entitlements(self._api)

    @property
    def bss(self) -> BssUsers:
        """The legacy BSS user management (``/api/management``)."""
        return BssUsers(self._api)

    @uses(LOGIN_SERVICE)
    async def service_login(self, username: str, password: str, *, user_id: str | None = None) -> CookieLogin:
        """loginService (``POST /auth/service``): a service account's session, as credentials for the
        cookie-to-token exchange of ``user_id`` (default: the username).

        ``client.with_auth(await client.admin.service_login(...))`` then calls as the service account;
        :class:`~amino_async.ServiceLogin` does both steps by itself, and again whenever the tokens run out.
        """
        user = user_id or username
        calls = TokenCalls(self._api.sender, self._api.urls)
        return CookieLogin(user, await calls.service_login(username, password, user_id=user))


class AdminUsers(APIResource):
    """User accounts (``/api/users/v1/users``), their market segments and their user flags (``/management/...``).

    Finding one user by id or e-mail is ``getUser``, the user configuration's ``client.users.get``.
    """

    __slots__ = ()

    @uses(INDEX_USERS)
    async def list(
        self, *, page_number: int = 1, registration_status: str | None = None, max_retries: int | None = None
    ) -> Page[User]:
        """One page (100 users) of every user (``GET /api/users/v1/users``), or those in ``registration_status``."""
        query = {"page_number": page_number, "registration_status": registration_status}
        api = self._api.retrying(max_retries)
        return await api.page(INDEX_USERS, None, query, User, size=USERS_PAGE_SIZE)

    @uses(INDEX_USERS)
    async def iterate(
        self, *, registration_status: str | None = None, max_retries: int | None = None
    ) -> AsyncIterator[User]:
        """Every user, page after page."""
        page: Page[User] | None = await self.list(registration_status=registration_status, max_retries=max_retries)
        while page is not None:
            for user in page.items:
                yield user
            page = await page.next_page()

    @uses(CREATE_USER)
    async def create(self, user: NewUser) -> None:
        """createUser (``POST /api/users/v1/users``): a new user account.

        The API answers 201 with no id; list the users (or ``client.users.get(email)``) to find it.
        """
        await self._api.call(CREATE_USER, json=to_json(user))

    @uses(GET_MARKET_SEGMENTS)
    async def market_segments(self, user_id: str) -> builtins.list[MarketSegment]:
        """The market segments of a user (``GET /api/users/v1/management/users/{user_id}/relationships/...``)."""
        return await self._api.call(GET_MARKET_SEGMENTS, {"user_id": user_id}, answer=builtins.list[MarketSegment])

    @uses(SET_MARKET_SEGMENTS)
    async def set_market_segments(self, user_id: str, market_segment_ids: Iterable[str]) -> None:
        """Replace a user's market segments with these (``PUT .../relationships/market_segments``; not additive)."""
        body = [{"id": segment, "type": "MarketSegment"} for segment in _strings(market_segment_ids, "market_segment")]
        await self._api.call(SET_MARKET_SEGMENTS, {"user_id": user_id}, json=body)

    @uses(ADD_USER_FLAG)
    async def add_flag(self, user_id: str, flag: str) -> None:
        """Give a user a flag, e.g. ``LICENSE_PURCHASE_RESTRICTED`` (``PUT .../relationships/user_flags``)."""
        await self._api.call(ADD_USER_FLAG, {"user_id": user_id}, query={"flag": flag})

    @uses(DELETE_USER_FLAG)
    async def remove_flag(self, user_id: str, flag: str) -> None:
        """Take a flag from a user (``DELETE .../relationships/user_flags``)."""
        await self._api.call(DELETE_USER_FLAG, {"user_id": user_id}, query={"flag": flag})


class Licenses(APIResource):
    """License packages and their grants, channel licenses, licenses and recording devices.

    ``/api/license/v1``, ``/api/license/v4`` and ``/api/license/management/v4``. The user-scoped reads and
    :meth:`purchase` default to the logged-in user and work with that user's own token.
    """

    __slots__ = ()

    @uses(LICENSE_PACKAGES)
    async def packages(self) -> builtins.list[LicensePackage]:
        """Every license package (``GET /api/license/v1/license_packages``)."""
        return await self._api.call(LICENSE_PACKAGES, answer=builtins.list[LicensePackage])

    @uses(LICENSE_TEMPLATES)
    async def templates(self) -> builtins.list[LicenseTemplate]:
        """The license templates of the packages (``GET .../license_packages/relationships/license_templates``).

        The file takes no package id: this is every template the deployment lists.
        """
        return await self._api.call(LICENSE_TEMPLATES, answer=builtins.list[LicenseTemplate])

    @uses(GRANT_PACKAGE)
    async def grant(self, user_id: str, license_package_id: str, *, max_retries: int | None = None) -> None:
        """Grant a package to a user (``POST .../user/{user_id}/relationships/license_packages/{id}``): a channel
        license is created for each of its templates.

        Sent again only after an answer saying it was not processed (429, 503) or a failure that cannot have
        reached the server: never after one that may have (a reset mid-answer, a timeout), whose error is raised.
        """
        api = self._api.retrying(max_retries)
        path = {"user_id": user_id, "license_package_id": license_package_id}
        await api.call(GRANT_PACKAGE, path, idempotent=True, retry=_not_processed(api.sender.retry))

    @uses(GRANT_PACKAGE)
    def grant_many(
        self,
        user_ids: Iterable[str] | AsyncIterable[str],
        license_package_id: str,
        *,
        concurrency: int = DEFAULT_BULK_CONCURRENCY,
        max_retries: int | None = None,
    ) -> Fanout[GrantOutcome]:
        """Grant a package to many users, ``concurrency`` at a time, each outcome as it completes.

        Every user id comes back exactly once, as a :class:`~amino_async.models.GrantOutcome`: ``"granted"``,
        ``"failed"`` (refused, or never processed: safe to try again) or ``"unknown"`` (the request may have
        reached the server and was not sent again, so no user is granted twice). Ids are read lazily and at most
        ``concurrency`` grants are in flight, so memory does not grow with the number of users. The same fan-out
        as ``client.channels.streams_many``; best used as a block::

            async with client.admin.licenses.grant_many(user_ids, package_id) as outcomes:
                async for outcome in outcomes:
                    ...
        """

        async def grant(user_id: str) -> GrantOutcome:
            try:
                await self.grant(user_id, license_package_id, max_retries=max_retries)
            except AminoError as exc:
                return GrantOutcome(
                    user_id=user_id, license_package_id=license_package_id, status=_standing(exc), error=exc
                )
            return GrantOutcome(user_id=user_id, license_package_id=license_package_id, status="granted")

        return bulk_map(grant, user_ids, concurrency=concurrency)

    @uses(REVOKE_PACKAGE)
    async def revoke(self, user_id: str, license_package_id: str) -> None:
        """Revoke a package from a user (``DELETE .../relationships/license_packages/{id}``): the channel licenses
        its templates created go with it."""
        await self._api.call(REVOKE_PACKAGE, {"user_id": user_id, "license_package_id": license_package_id})

    @uses(ADD_CHANNEL_LICENSES)
    async def add_channel_licenses(self, user_id: str, licenses: Iterable[ChannelLicenseInput]) -> None:
        """Add channel licenses to a user (``POST /api/license/v1/user/{user_id}/relationships/channel_licenses``)."""
        body = to_json(builtins.list(licenses))
        if not body:
            raise ConfigurationError("licenses must hold at least one channel license")
        await self._api.call(ADD_CHANNEL_LICENSES, {"user_id": user_id}, json=body)

    @uses(DELETE_CHANNEL_LICENSE)
    async def delete_channel_license(self, user_id: str, channel_license_id: str) -> None:
        """Remove one channel license from a user (``DELETE .../channel_licenses/{channel_license_id}``)."""
        path = {"user_id": user_id, "channel_license_id": channel_license_id}
        await self._api.call(DELETE_CHANNEL_LICENSE, path)

    @uses(CHANNEL_LICENSES)
    async def channel_licenses(self, *, user_id: str | None = None) -> builtins.list[UserChannelLicense]:
        """A user's channel licenses, by default the logged-in user's (``GET .../relationships/channel_licenses``)."""
        user = await self._user_id(user_id)
        return await self._api.call(CHANNEL_LICENSES, {"user_id": user}, answer=builtins.list[UserChannelLicense])

    @uses(RECORDING_DEVICES)
    async def recording_devices(self, *, user_id: str | None = None) -> builtins.list[RecordingDevice]:
        """The devices a user may record on, by default the logged-in user's
        (``GET /api/license/v1/users/{user_id}/recording_devices``)."""
        user = await self._user_id(user_id)
        return await self._api.call(RECORDING_DEVICES, {"user_id": user}, answer=builtins.list[RecordingDevice])

    @uses(CREATE_LICENSE)
    async def purchase(
        self,
        product_id: str,
        *,
        pin_code: str,
        payment_method: str = "billing",
        user_id: str | None = None,
        idempotency_key: str | None = None,
    ) -> License:
        """createLicense (``POST /api/license/v4/users/{user_id}``): buy a product's license for a user, by default
        the logged-in one, authorised by the account's PIN.

        The ``Idempotency-Key`` (default: a new UUID) goes with every attempt, so the call is retried like a
        read; pass your own to repeat a purchase safely across runs. A wrong PIN is a 403
        (:class:`~amino_async.PermissionDeniedError`), an unknown product a 404.
        """
        user = await self._user_id(user_id)
        key = idempotency_key if idempotency_key is not None else str(uuid.uuid4())
        relationships = {
            "user": {"data": {"type": "User", "id": user}},
            "product": {"data": {"type": "Product", "id": product_id}},
        }
        body = resource_body(
            "License", {"purchase_record": {"payment_method": payment_method}}, relationships=relationships
        )
        body["data"]["meta"] = {"authorization": {"pin_code": pin_code}}
        return await self._api.call(
            CREATE_LICENSE,
            {"user_id": user},
            json=body,
            headers={"Idempotency-Key": key},
            idempotent=True,
            answer=License,
        )

    @uses(GET_LICENSES)
    async def list(
        self, *, page_number: int = 1, filter: str | None = None, max_retries: int | None = None
    ) -> Page[License]:
        """One page (1000) of every license (``GET /api/license/management/v4/licenses``).

        ``filter`` as the file describes it, on ``status``, ``payment_method`` or ``purchase_later_than``.
        """
        query = {"page_number": page_number, "filter": filter}
        api = self._api.retrying(max_retries)
        return await api.page(GET_LICENSES, None, query, License, size=LICENSES_PAGE_SIZE)

    @uses(GET_LICENSES)
    async def iterate(self, *, filter: str | None = None, max_retries: int | None = None) -> AsyncIterator[License]:
        """Every license, page after page."""
        page: Page[License] | None = await self.list(filter=filter, max_retries=max_retries)
        while page is not None:
            for license in page.items:
                yield license
            page = await page.next_page()


class NetworkPermissions(APIResource):
    """Network permissions (which services an IP range may use) and their links to channels (``/api/config/v1``)."""

    __slots__ = ()

    @uses(INDEX_NETWORK_PERMISSIONS)
    async def list(self) -> builtins.list[NetworkPermission]:
        """Every network permission (``GET /api/config/v1/network_permissions``)."""
        return await self._api.call(INDEX_NETWORK_PERMISSIONS, answer=builtins.list[NetworkPermission])

    @uses(CREATE_NETWORK_PERMISSION)
    async def create(self, permission: NetworkPermissionInput) -> None:
        """A new network permission (``POST /api/config/v1/network_permissions``; the API answers with no id)."""
        await self._api.call(CREATE_NETWORK_PERMISSION, json=to_json(permission))

    @uses(UPDATE_NETWORK_PERMISSION)
    async def update(self, network_permission_id: str, permission: NetworkPermissionInput) -> None:
        """Replace a network permission (``PUT /api/config/v1/network_permissions/{network_permission_id}``)."""
        path = {"network_permission_id": network_permission_id}
        await self._api.call(UPDATE_NETWORK_PERMISSION, path, json=to_json(permission))

    @uses(DELETE_NETWORK_PERMISSION)
    async def delete(self, network_permission_id: str) -> None:
        """Delete a network permission (``DELETE /api/config/v1/network_permissions/{network_permission_id}``)."""
        await self._api.call(DELETE_NETWORK_PERMISSION, {"network_permission_id": network_permission_id})

    @uses(LINK_NETWORK_PERMISSIONS)
    async def link(self, channel_id: str, network_permission_ids: Iterable[str]) -> None:
        """Restrict a channel to these network permissions
        (``POST /api/config/v1/channels/{channel_id}/relationships/network_permissions``)."""
        ids = _strings(network_permission_ids, "network_permission")
        body = {"data": [{"type": "NetworkPermission", "id": ident} for ident in ids]}
        await self._api.call(LINK_NETWORK_PERMISSIONS, {"channel_id": channel_id}, json=body)

    @uses(UNLINK_NETWORK_PERMISSION)
    async def unlink(self, channel_id: str, network_permission_id: str) -> None:
        """Remove a network permission from a channel (``DELETE .../network_permissions/{network_permission_id}``)."""
        path = {"channel_id": channel_id, "network_permission_id": network_permission_id}
        await self._api.call(UNLINK_NETWORK_PERMISSION, path)


class Entitlements(APIResource):
    """The DVB entitlements of users' set-top boxes, kept in the Irdeto KMS (``/api/irdeto/v1``)."""

    __slots__ = ()

    @uses(CREATE_ENTITLEMENT)
    async def create(
        self, user_id: str, device_id: str, dvb: Sequence[DvbEntitlement], *, channel_id: str | None = None
    ) -> None:
        """Entitle a user's set-top box (``device_id``, its serial number) to watch these DVB services
        (``POST /api/irdeto/v1/user/{user_id}/device/{device_id}/entitlements``); ``channel_id`` names the
        channel they carry."""
        body: dict[str, object] = {"dvb": to_json(builtins.list(dvb))}
        if channel_id is not None:
            body["relationships"] = {"program": {"data": {"type": "Channel", "id": channel_id}}}
        await self._api.call(CREATE_ENTITLEMENT, {"user_id": user_id, "device_id": device_id}, json=body)

    @uses(DELETE_ENTITLEMENT)
    async def delete(self, user_id: str, device_id: str) -> None:
        """Remove a set-top box's entitlement (``DELETE .../user/{user_id}/device/{device_id}/entitlements``)."""
        await self._api.call(DELETE_ENTITLEMENT, {"user_id": user_id, "device_id": device_id})


class BssUsers(APIResource):
    """The legacy user management of a BSS integration (``/api/management``): accounts by e-mail, and set-top
    boxes. ``service`` is the service the user belongs to."""

    __slots__ = ()

    @uses(BSS_CREATE_USER)
    async def create_user(
        self,
        email: str,
        *,
        service: str,
        cid: str,
        purchase_pin: str | int,
        dob: datetime.date | None = None,
    ) -> None:
        """Add a user account, in state UNREGISTERED (``POST /api/management/user``); a deleted account of that
        e-mail still in its grace period is restored instead."""
        query = {
            "service": service,
            "email": email,
            "cid": cid,
            "purchase_pin": str(purchase_pin),
            "dob": dob.isoformat() if dob is not None else None,
        }
        await self._api.call(BSS_CREATE_USER, query=query)

    @uses(BSS_EDIT_USER)
    async def edit_user(
        self,
        email: str,
        *,
        service: str,
        action: Literal["SUSPEND", "ACTIVATE"],
        purchase_pin: str | int,
        new_email: str | None = None,
        cid: str | None = None,
        reset_pin: bool | None = None,
    ) -> None:
        """Suspend or activate an account, or change its e-mail or customer id (``PUT /api/management/user``).

        ``email`` is the current one; ``reset_pin`` resets the channel lock PIN to its default.
        """
        query = {
            "service": service,
            "email": email,
            "new_email": new_email,
            "cid": cid,
            "purchase_pin": str(purchase_pin),
            "isResetPin": reset_pin,
            "action": action,
        }
        await self._api.call(BSS_EDIT_USER, query=query)

    @uses(BSS_DELETE_USER)
    async def delete_user(self, email: str, *, service: str, stamp: int | None = None) -> None:
        """Delete an account (``DELETE /api/management/user``): its state becomes DELETED, and its data goes once
        the grace period is over. ``stamp`` is the Unix time appended to the e-mail."""
        await self._api.call(
            BSS_DELETE_USER, query={"service": service, "email": email, "suspend": "true", "stamp": stamp}
        )

    @uses(LINK_STB)
    async def link_stb(
        self, serial_no: str, email: str, *, chipset_id: str | None = None, mac: str | None = None
    ) -> StbLink:
        """Give a user a set-top box they bought (``POST /api/management/stb/link_user``)."""
        form = {"serial_no": serial_no, "email": email, "chipset_id": chipset_id, "mac": mac}
        return await self._api.call(LINK_STB, form=form, answer=Decode(_stb_link))


def _stb_link(value: object, strict: bool) -> StbLink:
    return decode_object(value, StbLink, strict=strict)


def _strings(values: Iterable[str], name: str) -> builtins.list[str]:
    found = builtins.list(values)
    if isinstance(values, str) or any(not isinstance(value, str) for value in found):
        raise ConfigurationError(f"{name} ids must be an iterable of strings")
    return found
