"""Tokens, how they are read from the two token answers, and where they are kept between uses."""

from __future__ import annotations

import logging
import math
import random
import re
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from email.utils import parsedate_to_datetime
from typing import Any, Final, Protocol, TypeVar, runtime_checkable

import anyio
from attrs import define, field, frozen

from ._constants import MAX_TOKEN_LIFETIME
from ._decoding import structure
from ._errors import AminoError, ConfigurationError, DecodeError

__all__ = [
    "LockWait",
    "MemoryTokenStore",
    "Renewal",
    "SharedTokenStore",
    "TokenLease",
    "TokenStore",
    "TokenStoreError",
    "Tokens",
    "lease_of",
]

logger = logging.getLogger("amino_async")

T = TypeVar("T")


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
        # A lifetime of centuries (an expiry of 10**400, say) is not a statement to plan by; it is unknown too.
        return float(lifetime) if 0 < lifetime <= MAX_TOKEN_LIFETIME else None

    def expires_in(self, now: float | None = None) -> float | None:
        """Seconds left by this machine's wall clock, or None when the lifetime is unknown."""
        lifetime = self.lifetime
        if lifetime is None:
            return None
        now = time.time() if now is None else now
        # A received_at in the future means the wall clock went back; never grant more than a whole lifetime.
        return min(lifetime, self.received_at + lifetime - now)

    def __attrs_post_init__(self) -> None:
        # Tokens go into a header as they are: nothing that could end it, or start another, ever gets that far.
        if not header_safe(self.access_token) or not (self.refresh_token is None or header_safe(self.refresh_token)):
            raise ConfigurationError("tokens must be visible ASCII without spaces")

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
        return _checked(structure(value, _StoredTokens, path="tokens"), "tokens").tokens()


_T = TypeVar("_T")
_TOKEN_TEXT: Final = re.compile(r"[\x21-\x7e]+")


def header_safe(token: object) -> bool:
    """Whether ``token`` can be sent as a bearer token as it is: non-empty visible ASCII, no spaces."""
    return isinstance(token, str) and _TOKEN_TEXT.fullmatch(token) is not None


def _checked(tokens: _T, path: str) -> _T:
    for name in ("access_token", "refresh_token"):
        value = getattr(tokens, name)
        if value is not None and not header_safe(value):
            raise DecodeError("not a token that can be sent in a header", path=f"{path}.{name}")
    return tokens


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
    attributes = _checked(
        structure(data.get("attributes"), _TokenAttributes, path=f"{path}.attributes"), f"{path}.attributes"
    )
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
    if not header_safe(token):
        raise DecodeError("not a token that can be sent in a header", path=f"{path}[0]")
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


@asynccontextmanager
async def lease_of(store: TokenStore, key: str) -> AsyncIterator[TokenLease]:
    """The lease of ``key`` in ``store``: a shared store's own, or, for a store of one process, a plain one.

    A store of one process needs no lock of its own: the auth's single flight already makes its renewals one at a
    time. A plain lease reads what the store holds (nothing, when it cannot be read: a fresh login follows) and
    saves by replacing it.
    """
    if isinstance(store, SharedTokenStore):
        async with store.lease(key) as lease:
            yield lease
        return
    try:
        stored = await store.load(key)
    except Exception as exc:
        logger.warning("could not read tokens from %r: %s", store, type(exc).__name__)
        stored = None

    async def save(tokens: Tokens) -> Tokens:
        await store.save(key, tokens)
        return tokens

    yield TokenLease(stored, save)


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


# --- what every shared store does the same way -------------------------------------------------------------


class LockWait:
    """How a shared store's lease waits for a lock another process holds, and how long it may.

    Neither a lock in Redis nor an OS file lock taken without blocking a thread can be waited on, only tried
    again: tries start 5 ms apart, doubling up to 100 ms, each pause cut short at random by up to half so that
    waiters that started together spread out instead of colliding in step. After ``wait_timeout`` seconds the
    wait ends in :class:`TokenStoreError`. Cancellation arrives in the pauses, between tries.
    """

    FIRST_POLL: Final = 0.005
    MAX_POLL: Final = 0.1

    def __init__(self, wait_timeout: float, where: str) -> None:
        #: On anyio's clock: the end of the wait.
        self.deadline = anyio.current_time() + wait_timeout
        self._wait_timeout = wait_timeout
        self._where = where
        self._poll = self.FIRST_POLL

    def expired(self) -> TokenStoreError:
        """The error of a wait that went on for ``wait_timeout``."""
        return TokenStoreError(
            f"another process has been renewing these tokens for longer than the wait_timeout of "
            f"{self._wait_timeout:g} s ({self._where})"
        )

    async def pause(self, at_most: float = math.inf) -> None:
        """Sleep until the next try (never longer than ``at_most``), or raise once ``wait_timeout`` has passed."""
        left = self.deadline - anyio.current_time()
        if left <= 0:
            raise self.expired()
        await anyio.sleep(min(self._poll * random.uniform(0.5, 1.0), at_most, left))
        self._poll = min(self._poll * 2, self.MAX_POLL)


class Renewal:
    """One lease's renewal as its store sees it: whether it saved, and so whether its mark may go at the end.

    A shared store marks a renewal as begun, with the version of the tokens it found, when the lease starts; the
    next holder that finds the mark at the same version knows that renewal never finished (``interrupted``), so
    the refresh token it holds may be spent. When the mark may be cleared is the same rule in every shared store,
    and it is here.
    """

    def __init__(self, interrupted: bool, write: Callable[[Tokens], Awaitable[Tokens]]) -> None:
        self.interrupted = interrupted
        self._write = write
        self._saved = False
        if interrupted:
            logger.info("an earlier renewal of these tokens never finished; its refresh token may be spent")

    def lease(self, tokens: Tokens | None) -> TokenLease:
        """The lease its block sees: ``tokens`` as found, this renewal's save, and whether it inherited a mark."""
        return TokenLease(tokens, self._save, self.interrupted)

    async def _save(self, tokens: Tokens) -> Tokens:
        # Set before the write: a save that fails must not let the release clear the mark, since the refresh
        # whose tokens it carried has happened (a save that lands clears the mark itself).
        self._saved = True
        return await self._write(tokens)

    def clears_mark(self, *, failed: bool) -> bool:
        """Whether the lease, as it ends (its block having ``failed`` or not), removes its own mark."""
        # The mark stays when the renewal failed (its token call may have reached the server) or when it was
        # inherited and not resolved by a save; a clean renewal that saved nothing clears it.
        return not failed and not self._saved and not self.interrupted
