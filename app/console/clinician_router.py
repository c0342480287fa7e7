"""The clinician's caseload and alert inbox. Every read goes through the same service
functions as the API's (so it is scoped and audited the same way)."""

import uuid
from typing import Annotated
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import RedirectResponse, Response
from markupsafe import Markup
from pydantic import TypeAdapter
from sqlalchemy.ext.asyncio import AsyncSession

from app.access import Caseload, caseload_of
from app.alerts import inbox
from app.alerts.schemas import AlertResolution, AlertStatus
from app.assessments.caseload_due import list_caseload_due
from app.assessments.queries import SHORT_NAMES
from app.clinician import service
from app.clinician.attention import ATTENTION_REASONS
from app.clinician.overview import Overview
from app.clinician.sparklines import daily_means, journal_versions
from app.clinician.window import local_today
from app.console import participant_router, participant_rules_router
from app.console.charts import sparkline
from app.console.dependencies import ClinicianForm, ConsoleClinician, ConsoleDep
from app.console.pages import render
from app.console.sparkline_cache import SparklineCache, sparkline_cache
from app.db import SessionDep, utcnow

router = APIRouter(include_in_schema=False)

CASELOAD_PAGE = 200
SPARK_DIMENSIONS = ("mood", "anxiety")
SPARK_DAYS = 30
STATUS_FILTER: TypeAdapter[AlertStatus | None] = TypeAdapter(AlertStatus | None)
SearchQuery = Annotated[str | None, Query(max_length=100)]
CursorParam = Annotated[str | None, Query(max_length=512)]


async def _sparklines(
    session: AsyncSession, caseload: Caseload, overviews: list[Overview], kept: SparklineCache
) -> dict[uuid.UUID, list[Markup]]:
    """Each participant's 30-day lines, over their own local days: drawn again only for
    those whose journal or local today changed since they were last drawn here."""
    now = utcnow()
    zones = {overview["participant_id"]: overview["timezone"] for overview in overviews}
    versions = await journal_versions(session, caseload, list(zones))
    keys = {pid: (pid, versions[pid], local_today(zone, now)) for pid, zone in zones.items()}
    drawn = {pid: kept.get(key) for pid, key in keys.items()}
    stale = [(pid, zones[pid]) for pid, lines in drawn.items() if lines is None]
    if stale:
        means = await daily_means(session, caseload, stale, SPARK_DIMENSIONS, SPARK_DAYS, now)
        for pid, series in means.items():
            lines = [sparkline(name, series[name], SPARK_DAYS) for name in SPARK_DIMENSIONS]
            kept.put(keys[pid], lines)
            drawn[pid] = lines
    return {pid: lines or [] for pid, lines in drawn.items()}


async def _due(
    session: AsyncSession, caseload: Caseload, overviews: list[Overview]
) -> dict[uuid.UUID, list[str]]:
    """Each participant's due questionnaires as text: "PHQ-9 since 3 Dec", the day in the
    participant's own time zone, as every day on these pages."""
    zones = {overview["participant_id"]: ZoneInfo(overview["timezone"]) for overview in overviews}
    due = await list_caseload_due(session, caseload, list(zones), utcnow())
    texts: dict[uuid.UUID, list[str]] = {}
    for participant_id, items in due.items():
        texts[participant_id] = []
        for item in items:
            day = item.due_since.astimezone(zones[participant_id])
            name = SHORT_NAMES.get(item.instrument, item.instrument)
            texts[participant_id].append(f"{name} since {day.day} {day:%b}")
    return texts


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
        session, caseload, CASELOAD_PAGE, cursor, "attention", q, with_scores=False
    )
    if attention:
        overviews = [overview for overview in overviews if overview["attention_reasons"]]
    context = {
        "participants": overviews,
        "sparklines": await _sparklines(session, caseload, overviews, sparkline_cache(request)),
        "due": await _due(session, caseload, overviews),
        "reasons": ATTENTION_REASONS,
        "q": q or "",
        "attention": attention,
        "next_cursor": next_cursor,
    }
    return render(request, "caseload.html", context, console=console)


@router.get("/alerts")
async def alerts(
    request: Request,
    console: ConsoleClinician,
    session: SessionDep,
    status: Annotated[str | None, Query(max_length=20)] = None,
    cursor: CursorParam = None,
) -> Response:
    """The inbox: alerts of the caseload and the escalated ones of those covered, urgent
    first, then oldest first; `status` (empty: any) as in `GET /v1/clinician/alerts`."""
    chosen = STATUS_FILTER.validate_python(status or None)
    items, next_cursor = await inbox.list_inbox(
        session,
        caseload_of(console.identity),
        status=chosen,
        severity=None,
        participant_id=None,
        limit=50,
        cursor=cursor,
    )
    context = {"alerts": items, "next_cursor": next_cursor, "status": chosen or ""}
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
router.include_router(participant_rules_router.router)
