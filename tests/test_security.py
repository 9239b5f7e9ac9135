"""What SECURITY.md promises, checked: where the bearer and the password go, the token file, what renders.

Some promises are checked beside the code they concern (tests/test_auth.py: the bearer and absolute URLs to
another host, plain http refused, a whole session's debug log; tests/test_token_stores.py: the file's mode and a
writer killed mid-write); this module adds the rest.
"""

from __future__ import annotations

import json
import logging
import os
import stat
from pathlib import Path
from typing import Any

import pytest

from amino_async import (
    AminoAuth,
    AminoClient,
    AminoError,
    ApiError,
    AuthenticationError,
    ConfigurationError,
    DecodeError,
    FileTokenStore,
    RetryPolicy,
    Tokens,
    TokenStoreError,
    TransportError,
)
from amino_async import _errors as errors_module
from amino_async.testing import FakeAmino, FaultProxy

from .helpers import BASE_URL, OTHER, PASSWORD, USER_ID, USERNAME, TwoOrigins, httpx, in_process, secrets_of

FAST_RETRY = RetryPolicy(max_retries=1, initial_delay=0.001, max_delay=0.001)


@pytest.fixture
def fake() -> FakeAmino:
    return FakeAmino(channels=20)


def _client(recorder: TwoOrigins, **options: Any) -> AminoClient:
    options.setdefault("username", USERNAME)
    options.setdefault("password", PASSWORD)
    return AminoClient(BASE_URL, transport=httpx.ASGITransport(app=recorder), retry=FAST_RETRY, **options)


# --- the bearer stays with its origin ---------------------------------------------------------------------


async def test_request_raw_cannot_be_pointed_at_another_host(fake: FakeAmino) -> None:
    recorder = TwoOrigins(fake)
    async with _client(recorder) as client:
        await client.login()
        for path in (f"http://{OTHER}/steal", f"//{OTHER}/steal", f"@{OTHER}/steal"):
            # Refused before sending, or a path on the configured origin: the other host is never asked.
            with pytest.raises((ApiError, ConfigurationError)):
                await client.request_raw("GET", path)
    assert recorder.seen_by(OTHER) == []
    assert all(r.host == "localhost" for r in recorder.exchanges)


async def test_the_client_does_not_follow_a_redirect_to_another_host(fake: FakeAmino) -> None:
    recorder = TwoOrigins(fake)
    async with _client(recorder) as client:
        with pytest.raises(ApiError) as info:
            await client.request_raw("GET", "/redirect-away")
    assert info.value.status == 302
    assert recorder.seen_by(OTHER) == []


async def test_a_redirecting_httpx_client_with_amino_auth_leaves_the_bearer_behind(fake: FakeAmino) -> None:
    recorder = TwoOrigins(fake)
    transport = httpx.ASGITransport(app=recorder)
    auth = AminoAuth(BASE_URL, username=USERNAME, password=PASSWORD, transport=transport)
    async with httpx.AsyncClient(transport=transport, auth=auth, follow_redirects=True) as http:
        response = await http.get(f"{BASE_URL}/redirect-away")
    await auth.aclose()
    assert response.status_code == 200
    assert str(response.url) == f"http://{OTHER}/landing"
    (landing,) = recorder.seen_by(OTHER)
    assert "authorization" not in landing.headers
    assert recorder.seen_by("localhost")[-1].headers["authorization"].startswith("Bearer ")
    assert all(token not in landing.request_text() for token in fake.issued_tokens())


async def test_absolute_urls_to_another_host_through_amino_auth_carry_no_secret(fake: FakeAmino) -> None:
    recorder = TwoOrigins(fake)
    transport = httpx.ASGITransport(app=recorder)
    auth = AminoAuth(BASE_URL, username=USERNAME, password=PASSWORD, transport=transport)
    async with httpx.AsyncClient(transport=transport, auth=auth) as http:
        await http.get(f"{BASE_URL}/api/metadata/v1/channels")
        for url in (f"http://{OTHER}/x", f"https://{OTHER}/x", "https://localhost/x", "http://localhost:8443/x"):
            await http.get(url)
    await auth.aclose()
    secrets = secrets_of(fake)
    for request in recorder.exchanges[1:]:
        if request.host != "localhost" or request.path == "/x":
            assert "authorization" not in request.headers
            assert not any(secret in request.request_text() for secret in secrets)


# --- plain http -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("url", ["http://amino.example.com", "http://192.168.1.10:8080", "http://[2001:db8::1]"])
def test_views_and_auths_refuse_plain_http_too(url: str) -> None:
    with pytest.raises(ConfigurationError, match="plain http"):
        AminoClient(url, tokens=Tokens("a", "r", None))
    with pytest.raises(ConfigurationError):
        AminoClient(url, cookies={"amino_session": "s"}, user_id=USER_ID)
    client = AminoClient(url, username=USERNAME, password=PASSWORD, allow_insecure_http=True)
    # A view inherits the explicit opt-in, and nothing else is needed.
    assert client.with_auth(username="other@example.com", password="x") is not None


@pytest.mark.parametrize("url", ["https://me:hunter2@customer.domain", "http://me:hunter2@127.0.0.1:8080"])
def test_a_base_url_carrying_credentials_is_refused_without_repeating_them(url: str) -> None:
    with pytest.raises(ConfigurationError) as raised:
        AminoClient(url, username=USERNAME, password=PASSWORD)
    assert "hunter2" not in str(raised.value) and "me:" not in str(raised.value)
    with pytest.raises(ConfigurationError):
        AminoAuth(url, username=USERNAME, password=PASSWORD)


@pytest.mark.parametrize("url", ["http://[::1", "https://xn--zz.example.com"])
def test_a_malformed_base_url_is_a_configuration_error(url: str) -> None:
    with pytest.raises(ConfigurationError, match="not a valid URL"):
        AminoClient(url, username=USERNAME, password=PASSWORD)


# --- the password ------------------------------------------------------------------------------------------


async def test_the_password_is_sent_once_in_the_login_call_only(fake: FakeAmino) -> None:
    recorder = TwoOrigins(fake)
    async with _client(recorder) as client:
        await client.channels.streams(fake.channel_id(0))
        fake.expire_access_tokens()
        await client.channels.streams(fake.channel_id(1))  # 401, refresh, replay
        fake.revoke_refresh_tokens()
        fake.expire_access_tokens()
        await client.channels.streams(fake.channel_id(2))  # refresh refused: logs in again
        await client.channels.list()
    carrying = [r for r in recorder.exchanges if PASSWORD in r.request_text()]
    assert len(recorder.exchanges) >= 8
    assert len(carrying) == 2  # the first login and the login after the refused refresh
    for request in carrying:
        assert (request.method, request.path) == ("POST", "/api/auth/v1/access_tokens")
        assert request.json["grant_type"] == "password"
        assert PASSWORD not in json.dumps(request.headers) and PASSWORD not in request.query


async def test_digest_login_never_sends_the_password(fake: FakeAmino) -> None:
    recorder = TwoOrigins(fake)
    async with _client(recorder, login_method="digest") as client:
        await client.channels.streams(fake.channel_id(0))
    assert fake.stats.grants == {"digest": 1}
    assert not any(PASSWORD in r.request_text() for r in recorder.exchanges)


# --- the token file ---------------------------------------------------------------------------------------


async def test_a_failed_replace_leaves_the_old_file_whole_and_no_temporary_behind(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "tokens.json"
    store = FileTokenStore(path)
    await store.save("k", Tokens("old-access", "old-refresh", None))
    before = path.read_bytes()

    def crash(src: object, dst: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(OSError, match="No space"):
        await store.save("k", Tokens("new-access", "new-refresh", None))
    monkeypatch.undo()
    assert path.read_bytes() == before
    assert sorted(os.listdir(tmp_path)) == ["tokens.json", "tokens.json.lock"]  # the lock file stays, empty
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert (await store.load("k")) == Tokens("old-access", "old-refresh", None, received_at=before_received(before))


def before_received(content: bytes) -> float:
    return float(json.loads(content)["tokens"]["k"]["received_at"])


async def test_the_token_file_is_private_from_its_first_byte(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    modes: list[int] = []
    real_replace = os.replace

    def spy(src: Any, dst: Any) -> None:
        modes.append(stat.S_IMODE(os.stat(src).st_mode))
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", spy)
    os.umask(old := os.umask(0))  # the loosest umask: the file's mode must not depend on it
    try:
        store = FileTokenStore(tmp_path / "deep" / "tokens.json")
        await store.save("k", Tokens("access", "refresh", None))
    finally:
        os.umask(old)
    assert modes == [0o600]
    assert stat.S_IMODE((tmp_path / "deep" / "tokens.json").stat().st_mode) == 0o600


# --- nothing renders a secret -----------------------------------------------------------------------------


async def _every_error(fake: FakeAmino, tmp_path: Path) -> list[BaseException]:
    """One instance of every exception class, each made the way the SDK makes it, in a session full of secrets."""
    found: list[BaseException] = []

    async def catch(call: Any) -> None:
        try:
            await call
        except AminoError as exc:
            found.append(exc)
        else:
            raise AssertionError("expected an error")

    async with in_process(fake, retry=FAST_RETRY) as client:
        await client.login()
        path = f"/api/v1/channels/{fake.channel_id(0)}/relationships/streams"
        for status in (400, 403, 404, 429, 451, 500, 503, 418):
            fake.inject(path, status=status, times=None, headers={"Retry-After": "99999"})
            await catch(client.channels.streams(fake.channel_id(0)))
            fake.clear_faults()
        token = client.tokens.access_token if client.tokens else ""
        fake.inject(path, status=200, body=json.dumps({"data": [{"id": token, "attributes": {"bitrate": [token]}}]}))
        await catch(client.channels.streams(fake.channel_id(0)))
    async with in_process(fake, password="wrong " + PASSWORD) as refused:
        await catch(refused.channels.streams(fake.channel_id(0)))
    async with AminoClient("http://127.0.0.1:9", username=USERNAME, password=PASSWORD, max_retries=0) as nowhere:
        await catch(nowhere.channels.list())
    async with (
        fake.serve() as base_url,
        AminoClient(base_url, username=USERNAME, password=PASSWORD, timeout=0.1, max_retries=0) as slow,
    ):
        await slow.login()
        fake.data_delay = 0.5
        await catch(slow.channels.list())
        fake.data_delay = 0.0
    async with in_process(fake, max_response_size=10) as small:
        await catch(small.channels.list())
    closed = in_process(fake)
    await closed.aclose()
    await catch(closed.channels.list())
    try:
        AminoClient("http://amino.example.com", username=USERNAME, password=PASSWORD)
    except ConfigurationError as exc:
        found.append(exc)
    (tmp_path / "foreign.json").write_text(json.dumps({"access_token": PASSWORD}))
    try:
        await FileTokenStore(tmp_path / "foreign.json").save("k", Tokens("a", "r", None))
    except TokenStoreError as exc:
        found.append(exc)
    return found


async def test_every_exception_renders_without_secrets(fake: FakeAmino, tmp_path: Path) -> None:
    found = await _every_error(fake, tmp_path)
    classes = {
        obj
        for obj in vars(errors_module).values()
        if isinstance(obj, type) and issubclass(obj, AminoError) and not obj.__name__.startswith("_")
    } | {TokenStoreError}
    made = {type(error) for error in found}
    assert classes - {AminoError, ApiError} <= made, f"not exercised: {classes - made}"
    assert any(isinstance(e, DecodeError) for e in found) and any(isinstance(e, AuthenticationError) for e in found)
    secrets = secrets_of(fake)
    for error in found:
        text = f"{error!s} {error!r} {error.args!r}"
        for secret in secrets:
            assert secret not in text, type(error).__name__


async def test_tokens_clients_views_and_auths_render_without_secrets(
    fake: FakeAmino, caplog: pytest.LogCaptureFixture
) -> None:
    cookie = fake.create_session(fake.default_user)
    with caplog.at_level(logging.DEBUG, logger="amino_async"):
        async with in_process(fake) as client:
            tokens = await client.login()
            views = [
                client.with_auth(username=USERNAME, password=PASSWORD, profile_id="p-1001-kids"),
                client.with_auth(user_id=USER_ID, cookies={"amino_session": cookie}),
                client.with_auth(tokens=tokens),
                client.with_auth(profile_id="p-1001-kids"),
            ]
            for view in views:
                await view.channels.streams(fake.channel_id(0))
            rendered = [tokens, client, client.auth, *views, *(view.auth for view in views), *(v.tokens for v in views)]
            standalone = AminoAuth(BASE_URL, username=USERNAME, password=PASSWORD, tokens=tokens)
            rendered.append(standalone)
            texts = [f"{thing!s} {thing!r} {thing!r:>1}" for thing in rendered]
    secrets = secrets_of(fake) | {cookie}
    assert len(secrets) >= 8
    for text in [*texts, caplog.text]:
        for secret in secrets:
            assert secret not in text


async def test_a_refresh_whose_answer_was_lost_is_never_presented_again(fake: FakeAmino) -> None:
    """The server may have rotated the refresh token before the answer was cut off: reusing it would look like
    theft, and the server would revoke the whole session. A fresh login follows instead."""
    async with (
        fake.serve() as upstream,
        FaultProxy(upstream, paths="/api/auth/*") as proxy,
        AminoClient(proxy.url, username=USERNAME, password=PASSWORD, max_retries=0) as client,
    ):
        await client.channels.streams(fake.channel_id(0))
        proxy.truncate = 1.0
        fake.expire_access_tokens()
        with pytest.raises(TransportError):
            await client.channels.streams(fake.channel_id(1))
        proxy.truncate = 0.0
        assert await client.channels.streams(fake.channel_id(2))
    assert proxy.faults == {"truncated": 1}
    assert fake.stats.grants == {"password": 2, "refresh_token": 1}  # the lost refresh, then a login
    assert fake.stats.reuse_detected == 0
    assert not fake.stats.token_refusals
