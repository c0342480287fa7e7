"""Experience reports: stored idempotently by the client's id, evaluated against the
`experience_report` rules in the same transaction, read by the care team without the
description unless it is shared. Every statement is built from the participant's scope."""

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, cast

from sqlalchemy import ColumnElement, Row, Table, case
from sqlalchemy.ext.asyncio import AsyncSession

from app.access import ParticipantScope, Reader
from app.alerts.rule_store import enabled_rules
from app.alerts.rules import ExperienceReportRule
from app.alerts.store import Raised, raise_alert, raised_urgent_by
from app.audit.service import AuditAction, record_event
from app.db import utcnow
from app.errors import Conflict
from app.experience.models import ExperienceReport
from app.experience.schemas import SEVERITY_RANK, ExperienceReportCreate, ExperienceReportRead
from app.pagination import before_instant, decode_instant_cursor, encode_instant_cursor, fetch_page
from app.support.schemas import SupportRead
from app.support.service import get_support

REPORTS = cast(Table, ExperienceReport.__table__)
CURSOR_KIND = "experience-reports"
OWN_COLUMNS: tuple[ColumnElement[Any], ...] = tuple(REPORTS.c)
# The description is the participant's: anyone else reads it only where it is shared.
CARE_TEAM_COLUMNS: tuple[ColumnElement[Any], ...] = tuple(
    case((REPORTS.c.shared.is_(True), column)).label("description")
    if column.key == "description"
    else column
    for column in REPORTS.c
)
Report = Mapping[Any, Any]


class ReportChanged(Conflict):
    """A create retried with the id of a report of yours stored with other content."""

    code, title = "experience-report-changed", "Experience report changed"
    example = "This id is yours, stored with other content; make a new id for this one."


class ReportIdUnavailable(Conflict):
    """An id another participant's report has: say nothing more about it."""

    code, title = "experience-report-id-unavailable", "Experience report id not available"
    example = "This id is used by another report; make a new id for this one."


def reports_of(scope: ParticipantScope) -> Any:
    columns = OWN_COLUMNS if scope.reader is Reader.participant else CARE_TEAM_COLUMNS
    return scope.select(REPORTS, *columns)


def to_report_read(row: Report) -> ExperienceReportRead:
    return ExperienceReportRead.model_validate(dict(row))


async def _find(session: AsyncSession, scope: ParticipantScope, report_id: uuid.UUID) -> Any:
    row = (await session.execute(reports_of(scope).where(REPORTS.c.id == report_id))).first()
    return row._mapping if row is not None else None


def _offset_minutes(moment: datetime) -> int:
    offset = moment.utcoffset()
    return int(offset.total_seconds() // 60) if offset is not None else 0


def _same_content(stored: Report, data: ExperienceReportCreate) -> bool:
    return bool(
        stored["occurred_at"] == data.occurred_at
        and stored["utc_offset_minutes"] == _offset_minutes(data.occurred_at)
        and stored["severity"] == data.severity
        and stored["description"] == data.description
        and stored["shared"] == data.shared
    )


async def _evaluate_rules(
    session: AsyncSession, scope: ParticipantScope, report: Report, now: datetime
) -> list[Raised]:
    """Fire each enabled `experience_report` rule the report's severity meets. The alert says
    the severity reported, never the description."""
    raised = []
    for rule in await enabled_rules(session, scope):
        if not isinstance(rule, ExperienceReportRule):
            continue
        if SEVERITY_RANK[report["severity"]] < SEVERITY_RANK[rule.min_severity]:
            continue
        summary = f"Experience reported as {report['severity']}"
        evidence = {"report_id": str(report["id"]), "severity": report["severity"]}
        raised.append(
            await raise_alert(session, scope, rule, rule.kind, summary, evidence, report["id"], now)
        )
    return raised


@dataclass(frozen=True)
class Stored:
    report: Report
    created: bool
    support: SupportRead | None


async def _replay(
    session: AsyncSession, scope: ParticipantScope, data: ExperienceReportCreate, stored: Any
) -> Stored:
    if stored is None:
        raise ReportIdUnavailable(ReportIdUnavailable.example)
    if not _same_content(stored, data):
        raise ReportChanged(ReportChanged.example)
    urgent = await raised_urgent_by(session, scope, stored["id"])
    return Stored(stored, False, await get_support(session) if urgent else None)


async def create_report(
    session: AsyncSession, scope: ParticipantScope, data: ExperienceReportCreate
) -> Stored:
    """Store a report and evaluate the participant's `experience_report` rules in the same
    transaction; support contacts come back when it raised an urgent alert. A retry with the
    same id and content returns the stored report (and the same support); else `409`."""
    if data.id is not None:
        stored = await _find(session, scope, data.id)
        if stored is not None:
            return await _replay(session, scope, data, stored)
        if await session.scalar(scope.id_taken_by_another(REPORTS, data.id)):
            raise ReportIdUnavailable(ReportIdUnavailable.example)
    now = utcnow()
    report_id = data.id or uuid.uuid4()
    row = {
        "id": report_id,
        "occurred_at": data.occurred_at.astimezone(UTC),
        "utc_offset_minutes": _offset_minutes(data.occurred_at),
        "severity": data.severity,
        "description": data.description,
        "shared": data.shared,
        "created_at": now,
    }
    insert = (
        scope.upsert(session, REPORTS)
        .values(row)
        .on_conflict_do_nothing(index_elements=[REPORTS.c.participant_id, REPORTS.c.id])
    )
    if (await session.execute(insert.returning(REPORTS.c.id))).first() is None:
        return await _replay(session, scope, data, await _find(session, scope, report_id))
    raised = await _evaluate_rules(session, scope, row, now)
    urgent = any(alert.new and alert.severity == "urgent" for alert in raised)
    return Stored(row, True, await get_support(session) if urgent else None)


def _cursor(row: Row[Any]) -> str:
    return encode_instant_cursor(CURSOR_KIND, row.occurred_at, row.id)


async def list_reports(
    session: AsyncSession, scope: ParticipantScope, limit: int, cursor: str | None
) -> tuple[list[ExperienceReportRead], str | None]:
    """Newest first by `occurred_at`, keyset-paginated on (occurred_at, id). A care-team
    read is audited, and shows a description only where it is shared."""
    statement = reports_of(scope).order_by(REPORTS.c.occurred_at.desc(), REPORTS.c.id.desc())
    if cursor is not None:
        after = decode_instant_cursor(CURSOR_KIND, cursor)
        statement = statement.where(before_instant(REPORTS.c.occurred_at, REPORTS.c.id, *after))
    rows, next_cursor = await fetch_page(session, statement, limit, _cursor)
    if scope.reader is not Reader.participant:
        await record_event(
            session,
            scope.actor,
            AuditAction.read_experience_reports,
            participant_id=scope.participant_id,
        )
    return [to_report_read(row._mapping) for row in rows], next_cursor


async def erase_reports(session: AsyncSession, scope: ParticipantScope) -> None:
    """Every report of the participant (their account's erasure)."""
    await session.execute(scope.delete(REPORTS))
