"""Scopes, and the statements on participant-owned tables built from them."""

import enum
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from sqlalchemy import (
    BindParameter,
    ColumnElement,
    Delete,
    Executable,
    Select,
    Table,
    Update,
    Uuid,
    and_,
    bindparam,
    delete,
    exists,
    or_,
    select,
    update,
)
from sqlalchemy.dialects.postgresql import Insert as PostgresInsert
from sqlalchemy.dialects.sqlite import Insert as SQLiteInsert
from sqlalchemy.ext.asyncio import AsyncSession

from app.access.id_list import InIdList
from app.audit.service import Actor
from app.care.models import CareAssignment, CareBackup, CareCovering
from app.db import Base, upsert_into
from app.users.models import Role, User

# The execution option every statement built here carries: how it was scoped. Checked on
# every statement the app executes by the test suite (tests/test_one_door.py).
ACCESS_OPTION = "participant_access"
# Prebuilt statements (the hot paths build theirs once) are bound to a scope when they run:
# `scope.bind(...)` supplies this parameter.
SCOPE_PARAM = "scope_participant_id"
# Carried beside it (a statement ignores parameters it does not use): who the scope is for.
READER_PARAM = "scope_reader"
SCOPE_PARTICIPANT: BindParameter[uuid.UUID] = bindparam(SCOPE_PARAM, type_=Uuid())
TEMPLATE = "template"
CASELOAD = "caseload"
OVERSIGHT = "oversight"
# A column an admin may read of a participant-owned table (`info={CONTENT_FREE: True}`):
# that a record exists and how late it is, never what it says.
CONTENT_FREE = "content_free"

StatementT = TypeVar("StatementT", bound=Executable)
Target = Table | type[Base]


class Reader(enum.StrEnum):
    """Who reaches a participant's data through a scope."""

    participant = "participant"  # the participant themself
    primary_clinician = "primary_clinician"  # the clinician assigned to them now
    # Their backup clinician, from an alert's escalation until it is resolved (only then).
    covering_backup = "covering_backup"
    # An integration the participant consented to, within its scopes (app/access/consented.py).
    integration = "integration"
    system = "system"  # the service itself, for time-based rules (the sweeper only)


# Held only by this package's ways in: a scope cannot be made anywhere else.
_MINT = object()


def _mark(statement: StatementT, how: str) -> StatementT:
    return statement.execution_options(**{ACCESS_OPTION: how})


def _table(target: Target) -> Table:
    if isinstance(target, Table):
        return target
    table = target.__table__
    assert isinstance(table, Table)  # noqa: S101 - declarative models map one table
    return table


def scoped_template(target: Target, *columns: Any) -> Select[Any]:
    """The rows of `target` of whichever participant a scope binds at execution
    (`session.execute(statement, scope.bind(...))`): for statements built once."""
    table = _table(target)
    statement = select(*(columns or table.c)).where(table.c.participant_id == SCOPE_PARTICIPANT)
    return _mark(statement, TEMPLATE)


def scoped_insert_template(dialect: str, target: Target) -> PostgresInsert | SQLiteInsert:
    """An upsert into `target` built once; its `participant_id` must be bound to
    `SCOPE_PARTICIPANT`, which `scope.bind(...)` supplies."""
    return _mark(upsert_into(dialect, _table(target)), TEMPLATE)


def scoped_delete_template(target: Target) -> Delete:
    """A DELETE of rows of `target` of whichever participant a scope binds, built once."""
    table = _table(target)
    return _mark(delete(table).where(table.c.participant_id == SCOPE_PARTICIPANT), TEMPLATE)


@dataclass(frozen=True, eq=False)
class ParticipantScope:
    """One participant's data, as reachable by one reader in this request."""

    participant_id: uuid.UUID
    reader: Reader
    actor: Actor  # who reads, as the audit trail records them
    timezone: str  # the participant's own zone: their days
    _mint: object = field(default=None, repr=False)

    def __post_init__(self) -> None:
        if self._mint is not _MINT:
            raise TypeError("A ParticipantScope is made only by app.access (its ways in).")

    def owns(self, target: Target) -> ColumnElement[bool]:
        return _table(target).c.participant_id == self.participant_id

    def select(self, target: Target, *columns: Any) -> Select[Any]:
        """The participant's rows of `target`: ORM objects for a model without `columns`,
        plain rows for a table or with `columns`."""
        chosen = columns or ((target,) if not isinstance(target, Table) else tuple(target.c))
        return _mark(select(*chosen).where(self.owns(target)), self.reader)

    def update(self, target: Target) -> Update:
        return _mark(update(_table(target)).where(self.owns(target)), self.reader)

    def delete(self, target: Target) -> Delete:
        return _mark(delete(_table(target)).where(self.owns(target)), self.reader)

    def upsert(self, session: AsyncSession, target: Target) -> PostgresInsert | SQLiteInsert:
        """An INSERT (that can take `on_conflict_…`) of rows of this participant."""
        insert = upsert_into(session, _table(target))
        return _mark(insert.values(participant_id=self.participant_id), self.reader)

    def id_taken_by_another(self, target: Target, row_id: uuid.UUID) -> Select[Any]:
        """Whether another participant has a row of `target` with the id `row_id`: a yes or no,
        nothing of the row, so that a create refuses a client-made id already in use (`409`).
        A check, not a guarantee: keyed by participant, the database no longer refuses the id
        itself (docs/scaling.md), and two participants racing with one id could both store it."""
        table = _table(target)
        others = and_(table.c.id == row_id, table.c.participant_id != self.participant_id)
        return _mark(select(exists().where(others)), self.reader)

    def bind(self, **parameters: Any) -> dict[str, Any]:
        """Parameters for a statement built once (`scoped_template`), bound to this scope."""
        return {SCOPE_PARAM: self.participant_id, READER_PARAM: self.reader.value, **parameters}


@dataclass(frozen=True, eq=False)
class Caseload:
    """The participants assigned to one clinician now, for figures over many at once."""

    clinician_id: uuid.UUID
    actor: Actor
    _mint: object = field(default=None, repr=False)
    _listed: set[uuid.UUID] = field(default_factory=set, repr=False)

    def __post_init__(self) -> None:
        if self._mint is not _MINT:
            raise TypeError("A Caseload is made only by app.access (its ways in).")

    def _assigned(self) -> ColumnElement[bool]:
        return and_(
            CareAssignment.clinician_id == self.clinician_id,
            CareAssignment.ended_at.is_(None),
            User.role == Role.participant,
            User.erased_at.is_(None),
        )

    def participants(self, *columns: Any) -> Select[Any]:
        """The assigned participants (`User`, `CareAssignment` unless `columns` are named).
        Participant-owned rows may be correlated into it with `of_each`."""
        chosen = columns or (User, CareAssignment)
        statement = (
            select(*chosen)
            .join(CareAssignment, CareAssignment.participant_id == User.id)
            .where(self._assigned())
        )
        return _mark(statement, CASELOAD)

    @staticmethod
    def of_each(target: Target) -> ColumnElement[bool]:
        """`target`'s rows of the participant of each row of `participants()`."""
        return _table(target).c.participant_id == User.id

    def remember(self, participant_ids: Iterable[uuid.UUID]) -> None:
        """Note the participants read through `participants()` in this request: `select`
        reaches only those."""
        self._listed.update(participant_ids)

    def _assigned_ids(self) -> Select[Any]:
        return select(CareAssignment.participant_id).where(
            CareAssignment.clinician_id == self.clinician_id, CareAssignment.ended_at.is_(None)
        )

    def _covering(self) -> ColumnElement[bool]:
        """The clinician is the backup of `CareBackup`'s participant, and an escalation of
        theirs is open."""
        open_covering = select(CareCovering.alert_id).where(
            CareCovering.participant_id == CareBackup.participant_id,
            CareCovering.ended_at.is_(None),
        )
        return and_(
            CareBackup.clinician_id == self.clinician_id,
            CareBackup.ended_at.is_(None),
            open_covering.exists(),
        )

    def _covered_ids(self) -> Select[Any]:
        return select(CareBackup.participant_id).where(self._covering())

    def covered_participants(self, *columns: Any) -> Select[Any]:
        """The participants the clinician covers now as their backup (`User`, `CareBackup`
        unless `columns` are named)."""
        statement = (
            select(*(columns or (User, CareBackup)))
            .join(CareBackup, CareBackup.participant_id == User.id)
            .where(self._covering(), User.role == Role.participant, User.erased_at.is_(None))
        )
        return _mark(statement, CASELOAD)

    def assigned(self, target: Target) -> Select[Any]:
        """Rows of `target` of every participant assigned to the clinician now."""
        table = _table(target)
        statement = select(table).where(table.c.participant_id.in_(self._assigned_ids()))
        return _mark(statement, CASELOAD)

    def in_care(self, target: Target, *, while_covering: ColumnElement[bool]) -> Select[Any]:
        """Rows of `target` of the participants assigned to the clinician now, and those
        rows of the participants they cover as backup that meet `while_covering`."""
        table = _table(target)
        statement = select(table).where(
            or_(
                table.c.participant_id.in_(self._assigned_ids()),
                and_(table.c.participant_id.in_(self._covered_ids()), while_covering),
            )
        )
        return _mark(statement, CASELOAD)

    def select(self, target: Target, *columns: Any, among: Sequence[uuid.UUID]) -> Select[Any]:
        """Rows of `target` of the participants `among`, each of whom this caseload listed
        (`remember`); anyone else is a programming error, refused before any SQL. (Checked
        here rather than by a semi-join on the assignments: that join cost the overview of
        200 participants 3.5 ms of its 13.)"""
        if not set(among) <= self._listed:
            raise ValueError("participants not listed through this caseload")
        table = _table(target)
        statement = select(*(columns or table.c)).where(InIdList(table.c.participant_id, among))
        return _mark(statement, CASELOAD)


@dataclass(frozen=True, eq=False)
class Oversight:
    """What a clinic admin may see of participant-owned records: the content-free columns
    only (marked in the model), so that overdue work can be reassigned without reading it."""

    actor: Actor
    _mint: object = field(default=None, repr=False)

    def __post_init__(self) -> None:
        if self._mint is not _MINT:
            raise TypeError("An Oversight is made only by app.access (its ways in).")

    def select(self, target: Target, *columns: Any) -> Select[Any]:
        table = _table(target)
        bases = [getattr(column, "element", column) for column in columns]  # under a label
        content = [c for c in bases if c.table is table and not c.info.get(CONTENT_FREE)]
        if content:
            raise ValueError(f"not content-free: {[c.key for c in content]}")
        return _mark(select(*columns), OVERSIGHT)


@dataclass(frozen=True, eq=False)
class Sweep:
    """The service itself, for the time-based rules: statements across participants, and a
    scope per participant to raise alerts in. Made only for the sweeper (app/sweeper)."""

    actor: Actor
    _mint: object = field(default=None, repr=False)

    def __post_init__(self) -> None:
        if self._mint is not _MINT:
            raise TypeError("A Sweep is made only by app.access (its ways in).")

    def across(self, statement: StatementT) -> StatementT:
        """`statement`, which reads or changes rows of many participants, marked as the
        sweeper's."""
        return _mark(statement, Reader.system.value)

    def scope_for(self, participant_id: uuid.UUID, timezone: str) -> ParticipantScope:
        return _mint_scope(participant_id, Reader.system, self.actor, timezone)


def _mint_sweep(actor: Actor) -> Sweep:
    return Sweep(actor, _MINT)


def _mint_oversight(actor: Actor) -> Oversight:
    return Oversight(actor, _MINT)


def _mint_scope(
    participant_id: uuid.UUID, reader: Reader, actor: Actor, timezone: str
) -> ParticipantScope:
    return ParticipantScope(participant_id, reader, actor, timezone, _MINT)


def _mint_caseload(clinician_id: uuid.UUID, actor: Actor) -> Caseload:
    return Caseload(clinician_id, actor, _MINT)
