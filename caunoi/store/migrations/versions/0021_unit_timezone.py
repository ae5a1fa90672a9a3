"""A unit's time zone (an IANA name, e.g. Europe/Paris): its officers see deadlines, alerts and the
audit log in it, and times they type are read in it (caunoi.timezones). Empty: its seat's zone when
that country has one, else the organisation's (the setting `timezone`). No stored time changes.

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("units") as batch:
        batch.add_column(sa.Column("timezone", sa.String(64)))


def downgrade() -> None:
    with op.batch_alter_table("units") as batch:
        batch.drop_column("timezone")
