"""Defaults and fixed names of the API, in one place."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Final, Literal

import httpx

from ._version import __version__

#: The API families of one deployment, each under its own path prefix (see ``amino-api.md``).
Family = Literal["auth", "legacy", "metadata", "media", "users"]

DEFAULT_PREFIXES: Final[Mapping[Family, str]] = MappingProxyType(
    {
        "auth": "/api/auth/v1",
        "legacy": "",
        "metadata": "/api/metadata/v1",
        "media": "/api/v1",
        "users": "/api/users/v1",
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

#: Refresh this long before the end of a token's stated lifetime (at most half the lifetime, so a short-lived
#: token is not refreshed on every request).
REFRESH_MARGIN: Final = 60.0

#: The channels endpoint's fixed page size.
PAGE_SIZE: Final = 100
#: Requests in flight at once in ``streams_many`` unless the caller says otherwise.
DEFAULT_BULK_CONCURRENCY: Final = 32

LOGGER_NAME: Final = "amino_async"
USER_AGENT: Final = f"amino-async/{__version__} (python-httpx/{httpx.__version__})"
