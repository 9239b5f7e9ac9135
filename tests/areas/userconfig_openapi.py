"""The user-configuration OpenAPI files, as openapi-core validators of the SDK's requests and FakeAmino's answers.

The files' ``$ref``s point at raw.githubusercontent; they are the local snippets under ``rest/snippets``, inlined
here. The files' known defects are mended before validating, each named where it is mended (see amino-api.md and
the area's report): the rest of the files is trusted as written.
"""

from __future__ import annotations

import copy
import functools
import os
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from openapi_core import OpenAPI
from openapi_core.templating.paths.exceptions import PathError
from openapi_core.templating.responses.exceptions import ResponseNotFound
from openapi_core.testing import MockRequest, MockResponse

from amino_async import AminoClient
from amino_async.testing import FakeAmino
from tests.helpers import BASE_URL, PASSWORD, USERNAME, Exchange, Recorder

#: The OpenAPI files: ``$AMINO_OPENAPI_DIR``, else ``../shared/reference/amino-openapi`` beside the repository (as the
#: issues name them). Not copied into the project; missing, every validation fails (none is skipped).
_BESIDE = Path(__file__).resolve().parents[2].parent / "shared" / "reference" / "amino-openapi"
ROOT = Path(os.environ.get("AMINO_OPENAPI_DIR") or _BESIDE) / "rest"
_REMOTE = "https://raw.githubusercontent.com/booxmedialtd/api-documentation/master/rest/"
FILES = (
    "user_profiles",
    "favourite_channels",
    "locked_channels",
    "market_segments",
    "user_info",
    "user_preferences",
)


@functools.cache
def _load(relative: str) -> Any:
    return yaml.safe_load((ROOT / relative).read_text(encoding="utf-8"))


def _inline(node: Any) -> Any:
    """``node`` with every reference to the snippets replaced by the snippet (status keys made strings)."""
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith(_REMOTE):
            relative, _, pointer = ref[len(_REMOTE) :].partition("#")
            target = _load(relative)
            for part in pointer.strip("/").split("/"):
                target = target[part]
            return _inline(copy.deepcopy(target))
        return {str(key): _inline(value) for key, value in node.items()}
    if isinstance(node, list):
        return [_inline(item) for item in node]
    return node


def _without_required(schema: Any) -> Any:
    if isinstance(schema, dict):
        return {key: _without_required(value) for key, value in schema.items() if key != "required"}
    if isinstance(schema, list):
        return [_without_required(item) for item in schema]
    return schema


def _nullable_href(node: Any) -> None:
    """ErrorEntity's ``href`` is a string in its schema and null in its own example (and in the platform's
    answers): nullable."""
    if isinstance(node, dict):
        properties = node.get("properties")
        if isinstance(properties, dict) and "href" in properties and "title" in properties:
            properties["href"] = {**properties["href"], "nullable": True}
        for value in node.values():
            _nullable_href(value)
    elif isinstance(node, list):
        for item in node:
            _nullable_href(item)


def _mend(name: str, spec: dict[str, Any]) -> dict[str, Any]:
    """The file with its known defects mended (each is a defect of the file, not a leniency of the test)."""
    prefix = spec["servers"][0]["url"].split("demo.aminocom.com", 1)[1].rstrip("/")
    spec["servers"] = [{"url": f"http://localhost{prefix}"}]
    paths = spec["paths"]
    _nullable_href(paths)
    if name == "favourite_channels":
        # Two operations share the operationId indexChannelListContents.
        lists = "/user_profiles/{user_profile_id}/favourite_channel_lists"
        item = paths[lists + "/{favourite_channel_list_id}/relationships/channels"]
        item["get"]["operationId"] = "indexFavouriteChannelListContents"
    if name == "locked_channels":
        # ``headers`` holds a bare string where OpenAPI wants Header Objects.
        del paths["/users/{user_id}/channel_lock_configuration"]["get"]["responses"]["200"]["headers"]
    if name == "user_info":
        item = paths["/users/{user_id_or_email}"]
        # The PATCH names its path parameter user_id where the template says user_id_or_email.
        item["patch"]["parameters"][0]["name"] = "user_id_or_email"
        # The PATCH body is the whole UserEntity with its required fields: a PATCH sends what changes.
        body = item["patch"]["requestBody"]["content"]["application/json"]
        body["schema"] = _without_required(body["schema"])
        # ``included`` is typed an integer; JSON:API's (and the description's) is a list of names.
        for parameter in item["get"]["parameters"]:
            if parameter["name"] == "included":
                parameter["schema"] = {"type": "string"}
    return spec


@functools.cache
def validators() -> dict[str, OpenAPI]:
    """One validator per file, by the file's name."""
    return {
        name: OpenAPI.from_dict(_mend(name, _inline(_load(f"endpoints/user_configuration/{name}.yml"))))
        for name in FILES
    }


@pytest.fixture
def recording(fake: FakeAmino) -> Recorder:
    """Every exchange with the fake, the token calls too."""
    return Recorder(fake)


@pytest.fixture
async def client(recording: Recorder) -> AsyncIterator[AminoClient]:
    """The end user 1001, through ``recording``."""
    async with AminoClient(BASE_URL, transport=through(recording), username=USERNAME, password=PASSWORD) as client:
        yield client


def through(recording: Recorder) -> httpx.AsyncBaseTransport:
    """A transport to the fake through ``recording``."""
    return httpx.ASGITransport(app=recording)


def users_calls(recording: Recorder) -> list[Exchange]:
    """The exchanges of the users families (not the token calls)."""
    return recording.of("/api/users/")


def validate(exchange: Exchange, *, undocumented_status: bool = False) -> str:
    """Check the request and the answer against the file that documents the operation; the file's name.

    Raises when no file documents the operation, or either does not match; an answer whose status the file does
    not document (the 403 for another user's resources) is accepted only with ``undocumented_status``.
    """
    request = MockRequest(
        "http://localhost",
        exchange.method.lower(),
        exchange.path,
        args=exchange.params,
        headers=dict(exchange.headers),
        data=exchange.body or None,
        content_type=exchange.headers.get("content-type", "application/json"),
    )
    for name, spec in validators().items():
        try:
            spec.validate_request(request)
        except PathError:
            continue
        media = exchange.response_headers.get("content-type", "application/json").split(";")[0]
        answer = MockResponse(
            exchange.response_body,
            status_code=exchange.status,
            headers=dict(exchange.response_headers),
            content_type=media,
        )
        try:
            spec.validate_response(request, answer)
        except ResponseNotFound:
            if not undocumented_status:
                raise
        return name
    raise AssertionError(f"no file documents {exchange.method} {exchange.path}")
