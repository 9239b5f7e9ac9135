"""The schedule (``/api/metadata/v1/broadcast_slots``, ``/catchup``): broadcast slots and catch-up items."""

from __future__ import annotations

import datetime

from attrs import field, frozen

from ._common import Entity, Image, Model, ResourceRef
from .catalogue import Channel, ContentFlag, GeoAvailability

__all__ = [
    "AudioLanguage",
    "BroadcastSlot",
    "CatchupItem",
    "CatchupSubtitle",
    "ProviderInfo",
    "SlotProgram",
    "SubtitleLanguage",
]


def _moment(timestamp: int) -> datetime.datetime:
    return datetime.datetime.fromtimestamp(timestamp, tz=datetime.timezone.utc)


def _ref_id(refs: tuple[ResourceRef, ...], kind: str) -> str | None:
    return next((ref.id for ref in refs if ref.type == kind), None)


@frozen
class SlotProgram(Model):
    """The programme as a slot shows it: its title there (which may differ from the programme's), images and
    content flags."""

    title: str = ""
    images: tuple[Image, ...] = ()
    content_flags: tuple[ContentFlag, ...] = ()


@frozen
class ProviderInfo(Model):
    """A slot's id at a foreign metadata provider (used by recommendation engines)."""

    provider: str | None = None
    external_id: str | None = None


@frozen
class AudioLanguage(Model):
    """A language a slot's audio is broadcast in (ISO 639-2)."""

    audio_language_iso639_2: str | None = None


@frozen
class SubtitleLanguage(Model):
    """A subtitle language a slot offers (ISO 639-2)."""

    language_iso639_2: str | None = None


@frozen
class CatchupSubtitle(Model):
    """A subtitle language a catch-up item offers (ISO 639-1)."""

    language_iso639_1: str | None = None


@frozen
class BroadcastSlot(Entity):
    """One appearance of a programme on a channel (``BroadcastSlotEntity``).

    ``relationships`` holds the references to its channel, programme and genres; ``channel`` is the channel
    resolved from ``included`` (the EPG answer includes it). The slot's id is what
    ``client.streams.catchup(slot.id)`` takes.
    """

    id: str
    start_time_unix: int
    end_time_unix: int
    program_duration_seconds: int | None = None
    advertising_enabled: bool = False
    commercial_break_duration_seconds: int | None = None
    metadata_provider_information: tuple[ProviderInfo, ...] = ()
    broadcast_languages: tuple[AudioLanguage, ...] = ()
    subtitle_languages: tuple[SubtitleLanguage, ...] = ()
    #: The services (live, npvr, catchup, startover, pause) this slot may not be used with.
    services_blacklisted: tuple[str, ...] = ()
    program: SlotProgram = SlotProgram()
    relationships: tuple[ResourceRef, ...] = field(default=(), metadata={"refs": True})
    channel: Channel | None = field(default=None, metadata={"included": "Channel"})

    @property
    def start(self) -> datetime.datetime:
        """When the slot starts (UTC)."""
        return _moment(self.start_time_unix)

    @property
    def end(self) -> datetime.datetime:
        """When the slot ends (UTC)."""
        return _moment(self.end_time_unix)

    @property
    def title(self) -> str:
        """The programme's title in this slot."""
        return self.program.title

    @property
    def channel_id(self) -> str | None:
        """The id of the slot's channel, from its relationships."""
        return _ref_id(self.relationships, "Channel")

    @property
    def program_id(self) -> str | None:
        """The id of the slot's programme (``client.programs.get(slot.program_id)``), from its relationships."""
        return _ref_id(self.relationships, "Program")


@frozen
class CatchupItem(Entity):
    """A past broadcast slot that can be watched again until ``available_until_timestamp`` (``CatchupItem``).

    Its id is the broadcast slot's: ``client.streams.catchup(item.id)`` gives its streams.
    """

    id: str
    available_until_timestamp: int
    program_duration_seconds: int | None = None
    commercial_break_duration_seconds: int | None = None
    #: ISO 639-1 code of the audio language.
    audio_language_iso639_1: str | None = None
    subtitle_languages: tuple[CatchupSubtitle, ...] = ()
    #: Present only where it overrides the channel's.
    geo_availability: GeoAvailability | None = None
    program: SlotProgram = SlotProgram()
    relationships: tuple[ResourceRef, ...] = field(default=(), metadata={"refs": True})

    @property
    def available_until(self) -> datetime.datetime:
        """When the item stops being available (UTC)."""
        return _moment(self.available_until_timestamp)

    @property
    def title(self) -> str:
        """The programme's title in this slot."""
        return self.program.title

    @property
    def channel_id(self) -> str | None:
        """The id of the item's channel, from its relationships."""
        return _ref_id(self.relationships, "Channel")

    @property
    def program_id(self) -> str | None:
        """The id of the item's programme, from its relationships."""
        return _ref_id(self.relationships, "Program")
