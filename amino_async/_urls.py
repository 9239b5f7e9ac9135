"""Where requests may go: the deployment's URL, the one builder of every request URL, and links from answers.

Every URL the SDK sends to comes from here. A path parameter is always exactly one percent-encoded segment, so
no id (``..``, ``a/b?c#d``, a 100,000-character string) can move a request to another path, another query or
another host, and a link read from an answer is followed only on the configured origin. Refusals name the
parameter, never its value: an id may be a user's input, a link an attacker's.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Final, TypeAlias
from urllib.parse import quote, urljoin

import httpx
from attrs import field, frozen

from ._constants import MAX_URL_LENGTH, Family
from ._errors import ConfigurationError, DecodeError

__all__ = [
    "Origin",
    "QueryValue",
    "Route",
    "Urls",
    "is_loopback",
    "origin_of",
    "parse_base_url",
    "query_string",
]

#: (scheme, host, port) with the scheme's default port made explicit: what "the same origin" compares.
Origin: TypeAlias = tuple[str, str, int | None]
#: What a query parameter may be: None leaves it out, a sequence repeats it.
QueryValue: TypeAlias = "str | int | float | bool | Sequence[str | int] | None"

_LOOPBACK_NAMES: Final = frozenset({"localhost", "localhost.localdomain"})
_CONTROL: Final = re.compile(r"[\x00-\x1f\x7f]")
_PLACEHOLDER: Final = re.compile(r"\{([^{}/]+)\}")
_DOT_SEGMENT: Final = re.compile(r"(?:^|/)\.{1,2}(?:/|$)")
_DEFAULT_PORTS: Final = {"http": 80, "https": 443}


def is_loopback(host: str) -> bool:
    """Whether ``host`` names this machine (where plain http cannot be overheard)."""
    if host in _LOOPBACK_NAMES or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def parse_base_url(base_url: str | object, *, allow_insecure_http: bool) -> httpx.URL:
    """The deployment's URL, checked: http(s) with a host, no credentials in it, https unless loopback or allowed.

    Accepts a string or either HTTP library's URL. Messages never repeat the URL: it could carry a password.
    """
    try:
        url = httpx.URL(str(base_url))
        host = url.host  # decoded on access: a host that is not valid IDNA fails here, as a ValueError
    except (httpx.InvalidURL, ValueError):
        raise ConfigurationError("base_url is not a valid URL") from None
    if url.scheme not in ("http", "https") or not host:
        raise ConfigurationError("base_url must be an http(s) URL such as https://customer.domain")
    if url.userinfo:
        raise ConfigurationError("base_url must not carry a username or password; pass them as arguments")
    if url.scheme == "http" and not allow_insecure_http and not is_loopback(host):
        raise ConfigurationError(
            "refusing to send credentials over plain http to a host other than loopback; "
            "use https, or pass allow_insecure_http=True if the network is trusted"
        )
    return url.copy_with(query=None, fragment=None)


def origin_of(url: httpx.URL | object) -> Origin:
    """The origin of an URL of either HTTP library (both have ``scheme``, ``host`` and ``port``)."""
    scheme: str = getattr(url, "scheme", "")
    port: int | None = getattr(url, "port", None)
    return (scheme, getattr(url, "host", ""), port or _DEFAULT_PORTS.get(scheme))


@frozen
class Route:
    """One operation of the API: its HTTP method, its family (whose prefix comes first) and its path template.

    ``template`` is written as the OpenAPI files write it, placeholders included (``{channel_id}``,
    ``{yyyy-mm-dd}``), so a listing of routes reads like the files.
    """

    method: str
    family: Family
    template: str
    #: The template split once: literal text at even positions, placeholder names at odd ones.
    _parts: tuple[str, ...] = field(init=False, repr=False, eq=False)

    def __attrs_post_init__(self) -> None:
        object.__setattr__(self, "_parts", tuple(_PLACEHOLDER.split(self.template)))

    @property
    def parameters(self) -> tuple[str, ...]:
        """The names of the template's placeholders, in order."""
        return self._parts[1::2]

    def path(self, values: Mapping[str, str | int]) -> str:
        """The template with each placeholder replaced by its value as one percent-encoded segment."""
        parts = self._parts
        if len(parts) == 1:
            return parts[0]
        out = [parts[0]]
        for i in range(1, len(parts), 2):
            name = parts[i]
            if name not in values:
                raise ConfigurationError(f"{name} is required")
            out.append(segment(values[name], name))
            out.append(parts[i + 1])
        return "".join(out)


def segment(value: str | int, name: str) -> str:
    """``value`` as exactly one path segment, or a ConfigurationError naming ``name``.

    Ids are opaque and may hold '/', '?', '#', '%' or JSON punctuation: all are encoded. What no encoding can
    make one segment of its own (empty, '.', '..', which every server resolves) and control characters are
    refused, as is a value that alone exceeds the URL limit.
    """
    if type(value) is int:
        return str(value)
    if not isinstance(value, str):
        raise ConfigurationError(f"{name} must be a string")
    if value in ("", ".", ".."):
        raise ConfigurationError(f"{name} must not be empty, '.' or '..'")
    if _CONTROL.search(value):
        raise ConfigurationError(f"{name} must not contain control characters")
    encoded = quote(value, safe="")
    if len(encoded) > MAX_URL_LENGTH:
        raise ConfigurationError(f"{name} is too long for a URL ({len(encoded)} characters encoded)")
    return encoded


def query_string(params: Mapping[str, QueryValue] | None) -> str:
    """``params`` encoded as a query (without the '?'): unset ones dropped, booleans spelt as the API does.

    A sequence repeats its parameter. Values of any text are safe here: everything is percent-encoded.
    """
    if not params:
        return ""
    pairs: list[str] = []
    for name, value in params.items():
        if value is None:
            continue
        values: Iterable[object] = value if isinstance(value, (list, tuple)) else (value,)
        key = quote(name, safe="")
        for item in values:
            text = ("true" if item else "false") if isinstance(item, bool) else str(item)
            pairs.append(f"{key}={quote(text, safe='')}")
    return "&".join(pairs)


class Urls:
    """The URLs of one deployment: its origin, the families' prefixes, and every request URL built from them."""

    __slots__ = ("base", "origin", "prefixes", "root")

    def __init__(self, base: httpx.URL, prefixes: Mapping[Family, str]) -> None:
        self.base = base
        self.origin = origin_of(base)
        self.prefixes = dict(prefixes)
        #: ``base`` as text without its trailing slash: every URL starts with it.
        self.root = str(base).rstrip("/")

    def build(
        self,
        route: Route,
        path_params: Mapping[str, str | int] | None = None,
        query: Mapping[str, QueryValue] | None = None,
    ) -> str:
        """The URL of ``route`` with its path parameters and query, each parameter checked."""
        return self._join(self.prefixes[route.family] + route.path(path_params or {}), query)

    def at(self, family: Family, path: str, query: Mapping[str, QueryValue] | None = None) -> str:
        """The URL of a free-form ``path`` under ``family``'s prefix (``client.request``), checked."""
        if not isinstance(path, str) or not path.startswith("/"):
            raise ConfigurationError("path must be a string starting with '/', relative to the family's prefix")
        if "?" in path or "#" in path:
            raise ConfigurationError("path must not contain '?' or '#': pass the query as params=")
        if _CONTROL.search(path):
            raise ConfigurationError("path must not contain control characters")
        if _DOT_SEGMENT.search(path):
            raise ConfigurationError("path must not contain '.' or '..' segments")
        return self._join(self.prefixes[family] + path, query)

    def follow(self, link: str, *, where: str) -> str:
        """A link read from an answer at ``where`` (e.g. ``links.next``), if it stays on the deployment's origin.

        Anything else (another host, port or scheme, a URL that does not parse, control characters) is a
        :class:`~amino_async.DecodeError`: following it would hand the next call to whoever wrote the link,
        and ending the iteration quietly would pass a cut-short listing off as complete.
        """
        if _CONTROL.search(link) or len(link) > MAX_URL_LENGTH:
            raise DecodeError("not a usable link", path=where)
        try:
            url = httpx.URL(urljoin(self.root + "/", link))
            url.host  # noqa: B018 - decoded on access: a host that is not valid IDNA fails here
        except (httpx.InvalidURL, ValueError):
            raise DecodeError("not a valid URL", path=where) from None
        if origin_of(url) != self.origin:
            raise DecodeError("the link leaves the deployment's origin; it is not followed", path=where)
        return str(url)

    def _join(self, path: str, query: Mapping[str, QueryValue] | None) -> str:
        url = self.root + path
        encoded = query_string(query)
        if encoded:
            url = f"{url}?{encoded}"
        if len(url) > MAX_URL_LENGTH:
            raise ConfigurationError(f"the request URL would be {len(url)} characters, over {MAX_URL_LENGTH}")
        return url
