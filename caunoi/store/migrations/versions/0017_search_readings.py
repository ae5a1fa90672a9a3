"""How the store's own text writes the words a query may type without diacritics: each diacritised
word and word pair of a sample of recent articles, under what it folds to (search_readings).

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "search_readings",
        sa.Column("folded", sa.String(100), nullable=False),
        sa.Column("reading", sa.String(100), nullable=False),
        sa.Column("docs", sa.Integer, nullable=False),
        sa.Column("capital", sa.Integer, nullable=False),
        sa.PrimaryKeyConstraint("folded", "reading", name="pk_search_readings"),
    )


def downgrade() -> None:
    op.drop_table("search_readings")
