"""Webhook delivery, a step of each sweeper pass: fan the outbox out into deliveries, then
send what is due, signed per Standard Webhooks.

In the sweeper rather than a separate `journal relay` process: the sweeper already runs in
`journal serve` and alone (`journal sweep`), already takes the lock that makes several
processes safe, and a deployment then has nothing new to run or watch.

Each endpoint is its own sequence (one delivery at a time, in order), served concurrently
with the others up to `RelayOptions.concurrency`: a slow or hanging endpoint costs its own
timeout, not the others' turns. Nothing is sent inside a database transaction."""

import asyncio
import json
import uuid
from dataclasses import dataclass, field
from datetime import datetime

import httpx
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from standardwebhooks.webhooks import Webhook

from app.access import Sweep
from app.config import Settings
from app.db import utcnow
from app.errors import InvalidInput
from app.integrations.webhook_secrets import webhook_secret
from app.integrations.webhook_urls import check_webhook_url
from app.sweeper.delivery_store import (
    Claimed,
    Outcome,
    claim_next,
    due_endpoints,
    record_outcome,
)
from app.sweeper.fanout import fan_out
from app.sweeper.service import take_lock


@dataclass(frozen=True)
class RelayOptions:
    timeout_seconds: float = 10.0
    concurrency: int = 8  # endpoints served at once
    per_endpoint: int = 100  # deliveries to one endpoint per pass, at most
    batch: int = 500  # events fanned out per transaction


@dataclass
class RelayReport:
    fanned_out: int = 0
    delivered: int = 0
    failed_attempts: int = 0
    endpoints: set[uuid.UUID] = field(default_factory=set)


def signed_request(
    settings: Settings, claimed: Claimed, now: datetime
) -> tuple[bytes, dict[str, str]]:
    """The body and the Standard Webhooks headers of one attempt: signed afresh with the
    current time; `webhook-id` is the event's id on every attempt, for de-duplication."""
    body = json.dumps(claimed.payload, separators=(",", ":")).encode()
    secret = webhook_secret(settings, claimed.endpoint_id, claimed.secret_version)
    message_id = claimed.payload["id"]
    headers = {
        "content-type": "application/json",
        "webhook-id": message_id,
        "webhook-timestamp": str(int(now.timestamp())),
        "webhook-signature": Webhook(secret).sign(message_id, now, body),
    }
    return body, headers


async def send(
    client: httpx.AsyncClient, settings: Settings, claimed: Claimed, now: datetime
) -> Outcome:
    """One attempt. A redirect is not followed (it is a failure), and the URL's addresses are
    checked again first: the name may resolve elsewhere than at creation."""
    try:
        await check_webhook_url(claimed.url, allow_private=settings.webhook_allow_private_urls)
    except InvalidInput as refused:
        return Outcome(None, f"refused: {refused.errors[0].message}"[:200])
    body, headers = signed_request(settings, claimed, now)
    try:
        response = await client.post(claimed.url, content=body, headers=headers)
    except httpx.TimeoutException:
        return Outcome(None, "timed out")
    except httpx.HTTPError as failure:
        return Outcome(None, f"could not connect ({type(failure).__name__})")
    if 300 <= response.status_code < 400:
        return Outcome(response.status_code, "redirect not followed")
    error = None if response.is_success else f"answered {response.status_code}"
    return Outcome(response.status_code, error)


@dataclass
class _Relay:
    sessionmaker: async_sessionmaker[AsyncSession]
    sweep: Sweep
    settings: Settings
    options: RelayOptions
    now: datetime | None
    report: RelayReport = field(default_factory=RelayReport)

    def clock(self) -> datetime:
        return self.now or utcnow()

    async def serve(self, client: httpx.AsyncClient, endpoint_id: uuid.UUID) -> None:
        """The endpoint's due deliveries in order, until one fails (it waits for its retry,
        and so do those after it)."""
        for _ in range(self.options.per_endpoint):
            async with self.sessionmaker() as session, session.begin():
                lease = self.options.timeout_seconds + 50
                claimed = await claim_next(session, self.sweep, endpoint_id, self.clock(), lease)
            if claimed is None:
                return
            outcome = await send(client, self.settings, claimed, self.clock())
            async with self.sessionmaker() as session, session.begin():
                await record_outcome(session, self.sweep, claimed, outcome, self.clock())
            self.report.endpoints.add(endpoint_id)
            if not outcome.delivered:
                self.report.failed_attempts += 1
                return
            self.report.delivered += 1

    async def fan_out_all(self) -> None:
        while True:
            async with self.sessionmaker() as session, session.begin():
                if not await take_lock(session):
                    return
                taken = await fan_out(session, self.sweep, self.clock(), self.options.batch)
            self.report.fanned_out += taken
            if taken < self.options.batch:
                return


async def relay_once(
    sessionmaker: async_sessionmaker[AsyncSession],
    sweep: Sweep,
    settings: Settings,
    options: RelayOptions | None = None,
    now: datetime | None = None,
) -> RelayReport:
    """Fan out new events, then send every endpoint's due deliveries (`now`: a fixed clock,
    for tests)."""
    relay = _Relay(sessionmaker, sweep, settings, options or RelayOptions(), now)
    await relay.fan_out_all()
    async with sessionmaker() as session:
        endpoints = await due_endpoints(session, relay.clock())
    if not endpoints:
        # No client then: building one loads the CA bundle (~10 ms of CPU), every second.
        return relay.report
    gate = asyncio.Semaphore(relay.options.concurrency)
    timeout = httpx.Timeout(relay.options.timeout_seconds)
    async with httpx.AsyncClient(
        timeout=timeout, follow_redirects=False, trust_env=False
    ) as client:

        async def serve(endpoint_id: uuid.UUID) -> None:
            async with gate:
                await relay.serve(client, endpoint_id)

        outcomes = await asyncio.gather(
            *(serve(endpoint_id) for endpoint_id in endpoints), return_exceptions=True
        )
    # One endpoint's trouble (a database error mid-sequence) does not cut the others short;
    # its lease runs out and a later pass carries on.
    failures = [outcome for outcome in outcomes if isinstance(outcome, Exception)]
    if failures:
        raise failures[0]
    return relay.report
