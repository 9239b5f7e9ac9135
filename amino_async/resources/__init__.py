"""The API's resources, each a thin layer of paths and parameters over the client's request path."""

from ._bulk import ChannelStreams, Fanout
from .channels import Channels
from .profiles import Profiles
from .recordings import Recordings, RecordingsV1
from .streams import Streams

__all__ = ["ChannelStreams", "Channels", "Fanout", "Profiles", "Recordings", "RecordingsV1", "Streams"]
