"""How the SDK's own pool reaches the deployment: TLS trust, proxies, HTTP/2, and which transport sends.

On asyncio with aiohttp installed (the ``speedups`` extra), requests go through :class:`AiohttpTransport`, a lean
transport of the SDK's own: on a busy pool it does several times the requests per CPU second of httpcore, whose
pool bookkeeping grows with the square of its waiting requests (encode/httpx#3215). Everywhere else (trio, no
extra, or ``http2=True``, which aiohttp cannot speak) it is httpcore's pool. Which event loop runs is only known
once a request is made, so the choice is made on the first request.

Every transport the SDK builds honours the same settings (:class:`Network`): one ``ssl.SSLContext`` (the same trust
store whichever transport sends: certifi's, or ``SSL_CERT_FILE``/``SSL_CERT_DIR`` when ``trust_env``), and the
proxy for each URL (an explicit ``proxy``, else ``HTTP_PROXY``/``HTTPS_PROXY``/``ALL_PROXY`` and ``NO_PROXY`` as the
standard library reads them, loopback not exempt unless ``NO_PROXY`` says so). httpx itself reads the environment
only for a client built without a transport, which the SDK's never is.
"""

from __future__ import annotations

import importlib.util
import os
import ssl
import sys
from collections.abc import Sequence
from types import ModuleType
from typing import TYPE_CHECKING, Any, Final

import httpx
from attrs import frozen

from ._concurrency import current_async_library
from ._errors import ConfigurationError

if TYPE_CHECKING:
    import aiohttp

# aiohttp's own timeouts raise asyncio's TimeoutError: the builtin one since 3.11, so asyncio (~8 ms to import) is
# imported here only on 3.10.
if sys.version_info >= (3, 11):
    from builtins import TimeoutError as AsyncioTimeoutError
else:  # pragma: no cover - 3.10
    from asyncio import TimeoutError as AsyncioTimeoutError

__all__ = ["AiohttpTransport", "AutoTransport", "Network", "speedups_available", "ssl_context", "tls_failure"]

#: The request extension by which the send path tells a transport how much body it will read at most.
MAX_BODY_EXTENSION: Final = "amino_async.max_body"
#: The response extension by which the SDK's own transport hands the send path the raw body it has read whole,
#: so that the send path takes it as it is instead of pulling it through the library's stream wrappers.
BODY_EXTENSION: Final = "amino_async.body"

CertTypes = str | tuple[str, str] | tuple[str, str, str]


def speedups_available() -> bool:
    """Whether aiohttp, the fast transport's library (the ``speedups`` extra), can be imported."""
    if "aiohttp" in sys.modules:
        return sys.modules["aiohttp"] is not None  # None: blocked, as a test or a benchmark does
    return importlib.util.find_spec("aiohttp") is not None


def ssl_context(
    verify: ssl.SSLContext | str | bool = True, cert: CertTypes | None = None, *, trust_env: bool
) -> ssl.SSLContext:
    """The one TLS context every transport of a client uses.

    ``verify`` is True (certifi's trust store, or ``SSL_CERT_FILE``/``SSL_CERT_DIR`` when ``trust_env``), a CA
    bundle file or directory, an ``ssl.SSLContext`` (used as given), or False (no verification: for tests only).
    ``cert`` is a client certificate: a file, or (file, key file) or (file, key file, password); with an
    ``SSLContext`` as ``verify``, load it into that context instead (the SDK does not change a context it is given,
    which the caller may share). Built here rather than by httpx, which deprecates path and ``cert`` arguments.
    """
    if isinstance(verify, ssl.SSLContext):
        if cert is not None:
            raise ConfigurationError(
                "cert: with an ssl.SSLContext as verify, load the client certificate into it (load_cert_chain)"
            )
        context = verify
    elif verify is False:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    elif isinstance(verify, str):
        if not os.path.exists(verify):
            raise ConfigurationError("verify names a CA bundle that does not exist")
        is_dir = os.path.isdir(verify)
        context = ssl.create_default_context(capath=verify if is_dir else None, cafile=None if is_dir else verify)
    elif trust_env and os.environ.get("SSL_CERT_FILE"):
        context = ssl.create_default_context(cafile=os.environ["SSL_CERT_FILE"])
    elif trust_env and os.environ.get("SSL_CERT_DIR"):
        context = ssl.create_default_context(capath=os.environ["SSL_CERT_DIR"])
    else:
        import certifi

        context = ssl.create_default_context(cafile=certifi.where())
    if cert is not None:
        files: Sequence[str] = (cert,) if isinstance(cert, str) else cert
        try:
            context.load_cert_chain(*files)
        except (OSError, ssl.SSLError):
            raise ConfigurationError("cert cannot be loaded as a certificate chain") from None
    return context


def tls_failure(failure: BaseException) -> str | None:
    """What the TLS layer gave as the reason of ``failure`` (found on its cause chain), or None if not TLS's.

    Only OpenSSL's own fixed reason is given (``unable to get local issuer certificate``,
    ``TLSV13_ALERT_CERTIFICATE_REQUIRED``): enough to tell an unknown CA or a missing client certificate from a
    refused connection, and nothing a request carried.
    """
    seen: set[int] = set()
    current: BaseException | None = failure
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        # getattr: aiohttp's own wrappers derive from these classes without their attributes.
        if isinstance(current, ssl.SSLCertVerificationError) and getattr(current, "verify_message", None):
            return f"TLS certificate verification failed: {current.verify_message}"
        if isinstance(current, ssl.SSLError) and getattr(current, "reason", None):
            return f"TLS error: {current.reason}"
        current = current.__cause__ or current.__context__
    return None


@frozen
class Network:
    """How a client's own pool reaches the deployment: the same for every transport it builds."""

    limits: Any
    ssl_context: ssl.SSLContext
    proxy: str | None = None
    trust_env: bool = True
    http2: bool = False

    def proxy_for(self, scheme: str, host: str) -> str | None:
        """The proxy for a request to ``scheme://host``, or None to connect directly."""
        if self.proxy is not None:
            return self.proxy
        if not self.trust_env:
            return None
        import urllib.request  # ~15 ms to import: only when the environment's proxies are first looked up

        proxies = urllib.request.getproxies()
        if not proxies or urllib.request.proxy_bypass_environment(host, proxies):  # type: ignore[attr-defined]
            return None
        found = proxies.get(scheme) or proxies.get("all")
        if found and "://" not in found:
            found = f"http://{found}"
        return found or None


class AutoTransport(httpx.AsyncBaseTransport):
    """Sends through aiohttp on asyncio when it is installed, else through httpcore, by ``lib``'s classes.

    The real transports are made on the first request, once the event loop is known: one for direct connections
    and one per proxy in use. Pass ``transport=`` (any transport of either library) to
    :class:`~amino_async.AminoClient` to choose for yourself.
    """

    def __init__(self, lib: ModuleType, network: Network) -> None:
        if network.http2 and importlib.util.find_spec("h2") is None:
            raise ConfigurationError("http2=True needs the h2 package: pip install 'httpx[http2]'")
        self._lib = lib
        self._network = network
        self._transports: dict[str | None, Any] = {}
        self._routes: dict[tuple[str, str], str | None] = {}

    @property
    def chosen(self) -> Any:
        """The transport direct requests go through, or None before the first request."""
        return self._transports.get(None)

    async def handle_async_request(self, request: Any) -> Any:
        url = request.url
        key = (url.scheme, url.host)
        if key not in self._routes:
            self._routes[key] = self._network.proxy_for(url.scheme, url.host)
        proxy = self._routes[key]
        transport = self._transports.get(proxy)
        if transport is None:
            transport = self._transports[proxy] = self._make(proxy)
        return await transport.handle_async_request(request)

    def _make(self, proxy: str | None) -> Any:
        network = self._network
        if not network.http2 and current_async_library() == "asyncio" and speedups_available():
            return AiohttpTransport(self._lib, network, proxy)
        lib = self._lib
        return lib.AsyncHTTPTransport(
            verify=network.ssl_context,
            http2=network.http2,
            limits=network.limits,
            proxy=lib.Proxy(proxy) if proxy is not None else None,
        )

    async def aclose(self) -> None:
        transports, self._transports = self._transports, {}
        for transport in transports.values():
            await transport.aclose()


class AiohttpTransport(httpx.AsyncBaseTransport):
    """A lean transport over one ``aiohttp.ClientSession``, answering with ``lib``'s responses.

    It reads the whole body (raw, as sent: the send path decompresses it within its limit) before answering, so
    the library hands on a complete response instead of pulling it through a chain of async generators; reading
    stops past what the send path would accept. No cookie jar (one user's session cookie must never ride along
    with another's call), no redirects. aiohttp's failures come out as the library's errors of the same meaning: a
    connection never made is a ``ConnectError`` (which the retry rules may resend), a dropped one a
    ``RemoteProtocolError`` (which they may not, for a call that must not run twice).
    """

    def __init__(self, lib: ModuleType, network: Network, proxy: str | None = None) -> None:
        self._lib = lib
        self._network = network
        self._proxy = proxy
        self._session: aiohttp.ClientSession | None = None
        # The send path hands every request the same timeouts dict (one per distinct timeout): its ClientTimeout
        # is made once for it, not once a request.
        self._timeout_of: tuple[object, Any] = (None, None)

    def _open(self) -> aiohttp.ClientSession:
        import aiohttp

        limits = self._network.limits
        connector = aiohttp.TCPConnector(
            limit=limits.max_connections or 0,
            keepalive_timeout=limits.keepalive_expiry if limits.keepalive_expiry is not None else 15.0,
            ssl=self._network.ssl_context,
        )
        self._session = aiohttp.ClientSession(
            connector=connector, cookie_jar=aiohttp.DummyCookieJar(), auto_decompress=False, trust_env=False
        )
        return self._session

    async def handle_async_request(self, request: Any) -> Any:
        import aiohttp

        session = self._session or self._open()
        lib = self._lib
        extensions = request.extensions
        timeouts = extensions.get("timeout", {})
        known, timeout = self._timeout_of
        if known is not timeouts:
            timeout = aiohttp.ClientTimeout(
                sock_connect=timeouts.get("connect"), sock_read=timeouts.get("read"), connect=timeouts.get("pool")
            )
            self._timeout_of = (timeouts, timeout)
        limit = extensions.get(MAX_BODY_EXTENSION)
        body = request.content or None
        try:
            async with session.request(
                request.method,
                str(request.url),
                # As (name, value) pairs: aiohttp copies them into its own multidict either way, and reading
                # them off the library's Headers mapping one key at a time costs twice as much.
                headers=request.headers.multi_items(),
                data=body,
                allow_redirects=False,
                compress=False,
                proxy=self._proxy,
                timeout=timeout,
            ) as answer:
                content = await _read(answer, limit)
                status, reason, headers = answer.status, answer.reason, answer.raw_headers
        except aiohttp.ClientError as exc:
            raise _error(lib, exc, request) from exc
        except (AsyncioTimeoutError, TimeoutError) as exc:  # from aiohttp's own timeouts (distinct on 3.10)
            raise lib.ReadTimeout("timed out", request=request) from exc
        answered: dict[str, Any] = {"http_version": b"HTTP/1.1", BODY_EXTENSION: content}
        if reason:
            answered["reason_phrase"] = reason.encode("latin-1", "replace")
        return lib.Response(
            status, headers=headers, stream=lib.ByteStream(content), request=request, extensions=answered
        )

    async def aclose(self) -> None:
        session, self._session = self._session, None
        if session is not None:
            await session.close()


async def _read(answer: aiohttp.ClientResponse, limit: int | None) -> bytes:
    """The raw body, stopping a little past ``limit``: beyond that no decompression could bring it under."""
    if limit is None:
        return await answer.read()
    try:
        length = answer.content_length
    except ValueError:
        length = None
    if length is not None and length <= limit:
        # aiohttp reads exactly Content-Length bytes and no more: no need to count them here (the send path
        # counts them again after decompressing).
        return await answer.read()
    # A compressed body is larger than its content only by its framing (deflate's stored blocks cost 5 bytes
    # in 64 KiB); past this bound the decompressed body is over the limit too.
    bound = limit + limit // 256 + 65536
    chunks: list[bytes] = []
    size = 0
    async for chunk in answer.content.iter_any():
        size += len(chunk)
        chunks.append(chunk)
        if size > bound:
            break  # the send path's own count says "too large"; reading on would only fill memory
    return b"".join(chunks)


def _error(lib: ModuleType, exc: BaseException, request: Any) -> Exception:
    """aiohttp's failure as ``lib``'s error of the same meaning (its message is not kept: it names the URL)."""
    import aiohttp

    kind: Any
    if isinstance(exc, aiohttp.ConnectionTimeoutError):
        kind = lib.ConnectTimeout
    elif isinstance(exc, aiohttp.ServerTimeoutError):
        kind = lib.ReadTimeout
    elif isinstance(exc, (aiohttp.ClientProxyConnectionError, aiohttp.ClientHttpProxyError)):
        kind = lib.ProxyError
    elif isinstance(exc, aiohttp.ClientConnectorError):
        kind = lib.ConnectError
    elif isinstance(exc, aiohttp.ServerDisconnectedError):
        kind = lib.RemoteProtocolError
    elif isinstance(exc, aiohttp.InvalidURL):
        kind = lib.UnsupportedProtocol
    else:
        kind = lib.ReadError
    error: Exception = kind(type(exc).__name__, request=request)
    return error
