"""Indexes the search filters and the date sort can use.

`--sort date` orders by `published DESC NULLS LAST, id DESC`; on PostgreSQL only an index in
that order lets the planner walk it instead of scanning the table. The source and category
filters compare lower-cased values, so they need expression indexes.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_articles_lower_source", "articles", [sa.text("lower(source)")])
    op.create_index("ix_articles_lower_category", "articles", [sa.text("lower(category)")])
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE INDEX ix_articles_published_desc ON articles (published DESC NULLS LAST, id DESC)")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.drop_index("ix_articles_published_desc", "articles")
    op.drop_index("ix_articles_lower_category", "articles")
    op.drop_index("ix_articles_lower_source", "articles")
