"""The legacy area (``/api``): categories, the v3 EPG, a user's channels and favourite tags, legacy play and
legacy recordings, in the legacy API's plain JSON.

Everything is rendered from the deterministic catalogue: the channels are the catalogue's, the EPG's programmes
its broadcast slots (24 an hour apart from midnight UTC of the fake's day), a user's legacy recordings the first
:data:`RECORDINGS_PER_USER` catalogue recordings (grouped by channel), catch-up the day's slots already begun.
The one thing kept per user is the favourite tags (``fake.legacy``). Refusals use the legacy error shape
``{"error": {"code", "text"}}``; a user path naming someone else is 403 (code 403), an unknown channel or
recording 404. Adult-rated channels play only for a user holding a channel license for them (granted by the
admin area): anyone else gets 403 with the files' code 311.
"""

from __future__ import annotations

import email.utils
import functools
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, quote

from starlette.responses import Response

from .._catalogue import (
    GENRES,
    PRODUCTS,
    RECORDINGS_PER_CHANNEL,
    SLOTS_PER_CHANNEL,
    catalogue_ids,
    channel_resource,
    channel_traits,
)
from .._responses import answer, dumps, reported_now
from .._routing import Call, FakeRoute
from .._state import FakeUser
from .admin import legacy_error
from .users import owned_user

if TYPE_CHECKING:
    from .._app import FakeAmino

RECORDINGS_PER_USER = 25
CHANNELS_PER_PAGE = 1000
CATCHUP_PER_PAGE = 100
_DAY = 86400
_HOUR = 3600
_SORT_FIELDS = frozenset({"title", "start_time", "end_time", "added_time", "updated_time", "rank"})
_PROTECTIONS = frozenset({"all", "none", "verimatrix", "vualto"})
_NETWORKS = frozenset({"all", "ott", "dvb", "iptv"})
_GUIDE_SORTS = frozenset(
    f"{field}__{order}"
    for field in ("ch_id", "ch_name", "pg_title", "pub_date", "rec_count")
    for order in ("asc", "desc")
)
_SEARCH_FROM = frozenset(
    {
        "all_programs",
        "coming_programs",
        "catchup_programs",
        "all_channels",
        "subscribed_channels",
        "not_subscribed_channels",
    }
)
_AJAX = "xmlhttprequest"


class LegacyState:
    """The legacy area's state (``fake.legacy``): each user's favourite channels."""

    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        """Forget every favourite tag."""
        #: Favourite channel ids per user id, in the order they were tagged.
        self.favourites: dict[str, dict[str, None]] = {}

    def favourites_of(self, user_id: str) -> list[str]:
        """The channel ids ``user_id`` has tagged as favourite."""
        return list(self.favourites.get(user_id, ()))


# --- what every handler shares -------------------------------------------------------------------------------


def _owner(fake: FakeAmino, call: Call, param: str) -> FakeUser | Response:
    user = owned_user(fake, call, param)
    if user is None:
        return legacy_error(fake, 403, 403, "You are not authorized to access that resource")
    return user


class _BadQuery(Exception):
    def __init__(self, text: str) -> None:
        super().__init__(text)
        self.text = text


def _query(call: Call) -> Mapping[str, str]:
    return call.request.query_params


def _int(params: Mapping[str, str], name: str, default: int, *, minimum: int = 0) -> int:
    text = params.get(name)
    if text is None:
        return default
    if not text.isascii() or not text.isdigit() or int(text) < minimum:
        raise _BadQuery(f"Parameter '{name}' must be an integer >= {minimum}")
    return int(text)


def _choice(params: Mapping[str, str], name: str, allowed: frozenset[str]) -> str | None:
    value = params.get(name)
    if value is not None and value not in allowed:
        raise _BadQuery(f"Parameter '{name}' must be one of {sorted(allowed)}")
    return value


def _choices(params: Mapping[str, str], name: str, allowed: frozenset[str]) -> list[str] | None:
    value = params.get(name)
    if value is None:
        return None
    values = [item.strip() for item in value.split(",")]
    if not all(item in allowed for item in values):
        raise _BadQuery(f"Parameter '{name}' takes a comma-separated list of {sorted(allowed)}")
    return values


def _required(params: Mapping[str, str], name: str) -> str:
    value = params.get(name)
    if not value:
        raise _BadQuery(f"Parameter '{name}' is required")
    return value


def _handles_bad_queries(
    handler: Callable[[FakeAmino, Call], Any],
) -> Callable[[FakeAmino, Call], Any]:
    @functools.wraps(handler)
    async def checked(fake: FakeAmino, call: Call) -> Response:
        try:
            response: Response = await handler(fake, call)
        except _BadQuery as bad:
            return legacy_error(fake, 400, 400, bad.text)
        return response

    return checked


def _day_start(fake: FakeAmino) -> int:
    now = reported_now(fake)
    return now - now % _DAY


def _rfc2822(timestamp: int) -> str:
    return email.utils.formatdate(timestamp, usegmt=False).replace("-0000", "+0000")


def _channel_index(fake: FakeAmino, channel_id: str) -> int | None:
    index = catalogue_ids(fake.seed).channel.parse(channel_id)
    return index if index is not None and index < fake.channel_count else None


@functools.lru_cache(maxsize=4096)
def _channel_name(seed: int, index: int) -> str:
    name: str = channel_resource(seed, index, "eng")["attributes"]["name"]  # type: ignore[index]
    return name


def _licensed(fake: FakeAmino, user: FakeUser, channel_id: str) -> bool:
    """Whether ``user`` may watch ``channel_id``: any channel but an adult one, which needs a channel license."""
    index = _channel_index(fake, channel_id)
    if index is None:
        return False
    if not channel_traits(fake.seed, index).adult:
        return True
    licenses = fake.admin.channel_licenses.get(user.user_id, {})
    return any(license.channel_id == channel_id for license in licenses.values())


def _protection(fake: FakeAmino, index: int) -> str:
    return "verimatrix" if channel_traits(fake.seed, index).adult else "none"


# --- categories (legacy/endpoints/category/category.yml) ----------------------------------------------------


@_handles_bad_queries
async def categories(fake: FakeAmino, call: Call) -> Response:
    """``GET /api/category?service=...``: one category per genre, featured first."""
    params = _query(call)
    service = _required(params, "service")
    items = []
    for index, genre in enumerate(GENRES):
        epg = f"{call.origin}/api/v3/epg?service={quote(service)}&keyword={quote(genre)}&search_in=category"
        items.append(
            {
                "title": genre if params.get("lang", "en") == "en" else f"{genre} ({params['lang'][:8]})",
                "source": "Amino TV",
                "thumbnailUrl": "",
                "epgUrl": epg,
                "categoryType": "booxtv_featured" if index < 2 else "booxtv_normal",
            }
        )
    return answer(fake, 200, dumps({"categoryList": {"title": "Category List", "categories": items}}))


# --- a user's channels (legacy/endpoints/channel/channel.yml) -----------------------------------------------


def _legacy_channel(fake: FakeAmino, call: Call, user: FakeUser, index: int, service: str) -> dict[str, object]:
    seed = fake.seed
    ids = catalogue_ids(seed)
    channel_id = ids.channel.make(index)
    traits = channel_traits(seed, index)
    product_name, external_id = PRODUCTS[traits.product]
    who = quote(user.username, safe="")
    detail = f"{call.origin}/api/user/{who}/channel/{channel_id}?service={quote(service)}"
    services = [] if traits.radio else ["catchup"]
    return {
        "id": channel_id,
        "title": _channel_name(seed, index),
        "isUserAuthorized": _licensed(fake, user, channel_id),
        "isLocal": (traits.bits >> 27) % 10 == 0,
        "pause_live_tv": not traits.radio,
        "mediaType": "audio" if traits.radio else "video",
        "liveThumbnailUrl": f"https://img.example.net/live/{channel_id}.jpg",
        "thumbnailUrl": f"https://img.example.net/channels/{channel_id}/logo.png",
        "detailUrl": detail,
        "detailHtmlUrl": detail.replace("/api/", "/ui/", 1),
        "description": "",
        "isEvent": False,
        "startTime": "",
        "endTime": "",
        "favorite": channel_id in fake.legacy.favourites.get(user.user_id, {}),
        "rank": index,
        "stream_protection": [_protection(fake, index)],
        "labels": [],
        "categories": [
            {
                "id": traits.product + 1,
                "title": product_name,
                "thumbnailUrl": "",
                "detailUrl": f"{call.origin}/api/user/{who}/product/{traits.product + 1}?service={quote(service)}",
                "detailHtmlUrl": f"{call.origin}/ui/user/{who}/product/{traits.product + 1}",
                "type": "CHANNEL_GROUP",
                "hybrisId": external_id,
                "isPremium": traits.product > 0,
                "recurring": False,
                "price": 0,
                "currency": "EUR",
                "duration": 933120000,
                "promo": False,
                "isUserAuthorized": True,
                "visible": True,
                "programCount": 0,
                "seasonCount": 0,
                "channelCount": 1,
                "iphoneProductId": "",
                "ipadProductId": "",
            }
        ],
        "epg": [],
        "dvbChannels": [],
        "liveservice": {
            "commercial": False,
            "services": [
                {
                    "id": "1",
                    "stream": {
                        "bitrate": "6000",
                        "type": "audio/mp4" if traits.radio else "video/mp4",
                        "protocol": "http",
                        "streamUrl": f"{call.origin}/api/user/{who}/channel/{channel_id}/stream/1/play"
                        f"?service={quote(service)}",
                    },
                }
            ],
            "startOver": {
                "enabled": bool(services),
                "fastForward": False,
                "isUserAuthorized": True,
                "type": "time_shift",
            },
        },
        "recordingService": {"commercial": False},
        "catchupService": {"isCommercial": False, "isBlacklisted": traits.radio},
        "fastForward": {"fastForwardPvr": True, "fastForwardCatchup": True, "fastForwardStartOver": False},
    }


def _result_set(total: int, per_page: int, page: int) -> dict[str, int]:
    return {
        "totalItems": total,
        "totalPages": (total + per_page - 1) // per_page if per_page else 0,
        "itemsPerPage": per_page,
        "currentPage": page,
        "offset": page * per_page,
    }


@_handles_bad_queries
async def user_channels(fake: FakeAmino, call: Call) -> Response:
    """``GET /api/user/{user_email}/channel``: the user's channels, filtered, sorted and paged (``pg`` from 0)."""
    user = _owner(fake, call, "user_email")
    if isinstance(user, Response):
        return user
    params = _query(call)
    service = _required(params, "service")
    media = _choice(params, "media_type", frozenset({"audio", "video"})) or "video"
    _choice(params, "output", frozenset({"minimal", "normal", "full", "favorite"}))
    favorite = _choice(params, "favorite", frozenset({"true", "false"}))
    protections = _choices(params, "stream_protection", _PROTECTIONS)
    sort = params.get("sort", "added_time__asc")
    field, _, order = sort.partition("__")
    if field not in _SORT_FIELDS or order not in ("asc", "desc"):
        raise _BadQuery("Parameter 'sort' is <field>__<asc|desc>")
    page, per_page = _int(params, "pg", 0), _int(params, "ipp", CHANNELS_PER_PAGE, minimum=1)
    favourites = fake.legacy.favourites.get(user.user_id, {})
    ids = catalogue_ids(fake.seed).channel
    chosen = []
    for index in range(fake.channel_count):
        traits = channel_traits(fake.seed, index)
        if ("audio" if traits.radio else "video") != media:
            continue
        protection = _protection(fake, index)
        if protections is None and protection == "verimatrix":
            continue
        if protections is not None and "all" not in protections and protection not in protections:
            continue
        if favorite is not None and (ids.make(index) in favourites) != (favorite == "true"):
            continue
        chosen.append(index)
    if field == "title":
        chosen.sort(key=lambda index: _channel_name(fake.seed, index))
    if order == "desc":
        chosen.reverse()
    shown = chosen[page * per_page : (page + 1) * per_page]
    channels = [_legacy_channel(fake, call, user, index, service) for index in shown]
    body = {
        "resultSet": _result_set(len(chosen), per_page, page),
        "channelList": {"description": "List of channels available for viewing", "channels": channels},
    }
    return answer(fake, 200, dumps(body), {"cache-control": "private, max-age=300"})


@_handles_bad_queries
async def favourite_tag(fake: FakeAmino, call: Call) -> Response:
    """``PUT /api/user/{user_email}/channel/{channel_id}/tag`` (a form, ``favorite=true|false``): the channel."""
    user = _owner(fake, call, "user_email")
    if isinstance(user, Response):
        return user
    service = _required(_query(call), "service")
    form = await call.request.body()
    favorite = dict(parse_qsl(form.decode("latin-1"))).get("favorite")
    if favorite not in ("true", "false"):
        raise _BadQuery("The form field 'favorite' must be 'true' or 'false'")
    channel_id = call.params["channel_id"]
    index = _channel_index(fake, channel_id)
    if index is None:
        return legacy_error(fake, 404, 404, "No such channel")
    tags = fake.legacy.favourites.setdefault(user.user_id, {})
    if favorite == "true":
        tags[channel_id] = None
    else:
        tags.pop(channel_id, None)
    return answer(fake, 200, dumps(_legacy_channel(fake, call, user, index, service)))


# --- the v3 EPG (legacy/endpoints/epg/epg.yml) --------------------------------------------------------------


def _programme(fake: FakeAmino, index: int, slot: int, day: int) -> dict[str, object]:
    traits = channel_traits(fake.seed, index)
    slot_id = fake.broadcast_slot_id(index * SLOTS_PER_CHANNEL + slot)
    genre = GENRES[traits.genre]
    return {
        "categories": [genre],
        "title": f"{genre} at {slot:02d}:00",
        "description": f"The {slot:02d}:00 programme of {_channel_name(fake.seed, index)}.",
        "duration": _HOUR,
        "startTime": day + slot * _HOUR,
        "showId": f"{index}-series",
        "programUId": slot_id,
        "dvbInformation": {"cat_id": traits.genre + 1, "sub_cat_id": 0, "description": genre},
        "thumbnails": [{"url": f"https://img.example.net/slots/{slot_id}.jpg", "width": 640, "height": 360}],
        "parentalRating": "18" if traits.adult else "7",
        "services": {
            "recording": {"isBlacklisted": traits.radio},
            "catchup": {"isBlacklisted": traits.radio, "isAvailable": not traits.radio, "availabilityEnd": 0},
        },
        "series_id": catalogue_ids(fake.seed).genre.make(traits.genre),
        "external_program_information": {
            "provider": "AMINO",
            "external_program_id": slot_id[-12:],
            "external_showing_id": str(index * SLOTS_PER_CHANNEL + slot),
        },
    }


@_handles_bad_queries
async def guide(fake: FakeAmino, call: Call) -> Response:
    """``GET /api/v3/epg?service_token=...``: channels with their programmes between ``st`` and ``et``."""
    params = _query(call)
    _required(params, "service_token")
    _choice(params, "sort", _GUIDE_SORTS)
    _choice(params, "search_from", _SEARCH_FROM)
    _choice(params, "search_in", frozenset({"title", "description", "category"}))
    _choices(params, "stream_protection", _PROTECTIONS)
    _choices(params, "network", _NETWORKS)
    day = _day_start(fake)
    start = _int(params, "st", day - 7 * _DAY)
    end = _int(params, "et", start + 14 * _DAY)
    page, per_page = _int(params, "pg", 0), _int(params, "ipp", CHANNELS_PER_PAGE, minimum=1)
    keyword = params.get("keyword", "").lower()
    wanted = params.get("ch")
    ids = catalogue_ids(fake.seed).channel
    if wanted is not None:
        indices = [i for i in (_channel_index(fake, c.strip()) for c in wanted.split(",")) if i is not None]
    else:
        indices = list(range(fake.channel_count))
    if params.get("sort", "").startswith("ch_name"):
        indices.sort(key=lambda index: _channel_name(fake.seed, index), reverse=params["sort"].endswith("desc"))
    shown = indices[page * per_page : (page + 1) * per_page]
    channels = []
    for index in shown:
        traits = channel_traits(fake.seed, index)
        programmes = [
            programme
            for slot in range(SLOTS_PER_CHANNEL)
            if start <= day + slot * _HOUR <= end
            for programme in (_programme(fake, index, slot, day),)
            if not keyword or keyword in str(programme["title"]).lower() or keyword in GENRES[traits.genre].lower()
        ]
        channels.append(
            {
                "id": ids.make(index),
                "title": _channel_name(fake.seed, index),
                "networkType": ["ott", "dvb"] if traits.bits % 3 == 1 else ["ott", "iptv"],
                "logos": [
                    {"url": f"https://img.example.net/channels/{ids.make(index)}/logo.png", "width": 320, "height": 180}
                ],
                "services": {
                    "liveTV": {
                        "isProvisioned": True,
                        "isCommercial": False,
                        "streamProtection": [_protection(fake, index)],
                    },
                    "recording": {
                        "isProvisioned": not traits.radio,
                        "isBlacklisted": traits.radio,
                        "isCommercial": False,
                    },
                    "catchup": {
                        "isProvisioned": not traits.radio,
                        "isBlacklisted": traits.radio,
                        "isCommercial": False,
                    },
                },
                "programs": programmes,
            }
        )
    body = {"resultSet": _result_set(len(indices), per_page, page), "channels": channels}
    return answer(fake, 200, dumps(body), {"cache-control": "public, max-age=300"})


# --- legacy play (legacy/endpoints/playing_media/playing_media.yml) -----------------------------------------


def _play_answer(fake: FakeAmino, call: Call, url: str, drm: dict[str, str] | None) -> Response:
    """200 with a Redirect object for an AJAX request, else the 302 the files document."""
    if call.request.headers.get("x-requested-with", "").lower() == _AJAX:
        body: dict[str, object] = {"redirect": {"url": url}}
        if drm is not None:
            body["drm"] = drm
        return answer(fake, 200, dumps(body))
    return answer(fake, 302, b"", {"location": url}, media_type=None)


@_handles_bad_queries
async def play_channel(fake: FakeAmino, call: Call) -> Response:
    """``GET /api/user/{user_id}/channel/{channel_id}/stream/{stream_id}/play``: where the live stream is."""
    user = _owner(fake, call, "user_id")
    if isinstance(user, Response):
        return user
    params = _query(call)
    stream_type = _choice(params, "stream_type", frozenset({"hls", "mss", "dash"})) or "hls"
    _choice(params, "startover", frozenset({"true", "false"}))
    _choice(params, "network", _NETWORKS)
    channel_id = call.params["channel_id"]
    index = _channel_index(fake, channel_id)
    if index is None or call.params["stream_id"] != "1":
        return legacy_error(fake, 404, 404, "No such channel stream")
    if not _licensed(fake, user, channel_id):
        return legacy_error(fake, 403, 311, "You do not have a valid license to view this content")
    manifest = {"hls": "playlist.m3u8", "mss": "Manifest", "dash": "manifest.mpd"}[stream_type]
    startover = "&startover=1" if params.get("startover") == "true" else ""
    url = f"https://live.example.net/legacy/{channel_id}/{manifest}?time_shift=0{startover}"
    drm = None
    if stream_type == "mss":
        drm = {
            "streamingMode": "mss",
            "encryptionMode": "playready",
            "token": f"fake|{channel_id[-12:]}|{user.user_id}",
            "laUrl": "https://drm.example.net/playready/rightsmanager.asmx",
        }
    return _play_answer(fake, call, url, drm)


def _user_recordings(fake: FakeAmino) -> range:
    return range(min(RECORDINGS_PER_USER, fake.recording_count))


def _recording_programme(fake: FakeAmino, index: int) -> dict[str, object]:
    """The legacy shape of catalogue recording ``index`` (of channel ``index // 2``)."""
    channel = index // RECORDINGS_PER_CHANNEL
    recording_id = fake.recording_id(index)
    traits = channel_traits(fake.seed, channel)
    start = _day_start(fake) - (1 + channel % 7) * _DAY + (index % RECORDINGS_PER_CHANNEL) * 2 * _HOUR
    stream = f"https://npvr.example.net/legacy/{recording_id}"
    return {
        "category": GENRES[traits.genre],
        "subCategory": "",
        "categories": [GENRES[traits.genre]],
        "channelId": catalogue_ids(fake.seed).channel.make(channel),
        "title": f"{_channel_name(fake.seed, channel)} recording {index % RECORDINGS_PER_CHANNEL + 1}",
        "programUid": recording_id,
        "showId": f"{channel}-series",
        "programInstanceMetadataId": str(index),
        "programCrId": str(1_000_000 + index),
        "startTime": _rfc2822(start),
        "continuous": False,
        "autoDelete": True,
        "favorite": False,
        "description": f"Recorded from {_channel_name(fake.seed, channel)}.",
        "duration": _HOUR,
        "playbackDuration": 0,
        "thumbnailUrl": f"https://img.example.net/recordings/{recording_id}.jpg",
        "recordings": [
            {
                "stream": {
                    "bitrate": bitrate,
                    "type": "video/mp4",
                    "protocol": "http",
                    "streamUrl": f"{stream}/{bitrate}",
                },
                "recorded_duration": _HOUR,
                "status": "RECORDED",
                "recording_id": recording_id,
            }
            for bitrate in (3000, 6000)
        ],
        "fastForwardPvr": True,
        "retentionTime": 30,
        "_start": start,
    }


def _public(programme: dict[str, object]) -> dict[str, object]:
    return {key: value for key, value in programme.items() if not key.startswith("_")}


@_handles_bad_queries
async def play_recording(fake: FakeAmino, call: Call) -> Response:
    """``GET /api/user/{user_id}/recording/{recording_id}?service=...``: where the recording is."""
    user = _owner(fake, call, "user_id")
    if isinstance(user, Response):
        return user
    params = _query(call)
    _required(params, "service")
    stream_type = _choice(params, "stream_type", frozenset({"hls", "mss", "dash"})) or "hls"
    index = catalogue_ids(fake.seed).recording.parse(call.params["recording_id"])
    if index is None or index not in _user_recordings(fake):
        return legacy_error(fake, 404, 404, "No such recording")
    manifest = {"hls": "playlist.m3u8", "mss": "Manifest", "dash": "manifest.mpd"}[stream_type]
    return _play_answer(fake, call, f"https://npvr.example.net/legacy/{fake.recording_id(index)}/{manifest}", None)


# --- legacy recordings (legacy/endpoints/recordings/recordings.yml) -----------------------------------------


def _matches(programme: dict[str, object], params: Mapping[str, str]) -> bool:
    keyword = params.get("keyword")
    if keyword:
        field = {"title": "title", "description": "description", "category": "category", "program_uid": "programUid"}
        where = field[params.get("search_in", "title")]
        if keyword.lower() not in str(programme[where]).lower():
            return False
    wanted = params.get("ch")
    if wanted is not None and programme["channelId"] not in {c.strip() for c in wanted.split(",")}:
        return False
    start = programme["_start"]
    assert isinstance(start, int)
    if "st" in params and start < int(params["st"]):
        return False
    return not ("et" in params and start > int(params["et"]))


def _start_of(programme: dict[str, object]) -> int:
    start = programme["_start"]
    assert isinstance(start, int)
    return start


def _checked_times(params: Mapping[str, str]) -> None:
    for name in ("st", "et"):
        _int(params, name, 0)


@_handles_bad_queries
async def search_recordings(fake: FakeAmino, call: Call) -> Response:
    """``GET /api/user/{user_id}/recording/search``: the user's recordings that match, newest first."""
    user = _owner(fake, call, "user_id")
    if isinstance(user, Response):
        return user
    params = _query(call)
    _choice(params, "search_in", frozenset({"title", "description", "category", "program_uid"}))
    _checked_times(params)
    page, per_page = _int(params, "pg", 0), _int(params, "ipp", CHANNELS_PER_PAGE, minimum=1)
    found = [p for p in (_recording_programme(fake, i) for i in _user_recordings(fake)) if _matches(p, params)]
    found.sort(key=_start_of, reverse=params.get("sort", "start_date__desc").endswith("desc"))
    shown = [_public(p) for p in found[page * per_page : (page + 1) * per_page]]
    content = {"description": "Recorded content", **_result_set(len(found), per_page, page)}
    body = {
        # The file requires "total" and defines "storage", both the total: both are sent.
        "storage": {"total": "100:00:00", "storage": "100:00:00", "left": f"{100 - len(found):02d}:00:00"},
        "recordedContent": content,
        "programList": {
            "description": "Program listing",
            "language": "en-US",
            "pubDate": _rfc2822(reported_now(fake)),
            "programs": shown,
        },
    }
    return answer(fake, 200, dumps(body))


def _groups(fake: FakeAmino) -> dict[str, list[int]]:
    """The user's recordings by channel id (the group id), in recording order."""
    groups: dict[str, list[int]] = {}
    for index in _user_recordings(fake):
        groups.setdefault(catalogue_ids(fake.seed).channel.make(index // RECORDINGS_PER_CHANNEL), []).append(index)
    return groups


@_handles_bad_queries
async def recording_groups(fake: FakeAmino, call: Call) -> Response:
    """``GET /api/user/{user_id}/recording/group``: a group per channel with two or more recordings, and the
    recordings alone, alphabetically."""
    user = _owner(fake, call, "user_id")
    if isinstance(user, Response):
        return user
    params = _query(call)
    page, per_page = _int(params, "pg", 0), _int(params, "ipp", CHANNELS_PER_PAGE, minimum=1)
    items: list[dict[str, object]] = []
    for group_id, members in _groups(fake).items():
        channel = members[0] // RECORDINGS_PER_CHANNEL
        if len(members) == 1:
            items.append(_public(_recording_programme(fake, members[0])))
            continue
        latest = _recording_programme(fake, members[-1])
        items.append(
            {
                "id": group_id,
                "title": _channel_name(fake.seed, channel),
                "programsCount": len(members),
                "type": "SYSTEMGROUP",
                "latestPrograms": [
                    {
                        "programUid": latest["programUid"],
                        "title": latest["title"],
                        "description": latest["description"],
                        "startTime": latest["_start"],
                        "duration": latest["duration"],
                        "channelInfo": {
                            "channelId": latest["channelId"],
                            "channelName": _channel_name(fake.seed, channel),
                            "thumbnailUrl": f"https://img.example.net/channels/{latest['channelId']}/logo.png",
                        },
                    }
                ],
            }
        )
    items.sort(key=lambda item: str(item["title"]))
    body = {
        "groupedAndSingleProgramsList": {
            "resultSet": _result_set(len(items), per_page, page),
            "groupsAndPrograms": items[page * per_page : (page + 1) * per_page],
        }
    }
    return answer(fake, 200, dumps(body))


@_handles_bad_queries
async def group_programs(fake: FakeAmino, call: Call) -> Response:
    """``GET /api/user/{user_id}/recording/group/{recording_group_id}/program``: the recordings of a group."""
    user = _owner(fake, call, "user_id")
    if isinstance(user, Response):
        return user
    params = _query(call)
    page, per_page = _int(params, "pg", 0), _int(params, "ipp", CHANNELS_PER_PAGE, minimum=1)
    members = _groups(fake).get(call.params["recording_group_id"])
    if members is None or len(members) < 2:
        return legacy_error(fake, 404, 404, "No such recording group")
    programmes = [_public(_recording_programme(fake, index)) for index in members]
    body = {
        "programsList": {
            "resultSet": {"resultSet": _result_set(len(programmes), per_page, page)},
            "programs": programmes[page * per_page : (page + 1) * per_page],
        }
    }
    return answer(fake, 200, dumps(body))


@_handles_bad_queries
async def catchup(fake: FakeAmino, call: Call) -> Response:
    """``GET /api/user/{user_id}/recording/catchup``: today's programmes already begun, on channels with catch-up."""
    user = _owner(fake, call, "user_id")
    if isinstance(user, Response):
        return user
    params = _query(call)
    _choice(params, "search_in", frozenset({"title", "description", "category", "program_uid"}))
    _choices(params, "network", frozenset({"ott", "dvb", "iptv"}))
    _choice(params, "show_future_catchup", frozenset({"true", "false"}))
    _choice(params, "show_past_catchup", frozenset({"true", "false"}))
    _checked_times(params)
    page, per_page = _int(params, "pg", 0), _int(params, "ipp", CATCHUP_PER_PAGE, minimum=1)
    day, now = _day_start(fake), reported_now(fake)
    ids = catalogue_ids(fake.seed).channel
    found = []
    for index in range(fake.channel_count):
        traits = channel_traits(fake.seed, index)
        if traits.radio:
            continue
        for slot in range(SLOTS_PER_CHANNEL):
            start = day + slot * _HOUR
            if start > now and params.get("show_future_catchup") != "true":
                break
            programme = _catchup_programme(fake, user, index, slot, start)
            if _matches({**programme, "_start": start, "channelId": ids.make(index)}, params):
                found.append(programme)
    shown = found[page * per_page : (page + 1) * per_page]
    body = {
        "resultSet": _result_set(len(found), per_page, page),
        "programList": {
            "description": "Catchup Listing",
            "language": "en-US",
            "pubDate": _rfc2822(now),
            "programs": shown,
        },
    }
    return answer(fake, 200, dumps(body))


def _catchup_programme(fake: FakeAmino, user: FakeUser, index: int, slot: int, start: int) -> dict[str, object]:
    channel_id = catalogue_ids(fake.seed).channel.make(index)
    slot_id = fake.broadcast_slot_id(index * SLOTS_PER_CHANNEL + slot)
    genre = GENRES[channel_traits(fake.seed, index).genre]
    return {
        "category": genre,
        "subCategory": "",
        "categories": [genre],
        "channelId": channel_id,
        "isUserAuthorized": _licensed(fake, user, channel_id),
        "title": f"{genre} at {slot:02d}:00",
        "programUid": slot_id,
        "startTime": _rfc2822(start),
        "continuous": False,
        "autoDelete": False,
        "favorite": False,
        "description": f"The {slot:02d}:00 programme of {_channel_name(fake.seed, index)}.",
        "duration": _HOUR,
        "playbackDuration": 0,
        "availabilityStart": _rfc2822(start),
        "availabilityEnd": _rfc2822(start + 7 * _DAY),
        "thumbnailUrl": f"https://img.example.net/slots/{slot_id}.jpg",
        "recordable": "true",
        "fastForward": {"pvr": True, "catchup": True},
        "user": {
            "recording": {
                "isAvailable": False,
                "isContinuous": False,
                "isAutoDelete": False,
                "playbackDuration": 0,
                "isFavorite": False,
            }
        },
        "recordings": [],
    }


ROUTES: tuple[FakeRoute, ...] = (
    FakeRoute("legacy_categories", "GET", "/api/category", categories, data=True, malformed={"categoryList": []}),
    FakeRoute(
        "legacy_user_channels",
        "GET",
        "/api/user/{user_email}/channel",
        user_channels,
        data=True,
        malformed={"channelList": {"channels": "none"}},
    ),
    FakeRoute(
        "legacy_favourite_tag", "PUT", "/api/user/{user_email}/channel/{channel_id}/tag", favourite_tag, data=True
    ),
    FakeRoute("legacy_guide", "GET", "/api/v3/epg", guide, data=True, malformed={"channels": {"id": 1}}),
    FakeRoute(
        "legacy_play_channel",
        "GET",
        "/api/user/{user_id}/channel/{channel_id}/stream/{stream_id}/play",
        play_channel,
        data=True,
        malformed={"redirect": {"url": 7}},
    ),
    FakeRoute(
        "legacy_play_recording",
        "GET",
        "/api/user/{user_id}/recording/{recording_id}",
        play_recording,
        data=True,
        malformed={"redirect": None},
    ),
    FakeRoute("legacy_search_recordings", "GET", "/api/user/{user_id}/recording/search", search_recordings, data=True),
    FakeRoute("legacy_recording_groups", "GET", "/api/user/{user_id}/recording/group", recording_groups, data=True),
    FakeRoute(
        "legacy_group_programs",
        "GET",
        "/api/user/{user_id}/recording/group/{recording_group_id}/program",
        group_programs,
        data=True,
    ),
    FakeRoute("legacy_catchup", "GET", "/api/user/{user_id}/recording/catchup", catchup, data=True),
)
