"""The legacy API (``/api``): categories, the v3 EPG, a user's channels, legacy play URLs and recordings.

Its answers are plain JSON, not JSON:API: camelCase keys, no ``data``/``attributes`` envelope, ids as strings or
integers. These models are its own, kept apart from the current API's; they are decoded as tolerantly as the
current API's (a field with a default falls back to it, ``strict=True`` refuses) by ``resources.legacy``.
Each top-level item (a channel, a programme, a category) keeps what came in an undocumented shape in ``raw``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from attrs import field, frozen

from ._common import FrozenDict, Model

__all__ = [
    "CatchupFastForward",
    "CatchupPrograms",
    "Category",
    "CategoryList",
    "ChannelCatchupService",
    "ChannelCategory",
    "ChannelEpgEntry",
    "ChannelFastForward",
    "ChannelRecordingService",
    "ChannelStartOver",
    "ChannelStream",
    "GroupChannelInfo",
    "GroupLatestProgram",
    "GroupsAndPrograms",
    "Guide",
    "GuideChannel",
    "GuideChannelServices",
    "GuideDvbInformation",
    "GuideExternalInformation",
    "GuideLiveTv",
    "GuideProgram",
    "GuideProgramService",
    "GuideProgramServices",
    "GuideRecording",
    "LegacyChannel",
    "LegacyChannelService",
    "LegacyDrm",
    "LegacyDvbChannel",
    "LegacyObject",
    "LegacyPlayback",
    "LegacyProgram",
    "LegacyRecording",
    "LegacyRecordingStream",
    "LiveService",
    "RecordingGroup",
    "RecordingGroupPrograms",
    "RecordingSearch",
    "RecordingStorage",
    "ResultSet",
    "Thumbnail",
    "UserChannels",
]

_NO_RAW: Final[Mapping[str, Any]] = FrozenDict()


@frozen
class LegacyObject(Model):
    """Base of the legacy API's items: ``raw`` keeps, by JSON name, what came in a shape other than documented
    (and so read as its field's default). Filled by the SDK; no part of equality or the repr."""

    raw: Mapping[str, Any] = field(default=_NO_RAW, kw_only=True, eq=False, repr=False, metadata={"fill": "raw"})


@frozen
class ResultSet(Model):
    """Where a page of a legacy listing is: its totals and its position (``pg`` counts from 0)."""

    total_items: int | None = field(default=None, metadata={"json": "totalItems"})
    total_pages: int | None = field(default=None, metadata={"json": "totalPages"})
    items_per_page: int | None = field(default=None, metadata={"json": "itemsPerPage"})
    current_page: int | None = field(default=None, metadata={"json": "currentPage"})
    offset: int | None = None


@frozen
class Thumbnail(Model):
    """An image of a legacy channel or programme."""

    url: str
    width: int | None = None
    height: int | None = None


# --- categories ---------------------------------------------------------------------------------------------


@frozen
class Category(LegacyObject):
    """A category of content (``GET /api/category``); ``epg_url`` is the EPG query that lists it."""

    title: str = ""
    source: str | None = None
    thumbnail_url: str | None = field(default=None, metadata={"json": "thumbnailUrl"})
    epg_url: str | None = field(default=None, metadata={"json": "epgUrl"})
    #: ``booxtv_featured`` or ``booxtv_normal``.
    category_type: str | None = field(default=None, metadata={"json": "categoryType"})


@frozen
class CategoryList(Model):
    """The answer of ``GET /api/category``: its title (always "Category List") and the categories."""

    title: str | None
    categories: tuple[Category, ...]


# --- a user's channels --------------------------------------------------------------------------------------


@frozen
class ChannelCategory(Model):
    """A product (channel group) a legacy channel belongs to (``Channel.categories``)."""

    id: str
    title: str | None = None
    type: str | None = None
    thumbnail_url: str | None = field(default=None, metadata={"json": "thumbnailUrl"})
    detail_url: str | None = field(default=None, metadata={"json": "detailUrl"})
    hybris_id: str | None = field(default=None, metadata={"json": "hybrisId"})
    is_premium: bool | None = field(default=None, metadata={"json": "isPremium"})
    recurring: bool | None = None
    price: float | None = None
    currency: str | None = None
    duration: int | None = None
    promo: bool | None = None
    is_user_authorized: bool | None = field(default=None, metadata={"json": "isUserAuthorized"})
    visible: bool | None = None
    channel_count: int | None = field(default=None, metadata={"json": "channelCount"})


@frozen
class ChannelEpgEntry(Model):
    """A programme shown with a legacy channel (``Channel.epg``)."""

    title: str | None = None
    program_uid: str | None = field(default=None, metadata={"json": "programUid"})
    channel_id: str | None = field(default=None, metadata={"json": "channelId"})
    #: As sent, e.g. ``Thu, 13 Mar 2014 13:05:00 +0200``.
    start_time: str | None = field(default=None, metadata={"json": "startTime"})
    duration: int | None = None
    description: str | None = None
    category: str | None = None
    sub_category: str | None = field(default=None, metadata={"json": "subCategory"})
    categories: tuple[str, ...] = ()
    thumbnail_url: str | None = field(default=None, metadata={"json": "thumbnailUrl"})
    vertical_size: int | None = field(default=None, metadata={"json": "verticalSize"})
    aspect_ratio: str | None = field(default=None, metadata={"json": "aspectRatio"})


@frozen
class LegacyDvbChannel(Model):
    """How a legacy channel is carried over DVB (every value a string, as sent)."""

    type: str | None = None
    onid: str | None = None
    tsid: str | None = None
    sid: str | None = None
    frequency: str | None = None
    modulation: str | None = None
    symbol_rate: str | None = field(default=None, metadata={"json": "symbolRate"})
    polarization: str | None = None
    num_lnb: str | None = field(default=None, metadata={"json": "numLNB"})
    quality: str | None = None


@frozen
class ChannelStream(Model):
    """A stream of a legacy channel; ``stream_url`` is its legacy play URL (``.../stream/{id}/play``)."""

    stream_url: str = field(metadata={"json": "streamUrl"})
    bitrate: int | None = None
    type: str | None = None
    protocol: str | None = None


@frozen
class LegacyChannelService(Model):
    """One live service of a legacy channel: its id (the ``stream_id`` of the play URL) and its stream."""

    id: str
    stream: ChannelStream | None = None


@frozen
class ChannelStartOver(Model):
    """Whether start-over is offered on a legacy channel, and to this user."""

    enabled: bool | None = None
    fast_forward: bool | None = field(default=None, metadata={"json": "fastForward"})
    is_user_authorized: bool | None = field(default=None, metadata={"json": "isUserAuthorized"})
    type: str | None = None


@frozen
class LiveService(Model):
    """The live service of a legacy channel (``Channel.liveservice``)."""

    commercial: bool | None = None
    services: tuple[LegacyChannelService, ...] = ()
    start_over: ChannelStartOver | None = field(default=None, metadata={"json": "startOver"})


@frozen
class ChannelCatchupService(Model):
    """The catch-up service of a legacy channel."""

    is_commercial: bool | None = field(default=None, metadata={"json": "isCommercial"})
    is_blacklisted: bool | None = field(default=None, metadata={"json": "isBlacklisted"})


@frozen
class ChannelRecordingService(Model):
    """The recording service of a legacy channel."""

    commercial: bool | None = None


@frozen
class ChannelFastForward(Model):
    """Where a legacy channel allows fast-forward."""

    pvr: bool | None = field(default=None, metadata={"json": "fastForwardPvr"})
    catchup: bool | None = field(default=None, metadata={"json": "fastForwardCatchup"})
    start_over: bool | None = field(default=None, metadata={"json": "fastForwardStartOver"})


@frozen
class LegacyChannel(LegacyObject):
    """A channel as the legacy API shows it to one user (``Channel``): the user's view of it included
    (``is_user_authorized``, ``favorite``)."""

    id: str
    title: str = ""
    is_user_authorized: bool | None = field(default=None, metadata={"json": "isUserAuthorized"})
    is_local: bool | None = field(default=None, metadata={"json": "isLocal"})
    pause_live_tv: bool | None = None
    media_type: str | None = field(default=None, metadata={"json": "mediaType"})
    live_thumbnail_url: str | None = field(default=None, metadata={"json": "liveThumbnailUrl"})
    thumbnail_url: str | None = field(default=None, metadata={"json": "thumbnailUrl"})
    detail_url: str | None = field(default=None, metadata={"json": "detailUrl"})
    detail_html_url: str | None = field(default=None, metadata={"json": "detailHtmlUrl"})
    description: str | None = None
    is_event: bool | None = field(default=None, metadata={"json": "isEvent"})
    start_time: str | None = field(default=None, metadata={"json": "startTime"})
    end_time: str | None = field(default=None, metadata={"json": "endTime"})
    favorite: bool = False
    rank: int | None = None
    stream_protection: tuple[str, ...] = ()
    labels: tuple[int, ...] = ()
    categories: tuple[ChannelCategory, ...] = ()
    epg: tuple[ChannelEpgEntry, ...] = ()
    dvb_channels: tuple[LegacyDvbChannel, ...] = field(default=(), metadata={"json": "dvbChannels"})
    live_service: LiveService | None = field(default=None, metadata={"json": "liveservice"})
    recording_service: ChannelRecordingService | None = field(default=None, metadata={"json": "recordingService"})
    catchup_service: ChannelCatchupService | None = field(default=None, metadata={"json": "catchupService"})
    fast_forward: ChannelFastForward | None = field(default=None, metadata={"json": "fastForward"})


@frozen
class UserChannels(Model):
    """The answer of ``GET /api/user/{user_email}/channel``: a page of the user's channels."""

    description: str | None
    channels: tuple[LegacyChannel, ...]
    result_set: ResultSet | None = None


# --- the v3 EPG ---------------------------------------------------------------------------------------------


@frozen
class GuideLiveTv(Model):
    """The live service of an EPG channel."""

    is_provisioned: bool | None = field(default=None, metadata={"json": "isProvisioned"})
    is_commercial: bool | None = field(default=None, metadata={"json": "isCommercial"})
    stream_protection: tuple[str, ...] = field(default=(), metadata={"json": "streamProtection"})


@frozen
class GuideRecording(Model):
    """The recording (or catch-up) service of an EPG channel."""

    is_provisioned: bool | None = field(default=None, metadata={"json": "isProvisioned"})
    is_blacklisted: bool | None = field(default=None, metadata={"json": "isBlacklisted"})
    is_commercial: bool | None = field(default=None, metadata={"json": "isCommercial"})


@frozen
class GuideChannelServices(Model):
    """The services an EPG channel offers."""

    live_tv: GuideLiveTv | None = field(default=None, metadata={"json": "liveTV"})
    recording: GuideRecording | None = None
    catchup: GuideRecording | None = None


@frozen
class GuideDvbInformation(Model):
    """A programme's DVB categories."""

    cat_id: int | None = None
    sub_cat_id: int | None = None
    description: str | None = None


@frozen
class GuideProgramService(Model):
    """Whether a programme may be recorded (or watched again), and until when."""

    is_blacklisted: bool | None = field(default=None, metadata={"json": "isBlacklisted"})
    is_available: bool | None = field(default=None, metadata={"json": "isAvailable"})
    availability_end: int | None = field(default=None, metadata={"json": "availabilityEnd"})


@frozen
class GuideProgramServices(Model):
    """A programme's recording and catch-up settings."""

    recording: GuideProgramService | None = None
    catchup: GuideProgramService | None = None


@frozen
class GuideExternalInformation(Model):
    """A programme's ids in its metadata provider's system."""

    provider: str | None = None
    external_program_id: str | None = None
    external_showing_id: str | None = None


@frozen
class GuideProgram(LegacyObject):
    """A programme of the v3 EPG."""

    title: str = ""
    program_uid: str | None = field(default=None, metadata={"json": "programUId"})
    #: Unix seconds.
    start_time: int | None = field(default=None, metadata={"json": "startTime"})
    #: Seconds.
    duration: int | None = None
    description: str | None = None
    categories: tuple[str, ...] = ()
    show_id: str | None = field(default=None, metadata={"json": "showId"})
    series_id: str | None = None
    thumbnails: tuple[Thumbnail, ...] = ()
    dvb_information: GuideDvbInformation | None = field(default=None, metadata={"json": "dvbInformation"})
    services: GuideProgramServices | None = None
    external_program_information: GuideExternalInformation | None = None


@frozen
class GuideChannel(LegacyObject):
    """A channel of the v3 EPG and its programmes."""

    id: str
    title: str = ""
    network_type: tuple[str, ...] = field(default=(), metadata={"json": "networkType"})
    logos: tuple[Thumbnail, ...] = ()
    services: GuideChannelServices | None = None
    programs: tuple[GuideProgram, ...] = ()


@frozen
class Guide(Model):
    """The answer of ``GET /api/v3/epg``: a page of channels with their programmes."""

    result_set: ResultSet
    channels: tuple[GuideChannel, ...]


# --- legacy play --------------------------------------------------------------------------------------------


@frozen
class LegacyDrm(Model):
    """How to unlock a protected legacy stream: its streaming and encryption mode, token and licence URL."""

    streaming_mode: str | None = field(default=None, metadata={"json": "streamingMode"})
    encryption_mode: str | None = field(default=None, metadata={"json": "encryptionMode"})
    token: str | None = field(default=None, repr=False)
    la_url: str | None = field(default=None, metadata={"json": "laUrl"})


@frozen
class LegacyPlayback(Model):
    """Where the player loads a legacy stream from (``PlayMediaResponse.redirect.url``), and its DRM, if any.

    The URL is the media server's: give it to a player; the SDK never follows it.
    """

    url: str
    drm: LegacyDrm | None = None


# --- legacy recordings --------------------------------------------------------------------------------------


@frozen
class LegacyRecordingStream(Model):
    """A stream of a legacy recording."""

    stream_url: str | None = field(default=None, metadata={"json": "streamUrl"})
    bitrate: int | None = None
    type: str | None = None
    protocol: str | None = None
    download_url: str | None = field(default=None, metadata={"json": "downloadUrl"})
    hls_url: str | None = field(default=None, metadata={"json": "hlsUrl"})


@frozen
class LegacyRecording(Model):
    """One recorded copy of a programme: its status (``SCHEDULED``, ``RECORDED``, ...) and stream."""

    status: str | None = None
    stream: LegacyRecordingStream | None = None
    recorded_duration: int | None = None
    recording_id: str | None = None


@frozen
class CatchupFastForward(Model):
    """Where a catch-up programme allows fast-forward."""

    pvr: bool | None = None
    catchup: bool | None = None


@frozen
class LegacyProgram(LegacyObject):
    """A programme of the legacy recordings and catch-up listings, with its recordings."""

    title: str = ""
    program_uid: str | None = field(default=None, metadata={"json": "programUid"})
    channel_id: str | None = field(default=None, metadata={"json": "channelId"})
    #: As sent, e.g. ``Sat, 19 Nov 2011 16:45:33 +0200``.
    start_time: str | None = field(default=None, metadata={"json": "startTime"})
    duration: int | None = None
    playback_duration: int | None = field(default=None, metadata={"json": "playbackDuration"})
    description: str | None = None
    category: str | None = None
    sub_category: str | None = field(default=None, metadata={"json": "subCategory"})
    categories: tuple[str, ...] = ()
    show_id: str | None = field(default=None, metadata={"json": "showId"})
    program_instance_metadata_id: str | None = field(default=None, metadata={"json": "programInstanceMetadataId"})
    program_crid: str | None = field(default=None, metadata={"json": "programCrId"})
    continuous: bool | None = None
    auto_delete: bool | None = field(default=None, metadata={"json": "autoDelete"})
    favorite: bool | None = None
    thumbnail_url: str | None = field(default=None, metadata={"json": "thumbnailUrl"})
    recordings: tuple[LegacyRecording, ...] = ()
    is_user_authorized: bool | None = field(default=None, metadata={"json": "isUserAuthorized"})
    availability_start: str | None = field(default=None, metadata={"json": "availabilityStart"})
    availability_end: str | None = field(default=None, metadata={"json": "availabilityEnd"})
    #: ``"true"`` or ``"false"``, as sent.
    recordable: str | None = None
    fast_forward: CatchupFastForward | None = field(default=None, metadata={"json": "fastForward"})
    fast_forward_pvr: bool | None = field(default=None, metadata={"json": "fastForwardPvr"})
    #: Days the recording is kept.
    retention_time: int | None = field(default=None, metadata={"json": "retentionTime"})


@frozen
class RecordingStorage(Model):
    """A user's recording storage: the total and what is left, as ``HH:MM:SS`` text."""

    total: str | None = None
    left: str | None = None


@frozen
class RecordingSearch(Model):
    """The answer of ``GET /api/user/{user_id}/recording/search``: storage, totals and a page of programmes."""

    storage: RecordingStorage | None
    result_set: ResultSet | None
    programs: tuple[LegacyProgram, ...]
    description: str | None = None
    language: str | None = None
    pub_date: str | None = None


@frozen
class GroupChannelInfo(Model):
    """The channel a recording group's latest episode was on."""

    channel_id: str | None = field(default=None, metadata={"json": "channelId"})
    channel_name: str | None = field(default=None, metadata={"json": "channelName"})
    thumbnail_url: str | None = field(default=None, metadata={"json": "thumbnailUrl"})


@frozen
class GroupLatestProgram(Model):
    """The latest episode of a recording group."""

    program_uid: str | None = field(default=None, metadata={"json": "programUid"})
    title: str | None = None
    description: str | None = None
    #: Unix seconds.
    start_time: int | None = field(default=None, metadata={"json": "startTime"})
    duration: int | None = None
    channel_info: GroupChannelInfo | None = field(default=None, metadata={"json": "channelInfo"})


@frozen
class RecordingGroup(LegacyObject):
    """A group of a user's recordings sharing one title (``type`` ``SYSTEMGROUP``)."""

    id: str
    title: str = ""
    programs_count: int | None = field(default=None, metadata={"json": "programsCount"})
    latest_programs: tuple[GroupLatestProgram, ...] = field(default=(), metadata={"json": "latestPrograms"})
    type: str | None = None


@frozen
class GroupsAndPrograms(Model):
    """The answer of ``GET /api/user/{user_id}/recording/group``: groups, and programmes in no group."""

    result_set: ResultSet | None
    items: tuple[RecordingGroup | LegacyProgram, ...]

    @property
    def groups(self) -> tuple[RecordingGroup, ...]:
        """The recording groups."""
        return tuple(item for item in self.items if isinstance(item, RecordingGroup))

    @property
    def programs(self) -> tuple[LegacyProgram, ...]:
        """The programmes that belong to no group."""
        return tuple(item for item in self.items if isinstance(item, LegacyProgram))


@frozen
class RecordingGroupPrograms(Model):
    """The answer of ``GET /api/user/{user_id}/recording/group/{recording_group_id}/program``."""

    result_set: ResultSet | None
    programs: tuple[LegacyProgram, ...]


@frozen
class CatchupPrograms(Model):
    """The answer of ``GET /api/user/{user_id}/recording/catchup``: a page of programmes to watch again."""

    result_set: ResultSet | None
    programs: tuple[LegacyProgram, ...]
    description: str | None = None
    language: str | None = None
    pub_date: str | None = None
