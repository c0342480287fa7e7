"""The assessment tables, and what a stored assessment reads as."""

from collections.abc import Mapping
from typing import Any, cast

from pydantic import TypeAdapter
from sqlalchemy import Table

from app.assessments.models import Assessment, AssessmentSchedule
from app.assessments.schemas import AssessmentRead
from app.instruments.definitions import INSTRUMENTS

ASSESSMENTS = cast(Table, Assessment.__table__)
SCHEDULES = cast(Table, AssessmentSchedule.__table__)
ASSESSMENT_LIST = TypeAdapter(list[AssessmentRead])
# Short names for descriptive texts: "PHQ-9 total 21 (severe)".
SHORT_NAMES = {"phq-9": "PHQ-9", "phq-8": "PHQ-8", "gad-7": "GAD-7", "who-5": "WHO-5"}


def with_percentage(row: Mapping[Any, Any]) -> dict[str, Any]:
    """A stored assessment's columns, and its percentage where the instrument reports one."""
    values = dict(row)
    values.pop("participant_id", None)
    multiplier = INSTRUMENTS[values["instrument"]].band_multiplier
    values["percentage"] = values["total"] * multiplier if multiplier != 1 else None
    return values


def to_assessment_read(row: Mapping[Any, Any]) -> AssessmentRead:
    return AssessmentRead.model_validate(with_percentage(row))


def to_assessment_reads(rows: list[Mapping[Any, Any]]) -> list[AssessmentRead]:
    return ASSESSMENT_LIST.validate_python([with_percentage(row) for row in rows])
