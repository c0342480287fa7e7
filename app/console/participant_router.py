"""One participant's page for their clinician (or their covering backup): charts, alerts,
assessments and schedules, entries, notes, and the review mark. Through the API's service
functions, so every read is scoped and audited as through the API."""

import uuid
from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import RedirectResponse, Response

from app.access import Reader, caseload_of, clinician_scope
from app.alerts import inbox, rule_store
from app.alerts.rules import AlertRuleSet
from app.assessments import schedules
from app.assessments.reads import AssessmentFilter
from app.assessments.schemas import AssessmentScheduleUpdate
from app.clinician import notes, service
from app.clinician.attention import ATTENTION_REASONS
from app.clinician.schemas import ClinicianNoteCreate, ReviewMarkUpdate
from app.console.charts import daily_charts
from app.console.dependencies import ClinicianForm, ConsoleClinician
from app.console.pages import render
from app.db import SessionDep, utcnow
from app.errors import NotFound
from app.instruments.definitions import INSTRUMENTS
from app.journal.reads import EntryListFilter
from app.journal.stats import summary_range

router = APIRouter(prefix="/participants/{participant_id}", include_in_schema=False)

ENTRIES_PAGE = 20
CHART_WINDOWS = (30, 90)
CursorParam = Annotated[str | None, Query(max_length=512)]


def _back(participant_id: uuid.UUID, done: str) -> RedirectResponse:
    return RedirectResponse(f"/console/participants/{participant_id}?done={done}", 303)


@router.get("")
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
    assessments, _ = await schedules.list_participant_assessments(
        session, scope, AssessmentFilter(), 50, None
    )
    asked_for = await schedules.list_schedules(session, scope)
    rules = await rule_store.effective_rules(session, scope)
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
        "schedules": asked_for,
        "rules": rules.rules,
        "covering": scope.reader is Reader.covering_backup,
    }
    return render(request, "participant.html", context, console=console)


@router.post("/review-mark")
async def mark_reviewed(
    participant_id: uuid.UUID, console: ClinicianForm, session: SessionDep
) -> Response:
    """Everything received up to now counts as reviewed (the primary clinician only)."""
    scope = await clinician_scope(session, console.identity, participant_id, primary=True)
    await service.set_review_mark(session, scope, ReviewMarkUpdate(reviewed_through=utcnow()))
    return _back(participant_id, "reviewed")


@router.post("/notes")
async def write_note(
    participant_id: uuid.UUID,
    text: Annotated[str, Form()],
    visibility: Annotated[str, Form()],
    console: ClinicianForm,
    session: SessionDep,
    supersedes: Annotated[str, Form(max_length=64)] = "",
) -> Response:
    """A new note, or (with `supersedes`) the correction of an earlier one."""
    scope = await clinician_scope(session, console.identity, participant_id)
    fields = {"text": text, "visibility": visibility, "supersedes": supersedes or None}
    await notes.write_note(session, scope, ClinicianNoteCreate.model_validate(fields))
    return _back(participant_id, "noted")


def _instrument(key: str) -> str:
    if key not in INSTRUMENTS:
        raise NotFound("No such questionnaire.")
    return key


@router.post("/schedules")
async def set_schedule(
    participant_id: uuid.UUID,
    instrument: Annotated[str, Form(max_length=20)],
    every_days: Annotated[int, Form()],
    console: ClinicianForm,
    session: SessionDep,
) -> Response:
    """Ask for a questionnaire every so many days (the primary clinician only)."""
    scope = await clinician_scope(session, console.identity, participant_id, primary=True)
    update = AssessmentScheduleUpdate.model_validate({"every_days": every_days})
    await schedules.set_schedule(session, scope, _instrument(instrument), update)
    return _back(participant_id, "scheduled")


@router.post("/schedules/{instrument}/stop")
async def stop_schedule(
    participant_id: uuid.UUID, instrument: str, console: ClinicianForm, session: SessionDep
) -> Response:
    scope = await clinician_scope(session, console.identity, participant_id, primary=True)
    await schedules.delete_schedule(session, scope, _instrument(instrument))
    return _back(participant_id, "scheduled")


@router.post("/alert-rules/{key}/switch")
async def switch_alert_rule(
    participant_id: uuid.UUID, key: str, console: ClinicianForm, session: SessionDep
) -> Response:
    """Turn one rule on or off for this participant only: their own rule with that key is
    switched, or a clinic rule is overridden by a switched copy (the primary clinician only,
    as `PUT .../alert-rules`)."""
    scope = await clinician_scope(session, console.identity, participant_id, primary=True)
    effective = {
        item.rule.key: item.rule
        for item in (await rule_store.effective_rules(session, scope)).rules
    }
    if key not in effective:
        raise NotFound("No such alert rule.")
    own = {
        rule.key: rule.model_dump() for rule in await rule_store.participant_rules(session, scope)
    }
    own[key] = effective[key].model_dump() | {"enabled": not effective[key].enabled}
    rule_set = AlertRuleSet.model_validate({"rules": list(own.values())})
    await rule_store.set_participant_rules(session, scope, rule_set)
    return _back(participant_id, "rules")
