"""The converter: JSON values into models, through cattrs' own generated hooks.

Two cattrs converters share one set of hooks: the fast one decodes every answer; the detailed one (cattrs'
``detailed_validation``) runs only after a failure, to name the offending field. Both are built on first use, so
``import amino_async`` does not import cattrs. A model's hook is cattrs' ``make_dict_structure_fn`` with the
overrides its fields' metadata declares (:mod:`amino_async.models` lists them), behind a check that the value is a
JSON object: the generated code tests keys with ``in``, which a list or a string would pass silently.

Scalars are strict. cattrs' defaults call ``str()``/``int()`` on anything, so a list would become the string
``"[...]"``; the hooks here accept the documented type plus the lossless variants deployments are known to send
(ids and user ids as integers, legacy bitrates as strings, booleans as 0/1) and refuse the rest.

:func:`structure` decodes a whole value strictly (tokens, stored tokens, users' own models). :func:`decode_resource`
decodes a resource's attributes tolerantly: a field with a default that fails takes its default and its JSON value
goes to the entity's ``raw``; only a field without a default, or any field under ``strict``, fails the resource.
Either way a failure is a :class:`~amino_async.DecodeError` with a path such as ``data[2].attributes.bitrate``
and a message that names JSON types, never values (a value may be a token), raised outside every ``except`` block
so that no exception chain keeps the document.
"""

from __future__ import annotations

import functools
import json
import logging
import re
from collections.abc import Callable, Iterable, Mapping
from types import NoneType, UnionType
from typing import TYPE_CHECKING, Any, Final, NamedTuple, TypeGuard, TypeVar, Union, get_args, get_origin

import attrs

from ._constants import LOGGER_NAME
from ._errors import DecodeError
from .models._common import FrozenDict

if TYPE_CHECKING:
    # cattrs itself is imported when the first answer is decoded: a sixth of what importing the SDK would take.
    from cattrs import Converter

__all__ = [
    "decode_entries",
    "decode_object",
    "decode_resource",
    "is_object",
    "json_type",
    "linked_fields",
    "load_json",
    "resource_key",
    "structure",
]

M = TypeVar("M")

logger = logging.getLogger(LOGGER_NAME)

# The field metadata the models declare; the package docstring of amino_async.models says what each means.
_JSON: Final = "json"
_INCLUDED: Final = "included"
_FILL: Final = "fill"
_REFS: Final = "refs"

# --- JSON text ------------------------------------------------------------------------------------------------

_PARSE_ERRORS: Final = (ValueError, RecursionError, UnicodeDecodeError, TypeError)


def _json_parser() -> Callable[[bytes | str], Any]:
    """orjson where installed (the ``speedups`` extra): it parses the same documents faster."""
    try:
        import orjson
    except ImportError:
        return json.loads
    loads: Callable[[bytes | str], Any] = orjson.loads
    return loads


def _first_loads(content: bytes | str) -> Any:
    """The parser's choice, made at the first answer rather than at ``import amino_async`` (orjson is imported then)."""
    global _loads
    _loads = _json_parser()
    return _loads(content)


_loads: Callable[[bytes | str], Any] = _first_loads


def load_json(content: bytes | str) -> Any:
    """Parse an answer's body, turning every parser failure into :class:`DecodeError`.

    A document orjson refuses is tried again with the standard library, which takes what orjson does not (integers
    beyond 64 bits, ``NaN``): the answer parses the same with or without the ``speedups`` extra.
    """
    try:
        return _loads(content)
    except _PARSE_ERRORS:
        retry = _loads is not json.loads
    if retry:
        try:
            return json.loads(content)
        except _PARSE_ERRORS:
            pass
    # Raised here, outside the except blocks: a JSONDecodeError carries the whole document, which may hold tokens.
    raise DecodeError("the answer is not valid JSON")


# --- strict scalar hooks --------------------------------------------------------------------------------------


class _Mismatch(TypeError):
    """A value of the wrong JSON type; its message names what was expected and what was found."""


_JSON_TYPES: Final[Mapping[type, str]] = {
    NoneType: "null",
    bool: "boolean",
    int: "integer",
    float: "number",
    str: "string",
    list: "array",
    tuple: "array",
    dict: "object",
}
_INT_TEXT: Final = re.compile(r"-?[0-9]{1,18}")


def json_type(value: object) -> str:
    """The JSON type of ``value`` as messages name it (``object``, ``array``, ``string``, ...), never a class name."""
    name = _JSON_TYPES.get(type(value))
    if name is not None:
        return name
    for kind, name in _JSON_TYPES.items():
        if isinstance(value, kind):
            return name
    return "object" if isinstance(value, Mapping) else "non-JSON value"


def _structure_str(value: Any, _: type) -> str:
    if type(value) is str:
        return value
    if type(value) is int:
        return str(value)
    raise _Mismatch(f"expected a string, found {json_type(value)}")


def _structure_int(value: Any, _: type) -> int:
    kind = type(value)
    if kind is int:
        return value  # type: ignore[no-any-return]
    if kind is str and _INT_TEXT.fullmatch(value):
        return int(value)
    if kind is float and value.is_integer():
        return int(value)
    raise _Mismatch(f"expected an integer, found {json_type(value)}")


def _structure_bool(value: Any, _: type) -> bool:
    if value is True or value is False:
        return value
    if type(value) is int and value in (0, 1):
        return value == 1
    raise _Mismatch(f"expected a boolean, found {json_type(value)}")


def is_object(value: Any) -> TypeGuard[Mapping[str, Any]]:
    """Whether ``value`` is a JSON object: a dict, as parsed, or any other mapping."""
    return type(value) is dict or isinstance(value, Mapping)


def _array(value: Any) -> Iterable[Any]:
    """The items of a JSON array; null reads as empty, anything else (a string included) is refused."""
    if type(value) is list or isinstance(value, (list, tuple)):
        return value
    if value is None:
        return ()
    raise _Mismatch(f"expected an array, found {json_type(value)}")


# --- container and class hooks --------------------------------------------------------------------------------

#: Each class hook mapped to the generated function it wraps with the object check: callers that check the value
#: (or build the dict) themselves call the generated one directly, a Python call less per object.
_UNCHECKED: Final[dict[Callable[[Any, type], Any], Callable[[Any, type], Any]]] = {}


def _is_homogeneous_tuple(tp: Any) -> bool:
    args = get_args(tp)
    return get_origin(tp) is tuple and len(args) == 2 and args[1] is Ellipsis


def _tuple_hook(detailed: bool) -> Callable[[Any, Converter], Callable[[Any, type], tuple[Any, ...]]]:
    """A factory of hooks for ``tuple[X, ...]``, read from a JSON array."""

    def factory(tp: Any, converter: Converter) -> Callable[[Any, type], tuple[Any, ...]]:
        item_type = get_args(tp)[0]
        item_hook = converter.get_structure_hook(item_type)
        if detailed:
            return _detailed_tuple_hook(tp, item_type, item_hook)
        unchecked = _UNCHECKED.get(item_hook)
        if item_type is str:

            def structure_strings(value: Any, _: type) -> tuple[Any, ...]:
                # Arrays of strings are most of the tuples: check the items, build the tuple in one go.
                if type(value) is list:
                    for item in value:
                        if type(item) is not str:
                            break
                    else:
                        return tuple(value)
                return tuple([item_hook(item, str) for item in _array(value)])

            return structure_strings
        if unchecked is not None:

            def structure_objects(value: Any, _: type) -> tuple[Any, ...]:
                if type(value) is list:
                    # The object check inline, and the generated function called directly.
                    return tuple(
                        [
                            unchecked(item, item_type) if type(item) is dict else item_hook(item, item_type)
                            for item in value
                        ]
                    )
                return tuple([item_hook(item, item_type) for item in _array(value)])

            return structure_objects

        def structure_tuple(value: Any, _: type) -> tuple[Any, ...]:
            return tuple([item_hook(item, item_type) for item in _array(value)])

        return structure_tuple

    return factory


def _detailed_tuple_hook(
    tp: Any, item_type: Any, item_hook: Callable[[Any, type], Any]
) -> Callable[[Any, type], tuple[Any, ...]]:
    from cattrs import IterableValidationError
    from cattrs.errors import IterableValidationNote

    def structure_tuple(value: Any, _: type) -> tuple[Any, ...]:
        items = []
        for index, item in enumerate(_array(value)):
            try:
                items.append(item_hook(item, item_type))
            except Exception as exc:  # noqa: PERF203 - only after a failure, to say which item
                note = IterableValidationNote(f"@ index {index}", index, item_type)
                setattr(exc, "__notes__", [*getattr(exc, "__notes__", []), note])  # noqa: B010 - 3.10 has no add_note
                raise IterableValidationError("array item", [exc], tp) from None
        return tuple(items)

    return structure_tuple


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
            return unchecked(value, inner) if type(value) is dict else inner_hook(value, inner)

        return structure_optional_object

    def structure_optional(value: Any, _: type) -> Any:
        return None if value is None else inner_hook(value, inner)

    return structure_optional


def _fields(cls: Any) -> tuple[attrs.Attribute[Any], ...]:
    """The attrs fields of a model (of its origin, for a generic alias such as ``Box[int]``), types resolved."""
    fields: tuple[attrs.Attribute[Any], ...] = attrs.fields(attrs.resolve_types(get_origin(cls) or cls))
    return fields


def _read_from_document(field: attrs.Attribute[Any]) -> bool:
    """Whether the converter reads ``field`` from the JSON object (else the SDK fills it, or attrs does)."""
    return field.init and _INCLUDED not in field.metadata and _FILL not in field.metadata


def _json_key(field: attrs.Attribute[Any]) -> str:
    key: str = field.metadata.get(_JSON, field.name)
    return key


def _class_hook(detailed: bool) -> Callable[[Any, Converter], Callable[[Any, type], Any]]:
    """A factory of hooks for attrs classes: cattrs' generated function with the fields' overrides, checked."""

    def factory(cls: Any, converter: Converter) -> Callable[[Any, type], Any]:
        from cattrs.gen import make_dict_structure_fn, override

        fields = _fields(cls)
        overrides: dict[str, Any] = {
            field.name: override(omit=True) if not _read_from_document(field) else override(rename=_json_key(field))
            for field in fields
            if field.init and (not _read_from_document(field) or _JSON in field.metadata)
        }
        structure: Callable[[Any, type], Any] = make_dict_structure_fn(
            cls, converter, _cattrs_detailed_validation=detailed, **overrides
        )
        extra = next((field.name for field in fields if field.metadata.get(_FILL) == "extra"), None)
        if extra is not None:
            known = frozenset(_json_key(field) for field in fields if _read_from_document(field))
            structure = _keeping_extra(structure, extra, known)
        checked = _checking_object(structure)
        _UNCHECKED[checked] = structure
        return checked

    return factory


def _checking_object(structure: Callable[[Any, type], M]) -> Callable[[Any, type], M]:
    """``structure`` behind a check that the value is a JSON object."""

    def structure_object(value: Any, tp: type) -> M:
        if type(value) is not dict and not isinstance(value, Mapping):
            raise _Mismatch(f"expected an object, found {json_type(value)}")
        return structure(value, tp)

    return structure_object


def _keeping_extra(structure: Callable[[Any, type], M], name: str, known: frozenset[str]) -> Callable[[Any, type], M]:
    """``structure`` that also fills the field ``name`` with the object's keys that no field reads."""

    def structure_keeping_extra(value: Any, tp: type) -> M:
        instance = structure(value, tp)
        if not value.keys() <= known:
            # Set on the instance nobody has seen yet: cheaper than attrs.evolve building another.
            object.__setattr__(instance, name, {k: v for k, v in value.items() if k not in known})
        return instance

    return structure_keeping_extra


def _build(detailed: bool) -> Converter:
    from cattrs import Converter

    converter = Converter(detailed_validation=detailed, prefer_attrib_converters=False)
    converter.register_structure_hook(str, _structure_str)
    converter.register_structure_hook(int, _structure_int)
    converter.register_structure_hook(bool, _structure_bool)
    converter.register_structure_hook_factory(_is_homogeneous_tuple, _tuple_hook(detailed))
    converter.register_structure_hook_factory(_is_optional, _optional_hook)
    converter.register_structure_hook_factory(attrs.has, _class_hook(detailed))
    return converter


@functools.cache
def _fast() -> Converter:
    """The converter that decodes every answer, built with the first one."""
    return _build(detailed=False)


@functools.cache
def _detailed() -> Converter:
    """The detailed converter, built on the first failure: most processes never need it."""
    return _build(detailed=True)


# --- describing a failure -------------------------------------------------------------------------------------


def _explain(value: Any, tp: Any, path: str) -> DecodeError:
    """Re-run a failed structuring with the detailed converter and describe its first error."""
    try:
        _detailed().structure(value, tp)
    except Exception as exc:
        return _describe(exc, tp, path)
    return DecodeError("the value does not have the documented shape", path=path)


def _describe(exc: BaseException, tp: Any, path: str) -> DecodeError:
    from cattrs import ClassValidationError, IterableValidationError
    from cattrs.errors import AttributeValidationNote, IterableValidationNote

    current: BaseException = exc
    while True:
        if isinstance(current, ClassValidationError):
            fields = {field.name: field for field in _fields(current.cl)}
            current = current.exceptions[0]
            for note in getattr(current, "__notes__", ()):
                if isinstance(note, AttributeValidationNote):
                    key = _json_key(fields[note.name]) if note.name in fields else note.name
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


# --- decoding -------------------------------------------------------------------------------------------------


def structure(value: Any, model: type[M], *, path: str = "") -> M:
    """Structure one JSON value into ``model`` strictly, raising :class:`DecodeError` with ``path`` on failure."""
    try:
        return _fast().structure(value, model)
    except Exception:
        error = _explain(value, model, path)
    raise error


def resource_key(resource: Any, path: str) -> tuple[str, str]:
    """The ``(type, id)`` of the JSON:API resource found at ``path``, an integer id read as its text.

    Both are what the SDK needs to know a resource by, so either missing, or of another type, is a
    :class:`DecodeError` naming it.
    """
    if not is_object(resource):
        raise DecodeError(f"expected an object, found {json_type(resource)}", path=path)
    kind, ident = resource.get("type"), resource.get("id")
    if type(kind) is not str:
        raise _member_error(resource, "type", "a string", path)
    if type(ident) is not str:
        if type(ident) is not int:
            raise _member_error(resource, "id", "a string", path)
        ident = str(ident)
    return kind, ident


def _member_error(resource: Mapping[str, Any], name: str, expected: str, path: str) -> DecodeError:
    if name not in resource:
        return DecodeError("required field missing", path=f"{path}.{name}")
    return DecodeError(f"expected {expected}, found {json_type(resource[name])}", path=f"{path}.{name}")


def decode_resource(resource: Mapping[str, Any], model: type[M], *, path: str, strict: bool = False) -> list[M]:
    """Decode the JSON:API resource found at ``path`` (e.g. ``included[3]``) into models.

    One model, or one per entry when ``attributes`` is an array (as the streams endpoints send); the resource's
    ``id`` goes beside each entry's attributes. Tolerant unless ``strict``: see :func:`decode_entries`.
    """
    return decode_entries(resource, resource_key(resource, path)[1], model, path, None, strict=strict)


def decode_entries(
    resource: Mapping[str, Any], id: str, model: type[M], where: str, index: int | None, *, strict: bool
) -> list[M]:
    """Decode a resource already read by :func:`resource_key` (its ``id``), found at ``where[index]``.

    The hot path of every answer: the generated hook over ``{**attributes, "id": id}``, and only when that fails,
    :func:`_decode_tolerantly` field by field. A resource without ``attributes`` decodes into the defaults.
    """
    hook = _HOOKS.get(model) or _resource_hook(model)
    attributes = resource.get("attributes")
    if type(attributes) is dict:
        try:
            return [hook({**attributes, "id": id}, model)]
        except Exception:
            entries: Iterable[tuple[Any, str]] = ((attributes, ".attributes"),)  # again below, field by field
    elif type(attributes) is list:
        entries = ((entry, f".attributes[{i}]") for i, entry in enumerate(attributes))
    else:
        entries = (({} if attributes is None else attributes, ".attributes"),)
    path = where if index is None else f"{where}[{index}]"
    models = []
    for entry, suffix in entries:
        if not is_object(entry):
            raise DecodeError(f"expected an object, found {json_type(entry)}", path=path + suffix)
        models.append(_decode_entry(hook, {**entry, "id": id}, model, path, path + suffix, strict=strict))
    return models


def decode_object(value: Any, model: type[M], *, path: str = "", strict: bool = False) -> M:
    """Decode a plain JSON object found at ``path`` (an answer of the legacy API, not a JSON:API resource).

    As tolerant as a resource's attributes (:func:`decode_entries`): the generated hook first, and only when it
    refuses the object, field by field, where a failing field with a default takes it (its JSON value kept in the
    model's ``raw`` field, if it has one) and a failing field without one, or any under ``strict``, is a
    :class:`DecodeError` naming its path. A value that is not an object is one too.
    """
    if not is_object(value):
        raise DecodeError(f"expected an object, found {json_type(value)}", path=path)
    hook: Callable[[Any, type], M] = _HOOKS.get(model) or _resource_hook(model)
    try:
        return hook(value, model)
    except Exception:
        pass  # decoded again below, outside this block: what it raises must not carry this exception along
    return _decode_tolerantly(dict(value), model, path, path, strict=strict)


def _decode_entry(
    hook: Callable[[Any, type], M], value: dict[str, Any], model: type[M], where: str, at: str, *, strict: bool
) -> M:
    try:
        return hook(value, model)
    except Exception:
        pass  # decoded again below, outside this block: what it raises must not carry this exception along
    return _decode_tolerantly(value, model, where, at, strict=strict)


class _Field(NamedTuple):
    key: str
    type: Any
    required: bool


class _Plan(NamedTuple):
    """What the field-by-field decoding of a model needs to know, worked out once per model."""

    fields: tuple[_Field, ...]
    raw: str | None


#: _plan's answers, worked out once per model.
_PLANS: Final[dict[Any, _Plan | None]] = {}


def _plan(model: Any) -> _Plan | None:
    """The plan of ``model``; None for a generic alias, which is decoded strictly, as a whole."""
    if model not in _PLANS:
        _PLANS[model] = _make_plan(model) if isinstance(model, type) and attrs.has(model) else None
    return _PLANS[model]


def _make_plan(model: type) -> _Plan:
    fields = _fields(model)
    return _Plan(
        fields=tuple(
            _Field(_json_key(field), field.type, field.default is attrs.NOTHING)
            for field in fields
            if _read_from_document(field)
        ),
        raw=next((field.name for field in fields if field.metadata.get(_FILL) == "raw"), None),
    )


def _decode_tolerantly(value: dict[str, Any], model: type[M], where: str, at: str, *, strict: bool) -> M:
    """Decode ``value`` (attributes and id) field by field, after the generated hook refused it as a whole.

    A failing field with a default takes it, and its JSON value goes to the model's ``raw`` (logged once per
    model and field); a failing field without one, or any under ``strict``, is a :class:`DecodeError` naming its
    path: ``where.id`` for the id, ``at.<key>`` (inside the attributes) for the rest.
    """
    plan = _plan(model)
    cleaned, raw = value, {}
    for field in plan.fields if plan is not None else ():
        if field.key not in value:
            continue
        try:
            _fast().get_structure_hook(field.type)(value[field.key], field.type)
            continue
        except Exception:
            error = _explain(value[field.key], field.type, _field_path(field.key, where, at))
        if strict or field.required:
            raise error
        if cleaned is value:
            cleaned = dict(value)
        del cleaned[field.key]
        raw[field.key] = value[field.key]
        _report_fallback(model, field.key, error)
    try:
        instance = _resource_hook(model)(cleaned, model)
    except Exception:
        # What no single field explains: a required field missing, or a model of the user's own refusing it.
        error = _explain(cleaned, model, "")
        failure = DecodeError(error.reason, path=_field_path(error.path, where, at) if error.path else at)
    else:
        if raw and plan is not None and plan.raw is not None:
            # Set on the instance nobody has seen yet: cheaper than attrs.evolve building another.
            object.__setattr__(instance, plan.raw, FrozenDict(raw))
        return instance
    raise failure


def _field_path(key: str, where: str, at: str) -> str:
    """The path of ``key``: the id is the resource's own member, everything else one of its attributes."""
    at = where if key == "id" or key.startswith(("id.", "id[")) else at
    return f"{at}.{key}" if at else key


#: The (model, JSON key) pairs whose fallback has been logged: once per process is enough to notice a deployment's
#: quirk, where once per resource would log every page.
_reported: Final[set[tuple[Any, str]]] = set()


def _report_fallback(model: Any, key: str, error: DecodeError) -> None:
    if (model, key) not in _reported:
        _reported.add((model, key))
        name = getattr(model, "__qualname__", repr(model))
        logger.debug("decoding %s: %s (read as its default; the JSON value is in .raw)", name, error)


def _resource_hook(model: type[M]) -> Callable[[Any, type], M]:
    """The fast hook for ``model`` without its object check: :func:`decode_entries` always passes a dict it built."""
    hook = _HOOKS.get(model)
    if hook is None:
        checked = _fast().get_structure_hook(model)
        hook = _HOOKS[model] = _UNCHECKED.get(checked, checked)
    return hook


#: _resource_hook's answers: cattrs' dispatch is a few calls deep, and every resource asks.
_HOOKS: Final[dict[Any, Callable[[Any, type], Any]]] = {}


class Link(NamedTuple):
    """A field resolved from ``included``: its name, the model of what it holds, and whether it holds a tuple."""

    field: str
    model: Any
    many: bool


class Links(NamedTuple):
    """The fields of a model that the reader fills from the document rather than from the attributes."""

    #: The fields resolved from ``included``, by the type of resource each takes.
    included: Mapping[str, Link]
    #: The ``tuple[ResourceRef, ...]`` field to which the JSON:API relationships' references are added, if any.
    refs: str | None


#: linked_fields' answers, worked out once per model.
_LINKS: Final[dict[Any, Links | None]] = {}


def linked_fields(model: Any) -> Links | None:
    """What of ``model`` the reader fills from the document (see :class:`Links`); None for nothing."""
    if model not in _LINKS:
        _LINKS[model] = _find_links(model) if isinstance(model, type) and attrs.has(model) else None
    return _LINKS[model]


def _find_links(model: type) -> Links | None:
    fields = _fields(model)
    included = {
        field.metadata[_INCLUDED]: Link(field.name, *_element(field.type))
        for field in fields
        if _INCLUDED in field.metadata
    }
    refs = next((field.name for field in fields if field.metadata.get(_REFS)), None)
    return Links(included, refs) if included or refs else None


def _element(tp: Any) -> tuple[Any, bool]:
    """The model a field of type ``tp`` holds (``tuple[X, ...]``, ``X | None`` or ``X``), and whether many."""
    if _is_homogeneous_tuple(tp):
        return get_args(tp)[0], True
    if _is_optional(tp):
        return next(arg for arg in get_args(tp) if arg is not NoneType), False
    return tp, False
