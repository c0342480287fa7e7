"""Alert rules (clinic defaults and participants' own) and alerts.

The clinic defaults are inserted here, so a fresh database (and an existing one being
migrated) starts with them: PHQ-9 `self_harm_thoughts` (urgent, 60 min); PHQ-9 total of
20 or more (urgent, 240 min); anxiety 8 or more on 3 consecutive days (routine, 1,440 min);
mood's 7-day mean 3 below its baseline (routine, 1,440 min); no entry for 7 days (routine,
2,880 min); a `severe` experience report (urgent, 60 min). An admin changes them with
`PUT /v1/admin/alert-rules`.

Revision ID: c0a1e2a5e007
Revises: c0a1e2a5e006
Create Date: 2026-12-07 20:00:00+00:00
"""

from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

import app.db

revision: str = "c0a1e2a5e007"
down_revision: str | None = "c0a1e2a5e006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UTC_DATETIME = app.db.UTCDateTime(timezone=True)
UNRESOLVED = sa.text("status <> 'resolved'")
OPEN = sa.text("status = 'open' AND escalated_at IS NULL")
# (key, kind, severity, minutes to acknowledge, parameters)
DEFAULT_RULES = [
    ("phq9-self-harm-thoughts", "instrument_flag", "urgent", 60,
     {"instrument": "phq-9", "flag": "self_harm_thoughts"}),
    ("phq9-total-20", "instrument_score", "urgent", 240, {"instrument": "phq-9", "min_total": 20}),
    ("anxiety-high-3d", "rating_threshold", "routine", 1440,
     {"dimension": "anxiety", "op": "gte", "value": 8, "consecutive_days": 3}),
    ("mood-below-baseline", "baseline_change", "routine", 1440,
     {"dimension": "mood", "change": -3, "min_entries": 3}),
    ("no-entry-7d", "missed_checkins", "routine", 2880, {"days": 7}),
    ("experience-severe", "experience_report", "urgent", 60, {"min_severity": "severe"}),
]  # fmt: skip


def _rule_columns() -> list[sa.Column[object]]:
    return [
        sa.Column("key", sa.String(length=40), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("severity", sa.String(length=8), nullable=False),
        sa.Column("acknowledge_within_minutes", sa.Integer(), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("parameters", sa.JSON(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("updated_at", UTC_DATETIME, nullable=False),
    ]


def upgrade() -> None:
    clinic = op.create_table(
        "clinic_alert_rules",
        *_rule_columns(),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_clinic_alert_rules")),
    )
    op.create_table(
        "participant_alert_rules",
        sa.Column("participant_id", sa.Uuid(), nullable=False),
        *_rule_columns(),
        sa.Column("updated_by", sa.Uuid(), nullable=True),
        sa.ForeignKeyConstraint(
            ["participant_id"],
            ["users.id"],
            name=op.f("fk_participant_alert_rules_participant_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("participant_id", "key", name=op.f("pk_participant_alert_rules")),
    )
    op.create_table(
        "alerts",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("participant_id", sa.Uuid(), nullable=False),
        sa.Column("rule_key", sa.String(length=40), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("severity", sa.String(length=8), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("evidence", sa.JSON(), nullable=False),
        sa.Column("trigger_id", sa.Uuid(), nullable=True),
        sa.Column("raised_at", UTC_DATETIME, nullable=False),
        sa.Column("acknowledge_by", UTC_DATETIME, nullable=False),
        sa.Column("acknowledged_at", UTC_DATETIME, nullable=True),
        sa.Column("acknowledged_by", sa.Uuid(), nullable=True),
        sa.Column("escalated_at", UTC_DATETIME, nullable=True),
        sa.Column("resolved_at", UTC_DATETIME, nullable=True),
        sa.Column("resolved_by", sa.Uuid(), nullable=True),
        sa.Column("resolution_note", sa.Text(), nullable=True),
        sa.CheckConstraint(
            "status IN ('open', 'acknowledged', 'resolved')", name=op.f("ck_alerts_status_known")
        ),
        sa.CheckConstraint(
            "severity IN ('urgent', 'routine')", name=op.f("ck_alerts_severity_known")
        ),
        sa.ForeignKeyConstraint(
            ["participant_id"],
            ["users.id"],
            name=op.f("fk_alerts_participant_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alerts")),
    )
    with op.batch_alter_table("alerts", schema=None) as batch_op:
        batch_op.create_index(
            "uq_alerts_participant_id_rule_key_unresolved",
            ["participant_id", "rule_key"],
            unique=True,
            postgresql_where=UNRESOLVED,
            sqlite_where=UNRESOLVED,
        )
        batch_op.create_index(
            "ix_alerts_participant_id_raised_at", ["participant_id", "raised_at"], unique=False
        )
        batch_op.create_index(
            "ix_alerts_acknowledge_by_open",
            ["acknowledge_by"],
            unique=False,
            postgresql_where=OPEN,
            sqlite_where=OPEN,
        )
    now = datetime.now(UTC)
    op.bulk_insert(
        clinic,
        [
            {
                "key": key,
                "kind": kind,
                "severity": severity,
                "acknowledge_within_minutes": minutes,
                "enabled": True,
                "parameters": parameters,
                "position": position,
                "updated_at": now,
            }
            for position, (key, kind, severity, minutes, parameters) in enumerate(DEFAULT_RULES)
        ],
    )


def downgrade() -> None:
    op.drop_table("alerts")
    op.drop_table("participant_alert_rules")
    op.drop_table("clinic_alert_rules")
