import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    PrimaryKeyConstraint,
    String,
    Text,
    Uuid,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from app.access import CONTENT_FREE
from app.db import PARTICIPANT_OWNED, Base, UTCDateTime


class ClinicAlertRule(Base):
    """A clinic default rule (the admin's, policy only: no participant content)."""

    __tablename__ = "clinic_alert_rules"

    key: Mapped[str] = mapped_column(String(40), primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))
    severity: Mapped[str] = mapped_column(String(8))
    acknowledge_within_minutes: Mapped[int] = mapped_column(Integer)
    enabled: Mapped[bool] = mapped_column(Boolean)
    # The kind's own parameters (app/alerts/rules.py), validated before they are stored.
    parameters: Mapped[dict[str, Any]] = mapped_column(JSON)
    position: Mapped[int] = mapped_column(Integer)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class ParticipantAlertRule(Base):
    """A participant's own rule, set by their clinician: an addition, or an override of the
    clinic rule with the same key."""

    __tablename__ = "participant_alert_rules"
    __table_args__ = (PARTICIPANT_OWNED,)

    participant_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    key: Mapped[str] = mapped_column(String(40), primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))
    severity: Mapped[str] = mapped_column(String(8))
    acknowledge_within_minutes: Mapped[int] = mapped_column(Integer)
    enabled: Mapped[bool] = mapped_column(Boolean)
    parameters: Mapped[dict[str, Any]] = mapped_column(JSON)
    position: Mapped[int] = mapped_column(Integer)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_by: Mapped[uuid.UUID | None] = mapped_column(Uuid, nullable=True)


ALERT_STATUSES = ("open", "acknowledged", "resolved")
# What an admin may see of an alert, to reassign overdue work: never its rule or evidence.
OVERSEEABLE = {CONTENT_FREE: True}


class Alert(Base):
    """Something the care team must see, raised by a rule; at most one unresolved alert per
    participant and rule (a rule that keeps firing adds to its evidence)."""

    __tablename__ = "alerts"
    __table_args__ = (
        PrimaryKeyConstraint("participant_id", "id"),
        Index(
            "uq_alerts_participant_id_rule_key_unresolved",
            "participant_id",
            "rule_key",
            unique=True,
            postgresql_where=text("status <> 'resolved'"),
            sqlite_where=text("status <> 'resolved'"),
        ),
        Index("ix_alerts_participant_id_raised_at", "participant_id", "raised_at"),
        # The sweeper's question: open alerts past their deadline, not yet escalated.
        Index(
            "ix_alerts_acknowledge_by_open",
            "acknowledge_by",
            postgresql_where=text("status = 'open' AND escalated_at IS NULL"),
            sqlite_where=text("status = 'open' AND escalated_at IS NULL"),
        ),
        CheckConstraint("status IN ('open', 'acknowledged', 'resolved')", name="status_known"),
        CheckConstraint("severity IN ('urgent', 'routine')", name="severity_known"),
        PARTICIPANT_OWNED,
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, info=OVERSEEABLE)
    participant_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), info=OVERSEEABLE
    )
    rule_key: Mapped[str] = mapped_column(String(40))
    kind: Mapped[str] = mapped_column(String(32))
    severity: Mapped[str] = mapped_column(String(8), info=OVERSEEABLE)
    status: Mapped[str] = mapped_column(String(16), info=OVERSEEABLE)
    # Descriptive: what was reported ("Anxiety 8 or higher on each of the last 3 days").
    summary: Mapped[str] = mapped_column(Text)
    # The figures that fired it, appended to while it stays unresolved.
    evidence: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    # The submission (entry, assessment, report) that raised it: a replay answers the same.
    trigger_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, nullable=True)
    raised_at: Mapped[datetime] = mapped_column(UTCDateTime, info=OVERSEEABLE)
    acknowledge_by: Mapped[datetime] = mapped_column(UTCDateTime, info=OVERSEEABLE)
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    acknowledged_by: Mapped[uuid.UUID | None] = mapped_column(Uuid, nullable=True)
    escalated_at: Mapped[datetime | None] = mapped_column(
        UTCDateTime, nullable=True, info=OVERSEEABLE
    )
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    resolved_by: Mapped[uuid.UUID | None] = mapped_column(Uuid, nullable=True)
    resolution_note: Mapped[str | None] = mapped_column(Text, nullable=True)
