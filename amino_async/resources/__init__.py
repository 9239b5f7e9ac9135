"""The API's resources, each a thin layer of paths and parameters over the client's request path."""

from ._bulk import ChannelStreams, Fanout
from .admin import Admin, AdminUsers, BssUsers, Entitlements, Licenses, NetworkPermissions
from .channels import Channels
from .legacy import Legacy
from .profiles import Profiles
from .streams import Streams

__all__ = [
    "Admin",
    "AdminUsers",
    "BssUsers",
    "ChannelStreams",
    "Channels",
    "Entitlements",
    "Fanout",
    "Legacy",
    "Licenses",
    "NetworkPermissions",
    "Profiles",
    "Streams",
]
