import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, Index, Uuid, text
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base, UTCDateTime


class CarePeriod:
    """A clinician's period in a participant's care team, from `started_at` until
    `ended_at` (open while `null`), with who began and ended it."""

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    participant_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    clinician_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    assigned_by: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )
    ended_by: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )


class CareAssignment(CarePeriod, Base):
    """A participant in the care of a clinician from `started_at` until `ended_at`."""

    __tablename__ = "care_assignments"
    __table_args__ = (
        # At most one open assignment per participant, enforced by the database.
        Index(
            "uq_care_assignments_open_participant",
            "participant_id",
            unique=True,
            postgresql_where=text("ended_at IS NULL"),
            sqlite_where=text("ended_at IS NULL"),
        ),
        Index("ix_care_assignments_participant_id_started_at", "participant_id", "started_at"),
        Index("ix_care_assignments_clinician_id_ended_at", "clinician_id", "ended_at"),
    )


class CareBackup(CarePeriod, Base):
    """A participant's backup clinician from `started_at` until `ended_at`: reaches the
    participant only while covering (`CareCovering`), never otherwise."""

    __tablename__ = "care_backups"
    __table_args__ = (
        Index(
            "uq_care_backups_open_participant",
            "participant_id",
            unique=True,
            postgresql_where=text("ended_at IS NULL"),
            sqlite_where=text("ended_at IS NULL"),
        ),
        Index("ix_care_backups_participant_id_started_at", "participant_id", "started_at"),
        Index("ix_care_backups_clinician_id_ended_at", "clinician_id", "ended_at"),
    )


class CareCovering(Base):
    """The backup covers the participant from an alert's escalation until that alert is
    resolved: while any covering of the participant is open, their backup may read them."""

    __tablename__ = "care_coverings"
    __table_args__ = (
        Index(
            "ix_care_coverings_participant_id_open",
            "participant_id",
            postgresql_where=text("ended_at IS NULL"),
            sqlite_where=text("ended_at IS NULL"),
        ),
    )

    # The escalated alert's id: one covering per alert.
    alert_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    participant_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
