"""The API areas FakeAmino serves, one module each; ``ROUTES`` below is the fake's whole route table.

The core (``_app``) does what every route shares: faults, counters, the bearer check of data routes,
``data_delay``/``token_delay``, 404 and 405. An area module holds only its operations. To add one,
named as the SDK's ``models/`` and ``resources/`` name the area (``recordings.py``):

1. Handlers, plain functions ``async def create_recording(fake: FakeAmino, call: Call) -> Response``.
   ``call.params["user_profile_id"]`` is a path parameter, decoded, named as in the template;
   ``call.request`` has the query and body; ``call.user`` and ``call.profile`` are the bearer's (data
   routes only); ``call.origin`` starts absolute links. Answer through ``_responses``: ``answer`` (it
   sets the fake's ``Date``), ``dumps``, and the error body in the shape the OpenAPI file documents.

2. ``ROUTES: tuple[FakeRoute, ...]``, one ``FakeRoute(name, method, template, handler, data=True)`` an
   operation. ``template`` is the whole path as the file spells it, prefix included
   (``/api/recordings/v4/user_profiles/{user_profile_id}/recordings/{recording_id}``). ``name`` is the
   operation's key in ``fake.stats.calls``, snake_case and unique in the fake. ``malformed=`` gives the
   body of a ``kind="malformed"`` fault. One path may carry several routes, one per method; two files
   documenting one operation (``GET /api/users/v1/users/{user_id_or_email}`` is in two) make one route.
   Then add the module's ``ROUTES`` to ``ROUTES`` here; the router refuses, at import, a name or a
   method and path served twice.

3. State, where the area writes: a class in the module (``Recordings``) that keeps it per user id and
   per profile id, so that one user's calls never see another's, with a ``reset()``. ``FakeAmino``
   creates it in ``__init__`` as a public attribute (``self.recordings = recordings.Recordings()``),
   which tests read and reset (``fake.recordings.reset()``); the logic stays in the area, so
   ``FakeAmino`` stays small. Seed new state from the deterministic catalogue (``fake.catalogue_ids``,
   ``fake.channel_count``) so that ids agree with the rest of the fake. What two areas both serve is
   kept once: a user's account record (name, contact details, flags, market segments, registration)
   is ``fake.accounts`` (``_accounts.Accounts``), which the users and the admin areas read and write.

4. Refusals as the file documents them: its error shape and status for a bad parameter or body
   (``bad_request`` for the common 400), 404 for an id that does not exist (``not_found_error`` or the
   file's own shape), and ``not_yours`` (403) for a ``{user_id}`` that is not the bearer's
   (``users.owned_user``), and the same for a ``{user_profile_id}`` (``users.owned_profile``).

5. Tests in ``tests/testing/test_fake_<area>.py``, asyncio and trio: what the fake answered and stored.
"""

from __future__ import annotations

from .._routing import FakeRoute
from . import admin, auth, catalogue, commerce, legacy, media, playback, recordings, schedule, users

ROUTES: tuple[FakeRoute, ...] = (*auth.ROUTES, *catalogue.ROUTES, *media.ROUTES, *users.ROUTES)
ROUTES += recordings.ROUTES
ROUTES += (*schedule.ROUTES, *playback.ROUTES, *commerce.ROUTES)
ROUTES += (*admin.ROUTES, *legacy.ROUTES)
