"""client.packages, client.subscriptions and client.recommendations against FakeAmino."""

from __future__ import annotations

from urllib.parse import parse_qs

import pytest

from amino_async import (
    AminoClient,
    BadRequestError,
    ChannelPackage,
    NotFoundError,
    PermissionDeniedError,
    Product,
    Recommendation,
    ViewerEvent,
)
from amino_async.testing import FakeAmino
from amino_async.testing import _catalogue as cat
from tests.helpers import USER_ID, Recorder

from ._catalogue_support import check_against_files, client, fake, recording

__all__ = ["client", "fake", "recording"]


async def test_packages_of_the_system_and_of_the_user(
    fake: FakeAmino, client: AminoClient, recording: Recorder
) -> None:
    packages = await client.packages.list()
    assert recording.last().path == "/api/packages/v1/channel_packages"
    assert len(packages) == len(cat.PRODUCTS)
    assert all(isinstance(p, ChannelPackage) and p.validity_window.end_timestamp for p in packages)
    assert all(ref.type == "UserChannelLicense" for p in packages for ref in p.relationships)

    mine = await client.packages.for_user()
    assert recording.last().path == f"/api/packages/v1/users/{USER_ID}/channel_packages"
    assert {p.id for p in mine} < {p.id for p in packages}
    # The user's packages are those of the products they subscribe to.
    products = await client.subscriptions.products(language="fin")
    assert recording.last().path == f"/api/subscription/v1/user/{USER_ID}/products"
    assert parse_qs(recording.last().query) == {"language": ["fin"]}
    assert all(isinstance(p, Product) and p.external_id for p in products)
    assert sorted(f"{p.name} package" for p in products) == sorted(p.name for p in mine)
    # The Swagger 2.0 file, checked by hand: a data array of resources with a name and an external id.
    assert all(set(item) == {"type", "id", "attributes"} for item in recording.last().answer["data"])

    other = fake.add_user("other@example.com", "pw")
    with pytest.raises(PermissionDeniedError):
        await client.packages.for_user(user_id=other.user_id)
    with pytest.raises(PermissionDeniedError):
        await client.subscriptions.products(user_id=other.user_id)
    check_against_files(recording.exchanges[:2])


async def test_recommendations(fake: FakeAmino, client: AminoClient, recording: Recorder) -> None:
    popular = await client.recommendations.popular_recordings(bucket="daily")
    assert parse_qs(recording.last().query) == {"bucket": ["daily"]}
    assert len(popular) == 5
    assert all(isinstance(r, Recommendation) and r.program is not None for r in popular)
    assert all(r.program is not None and r.program.id == r.program_id for r in popular)
    assert len(await client.recommendations.popular_recordings()) == 10

    personal = await client.recommendations.personal()
    assert recording.last().path == f"/api/contentdiscovery/v1/recommendation/personal/{USER_ID}"
    assert personal and all(r.program is not None and r.genres for r in personal)
    slotted = [r for r in personal if r.broadcast_slot is not None]
    assert slotted and all(r.broadcast_slot is not None and r.broadcast_slot.start_time_unix for r in slotted)

    genre = fake.catalogue_ids.genre.make(2)
    one = await client.recommendations.for_genre(genre)
    assert recording.last().path == f"/api/contentdiscovery/v1/recommendation/genre/{genre}/user/{USER_ID}"
    program = await client.programs.get(one.program_id or "")
    assert [g.id for g in program.genres] == [genre]
    with pytest.raises(NotFoundError):
        await client.recommendations.for_genre(fake.catalogue_ids.genre.make(len(cat.GENRES)))
    with pytest.raises(PermissionDeniedError):
        await client.recommendations.personal(user_id="42")
    with pytest.raises(BadRequestError):
        await client.recommendations.popular_recordings(bucket="monthly")  # type: ignore[arg-type]
    checked = [e for e in recording.exchanges if e.status == 200]
    assert check_against_files(checked) == len(checked)


async def test_viewer_events_are_stored_per_user(fake: FakeAmino, client: AminoClient, recording: Recorder) -> None:
    event = await client.recommendations.send_event("xrm-1001", "42", "program-42", event_name="watched")

    assert (recording.last().method, recording.last().path) == ("POST", "/api/contentdiscovery/v1/recommendation/event")
    assert recording.last().json == {
        "foreign_user_id": "xrm-1001",
        "foreign_program_id": "42",
        "program_uid": "program-42",
        "event_name": "watched",
    }
    assert recording.last().status == 201
    assert isinstance(event, ViewerEvent) and event.event_name == "watched" and event.id
    assert fake.commerce.events[USER_ID] == [recording.last().json]
    with pytest.raises(BadRequestError):
        await client.request("POST", "/recommendation/event", family="content_discovery", json={"x": 1})
    assert len(fake.commerce.events[USER_ID]) == 1
    fake.commerce.reset()
    assert fake.commerce.events == {}
    assert check_against_files(recording.exchanges[:1]) == 1
