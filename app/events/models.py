import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Uuid, text
from sqlalchemy.orm import Mapped, mapped_column

from app.db import PARTICIPANT_OWNED, Base, UTCDateTime


class DomainEvent(Base):
    """Something that happened to a participant's records, written in the transaction of
    the change itself, so that a publisher (webhooks) can send each exactly once later
    without the change's code knowing about it. Content-free: ids and states only."""

    __tablename__ = "domain_events"
    __table_args__ = (
        Index("ix_domain_events_occurred_at_id", "occurred_at", "id"),
        # What the webhook fan-out has yet to see: small, whatever the table's size.
        Index("ix_domain_events_unrelayed", "occurred_at", "id",
              postgresql_where=text("relayed_at IS NULL"),
              sqlite_where=text("relayed_at IS NULL")),
        PARTICIPANT_OWNED,
    )  # fmt: skip

    participant_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    type: Mapped[str] = mapped_column(String(64))
    subject_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    # The event's own fields (ids, states, times): never a rating, note, answer or summary.
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # When the webhook fan-out turned the event into deliveries (app/sweeper/fanout.py):
    # a mark rather than a cursor, because events do not commit in `occurred_at` order.
    relayed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
