"""Which transport a client builds for itself when it is given none."""

from __future__ import annotations

import importlib.util

import httpx

__all__ = ["default_transport"]


def default_transport(limits: httpx.Limits) -> httpx.AsyncBaseTransport:
    """httpcore's pool with ``limits``, speaking HTTP/2 where the ``h2`` package is installed."""
    http2 = importlib.util.find_spec("h2") is not None
    return httpx.AsyncHTTPTransport(limits=limits, http2=http2)
