"""Changing one of a participant's alert rules from their page: its threshold, days,
severity and acknowledgement time. The whole set goes through the same validation and
service as `PUT /v1/clinician/participants/{id}/alert-rules` (the primary clinician only;
audited the same way)."""

import re
import uuid
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.ext.asyncio import AsyncSession

from app.access import ParticipantScope, clinician_scope
from app.alerts import rule_store
from app.alerts.rules import AlertRule, AlertRuleSet
from app.console.dependencies import ClinicianForm
from app.db import SessionDep
from app.errors import NotFound

router = APIRouter(prefix="/participants/{participant_id}", include_in_schema=False)

# What a clinician may change of a rule on the page; its key, kind, dimension, direction
# and instrument stay as they are (another rule is another key, through the API).
EDITABLE = (
    "severity",
    "acknowledge_within_minutes",
    "value",
    "consecutive_days",
    "change",
    "min_entries",
    "days",
    "min_total",
    "min_severity",
)
TEXT_FIELDS = frozenset({"severity", "min_severity"})
NUMBER = re.compile(r"^-?[0-9]{1,6}(\.[0-9]{1,6})?$")


def _typed(field: str, sent: str) -> Any:
    """A form's text as the number the rule takes; anything else is left for the rule's
    validation to refuse (a friendly 422)."""
    sent = sent.strip()
    if field in TEXT_FIELDS or not NUMBER.match(sent):
        return sent
    return float(sent) if "." in sent else int(sent)


async def _effective(session: AsyncSession, scope: ParticipantScope) -> dict[str, AlertRule]:
    return {
        item.rule.key: item.rule
        for item in (await rule_store.effective_rules(session, scope)).rules
    }


@router.post("/alert-rules/{key}")
async def change_alert_rule(
    request: Request,
    participant_id: uuid.UUID,
    key: str,
    console: ClinicianForm,
    session: SessionDep,
) -> Response:
    """Change one rule for this participant only: their own rule with that key, or a copy
    of the clinic rule that overrides it. Invalid values change nothing."""
    scope = await clinician_scope(session, console.identity, participant_id, primary=True)
    effective = await _effective(session, scope)
    if key not in effective:
        raise NotFound("No such alert rule.")
    form = await request.form()
    changed = effective[key].model_dump()
    for field in EDITABLE:
        sent = form.get(field)
        if field in changed and isinstance(sent, str):
            changed[field] = _typed(field, sent)
    own = {
        rule.key: rule.model_dump() for rule in await rule_store.participant_rules(session, scope)
    }
    own[key] = changed
    rule_set = AlertRuleSet.model_validate({"rules": list(own.values())})
    await rule_store.set_participant_rules(session, scope, rule_set)
    return RedirectResponse(f"/console/participants/{participant_id}?done=rules", 303)
