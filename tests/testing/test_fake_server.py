"""FakeAmino over a real loopback socket: serve() under asyncio and trio, and the command line."""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

import anyio

from amino_async.testing import FakeAmino

from ..helpers import httpx

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = {"grant_type": "password", "credentials": {"username": "user@example.com", "password": "secret"}}


async def test_serve_answers_over_a_socket_and_shares_state_with_the_test() -> None:
    fake = FakeAmino(channels=150)

    async with fake.serve() as base_url, httpx.AsyncClient(base_url=base_url) as client:
        assert base_url.startswith("http://127.0.0.1:")
        login = await client.post(
            "/api/user/user@example.com/login", auth=httpx.DigestAuth("user@example.com", "secret")
        )
        token = login.json()["userStat"]["accessToken"][0]
        client.headers["Authorization"] = f"Bearer {token}"
        page = await client.get("/api/metadata/v1/channels", params={"page_number": 2})
        assert page.status_code == 200
        assert len(page.json()["data"]) == 50
        assert page.json()["links"]["play"].startswith(base_url)

        # Knobs turned from the test's thread apply to the server's thread at once.
        fake.expire_access_tokens()
        assert (await client.get("/api/metadata/v1/channels")).status_code == 401

    assert fake.stats.grants == {"digest": 1}
    assert fake.stats.calls == {"login": 2, "channels": 2}
    assert fake.stats.unauthorized == 1


async def test_serve_sets_its_own_date_and_counts_concurrency() -> None:
    fake = FakeAmino()
    fake.data_delay = 0.05

    async with fake.serve() as base_url, httpx.AsyncClient(base_url=base_url) as client:
        token = (await client.post("/api/auth/v1/access_tokens", json=PASSWORD)).json()["data"]["attributes"]
        client.headers["Authorization"] = f"Bearer {token['access_token']}"
        async with anyio.create_task_group() as tg:
            for _ in range(5):
                tg.start_soon(client.get, "/api/users/v1/users/1001/user_profiles")
        response = await client.get("/api/users/v1/users/1001/user_profiles")

    assert response.headers.get_list("date") == [response.headers["date"]]
    assert "server" not in response.headers
    assert fake.stats.peak_in_flight == 5


async def test_small_answers_over_a_socket_are_not_held_back_by_nagle() -> None:
    # Without TCP_NODELAY each small answer waits ~40 ms for a delayed ACK: 20 would take 0.8 s.
    async with FakeAmino().serve() as base_url, httpx.AsyncClient(base_url=base_url) as client:
        await client.get("/api/nothing")
        started = anyio.current_time()
        for _ in range(20):
            assert (await client.get("/api/nothing")).status_code == 404
        elapsed = anyio.current_time() - started

    assert elapsed < 0.4


async def test_serve_admin_endpoints_drive_the_fake_remotely() -> None:
    fake = FakeAmino()

    async with fake.serve() as base_url, httpx.AsyncClient(base_url=base_url) as client:
        await client.post("/_fake/inject", json={"path": "/api/auth/v1/access_tokens", "kind": "html"})
        response = await client.post("/api/auth/v1/access_tokens", json=PASSWORD)
        stats = (await client.get("/_fake/stats")).json()

    assert response.status_code == 502
    assert stats["faults"] == {"html": 1}


def test_command_line_prints_its_url_and_serves_until_killed() -> None:
    command = [sys.executable, "-m", "amino_async.testing", "--port", "0", "--channels", "7", "--user", "a@b.c:pw"]
    with subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) as process:
        try:
            assert process.stdout is not None
            base_url = process.stdout.readline().strip()
            assert base_url.startswith("http://127.0.0.1:")
            with httpx.Client(base_url=base_url, timeout=10) as client:
                body = {"grant_type": "password", "credentials": {"username": "a@b.c", "password": "pw"}}
                token = client.post("/api/auth/v1/access_tokens", json=body).json()["data"]["attributes"]
                client.headers["Authorization"] = f"Bearer {token['access_token']}"
                assert len(client.get("/api/metadata/v1/channels").json()["data"]) == 7
        finally:
            process.terminate()
            _, stderr = process.communicate(timeout=10)
    # uvicorn shuts down gracefully, then re-raises the signal so the exit status still reports it.
    assert process.returncode in (0, -signal.SIGTERM)
    assert "fake Amino at http://127.0.0.1:" in stderr
    assert "Traceback" not in stderr
