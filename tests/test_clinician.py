"""Clinician review: scoping by current assignment, figures, summaries, review marks, audit."""

import statistics
import uuid
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import event

from app.journal.models import RATING_COLUMNS
from app.users.models import Role
from tests.conftest import Accounts
from tests.helpers import ago, assign, care_team, post_entry


def _local_days_back(entry: dict[str, Any]) -> int:
    """How many of a UTC participant's days ago the entry was recorded."""
    return (datetime.now(UTC).date() - datetime.fromisoformat(entry["recorded_at"]).date()).days


async def test_overview_figures_equal_independently_computed_ones(
    client: httpx.AsyncClient, accounts: Accounts
) -> None:
    _admin, clinician, (sam,) = await care_team(client, accounts)
    written = []
    for i, days in enumerate([0.1, 1, 2.5, 6.9, 8, 12, 20, 34, 40, 100]):
        body = {"mood": i % 11, "focus": (i * 3) % 11, "anxiety": 10 - i, "creativity": None}
        if i % 2:
            body["connection"] = i
        response = await post_entry(client, sam, recorded_at=ago(days=days), **body)
        written.append((days, response.json()))
        if i == 6:  # the clinician reviews; the three oldest entries arrive after that
            mark = await client.put(
                f"/v1/clinician/participants/{sam.id}/review-mark",
                json={"reviewed_through": datetime.now(UTC).isoformat()},
                headers=clinician.headers,
            )
            assert mark.status_code == 200 and mark.json()["unreviewed"] == 0

    page = (await client.get("/v1/clinician/participants", headers=clinician.headers)).json()
    (overview,) = page["items"]
    assert overview["participant_id"] == str(sam.id)
    assert overview["entries_7d"] == sum(1 for _, e in written if _local_days_back(e) < 7)
    assert overview["unreviewed"] == 3
    assert overview["last_entry_at"] == written[0][1]["recorded_at"]
    # The windows are Sam's local days (UTC): the last 7 with today, and the 28 before.
    days_back = [(_local_days_back(entry), entry) for _, entry in written]
    for name in RATING_COLUMNS:
        recent = [e[name] for d, e in days_back if d < 7 and e[name] is not None]
        prior = [e[name] for d, e in days_back if 7 <= d < 35 and e[name] is not None]
        mean_7d = round(statistics.fmean(recent), 2) if recent else None
        mean_prior = round(statistics.fmean(prior), 2) if prior else None
        change = (
            round(mean_7d - mean_prior, 2)
            if mean_7d is not None and mean_prior is not None
            else None
        )
        assert overview[name] == {
            "mean_7d": mean_7d,
            "mean_prior_28d": mean_prior,
            "change": change,
        }, name
    detail = await client.get(f"/v1/clinician/participants/{sam.id}", headers=clinician.headers)
    assert detail.status_code == 200 and detail.json() == overview


async def test_participant_without_entries_has_empty_figures(
    client: httpx.AsyncClient, accounts: Accounts
) -> None:
    _, clinician, (_sam,) = await care_team(client, accounts)
    (overview,) = (
        await client.get("/v1/clinician/participants", headers=clinician.headers)
    ).json()["items"]
    assert overview["entries_7d"] == 0 and overview["last_entry_at"] is None
    assert overview["mood"] == {"mean_7d": None, "mean_prior_28d": None, "change": None}


class StatementCounter:
    def __init__(self, app: Any) -> None:
        self.engine = app.state.engine.sync_engine
        self.count = 0

    def __enter__(self) -> "StatementCounter":
        event.listen(self.engine, "before_cursor_execute", self._seen)
        return self

    def __exit__(self, *args: object) -> None:
        event.remove(self.engine, "before_cursor_execute", self._seen)

    def _seen(self, *args: object) -> None:
        self.count += 1


async def test_overview_issues_the_same_statements_for_1_and_50_participants(
    app: FastAPI, client: httpx.AsyncClient, accounts: Accounts
) -> None:
    admin = await accounts.make(Role.admin)
    counts = []
    for size in (1, 50):
        clinician = await accounts.make(Role.clinician)
        for i in range(size):
            person = await accounts.make(display_name=f"N{i:03d}")
            await assign(client, admin, person, clinician)
            await post_entry(client, person, recorded_at=ago(days=i % 9))
        with StatementCounter(app) as counter:
            page = await client.get(
                "/v1/clinician/participants", params={"limit": 200}, headers=clinician.headers
            )
        assert len(page.json()["items"]) == size
        counts.append(counter.count)
    assert counts[0] == counts[1]


async def test_overview_pages_by_display_name(
    client: httpx.AsyncClient, accounts: Accounts
) -> None:
    _, clinician, _people = await care_team(client, accounts, participants=5)
    names: list[str] = []
    cursor = None
    while True:
        params: dict[str, Any] = {"limit": 2}
        if cursor:
            params["cursor"] = cursor
        page = (
            await client.get("/v1/clinician/participants", params=params, headers=clinician.headers)
        ).json()
        names += [item["display_name"] for item in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert names == [f"P{i:03d}" for i in range(5)]
    bad = await client.get(
        "/v1/clinician/participants", params={"cursor": "nonsense"}, headers=clinician.headers
    )
    assert bad.status_code == 422


def participant_paths(participant_id: Any) -> list[tuple[str, str, dict[str, Any] | None]]:
    base = f"/v1/clinician/participants/{participant_id}"
    return [
        ("GET", base, None),
        ("GET", f"{base}/entries", None),
        ("GET", f"{base}/summary", None),
        ("PUT", f"{base}/review-mark", {"reviewed_through": "2026-11-01T00:00:00Z"}),
    ]


async def test_unassigned_and_unknown_participants_are_the_same_404(
    client: httpx.AsyncClient, accounts: Accounts
) -> None:
    admin, clinician, (sam,) = await care_team(client, accounts)
    stranger = await accounts.make(Role.clinician)
    await post_entry(client, sam)
    for who, target in ((stranger, sam.id), (clinician, uuid.uuid4()), (clinician, admin.id)):
        for method, path, body in participant_paths(target):
            response = await client.request(method, path, json=body, headers=who.headers)
            assert response.status_code == 404, (method, path)
            assert response.json()["detail"] == "No such participant."
    marks = await accounts.sql("SELECT count(*) FROM review_marks")
    assert marks == [(0,)]


async def test_reassignment_moves_access_at_once_and_both_reads_are_logged(
    client: httpx.AsyncClient, accounts: Accounts
) -> None:
    admin, first, (sam,) = await care_team(client, accounts)
    second = await accounts.make(Role.clinician, display_name="Dr. Lindqvist")
    await post_entry(client, sam)
    entries_url = f"/v1/clinician/participants/{sam.id}/entries"
    assert (await client.get(entries_url, headers=first.headers)).status_code == 200
    await assign(client, admin, sam, second)
    assert (await client.get(entries_url, headers=first.headers)).status_code == 404
    reading = await client.get(entries_url, headers=second.headers)
    assert reading.status_code == 200 and len(reading.json()["items"]) == 1
    listing = (await client.get("/v1/clinician/participants", headers=first.headers)).json()
    assert listing["items"] == []
    log = (await client.get("/v1/me/access-log", headers=sam.headers)).json()["items"]
    entry_reads = [item["accessor"] for item in log if item["data"] == "entries"]
    assert entry_reads == ["Dr. Lindqvist", "Dr. Okafor"]
    clinician = (await client.get("/v1/me/clinician", headers=sam.headers)).json()
    assert clinician["clinician"]["display_name"] == "Dr. Lindqvist"


async def test_unassignment_ends_access(client: httpx.AsyncClient, accounts: Accounts) -> None:
    admin, clinician, (sam,) = await care_team(client, accounts)
    url = f"/v1/admin/participants/{sam.id}/clinician"
    assert (await client.delete(url, headers=admin.headers)).status_code == 204
    response = await client.get(f"/v1/clinician/participants/{sam.id}", headers=clinician.headers)
    assert response.status_code == 404


async def test_each_clinician_read_writes_exactly_one_audit_event(
    client: httpx.AsyncClient, accounts: Accounts
) -> None:
    _, clinician, (sam,) = await care_team(client, accounts)
    base = f"/v1/clinician/participants/{sam.id}"
    expected = {
        base: "clinician.read_profile",
        f"{base}/entries": "clinician.read_entries",
        f"{base}/summary": "clinician.read_summary",
        "/v1/clinician/participants": "clinician.read_overview",
    }
    for path, action in expected.items():
        before = await accounts.sql("SELECT max(id) FROM audit_events")
        assert (await client.get(path, headers=clinician.headers)).status_code == 200
        rows = await accounts.sql(
            "SELECT action, actor_role, outcome FROM audit_events WHERE id > :after",
            after=before[0][0] or 0,
        )
        assert rows == [(action, "clinician", "success")], path


async def test_weekly_summary_buckets_by_iso_week_of_local_date(
    client: httpx.AsyncClient, accounts: Accounts
) -> None:
    _, clinician, (sam,) = await care_team(client, accounts)
    # Sunday 2026-11-08 late evening in Tokyo is Sunday there; Monday 2026-11-09 starts a week.
    for recorded, mood in [
        ("2026-11-02T09:00:00+09:00", 2),  # Monday, week of 11-02
        ("2026-11-08T23:30:00+09:00", 4),  # Sunday, same week
        ("2026-11-09T00:30:00+09:00", 8),  # Monday, next week (still the 8th in UTC)
        ("2026-11-15T12:00:00+09:00", 6),  # Sunday, that week
    ]:
        assert (await post_entry(client, sam, recorded_at=recorded, mood=mood)).status_code == 201
    summary = (
        await client.get(
            f"/v1/clinician/participants/{sam.id}/summary",
            params={"from": "2026-11-01", "to": "2026-11-30", "bucket": "week"},
            headers=clinician.headers,
        )
    ).json()
    assert [(p["period_start"], p["entries"], p["mood"]) for p in summary["series"]] == [
        ("2026-11-02", 2, 3.0),
        ("2026-11-09", 2, 7.0),
    ]
    assert summary["mood"] == {"count": 4, "mean": 5.0, "min": 2, "max": 8}


@pytest.mark.parametrize("bucket", ["month", ""])
async def test_summary_rejects_unknown_bucket(
    client: httpx.AsyncClient, accounts: Accounts, bucket: str
) -> None:
    _, clinician, (sam,) = await care_team(client, accounts)
    response = await client.get(
        f"/v1/clinician/participants/{sam.id}/summary",
        params={"bucket": bucket},
        headers=clinician.headers,
    )
    assert response.status_code == 422


async def test_clinician_entries_never_include_deleted_or_other_participants(
    client: httpx.AsyncClient, accounts: Accounts
) -> None:
    _, clinician, (sam, alex) = await care_team(client, accounts, participants=2)
    keep = (await post_entry(client, sam, mood=1)).json()
    gone = (await post_entry(client, sam, mood=2)).json()
    await post_entry(client, alex, mood=3)
    await client.delete(f"/v1/me/entries/{gone['id']}", headers=sam.headers)
    items = (
        await client.get(f"/v1/clinician/participants/{sam.id}/entries", headers=clinician.headers)
    ).json()["items"]
    assert [item["id"] for item in items] == [keep["id"]]
