"""Webhook delivery by the sweeper: a local receiver gets each event of a scripted session
once (after de-duplication by `webhook-id`), signed per Standard Webhooks, in each
endpoint's order; 500 and a hanging receiver are retried, 410 disables, a redirect is not
followed, and a private address is refused at delivery without the development switch."""

import asyncio
import json
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import pytest
from standardwebhooks.webhooks import Webhook

from app.access import sweep_for
from app.config import Settings
from app.db import utcnow
from app.sweeper.relay import RelayOptions, RelayReport, relay_once
from app.users.models import Role
from tests.conftest import Account, ServeApp, ServedApp
from tests.helpers import care_team, post_entry, submit
from tests.integration_helpers import Client, consent, register
from tests.webhook_receiver import HANG, Receiver, receiver

ALL_EVENTS = [
    "entry.created", "entry.updated", "entry.deleted", "assessment.completed",
    "alert.raised", "alert.acknowledged", "alert.escalated", "alert.resolved",
    "consent.granted", "consent.withdrawn",
]  # fmt: skip
SECRET_WORDS = "zebra quartz evening"
RESOLUTION = "Phoned; walnut harbour plan."


@dataclass
class Hook:
    id: str
    secret: str
    url: str


@pytest.fixture
async def served(serve_app: ServeApp) -> AsyncIterator[ServedApp]:
    async with serve_app(webhook_allow_private_urls=True) as application:
        yield application


@pytest.fixture
async def hooked() -> AsyncIterator[Receiver]:
    async with receiver() as receiving:
        yield receiving


async def add_hook(served: ServedApp, admin: Account, integration: Client, url: str) -> Hook:
    response = await served.client.post(
        f"/v1/admin/integrations/{integration.id}/webhooks",
        json={"url": url, "events": ALL_EVENTS}, headers=admin.headers,
    )  # fmt: skip
    assert response.status_code == 201, response.text
    created = response.json()
    return Hook(created["id"], created["secret"], url)


async def relay(
    served: ServedApp, now: datetime | None = None, wait: float = 5.0, **overrides: Any
) -> RelayReport:
    settings: Settings = served.app.state.settings.model_copy(update=overrides)
    options = RelayOptions(timeout_seconds=wait)
    return await relay_once(
        served.app.state.sessionmaker, sweep_for("test"), settings, options, now
    )


def verified(hook: Hook, receiving: Receiver, path: str) -> list[dict[str, Any]]:
    """Every payload at `path`, each verified with the standardwebhooks library."""
    return [Webhook(hook.secret).verify(item.body, item.headers) for item in receiving.at(path)]


async def set_up(served: ServedApp, url: str) -> tuple[Account, Account, Account, Client, Hook]:
    admin, clinician, (sam,) = await care_team(served.client, served.accounts)
    integration = await register(served.client, admin)
    hook = await add_hook(served, admin, integration, url)
    await consent(served.client, sam, integration)
    return admin, clinician, sam, integration, hook


async def scripted_session(served: ServedApp, clinician: Account, sam: Account) -> None:
    client = served.client
    entry = (await post_entry(client, sam, note=SECRET_WORDS, mood=2)).json()
    await client.patch(f"/v1/me/entries/{entry['id']}", json={"mood": 3}, headers=sam.headers)
    await client.delete(f"/v1/me/entries/{entry['id']}", headers=sam.headers)
    assert (await submit(client, sam)).status_code == 201
    now = utcnow().replace(microsecond=0)
    for days in (2, 1, 0):
        moment = (now - timedelta(days=days)).isoformat()
        await post_entry(client, sam, recorded_at=moment, anxiety=9, note=SECRET_WORDS)
    alerts = await client.get("/v1/clinician/alerts", headers=clinician.headers)
    base = f"/v1/clinician/alerts/{alerts.json()['items'][0]['id']}"
    await client.post(f"{base}/acknowledge", headers=clinician.headers)
    resolved = await client.post(
        f"{base}/resolve", json={"resolution_note": RESOLUTION}, headers=clinician.headers
    )
    assert resolved.status_code == 200, resolved.text


async def test_a_scripted_session_arrives_once_each_signed_and_in_order(
    served: ServedApp, hooked: Receiver
) -> None:
    _admin, clinician, sam, integration, hook = await set_up(served, hooked.url("/a"))
    await scripted_session(served, clinician, sam)
    await relay(served)
    await served.client.delete(f"/v1/me/integrations/{integration.id}/consent", headers=sam.headers)
    await relay(served)
    again = await relay(served)

    payloads = verified(hook, hooked, "/a")
    unique = {payload["id"]: payload for payload in payloads}
    stored = await served.accounts.sql(
        "SELECT id, type FROM domain_events ORDER BY occurred_at, id"
    )
    assert again.delivered == 0 and len(unique) == len(payloads)
    assert sorted(unique) == sorted(str(uuid.UUID(str(event_id))) for event_id, _ in stored)
    assert {payload["type"] for payload in payloads} >= {
        "consent.granted", "entry.created", "entry.updated", "entry.deleted",
        "assessment.completed", "alert.raised", "alert.acknowledged", "alert.resolved",
        "consent.withdrawn",
    }  # fmt: skip
    assert [p["id"] for p in payloads] == [str(uuid.UUID(str(event_id))) for event_id, _ in stored]
    for payload in payloads:
        assert payload["data"]["participant_id"] == str(sam.id)
    await assert_no_content(served, hooked)


async def assert_no_content(served: ServedApp, hooked: Receiver) -> None:
    """Walk what left the service and what it kept about it for the values the test sent."""
    sent = b"".join(item.body for item in hooked.received).decode()
    log = str(await served.accounts.sql("SELECT * FROM webhook_deliveries"))
    audit = str(await served.accounts.sql("SELECT * FROM audit_events"))
    for text in (sent, log, audit):
        assert SECRET_WORDS not in text and RESOLUTION not in text
        assert '"mood"' not in text and '"anxiety"' not in text and '"answers"' not in text


async def test_a_500_is_retried_later_and_later_events_wait_for_it(
    served: ServedApp, hooked: Receiver
) -> None:
    _admin, _clinician, sam, _integration, hook = await set_up(served, hooked.url("/a"))
    hooked.answers["/a"] = [500]
    await post_entry(served.client, sam)

    first = await relay(served)
    later = await relay(served, now=utcnow() + timedelta(seconds=10))

    assert first.failed_attempts == 1 and first.delivered == 0
    attempts = hooked.at("/a")
    assert len(attempts) == 3  # the consent event twice (500, then 200), then the entry's
    assert attempts[0].headers["webhook-id"] == attempts[1].headers["webhook-id"]
    types = [json.loads(item.body)["type"] for item in attempts]
    assert types == ["consent.granted", "consent.granted", "entry.created"]
    assert later.delivered == 2
    assert verified(hook, hooked, "/a")[0]["type"] == "consent.granted"


async def test_a_410_disables_the_endpoint_and_the_admin_sees_why(
    served: ServedApp, hooked: Receiver
) -> None:
    admin, _clinician, sam, integration, hook = await set_up(served, hooked.url("/a"))
    hooked.answers["/a"] = [410]
    await post_entry(served.client, sam)

    await relay(served)
    await relay(served, now=utcnow() + timedelta(hours=1))

    url = f"/v1/admin/integrations/{integration.id}/webhooks/{hook.id}"
    endpoint = (await served.client.get(url, headers=admin.headers)).json()
    assert endpoint["is_active"] is False and "410" in endpoint["disabled_reason"]
    assert len(hooked.at("/a")) == 1


async def test_a_redirect_is_a_failure_and_is_not_followed(
    served: ServedApp, hooked: Receiver
) -> None:
    await set_up(served, hooked.url("/a"))
    hooked.answers["/a"] = [302]

    report = await relay(served)

    rows = await served.accounts.sql("SELECT status, last_status_code FROM webhook_deliveries")
    assert report.failed_attempts == 1 and hooked.at("/elsewhere") == []
    assert [(str(status), code) for status, code in rows] == [("pending", 302)]


async def test_a_hanging_receiver_times_out_while_another_endpoint_is_served(
    served: ServedApp, hooked: Receiver
) -> None:
    admin, _clinician, sam, integration, _hook = await set_up(served, hooked.url("/slow"))
    await add_hook(served, admin, integration, hooked.url("/fast"))
    hooked.answers["/slow"] = [HANG]
    await post_entry(served.client, sam)

    report = await relay(served, wait=0.5)

    # /fast was added after the consent: it is told of the entry only.
    assert len(hooked.at("/fast")) == 1 and len(hooked.at("/slow")) == 1
    assert report.delivered == 1 and report.failed_attempts == 1
    rows = await served.accounts.sql(
        "SELECT last_error FROM webhook_deliveries WHERE last_error IS NOT NULL"
    )
    assert [str(error) for (error,) in rows] == ["timed out"]
    retried = await relay(served, now=utcnow() + timedelta(minutes=5))
    assert retried.delivered == 2 and len(hooked.at("/slow")) == 3


async def test_a_private_address_is_refused_at_delivery_without_the_switch(
    served: ServedApp, hooked: Receiver
) -> None:
    await set_up(served, f"http://localhost:{hooked.port}/a")

    await relay(served, webhook_allow_private_urls=False)

    rows = await served.accounts.sql("SELECT status, last_error FROM webhook_deliveries")
    assert hooked.received == []
    assert [str(status) for status, _ in rows] == ["pending"]
    assert str(rows[0][1]).startswith("refused:")


async def test_events_of_participants_who_do_not_consent_are_not_sent(
    served: ServedApp, hooked: Receiver
) -> None:
    admin = await served.accounts.make(Role.admin)
    kim = await served.accounts.make()
    integration = await register(served.client, admin)
    await add_hook(served, admin, integration, hooked.url("/a"))
    await post_entry(served.client, kim)

    await relay(served)

    assert hooked.received == [] and await served.accounts.count("webhook_deliveries") == 0


async def test_a_delivery_that_keeps_failing_for_72_hours_fails_and_disables(
    served: ServedApp, hooked: Receiver
) -> None:
    admin, _clinician, _sam, integration, hook = await set_up(served, hooked.url("/a"))
    hooked.answers["/a"] = [500] * 40
    now = utcnow()

    for _ in range(30):
        await relay(served, now=now)
        now += timedelta(hours=10)

    rows = await served.accounts.sql("SELECT status, attempts FROM webhook_deliveries")
    assert [(str(status), int(str(n))) for status, n in rows] == [("failed", 17)]
    url = f"/v1/admin/integrations/{integration.id}/webhooks/{hook.id}"
    endpoint = (await served.client.get(url, headers=admin.headers)).json()
    assert endpoint["is_active"] is False and "72 hours" in endpoint["disabled_reason"]


async def test_two_processes_relaying_at_once_send_each_event_once_in_order(
    served: ServedApp, hooked: Receiver
) -> None:
    admin, _clinician, sam, integration, _hook = await set_up(served, hooked.url("/a"))
    await add_hook(served, admin, integration, hooked.url("/b"))
    for mood in (1, 2, 3, 4):
        await post_entry(served.client, sam, mood=mood)

    reports = await asyncio.gather(relay(served), relay(served), relay(served))

    assert sum(report.delivered for report in reports) == 9  # 5 to /a, 4 to /b
    for path in ("/a", "/b"):
        ids = [item.headers["webhook-id"] for item in hooked.at(path)]
        assert len(ids) == len(set(ids))
        stored = await served.accounts.sql(
            "SELECT event_id FROM webhook_deliveries d JOIN webhook_endpoints e "
            "ON e.id = d.endpoint_id WHERE e.url = :url ORDER BY d.sequence",
            url=hooked.url(path),
        )
        assert ids == [str(uuid.UUID(str(event_id))) for (event_id,) in stored]


async def test_a_withdrawal_stops_what_was_fanned_out_before_it(
    served: ServedApp, hooked: Receiver
) -> None:
    """The receiver is down while Sam writes; Sam withdraws before it is back: the entry's
    event (already a delivery) is not sent, the withdrawal's own event is."""
    _admin, _clinician, sam, integration, _hook = await set_up(served, hooked.url("/a"))
    hooked.answers["/a"] = [500]
    await post_entry(served.client, sam)
    await relay(served)  # consent.granted fails once; the entry's delivery waits behind it
    withdrawn = await served.client.delete(
        f"/v1/me/integrations/{integration.id}/consent", headers=sam.headers
    )
    assert withdrawn.status_code == 204

    await relay(served, now=utcnow() + timedelta(seconds=10))

    types = [json.loads(item.body)["type"] for item in hooked.at("/a")]
    assert types == ["consent.granted", "consent.granted", "consent.withdrawn"]
    rows = await served.accounts.sql(
        "SELECT event_type, status, last_error FROM webhook_deliveries ORDER BY sequence"
    )
    assert [(str(kind), str(status)) for kind, status, _ in rows] == [
        ("consent.granted", "delivered"),
        ("entry.created", "failed"),
        ("consent.withdrawn", "delivered"),
    ]
    assert "no longer consents" in str(rows[1][2])


async def test_an_erased_participants_events_go_with_the_account(
    served: ServedApp, hooked: Receiver
) -> None:
    _admin, _clinician, sam, _integration, _hook = await set_up(served, hooked.url("/a"))
    await post_entry(served.client, sam)
    erased = await served.client.delete("/v1/me", headers=sam.headers)
    assert erased.status_code == 204

    await relay(served)

    assert await served.accounts.count("domain_events") == 0
    assert hooked.received == []
