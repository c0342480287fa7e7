"""Alerts raised by entries, in the transaction of the entry write: rating thresholds over
consecutive local days and changes against the participant's own baseline."""

import copy
import json
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from app.alerts.defaults import DEFAULT_RULES
from app.alerts.store import MAX_EVIDENCE, with_evidence
from app.users.models import Role
from tests.conftest import Account, Accounts
from tests.helpers import post_entry

RULES = DEFAULT_RULES.model_dump(mode="json")["rules"]


def days_ago(days: int, hour: int = 12) -> str:
    """`hour` o'clock (UTC) `days` days ago; today, no later than now (a future time is 422)."""
    now = datetime.now(UTC)
    moment = now.replace(hour=hour, minute=0, second=0, microsecond=0) - timedelta(days=days)
    return min(moment, now.replace(microsecond=0)).isoformat()


async def alerts_of(accounts: Accounts, who: Account) -> list[tuple[Any, ...]]:
    rows = await accounts.sql(
        "SELECT rule_key, status, severity, summary, evidence FROM alerts "
        "WHERE participant_id = :p ORDER BY raised_at",
        p=who.id.hex if "sqlite" in str(accounts.app.state.engine.url) else who.id,
    )
    return rows


async def test_three_anxious_days_raise_one_alert_and_a_fourth_adds_evidence(
    client: httpx.AsyncClient, accounts: Accounts
) -> None:
    sam = await accounts.make()
    for days in (3, 2):
        await post_entry(client, sam, recorded_at=days_ago(days), anxiety=9)
    assert await alerts_of(accounts, sam) == []

    third = await post_entry(client, sam, recorded_at=days_ago(1), anxiety=8)
    (alert,) = await alerts_of(accounts, sam)  # exists when the 201 arrives
    fourth = await post_entry(client, sam, recorded_at=days_ago(0, hour=8), anxiety=10)
    after = await alerts_of(accounts, sam)

    assert third.status_code == 201 and third.json()["support"] is None  # routine
    assert alert[:3] == ("anxiety-high-3d", "open", "routine")
    assert alert[3] == "Anxiety 8 or higher on each of 3 consecutive days: 9, 9, 8"
    assert len(after) == 1 and after[0][3].endswith(": 9, 8, 10")
    assert fourth.status_code == 201
    evidence = after[0][4] if isinstance(after[0][4], list) else json.loads(str(after[0][4]))
    assert [len(item["days"]) for item in evidence] == [3, 3]


async def test_deleting_the_entry_that_fired_leaves_the_alert_and_its_history(
    client: httpx.AsyncClient, accounts: Accounts
) -> None:
    sam = await accounts.make()
    ids = [
        (await post_entry(client, sam, recorded_at=days_ago(days), anxiety=9)).json()["id"]
        for days in (2, 1, 0)
    ]
    assert len(await alerts_of(accounts, sam)) == 1

    assert (
        await client.delete(f"/v1/me/entries/{ids[-1]}", headers=sam.headers)
    ).status_code == 204

    (alert,) = await alerts_of(accounts, sam)
    assert alert[1] == "open"  # the care team still sees what was reported, and resolves it


async def test_a_mood_drop_against_the_baseline_raises_an_alert(
    client: httpx.AsyncClient, accounts: Accounts
) -> None:
    sam = await accounts.make()
    for days in (30, 25, 20, 15, 10):
        await post_entry(client, sam, recorded_at=days_ago(days), mood=8)
    for days in (3, 2):
        await post_entry(client, sam, recorded_at=days_ago(days), mood=4)
    assert await alerts_of(accounts, sam) == []

    await post_entry(client, sam, recorded_at=days_ago(1), mood=4)

    (alert,) = await alerts_of(accounts, sam)
    assert alert[0] == "mood-below-baseline"
    assert alert[3] == "Mood 7-day mean 4, 4 below the mean of the 28 days before (8)"


async def test_an_urgent_alert_brings_support_and_a_replay_the_same(
    client: httpx.AsyncClient, accounts: Accounts
) -> None:
    admin, sam = await accounts.make(Role.admin), await accounts.make()
    rules = copy.deepcopy(RULES)
    rules[2]["severity"] = "urgent"
    assert (
        await client.put("/v1/admin/alert-rules", json={"rules": rules}, headers=admin.headers)
    ).is_success
    contact = {"name": "On-call", "description": "Day and night.", "phone": "+44 20 7946 0000"}
    support = {"message": "We are here.", "resources": [contact]}
    await client.put("/v1/admin/support-resources", json=support, headers=admin.headers)
    for days in (2, 1):
        await post_entry(client, sam, recorded_at=days_ago(days), anxiety=9)

    entry_id, at = str(uuid.uuid4()), days_ago(0, hour=8)  # once: before 08:00 it is now
    first = await post_entry(client, sam, id=entry_id, recorded_at=at, anxiety=9)
    replay = await post_entry(client, sam, id=entry_id, recorded_at=at, anxiety=9)

    assert first.status_code == 201 and replay.status_code == 200
    assert first.json()["support"]["message"] == "We are here."
    assert replay.json()["support"] == first.json()["support"]
    assert "anxiety" not in str(first.json()["support"]).lower()  # never the rule or evidence


async def test_another_entry_the_same_day_updates_that_days_evidence_not_a_new_item(
    client: httpx.AsyncClient, accounts: Accounts
) -> None:
    sam = await accounts.make()
    for days in (2, 1, 0):
        await post_entry(client, sam, recorded_at=days_ago(days), anxiety=9)
    for anxiety in (10, 8, 9):  # later the same day: the day's mean moves, the run is the same
        await post_entry(client, sam, recorded_at=days_ago(0), anxiety=anxiety)

    ((*_, evidence),) = await alerts_of(accounts, sam)
    items = evidence if isinstance(evidence, list) else json.loads(str(evidence))
    assert len(items) == 1
    assert items[0]["days"][-1]["mean"] == 9.0  # 9, 10, 8, 9 on the last day


def test_an_open_alert_keeps_the_first_and_the_latest_evidence() -> None:
    recorded: list[dict[str, Any]] = []
    for day in range(1, 61):
        recorded = with_evidence(recorded, {"until": f"2026-10-{day:02d}"})
    assert len(recorded) == MAX_EVIDENCE
    assert recorded[0] == {"until": "2026-10-01"} and recorded[-1] == {"until": "2026-10-60"}
