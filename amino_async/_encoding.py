"""Request bodies: the SDK's frozen input classes as the JSON the API documents, by one cattrs converter.

An input class (``models.recordings.UserRecordingRequest``, say) is a frozen attrs class whose fields are named
in Python's snake case; ``field(metadata={"json": "name"})`` gives a field's JSON key where it differs, as it does
on the models. Fields left at None are left out of the body (the API reads a missing attribute as unset; a null
could mean "clear it"); to send a JSON null on purpose, use :data:`NULL`. Tuples become arrays, nested input
classes objects. :func:`resource_body` wraps attributes in the JSON:API ``{"data": {...}}`` envelope the write
endpoints of the current API take.
"""

from __future__ import annotations

import enum
import functools
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Final

import attrs

if TYPE_CHECKING:
    from cattrs import Converter

__all__ = ["NULL", "Null", "resource_body", "to_json"]


class Null(enum.Enum):
    """The type of :data:`NULL`: annotate a field that may be cleared as ``X | None | Null``."""

    NULL = "null"


#: A field value that is sent as JSON ``null`` (None leaves the field out).
NULL: Final = Null.NULL


@functools.cache
def _converter() -> Converter:
    """Built on the first body encoded: importing the SDK does not import cattrs."""
    from cattrs import Converter
    from cattrs.gen import make_dict_unstructure_fn, override

    converter = Converter()
    converter.register_unstructure_hook(Null, lambda _: None)

    def class_hook(cls: type) -> Any:
        overrides: dict[str, Any] = {
            field.name: override(rename=field.metadata.get("json", field.name), omit_if_default=field.default is None)
            for field in attrs.fields(cls)
        }
        return make_dict_unstructure_fn(cls, converter, **overrides)

    converter.register_unstructure_hook_factory(attrs.has, class_hook)
    return converter


def to_json(value: Any) -> Any:
    """``value`` (an input class, or a list, tuple or mapping of them) as the JSON the API expects."""
    return _converter().unstructure(value)


def resource_body(
    type: str,
    attributes: Any,
    *,
    id: str | None = None,
    relationships: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """A JSON:API document of one resource: ``{"data": {"type", "id"?, "attributes", "relationships"?}}``.

    ``attributes`` is an input class or a mapping; None values in a mapping are left out, as in an input class.
    """
    if isinstance(attributes, Mapping):
        attributes = {key: item for key, item in attributes.items() if item is not None}
    data: dict[str, Any] = {"type": type, "attributes": to_json(attributes)}
    if id is not None:
        data["id"] = id
    if relationships:
        data["relationships"] = dict(relationships)
    return {"data": data}
