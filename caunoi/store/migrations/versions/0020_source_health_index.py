"""An index on the articles' source and when they were stored, so the sources' health (every
article of each source, and those of the last 7 days: caunoi.store.sources.status) is counted from
the index alone: 0.2 s instead of 3–4 s for 300,000 articles on SQLite.

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-07
"""

from alembic import op

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_articles_source_created", "articles", ["source", "created_at"])


def downgrade() -> None:
    op.drop_index("ix_articles_source_created", table_name="articles")
