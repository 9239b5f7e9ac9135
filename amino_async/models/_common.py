"""What every API area's models share: the entity base, error objects, references and images."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Final, NoReturn

from attrs import field, frozen

if TYPE_CHECKING:
    from pydantic import GetCoreSchemaHandler
    from pydantic_core import CoreSchema

__all__ = ["Entity", "ErrorObject", "FrozenDict", "Image", "Model", "ResourceRef"]


class FrozenDict(dict[str, Any]):
    """A dict that refuses changes: what :attr:`Entity.raw` holds.

    A dict rather than a ``MappingProxyType`` so that ``attrs.asdict``, ``json.dumps``, ``pickle`` and ``copy``
    take models as they take any other; refusing changes so that the one empty instance all models share stays
    empty.
    """

    __slots__ = ()

    def _refuse(self, *args: object, **kwargs: object) -> NoReturn:
        raise TypeError("a decoded model's raw values are read-only")

    __setitem__ = __delitem__ = __ior__ = clear = pop = popitem = setdefault = update = _refuse

    def __reduce__(self) -> tuple[Any, ...]:
        # The default reduction would refill a new instance item by item, through the refused __setitem__.
        return (type(self), (dict(self),))


class Model:
    """Base of every model class: what makes models pydantic types (FastAPI ``response_model``, ``TypeAdapter``).

    pydantic asks a class for its schema through ``__get_pydantic_core_schema__``; the schema is built from the
    attrs fields only then (``amino_async.models._pydantic``), so importing the SDK never imports pydantic. A model
    serializes as an object of its fields under their Python names (tuples as arrays, nested models as objects),
    without :attr:`Entity.raw`; it validates from such an object (or is taken as it is), through the class's own
    ``__init__``.
    """

    __slots__ = ()

    @classmethod
    def __get_pydantic_core_schema__(cls, source: Any, handler: GetCoreSchemaHandler) -> CoreSchema:
        """The pydantic core schema of this model class (the pydantic v2 protocol)."""
        from ._pydantic import model_schema

        return model_schema(cls, handler)


#: The ``raw`` of an entity whose every attribute decoded: one shared empty mapping, not a dict per model.
_NO_RAW: Final[Mapping[str, Any]] = FrozenDict()


@frozen
class Entity(Model):
    """Base of the models decoded from a JSON:API resource (the OpenAPI files' ``...Entity`` schemas).

    ``raw`` holds, by JSON name, the attributes that came in a shape other than documented and so read as their
    field's default, e.g. ``channel.raw["services_available"]``: the value as sent, for whoever needs it anyway.
    It is empty when every attribute decoded, is filled by the SDK (never read from the document), and takes no
    part in equality or the repr.
    """

    raw: Mapping[str, Any] = field(default=_NO_RAW, kw_only=True, eq=False, repr=False, metadata={"fill": "raw"})


@frozen
class ErrorObject(Model):
    """One entry of an ``errors`` array.

    The API sends two variants, ``{id, href, code, title, details}`` and ``{id, status, code, title, detail}``;
    both land here, with ``detail`` read from ``detail`` or, failing that, ``details``.
    """

    id: str | None = None
    status: str | None = None
    code: str | None = None
    title: str | None = None
    detail: str | None = None
    href: str | None = None


@frozen
class ResourceRef(Model):
    """A reference to another resource by type and id (a relationship entry)."""

    type: str
    id: str


@frozen
class Image(Model):
    """An image of a channel or genre (``ImageValueObject``)."""

    url: str
    image_type: str | None = None
    alternate_access_description: str | None = None
    width_pixels: int | None = None
    height_pixels: int | None = None
    #: ISO 639-2 language code.
    language: str | None = field(default=None, metadata={"json": "iso_639-2_lang"})
