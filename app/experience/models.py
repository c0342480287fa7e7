import uuid
from datetime import datetime

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Index, SmallInteger, String, Text, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from app.db import PARTICIPANT_OWNED, Base, UTCDateTime


class ExperienceReport(Base):
    """An unusual or adverse experience, as the participant reported it."""

    __tablename__ = "experience_reports"
    __table_args__ = (
        # "Is this id another participant's?": checked before a client-made id is stored (a
        # reused id is `409`, telling nothing); not unique, as under assessments.
        Index("ix_experience_reports_id", "id"),
        # "One participant's reports, newest first": the lists and the export.
        Index(
            "ix_experience_reports_participant_id_occurred_at",
            "participant_id",
            "occurred_at",
            "id",
        ),
        CheckConstraint("severity IN ('mild', 'moderate', 'severe')", name="severity_known"),
        CheckConstraint("utc_offset_minutes BETWEEN -1440 AND 1440", name="offset_range"),
        PARTICIPANT_OWNED,
    )

    participant_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime)
    utc_offset_minutes: Mapped[int] = mapped_column(SmallInteger)
    severity: Mapped[str] = mapped_column(String(8))
    # The participant's own words: the care team reads them only when `shared` is true.
    description: Mapped[str] = mapped_column(Text)
    shared: Mapped[bool] = mapped_column(Boolean)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
