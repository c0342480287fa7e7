"""The clinician's pages: caseload, alert inbox, one participant. Every read goes through the
same service functions as the API's (so it is scoped and audited the same way)."""

import uuid
from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import RedirectResponse, Response

from app.access import Reader, caseload_of, clinician_scope
from app.alerts import inbox
from app.alerts.schemas import AlertResolution
from app.assessments.reads import AssessmentFilter
from app.assessments.schedules import list_participant_assessments
from app.clinician import notes, service
from app.clinician.attention import ATTENTION_REASONS
from app.clinician.schemas import ClinicianNoteCreate, ReviewMarkUpdate
from app.console.charts import daily_charts
from app.console.dependencies import ClinicianForm, ConsoleClinician, ConsoleDep
from app.console.pages import render
from app.db import SessionDep, utcnow
from app.instruments.definitions import INSTRUMENTS
from app.journal.reads import EntryListFilter
from app.journal.stats import summary_range

router = APIRouter(include_in_schema=False)

CASELOAD_PAGE = 200
ENTRIES_PAGE = 20
CHART_WINDOWS = (30, 90)
SearchQuery = Annotated[str | None, Query(max_length=100)]
CursorParam = Annotated[str | None, Query(max_length=512)]


@router.get("/")
async def caseload(
    request: Request,
    console: ConsoleDep,
    session: SessionDep,
    q: SearchQuery = None,
    attention: Annotated[bool, Query()] = False,
    cursor: CursorParam = None,
) -> Response:
    """The caseload in attention order, with why each participant is where they are."""
    if console.identity.user.role.value == "admin":
        return RedirectResponse("/console/admin/accounts", status_code=303)
    overviews, next_cursor = await service.list_assigned_participants(
        session, caseload_of(console.identity), CASELOAD_PAGE, cursor, "attention", q
    )
    if attention:
        overviews = [overview for overview in overviews if overview.attention_reasons]
    context = {
        "participants": overviews,
        "reasons": ATTENTION_REASONS,
        "q": q or "",
        "attention": attention,
        "next_cursor": next_cursor,
    }
    return render(request, "caseload.html", context, console=console)


@router.get("/alerts")
async def alerts(
    request: Request, console: ConsoleClinician, session: SessionDep, cursor: CursorParam = None
) -> Response:
    """The inbox: unresolved alerts of the caseload and of those covered, urgent first."""
    items, next_cursor = await inbox.list_inbox(
        session,
        caseload_of(console.identity),
        status=None,
        severity=None,
        participant_id=None,
        limit=50,
        cursor=cursor,
    )
    context = {"alerts": items, "next_cursor": next_cursor}
    return render(request, "alerts.html", context, console=console)


@router.post("/alerts/{alert_id}/acknowledge")
async def acknowledge_alert(
    alert_id: uuid.UUID, console: ClinicianForm, session: SessionDep
) -> Response:
    identity = console.identity
    await inbox.acknowledge(session, identity, caseload_of(identity), alert_id)
    return RedirectResponse("/console/alerts?done=acknowledged", status_code=303)


@router.post("/alerts/{alert_id}/resolve")
async def resolve_alert(
    alert_id: uuid.UUID,
    resolution_note: Annotated[str, Form()],
    console: ClinicianForm,
    session: SessionDep,
) -> Response:
    body = AlertResolution.model_validate({"resolution_note": resolution_note})
    identity = console.identity
    await inbox.resolve(session, identity, caseload_of(identity), alert_id, body.resolution_note)
    return RedirectResponse("/console/alerts?done=resolved", status_code=303)


@router.get("/participants/{participant_id}")
async def participant(
    request: Request,
    participant_id: uuid.UUID,
    console: ConsoleClinician,
    session: SessionDep,
    cursor: CursorParam = None,
) -> Response:
    """Charts, assessments and entries of a participant in the clinician's care; any other
    id is the same 404 as an unknown one."""
    identity = console.identity
    scope = await clinician_scope(session, identity, participant_id)
    overview = await service.get_participant_overview(session, caseload_of(identity), scope)
    _, today = summary_range(None, None, scope.timezone)
    from_date = today - timedelta(days=max(CHART_WINDOWS) - 1)
    summary = await service.get_participant_summary(session, scope, from_date, today, "day")
    entries, next_cursor = await service.list_participant_entries(
        session, scope, EntryListFilter(), ENTRIES_PAGE, cursor
    )
    assessments, _ = await list_participant_assessments(
        session, scope, AssessmentFilter(), 50, None
    )
    care_notes, _ = await service.list_participant_notes(session, scope, ENTRIES_PAGE, None)
    alert_history, _ = await inbox.list_inbox(
        session,
        caseload_of(identity),
        status=None,
        severity=None,
        participant_id=participant_id,
        limit=ENTRIES_PAGE,
        cursor=None,
    )
    context = {
        "participant": overview,
        "notes": care_notes,
        "alerts": alert_history,
        "reasons": ATTENTION_REASONS,
        "charts": {
            days: daily_charts(summary.series, summary.to_date, days) for days in CHART_WINDOWS
        },
        "entries": entries,
        "next_cursor": next_cursor,
        "assessments": assessments,
        "instruments": INSTRUMENTS,
        "covering": scope.reader is Reader.covering_backup,
    }
    return render(request, "participant.html", context, console=console)


@router.post("/participants/{participant_id}/review-mark")
async def mark_reviewed(
    participant_id: uuid.UUID, console: ClinicianForm, session: SessionDep
) -> Response:
    """Everything received up to now counts as reviewed (the primary clinician only)."""
    scope = await clinician_scope(session, console.identity, participant_id, primary=True)
    await service.set_review_mark(session, scope, ReviewMarkUpdate(reviewed_through=utcnow()))
    return RedirectResponse(f"/console/participants/{participant_id}?done=reviewed", 303)


@router.post("/participants/{participant_id}/notes")
async def write_note(
    participant_id: uuid.UUID,
    text: Annotated[str, Form()],
    visibility: Annotated[str, Form()],
    console: ClinicianForm,
    session: SessionDep,
) -> Response:
    scope = await clinician_scope(session, console.identity, participant_id)
    note = ClinicianNoteCreate.model_validate({"text": text, "visibility": visibility})
    await notes.write_note(session, scope, note)
    return RedirectResponse(f"/console/participants/{participant_id}?done=noted", 303)
