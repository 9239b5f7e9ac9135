"""The values the API returns, as frozen slotted attrs classes: one module per API area.

- ``_common``: what every area shares: :class:`Entity` (the base of every model decoded from a JSON:API resource),
  :class:`ErrorObject`, :class:`ResourceRef`, :class:`Image`.
- ``catalogue``: channels and their value objects, and the genres and products included beside them.
- ``media``: streams and their protection keys.
- ``users``: user profiles.
- ``admin``: operator management and licensing: user accounts, market segments, license packages, licenses,
  network permissions, device entitlements, and the inputs of their write calls.
- ``legacy``: the legacy API's answers (plain JSON, not JSON:API), kept apart: ``amino_async.models.legacy``.

A new area (schedule, recordings, ...) gets its own module in the same style, re-exported here.

How the decoder (``amino_async._decoding``) reads a model, so that each rule is declared once, on the field:

- Models are flat: an entity's JSON:API ``attributes`` become fields beside its ``id``. Lists become tuples, so that
  every model is immutable. Keys the SDK does not know are ignored.
- **A field without a default is strict**: the SDK needs it (an ``id``, a stream's ``stream_url``, an image's
  ``url``), so a missing or undecodable value is a :class:`~amino_async.DecodeError` naming its path.
- **A field with a default is tolerant**: missing, it takes its default; sent in a shape other than documented,
  the top-level attribute holding it takes its default too, its JSON value is kept in the entity's ``raw`` and one
  DEBUG line says so. ``AminoClient(..., strict=True)`` makes those a :class:`~amino_async.DecodeError` as well.
- ``field(metadata={"json": "laUrl"})``: the field's JSON key, where it differs from the Python name.
- ``field(default=(), metadata={"included": "Genre"})``: not read from the attributes but resolved, through the
  resource's relationships, to the ``included`` resources of that type (decoded into the field's model).
- ``field(default=(), metadata={"refs": True})``: a ``tuple[ResourceRef, ...]`` read from the attributes' own
  ``relationships`` (the Amino files' form), to which the references of the resource's JSON:API ``relationships``
  object are added.
- ``field(metadata={"fill": "raw"})`` (:attr:`Entity.raw`) and ``field(metadata={"fill": "extra"})`` (the keys of
  the object that no field reads): filled by the SDK, never read from the document.
"""

from . import legacy
from ._common import Entity, ErrorObject, Image, ResourceRef
from .admin import (
    ChannelLicenseInput,
    ContactDetails,
    DvbEntitlement,
    GrantOutcome,
    License,
    LicensePackage,
    LicensePurchaseRecord,
    LicenseTemplate,
    MarketSegment,
    NetworkPermission,
    NetworkPermissionInput,
    NetworkService,
    NewUser,
    NewUserSecurity,
    PackageAvailability,
    PermissionsGranted,
    RecordingDevice,
    RegistrationInformation,
    StbLink,
    StbUser,
    UserAccount,
    UserChannelLicense,
    UserName,
    UserSecurity,
    ViewerAdvice,
)
from .catalogue import (
    AvailabilityWindow,
    Channel,
    ContentFlag,
    DeliveryNetwork,
    DvbService,
    DvbTriplet,
    Genre,
    GeoAvailability,
    Product,
    ServicesAvailable,
)
from .media import ProtectionKey, Stream
from .users import UserProfile

__all__ = [
    "AvailabilityWindow",
    "Channel",
    "ChannelLicenseInput",
    "ContactDetails",
    "ContentFlag",
    "DeliveryNetwork",
    "DvbEntitlement",
    "DvbService",
    "DvbTriplet",
    "Entity",
    "ErrorObject",
    "Genre",
    "GeoAvailability",
    "GrantOutcome",
    "Image",
    "License",
    "LicensePackage",
    "LicensePurchaseRecord",
    "LicenseTemplate",
    "MarketSegment",
    "NetworkPermission",
    "NetworkPermissionInput",
    "NetworkService",
    "NewUser",
    "NewUserSecurity",
    "PackageAvailability",
    "PermissionsGranted",
    "Product",
    "ProtectionKey",
    "RecordingDevice",
    "RegistrationInformation",
    "ResourceRef",
    "ServicesAvailable",
    "StbLink",
    "StbUser",
    "Stream",
    "UserAccount",
    "UserChannelLicense",
    "UserName",
    "UserProfile",
    "UserSecurity",
    "ViewerAdvice",
    "legacy",
]
