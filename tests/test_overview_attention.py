"""The overview's supervision figures and its attention order: alerts first (urgent,
overdue, routine), then unreviewed entries, then name; days counted in each participant's
own days."""

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx
from sqlalchemy import insert

from app.alerts.models import Alert
from app.clinician.schemas import ParticipantOverviewPage
from app.users.models import Role
from tests.conftest import Account, Accounts
from tests.helpers import answers_for, assign, care_team, post_entry, submit


async def add_alert(
    accounts: Accounts, who: Account, key: str, severity: str, *, overdue: bool = False
) -> None:
    now = datetime.now(UTC)
    await accounts.execute(
        insert(Alert).values(
            id=uuid.uuid4(),
            participant_id=who.id,
            rule_key=key,
            kind="rating_threshold",
            severity=severity,
            status="open",
            summary="Anxiety 8 or higher on each of 3 consecutive days: 9, 8, 9",
            evidence=[],
            raised_at=now - timedelta(hours=3),
            acknowledge_by=now - timedelta(hours=1) if overdue else now + timedelta(hours=1),
        )
    )


async def overview(
    client: httpx.AsyncClient, clinician: Account, **params: Any
) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    cursor = None
    while True:
        query = {**params, **({"cursor": cursor} if cursor else {})}
        response = await client.get(
            "/v1/clinician/participants", params=query, headers=clinician.headers
        )
        assert response.status_code == 200, response.text
        # Written without the model (app/clinician/overview.py `Overview`): exactly what the
        # model would write, no field more or less, the same formats.
        page = ParticipantOverviewPage.model_validate_json(response.content)
        assert page.model_dump(mode="json") == response.json()
        items += response.json()["items"]
        cursor = response.json()["next_cursor"]
        if cursor is None:
            return items


async def test_the_overview_puts_alerts_first_then_unreviewed_then_names(
    client: httpx.AsyncClient, accounts: Accounts
) -> None:
    admin = await accounts.make(Role.admin)
    clinician = await accounts.make(Role.clinician)
    # Names in the reverse of the attention order, so that only the figures can order them.
    quiet, unreviewed, routine, overdue, urgent = [
        await accounts.make(display_name=name) for name in ("A", "B", "C", "D", "E")
    ]
    for person in (quiet, unreviewed, routine, overdue, urgent):
        await assign(client, admin, person, clinician)
    await add_alert(accounts, urgent, "phq9-total-20", "urgent")
    await add_alert(accounts, overdue, "anxiety-high-3d", "routine", overdue=True)
    await add_alert(accounts, routine, "anxiety-high-3d", "routine")
    await post_entry(client, unreviewed, recorded_at=datetime.now(UTC).isoformat())

    for limit in (50, 1, 2):
        items = await overview(client, clinician, limit=limit)
        assert [item["display_name"] for item in items] == ["E", "D", "C", "B", "A"]
    by_name = await overview(client, clinician, order="name", limit=2)
    assert [item["display_name"] for item in by_name] == ["A", "B", "C", "D", "E"]

    figures = {item["display_name"]: item for item in items}
    assert figures["E"]["open_alerts"] == {"urgent": 1, "routine": 0}
    assert figures["E"]["attention_reasons"] == ["urgent_alert", "no_entries"]
    assert figures["D"]["overdue_alerts"] == 1
    assert figures["D"]["attention_reasons"][:2] == ["overdue_alert", "routine_alert"]
    assert figures["C"]["attention_reasons"] == ["routine_alert", "no_entries"]
    assert figures["B"]["attention_reasons"] == ["unreviewed_entries"]
    assert figures["B"]["days_since_last_entry"] == 0
    assert figures["B"]["logged_days_14d"] == 1
    assert figures["A"]["days_since_last_entry"] is None
    assert figures["A"]["logged_days_14d"] == 0


async def test_days_are_the_participants_own(client: httpx.AsyncClient, accounts: Accounts) -> None:
    admin = await accounts.make(Role.admin)
    clinician = await accounts.make(Role.clinician)
    auckland = ZoneInfo("Pacific/Auckland")
    sam = await accounts.make(timezone="Pacific/Auckland")
    await assign(client, admin, sam, clinician)
    today = datetime.now(auckland)
    # Four of Sam's local days in the last 14 (two entries on one), one 20 days ago, and the
    # latest 4 local days ago.
    for days in (4, 4, 6, 9, 13, 20):
        recorded = (today - timedelta(days=days)).replace(hour=12, minute=0)
        response = await post_entry(client, sam, recorded_at=recorded.isoformat())
        assert response.status_code == 201, response.text

    (item,) = await overview(client, clinician)

    assert item["days_since_last_entry"] == 4
    assert item["logged_days_14d"] == 4
    assert item["attention_reasons"] == ["unreviewed_entries", "no_entry_3d"]


async def test_a_cursor_of_another_order_is_refused(
    client: httpx.AsyncClient, accounts: Accounts
) -> None:
    admin = await accounts.make(Role.admin)
    clinician = await accounts.make(Role.clinician)
    for name in ("A", "B"):
        await assign(client, admin, await accounts.make(display_name=name), clinician)
    first = await client.get(
        "/v1/clinician/participants", params={"limit": 1}, headers=clinician.headers
    )
    cursor = first.json()["next_cursor"]
    wrong = await client.get(
        "/v1/clinician/participants",
        params={"limit": 1, "order": "name", "cursor": cursor},
        headers=clinician.headers,
    )
    assert wrong.status_code == 422


async def test_the_overview_shows_the_latest_score_of_each_instrument(
    client: httpx.AsyncClient, accounts: Accounts
) -> None:
    _admin, clinician, (sam,) = await care_team(client, accounts)
    now = datetime.now(UTC)
    for instrument, total, days in (("gad-7", 16, 9), ("gad-7", 6, 2), ("phq-8", 11, 5)):
        response = await submit(
            client,
            sam,
            instrument=instrument,
            answers=answers_for(instrument, total),
            completed_at=(now - timedelta(days=days)).isoformat(),
        )
        assert response.status_code == 201, response.text

    (item,) = await overview(client, clinician)

    assert [(s["instrument"], s["total"], s["band"]) for s in item["latest_scores"]] == [
        ("gad-7", 6, "mild"),
        ("phq-8", 11, "moderate"),
    ]
