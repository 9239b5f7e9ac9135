"""Decoding every documented answer shape into models, and refusing everything else with DecodeError."""

from __future__ import annotations

import contextlib
import json
import logging
import subprocess
import sys
import types
import typing
from collections.abc import Iterator
from typing import Any

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from amino_async import (
    Channel,
    DecodeError,
    Document,
    Genre,
    Product,
    Resource,
    Stream,
    Tokens,
    UserProfile,
    _decoding,
)
from amino_async._decoding import _detailed, _fast, decode_resource, load_json, structure
from amino_async._jsonapi import decode_document, decode_errors, decode_included
from amino_async._tokens import tokens_from_token_answer, tokens_from_user_stat
from amino_async.models import (
    AvailabilityWindow,
    ContentFlag,
    DeliveryNetwork,
    DvbService,
    DvbTriplet,
    ErrorObject,
    GeoAvailability,
    Image,
    ProtectionKey,
    ResourceRef,
    ServicesAvailable,
)
from amino_async.testing import FakeAmino

from .helpers import in_process

SECRET = "eyJhbGciOiJIUzI1NiJ9.c2VjcmV0.dG9rZW4"

# The seed page's own example answer, as it is printed there (a one-element list, an int user id, and an
# expiry equal to the login time).
SEED_ANSWER = {
    "data": [
        {
            "type": "AuthenticationTokens",
            "id": "9bc6871e-ce26-4b8a-96f6-e6688599d938",
            "attributes": {
                "login_timestamp": 1538126476,
                "user_id": 1234,
                "user_profile_id": "84eb61a9-75d4-42c7-8c15-84c3d7776227",
                "access_token": SECRET,
                "expires_at_timestamp": 1538126476,
                "refresh_token": SECRET + ".refresh",
            },
        }
    ]
}


def test_seed_page_answer_decodes_with_unknown_lifetime() -> None:
    tokens = tokens_from_token_answer(SEED_ANSWER, received_at=1000.0)
    assert tokens.access_token == SECRET
    assert tokens.refresh_token == SECRET + ".refresh"
    assert tokens.user_id == "1234"
    assert tokens.profile_id == "84eb61a9-75d4-42c7-8c15-84c3d7776227"
    assert tokens.expires_at == tokens.login_timestamp == 1538126476
    # expires_at == login_timestamp: no usable lifetime, so the token is used until a 401.
    assert tokens.lifetime is None
    assert tokens.expires_in(now=5000.0) is None


def test_access_token_object_shape() -> None:
    answer = {
        "data": {
            "type": "AccessToken",
            "id": "x",
            "attributes": {
                "login_timestamp": 2_000_000_000,
                "user_id": "42",
                "user_profile_id": "p1",
                "user_flags": ["TEST_FLAG1"],
                "access_token": "a",
                "expires_at_timestamp": 2_000_003_600,
                "refresh_token": "r",
                "something_new": {"ignored": True},
            },
        }
    }
    tokens = tokens_from_token_answer(answer, received_at=100.0)
    assert (tokens.user_id, tokens.profile_id, tokens.flags) == ("42", "p1", ("TEST_FLAG1",))
    assert tokens.lifetime == 3600
    # Judged by this machine's clock from when the answer arrived, whatever the server's clock says.
    assert tokens.expires_in(now=1100.0) == 2600.0


def test_legacy_user_stat_lifetime_comes_from_the_date_header() -> None:
    answer = {"userStat": {"maxAllowedSession": 1000, "accessToken": [SECRET, 1560448742], "refreshToken": ["r", 1]}}
    tokens = tokens_from_user_stat(
        answer, date="Thu, 13 Jun 2019 16:59:02 GMT", received_at=50.0, user_id="2"
    )  # 1560448742 - 3600
    assert tokens.access_token == SECRET
    assert tokens.refresh_token == "r"
    assert tokens.user_id == "2"
    assert tokens.lifetime == pytest.approx(3600)


def test_legacy_user_stat_without_date_has_unknown_lifetime() -> None:
    tokens = tokens_from_user_stat({"userStat": {"accessToken": ["a", 5]}}, date=None, received_at=0.0)
    assert tokens.refresh_token is None
    assert tokens.lifetime is None


def test_tokens_repr_and_str_hide_both_tokens() -> None:
    tokens = tokens_from_token_answer(SEED_ANSWER, received_at=0.0)
    for text in (repr(tokens), str(tokens), repr([tokens])):
        assert SECRET not in text
        assert "<hidden>" in text
    assert "1234" in repr(tokens)


def test_tokens_round_trip_through_json() -> None:
    tokens = Tokens("a", "r", 20, login_timestamp=10, user_id="1", profile_id="p", flags=("F",), received_at=5.0)
    assert Tokens.from_json(json.loads(json.dumps(tokens.to_json()))) == tokens


@pytest.mark.parametrize(
    ("answer", "path"),
    [
        ({}, "data"),
        ({"data": []}, "data"),
        ({"data": "x"}, "data"),
        ({"data": {"attributes": {"refresh_token": "r"}}}, "data.attributes.access_token"),
        ({"data": [{"attributes": {"access_token": ["x"]}}]}, "data[0].attributes.access_token"),
        (
            {"data": {"attributes": {"access_token": "a", "expires_at_timestamp": SECRET}}},
            "data.attributes.expires_at_timestamp",
        ),
    ],
)
def test_bad_token_answers_name_the_field_and_hide_values(answer: Any, path: str) -> None:
    with pytest.raises(DecodeError) as info:
        tokens_from_token_answer(answer, received_at=0.0)
    assert info.value.path == path
    assert SECRET not in str(info.value)


def _stream(**attributes: Any) -> dict[str, Any]:
    base = {
        "stream_url": "https://cdn.example/live/1/index.m3u8",
        "bitrate": 2_500_000,
        "codec_info": "avc1.4d401f,mp4a.40.2",
        "transport_protocol": "https",
        "streaming_protocols": ["hls"],
        "protection_types": ["ezdrm"],
        "suggested_devices": ["iOS"],
    }
    return {**base, **attributes}


def test_streams_keep_duplicate_json_text_ids_and_every_attribute() -> None:
    shared_id = json.dumps({"stream_url": "https://cdn.example/live/1/index.m3u8"})
    document = {
        "data": [
            {"type": "PlayableStream", "id": shared_id, "attributes": _stream(bitrate=2_500_000)},
            {"type": "PlayableStream", "id": shared_id, "attributes": _stream(bitrate=5_000_000)},
            {
                "type": "PlayableStream",
                "id": 7,
                "attributes": _stream(
                    protection_keys=[{"type": "widevine", "key": "k", "laUrl": "https://lic", "kid": "abc"}],
                    max_resolution=1080,
                    max_fps="50",
                    vbr_max_bitrate=6_000_000,
                    profile_name="hd",
                    suggested_market_segments=["fibre"],
                    suggested_start_time=0,
                ),
            },
        ]
    }
    streams = decode_document(document, Stream)
    assert [s.id for s in streams] == [shared_id, shared_id, "7"]
    assert [s.bitrate for s in streams] == [2_500_000, 5_000_000, 2_500_000]
    key = streams[2].protection_keys[0]
    assert (key.type, key.key, key.la_url, dict(key.extra)) == ("widevine", "k", "https://lic", {"kid": "abc"})
    assert streams[2].max_resolution == "1080"
    assert streams[2].suggested_market_segments == ("fibre",)
    assert "k'" not in repr(key)  # the DRM key stays out of reprs


def test_stream_attributes_as_a_list_yield_one_stream_each() -> None:
    # The streams OpenAPI files declare `attributes` as an array of StreamEntity.
    document = {"data": [{"type": "Stream", "id": 123, "attributes": [_stream(), _stream(bitrate="800000")]}]}
    streams = decode_document(document, Stream)
    assert [s.bitrate for s in streams] == [2_500_000, 800_000]
    assert {s.id for s in streams} == {"123"}


def test_channel_decodes_nested_value_objects() -> None:
    attributes = {
        "name": "YLE TV1",
        "logical_channel_number": 1,
        "media_type": "mixed",
        "content_flags": [{"content_rating_flag": "13", "country_code_iso_alpha2": "fi", "is_adult_rated": 1}],
        "display_order_weight": 10,
        "images": [
            {"image_type": "Thumbnail", "url": "https://img/1.png", "width_pixels": 320, "iso_639-2_lang": "fin"}
        ],
        "availability_window": {"time_limited_event": False, "not_before_timestamp": 1},
        "geo_availability": {"geo_restricted": True, "enabled_country_codes_iso3166_alpha2": ["fi"]},
        "services_available": {"services_enabled": ["live"], "trickplay_enabled": []},
        "delivery_networks": [
            {
                "transport_network": "DVB",
                "dvb": [{"transmission_type": "C", "virtual_channel_number": 30, "triplet": {"service_id": 1553}}],
            }
        ],
        "relationships": [{"id": "g1", "type": "Genre"}],
    }
    (channel,) = decode_document({"data": [{"type": "Channel", "id": "c1", "attributes": attributes}]}, Channel)
    assert channel.name == "YLE TV1"
    assert channel.content_flags[0].is_adult_rated is True
    assert channel.content_flags[0].country_code == "fi"
    assert channel.images[0].language == "fin"
    assert channel.availability_window.not_after_timestamp == 4102444799  # documented default
    assert channel.geo_availability is not None and channel.geo_availability.enabled_country_codes == ("fi",)
    assert channel.delivery_networks[0].dvb[0].triplet is not None
    assert channel.delivery_networks[0].dvb[0].triplet.service_id == "1553"
    assert channel.relationships[0].id == "g1"


def test_missing_optional_fields_default_and_unknown_fields_are_ignored() -> None:
    (profile,) = decode_document(
        {"data": [{"type": "UserProfile", "id": "p", "attributes": {"name": "Dad", "brand_new_field": [1, 2]}}]},
        UserProfile,
    )
    assert profile == UserProfile(id="p", name="Dad")


def _streams(*resources: dict[str, Any]) -> dict[str, Any]:
    return {"data": [{"type": "PlayableStream", **resource} for resource in resources]}


@pytest.mark.parametrize(
    ("document", "path", "reason"),
    [
        (
            _streams(*[{"id": "1", "attributes": _stream()}] * 2, {"id": "3", "attributes": _stream(bitrate=SECRET)}),
            "data[2].attributes.bitrate",
            "expected an integer, found string",
        ),
        (
            _streams({"id": "1", "attributes": {"bitrate": 1}}),
            "data[0].attributes.stream_url",
            "required field missing",
        ),
        (_streams({"attributes": _stream()}), "data[0].id", "required field missing"),
        ({"data": [{"id": "1", "attributes": _stream()}]}, "data[0].type", "required field missing"),
        (_streams({"id": {"x": SECRET}, "attributes": _stream()}), "data[0].id", "expected a string, found object"),
        (
            _streams({"id": "1", "attributes": _stream(streaming_protocols=SECRET)}),
            "data[0].attributes.streaming_protocols",
            "expected an array, found string",
        ),
        (
            _streams({"id": "1", "attributes": _stream(protection_keys=[{"type": "x"}, {"key": SECRET}])}),
            "data[0].attributes.protection_keys[1].type",
            "required field missing",
        ),
        (
            _streams({"id": "1", "attributes": [_stream(), _stream(bitrate=True)]}),
            "data[0].attributes[1].bitrate",
            "expected an integer, found boolean",
        ),
        ({"data": [SECRET]}, "data[0]", "expected an object, found string"),
        ({"data": 5}, "data", "expected an array or an object, found integer"),
        ([SECRET], "", "expected an object, found array"),
    ],
)
def test_decode_errors_name_the_path_never_the_value(document: Any, path: str, reason: str) -> None:
    # Strict: the descriptive attributes among these (bitrate, streaming_protocols, ...) fail only then.
    with pytest.raises(DecodeError) as info:
        decode_document(document, Stream, strict=True)
    assert (info.value.path, info.value.reason) == (path, reason)
    assert SECRET not in str(info.value) and SECRET not in repr(info.value)
    # No raw cattrs/KeyError (or parser error) in the chain a traceback would print.
    assert info.value.__cause__ is None
    assert info.value.__context__ is None


def test_nested_object_of_the_wrong_type() -> None:
    document = {"data": [{"type": "Channel", "id": "1", "attributes": {"name": "x", "availability_window": [1]}}]}
    with pytest.raises(DecodeError, match=r"data\[0\].attributes.availability_window: expected an object"):
        decode_document(document, Channel, strict=True)
    (channel,) = decode_document(document, Channel)
    assert (channel.name, channel.availability_window, dict(channel.raw)) == (
        "x",
        AvailabilityWindow(),
        {"availability_window": [1]},
    )


@pytest.mark.parametrize(
    "error",
    [
        {"id": "5941163294aef", "href": None, "code": "4INZEX", "title": "Method not allowed", "details": "not here"},
        {"id": "6de7", "status": "404", "code": "3303", "title": "Not found", "detail": "not here"},
    ],
)
def test_both_error_object_variants(error: dict[str, Any]) -> None:
    (parsed,) = decode_errors({"errors": [error]})
    assert parsed.detail == "not here"
    assert parsed.id == error["id"]
    assert parsed.status == error.get("status")


def test_unreadable_error_bodies_give_no_errors_rather_than_a_crash() -> None:
    for body in (None, [], {"errors": "x"}, {"errors": [1, None, {"title": 5, "detail": ["x"]}]}):
        assert all(e.detail is None for e in decode_errors(body))


def test_document_lookup_of_included_resources() -> None:
    document = Document.parse(
        {
            "data": [
                {
                    "type": "Channel",
                    "id": "c1",
                    "attributes": {"name": "A"},
                    "relationships": {"genres": {"data": [{"type": "Genre", "id": "g1"}]}},
                }
            ],
            "included": [{"type": "Genre", "id": "g1", "attributes": {"name": "Sports"}}],
            "links": {"play": "https://x"},
            "meta": {"total": 1},
        }
    )
    (channel,) = document.resources
    assert channel.refs()[0].id == "g1"
    genre = document.get_included("Genre", "g1")
    assert genre is not None and genre.attributes["name"] == "Sports"
    assert document.get_included("Genre", "nope") is None
    assert document.links == {"play": "https://x"}
    assert Document.parse({"data": None}).resources == ()


@pytest.mark.parametrize("content", [b"", b"<html>502</html>", b'{"data": [', b"\xff\xfe", b"[" * 100_000])
def test_load_json_refuses_non_json(content: bytes) -> None:
    with pytest.raises(DecodeError, match="not valid JSON"):
        load_json(content)


def test_structure_of_scalars_is_strict() -> None:
    assert structure("12", int) == 12
    assert structure(12.0, int) == 12
    for bad in ("1_000", " 12", 1.5, float("inf"), None, [1]):
        with pytest.raises(DecodeError):
            structure(bad, int)


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=5)
        | st.dictionaries(
            st.sampled_from(
                [
                    "data",
                    "id",
                    "type",
                    "attributes",
                    "name",
                    "stream_url",
                    "bitrate",
                    "images",
                    "errors",
                    "access_token",
                    "userStat",
                    "accessToken",
                    "relationships",
                    "included",
                    "links",
                ]
            )
            | st.text(max_size=8),
            children,
            max_size=6,
        )
    ),
    max_leaves=40,
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(json_values)
def test_arbitrary_json_raises_nothing_but_decode_error(value: Any) -> None:
    decoders = [
        lambda v: decode_document(v, Channel),
        lambda v: decode_document(v, Stream),
        lambda v: decode_document(v, UserProfile),
        lambda v: decode_document({"data": v}, Stream),
        lambda v: decode_document({"data": [{"type": "Channel", "id": "1", "attributes": v}]}, Channel),
        lambda v: decode_document({"data": [{"type": "Channel", "id": "1", "attributes": v}]}, Channel, strict=True),
        lambda v: decode_document({"data": {"type": "Stream", "id": 1, "attributes": v}}, Stream, strict=True),
        lambda v: tokens_from_token_answer(v, received_at=0.0),
        lambda v: tokens_from_token_answer({"data": {"attributes": v}}, received_at=0.0),
        lambda v: tokens_from_user_stat(v, date="garbage", received_at=0.0),
        lambda v: Document.parse(v),
        lambda v: Tokens.from_json(v),
    ]
    for decode in decoders:
        with contextlib.suppress(DecodeError):
            decode(value)
    decode_errors(value)


# --- the fast converter against the detailed one ------------------------------------------------------------

_WRONG = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False)
    | st.text(max_size=4)
    | st.lists(st.integers(), max_size=2)
    | st.dictionaries(st.text(max_size=3), st.integers(), max_size=2)
)


def _value_for(tp: Any) -> st.SearchStrategy[Any]:
    """Mostly what a field of type ``tp`` takes (as JSON), now and then anything else."""
    args = typing.get_args(tp)
    if typing.get_origin(tp) in (typing.Union, types.UnionType):
        right = st.one_of([st.none(), *(_value_for(arg) for arg in args if arg is not type(None))])
    elif typing.get_origin(tp) is tuple:
        right = st.none() | st.lists(_value_for(args[0]), max_size=3)
    elif attrs.has(tp):
        right = _object_of(tp)
    elif tp is bool:
        right = st.booleans() | st.sampled_from([0, 1])
    elif tp is int:
        right = st.integers() | st.integers(min_value=0, max_value=10**6).map(str) | st.just(3.0)
    elif tp is str:
        right = st.text(max_size=8) | st.integers()
    else:
        right = _WRONG
    return st.one_of(right, right, right, _WRONG)


def _object_of(model: type) -> st.SearchStrategy[dict[str, Any]]:
    """A JSON object with (some of) the keys of ``model``'s fields, and a stray key now and then."""
    wanted = {_json_key(f): _value_for(f.type) for f in _read_fields(model)}
    return st.fixed_dictionaries({}, optional={**wanted, "unknown": _WRONG, "keySystem": st.text(max_size=5)})


def _read_fields(model: type) -> list[attrs.Attribute[Any]]:
    """The fields of ``model`` read from the document: not those resolved from ``included`` or filled by the SDK."""
    fields = attrs.fields(attrs.resolve_types(model))
    return [f for f in fields if "included" not in f.metadata and "fill" not in f.metadata]


def _json_key(field: attrs.Attribute[Any]) -> str:
    return str(field.metadata.get("json", field.name))


def _outcome(converter: Any, value: Any, model: type) -> Any:
    try:
        return converter.structure(value, model)
    except Exception:
        return "failed"


@pytest.mark.parametrize(
    "model", [Channel, Stream, Genre, Product, UserProfile, ProtectionKey, ErrorObject], ids=lambda m: m.__name__
)
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_the_fast_and_detailed_converters_agree(model: type, data: st.DataObject) -> None:
    # The detailed converter only explains what the fast one refused: the two must take and refuse exactly the
    # same values, and build equal models.
    value = data.draw(_object_of(model))
    assert _outcome(_fast(), value, model) == _outcome(_detailed(), value, model)


@attrs.frozen(kw_only=True)
class _Show:
    """A user's own model, keyword-only as some code bases make them all."""

    id: str
    name: str
    rating: int | None = None


T = typing.TypeVar("T")


@attrs.frozen
class _Boxed(typing.Generic[T]):
    id: str
    value: T


def test_resource_to_a_users_own_models() -> None:
    resource = Document.parse({"data": {"type": "Show", "id": "7", "attributes": {"name": "News", "rating": 4}}}).data
    assert isinstance(resource, Resource)
    assert resource.to(_Show) == _Show(id="7", name="News", rating=4)
    boxed = Document.parse({"data": {"type": "Box", "id": "8", "attributes": {"value": 5}}}).data
    assert isinstance(boxed, Resource)
    assert boxed.to(_Boxed[int]) == _Boxed("8", 5)
    nameless = Document.parse({"data": {"type": "Show", "id": "7", "attributes": {"rating": 4}}}).resources[0]
    with pytest.raises(DecodeError, match="name"):
        nameless.to(_Show)


# --- tolerant decoding ----------------------------------------------------------------------------------------
# Every documented entity, with one attribute of every JSON type other than documented: the answer decodes, that
# attribute alone takes its default, its JSON value is kept in `raw`, one DEBUG line names its path (never the
# value), and strict=True makes it a DecodeError naming that path.

IMAGE = {
    "url": "https://img.example/1.png",
    "image_type": "Logo",
    "alternate_access_description": "the logo",
    "width_pixels": 320,
    "height_pixels": 180,
    "iso_639-2_lang": "fin",
}
CHANNEL = {
    "name": "YLE TV1",
    "logical_channel_number": 1,
    "media_type": "mixed",
    "is_demo_channel": False,
    "is_local_channel": True,
    "allowed_devices": ["stb", "mobile"],
    "content_flags": [
        {
            "content_rating_flag": "13",
            "content_rating_authority": "fi",
            "country_code_iso_alpha2": "fi",
            "pictogram_url": "https://img.example/13.png",
            "is_adult_rated": False,
        }
    ],
    "display_order_weight": 10,
    "images": [IMAGE],
    "availability_window": {"time_limited_event": True, "not_before_timestamp": 1, "not_after_timestamp": 2},
    "geo_availability": {"geo_restricted": True, "enabled_country_codes_iso3166_alpha2": ["fi"]},
    "services_available": {"services_enabled": ["live", "catchup"], "trickplay_enabled": ["catchup"]},
    "delivery_networks": [
        {
            "transport_network": "DVB",
            "dvb": [
                {
                    "transmission_type": "C",
                    "virtual_channel_number": 30,
                    "triplet": {"original_network_id": 1, "transport_stream_id": 2, "service_id": "3"},
                    "operator_name": "Blue Lake",
                }
            ],
        }
    ],
    "relationships": [{"type": "Genre", "id": "g1"}],
}
GENRE = {"name": "Sports", "parent_genre": "Factual", "images": [IMAGE]}
PRODUCT = {"name": "Basic", "external_id": "B-1"}
STREAM = _stream(
    protection_keys=[{"type": "widevine", "key": "k", "laUrl": "https://lic.example"}],
    max_resolution="1080",
    max_fps="50",
    vbr_max_bitrate=6_000_000,
    profile_name="hd",
    suggested_market_segments=["fibre"],
    suggested_start_time=0,
)
PROFILE = {"name": "Dad", "user_id": "1001", "is_child_profile": False, "age_limit": 18, "is_default": True}
#: Each documented entity: its resource type and attributes with every field the model reads.
ENTITIES: dict[type, tuple[str, dict[str, Any]]] = {
    Channel: ("Channel", CHANNEL),
    Genre: ("Genre", GENRE),
    Product: ("Product", PRODUCT),
    Stream: ("PlayableStream", STREAM),
    UserProfile: ("UserProfile", PROFILE),
}
#: A value of each JSON type, none of which may appear in a log line or an error message.
WRONG: dict[str, Any] = {
    "null": None,
    "boolean": True,
    "integer": 987_654_321,
    "number": 0.5,
    "string": SECRET,
    "array": [SECRET],
    "object": {"k": SECRET},
}


def _accepted(tp: Any) -> set[str]:
    """The JSON types a field of type ``tp`` takes: the documented one and its lossless variants."""
    if typing.get_origin(tp) in (typing.Union, types.UnionType):
        return {"null"}.union(*(_accepted(arg) for arg in typing.get_args(tp) if arg is not type(None)))
    if typing.get_origin(tp) is tuple:
        return {"array", "null"}
    if attrs.has(tp):
        return {"object"}
    # Strings take integers (ids); integers and booleans take no value of WRONG's other types.
    return {str: {"string", "integer"}, int: {"integer"}, bool: {"boolean"}}[tp]


def _wrong_values(model: type) -> Iterator[tuple[attrs.Attribute[Any], str, Any]]:
    """Each field of ``model`` read from the document, with a value of each JSON type it does not take."""
    for field in _read_fields(model):
        for kind, value in WRONG.items():
            if kind not in _accepted(field.type):
                yield field, kind, value


def _tolerant_cases() -> Iterator[Any]:
    for model in ENTITIES:
        for field, kind, value in _wrong_values(model):
            if field.name != "id" and field.default is not attrs.NOTHING:
                yield pytest.param(model, field, value, id=f"{model.__name__}.{field.name}={kind}")


def _one(model: type, attributes: Any, *, strict: bool = False) -> Any:
    resource_type, _ = ENTITIES[model]
    (decoded,) = decode_document(
        {"data": [{"type": resource_type, "id": "x", "attributes": attributes}]}, model, strict=strict
    )
    return decoded


def _default(field: attrs.Attribute[Any]) -> Any:
    default = field.default
    return default.factory() if isinstance(default, attrs.Factory) else default  # type: ignore[arg-type]


@pytest.fixture(autouse=True)
def _fresh_fallback_log(monkeypatch: pytest.MonkeyPatch) -> None:
    # A fallback is logged once per model and field in a process; each test starts as a fresh process would.
    monkeypatch.setattr(_decoding, "_reported", set())


def _debug_lines(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "amino_async" and r.levelno == logging.DEBUG]


def test_the_fixtures_give_every_field_a_value() -> None:
    for model, (_, attributes) in ENTITIES.items():
        assert {_json_key(f) for f in _read_fields(model)} - {"id"} == set(attributes), model
        assert _one(model, attributes).raw == {}


@pytest.mark.parametrize(("model", "field", "value"), list(_tolerant_cases()))
def test_an_attribute_of_another_type_reads_as_its_default(
    model: type, field: attrs.Attribute[Any], value: Any, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="amino_async")
    _, attributes = ENTITIES[model]
    key, path = _json_key(field), f"data[0].attributes.{_json_key(field)}"
    good = _one(model, attributes)

    decoded = _one(model, {**attributes, key: value})

    assert getattr(decoded, field.name) == _default(field)
    assert attrs.evolve(decoded, **{field.alias: getattr(good, field.name)}) == good  # the others intact
    assert decoded.raw == {key: value}
    (line,) = _debug_lines(caplog)
    assert path in line and model.__name__ in line
    assert SECRET not in line and repr(value) not in line
    with pytest.raises(DecodeError) as info:
        _one(model, {**attributes, key: value}, strict=True)
    assert info.value.path == path
    assert SECRET not in str(info.value)


#: Where each documented value object sits in an entity: the entity, its attribute, and the way into it.
NESTED: list[tuple[type, type, str, tuple[str | int, ...]]] = [
    (Channel, Image, "images", (0,)),
    (Channel, ContentFlag, "content_flags", (0,)),
    (Channel, AvailabilityWindow, "availability_window", ()),
    (Channel, GeoAvailability, "geo_availability", ()),
    (Channel, ServicesAvailable, "services_available", ()),
    (Channel, DeliveryNetwork, "delivery_networks", (0,)),
    (Channel, DvbService, "delivery_networks", (0, "dvb", 0)),
    (Channel, DvbTriplet, "delivery_networks", (0, "dvb", 0, "triplet")),
    (Channel, ResourceRef, "relationships", (0,)),
    (Genre, Image, "images", (0,)),
    (Stream, ProtectionKey, "protection_keys", (0,)),
]


def _nested_cases() -> Iterator[Any]:
    for model, value_model, attribute, way in NESTED:
        for field, kind, value in _wrong_values(value_model):
            name = f"{model.__name__}.{attribute}:{value_model.__name__}.{field.name}={kind}"
            yield pytest.param(model, attribute, way, _json_key(field), value, id=name)


def _replaced(value: Any, way: tuple[str | int, ...], key: str, new: Any) -> Any:
    """A copy of the JSON ``value`` with the member ``key`` of the object down ``way`` set to ``new``."""
    copy = json.loads(json.dumps(value))
    target = copy
    for step in way:
        target = target[step]
    target[key] = new
    return copy


@pytest.mark.parametrize(("model", "attribute", "way", "key", "value"), list(_nested_cases()))
def test_a_value_object_field_of_another_type_makes_its_attribute_read_as_its_default(
    model: type, attribute: str, way: tuple[str | int, ...], key: str, value: Any, caplog: pytest.LogCaptureFixture
) -> None:
    # A value object is decoded whole or not at all: its top-level attribute falls back, whatever field in it
    # (required or not) was of another type.
    caplog.set_level(logging.DEBUG, logger="amino_async")
    _, attributes = ENTITIES[model]
    bad = _replaced(attributes[attribute], way, key, value)
    path = f"data[0].attributes.{attribute}" + "".join(f"[{s}]" if isinstance(s, int) else f".{s}" for s in way)
    path += f".{key}"
    field = attrs.fields_dict(model)[attribute]

    decoded = _one(model, {**attributes, attribute: bad})

    assert getattr(decoded, attribute) == _default(field)
    assert decoded.raw == {attribute: bad}
    (line,) = _debug_lines(caplog)
    assert path in line and SECRET not in line
    with pytest.raises(DecodeError) as info:
        _one(model, {**attributes, attribute: bad}, strict=True)
    assert info.value.path == path


@pytest.mark.parametrize("kind", ["null", "boolean", "number", "array", "object"])
def test_an_id_of_another_type_fails_the_answer_either_way(kind: str) -> None:
    for strict in (False, True):
        with pytest.raises(DecodeError) as info:
            decode_document({"data": [{"type": "Channel", "id": WRONG[kind]}]}, Channel, strict=strict)
        assert info.value.path == "data[0].id" and SECRET not in str(info.value)
        with pytest.raises(DecodeError) as info:
            decode_document({"data": [{"type": WRONG[kind], "id": "1"}]}, Channel, strict=strict)
        assert info.value.path == "data[0].type"


@pytest.mark.parametrize("kind", ["null", "boolean", "number", "array", "object", "missing"])
def test_a_stream_url_of_another_type_fails_the_answer_either_way(kind: str, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="amino_async")
    attributes = {k: v for k, v in STREAM.items() if k != "stream_url"}
    if kind != "missing":
        attributes["stream_url"] = WRONG[kind]
    for strict in (False, True):
        with pytest.raises(DecodeError) as info:
            _one(Stream, attributes, strict=strict)
        assert info.value.path == "data[0].attributes.stream_url"
        assert SECRET not in str(info.value) and info.value.__context__ is None
    assert _debug_lines(caplog) == []


def test_one_fallback_is_logged_once_and_several_attributes_fall_back_together(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG, logger="amino_async")
    attributes = {**CHANNEL, "name": ["x"], "services_available": "live", "images": {"url": "x"}}
    channels = decode_document(
        {"data": [{"type": "Channel", "id": str(i), "attributes": attributes} for i in range(3)]}, Channel
    )
    assert [c.logical_channel_number for c in channels] == [1, 1, 1]
    assert all(c.raw == {"name": ["x"], "services_available": "live", "images": {"url": "x"}} for c in channels)
    lines = _debug_lines(caplog)
    assert len(lines) == 3  # one per attribute, not one per channel
    assert [line.split(": ")[1] for line in lines] == [
        "data[0].attributes.name",
        "data[0].attributes.images",
        "data[0].attributes.services_available",
    ]


def test_raw_is_empty_shared_and_read_only_when_everything_decoded() -> None:
    first, second = (_one(Channel, CHANNEL) for _ in range(2))
    assert first.raw == {} and first.raw is second.raw  # no dict per model
    with pytest.raises(TypeError):
        first.raw["x"] = 1  # type: ignore[index]
    assert "raw" not in repr(first)
    assert first == attrs.evolve(first, raw={"name": 1})  # not part of equality


def test_resources_without_attributes_decode_into_the_defaults() -> None:
    for model in (Channel, Genre, Product, UserProfile):
        resource_type, _ = ENTITIES[model]
        (decoded,) = decode_document({"data": {"type": resource_type, "id": 7}}, model)
        assert decoded == model(id="7")
    # A stream cannot go without its URL: the message names a JSON type or a missing field, no Python internal.
    with pytest.raises(DecodeError) as info:
        decode_document({"data": [{"type": "PlayableStream", "id": "1"}]}, Stream)
    assert (info.value.path, info.value.reason) == ("data[0].attributes.stream_url", "required field missing")


@pytest.mark.parametrize("document", [{}, {"data": None}, {"data": []}, {"meta": {"total": 0}}])
def test_documents_without_data_give_no_models(document: dict[str, Any]) -> None:
    assert decode_document(document, Channel) == []
    assert Document.parse(document).resources == ()


def test_messages_name_json_types_never_python_classes() -> None:
    import types as stdlib_types

    for value, name in [
        (stdlib_types.MappingProxyType({}), "object"),
        ((1, 2), "array"),
        (b"x", "non-JSON value"),
        (object(), "non-JSON value"),
    ]:
        with pytest.raises(DecodeError) as info:
            structure(value, int)
        assert info.value.reason == f"expected an integer, found {name}"
    with pytest.raises(DecodeError) as info:
        structure({"attributes": stdlib_types.MappingProxyType({})}, Stream)
    assert "mappingproxy" not in str(info.value)
    # A mapping or a tuple is taken where the JSON type says object or array.
    assert structure(stdlib_types.MappingProxyType({"url": "u"}), Image) == Image(url="u")
    assert structure(("a", "b"), tuple[str, ...]) == ("a", "b")


def test_a_users_own_model_decodes_tolerantly_too() -> None:
    (show,) = decode_document(
        {"data": [{"type": "Show", "id": "7", "attributes": {"name": "N", "rating": "x"}}]}, _Show
    )
    assert show == _Show(id="7", name="N")
    with pytest.raises(DecodeError, match=r"data\[0\]\.attributes\.name: required field missing"):
        decode_document({"data": [{"type": "Show", "id": "7"}]}, _Show)
    with pytest.raises(DecodeError, match=r"data\[0\]\.attributes\.value"):
        decode_document({"data": [{"type": "Box", "id": "8", "attributes": {"value": "x"}}]}, _Boxed[int])


def test_decode_resource_reads_one_resource_at_its_path() -> None:
    streams = decode_resource({"type": "S", "id": 3, "attributes": [STREAM, STREAM]}, Stream, path="included[4]")
    assert [s.id for s in streams] == ["3", "3"]
    with pytest.raises(DecodeError) as info:
        decode_resource({"type": "S", "id": 3, "attributes": [STREAM, 5]}, Stream, path="included[4]")
    assert (info.value.path, info.value.reason) == ("included[4].attributes[1]", "expected an object, found integer")
    with pytest.raises(DecodeError) as info:
        decode_resource({"type": "S", "id": 3, "attributes": {**STREAM, "bitrate": []}}, Stream, path="x", strict=True)
    assert info.value.path == "x.attributes.bitrate"


# --- the reader ------------------------------------------------------------------------------------------------


def test_included_resolve_through_either_form_of_relationships() -> None:
    document = {
        "data": [
            {"type": "Channel", "id": "c1", "attributes": {"relationships": [{"type": "Genre", "id": "g1"}]}},
            {
                "type": "Channel",
                "id": "c2",
                "attributes": {},
                "relationships": {
                    "genres": {"data": [{"type": "Genre", "id": "g2"}, {"type": "Genre", "id": "nope"}]},
                    "products": {"data": {"type": "Product", "id": 5}},
                },
            },
            {"type": "Channel", "id": "c3"},
        ],
        "included": [
            {"type": "Genre", "id": "g1", "attributes": {"name": "Sports"}},
            {"type": "Genre", "id": "g2", "attributes": {"name": "News", "images": "none"}},
            {"type": "Product", "id": "5", "attributes": {"name": "Basic"}},
            {"type": "Programme", "id": "p1"},
        ],
    }
    c1, c2, c3 = decode_document(document, Channel)
    assert [g.name for g in c1.genres] == ["Sports"] and c1.products == ()
    assert [g.name for g in c2.genres] == ["News"] and c2.genres[0].raw == {"images": "none"}
    assert [p.name for p in c2.products] == ["Basic"]
    # The JSON:API references join the channel's own (as channels.list() has always given them).
    assert [(r.type, r.id) for r in c2.relationships] == [("Genre", "g2"), ("Genre", "nope"), ("Product", "5")]
    assert (c3.genres, c3.products, c3.relationships) == ((), (), ())
    parsed = Document.parse(document)
    included = decode_included(parsed, Channel)
    assert [type(v).__name__ for v in included.values()] == ["Genre", "Genre", "Product", "Resource"]
    # Decoded once per document: the page's included and its channels share the models.
    assert decode_document(parsed, Channel)[1].genres[0] is decode_included(parsed, Channel)[("Genre", "g2")]


def test_included_of_a_page_decode_in_strict_mode_too() -> None:
    document = {
        "data": [{"type": "Channel", "id": "c1", "attributes": {"relationships": [{"type": "Genre", "id": "g1"}]}}],
        "included": [{"type": "Genre", "id": "g1", "attributes": {"name": ["Sports"]}}],
    }
    assert decode_document(document, Channel)[0].genres[0].name is None
    with pytest.raises(DecodeError) as info:
        decode_document(document, Channel, strict=True)
    assert info.value.path == "included[0].attributes.name"


@pytest.mark.parametrize(
    ("members", "links", "meta", "included"),
    [
        ({}, {}, {}, ()),
        ({"links": "x", "meta": [1], "included": {"type": "Genre"}}, {}, {}, ()),
        ({"links": {"self": "s"}, "meta": {"n": 1}, "included": []}, {"self": "s"}, {"n": 1}, ()),
        ({"included": [{"type": "Genre", "id": 1}]}, {}, {}, (Resource("Genre", "1"),)),
    ],
)
def test_optional_members_of_another_type_read_as_absent(
    members: dict[str, Any], links: Any, meta: Any, included: Any
) -> None:
    document = Document.parse({"data": {"type": "Channel", "id": "1"}, **members})
    assert (document.links, document.meta, document.included, document.errors) == (links, meta, included, ())
    assert document.data == Resource("Channel", "1")


@pytest.mark.parametrize(
    ("resource", "path"),
    [
        ({"data": [{"type": "Channel", "id": "1"}, {"id": "2"}]}, "data[1].type"),
        ({"data": {"type": "Channel"}}, "data.id"),
        ({"data": [], "included": [{"type": "Genre", "id": "g"}, {"type": "Genre", "id": [SECRET]}]}, "included[1].id"),
        ({"data": [], "included": [5]}, "included[0]"),
    ],
)
def test_a_resource_without_type_or_id_is_a_decode_error(resource: Any, path: str) -> None:
    with pytest.raises(DecodeError) as info:
        Document.parse(resource)
    assert info.value.path == path and SECRET not in str(info.value)


@pytest.mark.parametrize(
    ("links", "expected"),
    [
        ({"next": "https://x/channels?page_number=2"}, "https://x/channels?page_number=2"),
        ({"next": {"href": "/channels?page_number=2", "meta": {}}}, "/channels?page_number=2"),
        ({"next": None}, None),
        ({"prev": "x"}, None),
        ("not an object", None),
    ],
)
def test_next_link_is_the_string_or_the_href_as_sent(links: Any, expected: str | None) -> None:
    assert Document.parse({"data": [], "links": links}).next_link == expected


@pytest.mark.parametrize("link", ["", 5, {"href": 5}, {"href": ""}, ["x"], True])
def test_a_next_link_that_is_not_a_link_is_an_error_not_the_end(link: Any) -> None:
    # Reading it as "no next page" would pass a cut-short listing off as complete.
    with pytest.raises(DecodeError) as info:
        _ = Document.parse({"data": [], "links": {"next": link}}).next_link
    assert info.value.path == "links.next"


def test_the_error_objects_of_a_document() -> None:
    document = Document.parse({"errors": [{"status": "404", "title": "Not found", "details": "gone"}, "x"]})
    assert document.errors == (ErrorObject(status="404", title="Not found", detail="gone"),)
    assert document.data is None and document.resources == ()


def test_load_json_takes_what_the_standard_library_takes() -> None:
    # orjson (the speedups extra) refuses integers beyond 64 bits; the answer must parse all the same.
    assert load_json(b'{"data": {"type": "T", "id": ' + b"1" + b"0" * 400 + b"}}") == {
        "data": {"type": "T", "id": 10**400}
    }
    (decoded,) = decode_document({"data": {"type": "T", "id": 10**400}}, Product)
    assert decoded.id == str(10**400)


def test_load_json_failures_keep_no_exception_chain() -> None:
    with pytest.raises(DecodeError) as info:
        load_json(b'{"access_token": "' + SECRET.encode() + b'"')
    assert info.value.__cause__ is None and info.value.__context__ is None


def test_importing_the_sdk_does_not_import_cattrs() -> None:
    code = "import sys, amino_async; print(sorted(m for m in sys.modules if m.split('.')[0] == 'cattrs'))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True)
    assert result.stdout.strip() == "[]"


# --- through the client ------------------------------------------------------------------------------------


async def test_a_page_with_one_bad_channel_attribute_decodes_all_hundred(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="amino_async")
    fake = FakeAmino(channels=250)
    async with in_process(fake) as client:
        original = (await client.request_raw("GET", "/channels", family="metadata")).json()
    original["data"][37]["attributes"]["services_available"] = ["live"]
    fake.inject("/api/metadata/v1/channels", body=json.dumps(original), status=200, times=2)
    async with in_process(fake) as client:
        page = await client.channels.list()
        async with in_process(fake, strict=True) as strict:
            with pytest.raises(DecodeError) as info:
                await strict.channels.list()
    assert len(page.items) == 100 and all(c.genres and c.products for c in page.items)
    assert [i for i, c in enumerate(page.items) if c.raw] == [37]
    assert page.items[37].raw == {"services_available": ["live"]}
    assert page.items[37].services_available == ServicesAvailable()
    assert page.items[37].name and page.items[37].images  # everything else decoded
    assert info.value.path == "data[37].attributes.services_available"
    assert any("data[37].attributes.services_available" in line for line in _debug_lines(caplog))


async def test_request_returns_none_for_a_204_answer() -> None:
    fake = FakeAmino(channels=5)
    path = f"/channels/{fake.channel_id(0)}/relationships/streams"
    fake.inject(f"/api/v1{path}", status=204)
    async with in_process(fake) as client:
        assert await client.request("GET", path) is None
        document = await client.request("GET", path)
    assert isinstance(document, Document) and len(document.resources) > 0
