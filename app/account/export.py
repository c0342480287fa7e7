"""The participant's export: everything held about them, streamed in constant memory.

No database connection is held while the export is being sent. A client that reads slowly,
or not at all, decides how long a send takes; a connection held across it would be taken
from everyone else (SQLite has one per process, PostgreSQL's pool a handful). So every part
is read in chunks of `CHUNK_ROWS` rows along the keyset of its order, each chunk in a
session of its own that is closed before the chunk is encoded and handed on.

The export is therefore not one snapshot: an entry changed while the export runs appears
as it was when its chunk was read.
"""

import csv
import io
import json
import math
import uuid
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Row, Select, literal, tuple_
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.access import ParticipantScope
from app.account.export_parts import (
    Part,
    assessments_part,
    consents_part,
    csv_values,
    experience_reports_part,
)
from app.account.schemas import ExportFormat
from app.audit.access_log import access_log_query, to_access_log_item
from app.audit.models import AuditEvent
from app.audit.service import AuditAction, record_event
from app.care.periods import list_assignment_history
from app.clinician.notes import shared_notes
from app.config import Settings
from app.db import utcnow
from app.fhir.export import stream_fhir_export
from app.fhir.terminology import FHIR_JSON
from app.journal.queries import ENTRIES, live_entries
from app.journal.reads import ENTRY_LIST, to_entry_reads
from app.journal.schemas import EntryRead
from app.streaming import StreamSlot
from app.users.models import User
from app.users.schemas import UserRead

Sessionmaker = async_sessionmaker[AsyncSession]

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
    "note_shared",
    "tags",
    "version",
    "created_at",
    "updated_at",
]
# Oldest first; the id breaks ties between entries recorded at the same instant.
ENTRY_ORDER = (ENTRIES.c.recorded_at, ENTRIES.c.id)
ACCESS_LOG_ORDER = (AuditEvent.id,)


def _after(keys: Sequence[Any], values: Sequence[Any]) -> ColumnElement[bool]:
    """The rows that come after `values` in the (ascending) order of `keys`: a row-value
    comparison, which both databases answer as one index range (the equivalent OR of
    comparisons made SQLite scan the participant's entries from the start, every chunk)."""
    if len(keys) == 1:
        return keys[0] > values[0]  # type: ignore[no-any-return]
    return tuple_(*keys) > tuple_(
        *(literal(v, key.type) for key, v in zip(keys, values, strict=True))
    )


async def _keyset_chunks(
    sessionmaker: Sessionmaker, statement: Select[Any], keys: Sequence[Any]
) -> AsyncIterator[Sequence[Row[Any]]]:
    """The rows of `statement` in the order of `keys`, `CHUNK_ROWS` at a time. Each chunk
    is read in a short session of its own, closed (its connection given back) before the
    chunk is yielded: no connection waits on whoever consumes the chunks."""
    ordered = statement.order_by(*keys)
    page = ordered
    while True:
        async with sessionmaker() as session:
            rows = (await session.execute(page.limit(CHUNK_ROWS))).all()
        if rows:
            yield rows
        if len(rows) < CHUNK_ROWS:
            return
        last = rows[-1]._mapping
        page = ordered.where(_after(keys, [last[key] for key in keys]))


async def _entry_chunks(
    sessionmaker: Sessionmaker, scope: ParticipantScope
) -> AsyncIterator[list[EntryRead]]:
    """The participant's live entries, oldest first, a chunk at a time."""
    statement = live_entries(scope)
    async for rows in _keyset_chunks(sessionmaker, statement, ENTRY_ORDER):
        yield to_entry_reads(rows)


async def _entry_arrays(
    sessionmaker: Sessionmaker, scope: ParticipantScope
) -> AsyncIterator[bytes]:
    async for entries in _entry_chunks(sessionmaker, scope):
        yield ENTRY_LIST.dump_json(entries)


async def _access_log_arrays(
    sessionmaker: Sessionmaker, participant_id: uuid.UUID
) -> AsyncIterator[bytes]:
    statement = access_log_query(participant_id)
    async for rows in _keyset_chunks(sessionmaker, statement, ACCESS_LOG_ORDER):
        yield _json([to_access_log_item(row).model_dump(mode="json") for row in rows])


def _json(value: Any) -> bytes:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode()


async def _part_arrays(sessionmaker: Sessionmaker, part: Part) -> AsyncIterator[bytes]:
    async for rows in _keyset_chunks(sessionmaker, part.statement, part.keys):
        yield _json(part.to_json(list(rows)))


async def _json_array(arrays: AsyncIterator[bytes]) -> AsyncIterator[bytes]:
    """One JSON array, written from a series of non-empty encoded arrays."""
    opening = b"["
    async for array in arrays:
        yield opening + array[1:-1]
        opening = b","
    yield b"]" if opening == b"," else b"[]"


async def _profile(sessionmaker: Sessionmaker, participant_id: uuid.UUID) -> bytes:
    async with sessionmaker() as session:
        user = await session.get_one(User, participant_id)
        return UserRead.model_validate(user).model_dump_json().encode()


async def _assignments(sessionmaker: Sessionmaker, participant_id: uuid.UUID) -> bytes:
    # Read whole: a participant's assignments are the few an administrator made.
    async with sessionmaker() as session:
        history = await list_assignment_history(session, participant_id)
    return _json([item.model_dump(mode="json") for item in history])


async def _care_notes(sessionmaker: Sessionmaker, scope: ParticipantScope) -> bytes:
    # Read whole: the notes a care team writes for a participant to read are few.
    async with sessionmaker() as session:
        shared = await shared_notes(session, scope)
    return _json([note.model_dump(mode="json") for note in shared])


async def stream_json_export(
    sessionmaker: Sessionmaker, scope: ParticipantScope
) -> AsyncIterator[bytes]:
    """Profile, entries, assignment history, access log, care notes, assessments,
    experience reports and consents to integrations as one JSON document."""
    participant_id = scope.participant_id
    profile = await _profile(sessionmaker, participant_id)
    exported_at = utcnow().isoformat().replace("+00:00", "Z")  # as every other time
    yield b'{"exported_at":' + _json(exported_at) + b',"profile":' + profile
    yield b',"entries":'
    async for part in _json_array(_entry_arrays(sessionmaker, scope)):
        yield part
    yield b',"assignments":' + await _assignments(sessionmaker, participant_id)
    yield b',"access_log":'
    async for part in _json_array(_access_log_arrays(sessionmaker, participant_id)):
        yield part
    yield b',"care_notes":' + await _care_notes(sessionmaker, scope)
    parts = {
        "assessments": assessments_part,
        "experience_reports": experience_reports_part,
        "integration_consents": consents_part,
    }
    for key, make_part in parts.items():
        yield b',"' + key.encode() + b'":'
        async for piece in _json_array(_part_arrays(sessionmaker, make_part(scope))):
            yield piece
    yield b"}"


# OWASP's CSV-injection rule: a spreadsheet evaluates a cell that starts with one of these
# (`=HYPERLINK(…)`), so free-text cells that do are prefixed with a single quote. Only the
# text columns: numbers such as a `-60` offset stay numbers. The JSON export stays exact.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
TEXT_COLUMNS = frozenset({"note", "tags"})


def _csv_cell(value: Any) -> Any:
    """Empty for none, `true`/`false` as in the JSON export, anything else as it is."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return value


def spreadsheet_safe(text: str) -> str:
    return "'" + text if text.startswith(FORMULA_STARTS) else text


async def stream_csv_export(
    sessionmaker: Sessionmaker, scope: ParticipantScope
) -> AsyncIterator[bytes]:
    """The entries as CSV for spreadsheets: UTF-8 with a byte-order mark, a header row, tags
    joined with `;`, text cells that would start a formula prefixed with `'`."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    yield "\ufeff".encode() + buffer.getvalue().encode()
    async for chunk in _entry_chunks(sessionmaker, scope):
        buffer.seek(0)
        buffer.truncate()
        for entry in chunk:
            row = entry.model_dump(mode="json")
            row["tags"] = ";".join(row["tags"])
            for column in TEXT_COLUMNS:
                if row[column]:
                    row[column] = spreadsheet_safe(row[column])
            writer.writerow([_csv_cell(row[column]) for column in CSV_COLUMNS])
        yield buffer.getvalue().encode()


async def stream_part_csv(sessionmaker: Sessionmaker, part: Part) -> AsyncIterator[bytes]:
    """Assessments or experience reports as CSV, as the entries are (`stream_csv_export`)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(part.csv_columns)
    yield "\ufeff".encode() + buffer.getvalue().encode()
    async for rows in _keyset_chunks(sessionmaker, part.statement, part.keys):
        buffer.seek(0)
        buffer.truncate()
        for item in part.to_json(list(rows)):
            row = csv_values(item)
            for column in part.text_columns:
                if row[column]:
                    row[column] = spreadsheet_safe(row[column])
            writer.writerow([_csv_cell(row[column]) for column in part.csv_columns])
        yield buffer.getvalue().encode()


CSV_PARTS = {"assessments-csv": assessments_part, "experience-reports-csv": experience_reports_part}


@dataclass(frozen=True)
class Download:
    body: AsyncIterator[bytes]
    media_type: str
    filename: str


async def start_export(
    session: AsyncSession,
    scope: ParticipantScope,
    settings: Settings,
    slot: StreamSlot,
    sessionmaker: Sessionmaker,
    format: ExportFormat,
) -> Download:
    """Take one of the account's export places (429 when none is free), audit the export,
    and make its stream: JSON (everything), CSV (the entries, the assessments or the
    experience reports) or a FHIR R4 Bundle."""
    slot.take(
        ("export", scope.participant_id),
        limit=settings.export_max_concurrent_per_account,
        retry_after_seconds=math.ceil(settings.stream_send_timeout_seconds),
    )
    await record_event(
        session, scope.actor, AuditAction.export, participant_id=scope.participant_id
    )
    filename = f"wellbeing-journal-{utcnow():%Y%m%d}.{format}"
    if format in CSV_PARTS:
        name = format.removesuffix("-csv")
        filename = f"wellbeing-journal-{name}-{utcnow():%Y%m%d}.csv"
        stream = stream_part_csv(sessionmaker, CSV_PARTS[format](scope))
        return Download(stream, "text/csv; charset=utf-8", filename)
    if format == "fhir":
        filename = f"wellbeing-journal-{utcnow():%Y%m%d}.fhir.json"
        return Download(stream_fhir_export(sessionmaker, scope), FHIR_JSON, filename)
    if format == "csv":
        return Download(stream_csv_export(sessionmaker, scope), "text/csv; charset=utf-8", filename)
    return Download(stream_json_export(sessionmaker, scope), "application/json", filename)
