"""Webhooks from the outbox survive a kill -9: events committed with their changes are
delivered by the next process, each once after de-duplication by `webhook-id`."""

import asyncio
import uuid
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from sqlalchemy import insert
from standardwebhooks.webhooks import Webhook

from app.auth.models import IntegrationClient, IntegrationConsent
from app.db import utcnow
from app.integrations.models import WebhookEndpoint
from app.integrations.webhook_secrets import webhook_secret
from tests.faults.load import ENTRIES, Database, entry_body, open_database
from tests.faults.server import Server
from tests.webhook_receiver import Receiver, receiver

WRITES = 12


async def hook_up(db: Database, participant_id: uuid.UUID, url: str) -> str:
    """An integration with an endpoint at `url`, consented to: straight in the database."""
    client_id, endpoint_id, then = uuid.uuid4(), uuid.uuid4(), utcnow() - timedelta(minutes=1)
    async with db.engine.begin() as connection:
        await connection.execute(
            insert(IntegrationClient).values(
                id=client_id, name="EHR", description="", scopes="webhooks.receive",
                secret_hash="0" * 64, secret_version=1, is_active=True, created_at=then,
                updated_at=then,
            )
        )  # fmt: skip
        await connection.execute(
            insert(IntegrationConsent).values(
                participant_id=participant_id, integration_id=client_id, consented_at=then
            )
        )
        await connection.execute(
            insert(WebhookEndpoint).values(
                id=endpoint_id, integration_id=client_id, url=url, events="entry.created",
                secret_version=1, is_active=True, created_at=then, updated_at=then,
            )
        )  # fmt: skip
    return webhook_secret(db.settings, endpoint_id, 1)


async def wait_for(hooked: Receiver, count: int, within_s: float) -> None:
    async with asyncio.timeout(within_s):
        while True:
            if len({item.headers["webhook-id"] for item in hooked.received}) >= count:
                return
            await asyncio.sleep(0.05)


@pytest.mark.fault
async def test_kill_9_between_commit_and_delivery_loses_no_event(
    fault_database_url: str, tmp_path: Path
) -> None:
    # The first process never reaches a sweep; the second sweeps often.
    first = Server(fault_database_url, tmp_path, sweep_interval_seconds="3600",
                   webhook_relay_interval_seconds="3600",
                   webhook_allow_private_urls="true")  # fmt: skip
    second = Server(fault_database_url, tmp_path, sweep_interval_seconds="60",
                    webhook_relay_interval_seconds="0.2",
                    webhook_allow_private_urls="true")  # fmt: skip
    try:
        async with (
            asyncio.timeout(120),
            receiver() as hooked,
            open_database(fault_database_url) as db,
        ):
            sam = await db.participant()
            secret = await hook_up(db, sam.id, hooked.url("/a"))
            await first.start_and_wait()
            ids = [uuid.uuid4() for _ in range(WRITES)]
            async with httpx.AsyncClient(base_url=first.base_url, timeout=10) as client:
                for n, entry_id in enumerate(ids):
                    body = entry_body(entry_id, n)
                    response = await client.post(ENTRIES, json=body, headers=sam.headers)
                    assert response.status_code == 201, response.text
            first.kill()
            assert hooked.received == []

            await second.start_and_wait()
            await wait_for(hooked, WRITES, within_s=30)

            payloads = [Webhook(secret).verify(i.body, i.headers) for i in hooked.received]
            entries = {payload["data"]["entry_id"] for payload in payloads}
            assert entries == {str(entry_id) for entry_id in ids}
    finally:
        first.stop()
        second.stop()
