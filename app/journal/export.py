"""The participant's export: everything held about them, streamed in constant memory."""

import csv
import io
import json
import uuid
from collections.abc import AsyncIterator
from typing import Any

from sqlalchemy import Select, and_, or_
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.audit.models import AuditEvent
from app.care.service import list_assignment_history
from app.db import utcnow
from app.journal.access import visible_entries
from app.journal.access_log import access_log_query, to_access_log_item
from app.journal.models import JournalEntry
from app.journal.service import to_entry_read
from app.users.models import User
from app.users.schemas import UserRead

CHUNK_ROWS = 1000
CSV_COLUMNS = [
    "id",
    "recorded_at",
    "utc_offset_minutes",
    "local_date",
    "mood",
    "focus",
    "anxiety",
    "creativity",
    "connection",
    "note",
    "tags",
    "version",
    "created_at",
    "updated_at",
]


async def _entry_chunks(session: AsyncSession, participant_id: uuid.UUID) -> AsyncIterator[Any]:
    """Entries oldest first, a chunk at a time: from a server-side cursor on PostgreSQL."""
    ordered = visible_entries(participant_id).order_by(JournalEntry.recorded_at, JournalEntry.id)
    if session.get_bind().dialect.name == "sqlite":
        async for chunk in _keyset_chunks(session, ordered):
            yield chunk
        return
    result = await session.stream_scalars(ordered.execution_options(yield_per=CHUNK_ROWS))
    # With yield_per the identity map holds the rows weakly: a chunk is freed once written.
    async for partition in result.partitions(CHUNK_ROWS):
        yield partition


async def _keyset_chunks(
    session: AsyncSession, ordered: Select[JournalEntry]
) -> AsyncIterator[list[JournalEntry]]:
    """SQLite has one connection per process: holding it while a slow client downloads
    would stall every other request, so each chunk is read in its own short transaction."""
    statement = ordered
    while True:
        chunk = list((await session.execute(statement.limit(CHUNK_ROWS))).scalars())
        session.expunge_all()  # detached, the rows keep their loaded values
        await session.rollback()  # give the connection back between chunks
        if chunk:
            yield chunk
        if len(chunk) < CHUNK_ROWS:
            return
        last = chunk[-1]
        statement = ordered.where(
            or_(
                JournalEntry.recorded_at > last.recorded_at,
                and_(JournalEntry.recorded_at == last.recorded_at, JournalEntry.id > last.id),
            )
        )


def _json(value: Any) -> bytes:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode()


async def stream_json_export(
    sessionmaker: async_sessionmaker[AsyncSession], participant_id: uuid.UUID
) -> AsyncIterator[bytes]:
    async with sessionmaker() as session:
        user = await session.get_one(User, participant_id)
        profile = UserRead.model_validate(user).model_dump_json().encode()
        yield b'{"exported_at":' + _json(utcnow().isoformat()) + b',"profile":' + profile
        yield b',"entries":['
        separator = b""
        async for chunk in _entry_chunks(session, participant_id):
            body = b",".join(to_entry_read(entry).model_dump_json().encode() for entry in chunk)
            yield separator + body
            separator = b","
        history = await list_assignment_history(session, participant_id)
        assignments = [item.model_dump(mode="json") for item in history]
        yield b'],"assignments":' + _json(assignments)
        log_rows = await session.execute(access_log_query(participant_id).order_by(AuditEvent.id))
        access_log = [to_access_log_item(row).model_dump(mode="json") for row in log_rows]
        yield b',"access_log":' + _json(access_log) + b"}"


async def stream_csv_export(
    sessionmaker: async_sessionmaker[AsyncSession], participant_id: uuid.UUID
) -> AsyncIterator[bytes]:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    yield buffer.getvalue().encode()
    async with sessionmaker() as session:
        async for chunk in _entry_chunks(session, participant_id):
            buffer.seek(0)
            buffer.truncate()
            for entry in chunk:
                row = to_entry_read(entry).model_dump(mode="json")
                row["tags"] = ";".join(row["tags"])
                writer.writerow(["" if row[c] is None else row[c] for c in CSV_COLUMNS])
            yield buffer.getvalue().encode()
