"""The admin's care-team, audit-log and overdue-alert pages: content-free, like the API's."""

import uuid
from datetime import UTC, date, datetime, time, timedelta
from typing import Annotated, Literal
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel

from app.access import oversight_of
from app.admin import service
from app.admin.schemas import ApprovalRead
from app.alerts import inbox
from app.audit import queries as audit
from app.audit.service import AuditAction
from app.care import backups
from app.care import service as care
from app.config import SettingsDep
from app.console.dependencies import AdminForm, ConsoleAdmin
from app.console.pages import render
from app.db import SessionDep
from app.users.models import Role

router = APIRouter(include_in_schema=False)
AUDIT_PAGE = 50
FilterField = Annotated[str | None, Query(max_length=64)]


class AuditFilters(BaseModel):
    """The audit page's filter form, as typed values."""

    actor_id: uuid.UUID | None
    participant_id: uuid.UUID | None
    action: AuditAction | None
    outcome: Literal["success", "failure"] | None
    since: date | None
    until: date | None


def _care_page(participant_id: uuid.UUID, done: str) -> RedirectResponse:
    return RedirectResponse(f"/console/admin/participants/{participant_id}?done={done}", 303)


@router.get("/participants/{participant_id}")
async def participant_care(
    request: Request, participant_id: uuid.UUID, console: ConsoleAdmin, session: SessionDep
) -> Response:
    """Who cares for the participant, who did before, and the forms to change it."""
    care_team = await backups.get_participant_care(session, participant_id)
    account = await service.get_account(session, participant_id)
    clinicians = await service.list_accounts(session, role=Role.clinician, limit=200, cursor=None)
    context = {
        "account": account,
        "care": care_team,
        "clinicians": [clinician for clinician in clinicians.items if clinician.is_active],
    }
    return render(request, "care_team.html", context, console=console)


@router.post("/participants/{participant_id}/clinician")
async def assign_clinician(
    participant_id: uuid.UUID,
    clinician_id: Annotated[uuid.UUID, Form()],
    console: AdminForm,
    session: SessionDep,
    settings: SettingsDep,
) -> Response:
    actor = console.identity.actor
    result = await service.assign_clinician(session, settings, actor, participant_id, clinician_id)
    return _care_page(participant_id, "pending" if isinstance(result, ApprovalRead) else "assigned")


@router.post("/participants/{participant_id}/clinician/end")
async def unassign_clinician(
    participant_id: uuid.UUID, console: AdminForm, session: SessionDep
) -> Response:
    await care.end_assignment(session, console.identity.actor, participant_id)
    return _care_page(participant_id, "assigned")


@router.post("/participants/{participant_id}/backup")
async def set_backup_clinician(
    participant_id: uuid.UUID,
    clinician_id: Annotated[uuid.UUID, Form()],
    console: AdminForm,
    session: SessionDep,
) -> Response:
    await backups.set_backup(session, console.identity.actor, participant_id, clinician_id)
    return _care_page(participant_id, "assigned")


@router.post("/participants/{participant_id}/backup/end")
async def end_backup_clinician(
    participant_id: uuid.UUID, console: AdminForm, session: SessionDep
) -> Response:
    await backups.end_backup(session, console.identity.actor, participant_id)
    return _care_page(participant_id, "assigned")


def _day_start(day: date | None, days_after: int = 0) -> datetime | None:
    """Midnight UTC starting `day` (plus `days_after`): the audit log's date filters."""
    if day is None:
        return None
    return datetime.combine(day + timedelta(days=days_after), time.min, tzinfo=UTC)


@router.get("/audit")
async def audit_log(
    request: Request,
    console: ConsoleAdmin,
    session: SessionDep,
    actor_id: FilterField = None,
    participant_id: FilterField = None,
    action: FilterField = None,
    outcome: FilterField = None,
    since: FilterField = None,
    until: FilterField = None,
    cursor: Annotated[str | None, Query(max_length=512)] = None,
) -> Response:
    """The audit trail, newest first, filtered as `GET /v1/admin/audit-events` is. A filter
    left empty in the form (sent as `name=`) is no filter."""
    chosen = AuditFilters.model_validate(
        {
            "actor_id": actor_id or None,
            "participant_id": participant_id or None,
            "action": action or None,
            "outcome": outcome or None,
            "since": since or None,
            "until": until or None,
        }
    )
    filters = audit.AuditFilter(
        chosen.actor_id,
        chosen.participant_id,
        chosen.action,
        chosen.outcome,
        _day_start(chosen.since),
        _day_start(chosen.until, 1),
    )
    page = await audit.list_audit_events(session, filters, limit=AUDIT_PAGE, cursor=cursor)
    kept = {name: str(value) for name, value in chosen.model_dump(mode="json").items() if value}
    next_query = urlencode({**kept, "cursor": page.next_cursor}) if page.next_cursor else None
    context = {
        "events": page.items,
        "next_query": next_query,
        "chosen": {name: kept.get(name, "") for name in AuditFilters.model_fields},
        "actions": [member.value for member in AuditAction],
    }
    return render(request, "audit.html", context, console=console)


@router.get("/overdue")
async def overdue_alerts(request: Request, console: ConsoleAdmin, session: SessionDep) -> Response:
    """Alerts nobody acknowledged in time: who and when, never what."""
    items = await inbox.overdue_alerts(session, oversight_of(console.identity))
    return render(request, "overdue.html", {"alerts": items}, console=console)
