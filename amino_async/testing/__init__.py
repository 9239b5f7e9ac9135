"""A fake Amino server for tests: ``FakeAmino``, an ASGI app with users, tokens, a catalogue,
fault injection and counters.

In-process::

    fake = FakeAmino(channels=250)
    transport = httpx.ASGITransport(app=fake)
    async with httpx.AsyncClient(transport=transport, base_url="http://amino.test") as http:
        ...

Over a socket: ``async with fake.serve() as base_url: ...``, or from a shell
``python -m amino_async.testing --port 8080``. Needs the ``testing`` extra (starlette, uvicorn).

``FaultProxy`` sits between a client and a server on loopback and resets, delays or truncates the exchanges
through it: ``async with FaultProxy(base_url, seed=1, reset_mid_body=0.05) as proxy: ... proxy.url ...``.
"""

from __future__ import annotations

try:
    import starlette  # noqa: F401
except ImportError as exc:  # pragma: no cover - exercised only without the extra
    raise ImportError("amino_async.testing needs starlette and uvicorn: pip install 'amino-async[testing]'") from exc

from ._app import FakeAmino
from ._proxy import FaultProxy, ProxyFault
from ._state import FakeProfile, FakeStats, FakeUser, Fault

__all__ = ["FakeAmino", "FakeProfile", "FakeStats", "FakeUser", "Fault", "FaultProxy", "ProxyFault"]
