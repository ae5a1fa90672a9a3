"""The library of fact sheets and official positions (lập trường chính thức) that answers draw on:
add, edit, read, list, search (every word, with or without diacritics) and link a fact sheet to the
stories it answers, every change audited. Interfaces call `FactSheetService`; the SQL lives in
`caunoi.store.factsheets`.

The library is shared: it knows nothing of cases or missions (a case's answer links its fact sheet
to the story through the case store, in the answer's own transaction). Who may write it is
`caunoi.users`' call."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Engine

from caunoi import errors
from caunoi.errors import Invalid, check_actor, check_choice
from caunoi.store.factsheets import LIBRARY_KINDS, FactSheetRepository
from caunoi.text.fold import index_form

FACT_SHEET_KINDS = LIBRARY_KINDS  # the products that make the library
EXCERPT = 200  # characters of the body a list shows, cut at a word
_LANG = re.compile(r"^[a-z]{2,3}(-[a-z0-9]{2,8})?$")


class FactSheetError(Invalid):
    """A request the library refuses; the message says why and what to do instead."""


class NotFound(FactSheetError, errors.NotFound):
    """No fact sheet, or no story, with that id."""

    kind = errors.NotFound.kind


@dataclass(frozen=True)
class FactSheet:
    """One fact sheet or official position, with the stories it answers (id and title, by id) and
    its history (the audit trail, oldest first)."""

    id: int
    title: str
    kind: str  # fact_sheet | position
    lang: str
    body: str
    tags: list[str]
    created_by: str | None
    created_at: datetime
    updated_at: datetime
    stories: list[dict[str, Any]]
    history: list[dict[str, Any]]


@dataclass(frozen=True)
class ListedFactSheet:
    """A fact sheet as lists show it: its body cut to an excerpt."""

    id: int
    title: str
    kind: str
    lang: str
    tags: list[str]
    created_by: str | None
    created_at: datetime
    updated_at: datetime
    excerpt: str


def _folded(title: str, body: str, tags: list[str]) -> str:
    """What fact sheet search matches: title, tags and body, folded ("Biển Đông" -> "bien dong")."""
    return index_form("\n".join([title, " ".join(tags), body]))


def _listed(row: dict[str, Any]) -> ListedFactSheet:
    body = row["body"]
    excerpt = body if len(body) <= EXCERPT else body[:EXCERPT].rsplit(" ", 1)[0] + "…"
    return ListedFactSheet(**{k: v for k, v in row.items() if k not in ("folded", "body")}, excerpt=excerpt)


class FactSheetService:
    """The library's rules; every changing call takes `by`, the person who makes the change."""

    def __init__(self, engine: Engine):
        self.repo = FactSheetRepository(engine)

    def add(
        self,
        title: str,
        body: str,
        *,
        by: str,
        kind: str = "fact_sheet",
        lang: str = "vi",
        tags: Iterable[str] = (),
    ) -> FactSheet:
        """A fact sheet or an official position for the library."""
        by = check_actor(by, FactSheetError)
        values = self._values(title=title, body=body, kind=kind, lang=lang, tags=tags)
        return self.get(self.repo.add(values, by))

    def edit(
        self,
        fact_sheet_id: int,
        *,
        by: str,
        title: str | None = None,
        body: str | None = None,
        kind: str | None = None,
        lang: str | None = None,
        tags: Iterable[str] | None = None,
    ) -> FactSheet:
        """Change the fields given; the audit log keeps what they were."""
        by = check_actor(by, FactSheetError)
        sheet = self._row(fact_sheet_id)
        values = self._values(
            title=sheet["title"] if title is None else title,
            body=sheet["body"] if body is None else body,
            kind=sheet["kind"] if kind is None else kind,
            lang=sheet["lang"] if lang is None else lang,
            tags=sheet["tags"] if tags is None else tags,
        )
        if self.repo.update(fact_sheet_id, values, by) is None:
            raise NotFound("fact_sheet_deleted", "fact sheet {id} was deleted meanwhile", id=fact_sheet_id)
        return self.get(fact_sheet_id)

    @staticmethod
    def _values(*, title: str, body: str, kind: str, lang: str, tags: Iterable[str]) -> dict[str, Any]:
        """The columns of a fact sheet, checked and tidied, with the folded text search matches."""
        title, body = title.strip(), body.strip()
        if not title:
            raise FactSheetError("fact_sheet_no_title", "a fact sheet needs a title")
        if not body:
            raise FactSheetError("fact_sheet_no_body", "a fact sheet needs a body: its text")
        check_choice(kind, FACT_SHEET_KINDS, "fact sheet kind", FactSheetError)
        lang = lang.strip().lower()
        if not _LANG.match(lang) or len(lang) > 8:  # the column holds 8 characters
            raise FactSheetError(
                "bad_language", "language {value!r}: give a code like vi, en or zh-hans", value=lang
            )
        tags = list(dict.fromkeys(t.strip() for t in tags if t.strip()))
        return {
            "title": title,
            "kind": kind,
            "lang": lang,
            "body": body,
            "tags": tags,
            "folded": _folded(title, body, tags),
        }

    def get(self, fact_sheet_id: int) -> FactSheet:
        """One fact sheet with the stories it answers and its history."""
        row = self._row(fact_sheet_id)
        del row["folded"]
        return FactSheet(
            **row, stories=self.repo.stories_of(fact_sheet_id), history=self.repo.history(fact_sheet_id)
        )

    def _row(self, fact_sheet_id: int) -> dict[str, Any]:
        row = self.repo.find(fact_sheet_id)
        if row is None:
            raise NotFound("fact_sheet_not_found", "no fact sheet with id {id}", id=fact_sheet_id)
        return row

    def _story(self, story_id: int) -> None:
        if not self.repo.has_story(story_id):
            raise NotFound("story_not_found", "no story with id {id}", id=story_id)

    def search(
        self, query: str, kind: str | None = None, lang: str | None = None, limit: int = 20
    ) -> list[ListedFactSheet]:
        """Fact sheets holding every word of `query`, with or without diacritics ("bien dong" finds
        "Biển Đông"); those with every word in the title first."""
        tokens = index_form(query).split()
        if not tokens:
            raise FactSheetError("no_words", "give words to search for")
        rows = self.repo.list(kind=kind, lang=lang, tokens=tokens)
        in_title = [all(t in index_form(r["title"]) for t in tokens) for r in rows]
        ranked = [r for r, hit in zip(rows, in_title, strict=True) if hit]
        ranked += [r for r, hit in zip(rows, in_title, strict=True) if not hit]
        return [_listed(r) for r in ranked[:limit]]

    def link(self, fact_sheet_id: int, story_id: int, *, by: str) -> bool:
        """Link a fact sheet to a story it answers; False if it was linked already."""
        by = check_actor(by, FactSheetError)
        self._row(fact_sheet_id)
        self._story(story_id)
        return self.repo.link(fact_sheet_id, story_id, by)

    # -- last: the name `list` shadows the builtin in this class body ----------------------------

    def list(
        self,
        kind: str | None = None,
        lang: str | None = None,
        story_id: int | None = None,
        limit: int | None = None,
    ) -> list[ListedFactSheet]:
        """The library, latest change first; with `story_id`, the fact sheets linked to that story."""
        if story_id is not None:
            self._story(story_id)
        return [_listed(r) for r in self.repo.list(kind=kind, lang=lang, story_id=story_id, limit=limit)]
