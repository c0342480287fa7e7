"""Alert rules as validated data: the clinic's defaults, a participant's own, the merge."""

import asyncio
import copy
from typing import Any

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import create_async_engine

from app.alerts.defaults import DEFAULT_RULES
from app.alerts.rule_store import CLINIC_RULES
from app.migrations import upgrade_to_head
from app.users.models import Role
from tests.conftest import Accounts
from tests.helpers import care_team

ADMIN_PATH = "/v1/admin/alert-rules"
DEFAULTS = DEFAULT_RULES.model_dump(mode="json")["rules"]


async def test_a_fresh_database_has_the_default_rules(unmigrated_url: str) -> None:
    await asyncio.to_thread(upgrade_to_head, unmigrated_url)
    engine = create_async_engine(unmigrated_url)
    try:
        async with engine.connect() as connection:
            rows = list(await connection.execute(select(CLINIC_RULES).order_by("position")))
    finally:
        await engine.dispose()

    assert [(row.key, row.kind, row.severity, row.acknowledge_within_minutes) for row in rows] == [
        (rule["key"], rule["kind"], rule["severity"], rule["acknowledge_within_minutes"])
        for rule in DEFAULTS
    ]
    assert all(row.enabled for row in rows)


async def test_the_admin_reads_and_replaces_the_defaults(
    client: httpx.AsyncClient, accounts: Accounts
) -> None:
    admin = await accounts.make(Role.admin)
    assert (await client.get(ADMIN_PATH, headers=admin.headers)).json()["rules"] == DEFAULTS

    fewer = {"rules": [DEFAULTS[0], {**DEFAULTS[2], "value": 9}]}
    replaced = await client.put(ADMIN_PATH, json=fewer, headers=admin.headers)

    assert replaced.status_code == 200
    assert (await client.get(ADMIN_PATH, headers=admin.headers)).json() == fewer
    assert ("alert_rules.update", "success") in await accounts.audit_actions()


def bad(index: int, **changes: Any) -> dict[str, Any]:
    rules = copy.deepcopy(DEFAULTS)
    rules[index].update(changes)
    return {"rules": rules}


@pytest.mark.parametrize(
    "body",
    [
        bad(0, kind="horoscope"),
        bad(2, value=11),
        bad(2, consecutive_days=15),
        bad(2, op="gt"),
        bad(2, dimension="sleep"),
        bad(3, change=0),
        bad(4, days=61),
        bad(1, min_total=28),  # past PHQ-9's 27
        bad(0, flag="no_such_flag"),
        bad(0, instrument="phq-99"),
        bad(5, min_severity="catastrophic"),
        bad(0, acknowledge_within_minutes=0),
        bad(0, acknowledge_within_minutes=10081),
        bad(0, severity="medium"),
        bad(0, key="Not A Slug"),
        bad(0, surprise=True),
        {"rules": [DEFAULTS[0], DEFAULTS[0]]},
    ],
)
async def test_bad_rule_sets_are_422_and_change_nothing(
    client: httpx.AsyncClient, accounts: Accounts, body: dict[str, Any]
) -> None:
    admin = await accounts.make(Role.admin)

    refused = await client.put(ADMIN_PATH, json=body, headers=admin.headers)

    assert refused.status_code == 422, refused.text
    assert (await client.get(ADMIN_PATH, headers=admin.headers)).json()["rules"] == DEFAULTS


async def test_a_participants_own_rules_override_and_add(
    client: httpx.AsyncClient, accounts: Accounts
) -> None:
    _admin, clinician, (sam,) = await care_team(client, accounts)
    path = f"/v1/clinician/participants/{sam.id}/alert-rules"
    before = (await client.get(path, headers=clinician.headers)).json()["rules"]
    own = {
        "rules": [
            {**DEFAULTS[2], "enabled": False},
            {"key": "focus-low-2d", "kind": "rating_threshold", "dimension": "focus",
             "op": "lte", "value": 2, "consecutive_days": 2, "severity": "routine",
             "acknowledge_within_minutes": 720},
        ]
    }  # fmt: skip

    set_ = await client.put(path, json=own, headers=clinician.headers)

    assert [item["scope"] for item in before] == ["clinic"] * len(DEFAULTS)
    merged = set_.json()["rules"]
    assert [(item["scope"], item["rule"]["key"]) for item in merged] == [
        *[("clinic", rule["key"]) for rule in DEFAULTS[:2]],
        ("participant", "anxiety-high-3d"),
        *[("clinic", rule["key"]) for rule in DEFAULTS[3:]],
        ("participant", "focus-low-2d"),
    ]
    assert merged[2]["rule"]["enabled"] is False
    assert (await client.get(path, headers=clinician.headers)).json()["rules"] == merged
    stranger = await accounts.make(Role.clinician)
    assert (await client.get(path, headers=stranger.headers)).status_code == 404
    assert (await client.put(path, json=own, headers=stranger.headers)).status_code == 404
