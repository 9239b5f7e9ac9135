"""The operator area against FakeAmino: ``client.admin`` (users, licensing, network permissions, entitlements, the
BSS user management, the service login), under asyncio and trio.

Every exchange of a test goes through :class:`~tests.helpers.Recorder` and, at the end of the test,
is checked against the OpenAPI file documenting it (requests always, answers whose status the file documents), so
each test checks what the SDK sent and what the fake answered against the files, besides what the fake stored and
what the SDK decoded.
"""

from __future__ import annotations

import contextlib
import gc
import json
import subprocess
import sys
import tracemalloc
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import httpx
import pytest
from anyio.from_thread import start_blocking_portal

from amino_async import (
    AminoClient,
    AuthenticationError,
    BadRequestError,
    ConfigurationError,
    CookieLogin,
    NotFoundError,
    PasswordLogin,
    PermissionDeniedError,
    RetryPolicy,
    ServerError,
    ServiceLogin,
    TransportError,
)
from amino_async._cli import main
from amino_async._resource import endpoints
from amino_async.models import (
    ChannelLicenseInput,
    ContactDetails,
    DvbEntitlement,
    DvbTriplet,
    GrantOutcome,
    License,
    MarketSegment,
    NetworkPermissionInput,
    NewUser,
    NewUserSecurity,
    PermissionsGranted,
    RegistrationInformation,
    StbLink,
    User,
    UserName,
)
from amino_async.testing import FakeAmino, FakeUser, FaultProxy
from amino_async.testing._state import default_profiles

from ..helpers import BASE_URL, PASSWORD, USER_ID, USERNAME, Recorder
from ._operator_openapi import check, operations

OPERATOR = "ops@example.com"
OPERATOR_PASSWORD = "op-secret"
OPERATOR_ID = "9001"
#: Exchanges checked against no file: the service login's challenge probe (its empty form is the SDK's inferred
#: way to obtain the Digest challenge, and the file requires authParams) and the auth flow's token calls.
UNCHECKED = ("/api/auth/v1/",)


@pytest.fixture
def fake() -> FakeAmino:
    fake = FakeAmino(channels=60)
    fake.admin.add_operator(fake, OPERATOR, OPERATOR_PASSWORD, user_id=OPERATOR_ID)
    return fake


@pytest.fixture
def wire(fake: FakeAmino) -> Iterator[Recorder]:
    """Every exchange of the test, checked against the files when it ends."""
    exchanges = Recorder(fake)
    yield exchanges
    ours = [
        exchange
        for exchange in exchanges.exchanges
        if not exchange.path.startswith(UNCHECKED) and not (exchange.path == "/auth/service" and not exchange.body)
    ]
    checked = [check(exchange, "admin") for exchange in ours]
    # A test that got an answer checks it against its file, not only the requests.
    assert any(result.response_checked for result in checked) or all(e.status >= 400 for e in ours)


def client_of(wire: Recorder, **options: Any) -> AminoClient:
    return AminoClient(BASE_URL, transport=httpx.ASGITransport(app=wire), **options)


@pytest.fixture
async def admin(wire: Recorder) -> AsyncIterator[AminoClient]:
    """A client logged in as the operator's service account."""
    async with client_of(wire, credentials=ServiceLogin(OPERATOR, OPERATOR_PASSWORD)) as client:
        yield client


@pytest.fixture
async def user(wire: Recorder) -> AsyncIterator[AminoClient]:
    """A client logged in as the plain end user 1001."""
    async with client_of(wire, username=USERNAME, password=PASSWORD) as client:
        yield client


def new_user(email: str = "ada@example.com", **security: Any) -> NewUser:
    return NewUser(
        name=UserName(full_name="Ada Lovelace", first_name="Ada", last_name="Lovelace"),
        contact_details=ContactDetails(email=email, telephone_number_e123="+358 40 123 4567"),
        security=NewUserSecurity(new_password="analytical", **security),
        registration_information=RegistrationInformation(
            registration_timestamp=1_700_000_000,
            expiry_timestamp=2_000_000_000,
            current_registration_state="REGISTERED",
        ),
        external_reference="BSS-42",
        user_flags=("TEST_FLAG1",),
    )


def package_id(fake: FakeAmino, index: int = 0) -> str:
    return fake.admin.packages(fake)[index].id


# --- the listing ---------------------------------------------------------------------------------------------


def test_every_operation_of_the_files_has_a_method() -> None:
    listed = {(e.http_method, e.path) for e in endpoints(AminoClient, __import__("amino_async").DEFAULT_PREFIXES)}
    documented = operations("admin")
    # getUser is the user configuration's client.users.get; loginUser is the auth flow's.
    ours = [(m, p, op) for _, m, p, op in documented if op not in ("getUser", "loginUser")]
    assert len(ours) == 30  # 6 users + 6 license + 6 network + 5 license/* (4 routes) + 2 irdeto + 4 BSS + 1 login
    missing = [(m, p, op) for m, p, op in ours if (m, p) not in listed]
    assert missing == []
    assert len({(m, p) for m, p, _ in ours}) == 29


# --- the service login ---------------------------------------------------------------------------------------


async def test_a_service_account_logs_in_with_digest_parameters_and_a_cookie_exchange(
    fake: FakeAmino, wire: Recorder, admin: AminoClient
) -> None:
    tokens = await admin.login()
    assert tokens.user_id == OPERATOR
    probe, login, exchange = wire.exchanges[:3]
    assert (probe.method, probe.path, probe.body, probe.status) == ("POST", "/auth/service", b"", 401)
    assert 'realm="service"' in probe.response_headers["www-authenticate"]
    form = {name: values[0] for name, values in parse_qs(login.body.decode()).items()}
    assert login.headers["content-type"] == "application/x-www-form-urlencoded"
    assert form["serviceUser"] == OPERATOR
    assert form["requestMethod"] == "POST"
    assert form["uri"] == f"{BASE_URL}/api/user/{OPERATOR.replace('@', '%40')}/login"
    params = form["authParams"]
    assert params.startswith("Digest ")
    for part in (f'username="{OPERATOR}"', 'realm="service"', "qop=auth", "nc=00000001", "response="):
        assert part in params
    assert login.status == 200 and "amino_session=" in login.response_headers["set-cookie"]
    assert (exchange.method, exchange.path) == ("POST", f"/api/user/{OPERATOR}/login")
    assert exchange.headers["cookie"].startswith("amino_session=") and "authorization" not in exchange.headers
    for seen in wire.exchanges:
        assert OPERATOR_PASSWORD not in seen.body.decode() + json.dumps(seen.headers)
    assert fake.stats.grants["service"] == 1 and fake.stats.grants["cookie"] == 1
    # Its tokens make admin calls.
    assert (await admin.admin.licenses.packages())[0].name == "Basic"


async def test_a_wrong_password_or_an_end_user_cannot_log_in_as_a_service(fake: FakeAmino, wire: Recorder) -> None:
    async with client_of(wire, credentials=ServiceLogin(OPERATOR, "wrong")) as client:
        with pytest.raises(AuthenticationError) as refused:
            await client.login()
    assert refused.value.status == 401
    assert "wrong" not in str(refused.value)
    async with client_of(wire, credentials=ServiceLogin(USERNAME, PASSWORD)) as client:
        with pytest.raises(AuthenticationError):
            await client.login()
    assert fake.stats.token_refusals["bad_service_digest"] == 2
    assert fake.stats.grants["service"] == 0


def test_service_login_credentials_keep_their_secret() -> None:
    login = ServiceLogin(OPERATOR, OPERATOR_PASSWORD, user_id=OPERATOR_ID)
    assert OPERATOR_PASSWORD not in repr(login) and OPERATOR in repr(login)
    assert login.can_log_in and login.user == OPERATOR
    assert login.with_profile("p-1") == ServiceLogin(OPERATOR, OPERATOR_PASSWORD, user_id=OPERATOR_ID, profile_id="p-1")
    assert login.fingerprint("salt") != ServiceLogin(OPERATOR, "other", user_id=OPERATOR_ID).fingerprint("salt")
    for bad in ({"username": "ops\r\nX-Evil: 1"}, {"password": "a\x00b"}, {"user_id": "9\n"}):
        arguments: dict[str, Any] = {"username": OPERATOR, "password": OPERATOR_PASSWORD, **bad}
        user_id = arguments.pop("user_id", None)
        with pytest.raises(ConfigurationError) as refused:
            ServiceLogin(arguments["username"], arguments["password"], user_id=user_id)
        assert "X-Evil" not in str(refused.value)


async def test_service_login_is_a_method_and_its_session_logs_in(fake: FakeAmino, user: AminoClient) -> None:
    session = await user.admin.service_login(OPERATOR, OPERATOR_PASSWORD)
    assert isinstance(session, CookieLogin) and session.user_id == OPERATOR
    assert "amino_session" not in repr(session)
    operator = user.with_auth(session)
    await operator.admin.users.add_flag(USER_ID, "VIP")
    assert fake.accounts.of(fake.directory.resolve(USER_ID)).flags == ["VIP"]  # type: ignore[arg-type]


async def test_an_operator_may_log_in_with_a_password_too(wire: Recorder) -> None:
    async with client_of(wire, credentials=PasswordLogin(OPERATOR, OPERATOR_PASSWORD)) as client:
        assert len(await client.admin.network_permissions.list()) == 0


# --- refusals of a plain end user ------------------------------------------------------------------------------


ADMIN_CALLS: dict[str, Callable[[AminoClient, FakeAmino], Awaitable[object]]] = {
    "users.list": lambda c, f: c.admin.users.list(),
    "users.create": lambda c, f: c.admin.users.create(new_user()),
    "users.market_segments": lambda c, f: c.admin.users.market_segments(USER_ID),
    "users.set_market_segments": lambda c, f: c.admin.users.set_market_segments(USER_ID, []),
    "users.add_flag": lambda c, f: c.admin.users.add_flag(USER_ID, "VIP"),
    "users.remove_flag": lambda c, f: c.admin.users.remove_flag(USER_ID, "VIP"),
    "licenses.packages": lambda c, f: c.admin.licenses.packages(),
    "licenses.templates": lambda c, f: c.admin.licenses.templates(),
    "licenses.grant": lambda c, f: c.admin.licenses.grant(USER_ID, package_id(f)),
    "licenses.revoke": lambda c, f: c.admin.licenses.revoke(USER_ID, package_id(f)),
    "licenses.add_channel_licenses": lambda c, f: c.admin.licenses.add_channel_licenses(
        USER_ID, [ChannelLicenseInput(f.channel_id(0), PermissionsGranted(("live",)))]
    ),
    "licenses.delete_channel_license": lambda c, f: c.admin.licenses.delete_channel_license(USER_ID, "x"),
    "licenses.list": lambda c, f: c.admin.licenses.list(),
    "licenses.channel_licenses(other)": lambda c, f: c.admin.licenses.channel_licenses(user_id=OPERATOR_ID),
    "licenses.recording_devices(other)": lambda c, f: c.admin.licenses.recording_devices(user_id=OPERATOR_ID),
    "licenses.purchase(other)": lambda c, f: c.admin.licenses.purchase(
        f.catalogue_ids.product.make(0), pin_code="0000", user_id=OPERATOR_ID
    ),
    "network_permissions.list": lambda c, f: c.admin.network_permissions.list(),
    "network_permissions.create": lambda c, f: c.admin.network_permissions.create(
        NetworkPermissionInput(("live",), ip4_cidr_block="10.0.0.0/8")
    ),
    "network_permissions.update": lambda c, f: c.admin.network_permissions.update(
        "x", NetworkPermissionInput(("live",), ip4_cidr_block="10.0.0.0/8")
    ),
    "network_permissions.delete": lambda c, f: c.admin.network_permissions.delete("x"),
    "network_permissions.link": lambda c, f: c.admin.network_permissions.link(f.channel_id(0), ["x"]),
    "network_permissions.unlink": lambda c, f: c.admin.network_permissions.unlink(f.channel_id(0), "x"),
    "entitlements.create": lambda c, f: c.admin.entitlements.create(USER_ID, "STB-1", [DVB]),
    "entitlements.delete": lambda c, f: c.admin.entitlements.delete(USER_ID, "STB-1"),
    "bss.create_user": lambda c, f: c.admin.bss.create_user("x@example.com", service="s", cid="c", purchase_pin="1234"),
    "bss.edit_user": lambda c, f: c.admin.bss.edit_user(USERNAME, service="s", action="SUSPEND", purchase_pin="1234"),
    "bss.delete_user": lambda c, f: c.admin.bss.delete_user(USERNAME, service="s"),
    "bss.link_stb": lambda c, f: c.admin.bss.link_stb("STB-1", USERNAME),
}
DVB = DvbEntitlement(DvbTriplet(original_network_id=42249, transport_stream_id=122, service_id="1553"), "C")


@pytest.mark.parametrize("name", sorted(ADMIN_CALLS))
async def test_a_plain_end_users_token_is_refused_every_admin_call(
    name: str, fake: FakeAmino, user: AminoClient
) -> None:
    before = (dict(fake.admin.grants), dict(fake.admin.network_permissions), len(fake.users))
    with pytest.raises(PermissionDeniedError) as refused:
        await ADMIN_CALLS[name](user, fake)
    assert refused.value.status == 403
    assert refused.value.errors and refused.value.errors[0].code in ("0523AC", "403")
    assert (dict(fake.admin.grants), dict(fake.admin.network_permissions), len(fake.users)) == before
    assert fake.accounts.of(fake.directory.resolve(USER_ID)).flags == []  # type: ignore[arg-type]


# --- users ---------------------------------------------------------------------------------------------------


async def test_create_a_user_who_can_then_log_in(fake: FakeAmino, wire: Recorder, admin: AminoClient) -> None:
    await admin.admin.users.create(new_user())
    sent = wire.last("POST", "/api/users/v1/users")
    assert sent.json == {
        "external_reference": "BSS-42",
        "name": {"full_name": "Ada Lovelace", "first_name": "Ada", "last_name": "Lovelace"},
        "contact_details": {"email": "ada@example.com", "telephone_number_E123": "+358 40 123 4567"},
        "security": {"password_hashing_algorithm": "digest", "new_password": "analytical"},
        "registration_information": {
            "registration_timestamp": 1_700_000_000,
            "expiry_timestamp": 2_000_000_000,
            "current_registration_state": "REGISTERED",
        },
        "user_flags": ["TEST_FLAG1"],
    }
    assert sent.status == 201 and sent.response_body == b"CREATED"
    created = fake.directory.by_name("ada@example.com")
    assert created is not None and not created.operator
    account = fake.accounts.of(created)
    assert (account.full_name, account.external_reference, account.flags) == ("Ada Lovelace", "BSS-42", ["TEST_FLAG1"])
    listed = [u for u in (await admin.admin.users.list()).items if u.email == "ada@example.com"]
    assert isinstance(listed[0], User)
    assert listed[0].id == created.user_id and listed[0].name.full_name == "Ada Lovelace"
    assert listed[0].registration_state == "REGISTERED" and listed[0].user_flags == ("TEST_FLAG1",)
    assert "analytical" not in repr(new_user())
    async with client_of(wire, username="ada@example.com", password="analytical") as ada:
        assert (await ada.login()).user_id == created.user_id


async def test_creating_a_user_refuses_a_taken_email_and_an_incomplete_body(wire: Recorder, admin: AminoClient) -> None:
    with pytest.raises(BadRequestError) as taken:
        await admin.admin.users.create(new_user(email=USERNAME))
    assert "exists" in (taken.value.detail or "")
    incomplete = NewUser(
        name=UserName(full_name="No Mail"),
        contact_details=ContactDetails(),
        registration_information=RegistrationInformation(),
    )
    with pytest.raises(BadRequestError):
        await admin.admin.users.create(incomplete)
    with pytest.raises(AssertionError, match="'email' is a required property"):
        check(wire.take_last(), "admin")  # the file refuses it too


async def test_users_are_listed_a_hundred_a_page_to_the_end(
    fake: FakeAmino, wire: Recorder, admin: AminoClient
) -> None:
    for index in range(248):
        user_id = str(20_000 + index)
        fake.directory.add(FakeUser(f"u{index}@example.com", "pw", user_id, default_profiles(user_id)))
    page = await admin.admin.users.list()
    assert len(page.items) == 100 and page.has_next
    every = [user.id async for user in admin.admin.users.iterate()]
    assert len(every) == len(fake.users) == 250
    assert len(set(every)) == 250
    pages = [parse_qs(e.query)["page_number"] for e in wire.exchanges if e.path == "/api/users/v1/users"]
    assert pages[-3:] == [["1"], ["2"], ["3"]]
    fake.accounts.of(fake.directory.resolve("20000")).state = "DELETED"  # type: ignore[arg-type]
    deleted = await admin.admin.users.list(registration_status="DELETED")
    assert [u.id for u in deleted.items] == ["20000"]
    assert parse_qs(wire.exchanges[-1].query)["registration_status"] == ["DELETED"]


async def test_market_segments_are_replaced_not_added(fake: FakeAmino, wire: Recorder, admin: AminoClient) -> None:
    ids = list(fake.accounts.segments)
    await admin.admin.users.set_market_segments(USER_ID, ids[:2])
    sent = wire.last("PUT")
    assert sent.path == f"/api/users/v1/management/users/{USER_ID}/relationships/market_segments"
    assert sent.json == [{"id": ids[0], "type": "MarketSegment"}, {"id": ids[1], "type": "MarketSegment"}]
    assert sent.status == 204
    await admin.admin.users.set_market_segments(USER_ID, [ids[3]])
    segments = await admin.admin.users.market_segments(USER_ID)
    assert segments == [MarketSegment(id=ids[3], name="business")]
    assert fake.accounts.of(fake.directory.resolve(USER_ID)).market_segments == [ids[3]]  # type: ignore[arg-type]
    await admin.admin.users.set_market_segments(USER_ID, [])
    assert await admin.admin.users.market_segments(USER_ID) == []
    with pytest.raises(BadRequestError):
        await admin.admin.users.set_market_segments(USER_ID, ["no-such-segment"])
    with pytest.raises(NotFoundError):
        await admin.admin.users.market_segments("424242")
    with pytest.raises(ConfigurationError):
        await admin.admin.users.set_market_segments(USER_ID, "fibre")  # a string is not a list of ids


async def test_user_flags_are_added_and_taken_away(fake: FakeAmino, wire: Recorder, admin: AminoClient) -> None:
    account = fake.accounts.of(fake.directory.resolve(USER_ID))  # type: ignore[arg-type]
    await admin.admin.users.add_flag(USER_ID, "LICENSE_PURCHASE_RESTRICTED")
    await admin.admin.users.add_flag(USER_ID, "LICENSE_PURCHASE_RESTRICTED")
    sent = wire.last("PUT")
    assert (sent.path, parse_qs(sent.query), sent.status) == (
        f"/api/users/v1/management/users/{USER_ID}/relationships/user_flags",
        {"flag": ["LICENSE_PURCHASE_RESTRICTED"]},
        204,
    )
    assert account.flags == ["LICENSE_PURCHASE_RESTRICTED"]
    listed = next(u for u in (await admin.admin.users.list()).items if u.id == USER_ID)
    assert listed.user_flags == ("LICENSE_PURCHASE_RESTRICTED",)
    await admin.admin.users.remove_flag(USER_ID, "LICENSE_PURCHASE_RESTRICTED")
    assert wire.last("DELETE").status == 204 and account.flags == []
    with pytest.raises(BadRequestError):
        await admin.admin.users.remove_flag(USER_ID, "LICENSE_PURCHASE_RESTRICTED")
    with pytest.raises(BadRequestError):
        await admin.admin.users.add_flag(USER_ID, "no spaces")


# --- license packages and channel licenses -----------------------------------------------------------------


async def test_a_granted_package_shows_in_the_users_licenses_until_revoked(
    fake: FakeAmino, wire: Recorder, admin: AminoClient, user: AminoClient
) -> None:
    packages = await admin.admin.licenses.packages()
    assert [p.name for p in packages] == ["Basic", "Family", "Sports Plus", "Cinema", "After Dark"]
    basic = packages[0]
    templates = {t.id: t for t in await admin.admin.licenses.templates()}
    basic_templates = [t for t, _, _ in fake.admin.package(fake, basic.id).templates]  # type: ignore[union-attr]
    assert basic_templates and set(basic_templates) <= set(templates)

    await admin.admin.licenses.grant(USER_ID, basic.id)
    sent = wire.last("POST")
    assert sent.path == f"/api/license/v1/user/{USER_ID}/relationships/license_packages/{basic.id}"
    assert (sent.body, sent.status, sent.response_body) == (b"", 201, b"CREATED")
    assert fake.admin.granted(USER_ID) == [basic.id]

    # The user sees the licenses the grant made, one per template, with the template's id.
    mine = await user.admin.licenses.channel_licenses()
    assert wire.last("GET").path == f"/api/license/v1/user/{USER_ID}/relationships/channel_licenses"
    assert sorted(lic.template_id for lic in mine) == sorted(basic_templates)  # type: ignore[type-var]
    assert {lic.channel_id for lic in mine} == {templates[t].channel_id for t in basic_templates}
    assert all(lic.permissions_granted.services_enabled == ("live", "catchup", "startover") for lic in mine)
    # ... and the operator sees the package among the licenses.
    licenses = (await admin.admin.licenses.list()).items
    assert [(lic.user_ids, lic.product_ids) for lic in licenses] == [((USER_ID,), (basic.id,))]

    await admin.admin.licenses.revoke(USER_ID, basic.id)
    assert wire.last("DELETE").status == 200
    assert fake.admin.granted(USER_ID) == []
    assert await user.admin.licenses.channel_licenses() == []
    assert (await admin.admin.licenses.list()).items == ()
    with pytest.raises(NotFoundError):
        await admin.admin.licenses.revoke(USER_ID, basic.id)
    with pytest.raises(NotFoundError):
        await admin.admin.licenses.grant(USER_ID, "no-such-package")
    with pytest.raises(NotFoundError):
        await admin.admin.licenses.grant("424242", basic.id)


async def test_channel_licenses_are_added_and_removed_one_by_one(
    fake: FakeAmino, wire: Recorder, admin: AminoClient
) -> None:
    channel = fake.channel_id(3)
    await admin.admin.licenses.add_channel_licenses(
        USER_ID,
        [
            ChannelLicenseInput(channel, PermissionsGranted(("live", "catchup"), ("catchup",))),
            ChannelLicenseInput(fake.channel_id(4), PermissionsGranted(("live",))),
        ],
    )
    sent = wire.last("POST")
    assert sent.json == [
        {
            "channel_id": channel,
            "permissions_granted": {"services_enabled": ["live", "catchup"], "trickplay_enabled": ["catchup"]},
        },
        {
            "channel_id": fake.channel_id(4),
            "permissions_granted": {"services_enabled": ["live"], "trickplay_enabled": []},
        },
    ]
    stored = fake.admin.channel_licenses[USER_ID]
    assert sorted(lic.channel_id for lic in stored.values()) == [channel, fake.channel_id(4)]
    licenses = await admin.admin.licenses.channel_licenses(user_id=USER_ID)
    first = next(lic for lic in licenses if lic.channel_id == channel)
    assert first.permissions_granted == PermissionsGranted(("live", "catchup"), ("catchup",), None)
    await admin.admin.licenses.delete_channel_license(USER_ID, first.id)
    assert wire.last("DELETE").status == 204
    assert first.id not in stored and len(stored) == 1
    with pytest.raises(NotFoundError):
        await admin.admin.licenses.delete_channel_license(USER_ID, first.id)
    with pytest.raises(BadRequestError):
        await admin.admin.licenses.add_channel_licenses(
            USER_ID, [ChannelLicenseInput("not-a-channel", PermissionsGranted(("live",)))]
        )
    with pytest.raises(ConfigurationError):
        await admin.admin.licenses.add_channel_licenses(USER_ID, [])


async def test_an_end_user_reads_their_own_licensing_but_not_anyone_elses(
    fake: FakeAmino, wire: Recorder, user: AminoClient, admin: AminoClient
) -> None:
    devices = await user.admin.licenses.recording_devices()
    assert [(d.type, d.physical_device_id, d.quota_hours) for d in devices] == [("cloud", None, 100)]
    assert wire.last("GET").path == f"/api/license/v1/users/{USER_ID}/recording_devices"
    with pytest.raises(PermissionDeniedError):
        await user.admin.licenses.recording_devices(user_id=OPERATOR_ID)
    with pytest.raises(PermissionDeniedError):
        await user.admin.licenses.channel_licenses(user_id=OPERATOR_ID)
    # The operator reads anyone's.
    assert len(await admin.admin.licenses.recording_devices(user_id=USER_ID)) == 1


async def test_a_purchase_needs_the_pin_and_happens_once_per_idempotency_key(
    fake: FakeAmino, wire: Recorder, user: AminoClient, admin: AminoClient
) -> None:
    product = fake.catalogue_ids.product.make(2)
    fake.inject(f"/api/license/v4/users/{USER_ID}", status=503)  # the first attempt is not processed: retried
    license = await user.admin.licenses.purchase(product, pin_code="0000", idempotency_key="order-1")
    assert isinstance(license, License) and license.status == "ACTIVE"
    assert license.product_ids == (product,) and license.user_ids == (USER_ID,)
    assert license.purchase_record is not None and license.purchase_record.payment_method == "billing"
    attempts = [e for e in wire.exchanges if e.path == f"/api/license/v4/users/{USER_ID}"]
    assert [e.status for e in attempts] == [503, 201]
    assert {e.headers["idempotency-key"] for e in attempts} == {"order-1"}
    assert attempts[-1].json == {
        "data": {
            "type": "License",
            "attributes": {"purchase_record": {"payment_method": "billing"}},
            "relationships": {
                "user": {"data": {"type": "User", "id": USER_ID}},
                "product": {"data": {"type": "Product", "id": product}},
            },
            "meta": {"authorization": {"pin_code": "0000"}},
        }
    }
    again = await user.admin.licenses.purchase(product, pin_code="0000", idempotency_key="order-1")
    assert again.id == license.id and len(fake.admin.licenses[USER_ID]) == 1
    other = await user.admin.licenses.purchase(product, pin_code="0000")  # a fresh key: a second purchase
    assert other.id != license.id and len(fake.admin.licenses[USER_ID]) == 2
    keys = {e.headers["idempotency-key"] for e in wire.exchanges if e.path.startswith("/api/license/v4/")}
    assert len(keys) == 2
    with pytest.raises(PermissionDeniedError) as wrong_pin:
        await user.admin.licenses.purchase(product, pin_code="9999")
    assert wrong_pin.value.errors[0].code == "10200" and wrong_pin.value.detail is not None
    with pytest.raises(NotFoundError) as unknown:
        await user.admin.licenses.purchase("5000", pin_code="0000")
    assert unknown.value.errors[0].code == "30701" and '"5000"' in (unknown.value.detail or "")
    assert len(fake.admin.licenses[USER_ID]) == 2
    # An operator buys for a user.
    await admin.admin.licenses.purchase(product, pin_code="0000", user_id=USER_ID, payment_method="voucher")
    assert fake.admin.licenses[USER_ID][-1].payment_method == "voucher"


async def test_the_licenses_are_listed_a_thousand_a_page_and_filtered(
    fake: FakeAmino, wire: Recorder, admin: AminoClient
) -> None:
    basic = fake.admin.package(fake, package_id(fake))
    assert basic is not None
    for index in range(1_050):
        fake.admin.grant(fake, str(30_000 + index), basic)
    page = await admin.admin.licenses.list()
    assert len(page.items) == 1000 and page.has_next
    every = [lic.id async for lic in admin.admin.licenses.iterate()]
    assert len(every) == len(set(every)) == 1050
    assert [parse_qs(e.query)["page_number"] for e in wire.exchanges if e.path.endswith("/licenses")][-2:] == [
        ["1"],
        ["2"],
    ]
    assert len((await admin.admin.licenses.list(filter="payment_method:grant", page_number=2)).items) == 50
    assert (await admin.admin.licenses.list(filter="status:EXPIRED")).items == ()
    assert parse_qs(wire.exchanges[-1].query)["filter"] == ["status:EXPIRED"]
    with pytest.raises(BadRequestError):
        await admin.admin.licenses.list(filter="colour:blue")
    with pytest.raises(ConfigurationError):
        await admin.admin.licenses.list(page_number=0)


# --- network permissions -------------------------------------------------------------------------------------


async def test_network_permissions_are_created_updated_linked_and_deleted(
    fake: FakeAmino, wire: Recorder, admin: AminoClient
) -> None:
    await admin.admin.network_permissions.create(
        NetworkPermissionInput(("live", "catchup"), ip4_cidr_block="10.2.3.0/24")
    )
    sent = wire.last("POST")
    assert sent.json == {"services_enabled": ["live", "catchup"], "ip4_cidr_block": "10.2.3.0/24"}
    assert (sent.status, sent.response_body) == (201, b"CREATED")
    (permission,) = await admin.admin.network_permissions.list()
    assert (permission.ip4_cidr_block, permission.ip6_cidr_block, permission.services_enabled) == (
        "10.2.3.0/24",
        None,
        ("live", "catchup"),
    )
    await admin.admin.network_permissions.update(
        permission.id, NetworkPermissionInput(("live",), ip6_cidr_block="2001:db8::/43")
    )
    assert wire.last("PUT").status == 204
    assert fake.admin.network_permissions[permission.id] == {
        "ip6_cidr_block": "2001:db8::/43",
        "services_enabled": ["live"],
    }

    channel = fake.channel_id(7)
    await admin.admin.network_permissions.link(channel, [permission.id])
    linked = wire.last("POST")
    assert linked.path == f"/api/config/v1/channels/{channel}/relationships/network_permissions"
    assert linked.json == {"data": [{"type": "NetworkPermission", "id": permission.id}]}
    assert fake.admin.channel_permissions[channel] == [permission.id]
    await admin.admin.network_permissions.unlink(channel, permission.id)
    assert fake.admin.channel_permissions[channel] == []
    with pytest.raises(NotFoundError):
        await admin.admin.network_permissions.unlink(channel, permission.id)

    await admin.admin.network_permissions.link(channel, [permission.id])
    await admin.admin.network_permissions.delete(permission.id)
    assert await admin.admin.network_permissions.list() == []
    assert fake.admin.channel_permissions[channel] == []  # its links went with it
    with pytest.raises(NotFoundError):
        await admin.admin.network_permissions.delete(permission.id)
    with pytest.raises(BadRequestError):  # both blocks: the file allows one
        await admin.admin.network_permissions.create(
            NetworkPermissionInput(("live",), ip4_cidr_block="10.0.0.0/8", ip6_cidr_block="2001:db8::/43")
        )
    with pytest.raises(NotFoundError):
        await admin.admin.network_permissions.link(channel, ["no-such-permission"])
    with pytest.raises(NotFoundError):
        await admin.admin.network_permissions.link("not-a-channel", [permission.id])


# --- entitlements --------------------------------------------------------------------------------------------


async def test_an_entitlement_is_listed_until_deleted(fake: FakeAmino, wire: Recorder, admin: AminoClient) -> None:
    channel = fake.channel_id(5)
    await admin.admin.entitlements.create(USER_ID, "25-1234567", [DVB], channel_id=channel)
    sent = wire.last("POST")
    assert sent.path == f"/api/irdeto/v1/user/{USER_ID}/device/25-1234567/entitlements"
    body = {
        "dvb": [
            {
                "triplet": {"original_network_id": 42249, "transport_stream_id": 122, "service_id": "1553"},
                "transmission_type": "C",
            }
        ],
        "relationships": {"program": {"data": {"type": "Channel", "id": channel}}},
    }
    assert sent.json == body and sent.status == 201
    assert fake.admin.entitlements_of(USER_ID) == {"25-1234567": body}
    await admin.admin.entitlements.delete(USER_ID, "25-1234567")
    assert wire.last("DELETE").status == 200
    assert fake.admin.entitlements_of(USER_ID) == {}
    with pytest.raises(NotFoundError):
        await admin.admin.entitlements.delete(USER_ID, "25-1234567")
    with pytest.raises(BadRequestError):
        await admin.admin.entitlements.create(USER_ID, "25-1234567", [])


# --- the BSS user management ---------------------------------------------------------------------------------


async def test_bss_accounts_are_created_suspended_activated_renamed_and_deleted(
    fake: FakeAmino, wire: Recorder, admin: AminoClient
) -> None:
    import datetime

    bss = admin.admin.bss
    await bss.create_user(
        "grace@example.com", service="dnaclient", cid="C-1", purchase_pin="0042", dob=datetime.date(1906, 12, 9)
    )
    sent = wire.last("POST")
    assert sent.path == "/api/management/user" and sent.body == b""
    assert parse_qs(sent.query) == {
        "service": ["dnaclient"],
        "email": ["grace@example.com"],
        "cid": ["C-1"],
        "purchase_pin": ["0042"],
        "dob": ["1906-12-09"],
    }
    assert (sent.status, sent.response_body) == (200, b"CREATED")
    grace = fake.directory.by_name("grace@example.com")
    assert grace is not None
    account = fake.accounts.of(grace)
    assert (account.state, account.cid, account.purchase_pin, account.dob) == (
        "UNREGISTERED",
        "C-1",
        "0042",
        "1906-12-09",
    )

    await bss.edit_user("grace@example.com", service="dnaclient", action="SUSPEND", purchase_pin=1234)
    assert parse_qs(wire.last("PUT").query)["action"] == ["SUSPEND"]
    assert (account.state, account.previous_state, account.purchase_pin) == ("DISABLED", "UNREGISTERED", "1234")
    await bss.edit_user(
        "grace@example.com",
        service="dnaclient",
        action="ACTIVATE",
        purchase_pin="1234",
        new_email="g@example.com",
        reset_pin=True,
    )
    edited = parse_qs(wire.last("PUT").query)
    assert edited["email"] == ["grace@example.com"] and edited["new_email"] == ["g@example.com"]
    assert edited["isResetPin"] == ["true"]
    assert (account.state, account.email) == ("UNREGISTERED", "g@example.com")
    with pytest.raises(NotFoundError):  # the old e-mail names nobody now
        await bss.delete_user("grace@example.com", service="dnaclient")
    await bss.delete_user("g@example.com", service="dnaclient", stamp=1_700_000_000)
    assert parse_qs(wire.last("DELETE").query) == {
        "service": ["dnaclient"],
        "email": ["g@example.com"],
        "suspend": ["true"],
        "stamp": ["1700000000"],
    }
    assert (account.state, account.previous_state) == ("DELETED", "UNREGISTERED")
    with pytest.raises(BadRequestError):
        await bss.edit_user("g@example.com", service="dnaclient", action="ACTIVATE", purchase_pin="1234")
    # Creating a deleted account again restores it.
    await bss.create_user("g@example.com", service="dnaclient", cid="C-1", purchase_pin="0042")
    assert account.state == "UNREGISTERED" and len([u for u in fake.users if u.user_id == grace.user_id]) == 1


async def test_bss_refusals_are_typed_errors_with_the_legacy_code(admin: AminoClient) -> None:
    with pytest.raises(BadRequestError) as bad_pin:
        await admin.admin.bss.create_user("x@example.com", service="s", cid="C-9", purchase_pin="12")
    assert bad_pin.value.errors[0].code == "2001"
    assert bad_pin.value.detail == "purchase_pin must be 4 digits"
    assert "purchase_pin must be 4 digits" in str(bad_pin.value)
    with pytest.raises(BadRequestError) as taken:
        await admin.admin.bss.create_user(USERNAME, service="s", cid="C-9", purchase_pin="1234")
    assert taken.value.errors[0].code == "2002"


async def test_a_set_top_box_is_linked_and_becomes_a_recording_device(
    fake: FakeAmino, wire: Recorder, admin: AminoClient
) -> None:
    link = await admin.admin.bss.link_stb("25-1234567", USERNAME, chipset_id="BCM72604UB")
    sent = wire.last("POST")
    assert sent.headers["content-type"] == "application/x-www-form-urlencoded"
    assert parse_qs(sent.body.decode()) == {
        "serial_no": ["25-1234567"],
        "email": [USERNAME],
        "chipset_id": ["BCM72604UB"],
    }
    assert link == StbLink(id=link.id, serial_no="25-1234567", user=link.user)
    assert (link.user.id, link.user.email) == (USER_ID, USERNAME)
    devices = await admin.admin.licenses.recording_devices(user_id=USER_ID)
    assert [(d.type, d.physical_device_id) for d in devices] == [("cloud", None), ("stb", "25-1234567")]
    with pytest.raises(BadRequestError):
        await admin.admin.bss.link_stb("25-1234567", OPERATOR)  # another user's box
    with pytest.raises(NotFoundError):
        await admin.admin.bss.link_stb("25-7654321", "nobody@example.com")


# --- the boundary --------------------------------------------------------------------------------------------


async def test_hostile_ids_are_refused_or_sent_as_one_segment(
    fake: FakeAmino, wire: Recorder, admin: AminoClient
) -> None:
    await admin.login()
    sent_before = len(wire.exchanges)
    for hostile in ("..", ".", ""):
        with pytest.raises(ConfigurationError):
            await admin.admin.licenses.grant(hostile, package_id(fake))
        with pytest.raises(ConfigurationError):
            await admin.admin.entitlements.delete(USER_ID, hostile)
    assert len(wire.exchanges) == sent_before  # nothing went out
    with pytest.raises(NotFoundError):
        await admin.admin.licenses.grant("a/b?c#d", package_id(fake))
    seen = wire.exchanges[-1]
    assert seen.path == f"/api/license/v1/user/a/b?c#d/relationships/license_packages/{package_id(fake)}"
    assert seen.query == "" and "/user/a%2Fb%3Fc%23d/" in seen.raw_path  # one segment, the '?' inside it
    assert fake.stats.calls["admin_grant_package"] == 1


async def test_the_fake_refuses_malformed_bodies(fake: FakeAmino, admin: AminoClient) -> None:
    tokens = await admin.login()
    headers = {"Authorization": f"Bearer {tokens.access_token}"}
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=fake), base_url=BASE_URL, headers=headers) as raw:
        for method, path, body in (
            ("POST", "/api/users/v1/users", b"not json"),
            ("PUT", f"/api/users/v1/management/users/{USER_ID}/relationships/market_segments", b'{"id": 1}'),
            ("POST", f"/api/license/v1/user/{USER_ID}/relationships/channel_licenses", b'[{"channel_id": 1}]'),
            ("POST", "/api/config/v1/network_permissions", b'{"services_enabled": ["fly"], "ip4_cidr_block": "1/2"}'),
            ("POST", f"/api/irdeto/v1/user/{USER_ID}/device/x/entitlements", b'{"dvb": [{"triplet": {}}]}'),
        ):
            answer = await raw.request(method, path, content=body)
            assert answer.status_code == 400, (method, path, answer.text)
            assert set(answer.json()["errors"][0]) == {"id", "href", "code", "title", "details"}
        missing_key = await raw.post(f"/api/license/v4/users/{USER_ID}", json={})
        assert missing_key.status_code == 400 and missing_key.json()["errors"][0]["status"] == "400"
        no_flag = await raw.put(f"/api/users/v1/management/users/{USER_ID}/relationships/user_flags")
        assert no_flag.status_code == 400
        unprotected = await raw.post("/api/management/stb/link_user", content=b"serial_no=1")
        assert unprotected.status_code == 400 and unprotected.json()["error"]["code"] == 2000


async def test_admin_calls_over_a_real_socket(fake: FakeAmino) -> None:
    package = package_id(fake, 1)
    templates = fake.admin.package(fake, package).templates  # type: ignore[union-attr]
    async with (
        fake.serve() as base_url,
        AminoClient(base_url, credentials=ServiceLogin(OPERATOR, OPERATOR_PASSWORD)) as client,
    ):
        await client.admin.licenses.grant(USER_ID, package)
        await client.admin.network_permissions.create(NetworkPermissionInput(("npvr",), ip4_cidr_block="192.0.2.0/24"))
        assert len(await client.admin.licenses.channel_licenses(user_id=USER_ID)) == len(templates)
        assert (await client.admin.network_permissions.list())[0].services_enabled == ("npvr",)
    assert fake.admin.granted(USER_ID) == [package]


async def test_reset_forgets_the_admin_state(fake: FakeAmino, admin: AminoClient) -> None:
    await admin.admin.licenses.grant(USER_ID, package_id(fake))
    await admin.admin.users.add_flag(USER_ID, "VIP")
    fake.admin.reset()
    assert fake.admin.granted(USER_ID) == [] and fake.admin.channel_licenses == {}
    assert fake.accounts.of(fake.directory.resolve(USER_ID)).flags == []  # type: ignore[arg-type]


# --- bulk grants ---------------------------------------------------------------------------------------------

BULK_USERS = 5_000
FIRST_BULK_ID = 100_000
GRANTS = "/api/license/v1/user/*/relationships/license_packages/*"
#: Quick retries: hundreds of 503s would otherwise cost half a second each.
FAST_RETRY = RetryPolicy(initial_delay=0.001, max_delay=0.005)


def bulk_ids(start: int, count: int) -> Iterator[str]:
    """User ids, made as the bulk grant reads them: none is held by the caller."""
    return (str(FIRST_BULK_ID + index) for index in range(start, start + count))


def add_bulk_users(fake: FakeAmino, count: int) -> list[str]:
    ids = list(bulk_ids(0, count))
    for user_id in ids:
        fake.directory.add(FakeUser(f"bulk{user_id}@example.com", "pw", user_id, default_profiles(user_id)))
    return ids


async def test_a_bulk_grant_reaches_every_user_once_and_none_twice_through_503s_and_resets(fake: FakeAmino) -> None:
    ids = add_bulk_users(fake, BULK_USERS)
    package = package_id(fake)
    path = "/api/license/v1/user/{}/relationships/license_packages/" + package
    once = ids[::17][:250]  # a 503 the retries absorb
    always = ids[5::97][:40]  # 503 on every attempt (1 + 2 retries): failed, never processed
    for user_id in once:
        fake.inject(path.format(user_id), times=1, status=503)
    for user_id in always:
        fake.inject(path.format(user_id), times=3, status=503)
    outcomes: dict[str, GrantOutcome] = {}
    async with (
        fake.serve() as upstream,
        FaultProxy(upstream, seed=11, reset_before_request=0.01, reset_mid_body=0.01, paths=GRANTS) as proxy,
        AminoClient(proxy.url, credentials=ServiceLogin(OPERATOR, OPERATOR_PASSWORD), retry=FAST_RETRY) as client,
        client.admin.licenses.grant_many(iter(ids), package, concurrency=32) as results,
    ):
        async for outcome in results:
            assert outcome.user_id not in outcomes, "a user came back twice"
            outcomes[outcome.user_id] = outcome
    assert len(outcomes) == BULK_USERS and set(outcomes) == set(ids)  # every user, exactly once
    status = Counter(outcome.status for outcome in outcomes.values())
    resets = proxy.faults["reset_before_request"] + proxy.faults["reset_mid_body"]
    assert proxy.faults["reset_before_request"] > 0 and proxy.faults["reset_mid_body"] > 0
    # Each reset ended its user's grant (it was not sent again), as unknown. Beyond those, at most a rare few: a
    # pooled connection the server closed while idle (on a loaded machine), met by the next grant, fails as a
    # request that may have reached the server does, and is rightly unknown too.
    unknown_errors = Counter(type(o.error).__name__ for o in outcomes.values() if o.status == "unknown")
    assert resets <= status["unknown"] <= resets + 3, (unknown_errors, proxy.faults)
    assert fake.stats.faults["503"] >= len(once) + 2 * len(always)
    for user_id, outcome in outcomes.items():
        held = fake.admin.granted(user_id).count(package)
        assert held <= 1, f"user {user_id} holds the package {held} times"  # never granted twice
        if outcome.status == "granted":
            assert held == 1 and outcome.error is None
        elif outcome.status == "failed":
            assert held == 0
            assert isinstance(outcome.error, ServerError) and outcome.error.status == 503
        else:
            assert isinstance(outcome.error, TransportError)
    for user_id in always:
        assert outcomes[user_id].status != "granted"
    assert status["failed"] >= len(always) - resets
    # An answer reset mid-body was processed (the user holds the package); a request reset before it reached the
    # server was not (a 503 cut mid-body was not either): unknown either way, and not sent again.
    unknown_done = sum(1 for o in outcomes.values() if o.status == "unknown" and fake.admin.granted(o.user_id))
    assert 0 < unknown_done <= proxy.faults["reset_mid_body"]
    assert status["granted"] + unknown_done == sum(1 for user_id in ids if fake.admin.granted(user_id))


_FAKE_PROCESS = """
import sys

import anyio

from amino_async.testing import FakeAmino, FakeUser, FaultProxy
from amino_async.testing._state import default_profiles

count, first, every, resets = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4])
fake = FakeAmino(channels=20)
fake.admin.add_operator(fake, {operator!r}, {password!r}, user_id="9001")
for index in range(count):
    user_id = str(first + index)
    fake.directory.add(FakeUser("bulk" + user_id + "@example.com", "pw", user_id, default_profiles(user_id)))
package = fake.admin.packages(fake)[0].id
for index in range(0, count, every):
    fake.inject("/api/license/v1/user/%d/relationships/license_packages/%s" % (first + index, package), status=503)


async def main():
    async with fake.serve() as upstream, FaultProxy(
        upstream, seed=3, reset_before_request=resets, reset_mid_body=resets, paths={grants!r}
    ) as proxy:
        print(proxy.url, upstream, package, flush=True)
        await anyio.sleep_forever()


anyio.run(main)
"""


@contextlib.contextmanager
def fake_process(count: int, fault_every: int = 23, resets: float = 0.005) -> Iterator[tuple[str, str, str]]:
    """A FakeAmino with ``count`` bulk users, behind a FaultProxy, in a process of its own (the fake's state grows
    with the users, and the proxy's buffers come and go: neither is what this process's memory is to measure).

    Yields the proxy's URL, the fake's, and the id of the package to grant; one user in ``fault_every`` answers 503
    once, and ``resets`` is the chance that the proxy resets a grant before its request, and after its answer began.
    """
    script = _FAKE_PROCESS.format(operator=OPERATOR, password=OPERATOR_PASSWORD, grants=GRANTS)
    process = subprocess.Popen(
        [sys.executable, "-c", script, str(count), str(FIRST_BULK_ID), str(fault_every), str(resets)],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert process.stdout is not None
        proxy_url, fake_url, package = process.stdout.readline().split()
        yield proxy_url, fake_url, package
    finally:
        process.terminate()
        process.wait(timeout=10)
        if process.stdout is not None:
            process.stdout.close()


#: Outcomes between full collections in the memory test. httpx's and aiohttp's responses are reference cycles, so
#: without them the peak would measure how long the collector waits (its last generation is collected only once
#: it has grown by a quarter), which grows with the run, rather than what the bulk grant holds. Everything older
#: than the run is frozen (``gc.freeze``), so that each collection looks at the run's own objects only.
COLLECT_EVERY = 10
CONCURRENCY = 32


async def grant_counted(client: AminoClient, start: int, count: int, package: str, seen: bytearray) -> Counter[str]:
    """Grant to ``count`` users from ``start``, marking each user's outcome in ``seen`` (allocated beforehand)."""
    status: Counter[str] = Counter()
    async with client.admin.licenses.grant_many(bulk_ids(start, count), package, concurrency=CONCURRENCY) as results:
        done = 0
        async for outcome in results:
            seen[int(outcome.user_id) - FIRST_BULK_ID - start] += 1
            status[outcome.status] += 1
            done += 1
            if done % COLLECT_EVERY == 0:
                gc.collect()
    return status


async def test_a_bulk_grant_holds_no_more_memory_for_5000_users_than_for_1000() -> None:
    """The peak traced memory of a grant to 5,000 users is within 10% of that of a grant to 1,000.

    A peak is the highest point of a fluctuating quantity (grants in flight, the network stack's buffers): a run five
    times as long meets its rare highs more often. So the 1,000-user peak is the highest of five such runs, and
    both sides have met the same 5,000 grants: what would still set the long run apart is memory held per user.
    """
    warm_up, small, large, repeats = 1_000, 1_000, BULK_USERS, 5
    with fake_process(warm_up + small * repeats + large) as (url, fake_url, package):
        async with AminoClient(
            url,
            credentials=ServiceLogin(OPERATOR, OPERATOR_PASSWORD),
            retry=FAST_RETRY,
            # As many connections as grants in flight: the pool is at its size after the warm-up, where the default
            # pool (100) would still be growing by a connection for each reset's replacement.
            limits=httpx.Limits(max_connections=CONCURRENCY, max_keepalive_connections=CONCURRENCY),
        ) as client:
            # Unmeasured: the login, the pool's connections, and the imports and caches of first use. As long as a
            # small run, so that its rarer paths (a given-up 503, a reset, a replaced connection) have each been
            # met before measuring: the SDK imports what it needs lazily, and a first import is no per-user cost.
            await grant_counted(client, 0, warm_up, package, bytearray(warm_up))
            peaks: dict[int, list[int]] = {small: [], large: []}
            start = warm_up
            for count in (large, *[small] * repeats):
                seen = bytearray(count)
                gc.collect()
                gc.freeze()
                tracemalloc.start()
                try:
                    status = await grant_counted(client, start, count, package, seen)
                    peaks[count].append(tracemalloc.get_traced_memory()[1])
                finally:
                    tracemalloc.stop()
                    gc.unfreeze()
                assert seen.count(1) == count  # every user once
                assert sum(status.values()) == count and status["unknown"] > 0
                start += count
        async with httpx.AsyncClient() as http:
            stats = (await http.get(f"{fake_url}/_fake/stats")).json()
    # One user in 23 answered 503 once, absorbed by a retry (but those whose request a reset kept away).
    assert 0.9 * len(range(0, start, 23)) <= stats["faults"]["503"] <= len(range(0, start, 23))
    assert peaks[large][0] <= max(peaks[small]) * 1.10, peaks


async def test_every_operation_is_checked_against_its_file(fake: FakeAmino, wire: Recorder, admin: AminoClient) -> None:
    """One call of each operation: its request and its answer conform to the file documenting it."""
    package = package_id(fake)
    channel = fake.channel_id(1)
    await admin.admin.users.create(new_user())
    await admin.admin.users.list()
    await admin.admin.users.set_market_segments(USER_ID, list(fake.accounts.segments)[:1])
    await admin.admin.users.market_segments(USER_ID)
    await admin.admin.users.add_flag(USER_ID, "VIP")
    await admin.admin.users.remove_flag(USER_ID, "VIP")
    await admin.admin.licenses.packages()
    await admin.admin.licenses.templates()
    await admin.admin.licenses.grant(USER_ID, package)
    await admin.admin.licenses.revoke(USER_ID, package)
    await admin.admin.licenses.add_channel_licenses(
        USER_ID, [ChannelLicenseInput(channel, PermissionsGranted(("live",)))]
    )
    (license,) = await admin.admin.licenses.channel_licenses(user_id=USER_ID)
    await admin.admin.licenses.delete_channel_license(USER_ID, license.id)
    await admin.admin.licenses.recording_devices(user_id=USER_ID)
    await admin.admin.licenses.purchase(fake.catalogue_ids.product.make(0), pin_code="0000", user_id=USER_ID)
    await admin.admin.licenses.list()
    await admin.admin.network_permissions.create(NetworkPermissionInput(("live",), ip4_cidr_block="10.0.0.0/8"))
    (permission,) = await admin.admin.network_permissions.list()
    await admin.admin.network_permissions.update(
        permission.id, NetworkPermissionInput(("npvr",), ip4_cidr_block="10.0.0.0/8")
    )
    await admin.admin.network_permissions.link(channel, [permission.id])
    await admin.admin.network_permissions.unlink(channel, permission.id)
    await admin.admin.network_permissions.delete(permission.id)
    await admin.admin.entitlements.create(USER_ID, "STB-1", [DVB])
    await admin.admin.entitlements.delete(USER_ID, "STB-1")
    await admin.admin.bss.create_user("bss@example.com", service="s", cid="C-7", purchase_pin="1234")
    await admin.admin.bss.edit_user("bss@example.com", service="s", action="SUSPEND", purchase_pin="1234")
    await admin.admin.bss.link_stb("STB-9", "bss@example.com")
    await admin.admin.bss.delete_user("bss@example.com", service="s")
    probe = [e for e in wire.exchanges if e.path == "/auth/service" and not e.body]
    assert len(probe) == 1  # the challenge probe, which the file does not document (its form is empty)
    results = [check(e, "admin") for e in wire.exchanges if e not in probe and not e.path.startswith(UNCHECKED)]
    checked = {result.operation_id for result in results if result.response_checked}
    ours = {op for _, _, _, op in operations("admin") if op not in ("getUser", "loginUser")}
    # loginUser is the auth flow's, here the cookie-to-token exchange of the service login's session.
    assert checked == ours | {"loginUser"}


# --- the command line ----------------------------------------------------------------------------------------


@pytest.fixture
def served(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[tuple[FakeAmino, str]]:
    """A fake with an operator over a loopback socket, and the command line's environment pointing at it."""
    fake = FakeAmino(channels=30)
    fake.admin.add_operator(fake, OPERATOR, OPERATOR_PASSWORD, user_id=OPERATOR_ID)
    for name in ("AMINO_BASE_URL", "AMINO_USERNAME", "AMINO_PASSWORD", "AMINO_TOKEN_FILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("COLUMNS", "200")  # tables wide enough not to wrap names
    with start_blocking_portal() as portal, portal.wrap_async_context_manager(fake.serve()) as base_url:
        monkeypatch.setenv("AMINO_BASE_URL", base_url)
        yield fake, base_url


def as_operator(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AMINO_USERNAME", OPERATOR)
    monkeypatch.setenv("AMINO_PASSWORD", OPERATOR_PASSWORD)


def test_cli_bulk_grant_from_a_file_with_a_summary(
    served: tuple[FakeAmino, str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    fake, _ = served
    ids = add_bulk_users(fake, 300)
    package = package_id(fake)
    fake.inject(f"/api/license/v1/user/{ids[7]}/relationships/license_packages/{package}", status=503, times=3)
    listing = tmp_path / "users.txt"
    listing.write_text("# users to grant\n" + "\n".join(ids) + "\n\nno-such-user  # a typo\n", encoding="utf-8")
    as_operator(monkeypatch)
    status = main(["admin", "grant", package, "--from-file", str(listing), "--service-login", "--json"])
    out, err = capsys.readouterr()
    assert status == 1
    summary = json.loads(out)
    assert (summary["users"], summary["granted"], summary["failed"], summary["unknown"]) == (301, 299, 2, 0)
    assert {problem["user_id"] for problem in summary["problems"]} == {ids[7], "no-such-user"}
    assert err.splitlines() == ["error: 2 of 301 grants did not succeed"]
    assert sum(len(fake.admin.granted(user_id)) for user_id in ids) == 299
    assert OPERATOR_PASSWORD not in out + err


def test_cli_grant_and_revoke_one_user_with_tables(
    served: tuple[FakeAmino, str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    fake, _ = served
    package = package_id(fake, 2)
    as_operator(monkeypatch)
    assert main(["admin", "packages", "--service-login"]) == 0
    assert "Sports Plus" in capsys.readouterr().out
    assert main(["admin", "grant", package, USER_ID, "--service-login"]) == 0
    out, err = capsys.readouterr()
    assert "granted" in out and "1" in out and err == ""  # no progress bar off a terminal
    assert fake.admin.granted(USER_ID) == [package]
    assert main(["admin", "users", "--service-login", "--json"]) == 0
    users = json.loads(capsys.readouterr().out)
    assert {user["id"] for user in users} == {USER_ID, OPERATOR_ID}
    assert main(["admin", "revoke", package, USER_ID, "--service-login"]) == 0
    assert capsys.readouterr().out.strip() == f"Revoked package {package} from user {USER_ID}."
    assert fake.admin.granted(USER_ID) == []
    assert main(["admin", "revoke", package, USER_ID, "--service-login"]) == 1
    assert capsys.readouterr().err.startswith("error: the server refused: HTTP 404")


def test_cli_admin_with_an_end_users_login_is_refused_in_one_line(
    served: tuple[FakeAmino, str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("AMINO_USERNAME", USERNAME)
    monkeypatch.setenv("AMINO_PASSWORD", PASSWORD)
    assert main(["admin", "users"]) == 1  # no stored login: the environment's user, a plain end user
    lines = capsys.readouterr().err.splitlines()
    assert lines == ["error: the server refused: HTTP 403 Forbidden: This call needs an operator account."]


def test_cli_usage_errors(
    served: tuple[FakeAmino, str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["admin", "users", "--service-login"]) == 2  # no username for the service account
    assert "--service-login needs" in capsys.readouterr().err
    as_operator(monkeypatch)
    assert main(["admin", "grant", "pkg", "--service-login"]) == 2
    assert capsys.readouterr().err.startswith("error: no users")
    assert main(["admin", "grant", "pkg", "1", "--from-file", "x", "--service-login"]) == 2
    assert main(["admin"]) == 2  # a command of admin is required


def test_cli_bulk_grant_draws_a_progress_bar_on_a_terminal(
    served: tuple[FakeAmino, str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    import rich.console

    fake, _ = served
    ids = add_bulk_users(fake, 40)
    listing = tmp_path / "users.txt"
    listing.write_text("\n".join(ids), encoding="utf-8")
    monkeypatch.setattr(rich.console.Console, "is_terminal", property(lambda self: True))
    as_operator(monkeypatch)
    assert main(["admin", "grant", package_id(fake), "--from-file", str(listing), "--service-login"]) == 0
    out, err = capsys.readouterr()
    assert "Granting" in err and "40/40" in err  # the bar, on stderr, to its end
    assert "Grants" in out and "40" in out
