"""The catalogue (``/api/metadata/v1``): channels, their value objects, the genres and products included beside
them, and the enriched metadata: programmes, series, seasons, episodes and credited persons."""

from __future__ import annotations

from attrs import field, frozen

from ._common import Entity, Image, Model, ResourceRef

__all__ = [
    "AvailabilityWindow",
    "Channel",
    "ContentFlag",
    "CreditedPerson",
    "DeliveryNetwork",
    "Descriptions",
    "DvbService",
    "DvbTriplet",
    "Episode",
    "Genre",
    "GeoAvailability",
    "Product",
    "Program",
    "ProviderProgramInfo",
    "Season",
    "Series",
    "ServicesAvailable",
]


@frozen
class ContentFlag(Model):
    """A content rating flag (``ContentFlagValueObject``)."""

    content_rating_flag: str | None = None
    content_rating_authority: str | None = None
    #: ISO 3166 alpha-2 country.
    country_code: str | None = field(default=None, metadata={"json": "country_code_iso_alpha2"})
    pictogram_url: str | None = None
    is_adult_rated: bool = False


@frozen
class AvailabilityWindow(Model):
    """When a channel may be watched, in the server's Unix seconds."""

    time_limited_event: bool = False
    not_before_timestamp: int = 0
    not_after_timestamp: int = 4102444799


@frozen
class GeoAvailability(Model):
    """Where a channel may be watched."""

    geo_restricted: bool = False
    #: ISO 3166 alpha-2 codes.
    enabled_country_codes: tuple[str, ...] = field(
        default=(), metadata={"json": "enabled_country_codes_iso3166_alpha2"}
    )


@frozen
class ServicesAvailable(Model):
    """The services a channel offers (live, npvr, catchup, startover) and those with trickplay."""

    services_enabled: tuple[str, ...] = ()
    trickplay_enabled: tuple[str, ...] = ()


@frozen
class DvbTriplet(Model):
    """The DVB triplet identifying a broadcast service."""

    original_network_id: int | None = None
    transport_stream_id: int | None = None
    service_id: str | None = None


@frozen
class DvbService(Model):
    """How a channel is carried over DVB."""

    transmission_type: str | None = None
    virtual_channel_number: int | None = None
    triplet: DvbTriplet | None = None
    operator_name: str | None = None


@frozen
class DeliveryNetwork(Model):
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


# --- enriched metadata: programmes, series, seasons, episodes, credited persons ----------------------------


@frozen
class Descriptions(Model):
    """The short, long and extended descriptions of a programme, series or season."""

    short: str | None = None
    long: str | None = None
    extended: str | None = None


@frozen
class ProviderProgramInfo(Model):
    """A programme's id at a foreign metadata provider (``metadata_provider_program_information``)."""

    provider: str | None = None
    external_program_id: str | None = None


@frozen
class CreditedPerson(Entity):
    """Anyone credited with a part of a programme's production (``CreditedPersonEntity``).

    ``credit`` is one of Cast, Creator, Director, Other.
    """

    id: str
    name: str = ""
    credit: str | None = None
    biography: str | None = None
    images: tuple[Image, ...] = ()


@frozen
class Season(Entity):
    """A season: a collection of a series' episodes (``SeasonEntity``)."""

    id: str
    title: str = ""
    release_year: int | None = None
    season_number: int | None = None
    descriptions: Descriptions = Descriptions()
    images: tuple[Image, ...] = ()


@frozen
class Series(Entity):
    """A series, whose episodes belong to seasons (``SeriesEntity``).

    ``seasons``, ``genres`` and ``credited_persons`` are resolved from the answer's ``included`` resources
    (``GET /series/{series_id}`` always includes them; a listing does not).
    """

    id: str
    title: str = ""
    release_year: int | None = None
    descriptions: Descriptions = Descriptions()
    content_flags: tuple[ContentFlag, ...] = ()
    images: tuple[Image, ...] = ()
    seasons: tuple[Season, ...] = field(default=(), metadata={"included": "Season"})
    genres: tuple[Genre, ...] = field(default=(), metadata={"included": "Genre"})
    credited_persons: tuple[CreditedPerson, ...] = field(default=(), metadata={"included": "CreditedPerson"})


@frozen
class Program(Entity):
    """Something that can be shown: a movie, an episode, a trailer (``ProgramEntity``).

    A programme says nothing about when or how it can be played: its broadcast slots do. ``series``,
    ``seasons``, ``episode``, ``genres`` and ``credited_persons`` are resolved from the answer's ``included``
    resources where it has them (``GET /programs/{program_id}`` always includes them).
    """

    id: str
    title: str = ""
    original_title: str | None = None
    #: One of trailer, movie, program, episode.
    program_type: str | None = None
    long_title: str | None = None
    grid_title: str | None = None
    descriptions: Descriptions = Descriptions()
    duration_seconds: int | None = None
    duration_without_adverts_seconds: int | None = None
    release_year: int | None = None
    images: tuple[Image, ...] = ()
    content_flags: tuple[ContentFlag, ...] = ()
    #: ISO 3166 alpha-2 codes of the countries of production.
    production_countries: tuple[str, ...] = ()
    metadata_provider_program_information: tuple[ProviderProgramInfo, ...] = ()
    created_at: int | None = None
    modified_at: int | None = None
    series: Series | None = field(default=None, metadata={"included": "Series"})
    seasons: tuple[Season, ...] = field(default=(), metadata={"included": "Season"})
    episode: Episode | None = field(default=None, metadata={"included": "Episode"})
    genres: tuple[Genre, ...] = field(default=(), metadata={"included": "Genre"})
    credited_persons: tuple[CreditedPerson, ...] = field(default=(), metadata={"included": "CreditedPerson"})


@frozen
class Episode(Entity):
    """A programme as an episode of a season (``EpisodeEntity``).

    ``program`` is the programme itself, resolved from ``included`` (``GET /seasons/{season_id}/episodes``
    always includes it).
    """

    id: str
    title: str | None = None
    episode_number: int | None = None
    episode_title: str | None = None
    season_number: int | None = None
    images: tuple[Image, ...] = ()
    program: Program | None = field(default=None, metadata={"included": "Program"})
