"""The alert rules that look at assessments, evaluated in the transaction of the assessment
that may fire them: when the answer arrives, the alert exists.

Descriptive only: a summary states the score ("PHQ-9 total 21 (severe)") or which answer
range was reported; the evidence is the assessment's id, instrument and total (or the flag),
never its answers."""

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.access import ParticipantScope
from app.alerts.rule_store import enabled_rules
from app.alerts.rules import InstrumentFlagRule, InstrumentScoreRule
from app.alerts.store import Raised, raise_alert
from app.assessments.queries import SHORT_NAMES
from app.instruments.definitions import INSTRUMENTS


def score_summary(assessment: Mapping[str, Any]) -> str:
    instrument = INSTRUMENTS[assessment["instrument"]]
    name, total = SHORT_NAMES[instrument.key], assessment["total"]
    if instrument.band_multiplier != 1:
        return f"{name} total {total} (percentage {total * instrument.band_multiplier})"
    band = instrument.band_for(total)
    return f"{name} total {total} ({band.label.lower()})" if band else f"{name} total {total}"


def flag_summary(instrument_key: str, flag_key: str) -> str:
    instrument = INSTRUMENTS[instrument_key]
    (flag,) = [flag for flag in instrument.flags if flag.key == flag_key]
    option = next(option for option in instrument.options if option.value == flag.min_answer)
    return f"{SHORT_NAMES[instrument.key]} item {flag.item} answered '{option.text}' or more"


def _fired(rule: Any, assessment: Mapping[str, Any]) -> tuple[str, dict[str, Any]] | None:
    identity = {"assessment_id": str(assessment["id"]), "instrument": assessment["instrument"]}
    if not isinstance(rule, InstrumentScoreRule | InstrumentFlagRule):
        return None
    if rule.instrument != assessment["instrument"]:
        return None
    if isinstance(rule, InstrumentScoreRule) and assessment["total"] >= rule.min_total:
        return score_summary(assessment), {**identity, "total": assessment["total"]}
    if isinstance(rule, InstrumentFlagRule) and rule.flag in assessment["flags"]:
        return flag_summary(rule.instrument, rule.flag), {**identity, "flag": rule.flag}
    return None


async def evaluate_assessment_rules(
    session: AsyncSession, scope: ParticipantScope, assessment: Mapping[str, Any], now: datetime
) -> list[Raised]:
    """Evaluate the participant's enabled instrument rules on a new assessment."""
    raised = []
    for rule in await enabled_rules(session, scope):
        fired = _fired(rule, assessment)
        if fired is not None:
            summary, evidence = fired
            raised.append(
                await raise_alert(
                    session, scope, rule, rule.kind, summary, evidence, assessment["id"], now
                )
            )
    return raised
