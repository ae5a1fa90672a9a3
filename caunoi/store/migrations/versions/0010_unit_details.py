"""Units and missions as data: a name in English, the type of body (embassy, consulate general,
permanent mission, press agency …), the countries a mission covers (an embassy is often accredited
to several), its city, the host media's languages, a website, and retirement instead of deletion
(cases and users keep pointing at a retired unit).

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("units") as batch:
        batch.add_column(sa.Column("name_en", sa.Text))
        batch.add_column(sa.Column("type", sa.String(30)))
        batch.add_column(sa.Column("countries", sa.JSON))
        batch.add_column(sa.Column("city", sa.Text))
        batch.add_column(sa.Column("languages", sa.JSON))
        batch.add_column(sa.Column("website", sa.Text))
        batch.add_column(sa.Column("updated_at", sa.DateTime))
        batch.add_column(sa.Column("retired_at", sa.DateTime))


def downgrade() -> None:
    with op.batch_alter_table("units") as batch:
        added = ("retired_at", "updated_at", "website", "languages", "city", "countries", "type", "name_en")
        for name in added:
            batch.drop_column(name)
