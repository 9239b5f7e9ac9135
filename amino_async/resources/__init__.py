"""The API's resources, each a thin layer of paths and parameters over the client's request path."""

from typing import TYPE_CHECKING

from .._lazy import lazy_exports

if TYPE_CHECKING:
    from ._bulk import ChannelStreams, Fanout, bulk_map
    from ._query import FilterValue, every, filters
    from .admin import Admin, AdminUsers, BssUsers, Entitlements, Licenses, NetworkPermissions
    from .catalogue import (
        CreditedPersons,
        CreditedProgramSort,
        DaysToReturn,
        EpisodeSort,
        Genres,
        Programs,
        ProgramSort,
        Seasons,
        SeriesResource,
        SeriesSort,
    )
    from .channel_locks import ChannelLocks
    from .channels import Channels, DeviceClass, DrmSystem, StreamType
    from .commerce import Bucket, Packages, Recommendations, Subscriptions
    from .favourites import FavouriteListSort, Favourites
    from .legacy import Legacy
    from .market_segments import MarketSegments
    from .playback import Playback
    from .preferences import PasswordReset, Preferences
    from .profiles import Profiles
    from .recordings import MostPopularPeriod, Recordings, RecordingsV1
    from .schedule import Catchup, CatchupStreams, DaySlots, Schedule
    from .streams import Streams
    from .users import UserIncluded, Users

#: The names re-exported, by the module they come from (imported when one of its names is first used).
_EXPORTS: dict[str, tuple[str, ...]] = {
    "._bulk": (
        "ChannelStreams",
        "Fanout",
        "bulk_map",
    ),
    "._query": (
        "FilterValue",
        "every",
        "filters",
    ),
    ".admin": (
        "Admin",
        "AdminUsers",
        "BssUsers",
        "Entitlements",
        "Licenses",
        "NetworkPermissions",
    ),
    ".catalogue": (
        "CreditedPersons",
        "CreditedProgramSort",
        "DaysToReturn",
        "EpisodeSort",
        "Genres",
        "Programs",
        "ProgramSort",
        "Seasons",
        "SeriesResource",
        "SeriesSort",
    ),
    ".channel_locks": ("ChannelLocks",),
    ".channels": (
        "Channels",
        "DeviceClass",
        "DrmSystem",
        "StreamType",
    ),
    ".commerce": (
        "Bucket",
        "Packages",
        "Recommendations",
        "Subscriptions",
    ),
    ".favourites": (
        "FavouriteListSort",
        "Favourites",
    ),
    ".legacy": ("Legacy",),
    ".market_segments": ("MarketSegments",),
    ".playback": ("Playback",),
    ".preferences": (
        "PasswordReset",
        "Preferences",
    ),
    ".profiles": ("Profiles",),
    ".recordings": (
        "MostPopularPeriod",
        "Recordings",
        "RecordingsV1",
    ),
    ".schedule": (
        "Catchup",
        "CatchupStreams",
        "DaySlots",
        "Schedule",
    ),
    ".streams": ("Streams",),
    ".users": (
        "UserIncluded",
        "Users",
    ),
}
_SUBMODULES = ()

__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS, _SUBMODULES)

__all__ = [
    "Admin",
    "AdminUsers",
    "BssUsers",
    "Bucket",
    "Catchup",
    "CatchupStreams",
    "ChannelLocks",
    "ChannelStreams",
    "Channels",
    "CreditedPersons",
    "CreditedProgramSort",
    "DaySlots",
    "DaysToReturn",
    "DeviceClass",
    "DrmSystem",
    "Entitlements",
    "EpisodeSort",
    "Fanout",
    "FavouriteListSort",
    "Favourites",
    "FilterValue",
    "Genres",
    "Legacy",
    "Licenses",
    "MarketSegments",
    "MostPopularPeriod",
    "NetworkPermissions",
    "Packages",
    "PasswordReset",
    "Playback",
    "Preferences",
    "Profiles",
    "ProgramSort",
    "Programs",
    "Recommendations",
    "Recordings",
    "RecordingsV1",
    "Schedule",
    "Seasons",
    "SeriesResource",
    "SeriesSort",
    "StreamType",
    "Streams",
    "Subscriptions",
    "UserIncluded",
    "Users",
    "bulk_map",
    "every",
    "filters",
]
