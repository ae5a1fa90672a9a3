"""Watching the web: sources, polite fetching, feeds and sitemaps, the scheduler."""
