"""Deterministic fake catalogue: channels, broadcast slots, recordings and their streams.

Nothing is stored per channel. Every attribute is a pure function of ``(seed, index)``, ids encode the
index, and answers are rendered to JSON bytes on first use and kept in bounded LRU caches, so a
catalogue of 100,000 channels costs nothing until a page of it is asked for.
"""

from __future__ import annotations

import datetime
import functools
import hashlib
import json
import re
from collections.abc import Callable, Sequence
from typing import Literal
from urllib.parse import parse_qsl, urlencode

import attrs

from ._responses import dumps

PAGE_SIZE = 100
SLOTS_PER_CHANNEL = 24
RECORDINGS_PER_CHANNEL = 2

StreamKind = Literal["channel", "catchup", "recording"]

GENRES = (
    "News",
    "Sports",
    "Movies",
    "Kids",
    "Music",
    "Documentary",
    "Entertainment",
    "Lifestyle",
)
_MUSIC = GENRES.index("Music")
_PARENT_GENRES = {"Documentary": "Factual", "Lifestyle": "Entertainment"}
PRODUCTS = (
    ("Basic", "BASIC-01"),
    ("Family", "FAM-02"),
    ("Sports Plus", "SPORT-03"),
    ("Cinema", "CINE-04"),
    ("After Dark", "ADULT-05"),
)
_ADULT_PRODUCT = len(PRODUCTS) - 1
_BRANDS = ("Aurora", "Baltic", "Polar", "Nordic", "Coastal", "Metro", "Fjord", "Lumo", "Kide", "Tundra")

STREAM_TYPES = frozenset({"hls", "dash", "mp4", "mss"})
DRM_SYSTEMS = frozenset({"fairplay", "widevine", "playready"})
DEVICE_CLASSES = frozenset({"stb", "mobile", "smarttv"})
DEFAULT_STREAM_TYPE = "dash"
# The DRM a stream type gets when the client names none, and the DRMs it can be packaged with; other
# combinations answer 404, as the platform does for a format it has no stream for.
_DEFAULT_DRM: dict[str, str | None] = {
    "dash": "widevine",
    "hls": "fairplay",
    "mss": "playready",
    "mp4": None,
}
_COMPATIBLE_DRM: dict[str, frozenset[str | None]] = {
    "dash": frozenset({"widevine", "playready"}),
    "hls": frozenset({"fairplay", "widevine"}),
    "mss": frozenset({"playready"}),
    "mp4": frozenset({None}),
}
_MANIFESTS = {"hls": "master.m3u8", "dash": "manifest.mpd", "mp4": "stream.mp4", "mss": "Manifest"}
_PROTECTION_VENDOR = {"widevine": "vualto", "playready": "verimatrix", "fairplay": "ezdrm"}
_KEY_SYSTEMS = {
    "widevine": "com.widevine.alpha",
    "playready": "com.microsoft.playready",
    "fairplay": "com.apple.fps.1_0",
}
_STREAM_HOSTS = {
    "channel": "https://live.example.net",
    "catchup": "https://catchup.example.net",
    "recording": "https://npvr.example.net",
}
_DEVICES_BY_CLASS = {
    None: ["iOS", "Android", "Linux STB", "Android STB", "Chromecast"],
    "stb": ["Linux STB", "Android STB"],
    "mobile": ["iOS", "Android"],
    "smarttv": ["Chromecast", "Linux"],
}
_HEX12 = re.compile(r"[0-9a-f]{12}")
_NETWORK = re.compile(r"[A-Za-z0-9._-]{1,64}")
_LANGUAGE = re.compile(r"[A-Za-z]{3}")
_START_TIME = re.compile(r"[0-9]{1,10}")
_SORTS = {
    "logical_channel_number": False,
    "channel.logical_channel_number": False,
    "-logical_channel_number": True,
    "-channel.logical_channel_number": True,
}


# --- ids -------------------------------------------------------------------------------------------


@attrs.frozen
class IdScheme:
    """UUID-shaped ids whose last group is the index in hex: made and parsed in O(1)."""

    prefix: str

    @classmethod
    def for_kind(cls, seed: int, kind: str) -> IdScheme:
        """The scheme of one kind of resource; different seeds and kinds never share a prefix."""
        h = hashlib.sha256(f"amino-fake:{seed}:{kind}".encode()).hexdigest()
        return cls(f"{h[:8]}-{h[8:12]}-4{h[12:15]}-{'89ab'[int(h[15], 16) % 4]}{h[16:19]}-")

    def make(self, index: int) -> str:
        """The id of the resource at ``index`` (0-based)."""
        if not 0 <= index < 16**12:
            raise ValueError(f"index out of range: {index}")
        return f"{self.prefix}{index:012x}"

    def parse(self, resource_id: str) -> int | None:
        """The index ``resource_id`` encodes, or None when it is not an id of this scheme."""
        tail = resource_id[24:]
        if len(resource_id) != 36 or not resource_id.startswith(self.prefix):
            return None
        if _HEX12.fullmatch(tail) is None:
            return None
        return int(tail, 16)


@attrs.frozen
class CatalogueIds:
    """The id schemes of one seed."""

    channel: IdScheme
    broadcast_slot: IdScheme
    recording: IdScheme
    genre: IdScheme
    product: IdScheme


@functools.lru_cache(maxsize=16)
def catalogue_ids(seed: int) -> CatalogueIds:
    """The id schemes of ``seed`` (cached: ids depend on nothing else)."""
    return CatalogueIds(
        channel=IdScheme.for_kind(seed, "channel"),
        broadcast_slot=IdScheme.for_kind(seed, "broadcast_slot"),
        recording=IdScheme.for_kind(seed, "recording"),
        genre=IdScheme.for_kind(seed, "genre"),
        product=IdScheme.for_kind(seed, "product"),
    )


# --- channel traits --------------------------------------------------------------------------------


def _mix(seed: int, index: int) -> int:
    """A 32-bit avalanche hash of (seed, index): cheap, deterministic pseudo-randomness."""
    x = (index * 0x9E3779B1 + seed * 0x85EBCA77 + 0x165667B1) & 0xFFFFFFFF
    x ^= x >> 15
    x = (x * 0x2C1B3C6D) & 0xFFFFFFFF
    x ^= x >> 12
    x = (x * 0x297A2D39) & 0xFFFFFFFF
    return x ^ (x >> 15)


@attrs.frozen
class ChannelTraits:
    """What a channel's attributes are derived from."""

    bits: int
    radio: bool
    adult: bool
    genre: int
    product: int


def channel_traits(seed: int, index: int) -> ChannelTraits:
    """About 10% radio, 4% adult-rated, the rest spread over the genres and products."""
    bits = _mix(seed, index)
    radio = bits % 10 == 0
    adult = not radio and (bits >> 8) % 25 == 0
    genre = _MUSIC if radio else (bits >> 4) % len(GENRES)
    product = _ADULT_PRODUCT if adult else (bits >> 12) % _ADULT_PRODUCT
    return ChannelTraits(bits, radio, adult, genre, product)


# --- channel listing -------------------------------------------------------------------------------


@attrs.frozen
class ChannelFilter:
    """``genre.name:<name>`` (case-insensitive) or ``content_rating.adult:true|false``."""

    genre: int | None = None
    adult: bool | None = None

    @classmethod
    def parse(cls, text: str) -> ChannelFilter | None:
        """The filter ``text`` names, or None when it is not one."""
        field, sep, value = text.partition(":")
        if not sep:
            return None
        if field == "genre.name":
            names = [name.lower() for name in GENRES]
            # A well-formed filter on a genre that does not exist matches nothing (-1).
            return cls(genre=names.index(value.lower()) if value.lower() in names else -1)
        if field == "content_rating.adult" and value in ("true", "false"):
            return cls(adult=value == "true")
        return None

    def accepts(self, traits: ChannelTraits) -> bool:
        """Whether a channel with ``traits`` passes."""
        if self.genre is not None:
            return traits.genre == self.genre
        return traits.adult == self.adult


@attrs.frozen
class ChannelQuery:
    """The validated query of ``GET /channels``; the raw strings are kept for the next link."""

    page: int = 1
    sort: str | None = None
    filter: str | None = None
    language: str | None = None
    parsed_filter: ChannelFilter | None = None

    @property
    def descending(self) -> bool:
        """Whether channels come by descending logical channel number."""
        return self.sort is not None and _SORTS[self.sort]

    def query_string(self, page: int) -> str:
        """This query for another page, as a query string."""
        params = {"page_number": str(page), "sort": self.sort, "filter": self.filter, "language": self.language}
        return urlencode({key: value for key, value in params.items() if value is not None})


def _query_params(query_string: bytes) -> dict[str, str]:
    return dict(parse_qsl(query_string.decode("latin-1"), keep_blank_values=True))


@functools.lru_cache(maxsize=512)
def parse_channel_query(query_string: bytes) -> ChannelQuery | str:
    """The query of a channels request, or the detail of why it is refused."""
    params = _query_params(query_string)
    page_text = params.get("page_number", "1")
    if not page_text.isascii() or not page_text.isdigit() or int(page_text) < 1:
        return f"Parameter 'page_number' must be an integer >= 1, got {page_text[:40]!r}"
    sort = params.get("sort")
    if sort is not None and sort not in _SORTS:
        return f"Parameter 'sort' must be one of {sorted(_SORTS)}, got {sort[:60]!r}"
    filter_text = params.get("filter")
    parsed = None
    if filter_text is not None:
        parsed = ChannelFilter.parse(filter_text)
        if parsed is None:
            return (
                "Parameter 'filter' must be 'genre.name:<name>' or 'content_rating.adult:true|false',"
                f" got {filter_text[:60]!r}"
            )
    language = params.get("language")
    if language is not None and _LANGUAGE.fullmatch(language) is None:
        return f"Parameter 'language' must be a 3 letter ISO 639-2 code, got {language[:20]!r}"
    return ChannelQuery(int(page_text), sort, filter_text, language and language.lower(), parsed_filter=parsed)


@functools.lru_cache(maxsize=64)
def _matching(seed: int, count: int, channel_filter: ChannelFilter) -> tuple[int, ...]:
    return tuple(i for i in range(count) if channel_filter.accepts(channel_traits(seed, i)))


def page_indices(seed: int, count: int, query: ChannelQuery) -> tuple[Sequence[int], bool]:
    """The channel indices on the query's page, and whether another page follows."""
    pool: Sequence[int] = range(count)
    if query.parsed_filter is not None:
        pool = _matching(seed, count, query.parsed_filter)
    start = (query.page - 1) * PAGE_SIZE
    end = start + PAGE_SIZE
    if not query.descending:
        return pool[start:end], end < len(pool)
    # Slicing from the back keeps this O(page) for ranges and tuples alike.
    size = len(pool)
    return pool[max(size - end, 0) : max(size - start, 0)][::-1], end < size


def _content_flags(traits: ChannelTraits) -> list[dict[str, object]]:
    if traits.adult:
        rating, adult = "18", True
    elif (traits.bits >> 20) % 3 == 0:
        return []
    else:
        rating, adult = ("7", "12", "16")[(traits.bits >> 22) % 3], False
    return [
        {
            "content_rating_authority": "fi",
            "content_rating_flag": rating,
            "pictogram_url": f"https://img.example.net/ratings/fi/{rating}.png",
            "is_adult_rated": adult,
        }
    ]


def _delivery_networks(traits: ChannelTraits, number: int) -> list[dict[str, object]]:
    if traits.bits % 3 != 1:
        return [{"transport_network": "OTT"}, {"transport_network": "IPTV"}]
    triplet = {
        "original_network_id": 42249,
        "transport_stream_id": 100 + number // 16,
        "service_id": str(1000 + number),
    }
    dvb = {
        "operator_name": "Blue Lake Communications Oy",
        "transmission_type": "C",
        "virtual_channel_number": number,
        "triplet": triplet,
    }
    return [{"transport_network": "DVB", "dvb": [dvb]}, {"transport_network": "OTT"}]


def channel_resource(seed: int, index: int, language: str) -> dict[str, object]:
    """The ``Channel`` resource at ``index``; ``language`` tags its images."""
    ids = catalogue_ids(seed)
    traits = channel_traits(seed, index)
    number = index + 1
    channel_id = ids.channel.make(index)
    brand = _BRANDS[(traits.bits >> 16) % len(_BRANDS)]
    name = f"Radio {brand} {number}" if traits.radio else f"{brand} {GENRES[traits.genre]} {number}"
    services = ["live"] if traits.radio else ["live", "catchup", "startover", "npvr"]
    images = [
        {
            "image_type": image_type,
            "alternate_access_description": f"{name} {image_type.lower()}",
            "width_pixels": width,
            "height_pixels": height,
            "iso_639-2_lang": language,
            "url": f"https://img.example.net/channels/{channel_id}/{image_type.lower()}.png",
        }
        for image_type, width, height in (("Logo", 320, 180), ("Thumbnail", 640, 360))
    ]
    geo_restricted = (traits.bits >> 24) % 4 == 0
    attributes: dict[str, object] = {
        "name": name,
        "logical_channel_number": number,
        "is_demo_channel": (traits.bits >> 26) % 20 == 0,
        "is_local_channel": (traits.bits >> 27) % 10 == 0,
        "allowed_devices": ["stb", "mobile", "browser"] if not traits.adult else ["stb"],
        "media_type": "audio" if traits.radio else "mixed",
        "content_flags": _content_flags(traits),
        "display_order_weight": (traits.bits >> 4) % 100,
        "images": images,
        "availability_window": {
            "time_limited_event": False,
            "not_before_timestamp": 1_543_503_445,
            "not_after_timestamp": 4_102_444_799,
        },
        "geo_availability": {
            "geo_restricted": geo_restricted,
            "enabled_country_codes_iso3166_alpha2": ["fi", "se"] if geo_restricted else [],
        },
        "services_available": {
            "services_enabled": services,
            "trickplay_enabled": services[1:],
        },
        "delivery_networks": _delivery_networks(traits, number),
        "relationships": [
            {"id": ids.genre.make(traits.genre), "type": "Genre"},
            {"id": ids.product.make(traits.product), "type": "Product"},
        ],
    }
    return {"type": "Channel", "id": channel_id, "attributes": attributes}


def _genre_resource(seed: int, genre: int) -> dict[str, object]:
    name = GENRES[genre]
    attributes: dict[str, object] = {"name": name, "images": []}
    if name in _PARENT_GENRES:
        attributes["parent_genre"] = _PARENT_GENRES[name]
    return {"type": "Genre", "id": catalogue_ids(seed).genre.make(genre), "attributes": attributes}


def _product_resource(seed: int, product: int) -> dict[str, object]:
    name, external_id = PRODUCTS[product]
    return {
        "type": "Product",
        "id": catalogue_ids(seed).product.make(product),
        "attributes": {"name": name, "external_id": external_id},
    }


@functools.lru_cache(maxsize=128)
def render_channel_page(seed: int, count: int, query: ChannelQuery, origin: str, next_links: bool) -> bytes:
    """The JSON of one channels page (cached: about 120 kB a full page, 128 pages at most)."""
    indices, more = page_indices(seed, count, query)
    language = query.language or "eng"
    data = [channel_resource(seed, i, language) for i in indices]
    traits = [channel_traits(seed, i) for i in indices]
    # dict.fromkeys keeps first-appearance order while dropping repeats.
    genres = dict.fromkeys(t.genre for t in traits)
    products = dict.fromkeys(t.product for t in traits)
    streams = f"{origin}/api/v1/channels/{{channel_id}}/relationships/streams"
    links = {
        "play": f"{streams}?restart_at_beginning=false",
        "start_over": f"{streams}?restart_at_beginning=true",
    }
    if next_links and more:
        links["next"] = f"{origin}/api/metadata/v1/channels?{query.query_string(query.page + 1)}"
    included = [_product_resource(seed, p) for p in products]
    included += [_genre_resource(seed, g) for g in genres]
    return dumps({"links": links, "data": data, "included": included})


# --- streams ---------------------------------------------------------------------------------------


@attrs.frozen
class StreamQuery:
    """The validated query of a streams request."""

    stream_type: str = DEFAULT_STREAM_TYPE
    drm: str | None = None
    restart: bool = False
    network: str | None = None
    device_class: str | None = None
    start_time: int = 0
    autoplay: bool = False

    @property
    def supported(self) -> bool:
        """Whether the platform has a stream of this type with this DRM."""
        return self.drm in _COMPATIBLE_DRM[self.stream_type]


# Each kind of streams request names its parameters differently (the OpenAPI files disagree).
_STREAM_PARAMS: dict[StreamKind, dict[str, str]] = {
    "channel": {
        "restart_at_beginning": "restart",
        "streamType": "stream_type",
        "drmSystem": "drm",
        "network": "network",
        "device_class": "device_class",
    },
    "catchup": {
        "suggested_start_time": "start_time",
        "autoplay": "autoplay",
        "stream_type": "stream_type",
        "network": "network",
        "device_class": "device_class",
    },
    "recording": {
        "suggested_start_time": "start_time",
        "autoplay": "autoplay",
        "streamType": "stream_type",
        "drmSystem": "drm",
        "device_class": "device_class",
    },
}


# field -> (accepts the raw value, what the error says is allowed)
_STREAM_CHECKS: dict[str, tuple[Callable[[str], bool], str]] = {
    "stream_type": (STREAM_TYPES.__contains__, "one of dash, hls, mp4, mss"),
    "drm": (DRM_SYSTEMS.__contains__, "one of fairplay, playready, widevine"),
    "device_class": (DEVICE_CLASSES.__contains__, "one of mobile, smarttv, stb"),
    "restart": (("true", "false").__contains__, "true or false"),
    "autoplay": ("catchup".__eq__, "catchup"),
    "network": (lambda v: _NETWORK.fullmatch(v) is not None, "letters, digits, '.', '_', '-'"),
    "start_time": (lambda v: _START_TIME.fullmatch(v) is not None, "a non-negative integer"),
}


@functools.lru_cache(maxsize=512)
def parse_stream_query(kind: StreamKind, query_string: bytes) -> StreamQuery | str:
    """The query of a streams request, or the detail of why it is refused."""
    names = _STREAM_PARAMS[kind]
    raw: dict[str, str] = {}
    for name, value in _query_params(query_string).items():
        field = names.get(name)
        if field is None:
            continue
        accepts, allowed = _STREAM_CHECKS[field]
        if not accepts(value):
            return f"Parameter '{name}' must be {allowed}, got {value[:40]!r}"
        raw[field] = value
    stream_type = raw.get("stream_type", DEFAULT_STREAM_TYPE)
    return StreamQuery(
        stream_type=stream_type,
        drm=raw.get("drm", _DEFAULT_DRM[stream_type]),
        restart=raw.get("restart") == "true",
        network=raw.get("network"),
        device_class=raw.get("device_class"),
        start_time=int(raw.get("start_time", "0")),
        autoplay="autoplay" in raw,
    )


def next_streamable(kind: StreamKind, index: int, count: int) -> int | None:
    """The index autoplay plays after ``index``, if any.

    A catchup slot is followed by the next programme on its channel, a recording by the next
    recording, a live channel by nothing.
    """
    following = index + 1
    if kind == "channel" or following >= count:
        return None
    if kind == "catchup" and following % SLOTS_PER_CHANNEL == 0:
        return None
    return following


@attrs.frozen
class _Rendition:
    profile: str
    bitrate: int
    vbr_max_bitrate: int
    max_resolution: str
    max_fps: str
    codec_info: str
    segments: tuple[str, ...]


# Two renditions share a profile, hence a URL, hence an id: the platform answers like that.
_RENDITIONS = (
    _Rendition("hd", 6_000_000, 8_000_000, "1080", "50", "avc1.640028,mp4a.40.2", ("fibre",)),
    _Rendition("hd", 3_000_000, 4_000_000, "720", "50", "avc1.4d401f,mp4a.40.2", ("fibre", "dsl")),
    _Rendition("sd", 1_200_000, 1_500_000, "576", "25", "avc1.42c01e,mp4a.40.2", ("mobile",)),
)


def _stream_url(kind: StreamKind, resource_id: str, profile: str, query: StreamQuery) -> str:
    params = {
        "drm": query.drm,
        "startover": "1" if query.restart else None,
        "t": str(query.start_time) if query.start_time else None,
        "device": query.device_class,
        "network": query.network,
    }
    query_string = urlencode({k: v for k, v in params.items() if v is not None})
    url = f"{_STREAM_HOSTS[kind]}/{resource_id}/{profile}/{_MANIFESTS[query.stream_type]}"
    return f"{url}?{query_string}" if query_string else url


def _protection_keys(seed: int, resource_id: str, drm: str | None) -> list[dict[str, str]]:
    if drm is None:
        return []
    key = hashlib.sha256(f"{seed}:{resource_id}:{drm}".encode()).hexdigest()[:32]
    return [
        {
            "type": drm,
            "key": key,
            "laUrl": f"https://drm.example.net/{drm}/license?content_id={resource_id}",
            "keySystem": _KEY_SYSTEMS[drm],
        }
    ]


def _stream_resource(
    seed: int, kind: StreamKind, resource_id: str, rendition: _Rendition, query: StreamQuery
) -> dict[str, object]:
    url = _stream_url(kind, resource_id, rendition.profile, query)
    attributes: dict[str, object] = {
        "profile_name": rendition.profile,
        "suggested_market_segments": list(rendition.segments),
        "suggested_start_time": query.start_time,
        "suggested_devices": _DEVICES_BY_CLASS[query.device_class],
        "codec_info": rendition.codec_info,
        "transport_protocol": "https",
        "streaming_protocols": [query.stream_type],
        "bitrate": rendition.bitrate,
        "max_resolution": rendition.max_resolution,
        "max_fps": rendition.max_fps,
        "vbr_max_bitrate": rendition.vbr_max_bitrate,
        "stream_url": url,
        "protection_types": [_PROTECTION_VENDOR[query.drm]] if query.drm else ["none"],
        "protection_keys": _protection_keys(seed, resource_id, query.drm),
    }
    stream_id = json.dumps({"stream_url": url, "profile_name": rendition.profile}, separators=(",", ":"))
    return {"type": "PlayableStream", "id": stream_id, "attributes": attributes}


@functools.lru_cache(maxsize=2048)
def render_streams(seed: int, kind: StreamKind, resource_id: str, query: StreamQuery, next_url: str | None) -> bytes:
    """The JSON of a streams answer (cached: about 3 kB each, 2048 at most)."""
    document: dict[str, object] = {"data": [_stream_resource(seed, kind, resource_id, r, query) for r in _RENDITIONS]}
    if next_url is not None:
        document["links"] = {"play_next_catchup": next_url}
    return dumps(document)


# --- the schedule: broadcast slots, their programmes and series ----------------------------------------

#: Monday 2024-01-01 00:00 UTC: every channel's day of slots starts here, an hour a slot.
SCHEDULE_START = 1_704_067_200
RECORDING_SLOT_SECONDS = 3600
#: Of a slot's hour, the programme; the rest is commercial breaks.
PROGRAM_SECONDS = 3300
#: Each channel airs this many series, each several times a day; a slot whose position on the day is the last of
#: the cycle airs a film of no series.
SERIES_PER_CHANNEL = 5
_SERIES_CYCLE = SERIES_PER_CHANNEL + 1
_SHOWS = ("Morning Desk", "Match Day", "Kitchen Stories", "Night Shift", "Wild North")


@attrs.frozen
class ScheduleIds:
    """The id schemes of what the schedule adds to the catalogue: series and programmes."""

    series: IdScheme
    program: IdScheme


@functools.lru_cache(maxsize=16)
def schedule_ids(seed: int) -> ScheduleIds:
    """The schedule's id schemes of ``seed``."""
    return ScheduleIds(series=IdScheme.for_kind(seed, "series"), program=IdScheme.for_kind(seed, "program"))


@attrs.frozen
class SlotInfo:
    """Broadcast slot ``index``: programme ``index % 24`` of channel ``index // 24``, an hour from
    ``SCHEDULE_START``. ``series`` is the series index (None for a film); the programme's index is the slot's."""

    index: int
    channel: int
    start: int
    end: int
    title: str
    series: int | None
    recordable: bool


def slot_info(seed: int, index: int) -> SlotInfo:
    """What slot ``index`` airs, and whether it may be recorded (radio channels offer no npvr)."""
    channel, position = divmod(index, SLOTS_PER_CHANNEL)
    start = SCHEDULE_START + position * RECORDING_SLOT_SECONDS
    cycle = position % _SERIES_CYCLE
    traits = channel_traits(seed, channel)
    brand = _BRANDS[(traits.bits >> 16) % len(_BRANDS)]
    if cycle == SERIES_PER_CHANNEL:
        series, title = None, f"{brand} Film {channel + 1}.{position}"
    else:
        series, title = channel * SERIES_PER_CHANNEL + cycle, f"{brand} {_SHOWS[cycle]}"
    return SlotInfo(index, channel, start, start + RECORDING_SLOT_SECONDS, title, series, not traits.radio)


def series_title(seed: int, series: int) -> str:
    """The title of series ``series`` (its slots' title)."""
    channel, cycle = divmod(series, SERIES_PER_CHANNEL)
    return slot_info(seed, channel * SLOTS_PER_CHANNEL + cycle).title


def epg_slot_resource(seed: int, info: SlotInfo) -> dict[str, object]:
    """Slot ``info`` as the recordings API sends it (``Epg/BroadcastSlotEntity``)."""
    ids = catalogue_ids(seed)
    attributes: dict[str, object] = {
        "title": info.title,
        "description": f"{info.title}, on channel {info.channel + 1}.",
        "start_time_unix": info.start,
        "end_time_unix": info.end,
        "advertising_enabled": True,
        "program_duration_seconds": PROGRAM_SECONDS,
        "commercial_break_duration_seconds": RECORDING_SLOT_SECONDS - PROGRAM_SECONDS,
        "metadata_provider_information": [{"provider": "FAKE", "external_id": str(100_000 + info.index)}],
        "broadcast_languages": [{"audio_language_iso639_2": "fin"}],
        "subtitle_languages": [{"language_iso639_2": "fin"}, {"language_iso639_2": "swe"}],
        "program": {"title": info.title},
    }
    channel = {"data": {"type": "Channel", "id": ids.channel.make(info.channel)}}
    return {
        "type": "BroadcastSlot",
        "id": ids.broadcast_slot.make(info.index),
        "attributes": attributes,
        "relationships": {"channel": channel},
    }


# --- enriched metadata: programmes, series, seasons, episodes, credited persons ---------------------
#
# Programme p < EPISODE_COUNT is episode p % 6 + 1 of season (p % 12) // 6 + 1 of series p // 12 (its
# Episode entity has index p too); the rest are movies. Every programme credits two persons.

SERIES_COUNT = 12
SEASONS_PER_SERIES = 2
EPISODES_PER_SEASON = 6
EPISODE_COUNT = SERIES_COUNT * SEASONS_PER_SERIES * EPISODES_PER_SEASON
PROGRAM_COUNT = 200
PERSON_COUNT = 30
CREDITS = ("Cast", "Creator", "Director", "Other")
SERIES_TITLES = (
    "Harbour Lights",
    "The Long Winter",
    "Kitchen Rules",
    "Northern Patrol",
    "Tiny Explorers",
    "Court Side",
    "Deep Blue",
    "City Doctors",
    "Night Shift",
    "Wild North",
    "The Inventors",
    "Lake House",
)
_MOVIE_WORDS = (("Silent", "Last", "Golden", "Broken", "Midnight", "Frozen", "Hidden"), ("River", "Signal", "Crown"))
_PERSON_NAMES = (
    "Aino Virtanen",
    "Mikko Korhonen",
    "Sofia Nieminen",
    "Elias Mäkinen",
    "Helmi Hämäläinen",
    "Oliver Laine",
)


@attrs.frozen
class MetadataIds:
    """The id schemes of the enriched metadata of one seed."""

    program: IdScheme
    series: IdScheme
    season: IdScheme
    episode: IdScheme
    person: IdScheme
    package: IdScheme
    license: IdScheme


@functools.lru_cache(maxsize=16)
def metadata_ids(seed: int) -> MetadataIds:
    """The id schemes of ``seed``'s programmes, series, seasons, episodes, persons and packages."""
    kinds = ("program", "series", "season", "episode", "person", "package", "license")
    return MetadataIds(*(IdScheme.for_kind(seed, kind) for kind in kinds))


@attrs.frozen
class ProgramTraits:
    """What a programme's attributes are derived from."""

    index: int
    title: str
    program_type: str
    release_year: int
    genre: int
    series: int | None
    season_number: int | None
    episode_number: int | None

    @property
    def season(self) -> int | None:
        """The index of the programme's season, for an episode."""
        if self.series is None or self.season_number is None:
            return None
        return self.series * SEASONS_PER_SERIES + self.season_number - 1

    @property
    def persons(self) -> tuple[int, int]:
        """The two persons credited."""
        return (self.index % PERSON_COUNT, (self.index * 7 + 3) % PERSON_COUNT)


@functools.lru_cache(maxsize=1024)
def program_traits(seed: int, index: int) -> ProgramTraits:
    """The traits of programme ``index`` (0 <= index < PROGRAM_COUNT)."""
    if index < EPISODE_COUNT:
        series, rest = divmod(index, SEASONS_PER_SERIES * EPISODES_PER_SEASON)
        season_number = rest // EPISODES_PER_SEASON + 1
        return ProgramTraits(
            index,
            SERIES_TITLES[series],
            "episode",
            series_year(series) + season_number - 1,
            series_genre(series),
            series,
            season_number,
            rest % EPISODES_PER_SEASON + 1,
        )
    bits = _mix(seed + 1, index)
    first, second = _MOVIE_WORDS
    title = f"{first[bits % len(first)]} {second[(bits >> 4) % len(second)]} {index - EPISODE_COUNT + 1}"
    return ProgramTraits(index, title, "movie", 1980 + (bits >> 8) % 44, (bits >> 16) % len(GENRES), None, None, None)


def series_year(series: int) -> int:
    """The year series ``series`` was first released."""
    return 2005 + series


def series_genre(series: int) -> int:
    """The genre of series ``series``."""
    return (series * 3) % len(GENRES)


def _images(kind: str, resource_id: str, language: str) -> list[dict[str, object]]:
    return [
        {
            "image_type": "Thumbnail",
            "alternate_access_description": f"{kind} thumbnail",
            "width_pixels": 640,
            "height_pixels": 360,
            "iso_639-2_lang": language,
            "url": f"https://img.example.net/{kind}/{resource_id}/thumbnail.png",
        }
    ]


def _descriptions(title: str) -> dict[str, str]:
    return {"short": f"{title}.", "long": f"{title}: the long description.", "extended": f"{title}, extended."}


def _ref(kind: str, resource_id: str) -> dict[str, str]:
    return {"id": resource_id, "type": kind}


def program_resource(seed: int, index: int, language: str, *, relationships: bool) -> dict[str, object]:
    """The ``Program`` resource at ``index``; ``relationships`` only where the answer includes what they name."""
    ids, traits = metadata_ids(seed), program_traits(seed, index)
    program_id = ids.program.make(index)
    duration = 2700 if traits.program_type == "episode" else 5400 + (index % 5) * 600
    title = traits.title if traits.episode_number is None else f"{traits.title} {traits.episode_number}"
    attributes: dict[str, object] = {
        "title": title,
        "original_title": title,
        "program_type": traits.program_type,
        "long_title": title if traits.episode_number is None else f"{title}: episode {traits.episode_number}",
        "grid_title": title[:20],
        "descriptions": _descriptions(title),
        "duration_seconds": duration + 600,
        "duration_without_adverts_seconds": duration,
        "release_year": traits.release_year,
        "images": _images("programs", program_id, language),
        "content_flags": [],
        "production_countries": ["fi"],
        "metadata_provider_program_information": [{"provider": "ERICSSON", "external_program_id": str(index)}],
        "created_at": 1_516_804_728,
        "modified_at": 1_516_935_732,
    }
    if relationships:
        links: dict[str, object] = {
            "genre": {"data": [_ref("Genre", catalogue_ids(seed).genre.make(traits.genre))]},
            "credited_person": {"data": [_ref("CreditedPerson", ids.person.make(p)) for p in traits.persons]},
        }
        if traits.series is not None and traits.season is not None:
            links["series"] = {"data": _ref("Series", ids.series.make(traits.series))}
            links["season"] = {"data": [_ref("Season", ids.season.make(traits.season))]}
            links["episode"] = {"data": [_ref("Episode", ids.episode.make(index))]}
        attributes["relationships"] = links
    return {"type": "Program", "id": program_id, "attributes": attributes}


def series_resource(seed: int, series: int, language: str, *, relationships: bool) -> dict[str, object]:
    """The ``Series`` resource ``series``; ``relationships`` (seasons, genre, persons) where they are included."""
    ids = metadata_ids(seed)
    series_id = ids.series.make(series)
    title = SERIES_TITLES[series]
    # The schema requires year_released, and documents release_year: both are sent.
    attributes: dict[str, object] = {
        "title": title,
        "descriptions": _descriptions(title),
        "release_year": series_year(series),
        "year_released": series_year(series),
        "content_flags": [],
        "images": _images("series", series_id, language),
    }
    resource: dict[str, object] = {"type": "Series", "id": series_id, "attributes": attributes}
    if relationships:
        seasons = range(series * SEASONS_PER_SERIES, (series + 1) * SEASONS_PER_SERIES)
        first_episode = series * SEASONS_PER_SERIES * EPISODES_PER_SEASON
        resource["relationships"] = {
            "seasons": {"data": [_ref("Season", ids.season.make(s)) for s in seasons]},
            "genres": {"data": [_ref("Genre", catalogue_ids(seed).genre.make(series_genre(series)))]},
            "credited_persons": {
                "data": [
                    _ref("CreditedPerson", ids.person.make(p)) for p in program_traits(seed, first_episode).persons
                ]
            },
        }
    return resource


def season_resource(seed: int, season: int, language: str) -> dict[str, object]:
    """The ``Season`` resource ``season`` (season ``season % 2 + 1`` of series ``season // 2``)."""
    series, number = divmod(season, SEASONS_PER_SERIES)
    season_id = metadata_ids(seed).season.make(season)
    year = series_year(series) + number
    title = f"Season {number + 1} ({year})"
    attributes: dict[str, object] = {
        "title": title,
        "release_year": year,
        "season_number": number + 1,
        "descriptions": _descriptions(f"{SERIES_TITLES[series]}, {title}"),
        "images": _images("seasons", season_id, language),
    }
    return {"type": "Season", "id": season_id, "attributes": attributes}


def episode_resource(seed: int, index: int, language: str) -> dict[str, object]:
    """The ``Episode`` resource of programme ``index`` (an episode), linked to its programme and season."""
    ids, traits = metadata_ids(seed), program_traits(seed, index)
    episode_id = ids.episode.make(index)
    assert traits.season is not None
    attributes: dict[str, object] = {
        "title": f"{traits.title} {traits.episode_number}",
        "episode_number": traits.episode_number,
        "episode_title": f"Episode {traits.episode_number}",
        "season_number": traits.season_number,
        "images": _images("episodes", episode_id, language),
        "relationships": {
            "program": {"data": _ref("Program", ids.program.make(index))},
            "season": {"data": _ref("Season", ids.season.make(traits.season))},
        },
    }
    return {"type": "Episode", "id": episode_id, "attributes": attributes}


def person_resource(seed: int, person: int, language: str) -> dict[str, object]:
    """The ``CreditedPerson`` resource ``person``."""
    person_id = metadata_ids(seed).person.make(person)
    name = f"{_PERSON_NAMES[person % len(_PERSON_NAMES)]} {person // len(_PERSON_NAMES) + 1}"
    attributes: dict[str, object] = {
        "name": name,
        "credit": CREDITS[person % len(CREDITS)],
        "biography": f"{name} works in television.",
        "images": _images("persons", person_id, language),
    }
    return {"type": "CreditedPerson", "id": person_id, "attributes": attributes}


def genre_resource(seed: int, genre: int) -> dict[str, object]:
    """The ``Genre`` resource ``genre``."""
    return _genre_resource(seed, genre)


# --- the EPG: broadcast slots by day ----------------------------------------------------------------
#
# The EPG spans EPG_DAYS days around ``today`` (the fake's ``epg_today``): each day of a channel has 8
# slots of 3 hours from 04:00 UTC, as the API's day runs from 04:00 to 04:00. The 24 slots with
# indices 24c..24c+23 (the catch-up slots, whose streams the media area serves) are channel c's on the
# three days before today; the slots of the other days come after every channel's catch-up slots.

EPG_PAST_DAYS = 7
EPG_FUTURE_DAYS = 7
SLOTS_PER_DAY = 8
SLOT_SECONDS = 3 * 3600
COMMERCIAL_SECONDS = 600
DAY_START = datetime.time(4, 0, tzinfo=datetime.timezone.utc)
CATCHUP_DAYS = (-3, -2, -1)
CATCHUP_WINDOW_SECONDS = 7 * 86400
_OTHER_DAYS = tuple(d for d in range(-EPG_PAST_DAYS, EPG_FUTURE_DAYS + 1) if d not in CATCHUP_DAYS)
_OTHER_PER_CHANNEL = len(_OTHER_DAYS) * SLOTS_PER_DAY
# Slot (c, d, k) shows programme (7c + 8(d + EPG_PAST_DAYS) + k) mod PROGRAM_COUNT; 143 is 7's inverse.
_CHANNEL_STEP, _CHANNEL_STEP_INVERSE = 7, 143
assert len(CATCHUP_DAYS) * SLOTS_PER_DAY == SLOTS_PER_CHANNEL
assert (_CHANNEL_STEP * _CHANNEL_STEP_INVERSE) % PROGRAM_COUNT == 1


@attrs.frozen
class SlotPosition:
    """Where a slot is: its channel, its day (offset from today) and its place in the day."""

    channel: int
    day: int
    place: int


def slot_index(channels: int, position: SlotPosition) -> int:
    """The index of the slot at ``position`` in a catalogue of ``channels`` channels."""
    if position.day in CATCHUP_DAYS:
        return position.channel * SLOTS_PER_CHANNEL + CATCHUP_DAYS.index(position.day) * SLOTS_PER_DAY + position.place
    base = channels * SLOTS_PER_CHANNEL + position.channel * _OTHER_PER_CHANNEL
    return base + _OTHER_DAYS.index(position.day) * SLOTS_PER_DAY + position.place


def slot_position(channels: int, index: int) -> SlotPosition | None:
    """Where slot ``index`` is, or None when no slot has it."""
    if index < channels * SLOTS_PER_CHANNEL:
        channel, rest = divmod(index, SLOTS_PER_CHANNEL)
        return SlotPosition(channel, CATCHUP_DAYS[rest // SLOTS_PER_DAY], rest % SLOTS_PER_DAY)
    channel, rest = divmod(index - channels * SLOTS_PER_CHANNEL, _OTHER_PER_CHANNEL)
    if channel >= channels:
        return None
    return SlotPosition(channel, _OTHER_DAYS[rest // SLOTS_PER_DAY], rest % SLOTS_PER_DAY)


def epg_day(today: datetime.date, date: datetime.date) -> int | None:
    """The offset of ``date`` from ``today``, or None when the EPG has no slots that day."""
    offset = (date - today).days
    return offset if -EPG_PAST_DAYS <= offset <= EPG_FUTURE_DAYS else None


def slot_program(position: SlotPosition) -> int:
    """The programme a slot shows."""
    day = position.day + EPG_PAST_DAYS
    return (position.channel * _CHANNEL_STEP + day * SLOTS_PER_DAY + position.place) % PROGRAM_COUNT


def program_positions(channels: int, program: int) -> list[SlotPosition]:
    """Every slot showing ``program``, by day, then time, then channel."""
    found: list[SlotPosition] = []
    for day in range(-EPG_PAST_DAYS, EPG_FUTURE_DAYS + 1):
        for place in range(SLOTS_PER_DAY):
            rest = (program - (day + EPG_PAST_DAYS) * SLOTS_PER_DAY - place) % PROGRAM_COUNT
            first = (rest * _CHANNEL_STEP_INVERSE) % PROGRAM_COUNT
            found.extend(SlotPosition(c, day, place) for c in range(first, channels, PROGRAM_COUNT))
    return found


def slot_start(today: datetime.date, position: SlotPosition) -> int:
    """The Unix time a slot starts."""
    day = datetime.datetime.combine(today + datetime.timedelta(days=position.day), DAY_START)
    return int(day.timestamp()) + position.place * SLOT_SECONDS


def _slot_program_value(seed: int, program: int, language: str) -> dict[str, object]:
    traits = program_traits(seed, program)
    title = traits.title if traits.episode_number is None else f"{traits.title} {traits.episode_number}"
    prefix = "Movie: " if traits.program_type == "movie" else ""
    program_id = metadata_ids(seed).program.make(program)
    return {"title": prefix + title, "images": _images("programs", program_id, language), "content_flags": []}


def slot_resource(
    seed: int, channels: int, today: datetime.date, position: SlotPosition, language: str
) -> dict[str, object]:
    """The ``BroadcastSlot`` resource at ``position``."""
    ids = catalogue_ids(seed)
    program = slot_program(position)
    start = slot_start(today, position)
    index = slot_index(channels, position)
    attributes: dict[str, object] = {
        "start_time_unix": start,
        "end_time_unix": start + SLOT_SECONDS,
        "advertising_enabled": True,
        "program_duration_seconds": SLOT_SECONDS - COMMERCIAL_SECONDS,
        "commercial_break_duration_seconds": COMMERCIAL_SECONDS,
        "metadata_provider_information": [{"provider": "ERICSSON", "external_id": str(index)}],
        "broadcast_languages": [{"audio_language_iso639_2": "fin"}],
        "subtitle_languages": [{"language_iso639_2": "fin"}, {"language_iso639_2": "swe"}],
        "services_blacklisted": [] if position.day in CATCHUP_DAYS else ["catchup"],
        "program": _slot_program_value(seed, program, language),
    }
    relationships = {
        "channel": {"data": _ref("Channel", ids.channel.make(position.channel))},
        "program": {"data": _ref("Program", metadata_ids(seed).program.make(program))},
        "genres": {"data": [_ref("Genre", ids.genre.make(program_traits(seed, program).genre))]},
    }
    slot_id = ids.broadcast_slot.make(index)
    return {"type": "BroadcastSlot", "id": slot_id, "attributes": attributes, "relationships": relationships}


def epg_channel_resource(seed: int, channel: int) -> dict[str, object]:
    """The channel as the EPG answer includes it (``ChannelEntity``: a name and its services)."""
    traits = channel_traits(seed, channel)
    full = channel_resource(seed, channel, "eng")
    attributes = full["attributes"]
    assert isinstance(attributes, dict)
    services = ["live"] if traits.radio else ["live", "npvr", "catchup", "startover"]
    return {
        "type": "Channel",
        "id": full["id"],
        "attributes": {"name": attributes["name"], "services_enabled": services},
    }


@functools.lru_cache(maxsize=256)
def render_epg_day(
    seed: int, channels: int, today: datetime.date, channel: int, date: datetime.date, language: str
) -> bytes:
    """The JSON of ``GET /broadcast_slots/{channel_id}/{yyyy-mm-dd}`` (cached)."""
    day = epg_day(today, date)
    positions = [] if day is None else [SlotPosition(channel, day, place) for place in range(SLOTS_PER_DAY)]
    data = [slot_resource(seed, channels, today, position, language) for position in positions]
    return dumps({"data": data, "included": [epg_channel_resource(seed, channel)]})


def catchup_resource(
    seed: int, channels: int, today: datetime.date, position: SlotPosition, language: str
) -> dict[str, object]:
    """The ``CatchupItem`` of a catch-up slot: its id is the slot's."""
    ids = catalogue_ids(seed)
    program = slot_program(position)
    start = slot_start(today, position)
    attributes: dict[str, object] = {
        "available_until_timestamp": start + SLOT_SECONDS + CATCHUP_WINDOW_SECONDS,
        "program_duration_seconds": SLOT_SECONDS - COMMERCIAL_SECONDS,
        "commercial_break_duration_seconds": COMMERCIAL_SECONDS,
        # The schema says integer and shows "fi": the code is a string.
        "audio_language_iso639_1": "fi",
        "subtitle_languages": [{"language_iso639_1": "fi"}],
        "program": _slot_program_value(seed, program, language),
        "relationships": [
            _ref("Channel", ids.channel.make(position.channel)),
            _ref("Program", metadata_ids(seed).program.make(program)),
        ],
    }
    slot_id = ids.broadcast_slot.make(slot_index(channels, position))
    return {"type": "CatchupItem", "id": slot_id, "attributes": attributes}


def product_resource(seed: int, product: int) -> dict[str, object]:
    """The ``Product`` resource ``product`` (an index of ``PRODUCTS``)."""
    return _product_resource(seed, product)
