"""The auth area: createAccessToken (password and refresh grants) and the legacy login (Digest or cookie).

Token families, rotation and sessions live in ``fake.token_book``, which the core also reads to check
every data call's bearer; this module issues tokens into it and renders them. Both routes are token
calls (``data=False``): no bearer, ``token_delay`` after the work.
"""

from __future__ import annotations

import hmac
import json
import time
import uuid
from typing import TYPE_CHECKING

from starlette.responses import Response

from .._responses import NO_STORE, answer, dumps, entity_error, reported_now
from .._routing import Call, FakeRoute
from .._state import FakeProfile, FakeUser, IssuedTokens, TokenRecord, TokenRefused

if TYPE_CHECKING:
    from .._app import FakeAmino

SESSION_COOKIE = "amino_session"


# --- createAccessToken -----------------------------------------------------------------------------


async def access_tokens(fake: FakeAmino, call: Call) -> Response:
    """``POST /api/auth/v1/access_tokens``: a password login or a refresh, 201 with new tokens."""
    try:
        body = json.loads(await call.request.body())
    except ValueError:
        return _token_refusal(fake, "bad_request", "The request body is not valid JSON")
    if not isinstance(body, dict) or not isinstance(body.get("credentials"), dict):
        return _token_refusal(fake, "bad_request", "Expected grant_type and credentials")
    profile_id = body.get("login_user_profile")
    if profile_id is not None and not isinstance(profile_id, str):
        return _token_refusal(fake, "bad_request", "login_user_profile must be a string")
    grant_type = body.get("grant_type")
    if grant_type == "password":
        return _password_grant(fake, body["credentials"], profile_id)
    if grant_type == "refresh_token":
        return _refresh_grant(fake, body["credentials"], profile_id)
    return _token_refusal(fake, "unsupported_grant", "grant_type must be password or refresh_token")


def _password_grant(fake: FakeAmino, credentials: dict[str, object], profile_id: str | None) -> Response:
    username, password = credentials.get("username"), credentials.get("password")
    user = fake.directory.by_name(username) if isinstance(username, str) else None
    if (
        user is None
        or not isinstance(password, str)
        or not hmac.compare_digest(password.encode(), user.password.encode())
    ):
        return _token_refusal(fake, "bad_credentials", "Invalid username or password")
    profile = user.profile(profile_id) if profile_id else user.default_profile
    if profile is None:
        return _token_refusal(fake, "unknown_profile", "No such profile for this user")
    return _tokens_answer(fake, "password", _issue(fake, user, profile))


def _refresh_grant(fake: FakeAmino, credentials: dict[str, object], profile_id: str | None) -> Response:
    token = credentials.get("refresh_token")
    try:
        record = fake.token_book.check_refresh(token if isinstance(token, str) else "", time.monotonic())
    except TokenRefused as refused:
        if refused.reason == "refresh_reused":
            fake.stats.reuse_detected += 1
        return _token_refusal(fake, refused.reason, refused.detail, fake.refresh_refusal_status)
    profile = record.user.profile(profile_id) if profile_id else record.profile
    if profile is None:
        # Refused before redeeming: a bad profile id does not burn the refresh token.
        return _token_refusal(fake, "unknown_profile", "No such profile for this user")
    return _tokens_answer(fake, "refresh_token", _issue(fake, record.user, profile, record))


def _issue(fake: FakeAmino, user: FakeUser, profile: FakeProfile, redeemed: TokenRecord | None = None) -> IssuedTokens:
    """New tokens with the current lifetimes: a new family, or the next of ``redeemed``'s."""
    now, access, refresh = time.monotonic(), fake.access_token_lifetime, fake.refresh_token_lifetime
    if redeemed is None:
        return fake.token_book.issue(
            user, profile, family=None, now=now, access_lifetime=access, refresh_lifetime=refresh
        )
    return fake.token_book.rotate(redeemed, profile, now=now, access_lifetime=access, refresh_lifetime=refresh)


def _tokens_answer(fake: FakeAmino, grant: str, issued: IssuedTokens) -> Response:
    fake.stats.grants[grant] += 1
    now = reported_now(fake)
    return answer(fake, 201, _token_document(fake, issued, now), NO_STORE, now=now)


def _token_document(fake: FakeAmino, issued: IssuedTokens, now: int) -> bytes:
    user = issued.record.user
    attributes: dict[str, object] = {
        "login_timestamp": now,
        "user_id": user.user_id,
        "user_profile_id": issued.record.profile.id,
        "user_flags": list(fake.accounts.of(user).flags),  # as an operator set them now
        "access_token": issued.access_token,
        "expires_at_timestamp": _expires_at(fake, now, issued.access_lifetime),
        "refresh_token": issued.refresh_token,
    }
    if not fake.legacy_token_shape:
        resource = {"type": "AccessToken", "id": str(uuid.uuid4()), "attributes": attributes}
        return dumps({"data": resource})
    if user.user_id.isascii() and user.user_id.isdigit():
        attributes["user_id"] = int(user.user_id)
    resource = {"type": "AuthenticationTokens", "id": str(uuid.uuid4()), "attributes": attributes}
    return dumps({"data": [resource]})


def _expires_at(fake: FakeAmino, now: int, lifetime: float) -> int:
    # Floored: the reported lifetime never overstates the real one.
    return now if fake.zero_lifetime else now + int(lifetime)


def _token_refusal(fake: FakeAmino, reason: str, details: str, status: int = 400) -> Response:
    fake.stats.token_refusals[reason] += 1
    return answer(fake, status, entity_error("4AUTH01", "Authentication failed", details))


# --- the legacy login ------------------------------------------------------------------------------


async def login(fake: FakeAmino, call: Call) -> Response:
    """``POST /api/user/{user_id}/login``: Digest credentials, or else a session cookie, for ``userStat`` tokens."""
    user = fake.directory.resolve(call.params["user_id"])
    if call.authorization is not None:
        return _digest_login(fake, call, user, call.authorization)
    cookie = call.request.cookies.get(SESSION_COOKIE)
    owner = fake.token_book.session_user_id(cookie) if cookie else None
    if user is None or owner != user.user_id:
        return _login_refusal(fake, "no_session", "Authentication required")
    return _user_stat_answer(fake, "cookie", _issue(fake, user, user.default_profile), {})


def _digest_login(fake: FakeAmino, call: Call, user: FakeUser | None, authorization: str) -> Response:
    def password_of(username: str) -> str | None:
        found = fake.directory.resolve(username)
        return found.password if found else None

    username = fake.digest.verify(authorization, call.request.method, call.request.scope["path"], password_of)
    if user is None or username is None or fake.directory.resolve(username) != user:
        return _login_refusal(fake, "bad_digest", "Invalid username or password")
    issued = _issue(fake, user, user.default_profile)
    session = fake.token_book.new_session(user)
    cookie = {"set-cookie": f"{SESSION_COOKIE}={session}; Path=/; HttpOnly"}
    return _user_stat_answer(fake, "digest", issued, cookie)


def _login_refusal(fake: FakeAmino, reason: str, details: str) -> Response:
    fake.stats.token_refusals[reason] += 1
    body = entity_error("4AUTH02", "Unauthorized", details)
    return answer(fake, 401, body, {"www-authenticate": fake.digest.challenge()})


def _user_stat_answer(fake: FakeAmino, grant: str, issued: IssuedTokens, headers: dict[str, str]) -> Response:
    fake.stats.grants[grant] += 1
    now = reported_now(fake)
    user_stat = {
        "maxAllowedSession": 1000,
        "currentSession": 1,
        "migrated": False,
        "configuration": 1,
        "premiumUser": False,
        "streamingOver3G": True,
        "accessToken": [issued.access_token, _expires_at(fake, now, issued.access_lifetime)],
        "refreshToken": [issued.refresh_token, now + int(issued.refresh_lifetime)],
    }
    headers.update(NO_STORE)
    return answer(fake, 200, dumps({"userStat": user_stat}), headers, now=now)


ROUTES: tuple[FakeRoute, ...] = (
    FakeRoute(
        "access_tokens",
        "POST",
        "/api/auth/v1/access_tokens",
        access_tokens,
        data=False,
        malformed={"data": {"type": "AccessToken", "id": "0", "attributes": {"expires_at_timestamp": "soon"}}},
    ),
    FakeRoute(
        "login",
        "POST",
        "/api/user/{user_id}/login",
        login,
        data=False,
        malformed={"userStat": {"accessToken": "not-a-pair", "refreshToken": None}},
    ),
)
