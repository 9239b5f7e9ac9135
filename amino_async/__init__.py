"""amino-async: an async Python client for the Amino TV platform API (Amino Move, formerly Booxmedia).

Start with :class:`AminoClient`; :class:`AminoAuth` is the authentication on its own, for any
``httpx.AsyncClient``. ``amino_async.testing.FakeAmino`` is a fake deployment for tests.
"""

from typing import TYPE_CHECKING

from ._auth import AminoAuth
from ._client import AminoClient
from ._constants import DEFAULT_LIMITS, DEFAULT_MAX_RESPONSE_SIZE, DEFAULT_PREFIXES, DEFAULT_TIMEOUT
from ._credentials import CookieLogin, Credentials, DigestLogin, GivenTokens, PasswordLogin, ServiceLogin

# --- catalogue, EPG, catch-up, playback, packages (issue 17) ---
from ._encoding import NULL
from ._errors import (
    AminoError,
    ApiError,
    AuthenticationError,
    BadRequestError,
    ClientClosedError,
    ConfigurationError,
    DecodeError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    ResponseTooLargeError,
    ServerError,
    TimeoutError,
    TransportError,
    UnavailableForLegalReasonsError,
)
from ._events import Event, configure_from_environment
from ._file_store import FileTokenStore
from ._jsonapi import Document, Resource
from ._pagination import Page
from ._request import RetryPolicy
from ._resource import RawResponse
from ._tokens import (
    MemoryTokenStore,
    SharedTokenStore,
    TokenLease,
    Tokens,
    TokenStore,
    TokenStoreError,
)
from ._version import __version__
from .models import (
    BroadcastSlot,
    CatchupItem,
    Channel,
    ChannelPackage,
    ContactDetailsBody,
    CreditedPerson,
    Episode,
    ErrorObject,
    FavouriteChannel,
    FavouriteChannelList,
    Genre,
    GrantOutcome,
    Image,
    License,
    MarketSegment,
    MediaPlaySession,
    MediaPlaySessionInput,
    PlaybackInfo,
    Product,
    Program,
    ProtectionKey,
    Recommendation,
    ResourceRef,
    Season,
    Series,
    Stream,
    User,
    UserChannelLockingConfiguration,
    UserNameBody,
    UserProfile,
    ViewerEvent,
)
from .models.recordings import (
    AutoRecordingRequest,
    BulkDeletion,
    EpgBroadcastSlot,
    GroupRecording,
    NewUserRecordingRequest,
    RecordedBroadcastSlot,
    Recording,
    RecordingGroup,
    RecordingSlot,
    SerialRecording,
    StorageQuota,
    UserRecording,
    UserRecordingGroup,
    UserRecordingRequest,
)
from .resources import CatchupStreams, ChannelStreams, DaySlots, Fanout, Recordings, RecordingsV1

if TYPE_CHECKING:
    from ._redis import RedisTokenStore as RedisTokenStore


configure_from_environment()


def __getattr__(name: str) -> object:
    # RedisTokenStore needs the redis extra: imported on first use, so the core never imports redis.
    if name == "RedisTokenStore":
        try:
            from ._redis import RedisTokenStore
        except ImportError as exc:
            raise ImportError(
                "RedisTokenStore needs redis-py, which is not installed: pip install 'amino-async[redis]'"
            ) from exc
        return RedisTokenStore
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "DEFAULT_LIMITS",
    "DEFAULT_MAX_RESPONSE_SIZE",
    "DEFAULT_PREFIXES",
    "DEFAULT_TIMEOUT",
    "NULL",
    "AminoAuth",
    "AminoClient",
    "AminoError",
    "ApiError",
    "AuthenticationError",
    "AutoRecordingRequest",
    "BadRequestError",
    "BulkDeletion",
    "Channel",
    "ChannelStreams",
    "ClientClosedError",
    "ConfigurationError",
    "ContactDetailsBody",
    "CookieLogin",
    "Credentials",
    "DecodeError",
    "DigestLogin",
    "Document",
    "EpgBroadcastSlot",
    "ErrorObject",
    "Event",
    "Fanout",
    "FavouriteChannel",
    "FavouriteChannelList",
    "FileTokenStore",
    "Genre",
    "GivenTokens",
    "GrantOutcome",
    "GroupRecording",
    "Image",
    "License",
    "MarketSegment",
    "MemoryTokenStore",
    "NewUserRecordingRequest",
    "NotFoundError",
    "Page",
    "PasswordLogin",
    "PermissionDeniedError",
    "Product",
    "ProtectionKey",
    "RateLimitError",
    "RawResponse",
    "RecordedBroadcastSlot",
    "Recording",
    "RecordingGroup",
    "RecordingSlot",
    "Recordings",
    "RecordingsV1",
    "Resource",
    "ResourceRef",
    "ResponseTooLargeError",
    "RetryPolicy",
    "SerialRecording",
    "ServerError",
    "ServiceLogin",
    "SharedTokenStore",
    "StorageQuota",
    "Stream",
    "TimeoutError",
    "TokenLease",
    "TokenStore",
    "TokenStoreError",
    "Tokens",
    "TransportError",
    "UnavailableForLegalReasonsError",
    "User",
    "UserChannelLockingConfiguration",
    "UserNameBody",
    "UserProfile",
    "UserRecording",
    "UserRecordingGroup",
    "UserRecordingRequest",
    "__version__",
]

# --- catalogue, EPG, catch-up, playback, packages (issue 17) ---
__all__ += [
    "NULL",
    "BroadcastSlot",
    "CatchupItem",
    "CatchupStreams",
    "ChannelPackage",
    "CreditedPerson",
    "DaySlots",
    "Episode",
    "MediaPlaySession",
    "MediaPlaySessionInput",
    "PlaybackInfo",
    "Program",
    "Recommendation",
    "Season",
    "Series",
    "ViewerEvent",
]
