"""The models as pydantic types: FastAPI response models with named OpenAPI components, ``pydantic.TypeAdapter``.

Every model class gets its schema from one hook on their common base (``models._common.Model``), built from the
attrs fields when pydantic asks (``models._pydantic``); importing or using the SDK never imports pydantic.
"""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

import attrs
import pydantic
import pytest
from fastapi import FastAPI

from amino_async import AminoClient, NotFoundError, models
from amino_async.models import Channel, Episode, GrantOutcome, Image, Program, ProtectionKey, Stream
from amino_async.models._common import Model
from amino_async.testing import FakeAmino

from .helpers import httpx


def _public_classes() -> list[type]:
    found = []
    for module in (models, models.legacy):
        for name in module.__all__:
            value = getattr(module, name)
            if isinstance(value, type) and value is not models.FrozenDict:
                found.append(value)
    return found


MODEL_CLASSES = _public_classes()


def _json_fields(cls: type) -> list[str]:
    return [f.name for f in attrs.fields(cls) if f.metadata.get("fill") != "raw"]


def test_importing_and_using_the_sdk_never_imports_pydantic() -> None:
    code = (
        "import sys, anyio, httpx\n"
        "import amino_async, amino_async.models, amino_async.models.legacy\n"
        "from amino_async.testing import FakeAmino\n"
        "async def main():\n"
        "    fake = FakeAmino(channels=3)\n"
        "    async with amino_async.AminoClient('http://localhost', username='user@example.com', password='secret',\n"
        "                                       http_library='httpx', transport=httpx.ASGITransport(app=fake)) as c:\n"
        "        assert len((await c.channels.list()).items) == 3\n"
        "        assert await c.channels.streams(fake.channel_id(0))\n"
        "anyio.run(main)\n"
        "print(sorted(n for n in sys.modules if n.split('.')[0] in ('pydantic', 'pydantic_core', 'fastapi')))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


def test_the_public_model_classes_are_all_attrs_models_on_the_common_base() -> None:
    assert len(MODEL_CLASSES) > 140  # every area's, and the legacy API's
    for cls in MODEL_CLASSES:
        assert attrs.has(cls), cls
        assert issubclass(cls, Model), cls
        assert "__get_pydantic_core_schema__" not in vars(cls), f"{cls.__name__} defines the hook again"


@pytest.mark.parametrize("cls", MODEL_CLASSES, ids=lambda cls: f"{cls.__module__.rsplit('.', 1)[-1]}.{cls.__name__}")
def test_every_model_has_a_named_schema_listing_its_fields(cls: type) -> None:
    for mode in ("validation", "serialization"):
        schema = pydantic.TypeAdapter(cls).json_schema(mode=mode)
        own = schema["$defs"][schema["$ref"].rsplit("/", 1)[-1]] if "$ref" in schema else schema
        assert own["title"] == cls.__name__
        assert own["type"] == "object"
        assert list(own["properties"]) == _json_fields(cls)
        assert "raw" not in own["properties"]
        for name, field_schema in own["properties"].items():
            assert {"type", "$ref", "anyOf", "enum", "const"} & set(field_schema), (name, field_schema)
        required = [f.name for f in attrs.fields(cls) if f.default is attrs.NOTHING]
        assert own.get("required", []) == required


def test_a_stream_through_a_type_adapter() -> None:
    adapter = pydantic.TypeAdapter(Stream)
    key = ProtectionKey("widevine", "k1", la_url="https://drm.example/license", extra={"kid": "abc"})
    stream = Stream(
        id="s1",
        stream_url="https://cdn.example/x.mpd",
        bitrate=6000,
        streaming_protocols=("dash",),
        protection_keys=(key,),
    )
    dumped = adapter.dump_python(stream, mode="json")
    assert dumped["stream_url"] == "https://cdn.example/x.mpd"
    assert dumped["streaming_protocols"] == ["dash"]
    assert dumped["protection_keys"] == [
        {"type": "widevine", "key": "k1", "la_url": "https://drm.example/license", "extra": {"kid": "abc"}}
    ]
    assert "raw" not in dumped
    assert json.loads(adapter.dump_json(stream)) == dumped
    assert adapter.dump_python(stream)["streaming_protocols"] == ("dash",)  # Python mode keeps the tuples

    # Back from the JSON, or a dict: the class's own __init__ builds it, equal to the original.
    assert adapter.validate_json(adapter.dump_json(stream)) == stream
    assert adapter.validate_python(dumped) == stream
    assert adapter.validate_python(stream) is stream
    with pytest.raises(pydantic.ValidationError, match="stream_url"):
        adapter.validate_python({"id": "s2"})

    schema = adapter.json_schema(mode="serialization")
    properties = schema["properties"]
    assert properties["stream_url"]["type"] == "string"
    assert {"type": "integer"} in properties["bitrate"]["anyOf"]
    assert properties["streaming_protocols"] == {
        "default": [],
        "items": {"type": "string"},
        "title": "Streaming Protocols",
        "type": "array",
    }
    assert properties["protection_keys"]["items"] == {"$ref": "#/$defs/ProtectionKey"}
    assert schema["$defs"]["ProtectionKey"]["properties"]["extra"]["type"] == "object"
    assert schema["required"] == ["id", "stream_url"]


def test_raw_is_left_out_and_an_exception_is_its_message() -> None:
    channel = Channel(id="c1", name="One", images=(Image("https://img.example/1.png"),), raw={"odd": [1, 2]})
    dumped = pydantic.TypeAdapter(Channel).dump_python(channel, mode="json")
    assert "raw" not in dumped
    assert dumped["images"][0]["url"] == "https://img.example/1.png"

    outcome = GrantOutcome(user_id="1", license_package_id="p", status="failed", error=NotFoundError("no such user"))
    adapter = pydantic.TypeAdapter(GrantOutcome)
    dumped = adapter.dump_python(outcome, mode="json")
    assert dumped == {"user_id": "1", "license_package_id": "p", "status": "failed", "error": "no such user"}
    assert adapter.json_schema()["properties"]["error"]["anyOf"] == [{"type": "string"}, {"type": "null"}]
    back = adapter.validate_python(dumped)
    assert isinstance(back.error, models.admin.AminoError)
    assert str(back.error) == "no such user"


def test_models_that_refer_to_each_other_have_one_schema_each() -> None:
    adapter = pydantic.TypeAdapter(Program)  # a programme's episode has its programme
    schema = adapter.json_schema()
    assert schema["$ref"] == "#/$defs/Program"
    assert _without_default(schema["$defs"]["Program"]["properties"]["episode"]) == {
        "anyOf": [{"$ref": "#/$defs/Episode"}, {"type": "null"}]
    }
    assert {"$ref": "#/$defs/Program"} in schema["$defs"]["Episode"]["properties"]["program"]["anyOf"]
    inner = Program(id="p1", title="Film")
    program = Program(id="p1", title="Film", episode=Episode(id="e1", episode_number=2, program=inner))
    assert adapter.validate_json(adapter.dump_json(program)) == program
    assert adapter.dump_python(program, mode="json")["episode"]["program"]["title"] == "Film"


def _without_default(schema: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in schema.items() if key not in ("default", "title")}


# --- a FastAPI app serving the SDK's models ---------------------------------------------------------------


def _app(client: AminoClient) -> FastAPI:
    app = FastAPI()

    @app.get("/channels/{channel_id}/streams", response_model=list[Stream])
    async def streams(channel_id: str) -> Any:
        return await client.channels.streams(channel_id)

    @app.get("/channels/first")
    async def first_channel() -> Channel:
        return (await client.channels.list()).items[0]

    return app


async def test_a_fastapi_app_serves_models_and_lists_their_schemas(
    amino_client: AminoClient, fake_amino: FakeAmino
) -> None:
    channel_id = fake_amino.channel_id(0)
    expected_streams = await amino_client.channels.streams(channel_id)
    expected_channel = (await amino_client.channels.list()).items[0]
    app = _app(amino_client)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://app.test") as http:
        served = await http.get(f"/channels/{channel_id}/streams")
        assert served.status_code == 200, served.text
        assert served.json() == [pydantic.TypeAdapter(Stream).dump_python(s, mode="json") for s in expected_streams]
        assert served.json()[0]["stream_url"] == expected_streams[0].stream_url
        assert isinstance(served.json()[0]["streaming_protocols"], list)

        served = await http.get("/channels/first")
        assert served.status_code == 200, served.text
        channel = served.json()
        assert (channel["id"], channel["name"]) == (expected_channel.id, expected_channel.name)
        assert channel["images"][0]["url"] == expected_channel.images[0].url  # nested models are objects
        assert pydantic.TypeAdapter(Channel).validate_python(channel) == expected_channel

        openapi = (await http.get("/openapi.json")).json()
    components = openapi["components"]["schemas"]
    assert {"Stream", "Channel", "ProtectionKey", "Image"} <= set(components)
    for name, cls in (("Stream", Stream), ("Channel", Channel)):
        assert components[name]["title"] == name
        assert list(components[name]["properties"]) == _json_fields(cls)
    stream = components["Stream"]["properties"]
    assert stream["stream_url"]["type"] == "string"
    assert stream["suggested_devices"]["type"] == "array"
    assert stream["protection_keys"]["items"] == {"$ref": "#/components/schemas/ProtectionKey"}
    channel_schema = components["Channel"]["properties"]
    assert channel_schema["is_demo_channel"]["type"] == "boolean"
    assert {"type": "integer"} in channel_schema["logical_channel_number"]["anyOf"]
    assert channel_schema["images"]["items"] == {"$ref": "#/components/schemas/Image"}
    responses = openapi["paths"]["/channels/{channel_id}/streams"]["get"]["responses"]["200"]
    assert responses["content"]["application/json"]["schema"]["items"] == {"$ref": "#/components/schemas/Stream"}
    first = openapi["paths"]["/channels/first"]["get"]["responses"]["200"]["content"]["application/json"]
    assert first["schema"] == {"$ref": "#/components/schemas/Channel"}
