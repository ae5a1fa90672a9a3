"""Duplicates and stories: MinHash signatures and their LSH bands, reprint links, stories.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-24
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def _article(name: str, **kw) -> sa.Column:
    return sa.Column(name, sa.Integer, sa.ForeignKey("articles.id", ondelete="CASCADE"), **kw)


def upgrade() -> None:
    op.create_table(
        "signatures",
        _article("article_id", primary_key=True),
        sa.Column("hashes", sa.LargeBinary, nullable=False),
        sa.Column("shingles", sa.Integer, nullable=False),
    )
    op.create_table(
        "signature_bands",
        sa.Column("band", sa.Integer, nullable=False),
        sa.Column("key", sa.String(16), nullable=False),
        _article("article_id", nullable=False),
    )
    op.create_index("ix_signature_bands_band_key", "signature_bands", ["band", "key"])
    op.create_index("ix_signature_bands_article_id", "signature_bands", ["article_id"])
    op.create_table(
        "duplicates",
        _article("article_id", primary_key=True),
        _article("original_id", nullable=False),
        sa.Column("jaccard", sa.Float, nullable=False),
        sa.Column("containment", sa.Float, nullable=False),
    )
    op.create_index("ix_duplicates_original_id", "duplicates", ["original_id"])
    op.create_table(
        "stories",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("summary", sa.JSON, nullable=False),
        sa.Column("first_seen", sa.DateTime, nullable=False),
        sa.Column("last_seen", sa.DateTime, nullable=False),
        sa.Column("articles", sa.Integer, nullable=False),
        sa.Column("reprints", sa.Integer, nullable=False),
        sa.Column("active", sa.Boolean, nullable=False),
        sa.Column("state", sa.JSON, nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("updated_at", sa.DateTime, nullable=False),
    )
    op.create_index("ix_stories_last_seen", "stories", ["last_seen"])
    op.create_table(
        "story_articles",
        _article("article_id", primary_key=True),
        sa.Column("story_id", sa.Integer, sa.ForeignKey("stories.id", ondelete="CASCADE"), nullable=False),
        sa.Column("similarity", sa.Float, nullable=False),
        sa.Column("assigned_at", sa.DateTime, nullable=False),
    )
    op.create_index("ix_story_articles_story_id", "story_articles", ["story_id"])
    op.create_table(
        "stage_state",
        sa.Column("name", sa.String(50), primary_key=True),
        sa.Column("data", sa.LargeBinary, nullable=False),
        sa.Column("updated_at", sa.DateTime, nullable=False),
    )


def downgrade() -> None:
    for table in ("stage_state", "story_articles", "stories", "duplicates", "signature_bands", "signatures"):
        op.drop_table(table)
