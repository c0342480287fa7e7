"""Opaque keyset cursors and the page shape shared by every list."""

import base64
import binascii
import json
import uuid
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Annotated, Any, Generic, TypeVar

from fastapi import Query
from pydantic import AfterValidator, BaseModel, Field
from sqlalchemy import ColumnElement, Select, and_, or_
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import QueryableAttribute

from app.errors import InvalidInput

ItemT = TypeVar("ItemT")
RowT = TypeVar("RowT")

DEFAULT_LIMIT = 50
MAX_LIMIT = 200

LimitQuery = Annotated[
    int, Query(ge=1, le=MAX_LIMIT, description="Page size (1 to 200).", examples=[DEFAULT_LIMIT])
]


def _empty_means_start(value: object) -> object:
    return None if value == "" else value


# `?cursor=` (empty) means "from the start", as a client that has no cursor yet writes it.
CursorQuery = Annotated[
    str | None,
    Query(
        max_length=512,
        pattern=r"^[A-Za-z0-9_-]*$",
        description="Opaque cursor from a previous page's `next_cursor`; empty or absent: "
        "from the start.",
    ),
    AfterValidator(_empty_means_start),
]


class Page(BaseModel, Generic[ItemT]):
    items: list[ItemT]
    next_cursor: str | None = Field(
        description="Pass as `cursor` to get the next page; null on the last page."
    )


def page_of(
    rows: Sequence[RowT], limit: int, cursor_after: Callable[[RowT], str]
) -> tuple[list[RowT], str | None]:
    """The page in `rows` (read with `limit + 1`, one more than a page), and the cursor that
    resumes after its last row when more follow (else None)."""
    if len(rows) <= limit:
        return list(rows), None
    page = list(rows[:limit])
    return page, cursor_after(page[-1])


async def fetch_page(
    session: AsyncSession,
    statement: Select[*tuple[Any, ...]],
    limit: int,
    cursor_after: Callable[[Any], str],
    *,
    objects: bool = False,
) -> tuple[list[Any], str | None]:
    """A page of an ordered keyset statement (rows, or ORM objects with `objects`), and the
    cursor after it: one row more than the page is read, to know whether more follow."""
    result = await session.execute(statement.limit(limit + 1))
    rows: Sequence[Any] = result.scalars().all() if objects else result.all()
    return page_of(rows, limit, cursor_after)


def after_instant(
    instant_column: ColumnElement[datetime] | QueryableAttribute[datetime],
    id_column: ColumnElement[uuid.UUID] | QueryableAttribute[uuid.UUID],
    instant: datetime,
    row_id: uuid.UUID,
) -> ColumnElement[bool]:
    """The rows after (instant, id) in ascending order: the keyset of `encode_instant_cursor`."""
    return or_(instant_column > instant, and_(instant_column == instant, id_column > row_id))


def before_instant(
    instant_column: ColumnElement[datetime] | QueryableAttribute[datetime],
    id_column: ColumnElement[uuid.UUID] | QueryableAttribute[uuid.UUID],
    instant: datetime,
    row_id: uuid.UUID,
) -> ColumnElement[bool]:
    """The rows after (instant, id) in descending order (newest first)."""
    return or_(instant_column < instant, and_(instant_column == instant, id_column < row_id))


def encode_cursor(kind: str, values: list[Any]) -> str:
    raw = json.dumps([kind, *values], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


# What a cursor value may be, checked here for every list: a cursor is base64 of JSON, so a
# client can forge one holding anything, and a value the database cannot bind is a 500
# (integers past 64 bits, years 1 or 9999 once an offset moves them out of range, a number
# where a name belongs, a NUL or a lone surrogate in text).
CursorValue = type[int] | type[str] | type[uuid.UUID] | type[datetime]
MAX_CURSOR_INTEGER = 2**63 - 1
# The years 1900 to 2999 that every time the service takes falls in (app/journal/schemas.py),
# and a day either side: a local time in 1900 with a positive offset is 1899 in UTC.
CURSOR_YEARS = range(1899, 3001)


def decode_cursor(kind: str, cursor: str, *shape: CursorValue) -> list[Any]:
    """The values of a cursor made by `encode_cursor(kind, ...)`, one of each type of `shape`
    (`int`: 0 to 2^63-1; `str`: text a database can bind; `uuid.UUID`; `datetime`: aware,
    returned in UTC, in the years 1900 to 2999 give or take an offset); 422 for anything else."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        decoded = json.loads(raw)
    except (binascii.Error, ValueError, UnicodeDecodeError, RecursionError):
        decoded = None
    if not isinstance(decoded, list) or len(decoded) != len(shape) + 1 or decoded[0] != kind:
        raise bad_cursor()
    return [_checked(value, expected) for value, expected in zip(decoded[1:], shape, strict=True)]


def _checked(value: object, expected: CursorValue) -> Any:
    if expected is int:
        if type(value) is int and 0 <= value <= MAX_CURSOR_INTEGER:  # bool is not an int here
            return value
        raise bad_cursor()
    # NUL: PostgreSQL text cannot hold it.
    if type(value) is not str or "\x00" in value or _unbindable(value):
        raise bad_cursor()
    try:
        if expected is uuid.UUID:
            return uuid.UUID(value)
        if expected is datetime:
            return _instant(value)
    except (ValueError, OverflowError) as exc:
        raise bad_cursor() from exc
    return value


def _unbindable(text: str) -> bool:
    """True for text no database driver can send: lone surrogates are not UTF-8."""
    try:
        text.encode()
    except UnicodeEncodeError:
        return True
    return False


def _instant(text: str) -> datetime:
    instant = datetime.fromisoformat(text)
    if instant.tzinfo is None:  # ours always carry +00:00
        raise ValueError("naive")
    instant = instant.astimezone(UTC)  # OverflowError past year 9999, ValueError before 1
    if instant.year not in CURSOR_YEARS:
        raise ValueError("out of range")
    return instant


def encode_instant_cursor(kind: str, instant: datetime, row_id: uuid.UUID) -> str:
    """A cursor for a list ordered by (an aware instant, id)."""
    return encode_cursor(kind, [instant.isoformat(), str(row_id)])


def decode_instant_cursor(kind: str, cursor: str) -> tuple[datetime, uuid.UUID]:
    """The (aware instant, id) of a cursor made by `encode_instant_cursor`; 422 otherwise."""
    instant, row_id = decode_cursor(kind, cursor, datetime, uuid.UUID)
    return instant, row_id


def bad_cursor() -> InvalidInput:
    return InvalidInput("query.cursor", "The cursor is not valid for this list.", "bad-cursor")
