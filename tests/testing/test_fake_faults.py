"""FakeAmino's fault injection, delays, routing errors, header accounting and admin endpoints."""

from __future__ import annotations

import json

import anyio
import pytest

from amino_async.testing import FakeAmino

from ..helpers import httpx

CHANNELS = "/api/metadata/v1/channels"
TOKENS = "/api/auth/v1/access_tokens"
STREAMS = "/api/v1/channels/{}/relationships/streams"
PASSWORD = {"grant_type": "password", "credentials": {"username": "user@example.com", "password": "secret"}}


@pytest.fixture
def fake() -> FakeAmino:
    return FakeAmino(channels=20)


@pytest.fixture
async def authed(client: httpx.AsyncClient) -> httpx.AsyncClient:
    token = (await client.post(TOKENS, json=PASSWORD)).json()["data"]["attributes"]["access_token"]
    client.headers["Authorization"] = f"Bearer {token}"
    return client


# --- faults ---


async def test_a_fault_answers_the_next_requests_then_stops(fake: FakeAmino, authed: httpx.AsyncClient) -> None:
    fault = fake.inject(CHANNELS, times=2, headers={"Retry-After": "1"})

    answers = [await authed.get(CHANNELS) for _ in range(3)]

    assert [r.status_code for r in answers] == [503, 503, 200]
    assert answers[0].headers["retry-after"] == "1"
    (error,) = answers[0].json()["errors"]
    assert (error["status"], error["title"]) == ("503", "Service Unavailable")
    assert fault.hits == 2
    assert not fault.active
    assert fake.faults == ()
    assert fake.stats.faults == {"503": 2}
    # Faulted requests still count as calls of the endpoint.
    assert fake.stats.calls["channels"] == 3


@pytest.mark.parametrize(
    ("kind", "status"),
    [(None, 503), ("html", 502), ("empty", 503), ("malformed", 200), ("truncated", 200)],
)
async def test_every_kind_of_fault_answers_times_requests(
    fake: FakeAmino, authed: httpx.AsyncClient, kind: str | None, status: int
) -> None:
    fault = fake.inject(CHANNELS, times=2, kind=kind)  # type: ignore[arg-type]

    answers = [await authed.get(CHANNELS) for _ in range(3)]

    assert [r.status_code for r in answers] == [status, status, 200]
    assert answers[0].content != answers[2].content
    assert len(answers[2].json()["data"]) == 20
    assert fault.hits == 2
    assert fake.stats.faults == {kind or "503": 2}


async def test_faults_apply_before_authentication(fake: FakeAmino, client: httpx.AsyncClient) -> None:
    fake.inject(CHANNELS, status=429)

    response = await client.get(CHANNELS)

    assert response.status_code == 429
    assert fake.stats.unauthorized == 0


async def test_html_fault_is_a_proxy_page(fake: FakeAmino, client: httpx.AsyncClient) -> None:
    fake.inject(TOKENS, kind="html")

    response = await client.post(TOKENS, json=PASSWORD)

    assert response.status_code == 502
    assert response.headers["content-type"].startswith("text/html")
    assert "<h1>502 Bad Gateway</h1>" in response.text
    assert fake.stats.faults == {"html": 1}


async def test_empty_fault_has_no_body(fake: FakeAmino, client: httpx.AsyncClient) -> None:
    fake.inject(CHANNELS, kind="empty", status=502)

    response = await client.get(CHANNELS)

    assert response.status_code == 502
    assert response.content == b""


async def test_malformed_fault_is_valid_json_of_the_wrong_shape(fake: FakeAmino, authed: httpx.AsyncClient) -> None:
    fake.inject("/api/v1/channels/*/relationships/streams", kind="malformed")
    fake.inject(CHANNELS, kind="malformed")

    streams = await authed.get(STREAMS.format(fake.channel_id(0)))
    channels = await authed.get(CHANNELS)

    assert streams.status_code == channels.status_code == 200
    assert streams.json()["data"][0]["attributes"]["bitrate"] == "fast"
    assert channels.json()["data"] == "channels"


async def test_truncated_fault_is_json_cut_in_the_middle(fake: FakeAmino, authed: httpx.AsyncClient) -> None:
    fake.inject(CHANNELS, kind="truncated")

    response = await authed.get(CHANNELS)

    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert response.text.startswith('{"data":')
    with pytest.raises(json.JSONDecodeError):
        response.json()


async def test_a_401_fault_looks_like_an_expired_token(fake: FakeAmino, authed: httpx.AsyncClient) -> None:
    fake.inject(CHANNELS, status=401)

    response = await authed.get(CHANNELS)

    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"
    assert response.json()["errors"][0]["detail"] == "Invalid authorization token: expired"


async def test_forever_glob_fault_with_a_body_until_cleared(fake: FakeAmino, client: httpx.AsyncClient) -> None:
    fault = fake.inject("/api/*", times=None, status=500, body='{"oops": true}')

    answers = [await client.get(CHANNELS), await client.post(TOKENS, json=PASSWORD), await client.get("/api/x")]

    assert [r.status_code for r in answers] == [500, 500, 500]
    assert answers[0].json() == {"oops": True}
    assert fault.hits == 3
    assert fault.active
    fake.clear_faults()
    assert (await client.post(TOKENS, json=PASSWORD)).status_code == 201


async def test_first_injected_matching_fault_wins(fake: FakeAmino, client: httpx.AsyncClient) -> None:
    first = fake.inject(CHANNELS, status=502)
    second = fake.inject("/api/metadata/*", status=504)

    statuses = [(await client.get(CHANNELS)).status_code for _ in range(2)]

    assert statuses == [502, 504]
    assert (first.hits, second.hits) == (1, 1)


async def test_fault_delay(fake: FakeAmino, client: httpx.AsyncClient) -> None:
    fake.inject(CHANNELS, delay=0.05)

    started = anyio.current_time()
    await client.get(CHANNELS)

    assert anyio.current_time() - started >= 0.05


@pytest.mark.parametrize(
    "arguments",
    [{"kind": "teapot"}, {"times": 0}, {"status": 99}, {"delay": -1.0}],
)
def test_bad_fault_arguments_are_refused(arguments: dict[str, object]) -> None:
    with pytest.raises(ValueError, match=r"kind|times|status|delay"):
        FakeAmino().inject(CHANNELS, **arguments)  # type: ignore[arg-type]


# --- delays and concurrency ---


async def test_data_delay_shows_how_many_requests_run_at_once(fake: FakeAmino, authed: httpx.AsyncClient) -> None:
    fake.data_delay = 0.05
    fake.reset_stats()

    async with anyio.create_task_group() as tg:
        for _ in range(8):
            tg.start_soon(authed.get, CHANNELS)

    assert fake.stats.peak_in_flight == 8
    assert fake.stats.in_flight == 0
    assert fake.stats.requests_by_user == {"1001": 8}
    assert fake.stats.authorized_log.maxlen == 10_000


async def test_tokens_are_checked_after_the_data_delay(fake: FakeAmino, authed: httpx.AsyncClient) -> None:
    fake.data_delay = 0.05
    statuses: list[int] = []

    async def fetch() -> None:
        statuses.append((await authed.get(CHANNELS)).status_code)

    async with anyio.create_task_group() as tg:
        tg.start_soon(fetch)
        await anyio.sleep(0.01)
        fake.expire_access_tokens()

    assert statuses == [401]


# --- routing, headers ---


async def test_unknown_paths_and_methods(client: httpx.AsyncClient) -> None:
    missing = await client.get("/api/v2/nothing")
    wrong_method = await client.get(TOKENS)

    assert missing.status_code == 404
    assert missing.json()["errors"][0]["title"] == "Not found"
    assert wrong_method.status_code == 405
    assert wrong_method.headers["allow"] == "POST"
    assert wrong_method.json()["errors"][0]["code"] == "4INZEX"


async def test_authorization_headers_are_counted_per_host(fake: FakeAmino, authed: httpx.AsyncClient) -> None:
    await authed.get(CHANNELS)
    await authed.get("http://cdn.test/api/v1/anything", headers={"Authorization": ""})
    del authed.headers["Authorization"]
    await authed.get("http://other.test/api/v1/anything")

    assert fake.stats.authorization_headers_seen == {
        ("amino.test", False): 1,  # the login
        ("amino.test", True): 1,
        ("cdn.test", True): 1,
        ("other.test", False): 1,
    }
    assert fake.stats.bearer_seen == 1


async def test_reset_stats_zeroes_every_counter(fake: FakeAmino, authed: httpx.AsyncClient) -> None:
    fake.inject(CHANNELS)
    await authed.get(CHANNELS)
    await authed.get(CHANNELS)

    fake.reset_stats()

    assert fake.stats.as_dict() == {
        "calls": {},
        "grants": {},
        "token_refusals": {},
        "unauthorized": 0,
        "reuse_detected": 0,
        "requests_by_user": {},
        "requests_by_profile": {},
        "authorized_log": [],
        "in_flight": 0,
        "peak_in_flight": 0,
        "faults": {},
        "authorization_headers_seen": {},
        "bearer_seen": 0,
    }


# --- knobs ---


def test_configure_validates_before_setting_anything() -> None:
    fake = FakeAmino()

    fake.configure(data_delay=1, send_next_links=True, channel_count=5)

    assert (fake.data_delay, fake.send_next_links, fake.channel_count) == (1.0, True, 5)
    assert isinstance(fake.data_delay, float)
    with pytest.raises(TypeError, match="bool"):
        fake.configure(token_delay=0.5, zero_lifetime="yes")
    with pytest.raises(ValueError, match="unknown knob"):
        fake.configure(speed=11)
    with pytest.raises(ValueError, match="400 or 401"):
        fake.configure(refresh_refusal_status=500)
    assert fake.token_delay == 0.0


# --- admin endpoints ---


async def test_admin_endpoints_are_neither_authenticated_nor_counted(
    fake: FakeAmino, authed: httpx.AsyncClient
) -> None:
    await authed.get(CHANNELS)

    stats = (await authed.get("/_fake/stats")).json()

    assert stats["calls"] == {"access_tokens": 1, "channels": 1}
    assert stats["authorized_log"] == [["1001", "p-1001-default", "GET", CHANNELS]]
    assert stats["authorization_headers_seen"] == {"amino.test": {"with": 1, "without": 1}}
    assert (await authed.post("/_fake/reset_stats")).status_code == 204
    assert (await authed.get("/_fake/stats")).json()["calls"] == {}
    assert fake.stats.calls == {}


async def test_admin_token_knobs(fake: FakeAmino, client: httpx.AsyncClient) -> None:
    attributes = (await client.post(TOKENS, json=PASSWORD)).json()["data"]["attributes"]
    bearer = {"Authorization": f"Bearer {attributes['access_token']}"}
    refresh = {"grant_type": "refresh_token", "credentials": {"refresh_token": attributes["refresh_token"]}}

    assert (await client.post("/_fake/expire_access_tokens")).status_code == 204
    assert (await client.post("/_fake/revoke_refresh_tokens")).status_code == 204

    assert (await client.get(CHANNELS, headers=bearer)).status_code == 401
    assert (await client.post(TOKENS, json=refresh)).status_code == 400
    assert fake.stats.token_refusals == {"refresh_revoked": 1}


async def test_admin_sessions(fake: FakeAmino, client: httpx.AsyncClient) -> None:
    created = await client.post("/_fake/sessions", json={"user": "1001"})
    cookie = {"Cookie": f"amino_session={created.json()['value']}"}

    assert created.status_code == 201
    assert (await client.post("/api/user/1001/login", headers=cookie)).status_code == 200
    assert (await client.post("/_fake/expire_sessions")).status_code == 204
    assert (await client.post("/api/user/1001/login", headers=cookie)).status_code == 401
    assert (await client.post("/_fake/sessions", json={"user": "nobody"})).status_code == 400


async def test_admin_config(fake: FakeAmino, client: httpx.AsyncClient) -> None:
    response = await client.post("/_fake/config", json={"channel_count": 3, "legacy_token_shape": True})

    assert response.status_code == 200
    assert response.json()["channel_count"] == 3
    assert fake.legacy_token_shape is True
    assert (await client.get("/_fake/config")).json() == fake.knobs()
    for bad in ({"channel_count": "many"}, {"nope": 1}, ["channel_count"]):
        refused = await client.post("/_fake/config", json=bad)
        assert refused.status_code == 400
        assert refused.json()["error"]
    assert (await client.post("/_fake/config", content=b"{")).status_code == 400
    assert fake.channel_count == 3


async def test_admin_inject_faults_and_clear(fake: FakeAmino, client: httpx.AsyncClient) -> None:
    arguments = {"path": CHANNELS, "times": 2, "status": 429, "headers": {"Retry-After": "2"}, "body": {"x": 1}}
    injected = await client.post("/_fake/inject", json=arguments)

    assert injected.status_code == 201
    assert injected.json() == {"path": CHANNELS, "remaining": 2, "status": 429, "kind": None, "delay": 0.0, "hits": 0}
    faulted = await client.get(CHANNELS)
    assert (faulted.status_code, faulted.headers["retry-after"], faulted.json()) == (429, "2", {"x": 1})
    assert (await client.get("/_fake/faults")).json()[0]["hits"] == 1
    assert (await client.post("/_fake/clear_faults")).status_code == 204
    assert (await client.get("/_fake/faults")).json() == []
    for bad in ({"times": 1}, {"path": "/x", "kind": "teapot"}, {"path": "/x", "times": "2"}, {"path": "/x", "y": 1}):
        assert (await client.post("/_fake/inject", json=bad)).status_code == 400
