"""The commerce area: channel packages (``/api/packages/v1``), a user's products (``/api/subscription/v1``) and
recommendations (``/api/contentdiscovery/v1``).

Packages and products are the catalogue's (``_catalogue.PRODUCTS``); which ones a user has is a function of
the user id. Recommendations point to programmes, genres and slots of the catalogue. The only state is
the viewer events posted, per user, in :class:`CommerceState` (``fake.commerce``).
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections import defaultdict
from typing import TYPE_CHECKING, Any

from starlette.responses import Response

from .. import _catalogue as cat
from .._responses import answer, bad_request, dumps, not_yours
from .._routing import Call, FakeRoute
from .catalogue import not_found
from .users import owned_user

if TYPE_CHECKING:
    from .._app import FakeAmino
    from .._state import FakeUser

#: Every package is valid from this Unix time until 2099.
_PACKAGES_VALID = {"manually_disabled": False, "start_timestamp": 1_547_047_955, "end_timestamp": 4_102_444_799}
_LICENSES_PER_PACKAGE = 2
_EVENT_FIELDS = ("foreign_user_id", "foreign_program_id", "program_uid", "event_name", "event_value")


class CommerceState:
    """What the commerce area stores: the viewer events each user posted (``{user_id: [event, ...]}``)."""

    def __init__(self) -> None:
        self.events: defaultdict[str, list[dict[str, Any]]] = defaultdict(list)

    def reset(self) -> None:
        """Forget every event."""
        self.events.clear()


def _user_hash(user_id: str) -> int:
    return int(hashlib.sha256(user_id.encode()).hexdigest()[:8], 16)


def user_products(user: FakeUser) -> list[int]:
    """The products (indices of ``PRODUCTS``) a user subscribes to: Basic and one more."""
    return [0, 1 + _user_hash(user.user_id) % 3]


# --- packages and products -------------------------------------------------------------------------


def _package_resource(seed: int, package: int) -> dict[str, object]:
    ids = cat.metadata_ids(seed)
    name = cat.PRODUCTS[package][0]
    licenses = range(package * _LICENSES_PER_PACKAGE, (package + 1) * _LICENSES_PER_PACKAGE)
    attributes: dict[str, object] = {
        "name": f"{name} package",
        "description": f"The channels of the {name} product",
        "validity_window": dict(_PACKAGES_VALID),
        "relationships": [{"id": ids.license.make(i), "type": "UserChannelLicense"} for i in licenses],
    }
    return {"type": "ChannelPackage", "id": ids.package.make(package), "attributes": attributes}


async def _packages(fake: FakeAmino, call: Call) -> Response:
    """``GET /api/packages/v1/channel_packages``: one package per product."""
    data = [_package_resource(fake.seed, package) for package in range(len(cat.PRODUCTS))]
    return answer(fake, 200, dumps({"data": data}))


async def _user_packages(fake: FakeAmino, call: Call) -> Response:
    """``GET /api/packages/v1/users/{user_id}/channel_packages``: the packages of the user's products."""
    owner = owned_user(fake, call)
    if owner is None:
        return not_yours(fake)
    data = [_package_resource(fake.seed, package) for package in user_products(owner)]
    return answer(fake, 200, dumps({"data": data}))


async def _products(fake: FakeAmino, call: Call) -> Response:
    """``GET /api/subscription/v1/user/{user_id}/products``: the products the user subscribes to."""
    owner = owned_user(fake, call)
    if owner is None:
        return not_yours(fake)
    # The file's example says type "Channel"; the entity is a ProductEntity.
    data = [cat.product_resource(fake.seed, product) for product in user_products(owner)]
    return answer(fake, 200, dumps({"data": data}))


# --- recommendations -------------------------------------------------------------------------------


def _recommendation(
    seed: int, rec_id: str, foreign_user: str, program: int, reason: str, refs: list[Any]
) -> dict[str, object]:
    attributes = {
        "foreign_user_id": foreign_user,
        "foreign_program_id": str(program),
        "provider_name": "XRM",
        "reason_for_suggestion": reason,
        "relationships": [{"id": cat.metadata_ids(seed).program.make(program), "type": "Program"}, *refs],
    }
    return {"type": "PersonalRecommendation", "id": rec_id, "attributes": attributes}


async def _popular_recordings(fake: FakeAmino, call: Call) -> Response:
    """``GET /api/contentdiscovery/v1/recommendation/popular_recordings``: always with the programmes."""
    bucket = call.request.query_params.get("bucket", "weekly")
    if bucket not in ("daily", "weekly"):
        return bad_request(fake, f"Parameter 'bucket' must be daily or weekly, got {bucket[:20]!r}")
    seed = fake.seed
    programs = [
        (i * 17 + (0 if bucket == "weekly" else 5)) % cat.PROGRAM_COUNT for i in range(10 if bucket == "weekly" else 5)
    ]
    data = [
        _recommendation(seed, f"{bucket}-{i}", "anonymous", p, "Recorded by many viewers", [])
        for i, p in enumerate(programs)
    ]
    included = [cat.program_resource(seed, p, "eng", relationships=False) for p in programs]
    return answer(fake, 200, dumps({"data": data, "included": included}))


def _personal_programs(user: FakeUser) -> list[int]:
    base = _user_hash(user.user_id)
    return [(base + i * 31) % cat.PROGRAM_COUNT for i in range(4)]


async def _personal(fake: FakeAmino, call: Call) -> Response:
    """``GET /api/contentdiscovery/v1/recommendation/personal/{user_id}``: with programmes, genres and slots."""
    owner = owned_user(fake, call)
    if owner is None:
        return not_yours(fake)
    seed, channels, today = fake.seed, fake.channel_count, fake.epg_today
    data, included, seen = [], [], set()
    for i, program in enumerate(_personal_programs(owner)):
        traits = cat.program_traits(seed, program)
        genre = cat.genre_resource(seed, traits.genre)
        refs: list[Any] = [{"id": genre["id"], "type": "Genre"}]
        upcoming = [p for p in cat.program_positions(channels, program) if p.day >= 0][:1]
        slots = [cat.slot_resource(seed, channels, today, position, "eng") for position in upcoming]
        refs += [{"id": slot["id"], "type": "BroadcastSlot"} for slot in slots]
        reason = f"Because you like {cat.GENRES[traits.genre]}"
        data.append(_recommendation(seed, f"{owner.user_id}-{i}", f"xrm-{owner.user_id}", program, reason, refs))
        for resource in [cat.program_resource(seed, program, "eng", relationships=False), genre, *slots]:
            key = (resource["type"], resource["id"])
            if key not in seen:
                seen.add(key)
                included.append(resource)
    return answer(fake, 200, dumps({"data": data, "included": included}))


async def _genre_recommendation(fake: FakeAmino, call: Call) -> Response:
    """``GET /api/contentdiscovery/v1/recommendation/genre/{genre_id}/user/{user_id}``: one programme."""
    owner = owned_user(fake, call)
    if owner is None:
        return not_yours(fake)
    genre = fake.catalogue_ids.genre.parse(call.params["genre_id"])
    seed = fake.seed
    programs = (
        [] if genre is None else [p for p in range(cat.PROGRAM_COUNT) if cat.program_traits(seed, p).genre == genre]
    )
    if not programs:
        return not_found(fake, "Genre", call.params["genre_id"])
    program = programs[_user_hash(owner.user_id) % len(programs)]
    reason = f"Popular in {cat.GENRES[genre or 0]}"
    resource = _recommendation(seed, f"{owner.user_id}-genre-{genre}", f"xrm-{owner.user_id}", program, reason, [])
    return answer(fake, 200, dumps({"data": resource}))


async def _event(fake: FakeAmino, call: Call) -> Response:
    """``POST /api/contentdiscovery/v1/recommendation/event``: stored for the bearer's user, 201."""
    try:
        body = json.loads(await call.request.body())
    except ValueError:
        body = None
    if not isinstance(body, dict):
        return bad_request(fake, "The body must be a ViewerEvent object")
    for name in _EVENT_FIELDS[:3]:
        if not isinstance(body.get(name), str):
            return bad_request(fake, f"{name} is required and must be a string")
    for name, value in body.items():
        if name not in _EVENT_FIELDS or not isinstance(value, str):
            return bad_request(fake, f"Unknown or malformed attribute {name[:40]!r}")
    fake.commerce.events[call.user.user_id].append(dict(body))
    resource = {"type": "ViewerEvent", "id": str(uuid.uuid4()), "attributes": body}
    return answer(fake, 201, dumps({"data": [resource]}))


ROUTES: tuple[FakeRoute, ...] = (
    FakeRoute("channel_packages", "GET", "/api/packages/v1/channel_packages", _packages, data=True),
    FakeRoute(
        "user_channel_packages", "GET", "/api/packages/v1/users/{user_id}/channel_packages", _user_packages, data=True
    ),
    FakeRoute("user_products", "GET", "/api/subscription/v1/user/{user_id}/products", _products, data=True),
    FakeRoute("recommendation_event", "POST", "/api/contentdiscovery/v1/recommendation/event", _event, data=True),
    FakeRoute(
        "popular_recordings",
        "GET",
        "/api/contentdiscovery/v1/recommendation/popular_recordings",
        _popular_recordings,
        data=True,
    ),
    FakeRoute(
        "personal_recommendations",
        "GET",
        "/api/contentdiscovery/v1/recommendation/personal/{user_id}",
        _personal,
        data=True,
    ),
    FakeRoute(
        "genre_recommendation",
        "GET",
        "/api/contentdiscovery/v1/recommendation/genre/{genre_id}/user/{user_id}",
        _genre_recommendation,
        data=True,
    ),
)
