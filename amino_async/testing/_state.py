"""The fake's mutable state: users, sessions, token families, faults, knobs and counters.

The server mutates this state from its event loop while a test may read counters and turn knobs from
another thread. Everything a test thread touches is a plain attribute read or write, or a dict or
Counter operation that the GIL makes atomic; the fault table, the one read-modify-write shared by
both sides, takes a ``threading.Lock`` that is never held across an ``await``.
"""

from __future__ import annotations

import fnmatch
import re
import secrets
import threading
from collections import Counter, deque
from collections.abc import Iterable, Mapping
from typing import Literal, get_args

import attrs

FaultKind = Literal["html", "empty", "malformed", "truncated"]
FAULT_KINDS: frozenset[str] = frozenset(get_args(FaultKind))
AUTHORIZED_LOG_SIZE = 10_000


# --- users -----------------------------------------------------------------------------------------


@attrs.frozen
class FakeProfile:
    """A user profile, as ``GET /users/{user_id}/user_profiles`` lists it."""

    id: str
    name: str
    is_child_profile: bool = False
    age_limit: int | None = None
    is_default: bool = False


def _check_profiles(user: FakeUser, _: object, profiles: tuple[FakeProfile, ...]) -> None:
    if sum(profile.is_default for profile in profiles) != 1:
        raise ValueError(f"user {user.username!r} needs exactly one default profile")
    if len({profile.id for profile in profiles}) != len(profiles):
        raise ValueError(f"user {user.username!r} has two profiles with one id")


def _profile_tuple(profiles: Iterable[FakeProfile]) -> tuple[FakeProfile, ...]:
    return tuple(profiles)


def _flag_tuple(flags: Iterable[str]) -> tuple[str, ...]:
    return tuple(flags)


# Not frozen: the users area creates, renames and deletes profiles (``POST/PATCH/DELETE .../user_profiles``) and
# changes passwords, on the one object that the directory and every token record share, so that a token call
# with ``login_user_profile`` sees the profiles as they are now. Only those two change; each is replaced whole
# (one attribute write, atomic for a test thread reading it), checked as at construction. Identity is equality.
@attrs.define(eq=False)
class FakeUser:
    """An account of the fake: credentials, the numeric user id, profiles and user flags.

    ``profiles`` and ``password`` may be replaced (the users area does, as the API writes them); the new value is
    checked as at construction. ``username``, ``user_id``, ``flags`` and ``operator`` are fixed. ``flags`` are the
    ones the user's account record starts with: the record (``fake.accounts``) holds them as an operator changes
    them. ``operator`` marks an operator (service) account, whose tokens may make the admin calls (the admin
    area's).
    """

    username: str = attrs.field(on_setattr=attrs.setters.frozen)
    password: str = attrs.field(repr=False)
    user_id: str = attrs.field(on_setattr=attrs.setters.frozen)
    profiles: tuple[FakeProfile, ...] = attrs.field(converter=_profile_tuple, validator=_check_profiles)
    flags: tuple[str, ...] = attrs.field(default=(), converter=_flag_tuple, on_setattr=attrs.setters.frozen)
    operator: bool = attrs.field(default=False, kw_only=True, on_setattr=attrs.setters.frozen)

    @property
    def default_profile(self) -> FakeProfile:
        """The profile tokens are issued for when the client names none."""
        return next(profile for profile in self.profiles if profile.is_default)

    def profile(self, profile_id: str) -> FakeProfile | None:
        """This user's profile ``profile_id``, or None."""
        return next((p for p in self.profiles if p.id == profile_id), None)


def default_profiles(user_id: str) -> tuple[FakeProfile, ...]:
    """The profiles a user gets when none are given: one default profile, "Main"."""
    return (FakeProfile(f"p-{user_id}-default", "Main", is_default=True),)


def default_user() -> FakeUser:
    """``user@example.com`` / ``secret``, user 1001, with a "Main" and a "Kids" profile."""
    return FakeUser(
        username="user@example.com",
        password="secret",
        user_id="1001",
        profiles=(
            FakeProfile("p-1001-default", "Main", is_default=True),
            FakeProfile("p-1001-kids", "Kids", is_child_profile=True, age_limit=7),
        ),
    )


class UserDirectory:
    """The fake's users, found by username or by user id."""

    def __init__(self, users: Iterable[FakeUser]) -> None:
        self._by_name: dict[str, FakeUser] = {}
        self._by_id: dict[str, FakeUser] = {}
        for user in users:
            self.add(user)

    def add(self, user: FakeUser) -> FakeUser:
        """Register ``user``; raises ValueError when its username or user id is taken."""
        if user.username in self._by_name or user.user_id in self._by_id:
            raise ValueError(f"a user named {user.username!r} or with id {user.user_id} exists")
        self._by_name[user.username] = user
        self._by_id[user.user_id] = user
        return user

    @property
    def all(self) -> tuple[FakeUser, ...]:
        """Every user, in the order they were added."""
        return tuple(self._by_id.values())

    def by_name(self, username: str) -> FakeUser | None:
        """The user with this username."""
        return self._by_name.get(username)

    def resolve(self, key: str) -> FakeUser | None:
        """The user whose user id, or else username, is ``key`` (paths accept either)."""
        return self._by_id.get(key) or self._by_name.get(key)

    def next_user_id(self) -> str:
        """A numeric user id no user has yet."""
        numeric = [int(uid) for uid in self._by_id if uid.isascii() and uid.isdigit()]
        return str(max(numeric, default=1000) + 1)


# --- counters --------------------------------------------------------------------------------------


def _log() -> deque[tuple[str, str, str, str]]:
    return deque(maxlen=AUTHORIZED_LOG_SIZE)


@attrs.define(eq=False)
class FakeStats:
    """What the fake has seen since it started or since ``reset_stats()``.

    Attributes:
        calls: requests by endpoint name ("access_tokens", "login", "channels", "channel_streams",
            "catchup_streams", "recording_streams", "user_profiles", and each area's own: ``ROUTES`` of
            ``_areas`` names them all), faulted ones included.
        grants: tokens issued, by grant ("password", "refresh_token", "digest", "cookie").
        token_refusals: refused token and login requests, by reason ("bad_request",
            "unsupported_grant", "bad_credentials", "unknown_profile", "refresh_unknown",
            "refresh_revoked", "refresh_reused", "refresh_expired", "bad_digest", "no_session").
        unauthorized: 401 answers to data requests.
        reuse_detected: refresh tokens presented a second time (each revoked its token family).
        requests_by_user: authorised data requests by user id.
        requests_by_profile: authorised data requests by profile id.
        authorized_log: (user_id, profile_id, method, path) of the last 10,000 authorised requests.
        in_flight: data requests being answered right now (a gauge: ``reset_stats`` keeps it).
        peak_in_flight: the most data requests answered at once.
        faults: injected faults served, by kind, or by status for JSON error faults.
        authorization_headers_seen: requests by (Host header, whether they carried Authorization).
        bearer_seen: requests that carried ``Authorization: Bearer ...``.
    """

    calls: Counter[str] = attrs.field(factory=Counter)
    grants: Counter[str] = attrs.field(factory=Counter)
    token_refusals: Counter[str] = attrs.field(factory=Counter)
    unauthorized: int = 0
    reuse_detected: int = 0
    requests_by_user: Counter[str] = attrs.field(factory=Counter)
    requests_by_profile: Counter[str] = attrs.field(factory=Counter)
    authorized_log: deque[tuple[str, str, str, str]] = attrs.field(factory=_log)
    in_flight: int = 0
    peak_in_flight: int = 0
    faults: Counter[str] = attrs.field(factory=Counter)
    authorization_headers_seen: Counter[tuple[str, bool]] = attrs.field(factory=Counter)
    bearer_seen: int = 0

    def reset(self) -> None:
        """Zero every counter in place, so code holding this object keeps counting into it."""
        for counter in (
            self.calls,
            self.grants,
            self.token_refusals,
            self.requests_by_user,
            self.requests_by_profile,
            self.faults,
            self.authorization_headers_seen,
        ):
            counter.clear()
        self.authorized_log.clear()
        self.unauthorized = self.reuse_detected = self.bearer_seen = 0
        self.peak_in_flight = self.in_flight

    def as_dict(self) -> dict[str, object]:
        """Every counter as JSON-ready data (``authorization_headers_seen`` nested by host)."""
        seen: dict[str, dict[str, int]] = {}
        for (host, carried), count in list(self.authorization_headers_seen.items()):
            seen.setdefault(host, {"with": 0, "without": 0})["with" if carried else "without"] = count
        return {
            "calls": dict(self.calls),
            "grants": dict(self.grants),
            "token_refusals": dict(self.token_refusals),
            "unauthorized": self.unauthorized,
            "reuse_detected": self.reuse_detected,
            "requests_by_user": dict(self.requests_by_user),
            "requests_by_profile": dict(self.requests_by_profile),
            "authorized_log": [list(entry) for entry in list(self.authorized_log)],
            "in_flight": self.in_flight,
            "peak_in_flight": self.peak_in_flight,
            "faults": dict(self.faults),
            "authorization_headers_seen": seen,
            "bearer_seen": self.bearer_seen,
        }


# --- faults ----------------------------------------------------------------------------------------


def _default_status(kind: str | None) -> int:
    return {"html": 502, "malformed": 200, "truncated": 200}.get(kind or "", 503)


@attrs.define(eq=False)
class Fault:
    """An injected answer, returned by ``FakeAmino.inject``; ``hits`` counts its uses.

    Attributes:
        path: the request path it answers: exact, or an ``fnmatch`` glob.
        remaining: uses left (None: forever).
        status, headers, body, kind, delay: the answer (see ``FakeAmino.inject``).
        hits: requests it has answered.
    """

    path: str
    remaining: int | None = 1
    status: int = 503
    headers: Mapping[str, str] = attrs.field(factory=dict)
    body: bytes | None = None
    kind: FaultKind | None = None
    delay: float = 0.0
    hits: int = 0
    _pattern: re.Pattern[str] | None = attrs.field(init=False, default=None, repr=False)

    def __attrs_post_init__(self) -> None:
        if any(char in self.path for char in "*?["):
            self._pattern = re.compile(fnmatch.translate(self.path))

    @classmethod
    def create(
        cls,
        path: str,
        *,
        times: int | None = 1,
        status: int | None = None,
        headers: Mapping[str, str] | None = None,
        body: bytes | str | None = None,
        kind: FaultKind | None = None,
        delay: float = 0.0,
    ) -> Fault:
        """A validated fault; ``status`` None means 503, or 502 for "html", 200 for the 200 kinds."""
        if kind is not None and kind not in FAULT_KINDS:
            raise ValueError(f"kind must be None or one of {sorted(FAULT_KINDS)}, not {kind!r}")
        if times is not None and times < 1:
            raise ValueError("times must be >= 1, or None for every request")
        if status is not None and not 100 <= status <= 599:
            raise ValueError(f"status must be an HTTP status, not {status}")
        if delay < 0:
            raise ValueError("delay must be >= 0")
        return cls(
            path,
            remaining=times,
            status=_default_status(kind) if status is None else status,
            headers=dict(headers or {}),
            body=body.encode() if isinstance(body, str) else body,
            kind=kind,
            delay=delay,
        )

    @property
    def active(self) -> bool:
        """Whether it still answers requests."""
        return self.remaining is None or self.remaining > 0

    def matches(self, path: str) -> bool:
        """Whether it answers a request for ``path``."""
        if self._pattern is None:
            return path == self.path
        return self._pattern.match(path) is not None

    def as_dict(self) -> dict[str, object]:
        """A JSON-ready description."""
        return {
            "path": self.path,
            "remaining": self.remaining,
            "status": self.status,
            "kind": self.kind,
            "delay": self.delay,
            "hits": self.hits,
        }


class FaultTable:
    """Injected faults, first injected first matched; safe to change from any thread."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._faults: tuple[Fault, ...] = ()

    def add(self, fault: Fault) -> Fault:
        """Start answering with ``fault``."""
        with self._lock:
            self._faults = (*self._faults, fault)
        return fault

    def take(self, path: str) -> Fault | None:
        """The fault that answers this request, counting the use; None when none does."""
        if not self._faults:  # the common case, without taking the lock
            return None
        with self._lock:
            for fault in self._faults:
                if fault.matches(path):
                    return self._use(fault)
        return None

    def _use(self, fault: Fault) -> Fault:
        fault.hits += 1
        if fault.remaining is not None:
            fault.remaining -= 1
            if fault.remaining == 0:
                self._faults = tuple(f for f in self._faults if f is not fault)
        return fault

    def clear(self) -> None:
        """Drop every fault."""
        with self._lock:
            self._faults = ()

    @property
    def active(self) -> tuple[Fault, ...]:
        """The faults still answering."""
        return self._faults


# --- tokens and sessions ---------------------------------------------------------------------------


@attrs.define(eq=False)
class TokenFamily:
    """Every access and refresh token descended from one login; revoked as a whole on reuse."""

    revoked: bool = False


@attrs.define(eq=False, slots=True)
class TokenRecord:
    """What the fake remembers of an access or a refresh token."""

    user: FakeUser
    profile: FakeProfile
    family: TokenFamily
    serial: int
    expires: float  # on the fake's monotonic clock
    used: bool = False  # refresh tokens only: rotated away


class TokenRefused(Exception):
    """A token request refused; ``reason`` is the ``token_refusals`` key."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(detail)
        self.reason = reason
        self.detail = detail


@attrs.frozen
class IssuedTokens:
    """A new access and refresh token pair."""

    access_token: str
    refresh_token: str
    record: TokenRecord
    access_lifetime: float
    refresh_lifetime: float


class TokenBook:
    """Issued tokens and login sessions.

    ``expire_access`` and ``revoke_refresh`` are O(1): they move a serial-number floor below which
    older tokens no longer count, so they are safe to call from any thread.
    """

    _PRUNE_FLOOR = 10_000

    def __init__(self) -> None:
        self._access: dict[str, TokenRecord] = {}
        self._refresh: dict[str, TokenRecord] = {}
        self._sessions: dict[str, str] = {}  # cookie value -> user id
        self._serial = 0
        self._access_floor = 0
        self._refresh_floor = 0
        self._prune_at = self._PRUNE_FLOOR

    def issue(
        self,
        user: FakeUser,
        profile: FakeProfile,
        *,
        family: TokenFamily | None,
        now: float,
        access_lifetime: float,
        refresh_lifetime: float,
    ) -> IssuedTokens:
        """A new token pair in ``family`` (None: a new login, a new family)."""
        self._serial += 1
        family = family or TokenFamily()
        access = TokenRecord(user, profile, family, self._serial, now + access_lifetime)
        refresh = TokenRecord(user, profile, family, self._serial, now + refresh_lifetime)
        access_token, refresh_token = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
        self._access[access_token] = access
        self._refresh[refresh_token] = refresh
        if len(self._access) >= self._prune_at:
            self._prune(now)
        return IssuedTokens(access_token, refresh_token, access, access_lifetime, refresh_lifetime)

    def check_access(self, token: str, now: float) -> TokenRecord | str:
        """The record of a usable access token, or why it is not: unknown/expired/revoked."""
        record = self._access.get(token)
        if record is None:
            return "unknown"
        if record.family.revoked:
            return "revoked"
        if record.serial <= self._access_floor or now >= record.expires:
            return "expired"
        return record

    def check_refresh(self, token: str, now: float) -> TokenRecord:
        """The record of a redeemable refresh token; raises TokenRefused otherwise.

        Presenting a token that was already rotated away is reuse: the whole family is revoked.
        """
        record = self._refresh.get(token)
        if record is None:
            raise TokenRefused("refresh_unknown", "The refresh token is not valid")
        if record.serial <= self._refresh_floor:
            raise TokenRefused("refresh_revoked", "The refresh token has been revoked")
        if record.used:
            record.family.revoked = True
            raise TokenRefused("refresh_reused", "The refresh token has already been used")
        if record.family.revoked:
            raise TokenRefused("refresh_revoked", "The refresh token has been revoked")
        if now >= record.expires:
            raise TokenRefused("refresh_expired", "The refresh token has expired")
        return record

    def rotate(
        self,
        record: TokenRecord,
        profile: FakeProfile,
        *,
        now: float,
        access_lifetime: float,
        refresh_lifetime: float,
    ) -> IssuedTokens:
        """Redeem a checked refresh token: mark it used and issue its family's next pair."""
        record.used = True
        return self.issue(
            record.user,
            profile,
            family=record.family,
            now=now,
            access_lifetime=access_lifetime,
            refresh_lifetime=refresh_lifetime,
        )

    def issued(self) -> frozenset[str]:
        """Every token still in the book, access and refresh."""
        return frozenset(self._access) | frozenset(self._refresh)

    def expire_access(self) -> None:
        """Every access token issued so far is expired from now on."""
        self._access_floor = self._serial

    def revoke_refresh(self) -> None:
        """Every refresh token issued so far is refused from now on."""
        self._refresh_floor = self._serial

    def _prune(self, now: float) -> None:
        # Drop what can never be accepted again; a used refresh token stays until it expires so
        # that its reuse is still detected.
        for table in (self._access, self._refresh):
            for token, record in list(table.items()):
                if now >= record.expires:
                    del table[token]
        self._prune_at = max(self._PRUNE_FLOOR, 2 * len(self._access))

    def new_session(self, user: FakeUser) -> str:
        """A new session cookie value for ``user``."""
        value = secrets.token_hex(16)
        self._sessions[value] = user.user_id
        return value

    def session_user_id(self, value: str) -> str | None:
        """The user id a session cookie belongs to, if it is valid."""
        return self._sessions.get(value)

    def expire_sessions(self) -> None:
        """Invalidate every session cookie."""
        self._sessions = {}


# --- knobs -----------------------------------------------------------------------------------------

# The knobs ``/_fake/config`` may set, with their type; ``validate_knob`` checks a value.
KNOB_TYPES: Mapping[str, type] = {
    "channel_count": int,
    "access_token_lifetime": float,
    "refresh_token_lifetime": float,
    "clock_offset": float,
    "zero_lifetime": bool,
    "token_delay": float,
    "data_delay": float,
    "send_next_links": bool,
    "legacy_token_shape": bool,
    "refresh_refusal_status": int,
}
_NON_NEGATIVE = frozenset(
    {"channel_count", "access_token_lifetime", "refresh_token_lifetime", "token_delay", "data_delay"}
)


def validate_knob(name: str, value: object) -> object:
    """``value`` as the knob ``name`` takes it.

    Raises ValueError for an unknown name or a value out of range, TypeError for a wrong type.
    """
    kind = KNOB_TYPES.get(name)
    if kind is None:
        raise ValueError(f"unknown knob {name!r}; knobs: {sorted(KNOB_TYPES)}")
    # bool is an int subclass, and JSON has no int/float split: check by hand.
    if kind is bool:
        if not isinstance(value, bool):
            raise TypeError(f"knob {name!r} takes a bool, not {value!r}")
        return value
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(f"knob {name!r} takes a {kind.__name__}, not {value!r}")
    if kind is int and not isinstance(value, int):
        raise TypeError(f"knob {name!r} takes an int, not {value!r}")
    if name in _NON_NEGATIVE and value < 0:
        raise ValueError(f"knob {name!r} must be >= 0")
    if name == "refresh_refusal_status" and value not in (400, 401):
        raise ValueError("knob 'refresh_refusal_status' must be 400 or 401")
    return float(value) if kind is float else value
