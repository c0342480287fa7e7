"""The published contract is enough to build a client: a Python client generated from
docs/openapi.json by openapi-python-client runs the main flow of the product against the app,
with no hand-written HTTP.

    openapi-python-client generate --path docs/openapi.json --output-path <dir> --meta none
"""

import importlib
import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from types import ModuleType
from typing import Any
from uuid import UUID, uuid4

import httpx
import pytest
from fastapi import FastAPI

from app.users.models import Role
from tests.conftest import TEST_PASSWORD, Accounts

ROOT = Path(__file__).resolve().parent.parent
SNAPSHOT = ROOT / "docs" / "openapi.json"
PACKAGE = "wellbeing_journal_client"
CLINICIAN_PASSPHRASE = "a quiet walk along the river at dawn"
PARTICIPANT_PASSPHRASE = "seven lanterns drift over the harbour"


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ModuleType]:
    """The client package, generated from the committed document and imported."""
    pytest.importorskip(
        "openapi_python_client", reason="openapi-python-client is not installed (dev extra)"
    )
    root = tmp_path_factory.mktemp("client")
    # The generator formats its output with ruff: find the one installed next to this Python.
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    command = [sys.executable, "-m", "openapi_python_client", "generate"]
    options = ["--path", str(SNAPSHOT), "--output-path", str(root / PACKAGE), "--meta", "none"]
    result = subprocess.run(
        [*command, *options], capture_output=True, text=True, env=env, timeout=120, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Warning" not in result.stdout + result.stderr, result.stdout + result.stderr
    sys.path.insert(0, str(root))
    try:
        yield importlib.import_module(PACKAGE)
    finally:
        sys.path.remove(str(root))
        for name in [name for name in sys.modules if name.split(".")[0] == PACKAGE]:
            del sys.modules[name]


class Api:
    """The generated package, as an integrator imports it: `api.models`, `api.client`, and
    `api.op("admin", "create_user")` for `wellbeing_journal_client.api.admin.create_user`."""

    def __init__(self, package: ModuleType) -> None:
        self.models = importlib.import_module(f"{package.__name__}.models")
        self.client = importlib.import_module(f"{package.__name__}.client")
        self.package = package.__name__

    def op(self, tag: str, operation: str) -> Any:
        return importlib.import_module(f"{self.package}.api.{tag}.{operation}")


def recorded(hours_ago: float) -> datetime:
    """A time in the past, with the participant's own offset (UTC+1)."""
    return (datetime.now(UTC) - timedelta(hours=hours_ago)).astimezone(timezone(timedelta(hours=1)))


async def test_generated_client_runs_the_main_flow(
    generated: ModuleType, app: FastAPI, accounts: Accounts
) -> None:
    api = Api(generated)
    models = api.models
    admin_account = await accounts.make(Role.admin)
    transport = httpx.ASGITransport(app=app)

    def signed_in(token: str) -> Any:
        return api.client.AuthenticatedClient(
            base_url="http://testserver", token=token, httpx_args={"transport": transport}
        )

    anonymous = api.client.Client(base_url="http://testserver", httpx_args={"transport": transport})
    async with signed_in(admin_account.access_token) as admin, anonymous:
        # The admin creates a clinician and a participant; each gets a one-time code.
        created = {}
        for role, name, zone in [
            (models.Role.CLINICIAN, "Dr. Ada Okafor", "Europe/London"),
            (models.Role.PARTICIPANT, "Sam", "Europe/Berlin"),
        ]:
            body = models.UserCreate(
                email=f"{role.value}-{uuid4().hex[:8]}@example.org",
                role=role,
                display_name=name,
                timezone=zone,
            )
            response = await api.op("admin", "create_user").asyncio_detailed(
                client=admin, body=body
            )
            assert response.status_code == 201, response.content
            assert isinstance(response.parsed, models.UserCreated)
            user = response.parsed.user
            assert response.headers["location"] == f"/v1/admin/users/{user.id}"
            created[role.value] = response.parsed

        # Both activate with their code and a passphrase of their own; each is signed in.
        tokens = {}
        for role, passphrase in [
            ("clinician", CLINICIAN_PASSPHRASE),
            ("participant", PARTICIPANT_PASSPHRASE),
        ]:
            activation = models.ActivationRequest(
                email=created[role].user.email,
                activation_code=created[role].activation_code,
                password=passphrase,
            )
            pair = await api.op("auth", "activate_account").asyncio(
                client=anonymous, body=activation
            )
            assert isinstance(pair, models.TokenResponse), pair
            assert pair.token_type == "bearer"
            tokens[role] = pair.access_token

        participant_id: UUID = created["participant"].user.id
        clinician_id: UUID = created["clinician"].user.id
        assignment = await api.op("admin", "assign_clinician").asyncio(
            client=admin,
            participant_id=participant_id,
            body=models.AssignmentSet(clinician_id=clinician_id),
        )
        assert isinstance(assignment, models.AssignmentRead), assignment
        assert assignment.clinician_id == clinician_id

    async with signed_in(tokens["participant"]) as participant:
        # Three entries; the first with a client-made id, sent twice as an offline retry would.
        first_id = uuid4()
        entries = [
            models.EntryCreate(
                id=first_id,
                recorded_at=recorded(hours_ago=30),
                mood=4,
                focus=5,
                anxiety=6,
                note="Restless night.",
                tags=["sleep"],
            ),
            models.EntryCreate(
                recorded_at=recorded(hours_ago=20), mood=6, focus=6, anxiety=4, creativity=7
            ),
            models.EntryCreate(
                recorded_at=recorded(hours_ago=2),
                mood=8,
                focus=7,
                anxiety=2,
                connection=9,
                note="A long walk with friends.",
                note_shared=True,
                tags=["walk", "friends"],
            ),
        ]
        statuses = []
        for body in entries:
            response = await api.op("journal", "create_my_entry").asyncio_detailed(
                client=participant, body=body
            )
            assert isinstance(response.parsed, models.EntryCreated), response.content
            assert response.headers["etag"] == '"1"'
            statuses.append(response.status_code)
        retry = await api.op("journal", "create_my_entry").asyncio_detailed(
            client=participant, body=entries[0]
        )
        assert statuses == [201, 201, 201]
        assert retry.status_code == 200 and retry.parsed.id == first_id

        summary = await api.op("journal", "get_my_summary").asyncio(client=participant)
        assert isinstance(summary, models.Summary), summary
        assert summary.entries == 3
        assert (summary.mood.count, summary.mood.min_, summary.mood.max_) == (3, 4, 8)
        assert summary.to >= summary.from_
        assert summary.mood.mean == 6.0
        assert summary.connection.count == 1
        clinician_info = await api.op("me", "get_my_clinician").asyncio(client=participant)
        assert clinician_info.clinician.display_name == "Dr. Ada Okafor"

    async with signed_in(tokens["clinician"]) as clinician:
        page = await api.op("clinician", "list_assigned_participants").asyncio(client=clinician)
        assert isinstance(page, models.ParticipantOverviewPage), page
        assert [item.participant_id for item in page.items] == [participant_id]
        overview = page.items[0]
        assert (overview.display_name, overview.entries_7d, overview.unreviewed) == ("Sam", 3, 3)

        entries_page = await api.op("clinician", "list_participant_entries").asyncio(
            client=clinician, participant_id=participant_id
        )
        assert isinstance(entries_page, models.ClinicianEntryPage), entries_page
        assert [entry.mood for entry in entries_page.items] == [8, 6, 4]  # newest first
        assert entries_page.items[0].note == "A long walk with friends."
        assert entries_page.items[0].tags == ["walk", "friends"]
        assert entries_page.next_cursor is None

        # Errors come back as the documented problem model, not as an exception.
        missing = await api.op("clinician", "get_assigned_participant").asyncio(
            client=clinician, participant_id=uuid4()
        )
        assert isinstance(missing, models.Problem) and missing.status == 404


async def test_an_offline_first_client_from_the_document_alone(
    generated: ModuleType, app: FastAPI, accounts: Accounts
) -> None:
    """Create offline, retry three times, edit from two devices, delete and retry the delete,
    refresh with a lost answer, follow the feed from an empty cursor: all through the
    generated client."""
    api = Api(generated)
    models = api.models
    account = await accounts.make(Role.participant, signed_in=False)
    transport = httpx.ASGITransport(app=app)
    anonymous = api.client.Client(base_url="http://testserver", httpx_args={"transport": transport})

    async def token(body: Any) -> Any:
        pair = await api.op("auth", "sign_in").asyncio(client=anonymous, body=body)
        assert isinstance(pair, models.TokenResponse), pair
        return pair

    def device(pair: Any) -> Any:
        return api.client.AuthenticatedClient(
            base_url="http://testserver",
            token=pair.access_token,
            httpx_args={"transport": transport},
        )

    password_grant = models.TokenRequest(username=account.email, password=TEST_PASSWORD)
    phone_pair, tablet_pair = await token(password_grant), await token(password_grant)
    create = api.op("journal", "create_my_entry").asyncio_detailed
    update = api.op("journal", "update_my_entry").asyncio_detailed
    delete = api.op("journal", "delete_my_entry").asyncio_detailed
    changes = api.op("journal", "list_my_entry_changes").asyncio

    async with device(phone_pair) as phone, device(tablet_pair) as tablet:
        # Written offline with an id of its own; the outbox sends it until it hears back.
        written = models.EntryCreate(
            id=uuid4(), recorded_at=recorded(hours_ago=26), mood=3, focus=4, anxiety=8
        )
        sent = [await create(client=phone, body=written) for _ in range(4)]
        assert [answer.status_code for answer in sent] == [201, 200, 200, 200]
        assert {answer.parsed.id for answer in sent} == {written.id}

        # Both devices edit version 1; the second hears 412 with the current entry in the
        # problem, and applies its edit on top of it without another GET.
        first = await update(
            written.id, client=phone, body=models.EntryUpdate(anxiety=6), if_match='"1"'
        )
        assert first.status_code == 200 and first.headers["etag"] == '"2"'
        stale = await update(
            written.id, client=tablet, body=models.EntryUpdate(note="Calmer later."), if_match='"1"'
        )
        assert stale.status_code == 412 and isinstance(stale.parsed, models.Problem)
        current = models.EntryRead.from_dict(stale.parsed.additional_properties["entry"])
        assert (current.anxiety, current.version) == (6, 2)
        merged = await update(
            written.id,
            client=tablet,
            body=models.EntryUpdate(note="Calmer later."),
            if_match=stale.headers["etag"],
        )
        assert merged.status_code == 200
        assert (merged.parsed.anxiety, merged.parsed.note, merged.parsed.version) == (
            6,
            "Calmer later.",
            3,
        )

        # The phone's outbox still held the create: a late retry learns the entry moved on.
        late = await create(client=phone, body=written)
        assert late.status_code == 409 and isinstance(late.parsed, models.Problem)
        assert late.parsed.type_.endswith("/entry-changed")
        assert late.parsed.additional_properties["current_version"] == 3

        # Deleted, and the delete retried after a lost answer: both succeed.
        gone = [await delete(written.id, client=phone, if_match='"3"') for _ in range(2)]
        assert [answer.status_code for answer in gone] == [204, 204]

        # A refresh whose answer is lost, retried with the same refresh token.
        refresh_grant = models.TokenRequest(
            grant_type=models.TokenRequestGrantType.REFRESH_TOKEN,
            refresh_token=phone_pair.refresh_token,
        )
        lost, again = await token(refresh_grant), await token(refresh_grant)
        assert (again.access_token, again.refresh_token) == (lost.access_token, lost.refresh_token)
        next_grant = models.TokenRequest(
            grant_type=models.TokenRequestGrantType.REFRESH_TOKEN,
            refresh_token=again.refresh_token,
        )
        assert (await token(next_grant)).refresh_token != again.refresh_token

        # The tablet follows the feed from an empty cursor: it ends at the tombstone.
        feed = await changes(client=tablet, cursor="", limit=1)
        seen = list(feed.items)
        while feed.has_more:
            feed = await changes(client=tablet, cursor=feed.next_cursor, limit=1)
            seen += feed.items
        assert [(item.id, item.deleted, item.version) for item in seen] == [(written.id, True, 4)]
        caught_up = await changes(client=tablet, cursor=feed.next_cursor)
        assert caught_up.items == [] and caught_up.has_more is False


async def test_generated_client_runs_the_client_credentials_flow(
    generated: ModuleType, app: FastAPI, accounts: Accounts
) -> None:
    """An integration, end to end with the generated client: registered by an admin,
    consented to by a participant, a token by client credentials, its reads; and after the
    participant withdraws, `404`."""
    api = Api(generated)
    models = api.models
    admin_account = await accounts.make(Role.admin)
    sam = await accounts.make(display_name="Sam")
    transport = httpx.ASGITransport(app=app)

    def signed_in(token: str) -> Any:
        return api.client.AuthenticatedClient(
            base_url="http://testserver", token=token, httpx_args={"transport": transport}
        )

    anonymous = api.client.Client(base_url="http://testserver", httpx_args={"transport": transport})
    async with signed_in(admin_account.access_token) as admin, anonymous:
        body = models.IntegrationCreate(
            name="Riverside EHR", scopes=[models.IntegrationCreateScopesItem("entries.read")]
        )
        created = await api.op("admin", "create_integration").asyncio(client=admin, body=body)
        assert isinstance(created, models.IntegrationCreated), created
        async with signed_in(sam.access_token) as participant:
            consented = await api.op("me", "consent_to_integration").asyncio(
                client=participant, integration_id=created.id
            )
            assert isinstance(consented, models.MyIntegrationRead) and consented.consented
        form = models.TokenRequest(
            grant_type=models.TokenRequestGrantType("client_credentials"),
            client_id=created.client_id,
            client_secret=created.client_secret,
            scope="entries.read",
        )
        token = await api.op("auth", "sign_in").asyncio(client=anonymous, body=form)
        assert isinstance(token, models.ClientTokenResponse), token
        assert token.scope == "entries.read" and token.expires_in == 900

    async with signed_in(token.access_token) as integration:
        page = await api.op("integrations", "list_consenting_participants").asyncio(
            client=integration
        )
        assert isinstance(page, models.IntegrationParticipantPage), page
        assert [(item.id, item.display_name) for item in page.items] == [(sam.id, "Sam")]
        feed = await api.op("integrations", "list_consenting_participant_entry_changes").asyncio(
            client=integration, participant_id=sam.id
        )
        assert isinstance(feed, models.ChangesPage), feed
        async with signed_in(sam.access_token) as participant:
            await api.op("me", "withdraw_integration_consent").asyncio_detailed(
                client=participant, integration_id=created.id
            )
        gone = await api.op(
            "integrations", "list_consenting_participant_entry_changes"
        ).asyncio_detailed(client=integration, participant_id=sam.id)
        assert gone.status_code == 404
