"""JSON:API documents, and the cattrs converter that turns their resources into models.

Two converters are built once with the same hooks: a fast one (built at import) that decodes every answer, and a
detailed one (built on first use) that runs only after the fast one failed, to name the offending field. Either
way the caller sees a :class:`~amino_async.DecodeError` with a path such as ``data[2].attributes.bitrate`` and a
message that names types, never values.

The fast converter's class hooks are generated here rather than by cattrs' ``make_dict_structure_fn``: the strict
scalar hooks cost a Python call per field there, where the generated code checks the usual case inline
(``type(v) is str``) and calls a hook only for the rest. The detailed converter keeps cattrs' own generation.
"""

from __future__ import annotations

import builtins
import functools
import itertools
import json
import linecache
import re
from collections.abc import Callable, Iterable, Mapping
from types import MappingProxyType, NoneType, UnionType
from typing import TYPE_CHECKING, Any, Final, TypeVar, Union, get_args, get_origin

import attrs

from ._errors import DecodeError
from .models import (
    Channel,
    ContentFlag,
    ErrorObject,
    GeoAvailability,
    Image,
    ProtectionKey,
    ResourceRef,
)

if TYPE_CHECKING:
    # cattrs itself is imported when the first answer is decoded: a sixth of what importing the SDK would take.
    from cattrs import Converter

__all__ = [
    "Document",
    "Resource",
    "decode_errors",
    "decode_models",
    "decode_resource",
    "load_json",
    "relationship_refs",
    "structure",
]

M = TypeVar("M")

_EMPTY: Final[Mapping[str, Any]] = MappingProxyType({})


def _json_parser() -> Callable[[bytes | str], Any]:
    """orjson where installed (the ``speedups`` extra): it parses the same documents faster."""
    try:
        import orjson
    except ImportError:
        return json.loads
    loads: Callable[[bytes | str], Any] = orjson.loads
    return loads


_loads: Final = _json_parser()


def load_json(content: bytes | str) -> Any:
    """Parse an answer's body, turning every parser failure into :class:`DecodeError`."""
    try:
        return _loads(content)
    except (ValueError, RecursionError, UnicodeDecodeError, TypeError):
        # `from None`: a JSONDecodeError carries the whole document, which may hold tokens.
        raise DecodeError("the answer is not valid JSON") from None


# --- strict scalar hooks --------------------------------------------------------------------------------------
# cattrs' defaults call str()/int() on anything, so a list would become the string "[...]". These accept the
# documented type plus the lossless variants deployments are known to send (ids and user ids as ints, legacy
# bitrates as strings, booleans as 0/1), and reject the rest with a message that names types only.


class _Mismatch(TypeError):
    """A value of the wrong JSON type; its message names what was expected and what was found."""


_JSON_TYPES: Final = {
    bool: "boolean",
    int: "integer",
    float: "number",
    str: "string",
    list: "array",
    dict: "object",
}
_INT_TEXT: Final = re.compile(r"-?[0-9]{1,18}")


def _found(value: object) -> str:
    return "null" if value is None else _JSON_TYPES.get(type(value), type(value).__name__)


def _structure_str(value: Any, _: type) -> str:
    if type(value) is str:
        return value
    if type(value) is int:
        return str(value)
    raise _Mismatch(f"expected a string, found {_found(value)}")


def _structure_int(value: Any, _: type) -> int:
    kind = type(value)
    if kind is int:
        return int(value)
    if kind is str and _INT_TEXT.fullmatch(value):
        return int(value)
    if kind is float and value.is_integer():
        return int(value)
    raise _Mismatch(f"expected an integer, found {_found(value)}")


def _structure_bool(value: Any, _: type) -> bool:
    if value is True or value is False:
        return bool(value)
    if type(value) is int and value in (0, 1):
        return value == 1
    raise _Mismatch(f"expected a boolean, found {_found(value)}")


#: The fast converter's class hooks, each mapped to the generated function it wraps with a dict check: callers
#: that check (or build) the dict themselves call the generated one directly, a Python call less per object.
_UNCHECKED: Final[dict[Callable[[Any, type], Any], Callable[[Any, type], Any]]] = {}


def _not_an_object(value: Any) -> Any:
    raise _Mismatch(f"expected an object, found {_found(value)}")


def _tuple_hook(
    detailed: bool,
) -> Callable[[Any, Converter], Callable[[Any, type], tuple[Any, ...]]]:
    """A factory of hooks for ``tuple[X, ...]``: a JSON array (null reads as empty), never a string."""

    def factory(tp: Any, converter: Converter) -> Callable[[Any, type], tuple[Any, ...]]:
        (item_type, _ellipsis) = get_args(tp)
        item_hook = converter.get_structure_hook(item_type)
        unchecked = _UNCHECKED.get(item_hook)

        def structure_tuple(value: Any, _: type) -> tuple[Any, ...]:
            if type(value) is not list:
                if value is None:
                    return ()
                raise _Mismatch(f"expected an array, found {_found(value)}")
            if not detailed:
                if item_type is str:
                    # Arrays of strings are most of the tuples: check the items, build the tuple in one go.
                    for item in value:
                        if type(item) is not str:
                            break
                    else:
                        return tuple(value)
                if unchecked is not None:
                    return tuple(
                        [unchecked(item, item_type) if type(item) is dict else _not_an_object(item) for item in value]
                    )
                return tuple([item_hook(item, item_type) for item in value])
            from cattrs import IterableValidationError
            from cattrs.errors import IterableValidationNote

            items = []
            for index, item in enumerate(value):
                try:
                    items.append(item_hook(item, item_type))
                except Exception as exc:  # noqa: PERF203 - only the detailed converter, after a failure
                    note = IterableValidationNote(f"@ index {index}", index, item_type)
                    setattr(exc, "__notes__", [*getattr(exc, "__notes__", []), note])  # noqa: B010 - 3.10 has no add_note
                    raise IterableValidationError("array item", [exc], tp) from None
            return tuple(items)

        return structure_tuple

    return factory


def _is_optional(tp: Any) -> bool:
    args = get_args(tp)
    return get_origin(tp) in (Union, UnionType) and len(args) == 2 and NoneType in args


def _optional_hook(tp: Any, converter: Converter) -> Callable[[Any, type], Any]:
    """A hook for ``X | None`` bound to X's hook once (cattrs' own looks X's hook up again on every value)."""
    (inner,) = (arg for arg in get_args(tp) if arg is not NoneType)
    inner_hook = converter.get_structure_hook(inner)
    if inner in (str, int):
        # The common case, a value already of the exact type, without a call.
        def structure_optional_scalar(value: Any, _: type) -> Any:
            if value is None or type(value) is inner:
                return value
            return inner_hook(value, inner)

        return structure_optional_scalar
    unchecked = _UNCHECKED.get(inner_hook)
    if unchecked is not None:

        def structure_optional_object(value: Any, _: type) -> Any:
            if value is None:
                return None
            return unchecked(value, inner) if type(value) is dict else _not_an_object(value)

        return structure_optional_object

    def structure_optional(value: Any, _: type) -> Any:
        return None if value is None else inner_hook(value, inner)

    return structure_optional


def _is_homogeneous_tuple(tp: Any) -> bool:
    args = get_args(tp)
    return getattr(tp, "__origin__", None) is tuple and len(args) == 2 and args[1] is Ellipsis


# Model fields whose JSON key differs from the Python name.
_RENAMES: Final[Mapping[type, Mapping[str, str]]] = {
    Image: {"language": "iso_639-2_lang"},
    ContentFlag: {"country_code": "country_code_iso_alpha2"},
    GeoAvailability: {"enabled_country_codes": "enabled_country_codes_iso3166_alpha2"},
    ProtectionKey: {"la_url": "laUrl"},
}
# Fields filled by the SDK (resolved relationships, extras), not read from the document.
_OMITTED: Final[Mapping[type, tuple[str, ...]]] = {
    Channel: ("genres", "products"),
    ProtectionKey: ("extra",),
}
_PROTECTION_KEY_FIELDS: Final = frozenset({"type", "key", "laUrl"})


_SCALARS: Final = (str, int, bool)
_PACKAGE: Final = __name__.rpartition(".")[0] + "."
_sources = itertools.count()


def _generate(cls: type, converter: Converter) -> Callable[[Any, type], Any] | None:
    """The fast converter's structuring function for the attrs class ``cls``, without the dict check.

    It behaves as cattrs' non-detailed one (a missing required key raises KeyError, a wrong value its hook's
    error), but takes a value already of the usual type without a call: scalars, arrays of strings, nested
    objects (through their own generated function). None for classes other than the SDK's own (a user's model
    given to :meth:`Resource.to` may be generic or keyword-only) and for fields it does not handle (a default
    factory taking ``self``): cattrs' generation serves those.
    """
    if not isinstance(cls, type) or not cls.__module__.startswith(_PACKAGE):
        return None
    renames = _RENAMES.get(cls, {})
    omitted = _OMITTED.get(cls, ())
    names: dict[str, Any] = {"cls": cls, "not_an_object": _not_an_object}
    lines = ["def structure(o, _):"]
    arguments: list[str] = []
    by_keyword = False
    for i, field in enumerate(attrs.fields(attrs.resolve_types(cls))):
        if not field.init or field.name in omitted:
            by_keyword = True  # the fields after a skipped one go by name
            continue
        by_keyword = by_keyword or field.kw_only
        key, value = renames.get(field.name, field.name), f"v{i}"
        names[f"hook{i}"], names[f"type{i}"] = converter.get_structure_hook(field.type), field.type
        convert = _conversion(field.type, converter, value, i, names)
        if field.default is attrs.NOTHING:
            lines += [f"    {value} = o[{key!r}]", *(f"    {line}" for line in convert)]
        else:
            default = field.default
            if isinstance(default, attrs.Factory):  # type: ignore[arg-type]  # a class; the stubs say function
                if default.takes_self:
                    return None
                names[f"default{i}"] = default.factory
                fallback = f"default{i}()"
            else:
                names[f"default{i}"] = default
                fallback = f"default{i}"
            lines += [
                f"    if {key!r} in o:",
                f"        {value} = o[{key!r}]",
                *(f"        {line}" for line in convert),
                "    else:",
                f"        {value} = {fallback}",
            ]
        arguments.append(f"{field.alias}={value}" if by_keyword else value)
    lines.append(f"    return cls({', '.join(arguments)})")
    source = "\n".join(lines) + "\n"
    filename = f"<amino_async structure {cls.__qualname__} #{next(_sources)}>"
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
    exec(compile(source, filename, "exec"), names)
    generated: Callable[[Any, type], Any] = names["structure"]
    return generated


def _conversion(tp: Any, converter: Converter, value: str, i: int, names: dict[str, Any]) -> list[str]:
    """Lines that turn ``value`` (a JSON value) into a ``tp``, calling the hook only off the usual case."""
    hook = f"hook{i}({value}, type{i})"
    optional = _is_optional(tp)
    inner = next(arg for arg in get_args(tp) if arg is not NoneType) if optional else tp
    if inner in _SCALARS:
        names[f"exact{i}"] = inner
        unusual = (
            f"{value} is not None and type({value}) is not exact{i}" if optional else f"type({value}) is not exact{i}"
        )
        return [f"if {unusual}:", f"    {value} = {hook}"]
    if attrs.has(inner) and (nested := _UNCHECKED.get(converter.get_structure_hook(inner))) is not None:
        names[f"nested{i}"], names[f"inner{i}"] = nested, inner
        return [f"{value} = nested{i}({value}, inner{i}) if type({value}) is dict else {hook}"]
    if not _is_homogeneous_tuple(tp):
        return [f"{value} = {hook}"]
    item = get_args(tp)[0]
    if item is str:
        return [
            f"if type({value}) is not list:",
            f"    {value} = {hook}",
            "else:",
            f"    for item in {value}:",
            "        if type(item) is not str:",
            f"            {value} = {hook}",
            "            break",
            "    else:",
            f"        {value} = tuple({value})",
        ]
    if attrs.has(item) and (nested := _UNCHECKED.get(converter.get_structure_hook(item))) is not None:
        names[f"nested{i}"], names[f"inner{i}"] = nested, item
        return [
            f"if type({value}) is list:",
            f"    {value} = tuple([nested{i}(e, inner{i}) if type(e) is dict else not_an_object(e) for e in {value}])",
            "else:",
            f"    {value} = {hook}",
        ]
    return [f"{value} = {hook}"]


def _checking_dict(structure: Callable[[Any, type], M]) -> Callable[[Any, type], M]:
    """``structure`` behind a check that the value is a JSON object (its unchecked form goes in _UNCHECKED)."""

    def checked(value: Any, tp: type) -> M:
        # Generated code tests optional keys with `in`, which a list or a string would pass silently.
        if type(value) is not dict:
            raise _Mismatch(f"expected an object, found {_found(value)}")
        return structure(value, tp)

    return checked


def _build(detailed: bool) -> Converter:
    from cattrs import Converter
    from cattrs.gen import make_dict_structure_fn, override

    converter = Converter(detailed_validation=detailed, prefer_attrib_converters=False)
    converter.register_structure_hook(str, _structure_str)
    converter.register_structure_hook(int, _structure_int)
    converter.register_structure_hook(bool, _structure_bool)
    converter.register_structure_hook_factory(_is_homogeneous_tuple, _tuple_hook(detailed))
    converter.register_structure_hook_factory(_is_optional, _optional_hook)

    def class_factory(cls: type) -> Callable[[Any, type], Any]:
        generated = None if detailed else _generate(cls, converter)
        if generated is None:
            overrides: dict[str, Any] = {name: override(rename=key) for name, key in _RENAMES.get(cls, {}).items()}
            overrides.update({name: override(omit=True) for name in _OMITTED.get(cls, ())})
            generated = make_dict_structure_fn(cls, converter, _cattrs_detailed_validation=detailed, **overrides)

        checked = _checking_dict(generated)
        if not detailed:
            _UNCHECKED[checked] = generated
        return checked

    converter.register_structure_hook_factory(attrs.has, class_factory)

    checked_key = converter.get_structure_hook(ProtectionKey)
    unchecked_key = _UNCHECKED.get(checked_key, checked_key)

    def structure_protection_key(value: Any, tp: type) -> ProtectionKey:
        key: ProtectionKey = unchecked_key(value, tp)
        if not value.keys() <= _PROTECTION_KEY_FIELDS:
            # Set on the instance nobody has seen yet: cheaper than attrs.evolve building another.
            object.__setattr__(key, "extra", {k: v for k, v in value.items() if k not in _PROTECTION_KEY_FIELDS})
        return key

    checked_protection_key = _checking_dict(structure_protection_key)
    converter.register_structure_hook(ProtectionKey, checked_protection_key)
    if not detailed:
        _UNCHECKED[checked_protection_key] = structure_protection_key
    return converter


@functools.cache
def _fast() -> Converter:
    """The converter that decodes every answer, built with the first one."""
    return _build(detailed=False)


@functools.cache
def _detailed() -> Converter:
    """The detailed converter, built on the first failure: most processes never need it, so no import pays."""
    return _build(detailed=True)


def _explain(value: Any, model: type, path: str) -> DecodeError:
    """Re-run a failed structuring with the detailed converter and describe its first error."""
    try:
        _detailed().structure(value, model)
    except Exception as exc:
        return _describe(exc, model, path)
    return DecodeError("the value does not have the documented shape", path=path)


def _describe(exc: BaseException, model: Any, path: str) -> DecodeError:
    from cattrs import ClassValidationError, IterableValidationError
    from cattrs.errors import AttributeValidationNote, IterableValidationNote

    current: BaseException = exc
    cls: Any = model
    while True:
        if isinstance(current, ClassValidationError):
            cls = current.cl
            current = current.exceptions[0]
            for note in getattr(current, "__notes__", ()):
                if isinstance(note, AttributeValidationNote):
                    key = _RENAMES.get(cls, {}).get(note.name, note.name)
                    path = f"{path}.{key}" if path else key
                    break
        elif isinstance(current, IterableValidationError):
            current = current.exceptions[0]
            for note in getattr(current, "__notes__", ()):
                if isinstance(note, IterableValidationNote):
                    path = f"{path}[{note.index}]"
                    break
        else:
            break
    if isinstance(current, _Mismatch):
        message = str(current)
    elif isinstance(current, KeyError):
        message = "required field missing"
    else:
        message = "invalid value"
    return DecodeError(message, path=path)


def structure(value: Any, model: type[M], *, path: str = "") -> M:
    """Structure one JSON value into ``model``, raising :class:`DecodeError` with ``path`` on failure."""
    try:
        return _fast().structure(value, model)
    except Exception:
        raise _explain(value, model, path) from None


def _resource_items(value: Any, path: str) -> list[Any]:
    if type(value) is list:
        return value
    if type(value) is dict:
        return [value]
    raise DecodeError(f"expected an array or an object, found {_found(value)}", path=path)


def decode_models(document: Any, model: type[M], *, key: str = "data") -> list[M]:
    """Decode the resources under ``document[key]`` into models: the hot path of every list answer.

    Each resource becomes ``model(id=..., **attributes)``. ``data`` may be one resource or a list; a resource
    whose ``attributes`` is a list (the streams endpoints' OpenAPI files say so) yields one model per entry.
    """
    if type(document) is not dict:
        raise DecodeError(f"expected an object, found {_found(document)}", path="")
    if key not in document:
        raise DecodeError("required field missing", path=key)
    hook = _unchecked_hook(model)
    models: list[M] = []
    for index, resource in enumerate(_resource_items(document[key], key)):
        models.extend(_decode_one(hook, resource, model, key, index))
    return models


def decode_resource(resource: Any, model: type[M], *, path: str) -> list[M]:
    """Decode one resource found at ``path`` (e.g. ``included[3]``), as :func:`decode_models` does each."""
    return _decode_one(_unchecked_hook(model), resource, model, path, None)


def _unchecked_hook(model: type[M]) -> Callable[[Any, type], M]:
    """The fast hook for ``model`` without its dict check: :func:`_decode_one` always passes a dict it built."""
    hook = _HOOKS.get(model)
    if hook is None:
        checked = _fast().get_structure_hook(model)
        hook = _HOOKS[model] = _UNCHECKED.get(checked, checked)
    return hook


#: _unchecked_hook's answers: cattrs' dispatch is a few calls deep, and every answer asks.
_HOOKS: Final[dict[type, Callable[[Any, type], Any]]] = {}


def _decode_one(
    hook: Callable[[Any, type], M], resource: Any, model: type[M], where: str, index: int | None
) -> list[M]:
    try:
        attributes = resource.get("attributes", _EMPTY)
        if type(attributes) is list:
            return [hook({**entry, "id": resource["id"]}, model) for entry in attributes]
        return [hook({**attributes, "id": resource["id"]}, model)]
    except Exception:
        path = where if index is None else f"{where}[{index}]"
        raise _explain_resource(resource, model, path) from None


def _explain_resource(resource: Any, model: type, path: str) -> DecodeError:
    if type(resource) is not dict:
        return DecodeError(f"expected an object, found {_found(resource)}", path=path)
    if "id" not in resource:
        return DecodeError("required field missing", path=f"{path}.id")
    attributes = resource.get("attributes", _EMPTY)
    entries: Iterable[tuple[str, Any]]
    if type(attributes) is list:
        entries = ((f"{path}.attributes[{i}]", entry) for i, entry in enumerate(attributes))
    else:
        entries = ((f"{path}.attributes", attributes),)
    for where, entry in entries:
        if type(entry) is not dict:
            return DecodeError(f"expected an object, found {_found(entry)}", path=where)
        error = _explain({**entry, "id": resource["id"]}, model, "")
        if error.path:
            head = error.path.split(".", 1)[0].split("[", 1)[0]
            prefix = path if head == "id" else where
            return DecodeError(error.reason, path=f"{prefix}.{error.path}")
    return DecodeError("the resource does not have the documented shape", path=path)


def decode_errors(document: Any) -> tuple[ErrorObject, ...]:
    """The error objects of an error answer; anything unreadable is skipped, never raised."""
    if type(document) is not dict or type(document.get("errors")) is not list:
        return ()
    errors = []
    for entry in document["errors"]:
        if type(entry) is not dict:
            continue
        fields = {
            name: entry[name]
            for name in ("id", "status", "code", "title", "href")
            if type(entry.get(name)) in (str, int)
        }
        detail = entry.get("detail") if entry.get("detail") is not None else entry.get("details")
        if type(detail) is str:
            fields["detail"] = detail
        errors.append(ErrorObject(**{k: str(v) for k, v in fields.items()}))
    return tuple(errors)


@attrs.frozen
class Resource:
    """A JSON:API resource as sent: its ``attributes`` and ``relationships`` are left as plain JSON."""

    type: str
    id: str
    attributes: Mapping[str, Any] = attrs.field(factory=dict)
    relationships: Any = None
    links: Mapping[str, Any] = attrs.field(factory=dict)
    meta: Mapping[str, Any] = attrs.field(factory=dict)

    @classmethod
    def parse(cls, value: Any, *, path: str = "") -> Resource:
        """Read a resource from parsed JSON, raising :class:`DecodeError` with a path when malformed."""
        return _parse_resource(value, path)

    def to(self, model: builtins.type[M]) -> M:
        """Structure this resource into a flat model (``id`` beside the attributes)."""
        return structure({**self.attributes, "id": self.id}, model, path="attributes")

    def refs(self) -> tuple[ResourceRef, ...]:
        """The resources this one refers to (see :func:`relationship_refs`)."""
        return relationship_refs(self.relationships, self.attributes.get("relationships"))


def relationship_refs(*sources: Any) -> tuple[ResourceRef, ...]:
    """The references in relationship objects of either form the API uses.

    JSON:API's ``relationships: {name: {data: ref | [ref]}}`` and the Amino OpenAPI files' attribute-level
    ``relationships: [ref]`` both count; entries that are not ``{type, id}`` are skipped.
    """
    found: list[Any] = []
    for source in sources:
        if type(source) is list:
            found.extend(source)
        elif type(source) is dict:
            for rel in source.values():
                data = rel.get("data") if type(rel) is dict else None
                found.extend(data if type(data) is list else [data])
    return tuple(
        ResourceRef(type=ref["type"], id=str(ref["id"]))
        for ref in found
        if type(ref) is dict and type(ref.get("type")) is str and type(ref.get("id")) in (str, int)
    )


@attrs.frozen
class Document:
    """A JSON:API document: primary ``data``, ``included`` resources, top-level ``links`` and ``meta``."""

    data: Resource | tuple[Resource, ...] | None
    included: tuple[Resource, ...] = ()
    links: Mapping[str, Any] = attrs.field(factory=dict)
    meta: Mapping[str, Any] = attrs.field(factory=dict)
    _index: Mapping[tuple[str, str], Resource] = attrs.field(init=False, repr=False, eq=False)

    def __attrs_post_init__(self) -> None:
        index = {(r.type, r.id): r for r in self.included}
        object.__setattr__(self, "_index", index)

    @property
    def resources(self) -> tuple[Resource, ...]:
        """``data`` as a tuple, whether the document sent one resource, a list or null."""
        if self.data is None:
            return ()
        return self.data if isinstance(self.data, tuple) else (self.data,)

    def get_included(self, type: str, id: str) -> Resource | None:
        """The included resource with this type and id, or None."""
        return self._index.get((type, id))

    @classmethod
    def parse(cls, value: Any) -> Document:
        """Read a document from parsed JSON, raising :class:`DecodeError` with a path when malformed."""
        if type(value) is not dict:
            raise DecodeError(f"expected an object, found {_found(value)}", path="")
        data = value.get("data")
        parsed: Resource | tuple[Resource, ...] | None
        if data is None:
            parsed = None
        elif type(data) is list:
            parsed = tuple(_parse_resource(item, f"data[{i}]") for i, item in enumerate(data))
        else:
            parsed = _parse_resource(data, "data")
        included = value.get("included") or []
        if type(included) is not list:
            raise DecodeError(f"expected an array, found {_found(included)}", path="included")
        return cls(
            data=parsed,
            included=tuple(_parse_resource(item, f"included[{i}]") for i, item in enumerate(included)),
            links=_object_or_empty(value.get("links"), "links"),
            meta=_object_or_empty(value.get("meta"), "meta"),
        )


def _object_or_empty(value: Any, path: str) -> Mapping[str, Any]:
    if value is None:
        return {}
    _check_object(value, path)
    return dict(value)


def _check_object(value: Any, path: str) -> None:
    if type(value) is not dict:
        raise DecodeError(f"expected an object, found {_found(value)}", path=path)


def _parse_resource(value: Any, path: str) -> Resource:
    _check_object(value, path)
    for name in ("type", "id"):
        if name not in value:
            raise DecodeError("required field missing", path=f"{path}.{name}")
    attributes = value.get("attributes")
    if attributes is not None and type(attributes) not in (dict, list):
        raise DecodeError(f"expected an object, found {_found(attributes)}", path=f"{path}.attributes")
    return Resource(
        type=structure(value["type"], str, path=f"{path}.type"),
        id=structure(value["id"], str, path=f"{path}.id"),
        attributes=attributes if type(attributes) is dict else {},
        relationships=value.get("relationships"),
        links=_object_or_empty(value.get("links"), f"{path}.links"),
        meta=_object_or_empty(value.get("meta"), f"{path}.meta"),
    )
