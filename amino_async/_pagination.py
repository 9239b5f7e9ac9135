"""``Page``: one page of a paginated list, and the way to the next."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator, Mapping
from typing import Any, Generic, TypeVar

from attrs import field, frozen

__all__ = ["Page"]

T = TypeVar("T")


@frozen
class Page(Generic[T]):
    """One page of results.

    ``items`` are the page's models; ``included`` the resources the answer included, by ``(type, id)``
    (decoded into models where the SDK knows the type); ``links`` the document's top-level links as sent.
    Iterating a page iterates its items; :meth:`next_page` fetches the following one.
    """

    items: tuple[T, ...]
    number: int
    links: Mapping[str, Any] = field(factory=dict)
    included: Mapping[tuple[str, str], Any] = field(factory=dict, repr=False)
    _fetch_next: Callable[[], Awaitable[Page[T]]] | None = field(default=None, repr=False, eq=False)

    @property
    def has_next(self) -> bool:
        """Whether another page may follow: the server linked one, or this page was full."""
        return self._fetch_next is not None

    async def next_page(self) -> Page[T] | None:
        """The next page, or None after the last."""
        return await self._fetch_next() if self._fetch_next is not None else None

    def __iter__(self) -> Iterator[T]:
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)
