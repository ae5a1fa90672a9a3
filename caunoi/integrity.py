"""`caunoi check`: is the store whole? The database's own checks and the invariants the writers keep
(caunoi.store.integrity asks them), each finding said in words with what to do about it.

A clean store answers every check with nothing; a kill -9, a power cut or a hand-made change that
broke one is named with the rows it touches (the first ten) and the command or step that mends it.
Nothing here writes: mending is the operator's choice, after a backup."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine

from caunoi.store.integrity import Finding, check_store

BACKUP = "restore the latest backup (`caunoi restore ARCHIVE --force`) and ingest again what came after it"
POINTING_AT_NOTHING = (
    "rows left by an article deleted with foreign keys off (a hand-made change): delete them, or " + BACKUP
)


@dataclass(frozen=True)
class Check:
    what: str  # what the check found, for a count of rows
    fix: str  # what to do about it


CHECKS: dict[str, Check] = {
    "sqlite_integrity": Check(
        "SQLite's integrity_check found the database file damaged",
        "stop caunoi, copy the file aside, " + BACKUP,
    ),
    "foreign_keys": Check(
        "rows point at a row that is not there (SQLite's foreign_key_check)",
        "see the checks below for which; " + POINTING_AT_NOTHING,
    ),
    "fts_index": Check(
        "the full-text index (article_fts) failed its own integrity check: searches may miss articles",
        BACKUP,
    ),
    "indexes_valid": Check(
        "PostgreSQL indexes marked invalid: unused by searches, and a unique one guards nothing",
        "rebuild each with `REINDEX INDEX name` (psql, on the store's schema)",
    ),
    "duplicate_articles": Check(
        "articles stored twice with the same content hash (the unique index is damaged)",
        "keep the lowest id of each content hash and delete the others, then `REINDEX articles`; or "
        + BACKUP,
    ),
    "duplicate_origins": Check(
        "origins recorded twice (the unique index is damaged)",
        "keep the lowest id of each origin_key and delete the others, then `REINDEX origins`",
    ),
    "articles_without_origin": Check(
        "articles with no record of where they came from",
        "ingest their files or pages again: the same text read again records its origin",
    ),
    "origins_without_article": Check("origins of an article that is not there", POINTING_AT_NOTHING),
    "enrichments_without_article": Check("enrichments of an article that is not there", POINTING_AT_NOTHING),
    "tags_without_enrichment": Check(
        "articles with tags but no enrichment row (tags are written with it)",
        "run `caunoi enrich --all`: it writes each article's enrichment and tags again",
    ),
    "members_without_article": Check("story members that are not an article", POINTING_AT_NOTHING),
    "members_without_story": Check(
        "articles in a story that is not there", "run `caunoi stories --rebuild`: it clusters the store again"
    ),
    "story_counts": Check(
        "stories whose article and reprint counts are not their members'",
        "run `caunoi stories --rebuild`: it clusters the store again and counts anew",
    ),
    "untitled_stories": Check(
        "stories without a title and summary (half made)",
        "run `caunoi stories --update`: it titles and summarises them",
    ),
    "duplicates_without_article": Check("reprint links to an article that is not there", POINTING_AT_NOTHING),
    "bands_without_signature": Check(
        "LSH band rows of an article with no signature",
        "delete them (`DELETE FROM signature_bands WHERE article_id NOT IN (SELECT article_id FROM "
        "signatures)`), then `caunoi stories --update` signs those articles again",
    ),
    "pages_without_article": Check(
        "fetched pages pointing at an article that is not there", POINTING_AT_NOTHING
    ),
    "unindexed_articles": Check(
        "articles missing from the full-text index: searches cannot find them", BACKUP
    ),
    "index_without_article": Check(
        "full-text index entries of an article that is not there: searches may return a missing id",
        BACKUP,
    ),
}


@dataclass(frozen=True)
class Problem:
    check: str
    count: int
    what: str
    fix: str
    examples: list[Any] = field(default_factory=list)


@dataclass(frozen=True)
class IntegrityReport:
    """What `caunoi check` found: the checks run, in order, and the problems (none: the store is whole)."""

    backend: str
    checks: list[str]
    problems: list[Problem]

    @property
    def clean(self) -> bool:
        return not self.problems

    def to_json(self) -> dict[str, Any]:
        return {
            "backend": self.backend,
            "clean": self.clean,
            "checks": self.checks,
            "problems": [
                {"check": p.check, "count": p.count, "what": p.what, "fix": p.fix, "examples": p.examples}
                for p in self.problems
            ],
        }


def check(engine: Engine, on_check: Callable[[str], None] | None = None) -> IntegrityReport:
    """Every check of the store at `engine` (caunoi.store.integrity), its findings in words."""
    findings = check_store(engine, on_check)
    return IntegrityReport(
        backend=engine.dialect.name,
        checks=[f.check for f in findings],
        problems=[_problem(f) for f in findings if f.count],
    )


def _problem(finding: Finding) -> Problem:
    said = CHECKS[finding.check]
    return Problem(finding.check, finding.count, said.what, said.fix, finding.examples)
