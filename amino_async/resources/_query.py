"""What the metadata resources share: the ``filter`` query built from typed arguments, and paging to the end."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping, Sequence
from typing import TypeVar

from .._errors import ConfigurationError
from .._pagination import Page

__all__ = ["FilterValue", "every", "filters"]

T = TypeVar("T")

#: A typed filter argument: one value, several (any of them matches), or for flags a boolean.
FilterValue = str | Sequence[str] | bool | None


def filters(raw: str | Sequence[str] | None, typed: Mapping[str, FilterValue]) -> str | list[str] | None:
    """The ``filter`` query of a listing: ``raw`` as given, or each typed argument as ``field:value``.

    Following the JSON:API filtering recommendation the files point to, several values of one field are
    comma-separated (``channel.id:a,b``) and several fields are several ``filter`` parameters (all must match).
    Giving ``raw`` and typed arguments together is refused: which would win is not the API's to say.
    """
    given = {name: value for name, value in typed.items() if value is not None}
    if raw is not None and given:
        raise ConfigurationError(f"pass either filter or {', '.join(sorted(given))}, not both")
    if raw is not None:
        return raw if isinstance(raw, str) else list(raw)
    if not given:
        return None
    parts = []
    for name, value in given.items():
        if isinstance(value, bool):
            text = "true" if value else "false"
        elif isinstance(value, str):
            text = value
        else:
            text = ",".join(value)
        parts.append(f"{name}:{text}")
    return parts[0] if len(parts) == 1 else parts


async def every(first: Page[T]) -> AsyncIterator[T]:
    """Every item of ``first`` and of each page after it, to the end of the listing."""
    page: Page[T] | None = first
    while page is not None:
        for item in page.items:
            yield item
        page = await page.next_page()
