"""The dosing firewall over every text the service writes itself: alert summaries (each kind
and direction, raised over HTTP), severity band labels, flag descriptions, scoring rules,
attention reasons and the demo clinic's support template. Each states what was reported or
measured; none names a dose, an amount, a substance or a schedule, or tells anyone what to
do. (Published instrument item texts are checked for the dosing words only: their wording
is pinned, tests/test_instruments.py.)"""

import re
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from fastapi import FastAPI

from app.access import sweep_for
from app.alerts.rules import AlertRuleSet
from app.clinician.attention import ATTENTION_REASONS
from app.demo_data import DEMO_SUPPORT
from app.instruments.definitions import INSTRUMENTS
from app.sweeper.service import sweep_once
from tests.conftest import Account, Accounts
from tests.helpers import care_team, post_entry
from tests.test_contract_no_dosing import refers_to_dosing

# Words that would tell someone what to do, or judge what was reported (an answer of 0 on
# PHQ-9 item 9 is never "safe").
ADVICE = re.compile(
    r"\b(should|must|recommend\w*|advi[cs]e\w*|suggest\w*|consider|try|increase|decrease|"
    r"reduce|stop|start|continue|take|prescri\w*|medicat\w*|safe|risk-free|no risk)\b",
    re.IGNORECASE,
)


def offending(text: str) -> list[str]:
    found = ADVICE.findall(text)
    if refers_to_dosing(text):
        found.append("(dosing vocabulary)")
    return found


def written_texts() -> dict[str, str]:
    """Every fixed text the service writes, by where it comes from."""
    texts: dict[str, str] = {}
    for key, instrument in INSTRUMENTS.items():
        texts[f"{key} scoring"] = instrument.scoring
        for band in instrument.bands:
            texts[f"{key} band {band.key}"] = band.label
        for flag in instrument.flags:
            texts[f"{key} flag {flag.key}"] = flag.description
    for code, meaning in ATTENTION_REASONS.items():
        texts[f"attention reason {code}"] = meaning
    texts["demo support message"] = DEMO_SUPPORT.message
    for resource in DEMO_SUPPORT.resources:
        texts[f"demo support {resource.name}"] = f"{resource.name} {resource.description}"
    return texts


def test_no_fixed_text_advises_or_names_a_dose() -> None:
    texts = written_texts()
    assert len(texts) > 20
    problems = {where: offending(text) for where, text in texts.items() if offending(text)}
    assert problems == {}


def test_published_item_texts_name_no_dose() -> None:
    for instrument in INSTRUMENTS.values():
        for text in [item.text for item in instrument.items] + [
            option.text for option in instrument.options
        ]:
            assert not refers_to_dosing(text), (instrument.key, text)


def test_the_checker_catches_advice_and_doses() -> None:
    assert offending("You should take 20 mg")
    assert offending("Consider a lower dose")
    assert offending("Item 9 answered 0: safe")
    assert not offending("Anxiety 8 or higher on each of 3 consecutive days: 9, 8, 9")


RULES = AlertRuleSet.model_validate(
    {
        "rules": [
            {"key": "anxiety-high", "kind": "rating_threshold", "dimension": "anxiety",
             "op": "gte", "value": 8, "consecutive_days": 2, "severity": "routine",
             "acknowledge_within_minutes": 60},
            {"key": "mood-low", "kind": "rating_threshold", "dimension": "mood", "op": "lte",
             "value": 2, "consecutive_days": 1, "severity": "routine",
             "acknowledge_within_minutes": 60},
            {"key": "focus-drop", "kind": "baseline_change", "dimension": "focus",
             "change": -2, "min_entries": 1, "severity": "routine",
             "acknowledge_within_minutes": 60},
            {"key": "connection-rise", "kind": "baseline_change", "dimension": "connection",
             "change": 2, "min_entries": 1, "severity": "routine",
             "acknowledge_within_minutes": 60},
            {"key": "quiet", "kind": "missed_checkins", "days": 1, "severity": "routine",
             "acknowledge_within_minutes": 60},
        ]
    }
)  # fmt: skip


async def raised_summaries(
    app: FastAPI, client: httpx.AsyncClient, clinician: Account, quiet: Account, sam: Account
) -> list[str]:
    now = datetime.now(UTC)
    for days in (20, 15, 10):  # the 28 days before: focus 9, connection 1
        recorded = (now - timedelta(days=days)).isoformat()
        await post_entry(client, sam, recorded_at=recorded, focus=9, connection=1)
    for days in (1, 0):
        recorded = (now - timedelta(days=days, minutes=1)).isoformat()
        response = await post_entry(
            client, sam, recorded_at=recorded, anxiety=9, mood=1, focus=3, connection=9
        )
        assert response.status_code == 201, response.text
    await sweep_once(app.state.sessionmaker, sweep_for("test"), batch=10)
    response = await client.get("/v1/clinician/alerts", headers=clinician.headers)
    items: list[dict[str, Any]] = response.json()["items"]
    assert {item["rule_key"] for item in items} >= {rule.key for rule in RULES.rules}
    assert any(item["participant_id"] == str(quiet.id) for item in items)
    return [item["summary"] for item in items]


async def test_no_alert_summary_advises_or_names_a_dose(
    app: FastAPI, client: httpx.AsyncClient, accounts: Accounts
) -> None:
    admin, clinician, (quiet, sam) = await care_team(client, accounts, participants=2)
    await accounts.sql("UPDATE users SET created_at = :then", then=datetime(2026, 1, 1, tzinfo=UTC))
    response = await client.put(
        "/v1/admin/alert-rules", json=RULES.model_dump(mode="json"), headers=admin.headers
    )
    assert response.status_code == 200, response.text

    summaries = await raised_summaries(app, client, clinician, quiet, sam)

    assert summaries and all(summary.strip() for summary in summaries)
    assert {summary: offending(summary) for summary in summaries if offending(summary)} == {}
