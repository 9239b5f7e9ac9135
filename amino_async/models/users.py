"""User configuration (``/api/users/v1``, ``/api/users/v2``): the user, profiles, favourites, channel locks, market
segments, and the typed bodies of the calls that write them.

Models (decoded from answers) are named after the OpenAPI snippets they read (``UserProfile``,
``FavouriteChannelList``, ``UserChannelLockingConfiguration``, ``MarketSegment``, ``User``, ``License``). Inputs
(what the SDK sends) end in ``Body``; fields left at None are left out of the JSON, and secrets (passwords, PINs,
reset codes) are kept out of every repr.
"""

from __future__ import annotations

from attrs import field, frozen

from ._common import Entity, Model, ResourceRef
from .catalogue import Product

__all__ = [
    "ConfirmResetPasswordBody",
    "ContactDetails",
    "ContactDetailsBody",
    "EmergencyAlertService",
    "FavouriteChannel",
    "FavouriteChannelList",
    "FavouriteChannelListBody",
    "License",
    "LicensePurchaseRecord",
    "MarketSegment",
    "PasswordChangeBody",
    "RegistrationInformation",
    "ResetPasswordBody",
    "User",
    "UserChannelLockingConfiguration",
    "UserChannelLockingConfigurationBody",
    "UserInfoPatchBody",
    "UserName",
    "UserNameBody",
    "UserPatchRequestBody",
    "UserProfile",
    "UserProfileBody",
    "UserProfilePatchRequestBody",
    "UserSecurity",
    "ViewerAdvice",
]


# --- models --------------------------------------------------------------------------------------------------


@frozen
class UserProfile(Entity):
    """A profile of the user's account (``UserProfile``); its id can be passed as ``profile_id``, or to
    ``client.as_profile(id)``, to act as that profile."""

    id: str
    name: str = ""
    user_id: str | None = None
    is_child_profile: bool = False
    age_limit: int | None = None
    is_default: bool = False


@frozen
class FavouriteChannelList(Entity):
    """A favourite channel list of a profile (``FavouriteChannelList``): the channels in it are
    ``client.favourites.channels(list.id)``."""

    id: str
    name: str = ""


@frozen
class FavouriteChannel(Entity):
    """A channel in a favourite list, as the API sends it: a resource identifier (type ``Channel``) only.

    ``id`` is the catalogue's channel id (``client.channels`` has the channel itself).
    """

    id: str


@frozen
class UserChannelLockingConfiguration(Entity):
    """Whether adult channels are locked, and which channels are (``UserChannelLockingConfiguration``).

    The API never sends the PIN; the client keeps the session's locked state itself.
    """

    id: str
    lock_adult_channels: bool = False
    locked_channels: tuple[str, ...] = ()


@frozen
class MarketSegment(Entity):
    """A market segment the user belongs to (``MarketSegment``), e.g. ``"fibre"``."""

    id: str
    name: str = ""


@frozen
class UserName(Model):
    """The user's name (``UserEntity.name``)."""

    full_name: str | None = None
    first_name: str | None = None
    last_name: str | None = None


@frozen
class ContactDetails(Model):
    """How to reach the user (``UserEntity.contact_details``)."""

    email: str | None = None
    #: E.123 international notation, e.g. ``"+22 607 123 4567"``.
    telephone_number_e123: str | None = field(default=None, metadata={"json": "telephone_number_E123"})


@frozen
class EmergencyAlertService(Model):
    """Where the user is, for emergency alerts (United States operators only)."""

    county_code_ansi_incits_31_2009: str | None = None


@frozen
class UserSecurity(Model):
    """What the API tells of the user's security settings (``UserEntity.security``); never a password or PIN."""

    password_hashing_algorithm: str | None = None
    last_authentication_timestamp: int | None = None
    last_generated_reset_linkcode: str | None = field(default=None, repr=False)
    linkcode_expiry_timestamp: int | None = None
    licenses_must_auto_renew: bool | None = None


@frozen
class ViewerAdvice(Model):
    """Parental settings (``UserEntity.viewer_advice``)."""

    date_of_birth_timestamp: int | None = None
    age_last_birthday: int | None = None
    block_adult_viewing_default: bool | None = None
    block_adult_viewing_parental_override: bool | None = None
    override_expiry_timestamp: int | None = None
    parental_pin_code: str | None = field(default=None, repr=False)


@frozen
class RegistrationInformation(Model):
    """When the user registered and until when they may log in, in Unix seconds."""

    registration_timestamp: int | None = None
    expiry_timestamp: int | None = None
    current_registration_state: str | None = None
    previous_registration_state: str | None = None
    soft_deletion_timestamp: int | None = None


@frozen
class LicensePurchaseRecord(Model):
    """How a license was paid for (``LicenseEntity.purchase_record``)."""

    price_currency_amount: float | None = None
    price_currency_iso4217: str | None = None
    purchase_timestamp: int | None = None
    payment_method: str | None = None


@frozen
class License(Entity):
    """A license (``LicenseEntity``): a user's right to a product, from a purchase or a granted package.

    As included beside the user, or as the licensing API lists them; ``relationships`` holds the ``User`` it
    belongs to and the product (or package) it is for.
    """

    id: str
    order_id: str | None = None
    status: str | None = None
    valid_from_timestamp: int | None = None
    valid_until_timestamp: int | None = None
    recurring: bool | None = None
    purchase_record: LicensePurchaseRecord | None = None
    relationships: tuple[ResourceRef, ...] = field(default=(), metadata={"refs": True})

    @property
    def user_ids(self) -> tuple[str, ...]:
        """The users the license belongs to (one, as the API sends it)."""
        return tuple(ref.id for ref in self.relationships if ref.type == "User")

    @property
    def product_ids(self) -> tuple[str, ...]:
        """The products (or license packages) the license is for."""
        return tuple(ref.id for ref in self.relationships if ref.type != "User")


@frozen
class User(Entity):
    """A user account (``UserEntity``), as ``client.users.get()`` reads it and the management API lists it.

    ``products`` and ``licenses`` are the ``included`` resources the user refers to (through the relationships
    of either form the API sends), when asked for with ``included=``; empty otherwise.
    """

    id: str
    name: UserName | None = None
    contact_details: ContactDetails | None = None
    external_reference: str | None = None
    is_default_pin_code: bool | None = None
    is_demo_user: bool = False
    emergency_alert_service: EmergencyAlertService | None = None
    security: UserSecurity | None = None
    viewer_advice: ViewerAdvice | None = None
    registration_information: RegistrationInformation | None = None
    user_flags: tuple[str, ...] = ()
    products: tuple[Product, ...] = field(default=(), metadata={"included": "Product"})
    licenses: tuple[License, ...] = field(default=(), metadata={"included": "License"})

    @property
    def email(self) -> str | None:
        """The user's e-mail address."""
        return self.contact_details.email if self.contact_details is not None else None

    @property
    def registration_state(self) -> str | None:
        """The current registration state (``REGISTERED``, ``DELETED``, ...)."""
        info = self.registration_information
        return info.current_registration_state if info is not None else None


# --- inputs --------------------------------------------------------------------------------------------------


@frozen
class UserProfileBody(Model):
    """The body of ``POST /users/{user_id}/user_profiles`` (the ``UserProfile`` snippet): a new profile."""

    name: str
    is_child_profile: bool = False
    age_limit: int | None = None
    #: True makes the new profile the default one.
    is_default: bool | None = None


@frozen
class UserProfilePatchRequestBody(Model):
    """The body of ``PATCH /users/{user_id}/user_profiles/{user_profile_id}``: the fields to change.

    ``is_default=True`` makes the profile the default one; False has no effect (make another the default).
    """

    name: str | None = None
    is_child_profile: bool | None = None
    age_limit: int | None = None
    is_default: bool | None = None


@frozen
class FavouriteChannelListBody(Model):
    """The body that creates or renames a favourite channel list (the ``FavouriteChannelList`` snippet)."""

    name: str


@frozen
class UserChannelLockingConfigurationBody(Model):
    """The body of ``PATCH /users/{user_id}/channel_lock_configuration``.

    ``pin_code`` is the account's PIN, which the server checks before changing anything.
    """

    locked_channels: tuple[str, ...]
    lock_adult_channels: bool | None = None
    pin_code: str | None = field(default=None, repr=False)


@frozen
class UserNameBody(Model):
    """A new name for the user (``UserEntity.name``); ``full_name`` is the one the API requires."""

    full_name: str
    first_name: str | None = None
    last_name: str | None = None


@frozen
class ContactDetailsBody(Model):
    """New contact details (``UserEntity.contact_details``): the telephone number (the email is the login)."""

    telephone_number_e123: str | None = field(default=None, metadata={"json": "telephone_number_E123"})


@frozen
class UserInfoPatchBody(Model):
    """The body of ``PATCH /api/users/v1/users/{user_id_or_email}``: what a user may change of themself.

    Changing the PIN takes the current one: ``pin_code`` and ``new_pin_code`` (numeric) together.
    """

    pin_code: str | None = field(default=None, repr=False)
    new_pin_code: str | None = field(default=None, repr=False)
    name: UserNameBody | None = None
    contact_details: ContactDetailsBody | None = None


@frozen
class PasswordChangeBody(Model):
    """``security`` of :class:`UserPatchRequestBody`: the current password and the new one."""

    current_password: str = field(repr=False)
    new_password: str = field(repr=False)


@frozen
class UserPatchRequestBody(Model):
    """The attributes of ``PATCH /api/users/v2/users/{user_id}`` (sent as a ``User`` resource)."""

    security: PasswordChangeBody | None = None


@frozen
class ResetPasswordBody(Model):
    """The body of ``POST /api/users/v2/reset_password``: where to send the reset code."""

    email: str


@frozen
class ConfirmResetPasswordBody(Model):
    """The body of ``POST /api/users/v2/confirm_reset_password``: the emailed code and the new password."""

    email: str
    reset_code: str = field(repr=False)
    new_password: str = field(repr=False)
