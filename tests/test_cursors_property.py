"""Crafted cursors: whatever a cursor holds, every list route answers 200 or 422, never 5xx.

A cursor is opaque to clients but readable by anyone (base64 of JSON), so a caller can
forge one holding anything: integers past 64 bits, years 1 or 9999 with an offset (out of
range once moved to UTC), a number where a name belongs, NULs and lone surrogates in text
(which PostgreSQL and SQLite cannot bind). Hypothesis builds such contents, encoded exactly
as `app.pagination.encode_cursor` encodes ours, and sends them to every route that takes a
`cursor`, found from the app's own routes so that a new list is covered without a change here.
"""

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from fastapi import FastAPI
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.pagination import encode_cursor
from app.users.models import Role
from tests.conftest import Account, Accounts
from tests.helpers import ago, assign, post_entry
from tests.integration_helpers import consent, register, token_headers

EXAMPLES_PER_ROUTE = 50
# Every list route of the contract, by the kind of cursor it gives (the test also checks that
# these are all the app has), and what that kind of cursor holds.
ROUTES_OF_KIND = {
    "entries": ["/v1/me/entries", "/v1/clinician/participants/{participant_id}/entries"],
    "changes": [
        "/v1/me/entries/changes",
        "/v1/integration/participants/{participant_id}/entries/changes",
    ],
    "access-log": ["/v1/me/access-log"],
    "security-notices": ["/v1/me/security-notices"],
    "participants": ["/v1/clinician/participants"],
    "users": ["/v1/admin/users"],
    "audit": ["/v1/admin/audit-events"],
    "approvals": ["/v1/admin/approvals"],
    "notes": ["/v1/clinician/participants/{participant_id}/notes", "/v1/me/care-notes"],
    "alerts": ["/v1/clinician/alerts"],
    "assessments": [
        "/v1/me/assessments",
        "/v1/clinician/participants/{participant_id}/assessments",
        "/v1/integration/participants/{participant_id}/assessments",
    ],
    "experience-reports": [
        "/v1/me/experience-reports",
        "/v1/clinician/participants/{participant_id}/experience-reports",
    ],
    "integrations": ["/v1/admin/integrations"],
    "webhooks": ["/v1/admin/integrations/{integration_id}/webhooks"],
    "webhook-deliveries": [
        "/v1/admin/integrations/{integration_id}/webhooks/{webhook_id}/deliveries"
    ],
    "integration-participants": ["/v1/integration/participants"],
    "integration-alerts": ["/v1/integration/participants/{participant_id}/alerts"],
    "fhir-everything": ["/fhir/r4/Patient/{participant_id}/$everything"],
}
SHAPES = {
    "entries": ("instant", "uuid"),
    "changes": ("integer",),
    "access-log": ("integer",),
    "security-notices": ("integer",),
    "participants": ("uuid",),
    "users": ("instant", "uuid"),
    "audit": ("integer",),
    "approvals": ("instant", "uuid"),
    "notes": ("instant", "uuid"),
    "alerts": ("integer", "instant", "uuid"),
    "assessments": ("instant", "uuid"),
    "experience-reports": ("instant", "uuid"),
    "integrations": ("instant", "uuid"),
    "webhooks": ("instant", "uuid"),
    "webhook-deliveries": ("instant", "uuid"),
    "integration-participants": ("instant", "uuid"),
    "integration-alerts": ("instant", "uuid"),
    "fhir-everything": ("text", "instant", "uuid"),
}
LIST_ROUTES = [(path, kind) for kind, paths in ROUTES_OF_KIND.items() for path in paths]


def list_route_paths(app: FastAPI) -> set[str]:
    """Paths whose GET operation takes a `cursor` query parameter, from the OpenAPI."""
    return {
        path
        for path, operations in app.openapi()["paths"].items()
        if any(
            parameter["name"] == "cursor" and parameter["in"] == "query"
            for parameter in operations.get("get", {}).get("parameters", [])
        )
    }


def test_every_list_route_is_fuzzed(app: FastAPI) -> None:
    assert list_route_paths(app) == {path for path, _kind in LIST_ROUTES}


# --- what a forged cursor may hold --------------------------------------------------------

offsets = st.integers(min_value=-1439, max_value=1439).map(
    lambda minutes: timedelta(minutes=minutes)
)


def aware(moment: datetime, offset: timedelta) -> str:
    return moment.replace(tzinfo=timezone(offset)).isoformat()


instants = st.builds(
    aware,
    st.datetimes(min_value=datetime(1, 1, 1), max_value=datetime(9999, 12, 31, 23, 59)),
    offsets,
)
# The first and last instants Python has (with an offset they leave its range once in UTC),
# and the years either side of the range the service accepts.
edge_offsets = st.sampled_from([1, -1, 60, -60, 1439, -1439]).map(lambda m: timedelta(minutes=m))
edge_instants = st.builds(
    aware,
    st.sampled_from([datetime.min, datetime.max, datetime(1899, 12, 31), datetime(3000, 1, 1)]),
    edge_offsets | offsets,
)
edge_integers = st.sampled_from([0, -1, 1, 2**31, 2**53 + 1, 2**63 - 1, 2**63, -(2**63) - 1])
nasty_text = st.sampled_from(["\x00", "\ud800", "a\x00b", "", "1" * 40, "\u202e"])
scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | edge_integers
    | st.floats()
    | st.text(max_size=20)
    | nasty_text
    | st.uuids().map(str)
    | instants
)
values = st.recursive(
    scalars,
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=4), children, max_size=2)
    ),
    max_leaves=4,
)
# Each value of a cursor as it should be, at its edges (most often), or anything else.
FIELDS = {
    "instant": st.one_of(edge_instants, edge_instants, instants, values),
    "uuid": st.one_of(st.uuids().map(str), st.uuids().map(str), values),
    "integer": st.one_of(edge_integers, edge_integers, st.integers(), values),
    "text": st.one_of(nasty_text, st.text(max_size=20), st.integers(), values),
}
raw_cursors = st.from_regex(r"\A[A-Za-z0-9_-]{1,80}\Z") | st.text(max_size=40)


def cursors(kind: str) -> st.SearchStrategy[str]:
    """Cursors of the route's kind and shape holding edge or wrong values (most cases),
    cursors of any kind holding anything, and strings that are no cursor at all."""
    shaped = st.tuples(*(FIELDS[field] for field in SHAPES[kind])).map(
        lambda held: encode_cursor(kind, list(held))
    )
    anything = st.builds(
        encode_cursor,
        st.sampled_from(list(SHAPES)) | st.text(max_size=8),
        st.lists(values, max_size=3),
    )
    return st.one_of(shaped, shaped, shaped, anything, raw_cursors)


# --- a clinic whose lists are not empty ---------------------------------------------------


@dataclass
class Clinic:
    participant: Account
    clinician: Account
    admin: Account
    integration: dict[str, str]  # a consented integration's token
    integration_id: str
    webhook_id: str

    def caller(self, path: str) -> tuple[str, dict[str, str]]:
        """The URL of a list route and the headers of the role it belongs to."""
        if path.startswith("/v1/clinician/"):
            return path.format(participant_id=self.participant.id), self.clinician.headers
        if path.startswith("/v1/admin/"):
            url = path.format(integration_id=self.integration_id, webhook_id=self.webhook_id)
            return url, self.admin.headers
        if path.startswith(("/v1/integration/", "/fhir/")):
            return path.format(participant_id=self.participant.id), self.integration
        return path, self.participant.headers


@pytest.fixture
async def clinic(client: httpx.AsyncClient, accounts: Accounts) -> Clinic:
    admin = await accounts.make(Role.admin)
    clinician = await accounts.make(Role.clinician, display_name="Dr. Okafor")
    participant = await accounts.make(display_name="Sam")
    await assign(client, admin, participant, clinician)
    for hours in (1, 2, 3):
        moment = datetime.now(UTC) - timedelta(hours=hours)
        assert (await post_entry(client, participant, recorded_at=moment.isoformat())).is_success
    for answers in ([1, 2, 1, 0, 1, 2, 1], [0, 0, 1, 0, 1, 0, 1]):
        body = {"instrument": "gad-7", "completed_at": ago(hours=1), "answers": answers}
        assert (
            await client.post("/v1/me/assessments", json=body, headers=participant.headers)
        ).is_success
    report = {
        "occurred_at": ago(hours=2),
        "severity": "mild",
        "description": "Dizzy.",
        "shared": True,
    }
    assert (
        await client.post("/v1/me/experience-reports", json=report, headers=participant.headers)
    ).is_success
    notes = f"/v1/clinician/participants/{participant.id}/notes"
    for text in ("Seen.", "Seen again."):
        body = {"text": text, "visibility": "participant"}
        assert (await client.post(notes, json=body, headers=clinician.headers)).is_success
    # Reads by the clinician fill the participant's access log and the audit trail.
    await client.get(
        f"/v1/clinician/participants/{participant.id}/entries", headers=clinician.headers
    )
    integration = await register(client, admin)
    await consent(client, participant, integration)
    await register(client, admin, name="Second")  # two clients: a page and a next one
    for url in ("https://93.184.215.14/a", "https://93.184.215.14/b"):
        body = {"url": url, "events": ["alert.raised"]}
        hooks = f"/v1/admin/integrations/{integration.id}/webhooks"
        created = await client.post(hooks, json=body, headers=admin.headers)
        assert created.is_success
    headers = await token_headers(client, integration)
    return Clinic(participant, clinician, admin, headers, integration.id, created.json()["id"])


def assert_page_or_422(response: httpx.Response) -> None:
    assert response.status_code in (200, 422), (response.status_code, response.text)
    if response.status_code == 422:
        assert response.headers["content-type"] == "application/problem+json"
        fields = [error["field"] for error in response.json()["errors"]]
        assert fields == ["query.cursor"], response.text
    else:
        body = response.json()
        assert "next_cursor" in body or body["resourceType"] == "Bundle"


def next_cursor_of(body: dict[str, Any]) -> str | None:
    """A page's `next_cursor`; a FHIR Bundle's is in its `next` link."""
    if body.get("resourceType") != "Bundle":
        return body["next_cursor"]  # type: ignore[no-any-return]
    links = [link["url"] for link in body["link"] if link["relation"] == "next"]
    return parse_qs(urlsplit(links[0]).query)["cursor"][0] if links else None


def page_size(path: str) -> str:
    return "_count" if path.startswith("/fhir/") else "limit"


@pytest.mark.parametrize(("path", "kind"), LIST_ROUTES)
@settings(
    max_examples=EXAMPLES_PER_ROUTE,
    deadline=None,
    derandomize=True,  # the same cases on every run and in CI: a failure reproduces
    database=None,  # no .hypothesis directory in the working tree
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
async def test_any_cursor_content_gets_a_page_or_422(
    client: httpx.AsyncClient, clinic: Clinic, path: str, kind: str, data: st.DataObject
) -> None:
    cursor = data.draw(cursors(kind), label="cursor")
    # The clinic is made once per route and shared by its examples: lists only read it.
    url, headers = clinic.caller(path)
    response = await client.get(url, params={"cursor": cursor}, headers=headers)
    assert_page_or_422(response)


CRAFTED: list[tuple[str, list[Any]]] = [
    ("entries", ["0001-01-01T00:00:00+01:00", str(uuid.uuid4())]),
    ("entries", ["9999-12-31T23:59:59-01:00", str(uuid.uuid4())]),
    ("entries", ["2026-01-01T00:00:00+00:00", "\x00"]),
    ("changes", [2**63]),
    ("changes", [1.5]),
    ("access-log", [2**63]),
    ("security-notices", [2**64]),
    ("participants", [7]),
    ("participants", [["Sam"]]),
    ("participants", ["Sam", str(uuid.uuid4())]),
    ("participants", ["\ud800"]),
    ("users", ["0001-01-01T00:00:00+00:30", str(uuid.uuid4())]),
    ("audit", [2**63]),
    ("approvals", ["9999-12-31T23:59:59-05:00", str(uuid.uuid4())]),
    ("notes", ["0001-01-01T00:00:00+01:00", str(uuid.uuid4())]),
    ("alerts", [2**63, "2026-01-01T00:00:00+00:00", str(uuid.uuid4())]),
    ("alerts", [0, "9999-12-31T23:59:59-05:00", str(uuid.uuid4())]),
    ("integrations", ["0001-01-01T00:00:00+00:30", str(uuid.uuid4())]),
    ("webhooks", ["9999-12-31T23:59:59-05:00", str(uuid.uuid4())]),
    ("webhook-deliveries", ["0001-01-01T00:00:00+00:30", str(uuid.uuid4())]),
    ("integration-participants", ["9999-12-31T23:59:59-05:00", str(uuid.uuid4())]),
    ("integration-alerts", ["2026-01-01T00:00:00+00:00", "\x00"]),
    ("fhir-everything", ["observations", "2026-01-01T00:00:00+00:00", str(uuid.uuid4())]),
    ("fhir-everything", ["entries", "0001-01-01T00:00:00+01:00", str(uuid.uuid4())]),
]


@pytest.mark.parametrize(
    ("path", "kind", "cursor_values"),
    [(path, kind, held) for kind, held in CRAFTED for path in ROUTES_OF_KIND[kind]],
)
async def test_crafted_cursors_found_by_the_attack_are_422(
    client: httpx.AsyncClient, clinic: Clinic, path: str, kind: str, cursor_values: list[Any]
) -> None:
    url, headers = clinic.caller(path)
    response = await client.get(
        url, params={"cursor": encode_cursor(kind, cursor_values)}, headers=headers
    )

    assert response.status_code == 422, response.text
    assert response.json()["errors"][0]["code"] == "bad-cursor"


@pytest.mark.parametrize(("path", "kind"), LIST_ROUTES)
async def test_the_cursors_a_route_gives_still_page_through_it(
    client: httpx.AsyncClient, clinic: Clinic, path: str, kind: str
) -> None:
    url, headers = clinic.caller(path)
    first = await client.get(url, params={page_size(path): 1}, headers=headers)
    assert first.status_code == 200, first.text
    cursor = next_cursor_of(first.json())
    if cursor is not None:
        second = await client.get(
            url, params={page_size(path): 1, "cursor": cursor}, headers=headers
        )
        assert second.status_code == 200, second.text
