"""Alert rules: the clinic's defaults (admins) and a participant's own (their clinician)."""

from fastapi import APIRouter

from app.access import AssignedParticipant, PrimaryClinicianOnly, PrimaryParticipant
from app.alerts import rule_store
from app.alerts.rules import AlertRuleSet, EffectiveRuleSet
from app.auth.dependencies import AdminIdentity
from app.db import SessionDep
from app.errors import Forbidden, InvalidInput, NotAuthenticated, NotFound, ServiceUnavailable
from app.middleware import BodyTooLarge, UnsupportedMediaType
from app.openapi import problem_responses

router = APIRouter()
WRITE_ERRORS = (BodyTooLarge, UnsupportedMediaType, InvalidInput)


@router.get(
    "/v1/admin/alert-rules",
    tags=["admin"],
    response_model=AlertRuleSet,
    operation_id="getClinicAlertRules",
    summary="The clinic's default alert rules",
    responses=problem_responses(NotAuthenticated, Forbidden, ServiceUnavailable),
)
async def get_clinic_alert_rules(_identity: AdminIdentity, session: SessionDep) -> AlertRuleSet:
    """The rules every participant has unless their clinician overrides one. Rules are
    policy: they hold no participant's data."""
    return AlertRuleSet(rules=await rule_store.clinic_rules(session))


@router.put(
    "/v1/admin/alert-rules",
    tags=["admin"],
    response_model=AlertRuleSet,
    operation_id="setClinicAlertRules",
    summary="Replace the clinic's default alert rules",
    responses=problem_responses(NotAuthenticated, Forbidden, *WRITE_ERRORS, ServiceUnavailable),
)
async def set_clinic_alert_rules(
    body: AlertRuleSet, identity: AdminIdentity, session: SessionDep
) -> AlertRuleSet:
    """Replace the whole set at once (validated: each kind's parameters in range, each key
    once); audited. Disabling the PHQ-9 `self_harm_thoughts` rule makes PHQ-9 unavailable
    (the PHQ-9 gate)."""
    return await rule_store.set_clinic_rules(session, identity.actor, body)


@router.get(
    "/v1/clinician/participants/{participant_id}/alert-rules",
    tags=["clinician"],
    response_model=EffectiveRuleSet,
    operation_id="getParticipantAlertRules",
    summary="The alert rules that apply to a participant",
    responses=problem_responses(
        NotAuthenticated, Forbidden, NotFound, InvalidInput, ServiceUnavailable
    ),
)
async def get_participant_alert_rules(
    scope: AssignedParticipant, session: SessionDep
) -> EffectiveRuleSet:
    """The clinic's rules merged with this participant's own, each marked with its `scope`."""
    return await rule_store.effective_rules(session, scope)


@router.put(
    "/v1/clinician/participants/{participant_id}/alert-rules",
    tags=["clinician"],
    response_model=EffectiveRuleSet,
    operation_id="setParticipantAlertRules",
    summary="Set a participant's own alert rules",
    responses=problem_responses(
        NotAuthenticated,
        Forbidden,
        PrimaryClinicianOnly,
        NotFound,
        *WRITE_ERRORS,
        ServiceUnavailable,
    ),
)
async def set_participant_alert_rules(
    scope: PrimaryParticipant, body: AlertRuleSet, session: SessionDep
) -> EffectiveRuleSet:
    """Replace this participant's own rules at once: a rule with a clinic rule's key
    overrides it (`enabled: false` switches it off for them); other keys add rules. Answers
    the effective set. Audited. The primary clinician's only: a covering backup is `403`."""
    return await rule_store.set_participant_rules(session, scope, body)
