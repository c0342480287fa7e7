"""The schema is ready to be distributed by participant (Citus, docs/scaling.md): every
participant-owned table's primary key and unique indexes include `participant_id`, foreign
keys between participant-owned tables carry it on both sides, and no shared (reference) table
points at a participant-owned one. Citus refuses such tables when they are distributed; this
reads the same rules off the SQLAlchemy metadata, since Citus cannot be installed here."""

from sqlalchemy import (
    Column,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    MetaData,
    Table,
    UniqueConstraint,
    Uuid,
)

from app.db import NAMING_CONVENTION, PARTICIPANT_OWNED, Base

DISTRIBUTION_COLUMN = "participant_id"


def _owned(table: Table) -> bool:
    return bool(table.info.get("participant_owned"))


def _unique_column_sets(table: Table) -> list[tuple[str, list[str]]]:
    """Every set of columns the table keeps unique: its primary key, unique constraints and
    unique indexes (partial ones too: Citus asks the same of them)."""
    sets = [(f"primary key {table.primary_key.name}", [c.name for c in table.primary_key])]
    sets += [
        (f"unique constraint {constraint.name}", [c.name for c in constraint.columns])
        for constraint in table.constraints
        if isinstance(constraint, UniqueConstraint)
    ]
    sets += [
        (f"unique index {index.name}", [c.name for c in index.columns])
        for index in table.indexes
        if index.unique
    ]
    return sets


def _foreign_key_violations(table: Table) -> list[str]:
    violations = []
    for fk in table.foreign_key_constraints:
        referred = fk.referred_table
        pairs = {(e.parent.name, e.column.name) for e in fk.elements}
        if _owned(table) and _owned(referred):
            if (DISTRIBUTION_COLUMN, DISTRIBUTION_COLUMN) not in pairs:
                violations.append(
                    f"{table.name}: foreign key {fk.name} to {referred.name} "
                    f"does not pair {DISTRIBUTION_COLUMN} with {DISTRIBUTION_COLUMN}"
                )
        elif not _owned(table) and _owned(referred):
            violations.append(
                f"{table.name}: shared table with foreign key {fk.name} "
                f"to participant-owned {referred.name}"
            )
    return violations


def distribution_violations(metadata: MetaData) -> list[str]:
    """What keeps `metadata`'s participant-owned tables from being distributed by
    `participant_id` (the tables marked with `PARTICIPANT_OWNED`), one line each."""
    violations = []
    for table in metadata.sorted_tables:
        violations += _foreign_key_violations(table)
        if not _owned(table):
            continue
        column = table.c.get(DISTRIBUTION_COLUMN)
        if column is None or column.nullable:
            violations.append(f"{table.name}: no non-null {DISTRIBUTION_COLUMN} column")
            continue
        violations += [
            f"{table.name}: {what} ({', '.join(columns)}) lacks {DISTRIBUTION_COLUMN}"
            for what, columns in _unique_column_sets(table)
            if DISTRIBUTION_COLUMN not in columns
        ]
    return violations


def test_participant_owned_tables_can_be_distributed_by_participant() -> None:
    assert distribution_violations(Base.metadata) == []


def test_a_table_keyed_without_the_participant_is_reported() -> None:
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    Table("users", metadata, Column("id", Uuid, primary_key=True))
    Table(
        "parents",
        metadata,
        Column("id", Uuid, primary_key=True),
        Column(DISTRIBUTION_COLUMN, ForeignKey("users.id"), nullable=False),
        **PARTICIPANT_OWNED,
    )
    Table(
        "children",
        metadata,
        Column(DISTRIBUTION_COLUMN, ForeignKey("users.id"), primary_key=True),
        Column("id", Uuid, primary_key=True),
        Column("parent_id", Uuid),
        Column("client_id", Uuid),
        ForeignKeyConstraint(["parent_id"], ["parents.id"], name="fk_children_parent"),
        Index("uq_children_client_id", "client_id", unique=True),
        UniqueConstraint("parent_id", name="uq_children_parent_id"),
        **PARTICIPANT_OWNED,
    )
    Table(
        "shared",
        metadata,
        Column("id", Uuid, primary_key=True),
        Column("child_id", Uuid),
        Column("child_participant_id", Uuid),
        ForeignKeyConstraint(
            ["child_participant_id", "child_id"],
            ["children.participant_id", "children.id"],
            name="fk_shared_child",
        ),
    )
    Table("loose", metadata, Column("id", Uuid, primary_key=True), **PARTICIPANT_OWNED)

    assert sorted(distribution_violations(metadata)) == [
        "children: foreign key fk_children_parent to parents "
        "does not pair participant_id with participant_id",
        "children: unique constraint uq_children_parent_id (parent_id) lacks participant_id",
        "children: unique index uq_children_client_id (client_id) lacks participant_id",
        "loose: no non-null participant_id column",
        "parents: primary key pk_parents (id) lacks participant_id",
        "shared: shared table with foreign key fk_shared_child to participant-owned children",
    ]
