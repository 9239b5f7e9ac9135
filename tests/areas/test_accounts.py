"""One account record a user, through the SDK against FakeAmino: what an operator changes (``client.admin``) is what
the user sees (``client.users.get()``, ``client.market_segments``, the flags of a token), and what the user changes
of themself is what the operator's ``client.admin.users.list()`` lists.

The user's exchanges are checked against the user configuration's files (``userconfig_openapi``); the operator's
calls are those of ``test_admin``, checked there. Every async test runs under asyncio and trio.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from amino_async import AminoClient, ContactDetailsBody, MarketSegment, ServiceLogin, User, UserNameBody
from amino_async.testing import FakeAmino, FakeUser

from ..helpers import Recorder
from .userconfig_openapi import client, recording, through, users_calls, validate

__all__ = ["client", "recording"]

BASE_URL = "http://localhost"
USERNAME, PASSWORD, USER_ID = "user@example.com", "secret", "1001"
OPERATOR, OPERATOR_PASSWORD, OPERATOR_ID = "ops@example.com", "op-secret", "9001"


@pytest.fixture
def fake() -> FakeAmino:
    fake = FakeAmino(channels=30)
    fake.admin.add_operator(fake, OPERATOR, OPERATOR_PASSWORD, user_id=OPERATOR_ID)
    return fake


@pytest.fixture
async def operator(recording: Recorder) -> AsyncIterator[AminoClient]:
    """The operator's service account, over the same fake."""
    async with AminoClient(
        BASE_URL, transport=through(recording), credentials=ServiceLogin(OPERATOR, OPERATOR_PASSWORD)
    ) as operator:
        yield operator


def the_user(fake: FakeAmino) -> FakeUser:
    user = fake.directory.resolve(USER_ID)
    assert user is not None
    return user


async def listed(operator: AminoClient) -> User:
    """User 1001 as the operator's listing has it."""
    return next(u for u in (await operator.admin.users.list()).items if u.id == USER_ID)


def validate_users_side(recording: Recorder) -> set[str]:
    """The user's own exchanges (not the operator's management calls nor its listing), each against its file."""
    return {
        validate(exchange, undocumented_status=True)
        for exchange in users_calls(recording)
        if "/management/" not in exchange.path and exchange.path != "/api/users/v1/users"
    }


async def test_both_sides_see_one_seeded_record(fake: FakeAmino, client: AminoClient, operator: AminoClient) -> None:
    mine, theirs = await client.users.get(), await listed(operator)
    for user in (mine, theirs):
        assert user.name is not None and user.name.full_name == "User"
        assert (user.email, user.external_reference, user.registration_state) == (USERNAME, "BSS-1001", "REGISTERED")
        assert user.user_flags == ()
    segments = await client.market_segments.list()
    assert segments == await operator.admin.users.market_segments(USER_ID)
    assert len(segments) == 1 and segments[0].id in fake.accounts.segments
    assert [s.name for s in segments] == list(fake.accounts.segment_names(the_user(fake)))


async def test_an_operators_flag_is_in_the_users_record_and_next_token(
    fake: FakeAmino, client: AminoClient, operator: AminoClient, recording: Recorder
) -> None:
    first = await client.login()
    assert first.flags == ()
    await operator.admin.users.add_flag(USER_ID, "LICENSE_PURCHASE_RESTRICTED")
    assert (await client.users.get()).user_flags == ("LICENSE_PURCHASE_RESTRICTED",)
    assert (await client.login()).flags == ("LICENSE_PURCHASE_RESTRICTED",)
    assert fake.accounts.of(the_user(fake)).flags == ["LICENSE_PURCHASE_RESTRICTED"]
    await operator.admin.users.remove_flag(USER_ID, "LICENSE_PURCHASE_RESTRICTED")
    assert (await client.users.get()).user_flags == ()
    assert validate_users_side(recording) == {"user_info"}


async def test_an_operators_market_segments_are_the_users(
    fake: FakeAmino, client: AminoClient, operator: AminoClient, recording: Recorder
) -> None:
    ids = list(fake.accounts.segments)
    await operator.admin.users.set_market_segments(USER_ID, [ids[1], ids[3]])
    expected = [MarketSegment(id=ids[1], name="dsl"), MarketSegment(id=ids[3], name="business")]
    assert await client.market_segments.list() == expected
    assert await operator.admin.users.market_segments(USER_ID) == expected
    await operator.admin.users.set_market_segments(USER_ID, [])
    assert await client.market_segments.list() == []
    assert validate_users_side(recording) == {"market_segments"}


async def test_the_users_own_name_and_telephone_are_in_the_operators_listing(
    fake: FakeAmino, client: AminoClient, operator: AminoClient, recording: Recorder
) -> None:
    await client.users.update(
        name=UserNameBody("Jane Q. Doe", first_name="Jane", last_name="Doe"),
        contact_details=ContactDetailsBody("+358 40 123 4567"),
    )
    theirs = await listed(operator)
    assert theirs.name is not None
    assert (theirs.name.full_name, theirs.name.first_name, theirs.name.last_name) == ("Jane Q. Doe", "Jane", "Doe")
    assert theirs.contact_details is not None
    assert (theirs.contact_details.email, theirs.contact_details.telephone_number_e123) == (
        USERNAME,
        "+358 40 123 4567",
    )
    # A name given again is the whole name: the parts left out are gone, on both sides.
    await client.users.update(name=UserNameBody("Jane"))
    for user in (await client.users.get(), await listed(operator)):
        assert user.name is not None and (user.name.full_name, user.name.first_name) == ("Jane", None)
    assert validate_users_side(recording) == {"user_info"}


async def test_the_bss_registration_state_and_email_are_the_users(
    fake: FakeAmino, client: AminoClient, operator: AminoClient, recording: Recorder
) -> None:
    await operator.admin.bss.edit_user(
        USERNAME, service="dnaclient", action="SUSPEND", purchase_pin="1234", new_email="jane@example.com"
    )
    mine = await client.users.get()
    assert mine.registration_information is not None
    assert mine.registration_information.current_registration_state == "DISABLED"
    assert mine.registration_information.previous_registration_state == "REGISTERED"
    assert mine.email == "jane@example.com"
    assert (await listed(operator)).email == "jane@example.com"
    assert validate_users_side(recording) == {"user_info"}


async def test_either_areas_reset_forgets_the_record(
    fake: FakeAmino, client: AminoClient, operator: AminoClient
) -> None:
    for reset in (fake.user_config.reset, fake.admin.reset, fake.accounts.reset):
        await operator.admin.users.add_flag(USER_ID, "VIP")
        await client.users.update(name=UserNameBody("Changed"))
        reset()
        for user in (await client.users.get(), await listed(operator)):
            assert user.user_flags == ()
            assert user.name is not None and user.name.full_name == "User"
