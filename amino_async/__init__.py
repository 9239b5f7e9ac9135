"""amino-async: an async Python client for the Amino TV platform API (Amino Move, formerly Booxmedia).

Start with :class:`AminoClient`; :class:`AminoAuth` is the authentication on its own, for any
``httpx.AsyncClient``. ``amino_async.testing.FakeAmino`` is a fake deployment for tests.
"""

from typing import TYPE_CHECKING

from ._auth import AminoAuth
from ._client import AminoClient
from ._constants import DEFAULT_LIMITS, DEFAULT_MAX_RESPONSE_SIZE, DEFAULT_PREFIXES, DEFAULT_TIMEOUT
from ._credentials import CookieLogin, Credentials, DigestLogin, GivenTokens, PasswordLogin, ServiceLogin
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
from ._file_store import FileTokenStore
from ._jsonapi import Document, Resource
from ._pagination import Page
from ._request import RetryPolicy
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
    Channel,
    ErrorObject,
    Genre,
    GrantOutcome,
    Image,
    Product,
    ProtectionKey,
    ResourceRef,
    Stream,
    UserProfile,
)
from .resources import ChannelStreams, Fanout

if TYPE_CHECKING:
    from ._redis import RedisTokenStore as RedisTokenStore


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
    "AminoAuth",
    "AminoClient",
    "AminoError",
    "ApiError",
    "AuthenticationError",
    "BadRequestError",
    "Channel",
    "ChannelStreams",
    "ClientClosedError",
    "ConfigurationError",
    "CookieLogin",
    "Credentials",
    "DecodeError",
    "DigestLogin",
    "Document",
    "ErrorObject",
    "Fanout",
    "FileTokenStore",
    "Genre",
    "GivenTokens",
    "GrantOutcome",
    "Image",
    "MemoryTokenStore",
    "NotFoundError",
    "Page",
    "PasswordLogin",
    "PermissionDeniedError",
    "Product",
    "ProtectionKey",
    "RateLimitError",
    "Resource",
    "ResourceRef",
    "ResponseTooLargeError",
    "RetryPolicy",
    "ServerError",
    "ServiceLogin",
    "SharedTokenStore",
    "Stream",
    "TimeoutError",
    "TokenLease",
    "TokenStore",
    "TokenStoreError",
    "Tokens",
    "TransportError",
    "UnavailableForLegalReasonsError",
    "UserProfile",
    "__version__",
]
