"""The token calls: createAccessToken (password and refresh grants) and the legacy loginUser, on the send path.

They take the one send path (:class:`~amino_async._request.Sender`) without the auth flow, so a renewal can never
recurse into another, with the token calls' retry rule: only what cannot have reached the server, or was not
processed (429, 503), is sent again. Refusals become :class:`~amino_async.AuthenticationError`; the secret a
call carries (password, refresh token, cookie) is redacted from whatever detail the server echoes back.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any, Final

import httpx
from attrs import evolve

from ._answer import Answer
from ._constants import USER_AGENT
from ._credentials import sendable_cookie
from ._errors import AminoError, ApiError, AuthenticationError
from ._request import TOKEN_CALL_RETRY, RetryPolicy, Sender
from ._tokens import Tokens, tokens_from_token_answer, tokens_from_user_stat
from ._urls import Route, Urls

__all__ = ["ACCESS_TOKENS", "LOGIN_USER", "TokenCalls"]

#: createAccessToken (``rest/endpoints/auth/authentication.yml``).
ACCESS_TOKENS: Final = Route("POST", "auth", "/access_tokens")
#: loginUser (``legacy/endpoints/login/login.yml``): Digest login, and the cookie-to-token exchange.
LOGIN_USER: Final = Route("POST", "legacy", "/api/user/{user_id}/login")

_HEADERS: Final = {"User-Agent": USER_AGENT, "Accept": "application/json"}


class TokenCalls:
    """The calls that obtain tokens, for one deployment, over one sender."""

    def __init__(self, sender: Sender, urls: Urls, retry: RetryPolicy | None = None) -> None:
        self._sender = sender
        self._urls = urls
        base = retry if retry is not None else sender.retry
        self._retry = evolve(base, statuses=TOKEN_CALL_RETRY.statuses, resend=TOKEN_CALL_RETRY.resend)

    async def password_grant(self, username: str, password: str, profile_id: str | None) -> Tokens:
        """New tokens for a username and password."""
        credentials = {"username": username, "password": password}
        return await self._grant("password", credentials, profile_id, what="login", secrets=(password,))

    async def refresh_grant(self, refresh_token: str, profile_id: str | None) -> Tokens:
        """New tokens for a refresh token (which the server may rotate); a refusal is an AuthenticationError."""
        credentials = {"refresh_token": refresh_token}
        return await self._grant("refresh_token", credentials, profile_id, what="refresh", secrets=(refresh_token,))

    async def switch_profile(self, tokens: Tokens, profile_id: str | None) -> Tokens:
        """Tokens for ``profile_id``: ``tokens`` when they are for it already, else a refresh grant naming it."""
        if profile_id is None or tokens.profile_id == profile_id or not tokens.refresh_token:
            return tokens
        credentials = {"refresh_token": tokens.refresh_token}
        return await self._grant(
            "refresh_token", credentials, profile_id, what="profile switch", secrets=(tokens.refresh_token,)
        )

    async def digest_login(self, user_id: str, username: str, password: str) -> Tokens:
        """loginUser with HTTP Digest: the password itself is never sent."""
        auth = self._sender.library.DigestAuth(username, password)
        answer = await self._call(LOGIN_USER, {"user_id": user_id}, auth=auth, what="digest login", secrets=())
        return self._user_stat(answer, user_id)

    async def cookie_exchange(self, user_id: str, cookies: Mapping[str, str]) -> tuple[Tokens, dict[str, str]]:
        """The session cookies exchanged for tokens, and the cookies as the answer renewed them."""
        header = "; ".join(f"{name}={value}" for name, value in cookies.items())
        answer = await self._call(
            LOGIN_USER,
            {"user_id": user_id},
            headers={"Cookie": header},
            what="cookie exchange",
            secrets=tuple(cookies.values()),
        )
        renewed = dict(cookies)
        for cookie in answer.response.cookies.jar:
            # Only what can be sent back as it came: a value with ';' would smuggle in a cookie of its own.
            if cookie.value is not None and sendable_cookie(cookie.name, cookie.value):
                renewed[cookie.name] = cookie.value
        return self._user_stat(answer, user_id), renewed

    async def _grant(
        self,
        grant: str,
        credentials: Mapping[str, str],
        profile_id: str | None,
        *,
        what: str,
        secrets: tuple[str, ...],
    ) -> Tokens:
        body: dict[str, Any] = {"grant_type": grant, "credentials": credentials}
        if profile_id is not None:
            body["login_user_profile"] = profile_id
        answer = await self._call(ACCESS_TOKENS, None, json_body=body, what=what, secrets=secrets)
        return tokens_from_token_answer(answer.json(), received_at=time.time())

    async def _call(
        self,
        route: Route,
        path_params: Mapping[str, str] | None,
        *,
        what: str,
        secrets: tuple[str, ...],
        json_body: Any = None,
        headers: Mapping[str, str] | None = None,
        auth: httpx.Auth | None = None,
    ) -> Answer:
        url = self._urls.build(route, path_params)
        refusal: AminoError
        try:
            return await self._sender.send(
                route.method,
                url,
                auth=auth,
                json_body=json_body,
                headers={**_HEADERS, **(headers or {})},
                retry=self._retry,
                idempotent=True,
                secrets=secrets,
            )
        except (AuthenticationError, ApiError) as exc:
            status = exc.status or 0
            if not (400 <= status < 500 and status != 429):
                raise
            detail = exc.detail
            refusal = AuthenticationError(
                f"{what} refused (HTTP {status})" + (f": {detail}" if detail else ""),
                status=status,
                errors=exc.errors,
                request_id=exc.request_id,
            )
        raise refusal

    @staticmethod
    def _user_stat(answer: Answer, user_id: str) -> Tokens:
        return tokens_from_user_stat(
            answer.json(), date=answer.headers.get("date"), received_at=time.time(), user_id=user_id
        )
