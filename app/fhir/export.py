"""The participant's `format=fhir` export: the resources of `$everything` as one `collection`
Bundle, streamed. As the JSON export does (app/account/export.py), each chunk is read in a
short session of its own, closed before the chunk is sent: no connection waits on a slow
reader."""

import json
import uuid
from collections.abc import AsyncIterator, Callable
from datetime import datetime
from typing import Any

from sqlalchemy import Select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.access import ParticipantScope
from app.assessments.queries import ASSESSMENTS
from app.assessments.reads import assessments_of
from app.db import utcnow
from app.fhir import resources
from app.fhir.service import NIL, START, patient_resource
from app.journal.queries import ENTRIES, live_entries
from app.pagination import after_instant

CHUNK_ROWS = 1000
Sessionmaker = async_sessionmaker[AsyncSession]
ToEntries = Callable[[Any], list[dict[str, Any]]]


def _json(value: Any) -> bytes:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode()


async def _chunks(
    sessionmaker: Sessionmaker, statement: Select[Any], keys: tuple[Any, Any]
) -> AsyncIterator[list[Any]]:
    """The rows of `statement` in the order of `keys` (an instant, an id), a chunk at a time."""
    after: tuple[datetime, uuid.UUID] = (START, NIL)
    while True:
        page = statement.where(after_instant(*keys, *after)).order_by(*keys).limit(CHUNK_ROWS)
        async with sessionmaker() as session:
            rows = list((await session.execute(page)).mappings().all())
        if rows:
            yield rows
        if len(rows) < CHUNK_ROWS:
            return
        after = (rows[-1][keys[0].key], rows[-1][keys[1].key])


def _entry_resources(row: Any) -> list[dict[str, Any]]:
    return [resources.bundle_entry(resources.entry_observation(row))]


async def stream_fhir_export(
    sessionmaker: Sessionmaker, scope: ParticipantScope
) -> AsyncIterator[bytes]:
    """Patient, an Observation per live entry, a QuestionnaireResponse and an Observation
    per assessment: one FHIR R4 `collection` Bundle."""
    async with sessionmaker() as session:
        patient = await patient_resource(session, scope)
    timestamp = resources.instant(utcnow())
    yield b'{"resourceType":"Bundle","type":"collection","timestamp":' + _json(timestamp)
    yield b',"entry":[' + _json(resources.bundle_entry(patient))
    parts: list[tuple[Select[Any], tuple[Any, Any], ToEntries]] = [
        (live_entries(scope), (ENTRIES.c.recorded_at, ENTRIES.c.id), _entry_resources),
        (
            assessments_of(scope),
            (ASSESSMENTS.c.completed_at, ASSESSMENTS.c.id),
            resources.assessment_entries,
        ),
    ]
    for statement, keys, to_entries in parts:
        async for rows in _chunks(sessionmaker, statement, keys):
            yield b"".join(b"," + _json(entry) for row in rows for entry in to_entries(row))
    yield b"]}"
