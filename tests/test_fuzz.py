"""Fuzzing every decoder with JSON:API documents: valid, nearly valid and hostile. Only DecodeError comes out.

Each example is also bounded in time (hypothesis' deadline) and in memory (tracemalloc's peak). More examples:
``AMINO_FUZZ_PROFILE=thorough pytest tests/test_fuzz.py``.
"""

from __future__ import annotations

import contextlib
import json
import os
import tracemalloc
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from amino_async import AminoError, Channel, DecodeError, Document, Genre, Product, Stream, Tokens, UserProfile
from amino_async._answer import Answer, error_from_answer
from amino_async._decoding import decode_resource, load_json
from amino_async._jsonapi import decode_document, decode_errors, decode_included
from amino_async._tokens import tokens_from_token_answer, tokens_from_user_stat
from amino_async.models import ErrorObject

from .helpers import httpx

settings.register_profile(
    "ci", max_examples=60, deadline=3_000, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large]
)
settings.register_profile("thorough", max_examples=5_000, deadline=3_000, suppress_health_check=list(HealthCheck))
PROFILE = os.environ.get("AMINO_FUZZ_PROFILE", "ci")
# A decoder may hold a copy or two of its input; far more means something grows without bound.
MAX_PEAK = 32 * 1024 * 1024

# --- strategies ---------------------------------------------------------------------------------------------

ODD_TEXT = st.sampled_from(
    [
        "",
        "NaN",
        "Infinity",
        "-Infinity",
        "1e309",
        "0x10",
        "\uff11\uff12",
        "\u202e",
        "\x00",
        "\ud800",
        "\U0001d7d8",
        "null",
        "true",
    ]
)
SCALARS = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.integers(min_value=-(10**40), max_value=10**40)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=30)
    | ODD_TEXT
    | st.integers(min_value=1_000, max_value=3_000).map(lambda n: "ab€" * n)
)
KEYS = st.sampled_from(
    [
        "data",
        "id",
        "type",
        "attributes",
        "relationships",
        "included",
        "links",
        "meta",
        "errors",
        "name",
        "stream_url",
        "bitrate",
        "codec_info",
        "protection_keys",
        "images",
        "logical_channel_number",
        "title",
        "detail",
        "details",
        "status",
        "code",
        "access_token",
        "refresh_token",
        "expires_at_timestamp",
        "login_timestamp",
        "user_id",
        "userStat",
        "accessToken",
        "refreshToken",
        "next",
        "href",
    ]
) | st.text(max_size=10)
JSON = st.recursive(
    SCALARS,
    lambda children: st.lists(children, max_size=6) | st.dictionaries(KEYS, children, max_size=8),
    max_leaves=60,
)


def _attributes_for(model: type) -> st.SearchStrategy[dict[str, Any]]:
    """Attributes shaped like ``model``'s, with values that are right, nearly right or wrong."""
    fields = [name for name in getattr(model, "__attrs_attrs__", ()) if name.name != "id"]
    names = [field.name for field in fields] or ["name"]
    return st.dictionaries(st.sampled_from(names), JSON, max_size=len(names))


def _resource(model: type) -> st.SearchStrategy[Any]:
    valid_id = st.text(min_size=1, max_size=40) | st.integers(min_value=0, max_value=2**63)
    return (
        st.fixed_dictionaries(
            {"type": st.sampled_from([model.__name__, "Other"]), "id": valid_id | JSON},
            optional={"attributes": _attributes_for(model) | st.lists(_attributes_for(model), max_size=3) | JSON},
        )
        | JSON
    )


def _document(model: type) -> st.SearchStrategy[Any]:
    return (
        st.fixed_dictionaries(
            {"data": st.lists(_resource(model), max_size=5) | _resource(model)},
            optional={"included": st.lists(_resource(Genre) | _resource(Product), max_size=4) | JSON, "links": JSON},
        )
        | JSON
    )


def _deep(depth: int) -> Any:
    value: Any = {"data": []}
    for _ in range(depth):
        value = {"data": [value], "attributes": value}
    return value


HOSTILE_BYTES = st.sampled_from(
    [
        b"[" * 200_000,
        b'{"data":' * 50_000,
        b"1" * 100_000,
        b'{"data": [' + b'{"id": "1", "type": "Stream"},' * 5_000 + b"]}",
        b"\xef\xbb\xbf{}",
        b'{"a": NaN}',
        b'{"a": 1e99999}',
        '{"data": "\ud800"}'.encode("utf-8", "surrogatepass"),
    ]
) | st.binary(max_size=300)

# --- harness ------------------------------------------------------------------------------------------------


def _only_decode_errors(decode: Callable[[], object]) -> None:
    """Run one decoding with tracemalloc on: it succeeds or raises DecodeError, within the memory bound."""
    tracemalloc.start()
    try:
        try:
            decode()
        except DecodeError as exc:
            message = str(exc)  # a message naming types and a path
            assert message
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < MAX_PEAK, f"decoding one document peaked at {peak} bytes"


MODELS = [Channel, Stream, UserProfile, Genre, Product]


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
@settings(settings.get_profile(PROFILE))
@given(data=st.data())
def test_decode_document_and_resources(model: type, data: st.DataObject) -> None:
    document = data.draw(_document(model))
    for strict in (False, True):
        _only_decode_errors(lambda strict=strict: decode_document(document, model, strict=strict))
    resource = data.draw(_resource(model))
    for strict in (False, True):
        _only_decode_errors(lambda strict=strict: decode_resource(resource, model, path="included[0]", strict=strict))


@settings(settings.get_profile(PROFILE))
@given(document=_document(Channel) | _document(Stream))
def test_document_parse_and_its_resources(document: Any) -> None:
    def parse() -> None:
        parsed = Document.parse(document)
        assert repr(parsed) and (parsed.data, parsed.links, parsed.meta, parsed.errors, parsed.next_link)
        for resource in (*parsed.resources, *parsed.included):
            resource.refs()
            parsed.get_included(resource.type, resource.id)
            for model in MODELS:
                with contextlib.suppress(DecodeError):
                    resource.to(model)
        for model in MODELS:
            with contextlib.suppress(DecodeError):
                decode_document(parsed, model)
            with contextlib.suppress(DecodeError):
                decode_included(parsed, model)

    _only_decode_errors(parse)


TOKEN_ATTRIBUTES = st.fixed_dictionaries(
    {},
    optional={
        "access_token": st.text(max_size=50) | JSON,
        "refresh_token": st.text(max_size=50) | JSON,
        "expires_at_timestamp": st.integers() | JSON,
        "login_timestamp": st.integers() | JSON,
        "user_id": st.text(max_size=10) | st.integers() | JSON,
        "user_profile_id": JSON,
        "user_flags": st.lists(st.text(max_size=5)) | JSON,
    },
)


@settings(settings.get_profile(PROFILE))
@given(
    attributes=TOKEN_ATTRIBUTES,
    shape=st.sampled_from(["object", "list", "raw"]),
    raw=JSON,
    date=st.none() | st.text(max_size=40) | st.just("Sat, 28 Nov 2026 12:00:00 GMT"),
)
def test_token_answers(attributes: dict[str, Any], shape: str, raw: Any, date: str | None) -> None:
    resource = {"type": "AccessToken", "id": "1", "attributes": attributes}
    document = {"object": {"data": resource}, "list": {"data": [resource]}, "raw": raw}[shape]
    _only_decode_errors(lambda: tokens_from_token_answer(document, received_at=0.0))
    stat = {"userStat": {"accessToken": [attributes.get("access_token"), attributes.get("expires_at_timestamp")]}}
    for value in (stat, raw, {"userStat": raw}, {"userStat": {"accessToken": raw, "refreshToken": raw}}):
        _only_decode_errors(lambda value=value: tokens_from_user_stat(value, date=date, received_at=0.0))
    stored = {**attributes, "expires_at": attributes.get("expires_at_timestamp"), "received_at": raw}
    _only_decode_errors(lambda: Tokens.from_json(stored))
    _only_decode_errors(lambda: Tokens.from_json(raw))


@settings(settings.get_profile(PROFILE))
@given(content=HOSTILE_BYTES | JSON.map(lambda v: json.dumps(v, allow_nan=True).encode()))
def test_load_json_and_every_decoder_of_a_body(content: bytes) -> None:
    def decode_all() -> None:
        value = load_json(content)
        for attempt in (
            lambda: decode_document(value, Stream),
            lambda: decode_document(value, Channel),
            lambda: decode_document(value, Channel, strict=True),
            lambda: Document.parse(value),
            lambda: tokens_from_token_answer(value, received_at=0.0),
            lambda: tokens_from_user_stat(value, date=None, received_at=0.0),
        ):
            with contextlib.suppress(DecodeError):
                attempt()
        assert all(isinstance(e, ErrorObject) for e in decode_errors(value))

    _only_decode_errors(decode_all)


def test_deeply_nested_documents_are_decode_errors_or_decoded() -> None:
    for depth in (10, 100, 900):
        document = _deep(depth)
        for model in MODELS:
            _only_decode_errors(lambda document=document, model=model: decode_document(document, model))
        _only_decode_errors(lambda document=document: Document.parse(document))
    _only_decode_errors(lambda: load_json(b'{"data":[' * 10_000 + b"]}" * 10_000))


ERROR_BODIES = (
    HOSTILE_BYTES
    | JSON.map(lambda v: json.dumps(v, allow_nan=True).encode())
    | st.fixed_dictionaries({"errors": st.lists(st.dictionaries(KEYS, JSON, max_size=6) | JSON, max_size=5)}).map(
        lambda v: json.dumps(v).encode()
    )
)


@settings(settings.get_profile(PROFILE))
@given(
    status=st.sampled_from([400, 401, 403, 404, 429, 451, 500, 502, 503, 504, 418, 599]),
    body=ERROR_BODIES,
    retry_after=st.none() | st.text(max_size=40) | st.sampled_from(["0", "1e309", "NaN", "-5", "Wed, 21 Oct 2015"]),
)
def test_error_answers_of_any_body_become_sdk_errors(status: int, body: bytes, retry_after: str | None) -> None:
    headers = {"retry-after": retry_after} if retry_after is not None and retry_after.isprintable() else {}
    try:
        response = httpx.Response(status, content=body, headers=headers, request=httpx.Request("GET", "http://a/b"))
    except (ValueError, UnicodeEncodeError):
        return  # a header httpx itself refuses to build
    tracemalloc.start()
    try:
        error = error_from_answer(Answer(response, body))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert isinstance(error, AminoError)
    assert getattr(error, "status", None) == status
    retry = getattr(error, "retry_after", None)
    assert retry is None or (retry >= 0 and retry == retry and retry != float("inf"))
    assert len(str(error)) < 1_000  # a server's long detail is cut, never dumped
    assert peak < MAX_PEAK
