"""The values the API returns, as frozen attrs classes.

Models are flat: a JSON:API resource's ``attributes`` become fields beside its ``id``. Fields the server may leave
out default to ``None`` or an empty tuple; fields the documents add that the SDK does not know are ignored. Lists
become tuples so that every model is immutable.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from attrs import field, frozen

__all__ = [
    "AvailabilityWindow",
    "Channel",
    "ContentFlag",
    "DeliveryNetwork",
    "DvbService",
    "DvbTriplet",
    "ErrorObject",
    "Genre",
    "GeoAvailability",
    "Image",
    "Product",
    "ProtectionKey",
    "ResourceRef",
    "ServicesAvailable",
    "Stream",
    "UserProfile",
]


@frozen
class ErrorObject:
    """One entry of an ``errors`` array.

    The API sends two variants, ``{id, href, code, title, details}`` and ``{id, status, code, title, detail}``;
    both land here, with ``detail`` read from ``detail`` or, failing that, ``details``.
    """

    id: str | None = None
    status: str | None = None
    code: str | None = None
    title: str | None = None
    detail: str | None = None
    href: str | None = None


@frozen
class ResourceRef:
    """A reference to another resource by type and id (a relationship entry)."""

    type: str
    id: str


@frozen
class Image:
    """An image of a channel or genre (``ImageValueObject``)."""

    url: str
    image_type: str | None = None
    alternate_access_description: str | None = None
    width_pixels: int | None = None
    height_pixels: int | None = None
    #: ISO 639-2 language code (``iso_639-2_lang`` in the document).
    language: str | None = None


@frozen
class ContentFlag:
    """A content rating flag (``ContentFlagValueObject``)."""

    content_rating_flag: str | None = None
    content_rating_authority: str | None = None
    #: ISO 3166 alpha-2 country (``country_code_iso_alpha2`` in the document).
    country_code: str | None = None
    pictogram_url: str | None = None
    is_adult_rated: bool = False


@frozen
class AvailabilityWindow:
    """When a channel may be watched, in the server's Unix seconds."""

    time_limited_event: bool = False
    not_before_timestamp: int = 0
    not_after_timestamp: int = 4102444799


@frozen
class GeoAvailability:
    """Where a channel may be watched."""

    geo_restricted: bool = False
    #: ISO 3166 alpha-2 codes (``enabled_country_codes_iso3166_alpha2`` in the document).
    enabled_country_codes: tuple[str, ...] = ()


@frozen
class ServicesAvailable:
    """The services a channel offers (live, npvr, catchup, startover) and those with trickplay."""

    services_enabled: tuple[str, ...] = ()
    trickplay_enabled: tuple[str, ...] = ()


@frozen
class DvbTriplet:
    """The DVB triplet identifying a broadcast service."""

    original_network_id: int | None = None
    transport_stream_id: int | None = None
    service_id: str | None = None


@frozen
class DvbService:
    """How a channel is carried over DVB."""

    transmission_type: str | None = None
    virtual_channel_number: int | None = None
    triplet: DvbTriplet | None = None
    operator_name: str | None = None


@frozen
class DeliveryNetwork:
    """A network a channel is carried over (DVB, IPTV, OTT)."""

    transport_network: str
    dvb: tuple[DvbService, ...] = ()


@frozen
class Genre:
    """A genre, as included beside channels."""

    id: str
    name: str | None = None
    parent_genre: str | None = None
    images: tuple[Image, ...] = ()


@frozen
class Product:
    """A product (subscription bundle) a channel belongs to, as included beside channels."""

    id: str
    name: str | None = None
    external_id: str | None = None


@frozen
class Channel:
    """A channel of the catalogue (``ChannelEntity``).

    ``relationships`` lists what the channel refers to; ``genres`` and ``products`` are those references resolved
    against the page's ``included`` resources (empty when the answer did not include them).
    """

    id: str
    name: str
    logical_channel_number: int | None = None
    media_type: str | None = None
    is_demo_channel: bool = False
    is_local_channel: bool = False
    allowed_devices: tuple[str, ...] = ()
    content_flags: tuple[ContentFlag, ...] = ()
    display_order_weight: int | None = None
    images: tuple[Image, ...] = ()
    availability_window: AvailabilityWindow = AvailabilityWindow()
    geo_availability: GeoAvailability | None = None
    services_available: ServicesAvailable = ServicesAvailable()
    delivery_networks: tuple[DeliveryNetwork, ...] = ()
    relationships: tuple[ResourceRef, ...] = ()
    genres: tuple[Genre, ...] = ()
    products: tuple[Product, ...] = ()


@frozen
class ProtectionKey:
    """A DRM or authentication key needed to play a stream.

    ``extra`` keeps the deployment-specific keys the API allows beside ``type``, ``key`` and ``laUrl``.
    """

    type: str
    key: str | None = field(default=None, repr=False)
    #: The licence acquisition URL (``laUrl`` in the document).
    la_url: str | None = None
    extra: Mapping[str, Any] = field(factory=dict, repr=False)


@frozen
class Stream:
    """A playable stream (``StreamEntity``).

    Stream ids are opaque and not unique: the API sends ids that are JSON text and several streams (different
    bitrates) sharing one id. Never de-duplicate streams by id.
    """

    id: str
    stream_url: str
    bitrate: int | None = None
    codec_info: str | None = None
    transport_protocol: str | None = None
    streaming_protocols: tuple[str, ...] = ()
    protection_types: tuple[str, ...] = ()
    protection_keys: tuple[ProtectionKey, ...] = ()
    max_resolution: str | None = None
    max_fps: str | None = None
    vbr_max_bitrate: int | None = None
    profile_name: str | None = None
    suggested_devices: tuple[str, ...] = ()
    suggested_market_segments: tuple[str, ...] = ()
    suggested_start_time: int | None = None


@frozen
class UserProfile:
    """A profile of the user's account; its id can be passed as ``profile_id`` to act as that profile."""

    id: str
    name: str
    user_id: str | None = None
    is_child_profile: bool = False
    age_limit: int | None = None
    is_default: bool = False
