"""Decoding every documented answer shape into models, and refusing everything else with DecodeError."""

from __future__ import annotations

import contextlib
import json
import types
import typing
from typing import Any

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from amino_async import Channel, DecodeError, Document, Genre, Product, Resource, Stream, Tokens, UserProfile
from amino_async._jsonapi import (
    _OMITTED,
    _RENAMES,
    _detailed,
    _fast,
    decode_errors,
    decode_models,
    load_json,
    structure,
)
from amino_async._tokens import tokens_from_token_answer, tokens_from_user_stat
from amino_async.models import ErrorObject, ProtectionKey

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
    streams = decode_models(document, Stream)
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
    streams = decode_models(document, Stream)
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
    (channel,) = decode_models({"data": [{"type": "Channel", "id": "c1", "attributes": attributes}]}, Channel)
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
    (profile,) = decode_models(
        {"data": [{"type": "UserProfile", "id": "p", "attributes": {"name": "Dad", "brand_new_field": [1, 2]}}]},
        UserProfile,
    )
    assert profile == UserProfile(id="p", name="Dad")


@pytest.mark.parametrize(
    ("document", "path", "reason"),
    [
        (
            {"data": [{"id": "1", "attributes": _stream()}] * 2 + [{"id": "3", "attributes": _stream(bitrate=SECRET)}]},
            "data[2].attributes.bitrate",
            "expected an integer, found string",
        ),
        (
            {"data": [{"id": "1", "attributes": {"bitrate": 1}}]},
            "data[0].attributes.stream_url",
            "required field missing",
        ),
        ({"data": [{"attributes": _stream()}]}, "data[0].id", "required field missing"),
        ({"data": [{"id": {"x": SECRET}, "attributes": _stream()}]}, "data[0].id", "expected a string, found object"),
        (
            {"data": [{"id": "1", "attributes": _stream(streaming_protocols=SECRET)}]},
            "data[0].attributes.streaming_protocols",
            "expected an array, found string",
        ),
        (
            {"data": [{"id": "1", "attributes": _stream(protection_keys=[{"type": "x"}, {"key": SECRET}])}]},
            "data[0].attributes.protection_keys[1].type",
            "required field missing",
        ),
        (
            {"data": [{"id": "1", "attributes": [_stream(), _stream(bitrate=True)]}]},
            "data[0].attributes[1].bitrate",
            "expected an integer, found boolean",
        ),
        ({"data": [SECRET]}, "data[0]", "expected an object, found string"),
        ({"data": 5}, "data", "expected an array or an object, found integer"),
        ([SECRET], "", "expected an object, found array"),
    ],
)
def test_decode_errors_name_the_path_never_the_value(document: Any, path: str, reason: str) -> None:
    with pytest.raises(DecodeError) as info:
        decode_models(document, Stream)
    assert (info.value.path, info.value.reason) == (path, reason)
    assert SECRET not in str(info.value) and SECRET not in repr(info.value)
    # No raw cattrs/KeyError in the chain a traceback would print.
    assert info.value.__cause__ is None
    assert info.value.__context__ is None or info.value.__suppress_context__


def test_nested_object_of_the_wrong_type() -> None:
    document = {"data": [{"id": "1", "attributes": {"name": "x", "availability_window": [1]}}]}
    with pytest.raises(DecodeError, match=r"data\[0\].attributes.availability_window: expected an object"):
        decode_models(document, Channel)


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
        lambda v: decode_models(v, Channel),
        lambda v: decode_models(v, Stream),
        lambda v: decode_models(v, UserProfile),
        lambda v: decode_models({"data": v}, Stream),
        lambda v: decode_models({"data": [{"id": "1", "attributes": v}]}, Channel),
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


# --- the generated decoders against cattrs' own -------------------------------------------------------------

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
    fields = attrs.fields(attrs.resolve_types(model))
    renames, omitted = _RENAMES.get(model, {}), _OMITTED.get(model, ())
    wanted = {renames.get(f.name, f.name): _value_for(f.type) for f in fields if f.name not in omitted}
    return st.fixed_dictionaries({}, optional={**wanted, "unknown": _WRONG, "keySystem": st.text(max_size=5)})


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
def test_the_generated_decoders_agree_with_cattrs_own(model: type, data: st.DataObject) -> None:
    # The fast converter's class hooks are generated by the SDK; the detailed one's by cattrs. They must take
    # and refuse exactly the same values, and build equal models.
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
