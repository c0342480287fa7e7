"""Stored alert rules: the clinic's defaults, a participant's own, and the effective merge."""

import json
from collections.abc import Sequence
from typing import Any, cast

from pydantic import TypeAdapter
from sqlalchemy import Select, Table, Text, delete, insert, literal, select, union_all
from sqlalchemy.ext.asyncio import AsyncSession

from app.access import ParticipantScope, scoped_template
from app.alerts.models import Alert, ClinicAlertRule, ParticipantAlertRule
from app.alerts.rules import AlertRule, AlertRuleSet, EffectiveRule, EffectiveRuleSet, RuleBase
from app.audit.service import Actor, AuditAction, record_event
from app.db import utcnow

RULE = TypeAdapter(AlertRule)
BASE_FIELDS = ("key", "kind", "severity", "acknowledge_within_minutes", "enabled")
CLINIC_RULES = cast(Table, ClinicAlertRule.__table__)
PARTICIPANT_RULES = cast(Table, ParticipantAlertRule.__table__)


_CACHE_LIMIT = 4096


def to_rule(row: Any) -> AlertRule:
    values = {field: getattr(row, field) for field in BASE_FIELDS}
    return RULE.validate_python({**values, **row.parameters})


def rule_columns(rule: RuleBase, position: int) -> dict[str, Any]:
    dumped = rule.model_dump(mode="json")
    return {
        **{field: dumped.pop(field) for field in BASE_FIELDS},
        "parameters": dumped,
        "position": position,
        "updated_at": utcnow(),
    }


async def clinic_rules(session: AsyncSession) -> list[AlertRule]:
    rows = await session.execute(select(CLINIC_RULES).order_by(CLINIC_RULES.c.position))
    return [to_rule(row) for row in rows]


async def set_clinic_rules(
    session: AsyncSession, actor: Actor, rule_set: AlertRuleSet
) -> AlertRuleSet:
    """Replace the clinic's defaults at once; audited (that they changed: policy, no content)."""
    await session.execute(delete(CLINIC_RULES))
    if rule_set.rules:
        rows = [rule_columns(rule, position) for position, rule in enumerate(rule_set.rules)]
        await session.execute(insert(CLINIC_RULES), rows)
    await record_event(session, actor, AuditAction.alert_rules_update)
    return rule_set


async def participant_rules(session: AsyncSession, scope: ParticipantScope) -> list[AlertRule]:
    statement = scope.select(PARTICIPANT_RULES).order_by(PARTICIPANT_RULES.c.position)
    return [to_rule(row) for row in await session.execute(statement)]


def merge(clinic: Sequence[AlertRule], own: Sequence[AlertRule]) -> list[EffectiveRule]:
    """Clinic rules first (each replaced by the participant's rule with its key, if any),
    then the participant's additions."""
    own_by_key = {rule.key: rule for rule in own}
    merged = [
        EffectiveRule(scope="participant", rule=own_by_key.pop(rule.key))
        if rule.key in own_by_key
        else EffectiveRule(scope="clinic", rule=rule)
        for rule in clinic
    ]
    return merged + [EffectiveRule(scope="participant", rule=rule) for rule in own_by_key.values()]


async def effective_rules(session: AsyncSession, scope: ParticipantScope) -> EffectiveRuleSet:
    """The rules that apply to the participant: the clinic's, merged with their own."""
    own = await participant_rules(session, scope)
    return EffectiveRuleSet(rules=merge(await clinic_rules(session), own))


# The parameters as their stored JSON text (not decoded by the driver), so that
# the rows themselves can key the cache of parsed rules below.
RULE_COLUMNS = (*BASE_FIELDS, "parameters", "position")


def _rule_columns(table: Table, origin: str) -> list[Any]:
    return [
        table.c[name].cast(Text) if name == "parameters" else table.c[name] for name in RULE_COLUMNS
    ] + [literal(origin).label("origin")]


# Built once (the write path runs it on every entry): the clinic's rules and the rules of
# whichever participant a scope binds, in one statement.
_OWN_RULES = scoped_template(PARTICIPANT_RULES, *_rule_columns(PARTICIPANT_RULES, "participant"))
_CLINIC_RULES: Select[Any] = select(*_rule_columns(CLINIC_RULES, "clinic"))
# The union reaches participants' rows only through the template: it keeps its mark.
_RULES_OF_PARTICIPANT = union_all(_OWN_RULES, _CLINIC_RULES).execution_options(
    **_OWN_RULES.get_execution_options()
)
# Enabled rules by the rows they were read from: parsing and merging cost more than the
# read, and the rows of most participants are the clinic's alone. Rules are never mutated.
_ENABLED: dict[tuple[tuple[Any, ...], ...], list[AlertRule]] = {}


def _enabled_from(rows: tuple[tuple[Any, ...], ...]) -> list[AlertRule]:
    parsed: dict[str, list[AlertRule]] = {"clinic": [], "participant": []}
    for *values, parameters, _position, origin in sorted(rows, key=lambda row: row[-2]):
        base = dict(zip(BASE_FIELDS, values, strict=True))
        parsed[origin].append(RULE.validate_python({**base, **json.loads(parameters)}))
    merged = merge(parsed["clinic"], parsed["participant"])
    return [item.rule for item in merged if item.rule.enabled]


def enabled_from_rows(rows: tuple[tuple[Any, ...], ...]) -> list[AlertRule]:
    """The enabled rules from rows of `_RULES_OF_PARTICIPANT` (or of `rules_with`, without
    the columns added), parsed once per distinct set of rows."""
    rules = _ENABLED.get(rows)
    if rules is None:
        if len(_ENABLED) >= _CACHE_LIMIT:
            _ENABLED.clear()
        rules = _ENABLED[rows] = _enabled_from(rows)
    return rules


def rules_with(*columns: Any) -> Select[Any]:
    """The rows `enabled_rules` reads, each with `columns` after them: for a caller that
    needs something else of the participant in the same round trip (built once)."""
    rules = _RULES_OF_PARTICIPANT.subquery("rules")
    return select(*rules.c, *columns).execution_options(**_OWN_RULES.get_execution_options())


async def enabled_rules(session: AsyncSession, scope: ParticipantScope) -> list[AlertRule]:
    """The participant's effective rules that are switched on, read in one statement: the
    clinic's and the participant's own together."""
    rows = tuple(tuple(row) for row in await session.execute(_RULES_OF_PARTICIPANT, scope.bind()))
    return enabled_from_rows(rows)


async def set_participant_rules(
    session: AsyncSession, scope: ParticipantScope, rule_set: AlertRuleSet
) -> EffectiveRuleSet:
    """Replace the participant's own rules at once; audited (no content)."""
    await session.execute(scope.delete(PARTICIPANT_RULES))
    for position, rule in enumerate(rule_set.rules):
        values = {**rule_columns(rule, position), "updated_by": scope.actor.user_id}
        await session.execute(scope.upsert(session, PARTICIPANT_RULES).values(values))
    await record_event(
        session,
        scope.actor,
        AuditAction.alert_rules_participant_update,
        participant_id=scope.participant_id,
    )
    return await effective_rules(session, scope)


async def erase_participant_alerting(session: AsyncSession, scope: ParticipantScope) -> None:
    """The participant's own rules and every alert about them (their account's erasure)."""
    await session.execute(scope.delete(PARTICIPANT_RULES))
    await session.execute(scope.delete(Alert))
