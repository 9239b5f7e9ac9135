"""The pydantic schema of a model class, built from its attrs fields when pydantic first asks for it.

Imported by :meth:`Model.__get_pydantic_core_schema__ <amino_async.models._common.Model>` only, so that pydantic is
imported by whoever uses it (FastAPI, a ``TypeAdapter``), never by the SDK itself.

A model's schema, for pydantic and for the OpenAPI/JSON schema made from it:

- an object of the class's fields under their Python names, each typed as its annotation says (tuples are arrays,
  nested models their own named schemas), required where the field has no default; titled with the class name and
  described by its docstring, under a reference of the class, so that FastAPI lists it as a component
  (``#/components/schemas/Stream``);
- :attr:`Entity.raw` (and ``LegacyObject.raw``), the SDK's note of values that came in an undocumented shape, is
  left out: it is no field of the API's and takes no part in equality;
- a field holding an exception (:attr:`GrantOutcome.error <amino_async.models.GrantOutcome>`) is its message, a
  string (what the SDK's exceptions say never holds a secret); validated from a string, it is that exception
  class made with that message;
- serialization reads the instance's fields; validation takes an instance as it is, or builds one from such an
  object through the class's ``__init__`` (so the class's own converters and checks run).
"""

from __future__ import annotations

import contextvars
import types
import typing
from typing import Annotated, Any, Union

import attrs
from pydantic import GetCoreSchemaHandler
from pydantic_core import core_schema

__all__ = ["model_schema"]

#: The model classes whose schemas are being built in this context: a field of one of them (a programme's
#: episodes, whose programme ...) is a reference to the schema under construction, not a new build.
_BUILDING: contextvars.ContextVar[frozenset[type]] = contextvars.ContextVar("amino_async_pydantic_building")


def _schema_fields(cls: type) -> tuple[attrs.Attribute[Any], ...]:
    """The fields a model's schema lists: every attrs field but those the SDK fills (``raw``)."""
    return tuple(f for f in attrs.fields(cls) if f.metadata.get("fill") != "raw")


def model_schema(cls: type, handler: GetCoreSchemaHandler) -> core_schema.CoreSchema:
    """The core schema of the attrs model class ``cls``; ``handler`` makes the schemas of its fields' types."""
    ref = f"{cls.__module__}.{cls.__qualname__}:{id(cls)}"  # the form pydantic's own references take
    building = _BUILDING.get(frozenset())
    if cls in building:
        return core_schema.definition_reference_schema(ref)
    token = _BUILDING.set(building | {cls})
    try:
        return _build(cls, handler, ref)
    finally:
        _BUILDING.reset(token)


def _build(cls: type, handler: GetCoreSchemaHandler, ref: str) -> core_schema.CoreSchema:
    hints = typing.get_type_hints(cls)
    fields = _schema_fields(cls)
    typed: dict[str, core_schema.TypedDictField] = {}
    for f in fields:
        schema = handler.generate_schema(_supported(hints[f.name]))
        default: Any = f.default
        if isinstance(default, attrs.Factory):  # type: ignore[arg-type]  # the stubs make Factory a function
            if default.takes_self:  # pragma: no cover - no model has one
                raise TypeError(f"{cls.__name__}.{f.name}: a default that takes self has no schema")
            schema = core_schema.with_default_schema(schema, default_factory=default.factory)
        elif default is not attrs.NOTHING:
            schema = core_schema.with_default_schema(schema, default=default)
        typed[f.name] = core_schema.typed_dict_field(schema, required=default is attrs.NOTHING)
    # The fields as a dict: what a model validates from, and serializes to (its return_schema).
    as_dict = core_schema.typed_dict_schema(typed, cls=cls, extra_behavior="ignore")
    names = tuple((f.name, f.alias or f.name) for f in fields if f.init)

    def build(values: dict[str, Any]) -> Any:
        return cls(**{alias: values[name] for name, alias in names if name in values})

    def dump(instance: Any) -> dict[str, Any]:
        return {f.name: getattr(instance, f.name) for f in fields}

    from_dict = core_schema.no_info_after_validator_function(build, as_dict)
    return core_schema.json_or_python_schema(
        json_schema=from_dict,
        python_schema=core_schema.union_schema([core_schema.is_instance_schema(cls), from_dict]),
        serialization=core_schema.plain_serializer_function_ser_schema(dump, return_schema=as_dict),
        ref=ref,
    )


class _AsMessage:
    """An ``Annotated`` marker: this exception class is, for pydantic, the string of its message."""

    @staticmethod
    def __get_pydantic_core_schema__(
        source: type[BaseException], handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        from_message = core_schema.no_info_after_validator_function(source, core_schema.str_schema())
        return core_schema.json_or_python_schema(
            json_schema=from_message,
            python_schema=core_schema.union_schema([core_schema.is_instance_schema(source), from_message]),
            serialization=core_schema.plain_serializer_function_ser_schema(str, return_schema=core_schema.str_schema()),
        )


def _supported(hint: Any) -> Any:
    """``hint`` with each exception class in it (alone or in a union) marked as :class:`_AsMessage`."""
    if isinstance(hint, type) and issubclass(hint, BaseException):
        return Annotated[hint, _AsMessage]
    if typing.get_origin(hint) in (Union, types.UnionType):
        return Union[tuple(_supported(arg) for arg in typing.get_args(hint))]  # noqa: UP007 - built from a tuple
    return hint
