"""AminoAuth against the fake server: every way in, single-flight renewal, cancellation, secrets."""

from __future__ import annotations

import asyncio
import logging

import anyio
import attrs
import pytest

from amino_async import (
    AminoAuth,
    AminoClient,
    AuthenticationError,
    ConfigurationError,
    FileTokenStore,
    MemoryTokenStore,
    ServerError,
    Tokens,
)
from amino_async.testing import FakeAmino

from .helpers import BASE_URL, PASSWORD, USER_ID, USERNAME, httpx, in_process, secrets_of


@pytest.fixture
def fake() -> FakeAmino:
    return FakeAmino(channels=50)


async def _fetch_all(client: AminoClient, fake: FakeAmino, count: int) -> list[int]:
    """Fetch ``count`` channels' streams at once; return how many streams each got."""
    results: list[int] = []

    async def one(i: int) -> None:
        results.append(len(await client.channels.streams(fake.channel_id(i % 50))))

    async with anyio.create_task_group() as tg:
        for i in range(count):
            tg.start_soon(one, i)
    return results


# --- ways in ----------------------------------------------------------------------------------------------


async def test_password_login_happens_once_on_first_use(fake: FakeAmino) -> None:
    fake.token_delay = 0.05  # every request arrives while the login is in flight
    async with in_process(fake) as client:
        assert client.tokens is None
        assert len(await _fetch_all(client, fake, 50)) == 50
        assert fake.stats.grants["password"] == 1
        assert client.tokens is not None and client.tokens.user_id == USER_ID
        assert fake.stats.requests_by_user[USER_ID] == 50


async def test_password_login_for_a_profile(fake: FakeAmino) -> None:
    async with in_process(fake, profile_id="p-1001-kids") as client:
        await client.channels.streams(fake.channel_id(0))
        assert client.tokens is not None and client.tokens.profile_id == "p-1001-kids"
        assert fake.stats.requests_by_profile["p-1001-kids"] == 1


async def test_legacy_digest_login(fake: FakeAmino) -> None:
    async with in_process(fake, login_method="digest") as client:
        await client.channels.streams(fake.channel_id(0))
        assert fake.stats.grants["digest"] == 1
        assert fake.stats.grants["password"] == 0
        assert client.tokens is not None and client.tokens.lifetime == pytest.approx(3600, abs=2)


async def test_cookie_to_token_exchange(fake: FakeAmino) -> None:
    cookie = fake.create_session(fake.default_user)
    async with in_process(fake, username=None, password=None, user_id=USER_ID, cookies={"amino_session": cookie}) as c:
        assert len(await c.channels.streams(fake.channel_id(1))) > 0
        assert fake.stats.grants["cookie"] == 1
        assert fake.stats.requests_by_user[USER_ID] == 1


async def test_stale_cookie_is_an_authentication_error(fake: FakeAmino) -> None:
    async with in_process(fake, username=None, password=None, user_id=USER_ID, cookies={"amino_session": "stale"}) as c:
        with pytest.raises(AuthenticationError, match="cookie exchange refused") as info:
            await c.channels.streams(fake.channel_id(1))
        assert info.value.status == 401
        assert "stale" not in str(info.value)


async def test_cookie_login_switches_to_the_requested_profile(fake: FakeAmino) -> None:
    cookie = fake.create_session(fake.default_user)
    async with in_process(
        fake, username=None, password=None, user_id=USER_ID, cookies={"amino_session": cookie}, profile_id="p-1001-kids"
    ) as client:
        await client.channels.streams(fake.channel_id(1))
        assert client.tokens is not None and client.tokens.profile_id == "p-1001-kids"
        assert fake.stats.requests_by_profile["p-1001-kids"] == 1


async def test_existing_tokens_are_used_without_logging_in(fake: FakeAmino) -> None:
    async with in_process(fake) as first:
        tokens = await first.login()
    async with in_process(fake, username=None, password=None, tokens=tokens) as client:
        await client.channels.streams(fake.channel_id(0))
        assert fake.stats.grants["password"] == 1  # only the first client's


async def test_bad_credentials_fail_fast_without_a_login_storm(fake: FakeAmino) -> None:
    fake.token_delay = 0.02
    async with in_process(fake, password="wrong") as client:
        failures: list[AuthenticationError] = []

        async def one(i: int) -> None:
            try:
                await client.channels.streams(fake.channel_id(i))
            except AuthenticationError as exc:
                failures.append(exc)

        async with anyio.create_task_group() as tg:
            for i in range(100):
                tg.start_soon(one, i % 50)
        # Later requests are refused from memory: the password will not become right by itself.
        with pytest.raises(AuthenticationError):
            await client.channels.streams(fake.channel_id(0))
    assert len(failures) == 100
    assert fake.stats.calls["access_tokens"] == 1
    assert failures[0].status == 400
    assert "login refused" in str(failures[0]) and failures[0].detail
    assert "wrong" not in str(failures[0])


async def test_explicit_login_clears_a_refusal(fake: FakeAmino) -> None:
    async with in_process(fake, username="late@example.com", password="pw") as client:
        with pytest.raises(AuthenticationError):
            await client.channels.streams(fake.channel_id(0))
        user = fake.add_user("late@example.com", "pw")  # the account is created after the first attempt
        with pytest.raises(AuthenticationError):
            await client.channels.streams(fake.channel_id(0))
        assert fake.stats.calls["access_tokens"] == 1  # the refusal is remembered...
        await client.login()  # ...until the caller asks to log in again
        await client.channels.streams(fake.channel_id(0))
        assert client.tokens is not None and client.tokens.user_id == user.user_id


# --- single flight ----------------------------------------------------------------------------------------


async def test_a_thousand_requests_on_an_expired_token_make_one_refresh(fake: FakeAmino) -> None:
    async with in_process(fake) as client:
        await client.login()
        fake.expire_access_tokens()
        fake.reset_stats()
        fake.token_delay = 0.05  # 401s keep arriving while the refresh is in flight
        results = await _fetch_all(client, fake, 1000)
    assert len(results) == 1000 and all(n > 0 for n in results)
    assert fake.stats.unauthorized == 1000
    assert fake.stats.calls["access_tokens"] == 1
    assert fake.stats.grants["refresh_token"] == 1
    assert fake.stats.reuse_detected == 0


async def test_concurrent_requests_over_a_socket_make_one_refresh(fake: FakeAmino) -> None:
    async with fake.serve() as base_url, AminoClient(base_url, username=USERNAME, password=PASSWORD) as client:
        await client.login()
        fake.expire_access_tokens()
        fake.reset_stats()
        fake.token_delay = 0.05
        results = await _fetch_all(client, fake, 300)
    assert len(results) == 300
    assert fake.stats.grants["refresh_token"] == 1
    assert fake.stats.reuse_detected == 0


async def test_a_thousand_requests_past_the_lifetime_refresh_once_before_sending(fake: FakeAmino) -> None:
    fake.access_token_lifetime = 1.0
    async with in_process(fake, refresh_margin=0.2) as client:
        await client.login()
        await anyio.sleep(0.85)  # inside the margin: due, though not yet expired at the server
        fake.reset_stats()
        fake.token_delay = 0.05
        results = await _fetch_all(client, fake, 300)
    assert len(results) == 300
    assert fake.stats.grants["refresh_token"] == 1
    assert fake.stats.unauthorized == 0  # refreshed before sending, not after a 401


async def test_three_rounds_of_expiry_rotate_without_reuse(fake: FakeAmino) -> None:
    async with in_process(fake) as client:
        await client.login()
        seen = {client.tokens.refresh_token if client.tokens else None}
        fake.token_delay = 0.02
        for _ in range(3):
            fake.expire_access_tokens()
            await _fetch_all(client, fake, 200)
            assert client.tokens is not None
            seen.add(client.tokens.refresh_token)
    assert fake.stats.grants["refresh_token"] == 3
    assert fake.stats.reuse_detected == 0
    assert len(seen) == 4  # every round used the newest refresh token and got a new one


async def test_revoked_refresh_tokens_lead_to_one_new_login(fake: FakeAmino) -> None:
    async with in_process(fake) as client:
        await client.login()
        fake.revoke_refresh_tokens()
        fake.expire_access_tokens()
        fake.token_delay = 0.02
        assert len(await _fetch_all(client, fake, 300)) == 300
    assert fake.stats.grants["password"] == 2
    assert fake.stats.token_refusals["refresh_revoked"] == 1


async def test_tokens_only_and_refresh_refused_drops_the_tokens(fake: FakeAmino) -> None:
    async with in_process(fake) as first:
        tokens = await first.login()
    store = MemoryTokenStore()
    async with in_process(fake, username=None, password=None, tokens=tokens, token_store=store) as client:
        key = client.auth.store_key
        await client.channels.streams(fake.channel_id(0))
        fake.revoke_refresh_tokens()
        fake.expire_access_tokens()
        with pytest.raises(AuthenticationError, match="no credentials to log in"):
            await client.channels.streams(fake.channel_id(0))
        assert client.tokens is None
        assert await store.load(key) is None
        calls = fake.stats.calls["access_tokens"]
        with pytest.raises(AuthenticationError):
            await client.channels.streams(fake.channel_id(0))
        assert fake.stats.calls["access_tokens"] == calls  # nothing left to try: no call


@pytest.mark.parametrize(
    "setting", [{"clock_offset": 3 * 3600.0}, {"clock_offset": -3 * 3600.0}, {"zero_lifetime": True}]
)
async def test_server_clock_never_causes_refreshes(fake: FakeAmino, setting: dict[str, object]) -> None:
    for name, value in setting.items():
        setattr(fake, name, value)
    async with in_process(fake) as client:
        for _ in range(3):
            await _fetch_all(client, fake, 100)
        assert fake.stats.grants["refresh_token"] == 0
        # When the server does expire the token, the 401 forces exactly one refresh.
        fake.expire_access_tokens()
        await _fetch_all(client, fake, 100)
    assert fake.stats.grants["refresh_token"] == 1
    assert fake.stats.grants["password"] == 1


async def test_lifetime_shorter_than_the_margin_does_not_refresh_every_request(fake: FakeAmino) -> None:
    fake.access_token_lifetime = 20.0
    async with in_process(fake, refresh_margin=60.0) as client:
        for i in range(100):
            await client.channels.streams(fake.channel_id(i % 50))
    assert fake.stats.calls["access_tokens"] <= 2


async def test_token_revoked_while_thought_valid_replays_after_one_refresh(fake: FakeAmino) -> None:
    async with in_process(fake) as client:
        await client.login()
        fake.expire_access_tokens()
        for i in range(100):
            await client.channels.streams(fake.channel_id(i % 50))
    assert fake.stats.grants["refresh_token"] == 1
    assert fake.stats.unauthorized == 1


async def test_stored_tokens_refused_on_the_replay_lead_to_one_refresh_not_an_error(fake: FakeAmino) -> None:
    # Two processes sharing a store: `late` still holds the first tokens when `early` has stored newer ones,
    # and the server has expired those too by the time `late` picks them up on its replay.
    store = MemoryTokenStore()
    async with in_process(fake, token_store=store) as early, in_process(fake, token_store=store) as late:
        await early.channels.list()
        await late.channels.list()
        fake.expire_access_tokens()
        await early.channels.list()
        fake.expire_access_tokens()
        await late.channels.streams(fake.channel_id(1))
        await early.channels.list()
    assert fake.stats.grants == {"password": 1, "refresh_token": 2}
    assert fake.stats.reuse_detected == 0


async def test_a_401_for_a_fresh_token_is_an_error_not_a_loop(fake: FakeAmino) -> None:
    path = f"/api/v1/channels/{fake.channel_id(3)}/relationships/streams"
    async with in_process(fake) as client:
        await client.login()
        fake.inject(path, status=401, times=None)
        with pytest.raises(AuthenticationError) as info:
            await client.channels.streams(fake.channel_id(3))
    assert info.value.status == 401
    assert fake.stats.calls["channel_streams"] == 2  # the request and its one replay
    assert fake.stats.grants["refresh_token"] == 1


# --- cancellation -----------------------------------------------------------------------------------------


async def test_requests_cancelled_during_a_slow_refresh_lose_nothing(fake: FakeAmino) -> None:
    async with in_process(fake) as client:
        await client.login()
        fake.expire_access_tokens()
        fake.token_delay = 0.5
        with anyio.move_on_after(0.1):
            async with anyio.create_task_group() as tg:
                for i in range(20):
                    tg.start_soon(client.channels.streams, fake.channel_id(i))
        fake.token_delay = 0.0
        refreshes = fake.stats.grants["refresh_token"]
        # The shielded refresh finished and its rotated token was kept: the next request needs no token call.
        await client.channels.streams(fake.channel_id(0))
        assert fake.stats.grants["refresh_token"] == refreshes == 1
        fake.expire_access_tokens()
        await client.channels.streams(fake.channel_id(0))
    assert fake.stats.grants["refresh_token"] == 2
    assert fake.stats.reuse_detected == 0


@pytest.mark.parametrize("anyio_backend", ["asyncio"])
@pytest.mark.parametrize("can_log_in", [True, False], ids=["password", "tokens-only"])
async def test_asyncio_cancelling_the_renewing_request_keeps_the_rotated_tokens(
    fake: FakeAmino, can_log_in: bool
) -> None:
    # asyncio.wait_for (or a web server dropping a request) cancels the task natively, which anyio's shielded
    # scopes do not hold off: the renewal must still finish and its tokens be kept.
    # Over a socket, so that the server finishes the rotation whatever happens to the client's task.
    async with fake.serve() as base_url:
        async with AminoClient(base_url, username=USERNAME, password=PASSWORD) as first:
            tokens = await first.login()
        credentials = {"username": USERNAME, "password": PASSWORD} if can_log_in else {"tokens": tokens}
        async with AminoClient(base_url, **credentials) as client:
            await client.channels.streams(fake.channel_id(0))
            fake.expire_access_tokens()
            fake.token_delay = 0.3
            with pytest.raises(asyncio.TimeoutError):
                await asyncio.wait_for(client.channels.streams(fake.channel_id(1)), timeout=0.05)
            await anyio.sleep(0.4)  # whatever the client did, the server has rotated the refresh token by now
            fake.token_delay = 0.0
            await client.channels.streams(fake.channel_id(2))
    # The rotated tokens were kept: no second login, no second refresh, no reuse of the spent refresh token.
    assert fake.stats.grants["password"] == (2 if can_log_in else 1)
    assert fake.stats.grants["refresh_token"] == 1
    assert fake.stats.reuse_detected == 0


@pytest.mark.parametrize("anyio_backend", ["asyncio"])
async def test_a_waiter_never_inherits_the_cancellation_of_the_task_that_renewed(fake: FakeAmino) -> None:
    async with in_process(fake) as client:
        await client.login()
        fake.expire_access_tokens()
        fake.inject("/api/auth/v1/access_tokens", status=500, delay=0.3, times=None)
        first = asyncio.create_task(client.channels.streams(fake.channel_id(0)))  # renews
        await asyncio.sleep(0.05)
        second = asyncio.create_task(client.channels.streams(fake.channel_id(1)))  # waits, then renews again
        third = asyncio.create_task(client.channels.streams(fake.channel_id(2)))  # waits; nobody cancels it
        await asyncio.sleep(0.05)
        first.cancel()  # a web request timing out, say: its renewal goes on, and fails on its own account
        await asyncio.sleep(0.35)
        second.cancel()  # the same, during the second renewal
        results = await asyncio.gather(first, second, third, return_exceptions=True)
    assert isinstance(results[0], asyncio.CancelledError)
    assert isinstance(results[1], asyncio.CancelledError)
    assert isinstance(results[2], ServerError)  # the renewals' own failure, not another task's cancellation


async def test_a_cancelled_waiter_does_not_block_the_others(fake: FakeAmino) -> None:
    async with in_process(fake) as client:
        await client.login()
        fake.expire_access_tokens()
        fake.token_delay = 0.2
        done: list[int] = []

        async def patient(i: int) -> None:
            done.append(len(await client.channels.streams(fake.channel_id(i))))

        async with anyio.create_task_group() as tg:
            for i in range(10):
                tg.start_soon(patient, i)
            with anyio.move_on_after(0.05):
                await client.channels.streams(fake.channel_id(11))
    assert len(done) == 10
    assert fake.stats.grants["refresh_token"] == 1


async def test_a_token_call_that_times_out_is_reported_and_retried_by_the_next_request(fake: FakeAmino) -> None:
    async with AminoClient(
        BASE_URL,
        transport=httpx.ASGITransport(app=fake),
        username=USERNAME,
        password=PASSWORD,
    ) as client:
        client.auth._token_timeout = 0.1
        fake.token_delay = 1.0
        with pytest.raises(Exception, match="did not finish within"):
            await client.channels.streams(fake.channel_id(0))
        fake.token_delay = 0.0
        assert len(await client.channels.streams(fake.channel_id(0))) > 0


# --- safety -----------------------------------------------------------------------------------------------


async def test_the_bearer_goes_only_to_the_configured_origin(fake: FakeAmino) -> None:
    auth = AminoAuth(BASE_URL, username=USERNAME, password=PASSWORD, transport=httpx.ASGITransport(app=fake))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=fake), auth=auth) as http:
        ours = await http.get(f"{BASE_URL}/api/v1/channels/{fake.channel_id(0)}/relationships/streams")
        theirs = await http.get(f"http://cdn.example/api/v1/channels/{fake.channel_id(0)}/relationships/streams")
        other_port = await http.get(f"http://localhost:8081/api/v1/channels/{fake.channel_id(0)}/relationships/streams")
    await auth.aclose()
    assert ours.status_code == 200
    assert theirs.status_code == other_port.status_code == 401
    assert fake.stats.authorization_headers_seen[("cdn.example", False)] == 1
    assert fake.stats.authorization_headers_seen[("localhost", True)] >= 1


async def test_standalone_auth_in_a_plain_httpx_client(fake: FakeAmino) -> None:
    auth = AminoAuth(BASE_URL, username=USERNAME, password=PASSWORD, transport=httpx.ASGITransport(app=fake))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=fake), auth=auth, base_url=BASE_URL) as http:
        fake.expire_access_tokens()
        response = await http.get("/api/metadata/v1/channels")
        assert response.status_code == 200
        fake.expire_access_tokens()
        assert (await http.get("/api/metadata/v1/channels")).status_code == 200
    await auth.aclose()
    assert fake.stats.grants == {"password": 1, "refresh_token": 1}


def test_a_sync_client_gets_a_clear_error() -> None:
    auth = AminoAuth(BASE_URL, username=USERNAME, password=PASSWORD)
    with httpx.Client(auth=auth) as http, pytest.raises(ConfigurationError, match=r"httpx\.AsyncClient"):
        http.get(f"{BASE_URL}/api/metadata/v1/channels")


@pytest.mark.parametrize("url", ["http://amino.example.com", "http://10.0.0.8", "ftp://localhost"])
def test_credentials_over_plain_http_are_refused(url: str) -> None:
    with pytest.raises(ConfigurationError):
        AminoAuth(url, username=USERNAME, password=PASSWORD)
    with pytest.raises(ConfigurationError):
        AminoClient(url, username=USERNAME, password=PASSWORD)


@pytest.mark.parametrize(
    "url", ["http://localhost:8080", "http://127.0.0.1", "http://[::1]:9000", "https://amino.example.com"]
)
def test_loopback_and_https_are_allowed(url: str) -> None:
    AminoAuth(url, username=USERNAME, password=PASSWORD)


def test_plain_http_can_be_allowed_explicitly() -> None:
    AminoAuth("http://amino.internal", username=USERNAME, password=PASSWORD, allow_insecure_http=True)


@pytest.mark.parametrize(
    "options",
    [
        {},
        {"username": USERNAME},
        {"password": PASSWORD},
        {"cookies": {"amino_session": "x"}},
        {"username": USERNAME, "password": PASSWORD, "login_method": "oauth"},
    ],
)
def test_incomplete_credentials_are_refused(options: dict[str, object]) -> None:
    with pytest.raises(ConfigurationError):
        AminoAuth(BASE_URL, **options)  # type: ignore[arg-type]


async def test_a_debug_log_of_a_whole_session_holds_no_secret(
    fake: FakeAmino, caplog: pytest.LogCaptureFixture
) -> None:
    cookie = fake.create_session(fake.default_user)
    with caplog.at_level(logging.DEBUG):
        async with in_process(fake) as client:
            await _fetch_all(client, fake, 20)
            fake.expire_access_tokens()
            await _fetch_all(client, fake, 20)
            fake.revoke_refresh_tokens()
            fake.expire_access_tokens()
            await _fetch_all(client, fake, 20)
            view = client.with_auth(user_id=USER_ID, cookies={"amino_session": cookie})
            await view.channels.streams(fake.channel_id(0))
            digest = client.with_auth(username=USERNAME, password=PASSWORD, login_method="digest")
            await digest.channels.streams(fake.channel_id(0))
            text = " ".join([repr(client), repr(client.auth), repr(client.tokens), repr(view), str(client.tokens)])
            await client.logout()
    secrets = secrets_of(fake) | {cookie}
    assert len(secrets) > 6
    logged = caplog.text
    assert "refreshed the access token" in logged and "logged in" in logged
    for secret in secrets:
        assert secret not in logged
        assert secret not in text


async def test_tokens_are_saved_before_they_are_used(fake: FakeAmino, tmp_path: object) -> None:
    store = FileTokenStore(f"{tmp_path}/tokens.json")
    async with in_process(fake, token_store=store) as client:
        await client.channels.streams(fake.channel_id(0))
        key = client.auth.store_key
        assert await store.load(key) == client.tokens
        fake.expire_access_tokens()
        await client.channels.streams(fake.channel_id(0))
        assert await store.load(key) == client.tokens
    # A new process starts from the file: no login, and the refresh token it holds is the newest.
    async with in_process(fake, token_store=FileTokenStore(f"{tmp_path}/tokens.json")) as again:
        await again.channels.streams(fake.channel_id(0))
        fake.expire_access_tokens()
        await again.channels.streams(fake.channel_id(0))
    assert fake.stats.grants == {"password": 1, "refresh_token": 2}
    assert fake.stats.reuse_detected == 0


class _FailingSaves(MemoryTokenStore):
    """A token store whose saves (and, with ``reads_fail``, loads) can be made to fail, as a full disk or an
    unreachable store would."""

    failing = False
    reads_fail = False

    async def load(self, key: str) -> Tokens | None:
        if self.failing and self.reads_fail:
            raise OSError("store unreachable")
        return await super().load(key)

    async def save(self, key: str, tokens: Tokens) -> None:
        if self.failing:
            raise OSError("no space left on device")
        await super().save(key, tokens)


@pytest.mark.parametrize("reads_fail", [False, True], ids=["saves-fail", "store-out-once"])
@pytest.mark.parametrize("can_log_in", [True, False], ids=["password", "tokens-only"])
async def test_a_store_that_missed_a_save_never_brings_back_the_spent_refresh_token(
    fake: FakeAmino, can_log_in: bool, reads_fail: bool
) -> None:
    store = _FailingSaves()
    store.reads_fail = reads_fail
    async with in_process(fake) as first:
        tokens = await first.login()
    credentials: dict[str, object] = {} if can_log_in else {"username": None, "password": None, "tokens": tokens}
    async with in_process(fake, token_store=store, **credentials) as client:
        await client.channels.streams(fake.channel_id(0))
        logins = fake.stats.grants["password"]
        store.failing = True
        for round_ in range(3):
            fake.expire_access_tokens()
            assert len(await client.channels.streams(fake.channel_id(round_))) > 0
            # Failing saves go on; a store out altogether is back after one renewal, still holding the old tokens.
            store.failing = not reads_fail
    # Each renewal used the tokens of the one before (kept in memory), not the stale ones in the store.
    assert fake.stats.grants["refresh_token"] == 3
    assert fake.stats.grants["password"] == logins
    assert fake.stats.reuse_detected == 0


async def test_logout_drops_tokens_without_a_call(fake: FakeAmino) -> None:
    store = MemoryTokenStore()
    async with in_process(fake, token_store=store) as client:
        await client.login()
        calls = sum(fake.stats.calls.values())
        await client.logout()
        assert client.tokens is None
        assert await store.load(client.auth.store_key) is None
        assert sum(fake.stats.calls.values()) == calls
        await client.channels.streams(fake.channel_id(0))  # logs in again on demand
    assert fake.stats.grants["password"] == 2


async def test_given_tokens_are_judged_from_when_they_arrived(fake: FakeAmino) -> None:
    fake.access_token_lifetime = 100.0
    async with in_process(fake) as first:
        tokens = await first.login()
    # Received 95 s ago with a 100 s lifetime: 5 s left, inside the 10 s margin, so refreshed before use.
    old = attrs.evolve(tokens, received_at=tokens.received_at - 95)
    async with in_process(fake, username=None, password=None, tokens=old, refresh_margin=10) as client:
        await client.channels.streams(fake.channel_id(0))
    assert fake.stats.grants["refresh_token"] == 1
    assert fake.stats.unauthorized == 0
