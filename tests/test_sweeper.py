"""The sweeper: escalation exactly once however many processes sweep, and missed check-ins
counted in the participant's own days."""

import asyncio
import os
import sys
import uuid
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import httpx
from fastapi import FastAPI

from app.access import sweep_for
from app.sweeper.service import sweep_once
from tests.conftest import Account, Accounts
from tests.helpers import care_team, post_entry

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def as_uuid(value: object) -> uuid.UUID:
    return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))


async def overdue_alert(client: httpx.AsyncClient, accounts: Accounts, sam: Account) -> None:
    now = datetime.now(ZoneInfo("UTC"))
    for days in (2, 1, 0):
        recorded = (now - timedelta(days=days, minutes=5)).isoformat()
        await post_entry(client, sam, recorded_at=recorded, anxiety=9)
    await accounts.sql("UPDATE alerts SET acknowledge_by = raised_at")


async def sweep_process(database_url: str) -> int:
    env = {**os.environ, "JOURNAL_DATABASE_URL": database_url, "JOURNAL_LOG_LEVEL": "WARNING"}
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "app", "sweep", "--once", cwd=ROOT, env=env
    )
    return await asyncio.wait_for(process.wait(), timeout=60)


async def test_two_sweeping_processes_escalate_an_overdue_alert_once(
    client: httpx.AsyncClient, accounts: Accounts, database_url: str
) -> None:
    _admin, _clinician, (sam,) = await care_team(client, accounts)
    await overdue_alert(client, accounts, sam)

    codes = await asyncio.gather(sweep_process(database_url), sweep_process(database_url))
    again = await sweep_process(database_url)

    assert list(codes) == [0, 0] and again == 0
    escalations = await accounts.sql(
        "SELECT subject_id FROM audit_events WHERE action = 'alert.escalate'"
    )
    (escalated_at,) = await accounts.sql("SELECT escalated_at FROM alerts")
    assert len(escalations) == 1 and escalated_at[0] is not None


async def test_an_acknowledged_alert_is_not_escalated(
    app: FastAPI, client: httpx.AsyncClient, accounts: Accounts
) -> None:
    _admin, clinician, (sam,) = await care_team(client, accounts)
    await overdue_alert(client, accounts, sam)
    (alert,) = (await client.get("/v1/clinician/alerts", headers=clinician.headers)).json()["items"]
    await client.post(f"/v1/clinician/alerts/{alert['id']}/acknowledge", headers=clinician.headers)

    report = await sweep_once(app.state.sessionmaker, sweep_for("test"), batch=10)

    assert report.escalated == 0
    overdue = await client.get("/v1/admin/alerts/overdue", headers=_admin.headers)
    assert overdue.json()["items"] == []


async def test_missed_check_ins_count_the_participants_own_days(
    app: FastAPI, client: httpx.AsyncClient, accounts: Accounts
) -> None:
    auckland = ZoneInfo("Pacific/Auckland")  # UTC+13 in December: its days start at 11:00 UTC
    sam = await accounts.make(timezone="Pacific/Auckland")
    last = datetime(2026, 12, 1, 20, 0, tzinfo=auckland)
    await post_entry(client, sam, recorded_at=last.isoformat())
    # 7 local days later begin at Auckland midnight, 11:00 UTC on the 7th: UTC still says 6.
    before = datetime(2026, 12, 7, 23, 59, tzinfo=auckland)
    after = datetime(2026, 12, 8, 0, 1, tzinfo=auckland)
    assert after.astimezone(ZoneInfo("UTC")).date().isoformat() == "2026-12-07"
    sweep = sweep_for("test")

    quiet = await sweep_once(app.state.sessionmaker, sweep, batch=2, now=before)
    raised = await sweep_once(app.state.sessionmaker, sweep, batch=2, now=after)
    repeated = await sweep_once(
        app.state.sessionmaker, sweep, batch=2, now=after + timedelta(days=1)
    )

    assert (quiet.raised, raised.raised, repeated.raised) == (0, 1, 0)
    rows = await accounts.sql("SELECT rule_key, summary FROM alerts")
    assert rows == [("no-entry-7d", "No entry for 7 days: the last was on 2026-12-01")]


async def test_a_resolved_gap_is_not_raised_again_but_a_new_one_is(
    app: FastAPI, client: httpx.AsyncClient, accounts: Accounts
) -> None:
    _admin, clinician, (sam,) = await care_team(client, accounts)
    utc = ZoneInfo("UTC")
    await post_entry(client, sam, recorded_at=datetime(2026, 11, 1, 12, tzinfo=utc).isoformat())
    sweep = sweep_for("test")
    now = datetime(2026, 11, 9, 12, tzinfo=utc)
    assert (await sweep_once(app.state.sessionmaker, sweep, 50, now=now)).raised == 1
    (alert,) = (await client.get("/v1/clinician/alerts", headers=clinician.headers)).json()["items"]
    await client.post(
        f"/v1/clinician/alerts/{alert['id']}/resolve",
        json={"resolution_note": "Sam is travelling."},
        headers=clinician.headers,
    )

    later = await sweep_once(app.state.sessionmaker, sweep, 50, now=now + timedelta(days=3))
    await post_entry(client, sam, recorded_at=datetime(2026, 11, 10, 12, tzinfo=utc).isoformat())
    new_gap = await sweep_once(app.state.sessionmaker, sweep, 50, now=now + timedelta(days=9))

    assert (later.raised, new_gap.raised) == (0, 1)
