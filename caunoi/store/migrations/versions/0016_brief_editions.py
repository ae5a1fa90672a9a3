"""The brief finished: editions an analyst picks, orders and comments (brief_editions), and every
brief and digest sent, the scheduled ones once per moment and channel (brief_sends).

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "brief_editions",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("start", sa.DateTime, nullable=False),
        sa.Column("end", sa.DateTime, nullable=False),
        sa.Column("lang", sa.String(2), nullable=False),
        sa.Column("note", sa.Text, nullable=False),
        sa.Column("items", sa.JSON, nullable=False),
        sa.Column("created_by", sa.String(100), nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("updated_by", sa.String(100), nullable=False),
        sa.Column("updated_at", sa.DateTime, nullable=False),
        sa.Column("sent_at", sa.DateTime),
    )
    op.create_table(
        "brief_sends",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("kind", sa.String(10), nullable=False),
        sa.Column(
            "edition_id",
            sa.Integer,
            sa.ForeignKey("brief_editions.id", ondelete="SET NULL"),
            index=True,
        ),
        sa.Column("due", sa.DateTime),
        sa.Column("channel", sa.String(100), nullable=False),
        sa.Column("target", sa.Text, nullable=False),
        sa.Column("state", sa.String(10), nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("error", sa.Text),
        sa.Column("by", sa.String(100), nullable=False),
        sa.Column("at", sa.DateTime, nullable=False),
        sa.UniqueConstraint("kind", "due", "channel", name="uq_brief_sends_due"),
    )


def downgrade() -> None:
    op.drop_table("brief_sends")
    op.drop_table("brief_editions")
