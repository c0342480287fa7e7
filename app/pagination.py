"""Opaque keyset cursors and the page shape shared by every list."""

import base64
import binascii
import json
import uuid
from datetime import datetime
from typing import Annotated, Any, Generic, TypeVar

from fastapi import Query
from pydantic import BaseModel, Field

from app.errors import InvalidInput

ItemT = TypeVar("ItemT")

DEFAULT_LIMIT = 50
MAX_LIMIT = 200

LimitQuery = Annotated[
    int, Query(ge=1, le=MAX_LIMIT, description="Page size (1 to 200).", examples=[DEFAULT_LIMIT])
]
CursorQuery = Annotated[
    str | None,
    Query(
        max_length=512,
        pattern=r"^[A-Za-z0-9_-]+$",
        description="Opaque cursor from a previous page's `next_cursor`.",
    ),
]


class Page(BaseModel, Generic[ItemT]):
    items: list[ItemT]
    next_cursor: str | None = Field(
        description="Pass as `cursor` to get the next page; null on the last page."
    )


def encode_cursor(kind: str, values: list[Any]) -> str:
    raw = json.dumps([kind, *values], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def decode_cursor(kind: str, cursor: str, arity: int) -> list[Any]:
    """The values of a cursor made by `encode_cursor(kind, ...)`; 422 for anything else."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        decoded = json.loads(raw)
    except (binascii.Error, ValueError, UnicodeDecodeError):
        decoded = None
    if not isinstance(decoded, list) or len(decoded) != arity + 1 or decoded[0] != kind:
        raise bad_cursor()
    return decoded[1:]


def encode_instant_cursor(kind: str, instant: datetime, row_id: uuid.UUID) -> str:
    """A cursor for a list ordered by (an aware instant, id)."""
    return encode_cursor(kind, [instant.isoformat(), str(row_id)])


def decode_instant_cursor(kind: str, cursor: str) -> tuple[datetime, uuid.UUID]:
    """The (aware instant, id) of a cursor made by `encode_instant_cursor`; 422 otherwise."""
    instant, row_id = decode_cursor(kind, cursor, 2)
    try:
        position = datetime.fromisoformat(instant), uuid.UUID(row_id)
    except (ValueError, TypeError, AttributeError) as exc:
        raise bad_cursor() from exc
    if position[0].tzinfo is None:  # ours always carry +00:00
        raise bad_cursor()
    return position


def bad_cursor() -> InvalidInput:
    return InvalidInput("query.cursor", "The cursor is not valid for this list.", "bad-cursor")
