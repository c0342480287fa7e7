"""What a consenting participant's integration reads: each read audited under its name."""

import uuid
from typing import Any

from sqlalchemy import Row
from sqlalchemy.ext.asyncio import AsyncSession

from app.access import Consenting, ParticipantScope
from app.alerts.store import ALERTS
from app.assessments.reads import AssessmentFilter, list_assessments
from app.assessments.schemas import AssessmentRead
from app.audit.service import AuditAction, record_event, record_reads
from app.auth.models import IntegrationConsent
from app.integrations.schemas import IntegrationAlertRead, IntegrationParticipantRead
from app.journal import reads as journal_reads
from app.journal.schemas import EntryChange
from app.pagination import (
    after_instant,
    before_instant,
    decode_instant_cursor,
    encode_instant_cursor,
    fetch_page,
)
from app.users.models import User


async def _audit(session: AsyncSession, scope: ParticipantScope, action: AuditAction) -> None:
    await record_event(
        session,
        scope.actor,
        action,
        participant_id=scope.participant_id,
        subject_id=scope.actor.client_id,
    )


async def list_participants(
    session: AsyncSession, consenting: Consenting, limit: int, cursor: str | None
) -> tuple[list[IntegrationParticipantRead], str | None]:
    """The consenting participants, in the order they consented; a read of each listed."""
    consented_at = IntegrationConsent.consented_at
    statement = consenting.participants(User.id, User.display_name, consented_at).order_by(
        consented_at, User.id
    )
    if cursor is not None:
        after = decode_instant_cursor("integration-participants", cursor)
        statement = statement.where(after_instant(consented_at, User.id, *after))
    rows, next_cursor = await fetch_page(
        session,
        statement,
        limit,
        lambda row: encode_instant_cursor("integration-participants", row.consented_at, row.id),
    )
    await record_reads(
        session,
        consenting.actor,
        AuditAction.integration_read_participants,
        [row.id for row in rows],
        subject_id=consenting.client_id,
    )
    return [IntegrationParticipantRead.model_validate(row._mapping) for row in rows], next_cursor


async def list_entry_changes(
    session: AsyncSession, scope: ParticipantScope, cursor: str | None, limit: int
) -> tuple[list[EntryChange], str, bool]:
    """The participant's sync feed, as their care team reads entries (notes only where
    shared)."""
    rows, next_cursor, has_more = await journal_reads.list_changes(session, scope, cursor, limit)
    await _audit(session, scope, AuditAction.integration_read_entries)
    return [journal_reads.to_entry_change(row) for row in rows], next_cursor, has_more


async def list_participant_assessments(
    session: AsyncSession, scope: ParticipantScope, limit: int, cursor: str | None
) -> tuple[list[AssessmentRead], str | None]:
    page = await list_assessments(session, scope, AssessmentFilter(), limit, cursor)
    await _audit(session, scope, AuditAction.integration_read_assessments)
    return page


def _alert_cursor(row: Row[Any]) -> str:
    return encode_instant_cursor("integration-alerts", row.raised_at, row.id)


async def list_participant_alerts(
    session: AsyncSession, scope: ParticipantScope, limit: int, cursor: str | None
) -> tuple[list[IntegrationAlertRead], str | None]:
    """The participant's alerts, newest first."""
    statement = scope.select(ALERTS).order_by(ALERTS.c.raised_at.desc(), ALERTS.c.id.desc())
    if cursor is not None:
        after: tuple[Any, uuid.UUID] = decode_instant_cursor("integration-alerts", cursor)
        statement = statement.where(before_instant(ALERTS.c.raised_at, ALERTS.c.id, *after))
    rows, next_cursor = await fetch_page(session, statement, limit, _alert_cursor)
    await _audit(session, scope, AuditAction.integration_read_alerts)
    return [IntegrationAlertRead.model_validate(row._mapping) for row in rows], next_cursor
