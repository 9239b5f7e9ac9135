"""Refresh worker: how the SDK, authlib and httpx-auth renew a token, against the fake's token endpoint.

Scenarios (each in a fresh process, one library each; the worker sets the server's knobs and reads its counters):

- ``expired``: log in (2 s tokens; each library's early-expiry margin 0.5 s), let the token expire, then 1,000
  concurrent requests (the renewed token lives an hour). Token calls, successes, wall time,
  and the longest event-loop stall (a 1 ms ticker's worst lateness). The token endpoint answers after 50 ms, as a
  real one might.
- ``short``: tokens live 20 s, less than each library's early-expiry margin; 100 sequential requests.
- ``revoked``: log in, the server expires every access token it issued, then 100 concurrent requests.

authlib and httpx-auth speak standard OAuth 2 (a form-encoded password or refresh grant, answered with
``access_token``/``expires_in``); Amino's token endpoint takes JSON and answers JSON:API. Each is given, through
its documented ``transport``/``client`` parameter, an httpx transport that translates just the token call.
"""

from __future__ import annotations

import argparse
import importlib
import json
import sys
import time
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

sys.path.insert(0, str(Path(__file__).parent))
import anyio
import httpx
from _common import PASSWORD, USERNAME, admin, channel_ids, emit, token_answer

TOKEN_PATH = "/api/auth/v1/access_tokens"
SCENARIOS = {
    # name: (access token lifetime, token delay, requests, concurrent)
    "expired": (2.0, 0.05, 1000, True),
    "valid": (3600.0, 0.05, 1000, True),  # the same burst on a valid token: the stall the burst alone makes
    "short": (20.0, 0.0, 100, False),
    "revoked": (3600.0, 0.0, 100, True),
}


def _amino_request(request: Any, lib: Any = httpx) -> Any:
    form = dict(parse_qsl(request.content.decode()))
    grant = form.pop("grant_type")
    credentials = (
        {"refresh_token": form["refresh_token"]}
        if grant == "refresh_token"
        else {"username": form["username"], "password": form["password"]}
    )
    body = json.dumps({"grant_type": grant, "credentials": credentials}).encode()
    return lib.Request("POST", request.url, content=body, headers={"Content-Type": "application/json"})


def _oauth_answer(response: Any, request: Any, lib: Any = httpx) -> Any:
    if not response.is_success:
        return lib.Response(400, json={"error": "invalid_grant"}, request=request)
    data = response.json()["data"]
    attributes = (data[0] if isinstance(data, list) else data)["attributes"]
    token = {
        "access_token": attributes["access_token"],
        "token_type": "Bearer",
        "expires_in": attributes["expires_at_timestamp"] - attributes["login_timestamp"],
        "refresh_token": attributes["refresh_token"],
    }
    return lib.Response(200, json=token, request=request)


def oauth_shim(lib: Any) -> Any:
    """A transport of ``lib`` (httpx or httpx2, whichever the client is built on) that takes standard OAuth 2
    token calls in and sends Amino's; everything else passes through."""

    class OAuthShim(lib.AsyncBaseTransport):  # type: ignore[misc, name-defined]
        def __init__(self) -> None:
            self._inner = lib.AsyncHTTPTransport()

        async def handle_async_request(self, request: Any) -> Any:
            if request.url.path != TOKEN_PATH:
                return await self._inner.handle_async_request(request)
            await request.aread()
            response = await self._inner.handle_async_request(_amino_request(request, lib))
            await response.aread()
            return _oauth_answer(response, request, lib)

        async def aclose(self) -> None:
            await self._inner.aclose()

    return OAuthShim()


def library_of(cls: type) -> Any:
    """The HTTP library (httpx or httpx2) a client class is built on: authlib prefers httpx2 where installed."""
    for base in cls.__mro__:
        root = base.__module__.partition(".")[0]
        if root in ("httpx", "httpx2"):
            return importlib.import_module(root)
    return httpx


class SyncOAuthShim(httpx.BaseTransport):
    """The same for httpx-auth, whose token calls go through a synchronous ``httpx.Client``."""

    def __init__(self) -> None:
        self._inner = httpx.HTTPTransport()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        request.read()
        response = self._inner.handle_request(_amino_request(request))
        response.read()
        return _oauth_answer(response, request)


class StallMonitor:
    """The worst lateness of a task that asks to wake every millisecond."""

    def __init__(self) -> None:
        self.worst = 0.0

    async def run(self) -> None:
        while True:
            before = time.perf_counter()
            await anyio.sleep(0.001)
            self.worst = max(self.worst, time.perf_counter() - before - 0.001)


async def _sdk(url: str, margin: float | None) -> tuple[Any, Any]:
    from amino_async import AminoClient, AminoError

    options = {} if margin is None else {"refresh_margin": margin}
    client = AminoClient(url, username=USERNAME, password=PASSWORD, **options)

    async def call(channel_id: str) -> bool:
        try:
            await client.channels.streams(channel_id, max_retries=0)
        except AminoError:
            return False
        return True

    return client, call


async def _authlib(url: str, margin: float | None) -> tuple[Any, Any]:
    from authlib.integrations.httpx_client import AsyncOAuth2Client

    # As authlib documents for the password grant: fetch_token with username and password, refreshed
    # automatically from token_endpoint when expired (leeway 60 s).
    options = {} if margin is None else {"leeway": margin}
    shim = oauth_shim(library_of(AsyncOAuth2Client))
    client = AsyncOAuth2Client(token_endpoint=f"{url}{TOKEN_PATH}", transport=shim, **options)
    await client.fetch_token(f"{url}{TOKEN_PATH}", username=USERNAME, password=PASSWORD, grant_type="password")

    async def call(channel_id: str) -> bool:
        try:
            response = await client.get(f"{url}/api/v1/channels/{channel_id}/relationships/streams")
        except Exception:
            return False
        if response.status_code != 200:
            return False
        json.loads(response.content)
        return True

    return client, call


async def _httpx_auth(url: str, margin: float | None) -> tuple[Any, Any]:
    import httpx_auth

    # As httpx-auth documents: an OAuth2ResourceOwnerPasswordCredentials auth on the client (early expiry 30 s).
    options = {} if margin is None else {"early_expiry": margin}
    auth = httpx_auth.OAuth2ResourceOwnerPasswordCredentials(
        f"{url}{TOKEN_PATH}",
        username=USERNAME,
        password=PASSWORD,
        client=httpx.Client(transport=SyncOAuthShim()),
        **options,
    )
    client = httpx.AsyncClient(auth=auth)
    await client.get(f"{url}/api/v1/channels/none/relationships/streams")  # logs in

    async def call(channel_id: str) -> bool:
        try:
            response = await client.get(f"{url}/api/v1/channels/{channel_id}/relationships/streams")
        except Exception:
            return False
        if response.status_code != 200:
            return False
        json.loads(response.content)
        return True

    return client, call


LIBRARIES = {"sdk": _sdk, "authlib": _authlib, "httpx-auth": _httpx_auth}


async def _scenario(lib: str, name: str, url: str, ids: list[str]) -> dict[str, Any]:
    lifetime, token_delay, count, concurrent = SCENARIOS[name]
    admin(url, "config", {"access_token_lifetime": lifetime, "token_delay": token_delay})
    admin(url, "reset_stats", {})
    # An expired token: each library's early-expiry margin set to 0.5 s (a documented parameter of each), so
    # that a 2 s token is seen as valid, then as expired, by all three alike. The other scenarios use defaults.
    client, call = await LIBRARIES[lib](url, 0.5 if name == "expired" else None)
    if lib == "sdk":
        await client.login()
    if name == "expired":
        await anyio.sleep(lifetime + 0.2)
        admin(url, "config", {"access_token_lifetime": 3600.0})
    elif name == "revoked":
        admin(url, "expire_access_tokens", {})
    if name != "short":
        admin(url, "reset_stats", {})  # count the renewals only
    ok = 0
    monitor = StallMonitor()
    start = time.perf_counter()

    async def one(channel_id: str) -> None:
        nonlocal ok
        succeeded = await call(channel_id)
        ok += succeeded

    async with anyio.create_task_group() as group:
        group.start_soon(monitor.run)
        if concurrent:
            async with anyio.create_task_group() as requests:
                for index in range(count):
                    requests.start_soon(one, ids[index % len(ids)])
        else:
            for index in range(count):
                await one(ids[index % len(ids)])
        wall = time.perf_counter() - start
        group.cancel_scope.cancel()
    stats = admin(url, "stats")
    await client.aclose()
    admin(url, "config", {"access_token_lifetime": 3600.0, "token_delay": 0.0})
    return {
        "lib": lib,
        "scenario": name,
        "requests": count,
        "ok": ok,
        "token_calls": sum(stats["grants"].values()) + sum(stats["token_refusals"].values()),
        "wall": wall,
        "stall_ms": monitor.worst * 1000,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", required=True)
    parser.add_argument("--lib", choices=sorted(LIBRARIES), required=True)
    parser.add_argument("--scenario", choices=sorted(SCENARIOS), required=True)
    args = parser.parse_args()
    token = token_answer(args.url)["access_token"]
    ids = channel_ids(args.url, token, 1000)
    emit(anyio.run(_scenario, args.lib, args.scenario, args.url, ids))


if __name__ == "__main__":
    main()
