"""What is due of each participant on one page of a caseload, for the console: the same rule
as `list_due` (never completed, or `every_days` passed), in a fixed number of statements
whatever the page's size."""

import uuid
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func
from sqlalchemy.ext.asyncio import AsyncSession

from app.access import Caseload
from app.alerts.rule_store import PARTICIPANT_RULES, clinic_rules, merge, to_rule
from app.alerts.rules import AlertRule, InstrumentFlagRule
from app.assessments.gate import GATED
from app.assessments.queries import ASSESSMENTS, SCHEDULES
from app.assessments.reads import due_read
from app.assessments.schemas import DueRead
from app.support.service import support_configured


def _answers_item_9(rules: Sequence[AlertRule]) -> bool:
    return any(
        isinstance(rule, InstrumentFlagRule)
        and rule.enabled
        and rule.instrument == GATED
        and rule.flag == "self_harm_thoughts"
        for rule in rules
    )


async def _phq9_open(
    session: AsyncSession, caseload: Caseload, among: list[uuid.UUID]
) -> set[uuid.UUID]:
    """Those of `among` who may be asked PHQ-9 now (the gate of `phq9_gate_problem`): the
    clinic's contacts and rules read once, the participants' own rules in one statement."""
    if not among or not await support_configured(session):
        return set()
    clinic = await clinic_rules(session)
    statement = caseload.select(PARTICIPANT_RULES, among=among).order_by(
        PARTICIPANT_RULES.c.participant_id, PARTICIPANT_RULES.c.position
    )
    own: dict[uuid.UUID, list[AlertRule]] = {participant_id: [] for participant_id in among}
    for row in await session.execute(statement):
        own[row.participant_id].append(to_rule(row))
    return {
        participant_id
        for participant_id, rules in own.items()
        if _answers_item_9([item.rule for item in merge(clinic, rules)])
    }


async def list_caseload_due(
    session: AsyncSession, caseload: Caseload, among: Sequence[uuid.UUID], now: datetime
) -> dict[uuid.UUID, list[DueRead]]:
    """For each participant of `among` (listed by `caseload`): their due instruments by
    instrument, PHQ-9 left out while the clinic cannot respond to its item 9."""
    listed = list(among)
    due: dict[uuid.UUID, list[DueRead]] = {participant_id: [] for participant_id in listed}
    if not listed:
        return due
    schedules = list(
        await session.execute(
            caseload.select(SCHEDULES, among=listed).order_by(SCHEDULES.c.instrument)
        )
    )
    if not schedules:
        return due
    columns = ASSESSMENTS.c
    last_statement = caseload.select(
        ASSESSMENTS,
        columns.participant_id,
        columns.instrument,
        func.max(columns.completed_at),
        among=listed,
    ).group_by(columns.participant_id, columns.instrument)
    last = {(who, instrument): at for who, instrument, at in await session.execute(last_statement)}
    gated = [row.participant_id for row in schedules if row.instrument == GATED]
    phq9_open = await _phq9_open(session, caseload, gated)
    for schedule in schedules:
        if schedule.instrument == GATED and schedule.participant_id not in phq9_open:
            continue
        read = due_read(schedule, last.get((schedule.participant_id, schedule.instrument)), now)
        if read is not None:
            due[schedule.participant_id].append(read)
    return due
