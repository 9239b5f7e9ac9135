"""The API's resources, each a thin layer of paths and parameters over the client's request path."""

from ._bulk import ChannelStreams, Fanout
from .channel_locks import ChannelLocks
from .channels import Channels
from .favourites import Favourites
from .market_segments import MarketSegments
from .preferences import PasswordReset, Preferences
from .profiles import Profiles
from .streams import Streams
from .users import Users

__all__ = [
    "ChannelLocks",
    "ChannelStreams",
    "Channels",
    "Fanout",
    "Favourites",
    "MarketSegments",
    "PasswordReset",
    "Preferences",
    "Profiles",
    "Streams",
    "Users",
]
