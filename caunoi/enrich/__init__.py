"""Enrichment: what stored articles are about — entities, document references, topics, tone."""
