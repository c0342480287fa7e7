"""Reading the audit trail: newest first, filtered, keyset-paginated on `id`."""

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.audit.models import AuditEvent
from app.audit.schemas import AuditEventPage, AuditEventRead
from app.audit.service import AuditAction
from app.errors import InvalidInput
from app.pagination import decode_cursor, encode_cursor, fetch_page

_CURSOR_KIND = "audit"


@dataclass(frozen=True)
class AuditFilter:
    """Conditions that all hold for every returned event (unset ones are ignored)."""

    actor_id: uuid.UUID | None = None
    participant_id: uuid.UUID | None = None
    action: AuditAction | None = None
    outcome: str | None = None
    since: datetime | None = None
    until: datetime | None = None


def event_cursor(kind: str, event: Any) -> str:
    """The cursor after an audit event (or a row with its `id`) in a newest-first list."""
    return encode_cursor(kind, [event.id])


def decode_event_cursor(kind: str, cursor: str) -> int:
    """The audit event id of a cursor over a list of audit events; 422 unless it is one."""
    (before,) = decode_cursor(kind, cursor, int)
    return int(before)


async def list_audit_events(
    session: AsyncSession, filters: AuditFilter, *, limit: int, cursor: str | None
) -> AuditEventPage:
    """Audit events matching `filters`, newest first; `since` is inclusive, `until` exclusive.

    With an actor or participant filter the query walks the `(actor_id, id)` or
    `(participant_id, id)` index, so a page costs the same however long the trail."""
    if filters.since and filters.until and filters.since >= filters.until:
        raise InvalidInput("query.until", "`until` must be later than `since`.", "invalid-range")
    statement = select(AuditEvent).order_by(AuditEvent.id.desc())
    if cursor is not None:
        statement = statement.where(AuditEvent.id < decode_event_cursor(_CURSOR_KIND, cursor))
    if filters.actor_id is not None:
        statement = statement.where(AuditEvent.actor_id == filters.actor_id)
    if filters.participant_id is not None:
        statement = statement.where(AuditEvent.participant_id == filters.participant_id)
    if filters.action is not None:
        statement = statement.where(AuditEvent.action == filters.action.value)
    if filters.outcome is not None:
        statement = statement.where(AuditEvent.outcome == filters.outcome)
    if filters.since is not None:
        statement = statement.where(AuditEvent.occurred_at >= filters.since)
    if filters.until is not None:
        statement = statement.where(AuditEvent.occurred_at < filters.until)
    events, next_cursor = await fetch_page(
        session, statement, limit, lambda event: event_cursor(_CURSOR_KIND, event), objects=True
    )
    items = [AuditEventRead.model_validate(event) for event in events]
    return AuditEventPage(items=items, next_cursor=next_cursor)
