"""The API's resources, each a thin layer of paths and parameters over the client's request path."""

from ._bulk import ChannelStreams, Fanout
from .catalogue import CreditedPersons, Genres, Programs, Seasons, SeriesResource
from .channels import Channels
from .commerce import Packages, Recommendations, Subscriptions
from .playback import Playback
from .profiles import Profiles
from .recordings import Recordings, RecordingsV1
from .streams import Streams

__all__ = ["ChannelStreams", "Channels", "Fanout", "Profiles", "Recordings", "RecordingsV1", "Streams"]
from .schedule import Catchup, CatchupStreams, DaySlots, Schedule

__all__ = [
    "Catchup",
    "CatchupStreams",
    "ChannelStreams",
    "Channels",
    "CreditedPersons",
    "DaySlots",
    "Fanout",
    "Genres",
    "Packages",
    "Playback",
    "Profiles",
    "Programs",
    "Recommendations",
    "Schedule",
    "Seasons",
    "SeriesResource",
    "Streams",
    "Subscriptions",
]
