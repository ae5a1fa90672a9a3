"""Earned coverage: the articles each activity may have earned (a matcher's score and reasons, then a
person's decision), and an activity's own text (its press release or statement), whose reuse in the
press is the strongest sign of coverage.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("activities", sa.Column("release", sa.Text))
    op.create_table(
        "activity_coverage",
        sa.Column(
            "activity_id", sa.Integer, sa.ForeignKey("activities.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column(
            "article_id",
            sa.Integer,
            sa.ForeignKey("articles.id", ondelete="CASCADE"),
            nullable=False,
            index=True,
        ),
        sa.Column("score", sa.Float, nullable=False),
        sa.Column("reasons", sa.JSON, nullable=False),
        sa.Column("state", sa.String(10), nullable=False, index=True),
        sa.Column("found_at", sa.DateTime, nullable=False),
        sa.Column("checked_at", sa.DateTime, nullable=False),
        sa.Column("decided_by", sa.String(100)),
        sa.Column("decided_at", sa.DateTime),
        sa.PrimaryKeyConstraint("activity_id", "article_id", name="pk_activity_coverage"),
    )


def downgrade() -> None:
    op.drop_table("activity_coverage")
    with op.batch_alter_table("activities") as batch:
        batch.drop_column("release")
