"""The fake's router: raw-path segments, decoding, precedence, 404 and 405, on its own and through FakeAmino."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote, unquote_to_bytes

import pytest
from hypothesis import given
from hypothesis import strategies as st
from starlette.responses import Response

from amino_async.testing import FakeAmino, _app
from amino_async.testing._areas import ROUTES
from amino_async.testing._areas import recordings as recordings_area
from amino_async.testing._routing import Call, FakeRoute, Router

from ..helpers import httpx

PASSWORD = {"grant_type": "password", "credentials": {"username": "user@example.com", "password": "secret"}}
RECORDING_STREAMS = "/api/v1/recordings/{}/relationships/streams"
ODD_ID = "a/b?c#d é%"
ODD_ID_ENCODED = "a%2Fb%3Fc%23d%20%C3%A9%25"


async def _unused(fake: FakeAmino, call: Call) -> Response:
    raise AssertionError("the router tests never call a handler")


def route(name: str, method: str, template: str) -> FakeRoute:
    return FakeRoute(name, method, template, _unused, data=True)


def scope(method: str, raw_path: str | bytes) -> dict[str, Any]:
    """An ASGI scope as a server makes it: ``path`` is ``raw_path`` decoded, less the query."""
    raw = raw_path.encode() if isinstance(raw_path, str) else raw_path
    path = unquote_to_bytes(raw.partition(b"?")[0]).decode("utf-8", "replace")
    return {"type": "http", "method": method, "path": path, "raw_path": raw}


def resolve(router: Router, method: str, raw_path: str | bytes) -> tuple[str, dict[str, str]] | None:
    matched = router.match(scope(method, raw_path))
    return None if matched is None else (matched[0].name, dict(matched[1]))


# --- the router on its own ---

STREAMS = Router(
    [
        route("recording", "GET", "/api/v1/recordings/{recording_id}/relationships/streams"),
        route("slots", "GET", "/api/metadata/v1/broadcast_slots/{channel_id}/{yyyy-mm-dd}"),
    ]
)


def test_a_placeholder_takes_one_raw_segment_decoded_whole() -> None:
    found = resolve(STREAMS, "GET", RECORDING_STREAMS.format(ODD_ID_ENCODED))

    assert found == ("recording", {"recording_id": ODD_ID})


@given(st.text(min_size=1).filter(lambda text: text not in (".", "..")))
def test_any_id_sent_as_one_encoded_segment_arrives_as_it_was(resource_id: str) -> None:
    found = resolve(STREAMS, "GET", RECORDING_STREAMS.format(quote(resource_id, safe="")))

    assert found == ("recording", {"recording_id": resource_id})


def test_placeholders_are_named_as_the_files_spell_them() -> None:
    found = resolve(STREAMS, "GET", "/api/metadata/v1/broadcast_slots/ch%2F1/2026-03-01")

    assert found == ("slots", {"channel_id": "ch/1", "yyyy-mm-dd": "2026-03-01"})


@pytest.mark.parametrize("segment", ["..", ".", "", "%2E%2E", "%2e", ".%2E"])
def test_dot_and_empty_segments_never_match_a_placeholder(segment: str) -> None:
    target = scope("GET", RECORDING_STREAMS.format(segment))

    assert STREAMS.match(target) is None
    assert STREAMS.allowed(target) == ()  # a 404, not a 405


def test_dots_inside_a_segment_are_an_id_like_any_other() -> None:
    assert resolve(STREAMS, "GET", RECORDING_STREAMS.format("...")) == ("recording", {"recording_id": "..."})
    assert resolve(STREAMS, "GET", RECORDING_STREAMS.format(".a")) == ("recording", {"recording_id": ".a"})


def test_segments_are_compared_decoded_and_only_whole() -> None:
    # An escaped unreserved character is that character (RFC 3986 6.2.2.2); an escaped "/" is not a separator.
    assert resolve(STREAMS, "GET", "/api/v1/rec%6Frdings/r1/relationships/streams") == (
        "recording",
        {"recording_id": "r1"},
    )
    assert resolve(STREAMS, "GET", "/api%2Fv1/recordings/r1/relationships/streams") is None
    assert resolve(STREAMS, "GET", "/api/v1/recordings/r1/relationships/streams/") is None
    assert resolve(STREAMS, "GET", "/api/v1/recordings/r1/relationships") is None


def test_bytes_beyond_ascii_are_utf8_and_a_query_in_raw_path_is_ignored() -> None:
    raw = RECORDING_STREAMS.format("é").encode()

    assert resolve(STREAMS, "GET", raw) == ("recording", {"recording_id": "é"})
    # httpx before 0.28 put the query into raw_path.
    assert resolve(STREAMS, "GET", RECORDING_STREAMS.format("r1") + "?a=/b") == ("recording", {"recording_id": "r1"})


def test_without_raw_path_the_decoded_path_is_taken_as_it_is() -> None:
    decoded = RECORDING_STREAMS.format("50%25")  # an id that is "50%25" once decoded
    matched = STREAMS.match({"type": "http", "method": "GET", "path": decoded})

    assert matched is not None
    assert matched[1] == {"recording_id": "50%25"}


USERS = Router(
    [
        route("user", "GET", "/users/{user_id}"),
        route("delete_user", "DELETE", "/users/{user_id}"),
        route("search", "GET", "/users/search"),
        route("device_slots", "GET", "/{device_id}/recording_slots"),
        route("user_recording", "GET", "/user_recordings/{id}"),
        route("user_recordings", "GET", "/user/{user_id}/user_recordings/"),
        route("put_profile", "PUT", "/users/{user_id}/profiles/{profile_id}"),
        route("patch_profile", "PATCH", "/users/{uid}/profiles/{pid}"),
        route("get_profile", "GET", "/users/{user_id}/profiles/{profile_id}"),
        route("delete_profile", "DELETE", "/users/{user_id}/profiles/{profile_id}"),
        route("ungrouped", "GET", "/users/{user_id}/profiles/ungrouped"),
    ]
)


def test_a_static_segment_wins_over_a_placeholder_whatever_the_order_of_routes() -> None:
    assert resolve(USERS, "GET", "/users/search") == ("search", {})
    assert resolve(USERS, "GET", "/users/1001") == ("user", {"user_id": "1001"})
    assert resolve(USERS, "GET", "/users/1/profiles/ungrouped") == ("ungrouped", {"user_id": "1"})
    assert resolve(USERS, "GET", "/users/1/profiles/p") == ("get_profile", {"user_id": "1", "profile_id": "p"})
    # Leftmost difference first: both match, the static first segment wins.
    assert resolve(USERS, "GET", "/user_recordings/recording_slots") == ("user_recording", {"id": "recording_slots"})
    assert resolve(USERS, "GET", "/d1/recording_slots") == ("device_slots", {"device_id": "d1"})


def test_a_static_branch_that_fails_late_leaves_nothing_behind() -> None:
    router = Router([route("profiles", "GET", "/users/{user_id}/profiles"), route("slots", "GET", "/{a}/{b}/slots")])

    # The static branch captures user_id, then fails at its last segment: the match is the other one's.
    assert resolve(router, "GET", "/users/u1/slots") == ("slots", {"a": "users", "b": "u1"})
    assert resolve(router, "GET", "/users/u1/profiles") == ("profiles", {"user_id": "u1"})


def test_methods_take_part_in_matching() -> None:
    # /users/search has no DELETE: the placeholder template that has one serves it.
    assert resolve(USERS, "DELETE", "/users/search") == ("delete_user", {"user_id": "search"})
    # Each route names its own placeholders, even where templates share a path.
    assert resolve(USERS, "PATCH", "/users/1/profiles/p") == ("patch_profile", {"uid": "1", "pid": "p"})


def test_allowed_lists_every_method_of_every_template_matching_the_path() -> None:
    assert USERS.match(scope("POST", "/users/1/profiles/p")) is None
    assert USERS.allowed(scope("POST", "/users/1/profiles/p")) == ("DELETE", "GET", "PATCH", "PUT")
    assert USERS.allowed(scope("POST", "/users/search")) == ("DELETE", "GET")
    assert USERS.allowed(scope("POST", "/users/1/profiles/ungrouped")) == ("DELETE", "GET", "PATCH", "PUT")
    assert USERS.allowed(scope("GET", "/nothing/here/at/all")) == ()


def test_a_trailing_slash_is_part_of_a_template() -> None:
    assert resolve(USERS, "GET", "/user/1/user_recordings/") == ("user_recordings", {"user_id": "1"})
    assert resolve(USERS, "GET", "/user/1/user_recordings") is None


@pytest.mark.parametrize(
    ("routes", "message"),
    [
        ([route("a", "GET", "/a/{x}"), route("b", "GET", "/a/{y}")], "both serve GET /a/{y}"),
        ([route("a", "GET", "/a"), route("a", "POST", "/b")], "two routes named 'a'"),
        ([route("a", "GET", "/a/{x}/{x}")], "appears twice"),
        ([route("a", "GET", "/a/b{c}")], "one whole {placeholder}"),
        ([route("a", "GET", "/a/b%2Fc")], "one whole {placeholder}"),
        ([route("a", "GET", "/a/../b")], "one whole {placeholder}"),
        ([route("a", "GET", "a/b")], "starts with '/'"),
        ([route("a", "get", "/a")], "upper-case"),
    ],
)
def test_a_table_the_router_cannot_serve_is_refused_when_built(routes: list[FakeRoute], message: str) -> None:
    with pytest.raises(ValueError, match=message.replace("{", r"\{").replace("}", r"\}")):
        Router(routes)


def test_an_empty_table_matches_nothing() -> None:
    assert Router([]).match(scope("GET", "/")) is None
    assert Router([]).allowed(scope("GET", "/")) == ()


def test_the_fake_serves_its_operations_under_the_names_stats_count() -> None:
    assert {route.name for route in ROUTES} == {
        "access_tokens",
        "login",
        "channels",
        "channel_streams",
        "catchup_streams",
        "recording_streams",
        "user_profiles",
        # catalogue, EPG, catch-up, playback, packages (issue 17)
        "programs",
        "program",
        "program_broadcast_slots",
        "series_index",
        "series",
        "season",
        "season_episodes",
        "season_series",
        "genres",
        "credited_person_programs",
        "broadcast_slots",
        "catchup_items",
        "media_play_sessions",
        "create_media_play_session",
        "put_media_play_session",
        "patch_media_play_session",
        "delete_media_play_session",
        "put_playback_info",
        "playback_info",
        "playback_info_index",
        "channel_packages",
        "user_channel_packages",
        "user_products",
        "recommendation_event",
        "popular_recordings",
        "personal_recommendations",
        "genre_recommendation",
        "create_user_profile",
        "update_user_profile",
        "delete_user_profile",
        "favourite_lists",
        "create_favourite_list",
        "update_favourite_list",
        "delete_favourite_list",
        "favourite_channels",
        "favourite_list_channels",
        "add_favourite_channel",
        "remove_favourite_channel",
        "channel_lock",
        "set_channel_lock",
        "market_segments",
        "user",
        "update_user",
        "update_preferences",
        "reset_password",
        "confirm_reset_password",
        "admin_index_users",
        "admin_create_user",
        "admin_get_market_segments",
        "admin_set_market_segments",
        "admin_add_user_flag",
        "admin_delete_user_flag",
        "admin_license_packages",
        "admin_license_templates",
        "admin_grant_package",
        "admin_revoke_package",
        "admin_add_channel_licenses",
        "admin_delete_channel_license",
        "admin_channel_licenses",
        "admin_recording_devices",
        "admin_create_license",
        "admin_licenses",
        "admin_network_permissions",
        "admin_create_network_permission",
        "admin_update_network_permission",
        "admin_delete_network_permission",
        "admin_link_network_permissions",
        "admin_unlink_network_permission",
        "admin_create_entitlement",
        "admin_delete_entitlement",
        "admin_bss_create_user",
        "admin_bss_edit_user",
        "admin_bss_delete_user",
        "admin_link_stb",
        "login_service",
        "legacy_categories",
        "legacy_user_channels",
        "legacy_favourite_tag",
        "legacy_guide",
        "legacy_play_channel",
        "legacy_play_recording",
        "legacy_search_recordings",
        "legacy_recording_groups",
        "legacy_group_programs",
        "legacy_catchup",
    } | {route.name for route in recordings_area.ROUTES}


# --- through FakeAmino ---


@pytest.fixture
def fake() -> FakeAmino:
    return FakeAmino(channels=10)


async def bearer(client: httpx.AsyncClient) -> dict[str, str]:
    token = (await client.post("/api/auth/v1/access_tokens", json=PASSWORD)).json()["data"]["attributes"]
    return {"Authorization": f"Bearer {token['access_token']}"}


def assert_reached_the_handler_whole(fake: FakeAmino, response: httpx.Response) -> None:
    # The recordings handler echoes the id it was given in its 404.
    assert response.status_code == 404
    assert response.json()["errors"][0]["details"] == f'Recording with ID "{ODD_ID}" not found'
    assert fake.stats.calls["recording_streams"] == 1


def assert_no_such_resource(response: httpx.Response) -> None:
    assert response.status_code == 404
    (error,) = response.json()["errors"]
    assert set(error) == {"id", "href", "code", "title", "details"}
    assert (error["code"], error["title"], error["details"]) == ("4NOTFND", "Not found", "No such resource")


async def test_an_encoded_id_reaches_the_handler_whole_in_process(fake: FakeAmino, client: httpx.AsyncClient) -> None:
    response = await client.get(RECORDING_STREAMS.format(ODD_ID_ENCODED), headers=await bearer(client))

    assert_reached_the_handler_whole(fake, response)


async def test_an_encoded_id_reaches_the_handler_whole_over_a_socket(fake: FakeAmino) -> None:
    async with fake.serve() as base_url, httpx.AsyncClient(base_url=base_url) as client:
        response = await client.get(RECORDING_STREAMS.format(ODD_ID_ENCODED), headers=await bearer(client))

    assert_reached_the_handler_whole(fake, response)


async def asgi_get(fake: FakeAmino, raw_path: bytes) -> httpx.Response:
    """GET ``raw_path`` as sent, straight into the app: httpx would remove dot segments first."""
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    request = scope("GET", raw_path)
    request.update(scheme="http", query_string=b"", headers=[(b"host", b"amino.test")], server=("amino.test", 80))
    await fake(request, receive, send)
    body = b"".join(message.get("body", b"") for message in sent[1:])
    return httpx.Response(sent[0]["status"], headers=sent[0]["headers"], content=body)


DOT_AND_EMPTY = [RECORDING_STREAMS.format(segment).encode() for segment in ("..", ".", "", "%2E%2E")]


@pytest.mark.parametrize("raw_path", DOT_AND_EMPTY)
async def test_dot_and_empty_segments_are_404_in_process(fake: FakeAmino, raw_path: bytes) -> None:
    assert_no_such_resource(await asgi_get(fake, raw_path))
    assert fake.stats.calls == {}


async def test_dot_and_empty_segments_are_404_over_a_socket(fake: FakeAmino) -> None:
    async with fake.serve() as base_url, httpx.AsyncClient(base_url=base_url) as client:
        # The "target" extension sends the path as it is, dot segments and all.
        answers = [await client.get("/", extensions={"target": raw_path}) for raw_path in DOT_AND_EMPTY]

    for response in answers:
        assert_no_such_resource(response)
    assert fake.stats.calls == {}


async def test_unknown_paths_are_404_in_the_entity_shape(fake: FakeAmino, client: httpx.AsyncClient) -> None:
    for path in ("/api/v2/nothing", "/api/metadata/v1/channels/", "/api/metadata/v1/channels/x"):
        assert_no_such_resource(await client.get(path))
    assert fake.stats.calls == {}


async def test_405_lists_every_method_of_the_path(
    fake: FakeAmino, client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    methods = ("PUT", "PATCH", "DELETE")
    extra = [route(f"profile_{method.lower()}", method, "/api/users/v1/p/{id}") for method in methods]
    monkeypatch.setattr(_app, "_ROUTER", Router([*ROUTES, *extra]))

    response = await client.post("/api/users/v1/p/1")

    assert response.status_code == 405
    assert response.headers["allow"] == "DELETE, PATCH, PUT"
    (error,) = response.json()["errors"]
    assert (error["code"], error["title"]) == ("4INZEX", "Method not allowed")
    assert fake.stats.calls == {}


async def test_faults_match_the_decoded_path(fake: FakeAmino, client: httpx.AsyncClient) -> None:
    fake.inject(RECORDING_STREAMS.format("a/b"), kind="malformed")

    response = await client.get(RECORDING_STREAMS.format("a%2Fb"), headers=await bearer(client))

    assert response.status_code == 200
    assert json.loads(response.content)["data"][0]["attributes"]["bitrate"] == "fast"  # the route's own body
