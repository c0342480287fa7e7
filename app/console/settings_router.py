"""The admin's clinic settings: the default alert rules (each switched on or off) and the
support contacts participants are shown (edited). Policy, never anyone's content."""

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from app.alerts import rule_store
from app.alerts.rules import AlertRuleSet
from app.console.dependencies import AdminForm, ConsoleAdmin
from app.console.pages import render
from app.console.support_form import MAX_SENT, RESOURCE_FIELDS, support_update_from
from app.db import SessionDep
from app.errors import NotFound
from app.support import service as support

router = APIRouter(include_in_schema=False)


@router.get("/alert-rules")
async def alert_rules(request: Request, console: ConsoleAdmin, session: SessionDep) -> Response:
    """The clinic's default rules, as `GET /v1/admin/alert-rules` gives them."""
    rules = await rule_store.clinic_rules(session)
    return render(request, "alert_rules.html", {"rules": rules}, console=console)


@router.post("/alert-rules/{key}/switch")
async def switch_alert_rule(key: str, console: AdminForm, session: SessionDep) -> Response:
    """Turn one default rule on or off: the whole set is replaced with that one change, as
    `PUT /v1/admin/alert-rules` does (and audited the same way)."""
    rules = await rule_store.clinic_rules(session)
    if key not in {rule.key for rule in rules}:
        raise NotFound("No such alert rule.")
    switched = [
        rule.model_dump() | ({"enabled": not rule.enabled} if rule.key == key else {})
        for rule in rules
    ]
    rule_set = AlertRuleSet.model_validate({"rules": switched})
    await rule_store.set_clinic_rules(session, console.identity.actor, rule_set)
    return RedirectResponse("/console/admin/alert-rules?done=rules", status_code=303)


@router.get("/support")
async def support_contacts(
    request: Request, console: ConsoleAdmin, session: SessionDep
) -> Response:
    """What participants are shown with an urgent alert, as
    `GET /v1/admin/support-resources` gives it, in the form that changes it."""
    contacts = await support.get_support_settings(session)
    context = {"support": contacts, "fields": RESOURCE_FIELDS, "limit": MAX_SENT - 1}
    return render(request, "support.html", context, console=console)


@router.post("/support")
async def set_support_contacts(
    request: Request, console: AdminForm, session: SessionDep
) -> Response:
    """Replace the message and the whole list (at most 10), as
    `PUT /v1/admin/support-resources` does: validated the same way, audited."""
    update = support_update_from(await request.form())
    await support.set_support(session, console.identity.actor, update)
    return RedirectResponse("/console/admin/support?done=support", status_code=303)
