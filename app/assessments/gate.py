"""The PHQ-9 gate: item 9 asks about thoughts of self-harm, so PHQ-9 is offered only while
the clinic can respond to it. PHQ-8 (PHQ-9 without item 9) is always available."""

from sqlalchemy.ext.asyncio import AsyncSession

from app.access import ParticipantScope
from app.alerts.rule_store import enabled_rules
from app.alerts.rules import InstrumentFlagRule
from app.errors import Conflict
from app.support.service import support_configured

GATED = "phq-9"


class Phq9NeedsSupportResources(Conflict):
    """PHQ-9 asked for while the clinic has entered no support contacts."""

    code, title = "phq9-needs-support-resources", "PHQ-9 not available"
    example = (
        "PHQ-9 is available once the clinic has entered its support contacts; PHQ-8 is "
        "available now."
    )


class Phq9NeedsSelfHarmRule(Conflict):
    """PHQ-9 asked for while no enabled rule raises an alert on its item 9 for this participant."""

    code, title = "phq9-needs-self-harm-rule", "PHQ-9 not available"
    example = (
        "PHQ-9 is available once an enabled alert rule on its `self_harm_thoughts` flag applies "
        "to this participant; PHQ-8 is available now."
    )


async def phq9_gate_problem(session: AsyncSession, scope: ParticipantScope) -> Conflict | None:
    """Why PHQ-9 cannot be asked of this participant now, or None when it can."""
    if not await support_configured(session):
        return Phq9NeedsSupportResources(Phq9NeedsSupportResources.example)
    for rule in await enabled_rules(session, scope):
        if (
            isinstance(rule, InstrumentFlagRule)
            and rule.instrument == GATED
            and rule.flag == "self_harm_thoughts"
        ):
            return None
    return Phq9NeedsSelfHarmRule(Phq9NeedsSelfHarmRule.example)


async def check_gate(session: AsyncSession, scope: ParticipantScope, instrument: str) -> None:
    """`409` for PHQ-9 while the clinic cannot respond to its item 9; nothing otherwise."""
    if instrument == GATED:
        problem = await phq9_gate_problem(session, scope)
        if problem is not None:
            raise problem
