"""amino-async: an async Python client for the Amino TV platform API (Amino Move, formerly Booxmedia).

Start with :class:`AminoClient`; :class:`AminoAuth` is the authentication on its own, for any
``httpx.AsyncClient``. ``amino_async.testing.FakeAmino`` is a fake deployment for tests.
"""

from typing import TYPE_CHECKING

from ._events import configure_from_environment
from ._lazy import lazy_exports
from ._version import __version__

if TYPE_CHECKING:
    from ._auth import AminoAuth
    from ._client import AminoClient
    from ._constants import DEFAULT_LIMITS, DEFAULT_MAX_RESPONSE_SIZE, DEFAULT_PREFIXES, DEFAULT_TIMEOUT
    from ._credentials import CookieLogin, Credentials, DigestLogin, GivenTokens, PasswordLogin, ServiceLogin
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
    from ._events import Event
    from ._file_store import FileTokenStore
    from ._jsonapi import Document, Resource
    from ._pagination import Page
    from ._redis import RedisTokenStore as RedisTokenStore
    from ._request import RetryPolicy
    from ._resource import RawResponse
    from ._tokens import MemoryTokenStore, SharedTokenStore, TokenLease, Tokens, TokenStore, TokenStoreError
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

#: The names re-exported, by the module they come from: imported when one of its names is first used, so that
#: ``import amino_async`` costs little and a client pays only for the API areas it uses.
_EXPORTS: dict[str, tuple[str, ...]] = {
    "._auth": ("AminoAuth",),
    "._client": ("AminoClient",),
    "._constants": (
        "DEFAULT_LIMITS",
        "DEFAULT_MAX_RESPONSE_SIZE",
        "DEFAULT_PREFIXES",
        "DEFAULT_TIMEOUT",
    ),
    "._credentials": (
        "CookieLogin",
        "Credentials",
        "DigestLogin",
        "GivenTokens",
        "PasswordLogin",
        "ServiceLogin",
    ),
    "._encoding": ("NULL",),
    "._errors": (
        "AminoError",
        "ApiError",
        "AuthenticationError",
        "BadRequestError",
        "ClientClosedError",
        "ConfigurationError",
        "DecodeError",
        "NotFoundError",
        "PermissionDeniedError",
        "RateLimitError",
        "ResponseTooLargeError",
        "ServerError",
        "TimeoutError",
        "TransportError",
        "UnavailableForLegalReasonsError",
    ),
    "._events": ("Event",),
    "._file_store": ("FileTokenStore",),
    "._jsonapi": (
        "Document",
        "Resource",
    ),
    "._pagination": ("Page",),
    "._request": ("RetryPolicy",),
    "._resource": ("RawResponse",),
    "._tokens": (
        "MemoryTokenStore",
        "SharedTokenStore",
        "TokenLease",
        "Tokens",
        "TokenStore",
        "TokenStoreError",
    ),
    ".models": (
        "BroadcastSlot",
        "CatchupItem",
        "Channel",
        "ChannelPackage",
        "ContactDetailsBody",
        "CreditedPerson",
        "Episode",
        "ErrorObject",
        "FavouriteChannel",
        "FavouriteChannelList",
        "Genre",
        "GrantOutcome",
        "Image",
        "License",
        "MarketSegment",
        "MediaPlaySession",
        "MediaPlaySessionInput",
        "PlaybackInfo",
        "Product",
        "Program",
        "ProtectionKey",
        "Recommendation",
        "ResourceRef",
        "Season",
        "Series",
        "Stream",
        "User",
        "UserChannelLockingConfiguration",
        "UserNameBody",
        "UserProfile",
        "ViewerEvent",
    ),
    ".models.recordings": (
        "AutoRecordingRequest",
        "BulkDeletion",
        "EpgBroadcastSlot",
        "GroupRecording",
        "NewUserRecordingRequest",
        "RecordedBroadcastSlot",
        "Recording",
        "RecordingGroup",
        "RecordingSlot",
        "SerialRecording",
        "StorageQuota",
        "UserRecording",
        "UserRecordingGroup",
        "UserRecordingRequest",
    ),
    ".resources": (
        "CatchupStreams",
        "ChannelStreams",
        "DaySlots",
        "Fanout",
        "Recordings",
        "RecordingsV1",
    ),
}
_SUBMODULES = ("models", "resources")


configure_from_environment()

_lazy_getattr, __dir__ = lazy_exports(__name__, _EXPORTS, _SUBMODULES)


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
    return _lazy_getattr(name)


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
    "BroadcastSlot",
    "BulkDeletion",
    "CatchupItem",
    "CatchupStreams",
    "Channel",
    "ChannelPackage",
    "ChannelStreams",
    "ClientClosedError",
    "ConfigurationError",
    "ContactDetailsBody",
    "CookieLogin",
    "Credentials",
    "CreditedPerson",
    "DaySlots",
    "DecodeError",
    "DigestLogin",
    "Document",
    "EpgBroadcastSlot",
    "Episode",
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
    "MediaPlaySession",
    "MediaPlaySessionInput",
    "MemoryTokenStore",
    "NewUserRecordingRequest",
    "NotFoundError",
    "Page",
    "PasswordLogin",
    "PermissionDeniedError",
    "PlaybackInfo",
    "Product",
    "Program",
    "ProtectionKey",
    "RateLimitError",
    "RawResponse",
    "Recommendation",
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
    "Season",
    "SerialRecording",
    "Series",
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
    "ViewerEvent",
    "__version__",
]
