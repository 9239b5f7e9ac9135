"""FakeAmino's token endpoints, legacy login and bearer checks, driven with plain httpx."""

from __future__ import annotations

import email.utils
import time
from typing import Any

import anyio
import pytest

from amino_async.testing import FakeAmino, FakeProfile

from ..helpers import httpx

TOKENS = "/api/auth/v1/access_tokens"
CHANNELS = "/api/metadata/v1/channels"
LOGIN = "/api/user/{}/login"


@pytest.fixture
def fake() -> FakeAmino:
    return FakeAmino(channels=10)


def password_body(username: str = "user@example.com", password: str = "secret", **extra: Any) -> dict[str, Any]:
    return {"grant_type": "password", "credentials": {"username": username, "password": password}, **extra}


def refresh_body(refresh_token: str, **extra: Any) -> dict[str, Any]:
    return {"grant_type": "refresh_token", "credentials": {"refresh_token": refresh_token}, **extra}


async def login(client: httpx.AsyncClient, **extra: Any) -> dict[str, Any]:
    response = await client.post(TOKENS, json=password_body(**extra))
    assert response.status_code == 201, response.text
    attributes: dict[str, Any] = response.json()["data"]["attributes"]
    return attributes


async def refresh(client: httpx.AsyncClient, refresh_token: str, **extra: Any) -> httpx.Response:
    return await client.post(TOKENS, json=refresh_body(refresh_token, **extra))


async def get_channels(client: httpx.AsyncClient, access_token: str | None) -> httpx.Response:
    headers = {} if access_token is None else {"Authorization": f"Bearer {access_token}"}
    return await client.get(CHANNELS, headers=headers)


def session(cookie: str) -> dict[str, str]:
    return {"Cookie": f"amino_session={cookie}"}


def assert_entity_error(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status
    (error,) = response.json()["errors"]
    assert set(error) == {"id", "href", "code", "title", "details"}
    assert error["href"] is None
    assert error["code"] == code
    return dict(error)


# --- password grant ---


async def test_password_grant_answers_an_access_token_document(client: httpx.AsyncClient) -> None:
    response = await client.post(TOKENS, json=password_body())

    assert response.status_code == 201
    assert response.headers["cache-control"] == "no-cache, no-store, must-revalidate"
    data = response.json()["data"]
    assert data["type"] == "AccessToken"
    assert len(data["id"]) == 36
    attributes = data["attributes"]
    assert set(attributes) == {
        "login_timestamp",
        "user_id",
        "user_profile_id",
        "user_flags",
        "access_token",
        "expires_at_timestamp",
        "refresh_token",
    }
    assert attributes["user_id"] == "1001"
    assert attributes["user_profile_id"] == "p-1001-default"
    assert attributes["user_flags"] == []
    assert attributes["expires_at_timestamp"] - attributes["login_timestamp"] == 3600
    assert attributes["access_token"] != attributes["refresh_token"]


async def test_legacy_token_shape_is_the_seed_pages_list(fake: FakeAmino, client: httpx.AsyncClient) -> None:
    fake.legacy_token_shape = True

    response = await client.post(TOKENS, json=password_body())

    (resource,) = response.json()["data"]
    assert resource["type"] == "AuthenticationTokens"
    assert resource["attributes"]["user_id"] == 1001


async def test_login_user_profile_picks_the_profile(fake: FakeAmino, client: httpx.AsyncClient) -> None:
    attributes = await login(client, login_user_profile="p-1001-kids")

    assert attributes["user_profile_id"] == "p-1001-kids"
    await get_channels(client, attributes["access_token"])
    assert fake.stats.requests_by_profile == {"p-1001-kids": 1}


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (password_body(password="wrong"), "bad_credentials"),
        (password_body(username="nobody@example.com"), "bad_credentials"),
        (password_body(login_user_profile="p-9999-default"), "unknown_profile"),
        ({"grant_type": "client_credentials", "credentials": {}}, "unsupported_grant"),
        ({"grant_type": "password"}, "bad_request"),
        ([1, 2], "bad_request"),
    ],
)
async def test_refused_token_requests_answer_400_entity_errors(
    fake: FakeAmino, client: httpx.AsyncClient, body: Any, reason: str
) -> None:
    response = await client.post(TOKENS, json=body)

    assert_entity_error(response, 400, "4AUTH01")
    assert fake.stats.token_refusals == {reason: 1}
    assert not fake.stats.grants


async def test_a_body_that_is_not_json_is_refused(fake: FakeAmino, client: httpx.AsyncClient) -> None:
    response = await client.post(TOKENS, content=b"grant_type=password", headers={"content-type": "text/plain"})

    assert_entity_error(response, 400, "4AUTH01")
    assert fake.stats.token_refusals["bad_request"] == 1


async def test_added_users_and_profiles_log_in(fake: FakeAmino, client: httpx.AsyncClient) -> None:
    profiles = [FakeProfile("p-a", "Alice"), FakeProfile("p-b", "Bob", is_default=True)]
    user = fake.add_user("family@example.com", "pw", profiles=profiles)
    plain = fake.add_user("solo@example.com", "pw2")

    assert user.user_id == "1002"
    assert user.default_profile.id == "p-b"
    assert (await login(client, username="family@example.com", password="pw"))["user_profile_id"] == "p-b"
    assert (await login(client, username="solo@example.com", password="pw2"))["user_id"] == plain.user_id
    with pytest.raises(ValueError, match="exists"):
        fake.add_user("solo@example.com", "again")


# --- refresh grant ---


async def test_refresh_rotates_both_tokens(fake: FakeAmino, client: httpx.AsyncClient) -> None:
    first = await login(client)

    response = await refresh(client, first["refresh_token"])

    assert response.status_code == 201
    second = response.json()["data"]["attributes"]
    assert second["access_token"] != first["access_token"]
    assert second["refresh_token"] != first["refresh_token"]
    assert second["user_profile_id"] == first["user_profile_id"]
    assert (await get_channels(client, second["access_token"])).status_code == 200
    assert (await get_channels(client, first["access_token"])).status_code == 200
    assert fake.stats.grants == {"password": 1, "refresh_token": 1}


async def test_refresh_may_switch_to_another_profile_of_the_user(client: httpx.AsyncClient) -> None:
    first = await login(client)

    response = await refresh(client, first["refresh_token"], login_user_profile="p-1001-kids")

    assert response.json()["data"]["attributes"]["user_profile_id"] == "p-1001-kids"


async def test_refresh_with_a_foreign_profile_is_refused_without_burning_the_token(
    fake: FakeAmino, client: httpx.AsyncClient
) -> None:
    first = await login(client)

    refused = await refresh(client, first["refresh_token"], login_user_profile="p-elsewhere")

    assert_entity_error(refused, 400, "4AUTH01")
    assert fake.stats.token_refusals == {"unknown_profile": 1}
    assert (await refresh(client, first["refresh_token"])).status_code == 201


async def test_reusing_a_refresh_token_revokes_the_whole_family(fake: FakeAmino, client: httpx.AsyncClient) -> None:
    first = await login(client)
    other_login = await login(client)
    second = (await refresh(client, first["refresh_token"])).json()["data"]["attributes"]

    reused = await refresh(client, first["refresh_token"])

    assert_entity_error(reused, 400, "4AUTH01")
    assert fake.stats.reuse_detected == 1
    assert fake.stats.token_refusals == {"refresh_reused": 1}
    # Every token descended from that login is dead, the first access token included ...
    for token in (first["access_token"], second["access_token"]):
        response = await get_channels(client, token)
        assert response.status_code == 401
        assert response.json()["errors"][0]["detail"] == "Invalid authorization token: revoked"
    assert (await refresh(client, second["refresh_token"])).status_code == 400
    assert fake.stats.token_refusals["refresh_revoked"] == 1
    # ... and another login of the same user is untouched.
    assert (await get_channels(client, other_login["access_token"])).status_code == 200
    assert (await refresh(client, other_login["refresh_token"])).status_code == 201


async def test_unknown_refresh_token_is_refused(fake: FakeAmino, client: httpx.AsyncClient) -> None:
    response = await refresh(client, "not-a-token")

    assert_entity_error(response, 400, "4AUTH01")
    assert fake.stats.token_refusals == {"refresh_unknown": 1}


async def test_refresh_refusal_status_may_be_401(fake: FakeAmino, client: httpx.AsyncClient) -> None:
    fake.refresh_refusal_status = 401

    response = await refresh(client, "not-a-token")

    assert_entity_error(response, 401, "4AUTH01")
    # Bad credentials stay a 400: the knob is about refresh tokens only.
    assert (await client.post(TOKENS, json=password_body(password="x"))).status_code == 400


async def test_expired_refresh_token_is_refused(fake: FakeAmino, client: httpx.AsyncClient) -> None:
    fake.refresh_token_lifetime = 0.0
    attributes = await login(client)

    response = await refresh(client, attributes["refresh_token"])

    assert response.status_code == 400
    assert fake.stats.token_refusals == {"refresh_expired": 1}


async def test_revoke_refresh_tokens_refuses_old_ones_without_counting_reuse(
    fake: FakeAmino, client: httpx.AsyncClient
) -> None:
    old = await login(client)

    fake.revoke_refresh_tokens()

    assert (await refresh(client, old["refresh_token"])).status_code == 400
    assert fake.stats.token_refusals == {"refresh_revoked": 1}
    assert fake.stats.reuse_detected == 0
    assert (await get_channels(client, old["access_token"])).status_code == 200
    new = await login(client)
    assert (await refresh(client, new["refresh_token"])).status_code == 201


# --- access tokens on data calls ---


async def test_data_calls_without_a_valid_token_get_401(fake: FakeAmino, client: httpx.AsyncClient) -> None:
    secret_looking = "not-issued-by-the-fake"
    answers = [
        await get_channels(client, None),
        await get_channels(client, secret_looking),
        await client.get(CHANNELS, headers={"Authorization": "Basic dXNlcjpzZWNyZXQ="}),
    ]

    for response, reason in zip(answers, ["missing", "unknown", "malformed"], strict=True):
        assert response.status_code == 401
        assert response.headers["www-authenticate"] == "Bearer"
        (error,) = response.json()["errors"]
        assert error["status"] == "401"
        assert error["code"] == "4TOKEN1"
        assert error["title"] == "Unauthorized"
        assert error["detail"] == f"Invalid authorization token: {reason}"
        assert secret_looking not in response.text
    assert fake.stats.unauthorized == 3
    assert not fake.stats.requests_by_user


async def test_expire_access_tokens_expires_only_tokens_issued_so_far(
    fake: FakeAmino, client: httpx.AsyncClient
) -> None:
    old = await login(client)

    fake.expire_access_tokens()

    response = await get_channels(client, old["access_token"])
    assert response.status_code == 401
    assert response.json()["errors"][0]["detail"] == "Invalid authorization token: expired"
    assert (await refresh(client, old["refresh_token"])).status_code == 201
    assert (await get_channels(client, (await login(client))["access_token"])).status_code == 200


async def test_access_tokens_really_expire_after_their_lifetime(fake: FakeAmino, client: httpx.AsyncClient) -> None:
    fake.access_token_lifetime = 0.05
    attributes = await login(client)
    assert (await get_channels(client, attributes["access_token"])).status_code == 200

    await anyio.sleep(0.08)

    assert (await get_channels(client, attributes["access_token"])).status_code == 401


# --- reported times ---


async def test_clock_offset_shifts_every_reported_time(fake: FakeAmino, client: httpx.AsyncClient) -> None:
    plain = await login(client)
    fake.clock_offset = -7200.0

    response = await client.post(TOKENS, json=password_body())

    shifted = response.json()["data"]["attributes"]
    assert plain["login_timestamp"] - shifted["login_timestamp"] in (7200, 7201)
    assert shifted["expires_at_timestamp"] - shifted["login_timestamp"] == 3600
    date = email.utils.parsedate_to_datetime(response.headers["date"]).timestamp()
    assert date == shifted["login_timestamp"]
    # The token still lives its real lifetime.
    assert (await get_channels(client, shifted["access_token"])).status_code == 200


async def test_zero_lifetime_reports_expiry_at_login_but_the_token_lives(
    fake: FakeAmino, client: httpx.AsyncClient
) -> None:
    fake.zero_lifetime = True

    attributes = await login(client)

    assert attributes["expires_at_timestamp"] == attributes["login_timestamp"]
    assert (await get_channels(client, attributes["access_token"])).status_code == 200


async def test_token_delay_delays_token_answers(fake: FakeAmino, client: httpx.AsyncClient) -> None:
    fake.token_delay = 0.05

    started = anyio.current_time()
    await login(client)

    assert anyio.current_time() - started >= 0.05


# --- legacy login: digest and cookie exchange ---


async def test_digest_login_answers_user_stat_and_a_session_cookie(fake: FakeAmino, client: httpx.AsyncClient) -> None:
    response = await client.post(LOGIN.format("user@example.com"), auth=httpx.DigestAuth("user@example.com", "secret"))

    assert response.status_code == 200
    user_stat = response.json()["userStat"]
    assert {k: v for k, v in user_stat.items() if not k.endswith("Token")} == {
        "maxAllowedSession": 1000,
        "currentSession": 1,
        "migrated": False,
        "configuration": 1,
        "premiumUser": False,
        "streamingOver3G": True,
    }
    access_token, expires_at = user_stat["accessToken"]
    refresh_token, refresh_expires_at = user_stat["refreshToken"]
    date = int(email.utils.parsedate_to_datetime(response.headers["date"]).timestamp())
    assert expires_at - date == 3600
    assert refresh_expires_at - date == 30 * 86400
    assert response.headers["set-cookie"].startswith("amino_session=")
    assert response.headers["set-cookie"].endswith("; Path=/; HttpOnly")
    assert (await get_channels(client, access_token)).status_code == 200
    assert (await refresh(client, refresh_token)).status_code == 201
    assert fake.stats.grants == {"digest": 1, "refresh_token": 1}
    # httpx's first, unauthenticated attempt was refused with the challenge.
    assert fake.stats.token_refusals == {"no_session": 1}
    assert fake.stats.calls["login"] == 2


async def test_login_path_may_name_the_numeric_user_id(client: httpx.AsyncClient) -> None:
    response = await client.post(LOGIN.format("1001"), auth=httpx.DigestAuth("user@example.com", "secret"))

    assert response.status_code == 200


async def test_unauthenticated_login_gets_a_digest_challenge(client: httpx.AsyncClient) -> None:
    response = await client.post(LOGIN.format("user@example.com"))

    assert_entity_error(response, 401, "4AUTH02")
    challenge = response.headers["www-authenticate"]
    assert challenge.startswith('Digest realm="user", qop="auth", nonce="')
    assert 'opaque="' in challenge
    assert challenge.endswith("algorithm=MD5")


@pytest.mark.parametrize(
    ("path_user", "username", "password"),
    [
        ("user@example.com", "user@example.com", "wrong"),
        ("user@example.com", "nobody@example.com", "secret"),
        ("someone@example.com", "user@example.com", "secret"),
    ],
)
async def test_bad_digest_logins_are_refused(
    fake: FakeAmino, client: httpx.AsyncClient, path_user: str, username: str, password: str
) -> None:
    fake.add_user("someone@example.com", "theirs")

    response = await client.post(LOGIN.format(path_user), auth=httpx.DigestAuth(username, password))

    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith("Digest ")
    assert fake.stats.token_refusals["bad_digest"] == 1
    assert not fake.stats.grants


async def test_a_forged_nonce_is_refused(fake: FakeAmino, client: httpx.AsyncClient) -> None:
    header = (
        'Digest username="user@example.com", realm="user", nonce="1234.abcd", uri="/api/user/1001/login", '
        'response="00000000000000000000000000000000", qop=auth, nc=00000001, cnonce="x", algorithm=MD5'
    )

    response = await client.post(LOGIN.format("1001"), headers={"Authorization": header})

    assert response.status_code == 401
    assert fake.stats.token_refusals == {"bad_digest": 1}


async def test_session_cookie_exchanges_for_tokens_and_stays_valid(fake: FakeAmino, client: httpx.AsyncClient) -> None:
    await client.post(LOGIN.format("user@example.com"), auth=httpx.DigestAuth("user@example.com", "secret"))

    # httpx kept the session cookie: logging in again without Authorization is the exchange.
    first = await client.post(LOGIN.format("1001"))
    second = await client.post(LOGIN.format("user@example.com"))

    assert first.status_code == second.status_code == 200
    assert "set-cookie" not in first.headers
    tokens = [r.json()["userStat"]["accessToken"][0] for r in (first, second)]
    assert tokens[0] != tokens[1]
    assert fake.stats.grants == {"digest": 1, "cookie": 2}


async def test_create_session_gives_a_cookie_for_the_exchange(fake: FakeAmino, client: httpx.AsyncClient) -> None:
    other = fake.add_user("other@example.com", "pw")
    cookie = fake.create_session()

    ok = await client.post(LOGIN.format("1001"), headers=session(cookie))
    foreign = await client.post(LOGIN.format(other.user_id), headers=session(cookie))

    assert ok.status_code == 200
    assert foreign.status_code == 401
    assert fake.stats.token_refusals == {"no_session": 1}
    other_cookie = fake.create_session("other@example.com")
    assert (await client.post(LOGIN.format(other.user_id), headers=session(other_cookie))).status_code == 200


async def test_expire_sessions_invalidates_every_cookie(fake: FakeAmino, client: httpx.AsyncClient) -> None:
    cookie = fake.create_session(fake.default_user)

    fake.expire_sessions()

    response = await client.post(LOGIN.format("1001"), headers=session(cookie))
    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith("Digest ")
    assert fake.stats.token_refusals == {"no_session": 1}


async def test_legacy_login_honours_zero_lifetime_and_clock_offset(fake: FakeAmino, client: httpx.AsyncClient) -> None:
    fake.zero_lifetime = True
    fake.clock_offset = 1000.0

    response = await client.post(LOGIN.format("1001"), headers=session(fake.create_session()))

    date = int(email.utils.parsedate_to_datetime(response.headers["date"]).timestamp())
    assert response.json()["userStat"]["accessToken"][1] == date
    assert abs(date - (time.time() + 1000)) < 5
