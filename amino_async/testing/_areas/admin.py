"""The admin area: operator management, licensing, network permissions, Irdeto entitlements, the legacy BSS user
management and the service login (``loginService``).

Admin calls need an operator's token (a ``FakeUser`` with ``operator=True``: ``fake.admin.add_operator``);
``operator_only`` is the one check every admin handler makes, answering a plain end user's token 403. The
user-scoped licensing reads and the purchase also take the user's own token (``own_or_operator``).

The account records an operator edits (registration state, flags, market segments, name and contact details,
BSS fields) are ``fake.accounts`` (``_accounts.Accounts``), one record a user, which the users area serves to the
user too. The rest lives in ``fake.admin`` (:class:`AdminState`), per user id: granted packages (a list: a package
granted twice shows twice), channel licenses (those made by a grant carry its template id), licenses (grants and
purchases), entitlements, set-top boxes; and the deployment's network permissions and their links to channels.
License packages are derived from the catalogue's products, their templates from its channels, so ids agree with
the rest of the fake.
"""

from __future__ import annotations

import functools
import json
import re
import secrets
import time
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, unquote, urlsplit

import attrs
from starlette.responses import Response

from .._catalogue import PRODUCTS, IdScheme, catalogue_ids, channel_traits
from .._digest import DigestAuthority
from .._responses import answer, bad_request, dumps, entity_error, jsonapi_error, not_yours
from .._routing import Call, FakeRoute
from .._state import FakeUser, default_profiles
from ._accounts import DEFAULT_PURCHASE_PIN, Account, Accounts
from .auth import SESSION_COOKIE
from .users import owned_user

if TYPE_CHECKING:
    from .._app import FakeAmino

SERVICE_REALM = "service"
USERS_PAGE_SIZE = 100
LICENSES_PAGE_SIZE = 1000
#: Channels each package's templates are drawn from, and how many templates a package has at most.
_TEMPLATE_POOL = 60
_TEMPLATES_PER_PACKAGE = 3
SERVICES = frozenset({"live", "npvr", "lpvr", "catchup", "startover"})
_FLAG = re.compile(r"[A-Za-z0-9_.-]{1,64}")
_PIN = re.compile(r"[0-9]{4}")
_TEXT = {"content-type": "text/plain; charset=utf-8"}
_TEN_YEARS = 10 * 365 * 86400


# --- state ---------------------------------------------------------------------------------------------------


@attrs.frozen
class Package:
    """A license package: its name, availability and templates (template id, channel id, services)."""

    id: str
    name: str
    templates: tuple[tuple[str, str, tuple[str, ...]], ...]
    available_after: int = 1_520_784_677
    available_until: int = 4_102_444_799


@attrs.define
class ChannelLicense:
    """A user's license for one channel; ``template_id`` is set when a package grant made it."""

    id: str
    channel_id: str
    services: list[str]
    trickplay: list[str]
    template_id: str | None = None
    package_id: str | None = None


@attrs.define
class LicenseRecord:
    """A ``LicenseEntity``: a purchase of a product, or a grant of a package (``product_type`` says which)."""

    id: str
    user_id: str
    product_id: str
    product_type: str
    payment_method: str
    purchased_at: int
    status: str = "ACTIVE"
    order_id: str | None = None


class AdminState:
    """The admin area's state (``fake.admin``): see the module docstring. ``reset()`` forgets it all."""

    def __init__(self, seed: int, accounts: Accounts) -> None:
        self.seed = seed
        self._accounts = accounts  # ``fake.accounts``, shared with the users area: only for ``reset()``
        #: The Digest authority of loginService (realm "service").
        self.digest = DigestAuthority(SERVICE_REALM)
        self._ids = IdScheme.for_kind(seed, "admin")
        self._package_ids = IdScheme.for_kind(seed, "license_package")
        self._template_ids = IdScheme.for_kind(seed, "license_template")
        self.reset()

    def reset(self) -> None:
        """Forget every grant, license, permission, entitlement and set-top box, and every account change (the
        user's own included: ``fake.accounts`` is one record a user)."""
        self._serial = 0
        self._accounts.reset()
        #: Package ids granted, per user id, one entry per grant.
        self.grants: dict[str, list[str]] = {}
        #: Channel licenses per user id, by license id.
        self.channel_licenses: dict[str, dict[str, ChannelLicense]] = {}
        #: Licenses (purchases and grants) per user id.
        self.licenses: dict[str, list[LicenseRecord]] = {}
        self._purchases: dict[tuple[str, str], LicenseRecord] = {}  # (user id, idempotency key) -> license
        #: Network permissions by id: their attributes as stored.
        self.network_permissions: dict[str, dict[str, Any]] = {}
        #: The network permission ids linked to each channel id.
        self.channel_permissions: dict[str, list[str]] = {}
        #: Entitlements by (user id, device id): the body they were created with.
        self.entitlements: dict[tuple[str, str], dict[str, Any]] = {}
        #: Set-top boxes by serial number: (link id, user id).
        self.set_top_boxes: dict[str, tuple[str, str]] = {}

    # --- what tests read ---

    def add_operator(self, fake: FakeAmino, username: str, password: str, *, user_id: str | None = None) -> FakeUser:
        """Add an operator (service) account to ``fake``: its tokens may make admin calls."""
        ident = user_id or fake.directory.next_user_id()
        return fake.directory.add(FakeUser(username, password, ident, default_profiles(ident), operator=True))

    def packages(self, fake: FakeAmino) -> tuple[Package, ...]:
        """The license packages: one per catalogue product, its templates on channels of that product."""
        return _packages(self.seed, fake.channel_count)

    def package(self, fake: FakeAmino, package_id: str) -> Package | None:
        """The package ``package_id``, or None."""
        return next((p for p in self.packages(fake) if p.id == package_id), None)

    def granted(self, user_id: str) -> list[str]:
        """The package ids granted to ``user_id``, one entry per grant still standing."""
        return list(self.grants.get(user_id, ()))

    def entitlements_of(self, user_id: str) -> dict[str, dict[str, Any]]:
        """The entitled devices of ``user_id``, by device id."""
        return {device: body for (owner, device), body in self.entitlements.items() if owner == user_id}

    # --- what handlers use ---

    def new_id(self) -> str:
        """A fresh id for something the admin API creates."""
        self._serial += 1
        return self._ids.make(self._serial)

    def grant(self, fake: FakeAmino, user_id: str, package: Package) -> None:
        """Record a grant: the package, a channel license per template and a license of the package."""
        self.grants.setdefault(user_id, []).append(package.id)
        licenses = self.channel_licenses.setdefault(user_id, {})
        for template_id, channel_id, services in package.templates:
            ident = self.new_id()
            licenses[ident] = ChannelLicense(
                ident, channel_id, list(services), list(services[1:]), template_id, package.id
            )
        record = LicenseRecord(self.new_id(), user_id, package.id, "LicensePackage", "grant", _now(fake))
        self.licenses.setdefault(user_id, []).append(record)

    def revoke(self, user_id: str, package_id: str) -> bool:
        """Undo every grant of ``package_id`` to ``user_id``; False when there was none."""
        granted = self.grants.get(user_id, [])
        if package_id not in granted:
            return False
        self.grants[user_id] = [p for p in granted if p != package_id]
        licenses = self.channel_licenses.get(user_id, {})
        for ident in [i for i, lic in licenses.items() if lic.package_id == package_id]:
            del licenses[ident]
        self.licenses[user_id] = [r for r in self.licenses.get(user_id, []) if r.product_id != package_id]
        return True


@functools.lru_cache(maxsize=16)
def _packages(seed: int, channel_count: int) -> tuple[Package, ...]:
    package_ids = IdScheme.for_kind(seed, "license_package")
    template_ids = IdScheme.for_kind(seed, "license_template")
    channels = catalogue_ids(seed).channel
    pool = range(min(_TEMPLATE_POOL, channel_count))
    packages = []
    for index, (name, _) in enumerate(PRODUCTS):
        members = [c for c in pool if channel_traits(seed, c).product == index][:_TEMPLATES_PER_PACKAGE]
        services = ("live", "catchup", "startover")
        templates = tuple(
            (template_ids.make(index * 16 + k), channels.make(c), services) for k, c in enumerate(members)
        )
        packages.append(Package(package_ids.make(index), name, templates))
    return tuple(packages)


def _now(fake: FakeAmino) -> int:
    return int(time.time() + fake.clock_offset)


# --- the checks every handler shares -------------------------------------------------------------------------


def forbidden(fake: FakeAmino) -> Response:
    """403 for an admin call made with a plain end user's token (the files' ForbiddenEntity)."""
    return answer(fake, 403, entity_error("0523AC", "Forbidden", "This call needs an operator account."))


def operator_only(fake: FakeAmino, call: Call) -> Response | None:
    """None when the bearer is an operator; else the 403 to answer. Every admin handler starts with this."""
    return None if call.user.operator else forbidden(fake)


def _no_user(fake: FakeAmino) -> Response:
    return answer(fake, 404, entity_error("4NOTFND", "Not found", "No such user"))


def admin_user(fake: FakeAmino, call: Call, param: str = "user_id") -> FakeUser | Response:
    """The user ``call.params[param]`` names, for an operator's call; else the refusal to answer."""
    refused = operator_only(fake, call)
    if refused is not None:
        return refused
    user = fake.directory.resolve(call.params[param])
    return user if user is not None else _no_user(fake)


def own_or_operator(
    fake: FakeAmino,
    call: Call,
    param: str = "user_id",
    *,
    refused: Callable[[FakeAmino], Response] = not_yours,
    unknown: Callable[[FakeAmino], Response] = _no_user,
) -> FakeUser | Response:
    """The user ``call.params[param]`` names, for the user's own token or an operator's; else the refusal (in the
    shapes ``refused`` and ``unknown`` make: the files' ForbiddenEntity and ErrorEntity by default)."""
    if call.user.operator:
        user = fake.directory.resolve(call.params[param])
        return user if user is not None else unknown(fake)
    owner = owned_user(fake, call, param)
    return owner if owner is not None else refused(fake)


async def _json_body(call: Call) -> Any:
    """The request's JSON body, or :data:`_BAD` when it is not JSON."""
    try:
        return json.loads(await call.request.body())
    except ValueError:
        return _BAD


_BAD = object()


def _text(fake: FakeAmino, status: int, body: str, headers: Mapping[str, str] | None = None) -> Response:
    """A text/plain answer ("CREATED", "OK"): the files advise clients to rely on the status alone."""
    return answer(fake, status, body.encode(), {**_TEXT, **(headers or {})}, media_type=None)


def _not_found(fake: FakeAmino, details: str) -> Response:
    return answer(fake, 404, entity_error("4NOTFND", "Not found", details))


def _page_number(call: Call) -> int | str:
    text = call.request.query_params.get("page_number", "1")
    if not text.isascii() or not text.isdigit() or int(text) < 1:
        return f"Parameter 'page_number' must be an integer >= 1, got {text[:40]!r}"
    return int(text)


# --- users (rest/endpoints/config/users.yml) ----------------------------------------------------------------


def _user_resource(account: Account) -> dict[str, object]:
    """The operator's view of an account record: the user's own (``getUser``) but the PIN flag, which is of the
    purchase PIN here."""
    attributes: dict[str, object] = {
        "is_default_pin_code": account.purchase_pin == DEFAULT_PURCHASE_PIN,
        "is_demo_user": account.is_demo_user,
        "name": account.name(),
        "contact_details": account.contact_details(),
        "security": {"password_hashing_algorithm": "digest", "licenses_must_auto_renew": False},
        "registration_information": account.registration_information(),
        "user_flags": list(account.flags),
    }
    if account.external_reference is not None:
        attributes["external_reference"] = account.external_reference
    return {"type": "User", "id": account.user_id, "attributes": attributes}


async def index_users(fake: FakeAmino, call: Call) -> Response:
    """``GET /api/users/v1/users``: a page of 100 users, optionally of one registration state."""
    refused = operator_only(fake, call)
    if refused is not None:
        return refused
    page = _page_number(call)
    if isinstance(page, str):
        return bad_request(fake, page)
    status = call.request.query_params.get("registration_status")
    accounts = [fake.accounts.of(user) for user in fake.directory.all]
    if status is not None:
        accounts = [account for account in accounts if account.state == status]
    start = (page - 1) * USERS_PAGE_SIZE
    data = [_user_resource(account) for account in accounts[start : start + USERS_PAGE_SIZE]]
    return answer(fake, 200, dumps({"data": data}))


def _string(value: Any, *path: str) -> str | None:
    for key in path:
        value = value.get(key) if isinstance(value, dict) else None
    return value if isinstance(value, str) and value else None


def _integer(value: Any, *path: str) -> int | None:
    for key in path:
        value = value.get(key) if isinstance(value, dict) else None
    return value if isinstance(value, int) and not isinstance(value, bool) else None


async def create_user(fake: FakeAmino, call: Call) -> Response:
    """``POST /api/users/v1/users``: a new user (a ``UserEntity``), 201 with a session cookie for them."""
    refused = operator_only(fake, call)
    if refused is not None:
        return refused
    body = await _json_body(call)
    if not isinstance(body, dict):
        return bad_request(fake, "The request body must be a UserEntity object")
    full_name = _string(body, "name", "full_name")
    email = _string(body, "contact_details", "email")
    algorithm = _string(body, "security", "password_hashing_algorithm")
    registered = _integer(body, "registration_information", "registration_timestamp")
    expiry = _integer(body, "registration_information", "expiry_timestamp")
    state = _string(body, "registration_information", "current_registration_state")
    if full_name is None or email is None or algorithm is None or registered is None or expiry is None or state is None:
        return bad_request(
            fake,
            "name.full_name, contact_details.email, security.password_hashing_algorithm and "
            "registration_information (registration_timestamp, expiry_timestamp, current_registration_state) "
            "are required",
        )
    if fake.accounts.by_email(fake.directory, email) is not None or fake.directory.by_name(email) is not None:
        return bad_request(fake, "A user with this e-mail address exists")
    password = _string(body, "security", "new_password") or secrets.token_urlsafe(12)
    user = fake.add_user(email, password)
    account = fake.accounts.of(user)
    account.full_name = full_name
    account.first_name = _string(body, "name", "first_name")
    account.last_name = _string(body, "name", "last_name")
    account.telephone = _string(body, "contact_details", "telephone_number_E123")
    account.external_reference = _string(body, "external_reference")
    account.is_demo_user = body.get("is_demo_user") is True
    account.registration_timestamp, account.expiry_timestamp, account.state = registered, expiry, state
    account.purchase_pin = _string(body, "security", "purchase_pin") or DEFAULT_PURCHASE_PIN
    flags = body.get("user_flags")
    if isinstance(flags, list):
        account.flags = [flag for flag in flags if isinstance(flag, str)]
    session = fake.token_book.new_session(user)
    return _text(fake, 201, "CREATED", {"set-cookie": f"{SESSION_COOKIE}={session}; Path=/; HttpOnly"})


async def get_market_segments(fake: FakeAmino, call: Call) -> Response:
    """``GET /api/users/v1/management/users/{user_id}/relationships/market_segments``."""
    user = admin_user(fake, call)
    if isinstance(user, Response):
        return user
    data = fake.accounts.segment_resources(fake.accounts.of(user))
    return answer(fake, 200, dumps({"data": data}))


async def set_market_segments(fake: FakeAmino, call: Call) -> Response:
    """``PUT .../relationships/market_segments``: replace a user's segments with the ones listed; 204."""
    user = admin_user(fake, call)
    if isinstance(user, Response):
        return user
    body = await _json_body(call)
    if not isinstance(body, list) or not all(
        isinstance(item, dict)
        and isinstance(item.get("id"), str)
        and item.get("type", "MarketSegment") == "MarketSegment"
        for item in body
    ):
        return bad_request(fake, "The body must be an array of {id, type: MarketSegment}")
    ids = list(dict.fromkeys(item["id"] for item in body))
    unknown = [ident for ident in ids if ident not in fake.accounts.segments]
    if unknown:
        return bad_request(fake, f"Unknown market segment {unknown[0][:60]!r}")
    fake.accounts.of(user).market_segments = ids
    return answer(fake, 204, b"", media_type=None)


def _flag(fake: FakeAmino, call: Call) -> str | Response:
    flag = call.request.query_params.get("flag")
    if flag is None or _FLAG.fullmatch(flag) is None:
        return bad_request(fake, "Parameter 'flag' is required: letters, digits, '_', '.', '-'")
    return flag


async def add_user_flag(fake: FakeAmino, call: Call) -> Response:
    """``PUT .../relationships/user_flags?flag=...``: 204 (adding a flag the user has changes nothing)."""
    user = admin_user(fake, call)
    if isinstance(user, Response):
        return user
    flag = _flag(fake, call)
    if isinstance(flag, Response):
        return flag
    flags = fake.accounts.of(user).flags
    if flag not in flags:
        flags.append(flag)
    return answer(fake, 204, b"", media_type=None)


async def delete_user_flag(fake: FakeAmino, call: Call) -> Response:
    """``DELETE .../relationships/user_flags?flag=...``: 204; 400 for a flag the user does not have."""
    user = admin_user(fake, call)
    if isinstance(user, Response):
        return user
    flag = _flag(fake, call)
    if isinstance(flag, Response):
        return flag
    flags = fake.accounts.of(user).flags
    if flag not in flags:
        return bad_request(fake, "The user does not have this flag")
    flags.remove(flag)
    return answer(fake, 204, b"", media_type=None)


# --- licensing (rest/endpoints/config/license.yml, rest/endpoints/license/*.yml) ----------------------------


def _package_resource(package: Package) -> dict[str, object]:
    attributes = {
        "name": package.name,
        "availability": {
            "available_after_timestamp": package.available_after,
            "available_until_timestamp": package.available_until,
        },
    }
    return {"type": "LicensePackage", "id": package.id, "attributes": attributes}


async def license_packages(fake: FakeAmino, call: Call) -> Response:
    """``GET /api/license/v1/license_packages``."""
    refused = operator_only(fake, call)
    if refused is not None:
        return refused
    data = [_package_resource(package) for package in fake.admin.packages(fake)]
    return answer(fake, 200, dumps({"data": data}))


async def license_templates(fake: FakeAmino, call: Call) -> Response:
    """``GET /api/license/v1/license_packages/relationships/license_templates``: every package's templates."""
    refused = operator_only(fake, call)
    if refused is not None:
        return refused
    data = [
        {
            "type": "LicenseTemplate",
            "id": template_id,
            "attributes": {
                "channel_id": channel_id,
                "permissions_granted": {
                    "services_enabled": list(services),
                    "trickplay_enabled": list(services[1:]),
                    "template_id": template_id,
                },
            },
        }
        for package in fake.admin.packages(fake)
        for template_id, channel_id, services in package.templates
    ]
    return answer(fake, 200, dumps({"data": data}))


async def grant_package(fake: FakeAmino, call: Call) -> Response:
    """``POST /api/license/v1/user/{user_id}/relationships/license_packages/{license_package_id}``: 201.

    Every grant is recorded, a second one of the same package too (with its own channel licenses).
    """
    user = admin_user(fake, call)
    if isinstance(user, Response):
        return user
    package = fake.admin.package(fake, call.params["license_package_id"])
    if package is None:
        return _not_found(fake, "No such license package")
    fake.admin.grant(fake, user.user_id, package)
    return _text(fake, 201, "CREATED")


async def revoke_package(fake: FakeAmino, call: Call) -> Response:
    """``DELETE .../relationships/license_packages/{license_package_id}``: 200; 404 when it is not granted."""
    user = admin_user(fake, call)
    if isinstance(user, Response):
        return user
    if not fake.admin.revoke(user.user_id, call.params["license_package_id"]):
        return _not_found(fake, "The license package is not granted to this user")
    return _text(fake, 200, "OK")


def _channel_exists(fake: FakeAmino, channel_id: object) -> bool:
    if not isinstance(channel_id, str):
        return False
    index = catalogue_ids(fake.seed).channel.parse(channel_id)
    return index is not None and index < fake.channel_count


def _services(value: object) -> list[str] | None:
    if not isinstance(value, list) or not all(isinstance(s, str) and s in SERVICES for s in value):
        return None
    return list(value)


async def add_channel_licenses(fake: FakeAmino, call: Call) -> Response:
    """``POST /api/license/v1/user/{user_id}/relationships/channel_licenses``: an array of licenses; 201."""
    user = admin_user(fake, call)
    if isinstance(user, Response):
        return user
    body = await _json_body(call)
    if not isinstance(body, list) or not body:
        return bad_request(fake, "The body must be a non-empty array of UserChannelLicense")
    new: list[ChannelLicense] = []
    for index, item in enumerate(body):
        permissions = item.get("permissions_granted") if isinstance(item, dict) else None
        if not isinstance(item, dict) or not _channel_exists(fake, item.get("channel_id")):
            return bad_request(fake, f"[{index}].channel_id must name a channel")
        services = _services(permissions.get("services_enabled") if isinstance(permissions, dict) else None)
        trickplay = _services(
            (permissions or {}).get("trickplay_enabled", []) if isinstance(permissions, dict) else None
        )
        if services is None or trickplay is None:
            return bad_request(fake, f"[{index}].permissions_granted must list services of {sorted(SERVICES)}")
        template = permissions.get("template_id") if isinstance(permissions, dict) else None
        new.append(
            ChannelLicense(
                fake.admin.new_id(),
                item["channel_id"],
                services,
                trickplay,
                template if isinstance(template, str) else None,
            )
        )
    licenses = fake.admin.channel_licenses.setdefault(user.user_id, {})
    for license in new:
        licenses[license.id] = license
    return _text(fake, 201, "CREATED")


async def delete_channel_license(fake: FakeAmino, call: Call) -> Response:
    """``DELETE .../channel_licenses/{channel_license_id}``: 204; 404 for a license the user does not have."""
    user = admin_user(fake, call)
    if isinstance(user, Response):
        return user
    licenses = fake.admin.channel_licenses.get(user.user_id, {})
    if licenses.pop(call.params["channel_license_id"], None) is None:
        return _not_found(fake, "No such channel license for this user")
    return answer(fake, 204, b"", media_type=None)


async def user_channel_licenses(fake: FakeAmino, call: Call) -> Response:
    """``GET /api/license/v1/user/{user_id}/relationships/channel_licenses`` (the user's own, or an operator)."""
    user = own_or_operator(fake, call)
    if isinstance(user, Response):
        return user
    data = []
    for license in fake.admin.channel_licenses.get(user.user_id, {}).values():
        permissions: dict[str, object] = {
            "services_enabled": license.services,
            "trickplay_enabled": license.trickplay,
        }
        if license.template_id is not None:
            permissions["template_id"] = license.template_id
        attributes = {"channel_id": license.channel_id, "permissions_granted": permissions}
        data.append({"type": "UserChannelLicense", "id": license.id, "attributes": attributes})
    return answer(fake, 200, dumps({"data": data}), {"cache-control": "private, max-age=300, must-revalidate"})


async def recording_devices(fake: FakeAmino, call: Call) -> Response:
    """``GET /api/license/v1/users/{user_id}/recording_devices``: the cloud, and every set-top box linked."""
    user = own_or_operator(fake, call)
    if isinstance(user, Response):
        return user
    data: list[dict[str, object]] = [
        {
            "type": "UserRecordingDevice",
            "id": f"cloud-{user.user_id}",
            "attributes": {
                "type": "cloud",
                "physical_device_id": None,
                "quota_hours": 100,
                "hours_used": 0,
                "max_concurrent_recordings": 3,
            },
        }
    ]
    for serial, (link_id, owner) in fake.admin.set_top_boxes.items():
        if owner == user.user_id:
            attributes = {
                "type": "stb",
                "physical_device_id": serial,
                "quota_hours": 500,
                "hours_used": 0,
                "max_concurrent_recordings": 2,
            }
            data.append({"type": "UserRecordingDevice", "id": link_id, "attributes": attributes})
    return answer(fake, 200, dumps({"data": data}))


def _license_resource(record: LicenseRecord) -> dict[str, object]:
    attributes: dict[str, object] = {
        "order_id": record.order_id,
        "status": record.status,
        "valid_from_timestamp": record.purchased_at,
        "valid_until_timestamp": record.purchased_at + _TEN_YEARS,
        "recurring": False,
        "purchase_record": {
            "price_currency_amount": None,
            "price_currency_iso4217": None,
            "purchase_timestamp": record.purchased_at,
            "payment_method": record.payment_method,
        },
    }
    relationships = {
        "user": {"data": [{"type": "User", "id": record.user_id}]},
        "product": {"data": [{"type": record.product_type, "id": record.product_id}]},
    }
    return {"type": "License", "id": record.id, "attributes": attributes, "relationships": relationships}


def _purchase_error(fake: FakeAmino, status: int, code: str, title: str, detail: str) -> Response:
    """An error of createLicense: its file documents the JSON:API shape."""
    return answer(fake, status, jsonapi_error(status, code, title, detail))


def _purchase_refused(fake: FakeAmino) -> Response:
    return _purchase_error(fake, 403, "0523AC", "Forbidden", "You are not authorized to access that resource.")


def _purchase_no_user(fake: FakeAmino) -> Response:
    return _purchase_error(fake, 404, "30702", "Not found", "No such user")


async def create_license(fake: FakeAmino, call: Call) -> Response:
    """``POST /api/license/v4/users/{user_id}``: buy a product, with the account's PIN and an Idempotency-Key.

    The same key again answers the same license (201), without buying twice.
    """
    user = own_or_operator(fake, call, refused=_purchase_refused, unknown=_purchase_no_user)
    if isinstance(user, Response):
        return user
    key = call.request.headers.get("idempotency-key")
    if not key:
        return _purchase_error(fake, 400, "31201", "Bad Request", "The Idempotency-Key header is required")
    previous = fake.admin._purchases.get((user.user_id, key))
    if previous is not None:
        return answer(fake, 201, dumps({"data": _license_resource(previous)}))
    body = await _json_body(call)
    data = body.get("data") if isinstance(body, dict) else None
    product_id = _string(data, "relationships", "product", "data", "id")
    payment_method = _string(data, "attributes", "purchase_record", "payment_method")
    pin = _string(data, "meta", "authorization", "pin_code")
    if not isinstance(data, dict) or data.get("type") != "License" or not product_id or not payment_method or not pin:
        return _purchase_error(fake, 400, "31201", "Bad Request", "Expected a License with a product and a PIN")
    if pin != fake.accounts.of(user).purchase_pin:
        detail = "The PIN code that you supplied does not match the one we have stored for the account."
        return _purchase_error(fake, 403, "10200", "Incorrect PIN code", detail)
    index = catalogue_ids(fake.seed).product.parse(product_id)
    if index is None or index >= len(PRODUCTS):
        return _purchase_error(
            fake, 404, "30701", "Unable to purchase license", f'Product "{product_id[:60]}" not found'
        )
    record = LicenseRecord(
        fake.admin.new_id(),
        user.user_id,
        product_id,
        "Product",
        payment_method,
        _now(fake),
        order_id=fake.admin.new_id(),
    )
    fake.admin.licenses.setdefault(user.user_id, []).append(record)
    fake.admin._purchases[(user.user_id, key)] = record
    return answer(fake, 201, dumps({"data": _license_resource(record)}))


_LICENSE_FILTER = re.compile(r"(status|payment_method|purchase_later_than):(.{1,64})")
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def _license_filter(text: str | None) -> Callable[[LicenseRecord], bool] | str:
    if text is None:
        return lambda _: True
    found = _LICENSE_FILTER.fullmatch(text)
    if found is None:
        return f"Parameter 'filter' must be status:, payment_method: or purchase_later_than:, got {text[:60]!r}"
    name, value = found[1], found[2]
    if name == "status":
        return lambda record: record.status == value
    if name == "payment_method":
        return lambda record: record.payment_method == value
    if _DATE.fullmatch(value) is None:
        return "purchase_later_than takes a date as Y-m-d"
    moment = int(time.mktime(time.strptime(value, "%Y-%m-%d")))
    return lambda record: record.purchased_at > moment


async def management_licenses(fake: FakeAmino, call: Call) -> Response:
    """``GET /api/license/management/v4/licenses``: every license, 1000 a page, optionally filtered."""
    refused = operator_only(fake, call)
    if refused is not None:
        return refused
    page = _page_number(call)
    if isinstance(page, str):
        return bad_request(fake, page)
    accepts = _license_filter(call.request.query_params.get("filter"))
    if isinstance(accepts, str):
        return bad_request(fake, accepts)
    records = [record for user in fake.admin.licenses.values() for record in user if accepts(record)]
    start = (page - 1) * LICENSES_PAGE_SIZE
    data = [_license_resource(record) for record in records[start : start + LICENSES_PAGE_SIZE]]
    return answer(fake, 200, dumps({"data": data}))


# --- network permissions (rest/endpoints/config/network_restrictions.yml) -----------------------------------


def _network_permission(body: Any) -> dict[str, Any] | str:
    if not isinstance(body, dict):
        return "The body must be a NetworkPermission object"
    services = _services(body.get("services_enabled"))
    if services is None:
        return f"services_enabled must list services of {sorted(SERVICES)}"
    ip4, ip6 = body.get("ip4_cidr_block"), body.get("ip6_cidr_block")
    if (ip4 is None) == (ip6 is None):
        return "Give exactly one of ip4_cidr_block and ip6_cidr_block"
    block = ip4 if ip4 is not None else ip6
    if not isinstance(block, str) or "/" not in block or len(block) > 64:
        return "A CIDR block looks like 10.2.3.41/24 or 2001:db8::/43"
    key = "ip4_cidr_block" if ip4 is not None else "ip6_cidr_block"
    return {key: block, "services_enabled": services}


async def index_network_permissions(fake: FakeAmino, call: Call) -> Response:
    """``GET /api/config/v1/network_permissions``."""
    refused = operator_only(fake, call)
    if refused is not None:
        return refused
    data = [
        {"type": "NetworkPermission", "id": ident, "attributes": attributes}
        for ident, attributes in fake.admin.network_permissions.items()
    ]
    return answer(fake, 200, dumps({"data": data}))


async def create_network_permission(fake: FakeAmino, call: Call) -> Response:
    """``POST /api/config/v1/network_permissions``: 201 (no id in the answer)."""
    refused = operator_only(fake, call)
    if refused is not None:
        return refused
    permission = _network_permission(await _json_body(call))
    if isinstance(permission, str):
        return bad_request(fake, permission)
    fake.admin.network_permissions[fake.admin.new_id()] = permission
    return _text(fake, 201, "CREATED")


def _known_permission(fake: FakeAmino, call: Call) -> str | Response:
    ident = call.params["network_permission_id"]
    if ident not in fake.admin.network_permissions:
        return _not_found(fake, "No such network permission")
    return ident


async def update_network_permission(fake: FakeAmino, call: Call) -> Response:
    """``PUT /api/config/v1/network_permissions/{network_permission_id}``: 204."""
    refused = operator_only(fake, call)
    if refused is not None:
        return refused
    ident = _known_permission(fake, call)
    if isinstance(ident, Response):
        return ident
    permission = _network_permission(await _json_body(call))
    if isinstance(permission, str):
        return bad_request(fake, permission)
    fake.admin.network_permissions[ident] = permission
    return answer(fake, 204, b"", media_type=None)


async def delete_network_permission(fake: FakeAmino, call: Call) -> Response:
    """``DELETE /api/config/v1/network_permissions/{network_permission_id}``: 204; its channel links go too."""
    refused = operator_only(fake, call)
    if refused is not None:
        return refused
    ident = _known_permission(fake, call)
    if isinstance(ident, Response):
        return ident
    del fake.admin.network_permissions[ident]
    for linked in fake.admin.channel_permissions.values():
        if ident in linked:
            linked.remove(ident)
    return answer(fake, 204, b"", media_type=None)


async def link_network_permissions(fake: FakeAmino, call: Call) -> Response:
    """``POST /api/config/v1/channels/{channel_id}/relationships/network_permissions``: 201."""
    refused = operator_only(fake, call)
    if refused is not None:
        return refused
    channel_id = call.params["channel_id"]
    if not _channel_exists(fake, channel_id):
        return _not_found(fake, "No such channel")
    body = await _json_body(call)
    data = body.get("data") if isinstance(body, dict) else None
    if (
        not isinstance(data, list)
        or not data
        or not all(
            isinstance(item, dict) and item.get("type") == "NetworkPermission" and isinstance(item.get("id"), str)
            for item in data
        )
    ):
        return bad_request(fake, "The body must be {data: [{type: NetworkPermission, id}]}")
    ids = [item["id"] for item in data]
    unknown = [ident for ident in ids if ident not in fake.admin.network_permissions]
    if unknown:
        return _not_found(fake, "No such network permission")
    linked = fake.admin.channel_permissions.setdefault(channel_id, [])
    linked.extend(ident for ident in dict.fromkeys(ids) if ident not in linked)
    return _text(fake, 201, "CREATED")


async def unlink_network_permission(fake: FakeAmino, call: Call) -> Response:
    """``DELETE .../channels/{channel_id}/relationships/network_permissions/{network_permission_id}``: 204."""
    refused = operator_only(fake, call)
    if refused is not None:
        return refused
    linked = fake.admin.channel_permissions.get(call.params["channel_id"], [])
    ident = call.params["network_permission_id"]
    if ident not in linked:
        return _not_found(fake, "The channel is not linked to this network permission")
    linked.remove(ident)
    return answer(fake, 204, b"", media_type=None)


# --- Irdeto entitlements (rest/endpoints/irdeto/irdeto.yml) -------------------------------------------------


def _entitlement(body: Any) -> dict[str, Any] | str:
    dvb = body.get("dvb") if isinstance(body, dict) else None
    if not isinstance(dvb, list) or not dvb:
        return "The body must be an IrdetoEntitlementEntity with a non-empty dvb array"
    for index, entry in enumerate(dvb):
        triplet = entry.get("triplet") if isinstance(entry, dict) else None
        if not isinstance(triplet, dict) or not isinstance(triplet.get("original_network_id"), int):
            return f"dvb[{index}].triplet needs original_network_id, transport_stream_id and service_id"
        if not isinstance(triplet.get("transport_stream_id"), int) or not isinstance(triplet.get("service_id"), str):
            return f"dvb[{index}].triplet needs original_network_id, transport_stream_id and service_id"
    return dict(body)


async def create_entitlement(fake: FakeAmino, call: Call) -> Response:
    """``POST /api/irdeto/v1/user/{user_id}/device/{device_id}/entitlements``: 201 (replaces an earlier one)."""
    user = admin_user(fake, call)
    if isinstance(user, Response):
        return user
    entitlement = _entitlement(await _json_body(call))
    if isinstance(entitlement, str):
        return bad_request(fake, entitlement)
    fake.admin.entitlements[(user.user_id, call.params["device_id"])] = entitlement
    return _text(fake, 201, "OK")


async def delete_entitlement(fake: FakeAmino, call: Call) -> Response:
    """``DELETE /api/irdeto/v1/user/{user_id}/device/{device_id}/entitlements``: 200; 404 when not entitled."""
    user = admin_user(fake, call)
    if isinstance(user, Response):
        return user
    if fake.admin.entitlements.pop((user.user_id, call.params["device_id"]), None) is None:
        return _not_found(fake, "The device is not entitled")
    return _text(fake, 200, "OK")


# --- the legacy BSS user management (legacy/endpoints/user_management_bss/user_management.yml) --------------


def legacy_error(fake: FakeAmino, status: int, code: int, text: str) -> Response:
    """An error in the legacy API's shape, ``{"error": {"code", "text"}}``."""
    return answer(fake, status, dumps({"error": {"code": code, "text": text}}))


def _bss_user(fake: FakeAmino, call: Call, params: Mapping[str, str]) -> FakeUser | Response:
    refused = operator_only(fake, call)
    if refused is not None:
        return refused
    if not params.get("service"):
        return legacy_error(fake, 400, 2000, "Parameter 'service' is required")
    email = params.get("email")
    if not email:
        return legacy_error(fake, 400, 2000, "Parameter 'email' is required")
    user = fake.accounts.by_email(fake.directory, email)
    return user if user is not None else legacy_error(fake, 404, 2004, "No user with this e-mail address")


def _cid_taken(fake: FakeAmino, cid: str, other_than: str | None = None) -> bool:
    return any(account.cid == cid and account.user_id != other_than for account in fake.accounts.records.values())


async def bss_create_user(fake: FakeAmino, call: Call) -> Response:
    """``POST /api/management/user``: a new account in state UNREGISTERED, or a deleted one restored."""
    refused = operator_only(fake, call)
    if refused is not None:
        return refused
    params = call.request.query_params
    email, cid, pin = params.get("email"), params.get("cid"), params.get("purchase_pin")
    if not params.get("service") or not email or not cid or pin is None:
        return legacy_error(fake, 400, 2000, "Parameters service, email, cid and purchase_pin are required")
    if _PIN.fullmatch(pin) is None:
        return legacy_error(fake, 400, 2001, "purchase_pin must be 4 digits")
    existing = fake.accounts.by_email(fake.directory, email)
    if existing is not None:
        account = fake.accounts.of(existing)
        if account.state != "DELETED":
            return legacy_error(fake, 400, 2002, "A user with this e-mail address exists")
        account.state, account.previous_state = account.previous_state or "UNREGISTERED", "DELETED"
        return _text(fake, 200, "CREATED")
    if _cid_taken(fake, cid):
        return legacy_error(fake, 400, 2003, "The customer id belongs to another user")
    user = fake.add_user(email, secrets.token_urlsafe(12))
    account = fake.accounts.of(user)
    account.state, account.cid, account.purchase_pin = "UNREGISTERED", cid, pin
    account.dob = params.get("dob")
    return _text(fake, 200, "CREATED")


async def bss_edit_user(fake: FakeAmino, call: Call) -> Response:
    """``PUT /api/management/user``: suspend or activate an account, change its e-mail, customer id or PIN."""
    params = call.request.query_params
    user = _bss_user(fake, call, params)
    if isinstance(user, Response):
        return user
    account = fake.accounts.of(user)
    action, pin = params.get("action"), params.get("purchase_pin")
    if action not in ("SUSPEND", "ACTIVATE") or pin is None or _PIN.fullmatch(pin) is None:
        return legacy_error(fake, 400, 2000, "action (SUSPEND or ACTIVATE) and a 4-digit purchase_pin are required")
    if account.state == "DELETED":
        return legacy_error(fake, 400, 2005, "A deleted user is not updated")
    new_email, cid = params.get("new_email"), params.get("cid")
    if (
        new_email is not None
        and new_email != account.email
        and fake.accounts.by_email(fake.directory, new_email) is not None
    ):
        return legacy_error(fake, 400, 2002, "A user with this e-mail address exists")
    if cid is not None and _cid_taken(fake, cid, account.user_id):
        return legacy_error(fake, 400, 2003, "The customer id belongs to another user")
    if new_email is not None:
        fake.accounts.set_email(account, new_email)
    if cid is not None:
        account.cid = cid
    account.purchase_pin = pin
    if action == "SUSPEND" and account.state != "DISABLED":
        account.previous_state, account.state = account.state, "DISABLED"
    elif action == "ACTIVATE":
        restored = account.previous_state if account.state == "DISABLED" else "REGISTERED"
        account.previous_state, account.state = account.state, restored or "UNREGISTERED"
    return _text(fake, 200, "OK")


async def bss_delete_user(fake: FakeAmino, call: Call) -> Response:
    """``DELETE /api/management/user?suspend=true``: the account's state becomes DELETED."""
    params = call.request.query_params
    user = _bss_user(fake, call, params)
    if isinstance(user, Response):
        return user
    if params.get("suspend") != "true":
        return legacy_error(fake, 400, 2000, "Parameter 'suspend' must be 'true'")
    account = fake.accounts.of(user)
    if account.state == "DELETED":
        return legacy_error(fake, 400, 2005, "The user is deleted already")
    account.previous_state, account.state = account.state, "DELETED"
    return _text(fake, 200, "OK")


async def link_stb(fake: FakeAmino, call: Call) -> Response:
    """``POST /api/management/stb/link_user`` (a form): the box becomes the user's, and a recording device."""
    refused = operator_only(fake, call)
    if refused is not None:
        return refused
    form = dict(parse_qsl((await call.request.body()).decode("latin-1"), keep_blank_values=True))
    serial, email = form.get("serial_no"), form.get("email")
    if not serial or not email:
        return legacy_error(fake, 400, 2000, "serial_no and email are required")
    user = fake.accounts.by_email(fake.directory, email)
    if user is None:
        return legacy_error(fake, 404, 2004, "No user with this e-mail address")
    linked = fake.admin.set_top_boxes.get(serial)
    if linked is not None and linked[1] != user.user_id:
        return legacy_error(fake, 400, 2006, "The set-top box belongs to another user")
    link_id = linked[0] if linked is not None else fake.admin.new_id()
    fake.admin.set_top_boxes[serial] = (link_id, user.user_id)
    body = {"id": link_id, "serialNo": serial, "user": {"id": user.user_id, "email": fake.accounts.of(user).email}}
    return answer(fake, 200, dumps(body))


# --- loginService (legacy/endpoints/login/login.yml) --------------------------------------------------------


async def login_service(fake: FakeAmino, call: Call) -> Response:
    """``POST /auth/service``: a service account's Digest parameters (form field ``authParams``, realm
    "service") for a session cookie. Without them, 401 and the challenge to answer."""
    form = dict(parse_qsl((await call.request.body()).decode("latin-1"), keep_blank_values=True))
    params = form.get("authParams")
    if not params:
        return _service_refusal(fake, "no_service_digest", "Digest parameters of realm 'service' are required")
    method = form.get("requestMethod") or call.request.method
    uri = form.get("uri")
    path = unquote(urlsplit(uri).path) if uri else call.request.scope["path"]

    def password_of(username: str) -> str | None:
        found = fake.directory.resolve(username)
        return found.password if found is not None and found.operator else None

    username = fake.admin.digest.verify(params, method, path, password_of)
    service_user = form.get("serviceUser")
    if username is None or (service_user and fake.directory.resolve(service_user) != fake.directory.resolve(username)):
        return _service_refusal(fake, "bad_service_digest", "Invalid service credentials")
    user = fake.directory.resolve(username)
    assert user is not None
    fake.stats.grants["service"] += 1
    session = fake.token_book.new_session(user)
    return _text(fake, 200, "OK", {"set-cookie": f"{SESSION_COOKIE}={session}; Path=/; HttpOnly"})


def _service_refusal(fake: FakeAmino, reason: str, details: str) -> Response:
    fake.stats.token_refusals[reason] += 1
    body = entity_error("4AUTH03", "Unauthorized", details)
    return answer(fake, 401, body, {"www-authenticate": fake.admin.digest.challenge()})


# --- the route table -----------------------------------------------------------------------------------------

_USERS = "/api/users/v1"
_LICENSE = "/api/license/v1"
_SEGMENTS = f"{_USERS}/management/users/{{user_id}}/relationships/market_segments"
_FLAGS = f"{_USERS}/management/users/{{user_id}}/relationships/user_flags"
_PACKAGE = f"{_LICENSE}/user/{{user_id}}/relationships/license_packages/{{license_package_id}}"
_CHANNEL_LICENSES = f"{_LICENSE}/user/{{user_id}}/relationships/channel_licenses"
_PERMISSION = "/api/config/v1/network_permissions/{network_permission_id}"
_LINKS = "/api/config/v1/channels/{channel_id}/relationships/network_permissions"
_ENTITLEMENTS = "/api/irdeto/v1/user/{user_id}/device/{device_id}/entitlements"
_NOT_A_LIST = {"data": {"type": "User"}}

ROUTES: tuple[FakeRoute, ...] = (
    FakeRoute("admin_index_users", "GET", f"{_USERS}/users", index_users, data=True, malformed=_NOT_A_LIST),
    FakeRoute("admin_create_user", "POST", f"{_USERS}/users", create_user, data=True),
    FakeRoute("admin_get_market_segments", "GET", _SEGMENTS, get_market_segments, data=True, malformed=_NOT_A_LIST),
    FakeRoute("admin_set_market_segments", "PUT", _SEGMENTS, set_market_segments, data=True),
    FakeRoute("admin_add_user_flag", "PUT", _FLAGS, add_user_flag, data=True),
    FakeRoute("admin_delete_user_flag", "DELETE", _FLAGS, delete_user_flag, data=True),
    FakeRoute("admin_license_packages", "GET", f"{_LICENSE}/license_packages", license_packages, data=True),
    FakeRoute(
        "admin_license_templates",
        "GET",
        f"{_LICENSE}/license_packages/relationships/license_templates",
        license_templates,
        data=True,
    ),
    FakeRoute("admin_grant_package", "POST", _PACKAGE, grant_package, data=True),
    FakeRoute("admin_revoke_package", "DELETE", _PACKAGE, revoke_package, data=True),
    FakeRoute("admin_add_channel_licenses", "POST", _CHANNEL_LICENSES, add_channel_licenses, data=True),
    FakeRoute(
        "admin_delete_channel_license",
        "DELETE",
        f"{_CHANNEL_LICENSES}/{{channel_license_id}}",
        delete_channel_license,
        data=True,
    ),
    # Two files (channel_license.yml, user_licenses.yml) document this one operation: one route.
    FakeRoute("admin_channel_licenses", "GET", _CHANNEL_LICENSES, user_channel_licenses, data=True),
    FakeRoute(
        "admin_recording_devices",
        "GET",
        f"{_LICENSE}/users/{{user_id}}/recording_devices",
        recording_devices,
        data=True,
    ),
    FakeRoute("admin_create_license", "POST", "/api/license/v4/users/{user_id}", create_license, data=True),
    FakeRoute(
        "admin_licenses",
        "GET",
        "/api/license/management/v4/licenses",
        management_licenses,
        data=True,
        malformed={"data": [{"type": "License"}]},
    ),
    FakeRoute(
        "admin_network_permissions", "GET", "/api/config/v1/network_permissions", index_network_permissions, data=True
    ),
    FakeRoute(
        "admin_create_network_permission",
        "POST",
        "/api/config/v1/network_permissions",
        create_network_permission,
        data=True,
    ),
    FakeRoute("admin_update_network_permission", "PUT", _PERMISSION, update_network_permission, data=True),
    FakeRoute("admin_delete_network_permission", "DELETE", _PERMISSION, delete_network_permission, data=True),
    FakeRoute("admin_link_network_permissions", "POST", _LINKS, link_network_permissions, data=True),
    FakeRoute(
        "admin_unlink_network_permission",
        "DELETE",
        f"{_LINKS}/{{network_permission_id}}",
        unlink_network_permission,
        data=True,
    ),
    FakeRoute("admin_create_entitlement", "POST", _ENTITLEMENTS, create_entitlement, data=True),
    FakeRoute("admin_delete_entitlement", "DELETE", _ENTITLEMENTS, delete_entitlement, data=True),
    FakeRoute("admin_bss_create_user", "POST", "/api/management/user", bss_create_user, data=True),
    FakeRoute("admin_bss_edit_user", "PUT", "/api/management/user", bss_edit_user, data=True),
    FakeRoute("admin_bss_delete_user", "DELETE", "/api/management/user", bss_delete_user, data=True),
    FakeRoute(
        "admin_link_stb", "POST", "/api/management/stb/link_user", link_stb, data=True, malformed={"serialNo": 1}
    ),
    FakeRoute("login_service", "POST", "/auth/service", login_service, data=False),
)
