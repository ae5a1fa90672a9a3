"""The search index beside the store (issue 20; caunoi.store.search_index): its state (one row, made by
the first `caunoi search-index build`: a store without it has no index, and a migrated store stays empty
for `caunoi restore`) and the outbox of articles changed since the index took them.

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-08
"""

import sqlalchemy as sa
from alembic import op

revision = "0023"
down_revision = "0022"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "search_index_state",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("enabled", sa.Boolean, nullable=False),
        sa.Column("generation", sa.String(36)),
        sa.Column("path", sa.Text),
        sa.Column("built_at", sa.DateTime),
    )
    op.create_table(
        "search_outbox",
        sa.Column("seq", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("article_id", sa.Integer, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("search_outbox")
    op.drop_table("search_index_state")
