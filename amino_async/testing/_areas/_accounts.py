"""The account records: what the deployment knows of each user besides their login, one :class:`Account` a user,
held by :class:`Accounts` (``fake.accounts``), the one copy both the users area and the admin area read and write.

Who writes a record:
    - the user, through the users area's ``PATCH /api/users/v1/users/{user_id_or_email}``: the name and the
      telephone number;
    - an operator, through the admin area: the user flags (``PUT/DELETE .../management/users/{id}/relationships/
      user_flags``), the market segments (``PUT .../management/users/{id}/relationships/market_segments``), the
      whole record of a user it creates (``POST /api/users/v1/users``), and the BSS user management's
      registration state, e-mail, customer id, purchase PIN and date of birth (``/api/management/user``).

Who reads it: the users area's ``getUser`` document and the user's market segments, the admin area's user listing,
market segments and BSS calls, and the auth area's ``user_flags`` of a token. So an operator's flag is in the
user's next ``getUser`` (and token), and a user's new name is in the operator's next listing.

A record is made on first use from the login (:meth:`Accounts.of`), deterministically: the e-mail is the
username, the name is made from it, the flags are the ``FakeUser``'s, the market segment is one of
:data:`MARKET_SEGMENTS` picked from the user id, the external reference is ``BSS-{user id}``.
"""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING, Final

import attrs

from .._catalogue import IdScheme

if TYPE_CHECKING:
    from .._state import FakeUser, UserDirectory

#: The deployment's market segments (names; their ids are ``Accounts.segments``' keys), the one catalogue of them.
MARKET_SEGMENTS: Final = ("fibre", "dsl", "mobile", "business")
#: The purchase PIN of an account whose PIN no one set (``is_default_pin_code`` of the admin listing says so).
DEFAULT_PURCHASE_PIN: Final = "0000"
REGISTERED_AT: Final = 1_526_549_811
EXPIRES_AT: Final = 1_926_525_714


@attrs.define
class Account:
    """One user's account record (a ``UserEntity`` but its PIN flag, plus the BSS fields); see the module
    docstring for who writes which field. ``market_segments`` are ids of ``Accounts.segments``."""

    user_id: str
    email: str
    full_name: str
    registration_timestamp: int = REGISTERED_AT
    expiry_timestamp: int = EXPIRES_AT
    state: str = "REGISTERED"
    previous_state: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    telephone: str | None = None
    external_reference: str | None = None
    is_demo_user: bool = False
    cid: str | None = None
    purchase_pin: str = attrs.field(default=DEFAULT_PURCHASE_PIN, repr=False)
    dob: str | None = None
    flags: list[str] = attrs.field(factory=list)
    market_segments: list[str] = attrs.field(factory=list)

    def name(self) -> dict[str, str]:
        """The ``name`` object of the user entity."""
        name = {"full_name": self.full_name}
        if self.first_name is not None:
            name["first_name"] = self.first_name
        if self.last_name is not None:
            name["last_name"] = self.last_name
        return name

    def contact_details(self) -> dict[str, str]:
        """The ``contact_details`` object of the user entity."""
        contact = {"email": self.email}
        if self.telephone is not None:
            contact["telephone_number_E123"] = self.telephone
        return contact

    def registration_information(self) -> dict[str, object]:
        """The ``registration_information`` object of the user entity."""
        registration: dict[str, object] = {
            "registration_timestamp": self.registration_timestamp,
            "expiry_timestamp": self.expiry_timestamp,
            "current_registration_state": self.state,
        }
        if self.previous_state is not None:
            registration["previous_registration_state"] = self.previous_state
        return registration


class Accounts:
    """Every user's :class:`Account` (``fake.accounts``) and the deployment's market segments.

    Written by the users area (the user's own PATCH) and the admin area (the operator's calls), read by both and
    by the auth area: the module docstring says which call writes what. ``reset()`` forgets every change, the
    user's and the operator's; ``fake.user_config.reset()`` and ``fake.admin.reset()`` call it.
    """

    def __init__(self, seed: int) -> None:
        segment_ids = IdScheme.for_kind(seed, "market_segment")
        #: The deployment's market segments: id -> name, in :data:`MARKET_SEGMENTS` order.
        self.segments: dict[str, str] = {segment_ids.make(i): name for i, name in enumerate(MARKET_SEGMENTS)}
        self.reset()

    def reset(self) -> None:
        """Forget every account change: each record is made afresh from its login on next use."""
        #: The records made so far, by user id.
        self.records: dict[str, Account] = {}
        self._emails: dict[str, str] = {}  # e-mail -> user id, for accounts whose e-mail is not their username

    def of(self, user: FakeUser) -> Account:
        """The account of ``user``, made on first use from their login (see the module docstring)."""
        found = self.records.get(user.user_id)
        if found is None:
            digest = hashlib.sha256(user.user_id.encode()).digest()
            segment = list(self.segments)[digest[0] % len(self.segments)]
            found = self.records[user.user_id] = Account(
                user_id=user.user_id,
                email=user.username,
                full_name=user.username.split("@")[0].replace(".", " ").title(),
                external_reference=f"BSS-{user.user_id}",
                flags=list(user.flags),
                market_segments=[segment],
            )
        return found

    def by_email(self, directory: UserDirectory, email: str) -> FakeUser | None:
        """The user whose account e-mail (else username) is ``email``."""
        user_id = self._emails.get(email)
        if user_id is not None:
            return directory.resolve(user_id)
        user = directory.by_name(email)
        if user is not None and self.of(user).email != email:
            return None  # that user's e-mail has changed
        return user

    def set_email(self, account: Account, email: str) -> None:
        """Change an account's e-mail."""
        self._emails.pop(account.email, None)
        account.email = email
        self._emails[email] = account.user_id

    def segment_resources(self, account: Account) -> list[dict[str, object]]:
        """The account's market segments as ``MarketSegment`` resources, in the order they were set."""
        return [
            {"type": "MarketSegment", "id": ident, "attributes": {"name": self.segments[ident]}}
            for ident in account.market_segments
        ]

    def segment_names(self, user: FakeUser) -> tuple[str, ...]:
        """The names of ``user``'s market segments now."""
        return tuple(self.segments[ident] for ident in self.of(user).market_segments)
