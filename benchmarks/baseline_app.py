"""The bare baseline: what FastAPI + SQLAlchemy Core cost with nothing of ours around them.

No authentication, no middleware, no ORM, no change counter, no audit. It validates the
same entry body as the service (`EntryCreate`), inserts it with one Core
`INSERT … RETURNING`, and lists 50 rows of one participant by keyset, answering with the
same response models. The engine is built by `app.db.create_engine`, so the pool (and on
SQLite the pragmas and `BEGIN IMMEDIATE`) are the service's own.

Run: `JOURNAL_DATABASE_URL=... uvicorn baseline_app:app --app-dir benchmarks`.
The participant comes from the `X-Participant-Id` header (POST) or the query (GET).
"""

import itertools
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import FastAPI, Header, Query, Request, status
from sqlalchemy import Row, Table, and_, insert, or_, select
from sqlalchemy.ext.asyncio import AsyncEngine

from app.config import Settings
from app.db import create_engine
from app.journal.schemas import EntryCreate, EntryRead
from app.models import Base
from app.pagination import Page, decode_instant_cursor, encode_cursor

# From the full metadata, so that the foreign-key columns have their (UUID) types.
ENTRIES: Table = Base.metadata.tables["journal_entries"]
CONTENT = ("mood", "focus", "anxiety", "creativity", "connection", "note")
# Unique per participant without a counter row: the baseline writes only to its own
# participants, and this process is the only one writing to them.
_change_seq = itertools.count(int(time.time() * 1000) * 1000)


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    engine = create_engine(Settings())
    app.state.engine = engine
    try:
        yield
    finally:
        await engine.dispose()


app = FastAPI(title="baseline", lifespan=lifespan)


def _read(row: Row[Any]) -> EntryRead:
    return EntryRead(
        id=row.id,
        recorded_at=row.recorded_at,
        utc_offset_minutes=row.utc_offset_minutes,
        local_date=row.local_date,
        mood=row.mood,
        focus=row.focus,
        anxiety=row.anxiety,
        creativity=row.creativity,
        connection=row.connection,
        note=row.note,
        note_shared=row.note_shared,
        tags=[tag for tag in row.tags.split(",") if tag],
        version=row.version,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


@app.get("/healthz")
async def healthz() -> dict[str, str]:
    return {"status": "ok"}


@app.post("/entries", response_model=EntryRead, status_code=status.HTTP_201_CREATED)
async def create_entry(
    body: EntryCreate,
    request: Request,
    x_participant_id: Annotated[uuid.UUID, Header()],
) -> EntryRead:
    now = datetime.now(UTC)
    offset = body.recorded_at.utcoffset()
    values: dict[str, Any] = {
        "id": body.id or uuid.uuid4(),
        "participant_id": x_participant_id,
        "recorded_at": body.recorded_at.astimezone(UTC),
        "utc_offset_minutes": int(offset.total_seconds() // 60) if offset else 0,
        "local_date": body.recorded_at.date(),
        **{name: getattr(body, name) for name in CONTENT},
        "tags": "," + ",".join(body.tags) + "," if body.tags else "",
        "version": 1,
        "change_seq": next(_change_seq),
        "created_at": now,
        "updated_at": now,
    }
    engine: AsyncEngine = request.app.state.engine
    async with engine.begin() as connection:
        row = (await connection.execute(insert(ENTRIES).values(values).returning(ENTRIES))).one()
    return _read(row)


@app.get("/entries", response_model=Page[EntryRead])
async def list_entries(
    request: Request,
    participant_id: uuid.UUID,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    cursor: str | None = None,
) -> Page[EntryRead]:
    statement = select(ENTRIES).where(
        ENTRIES.c.participant_id == participant_id, ENTRIES.c.deleted_at.is_(None)
    )
    if cursor is not None:
        after, after_id = decode_instant_cursor("entries", cursor)
        statement = statement.where(
            or_(
                ENTRIES.c.recorded_at < after,
                and_(ENTRIES.c.recorded_at == after, ENTRIES.c.id < after_id),
            )
        )
    statement = statement.order_by(ENTRIES.c.recorded_at.desc(), ENTRIES.c.id.desc())
    engine: AsyncEngine = request.app.state.engine
    async with engine.connect() as connection:
        rows = list(await connection.execute(statement.limit(limit + 1)))
    next_cursor = None
    if len(rows) > limit:
        rows = rows[:limit]
        next_cursor = encode_cursor("entries", [rows[-1].recorded_at.isoformat(), str(rows[-1].id)])
    return Page(items=[_read(row) for row in rows], next_cursor=next_cursor)
