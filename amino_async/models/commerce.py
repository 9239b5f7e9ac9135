"""What is sold and suggested: channel packages (``/api/packages/v1``), a user's products
(``/api/subscription/v1``; :class:`~amino_async.models.Product`), and recommendations
(``/api/contentdiscovery/v1``)."""

from __future__ import annotations

from attrs import field, frozen

from ._common import Entity, Model, ResourceRef
from .catalogue import Genre, Program
from .schedule import BroadcastSlot

__all__ = ["ChannelPackage", "Recommendation", "ValidityWindow", "ViewerEvent"]


@frozen
class ValidityWindow(Model):
    """When a package confers its licenses: between the two Unix timestamps, unless manually disabled."""

    manually_disabled: bool = False
    start_timestamp: int | None = None
    end_timestamp: int | None = None


@frozen
class ChannelPackage(Entity):
    """A bundle of channel licenses sold together (``PackageEntity``).

    ``relationships`` references the licenses (``UserChannelLicense``) the package groups.
    """

    id: str
    name: str = ""
    description: str | None = None
    validity_window: ValidityWindow = ValidityWindow()
    relationships: tuple[ResourceRef, ...] = field(default=(), metadata={"refs": True})


@frozen
class Recommendation(Entity):
    """A programme recommended by the third-party engine (``PersonalRecommendation``).

    ``program``, ``broadcast_slot`` and ``genres`` are resolved from the answer's ``included`` resources where
    it has them (the popular recordings always include the programme).
    """

    id: str
    foreign_user_id: str | None = None
    foreign_program_id: str | None = None
    provider_name: str | None = None
    reason_for_suggestion: str | None = None
    relationships: tuple[ResourceRef, ...] = field(default=(), metadata={"refs": True})
    program: Program | None = field(default=None, metadata={"included": "Program"})
    broadcast_slot: BroadcastSlot | None = field(default=None, metadata={"included": "BroadcastSlot"})
    genres: tuple[Genre, ...] = field(default=(), metadata={"included": "Genre"})

    @property
    def program_id(self) -> str | None:
        """The id of the recommended programme, from the relationships."""
        return next((ref.id for ref in self.relationships if ref.type == "Program"), None)


@frozen
class ViewerEvent(Entity):
    """A user event passed on to the recommendation engine (``ViewerEvent``), as the API recorded it."""

    id: str
    foreign_user_id: str | None = None
    foreign_program_id: str | None = None
    program_uid: str | None = None
    event_name: str | None = None
    event_value: str | None = None
