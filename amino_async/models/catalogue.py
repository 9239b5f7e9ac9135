"""The catalogue (``/api/metadata/v1/channels``): channels, their value objects, and the genres and products
included beside them."""

from __future__ import annotations

from attrs import field, frozen

from ._common import Entity, Image, ResourceRef

__all__ = [
    "AvailabilityWindow",
    "Channel",
    "ContentFlag",
    "DeliveryNetwork",
    "DvbService",
    "DvbTriplet",
    "Genre",
    "GeoAvailability",
    "Product",
    "ServicesAvailable",
]


@frozen
class ContentFlag:
    """A content rating flag (``ContentFlagValueObject``)."""

    content_rating_flag: str | None = None
    content_rating_authority: str | None = None
    #: ISO 3166 alpha-2 country.
    country_code: str | None = field(default=None, metadata={"json": "country_code_iso_alpha2"})
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
    #: ISO 3166 alpha-2 codes.
    enabled_country_codes: tuple[str, ...] = field(
        default=(), metadata={"json": "enabled_country_codes_iso3166_alpha2"}
    )


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
class Genre(Entity):
    """A genre, as included beside channels."""

    id: str
    name: str | None = None
    parent_genre: str | None = None
    images: tuple[Image, ...] = ()


@frozen
class Product(Entity):
    """A product (subscription bundle) a channel belongs to, as included beside channels."""

    id: str
    name: str | None = None
    external_id: str | None = None


@frozen
class Channel(Entity):
    """A channel of the catalogue (``ChannelEntity``).

    ``relationships`` lists what the channel refers to, in either form the API sends (the attributes' own
    ``relationships`` array, or the resource's JSON:API ``relationships`` object); ``genres`` and ``products`` are
    those references resolved against the answer's ``included`` resources (empty when it included none).
    """

    id: str
    name: str = ""
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
    relationships: tuple[ResourceRef, ...] = field(default=(), metadata={"refs": True})
    genres: tuple[Genre, ...] = field(default=(), metadata={"included": "Genre"})
    products: tuple[Product, ...] = field(default=(), metadata={"included": "Product"})
