"""What every resource is: a named path and its parameters over the client's one request path."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .._client import AminoClient


class Resource:
    """Base of the resources: holds the client whose request path they use."""

    __slots__ = ("_client",)

    def __init__(self, client: AminoClient) -> None:
        self._client = client
