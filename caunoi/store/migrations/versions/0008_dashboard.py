"""Two indexes on dates: when articles were enriched, as the dashboard's cache asks for the latest
one on every request (caunoi.reports.figures.fingerprint), which without it reads the whole enrichments
table; and when a login was attempted, as each login deletes the attempts older than 30 days.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-24
"""

from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_enrichments_enriched_at", "enrichments", ["enriched_at"])
    op.create_index("ix_login_attempts_at", "login_attempts", ["at"])


def downgrade() -> None:
    op.drop_index("ix_login_attempts_at", table_name="login_attempts")
    op.drop_index("ix_enrichments_enriched_at", table_name="enrichments")
