"""What needs a clinician's attention first: the overview's alert figures, its documented
attention order and the short reasons shown with each participant. A lexicographic order of
plain counts, never an opaque risk score.

Attention order: unresolved urgent alerts, overdue alerts (open past their acknowledgement
deadline), unresolved routine alerts, unreviewed entries (each most first), then display
name and id."""

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, Label, and_, func, or_, select

from app.access import Caseload
from app.alerts.store import ALERTS, UNRESOLVED
from app.pagination import decode_cursor, encode_cursor
from app.users.models import User

ATTENTION_CURSOR = "attention"
# A fall of at least this much in the 7-day mood mean against the 28 days before.
MOOD_DROP = -2.0
NO_ENTRY_DAYS = 3
ATTENTION_REASONS = {
    "urgent_alert": "an urgent alert is unresolved",
    "overdue_alert": "an alert is open past its acknowledgement deadline",
    "routine_alert": "a routine alert is unresolved",
    "unreviewed_entries": "entries you have not reviewed",
    "no_entries": "no entry yet",
    "no_entry_3d": f"no entry for {NO_ENTRY_DAYS} or more of the participant's days",
    "mood_drop": f"7-day mood mean {-MOOD_DROP:g} or more below the 28 days before",
}


def _alert_count(*conditions: ColumnElement[bool]) -> ColumnElement[int]:
    """Alerts of each caseload row's participant meeting `conditions` (index lookups)."""
    return (
        select(func.count())
        .select_from(ALERTS)
        .where(Caseload.of_each(ALERTS), *conditions)
        .scalar_subquery()
    )


def alert_figures(now: datetime) -> list[Label[int]]:
    """The overview's alert columns, correlated to each participant of a caseload query."""
    overdue = and_(ALERTS.c.status == "open", ALERTS.c.acknowledge_by <= now)
    return [
        _alert_count(UNRESOLVED, ALERTS.c.severity == "urgent").label("urgent_alerts"),
        _alert_count(overdue).label("overdue_alerts"),
        _alert_count(UNRESOLVED, ALERTS.c.severity == "routine").label("routine_alerts"),
    ]


def attention_key(columns: dict[str, Any]) -> list[ColumnElement[Any]]:
    """The attention order's columns, most pressing first (`columns`: the labelled ones)."""
    return [
        columns["urgent_alerts"],
        columns["overdue_alerts"],
        columns["routine_alerts"],
        columns["unreviewed"],
    ]


def attention_order(columns: dict[str, Any]) -> list[Any]:
    counts = [column.desc() for column in attention_key(columns)]
    return [*counts, User.display_name, User.id]


def after_attention(columns: dict[str, Any], cursor: str) -> ColumnElement[bool]:
    """Rows after the cursor's in attention order. The counts are the expressions
    themselves (a WHERE cannot name a select list's labels); the name is looked up by id,
    as a URL must not carry names. Counts that change between pages can move a participant
    to a page already read, or past the next: follow the pages quickly, or start again."""
    *counts, after_id = decode_cursor(ATTENTION_CURSOR, cursor, int, int, int, int, uuid.UUID)
    name = select(User.display_name).where(User.id == after_id).scalar_subquery()
    keys = [column.element for column in attention_key(columns)]
    condition: ColumnElement[bool] = or_(
        User.display_name > name, and_(User.display_name == name, User.id > after_id)
    )
    for key, value in reversed(list(zip(keys, counts, strict=True))):
        condition = or_(key < value, and_(key == value, condition))
    return condition


def attention_cursor(row: Any) -> str:
    values = [row.urgent_alerts, row.overdue_alerts, row.routine_alerts, row.unreviewed]
    return encode_cursor(ATTENTION_CURSOR, [*values, str(row.participant_id)])


def days_since(last_local_date: date | None, today: date) -> int | None:
    return None if last_local_date is None else max((today - last_local_date).days, 0)


def reasons(overview: dict[str, Any]) -> list[str]:
    """The short codes for why a participant is where they are in the attention order, and
    what else stands out; in the order of `ATTENTION_REASONS`."""
    days = overview["days_since_last_entry"]
    change = overview["mood"]["change"]
    found = {
        "urgent_alert": overview["open_alerts"]["urgent"] > 0,
        "overdue_alert": overview["overdue_alerts"] > 0,
        "routine_alert": overview["open_alerts"]["routine"] > 0,
        "unreviewed_entries": overview["unreviewed"] > 0,
        "no_entries": days is None,
        "no_entry_3d": days is not None and days >= NO_ENTRY_DAYS,
        "mood_drop": change is not None and change <= MOOD_DROP,
    }
    return [code for code in ATTENTION_REASONS if found[code]]
