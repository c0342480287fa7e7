"""Parts of the export besides the entries: the participant's assessments, experience
reports and consents to integrations, each a statement from their scope, its keyset order,
and its JSON and CSV shapes."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Row, Select

from app.access import ParticipantScope
from app.assessments.queries import ASSESSMENTS, to_assessment_reads
from app.auth.models import IntegrationConsent
from app.experience.service import REPORTS, reports_of, to_report_read
from app.integrations.consents import consents_of
from app.integrations.schemas import ConsentRead


@dataclass(frozen=True)
class Part:
    statement: Select[Any]
    keys: tuple[Any, ...]  # oldest first; the id breaks ties
    to_json: Callable[[list[Row[Any]]], list[dict[str, Any]]]
    csv_columns: tuple[str, ...]
    # Free-text columns, made spreadsheet-safe in the CSV.
    text_columns: frozenset[str] = frozenset()


def _assessments_json(rows: list[Row[Any]]) -> list[dict[str, Any]]:
    reads = to_assessment_reads([row._mapping for row in rows])
    return [read.model_dump(mode="json") for read in reads]


def _reports_json(rows: list[Row[Any]]) -> list[dict[str, Any]]:
    return [to_report_read(row._mapping).model_dump(mode="json") for row in rows]


def assessments_part(scope: ParticipantScope) -> Part:
    return Part(
        scope.select(ASSESSMENTS),
        (ASSESSMENTS.c.completed_at, ASSESSMENTS.c.id),
        _assessments_json,
        ("id", "instrument", "version", "completed_at", "utc_offset_minutes", "local_date",
         "answers", "total", "percentage", "band", "flags", "created_at"),
    )  # fmt: skip


def experience_reports_part(scope: ParticipantScope) -> Part:
    return Part(
        reports_of(scope),
        (REPORTS.c.occurred_at, REPORTS.c.id),
        _reports_json,
        ("id", "occurred_at", "utc_offset_minutes", "severity", "description", "shared",
         "created_at"),
        frozenset({"description"}),
    )  # fmt: skip


def _consents_json(rows: list[Row[Any]]) -> list[dict[str, Any]]:
    return [ConsentRead.model_validate(row._mapping).model_dump(mode="json") for row in rows]


def consents_part(scope: ParticipantScope) -> Part:
    """The integrations the participant consents to now (JSON export only)."""
    keys = (IntegrationConsent.consented_at, IntegrationConsent.integration_id)
    return Part(consents_of(scope), keys, _consents_json, ())


def csv_values(item: dict[str, Any]) -> dict[str, Any]:
    """Lists (answers, flags) joined with `;`, as the entries' tags are."""
    return {
        key: ";".join(str(value) for value in values) if isinstance(values, list) else values
        for key, values in item.items()
    }
