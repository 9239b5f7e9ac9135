"""The operator and legacy areas' OpenAPI files, loaded for openapi-core, and the exchanges checked against them.

The files' ``$ref``s point at ``raw.githubusercontent.com/booxmedialtd/api-documentation/master/...``, which are
the local files under ``reference/amino-openapi``: each is resolved there and inlined. The files' known defects
are patched in the loaded copy, each patch named and explained in :data:`PATCHES`; the files themselves are
never changed. ``servers`` become ``http://localhost`` plus the server's path, where the tests' client sends.
"""

from __future__ import annotations

import copy
import functools
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import attrs
import yaml

from ..helpers import Exchange

REFERENCE = Path("/work/shared/reference/amino-openapi")
_REMOTE = "https://raw.githubusercontent.com/booxmedialtd/api-documentation/master/"
BASE = "http://localhost"


def _load_yaml(path: Path) -> Any:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def _resolve(node: Any, here: Path, seen: tuple[str, ...] = ()) -> Any:
    """``node`` with every ``$ref`` to a snippet inlined (local refs, ``#/...``, are left to openapi-core)."""
    if isinstance(node, list):
        return [_resolve(item, here, seen) for item in node]
    if not isinstance(node, dict):
        return node
    ref = node.get("$ref")
    if isinstance(ref, str) and not ref.startswith("#"):
        location, _, fragment = ref.partition("#")
        target = REFERENCE / location[len(_REMOTE) :] if location.startswith(_REMOTE) else (here.parent / location)
        target = target.resolve()
        key = f"{target}#{fragment}"
        if key in seen:
            raise ValueError(f"a $ref cycle through {key}")
        value = _load_yaml(target)
        for part in fragment.strip("/").split("/"):
            if part:
                value = value[part]
        return _resolve(copy.deepcopy(value), target, (*seen, key))
    # YAML reads unquoted statuses (200:) as integers; OpenAPI keys are strings.
    return {str(name): _resolve(value, here, seen) for name, value in node.items()}


# --- the files' known defects, patched in the loaded copy ---------------------------------------------------

Spec = dict[str, Any]


def _operation(spec: Spec, path: str, method: str) -> Spec:
    operation: Spec = spec["paths"][path][method]
    return operation


def _schema_200(spec: Spec, path: str, method: str = "get") -> Spec:
    schema: Spec = _operation(spec, path, method)["responses"]["200"]["content"]["application/json"]["schema"]
    return schema


def _flat_services(license_schema: Spec) -> None:
    """``UserChannelLicense.permissions_granted.services_enabled`` is an array of arrays whose example is a string:
    the API sends (and the SDK reads) strings."""
    permissions = license_schema["properties"]["permissions_granted"]
    permissions["properties"]["services_enabled"]["items"] = {"type": "string"}
    permissions["required"] = ["services_enabled"]  # trickplay_enabled is required but never defined


def _channel_licenses_get(spec: Spec) -> None:
    operation = _operation(spec, "/user/{user_id}/relationships/channel_licenses", "get")
    del operation["responses"]["200"]["headers"]  # a header given as a string, not a Header object
    _flat_services(
        _schema_200(spec, "/user/{user_id}/relationships/channel_licenses")["properties"]["data"]["items"][
            "properties"
        ]["attributes"]
    )


def _recording_devices(spec: Spec) -> None:
    devices = _schema_200(spec, "/users/{user_id}/recording_devices")["properties"]["data"]["items"]
    device = devices["properties"]["attributes"]["properties"]["physical_device_id"]
    device["nullable"] = True  # "null when the device type is either cloud or foreign", its example null


def _license(spec: Spec) -> None:
    templates = _schema_200(spec, "/license_packages/relationships/license_templates")
    _flat_services(templates["properties"]["data"]["items"]["properties"]["attributes"])
    body = _operation(spec, "/user/{user_id}/relationships/channel_licenses", "post")["requestBody"]
    _flat_services(body["content"]["application/json"]["schema"]["items"])


def _irdeto(spec: Spec) -> None:
    item = spec["paths"]["/user/{user_id}/device/{device_id}/entitlements"]
    schema = item["post"]["requestBody"]["content"]["application/json"]["schema"]
    del schema["required"]  # "required:" with nothing under it: null
    triplet = schema["properties"]["dvb"]["items"]["properties"]["triplet"]
    triplet["required"] = ["original_network_id", "transport_stream_id", "service_id"]  # "transport_stream" typo
    item["delete"]["operationId"] = "deleteDeviceEntitlement"  # the create's operationId, reused
    program = schema["properties"]["relationships"]["properties"]["program"]["properties"]["data"]
    program["properties"]["id"] = {"type": "string"}  # channel ids are strings everywhere else in the API


def _v4_errors(spec: Spec) -> None:
    """JsonApiErrorEntity requires ``details`` where its own example (and the API) send ``detail``."""
    for status in ("403", "404"):
        schema = _operation(spec, "/users/{user_id}", "post")["responses"][status]["content"]["application/json"]
        schema["schema"]["properties"]["errors"]["items"]["required"] = ["id", "status", "code", "title"]


def _channel(spec: Spec) -> None:
    for parameter in _operation(spec, "/user/{user_email}/channel/{channel_id}/tag", "put")["parameters"]:
        if parameter["name"] == "channel_id":
            parameter["schema"] = {"type": "string"}  # the catalogue's channel ids are UUIDs, as the rest of the API's
    favourite = _operation(spec, "/user/{user_email}/channel", "get")["parameters"]
    for parameter in favourite:
        if parameter["name"] == "favorite":
            parameter["schema"] = {"type": "string", "enum": ["true", "false"]}  # the enum is YAML booleans


def _epg(spec: Spec) -> None:
    programs = _schema_200(spec, "/v3/epg")["properties"]["channels"]["items"]["properties"]["services"]
    programs = programs["properties"]["programs"]["items"]["properties"]
    programs["dvbInformation"]["properties"]["description"] = {"type": "string"}  # "integer", example ""


def _play(spec: Spec) -> None:
    channel = _operation(spec, "/user/{user_id}/channel/{channel_id}/stream/{stream_id}/play", "get")
    drm = channel["responses"]["200"]["content"]["application/json"]["schema"]["properties"]["drm"]
    drm["required"] = ["streamingMode", "encryptionMode", "token", "laUrl"]  # "encryptedMode" in the required list
    redirect = {"description": "A redirect to the playlist", "headers": {"Location": {"schema": {"type": "string"}}}}
    channel["responses"]["302"] = redirect  # the description says it redirects; only 200 and 403 are listed
    recording = _operation(spec, "/user/{user_id}/recording/{recording_id}", "get")
    # Its description is the channel's, AJAX included ("the server will return HTTP code 200 with Redirect object").
    recording["responses"]["200"] = copy.deepcopy(channel["responses"]["200"])


def _string_ids(node: Any, names: frozenset[str]) -> None:
    """Ids the files type as integers (``"17"``-style legacy ids) are the catalogue's UUIDs here, as in the rest of
    the API: strings."""
    if isinstance(node, dict):
        properties = node.get("properties")
        if isinstance(properties, dict):
            for name in names & properties.keys():
                if properties[name].get("type") == "integer":
                    properties[name] = {"type": "string"}
        for value in node.values():
            _string_ids(value, names)
    elif isinstance(node, list):
        for value in node:
            _string_ids(value, names)


def _recordings(spec: Spec) -> None:
    _string_ids(spec, frozenset({"recording_id", "channelId"}))
    search = _schema_200(spec, "/user/{user_id}/recording/search")
    content = search["properties"]["recordedContent"]
    content["required"] = [name for name in content["required"] if name != "resultSet"]  # required, never defined
    programs = search["properties"]["programList"]["properties"]["programs"]["items"]["properties"]
    programs["categories"]["items"] = {"type": "string"}  # "items: string"
    groups = _schema_200(spec, "/user/{user_id}/recording/group")
    items = groups["properties"]["groupedAndSingleProgramsList"]["properties"]["groupsAndPrograms"]["items"]["anyOf"]
    for schema in items:
        latest = schema["properties"].get("latestPrograms")
        if latest is not None:
            info = latest["items"]["properties"]["channelInfo"]
            info["required"] = ["channelId", "channelName", "thumbnailUrl"]  # "thumbnailUrl`"
    catchup = _schema_200(spec, "/user/{user_id}/recording/catchup")["properties"]["resultSet"]["properties"]
    user = catchup["programList"]["properties"]["programs"]["items"]["properties"]["user"]["properties"]["recording"]
    user["properties"] = user.pop("properaties")  # a typo the schema's meta-schema refuses


def _bss(spec: Spec) -> None:
    """``email`` is declared a path parameter of ``/user``, which has no placeholder: the SDK sends it in the
    query (and editUser's new e-mail, which the file also calls ``email``, as ``new_email``)."""
    for method in ("post", "put", "delete"):
        operation = _operation(spec, "/user", method)
        parameters = []
        seen = set()
        for parameter in operation["parameters"]:
            if parameter["name"] == "email" and parameter["in"] == "query":
                parameter = {**parameter, "name": "new_email"}
            if parameter["name"] == "email":
                parameter = {**parameter, "in": "query"}
            if (parameter["name"], parameter["in"]) not in seen:  # editUser lists purchase_pin twice
                seen.add((parameter["name"], parameter["in"]))
                parameters.append(parameter)
        operation["parameters"] = parameters


def _login(spec: Spec) -> None:
    operation = _operation(spec, "/api/user/{user_id}/login", "post")
    path_parameter = {"in": "path", "name": "user_id", "required": True, "schema": {"type": "string"}}
    operation["parameters"] = [*operation.get("parameters", []), path_parameter]  # used, never declared


def _nullable_hrefs(node: Any) -> None:
    """The error entities' ``href`` is a string whose own examples are ``null`` (as the API sends it)."""
    if isinstance(node, dict):
        properties = node.get("properties")
        if (
            isinstance(properties, dict)
            and "href" in properties
            and ("details" in properties or "detail" in properties)
        ):
            properties["href"] = {**properties["href"], "nullable": True}
        for value in node.values():
            _nullable_hrefs(value)
    elif isinstance(node, list):
        for value in node:
            _nullable_hrefs(value)


def _comma_lists(spec: Spec) -> None:
    """A query parameter that "takes a comma separated list" is declared as one of its values (an enum)."""
    for item in spec["paths"].values():
        for operation in item.values():
            for parameter in operation.get("parameters", []) if isinstance(operation, dict) else ():
                schema = parameter.get("schema", {})
                if "comma" in parameter.get("description", "").lower() and "enum" in schema:
                    choices = "|".join(re.escape(str(value)) for value in schema.pop("enum"))
                    schema["pattern"] = f"^({choices})(,({choices}))*$"


#: The defects of each file, patched in the copy the checks load.
PATCHES: dict[str, tuple[Callable[[Spec], None], ...]] = {
    "rest/endpoints/config/license.yml": (_license,),
    "rest/endpoints/license/channel_license.yml": (_channel_licenses_get,),
    "rest/endpoints/license/user_licenses.yml": (_channel_licenses_get, _recording_devices),
    "rest/endpoints/license/user_licenses_v4.yml": (_v4_errors,),
    "rest/endpoints/irdeto/irdeto.yml": (_irdeto,),
    "legacy/endpoints/channel/channel.yml": (_channel,),
    "legacy/endpoints/epg/epg.yml": (_epg,),
    "legacy/endpoints/playing_media/playing_media.yml": (_play,),
    "legacy/endpoints/recordings/recordings.yml": (_recordings,),
    "legacy/endpoints/user_management_bss/user_management.yml": (_bss,),
    "legacy/endpoints/login/login.yml": (_login,),
}

#: Every file of the two areas, by the area whose routes it documents.
FILES: dict[str, tuple[str, ...]] = {
    "admin": (
        "rest/endpoints/config/users.yml",
        "rest/endpoints/config/license.yml",
        "rest/endpoints/config/network_restrictions.yml",
        "rest/endpoints/license/channel_license.yml",
        "rest/endpoints/license/user_licenses.yml",
        "rest/endpoints/license/user_licenses_v4.yml",
        "rest/endpoints/license/management_license.yml",
        "rest/endpoints/irdeto/irdeto.yml",
        "legacy/endpoints/user_management_bss/user_management.yml",
        "legacy/endpoints/login/login.yml",
    ),
    "legacy": (
        "legacy/endpoints/category/category.yml",
        "legacy/endpoints/channel/channel.yml",
        "legacy/endpoints/epg/epg.yml",
        "legacy/endpoints/playing_media/playing_media.yml",
        "legacy/endpoints/recordings/recordings.yml",
    ),
}


@attrs.frozen
class Document:
    """One file, loaded and patched: its operations by (method, path template), and its openapi-core app."""

    name: str
    prefix: str
    spec: Spec
    app: Any

    def operation(self, method: str, path: str) -> tuple[str, Spec] | None:
        """The template and operation of this file serving ``method`` on the full request ``path``: of several, the
        one with the fewest placeholders (``/recording/search`` before ``/recording/{recording_id}``)."""
        if not path.startswith(self.prefix):
            return None
        rest = path[len(self.prefix) :] or "/"
        found = []
        for template, item in self.spec["paths"].items():
            pattern = "".join(
                "[^/]+" if part.startswith("{") else re.escape(part) for part in re.split(r"(\{[^}]+\})", template)
            )
            if re.fullmatch(pattern, rest) and method.lower() in item:
                found.append((template.count("{"), template, item[method.lower()]))
        if not found:
            return None
        _, template, operation = min(found, key=lambda match: match[0])
        return template, operation


@functools.cache
def document(name: str) -> Document:
    """The file ``name`` (relative to the reference directory), resolved, patched and checked by openapi-core."""
    from openapi_core import OpenAPI

    path = REFERENCE / name
    spec: Spec = _resolve(_load_yaml(path), path)
    _nullable_hrefs(spec)
    _comma_lists(spec)
    for patch in PATCHES.get(name, ()):
        patch(spec)
    prefix = urlsplit(spec["servers"][0]["url"]).path.rstrip("/")
    spec["servers"] = [{"url": BASE + prefix}]
    return Document(name, prefix, spec, OpenAPI.from_dict(spec))


def operations(area: str) -> list[tuple[str, str, str, str]]:
    """Every operation of an area's files: (file, method, full path template, operationId)."""
    found = []
    for name in FILES[area]:
        doc = document(name)
        for template, item in doc.spec["paths"].items():
            for method, operation in item.items():
                if method in ("get", "post", "put", "delete", "patch"):
                    found.append((name, method.upper(), doc.prefix + template, operation.get("operationId", "")))
    return found


# --- the exchanges (recorded by tests.helpers.Recorder), checked ---------------------------------------------------


class _Request:
    def __init__(self, exchange: Exchange) -> None:
        from openapi_core.datatypes import RequestParameters
        from werkzeug.datastructures import Headers, ImmutableMultiDict

        self._exchange = exchange
        cookies = {}
        for part in exchange.headers.get("cookie", "").split(";"):
            name, _, value = part.strip().partition("=")
            if name:
                cookies[name] = value
        self.parameters = RequestParameters(
            query=ImmutableMultiDict(
                [(k, v) for k, vs in parse_qs(exchange.query, keep_blank_values=True).items() for v in vs]
            ),
            header=Headers(exchange.headers),
            cookie=ImmutableMultiDict(cookies),
        )

    host_url = BASE

    @property
    def path(self) -> str:
        return self._exchange.raw_path

    @property
    def method(self) -> str:
        return self._exchange.method.lower()

    @property
    def body(self) -> bytes | None:
        return self._exchange.body or None

    @property
    def content_type(self) -> str:
        return self._exchange.headers.get("content-type", "").lower()


class _Response:
    def __init__(self, exchange: Exchange) -> None:
        from werkzeug.datastructures import Headers

        self._exchange = exchange
        self.headers = Headers(exchange.response_headers)

    @property
    def status_code(self) -> int:
        return self._exchange.status

    @property
    def content_type(self) -> str:
        return self._exchange.response_headers.get("content-type", "").lower()

    @property
    def data(self) -> bytes | None:
        return self._exchange.response_body or None


@attrs.frozen
class Checked:
    """What :func:`check` found: the file and operation, and whether the answer's status is documented there."""

    file: str
    operation_id: str
    template: str
    response_checked: bool


def check(exchange: Exchange, area: str) -> Checked:
    """Validate ``exchange`` against the area's file documenting it: the request always, the answer when its status
    is one the operation documents. Raises AssertionError naming what does not conform."""
    matches = []
    for name in FILES[area]:
        doc = document(name)
        found = doc.operation(exchange.method, exchange.raw_path)
        if found is not None:
            matches.append((found[0].count("{"), name, doc, *found))
    if matches:
        _, name, doc, template, operation = min(matches, key=lambda match: match[0])
        request = _Request(exchange)
        try:
            doc.app.validate_request(request)
        except Exception as error:
            raise AssertionError(f"{exchange.method} {exchange.path} breaks {name}: {_why(error)}") from None
        documented = str(exchange.status) in operation.get("responses", {})
        if documented:
            try:
                doc.app.validate_response(request, _Response(exchange))
            except Exception as error:
                raise AssertionError(
                    f"the {exchange.status} answer to {exchange.method} {exchange.path} breaks {name}: {_why(error)}"
                ) from None
        return Checked(name, operation.get("operationId", ""), doc.prefix + template, documented)
    raise AssertionError(f"no file of the {area} area documents {exchange.method} {exchange.path}")


def _why(error: BaseException) -> str:
    """What openapi-core found, down its chain of causes: schema errors with where they are, messages cut short."""
    reasons = []
    current: BaseException | None = error
    while current is not None and len(reasons) < 6:
        schema_errors = getattr(current, "schema_errors", None)
        if schema_errors:
            for schema_error in list(schema_errors)[:4]:
                where = "/".join(str(part) for part in getattr(schema_error, "absolute_path", ()))
                reasons.append(f"at {where or '(top)'}: {schema_error.message[:200]}")
        else:
            reasons.append(str(current)[:200])
        current = current.__cause__
    return " <- ".join(reasons)
