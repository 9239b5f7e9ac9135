"""The one JSON:API reader: a document's ``data``, ``included``, ``links``, ``meta`` and ``errors``, into models.

Every answer goes through here: the resources (``client.channels``, ...) and ``client.request``. The reader is
tolerant of what JSON:API makes optional (``data``, ``attributes``, ``included``, ``links`` and ``meta`` may be
absent; a ``links`` or ``meta`` or ``included`` of another JSON type reads as absent) and strict about what the SDK
needs (every resource has a ``type`` and an ``id``). Turning attributes into models is :mod:`._decoding`'s.
"""

from __future__ import annotations

import builtins
from collections.abc import Mapping
from typing import Any, Final, Literal, TypeVar

import attrs

from ._decoding import (
    Link,
    Links,
    decode_entries,
    is_object,
    json_type,
    linked_fields,
    resource_key,
    structure,
)
from ._errors import DecodeError
from .models import ErrorObject, ResourceRef
from .models._common import FrozenDict

__all__ = [
    "Document",
    "Resource",
    "decode_document",
    "decode_errors",
    "decode_included",
    "relationship_refs",
]

M = TypeVar("M")


@attrs.frozen
class Resource:
    """A JSON:API resource as sent: its ``attributes`` and ``relationships`` are left as plain JSON.

    ``attributes`` is empty when the resource sent none, or sent an array of attribute objects (as the streams
    endpoints do: :func:`decode_document` reads those).
    """

    type: str
    id: str
    attributes: Mapping[str, Any] = attrs.field(factory=dict)
    relationships: Any = None
    links: Mapping[str, Any] = attrs.field(factory=dict)
    meta: Mapping[str, Any] = attrs.field(factory=dict)

    @classmethod
    def parse(cls, value: Any, *, path: str = "") -> Resource:
        """Read a resource from parsed JSON, raising :class:`DecodeError` with a path without a type or an id."""
        return _resource(value, resource_key(value, path))

    def to(self, model: builtins.type[M]) -> M:
        """Structure this resource into a flat model (``id`` beside the attributes), strictly."""
        return structure({**self.attributes, "id": self.id}, model, path="attributes")

    def refs(self) -> tuple[ResourceRef, ...]:
        """The resources this one refers to (see :func:`relationship_refs`)."""
        return relationship_refs(self.relationships, self.attributes.get("relationships"))


def _resource(value: Mapping[str, Any], key: tuple[str, str]) -> Resource:
    attributes = value.get("attributes")
    return Resource(
        type=key[0],
        id=key[1],
        attributes=attributes if is_object(attributes) else {},
        relationships=value.get("relationships"),
        links=_object_or_empty(value.get("links")),
        meta=_object_or_empty(value.get("meta")),
    )


def _object_or_empty(value: Any) -> Mapping[str, Any]:
    """A member that must be an object to mean anything: itself, or empty when absent or of another type."""
    return value if is_object(value) else _EMPTY


_EMPTY: Final[Mapping[str, Any]] = FrozenDict()


class Document:
    """A JSON:API document: primary ``data``, ``included`` resources, top-level ``links``, ``meta`` and ``errors``.

    Read one with :meth:`parse`. Every resource is checked then (each has a ``type`` and an ``id``), but built as a
    :class:`Resource` only when asked for: :func:`decode_document`, the path of every answer, reads the JSON itself.
    """

    __slots__ = (
        "_data",
        "_decoded",
        "_included",
        "_included_keys",
        "_included_resources",
        "_index",
        "_keys",
        "_resources",
        "_shape",
        "_value",
    )

    def __init__(self, value: Mapping[str, Any]) -> None:
        """Read the JSON object ``value``; :meth:`parse` is the way to call this."""
        data = value.get("data")
        if type(data) is list:
            self._shape: Literal["null", "array", "object"] = "array"
            self._data: list[Any] = data
            self._keys = _keys(data, "data")
        elif data is None:
            self._shape, self._data, self._keys = "null", [], []
        elif is_object(data):
            self._shape, self._data, self._keys = "object", [data], [resource_key(data, "data")]
        else:
            raise DecodeError(f"expected an array or an object, found {json_type(data)}", path="data")
        included = value.get("included")
        self._included: list[Any] = included if type(included) is list else []
        self._included_keys = _keys(self._included, "included") if self._included else []
        self._value = value
        self._resources: tuple[Resource, ...] | None = None
        self._included_resources: tuple[Resource, ...] | None = None
        self._index: dict[tuple[str, str], int] | None = None
        #: The included resources decoded for each model (and strictness) asked for: each is decoded once, however
        #: many resources refer to it.
        self._decoded: dict[tuple[Any, bool], Mapping[str, _Included]] | None = None

    @classmethod
    def parse(cls, value: Any) -> Document:
        """Read a document from parsed JSON.

        Raises :class:`DecodeError` with a path when it is not an object, when ``data`` is neither an object nor an
        array, or when a resource of ``data`` or ``included`` has no ``type`` or ``id``.
        """
        if not is_object(value):
            raise DecodeError(f"expected an object, found {json_type(value)}", path="")
        return cls(value)

    @property
    def data(self) -> Resource | tuple[Resource, ...] | None:
        """The primary data as sent: one resource, a tuple of them, or None."""
        if self._shape == "null":
            return None
        return self.resources if self._shape == "array" else self.resources[0]

    @property
    def resources(self) -> tuple[Resource, ...]:
        """``data`` as a tuple, whether the document sent one resource, a list or null."""
        if self._resources is None:
            self._resources = tuple(_resource(value, key) for value, key in zip(self._data, self._keys, strict=True))
        return self._resources

    @property
    def included(self) -> tuple[Resource, ...]:
        """The ``included`` resources (empty when the document included none)."""
        if self._included_resources is None:
            self._included_resources = tuple(
                _resource(value, key) for value, key in zip(self._included, self._included_keys, strict=True)
            )
        return self._included_resources

    @property
    def links(self) -> Mapping[str, Any]:
        """The top-level ``links`` as sent (empty when absent, or not an object)."""
        return _object_or_empty(self._value.get("links"))

    @property
    def meta(self) -> Mapping[str, Any]:
        """The top-level ``meta`` as sent (empty when absent, or not an object)."""
        return _object_or_empty(self._value.get("meta"))

    @property
    def errors(self) -> tuple[ErrorObject, ...]:
        """The ``errors`` objects (see :func:`decode_errors`)."""
        return decode_errors(self._value)

    @property
    def next_link(self) -> str | None:
        """``links.next`` (a URL, or a link object's ``href``) as sent, or None.

        Not resolved and not checked: whoever follows it checks it stays on the configured origin.
        """
        link = self.links.get("next")
        if link is None:
            return None
        if is_object(link):
            link = link.get("href")
        if type(link) is not str or not link:
            # Ending the listing here would pass a cut-short one off as complete.
            raise DecodeError("expected a link (a URL, or an object with href)", path="links.next")
        return link

    def get_included(self, type: str, id: str) -> Resource | None:
        """The included resource with this type and id, or None."""
        position = self._positions().get((type, id))
        return None if position is None else self.included[position]

    def _positions(self) -> Mapping[tuple[str, str], int]:
        """Where each included resource is in ``included``, by ``(type, id)`` (the last, for one sent twice)."""
        if self._index is None:
            self._index = {key: position for position, key in enumerate(self._included_keys)}
        return self._index

    def _included_by_type(self, model: Any, links: Links, strict: bool) -> Mapping[str, _Included]:
        """The included resources of each type ``model``'s fields take, decoded as those fields need them."""
        if self._decoded is None:
            self._decoded = {}
        tables = self._decoded.get((model, strict))
        if tables is None:
            positions = self._positions()
            tables = self._decoded[(model, strict)] = {
                kind: _Included(self._included, positions, kind, link, strict) for kind, link in links.included.items()
            }
        return tables

    def __repr__(self) -> str:
        return (
            f"Document(resources={len(self._keys)}, included={len(self._included_keys)}, "
            f"links={sorted(self.links)}, meta={sorted(self.meta)}, errors={len(self.errors)})"
        )


def _keys(resources: list[Any], where: str) -> list[tuple[str, str]]:
    """The ``(type, id)`` of each resource of an array, checked by :func:`resource_key`."""
    keys = []
    for index, resource in enumerate(resources):
        if type(resource) is dict:
            kind, ident = resource.get("type"), resource.get("id")
            if type(kind) is str and type(ident) is str:
                # The usual resource, without a call: a page holds a hundred.
                keys.append((kind, ident))
                continue
        keys.append(resource_key(resource, f"{where}[{index}]"))
    return keys


class _Included:
    """The included resources of one type, each decoded into its field's model when first asked for.

    It holds the document's JSON, not the document: a document holds these, and a cycle would keep a page's JSON
    alive until the garbage collector came by.
    """

    __slots__ = ("_decoded", "_included", "_index", "_kind", "_strict", "link")

    def __init__(
        self, included: list[Any], index: Mapping[tuple[str, str], int], kind: str, link: Link, strict: bool
    ) -> None:
        self._included = included
        self._index = index
        self._kind = kind
        self._strict = strict
        self.link = link
        #: The models decoded so far by id (None for an id the document did not include).
        self._decoded: dict[str, Any] = {}

    def get(self, ident: str) -> Any:
        """The included resource of this type and id as a model, or None when the document did not include it."""
        value = self._decoded.get(ident, _UNDECODED)
        if value is _UNDECODED:
            position = self._index.get((self._kind, ident))
            decoded = []
            if position is not None:
                resource = self._included[position]
                decoded = decode_entries(resource, ident, self.link.model, "included", position, strict=self._strict)
            value = self._decoded[ident] = decoded[0] if decoded else None
        return value


_UNDECODED: Final = object()


def decode_document(document: Document | Any, model: type[M], *, strict: bool = False) -> list[M]:
    """Decode every primary resource of ``document`` (a :class:`Document` or its parsed JSON) into ``model``.

    One model a resource, or one per entry when its ``attributes`` is an array (the streams endpoints); none when
    ``data`` is absent or null. The fields ``model`` declares as included (``metadata={"included": "Genre"}``) are
    resolved through the resource's relationships, in either form :func:`relationship_refs` reads, to the
    document's ``included`` resources. Attributes are decoded tolerantly unless ``strict`` (see
    :func:`~amino_async._decoding.decode_resource`).
    """
    doc = document if isinstance(document, Document) else Document.parse(document)
    links = linked_fields(model)
    included = doc._included_by_type(model, links, strict) if links and links.included and doc._included_keys else {}
    alone = doc._shape == "object"  # its path is "data", where those in an array are "data[i]"
    models: list[M] = []
    for index, (resource, (_, ident)) in enumerate(zip(doc._data, doc._keys, strict=True)):
        decoded = decode_entries(resource, ident, model, "data", None if alone else index, strict=strict)
        if links is not None and (included or resource.get("relationships")):
            _link(resource, decoded, links, included)
        models.extend(decoded)
    return models


def _link(resource: Mapping[str, Any], decoded: list[Any], links: Links, included: Mapping[str, _Included]) -> None:
    """Fill the freshly decoded models of ``resource`` with what ``links`` says comes from the document."""
    relationships = resource.get("relationships")
    shared = relationship_refs(relationships) if relationships else ()
    for index, instance in enumerate(decoded):
        # Set on instances nobody has seen yet: cheaper than attrs.evolve building each again.
        if links.refs is not None:
            # The field holds the attributes' own references, decoded with them; the resource's join them.
            refs = getattr(instance, links.refs)
            if shared:
                refs += shared
                object.__setattr__(instance, links.refs, refs)
        else:
            refs = shared + relationship_refs(_entry(resource, index).get("relationships"))
        found: dict[_Included, list[Any]] = {}
        for ref in refs if included else ():
            resources = included.get(ref.type)
            if resources is not None and (value := resources.get(ref.id)) is not None:
                found.setdefault(resources, []).append(value)
        for resources, values in found.items():
            object.__setattr__(instance, resources.link.field, tuple(values) if resources.link.many else values[0])


def _entry(resource: Mapping[str, Any], index: int) -> Mapping[str, Any]:
    """The ``index``-th object of a resource's attributes (its only one unless they are an array)."""
    attributes = resource.get("attributes")
    entry = attributes[index] if type(attributes) is list else attributes
    return entry if is_object(entry) else {}


def decode_included(document: Document, model: type, *, strict: bool = False) -> dict[tuple[str, str], Any]:
    """``document``'s included resources by ``(type, id)``: decoded into the model of the ``model`` field that
    takes their type (a Channel's genres and products), the rest left as :class:`Resource`."""
    links = linked_fields(model)
    by_type = document._included_by_type(model, links, strict) if links is not None else {}
    included: dict[tuple[str, str], Any] = {}
    for position, key in enumerate(document._included_keys):
        resources = by_type.get(key[0])
        value = resources.get(key[1]) if resources is not None else None
        included[key] = value if value is not None else document.included[position]
    return included


def relationship_refs(*sources: Any) -> tuple[ResourceRef, ...]:
    """The references in relationship objects of either form the API uses.

    JSON:API's ``relationships: {name: {data: ref | [ref]}}``, the Amino OpenAPI files' attribute-level
    ``relationships: [ref]`` and their ``relationships: {name: ref}`` all count; entries that are not
    ``{type, id}`` are skipped.
    """
    found: list[Any] = []
    for source in sources:
        if type(source) is list:
            found.extend(source)
        elif is_object(source):
            for relationship in source.values():
                if not is_object(relationship):
                    continue
                # ``{name: {"type", "id"}}`` without ``data``: the recording groups' form (RecordingGroupEntity).
                data = relationship.get("data", relationship if "type" in relationship else None)
                found.extend(data if type(data) is list else (data,))
    return tuple(
        ResourceRef(type=ref["type"], id=str(ref["id"]))
        for ref in found
        if is_object(ref) and type(ref.get("type")) is str and type(ref.get("id")) in (str, int)
    )


def decode_errors(document: Any) -> tuple[ErrorObject, ...]:
    """The error objects of an error answer; anything unreadable is skipped, never raised.

    The legacy API's one error, ``{"error": {"code": 311, "text": "..."}}``, reads as one object: its ``code``,
    and its ``text`` as the detail.
    """
    if not is_object(document):
        return ()
    if type(document.get("errors")) is not list:
        return _legacy_error(document.get("error"))
    errors = []
    for entry in document["errors"]:
        if not is_object(entry):
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


def _legacy_error(error: Any) -> tuple[ErrorObject, ...]:
    if not is_object(error):
        return ()
    code, text = error.get("code"), error.get("text")
    fields = {}
    if type(code) in (str, int):
        fields["code"] = str(code)
    if type(text) is str:
        fields["detail"] = text
    return (ErrorObject(**fields),) if fields else ()
