import uuid
from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey
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
