"""Enrichment of stored articles: what caunoi finds in them beyond the text (see caunoi.enrich.stage)."""
