"""The values the API returns, as frozen slotted attrs classes: one module per API area.

- ``_common``: what every area shares: :class:`Entity` (the base of every model decoded from a JSON:API resource),
  :class:`ErrorObject`, :class:`ResourceRef`, :class:`Image`.
- ``catalogue``: channels and their value objects, the genres and products included beside them, programmes,
  series, seasons, episodes and credited persons.
- ``schedule``: broadcast slots (the EPG) and catch-up items.
- ``playback``: media play sessions and playback info (resume points), with their inputs.
- ``commerce``: channel packages, recommendations and viewer events.
- ``media``: streams and their protection keys.
- ``recordings``: recordings, auto-recording requests, recording groups and quotas (v4), user recordings, requests
  and recording slots (v1), and the typed inputs of their request bodies.
- ``users``: the user, profiles, favourite channel lists, channel locks, market segments, and their bodies.
- ``admin``: operator management and licensing: license packages, channel licenses, network permissions,
  device entitlements, the bulk grant's outcomes, and the inputs of their write calls (the user entity and its
  values are ``users``').
- ``legacy``: the legacy API's answers (plain JSON, not JSON:API), kept apart: ``amino_async.models.legacy``.

A new area gets its own module in the same style, re-exported here.

Every model class derives from ``_common.Model`` (``Entity`` does): its ``__get_pydantic_core_schema__`` makes the
class a pydantic type (a FastAPI ``response_model``, a ``pydantic.TypeAdapter``), with a schema built from the
attrs fields when pydantic first asks (``_pydantic``), so that importing the SDK never imports pydantic. A new
model class derives from ``Model`` or ``Entity`` too (``tests/test_fastapi_models.py`` checks every public one).

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
from ._common import (
    Entity,
    ErrorObject,
    FrozenDict,
    Image,
    ResourceRef,
)
from .admin import (
    ChannelLicenseInput,
    DvbEntitlement,
    GrantOutcome,
    LicensePackage,
    LicenseTemplate,
    NetworkPermission,
    NetworkPermissionInput,
    NetworkService,
    NewUser,
    NewUserSecurity,
    PackageAvailability,
    PermissionsGranted,
    RecordingDevice,
    StbLink,
    StbUser,
    UserChannelLicense,
)
from .catalogue import (
    AvailabilityWindow,
    Channel,
    ContentFlag,
    CreditedPerson,
    DeliveryNetwork,
    Descriptions,
    DvbService,
    DvbTriplet,
    Episode,
    Genre,
    GeoAvailability,
    Product,
    Program,
    ProviderProgramInfo,
    Season,
    Series,
    ServicesAvailable,
)
from .commerce import (
    ChannelPackage,
    Recommendation,
    ValidityWindow,
    ViewerEvent,
)
from .media import (
    ProtectionKey,
    Stream,
)
from .playback import (
    AssetType,
    MediaPlaySession,
    MediaPlaySessionInput,
    PlaybackInfo,
    Service,
)
from .recordings import (
    AutoRecordingRequest,
    AutoRecordingRequestUpdate,
    BatchDelete,
    BroadcastLanguage,
    BulkDelete,
    BulkDeletion,
    EpgBroadcastSlot,
    GroupRecording,
    MetadataProviderInformation,
    NewAutoRecordingRequest,
    NewRecording,
    NewUserRecordingRequest,
    OriginalBroadcastSlot,
    RecordedBroadcastSlot,
    Recording,
    RecordingGroup,
    RecordingSeries,
    RecordingSlot,
    RecordingSlotProgram,
    RecordingSlotStatus,
    RecordingSlotUpdate,
    RecordingSubtitleLanguage,
    RecordingToDelete,
    RecordingUpdate,
    RelationshipData,
    SerialRecording,
    StorageQuota,
    StreamLinks,
    StreamsRelationship,
    UserRecording,
    UserRecordingGroup,
    UserRecordingRelationships,
    UserRecordingRequest,
    UserRecordingUpdate,
)
from .schedule import (
    AudioLanguage,
    BroadcastSlot,
    CatchupItem,
    CatchupSubtitle,
    ProviderInfo,
    SlotProgram,
    SubtitleLanguage,
)
from .users import (
    ConfirmResetPasswordBody,
    ContactDetails,
    ContactDetailsBody,
    EmergencyAlertService,
    FavouriteChannel,
    FavouriteChannelList,
    FavouriteChannelListBody,
    License,
    LicensePurchaseRecord,
    MarketSegment,
    PasswordChangeBody,
    RegistrationInformation,
    ResetPasswordBody,
    User,
    UserChannelLockingConfiguration,
    UserChannelLockingConfigurationBody,
    UserInfoPatchBody,
    UserName,
    UserNameBody,
    UserPatchRequestBody,
    UserProfile,
    UserProfileBody,
    UserProfilePatchRequestBody,
    UserSecurity,
    ViewerAdvice,
)

__all__ = [
    "AssetType",
    "AudioLanguage",
    "AutoRecordingRequest",
    "AutoRecordingRequestUpdate",
    "AvailabilityWindow",
    "BatchDelete",
    "BroadcastLanguage",
    "BroadcastSlot",
    "BulkDelete",
    "BulkDeletion",
    "CatchupItem",
    "CatchupSubtitle",
    "Channel",
    "ChannelLicenseInput",
    "ChannelPackage",
    "ConfirmResetPasswordBody",
    "ContactDetails",
    "ContactDetailsBody",
    "ContentFlag",
    "CreditedPerson",
    "DeliveryNetwork",
    "Descriptions",
    "DvbEntitlement",
    "DvbService",
    "DvbTriplet",
    "EmergencyAlertService",
    "Entity",
    "EpgBroadcastSlot",
    "Episode",
    "ErrorObject",
    "FavouriteChannel",
    "FavouriteChannelList",
    "FavouriteChannelListBody",
    "FrozenDict",
    "Genre",
    "GeoAvailability",
    "GrantOutcome",
    "GroupRecording",
    "Image",
    "License",
    "LicensePackage",
    "LicensePurchaseRecord",
    "LicenseTemplate",
    "MarketSegment",
    "MediaPlaySession",
    "MediaPlaySessionInput",
    "MetadataProviderInformation",
    "NetworkPermission",
    "NetworkPermissionInput",
    "NetworkService",
    "NewAutoRecordingRequest",
    "NewRecording",
    "NewUser",
    "NewUserRecordingRequest",
    "NewUserSecurity",
    "OriginalBroadcastSlot",
    "PackageAvailability",
    "PasswordChangeBody",
    "PermissionsGranted",
    "PlaybackInfo",
    "Product",
    "Program",
    "ProtectionKey",
    "ProviderInfo",
    "ProviderProgramInfo",
    "Recommendation",
    "RecordedBroadcastSlot",
    "Recording",
    "RecordingDevice",
    "RecordingGroup",
    "RecordingSeries",
    "RecordingSlot",
    "RecordingSlotProgram",
    "RecordingSlotStatus",
    "RecordingSlotUpdate",
    "RecordingSubtitleLanguage",
    "RecordingToDelete",
    "RecordingUpdate",
    "RegistrationInformation",
    "RelationshipData",
    "ResetPasswordBody",
    "ResourceRef",
    "Season",
    "SerialRecording",
    "Series",
    "Service",
    "ServicesAvailable",
    "SlotProgram",
    "StbLink",
    "StbUser",
    "StorageQuota",
    "Stream",
    "StreamLinks",
    "StreamsRelationship",
    "SubtitleLanguage",
    "User",
    "UserChannelLicense",
    "UserChannelLockingConfiguration",
    "UserChannelLockingConfigurationBody",
    "UserInfoPatchBody",
    "UserName",
    "UserNameBody",
    "UserPatchRequestBody",
    "UserProfile",
    "UserProfileBody",
    "UserProfilePatchRequestBody",
    "UserRecording",
    "UserRecordingGroup",
    "UserRecordingRelationships",
    "UserRecordingRequest",
    "UserRecordingUpdate",
    "UserSecurity",
    "ValidityWindow",
    "ViewerAdvice",
    "ViewerEvent",
    "legacy",
]
