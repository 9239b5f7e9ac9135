"""The API's resources, each a thin layer of paths and parameters over the client's request path."""

from ._bulk import ChannelStreams, Fanout, bulk_map
from ._query import FilterValue, every, filters
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
from .market_segments import MarketSegments
from .playback import Playback
from .preferences import PasswordReset, Preferences
from .profiles import Profiles
from .recordings import MostPopularPeriod, Recordings, RecordingsV1
from .schedule import Catchup, CatchupStreams, DaySlots, Schedule
from .streams import Streams
from .users import UserIncluded, Users

__all__ = [
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
    "EpisodeSort",
    "Fanout",
    "FavouriteListSort",
    "Favourites",
    "FilterValue",
    "Genres",
    "MarketSegments",
    "MostPopularPeriod",
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
