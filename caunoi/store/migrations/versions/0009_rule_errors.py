"""An alert rule's health: the error that kept it from running last time (a query kept by older code
that does not parse, a saved search gone), and when — so one broken rule is shown, and the others run.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("alert_rules") as batch:
        batch.add_column(sa.Column("last_error", sa.Text))
        batch.add_column(sa.Column("last_error_at", sa.DateTime))


def downgrade() -> None:
    with op.batch_alter_table("alert_rules") as batch:
        batch.drop_column("last_error_at")
        batch.drop_column("last_error")
