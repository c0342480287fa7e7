"""The clinician's caseload and alert inbox. Every read goes through the same service
functions as the API's (so it is scoped and audited the same way)."""

import uuid
from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import RedirectResponse, Response

from app.access import caseload_of
from app.alerts import inbox
from app.alerts.schemas import AlertResolution
from app.clinician import service
from app.clinician.attention import ATTENTION_REASONS
from app.clinician.sparklines import daily_means
from app.clinician.window import local_today
from app.console import participant_router
from app.console.charts import sparkline
from app.console.dependencies import ClinicianForm, ConsoleClinician, ConsoleDep
from app.console.pages import render
from app.db import SessionDep, utcnow

router = APIRouter(include_in_schema=False)

CASELOAD_PAGE = 200
SPARK_DIMENSIONS = ("mood", "anxiety")
SPARK_DAYS = 30
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
    caseload = caseload_of(console.identity)
    overviews, next_cursor = await service.list_assigned_participants(
        session, caseload, CASELOAD_PAGE, cursor, "attention", q
    )
    if attention:
        overviews = [overview for overview in overviews if overview.attention_reasons]
    now = utcnow()
    listed = [(overview.participant_id, overview.timezone) for overview in overviews]
    means = await daily_means(session, caseload, listed, SPARK_DIMENSIONS, SPARK_DAYS, now)
    sparklines = {
        participant_id: [
            sparkline(name, means[participant_id][name], local_today(zone, now), SPARK_DAYS)
            for name in SPARK_DIMENSIONS
        ]
        for participant_id, zone in listed
    }
    context = {
        "participants": overviews,
        "sparklines": sparklines,
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


router.include_router(participant_router.router)
