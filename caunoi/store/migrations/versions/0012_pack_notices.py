"""Pack notices in the inbox: an alert may be raised by no rule, when it tells a unit that an
information pack was sent to it (its pack and unit set, one per pack and unit). Mail to the unit
goes through the deliveries, as alert mail does.

On SQLite this rebuilds the alerts table (a column cannot lose NOT NULL in place); the store
migrates with foreign keys off, so the deliveries, alert keys and cases pointing at alerts stay.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("alerts") as batch:
        batch.alter_column("rule_id", existing_type=sa.Integer, nullable=True)
        batch.add_column(sa.Column("pack_id", sa.Integer))
        batch.add_column(sa.Column("unit", sa.String(40)))
        batch.create_foreign_key("fk_alerts_pack_id", "packs", ["pack_id"], ["id"], ondelete="CASCADE")
        batch.create_foreign_key("fk_alerts_unit", "units", ["unit"], ["code"], ondelete="RESTRICT")
        batch.create_unique_constraint("uq_alerts_pack_unit", ["pack_id", "unit"])


def downgrade() -> None:
    op.execute("DELETE FROM alerts WHERE rule_id IS NULL")  # notices have no rule to belong to
    with op.batch_alter_table("alerts") as batch:
        batch.drop_constraint("uq_alerts_pack_unit", type_="unique")
        batch.drop_constraint("fk_alerts_unit", type_="foreignkey")
        batch.drop_constraint("fk_alerts_pack_id", type_="foreignkey")
        batch.drop_column("unit")
        batch.drop_column("pack_id")
        batch.alter_column("rule_id", existing_type=sa.Integer, nullable=False)
