import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    SmallInteger,
    String,
    Uuid,
)
from sqlalchemy.orm import Mapped, mapped_column

from app.db import PARTICIPANT_OWNED, Base, UTCDateTime


class Assessment(Base):
    """One completed questionnaire, as scored with the instrument version it was answered in."""

    __tablename__ = "assessments"
    __table_args__ = (
        # "Is this id another participant's?": checked before a client-made id is stored (a
        # reused id is `409`, telling nothing). Not unique: a table distributed by
        # participant_id cannot keep an id unique across participants (docs/scaling.md).
        Index("ix_assessments_id", "id"),
        # "One participant's assessments, newest first": the lists, the export, the due dates.
        Index(
            "ix_assessments_participant_id_completed_at",
            "participant_id",
            "completed_at",
            "id",
        ),
        CheckConstraint("utc_offset_minutes BETWEEN -1440 AND 1440", name="offset_range"),
        CheckConstraint("total >= 0", name="total_not_negative"),
        PARTICIPANT_OWNED,
    )

    participant_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    instrument: Mapped[str] = mapped_column(String(16))
    version: Mapped[int] = mapped_column(SmallInteger)
    completed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    utc_offset_minutes: Mapped[int] = mapped_column(SmallInteger)
    local_date: Mapped[date] = mapped_column(Date)
    answers: Mapped[list[Any]] = mapped_column(JSON)
    total: Mapped[int] = mapped_column(SmallInteger)
    band: Mapped[str | None] = mapped_column(String(40), nullable=True)
    flags: Mapped[list[Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class AssessmentSchedule(Base):
    """How often a participant's clinician asks for an instrument."""

    __tablename__ = "assessment_schedules"
    __table_args__ = (
        CheckConstraint("every_days BETWEEN 1 AND 90", name="every_days_range"),
        PARTICIPANT_OWNED,
    )

    participant_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    instrument: Mapped[str] = mapped_column(String(16), primary_key=True)
    every_days: Mapped[int] = mapped_column(SmallInteger)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_by: Mapped[uuid.UUID | None] = mapped_column(Uuid, nullable=True)
