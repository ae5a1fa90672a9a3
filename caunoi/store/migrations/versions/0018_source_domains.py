"""Where a source's articles are recognised: the hosts (and paths) of its URLs (sources.domains), so
an article read from a file or a fetched page gets its outlet's record by its URL: its outlet
(articles.source) is then the registry's name. The articles
stored before are linked to their outlets by `caunoi sources relink` (also run by `caunoi sources import`
and `add`): the registry may not be there yet when the migration runs.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # a plain ADD COLUMN (SQLite too): rebuilding the table would touch the rows pointing at it
    op.add_column("sources", sa.Column("domains", sa.JSON, nullable=False, server_default="[]"))


def downgrade() -> None:
    with op.batch_alter_table("sources") as batch:
        batch.drop_column("domains")
