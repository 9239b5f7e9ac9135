"""What the tests of the catalogue, schedule, playback and commerce areas share: a fake, a client logged in to it
through a recorder of every exchange, and the check of each exchange against the area's OpenAPI files."""

from __future__ import annotations

import copy
import functools
import re
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from amino_async import AminoClient
from amino_async.testing import FakeAmino
from tests.helpers import BASE_URL, PASSWORD, USERNAME, Exchange, Recorder

REFERENCE = Path("/work/shared/reference/amino-openapi/rest")
if not REFERENCE.exists():  # beside the checkout, as shared/ is laid out for CI
    REFERENCE = Path(__file__).resolve().parents[3] / "shared" / "reference" / "amino-openapi" / "rest"
RAW_BASE = "https://raw.githubusercontent.com/booxmedialtd/api-documentation/master/rest/"

#: The OpenAPI 3 files of these areas (subscriptions.yml is Swagger 2.0, which openapi-core does not read).
FILES = (
    "enriched_metadata/channels.yml",
    "enriched_metadata/programs.yml",
    "enriched_metadata/series.yml",
    "enriched_metadata/seasons.yml",
    "enriched_metadata/genres.yml",
    "enriched_metadata/credited_persons.yml",
    "schedule/broadcast_slots.yml",
    "catchup/catchup.yml",
    "media/live_playable_stream.yml",
    "media/catchup_playable_stream.yml",
    "media/recording_playable_stream.yml",
    "media/media_playback_sessions.yaml",
    "playback_info/playback_info.yml",
    "recommendations/recommendations.yml",
    "package/packages.yml",
)


@pytest.fixture
def fake() -> FakeAmino:
    return FakeAmino(channels=40)


@pytest.fixture
def recording(fake: FakeAmino) -> Recorder:
    """Every data exchange with the fake (the token calls are not kept)."""
    return Recorder(fake, unrecorded=("/api/auth/",))


@pytest.fixture
async def client(recording: Recorder) -> AsyncIterator[AminoClient]:
    async with AminoClient(
        BASE_URL, username=USERNAME, password=PASSWORD, transport=httpx.ASGITransport(app=recording)
    ) as amino:
        yield amino


# --- the OpenAPI files, with the known defects of amino-api.md mended in the copy checked against -------


def _local_refs(node: Any, here: Path) -> Any:
    if isinstance(node, dict):
        mended = {key: _local_refs(value, here) for key, value in node.items()}
        ref = mended.get("$ref")
        if isinstance(ref, str):
            target, _, pointer = ref.partition("#")
            if target.startswith(RAW_BASE):
                path = REFERENCE / target[len(RAW_BASE) :]
            elif target:
                path = (here.parent / target).resolve()
            else:
                return mended
            mended["$ref"] = f"{path.as_uri()}#{pointer}"
        return mended
    if isinstance(node, list):
        return [_local_refs(item, here) for item in node]
    return node


def _mend(node: Any) -> Any:
    """The files' known defects, mended where the SDK and the fake follow amino-api.md rather than the letter."""
    if isinstance(node, dict):
        # YAML reads `200:` as an integer; OpenAPI keys are strings.
        node = {str(key): _mend(value) for key, value in node.items()}
        # Error objects: both `detail` and `details` are sent (amino-api.md); the JSON:API shape requires `details`.
        if node.get("required") == ["id", "status", "code", "title", "details"]:
            node["required"] = ["id", "status", "code", "title"]
        # ImageValueObject requires `iso3_language` and documents the key as `iso_639-2_lang`.
        if isinstance(node.get("required"), list) and "iso3_language" in node["required"]:
            node["required"] = [key if key != "iso3_language" else "iso_639-2_lang" for key in node["required"]]
        # ErrorEntity's own example sends `href: null`, which its schema's string does not allow.
        href = node.get("properties", {}).get("href") if isinstance(node.get("properties"), dict) else None
        if isinstance(href, dict) and href.get("type") == "string":
            node["properties"]["href"] = {**href, "nullable": True}
        # ISO language codes declared as integers while their examples are "fin"/"fi".
        for name in ("audio_language_iso639_2", "audio_language_iso639_1"):
            if isinstance(node.get(name), dict) and node[name].get("type") == "integer":
                node[name] = {**node[name], "type": "string"}
        # The PlaybackInfo request body requires type/id/attributes beside `data`, where they are inside it.
        if node.get("required") == ["type", "id", "attributes"] and "data" in node.get("properties", {}):
            node["required"] = ["data"]
        return node
    if isinstance(node, list):
        return [_mend(item) for item in node]
    return node


def _prefix(document: dict[str, Any]) -> str:
    url = document["servers"][0]["url"]
    return "/" + url.split("://", 1)[1].split("/", 1)[1].strip("/")


@functools.cache
def _documents() -> dict[str, tuple[str, dict[str, Any]]]:
    loaded = {}
    for name in FILES:
        path = REFERENCE / "endpoints" / name
        document = yaml.safe_load(path.read_text())
        document = _mend(_local_refs(document, path))
        loaded[name] = (_prefix(document), document)
    # Written from the snippets' own files too: they must carry the same mends.
    return loaded


@functools.cache
def _snippet_store() -> dict[str, Any]:
    store = {}
    for path in (REFERENCE / "snippets").rglob("*.y*ml"):
        store[path.as_uri()] = _mend(_local_refs(yaml.safe_load(path.read_text()), path))
    return store


def _attributes_fixes(node: Any, name: str) -> Any:
    if isinstance(node, dict):
        node = {key: _attributes_fixes(value, name) for key, value in node.items()}
        attributes = node.get("properties", {}).get("attributes") if isinstance(node.get("properties"), dict) else None
        if isinstance(attributes, dict):
            # The streams files: attributes an array of streams; the fake (and real answers) also send one object.
            if attributes.get("type") == "array":
                node["properties"]["attributes"] = {"anyOf": [attributes["items"], attributes]}
            # programs.yml: a slot's attributes refer to the whole BroadcastSlot resource schema.
            ref = attributes.get("$ref", "")
            if ref.endswith("Schedule/BroadcastSlotEntity.yml#/BroadcastSlotEntity"):
                node["properties"]["attributes"] = {"$ref": ref + "/properties/attributes"}
        # series.yml: `included` is typed as seasons only, while it holds seasons, genres and credited persons.
        if name == "enriched_metadata/series.yml" and isinstance(node.get("properties"), dict):
            included = node["properties"].get("included")
            if isinstance(included, dict) and included.get("type") == "array":
                node["properties"]["included"] = {"type": "array"}
        return node
    if isinstance(node, list):
        return [_attributes_fixes(item, name) for item in node]
    return node


def _file_fixes(name: str, document: dict[str, Any]) -> dict[str, Any]:
    document = _attributes_fixes(copy.deepcopy(document), name)
    for item in document["paths"].values():
        for operation in item.values():
            if not isinstance(operation, dict):
                continue
            for parameter in operation.get("parameters", ()):
                # Season ids are declared int64; every example (and the API) uses UUID strings.
                if parameter.get("name") == "season_id":
                    parameter["schema"] = {"type": "string"}
                # GET /catchup's filter is declared as an enum of field names, where its value is field:values.
                if name == "catchup/catchup.yml" and parameter.get("name") == "filter":
                    parameter["schema"] = {"type": "string"}
                # credited_persons' filter is declared an array without items.
                if parameter.get("name") == "filter" and parameter.get("schema", {}).get("type") == "array":
                    parameter["schema"] = {"type": "string"}
    return document


@functools.cache
def _openapi(name: str) -> Any:
    from jsonschema_path import SchemaPath
    from openapi_core import OpenAPI

    prefix, document = _documents()[name]
    document = _file_fixes(name, document)
    document["servers"] = [{"url": f"{BASE_URL}{prefix}"}]
    store = _snippet_store()

    def local(uri: str) -> Any:
        return store[uri]

    spec = SchemaPath.from_dict(
        document,
        base_uri=(REFERENCE / "endpoints" / name).as_uri(),
        handlers={"file": local},
    )
    from openapi_core import Config

    # The files are checked by what they say of each operation, not for being valid OpenAPI (several are not).
    return OpenAPI(spec, config=Config(spec_validator_cls=None))


def _template_pattern(template: str) -> re.Pattern[str]:
    parts = re.split(r"(\{[^}]+\})", template)
    return re.compile("".join("[^/]+" if part.startswith("{") else re.escape(part) for part in parts) + r"\Z")


def _operation(exchange: Exchange) -> tuple[str, dict[str, Any]]:
    """The OpenAPI file documenting ``exchange``'s operation, and the operation."""
    for name, (prefix, document) in _documents().items():
        for template, item in document["paths"].items():
            method = exchange.method.lower()
            if method in item and _template_pattern(prefix + template).match(exchange.raw_path):
                return name, item[method]
    raise AssertionError(f"no OpenAPI file documents {exchange.method} {exchange.path}")


def check_against_files(exchanges: list[Exchange]) -> int:
    """Validate each exchange, request and documented answer, against the file documenting it; the number
    validated. Answers of a status the file does not document (a 403 of a foreign user, say) are not checked."""
    from urllib.parse import parse_qsl

    from openapi_core.testing import MockRequest, MockResponse

    checked = 0
    for exchange in exchanges:
        if exchange.path.startswith("/api/subscription/"):
            continue  # Swagger 2.0: the tests check its one operation's shape themselves
        name, operation = _operation(exchange)
        openapi = _openapi(name)
        # PATCH of a session: the file says only last_updated_timestamp may be sent, yet requires stream_type.
        patch = exchange.method == "PATCH" and "media_play_sessions" in exchange.path
        request = MockRequest(
            BASE_URL,
            exchange.method,
            exchange.raw_path,
            args=dict(parse_qsl(exchange.query, keep_blank_values=True)),
            headers={"Authorization": exchange.headers.get("authorization", "")},
            data=exchange.body or None,
            content_type=exchange.headers.get("content-type", "application/json"),
        )
        if not patch:
            openapi.validate_request(request)
        documented = {int(code) for code in operation.get("responses", {})}
        if exchange.status in documented and exchange.response_body:
            content_type = exchange.response_headers.get("content-type", "application/json").split(";")[0]
            response = MockResponse(exchange.response_body, status_code=exchange.status, content_type=content_type)
            openapi.validate_response(request, response)
        checked += 1
    return checked
