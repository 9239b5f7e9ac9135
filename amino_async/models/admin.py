"""Operator management and licensing (``/api/users/v1`` management, ``/api/license/...``, ``/api/config/v1``,
``/api/irdeto/v1``, ``/api/management``): user accounts, market segments, license packages and licenses, network
permissions, device entitlements, and the typed inputs of their write calls.

Inputs are frozen attrs classes encoded by :func:`amino_async._encoding.to_json`: a field left at None is left out
of the body. The value classes that are both read and written (:class:`UserName`, :class:`ContactDetails`,
:class:`RegistrationInformation`, :class:`ViewerAdvice`, :class:`PermissionsGranted`) serve as both.
"""

from __future__ import annotations

from typing import Literal

from attrs import field, frozen

from .._errors import AminoError
from ._common import Entity, Model
from .catalogue import DvbTriplet
from .users import ContactDetails, RegistrationInformation, UserName, ViewerAdvice

__all__ = [
    "ChannelLicenseInput",
    "DvbEntitlement",
    "GrantOutcome",
    "LicensePackage",
    "LicenseTemplate",
    "NetworkPermission",
    "NetworkPermissionInput",
    "NetworkService",
    "NewUser",
    "NewUserSecurity",
    "PackageAvailability",
    "PermissionsGranted",
    "RecordingDevice",
    "StbLink",
    "StbUser",
    "UserChannelLicense",
]

#: The services a network permission or a channel license enables.
NetworkService = Literal["live", "npvr", "lpvr", "catchup", "startover"]


# --- users --------------------------------------------------------------------------------------------------


@frozen(repr=False)
class NewUserSecurity(Model):
    """The security settings of a new user: the plaintext password and PINs, sent once and never shown."""

    password_hashing_algorithm: str = "digest"
    new_password: str | None = None
    auth_pin: str | None = None
    purchase_pin: str | None = None
    licenses_must_auto_renew: bool | None = None

    def __repr__(self) -> str:
        return f"NewUserSecurity(password_hashing_algorithm={self.password_hashing_algorithm!r}, secrets=<hidden>)"


@frozen(kw_only=True)
class NewUser(Model):
    """The body of createUser (``POST /api/users/v1/users``): a ``UserEntity`` as the file documents it.

    ``name.full_name``, ``contact_details.email`` and the registration timestamps and state are what the API
    requires.
    """

    name: UserName
    contact_details: ContactDetails
    registration_information: RegistrationInformation
    security: NewUserSecurity = NewUserSecurity()
    external_reference: str | None = None
    is_demo_user: bool | None = None
    viewer_advice: ViewerAdvice | None = None
    emergency_alert_service: dict[str, str] | None = None
    user_flags: tuple[str, ...] | None = None


# --- licensing ----------------------------------------------------------------------------------------------


@frozen
class PackageAvailability(Model):
    """When a license package may be granted (Unix seconds)."""

    available_after_timestamp: int | None = None
    available_until_timestamp: int | None = None


@frozen
class LicensePackage(Entity):
    """A license package (``LicensePackage``): a group of license templates granted to users together."""

    id: str
    name: str | None = None
    availability: PackageAvailability | None = None


@frozen
class PermissionsGranted(Model):
    """What a channel license allows: its services and, where it came from a package's template, the template."""

    services_enabled: tuple[str, ...] = ()
    trickplay_enabled: tuple[str, ...] = ()
    #: Present when the license was created from a template (so revoking the package removes it).
    template_id: str | None = None


@frozen
class UserChannelLicense(Entity):
    """A user's license for one channel (``UserChannelLicense``); ``id`` is the license's own."""

    id: str
    channel_id: str | None = None
    permissions_granted: PermissionsGranted = PermissionsGranted()

    @property
    def template_id(self) -> str | None:
        """The template the license was created from, if any."""
        return self.permissions_granted.template_id


@frozen
class LicenseTemplate(Entity):
    """A license template of a package (type ``LicenseTemplate``): the channel license each grant creates."""

    id: str
    channel_id: str | None = None
    permissions_granted: PermissionsGranted = PermissionsGranted()


@frozen
class ChannelLicenseInput(Model):
    """One channel license to add to a user (addUserChannelLicenses' body is an array of these)."""

    channel_id: str
    permissions_granted: PermissionsGranted


@frozen
class RecordingDevice(Entity):
    """A device a user may record on (``UserRecordingDevice``): the cloud, a set-top box, or a foreign one."""

    id: str
    type: str | None = None
    #: None for cloud and foreign devices.
    physical_device_id: str | None = None
    quota_hours: int | None = None
    hours_used: int | None = None
    max_concurrent_recordings: int | None = None


@frozen(kw_only=True)
class GrantOutcome(Model):
    """One user's outcome in :meth:`~amino_async.resources.admin.Licenses.grant_many`.

    ``status`` says where the grant stands:

    - ``"granted"``: the server answered 201;
    - ``"failed"``: the server refused it or never had it (``error`` says why: a 403, 404, a 503 that outlasted
      the retries, a connection that could not be made); safe to try again;
    - ``"unknown"``: the request may have reached the server but its answer was lost (a reset, a timeout). It was
      not sent again: the user may or may not hold the package now; check before granting again.
    """

    user_id: str
    license_package_id: str
    status: Literal["granted", "failed", "unknown"]
    error: AminoError | None = None

    @property
    def ok(self) -> bool:
        """Whether the package was granted."""
        return self.status == "granted"


# --- network permissions ------------------------------------------------------------------------------------


@frozen
class NetworkPermission(Entity):
    """A network permission (``NetworkPermission``): the services allowed from an IP range (one of v4, v6)."""

    id: str
    ip4_cidr_block: str | None = None
    ip6_cidr_block: str | None = None
    services_enabled: tuple[str, ...] = ()


@frozen
class NetworkPermissionInput(Model):
    """The body of createNetworkPermission and updateNetworkPermissions: one IP block and its services.

    The file says one of the blocks is given and not both; the SDK leaves that to the server to judge.
    """

    services_enabled: tuple[NetworkService, ...]
    ip4_cidr_block: str | None = None
    ip6_cidr_block: str | None = None


# --- device entitlements (Irdeto) ---------------------------------------------------------------------------


@frozen
class DvbEntitlement(Model):
    """One DVB service a set-top box is entitled to: how it is transmitted and its DVB triplet."""

    triplet: DvbTriplet
    #: The DVB system, e.g. ``"C"`` (cable).
    transmission_type: str | None = None


# --- the legacy BSS user management (/api/management) -------------------------------------------------------


@frozen
class StbUser(Model):
    """The user a set-top box was linked to."""

    id: str
    email: str | None = None


@frozen
class StbLink(Model):
    """The answer of ``POST /api/management/stb/link_user``: the box and its new owner."""

    id: str
    serial_no: str = field(metadata={"json": "serialNo"})
    user: StbUser
