"""TLS trust and client certificates over a real loopback HTTPS server, on every transport the SDK builds.

The server is FakeAmino under uvicorn with a certificate from a throwaway trustme CA, which no trust store knows.
Every transport the SDK's own pool builds is checked: httpcore through httpx2, httpcore through httpx (both under
asyncio and trio), and the SDK's aiohttp transport (asyncio only: aiohttp does not run on trio). The first call of
each client is a login, so the token call is what meets the TLS settings first.
"""

from __future__ import annotations

import contextlib
import gc
import importlib
import importlib.util
import shutil
import ssl
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from amino_async import AminoClient, AminoError, ConfigurationError, TransportError
from amino_async._transport import AiohttpTransport, AutoTransport
from amino_async.testing import FakeAmino
from amino_async.testing._server import bind

from .helpers import PASSWORD, USERNAME

trustme = pytest.importorskip("trustme")
uvicorn = pytest.importorskip("uvicorn")

HAS_HTTPX2 = importlib.util.find_spec("httpx2") is not None
HAS_AIOHTTP = importlib.util.find_spec("aiohttp") is not None

#: The transports the SDK builds for itself, with the backends each runs on: (backend, (library, transport)).
#: Only what can run here is listed (httpx2 is not installed on Python 3.10; aiohttp runs on asyncio only), so
#: nothing is generated only to be skipped.
TRANSPORTS = [
    pytest.param(backend, (library, transport), id=f"{backend}-{library or 'sdk'}-{transport}")
    for backend in ("asyncio", "trio")
    for library, transport in (("httpx2", "httpcore"), ("httpx", "httpcore"), (None, "aiohttp"))
    if (library != "httpx2" or HAS_HTTPX2) and (transport != "aiohttp" or (HAS_AIOHTTP and backend == "asyncio"))
]


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    # The backend and the transport together, in place of conftest's anyio_backend: only the pairs that exist.
    if "transport" in metafunc.fixturenames:
        metafunc.parametrize(("anyio_backend", "transport"), TRANSPORTS)


class Pki:
    """A CA no trust store knows, the server's certificate from it, and a client certificate from it, as files."""

    def __init__(self, directory: Path) -> None:
        self.ca = trustme.CA()
        self.ca_pem = directory / "ca.pem"
        self.ca.cert_pem.write_to_path(str(self.ca_pem))
        server = self.ca.issue_cert("127.0.0.1", "localhost")
        self.server_cert = directory / "server.pem"
        self.server_key = directory / "server.key"
        server.cert_chain_pems[0].write_to_path(str(self.server_cert))
        server.private_key_pem.write_to_path(str(self.server_key))
        client = self.ca.issue_cert("client.example")
        self.client_both = directory / "client.pem"  # key and chain in one file
        self.client_cert = directory / "client-cert.pem"
        self.client_key = directory / "client.key"
        client.private_key_and_cert_chain_pem.write_to_path(str(self.client_both))
        client.cert_chain_pems[0].write_to_path(str(self.client_cert))
        client.private_key_pem.write_to_path(str(self.client_key))


@contextlib.contextmanager
def _https_server(pki: Pki, fake: FakeAmino, *, client_cert: bool) -> Iterator[str]:
    """``fake`` over HTTPS in a thread of its own (any anyio backend may call it); yields its base URL."""
    config = uvicorn.Config(
        fake,
        lifespan="off",
        access_log=False,
        log_config=None,
        log_level="critical",  # the refused handshakes are the point; uvicorn need not report them
        ws="none",
        timeout_graceful_shutdown=1,
        ssl_certfile=str(pki.server_cert),
        ssl_keyfile=str(pki.server_key),
        ssl_ca_certs=str(pki.ca_pem) if client_cert else None,
        ssl_cert_reqs=ssl.CERT_REQUIRED if client_cert else ssl.CERT_NONE,
    )
    server = uvicorn.Server(config)
    sock = bind("127.0.0.1", 0)
    port = sock.getsockname()[1]
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True, name="https FakeAmino")
    thread.start()
    try:
        deadline = time.monotonic() + 10
        while not server.started:
            assert thread.is_alive(), "the HTTPS server stopped while starting"
            assert time.monotonic() < deadline, "the HTTPS server did not start"
            time.sleep(0.005)
        yield f"https://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join()
        sock.close()


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Pki:
    return Pki(tmp_path_factory.mktemp("pki"))


@pytest.fixture(scope="module")
def fake() -> FakeAmino:
    return FakeAmino(channels=2)


@pytest.fixture(scope="module")
def https_url(pki: Pki, fake: FakeAmino) -> Iterator[str]:
    with _https_server(pki, fake, client_cert=False) as url:
        yield url


@pytest.fixture(scope="module")
def mtls_url(pki: Pki, fake: FakeAmino) -> Iterator[str]:
    """A server that requires a client certificate signed by the CA."""
    with _https_server(pki, fake, client_cert=True) as url:
        yield url


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("SSL_CERT_FILE", "SSL_CERT_DIR", "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY"):
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.lower(), raising=False)


@pytest.fixture
def options(transport: tuple[str | None, str], monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """The AminoClient keywords that select one transport, with the test's backend; no retries (faster refusals)."""
    library, transport_name = transport
    if transport_name != "aiohttp":
        monkeypatch.setitem(sys.modules, "aiohttp", None)  # httpcore on asyncio too
    found: dict[str, Any] = {"username": USERNAME, "password": PASSWORD, "max_retries": 0}
    if library is not None:
        found["http_library"] = library
    found["_expected"] = (library, transport_name)
    return found


async def _login_and_list(url: str, options: dict[str, Any], **tls: Any) -> None:
    """Log in and list channels through a client with ``tls`` settings; check which transport sent."""
    library, transport = options["_expected"]
    keywords = {name: value for name, value in options.items() if name != "_expected"}
    async with AminoClient(url, **keywords, **tls) as client:
        await client.login()
        page = await client.channels.list()
        assert page.items
        pool = client.http_client
        assert library is None or isinstance(pool, importlib.import_module(library).AsyncClient)
        auto = pool._transport
        assert isinstance(auto, AutoTransport)
        chosen = auto.chosen
        if transport == "aiohttp":
            assert isinstance(chosen, AiohttpTransport)
        else:
            assert type(chosen).__name__ == "AsyncHTTPTransport"


async def _refused(url: str, options: dict[str, Any], **tls: Any) -> TransportError:
    """The error of a client with ``tls`` settings whose first call (a login) is refused by the TLS layer."""
    keywords = {name: value for name, value in options.items() if name != "_expected"}
    async with AminoClient(url, **keywords, **tls) as client:
        with pytest.raises(TransportError) as caught:
            await client.login()
        assert client.tokens is None
    error = caught.value
    assert isinstance(error, AminoError)
    chain: BaseException | None = error
    while chain is not None:  # no secret anywhere in the message or the cause chain
        assert PASSWORD not in str(chain)
        assert USERNAME not in str(chain)
        chain = chain.__cause__ or chain.__context__
    return error


async def test_the_default_trust_store_refuses_an_unknown_ca(https_url: str, options: dict[str, Any]) -> None:
    error = await _refused(https_url, options)
    assert "TLS certificate verification failed" in str(error)


async def test_verify_a_ca_bundle_path(https_url: str, pki: Pki, options: dict[str, Any]) -> None:
    await _login_and_list(https_url, options, verify=str(pki.ca_pem))


async def test_verify_a_ca_directory(https_url: str, pki: Pki, options: dict[str, Any], tmp_path: Path) -> None:
    # A directory in OpenSSL's hashed layout (what SSL_CERT_DIR and capath take).
    subject_hash = _subject_hash(pki)
    (tmp_path / f"{subject_hash}.0").write_bytes(pki.ca_pem.read_bytes())
    await _login_and_list(https_url, options, verify=str(tmp_path))


def _subject_hash(pki: Pki) -> str:
    """The CA's file name in OpenSSL's hashed directory layout (``openssl x509 -subject_hash``)."""
    openssl = shutil.which("openssl")
    if openssl is None:  # pragma: no cover - openssl is on the machines that run the suite
        pytest.skip("the openssl command is not available")
    done = subprocess.run(
        [openssl, "x509", "-noout", "-subject_hash", "-in", str(pki.ca_pem)], capture_output=True, text=True, check=True
    )
    return done.stdout.strip()


async def test_verify_an_ssl_context(https_url: str, pki: Pki, options: dict[str, Any]) -> None:
    context = ssl.create_default_context()
    pki.ca.configure_trust(context)
    await _login_and_list(https_url, options, verify=context)


async def test_verify_false_skips_verification(https_url: str, options: dict[str, Any]) -> None:
    await _login_and_list(https_url, options, verify=False)


async def test_ssl_cert_file_is_honoured_and_ignored_without_trust_env(
    https_url: str, pki: Pki, options: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SSL_CERT_FILE", str(pki.ca_pem))
    await _login_and_list(https_url, options)
    await _refused(https_url, options, trust_env=False)


async def test_ssl_cert_dir_is_honoured(
    https_url: str, pki: Pki, options: dict[str, Any], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    (tmp_path / f"{_subject_hash(pki)}.0").write_bytes(pki.ca_pem.read_bytes())
    monkeypatch.setenv("SSL_CERT_DIR", str(tmp_path))
    await _login_and_list(https_url, options)
    await _refused(https_url, options, trust_env=False)


async def test_a_client_certificate_is_presented(mtls_url: str, pki: Pki, options: dict[str, Any]) -> None:
    await _login_and_list(mtls_url, options, verify=str(pki.ca_pem), cert=str(pki.client_both))
    await _login_and_list(mtls_url, options, verify=str(pki.ca_pem), cert=(str(pki.client_cert), str(pki.client_key)))


# Python 3.10's asyncio marks a TLS transport closed only when its owner closes it, not when the peer does:
# aiohttp's connection, dropped by the server, then warns as it is collected (python/cpython#90476, fixed in 3.11).
@pytest.mark.filterwarnings("ignore:unclosed transport <asyncio.sslproto:ResourceWarning")
async def test_without_a_client_certificate_the_server_refuses(
    mtls_url: str, pki: Pki, options: dict[str, Any]
) -> None:
    # TLS 1.3: the client's side of the handshake is done before the server refuses, so the refusal comes while
    # the request waits for its answer (an alert or a reset): a TransportError all the same.
    await _refused(mtls_url, options, verify=str(pki.ca_pem))
    if sys.version_info < (3, 11):
        gc.collect()  # that false warning here, under this test's filter, rather than in a later test


@pytest.mark.skipif(importlib.util.find_spec("h2") is None, reason="http2=True needs h2")
async def test_http2_keeps_the_tls_settings(
    https_url: str, mtls_url: str, pki: Pki, anyio_backend: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # http2=True always selects httpcore (aiohttp has no HTTP/2); the server offers HTTP/1.1 only, through ALPN.
    keywords: dict[str, Any] = {"username": USERNAME, "password": PASSWORD, "max_retries": 0, "http2": True}
    options = {**keywords, "_expected": (None, "httpcore")}
    await _refused(https_url, options)
    await _login_and_list(https_url, options, verify=str(pki.ca_pem))
    await _login_and_list(mtls_url, options, verify=str(pki.ca_pem), cert=str(pki.client_both))


async def test_a_client_certificate_in_the_given_context(mtls_url: str, pki: Pki, options: dict[str, Any]) -> None:
    context = ssl.create_default_context()
    pki.ca.configure_trust(context)
    context.load_cert_chain(str(pki.client_both))
    await _login_and_list(mtls_url, options, verify=context)


def test_bad_tls_settings_are_configuration_errors(pki: Pki, tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="CA bundle"):
        AminoClient("https://amino.example", verify=str(tmp_path / "missing.pem"))
    with pytest.raises(ConfigurationError, match="cert"):
        AminoClient("https://amino.example", cert=str(tmp_path / "missing.pem"))
    with pytest.raises(ConfigurationError, match="cert"):
        AminoClient("https://amino.example", cert=str(pki.ca_pem))  # a certificate without its key
    context = ssl.create_default_context()
    with pytest.raises(ConfigurationError, match="load the client certificate into it"):
        AminoClient("https://amino.example", verify=context, cert=str(pki.client_both))
    assert context.cert_store_stats() == ssl.create_default_context().cert_store_stats()  # left as it was
