"""What is sold and suggested: ``client.packages`` (``/api/packages/v1``), ``client.subscriptions``
(``/api/subscription/v1``) and ``client.recommendations`` (``/api/contentdiscovery/v1``)."""

from __future__ import annotations

import builtins
from typing import Final, Literal

from .._resource import APIResource, uses
from .._urls import Route
from ..models import ChannelPackage, Product, Recommendation, ViewerEvent

__all__ = ["Bucket", "Packages", "Recommendations", "Subscriptions"]

#: The popular recordings of today (04:00 to 04:00) or of the coming week.
Bucket = Literal["daily", "weekly"]

EVENT: Final = Route("POST", "content_discovery", "/recommendation/event")
POPULAR_RECORDINGS: Final = Route("GET", "content_discovery", "/recommendation/popular_recordings")
PERSONAL: Final = Route("GET", "content_discovery", "/recommendation/personal/{user_id}")
GENRE: Final = Route("GET", "content_discovery", "/recommendation/genre/{genre_id}/user/{user_id}")
PACKAGES: Final = Route("GET", "packages", "/channel_packages")
USER_PACKAGES: Final = Route("GET", "packages", "/users/{user_id}/channel_packages")
PRODUCTS: Final = Route("GET", "subscription", "/user/{user_id}/products")


class Recommendations(APIResource):
    """Recommendations from the third-party engine, and the viewing events that feed it."""

    __slots__ = ()

    @uses(EVENT)
    async def send_event(
        self,
        foreign_user_id: str,
        foreign_program_id: str,
        program_uid: str,
        *,
        event_name: str | None = None,
        event_value: str | None = None,
        max_retries: int | None = None,
    ) -> ViewerEvent:
        """Pass a viewing or "like" event on to the engine (``POST /recommendation/event``)."""
        body = {
            "foreign_user_id": foreign_user_id,
            "foreign_program_id": foreign_program_id,
            "program_uid": program_uid,
            "event_name": event_name,
            "event_value": event_value,
        }
        json = {key: value for key, value in body.items() if value is not None}
        return await self._api.retrying(max_retries).call(EVENT, json=json, answer=ViewerEvent)

    @uses(POPULAR_RECORDINGS)
    async def popular_recordings(
        self, *, bucket: Bucket | None = None, max_retries: int | None = None
    ) -> list[Recommendation]:
        """What many people record, each with its programme resolved (``GET /recommendation/popular_recordings``)."""
        api = self._api.retrying(max_retries)
        return await api.call(POPULAR_RECORDINGS, query={"bucket": bucket}, answer=list[Recommendation])

    @uses(PERSONAL)
    async def personal(self, *, user_id: str | None = None, max_retries: int | None = None) -> list[Recommendation]:
        """Recommendations for the user's own profile (``GET /recommendation/personal/{user_id}``)."""
        path = {"user_id": await self._user_id(user_id)}
        return await self._api.retrying(max_retries).call(PERSONAL, path, answer=list[Recommendation])

    @uses(GENRE)
    async def for_genre(
        self, genre_id: str, *, user_id: str | None = None, max_retries: int | None = None
    ) -> Recommendation:
        """A recommendation from one genre for the user (``GET /recommendation/genre/{genre_id}/user/{user_id}``)."""
        path = {"genre_id": genre_id, "user_id": await self._user_id(user_id)}
        return await self._api.retrying(max_retries).call(GENRE, path, answer=Recommendation)


class Packages(APIResource):
    """Channel packages: channel licenses bundled to be sold together."""

    __slots__ = ()

    @uses(PACKAGES)
    async def list(self, *, max_retries: int | None = None) -> list[ChannelPackage]:
        """Every package of the system (``GET /channel_packages``)."""
        return await self._api.retrying(max_retries).call(PACKAGES, answer=list[ChannelPackage])

    @uses(USER_PACKAGES)
    async def for_user(
        self, *, user_id: str | None = None, max_retries: int | None = None
    ) -> builtins.list[ChannelPackage]:
        """The packages the user is associated with (``GET /users/{user_id}/channel_packages``)."""
        path = {"user_id": await self._user_id(user_id)}
        return await self._api.retrying(max_retries).call(USER_PACKAGES, path, answer=builtins.list[ChannelPackage])


class Subscriptions(APIResource):
    """What a user subscribes to: products (``/api/subscription/v1``)."""

    __slots__ = ()

    @uses(PRODUCTS)
    async def products(
        self, *, user_id: str | None = None, language: str | None = None, max_retries: int | None = None
    ) -> list[Product]:
        """The products the user is subscribed to (``GET /user/{user_id}/products``)."""
        path = {"user_id": await self._user_id(user_id)}
        api = self._api.retrying(max_retries)
        return await api.call(PRODUCTS, path, query={"language": language}, answer=list[Product])
