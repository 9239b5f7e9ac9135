"""AminoClient and its resources against the fake server: parameters, pages, errors, retries, views, bulk."""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from email.utils import formatdate
from typing import Any

import anyio
import anyio.lowlevel
import pytest

from amino_async import (
    AminoClient,
    AminoError,
    ApiError,
    AuthenticationError,
    BadRequestError,
    Channel,
    ConfigurationError,
    DecodeError,
    Genre,
    MemoryTokenStore,
    NotFoundError,
    PermissionDeniedError,
    Product,
    RateLimitError,
    RetryPolicy,
    ServerError,
    Stream,
    TimeoutError,
    TransportError,
    UnavailableForLegalReasonsError,
)
from amino_async.resources._bulk import bulk_map
from amino_async.testing import FakeAmino

from .helpers import BASE_URL, PASSWORD, USER_ID, USERNAME, Recorder, httpx, in_process

FAST_RETRY = RetryPolicy(max_retries=2, initial_delay=0.01, max_delay=0.05)


@pytest.fixture
def fake() -> FakeAmino:
    return FakeAmino(channels=250)


def streams_path(fake: FakeAmino, index: int) -> str:
    return f"/api/v1/channels/{fake.channel_id(index)}/relationships/streams"


# --- lifecycle and identity -------------------------------------------------------------------------------


async def test_user_agent_names_the_sdk_and_its_version(fake: FakeAmino) -> None:
    recorder = Recorder(fake)
    async with AminoClient(
        BASE_URL, transport=httpx.ASGITransport(app=recorder), username=USERNAME, password=PASSWORD
    ) as c:
        await c.channels.list()
    agents = {e.headers["user-agent"] for e in recorder.exchanges}
    assert len(agents) == 1
    (agent,) = agents
    from amino_async import __version__

    assert agent.startswith(f"amino-async/{__version__}")


async def test_an_injected_http_client_is_used_and_never_closed(fake: FakeAmino) -> None:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=fake)) as http:
        async with AminoClient(BASE_URL, http_client=http, username=USERNAME, password=PASSWORD) as client:
            await client.channels.list()
        assert not http.is_closed
        assert (await http.get(f"{BASE_URL}/api/metadata/v1/channels")).status_code == 401
    assert fake.stats.grants["password"] == 1


async def test_a_closed_client_refuses_calls(fake: FakeAmino) -> None:
    client = in_process(fake)
    await client.aclose()
    await client.aclose()  # twice is fine
    with pytest.raises(AminoError, match="closed"):
        await client.channels.list()


async def test_transport_and_http_client_together_are_refused() -> None:
    async with httpx.AsyncClient() as http:
        with pytest.raises(ConfigurationError):
            AminoClient(
                BASE_URL, username=USERNAME, password=PASSWORD, http_client=http, transport=httpx.AsyncHTTPTransport()
            )


# --- channels ---------------------------------------------------------------------------------------------


async def test_list_returns_a_page_with_included_resources_resolved(fake: FakeAmino) -> None:
    async with in_process(fake) as client:
        page = await client.channels.list()
    assert page.number == 1 and len(page) == 100 and page.has_next
    assert all(isinstance(channel, Channel) for channel in page)
    assert {"play", "start_over"} <= set(page.links)
    assert any(isinstance(v, Genre) for v in page.included.values())
    assert any(isinstance(v, Product) for v in page.included.values())
    with_genres = [c for c in page.items if c.genres]
    assert with_genres and all(isinstance(g, Genre) and g.name for c in with_genres for g in c.genres)
    assert any(c.products for c in page.items)
    numbers = [c.logical_channel_number for c in page.items]
    assert numbers == sorted(numbers)


async def test_list_parameters_reach_the_server(fake: FakeAmino) -> None:
    recorder = Recorder(fake)
    async with AminoClient(
        BASE_URL, transport=httpx.ASGITransport(app=recorder), username=USERNAME, password=PASSWORD
    ) as c:
        descending = await c.channels.list(page_number=2, sort="-logical_channel_number", language="fin")
        sports = await c.channels.list(filter="genre.name:Sports")
    queries = [e.query for e in recorder.exchanges if e.path.endswith("/channels")]
    assert (
        "page_number=2" in queries[0] and "sort=-logical_channel_number" in queries[0] and "language=fin" in queries[0]
    )
    numbers = [ch.logical_channel_number or 0 for ch in descending.items]
    assert numbers == sorted(numbers, reverse=True)
    assert descending.number == 2
    assert all(img.language == "fin" for ch in descending.items for img in ch.images)
    assert sports.items and all(any(g.name == "Sports" for g in ch.genres) for ch in sports.items)


async def test_bad_list_parameters_are_a_bad_request_never_retried(fake: FakeAmino) -> None:
    async with in_process(fake) as client:
        with pytest.raises(BadRequestError) as info:
            await client.channels.list(sort="name")
    assert info.value.status == 400
    assert info.value.errors and info.value.detail
    assert fake.stats.calls["channels"] == 1


async def test_pagination_over_250_channels_stops_at_the_short_page(fake: FakeAmino) -> None:
    async with in_process(fake) as client:
        ids = [channel.id async for channel in client.channels.iterate()]
    assert len(ids) == len(set(ids)) == 250
    assert ids == [fake.channel_id(i) for i in range(250)]
    assert fake.stats.calls["channels"] == 3


async def test_pagination_over_ten_thousand_channels(fake: FakeAmino) -> None:
    fake.channel_count = 10_000
    async with in_process(fake) as client:
        count = 0
        seen: set[str] = set()
        async for channel in client.channels.iterate():
            count += 1
            seen.add(channel.id)
    assert count == len(seen) == 10_000
    # 100 full pages, then one empty page proves the end (no next link, no total in the answers).
    assert fake.stats.calls["channels"] == 101


async def test_pagination_follows_next_links_where_sent(fake: FakeAmino) -> None:
    fake.channel_count = 300
    fake.send_next_links = True
    async with in_process(fake) as client:
        page = await client.channels.list(sort="-logical_channel_number")
        numbers: list[int] = []
        while page is not None:
            numbers.extend(c.logical_channel_number or 0 for c in page.items)
            page = await page.next_page()
    assert len(numbers) == 300 and numbers == sorted(numbers, reverse=True)
    assert fake.stats.calls["channels"] == 3  # the last page has no next link: no empty fetch


# --- streams ----------------------------------------------------------------------------------------------


async def test_channel_streams_with_every_option(fake: FakeAmino) -> None:
    recorder = Recorder(fake)
    async with AminoClient(
        BASE_URL, transport=httpx.ASGITransport(app=recorder), username=USERNAME, password=PASSWORD
    ) as c:
        default = await c.channels.streams(fake.channel_id(0))
        dash = await c.channels.streams(
            fake.channel_id(0),
            stream_type="dash",
            drm_system="widevine",
            device_class="smarttv",
            restart_at_beginning=True,
            network="fibre",
        )
    assert default and all(isinstance(s, Stream) for s in default)
    ids = Counter(s.id for s in default)
    assert max(ids.values()) >= 2  # streams sharing an id are all kept
    assert all(json.loads(s.id) for s in default)  # ids are JSON text
    assert all("dash" in s.streaming_protocols for s in dash)
    assert any(k.type == "widevine" for s in dash for k in s.protection_keys)
    query = recorder.last().query
    for part in (
        "streamType=dash",
        "drmSystem=widevine",
        "device_class=smarttv",
        "restart_at_beginning=true",
        "network=fibre",
    ):
        assert part in query


async def test_invalid_stream_options_are_a_bad_request(fake: FakeAmino) -> None:
    async with in_process(fake) as client:
        with pytest.raises(BadRequestError):
            await client.channels.streams(fake.channel_id(0), stream_type="flv")  # type: ignore[arg-type]
    assert fake.stats.calls["channel_streams"] == 1


async def test_unknown_channel_is_not_found_never_retried(fake: FakeAmino) -> None:
    async with in_process(fake) as client:
        with pytest.raises(NotFoundError) as info:
            await client.channels.streams("no-such-channel")
    assert info.value.status == 404
    assert info.value.errors[0].detail and "not found" in info.value.errors[0].detail.lower()
    assert fake.stats.calls["channel_streams"] == 1


async def test_opaque_ids_are_sent_as_one_path_segment(fake: FakeAmino) -> None:
    recorder = Recorder(fake)
    async with AminoClient(
        BASE_URL, transport=httpx.ASGITransport(app=recorder), username=USERNAME, password=PASSWORD
    ) as c:
        with pytest.raises(NotFoundError):
            await c.channels.streams('{"a":"b/c?d#e"}')
    assert recorder.last().path == '/api/v1/channels/{"a":"b/c?d#e"}/relationships/streams'


async def test_catchup_and_recording_streams(fake: FakeAmino) -> None:
    recorder = Recorder(fake)
    async with AminoClient(
        BASE_URL, transport=httpx.ASGITransport(app=recorder), username=USERNAME, password=PASSWORD
    ) as c:
        catchup = await c.streams.catchup(
            fake.broadcast_slot_id(0),
            stream_type="hls",
            suggested_start_time=450,
            autoplay="catchup",
            device_class="mobile",
        )
        catchup_query = recorder.last().query
        recording = await c.streams.recording(
            fake.recording_id(0), stream_type="dash", drm_system="playready", suggested_start_time=10
        )
        recording_query = recorder.last().query
        with pytest.raises(NotFoundError):
            await c.streams.catchup("missing")
        with pytest.raises(NotFoundError, match="not found"):
            await c.streams.recording("missing")
    assert catchup and recording
    assert "stream_type=hls" in catchup_query and "suggested_start_time=450" in catchup_query
    assert "autoplay=catchup" in catchup_query and "device_class=mobile" in catchup_query
    assert "streamType=dash" in recording_query and "drmSystem=playready" in recording_query
    assert fake.stats.calls["catchup_streams"] == 2 and fake.stats.calls["recording_streams"] == 2


async def test_profiles_and_switching_profile(fake: FakeAmino) -> None:
    async with in_process(fake) as client:
        profiles = await client.profiles.list()
        assert {p.id for p in profiles} == {"p-1001-default", "p-1001-kids"}
        kids = next(p for p in profiles if p.is_child_profile)
        view = client.with_auth(profile_id=kids.id)
        await view.channels.streams(fake.channel_id(0))
        assert view.tokens is not None and view.tokens.profile_id == kids.id
        assert client.tokens is not None and client.tokens.profile_id == "p-1001-default"
        with pytest.raises(PermissionDeniedError):
            await client.profiles.list(user_id="9999")
    assert fake.stats.requests_by_profile[kids.id] == 1


# --- errors -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "error_class"),
    [
        (400, BadRequestError),
        (403, PermissionDeniedError),
        (404, NotFoundError),
        (409, ApiError),
        (429, RateLimitError),
        (451, UnavailableForLegalReasonsError),
        (500, ServerError),
        (502, ServerError),
        (503, ServerError),
    ],
)
async def test_each_status_maps_to_its_error(fake: FakeAmino, status: int, error_class: type[ApiError]) -> None:
    fake.inject(streams_path(fake, 1), status=status, times=None)
    async with in_process(fake, retry=FAST_RETRY) as client:
        with pytest.raises(error_class) as info:
            await client.channels.streams(fake.channel_id(1))
    error = info.value
    assert type(error) is error_class
    assert error.status == status
    assert error.errors and error.errors[0].title
    assert str(status) in str(error)


@pytest.mark.parametrize(
    "body",
    [
        {"errors": [{"id": "e1", "href": None, "code": "4X", "title": "Bad", "details": "from details"}]},
        {"errors": [{"id": "e1", "status": "400", "code": "4X", "title": "Bad", "detail": "from details"}]},
    ],
)
async def test_both_error_variants_give_the_detail(fake: FakeAmino, body: dict[str, Any]) -> None:
    fake.inject(streams_path(fake, 1), status=400, body=json.dumps(body))
    async with in_process(fake) as client:
        with pytest.raises(BadRequestError, match="from details") as info:
            await client.channels.streams(fake.channel_id(1))
    assert info.value.request_id == "e1"
    assert info.value.detail == "from details"


@pytest.mark.parametrize(
    ("kind", "status", "error_class"),
    [("html", 502, ServerError), ("empty", 503, ServerError), ("html", 404, NotFoundError)],
)
async def test_bodies_that_are_not_json_still_give_the_right_error(
    fake: FakeAmino, kind: str, status: int, error_class: type[ApiError]
) -> None:
    fake.inject(streams_path(fake, 1), kind=kind, status=status, times=None)  # type: ignore[arg-type]
    async with in_process(fake, max_retries=0) as client:
        with pytest.raises(error_class) as info:
            await client.channels.streams(fake.channel_id(1))
    assert info.value.status == status and info.value.errors == ()


@pytest.mark.parametrize("kind", ["malformed", "truncated"])
async def test_a_2xx_of_the_wrong_shape_is_a_decode_error(fake: FakeAmino, kind: str) -> None:
    fake.inject(streams_path(fake, 1), kind=kind)  # type: ignore[arg-type]
    async with in_process(fake) as client:
        with pytest.raises(DecodeError):
            await client.channels.streams(fake.channel_id(1))


# --- retries ----------------------------------------------------------------------------------------------


async def test_503s_are_retried_until_success(fake: FakeAmino) -> None:
    fake.inject(streams_path(fake, 1), status=503, times=2)
    async with in_process(fake, retry=FAST_RETRY) as client:
        assert await client.channels.streams(fake.channel_id(1))
        assert client.retries == 2
    assert fake.stats.calls["channel_streams"] == 3


@pytest.mark.parametrize("status", [429, 502, 503, 504])
async def test_retries_stop_at_max_retries(fake: FakeAmino, status: int) -> None:
    fake.inject(streams_path(fake, 1), status=status, times=None)
    async with in_process(fake, retry=FAST_RETRY) as client:
        with pytest.raises(ApiError) as info:
            await client.channels.streams(fake.channel_id(1))
        assert info.value.status == status
        with pytest.raises(ApiError):
            await client.channels.streams(fake.channel_id(1), max_retries=0)
    assert fake.stats.calls["channel_streams"] == 3 + 1


@pytest.mark.parametrize("status", [400, 404, 403, 500])
async def test_other_errors_are_never_retried(fake: FakeAmino, status: int) -> None:
    fake.inject(streams_path(fake, 1), status=status, times=None)
    async with in_process(fake, retry=FAST_RETRY) as client:
        with pytest.raises(ApiError):
            await client.channels.streams(fake.channel_id(1))
    assert fake.stats.calls["channel_streams"] == 1


async def test_retry_after_in_seconds_is_honoured(fake: FakeAmino) -> None:
    fake.inject(streams_path(fake, 1), status=429, headers={"Retry-After": "1"})
    async with in_process(fake, retry=FAST_RETRY) as client:
        started = time.monotonic()
        await client.channels.streams(fake.channel_id(1))
        assert time.monotonic() - started >= 0.95


async def test_retry_after_as_an_http_date_is_honoured(fake: FakeAmino) -> None:
    fake.inject(streams_path(fake, 1), status=503, headers={"Retry-After": formatdate(time.time() + 2, usegmt=True)})
    async with in_process(fake, retry=FAST_RETRY) as client:
        started = time.monotonic()
        await client.channels.streams(fake.channel_id(1))
        assert time.monotonic() - started >= 0.9  # the date has one-second resolution


async def test_a_retry_after_beyond_the_cap_is_raised_at_once(fake: FakeAmino) -> None:
    fake.inject(streams_path(fake, 1), status=429, headers={"Retry-After": "3600"})
    async with in_process(fake, retry=FAST_RETRY) as client:
        with pytest.raises(RateLimitError) as info:
            await client.channels.streams(fake.channel_id(1))
    assert info.value.retry_after == 3600
    assert fake.stats.calls["channel_streams"] == 1


async def test_connection_refused_is_a_transport_error_after_retries() -> None:
    with anyio.CancelScope():
        listener = await anyio.create_tcp_listener(local_host="127.0.0.1")
        port = listener.extra(anyio.abc.SocketAttribute.local_port)
        await listener.aclose()  # nothing listens here any more
    async with AminoClient(
        f"http://127.0.0.1:{port}", username=USERNAME, password=PASSWORD, retry=FAST_RETRY
    ) as client:
        with pytest.raises(TransportError, match="ConnectError"):
            await client.channels.list()


async def test_slow_answers_time_out(fake: FakeAmino) -> None:
    fake.data_delay = 1.0
    async with (
        fake.serve() as base_url,
        AminoClient(base_url, username=USERNAME, password=PASSWORD, timeout=0.2, max_retries=1) as client,
    ):
        with pytest.raises(TimeoutError, match="timed out"):
            await client.channels.list()
    assert fake.stats.calls["channels"] == 2


# --- views ------------------------------------------------------------------------------------------------


async def test_views_carry_their_own_users_tokens_over_one_pool(fake: FakeAmino) -> None:
    bob = fake.add_user("bob@example.com", "bob-pw")
    carol = fake.add_user("carol@example.com", "carol-pw")
    carol_cookie = fake.create_session(carol)
    async with fake.serve() as base_url, AminoClient(base_url, username=USERNAME, password=PASSWORD) as client:
        as_bob = client.with_auth(username="bob@example.com", password="bob-pw")
        as_carol = client.with_auth(user_id=carol.user_id, cookies={"amino_session": carol_cookie})
        async with anyio.create_task_group() as tg:
            for i in range(30):
                tg.start_soon(client.channels.streams, fake.channel_id(i))
                tg.start_soon(as_bob.channels.streams, fake.channel_id(i))
                tg.start_soon(as_carol.channels.streams, fake.channel_id(i))
        assert as_bob.http_client is client.http_client is as_carol.http_client
        await as_bob.aclose()
        await client.channels.list()  # closing a view closed nothing shared
    assert fake.stats.requests_by_user[USER_ID] == 31
    assert fake.stats.requests_by_user[bob.user_id] == 30
    assert fake.stats.requests_by_user[carol.user_id] == 30
    assert fake.stats.grants == {"password": 2, "cookie": 1}


async def test_a_view_per_request_logs_in_once_per_user(fake: FakeAmino) -> None:
    async with in_process(fake) as client:
        for i in range(200):
            view = client.with_auth(username=USERNAME, password=PASSWORD)
            await view.channels.streams(fake.channel_id(i % 250))
            await view.aclose()
    assert fake.stats.grants["password"] == 1


async def test_a_view_with_a_wrong_secret_never_gets_the_tokens_of_a_logged_in_user(fake: FakeAmino) -> None:
    bob = fake.add_user("bob@example.com", "bob-pw")
    bob_cookie = fake.create_session(bob)
    async with in_process(fake) as client:
        await client.with_auth(username="bob@example.com", password="bob-pw").channels.list()
        await client.with_auth(user_id=bob.user_id, cookies={"amino_session": bob_cookie}).channels.list()
        served = fake.stats.requests_by_user[bob.user_id]
        with pytest.raises(AuthenticationError):
            await client.with_auth(username="bob@example.com", password="guess").channels.list()
        with pytest.raises(AuthenticationError):
            await client.with_auth(user_id=bob.user_id, cookies={"amino_session": "forged"}).channels.list()
        with pytest.raises(AuthenticationError):
            await client.with_auth(profile_id=bob.default_profile.id, user_id=bob.user_id).channels.list()
    assert fake.stats.requests_by_user[bob.user_id] == served


async def test_processes_with_the_same_password_share_one_login_through_the_store(fake: FakeAmino) -> None:
    store = MemoryTokenStore()
    for _ in range(3):
        async with in_process(fake, token_store=store) as client:
            await client.channels.list()
    assert fake.stats.grants["password"] == 1
    async with in_process(fake, token_store=store, password="not-the-password") as client:
        with pytest.raises(AuthenticationError):
            await client.channels.list()
    assert fake.stats.grants["password"] == 1


async def test_a_view_with_tokens_only(fake: FakeAmino) -> None:
    async with in_process(fake) as client:
        tokens = await client.login()
        view = client.with_auth(tokens=tokens)
        await view.channels.streams(fake.channel_id(0))
        assert view.tokens is tokens
    with pytest.raises(ConfigurationError):
        client.with_auth()


# --- bulk -------------------------------------------------------------------------------------------------


async def test_streams_many_returns_every_channel_once_within_the_bound(fake: FakeAmino) -> None:
    fake.channel_count = 10_000
    fake.data_delay = 0.001
    failing = {fake.channel_id(i) for i in range(0, 10_000, 997)}
    for channel_id in failing:
        fake.inject(f"/api/v1/channels/{channel_id}/relationships/streams", status=404, times=None)
    async with in_process(fake) as client:
        seen: Counter[str] = Counter()
        errors: dict[str, AminoError] = {}
        async for result in client.channels.streams_many((fake.channel_id(i) for i in range(10_000)), concurrency=50):
            seen[result.channel_id] += 1
            if result.error is not None:
                errors[result.channel_id] = result.error
            else:
                assert result.ok and result.streams
    assert len(seen) == 10_000 and set(seen.values()) == {1}
    assert set(errors) == failing
    assert all(isinstance(e, NotFoundError) for e in errors.values())
    assert 1 < fake.stats.peak_in_flight <= 50


async def test_streams_many_reads_ids_lazily(fake: FakeAmino) -> None:
    consumed = 0

    def ids() -> Iterator[str]:
        nonlocal consumed
        for i in range(10_000):
            consumed += 1
            yield fake.channel_id(i % 250)

    async with in_process(fake) as client:
        results = client.channels.streams_many(ids(), concurrency=8)
        first = await anext(results)
        assert first.ok
        assert consumed <= 8 * 3  # not 10,000 tasks up front
        await results.aclose()
    assert consumed < 100


async def test_streams_many_starts_no_more_workers_than_it_has_ids() -> None:
    # A concurrency far above the number of ids (a CLI flag, a config value) must not start idle tasks.
    tasks_seen: list[int] = []

    async def fetch(i: int) -> int:
        tasks_seen.append(len(anyio.get_running_tasks()))
        await anyio.lowlevel.checkpoint()
        return i

    before = len(anyio.get_running_tasks())
    async with contextlib.aclosing(bulk_map(fetch, range(5), concurrency=100_000)) as results:
        assert sorted([result async for result in results]) == [0, 1, 2, 3, 4]
    assert max(tasks_seen) - before <= 6


async def test_streams_many_from_an_async_iterable(fake: FakeAmino) -> None:
    async def ids() -> AsyncIterator[str]:
        for i in range(120):
            await anyio.lowlevel.checkpoint()
            yield fake.channel_id(i)

    async with in_process(fake) as client:
        got = [r.channel_id async for r in client.channels.streams_many(ids(), concurrency=7)]
    assert sorted(got) == sorted(fake.channel_id(i) for i in range(120))


async def test_streams_many_stopped_early_cancels_its_workers(fake: FakeAmino) -> None:
    fake.data_delay = 0.05
    async with in_process(fake) as client:
        results = client.channels.streams_many([fake.channel_id(i) for i in range(250)], concurrency=10)
        async for _ in results:
            break
        await results.aclose()
        calls = fake.stats.calls["channel_streams"]
        await anyio.sleep(0.2)
        assert fake.stats.calls["channel_streams"] == calls
        assert fake.stats.in_flight == 0


@pytest.mark.parametrize("anyio_backend", ["asyncio"])
async def test_streams_many_cancelled_by_asyncio_raises_the_cancellation(fake: FakeAmino) -> None:
    # asyncio's wait_for and timeout cancel the consuming task alone, not the workers under it. The fetch
    # takes at least 13 rounds of 50 ms, so every timeout below lands mid-iteration, at a different point.
    fake.data_delay = 0.05
    ids = [fake.channel_id(i) for i in range(250)]
    async with in_process(fake) as client:

        async def consume() -> None:
            async with contextlib.aclosing(client.channels.streams_many(ids, concurrency=20)) as results:
                async for _ in results:
                    await asyncio.sleep(0)

        for attempt in range(20):
            with pytest.raises(asyncio.TimeoutError):
                await asyncio.wait_for(consume(), timeout=0.01 + attempt * 0.003)
        await anyio.sleep(0.05)
        assert fake.stats.in_flight == 0
        assert len(await client.channels.streams(ids[0])) > 0


async def test_streams_many_reports_auth_failures_per_channel(fake: FakeAmino) -> None:
    async with in_process(fake, password="wrong") as client:
        results = [r async for r in client.channels.streams_many([fake.channel_id(i) for i in range(20)])]
    assert len(results) == 20
    assert all(isinstance(r.error, AuthenticationError) for r in results)
    assert fake.stats.calls["access_tokens"] == 1


# --- escape hatch -----------------------------------------------------------------------------------------


async def test_request_returns_the_document_and_request_raw_the_response(fake: FakeAmino) -> None:
    async with in_process(fake) as client:
        document = await client.request("GET", "/channels", family="metadata", params={"page_number": 3})
        assert len(document.resources) == 50 and document.resources[0].type == "Channel"
        assert document.included and document.get_included(document.included[0].type, document.included[0].id)
        raw = await client.request_raw("GET", f"/users/{USER_ID}/user_profiles", family="users")
        assert raw.status_code == 200 and raw.json()["data"]
        with pytest.raises(NotFoundError):
            await client.request("GET", "/nothing/here")


# --- raw answers and per-call options ----------------------------------------------------------------------


async def test_a_typed_calls_http_response_and_request_id_beside_its_models(fake: FakeAmino) -> None:
    async with in_process(fake) as client:
        raw = await client.channels.with_raw_response.streams(fake.channel_id(0))
        page = await client.channels.with_raw_response.list(page_number=2)
    assert raw.parsed and all(isinstance(stream, Stream) for stream in raw.parsed)
    assert raw.http_response.status_code == 200
    assert raw.http_response.json()["data"]
    assert raw.request_id and raw.request_id == raw.headers["x-request-id"]
    assert page.parsed.number == 2 and len(page.http_responses) == 1


async def test_raw_responses_are_kept_apart_between_concurrent_calls(fake: FakeAmino) -> None:
    async with in_process(fake) as client:
        results: dict[int, Any] = {}

        async def fetch(i: int) -> None:
            results[i] = await client.channels.with_raw_response.streams(fake.channel_id(i))

        async with anyio.create_task_group() as tg:
            for i in range(10):
                tg.start_soon(fetch, i)
    for i, raw in results.items():
        assert len(raw.http_responses) == 1
        assert fake.channel_id(i) in str(raw.http_response.request.url)


async def test_with_options_sets_timeout_retries_and_headers_for_its_calls_only(fake: FakeAmino) -> None:
    recorder = Recorder(fake)
    async with AminoClient(
        BASE_URL, transport=httpx.ASGITransport(app=recorder), username=USERNAME, password=PASSWORD, retry=FAST_RETRY
    ) as client:
        tagged = client.with_options(headers={"X-Trace": "abc"}, max_retries=0)
        fake.inject(streams_path(fake, 0), status=503, times=1)
        with pytest.raises(ServerError):
            await tagged.channels.streams(fake.channel_id(0))
        await client.channels.streams(fake.channel_id(0))  # the client's own: no header, retries as before
    data_calls = [e.headers for e in recorder.exchanges if e.path.endswith("/relationships/streams")]
    assert data_calls[0].get("x-trace") == "abc"
    assert "x-trace" not in data_calls[-1]
    assert fake.stats.faults["503"] == 1
