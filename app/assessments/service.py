"""Writing a participant's assessments: checked against the instrument, scored on the
server, stored with the instrument's version, idempotent by the client's id, and evaluated
against the alert rules in the same transaction. Every statement is built from the scope."""

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.access import ParticipantScope
from app.alerts.store import raised_urgent_by
from app.assessments.gate import check_gate
from app.assessments.queries import ASSESSMENTS, SCHEDULES
from app.assessments.reads import find_assessment
from app.assessments.rules import evaluate_assessment_rules
from app.assessments.schemas import AssessmentCreate
from app.db import utcnow
from app.errors import Conflict, FieldError, InvalidInput
from app.events.service import EventType, record_thin_event
from app.instruments.definitions import INSTRUMENTS, Instrument
from app.support.schemas import SupportRead
from app.support.service import get_support

Row = Mapping[str, Any]


class AssessmentChanged(Conflict):
    """A create retried with the id of an assessment of yours stored with other content."""

    code, title = "assessment-changed", "Assessment changed"
    example = "This id is yours, stored with other content; make a new id for this one."


class AssessmentIdUnavailable(Conflict):
    """An id another participant's assessment has: say nothing more about it."""

    code, title = "assessment-id-unavailable", "Assessment id not available"
    example = "This id is used by another assessment; make a new id for this one."


def check_answers(instrument: Instrument, data: AssessmentCreate) -> None:
    """`422` unless the answers fit the instrument (one per item, each one of its options)
    and the version sent, if any, is the instrument's current one."""
    if data.version is not None and data.version != instrument.version:
        raise InvalidInput(
            "body.version",
            f"{instrument.key} is at version {instrument.version}.",
            "unknown-instrument-version",
        )
    problems = instrument.answer_problems(data.answers)
    if not problems:
        return
    code = "wrong-number-of-answers" if len(data.answers) != len(instrument.items) else None
    error = InvalidInput(problems[0][0], problems[0][1], code or "answer-not-an-option")
    error.errors = [
        FieldError(field=field, message=message, code=code or "answer-not-an-option")
        for field, message in problems
    ]
    raise error


def _offset_minutes(moment: datetime) -> int:
    offset = moment.utcoffset()
    return int(offset.total_seconds() // 60) if offset is not None else 0


def _same_content(stored: Row, data: AssessmentCreate) -> bool:
    return (
        stored["instrument"] == data.instrument
        and list(stored["answers"]) == data.answers
        and stored["completed_at"] == data.completed_at
        and stored["utc_offset_minutes"] == _offset_minutes(data.completed_at)
    )


@dataclass(frozen=True)
class Stored:
    assessment: Row
    created: bool
    # The clinic's support contacts when this assessment raised an urgent alert (a replay too).
    support: SupportRead | None


async def _replay(
    session: AsyncSession, scope: ParticipantScope, data: AssessmentCreate, stored: Row | None
) -> Stored:
    if stored is None:
        # Another participant's id, whatever the content: nothing about it leaks.
        raise AssessmentIdUnavailable(AssessmentIdUnavailable.example)
    if not _same_content(stored, data):
        raise AssessmentChanged(AssessmentChanged.example)
    urgent = await raised_urgent_by(session, scope, stored["id"])
    return Stored(stored, False, await get_support(session) if urgent else None)


def _new_row(instrument: Instrument, data: AssessmentCreate, now: datetime) -> dict[str, Any]:
    score = instrument.score(data.answers)
    return {
        "id": data.id or uuid.uuid4(),
        "instrument": instrument.key,
        "version": instrument.version,
        "completed_at": data.completed_at.astimezone(UTC),
        "utc_offset_minutes": _offset_minutes(data.completed_at),
        "local_date": data.completed_at.date(),  # the calendar day in the offset it was sent with
        "answers": list(data.answers),
        "total": score.total,
        "band": score.band,
        "flags": list(score.flags),
        "created_at": now,
    }


async def create_assessment(
    session: AsyncSession, scope: ParticipantScope, data: AssessmentCreate
) -> Stored:
    """Score and store an assessment, and evaluate the participant's instrument rules in the
    same transaction; support contacts come back when it raised an urgent alert. A retry with
    the same id and content returns the stored one (and the same support); other content is
    `409`. PHQ-9 is `409` while the clinic cannot respond to its item 9 (`check_gate`)."""
    instrument = INSTRUMENTS[data.instrument]
    check_answers(instrument, data)
    if data.id is not None:
        stored = await find_assessment(session, scope, data.id)
        if stored is not None:
            return await _replay(session, scope, data, stored)
        if await session.scalar(scope.id_taken_by_another(ASSESSMENTS, data.id)):
            raise AssessmentIdUnavailable(AssessmentIdUnavailable.example)
    await check_gate(session, scope, instrument.key)
    now = utcnow()
    row = _new_row(instrument, data, now)
    insert = (
        scope.upsert(session, ASSESSMENTS)
        .values(row)
        .on_conflict_do_nothing(index_elements=[ASSESSMENTS.c.participant_id, ASSESSMENTS.c.id])
    )
    inserted = (await session.execute(insert.returning(ASSESSMENTS.c.id))).first()
    if inserted is None:  # the id is taken by a retry of ours that raced
        return await _replay(session, scope, data, await find_assessment(session, scope, row["id"]))
    await record_thin_event(session, scope, EventType.assessment_completed, row["id"], now)
    raised = await evaluate_assessment_rules(session, scope, row, now)
    urgent = any(alert.new and alert.severity == "urgent" for alert in raised)
    support = await get_support(session) if urgent else None
    return Stored(row, True, support)


async def erase_assessments(session: AsyncSession, scope: ParticipantScope) -> None:
    """Every assessment and schedule of the participant (their account's erasure)."""
    await session.execute(scope.delete(ASSESSMENTS))
    await session.execute(scope.delete(SCHEDULES))
