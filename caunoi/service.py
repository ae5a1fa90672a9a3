"""The one service layer: every interface (CLI now, API and web later) calls these functions."""

from __future__ import annotations

import dataclasses
import functools
import logging
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from caunoi.config import Settings, load_settings
from caunoi.ingest.files import discover, read_path
from caunoi.models import Doc
from caunoi.pipeline import StageContext, make_executor, run_stages
from caunoi.store.database import create_store_engine, migrate
from caunoi.store.repository import ArticleRepository, SearchHit, SearchRequest, origin_key
from caunoi.text import vietnamese

log = logging.getLogger(__name__)


class Service:
    """The store opened and migrated, and the operations users run on it."""

    def __init__(self, settings: Settings | None = None):
        self.settings = settings or load_settings()
        self.engine = create_store_engine(self.settings.sqlalchemy_url)
        migrate(self.engine)
        self.articles = ArticleRepository(self.engine)

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Service:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- ingest --------------------------------------------------------------------------

    def ingest(
        self,
        paths: Iterable[Path],
        *,
        on_file: Callable[[Path], None] | None = None,
        files: list[Path] | None = None,
    ) -> IngestSummary:
        """Read, process and store every article under `paths`; safe to re-run or resume."""
        files = files if files is not None else list(discover(paths))
        summary = IngestSummary(files=len(files))
        ctx = StageContext(self.settings)
        executor = make_executor(self.settings)
        process = functools.partial(run_stages, ctx=ctx)
        try:
            batches = self._fresh_batches(self._read(files, on_file), summary)
            for processed in executor.map(process, batches):
                for doc in processed:
                    if doc.skipped:
                        summary.skip(doc)
                result = self.articles.write_batch(processed)
                summary.added += result.added
                summary.duplicates += result.duplicates
                summary.unchanged += result.unchanged
        finally:
            executor.close()
        return summary

    def _read(self, files: list[Path], on_file: Callable[[Path], None] | None) -> Iterator[Doc]:
        started = datetime.now()
        for path in files:
            yield from read_path(path, max_file_bytes=self.settings.max_file_bytes, now=started)
            if on_file:
                on_file(path)

    def _fresh_batches(self, docs: Iterator[Doc], summary: IngestSummary) -> Iterator[list[Doc]]:
        """Batches with inputs already stored left out, so a re-run does no work twice."""
        size = self.settings.batch_size
        batch: list[Doc] = []
        for doc in docs:
            batch.append(doc)
            if len(batch) >= size:
                yield self._drop_known(batch, summary)
                batch = []
        if batch:
            yield self._drop_known(batch, summary)

    def _drop_known(self, batch: list[Doc], summary: IngestSummary) -> list[Doc]:
        keys = {id(d): origin_key(d.origin, d.raw_hash) for d in batch if d.raw_hash and not d.skipped}
        known = self.articles.known_origins(list(keys.values()))
        fresh = [d for d in batch if keys.get(id(d)) not in known]
        summary.unchanged += len(batch) - len(fresh)
        return fresh

    # -- reading -------------------------------------------------------------------------

    def search(self, request: SearchRequest) -> list[SearchHit]:
        """Search; the query gets the stored text's normalisation, so "hòa" finds "hoà" even --exact."""
        query = vietnamese.normalize(request.query, self.settings.tone_style)
        return self.articles.search(dataclasses.replace(request, query=query))

    def article(self, article_id: int) -> dict[str, Any] | None:
        return self.articles.get(article_id)

    def stats(self) -> dict[str, Any]:
        return self.articles.stats()


@dataclass
class IngestSummary:
    files: int = 0
    added: int = 0
    duplicates: int = 0
    unchanged: int = 0
    skipped: list[dict[str, str]] = field(default_factory=list)

    def skip(self, doc: Doc) -> None:
        log.info("skipped %s: %s", doc.origin, doc.skip_reason)
        self.skipped.append({"origin": doc.origin, "reason": doc.skip_reason or ""})

    def to_json(self) -> dict[str, Any]:
        return {
            "files": self.files,
            "added": self.added,
            "duplicates": self.duplicates,
            "unchanged": self.unchanged,
            "skipped": self.skipped,
        }
