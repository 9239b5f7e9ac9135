"""``client.legacy``: the legacy API's reads (``/api``): categories, the v3 EPG, a user's channels and favourite
tags, legacy play URLs and legacy recordings.

Its answers are plain JSON (not JSON:API), decoded here into :mod:`amino_async.models.legacy` as tolerantly as
the current API's answers. User-scoped paths name the user by e-mail (``user_email``, or ``user_id`` "the email
address of the user", as the files put it); they default to the logged-in user's username, else their user id.

What the files leave open, and how the SDK reads it (*inferred*):

- The play calls answer a 302 to the media server, "or, for AJAX requests, 200 with a Redirect object": the SDK
  asks as AJAX does (``X-Requested-With: XMLHttpRequest``) and reads either answer; a redirect is never followed,
  its target is returned as :attr:`LegacyPlayback.url <amino_async.models.legacy.LegacyPlayback.url>`.
- The schemas' own slips are read as their examples show: the EPG's ``programs`` belongs to the channel (the file
  indents it under ``services``; both are read); the catch-up listing's ``programList`` is read at the top level
  or under ``resultSet``, and ``resultSet.resultSet`` as the result set; the recording storage's total is
  ``storage`` (the file requires ``total``; both are read); the DRM's ``encryptionMode`` (required as
  ``encryptedMode``; both are read).
- Errors in the legacy shape, ``{"error": {"code", "text"}}``, become the usual typed errors, ``code`` and
  ``text`` (as ``detail``) in their ``errors``.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence
from typing import Any, Final, Literal, TypeVar

import httpx

from .._decoding import decode_object, is_object, json_type
from .._errors import ApiError, ConfigurationError, DecodeError
from .._resource import APIResource, Decode, uses
from .._urls import Route
from ..models.legacy import (
    CatchupPrograms,
    Category,
    CategoryList,
    GroupsAndPrograms,
    Guide,
    GuideChannel,
    LegacyChannel,
    LegacyDrm,
    LegacyPlayback,
    LegacyProgram,
    RecordingGroup,
    RecordingGroupPrograms,
    RecordingSearch,
    RecordingStorage,
    ResultSet,
    UserChannels,
)

__all__ = ["Legacy"]

M = TypeVar("M")

# legacy/endpoints/category/category.yml
CATEGORIES: Final = Route("GET", "legacy_api", "/category")
# legacy/endpoints/channel/channel.yml
USER_CHANNELS: Final = Route("GET", "legacy_api", "/user/{user_email}/channel")
FAVOURITE_TAG: Final = Route("PUT", "legacy_api", "/user/{user_email}/channel/{channel_id}/tag")
# legacy/endpoints/epg/epg.yml
GUIDE: Final = Route("GET", "legacy_api", "/v3/epg")
# legacy/endpoints/playing_media/playing_media.yml
PLAY_CHANNEL: Final = Route("GET", "legacy_api", "/user/{user_id}/channel/{channel_id}/stream/{stream_id}/play")
PLAY_RECORDING: Final = Route("GET", "legacy_api", "/user/{user_id}/recording/{recording_id}")
# legacy/endpoints/recordings/recordings.yml
SEARCH_RECORDINGS: Final = Route("GET", "legacy_api", "/user/{user_id}/recording/search")
RECORDING_GROUPS: Final = Route("GET", "legacy_api", "/user/{user_id}/recording/group")
GROUP_PROGRAMS: Final = Route("GET", "legacy_api", "/user/{user_id}/recording/group/{recording_group_id}/program")
CATCHUP: Final = Route("GET", "legacy_api", "/user/{user_id}/recording/catchup")

#: How the play calls are asked for their JSON answer rather than the redirect (inferred from the files' "for AJAX
#: requests, the server will return HTTP code 200 with Redirect object").
_AJAX: Final = {"X-Requested-With": "XMLHttpRequest", "Accept": "application/json"}
_REDIRECTS: Final = frozenset({301, 302, 303, 307, 308})

StreamProtection = Literal["all", "none", "verimatrix", "vualto"]
Network = Literal["all", "ott", "dvb", "iptv"]
LegacyStreamType = Literal["hls", "mss", "dash"]
ChannelInclude = Literal[
    "product",
    "categories",
    "liveservice",
    "recordingservice",
    "catchupservice",
    "epg",
    "dvbchannel",
    "fastForward",
    "none",
]
RecordingSearchIn = Literal["title", "description", "category", "program_uid"]
GuideSearchFrom = Literal[
    "all_programs",
    "coming_programs",
    "catchup_programs",
    "all_channels",
    "subscribed_channels",
    "not_subscribed_channels",
]
GuideSort = Literal[
    "ch_id__asc",
    "ch_id__desc",
    "ch_name__asc",
    "ch_name__desc",
    "pg_title__asc",
    "pg_title__desc",
    "pub_date__asc",
    "pub_date__desc",
    "rec_count__asc",
    "rec_count__desc",
]
Timestamp = datetime.datetime | int


class Legacy(APIResource):
    """The legacy API's reads (``/api/...``), typed as they are."""

    __slots__ = ()

    async def _user(self, given: str | None) -> str:
        """``given``, else the logged-in user's username (the e-mail the legacy paths take), else their user id."""
        if given is not None:
            return given
        username = getattr(self._api.auth.credentials, "username", None)
        if isinstance(username, str):
            return username
        return await self._user_id(None)

    @uses(CATEGORIES)
    async def categories(self, *, service: str, lang: str | None = None) -> CategoryList:
        """The categories of content (``GET /api/category``), captions in ``lang`` (default "en")."""
        return await self._api.call(CATEGORIES, query={"service": service, "lang": lang}, answer=Decode(_categories))

    @uses(USER_CHANNELS)
    async def channels(
        self,
        *,
        service: str,
        user_email: str | None = None,
        include: Sequence[ChannelInclude] | None = None,
        lang: str | None = None,
        sort: str | None = None,
        stream_protection: Sequence[StreamProtection] | None = None,
        media_type: Literal["audio", "video"] | None = None,
        output: Literal["minimal", "normal", "full"] | None = None,
        favorite: bool | None = None,
        pg: int | None = None,
        ipp: int | None = None,
    ) -> UserChannels:
        """A page of the user's channels with their own view of each (``GET /api/user/{user_email}/channel``).

        ``sort`` is ``<field>__<asc|desc>`` (default ``added_time__asc``); ``favorite=True`` lists only the
        favourites; ``pg`` counts pages from 0, ``ipp`` items per page (default 1000).
        """
        user = await self._user(user_email)
        query = {
            "service": service,
            "include": _joined(include),
            "lang": lang,
            "sort": sort,
            "stream_protection": _joined(stream_protection),
            "media_type": media_type,
            "output": output,
            "favorite": favorite,
            "pg": pg,
            "ipp": ipp,
        }
        return await self._api.call(USER_CHANNELS, {"user_email": user}, query=query, answer=Decode(_user_channels))

    @uses(FAVOURITE_TAG)
    async def set_favourite(
        self, channel_id: str, favorite: bool, *, service: str, user_email: str | None = None
    ) -> LegacyChannel:
        """Mark (or unmark) a channel as the user's favourite (``PUT /api/user/{user_email}/channel/{id}/tag``)."""
        user = await self._user(user_email)
        path = {"user_email": user, "channel_id": channel_id}
        form = {"favorite": bool(favorite)}
        return await self._api.call(FAVOURITE_TAG, path, query={"service": service}, form=form, answer=Decode(_channel))

    @uses(GUIDE)
    async def guide(
        self,
        *,
        service_token: str,
        fields: Sequence[str] | None = None,
        pg: int | None = None,
        ipp: int | None = None,
        st: Timestamp | None = None,
        et: Timestamp | None = None,
        ch: Sequence[str] | None = None,
        keyword: str | None = None,
        search_from: GuideSearchFrom | None = None,
        search_in: Literal["title", "description", "category"] | None = None,
        sort: GuideSort | None = None,
        stream_protection: Sequence[StreamProtection] | None = None,
        network: Sequence[Network] | None = None,
        lang: str | None = None,
    ) -> Guide:
        """A page of the v3 EPG: channels with their programmes (``GET /api/v3/epg``).

        ``st``/``et`` (a datetime or Unix seconds) bound the programmes (default: a week back, two weeks on);
        ``ch`` limits the channels; ``fields`` the fields answered (dot notation, e.g. ``epg.title``).
        """
        query = {
            "service_token": service_token,
            "fields": _joined(fields),
            "pg": pg,
            "ipp": ipp,
            "st": _unix(st),
            "et": _unix(et),
            "ch": _joined(ch),
            "keyword": keyword,
            "search_from": search_from,
            "search_in": search_in,
            "sort": sort,
            "stream_protection": _joined(stream_protection),
            "network": _joined(network),
            "lang": lang,
        }
        return await self._api.call(GUIDE, query=query, answer=Decode(_guide))

    @uses(PLAY_CHANNEL)
    async def play_channel(
        self,
        channel_id: str,
        stream_id: str,
        *,
        user_id: str | None = None,
        startover: bool | None = None,
        stream_type: LegacyStreamType | None = None,
        program_uid: str | None = None,
        network: Network | None = None,
    ) -> LegacyPlayback:
        """Where a player loads a live channel's stream from
        (``GET /api/user/{user_id}/channel/{channel_id}/stream/{stream_id}/play``).

        A user without a license for the channel gets :class:`~amino_async.PermissionDeniedError` (legacy code 311).
        """
        user = await self._user(user_id)
        path = {"user_id": user, "channel_id": channel_id, "stream_id": stream_id}
        query = {"startover": startover, "stream_type": stream_type, "program_uid": program_uid, "network": network}
        return await self._play(PLAY_CHANNEL, path, query)

    @uses(PLAY_RECORDING)
    async def play_recording(
        self,
        recording_id: str,
        *,
        service: str,
        user_id: str | None = None,
        stream_type: LegacyStreamType | None = None,
        program_uid: str | None = None,
    ) -> LegacyPlayback:
        """Where a player loads a recording from (``GET /api/user/{user_id}/recording/{recording_id}``)."""
        user = await self._user(user_id)
        query = {"service": service, "stream_type": stream_type, "program_uid": program_uid}
        return await self._play(PLAY_RECORDING, {"user_id": user, "recording_id": recording_id}, query)

    async def _play(self, route: Route, path: Mapping[str, str], query: Mapping[str, Any]) -> LegacyPlayback:
        try:
            return await self._api.call(route, path, query=query, headers=_AJAX, answer=Decode(_playback))
        except ApiError as exc:
            redirect = _redirect_target(exc)
            if redirect is None:
                raise
            # The documented answer for a client that is not AJAX: its target, never followed.
            return LegacyPlayback(url=redirect)

    @uses(SEARCH_RECORDINGS)
    async def search_recordings(
        self,
        *,
        user_id: str | None = None,
        st: Timestamp | None = None,
        et: Timestamp | None = None,
        pg: int | None = None,
        ipp: int | None = None,
        ch: Sequence[str] | None = None,
        keyword: str | None = None,
        search_in: RecordingSearchIn | None = None,
        cat: Sequence[str] | None = None,
        sort: str | None = None,
    ) -> RecordingSearch:
        """The user's recordings that match (``GET /api/user/{user_id}/recording/search``), newest first by
        default (``sort="start_date__desc"``); ``keyword`` is searched in ``search_in`` (default the title)."""
        user = await self._user(user_id)
        query = {
            "st": _unix(st),
            "et": _unix(et),
            "pg": pg,
            "ipp": ipp,
            "ch": _joined(ch),
            "keyword": keyword,
            "search_in": search_in,
            "cat": _joined(cat),
            "sort": sort,
        }
        return await self._api.call(SEARCH_RECORDINGS, {"user_id": user}, query=query, answer=Decode(_search))

    @uses(RECORDING_GROUPS)
    async def recording_groups(
        self, *, user_id: str | None = None, pg: int | None = None, ipp: int | None = None
    ) -> GroupsAndPrograms:
        """The user's recording groups and the recordings in none (``GET /api/user/{user_id}/recording/group``),
        alphabetically."""
        user = await self._user(user_id)
        query = {"pg": pg, "ipp": ipp}
        return await self._api.call(RECORDING_GROUPS, {"user_id": user}, query=query, answer=Decode(_groups))

    @uses(GROUP_PROGRAMS)
    async def group_programs(
        self, recording_group_id: str, *, user_id: str | None = None, pg: int | None = None, ipp: int | None = None
    ) -> RecordingGroupPrograms:
        """The recordings of one group (``GET /api/user/{user_id}/recording/group/{recording_group_id}/program``)."""
        user = await self._user(user_id)
        path = {"user_id": user, "recording_group_id": recording_group_id}
        return await self._api.call(GROUP_PROGRAMS, path, query={"pg": pg, "ipp": ipp}, answer=Decode(_group_programs))

    @uses(CATCHUP)
    async def catchup(
        self,
        *,
        user_id: str | None = None,
        pg: int | None = None,
        ipp: int | None = None,
        ch: Sequence[str] | None = None,
        keyword: str | None = None,
        search_in: RecordingSearchIn | None = None,
        st: Timestamp | None = None,
        et: Timestamp | None = None,
        show_future_catchup: bool | None = None,
        show_past_catchup: bool | None = None,
        network: Sequence[Literal["ott", "dvb", "iptv"]] | None = None,
    ) -> CatchupPrograms:
        """The programmes the user may watch again (``GET /api/user/{user_id}/recording/catchup``)."""
        user = await self._user(user_id)
        query = {
            "pg": pg,
            "ipp": ipp,
            "ch": _joined(ch),
            "keyword": keyword,
            "search_in": search_in,
            "st": _unix(st),
            "et": _unix(et),
            "show_future_catchup": show_future_catchup,
            "show_past_catchup": show_past_catchup,
            "network": _joined(network),
        }
        return await self._api.call(CATCHUP, {"user_id": user}, query=query, answer=Decode(_catchup))


# --- query values -------------------------------------------------------------------------------------------


def _joined(values: Sequence[str] | None) -> str | None:
    """A comma-separated list, as the legacy API takes them (a string is taken as it is)."""
    if values is None or isinstance(values, str):
        return values
    return ",".join(values)


def _unix(moment: Timestamp | None) -> int | None:
    """Unix seconds, as the legacy API takes times: given as they are, or from a timezone-aware datetime."""
    if moment is None or isinstance(moment, int):
        return moment
    if not isinstance(moment, datetime.datetime) or moment.tzinfo is None:
        raise ConfigurationError("st and et take Unix seconds or a timezone-aware datetime")
    return int(moment.timestamp())


def _redirect_target(error: ApiError) -> str | None:
    """Where a redirect answer points (absolute), or None when ``error`` is not one with a usable target."""
    response = error.response
    if error.status not in _REDIRECTS or response is None:
        return None
    location = response.headers.get("location")
    if not location:
        return None
    try:
        target = response.request.url.join(location)
    except (httpx.InvalidURL, ValueError):
        return None
    if target.scheme not in ("http", "https") or not target.host:
        return None
    return str(target)


# --- answers ------------------------------------------------------------------------------------------------


def _object(value: Any, path: str) -> Mapping[str, Any]:
    if not is_object(value):
        raise DecodeError(f"expected an object, found {json_type(value)}", path=path)
    return value


def _items(value: Any, model: type[M], path: str, strict: bool) -> tuple[M, ...]:
    """The objects of a JSON array (absent or null: none), each decoded on its own."""
    if value is None:
        return ()
    if type(value) is not list:
        raise DecodeError(f"expected an array, found {json_type(value)}", path=path)
    return tuple(decode_object(item, model, path=f"{path}[{i}]", strict=strict) for i, item in enumerate(value))


def _optional(value: Any, model: type[M], path: str, strict: bool) -> M | None:
    return None if value is None else decode_object(value, model, path=path, strict=strict)


def _categories(value: Any, strict: bool) -> CategoryList:
    listing = _object(_object(value, "").get("categoryList"), "categoryList")
    title = listing.get("title")
    categories = _items(listing.get("categories"), Category, "categoryList.categories", strict)
    return CategoryList(title=title if isinstance(title, str) else None, categories=categories)


def _channel(value: Any, strict: bool) -> LegacyChannel:
    return decode_object(value, LegacyChannel, strict=strict)


def _user_channels(value: Any, strict: bool) -> UserChannels:
    document = _object(value, "")
    listing = _object(document.get("channelList"), "channelList")
    description = listing.get("description")
    return UserChannels(
        description=description if isinstance(description, str) else None,
        channels=_items(listing.get("channels"), LegacyChannel, "channelList.channels", strict),
        result_set=_optional(document.get("resultSet"), ResultSet, "resultSet", strict),
    )


def _guide(value: Any, strict: bool) -> Guide:
    document = _object(value, "")
    raw_channels = document.get("channels")
    channels = []
    if raw_channels is not None and type(raw_channels) is not list:
        raise DecodeError(f"expected an array, found {json_type(raw_channels)}", path="channels")
    for index, item in enumerate(raw_channels or ()):
        channel = _object(item, f"channels[{index}]")
        services = channel.get("services")
        if "programs" not in channel and is_object(services) and "programs" in services:
            channel = {**channel, "programs": services["programs"]}  # where the file's schema puts them
        channels.append(decode_object(channel, GuideChannel, path=f"channels[{index}]", strict=strict))
    result_set = decode_object(document.get("resultSet", {}), ResultSet, path="resultSet", strict=strict)
    return Guide(result_set=result_set, channels=tuple(channels))


def _playback(value: Any, strict: bool) -> LegacyPlayback:
    document = _object(value, "")
    redirect = _object(document.get("redirect"), "redirect")
    url = redirect.get("url")
    if type(url) is not str or not url:
        raise DecodeError("expected a string" if "url" in redirect else "required field missing", path="redirect.url")
    drm = document.get("drm")
    if is_object(drm) and "encryptionMode" not in drm and "encryptedMode" in drm:
        drm = {**drm, "encryptionMode": drm["encryptedMode"]}  # the name the file's required list uses
    return LegacyPlayback(url=url, drm=_optional(drm, LegacyDrm, "drm", strict))


def _search(value: Any, strict: bool) -> RecordingSearch:
    document = _object(value, "")
    storage = document.get("storage")
    if is_object(storage) and "total" not in storage and "storage" in storage:
        storage = {**storage, "total": storage["storage"]}  # the file's properties call the total "storage"
    listing = document.get("programList")
    listing = listing if is_object(listing) else {}
    return RecordingSearch(
        storage=_optional(storage, RecordingStorage, "storage", strict),
        result_set=_optional(document.get("recordedContent"), ResultSet, "recordedContent", strict),
        programs=_items(listing.get("programs"), LegacyProgram, "programList.programs", strict),
        description=_text(listing.get("description")),
        language=_text(listing.get("language")),
        pub_date=_text(listing.get("pubDate")),
    )


def _groups(value: Any, strict: bool) -> GroupsAndPrograms:
    listing = _object(_object(value, "").get("groupedAndSingleProgramsList"), "groupedAndSingleProgramsList")
    path = "groupedAndSingleProgramsList.groupsAndPrograms"
    raw_items = listing.get("groupsAndPrograms")
    if raw_items is not None and type(raw_items) is not list:
        raise DecodeError(f"expected an array, found {json_type(raw_items)}", path=path)
    items: list[RecordingGroup | LegacyProgram] = []
    for index, item in enumerate(raw_items or ()):
        entry = _object(item, f"{path}[{index}]")
        group = entry.get("type") == "SYSTEMGROUP" or "programsCount" in entry or "latestPrograms" in entry
        model: type[RecordingGroup] | type[LegacyProgram] = RecordingGroup if group else LegacyProgram
        items.append(decode_object(entry, model, path=f"{path}[{index}]", strict=strict))
    result_set = _optional(listing.get("resultSet"), ResultSet, "groupedAndSingleProgramsList.resultSet", strict)
    return GroupsAndPrograms(result_set=result_set, items=tuple(items))


def _nested_result_set(value: Any, path: str, strict: bool) -> ResultSet | None:
    """A result set, or the one nested in it under the same name (as two of the files write it)."""
    if is_object(value) and is_object(value.get("resultSet")):
        return decode_object(value["resultSet"], ResultSet, path=f"{path}.resultSet", strict=strict)
    return _optional(value, ResultSet, path, strict)


def _group_programs(value: Any, strict: bool) -> RecordingGroupPrograms:
    listing = _object(_object(value, "").get("programsList"), "programsList")
    return RecordingGroupPrograms(
        result_set=_nested_result_set(listing.get("resultSet"), "programsList.resultSet", strict),
        programs=_items(listing.get("programs"), LegacyProgram, "programsList.programs", strict),
    )


def _catchup(value: Any, strict: bool) -> CatchupPrograms:
    document = _object(value, "")
    result_set = document.get("resultSet")
    listing = document.get("programList")
    if not is_object(listing) and is_object(result_set):
        listing = result_set.get("programList")  # where the file's schema puts it
    listing = listing if is_object(listing) else {}
    return CatchupPrograms(
        result_set=_nested_result_set(result_set, "resultSet", strict),
        programs=_items(listing.get("programs"), LegacyProgram, "programList.programs", strict),
        description=_text(listing.get("description")),
        language=_text(listing.get("language")),
        pub_date=_text(listing.get("pubDate")),
    )


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None
