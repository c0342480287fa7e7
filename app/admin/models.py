import enum
import uuid
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base, UTCDateTime


class ApprovalKind(enum.StrEnum):
    participant_recovery = "participant_recovery"
    new_clinician_assignment = "new_clinician_assignment"


class ApprovalStatus(enum.StrEnum):
    pending = "pending"
    approved = "approved"
    rejected = "rejected"
    # Not stored: a pending request past `expires_at`.
    expired = "expired"


class AdminApproval(Base):
    """An admin action that waits for a second admin (`JOURNAL_SECOND_ADMIN_APPROVAL`):
    recovering an activated participant's account, or assigning a participant to a
    clinician account created in the last 24 hours. Holds identifiers only, never a code."""

    __tablename__ = "admin_approvals"
    __table_args__ = (
        CheckConstraint(
            "kind IN ('participant_recovery', 'new_clinician_assignment')", name="kind"
        ),
        CheckConstraint("status IN ('pending', 'approved', 'rejected')", name="status"),
        # The list: by status, oldest request first.
        Index("ix_admin_approvals_status_requested_at", "status", "requested_at", "id"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    kind: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16), default=ApprovalStatus.pending.value)
    participant_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="RESTRICT"), index=True
    )
    clinician_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="RESTRICT"), nullable=True
    )
    requested_by: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    decided_by: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="RESTRICT"), nullable=True
    )
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
