"""Writing a participant's entries: idempotent create, conditional edit and delete, erasure.

Entries are written with Core statements built from the participant's scope, read back as
plain rows (mappings), and never as ORM objects: a write is one or two statements."""

import functools
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import ColumnElement, Executable, bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.access import SCOPE_PARTICIPANT, ParticipantScope
from app.access.scope import scoped_insert_template
from app.alerts.store import raised_urgent_by
from app.audit.service import AuditAction, record_event
from app.db import dialect_name, utcnow
from app.errors import Conflict
from app.events.service import (
    EventType,
    record_event_row,
    record_thin_event,
    thin_event,
    thin_event_from,
)
from app.journal import days
from app.journal.counters import (
    change_seq_bump_unless_taken,
    close_journal,
    is_erased,
    journal_closed,
    next_change_seq,
)
from app.journal.models import RATING_COLUMNS
from app.journal.preconditions import check_if_match, parse_if_match
from app.journal.queries import ENTRIES
from app.journal.reads import entry_etag, entry_not_found, find_entry, to_entry_read
from app.journal.rules import evaluate_entry_rules
from app.journal.schemas import EntryCreate, EntryUpdate, split_tags
from app.support.schemas import SupportRead
from app.support.service import get_support

CONTENT_FIELDS = ("mood", "focus", "anxiety", "creativity", "connection", "note")
# What a deletion leaves of an entry: a tombstone with no content.
TOMBSTONE = {
    **dict.fromkeys((*CONTENT_FIELDS, "recorded_at", "utc_offset_minutes", "local_date")),
    "tags": "",
    "note_shared": False,
}
Entry = Mapping[str, Any]
# A change to any of these changes the per-day rollup (a deletion sets them all).
DAY_FIGURES = frozenset((*RATING_COLUMNS, "local_date"))


class EntryChanged(Conflict):
    """A create retried with the id of an entry of yours that now differs: edited or deleted
    since (an offline outbox's late retry), or first created with other content."""

    code, title = "entry-changed", "Entry changed"
    example = 'This id is yours, with other content now (version "2"): edited since, or first created with other content. Edit it with PATCH if yours is newer.'  # noqa: E501


class EntryIdUnavailable(Conflict):
    """An id another participant's entry has: say nothing more about it."""

    code, title = "entry-id-unavailable", "Entry id not available"
    example = "This id is used by another entry; make a new id for this one."


def join_tags(tags: list[str]) -> str:
    return "," + ",".join(tags) + "," if tags else ""


def _offset_minutes(recorded_at: datetime) -> int:
    offset = recorded_at.utcoffset()
    return int(offset.total_seconds() // 60) if offset is not None else 0


def _when(recorded_at: datetime) -> dict[str, Any]:
    return {
        "recorded_at": recorded_at.astimezone(UTC),
        "utc_offset_minutes": _offset_minutes(recorded_at),
        "local_date": recorded_at.date(),  # the calendar day in the offset it was sent with
    }


def _same_content(entry: Entry, data: EntryCreate) -> bool:
    if entry["deleted_at"] is not None or entry["recorded_at"] != data.recorded_at:
        return False
    if data.note_shared is not None and entry["note_shared"] != data.note_shared:
        return False
    if entry["utc_offset_minutes"] != _offset_minutes(data.recorded_at):
        return False
    return all(entry[field] == getattr(data, field) for field in CONTENT_FIELDS) and (
        split_tags(entry["tags"]) == data.tags
    )


def _changed(entry: Entry) -> EntryChanged:
    """What the outbox needs to settle a create that came too late: the entry as it is now."""
    if entry["deleted_at"] is not None:
        return EntryChanged(
            "This id is yours: the entry was deleted since.",
            extensions={"current_version": entry["version"], "deleted": True, "entry": None},
        )
    current = entry_etag(entry["version"])
    return EntryChanged(
        f"This id is yours, with other content now (version {current}): edited since, or "
        "first created with other content. Edit it with PATCH if yours is newer.",
        headers={"ETag": current},
        extensions={
            "current_version": entry["version"],
            "deleted": False,
            "entry": to_entry_read(entry).model_dump(mode="json"),
        },
    )


async def _replay(
    session: AsyncSession, scope: ParticipantScope, data: EntryCreate, entry_id: uuid.UUID
) -> Entry:
    """The stored entry, for a retry of its create; else why nothing was stored."""
    entry = await find_entry(session, scope, entry_id, live=False)
    if entry is not None:
        if _same_content(entry, data):
            return entry
        raise _changed(entry)
    # Nothing stored can also mean that the owner's erasure fenced the counter: not the id's
    # fault. (Read after the insert, which waited for the erasure's lock: it is seen here.)
    if await is_erased(session, scope):
        raise journal_closed()
    # Another participant's id, whatever the content: nothing about that entry leaks.
    raise EntryIdUnavailable("This id is used by another entry; make a new id for this one.")


# Built once per database and executed with parameters, like the counter bumps: building
# and cache-keying it on every request was a tenth of the entry POST's CPU.
@functools.cache
def _insert_unless_taken(dialect: str) -> Executable:
    """Insert an entry unless its id exists, returning its change number. On PostgreSQL the
    counter bump, the entry's count in its day (`days.counting_in`) and its `entry.created`
    event ride along in CTEs: one statement. SQLite has no writable CTEs: it takes the
    number as a parameter, and the caller counts the entry in its day and records the event.

    `ON CONFLICT (participant_id, id) DO NOTHING` waits for a concurrent insert of the same
    id by the same participant to commit or roll back, so a retry racing its original needs
    no savepoint and no retry. Another participant's id is refused by the bump (no number,
    no row), which looks for the id among every participant's entries."""
    params: dict[str, ColumnElement[Any]] = {
        column.key: bindparam(column.key, type_=column.type) for column in ENTRIES.c
    }
    params["participant_id"] = SCOPE_PARTICIPANT
    insert = scoped_insert_template(dialect, ENTRIES)
    if dialect != "postgresql":
        return (
            insert.values(params)
            .on_conflict_do_nothing(index_elements=[ENTRIES.c.participant_id, ENTRIES.c.id])
            .returning(ENTRIES.c.change_seq)
        )
    bump = change_seq_bump_unless_taken(dialect).cte("bumped")
    params["change_seq"] = bump.c.last_change_seq
    inserted = (
        insert.from_select(list(params), select(*params.values()))
        .add_cte(bump)
        .on_conflict_do_nothing(index_elements=[ENTRIES.c.participant_id, ENTRIES.c.id])
        .returning(
            ENTRIES.c.change_seq,
            ENTRIES.c.id,
            ENTRIES.c.participant_id,
            ENTRIES.c.local_date,
            *(ENTRIES.c[name] for name in RATING_COLUMNS),
        )
        .cte("inserted")
    )
    counted = days.counting_in(inserted).cte("counted")
    announced = thin_event_from(
        EventType.entry_created, inserted.c.participant_id, inserted.c.id, params["created_at"]
    ).cte("announced")
    return (
        select(inserted.c.change_seq)
        .add_cte(counted, announced)
        .execution_options(**insert.get_execution_options())
    )


async def _insert_new(
    session: AsyncSession, scope: ParticipantScope, entry: dict[str, Any]
) -> bool:
    """Insert `entry` unless its id is taken or its owner erased, count it in its day and
    record its `entry.created` event; sets its change number."""
    dialect = dialect_name(session)
    event = thin_event(scope, EventType.entry_created, entry["id"], entry["created_at"])
    params = scope.bind(**entry, event_id=event["id"], event_data=event["data"])
    if dialect != "postgresql":
        bump = change_seq_bump_unless_taken(dialect)
        params["change_seq"] = (await session.execute(bump, params)).scalar_one_or_none()
        if params["change_seq"] is None:
            return False
    result = await session.execute(_insert_unless_taken(dialect), params)
    change_seq = result.scalar_one_or_none()
    if change_seq is None:
        return False
    entry["change_seq"] = change_seq
    if dialect != "postgresql":
        await days.count_in(session, scope, entry)
        await record_event_row(session, scope, event)
    return True


@dataclass(frozen=True)
class Stored:
    entry: Entry
    created: bool
    # The clinic's support contacts when this entry raised an urgent alert (a replay too).
    support: SupportRead | None


async def create_entry(
    session: AsyncSession,
    scope: ParticipantScope,
    data: EntryCreate,
    share_notes_by_default: bool = False,
) -> Stored:
    """Store an entry and evaluate the participant's entry rules in the same transaction;
    returns it, whether it is new, and support contacts if it raised an urgent alert. A
    retry with the same id and the same content returns the stored entry (and the same
    support); the same id with other content is 409. Without `note_shared`, the note is
    shared as the participant's preference says."""
    now = utcnow()
    entry: dict[str, Any] = {
        "id": data.id or uuid.uuid4(),
        **{field: getattr(data, field) for field in CONTENT_FIELDS},
        **_when(data.recorded_at),
        "tags": join_tags(data.tags),
        "note_shared": share_notes_by_default if data.note_shared is None else data.note_shared,
        "version": 1,
        "created_at": now,
        "updated_at": now,
        "deleted_at": None,
    }
    if await _insert_new(session, scope, entry):
        raised = await evaluate_entry_rules(session, scope, entry["id"], now)
        urgent = any(alert.new and alert.severity == "urgent" for alert in raised)
        support = await get_support(session) if urgent else None
        return Stored({**entry, "participant_id": scope.participant_id}, True, support)
    stored = await _replay(session, scope, data, entry["id"])
    urgent = await raised_urgent_by(session, scope, entry["id"])
    return Stored(stored, False, await get_support(session) if urgent else None)


async def _lock_for_change(
    session: AsyncSession, scope: ParticipantScope, entry_id: uuid.UUID
) -> tuple[int, Entry | None]:
    """A change number and the entry (tombstone included), read after taking the
    participant's lock so that a concurrent change is seen. A number not used leaves a gap
    in the feed's numbers, which skips it."""
    change_seq = await next_change_seq(session, scope)
    return change_seq, await find_entry(session, scope, entry_id, live=False)


def _differences(entry: Entry, changes: EntryUpdate) -> dict[str, Any]:
    """The columns the fields sent would change."""
    sent = changes.model_dump(exclude_unset=True)
    wanted: dict[str, Any] = {
        field: sent[field] for field in (*CONTENT_FIELDS, "note_shared") if field in sent
    }
    if changes.recorded_at is not None:
        wanted.update(_when(changes.recorded_at))
    if "tags" in sent:
        wanted["tags"] = join_tags(sent["tags"])
    return {column: value for column, value in wanted.items() if entry[column] != value}


async def _store_change(
    session: AsyncSession,
    scope: ParticipantScope,
    entry: Entry,
    values: dict[str, Any],
    change_seq: int,
    action: AuditAction,
) -> Entry:
    values = {
        **values,
        "version": entry["version"] + 1,
        "change_seq": change_seq,
        "updated_at": values.get("deleted_at") or utcnow(),
    }
    await session.execute(scope.update(ENTRIES).where(ENTRIES.c.id == entry["id"]).values(values))
    deleted = action is AuditAction.entry_delete
    event = EventType.entry_deleted if deleted else EventType.entry_updated
    await record_thin_event(session, scope, event, entry["id"], values["updated_at"])
    if DAY_FIGURES.intersection(values):
        changed_days = {entry["local_date"], values.get("local_date", entry["local_date"])}
        await days.recount(session, scope, (day for day in changed_days if day is not None))
    await evaluate_entry_rules(session, scope, entry["id"], values["updated_at"])
    # Identifiers only: who, whose journal, which entry. Content never enters the trail.
    await record_event(
        session, scope.actor, action, participant_id=scope.participant_id, subject_id=entry["id"]
    )
    return {**entry, **values}


async def update_entry(
    session: AsyncSession,
    scope: ParticipantScope,
    entry_id: uuid.UUID,
    changes: EntryUpdate,
    if_match: str | None,
) -> Entry:
    """Change the fields sent. With `If-Match`, a stale version is 412 and nothing changes.
    An edit that changes nothing keeps the version and is no change for the sync feed. The
    edit is audited by entry id (never its content)."""
    candidates = parse_if_match(if_match)
    change_seq, entry = await _lock_for_change(session, scope, entry_id)
    if entry is None or entry["deleted_at"] is not None:
        raise entry_not_found()
    check_if_match(candidates, entry)
    differences = _differences(entry, changes)
    if not differences:
        return entry
    return await _store_change(
        session, scope, entry, differences, change_seq, AuditAction.entry_update
    )


async def delete_entry(
    session: AsyncSession, scope: ParticipantScope, entry_id: uuid.UUID, if_match: str | None
) -> None:
    """Replace the entry by a tombstone (no content) that the sync feed hands to other devices.
    Deleting an entry already deleted succeeds and changes nothing (a retry whose answer was
    lost). The deletion is audited by entry id."""
    candidates = parse_if_match(if_match)
    change_seq, entry = await _lock_for_change(session, scope, entry_id)
    if entry is None:
        raise entry_not_found()
    if entry["deleted_at"] is not None:
        return
    check_if_match(candidates, entry)
    tombstone = {**TOMBSTONE, "deleted_at": utcnow()}
    await _store_change(session, scope, entry, tombstone, change_seq, AuditAction.entry_delete)


async def erase_journal(session: AsyncSession, scope: ParticipantScope, now: datetime) -> bool:
    """Close the participant's journal for good and delete every entry; False when another
    erasure of theirs already did. First of all in an erasure: it takes the lock every
    journal write takes, so writes in flight commit before it goes on, and later ones wait,
    then find the journal closed and store nothing."""
    if not await close_journal(session, scope, now):
        return False
    # A statement of its own, after the lock: on PostgreSQL its snapshot then includes the
    # entries of every write that committed while the erasure waited.
    await session.execute(scope.delete(ENTRIES))
    await session.execute(days.forget_all(scope))
    return True
