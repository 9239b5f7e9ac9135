"""The boundary, tried as an attacker and a careless caller would: each test reproduces one way the SDK used to
move a request, leak a secret or let an untyped error escape, against a real server (in-process or loopback).
"""

from __future__ import annotations

import asyncio
import builtins
import contextlib
import gzip
import json
import time
import tracemalloc
import zlib
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import anyio
import pytest

from amino_async import (
    AminoClient,
    AminoError,
    ApiError,
    AuthenticationError,
    ClientClosedError,
    ConfigurationError,
    DecodeError,
    FileTokenStore,
    MemoryTokenStore,
    PermissionDeniedError,
    ResponseTooLargeError,
    RetryPolicy,
    TimeoutError,
    Tokens,
)
from amino_async.testing import FakeAmino
from amino_async.testing._server import serve

from .helpers import BASE_URL, OTHER, PASSWORD, USER_ID, USERNAME, TwoOrigins, httpx, in_process

FAST_RETRY = RetryPolicy(max_retries=2, initial_delay=0.001, max_delay=0.001)
TOKENS_PATH = "/api/auth/v1/access_tokens"


@pytest.fixture
def fake() -> FakeAmino:
    return FakeAmino(channels=150)


def _chain(error: BaseException) -> Iterator[BaseException]:
    """The error and everything its cause chain holds."""
    seen: set[int] = set()
    pending: list[BaseException | None] = [error]
    while pending:
        current = pending.pop()
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        pending += [current.__cause__, current.__context__]


def _renders(error: BaseException) -> str:
    """Everything an error shows: str, repr and args, of it and of its whole cause chain."""
    return " ".join(f"{e!s} {e!r} {e.args!r}" for e in _chain(error))


class _Origin:
    """A second origin on a loopback socket: records every request and answers 200 with an empty page."""

    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        self.requests.append({"path": scope["path"], "headers": dict(scope["headers"]), "body": body})
        await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"application/json")]})
        await send({"type": "http.response.body", "body": b'{"data": []}'})


# --- nothing follows a redirect --------------------------------------------------------------------------------


@pytest.mark.parametrize("grant", ["password", "refresh_token"])
async def test_token_calls_never_follow_a_redirect_even_through_a_redirecting_client(
    fake: FakeAmino, grant: str
) -> None:
    other = _Origin()
    async with (
        fake.serve() as base_url,
        serve(other) as elsewhere,
        httpx.AsyncClient(follow_redirects=True) as http,
        AminoClient(base_url, username=USERNAME, password=PASSWORD, http_client=http, retry=FAST_RETRY) as client,
    ):
        if grant == "refresh_token":
            await client.login()
            fake.expire_access_tokens()
        location = f"{elsewhere}/steal?code=s3cr3t-query"
        fake.inject(TOKENS_PATH, status=307, headers={"Location": location}, times=None)
        with pytest.raises(ApiError) as info:
            await client.channels.list()
    assert other.requests == []  # neither the password nor the refresh token reached the other origin
    assert info.value.status == 307
    message = str(info.value)
    assert f"{elsewhere}/steal" in message and "s3cr3t-query" not in message
    assert PASSWORD not in _renders(info.value)


async def test_data_calls_never_follow_a_redirect_through_a_redirecting_client(fake: FakeAmino) -> None:
    recorder = TwoOrigins(fake)
    async with (
        httpx.AsyncClient(transport=httpx.ASGITransport(app=recorder), follow_redirects=True) as http,
        AminoClient(BASE_URL, username=USERNAME, password=PASSWORD, http_client=http) as client,
    ):
        with pytest.raises(ApiError) as info:
            await client.request("GET", "/redirect-away")
    assert info.value.status == 302
    assert f"http://{OTHER}/landing" in str(info.value)
    assert recorder.seen_by(OTHER) == []


# --- no cookie crosses users -----------------------------------------------------------------------------------


@pytest.mark.parametrize("own_pool", [True, False], ids=["own-pool", "injected-client"])
async def test_no_cookie_from_one_users_answer_rides_along_with_another_users_call(
    fake: FakeAmino, own_pool: bool
) -> None:
    bob = fake.add_user("bob@example.com", "bob-pw")
    recorder = TwoOrigins(fake)
    transport = httpx.ASGITransport(app=recorder)
    async with contextlib.AsyncExitStack() as stack:
        http = None if own_pool else await stack.enter_async_context(httpx.AsyncClient(transport=transport))
        options: dict[str, Any] = {"transport": transport} if own_pool else {"http_client": http}
        client = await stack.enter_async_context(AminoClient(BASE_URL, **options))
        # Bob's Digest login is answered with his session cookie (Set-Cookie: amino_session=...).
        bob_view = client.with_auth(username="bob@example.com", password="bob-pw", login_method="digest")
        await bob_view.channels.list()
        user_view = client.with_auth(username=USERNAME, password=PASSWORD)
        await user_view.channels.list()
        await user_view.profiles.list()
        if http is not None:
            assert not http.cookies  # nothing left in the caller's own jar for their other requests
    logins = [r for r in recorder.exchanges if r.path.endswith("/login")]
    assert logins, "the digest login ran"
    others = [r for r in recorder.exchanges if r not in logins]
    assert others and all("cookie" not in r.headers for r in others)
    assert fake.stats.requests_by_user[bob.user_id] == 1


async def test_the_cookie_exchange_sends_the_users_own_cookie_only(fake: FakeAmino) -> None:
    bob = fake.add_user("bob@example.com", "bob-pw")
    recorder = TwoOrigins(fake)
    async with AminoClient(BASE_URL, transport=httpx.ASGITransport(app=recorder)) as client:
        for user in (fake.default_user, bob):
            cookie = fake.create_session(user)
            await client.with_auth(user_id=user.user_id, cookies={"amino_session": cookie}).channels.list()
    exchanges = [r for r in recorder.exchanges if r.path.endswith("/login")]
    assert len(exchanges) == 2
    assert [r.headers["cookie"].count("amino_session=") for r in exchanges] == [1, 1]
    assert exchanges[0].headers["cookie"] != exchanges[1].headers["cookie"]


# --- ids never move a request ----------------------------------------------------------------------------------


@pytest.mark.parametrize("channel_id", ["..", ".", "", "a\r\nb", "x" * 100_000])
async def test_ids_that_cannot_be_one_segment_are_refused_before_sending(fake: FakeAmino, channel_id: str) -> None:
    async with in_process(fake) as client:
        await client.login()
        fake.reset_stats()
        with pytest.raises(ConfigurationError, match="channel_id") as info:
            await client.channels.streams(channel_id)
    assert sum(fake.stats.calls.values()) == 0 and fake.stats.bearer_seen == 0
    if len(channel_id) > 3:
        assert channel_id not in str(info.value)


async def test_an_id_with_url_syntax_stays_one_segment(fake: FakeAmino) -> None:
    seen: list[bytes] = []

    async def spy(scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            seen.append(scope.get("raw_path") or scope["path"].encode())
        await fake(scope, receive, send)

    async with AminoClient(
        BASE_URL, transport=httpx.ASGITransport(app=spy), username=USERNAME, password=PASSWORD
    ) as client:
        with pytest.raises(ApiError):
            await client.channels.streams("a/b?c#d")
    assert b"/api/v1/channels/a%2Fb%3Fc%23d/relationships/streams" in seen


@pytest.mark.parametrize(
    ("user_id", "error"),
    [("u/../../x", AuthenticationError), ("a?b", AuthenticationError), ("..", ConfigurationError)],
)
async def test_the_legacy_login_path_holds_the_user_id_as_one_segment(
    fake: FakeAmino, user_id: str, error: type[AminoError]
) -> None:
    seen: list[bytes] = []

    async def spy(scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            seen.append(scope.get("raw_path") or scope["path"].encode())
        await fake(scope, receive, send)

    cookie = fake.create_session()
    async with AminoClient(
        BASE_URL, transport=httpx.ASGITransport(app=spy), user_id=user_id, cookies={"amino_session": cookie}
    ) as client:
        with pytest.raises(error):
            await client.channels.list()
    assert all(path.startswith(b"/api/user/") and path.endswith(b"/login") for path in seen)
    assert len(seen) == (0 if error is ConfigurationError else 1)
    assert b"/api/x/login" not in seen


@pytest.mark.parametrize("path", ["/channels?page_number=2", "/channels#top", "channels", "/a/../b", "/a\nb"])
async def test_request_refuses_a_path_that_is_not_just_a_path(fake: FakeAmino, path: str) -> None:
    async with in_process(fake) as client:
        with pytest.raises(ConfigurationError, match=r"params=|path") as info:
            await client.request("GET", path, family="metadata")
    if "?" in path:
        assert "params=" in str(info.value)
    assert fake.stats.calls["channels"] == 0


# --- links from answers ----------------------------------------------------------------------------------------


def _page_with_next(link: Any, count: int = 1) -> str:
    data = [{"type": "Channel", "id": f"c{i}", "attributes": {"name": f"C{i}"}} for i in range(count)]
    return json.dumps({"data": data, "links": {"next": link}})


@pytest.mark.parametrize(
    "link",
    [f"http://{OTHER}/api/metadata/v1/channels?page_number=2", "https://localhost/x", "//evil.example/x"],
)
async def test_a_next_link_to_another_origin_is_an_error_never_followed(fake: FakeAmino, link: str) -> None:
    recorder = TwoOrigins(fake)
    fake.inject("/api/metadata/v1/channels", status=200, body=_page_with_next(link))
    async with AminoClient(
        BASE_URL, transport=httpx.ASGITransport(app=recorder), username=USERNAME, password=PASSWORD
    ) as client:
        with pytest.raises(DecodeError) as info:
            async for _ in client.channels.iterate():
                pass
    assert info.value.path == "links.next"
    assert recorder.seen_by(OTHER) == [] and recorder.seen_by("evil.example") == []
    assert OTHER not in str(info.value)


@pytest.mark.parametrize("link", ["\u001f", "http://[::1", "http://exa mple.com/", {"href": "\x00"}])
async def test_a_malformed_next_link_is_a_decode_error(fake: FakeAmino, link: Any) -> None:
    fake.inject("/api/metadata/v1/channels", status=200, body=_page_with_next(link))
    async with in_process(fake) as client:
        with pytest.raises(DecodeError, match=r"links\.next"):
            await client.channels.list()


async def test_a_next_link_on_the_same_origin_is_followed(fake: FakeAmino) -> None:
    fake.inject(
        "/api/metadata/v1/channels", status=200, body=_page_with_next("/api/metadata/v1/channels?page_number=2")
    )
    async with in_process(fake) as client:
        page = await client.channels.list()
        following = await page.next_page()
    assert following is not None and following.number == 2 and len(following.items) == 50


# --- no secret in a message ------------------------------------------------------------------------------------


@pytest.mark.parametrize("bad", ["tok\r\nX-Evil: 1", "tok\x00en", "tok en", ""])
async def test_a_token_answer_with_an_unsendable_token_is_a_decode_error(fake: FakeAmino, bad: str) -> None:
    now = int(time.time())
    answer = {
        "data": {
            "type": "AccessToken",
            "id": "1",
            "attributes": {"access_token": bad, "refresh_token": "r", "expires_at_timestamp": now + 60},
        }
    }
    fake.inject(TOKENS_PATH, status=201, body=json.dumps(answer))
    async with in_process(fake) as client:
        with pytest.raises(DecodeError) as info:
            await client.channels.list()
    assert info.value.path.endswith("access_token")
    if bad:
        assert bad not in _renders(info.value)


@pytest.mark.parametrize(
    ("options", "argument"),
    [
        ({"username": USERNAME, "password": "pw\r\nX-Evil: 1"}, "password"),
        ({"username": "me\n@example.com", "password": PASSWORD}, "username"),
        ({"user_id": USER_ID, "cookies": {"amino_session": "abc\r\n"}}, "cookies"),
        ({"user_id": USER_ID, "cookies": {"amino_session": "abc; admin=1"}}, "cookies"),
        ({"user_id": USER_ID, "cookies": {"amino session": "abc"}}, "cookies"),
        ({"user_id": USER_ID, "cookies": {"a=b": "abc"}}, "cookies"),
        ({"user_id": "10\x0001", "cookies": {"amino_session": "abc"}}, "user_id"),
        ({"username": USERNAME, "password": PASSWORD, "profile_id": "p\r\n"}, "profile_id"),
    ],
)
def test_credentials_that_could_break_a_header_are_refused_naming_the_argument_only(
    options: dict[str, Any], argument: str
) -> None:
    with pytest.raises(ConfigurationError, match=argument) as info:
        AminoClient(BASE_URL, **options)
    for value in options.values():
        for text in value.values() if isinstance(value, dict) else [value]:
            if len(text) > 3:
                assert text not in str(info.value)


def test_given_tokens_that_could_break_a_header_are_refused() -> None:
    with pytest.raises(ConfigurationError):
        Tokens("access\r\nX-Evil: 1", "refresh", None)
    with pytest.raises(ConfigurationError):
        Tokens("access", "refresh\x00", None)


async def test_a_server_echoing_the_password_has_it_redacted(fake: FakeAmino) -> None:
    body = {"errors": [{"status": "400", "title": f"Bad password {PASSWORD}", "detail": f"'{PASSWORD}' is wrong"}]}
    fake.inject(TOKENS_PATH, status=400, body=json.dumps(body))
    async with in_process(fake) as client:
        with pytest.raises(AuthenticationError) as info:
            await client.login()
    assert "[redacted]" in str(info.value)
    assert PASSWORD not in _renders(info.value)
    assert all(PASSWORD not in (e.detail or "") + (e.title or "") for e in info.value.errors)


async def test_a_server_echoing_the_bearer_has_it_redacted(fake: FakeAmino) -> None:
    async with in_process(fake) as client:
        tokens = await client.login()
        body = {"errors": [{"status": "403", "detail": f"token {tokens.access_token} may not see this"}]}
        path = f"/api/v1/channels/{fake.channel_id(0)}/relationships/streams"
        fake.inject(path, status=403, body=json.dumps(body))
        with pytest.raises(PermissionDeniedError) as info:
            await client.channels.streams(fake.channel_id(0))
    assert tokens.access_token not in _renders(info.value)
    assert "[redacted]" in str(info.value)


async def test_errors_carry_no_cause_chain_of_the_library_below(fake: FakeAmino) -> None:
    async with in_process(fake, retry=FAST_RETRY) as client:
        await client.login()
        fake.inject(f"/api/v1/channels/{fake.channel_id(1)}/relationships/streams", status=200, kind="truncated")
        with pytest.raises(DecodeError) as decode_error:
            await client.channels.streams(fake.channel_id(1))
    async with AminoClient("http://127.0.0.1:9", username=USERNAME, password=PASSWORD, max_retries=0) as nowhere:
        with pytest.raises(AminoError) as transport_error:
            await nowhere.channels.list()
    for error in (decode_error.value, transport_error.value):
        assert error.__cause__ is None and error.__context__ is None


# --- nothing untyped escapes -----------------------------------------------------------------------------------


async def test_a_closed_client_refuses_login_and_calls_with_an_sdk_error(fake: FakeAmino) -> None:
    client = in_process(fake)
    await client.aclose()
    with pytest.raises(ClientClosedError):
        await client.login()
    with pytest.raises(ClientClosedError):
        await client.channels.list()
    with pytest.raises(ClientClosedError):
        await client.with_auth(username="x", password="y").profiles.list(user_id="1")


async def test_calls_waiting_in_a_retry_when_the_client_closes_end_with_an_sdk_error(fake: FakeAmino) -> None:
    slow_retry = RetryPolicy(max_retries=3, initial_delay=0.3, max_delay=0.3)
    client = in_process(fake, retry=slow_retry)
    await client.login()
    fake.inject(f"/api/v1/channels/{fake.channel_id(0)}/relationships/streams", status=503, times=None)
    outcome: list[BaseException] = []

    async def call() -> None:
        try:
            await client.channels.streams(fake.channel_id(0))
        except BaseException as exc:
            outcome.append(exc)

    async with anyio.create_task_group() as tg:
        tg.start_soon(call)
        await anyio.sleep(0.1)  # the call is asleep in its backoff now
        await client.aclose()
    assert len(outcome) == 1 and isinstance(outcome[0], ClientClosedError)


class _HeldAnswers:
    """Like _Gate, but holds the answer itself: the tokens exist at the server, the client has not got them."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.released = anyio.Event()
        self.arrived = anyio.Event()
        self.held = 0

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http" or scope["path"] != TOKENS_PATH:
            await self.app(scope, receive, send)
            return
        messages: list[Any] = []

        async def keep(message: Any) -> None:
            messages.append(message)

        await self.app(scope, receive, keep)
        self.held += 1
        self.arrived.set()
        await self.released.wait()
        for message in messages:
            await send(message)


async def test_aclose_lets_a_token_call_in_flight_finish_and_save(fake: FakeAmino) -> None:
    held = _HeldAnswers(fake)
    store = MemoryTokenStore()
    client = AminoClient(
        BASE_URL, transport=httpx.ASGITransport(app=held), username=USERNAME, password=PASSWORD, token_store=store
    )
    outcome: list[BaseException | None] = []

    async def call() -> None:
        try:
            await client.channels.list()
            outcome.append(None)
        except BaseException as exc:
            outcome.append(exc)

    async with anyio.create_task_group() as tg:
        tg.start_soon(call)
        await held.arrived.wait()
        tg.start_soon(client.aclose)
        await anyio.sleep(0.05)
        assert not outcome  # aclose waits for the token call
        held.released.set()
    assert outcome == [None] or isinstance(outcome[0], ClientClosedError)
    assert client.tokens is not None
    assert await store.load(client.auth.store_key) == client.tokens


async def _cancelled_while_the_token_call_is_held(client: AminoClient, held: _HeldAnswers, anyio_backend: str) -> None:
    """Give up on a call whose token call is held; assert the caller left while it still was."""

    async def give_up_soon() -> None:
        await held.arrived.wait()

    if anyio_backend == "asyncio":
        task = asyncio.ensure_future(client.channels.list())
        await give_up_soon()
        # asyncio's own cancellation (asyncio.timeout, wait_for, a web server dropping the request).
        with pytest.raises(asyncio.TimeoutError):
            await asyncio.wait_for(task, timeout=0.05)
    else:
        with anyio.move_on_after(10) as scope:
            async with anyio.create_task_group() as tg:
                tg.start_soon(client.channels.list)
                await give_up_soon()
                tg.cancel_scope.cancel()
        assert not scope.cancelled_caught
    assert not held.released.is_set()  # the caller is back while the answer is still held


async def test_a_caller_giving_up_on_a_slow_login_leaves_at_once_and_the_tokens_are_saved_after(
    fake: FakeAmino, anyio_backend: str
) -> None:
    held = _HeldAnswers(fake)
    store = MemoryTokenStore()
    async with AminoClient(
        BASE_URL, transport=httpx.ASGITransport(app=held), username=USERNAME, password=PASSWORD, token_store=store
    ) as client:
        await _cancelled_while_the_token_call_is_held(client, held, anyio_backend)
        assert client.tokens is None
        held.released.set()
        await client.auth.settle()
        assert client.tokens is not None
        assert await store.load(client.auth.store_key) == client.tokens
        fake.reset_stats()
        await client.channels.list()
    assert fake.stats.grants["password"] == 0  # the login that ran on its own is the one in use


async def test_a_caller_giving_up_on_a_slow_refresh_never_loses_the_rotated_token(
    fake: FakeAmino, anyio_backend: str
) -> None:
    held = _HeldAnswers(fake)
    async with AminoClient(BASE_URL, transport=httpx.ASGITransport(app=held), tokens=await _tokens_of(fake)) as client:
        fake.expire_access_tokens()
        held.released.set()
        await client.channels.list()  # a refresh, let through
        held.released, held.arrived, held.held = anyio.Event(), anyio.Event(), 0
        fake.expire_access_tokens()
        await _cancelled_while_the_token_call_is_held(client, held, anyio_backend)
        held.released.set()
        await client.auth.settle()
        await client.channels.list()
    assert fake.stats.grants["refresh_token"] == 2
    assert fake.stats.reuse_detected == 0


async def _tokens_of(fake: FakeAmino) -> Tokens:
    async with in_process(fake) as client:
        return await client.login()


async def test_a_deadline_bounds_the_wait_for_a_token_call(fake: FakeAmino) -> None:
    held = _HeldAnswers(fake)
    async with AminoClient(
        BASE_URL, transport=httpx.ASGITransport(app=held), username=USERNAME, password=PASSWORD
    ) as client:
        with pytest.raises(TimeoutError, match="deadline"):
            await client.with_options(deadline=0.2).channels.list()
        assert not held.released.is_set()
        held.released.set()
        await client.auth.settle()
        assert client.tokens is not None


async def test_the_sdk_timeout_is_a_builtin_timeout_error(fake: FakeAmino) -> None:
    async with in_process(fake) as client:
        fake.data_delay = 0.5
        await client.login()
        with pytest.raises(builtins.TimeoutError) as info:
            await client.with_options(timeout=0.05, max_retries=0).channels.list()
    assert isinstance(info.value, TimeoutError) and isinstance(info.value, AminoError)


# --- absurd values from the server -----------------------------------------------------------------------------


async def test_an_absurd_expiry_means_an_unknown_lifetime(fake: FakeAmino, tmp_path: Path) -> None:
    now = int(time.time())
    answer = {
        "data": {
            "type": "AccessToken",
            "id": "1",
            "attributes": {
                "access_token": "a" * 20,
                "refresh_token": "r" * 20,
                "login_timestamp": now,
                "expires_at_timestamp": 10**400,
            },
        }
    }
    fake.inject(TOKENS_PATH, status=201, body=json.dumps(answer))
    async with in_process(fake) as client:
        tokens = await client.login()
    assert tokens.lifetime is None and tokens.expires_in() is None
    path = tmp_path / "tokens.json"
    store = FileTokenStore(path)
    await store.save("k", tokens)
    loaded = await store.load("k")
    assert loaded is not None and loaded.expires_in() is None


# --- bounded answers -------------------------------------------------------------------------------------------


async def _trickle(scope: Any, receive: Any, send: Any) -> None:
    """Headers at once, then a byte every 0.2 s, forever: every single read is quick."""
    if scope["type"] != "http":
        return
    await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"application/json")]})
    await send({"type": "http.response.body", "body": b"{", "more_body": True})
    with contextlib.suppress(Exception):
        while True:
            await asyncio.sleep(0.2)
            await send({"type": "http.response.body", "body": b" ", "more_body": True})


async def test_an_answer_trickling_forever_times_out_within_the_timeout(anyio_backend: str) -> None:
    tokens = Tokens("a" * 20, "r" * 20, None)
    async with (
        serve(_trickle) as url,
        AminoClient(url, tokens=tokens, timeout=httpx.Timeout(0.5), max_retries=0) as client,
    ):
        started = anyio.current_time()
        with pytest.raises(TimeoutError):
            await client.request("GET", "/trickle")
        took = anyio.current_time() - started
    assert took < 5  # not forever: the whole attempt is bounded, not each read


def _bomb(inflated: int) -> bytes:
    """gzip of ``inflated`` zero bytes, made a MiB at a time."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    chunk = b"\0" * (1 << 20)
    parts = [compressor.compress(chunk) for _ in range(inflated >> 20)]
    parts.append(compressor.flush())
    return b"".join(parts)


BOMB = _bomb(256 << 20)


async def _bomb_app(scope: Any, receive: Any, send: Any) -> None:
    if scope["type"] != "http":
        return
    headers = [(b"content-type", b"application/json"), (b"content-encoding", b"gzip")]
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    for start in range(0, len(BOMB), 64 * 1024):
        await send({"type": "http.response.body", "body": BOMB[start : start + 64 * 1024], "more_body": True})
    await send({"type": "http.response.body", "body": b""})


async def test_a_gzip_bomb_stops_at_the_cap_with_memory_under_the_cap(anyio_backend: str) -> None:
    assert len(BOMB) < 300 * 1024
    cap = 4 << 20
    tokens = Tokens("a" * 20, "r" * 20, None)
    async with serve(_bomb_app) as url, AminoClient(url, tokens=tokens, max_response_size=cap) as client:
        # Once unmeasured: the first request imports the transport's modules, which tracemalloc would count.
        with pytest.raises(ResponseTooLargeError):
            await client.request("GET", "/bomb")
        tracemalloc.start()
        try:
            with pytest.raises(ResponseTooLargeError):
                await client.request("GET", "/bomb")
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
    assert peak < cap + (1 << 20)


async def test_compressed_answers_within_the_cap_decode(fake: FakeAmino) -> None:
    document = json.dumps({"data": [{"type": "Channel", "id": "c1", "attributes": {"name": "One"}}]}).encode()
    for encoding, body in (("gzip", gzip.compress(document)), ("deflate", zlib.compress(document))):
        fake.inject("/api/metadata/v1/channels", status=200, body=body, headers={"Content-Encoding": encoding})
        async with in_process(fake) as client:
            page = await client.channels.list()
        assert [c.name for c in page.items] == ["One"]


# --- back-to-back expiries -------------------------------------------------------------------------------------


async def test_a_thousand_calls_across_two_expiries_all_succeed_without_reuse(anyio_backend: str) -> None:
    # The token expires twice while the calls queue on the pool: once after 150 answers, and again once the
    # new token has served 150 more. A call may meet both expiries, and a replay whose fresh token expired
    # before it was sent must be replayed again.
    fake = FakeAmino(channels=10)
    fake.data_delay = 0.02
    failures: Counter[str] = Counter()
    limits = httpx.Limits(max_connections=50)
    async with (
        fake.serve() as base_url,
        AminoClient(base_url, username=USERNAME, password=PASSWORD, limits=limits) as client,
    ):
        await client.login()

        async def call(i: int) -> None:
            try:
                await client.channels.streams(fake.channel_id(i % 10))
            except AminoError as exc:
                failures[type(exc).__name__] += 1

        async def expire_twice() -> None:
            for served in (150, 300):
                while sum(fake.stats.requests_by_user.values()) < served:  # noqa: ASYNC110 - a counter, no event
                    await anyio.sleep(0.005)
                fake.expire_access_tokens()

        async with anyio.create_task_group() as tg:
            tg.start_soon(expire_twice)
            for i in range(1000):
                tg.start_soon(call, i)
    assert failures == Counter()
    assert fake.stats.reuse_detected == 0
    assert fake.stats.grants["refresh_token"] == 2


async def test_replays_are_bounded_when_every_fresh_token_is_refused(fake: FakeAmino) -> None:
    async with in_process(fake) as client:
        await client.login()
        fake.inject(f"/api/v1/channels/{fake.channel_id(3)}/relationships/streams", status=401, times=None)
        with pytest.raises(AuthenticationError):
            await client.channels.streams(fake.channel_id(3))
    assert fake.stats.calls["channel_streams"] <= 4
