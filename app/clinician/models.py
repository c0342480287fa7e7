import uuid
from datetime import datetime

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    PrimaryKeyConstraint,
    String,
    Text,
    Uuid,
)
from sqlalchemy.orm import Mapped, mapped_column

from app.db import PARTICIPANT_OWNED, Base, UTCDateTime


class ReviewMark(Base):
    """How far a clinician has reviewed a participant's journal.

    `reviewed_change_seq` is what counts: every entry whose current change number is at or
    below it had reached the service, in its current form, by `reviewed_through`. A late
    upload or a later edit gets a higher number and is unreviewed again, whatever its
    `recorded_at` (an offline app sends yesterday's entry today)."""

    __tablename__ = "review_marks"
    __table_args__ = (PARTICIPANT_OWNED,)

    participant_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    clinician_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    reviewed_through: Mapped[datetime] = mapped_column(UTCDateTime)
    reviewed_change_seq: Mapped[int] = mapped_column(BigInteger)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


NOTE_VISIBILITIES = ("care_team", "participant")


class ClinicianNote(Base):
    """What a clinician saw and did, written down; append-only.

    A correction is a new note that `supersedes` an earlier one: both stay, and a note is
    superseded at most once (a unique index). On PostgreSQL a trigger refuses any UPDATE, as
    for audit events; rows go only with the participant's erasure."""

    __tablename__ = "clinician_notes"
    __table_args__ = (
        PrimaryKeyConstraint("participant_id", "id"),
        Index("ix_clinician_notes_participant_id_created_at", "participant_id", "created_at", "id"),
        # A note supersedes one of the same participant's notes, at most once each; both keys
        # carry participant_id, as keys within a table distributed by it must.
        ForeignKeyConstraint(
            ["participant_id", "supersedes_id"],
            ["clinician_notes.participant_id", "clinician_notes.id"],
            name="fk_clinician_notes_supersedes_id_clinician_notes",
            ondelete="CASCADE",
        ),
        Index(
            "uq_clinician_notes_participant_id_supersedes_id",
            "participant_id",
            "supersedes_id",
            unique=True,
        ),
        CheckConstraint("visibility IN ('care_team', 'participant')", name="visibility_known"),
        PARTICIPANT_OWNED,
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid)
    participant_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    author_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )
    # The author's name as it was when they wrote: a later rename does not rewrite the record.
    author_display_name: Mapped[str] = mapped_column(String(100))
    text: Mapped[str] = mapped_column(Text)
    visibility: Mapped[str] = mapped_column(String(16))
    supersedes_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
