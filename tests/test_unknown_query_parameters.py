"""A query parameter a route does not declare is `422` naming it, never silently ignored."""

import httpx
import pytest

from app.users.models import Role
from tests.conftest import Accounts
from tests.helpers import care_team


@pytest.mark.parametrize(
    ("path", "unknown"),
    [
        ("/v1/me/entries?limit=5", "sort"),
        ("/v1/me/entries/changes?limit=5", "since"),
        ("/v1/me?", "q"),
        ("/v1/me/access-log?limit=5", "sort"),
    ],
)
async def test_unknown_query_parameter_on_a_participant_route_is_422(
    client: httpx.AsyncClient, accounts: Accounts, path: str, unknown: str
) -> None:
    sam = await accounts.make()
    response = await client.get(f"{path}&{unknown}=1", headers=sam.headers)
    assert response.status_code == 422, (path, response.text)
    assert response.headers["content-type"] == "application/problem+json"
    assert [e["field"] for e in response.json()["errors"]] == [f"query.{unknown}"]


async def test_declared_query_parameters_still_work(
    client: httpx.AsyncClient, accounts: Accounts
) -> None:
    sam = await accounts.make()
    response = await client.get("/v1/me/entries?limit=5&tag=walk", headers=sam.headers)
    assert response.status_code == 200


async def test_unknown_query_parameters_on_clinician_and_admin_routes_are_422(
    client: httpx.AsyncClient, accounts: Accounts
) -> None:
    admin, clinician, (sam,) = await care_team(client, accounts)
    clinician_url = f"/v1/clinician/participants/{sam.id}/summary?bucket=week&color=red"
    response = await client.get(clinician_url, headers=clinician.headers)
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["query.color"]
    response = await client.get("/v1/admin/audit-events?sort=desc", headers=admin.headers)
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["query.sort"]


async def test_a_post_with_an_unknown_query_parameter_changes_nothing(
    client: httpx.AsyncClient, accounts: Accounts
) -> None:
    sam = await accounts.make()
    body = {"recorded_at": "2026-11-20T08:00:00Z", "mood": 5, "focus": 5, "anxiety": 5}
    response = await client.post("/v1/me/entries?dry_run=1", json=body, headers=sam.headers)
    assert response.status_code == 422
    assert await accounts.count("journal_entries") == 0


async def test_public_routes_refuse_unknown_query_parameters_too(client: httpx.AsyncClient) -> None:
    assert (await client.get("/healthz?verbose=1")).status_code == 422


@pytest.mark.parametrize("path", ["/v1/me/entries", "/v1/me/entries/changes", "/v1/me/access-log"])
async def test_an_empty_cursor_means_from_the_start(
    client: httpx.AsyncClient, accounts: Accounts, path: str
) -> None:
    sam = await accounts.make()
    body = {"recorded_at": "2026-11-20T08:00:00Z", "mood": 5, "focus": 5, "anxiety": 5}
    assert (await client.post("/v1/me/entries", json=body, headers=sam.headers)).status_code == 201
    empty = await client.get(f"{path}?cursor=", headers=sam.headers)
    absent = await client.get(path, headers=sam.headers)
    assert empty.status_code == 200, empty.text
    assert empty.json()["items"] == absent.json()["items"]


async def test_participant_summary_takes_bucket_like_the_clinicians(
    client: httpx.AsyncClient, accounts: Accounts
) -> None:
    sam = await accounts.make()
    for day in ("2026-11-02", "2026-11-03", "2026-11-10"):
        body = {"recorded_at": f"{day}T08:00:00Z", "mood": 5, "focus": 5, "anxiety": 5}
        assert (await client.post("/v1/me/entries", json=body, headers=sam.headers)).is_success
    url = "/v1/me/summary?from=2026-11-02&to=2026-11-15"
    days = (await client.get(url, headers=sam.headers)).json()
    weeks = await client.get(f"{url}&bucket=week", headers=sam.headers)
    assert weeks.status_code == 200
    assert len(weeks.json()["series"]) < len(days["series"])
    assert (await client.get(f"{url}&bucket=month", headers=sam.headers)).status_code == 422


async def test_audit_log_filters_by_outcome(client: httpx.AsyncClient, accounts: Accounts) -> None:
    admin = await accounts.make(Role.admin)
    failed = await client.post(
        "/v1/auth/token", data={"username": "nobody@example.org", "password": "x" * 20}
    )
    assert failed.status_code == 401
    response = await client.get("/v1/admin/audit-events?outcome=failure", headers=admin.headers)
    assert response.status_code == 200
    outcomes = {item["outcome"] for item in response.json()["items"]}
    assert outcomes == {"failure"}
    bad = await client.get("/v1/admin/audit-events?outcome=maybe", headers=admin.headers)
    assert bad.status_code == 422
