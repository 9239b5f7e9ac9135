"""Defaults and fixed names of the API, in one place."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Final, Literal

import httpx

from ._version import __version__

#: The API families of one deployment, each under its own path prefix (see ``amino-api.md``): one name per prefix
#: of the OpenAPI files' ``servers`` (or ``basePath``). ``legacy`` is the root, where the legacy login lives.
Family = Literal[
    "auth",
    "legacy",
    "legacy_api",
    "management",
    "metadata",
    "media",
    "media_sessions",
    "users",
    "users_v2",
    "playback_info",
    "recordings",
    "recordings_v1",
    "content_discovery",
    "packages",
    "subscription",
    "license",
    "license_v4",
    "license_management",
    "config",
    "irdeto",
]

DEFAULT_PREFIXES: Final[Mapping[Family, str]] = MappingProxyType(
    {
        "auth": "/api/auth/v1",
        "legacy": "",
        "legacy_api": "/api",
        "management": "/api/management",
        "metadata": "/api/metadata/v1",
        "media": "/api/v1",
        "media_sessions": "/api/v1/media",
        "users": "/api/users/v1",
        "users_v2": "/api/users/v2",
        "playback_info": "/api/playback_info/v1",
        "recordings": "/api/recordings/v4",
        "recordings_v1": "/api/recordings/v1",
        "content_discovery": "/api/contentdiscovery/v1",
        "packages": "/api/packages/v1",
        "subscription": "/api/subscription/v1",
        "license": "/api/license/v1",
        "license_v4": "/api/license/v4",
        "license_management": "/api/license/management/v4",
        "config": "/api/config/v1",
        "irdeto": "/api/irdeto/v1",
    }
)

#: Per-request timeouts: connecting is quick or it is not going to happen; a page of 100 channels on a busy
#: deployment can take a while to render.
DEFAULT_TIMEOUT: Final = httpx.Timeout(30.0, connect=10.0)
#: The whole of one token call, retries included. It runs shielded from the caller's cancellation, so this is
#: what bounds it.
TOKEN_CALL_TIMEOUT: Final = 30.0
#: Connections kept per client. Every view of a client shares these.
DEFAULT_LIMITS: Final = httpx.Limits(max_connections=100, max_keepalive_connections=100, keepalive_expiry=30.0)
DEFAULT_MAX_RETRIES: Final = 2
#: The largest answer body read, counted after decompression: far above any page the API sends (a page of 100
#: channels is about 150 KB), far below what would hurt a process that reads thousands of answers at once.
DEFAULT_MAX_RESPONSE_SIZE: Final = 32 * 1024 * 1024
#: The longest request URL built (path and query): what common servers and proxies accept (nginx's default
#: header buffer is 8 KiB), where httpx's own limit is 64 KiB.
MAX_URL_LENGTH: Final = 8000
#: The most a call replays after 401s for tokens that were replaced meanwhile (back-to-back expiries).
MAX_REPLAYS: Final = 3
#: A stated token lifetime beyond this many seconds (ten years) is not believed: the token's lifetime is unknown.
MAX_TOKEN_LIFETIME: Final = 10 * 365 * 86400

#: Refresh this long before the end of a token's stated lifetime (at most half the lifetime, so a short-lived
#: token is not refreshed on every request).
REFRESH_MARGIN: Final = 60.0

#: The channels endpoint's fixed page size.
PAGE_SIZE: Final = 100
#: Requests in flight at once in ``streams_many`` unless the caller says otherwise.
DEFAULT_BULK_CONCURRENCY: Final = 32

LOGGER_NAME: Final = "amino_async"
USER_AGENT: Final = f"amino-async/{__version__} (python-httpx/{httpx.__version__})"
