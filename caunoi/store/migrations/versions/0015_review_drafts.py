"""Review reports: drafts (review_drafts) — the period, scope and layout of a report being written,
the text of its narrative sections, the drafts pulled into it and whether it is final.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-09
"""

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "review_drafts",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("unit", sa.String(40), sa.ForeignKey("units.code", ondelete="RESTRICT"), index=True),
        sa.Column("starts_on", sa.Date, nullable=False),
        sa.Column("ends_on", sa.Date, nullable=False),
        sa.Column("style", sa.String(10), nullable=False),
        sa.Column("lang", sa.String(8), nullable=False),
        sa.Column("number", sa.String(40)),
        sa.Column("subject", sa.Text),
        sa.Column("narrative", sa.JSON, nullable=False),
        sa.Column("pulled", sa.JSON, nullable=False),
        sa.Column("state", sa.String(10), nullable=False),
        sa.Column("created_by", sa.String(100)),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("updated_by", sa.String(100)),
        sa.Column("updated_at", sa.DateTime, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("review_drafts")
