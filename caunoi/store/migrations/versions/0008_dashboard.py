"""An index on when articles were enriched: the dashboard's cache asks for the latest one on every
request (caunoi.dashboard.fingerprint), which without it reads the whole enrichments table.

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


def downgrade() -> None:
    op.drop_index("ix_enrichments_enriched_at", table_name="enrichments")
