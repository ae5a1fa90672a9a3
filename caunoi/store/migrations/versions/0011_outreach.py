"""Outreach operations: campaigns (with the units taking part and their objectives), information
packs and who they were sent to, activities (with the products and packs they used) and the files
attached to them. The fact-sheet library becomes the products table: a fact sheet is one kind of
information product, so the table is renamed and gains a product's fields (its unit, campaign,
audience, address and publication date); ids, links to stories and case answers are kept.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def _fk(name: str, target: str, ondelete: str, **kw) -> sa.Column:
    kind = sa.String(40) if target.endswith(".code") else sa.Integer
    return sa.Column(name, kind, sa.ForeignKey(target, ondelete=ondelete), **kw)


def _json(name: str) -> sa.Column:
    return sa.Column(name, sa.JSON, nullable=False)


def _stamps() -> list[sa.Column]:
    return [
        sa.Column("created_by", sa.String(100)),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("updated_at", sa.DateTime, nullable=False),
    ]


def upgrade() -> None:
    op.create_table(
        "campaigns",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("code", sa.String(40), nullable=False, unique=True),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("description", sa.Text),
        sa.Column("starts_on", sa.Date, nullable=False),
        sa.Column("ends_on", sa.Date, nullable=False),
        _json("countries"),
        _json("topics"),
        _json("key_messages"),
        _json("audiences"),
        sa.Column("budget", sa.Float),
        sa.Column("currency", sa.String(3)),
        *_stamps(),
    )
    op.create_table(
        "campaign_units",
        _fk("campaign_id", "campaigns.id", "CASCADE", nullable=False),
        _fk("unit", "units.code", "RESTRICT", nullable=False, index=True),
        sa.PrimaryKeyConstraint("campaign_id", "unit", name="pk_campaign_units"),
    )
    op.create_table(
        "campaign_objectives",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        _fk("campaign_id", "campaigns.id", "CASCADE", nullable=False, index=True),
        sa.Column("indicator", sa.Text, nullable=False),
        sa.Column("target", sa.Float, nullable=False),
        sa.Column("due_on", sa.Date),
    )
    op.create_table(
        "packs",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        _fk("campaign_id", "campaigns.id", "SET NULL", index=True),
        sa.Column("deadline", sa.DateTime),
        *_stamps(),
    )
    op.create_table(
        "pack_recipients",
        _fk("pack_id", "packs.id", "CASCADE", nullable=False),
        _fk("unit", "units.code", "RESTRICT", nullable=False, index=True),
        sa.Column("sent_at", sa.DateTime, nullable=False),
        sa.Column("sent_by", sa.String(100)),
        sa.Column("acknowledged_at", sa.DateTime),
        sa.Column("acknowledged_by", sa.String(100)),
        sa.Column("usage", sa.Text),
        sa.Column("reported_at", sa.DateTime),
        sa.PrimaryKeyConstraint("pack_id", "unit", name="pk_pack_recipients"),
    )

    # the library of fact sheets becomes the products table: same ids, links and answers
    op.rename_table("fact_sheets", "products")
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER INDEX fact_sheets_pkey RENAME TO products_pkey")
        op.execute("ALTER SEQUENCE fact_sheets_id_seq RENAME TO products_id_seq")
    # a plain ALTER TABLE ADD COLUMN with its foreign key on both backends (Alembic would copy the
    # table on SQLite, which the story links and case answers pointing at it make fragile)
    # (no ON DELETE: SQLite's reflection cannot read one written inline, and none is needed: units are
    # retired, never deleted, and a campaign with products is not deleted)
    for column, kind, target in (
        ("unit", "VARCHAR(40)", "units(code)"),
        ("campaign_id", "INTEGER", "campaigns(id)"),
    ):
        op.execute(f"ALTER TABLE products ADD COLUMN {column} {kind} REFERENCES {target}")
    op.add_column("products", sa.Column("audience", sa.Text))
    op.add_column("products", sa.Column("url", sa.Text))
    op.add_column("products", sa.Column("published_on", sa.Date))
    op.create_index("ix_products_unit", "products", ["unit"])
    op.create_index("ix_products_campaign_id", "products", ["campaign_id"])

    op.create_table(
        "activities",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("key", sa.String(100), nullable=False, unique=True),
        sa.Column("type", sa.String(20), nullable=False),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("description", sa.Text),
        sa.Column("starts_at", sa.DateTime, nullable=False, index=True),
        sa.Column("ends_at", sa.DateTime),
        sa.Column("timezone", sa.String(64), nullable=False),
        sa.Column("place", sa.Text),
        sa.Column("country", sa.String(2)),
        _fk("unit", "units.code", "RESTRICT", nullable=False, index=True),
        _fk("campaign_id", "campaigns.id", "SET NULL", index=True),
        sa.Column("audience", sa.Integer),
        _json("partners"),
        _json("officials"),
        sa.Column("cost", sa.Float),
        sa.Column("currency", sa.String(3)),
        sa.Column("notes", sa.Text),
        _json("links"),
        *_stamps(),
    )
    op.create_table(
        "activity_products",
        _fk("activity_id", "activities.id", "CASCADE", nullable=False),
        _fk("product_id", "products.id", "CASCADE", nullable=False, index=True),
        sa.PrimaryKeyConstraint("activity_id", "product_id", name="pk_activity_products"),
    )
    op.create_table(
        "activity_packs",
        _fk("activity_id", "activities.id", "CASCADE", nullable=False),
        _fk("pack_id", "packs.id", "CASCADE", nullable=False, index=True),
        sa.PrimaryKeyConstraint("activity_id", "pack_id", name="pk_activity_packs"),
    )
    op.create_table(
        "outreach_files",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        _fk("pack_id", "packs.id", "CASCADE", index=True),
        _fk("activity_id", "activities.id", "CASCADE", index=True),
        _fk("product_id", "products.id", "CASCADE", index=True),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("media_type", sa.String(100), nullable=False),
        sa.Column("size", sa.Integer, nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("content", sa.LargeBinary, nullable=False),
        sa.Column("created_by", sa.String(100)),
        sa.Column("created_at", sa.DateTime, nullable=False),
    )


def downgrade() -> None:
    for table in ("outreach_files", "activity_packs", "activity_products", "activities"):
        op.drop_table(table)
    with op.batch_alter_table("products") as batch:
        batch.drop_index("ix_products_campaign_id")
        batch.drop_index("ix_products_unit")
        for name in ("published_on", "url", "audience", "campaign_id", "unit"):
            batch.drop_column(name)
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER SEQUENCE products_id_seq RENAME TO fact_sheets_id_seq")
        op.execute("ALTER INDEX products_pkey RENAME TO fact_sheets_pkey")
    op.rename_table("products", "fact_sheets")
    for table in ("pack_recipients", "packs", "campaign_objectives", "campaign_units", "campaigns"):
        op.drop_table(table)
