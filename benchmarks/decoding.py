"""Decoding worker: a 100-channel page and a streams answer, from bytes to models.

Compared: ``json.loads`` alone (and orjson's), the SDK (``load_json`` + ``decode_document``, as every call does:
for the page that includes resolving each channel's genres and products from ``included``),
and pydantic v2 models of the same fields, validated from the same bytes by ``model_validate_json`` (pydantic's
fastest path: parsing and validation in Rust). Prints one JSON line: microseconds per document, medians.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))
from _common import block_speedups, emit
from pydantic import BaseModel, ConfigDict, Field


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, populate_by_name=True)


class PImage(_Frozen):
    url: str
    image_type: str | None = None
    alternate_access_description: str | None = None
    width_pixels: int | None = None
    height_pixels: int | None = None
    language: str | None = Field(None, alias="iso_639-2_lang")


class PContentFlag(_Frozen):
    content_rating_flag: str | None = None
    content_rating_authority: str | None = None
    country_code: str | None = Field(None, alias="country_code_iso_alpha2")
    pictogram_url: str | None = None
    is_adult_rated: bool = False


class PAvailabilityWindow(_Frozen):
    time_limited_event: bool = False
    not_before_timestamp: int = 0
    not_after_timestamp: int = 4102444799


class PGeoAvailability(_Frozen):
    geo_restricted: bool = False
    enabled_country_codes: tuple[str, ...] = Field((), alias="enabled_country_codes_iso3166_alpha2")


class PServicesAvailable(_Frozen):
    services_enabled: tuple[str, ...] = ()
    trickplay_enabled: tuple[str, ...] = ()


class PDvbTriplet(_Frozen):
    original_network_id: int | None = None
    transport_stream_id: int | None = None
    service_id: str | None = None


class PDvbService(_Frozen):
    transmission_type: str | None = None
    virtual_channel_number: int | None = None
    triplet: PDvbTriplet | None = None
    operator_name: str | None = None


class PDeliveryNetwork(_Frozen):
    transport_network: str
    dvb: tuple[PDvbService, ...] = ()


class PResourceRef(_Frozen):
    type: str
    id: str


class PChannelAttributes(_Frozen):
    name: str
    logical_channel_number: int | None = None
    media_type: str | None = None
    is_demo_channel: bool = False
    is_local_channel: bool = False
    allowed_devices: tuple[str, ...] = ()
    content_flags: tuple[PContentFlag, ...] = ()
    display_order_weight: int | None = None
    images: tuple[PImage, ...] = ()
    availability_window: PAvailabilityWindow = PAvailabilityWindow()
    geo_availability: PGeoAvailability | None = None
    services_available: PServicesAvailable = PServicesAvailable()
    delivery_networks: tuple[PDeliveryNetwork, ...] = ()
    relationships: tuple[PResourceRef, ...] = ()


class PChannel(_Frozen):
    id: str
    attributes: PChannelAttributes


class PChannelPage(_Frozen):
    data: list[PChannel]


class PProtectionKey(_Frozen):
    type: str
    key: str | None = None
    la_url: str | None = Field(None, alias="laUrl")


class PStreamAttributes(_Frozen):
    stream_url: str
    bitrate: int | None = None
    codec_info: str | None = None
    transport_protocol: str | None = None
    streaming_protocols: tuple[str, ...] = ()
    protection_types: tuple[str, ...] = ()
    protection_keys: tuple[PProtectionKey, ...] = ()
    max_resolution: str | None = None
    max_fps: str | None = None
    vbr_max_bitrate: int | None = None
    profile_name: str | None = None
    suggested_devices: tuple[str, ...] = ()
    suggested_market_segments: tuple[str, ...] = ()
    suggested_start_time: int | None = None


class PStream(_Frozen):
    id: str
    attributes: PStreamAttributes


class PStreams(_Frozen):
    data: list[PStream]


def _bodies() -> tuple[bytes, bytes]:
    import anyio
    import httpx

    from amino_async import AminoClient
    from amino_async.testing import FakeAmino

    fake = FakeAmino(channels=200)

    async def fetch() -> tuple[bytes, bytes]:
        transport = httpx.ASGITransport(app=fake)
        async with AminoClient(
            "http://localhost", username="user@example.com", password="secret", transport=transport
        ) as client:
            page = await client.request_raw("GET", "/channels", family="metadata", params={"page_number": 1})
            streams = await client.request_raw("GET", f"/channels/{fake.channel_id(0)}/relationships/streams")
        return page.content, streams.content

    return anyio.run(fetch)


def _time(fn: Callable[[], Any], budget: float) -> float:
    """Microseconds a call, the median of 5 rounds within about ``budget`` seconds."""
    fn()
    start, calls = time.perf_counter(), 0
    while time.perf_counter() - start < budget / 10:
        fn()
        calls += 1
    per_round = max(1, calls * 2)
    rounds = []
    for _ in range(5):
        start = time.perf_counter()
        for _ in range(per_round):
            fn()
        rounds.append((time.perf_counter() - start) / per_round * 1e6)
    return statistics.median(rounds)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--no-speedups", action="store_true")
    parser.add_argument("--budget", type=float, default=1.0, help="seconds for each measurement")
    args = parser.parse_args()
    if args.no_speedups:
        block_speedups()
    from amino_async import Channel, Stream
    from amino_async._decoding import load_json
    from amino_async._jsonapi import decode_document

    page, streams = _bodies()
    results: dict[str, Any] = {
        "page_bytes": len(page),
        "streams_bytes": len(streams),
        "streams_count": len(json.loads(streams)["data"]),
    }
    cases: dict[str, tuple[Callable[[], Any], Callable[[], Any]]] = {
        "json.loads": (lambda: json.loads(page), lambda: json.loads(streams)),
        "sdk": (
            lambda: decode_document(load_json(page), Channel),
            lambda: decode_document(load_json(streams), Stream),
        ),
        "pydantic": (
            lambda: PChannelPage.model_validate_json(page),
            lambda: PStreams.model_validate_json(streams),
        ),
    }
    if not args.no_speedups:
        import orjson

        cases["orjson.loads"] = (lambda: orjson.loads(page), lambda: orjson.loads(streams))
    for name, (page_fn, streams_fn) in cases.items():
        results[name] = {"page_us": _time(page_fn, args.budget), "streams_us": _time(streams_fn, args.budget)}
    emit(results)


if __name__ == "__main__":
    main()
