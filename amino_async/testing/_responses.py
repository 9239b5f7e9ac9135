"""What every answer of the fake is made of: JSON bytes, the fake's own ``Date``, the platform's error shapes.

The core and every API area answer through these, so that a clock offset, a content type or an error
shape is decided in one place. The platform writes errors as ``{"errors": [...]}`` in two shapes (see
amino-api.md): ErrorEntity ``{id, href, code, title, details}`` and JSON:API ``{id, status, code, title,
detail}``; the streams endpoints' 404 mixes them. Each ``*_error`` renders one; an area picks the one
its OpenAPI file documents for the refusal.
"""

from __future__ import annotations

import email.utils
import functools
import json
import secrets
import time
from collections.abc import Mapping
from typing import TYPE_CHECKING

from starlette.responses import Response

if TYPE_CHECKING:
    from ._app import FakeAmino

JSON = "application/json"
NO_STORE: Mapping[str, str] = {"cache-control": "no-cache, no-store, must-revalidate"}


def dumps(document: object) -> bytes:
    """Compact UTF-8 JSON, as the platform sends it."""
    return json.dumps(document, separators=(",", ":"), ensure_ascii=False).encode()


@functools.lru_cache(maxsize=4)
def _http_date(timestamp: int) -> str:
    return email.utils.formatdate(timestamp, usegmt=True)


def reported_now(fake: FakeAmino) -> int:
    """The time the fake reports, in whole seconds: the real one plus ``fake.clock_offset``."""
    return int(time.time() + fake.clock_offset)


def answer(
    fake: FakeAmino,
    status: int,
    body: bytes,
    headers: Mapping[str, str] | None = None,
    *,
    media_type: str | None = JSON,
    now: int | None = None,
) -> Response:
    """A response carrying the fake's own ``Date`` (``now``: the reported time to use, so that a body
    stating the time and the header agree)."""
    # Every answer names itself, as the platform's gateways do: what a client quotes to support.
    all_headers = {"date": _http_date(reported_now(fake) if now is None else now), "x-request-id": _request_id()}
    if headers:
        all_headers.update(headers)
    return Response(body, status, all_headers, media_type)


# --- error bodies ----------------------------------------------------------------------------------


def _request_id() -> str:
    return secrets.token_hex(8)


def _error_id() -> str:
    return secrets.token_hex(7)[:13]


def entity_error(code: str, title: str, details: str) -> bytes:
    """The ErrorEntity shape: ``{id, href, code, title, details}``."""
    error = {"id": _error_id(), "href": None, "code": code, "title": title, "details": details}
    return dumps({"errors": [error]})


def jsonapi_error(status: int, code: str, title: str, detail: str) -> bytes:
    """The JSON:API shape: ``{id, status, code, title, detail}``."""
    error = {"id": _error_id(), "status": str(status), "code": code, "title": title, "detail": detail}
    return dumps({"errors": [error]})


def not_found_error(details: str) -> bytes:
    """The 404 of the streams endpoints: ``{id, status, code, title, details}``."""
    error = {"id": _error_id(), "status": "404", "code": "3303", "title": "Not found", "details": details}
    return dumps({"errors": [error]})


def unauthorized_error(reason: str) -> bytes:
    """The 401 of a data call without a usable bearer token (``reason``: missing, expired, ...)."""
    return jsonapi_error(401, "4TOKEN1", "Unauthorized", f"Invalid authorization token: {reason}")


# --- refusals every area makes ---------------------------------------------------------------------


def bad_request(fake: FakeAmino, details: str) -> Response:
    """400 for a parameter out of its documented range; ``details`` names the parameter."""
    return answer(fake, 400, entity_error("4INVPAR", "Bad Request", details))


def not_yours(fake: FakeAmino) -> Response:
    """403 for a path naming a user (or profile) other than the bearer's, or none that exists.

    The body is the files' ForbiddenEntity example. An unknown id gets the same answer as someone
    else's, so that a caller cannot probe which ids exist.
    """
    details = "You are not authorized to access that resource."
    return answer(fake, 403, entity_error("0523AC", "Forbidden", details))
