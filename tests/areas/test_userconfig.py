"""User configuration through the SDK against FakeAmino: profiles, favourites, channel locks, market segments, the
user, preferences and the password reset.

Each test checks the request the server saw (method, path, query, body), what the fake stored, the models the SDK
decoded, and the refusals as typed errors; every exchange of the users families is validated against the OpenAPI
file that documents it (``userconfig_openapi``). Every async test runs under asyncio and trio.
"""

from __future__ import annotations

import json
from typing import Any

import anyio
import pytest
from openapi_core.exceptions import OpenAPIError

from amino_async import (
    AminoClient,
    AuthenticationError,
    BadRequestError,
    ConfigurationError,
    ContactDetailsBody,
    CookieLogin,
    FavouriteChannel,
    FavouriteChannelList,
    MarketSegment,
    NotFoundError,
    PermissionDeniedError,
    User,
    UserChannelLockingConfiguration,
    UserNameBody,
    UserProfile,
)
from amino_async.testing import FakeAmino, FakeProfile

from ..helpers import Exchange, Recorder
from .userconfig_openapi import client, recording, through, users_calls, validate

__all__ = ["client", "recording"]

BASE_URL = "http://localhost"
USERNAME, PASSWORD, USER_ID = "user@example.com", "secret", "1001"
MAIN, KIDS = "p-1001-default", "p-1001-kids"
OTHER_USERNAME, OTHER_PASSWORD, OTHER_ID = "other@example.com", "hunter22", "2002"
OTHER_MAIN = "p-2002-main"
LISTS = f"/api/users/v1/user_profiles/{MAIN}/favourite_channel_lists"


@pytest.fixture
def fake() -> FakeAmino:
    fake = FakeAmino(channels=30)
    fake.add_user(OTHER_USERNAME, OTHER_PASSWORD, user_id=OTHER_ID, profiles=[FakeProfile(OTHER_MAIN, "Main")])
    return fake


@pytest.fixture
async def other(client: AminoClient) -> AminoClient:
    """The second user, over the same pool."""
    return client.with_auth(username=OTHER_USERNAME, password=OTHER_PASSWORD)


def last(recording: Recorder) -> Exchange:
    return users_calls(recording)[-1]


def sent(exchange: Exchange) -> Any:
    return json.loads(exchange.body)


def validate_all(recording: Recorder) -> set[str]:
    """Every users-family exchange so far, each against its file (answers with a status the file does not
    document, the refusals of another user's resources, only as requests); the files that documented them."""
    return {validate(exchange, undocumented_status=True) for exchange in users_calls(recording)}


def channel(fake: FakeAmino, index: int) -> str:
    return fake.channel_id(index)


# --- profiles --------------------------------------------------------------------------------------------------


async def test_profiles_are_listed_created_renamed_made_default_and_deleted(
    fake: FakeAmino, client: AminoClient, recording: Recorder
) -> None:
    created = await client.profiles.create("Teen", age_limit=16)
    exchange = last(recording)
    assert (exchange.method, exchange.path) == ("POST", f"/api/users/v1/users/{USER_ID}/user_profiles")
    assert sent(exchange) == {"name": "Teen", "is_child_profile": False, "age_limit": 16}
    assert exchange.status == 201
    assert created == UserProfile(created.id, "Teen", USER_ID, is_child_profile=False, age_limit=16, is_default=False)
    # Stored on the user the logins read.
    assert fake.default_user.profile(created.id) == FakeProfile(created.id, "Teen", age_limit=16)
    assert [p.id for p in await client.profiles.list()] == [MAIN, KIDS, created.id]

    await client.profiles.update(created.id, name="Teenager")
    exchange = last(recording)
    assert (exchange.method, exchange.path, exchange.status) == (
        "PATCH",
        f"/api/users/v1/users/{USER_ID}/user_profiles/{created.id}",
        204,
    )
    assert sent(exchange) == {"name": "Teenager"}
    assert fake.default_user.profile(created.id).name == "Teenager"  # type: ignore[union-attr]

    await client.profiles.update(created.id, is_default=True)
    assert sent(last(recording)) == {"is_default": True}
    listed = {p.id: p for p in await client.profiles.list()}
    assert listed[created.id].is_default and not listed[MAIN].is_default
    assert fake.default_user.default_profile.id == created.id
    await client.profiles.update(created.id, is_default=False)  # documented to have no effect
    assert fake.default_user.default_profile.id == created.id

    await client.profiles.update(MAIN, is_default=True)
    await client.profiles.delete(created.id)
    exchange = last(recording)
    assert (exchange.method, exchange.status, exchange.body) == ("DELETE", 204, b"")
    assert [p.id for p in await client.profiles.list()] == [MAIN, KIDS]
    assert fake.default_user.profile(created.id) is None
    assert validate_all(recording) == {"user_profiles"}


async def test_a_created_profile_logs_in_and_a_deleted_one_no_longer_does(
    fake: FakeAmino, client: AminoClient, recording: Recorder
) -> None:
    created = await client.profiles.create("Guest", is_child_profile=True)
    guest = client.as_profile(created.id)
    lists = await guest.favourites.list()
    assert lists == []
    assert guest.tokens is not None and guest.tokens.profile_id == created.id  # login_user_profile saw it
    assert last(recording).path == f"/api/users/v1/user_profiles/{created.id}/favourite_channel_lists"
    await guest.favourites.create("Cartoons")

    await client.profiles.delete(created.id)
    assert fake.user_config.lists_of(USER_ID, created.id) == []  # its favourites went with it
    async with AminoClient(
        BASE_URL, transport=through(recording), username=USERNAME, password=PASSWORD, profile_id=created.id
    ) as fresh:
        with pytest.raises(AuthenticationError):
            await fresh.login()


async def test_profile_refusals(fake: FakeAmino, client: AminoClient, other: AminoClient, recording: Recorder) -> None:
    with pytest.raises(NotFoundError) as not_found:
        await client.profiles.update("no-such-profile", name="X")
    assert not_found.value.status == 404
    validate(last(recording))  # the 404 as documented

    with pytest.raises(PermissionDeniedError):
        await client.profiles.delete(MAIN)  # the default profile: an account always has one
    with pytest.raises(PermissionDeniedError):
        await client.profiles.delete(OTHER_MAIN)  # another user's profile, under one's own account
    with pytest.raises(PermissionDeniedError):
        await client.profiles.create("Intruder", user_id=OTHER_ID)
    with pytest.raises(PermissionDeniedError):
        await other.profiles.update(KIDS, name="Mine now", user_id=USER_ID)
    with pytest.raises(PermissionDeniedError):
        await client.profiles.list(user_id="9999")  # unknown users look like other users'
    assert [p.name for p in fake.default_user.profiles] == ["Main", "Kids"]
    assert [p.name for p in fake.directory.resolve(OTHER_ID).profiles] == ["Main"]  # type: ignore[union-attr]

    before = len(recording.exchanges)
    with pytest.raises(ConfigurationError):
        await client.profiles.update(KIDS)  # nothing to change: nothing sent
    with pytest.raises(ConfigurationError):
        await client.profiles.delete("..")
    assert len(recording.exchanges) == before


# --- favourites ------------------------------------------------------------------------------------------------


async def test_favourite_lists_keep_their_channels_in_order(
    fake: FakeAmino, client: AminoClient, recording: Recorder
) -> None:
    sports = await client.favourites.create("Sports")
    exchange = last(recording)
    assert (exchange.method, exchange.path, exchange.status) == ("POST", LISTS, 201)
    assert sent(exchange) == {"name": "Sports"}
    assert sports == FavouriteChannelList(sports.id, "Sports")
    kids = await client.favourites.create("kids channels")
    news = await client.favourites.create("News")

    assert [found.name for found in await client.favourites.list()] == ["kids channels", "News", "Sports"]
    assert last(recording).params.get("sort") is None
    assert [found.name for found in await client.favourites.list(sort="-name")] == ["Sports", "News", "kids channels"]
    assert last(recording).params["sort"] == "-name"

    order = [channel(fake, i) for i in (7, 2, 19)]
    for channel_id in order:
        await client.favourites.add_channel(sports.id, channel_id)
    exchange = last(recording)
    assert (exchange.method, exchange.path) == ("POST", f"{LISTS}/{sports.id}/relationships/channels/{order[-1]}")
    assert (exchange.status, exchange.body, exchange.response_body) == (201, b"", b"CREATED")
    await client.favourites.add_channel(sports.id, order[0])  # again: it keeps its place
    assert await client.favourites.channels(sports.id) == [FavouriteChannel(c) for c in order]
    assert fake.user_config.lists_of(USER_ID, MAIN)[0].channels == order

    await client.favourites.add_channel(kids.id, channel(fake, 3))
    await client.favourites.add_channel(kids.id, order[1])
    # Lists by name, each list's channels in its order, each channel once.
    assert [c.id for c in await client.favourites.all_channels()] == [channel(fake, 3), order[1], order[0], order[2]]
    assert last(recording).path == f"{LISTS}/relationships/channels"

    await client.favourites.remove_channel(sports.id, order[1])
    assert (last(recording).method, last(recording).status) == ("DELETE", 204)
    assert [c.id for c in await client.favourites.channels(sports.id)] == [order[0], order[2]]

    await client.favourites.update(news.id, "World news")
    exchange = last(recording)
    assert (exchange.method, exchange.path, exchange.status) == ("PATCH", f"{LISTS}/{news.id}", 204)
    assert sent(exchange) == {"name": "World news"}
    await client.favourites.delete(kids.id)
    assert [(found.id, found.name) for found in fake.user_config.lists_of(USER_ID, MAIN)] == [
        (sports.id, "Sports"),
        (news.id, "World news"),
    ]
    assert [found.name for found in await client.favourites.list()] == ["Sports", "World news"]
    assert validate_all(recording) == {"favourite_channels"}


async def test_favourite_refusals(
    fake: FakeAmino, client: AminoClient, other: AminoClient, recording: Recorder
) -> None:
    mine = await client.favourites.create("Mine")
    theirs = await other.favourites.create("Theirs")
    assert other.tokens is not None and other.tokens.profile_id == OTHER_MAIN

    with pytest.raises(NotFoundError):
        await client.favourites.channels("no-such-list")
    with pytest.raises(NotFoundError):
        await client.favourites.add_channel(mine.id, "no-such-channel")
    with pytest.raises(NotFoundError):
        await client.favourites.remove_channel(mine.id, channel(fake, 1))  # not in the list
    with pytest.raises(NotFoundError):
        await client.favourites.add_channel(mine.id, channel(fake, 30))  # one past the catalogue
    # Another user's list, under one's own profile and under theirs, for each write and read.
    for call in (
        client.favourites.update(theirs.id, "Stolen"),
        client.favourites.delete(theirs.id),
        client.favourites.add_channel(theirs.id, channel(fake, 1)),
        client.favourites.channels(theirs.id),
        client.favourites.delete(theirs.id, user_profile_id=OTHER_MAIN),
        client.favourites.create("Planted", user_profile_id=OTHER_MAIN),
        client.favourites.list(user_profile_id=OTHER_MAIN),
    ):
        with pytest.raises(PermissionDeniedError):
            await call
    assert [(f.name, f.channels) for f in fake.user_config.lists_of(OTHER_ID, OTHER_MAIN)] == [("Theirs", [])]
    assert [f.name for f in fake.user_config.lists_of(USER_ID, MAIN)] == ["Mine"]

    fake.user_config.max_favourite_lists = 2
    await client.favourites.create("Second")
    with pytest.raises(PermissionDeniedError) as limit:
        await client.favourites.create("Third")
    assert "maximum allowable limit" in str(limit.value)
    validate(last(recording))  # the documented 403
    assert len(fake.user_config.lists_of(USER_ID, MAIN)) == 2


async def test_hostile_ids_are_refused_or_sent_as_one_segment(
    fake: FakeAmino, client: AminoClient, recording: Recorder
) -> None:
    mine = await client.favourites.create("Mine")
    before = len(recording.exchanges)
    for hostile in ("..", ".", ""):
        with pytest.raises(ConfigurationError):
            await client.favourites.channels(hostile)
        with pytest.raises(ConfigurationError):
            await client.favourites.add_channel(mine.id, hostile)
    assert len(recording.exchanges) == before
    with pytest.raises(NotFoundError):
        await client.favourites.add_channel(mine.id, "a/b?c#d")
    exchange = last(recording)
    assert exchange.raw_path == f"{LISTS}/{mine.id}/relationships/channels/a%2Fb%3Fc%23d"
    assert exchange.query == ""
    with pytest.raises(PermissionDeniedError):
        await client.favourites.list(user_profile_id="../../users/1001")
    assert last(recording).raw_path == "/api/users/v1/user_profiles/..%2F..%2Fusers%2F1001/favourite_channel_lists"
    assert fake.user_config.lists_of(USER_ID, MAIN)[0].channels == []


async def test_the_profile_view_passes_its_profile_to_every_profile_scoped_call(
    fake: FakeAmino, client: AminoClient, recording: Recorder
) -> None:
    kids = client.as_profile(KIDS)
    made = await kids.favourites.create("Cartoons")
    calls = [
        kids.favourites.list(),
        kids.favourites.update(made.id, "Cartoons!"),
        kids.favourites.add_channel(made.id, channel(fake, 4)),
        kids.favourites.channels(made.id),
        kids.favourites.all_channels(),
        kids.favourites.remove_channel(made.id, channel(fake, 4)),
        kids.favourites.delete(made.id),
    ]
    for call in calls:
        await call
    favourites_calls = [e for e in users_calls(recording) if "/favourite_channel_lists" in e.path]
    assert len(favourites_calls) == 8
    assert all(e.path.startswith(f"/api/users/v1/user_profiles/{KIDS}/") for e in favourites_calls)
    # The server's own log: every call went with a token for the kids' profile.
    assert {profile for _, profile, _, path in fake.stats.authorized_log if "favourite" in path} == {KIDS}

    # Without a view: the logged-in profile; an explicit id wins over either.
    await client.favourites.list()
    assert last(recording).path == LISTS
    await kids.favourites.list(user_profile_id=MAIN)
    assert last(recording).path == LISTS


# --- channel locks, market segments ----------------------------------------------------------------------------


async def test_the_channel_lock_is_read_and_set_with_the_pin(
    fake: FakeAmino, client: AminoClient, recording: Recorder
) -> None:
    lock = await client.channel_locks.get()
    exchange = last(recording)
    assert (exchange.method, exchange.path) == ("GET", f"/api/users/v1/users/{USER_ID}/channel_lock_configuration")
    assert exchange.response_headers["cache-control"] == "private, max-age=600"
    assert lock == UserChannelLockingConfiguration(lock.id, lock_adult_channels=False, locked_channels=())

    locked = [channel(fake, 5), channel(fake, 1)]
    await client.channel_locks.set(locked, pin_code="1234", lock_adult_channels=True)
    exchange = last(recording)
    assert (exchange.method, exchange.status) == ("PATCH", 204)
    assert sent(exchange) == {"locked_channels": locked, "lock_adult_channels": True, "pin_code": "1234"}
    assert fake.user_config.lock_of(USER_ID).locked_channels == tuple(locked)
    assert await client.channel_locks.get() == UserChannelLockingConfiguration(lock.id, True, tuple(locked))

    await client.channel_locks.set([], pin_code="1234")  # lock_adult_channels left as it was
    assert sent(last(recording)) == {"locked_channels": [], "pin_code": "1234"}
    assert (await client.channel_locks.get()).lock_adult_channels is True
    assert validate_all(recording) == {"locked_channels"}

    # A wrong PIN: the 401 the file documents, after which nothing changed.
    with pytest.raises(AuthenticationError) as wrong:
        await client.channel_locks.set([channel(fake, 2)], pin_code="9999")
    assert wrong.value.status == 401
    assert "PIN" in str(wrong.value) and "9999" not in str(wrong.value)
    validate(last(recording))
    with pytest.raises(BadRequestError):
        await client.channel_locks.set(["no-such-channel"], pin_code="1234")
    assert fake.user_config.lock_of(USER_ID).locked_channels == ()
    with pytest.raises(PermissionDeniedError):
        await client.channel_locks.set([], pin_code="1234", user_id=OTHER_ID)


async def test_market_segments(fake: FakeAmino, client: AminoClient, other: AminoClient, recording: Recorder) -> None:
    segments = await client.market_segments.list()
    assert last(recording).path == f"/api/users/v1/users/{USER_ID}/relationships/market_segments"
    assert [s.name for s in segments] == list(fake.accounts.segment_names(fake.default_user))
    assert [s.id for s in segments] == fake.accounts.of(fake.default_user).market_segments
    by_name = {name: ident for ident, name in fake.accounts.segments.items()}
    other_user = fake.directory.resolve(OTHER_ID)
    assert other_user is not None
    fake.accounts.of(other_user).market_segments = [by_name["fibre"], by_name["business"]]
    found = await other.market_segments.list()
    assert [(s.id, s.name) for s in found] == [(by_name["fibre"], "fibre"), (by_name["business"], "business")]
    assert all(isinstance(s, MarketSegment) for s in found)
    assert [s.name for s in await client.market_segments.list()] == [s.name for s in segments]
    with pytest.raises(PermissionDeniedError):
        await client.market_segments.list(user_id=OTHER_ID)
    validate_all(recording)


# --- the user ---------------------------------------------------------------------------------------------------


async def test_the_user_by_id_or_email_with_products_and_licenses(
    fake: FakeAmino, client: AminoClient, recording: Recorder
) -> None:
    user = await client.users.get()
    exchange = last(recording)
    assert (exchange.method, exchange.path, exchange.query) == ("GET", f"/api/users/v1/users/{USER_ID}", "")
    assert isinstance(user, User)
    assert (user.id, user.contact_details and user.contact_details.email) == (USER_ID, USERNAME)
    assert user.registration_information is not None
    assert user.registration_information.current_registration_state == "REGISTERED"
    assert user.is_default_pin_code is True
    assert (user.products, user.licenses) == ((), ())
    assert "relationships" not in json.loads(exchange.response_body)["data"]["attributes"]

    by_email = await client.users.get(USERNAME, included=["Product", "License"])
    exchange = last(recording)
    assert exchange.raw_path == "/api/users/v1/users/user%40example.com"
    assert exchange.params["included"] == "Product,License"
    assert by_email.id == USER_ID
    document = json.loads(exchange.response_body)
    product_ids = [r["id"] for r in document["data"]["attributes"]["relationships"]["Product"]["data"]]
    assert [p.id for p in by_email.products] == product_ids and len(product_ids) == 2
    assert by_email.products[0].name == "Basic"
    assert [lic.status for lic in by_email.licenses] == ["ACTIVE", "ACTIVE"]
    only = await client.users.get(included=["License"])
    assert only.products == () and len(only.licenses) == 2
    assert validate_all(recording) == {"user_info"}

    for someone in (OTHER_ID, OTHER_USERNAME, "9999", "nobody@example.com"):
        with pytest.raises(PermissionDeniedError):
            await client.users.get(someone)  # never a 404: ids cannot be probed


async def test_the_user_changes_name_telephone_and_pin(
    fake: FakeAmino, client: AminoClient, recording: Recorder
) -> None:
    await client.users.update(
        name=UserNameBody("Jane Q. Doe", first_name="Jane", last_name="Doe"),
        contact_details=ContactDetailsBody("+358 40 123 4567"),
    )
    exchange = last(recording)
    assert (exchange.method, exchange.path, exchange.status) == ("PATCH", f"/api/users/v1/users/{USER_ID}", 204)
    assert sent(exchange) == {
        "name": {"full_name": "Jane Q. Doe", "first_name": "Jane", "last_name": "Doe"},
        "contact_details": {"telephone_number_E123": "+358 40 123 4567"},
    }
    user = await client.users.get()
    assert user.name is not None and (user.name.full_name, user.name.first_name) == ("Jane Q. Doe", "Jane")
    assert user.contact_details is not None and user.contact_details.telephone_number_e123 == "+358 40 123 4567"

    await client.users.update(pin_code="1234", new_pin_code="8642")
    assert sent(last(recording)) == {"pin_code": "1234", "new_pin_code": "8642"}
    assert fake.user_config.pin_of(USER_ID) == "8642"
    assert (await client.users.get()).is_default_pin_code is False
    await client.channel_locks.set([], pin_code="8642")  # the new PIN is the one checked now
    assert validate_all(recording) == {"user_info", "locked_channels"}

    with pytest.raises(PermissionDeniedError) as wrong:
        await client.users.update(pin_code="1234", new_pin_code="1111")
    assert "PIN" in str(wrong.value)
    validate(last(recording))
    with pytest.raises(BadRequestError):
        await client.users.update(pin_code="8642", new_pin_code="12ab")
    assert fake.user_config.pin_of(USER_ID) == "8642"
    with pytest.raises(PermissionDeniedError):
        await client.users.update(name=UserNameBody("Mallory"), user_id=OTHER_ID)
    before = len(recording.exchanges)
    with pytest.raises(ConfigurationError):
        await client.users.update(new_pin_code="1111")
    with pytest.raises(ConfigurationError):
        await client.users.update()
    assert len(recording.exchanges) == before


# --- preferences and the password reset ------------------------------------------------------------------------


async def test_the_password_changes_given_the_current_one(
    fake: FakeAmino, client: AminoClient, recording: Recorder
) -> None:
    await client.preferences.update(current_password=PASSWORD, new_password="correct horse")
    exchange = last(recording)
    assert (exchange.method, exchange.path, exchange.status) == ("PATCH", f"/api/users/v2/users/{USER_ID}", 204)
    assert sent(exchange) == {
        "data": {
            "type": "User",
            "id": USER_ID,
            "attributes": {"security": {"current_password": PASSWORD, "new_password": "correct horse"}},
        }
    }
    assert fake.default_user.password == "correct horse"
    validate(exchange)
    transport = through(recording)
    async with AminoClient(BASE_URL, transport=transport, username=USERNAME, password="correct horse") as again:
        await again.login()
    async with AminoClient(BASE_URL, transport=transport, username=USERNAME, password=PASSWORD) as old:
        with pytest.raises(AuthenticationError):
            await old.login()

    with pytest.raises(AuthenticationError) as wrong:
        await client.preferences.update(current_password="not it", new_password="whatever1")
    assert wrong.value.status == 401 and "not it" not in str(wrong.value)
    validate(last(recording))
    assert fake.default_user.password == "correct horse"
    with pytest.raises(PermissionDeniedError):
        await client.preferences.update(current_password="x", new_password="y", user_id=OTHER_ID)
    with pytest.raises(NotFoundError):
        await client.preferences.update(current_password="x", new_password="y", user_id="4422")
    validate(last(recording))  # the documented 404


async def test_the_password_reset_needs_no_credentials_and_sends_no_bearer(
    fake: FakeAmino, recording: Recorder
) -> None:
    async with AminoClient(BASE_URL, transport=through(recording)) as anonymous:
        assert anonymous.credentials is None
        await anonymous.password_reset.request(USERNAME)
        exchange = last(recording)
        assert (exchange.method, exchange.path, exchange.status) == ("POST", "/api/users/v2/reset_password", 204)
        assert sent(exchange) == {"email": USERNAME}
        code = fake.user_config.reset_codes[USER_ID]

        await anonymous.password_reset.request("nobody@example.com")  # the same answer for an unknown address
        assert last(recording).status == 204

        with pytest.raises(BadRequestError) as wrong:
            await anonymous.password_reset.confirm(USERNAME, "0" * 32, "brand new")
        assert "0" * 32 not in str(wrong.value)  # the server echoes the code: the SDK redacts it
        assert "0" * 32 in last(recording).response_body.decode()
        with pytest.raises(NotFoundError):
            await anonymous.password_reset.confirm("nobody@example.com", code, "brand new")
        await anonymous.password_reset.confirm(USERNAME, code, "brand new")
        exchange = last(recording)
        assert (exchange.path, exchange.status) == ("/api/users/v2/confirm_reset_password", 204)
        assert sent(exchange) == {"email": USERNAME, "reset_code": code, "new_password": "brand new"}
        assert fake.default_user.password == "brand new"
        with pytest.raises(BadRequestError):
            await anonymous.password_reset.confirm(USERNAME, code, "again")  # a code works once

    # A client with a way in sends no bearer to them either, and does not log in for them.
    async with AminoClient(BASE_URL, transport=through(recording), username=USERNAME, password="brand new") as client:
        await client.password_reset.request(USERNAME)
        assert client.tokens is None
    assert fake.stats.grants["password"] == 0
    reset_calls = [e for e in users_calls(recording) if "reset_password" in e.path]
    assert len(reset_calls) == 7
    assert all("authorization" not in e.headers for e in reset_calls)
    assert fake.stats.bearer_seen == 0
    for exchange in reset_calls:
        validate(exchange)


# --- isolation ---------------------------------------------------------------------------------------------------


async def test_500_users_at_once_each_write_lands_on_its_own_user_only(fake: FakeAmino, recording: Recorder) -> None:
    count = 500
    users = [fake.add_user(f"viewer{i}@example.com", f"pw-{i}", user_id=str(10_000 + i)) for i in range(count)]
    profiles: dict[str, str] = {}
    lists: dict[str, str] = {}
    async with AminoClient(BASE_URL, transport=through(recording)) as pool:
        # As a web backend makes them: one view per user from that user's session cookie, acting as its profile.
        views = [
            pool.with_auth(
                CookieLogin(u.user_id, {"amino_session": fake.create_session(u)}, profile_id=u.default_profile.id)
            )
            for u in users
        ]

        async def work(i: int) -> None:
            view, user = views[i], users[i]
            created = await view.profiles.create(f"Profile of {i}")
            profiles[user.user_id] = created.id
            made = await view.favourites.create(f"List of {i}")
            lists[user.user_id] = made.id
            await view.favourites.add_channel(made.id, fake.channel_id(i % fake.channel_count))
            await view.channel_locks.set([fake.channel_id(i % 7)], pin_code="1234")
            await view.users.update(name=UserNameBody(f"Viewer {i}"))

        async with anyio.create_task_group() as group:
            for i in range(count):
                group.start_soon(work, i)

        # Each tries to write to its neighbour's list, profile and lock: every one refused, nothing changed.
        async def trespass(i: int) -> None:
            neighbour = users[(i + 1) % count]
            view = views[i]
            with pytest.raises(PermissionDeniedError):
                await view.favourites.add_channel(lists[neighbour.user_id], fake.channel_id(0))
            with pytest.raises(PermissionDeniedError):
                await view.profiles.delete(profiles[neighbour.user_id], user_id=neighbour.user_id)
            with pytest.raises(PermissionDeniedError):
                await view.channel_locks.set([], pin_code="1234", user_id=neighbour.user_id)

        async with anyio.create_task_group() as group:
            for i in range(count):
                group.start_soon(trespass, i)

    config = fake.user_config
    for i, user in enumerate(users):
        assert [p.name for p in user.profiles] == ["Main", f"Profile of {i}"]
        (own,) = config.lists_of(user.user_id, user.default_profile.id)
        assert (own.id, own.name, own.channels) == (lists[user.user_id], f"List of {i}", [fake.channel_id(i % 30)])
        assert config.lock_of(user.user_id).locked_channels == (fake.channel_id(i % 7),)
        assert fake.accounts.of(user).name() == {"full_name": f"Viewer {i}"}
    assert config.lists_of(USER_ID, MAIN) == []
    assert len(config.favourite_lists) == count
    # Every request went with its own user's token.
    by_user = fake.stats.requests_by_user
    assert all(by_user[user.user_id] == 8 for user in users)


# --- over a socket, state reset, malformed answers ---------------------------------------------------------------


async def test_over_a_real_socket(fake: FakeAmino) -> None:
    async with fake.serve() as base_url, AminoClient(base_url, username=USERNAME, password=PASSWORD) as client:
        made = await client.profiles.create("Socket")
        favourites = client.as_profile(made.id).favourites
        listed = await favourites.create("Over TCP")
        await favourites.add_channel(listed.id, fake.channel_id(9))
        assert [c.id for c in await favourites.all_channels()] == [fake.channel_id(9)]
        assert (await client.users.get(USERNAME)).id == USER_ID
        async with AminoClient(base_url) as anonymous:
            await anonymous.password_reset.request(USERNAME)
    assert USER_ID in fake.user_config.reset_codes


async def test_reset_forgets_the_writes_and_gives_back_profiles_and_passwords(
    fake: FakeAmino, client: AminoClient
) -> None:
    await client.profiles.create("Temporary")
    await client.favourites.create("Temporary")
    await client.preferences.update(current_password=PASSWORD, new_password="changed!")
    fake.user_config.reset()
    assert [p.id for p in fake.default_user.profiles] == [MAIN, KIDS]
    assert fake.default_user.password == PASSWORD
    assert fake.user_config.lists_of(USER_ID, MAIN) == []
    assert await client.favourites.list() == []


async def test_an_answer_in_the_wrong_shape_is_a_decode_error(fake: FakeAmino, client: AminoClient) -> None:
    from amino_async import DecodeError

    fake.inject(f"/api/users/v1/users/{USER_ID}", kind="malformed")
    with pytest.raises(DecodeError):
        await client.users.get()
    fake.inject(f"{LISTS}/relationships/channels", kind="malformed")
    with pytest.raises(DecodeError):
        await client.favourites.all_channels()


# --- the validator itself ----------------------------------------------------------------------------------------


def _exchange(method: str, path: str, *, body: Any = None, status: int = 200, content: Any = None) -> Exchange:
    return Exchange(
        method,
        path,
        path,
        "",
        {"authorization": "Bearer t", "content-type": "application/json"},
        b"" if body is None else json.dumps(body).encode(),
        status,
        {"content-type": "application/json"},
        b"" if content is None else json.dumps(content).encode(),
    )


def test_the_validator_refuses_what_the_files_do_not_document() -> None:
    profiles = f"/api/users/v1/users/{USER_ID}/user_profiles"
    good = {"data": [{"type": "UserProfile", "id": "p", "attributes": {"name": "A", "is_child_profile": False}}]}
    assert validate(_exchange("GET", profiles, content=good)) == "user_profiles"
    with pytest.raises(OpenAPIError):  # data must be an array
        validate(_exchange("GET", profiles, content={"data": {"type": "UserProfile", "id": "p"}}))
    with pytest.raises(OpenAPIError):  # the body needs is_child_profile
        validate(_exchange("POST", profiles, body={"name": "A"}, status=201, content={"data": good["data"][0]}))
    with pytest.raises(OpenAPIError):  # no such status documented
        validate(_exchange("DELETE", f"{profiles}/p", status=403, content={"errors": []}))
    with pytest.raises(AssertionError):  # no such operation
        validate(_exchange("PUT", profiles))


async def test_a_strict_client_decodes_every_answer_of_the_area(fake: FakeAmino, recording: Recorder) -> None:
    async with AminoClient(
        BASE_URL, transport=through(recording), username=USERNAME, password=PASSWORD, strict=True
    ) as client:
        made = await client.favourites.create("Strict")
        await client.favourites.add_channel(made.id, fake.channel_id(0))
        assert [c.id for c in await client.favourites.all_channels()] == [fake.channel_id(0)]
        assert [found.id for found in await client.favourites.list()] == [made.id]
        user = await client.users.get(included=["Product", "License"])
        assert (len(user.products), len(user.licenses), dict(user.raw)) == (2, 2, {})
        assert (await client.channel_locks.get()).locked_channels == ()
        assert len(await client.market_segments.list()) == 1
        assert (await client.profiles.create("Strict")).name == "Strict"
