"""Rapid response: saved searches, alert rules and alerts, notification channels and deliveries,
units and missions, cases and their answers, fact sheets, and the audit log.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-24
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def _fk(name: str, target: str, ondelete: str, **kw) -> sa.Column:
    column = target.split(".")[1]
    kind = sa.String(40) if column == "code" else sa.Integer
    return sa.Column(name, kind, sa.ForeignKey(target, ondelete=ondelete), **kw)


def _now(name: str, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.DateTime, nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "saved_searches",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("name", sa.String(200), nullable=False, unique=True),
        sa.Column("request", sa.JSON, nullable=False),
        sa.Column("created_by", sa.String(100)),
        _now("created_at"),
    )
    op.create_table(
        "channels",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("name", sa.String(100), nullable=False, unique=True),
        sa.Column("kind", sa.String(10), nullable=False),
        sa.Column("target", sa.Text, nullable=False),
        sa.Column("secret", sa.Text),
        sa.Column("allow_private", sa.Boolean, nullable=False),
        sa.Column("enabled", sa.Boolean, nullable=False),
        _now("created_at"),
    )
    op.create_table(
        "alert_rules",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("name", sa.String(200), nullable=False, unique=True),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("scope", sa.JSON, nullable=False),
        sa.Column("params", sa.JSON, nullable=False),
        sa.Column("channels", sa.JSON, nullable=False),
        sa.Column("severity", sa.String(10), nullable=False),
        sa.Column("enabled", sa.Boolean, nullable=False),
        sa.Column("created_by", sa.String(100)),
        _now("created_at"),
        _now("last_run_at", nullable=True),
    )
    op.create_table(
        "alerts",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        _fk("rule_id", "alert_rules.id", "CASCADE", nullable=False),
        _fk("story_id", "stories.id", "SET NULL"),
        _now("window_start"),
        _now("window_end"),
        sa.Column("severity", sa.String(10), nullable=False),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("why", sa.JSON, nullable=False),
        sa.Column("digest", sa.Boolean, nullable=False),
        sa.Column("state", sa.String(10), nullable=False),
        _now("created_at"),
    )
    op.create_index("ix_alerts_rule_id", "alerts", ["rule_id"])
    op.create_index("ix_alerts_created_at", "alerts", ["created_at"])
    op.create_table(
        "alert_keys",
        _fk("rule_id", "alert_rules.id", "CASCADE", nullable=False),
        sa.Column("key", sa.String(200), nullable=False),
        _fk("alert_id", "alerts.id", "CASCADE", nullable=False),
        sa.PrimaryKeyConstraint("rule_id", "key", name="pk_alert_keys"),
    )
    op.create_table(
        "deliveries",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        _fk("alert_id", "alerts.id", "CASCADE", nullable=False),
        sa.Column("channel", sa.String(100), nullable=False),
        sa.Column("kind", sa.String(10), nullable=False),
        sa.Column("target", sa.Text, nullable=False),
        sa.Column("state", sa.String(10), nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("status", sa.Integer),
        sa.Column("error", sa.Text),
        _now("created_at"),
        _now("last_attempt_at", nullable=True),
        _now("delivered_at", nullable=True),
    )
    op.create_index("ix_deliveries_alert_id", "deliveries", ["alert_id"])
    op.create_table(
        "units",
        sa.Column("code", sa.String(40), primary_key=True),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("kind", sa.String(10), nullable=False),
        sa.Column("country", sa.String(2)),
        _now("created_at"),
    )
    op.create_table(
        "cases",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("state", sa.String(10), nullable=False),
        sa.Column("priority", sa.String(10), nullable=False),
        _fk("story_id", "stories.id", "SET NULL"),
        _fk("alert_id", "alerts.id", "SET NULL"),
        _fk("unit", "units.code", "RESTRICT"),
        sa.Column("assignee", sa.String(100)),
        _now("deadline", nullable=True),
        sa.Column("notes", sa.Text),
        sa.Column("created_by", sa.String(100)),
        _now("created_at"),
        _now("updated_at"),
        _now("closed_at", nullable=True),
    )
    op.create_index("ix_cases_state", "cases", ["state"])
    op.create_table(
        "fact_sheets",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("lang", sa.String(8), nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("folded", sa.Text, nullable=False),
        sa.Column("tags", sa.JSON, nullable=False),
        sa.Column("created_by", sa.String(100)),
        _now("created_at"),
        _now("updated_at"),
    )
    op.create_table(
        "fact_sheet_stories",
        _fk("fact_sheet_id", "fact_sheets.id", "CASCADE", nullable=False),
        _fk("story_id", "stories.id", "CASCADE", nullable=False),
        sa.PrimaryKeyConstraint("fact_sheet_id", "story_id", name="pk_fact_sheet_stories"),
    )
    op.create_table(
        "case_responses",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        _fk("case_id", "cases.id", "CASCADE", nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("url", sa.Text),
        _fk("fact_sheet_id", "fact_sheets.id", "SET NULL"),
        _fk("article_id", "articles.id", "SET NULL"),
        sa.Column("note", sa.Text),
        sa.Column("created_by", sa.String(100)),
        _now("created_at"),
    )
    op.create_index("ix_case_responses_case_id", "case_responses", ["case_id"])
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        _now("at"),
        sa.Column("actor", sa.String(100), nullable=False),
        sa.Column("entity", sa.String(20), nullable=False),
        sa.Column("entity_id", sa.String(40), nullable=False),
        sa.Column("action", sa.String(30), nullable=False),
        sa.Column("changes", sa.JSON, nullable=False),
    )
    op.create_index("ix_audit_log_at", "audit_log", ["at"])
    op.create_index("ix_audit_log_entity", "audit_log", ["entity", "entity_id"])


def downgrade() -> None:
    for table in (
        "audit_log", "case_responses", "fact_sheet_stories", "fact_sheets", "cases", "units", "deliveries",
        "alert_keys", "alerts", "alert_rules", "channels", "saved_searches",
    ):  # fmt: skip
        op.drop_table(table)
