"""Property-based contract tests: Schemathesis drives every operation of the OpenAPI document
against the app in-process (ASGI), once per role, and checks each response against it.

- A run per role (participant; clinician with an assigned participant; admin; an integration
  the participant consents to, with a client credentials token) covers every operation
  with the examples, coverage and fuzzing phases. The coverage phase, whose cases
  do not depend on the caller, runs where the operation belongs to the role (for another
  role's operations every case is the same `403`); the examples and fuzzing phases run on
  all of them.
- Each role's run keeps one token for the whole run, so the operations that end the
  caller's own session or account (sign-out, password change, erasure) are left out of it;
  `test_fuzz_session_ending_operations` fuzzes them with a fresh account for every case.
- `POST /v1/auth/token` is not fuzzed: its throttle would lock the test accounts out; it has
  its own tests (tests/test_auth_sign_in.py).

Nothing is silenced: the few checks that are relaxed, and why, are in docs/integrating.md
("Relaxed checks").
"""

import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from importlib import resources
from typing import TYPE_CHECKING, Any, TypeVar, cast

import anyio.from_thread
import pytest
import schemathesis
from fastapi import FastAPI
from hypothesis import strategies as st
from pydantic import SecretStr
from schemathesis import BaseSchema, CheckContext, Response
from schemathesis.checks import not_a_server_error
from schemathesis.config import SchemathesisConfig
from schemathesis.python import asgi as schemathesis_asgi
from schemathesis.specs.openapi import checks
from schemathesis.specs.openapi.schemas import OpenApiSchema
from sqlalchemy import insert

from app.access import own_scope
from app.auth.client_tokens import (
    SCOPES,
    client_secret_hash,
    create_client_token,
    new_client_secret,
)
from app.auth.identity import Identity, SignedInUser
from app.auth.models import IntegrationClient, IntegrationConsent
from app.auth.service import start_session
from app.care.models import CareAssignment
from app.config import Settings
from app.journal.schemas import EntryCreate
from app.journal.service import create_entry
from app.main import create_app
from app.users.models import Role, User
from app.users.schemas import TIME_ZONE_FORMAT
from tests.conftest import SECRET_KEY, Account, Accounts, _empty_database

if TYPE_CHECKING:
    from requests.structures import CaseInsensitiveDict
    from schemathesis.specs.openapi.schemas import OpenApiCase

# Fuzzing-phase cases per operation: on the role's own operations, and on the others (403).
FUZZ_EXAMPLES = 20
FOREIGN_FUZZ_EXAMPLES = 5
# Operations that end the caller's session or account: fuzzed with a fresh account per case.
SESSION_ENDING = ("signOut", "changeMyPassword", "deleteMyAccount")
# Throttled by failed attempts; covered by tests/test_auth_sign_in.py.
NOT_FUZZED = ("signIn",)
ALL_TAGS = ("auth", "me", "journal", "clinician", "admin", "integrations", "fhir", "operations")
# Known before collection, so that runs can be pinned to them: the clinician's to the
# participant assigned to them, the admin's to a participant account of its own to manage.
ASSIGNED_PARTICIPANT_ID = uuid.uuid4()
MANAGED_PARTICIPANT_ID = uuid.uuid4()

# The document declares time zones as `format: iana-time-zone`: teach the generator the names.
TIME_ZONES = sorted((resources.files("tzdata") / "zones").read_text().split())
schemathesis.openapi.format(TIME_ZONE_FORMAT, st.sampled_from(TIME_ZONES))

# ---------------------------------------------------------------------------------------------
# Checks. Two are narrowed; each exception is listed in docs/integrating.md ("Relaxed checks").

# 422s that schema-valid requests get by design: rules that depend on what is stored, or that
# span several fields, which JSON Schema cannot express. Each is in the operation's text.
STATE_RULES = frozenset(
    {
        ("query.cursor", "bad-cursor"),  # a cursor is one the server issued
        ("query.from", "bad-range"),  # `from` after `to`
        ("query.until", "invalid-range"),  # `until` not after `since`
        ("body.recorded_at", "datetime_in_future"),  # more than 5 minutes ahead of now
        ("body.completed_at", "datetime_in_future"),  # an assessment, likewise
        ("body.occurred_at", "datetime_in_future"),  # an experience report, likewise
        ("body.reviewed_through", "in-future"),  # a review mark more than a minute ahead
        ("body.current_password", "wrong-password"),  # not the account's password
        ("body.new_password", "password-too-short"),
        ("body.new_password", "password-too-weak"),
        ("body.clinician_id", "not-an-active-clinician"),
        ("body.rules", "duplicate-key"),  # each rule's key once in a set
    }
)
# Rules that depend on another field (the instrument named: its top total, its items and
# options, its version), by code.
CROSS_FIELD_RULES = frozenset(
    {
        "min-total-above-scale",
        "wrong-number-of-answers",
        "answer-not-an-option",
        "unknown-instrument-version",
    }
)
# `format: email` allows addresses the server refuses as undeliverable: special-use domains
# (.test, .localhost, ...), quoted local parts, IP-address domains.
UNDELIVERABLE_EMAIL = "value is not a valid email address"


def _only_state_rules(response: Response) -> bool:
    try:
        errors = response.json().get("errors") or []
    except ValueError:
        return False
    return bool(errors) and all(
        (error["field"], error["code"]) in STATE_RULES
        or error["code"] in CROSS_FIELD_RULES
        or (error["field"] == "body.email" and error["message"].startswith(UNDELIVERABLE_EMAIL))
        for error in errors
    )


def positive_data_acceptance_but_state_rules(
    ctx: CheckContext, response: Response, case: "OpenApiCase"
) -> bool | None:
    """`positive_data_acceptance`, except for a stale `If-Match` (412) and STATE_RULES."""
    if response.status_code == 412 or (response.status_code == 422 and _only_state_rules(response)):
        return None
    return checks.positive_data_acceptance(ctx, response, case)


# `PATCH`/`DELETE /v1/me/entries/changes` reach `/v1/me/entries/{entry_id}` with the id
# "changes", which is not a UUID: 422 instead of 405.
SHADOWED = {("GET /v1/me/entries/changes", "PATCH"), ("GET /v1/me/entries/changes", "DELETE")}


def unsupported_method_but_shadowed_paths(
    ctx: CheckContext, response: Response, case: "OpenApiCase"
) -> bool | None:
    """`unsupported_method`, except for a path that another route's template also matches."""
    if (case.operation.label, response.request.method) in SHADOWED and response.status_code == 422:
        return None
    return checks.unsupported_method(ctx, response, case)


CHECKS = [
    not_a_server_error,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_schema_conformance,
    checks.response_headers_conformance,
    checks.negative_data_rejection,
    positive_data_acceptance_but_state_rules,
    checks.ignored_auth,
    unsupported_method_but_shadowed_paths,
]


def fuzz_config(own_tags: tuple[str, ...], **parameters: str) -> SchemathesisConfig:
    """All phases but stateful; NUL bytes allowed in generated strings; no example database
    (nothing written to the work tree)."""
    data: dict[str, Any] = {
        "generation": {"allow-x00": True, "database": "none"},
        "phases": {
            "examples": {"enabled": True},
            "coverage": {"enabled": True},
            "fuzzing": {"enabled": True, "generation": {"max-examples": FUZZ_EXAMPLES}},
            "stateful": {"enabled": False},
        },
    }
    foreign_tags = [tag for tag in ALL_TAGS if tag not in own_tags]
    if foreign_tags:
        data["operations"] = [
            {
                "include-tag": foreign_tags,
                "phases": {
                    "coverage": {"enabled": False},
                    "fuzzing": {"generation": {"max-examples": FOREIGN_FUZZ_EXAMPLES}},
                },
            }
        ]
    if parameters:
        data["parameters"] = parameters
    return SchemathesisConfig.from_dict(data)


def load_schema(own_tags: tuple[str, ...], **parameters: str) -> OpenApiSchema:
    """The document of an app built as the one under test is (building needs no database)."""
    document = create_app(Settings(secret_key=SecretStr(SECRET_KEY))).openapi()
    config = fuzz_config(own_tags, **parameters)
    return schemathesis.openapi.from_dict(document, config=config)


PARTICIPANT_TAGS = ("auth", "me", "journal", "operations")
participant_schema = load_schema(PARTICIPANT_TAGS).exclude(
    operation_id=[*SESSION_ENDING, *NOT_FUZZED]
)
# Pinned to the assigned participant, so that the clinician's routes answer with data.
clinician_schema = load_schema(("clinician",), participant_id=str(ASSIGNED_PARTICIPANT_ID)).exclude(
    operation_id=[*SESSION_ENDING, *NOT_FUZZED]
)
# Pinned to a participant account that exists, so that the admin's routes answer with data
# (deactivating or renaming it is harmless: nothing else uses it).
admin_schema = load_schema(
    ("admin",), user_id=str(MANAGED_PARTICIPANT_ID), participant_id=str(MANAGED_PARTICIPANT_ID)
).exclude(operation_id=[*SESSION_ENDING, *NOT_FUZZED])
# With a client credentials token of an integration the assigned participant consents to.
integration_schema = load_schema(
    ("integrations", "fhir"), participant_id=str(ASSIGNED_PARTICIPANT_ID)
).exclude(operation_id=[*SESSION_ENDING, *NOT_FUZZED])
# (`include` is ignored on a schema whose config has `operations`: schemathesis 4.32.)
session_ending_schema = load_schema(ALL_TAGS).include(operation_id=list(SESSION_ENDING))

# ---------------------------------------------------------------------------------------------
# The clinic the runs work in.


@dataclass
class Clinic:
    participant: Account
    clinician: Account
    admin: Account
    accounts: Accounts
    portal: anyio.from_thread.BlockingPortal
    integration: dict[str, str]  # a consented integration's token, every scope

    def make(self, role: Role) -> Account:
        """A fresh, signed-in account (straight in the database: no Argon2 time)."""
        account: Account = self.portal.call(self.accounts.make, role)
        return account


async def make_participant(app: FastAPI, password_hash: str, user_id: uuid.UUID) -> Account:
    """A participant with a known id, signed in, with a few entries."""
    now = datetime.now(UTC)
    async with app.state.sessionmaker() as session, session.begin():
        user = User(
            id=user_id,
            email=f"participant-{user_id.hex[:10]}@example.org",
            role=Role.participant,
            display_name="Sam",
            timezone="Europe/Berlin",
            is_active=True,
            password_hash=password_hash,
            created_at=now,
            updated_at=now,
        )
        session.add(user)
        await session.flush()
        pair = await start_session(session, app.state.settings, user, now)
        scope = own_scope(Identity(SignedInUser.of(user), uuid.uuid4(), request_id=None))
        for days_ago in (1, 3, 10, 20):
            entry = EntryCreate(
                recorded_at=now - timedelta(days=days_ago),
                mood=days_ago % 11,
                focus=5,
                anxiety=3,
                tags=["walk"],
            )
            await create_entry(session, scope, entry)
    return Account(user.id, user.email, user.role, pair.access_token, pair.refresh_token)


async def make_integration(app: FastAPI, participant_id: uuid.UUID) -> dict[str, str]:
    """An integration client with every scope that the participant consents to, and the
    headers of a token of it."""
    now = datetime.now(UTC)
    client = IntegrationClient(
        id=uuid.uuid4(),
        name="Fuzzing EHR",
        description="",
        scopes=" ".join(SCOPES),
        secret_hash=client_secret_hash(new_client_secret()),
        secret_version=1,
        is_active=True,
        created_at=now,
        updated_at=now,
    )
    async with app.state.sessionmaker() as session, session.begin():
        session.add(client)
        await session.flush()
        session.add(
            IntegrationConsent(
                participant_id=participant_id, integration_id=client.id, consented_at=now
            )
        )
    token = create_client_token(app.state.settings, client, list(SCOPES), now)
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture(scope="module")
def fuzz_settings(database_url: str) -> Settings:
    return Settings(database_url=database_url, secret_key=SecretStr(SECRET_KEY), db_pool_size=5)


@pytest.fixture(scope="module")
def clinic(fuzz_settings: Settings, password_hash: str) -> Iterator[Clinic]:
    """An emptied database with a participant (with entries), the clinician assigned to them,
    an admin and a participant for the admin to manage. A helper app on its own event loop
    makes more accounts during the run."""
    helper = create_app(fuzz_settings)
    with anyio.from_thread.start_blocking_portal() as portal:
        lifespan = portal.wrap_async_context_manager(helper.router.lifespan_context(helper))
        with lifespan:
            accounts = Accounts(helper, password_hash)

            async def seed() -> Clinic:
                await _empty_database(helper)
                participant = await make_participant(helper, password_hash, ASSIGNED_PARTICIPANT_ID)
                await make_participant(helper, password_hash, MANAGED_PARTICIPANT_ID)
                clinician = await accounts.make(Role.clinician)
                admin = await accounts.make(Role.admin)
                assignment = {
                    "id": uuid.uuid4(),
                    "participant_id": participant.id,
                    "clinician_id": clinician.id,
                    "started_at": datetime.now(UTC) - timedelta(days=40),
                    "assigned_by": admin.id,
                }
                await accounts.execute(insert(CareAssignment), assignment)
                integration = await make_integration(helper, participant.id)
                return Clinic(participant, clinician, admin, accounts, portal, integration)

            yield portal.call(seed)


@pytest.fixture(scope="module")
def fuzz_app(fuzz_settings: Settings, clinic: Clinic) -> Iterator[FastAPI]:
    """The app under test. Schemathesis runs it, and its lifespan, on an event loop of its own;
    the lifespan (and so the database engine) is shut down after the module."""
    app = create_app(fuzz_settings)
    yield app
    schemathesis_asgi.shutdown_lifespans()


# ---------------------------------------------------------------------------------------------
# The runs.


def as_a_client_sends(case: "OpenApiCase") -> "OpenApiCase":
    """Schemathesis sends the `null` branch of an optional header as the text "null"; a
    client that has no value sends no header, so that is what is sent instead."""
    if case.headers:
        # A plain dict, as ever: schemathesis reads the headers as a mapping.
        kept = {k: v for k, v in case.headers.items() if v != "null"}
        case.headers = cast("CaseInsensitiveDict[Any]", kept)
    return case


FuzzTest = TypeVar("FuzzTest", bound=Callable[..., None])


def parametrize(schema: BaseSchema) -> Callable[[FuzzTest], FuzzTest]:
    """`schema.parametrize()`, typed: schemathesis declares it a bare `Callable`."""
    return cast(Callable[[FuzzTest], FuzzTest], schema.parametrize())


@parametrize(participant_schema)
def test_fuzz_as_participant(case: "OpenApiCase", fuzz_app: FastAPI, clinic: Clinic) -> None:
    as_a_client_sends(case).call_and_validate(
        app=fuzz_app, headers=clinic.participant.headers, checks=CHECKS
    )


@parametrize(clinician_schema)
def test_fuzz_as_clinician_with_an_assigned_participant(
    case: "OpenApiCase", fuzz_app: FastAPI, clinic: Clinic
) -> None:
    as_a_client_sends(case).call_and_validate(
        app=fuzz_app, headers=clinic.clinician.headers, checks=CHECKS
    )


@parametrize(admin_schema)
def test_fuzz_as_admin(case: "OpenApiCase", fuzz_app: FastAPI, clinic: Clinic) -> None:
    as_a_client_sends(case).call_and_validate(
        app=fuzz_app, headers=clinic.admin.headers, checks=CHECKS
    )


@parametrize(integration_schema)
def test_fuzz_as_integration(case: "OpenApiCase", fuzz_app: FastAPI, clinic: Clinic) -> None:
    as_a_client_sends(case).call_and_validate(
        app=fuzz_app, headers=clinic.integration, checks=CHECKS
    )


@parametrize(session_ending_schema)
def test_fuzz_session_ending_operations(
    case: "OpenApiCase", fuzz_app: FastAPI, clinic: Clinic
) -> None:
    account = clinic.make(Role.participant)
    as_a_client_sends(case).call_and_validate(app=fuzz_app, headers=account.headers, checks=CHECKS)
