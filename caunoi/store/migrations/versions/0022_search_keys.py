"""SQLite: two narrow indexes holding what a search filters and sorts by (an article's dates, language,
outlet and category), one in date order and one in id order, so that `--sort date` and the filters
read them instead of each match's row, where those columns lie after the long text (issue 20;
caunoi.store.articles, BENCHMARKS.md "--sort date and filters"). PostgreSQL keeps the text apart
(TOAST), so its rows are narrow already: nothing to do there.

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-07
"""

from alembic import op

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None

# the names caunoi.store.articles reads them by (SEARCH_KEYS_BY_DATE, SEARCH_KEYS_BY_ID)
KEYS = ["created_at", "lang", "source", "category"]
INDEXES = {
    "ix_articles_keys_by_date": ["published", "id", *KEYS],
    "ix_articles_keys_by_id": ["id", "published", *KEYS],
}


def upgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    for name, columns in INDEXES.items():
        op.create_index(name, "articles", columns)


def downgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    for name in INDEXES:
        op.drop_index(name, "articles")
