"""A FastAPI backend that calls Amino on behalf of each of its users.

One :class:`~amino_async.AminoClient` (one connection pool) lives as long as the app. Every incoming request
gets a ``with_auth`` view of it made from that user's own Amino session: their ``amino_session`` cookie (the
cookie Amino's login sets) and their user id in the ``X-Amino-User-Id`` header. The SDK exchanges the cookie for
tokens on the user's first request and reuses (and refreshes) those tokens on the next ones, so a view per request
costs no login. Amino's errors become HTTP answers a browser or an API client understands.

Run it (``pip install fastapi uvicorn``)::

    AMINO_BASE_URL=https://customer.domain uvicorn --factory examples.fastapi_app:create_app

and call ``GET /channels``, ``GET /channels/{channel_id}/streams``, ``GET /recordings`` or ``POST /recordings``
(``{"broadcast_slot_id": ...}``) with the user's ``amino_session`` cookie and ``X-Amino-User-Id`` header.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated, Literal

import httpx
from fastapi import Cookie, Depends, FastAPI, Header, HTTPException, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from amino_async import (
    AminoClient,
    AminoError,
    ApiError,
    AuthenticationError,
    ConfigurationError,
    CookieLogin,
    RateLimitError,
    TimeoutError,
    TransportError,
)
from amino_async.models import Channel, Recording, Stream

SESSION_COOKIE = "amino_session"


def amino_user(
    request: Request,
    amino_session: Annotated[str | None, Cookie()] = None,
    x_amino_user_id: Annotated[str | None, Header()] = None,
) -> AminoClient:
    """This request's user's view of the app's client, from their Amino session cookie and user id."""
    if not amino_session or not x_amino_user_id:
        raise HTTPException(401, "log in to Amino first (amino_session cookie and X-Amino-User-Id header)")
    client: AminoClient = request.app.state.amino
    # Both values come from the browser: the SDK refuses what could break a header or move its request (a user
    # id such as "..", a cookie with ';'), as ConfigurationError, which the handler below answers with 400.
    # Views with the same credentials share one auth: the cookie is exchanged on the user's first request only.
    # Stored tokens are bound to the cookie they came from, so a request with another cookie never gets them.
    return client.with_auth(CookieLogin(x_amino_user_id, {SESSION_COOKIE: amino_session}))


#: An endpoint parameter of this type is the calling user's view of the Amino client.
AminoUser = Annotated[AminoClient, Depends(amino_user)]


class RecordingWanted(BaseModel):
    """The body of ``POST /recordings``: the broadcast slot to record."""

    broadcast_slot_id: str
    is_favourite: bool | None = None
    #: A profile of the user's account (default: its default profile).
    profile_id: str | None = None


def create_app(base_url: str | None = None, *, transport: httpx.AsyncBaseTransport | None = None) -> FastAPI:
    """The app, calling the Amino deployment at ``base_url`` (default: ``$AMINO_BASE_URL``).

    ``transport`` replaces the network (tests pass ``httpx.ASGITransport(app=FakeAmino())``).
    """
    amino_url = base_url or os.environ.get("AMINO_BASE_URL")
    if not amino_url:  # one line, not a traceback: uvicorn prints it and exits 1
        raise SystemExit(
            "fastapi_app: set AMINO_BASE_URL to the Amino deployment, e.g. AMINO_BASE_URL=https://customer.domain "
            "(to try it without one: python -m amino_async.testing prints the URL of a fake deployment)"
        )

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # The app itself has no Amino account: only its users' views authenticate.
        async with AminoClient(amino_url, transport=transport) as client:
            app.state.amino = client
            yield

    app = FastAPI(title="Amino streams", lifespan=lifespan)

    # The SDK's models are the answers: FastAPI serializes them (their fields, under their Python names) and
    # lists their schemas, as components named Channel, Stream, Recording, in /openapi.json.
    @app.get("/channels")
    async def channels(amino: AminoUser, page: int = 1) -> list[Channel]:
        """A page (100) of the channels the user sees."""
        return list((await amino.channels.list(page_number=page)).items)

    @app.get("/channels/{channel_id}/streams")
    async def channel_streams(
        channel_id: str,
        amino: AminoUser,
        stream_type: Literal["hls", "dash", "mp4", "mss"] | None = None,
        drm_system: Literal["fairplay", "widevine", "playready"] | None = None,
        device_class: Literal["stb", "mobile", "smarttv"] | None = None,
    ) -> list[Stream]:
        """The live streams of a channel, as the user may play them."""
        return await amino.channels.streams(
            channel_id, stream_type=stream_type, drm_system=drm_system, device_class=device_class
        )

    async def profile_of(amino: AminoClient, profile_id: str | None) -> str:
        # A session cookie names a user, not a profile: the one asked for, else the account's default one.
        if profile_id is not None:
            return profile_id
        return next(profile.id for profile in await amino.profiles.list() if profile.is_default)

    @app.post("/recordings", status_code=201)
    async def schedule_recording(amino: AminoUser, recording: RecordingWanted) -> Recording:
        """Record a broadcast slot for the signed-in user, on their default profile unless the body names one."""
        return await amino.recordings.schedule(
            recording.broadcast_slot_id,
            is_favourite=recording.is_favourite,
            user_profile_id=await profile_of(amino, recording.profile_id),
        )

    @app.get("/recordings")
    async def recordings(amino: AminoUser, page: int = 1, profile_id: str | None = None) -> list[Recording]:
        """A page (100) of the signed-in user's recordings (of their default profile unless one is named)."""
        listed = await amino.recordings.search(page_number=page, user_profile_id=await profile_of(amino, profile_id))
        return list(listed.items)

    @app.exception_handler(AminoError)
    async def amino_error(request: Request, exc: AminoError) -> JSONResponse:
        """Amino's answer, as this app's: the user's problems keep their status, Amino's own become 502/504."""
        headers: dict[str, str] = {}
        if isinstance(exc, ConfigurationError):
            status, detail = 400, "the Amino user id or session cookie is not valid"
        elif isinstance(exc, AuthenticationError):
            status, detail = 401, "Amino did not accept the session; log in again"
        elif isinstance(exc, RateLimitError):
            status, detail = 429, "too many requests to Amino"
            if exc.retry_after is not None:
                headers["Retry-After"] = str(max(1, round(exc.retry_after)))
        elif isinstance(exc, ApiError) and exc.status is not None and 400 <= exc.status < 500:
            status, detail = exc.status, exc.detail or "refused by Amino"  # 400, 403, 404, 451 as Amino said
        elif isinstance(exc, TimeoutError):
            status, detail = 504, "Amino did not answer in time"
        elif isinstance(exc, TransportError):
            status, detail = 502, "Amino cannot be reached"
        else:
            status, detail = 502, "Amino answered with an error"  # 5xx after the retries, or an unexpected answer
        return JSONResponse({"detail": detail}, status_code=status, headers=headers)

    return app
