"""`caunoi check`: a whole store passes every check; a store broken by hand is caught, each problem
named with the rows it touches and what to do, and the command exits 1."""

from __future__ import annotations

import json

from conftest import DEMO
from sqlalchemy import text
from support.cli import caunoi

FILES = sorted((DEMO / "vi-news-unc" / "docs").glob("*.txt"))[:24]


def _without_foreign_keys(service, statement: str) -> None:
    """Run `statement` with the foreign keys (and their cascades) off, as a hand-made change could."""
    with service.engine.connect() as conn:
        if service.engine.dialect.name == "postgresql":
            conn.execute(text("SET session_replication_role = replica"))  # no FK triggers
        else:
            conn.connection.driver_connection.execute("PRAGMA foreign_keys = OFF")  # outside a transaction
        try:
            conn.execute(text(statement))
            conn.commit()
        finally:
            if service.engine.dialect.name == "postgresql":
                conn.execute(text("SET session_replication_role = origin"))
                conn.commit()
            else:
                conn.connection.driver_connection.execute("PRAGMA foreign_keys = ON")


def _check(service) -> tuple[int, dict]:
    proc = caunoi(service.settings, "check", "--json", check=False)
    return proc.returncode, json.loads(proc.stdout)


def test_a_whole_store_passes_every_check(service):
    service.ingest(FILES)
    service.update_stories()
    code, report = _check(service)
    assert (code, report["clean"], report["problems"]) == (0, True, [])
    sqlite = service.engine.dialect.name == "sqlite"
    assert ("fts_index" in report["checks"]) == sqlite
    assert {"story_counts", "unindexed_articles", "tags_without_enrichment"} <= set(report["checks"])
    said = caunoi(service.settings, "check").stdout
    assert "the store is whole" in said


def test_a_store_broken_by_hand_is_caught_with_what_to_do(service):
    service.ingest(FILES)
    service.update_stories()
    with service.engine.connect() as conn:
        story, member = conn.execute(text("SELECT story_id, article_id FROM story_articles LIMIT 1")).one()
        enriched = conn.execute(
            text("SELECT article_id FROM article_tags WHERE article_id <> :m LIMIT 1"), {"m": member}
        ).scalar_one()
        unindexed = conn.execute(
            text("SELECT max(id) FROM articles WHERE id NOT IN (:m, :e)"), {"m": member, "e": enriched}
        ).scalar_one()
    if service.engine.dialect.name == "postgresql":
        unindex = f"UPDATE articles SET search_f = NULL WHERE id = {unindexed}"
    else:  # out of the contentless index as the store takes an article out: with its indexed words
        unindex = f"DELETE FROM article_fts_docsize WHERE id = {unindexed}"
    with service.engine.begin() as conn:
        conn.execute(text(f"UPDATE stories SET articles = articles + 3 WHERE id = {story}"))
        conn.execute(text(f"DELETE FROM enrichments WHERE article_id = {enriched}"))
        conn.execute(text(unindex))
    code, report = _check(service)
    found = {p["check"]: p for p in report["problems"]}
    assert code == 1 and not report["clean"]
    assert found["story_counts"]["examples"] == [story]
    assert found["tags_without_enrichment"]["examples"] == [enriched]
    assert "caunoi enrich --all" in found["tags_without_enrichment"]["fix"]
    assert found["unindexed_articles"]["examples"] == [unindexed]
    assert "caunoi stories --rebuild" in found["story_counts"]["fix"]

    said = caunoi(service.settings, "check", check=False)
    assert said.returncode == 1
    assert "story_counts" in said.stderr and "what to do:" in said.stderr and "caunoi backup" in said.stderr


def test_rows_left_pointing_at_a_deleted_article_are_named(service):
    service.ingest(FILES)
    service.update_stories()
    with service.engine.connect() as conn:
        gone = conn.execute(text("SELECT min(article_id) FROM story_articles")).scalar_one()
    _without_foreign_keys(service, f"DELETE FROM articles WHERE id = {gone}")
    code, report = _check(service)
    found = {p["check"]: p for p in report["problems"]}
    assert code == 1
    assert found["members_without_article"]["examples"] == [gone]
    assert found["enrichments_without_article"]["examples"] == [gone]
    assert found["origins_without_article"]["count"] >= 1
    if service.engine.dialect.name == "sqlite":
        assert found["foreign_keys"]["count"] >= 3  # SQLite's own check says the same
        assert found["index_without_article"]["examples"] == [gone]


def test_a_damaged_full_text_index_fails_its_own_check(tmp_path):
    import contextlib

    from conftest import backend_settings

    from caunoi.service import Service

    with contextlib.ExitStack() as stack:
        service = stack.enter_context(Service(backend_settings("sqlite", tmp_path, stack)))
        service.ingest(FILES[:6])
        with service.engine.begin() as conn:  # a block of the index's b-tree overwritten
            conn.execute(
                text(
                    "UPDATE article_fts_data SET block = x'0000000000'"
                    " WHERE id = (SELECT max(id) FROM article_fts_data)"
                )
            )
        code, report = _check(service)
    assert code == 1
    assert [(p["check"], p["examples"]) for p in report["problems"]] == [
        ("fts_index", ["database disk image is malformed"])
    ]
