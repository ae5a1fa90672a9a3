"""The tables: one row per distinct article, one per place it came from."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
)

metadata = MetaData()

articles = Table(
    "articles",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    # sha256 of the normalised body: exact duplicates share it and are stored once
    Column("content_hash", String(64), nullable=False, unique=True),
    Column("title", Text, nullable=False, default=""),
    Column("text", Text, nullable=False, default=""),
    Column("url", Text),
    Column("source", String(200), index=True),
    Column("category", String(100), index=True),
    Column("lang", String(8), index=True),
    Column("lang_confidence", Float),
    Column("published", DateTime, index=True),
    Column("published_from", String(16)),
    Column("event_date", Date),
    Column("author", Text),
    Column("attribution", Text),
    Column("encoding", String(40)),
    Column("dates", JSON, nullable=False, default=list),
    Column("meta", JSON, nullable=False, default=dict),
    Column("origin", Text, nullable=False),  # the first place it was seen
    Column("created_at", DateTime, nullable=False),
)

origins = Table(
    "origins",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("article_id", Integer, ForeignKey("articles.id", ondelete="CASCADE"), nullable=False, index=True),
    # sha256 of origin + raw hash: the same input read again is recognised before any work
    Column("origin_key", String(64), nullable=False, unique=True),
    Column("origin", Text, nullable=False),
    Column("format", String(16), nullable=False),
    Column("url", Text),
    Column("raw_hash", String(64), nullable=False),
    Column("ingested_at", DateTime, nullable=False),
)

Index("ix_articles_published_id", articles.c.published, articles.c.id)
