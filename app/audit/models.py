import uuid
from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Index, Integer, String, Uuid, text
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base, UTCDateTime, utcnow

# The actions a participant's security notices come from (app/audit/notices.py). A literal
# list: a partial index is only used by a query whose condition repeats it word for word.
SECURITY_NOTICE_ACTIONS = (
    "account.activation_code_issue",
    "auth.activate",
    "assignment.set",
    "assignment.end",
)
SECURITY_NOTICE_WHERE = text(
    "action IN (" + ", ".join(f"'{action}'" for action in SECURITY_NOTICE_ACTIONS) + ")"
)


class AuditEvent(Base):
    """Append-only record of who did what to whom. Never ratings, notes, tokens or codes."""

    __tablename__ = "audit_events"
    __table_args__ = (
        Index("ix_audit_events_participant_id_id", "participant_id", "id"),
        Index("ix_audit_events_actor_id_id", "actor_id", "id"),
        Index("ix_audit_events_occurred_at", "occurred_at"),
        # A participant's few notice events, without walking every clinician read of theirs.
        Index(
            "ix_audit_events_participant_id_id_notices",
            "participant_id",
            "id",
            postgresql_where=SECURITY_NOTICE_WHERE,
            sqlite_where=SECURITY_NOTICE_WHERE,
        ),
    )

    id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    )
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    actor_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="RESTRICT"), nullable=True
    )
    actor_role: Mapped[str | None] = mapped_column(String(16), nullable=True)
    action: Mapped[str] = mapped_column(String(64), index=True)
    participant_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="RESTRICT"), nullable=True
    )
    subject_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, nullable=True)
    outcome: Mapped[str] = mapped_column(String(16), default="success")
    # Made by the server for every request (what `X-Request-ID` answers with).
    request_id: Mapped[str | None] = mapped_column(String(128), nullable=True)
    # What the client sent as `X-Request-ID`, if safe: for correlation only, never trusted.
    client_request_id: Mapped[str | None] = mapped_column(String(128), nullable=True)
    # A clinician's or admin's display name when they acted, so that renaming oneself later
    # does not rewrite who read a participant's data. `null` for other actors.
    actor_display_name: Mapped[str | None] = mapped_column(String(100), nullable=True)
