"""FakeAmino's users area driven with plain httpx: statuses, shapes, bearer rules and the state it keeps."""

from __future__ import annotations

from typing import Any

import attrs
import httpx
import pytest

from amino_async.testing import FakeAmino, FakeProfile

TOKENS = "/api/auth/v1/access_tokens"
V1 = "/api/users/v1"
V2 = "/api/users/v2"


@pytest.fixture
def fake() -> FakeAmino:
    return FakeAmino(channels=10)


async def bearer(client: httpx.AsyncClient, **extra: Any) -> dict[str, str]:
    body = {"grant_type": "password", "credentials": {"username": "user@example.com", "password": "secret"}, **extra}
    response = await client.post(TOKENS, json=body)
    assert response.status_code == 201, response.text
    return {"Authorization": f"Bearer {response.json()['data']['attributes']['access_token']}"}


def one_error(response: httpx.Response, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    (error,) = response.json()["errors"]
    return dict(error)


async def test_every_data_route_wants_a_bearer_and_the_reset_pair_does_not(
    fake: FakeAmino, client: httpx.AsyncClient
) -> None:
    for method, path in (
        ("GET", f"{V1}/users/1001/user_profiles"),
        ("POST", f"{V1}/user_profiles/p-1001-default/favourite_channel_lists"),
        ("GET", f"{V1}/users/1001/channel_lock_configuration"),
        ("GET", f"{V1}/users/1001"),
        ("PATCH", f"{V2}/users/1001"),
    ):
        assert (await client.request(method, path, json={})).status_code == 401
    assert (await client.post(f"{V2}/reset_password", json={"email": "user@example.com"})).status_code == 204
    assert set(fake.user_config.reset_codes) == {"1001"}
    assert fake.stats.calls["reset_password"] == 1


async def test_profiles_created_renamed_and_deleted_are_the_users_own(
    fake: FakeAmino, client: httpx.AsyncClient
) -> None:
    headers = await bearer(client)
    created = await client.post(
        f"{V1}/users/1001/user_profiles",
        json={"name": "Teen", "is_child_profile": False, "is_default": True},
        headers=headers,
    )
    assert created.status_code == 201
    resource = created.json()["data"]
    assert resource["type"] == "UserProfile" and resource["attributes"]["is_default"] is True
    assert resource["links"]["self"].endswith(f"/user_profiles/{resource['id']}")
    assert fake.default_user.default_profile.id == resource["id"]
    assert [p.is_default for p in fake.default_user.profiles] == [False, False, True]

    # The auth area sees it at once: tokens for the new profile.
    switched = await client.post(
        TOKENS,
        json={
            "grant_type": "password",
            "credentials": {"username": "user@example.com", "password": "secret"},
            "login_user_profile": resource["id"],
        },
    )
    assert switched.json()["data"]["attributes"]["user_profile_id"] == resource["id"]

    renamed = await client.patch(f"{V1}/users/1001/user_profiles/{resource['id']}", json={"name": "T"}, headers=headers)
    assert (renamed.status_code, renamed.content) == (204, b"")
    refused = await client.delete(f"{V1}/users/1001/user_profiles/{resource['id']}", headers=headers)
    assert one_error(refused, 403)["title"] == "Action not permitted"  # the default one
    kids = await client.delete(f"{V1}/users/1001/user_profiles/p-1001-kids", headers=headers)
    assert kids.status_code == 204
    assert [p.name for p in fake.default_user.profiles] == ["Main", "T"]
    missing = one_error(await client.patch(f"{V1}/users/1001/user_profiles/nope", json={}, headers=headers), 404)
    assert set(missing) == {"id", "href", "code", "title", "details"}

    fake.user_config.reset()
    assert [p.id for p in fake.default_user.profiles] == ["p-1001-default", "p-1001-kids"]


async def test_favourite_shapes_as_documented(fake: FakeAmino, client: httpx.AsyncClient) -> None:
    headers = await bearer(client)
    lists = f"{V1}/user_profiles/p-1001-kids/favourite_channel_lists"
    created = await client.post(lists, json={"name": "Cartoons"}, headers=headers)
    assert created.status_code == 201
    (resource,) = created.json()["data"]  # an array of one, as the file documents
    assert resource == {"type": "FavouriteChannelList", "id": resource["id"], "attributes": {"name": "Cartoons"}}
    item = await client.post(f"{lists}/{resource['id']}/relationships/channels/{fake.channel_id(2)}", headers=headers)
    assert (item.status_code, item.text, item.headers["content-type"].split(";")[0]) == (201, "CREATED", "text/plain")
    channels = await client.get(f"{lists}/{resource['id']}/relationships/channels", headers=headers)
    assert channels.json() == {"data": [{"type": "Channel", "id": fake.channel_id(2)}]}
    assert fake.user_config.lists_of("1001", "p-1001-kids")[0].channels == [fake.channel_id(2)]
    assert (await client.get(lists, params={"sort": "size"}, headers=headers)).status_code == 400
    assert one_error(await client.post(lists, content=b"{", headers=headers), 400)["details"]


async def test_the_lock_answer_carries_its_cache_control_and_the_pin_is_checked(
    fake: FakeAmino, client: httpx.AsyncClient
) -> None:
    headers = await bearer(client)
    lock = await client.get(f"{V1}/users/1001/channel_lock_configuration", headers=headers)
    assert lock.headers["cache-control"] == "private, max-age=600"
    assert lock.json()["data"]["type"] == "UserChannelLockingConfiguration"
    body = {"locked_channels": [fake.channel_id(1)], "pin_code": "0000"}
    wrong = await client.patch(f"{V1}/users/1001/channel_lock_configuration", json=body, headers=headers)
    assert one_error(wrong, 401)["title"] == "PIN code incorrect"
    fake.user_config.pins["1001"] = "0000"
    right = await client.patch(f"{V1}/users/1001/channel_lock_configuration", json=body, headers=headers)
    assert right.status_code == 204
    assert fake.user_config.lock_of("1001").locked_channels == (fake.channel_id(1),)


async def test_v2_errors_carry_detail_and_details(fake: FakeAmino, client: httpx.AsyncClient) -> None:
    headers = await bearer(client)
    unknown = one_error(await client.patch(f"{V2}/users/4422", json={}, headers=headers), 404)
    assert unknown["detail"] == unknown["details"] == 'User with ID "4422" does not exist'
    assert unknown["status"] == "404"
    body = {"email": "user@example.com", "reset_code": "nope", "new_password": "x"}
    assert one_error(await client.post(f"{V2}/confirm_reset_password", json=body), 400)["code"] == "10100"


async def test_the_user_refuses_fields_a_user_may_not_change(fake: FakeAmino, client: httpx.AsyncClient) -> None:
    headers = await bearer(client)
    refused = await client.patch(f"{V1}/users/1001", json={"user_flags": ["VIP"]}, headers=headers)
    assert "user_flags" in one_error(refused, 403)["details"]
    email = await client.patch(f"{V1}/users/1001", json={"contact_details": {"email": "x@y"}}, headers=headers)
    assert one_error(email, 403)
    assert (await client.get(f"{V1}/users/1001", params={"included": "Genre"}, headers=headers)).status_code == 400


def test_a_fake_user_changes_only_profiles_and_password() -> None:
    fake = FakeAmino()
    user = fake.default_user
    with pytest.raises(attrs.exceptions.FrozenAttributeError):
        user.user_id = "1"  # type: ignore[misc]
    with pytest.raises(attrs.exceptions.FrozenAttributeError):
        user.username = "x"  # type: ignore[misc]
    with pytest.raises(ValueError, match="exactly one default"):
        user.profiles = (FakeProfile("a", "A"), FakeProfile("b", "B"))
    assert len(user.profiles) == 2
    user.password = "changed"
    assert fake.directory.by_name("user@example.com") is user
