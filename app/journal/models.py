import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    Date,
    ForeignKey,
    Index,
    Integer,
    PrimaryKeyConstraint,
    SmallInteger,
    String,
    Table,
    Text,
    Uuid,
    false,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from app.db import PARTICIPANT_OWNED, Base, UTCDateTime

RATING_COLUMNS = ("mood", "focus", "anxiety", "creativity", "connection")


def _rating_range(column: str) -> CheckConstraint:
    return CheckConstraint(f"{column} BETWEEN 0 AND 10", name=f"{column}_range")


class JournalEntry(Base):
    """One self-rating. A deleted entry stays as a tombstone (no content) for sync."""

    __tablename__ = "journal_entries"
    __table_args__ = (
        *(_rating_range(column) for column in RATING_COLUMNS),
        CheckConstraint(
            "deleted_at IS NOT NULL OR (mood IS NOT NULL AND focus IS NOT NULL "
            "AND anxiety IS NOT NULL AND recorded_at IS NOT NULL AND local_date IS NOT NULL)",
            name="live_entry_complete",
        ),
        CheckConstraint("utc_offset_minutes BETWEEN -1440 AND 1440", name="offset_range"),
        # Keyed within the participant, as a table distributed by participant_id must be
        # (docs/scaling.md): the database no longer keeps an id unique across participants.
        PrimaryKeyConstraint("participant_id", "id"),
        # "Is this id taken by anyone?": the create's check before it stores a client-made id
        # (`change_seq_bump_unless_taken`).
        Index("ix_journal_entries_id", "id"),
        # "One participant's live entries by time": the list and its keyset, the export, the
        # clinician's last-entry and unreviewed figures. Partial, so that tombstones cost
        # nothing and a count is an index-only scan.
        Index(
            "ix_journal_entries_participant_id_recorded_at_live",
            "participant_id",
            "recorded_at",
            "id",
            postgresql_where=text("deleted_at IS NULL"),
            sqlite_where=text("deleted_at IS NULL"),
        ),
        # "One participant's changes since X": the sync feed.
        Index(
            "uq_journal_entries_participant_id_change_seq",
            "participant_id",
            "change_seq",
            unique=True,
        ),
        # "One participant's live entries changed after a review mark": the clinician's
        # unreviewed counts, as index-only scans.
        Index(
            "ix_journal_entries_participant_id_change_seq_live",
            "participant_id",
            "change_seq",
            postgresql_where=text("deleted_at IS NULL"),
            sqlite_where=text("deleted_at IS NULL"),
        ),
        # "One participant's live entries by day": the summaries.
        Index(
            "ix_journal_entries_participant_id_local_date_live",
            "participant_id",
            "local_date",
            postgresql_where=text("deleted_at IS NULL"),
            sqlite_where=text("deleted_at IS NULL"),
        ),
        PARTICIPANT_OWNED,
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid)
    participant_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    recorded_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    utc_offset_minutes: Mapped[int | None] = mapped_column(SmallInteger, nullable=True)
    local_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    mood: Mapped[int | None] = mapped_column(SmallInteger, nullable=True)
    focus: Mapped[int | None] = mapped_column(SmallInteger, nullable=True)
    anxiety: Mapped[int | None] = mapped_column(SmallInteger, nullable=True)
    creativity: Mapped[int | None] = mapped_column(SmallInteger, nullable=True)
    connection: Mapped[int | None] = mapped_column(SmallInteger, nullable=True)
    note: Mapped[str | None] = mapped_column(Text, nullable=True)
    # The note is the participant's own: the care team reads it only when this is true.
    note_shared: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # Tags as ",calm,work," so one portable LIKE finds a tag on SQLite and PostgreSQL alike.
    tags: Mapped[str] = mapped_column(String(340), default="")
    version: Mapped[int] = mapped_column(Integer, default=1)
    change_seq: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


def _day_figures(dimension: str) -> list[Column[Any]]:
    return [
        Column(f"{dimension}_count", Integer, nullable=False),
        Column(f"{dimension}_sum", Integer, nullable=False),
        Column(f"{dimension}_min", SmallInteger),
        Column(f"{dimension}_max", SmallInteger),
    ]


# One participant's live entries of one local day, rolled up: how many, and per dimension
# how many rated it, their sum, lowest and highest. Kept in the transaction of every entry
# write (app/journal/days.py), so that figures over days (summaries, the overview, the
# alert rules on daily means) read one row per day instead of every entry of it. A day
# with no live entry has no row.
JOURNAL_DAYS = Table(
    "journal_days",
    Base.metadata,
    Column("participant_id", Uuid, ForeignKey("users.id", ondelete="CASCADE")),
    Column("local_date", Date),
    Column("entries", Integer, nullable=False),
    *(column for dimension in RATING_COLUMNS for column in _day_figures(dimension)),
    PrimaryKeyConstraint("participant_id", "local_date"),
    **PARTICIPANT_OWNED,
)


class JournalCounter(Base):
    """The last change number handed out per participant.

    Bumping it locks the row until commit, so one participant's changes commit in the
    order of their numbers and a sync cursor can never step over a late commit.

    It is also the fence of erasure: erasure locks and marks the row (`erased_at`) before
    deleting the entries, and stays. A write for an erased participant waits for that lock,
    then finds the mark and stores nothing; a deleted row would instead be re-created by
    such a write from number 1, bringing back content and colliding with old numbers.
    """

    __tablename__ = "journal_counters"
    __table_args__ = (PARTICIPANT_OWNED,)

    participant_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    last_change_seq: Mapped[int] = mapped_column(BigInteger)
    erased_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
