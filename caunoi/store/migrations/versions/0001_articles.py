"""Articles, their origins and the full-text index (FTS5 on SQLite, tsvector on PostgreSQL).

Revision ID: 0001
Revises:
Create Date: 2026-11-24
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "articles",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("content_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("url", sa.Text),
        sa.Column("source", sa.String(200), index=True),
        sa.Column("category", sa.String(100), index=True),
        sa.Column("lang", sa.String(8), index=True),
        sa.Column("lang_confidence", sa.Float),
        sa.Column("published", sa.DateTime, index=True),
        sa.Column("published_from", sa.String(16)),
        sa.Column("event_date", sa.Date),
        sa.Column("author", sa.Text),
        sa.Column("attribution", sa.Text),
        sa.Column("encoding", sa.String(40)),
        sa.Column("dates", sa.JSON, nullable=False),
        sa.Column("meta", sa.JSON, nullable=False),
        sa.Column("origin", sa.Text, nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
    )
    op.create_index("ix_articles_published_id", "articles", ["published", "id"])
    op.create_table(
        "origins",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column(
            "article_id",
            sa.Integer,
            sa.ForeignKey("articles.id", ondelete="CASCADE"),
            nullable=False,
            index=True,
        ),
        sa.Column("origin_key", sa.String(64), nullable=False, unique=True),
        sa.Column("origin", sa.Text, nullable=False),
        sa.Column("format", sa.String(16), nullable=False),
        sa.Column("url", sa.Text),
        sa.Column("raw_hash", sa.String(64), nullable=False),
        sa.Column("ingested_at", sa.DateTime, nullable=False),
    )
    if op.get_bind().dialect.name == "sqlite":
        # Contentless: the index keeps no copy of the text; folded (_f) and exact (_x) forms.
        op.execute(
            "CREATE VIRTUAL TABLE article_fts USING fts5("
            "title_f, body_f, title_x, body_x, content='', tokenize='unicode61 remove_diacritics 0')"
        )
    else:
        op.add_column("articles", sa.Column("search_f", postgresql.TSVECTOR))
        op.add_column("articles", sa.Column("search_x", postgresql.TSVECTOR))
        op.create_index("ix_articles_search_f", "articles", ["search_f"], postgresql_using="gin")
        op.create_index("ix_articles_search_x", "articles", ["search_x"], postgresql_using="gin")


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TABLE article_fts")
    op.drop_table("origins")
    op.drop_table("articles")
