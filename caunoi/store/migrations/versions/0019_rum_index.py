"""PostgreSQL: the RUM index on the articles' folded text (search_f), which returns a query's
matches in rank order, so a search reads the best few hundred instead of ranking every match
(caunoi.store.rum). Made when the server has the rum extension (package postgresql-15-rum,
`make pg-rum`); without it this does nothing but say so in one log line, and search works as
before. A store migrated before the package was installed gets it with `caunoi stats --index-rum`.

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-07
"""

from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    from caunoi.store.rum import create_index

    create_index(op.get_bind())


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        from caunoi.store.rum import INDEX

        op.execute(f"DROP INDEX IF EXISTS {INDEX}")  # the extension stays: other stores may use it
