"""Tokens, how they are read from the two token answers, and where they are kept between uses."""

from __future__ import annotations

import contextlib
import json
import logging
import os
import secrets
import time
from collections.abc import Awaitable, Callable, Mapping
from contextlib import AbstractAsyncContextManager
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any, Final, Protocol, runtime_checkable

import anyio
from attrs import define, field, frozen

from ._decoding import structure
from ._errors import AminoError, DecodeError

__all__ = [
    "FileTokenStore",
    "MemoryTokenStore",
    "SharedTokenStore",
    "TokenLease",
    "TokenStore",
    "TokenStoreError",
    "Tokens",
]

logger = logging.getLogger("amino_async")


@frozen(repr=False)
class Tokens:
    """An access token, the refresh token issued with it, and what the server said about them.

    ``expires_at`` and ``login_timestamp`` are the server's Unix seconds exactly as sent; they are only ever
    compared with each other (or with the answer's ``Date``), never with this machine's clock, because the two
    clocks may disagree by hours. ``received_at`` is this machine's wall clock when the answer arrived, which is
    what lets a token stored by one process be judged by another. The repr never shows either token.
    """

    access_token: str
    refresh_token: str | None
    expires_at: int | None
    login_timestamp: int | None = None
    user_id: str | None = None
    profile_id: str | None = None
    flags: tuple[str, ...] = ()
    #: The answer's ``Date`` header in Unix seconds, for answers (the legacy login) without a login timestamp.
    server_date: float | None = None
    received_at: float = field(factory=time.time)

    @property
    def lifetime(self) -> float | None:
        """Seconds the access token lives by the server's own statement, or None when unknown.

        Zero or negative (the seed page's ``expires_at_timestamp == login_timestamp``) counts as unknown: such a
        token is used until the server answers 401.
        """
        start = self.login_timestamp if self.login_timestamp is not None else self.server_date
        if self.expires_at is None or start is None:
            return None
        lifetime = self.expires_at - start
        return lifetime if lifetime > 0 else None

    def expires_in(self, now: float | None = None) -> float | None:
        """Seconds left by this machine's wall clock, or None when the lifetime is unknown."""
        lifetime = self.lifetime
        if lifetime is None:
            return None
        now = time.time() if now is None else now
        # A received_at in the future means the wall clock went back; never grant more than a whole lifetime.
        return min(lifetime, self.received_at + lifetime - now)

    def __repr__(self) -> str:
        return (
            f"Tokens(access_token=<hidden>, refresh_token={'<hidden>' if self.refresh_token else None}, "
            f"expires_at={self.expires_at!r}, login_timestamp={self.login_timestamp!r}, "
            f"user_id={self.user_id!r}, profile_id={self.profile_id!r}, flags={self.flags!r})"
        )

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready mapping of every field, as token stores write it."""
        return {
            "access_token": self.access_token,
            "refresh_token": self.refresh_token,
            "expires_at": self.expires_at,
            "login_timestamp": self.login_timestamp,
            "user_id": self.user_id,
            "profile_id": self.profile_id,
            "flags": list(self.flags),
            "server_date": self.server_date,
            "received_at": self.received_at,
        }

    @classmethod
    def from_json(cls, value: Any) -> Tokens:
        """Read what :meth:`to_json` wrote, raising :class:`~amino_async.DecodeError` when it does not fit."""
        return structure(value, _StoredTokens, path="tokens").tokens()


@frozen
class _StoredTokens:
    access_token: str
    refresh_token: str | None
    expires_at: int | None = None
    login_timestamp: int | None = None
    user_id: str | None = None
    profile_id: str | None = None
    flags: tuple[str, ...] = ()
    server_date: float | None = None
    received_at: float | None = None

    def tokens(self) -> Tokens:
        return Tokens(
            access_token=self.access_token,
            refresh_token=self.refresh_token,
            expires_at=self.expires_at,
            login_timestamp=self.login_timestamp,
            user_id=self.user_id,
            profile_id=self.profile_id,
            flags=self.flags,
            server_date=self.server_date,
            # Tokens stored without a receipt time are judged as if just received (a full lifetime ahead).
            received_at=self.received_at if self.received_at is not None else time.time(),
        )


@frozen
class _TokenAttributes:
    """The attributes of a createAccessToken answer (``AuthenticationTokens.yml``)."""

    access_token: str
    refresh_token: str | None = None
    expires_at_timestamp: int | None = None
    login_timestamp: int | None = None
    user_id: str | None = None
    user_profile_id: str | None = None
    user_flags: tuple[str, ...] = ()


def tokens_from_token_answer(document: Any, *, received_at: float) -> Tokens:
    """Read a createAccessToken answer.

    ``data`` is an object (type ``AccessToken``) or, on older deployments and in the seed page, a one-element
    list (type ``AuthenticationTokens``); ``user_id`` may be a string or an int.
    """
    if type(document) is not dict or "data" not in document:
        raise DecodeError("required field missing", path="data")
    data, path = document["data"], "data"
    if type(data) is list:
        if not data:
            raise DecodeError("expected one token resource, found an empty array", path="data")
        data, path = data[0], "data[0]"
    if type(data) is not dict:
        raise DecodeError("expected an object", path=path)
    attributes = structure(data.get("attributes"), _TokenAttributes, path=f"{path}.attributes")
    return Tokens(
        access_token=attributes.access_token,
        refresh_token=attributes.refresh_token,
        expires_at=attributes.expires_at_timestamp,
        login_timestamp=attributes.login_timestamp,
        user_id=attributes.user_id,
        profile_id=attributes.user_profile_id,
        flags=attributes.user_flags,
        received_at=received_at,
    )


def tokens_from_user_stat(document: Any, *, date: str | None, received_at: float, user_id: str | None = None) -> Tokens:
    """Read a legacy loginUser answer: ``userStat.accessToken`` / ``refreshToken`` are ``[token, expires_at]``.

    These answers state no login time, so the lifetime is measured from the answer's ``Date`` header.
    """
    stat = document.get("userStat") if type(document) is dict else None
    if type(stat) is not dict:
        raise DecodeError("required field missing", path="userStat")
    access, expires_at = _token_pair(stat.get("accessToken"), "userStat.accessToken")
    refresh = (
        _token_pair(stat["refreshToken"], "userStat.refreshToken")[0] if stat.get("refreshToken") is not None else None
    )
    return Tokens(
        access_token=access,
        refresh_token=refresh,
        expires_at=expires_at,
        user_id=user_id,
        server_date=_http_date(date),
        received_at=received_at,
    )


def _token_pair(value: Any, path: str) -> tuple[str, int | None]:
    if type(value) is not list or not value:
        raise DecodeError("expected an array [token, expires_at]", path=path)
    token = structure(value[0], str, path=f"{path}[0]")
    expires_at = structure(value[1], int, path=f"{path}[1]") if len(value) > 1 else None
    return token, expires_at


def _http_date(value: str | None) -> float | None:
    if not value:
        return None
    try:
        return parsedate_to_datetime(value).timestamp()
    except (TypeError, ValueError, IndexError):
        return None


@runtime_checkable
class TokenStore(Protocol):
    """Where tokens live between uses, keyed by user (and profile).

    Implementations must be safe to call from many tasks at once. ``save`` is awaited before a new token is used,
    so a refresh token the server has rotated is never known only in memory.
    """

    async def load(self, key: str) -> Tokens | None:
        """The tokens saved under ``key``, or None."""
        ...

    async def save(self, key: str, tokens: Tokens) -> None:
        """Save ``tokens`` under ``key``, replacing what was there."""
        ...

    async def delete(self, key: str) -> None:
        """Forget the tokens under ``key`` (a no-op when there are none)."""
        ...


@define
class TokenLease:
    """What a renewal sees, and may do, while it alone renews the tokens of a key.

    ``tokens`` is what the store held when the lease began (another process may have renewed them already).
    ``interrupted`` is True when an earlier holder began renewing these tokens and never finished: their refresh
    token may already have been spent at the server, so presenting it again could look like reuse; log in afresh
    instead where possible. ``save`` stores new tokens and returns the tokens now current, which are another
    writer's when those are newer.
    """

    tokens: Tokens | None
    save: Callable[[Tokens], Awaitable[Tokens]]
    interrupted: bool = False


@runtime_checkable
class SharedTokenStore(TokenStore, Protocol):
    """A token store shared by several processes, which also keeps their renewals to one at a time.

    While one process holds the lease of a key, the others wait for it and then find the tokens it saved, so a
    session shared by many processes logs in once and refreshes once per expiry, and a rotated refresh token is
    never presented twice.
    """

    def lease(self, key: str) -> AbstractAsyncContextManager[TokenLease]:
        """Hold the renewal of ``key`` (waiting for another holder first) for the duration of the block."""
        ...


class MemoryTokenStore:
    """Keeps tokens in this process's memory: the default, lost when the process ends."""

    def __init__(self) -> None:
        self._tokens: dict[str, Tokens] = {}

    async def load(self, key: str) -> Tokens | None:
        """The tokens saved under ``key``, or None."""
        return self._tokens.get(key)

    async def save(self, key: str, tokens: Tokens) -> None:
        """Save ``tokens`` under ``key``."""
        self._tokens[key] = tokens

    async def delete(self, key: str) -> None:
        """Forget the tokens under ``key``."""
        self._tokens.pop(key, None)

    def __repr__(self) -> str:
        return f"MemoryTokenStore(keys={len(self._tokens)})"


class TokenStoreError(AminoError):
    """A token store cannot be read or written (e.g. the file belongs to something else)."""


_FORMAT: Final = "amino-async/tokens"
_FORMAT_VERSION: Final = 1


class FileTokenStore:
    """Keeps tokens in a JSON file readable only by its owner (mode 0600).

    Every write goes to a temporary file in the same directory, is flushed to disk and then renamed over the old
    file, so a process that dies mid-write leaves the previous file whole. A file that is not an amino-async token
    file is never overwritten: loading from it logs a warning and finds nothing (a fresh login follows), saving
    to it raises :class:`TokenStoreError`. Writers in one process are serialised; across processes the last
    writer wins.
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        self._lock = anyio.Lock()

    def __repr__(self) -> str:
        return f"FileTokenStore({str(self.path)!r})"

    async def load(self, key: str) -> Tokens | None:
        """The tokens saved under ``key``, or None (also when the file is missing or unreadable)."""
        try:
            entries = await anyio.to_thread.run_sync(self._read)
        except TokenStoreError as exc:
            logger.warning("ignoring token file: %s", exc)
            return None
        value = entries.get(key)
        if value is None:
            return None
        try:
            return Tokens.from_json(value)
        except DecodeError as exc:
            logger.warning("ignoring unreadable tokens in %s: %s", self.path, exc)
            return None

    async def save(self, key: str, tokens: Tokens) -> None:
        """Save ``tokens`` under ``key``, atomically."""
        async with self._lock:
            await anyio.to_thread.run_sync(self._update, key, tokens.to_json())

    async def delete(self, key: str) -> None:
        """Forget the tokens under ``key``; the file is removed when it holds nothing else."""
        async with self._lock:
            await anyio.to_thread.run_sync(self._update, key, None)

    def _read(self) -> dict[str, Any]:
        try:
            raw = self.path.read_bytes()
        except FileNotFoundError:
            return {}
        except OSError as exc:
            raise TokenStoreError(f"cannot read {self.path}: {exc.strerror}") from None
        try:
            content = json.loads(raw)
        except (ValueError, RecursionError):
            raise TokenStoreError(f"{self.path} is not an amino-async token file") from None
        if type(content) is not dict or content.get("format") != _FORMAT or type(content.get("tokens")) is not dict:
            raise TokenStoreError(f"{self.path} is not an amino-async token file")
        if content.get("version") != _FORMAT_VERSION:
            raise TokenStoreError(f"{self.path} was written by an unknown version of amino-async")
        entries: dict[str, Any] = content["tokens"]
        return entries

    def _update(self, key: str, value: Mapping[str, Any] | None) -> None:
        entries = self._read()
        if value is None:
            if key not in entries:
                return
            del entries[key]
        else:
            entries[key] = value
        if not entries:
            with contextlib.suppress(FileNotFoundError):
                self.path.unlink()
            return
        document = {"format": _FORMAT, "version": _FORMAT_VERSION, "tokens": entries}
        self._write_atomically(json.dumps(document, indent=2).encode())

    def _write_atomically(self, content: bytes) -> None:
        directory = self.path.parent
        directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        temporary = directory / f".{self.path.name}.{secrets.token_hex(6)}.tmp"
        # O_EXCL with mode 0600: the token is never, even for an instant, in a file others can read.
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            with os.fdopen(fd, "wb") as file:
                file.write(content)
                file.flush()
                os.fsync(file.fileno())
            os.replace(temporary, self.path)
        except BaseException:
            with contextlib.suppress(OSError):
                temporary.unlink()
            raise
        with contextlib.suppress(OSError):  # make the rename itself durable where the platform allows
            dir_fd = os.open(directory, os.O_RDONLY)
            try:
                os.fsync(dir_fd)
            finally:
                os.close(dir_fd)
