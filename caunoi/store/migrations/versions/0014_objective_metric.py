"""Evaluation: a campaign objective may name the figure it is measured by (a metric of
caunoi.outreach.campaigns.METRICS, e.g. earned_articles), so evaluation can say how far it got.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("campaign_objectives", sa.Column("metric", sa.String(40)))


def downgrade() -> None:
    with op.batch_alter_table("campaign_objectives") as batch:
        batch.drop_column("metric")
