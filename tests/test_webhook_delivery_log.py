"""The admin's delivery log of a webhook endpoint, and manual retries: states and ids only,
another integration's endpoint or delivery is 404."""

from collections.abc import AsyncIterator
from datetime import timedelta

import pytest

from app.db import utcnow
from tests.conftest import ServeApp, ServedApp
from tests.helpers import post_entry
from tests.integration_helpers import register
from tests.test_webhook_delivery import add_hook, relay, set_up
from tests.webhook_receiver import Receiver, receiver


@pytest.fixture
async def served(serve_app: ServeApp) -> AsyncIterator[ServedApp]:
    async with serve_app(webhook_allow_private_urls=True) as application:
        yield application


@pytest.fixture
async def hooked() -> AsyncIterator[Receiver]:
    async with receiver() as receiving:
        yield receiving


async def test_the_log_shows_states_and_a_retry_sends_the_event_again(
    served: ServedApp, hooked: Receiver
) -> None:
    admin, _clinician, sam, integration, hook = await set_up(served, hooked.url("/a"))
    await post_entry(served.client, sam, note="walnut harbour")
    await relay(served)
    base = f"/v1/admin/integrations/{integration.id}/webhooks/{hook.id}/deliveries"

    first = await served.client.get(base, params={"limit": 1}, headers=admin.headers)
    second = await served.client.get(
        base, params={"limit": 1, "cursor": first.json()["next_cursor"]}, headers=admin.headers
    )
    items = first.json()["items"] + second.json()["items"]
    retried = await served.client.post(f"{base}/{items[0]['id']}/retry", headers=admin.headers)
    await relay(served)

    assert first.status_code == 200 and second.json()["next_cursor"] is None
    assert sorted(item["event_type"] for item in items) == ["consent.granted", "entry.created"]
    assert {(i["status"], i["attempts"], i["last_status_code"]) for i in items} == {
        ("delivered", 1, 200)
    }
    assert "walnut" not in first.text + second.text and "data" not in items[0]
    assert retried.status_code == 202, retried.text
    assert (retried.json()["status"], retried.json()["attempts"]) == ("pending", 0)
    ids = [item.headers["webhook-id"] for item in hooked.at("/a")]
    assert ids.count(items[0]["event_id"]) == 2
    assert ("integration.webhook_update", "success") in await served.accounts.audit_actions()


async def test_another_integrations_endpoint_or_delivery_is_404(
    served: ServedApp, hooked: Receiver
) -> None:
    admin, _clinician, _sam, integration, hook = await set_up(served, hooked.url("/a"))
    other = await register(served.client, admin, name="Other")
    theirs = await add_hook(served, admin, other, hooked.url("/b"))
    await relay(served)
    mine = f"/v1/admin/integrations/{integration.id}/webhooks/{hook.id}/deliveries"
    (delivery,) = (await served.client.get(mine, headers=admin.headers)).json()["items"]

    crossed = f"/v1/admin/integrations/{other.id}/webhooks/{hook.id}/deliveries"
    elsewhere = f"/v1/admin/integrations/{other.id}/webhooks/{theirs.id}/deliveries"
    answers = [
        await served.client.get(crossed, headers=admin.headers),
        await served.client.post(f"{crossed}/{delivery['id']}/retry", headers=admin.headers),
        await served.client.post(f"{elsewhere}/{delivery['id']}/retry", headers=admin.headers),
    ]

    assert [answer.status_code for answer in answers] == [404, 404, 404]
    rows = await served.accounts.sql("SELECT status FROM webhook_deliveries")
    assert [str(status) for (status,) in rows] == ["delivered"]


async def test_a_delivery_whose_event_is_gone_fails_and_the_next_one_is_sent(
    served: ServedApp, hooked: Receiver
) -> None:
    admin, _clinician, sam, integration, hook = await set_up(served, hooked.url("/a"))
    await relay(served)
    await post_entry(served.client, sam)
    retried = f"/v1/admin/integrations/{integration.id}/webhooks/{hook.id}/deliveries"
    (granted,) = (await served.client.get(retried, headers=admin.headers)).json()["items"]
    await served.client.post(f"{retried}/{granted['id']}/retry", headers=admin.headers)
    await served.accounts.sql("DELETE FROM domain_events WHERE type = 'consent.granted'")

    report = await relay(served)

    rows = await served.accounts.sql(
        "SELECT event_type, status, last_error FROM webhook_deliveries ORDER BY sequence"
    )
    assert [tuple(map(str, row)) for row in rows] == [
        ("consent.granted", "failed", "the event no longer exists"),
        ("entry.created", "delivered", "None"),
    ]
    assert report.delivered == 1


async def test_a_pending_delivery_waits_while_its_integration_is_deactivated(
    served: ServedApp, hooked: Receiver
) -> None:
    admin, _clinician, _sam, integration, _hook = await set_up(served, hooked.url("/a"))
    hooked.answers["/a"] = [500]
    await relay(served)  # the consent's event: pending, to be retried
    url = f"/v1/admin/integrations/{integration.id}"
    later = utcnow() + timedelta(hours=1)
    await served.client.patch(url, json={"is_active": False}, headers=admin.headers)

    paused = await relay(served, now=later)
    await served.client.patch(url, json={"is_active": True}, headers=admin.headers)
    resumed = await relay(served, now=later)

    assert paused.delivered == 0 and resumed.delivered == 1 and len(hooked.received) == 2
