"""The check behind "one door to participant data", run on every statement the app executes
in the test suite: a statement that touches a participant-owned table must have been built
by app.access from a scope (its execution option says how), and a statement built once
(`scoped_template`) must run with a scope's parameters.

Attached to the engine of every app the tests build (tests/conftest.py); a test that makes
the app run an unscoped statement fails at teardown with the statement's tables."""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.sql import ClauseElement, Executable, TextClause
from sqlalchemy.sql.util import find_tables

from app.access.scope import ACCESS_OPTION, READER_PARAM, SCOPE_PARAM, TEMPLATE
from app.db import participant_owned_tables

# Test setup and inspection (Accounts.sql/execute) runs on a connection with this option.
TEST_SETUP = "test_setup"


def owned_tables_in(statement: ClauseElement) -> set[str]:
    owned = {table.name for table in participant_owned_tables()}
    found = find_tables(
        statement,
        check_columns=True,
        include_aliases=True,
        include_joins=True,
        include_selects=True,
        include_crud=True,
    )
    return {table.name for table in found if getattr(table, "name", None) in owned}


def _parameter_sets(
    multiparams: Sequence[Any], params: Mapping[str, Any]
) -> list[Mapping[str, Any]]:
    sets = [params] if params else []
    for item in multiparams:
        if isinstance(item, Mapping):
            sets.append(item)
        elif isinstance(item, Sequence):
            sets += [entry for entry in item if isinstance(entry, Mapping)]
    return sets


@dataclass
class DoorGuard:
    """Records every statement on participant-owned tables: how it was scoped, by whom."""

    violations: list[str] = field(default_factory=list)
    # (tables, how the statement was scoped, the reader a template was bound for)
    seen: list[tuple[frozenset[str], str, str | None]] = field(default_factory=list)

    def check(
        self,
        conn: Connection,
        statement: Any,
        multiparams: Sequence[Any],
        params: Mapping[str, Any],
        execution_options: Mapping[str, Any],
    ) -> None:
        if isinstance(statement, TextClause) or not isinstance(statement, ClauseElement):
            return
        if conn.get_execution_options().get(TEST_SETUP):
            return
        tables = owned_tables_in(statement)
        if not tables:
            return
        assert isinstance(statement, Executable)  # Connection.execute runs only these
        options = {**statement.get_execution_options(), **execution_options}
        how = options.get(ACCESS_OPTION)
        reader = None
        if how == TEMPLATE:
            bound = [p for p in _parameter_sets(multiparams, params) if SCOPE_PARAM in p]
            if not bound:
                self.violations.append(f"template on {sorted(tables)} run without a scope")
                return
            reader = bound[0].get(READER_PARAM)
        elif how is None:
            self.violations.append(f"unscoped statement on {sorted(tables)}: {statement}")
            return
        self.seen.append((frozenset(tables), str(how), reader))

    def attach(self, engine: AsyncEngine) -> None:
        event.listen(engine.sync_engine, "before_execute", self.check)

    def detach(self, engine: AsyncEngine) -> None:
        event.remove(engine.sync_engine, "before_execute", self.check)

    def readers(self) -> set[str]:
        """Who the statements seen were scoped for (`caseload`: a clinician's caseload)."""
        return {reader or how for _tables, how, reader in self.seen}
