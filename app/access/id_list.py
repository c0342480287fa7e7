"""`column IN (the ids)` with the ids as one parameter: a `uuid[]` on PostgreSQL, a JSON
array on SQLite. SQLAlchemy's expanding `IN` renders a placeholder per id and processes
each id on every execution: 200 of them cost the overview of a caseload 3 ms of CPU, and
the statement's text changed with the count (one prepared statement per caseload size)."""

import json
import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import BindParameter, ColumnElement, String, TypeDecorator, bindparam
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.visitors import InternalTraversal
from sqlalchemy.types import Boolean, TypeEngine, Uuid


class _IdList(TypeDecorator[list[uuid.UUID]]):
    """A list of UUIDs bound as one value: an array on PostgreSQL; elsewhere JSON text of
    the ids as SQLite stores them (32 hex digits)."""

    impl = String
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "postgresql":
            return dialect.type_descriptor(ARRAY(Uuid()))
        return dialect.type_descriptor(String())

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        if value is None or dialect.name == "postgresql":
            return value
        return json.dumps([participant_id.hex for participant_id in value])


class InIdList(ColumnElement[bool]):
    """`column` is one of `ids` (see the module)."""

    inherit_cache = True
    type = Boolean()
    _traverse_internals = [  # noqa: RUF012 - as SQLAlchemy declares it
        ("column", InternalTraversal.dp_clauseelement),
        ("ids", InternalTraversal.dp_clauseelement),
    ]

    def __init__(self, column: ColumnElement[Any], ids: Sequence[uuid.UUID]) -> None:
        self.column = column
        self.ids: BindParameter[list[uuid.UUID]] = bindparam(
            None, list(ids), type_=_IdList(), unique=True
        )


@compiles(InIdList, "postgresql")
def _any_of_array(element: InIdList, compiler: SQLCompiler, **kw: Any) -> str:
    return f"{compiler.process(element.column, **kw)} = ANY({compiler.process(element.ids, **kw)})"


@compiles(InIdList)
def _in_json_array(element: InIdList, compiler: SQLCompiler, **kw: Any) -> str:
    column, ids = compiler.process(element.column, **kw), compiler.process(element.ids, **kw)
    return f"{column} IN (SELECT value FROM json_each({ids}))"  # noqa: S608 - compiled SQL
