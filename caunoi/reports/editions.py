"""Brief editions: the brief of a period as an analyst makes it before it goes out. The stories the
brief proposes (caunoi.reports.brief's ranking: the PROPOSED heaviest, the TOP_STORIES first ticked)
are ticked in or out, put in order and commented, under an opening note; the edition is saved,
previewed, written as HTML and mailed to the alerts' e-mail channels (caunoi.reports.mailing). An
edition keeps its period: opened again it shows its own stories in its order, then any story of the
period proposed since (late articles), unticked. Every change is in the audit log as entity
"brief_edition" — the note, the stories kept in their order, each comment, before and after — and
each send as its "send"."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Engine

from caunoi import errors
from caunoi.config import Settings
from caunoi.errors import check_actor, check_choice
from caunoi.reports import brief as briefs
from caunoi.reports.mailing import BriefError, Mail, Sent, send_to_channels
from caunoi.store.alerts import AlertRepository
from caunoi.store.audit import Changes
from caunoi.store.briefs import BriefRepository

PROPOSED = 40  # stories proposed for an edition; the first briefs.TOP_STORIES ticked
MAX_ITEMS = 200
MAX_NOTE = 5000
MAX_COMMENT = 2000
LANGS = ("vi", "en")


class EditionNotFound(BriefError, errors.NotFound):
    """No edition with that id."""

    kind = errors.NotFound.kind


@dataclass(frozen=True)
class EditionItem:
    """A story proposed for an edition: kept in or left out, with the analyst's comment."""

    story_id: int
    included: bool = True
    comment: str = ""


@dataclass(frozen=True)
class Edition:
    """A brief as an analyst made it; `id` None for a draft not saved yet."""

    start: datetime
    end: datetime
    lang: str
    note: str = ""
    items: tuple[EditionItem, ...] = ()
    id: int | None = None
    created_by: str | None = None
    created_at: datetime | None = None
    updated_by: str | None = None
    updated_at: datetime | None = None
    sent_at: datetime | None = None
    history: list[dict[str, Any]] = field(default_factory=list, compare=False)

    @property
    def chosen(self) -> list[int]:
        """The stories it keeps, in its order."""
        return [i.story_id for i in self.items if i.included]

    @property
    def comments(self) -> dict[int, str]:
        return {i.story_id: i.comment for i in self.items if i.comment}

    @classmethod
    def of(cls, row: Mapping[str, Any], history: list[dict[str, Any]] | None = None) -> Edition:
        items = tuple(
            EditionItem(int(i["story_id"]), bool(i.get("included", True)), i.get("comment") or "")
            for i in row["items"]
        )
        keys = ("id", "start", "end", "lang", "note", "created_by", "created_at", "updated_by")
        return cls(
            **{k: row[k] for k in keys},
            items=items,
            updated_at=row["updated_at"],
            sent_at=row["sent_at"],
            history=history or [],
        )


def move(items: Sequence[EditionItem], story_id: int, step: int) -> list[EditionItem]:
    """`items` with that story moved `step` places (-1 up, +1 down), kept within the list."""
    found = [i for i, item in enumerate(items) if item.story_id == story_id]
    moved = list(items)
    if found:
        at = found[0]
        to = min(max(at + step, 0), len(moved) - 1)
        moved.insert(to, moved.pop(at))
    return moved


class BriefEditions:
    """The editions of one store: drafted from the brief's proposals, saved, read, sent."""

    def __init__(self, engine: Engine, settings: Settings):
        self.engine = engine
        self.settings = settings
        self.repo = BriefRepository(engine)

    def _proposed(self, start: datetime, end: datetime) -> list[int]:
        _, ranked = briefs.ranked_stories(self.engine, start, end, self.settings.subject_country)
        return [s.story_id for s in ranked[:PROPOSED]]

    def draft(self, start: datetime, end: datetime, lang: str = "vi") -> Edition:
        """A new edition of [start, end), not saved: the proposed stories, the first ones ticked."""
        check_choice(lang, LANGS, "language", BriefError)
        _period(start, end)
        proposed = self._proposed(start, end)
        items = tuple(EditionItem(s, i < briefs.TOP_STORIES) for i, s in enumerate(proposed))
        return Edition(start, end, lang, items=items)

    def editor(self, edition: Edition) -> tuple[list[EditionItem], dict[int, dict[str, Any]]]:
        """What the edition's page lists: its items in its order, then the stories of its period
        proposed since it was saved (unticked); and each story as the brief shows it (the stories
        without an article in the period any more are left out)."""
        known = {i.story_id for i in edition.items}
        items = [*edition.items, *(EditionItem(s, False) for s in self._proposed(edition.start, edition.end)
                                   if s not in known)]  # fmt: skip
        shown = briefs.build(
            self.engine, edition.start, edition.end, edition.lang, subject=self.settings.subject_country,
            chosen=[i.story_id for i in items], comments=edition.comments, timezone=self.settings.timezone,
        )  # fmt: skip
        stories = {s["id"]: s for group in shown["groups"] for s in group["stories"]}
        return [i for i in items if i.story_id in stories], stories

    def brief(self, edition: Edition) -> dict[str, Any]:
        """The brief the edition makes: its kept stories in its order, with comments and note."""
        made = briefs.build(
            self.engine, edition.start, edition.end, edition.lang, subject=self.settings.subject_country,
            chosen=edition.chosen, comments=edition.comments, note=edition.note,
            timezone=self.settings.timezone,
        )  # fmt: skip
        return made | {"edition": edition.id}

    # -- saving ------------------------------------------------------------------------------------

    def create(
        self,
        start: datetime,
        end: datetime,
        lang: str,
        note: str,
        items: Iterable[EditionItem],
        by: str,
    ) -> Edition:
        """Save a new edition of [start, end) made by `by`."""
        by = check_actor(by, BriefError)
        check_choice(lang, LANGS, "language", BriefError)
        _period(start, end)
        note, checked = _checked(note, items)
        draft = Edition(start, end, lang, note, checked)
        changes = {"period": [None, f"{start:%Y-%m-%d %H:%M} – {end:%Y-%m-%d %H:%M}"], "lang": [None, lang]}
        changes |= _changes(Edition(start, end, lang), draft)
        edition_id = self.repo.insert_edition(
            {"start": start, "end": end, "lang": lang, "note": note, "items": _stored(checked)}, by, changes
        )
        return self.get(edition_id)

    def save(self, edition_id: int, note: str, items: Iterable[EditionItem], by: str) -> Edition:
        """Save an edition as edited by `by`: its note and its stories (order, ticks, comments)."""
        by = check_actor(by, BriefError)
        before = self.get(edition_id)
        note, checked = _checked(note, items)
        changes = _changes(before, Edition(before.start, before.end, before.lang, note, checked))
        self.repo.update_edition(edition_id, {"note": note, "items": _stored(checked)}, by, changes)
        return self.get(edition_id)

    def get(self, edition_id: int) -> Edition:
        row = self.repo.find_edition(edition_id)
        if row is None:
            raise EditionNotFound("brief_edition_not_found", "no brief edition with id {id}", id=edition_id)
        return Edition.of(row, self.repo.edition_history(edition_id))

    def list(self, limit: int = 20) -> list[Edition]:
        """The latest editions first."""
        return [Edition.of(row) for row in self.repo.list_editions(limit)]

    def sends(self, edition_id: int | None = None, limit: int = 50) -> list[dict[str, Any]]:
        """The briefs sent, latest first: an edition's, or every one (scheduled ones too)."""
        return self.repo.sends(edition_id=edition_id, limit=limit)  # none: every send, scheduled ones too

    def send(self, edition_id: int, channels: Sequence[str], by: str) -> list[Sent]:
        """Mail the edition's brief to these e-mail channels, each send recorded and audited."""
        from caunoi.reports.html import brief_mail

        edition = self.get(edition_id)
        return self.mail(
            lambda: brief_mail(self.brief(edition), edition.lang), channels, by, edition_id=edition_id
        )

    def mail(
        self,
        made: Mail | Callable[[], Mail],
        channels: Sequence[str],
        by: str,
        *,
        edition_id: int | None = None,
    ) -> list[Sent]:
        """Mail a brief (subject, html, text, or what makes them) to these e-mail channels, each send
        recorded: an edition's when `edition_id` says so."""
        by = check_actor(by, BriefError)
        return send_to_channels(
            self.repo, AlertRepository(self.engine), self.settings, channels, made,
            kind="edition" if edition_id is not None else "brief", by=by, edition_id=edition_id,
        )  # fmt: skip


def _period(start: datetime, end: datetime) -> None:
    if not start < end:
        raise BriefError(
            "brief_bad_period",
            "the brief's period ends ({end}) before it starts ({start}): give an earlier start",
            start=f"{start:%Y-%m-%d %H:%M}",
            end=f"{end:%Y-%m-%d %H:%M}",
        )


def _checked(note: str, items: Iterable[EditionItem]) -> tuple[str, tuple[EditionItem, ...]]:
    """The note and items as kept: trimmed, each story once (its first place), within the limits."""
    note = (note or "").strip()
    if len(note) > MAX_NOTE:
        raise BriefError("brief_note_too_long", "the opening note is longer than {n} characters", n=MAX_NOTE)
    kept: dict[int, EditionItem] = {}
    for item in items:
        comment = (item.comment or "").strip()
        if len(comment) > MAX_COMMENT:
            raise BriefError(
                "brief_comment_too_long",
                "the comment on story {story} is longer than {n} characters",
                story=item.story_id,
                n=MAX_COMMENT,
            )
        kept.setdefault(item.story_id, EditionItem(item.story_id, item.included, comment))
    if len(kept) > MAX_ITEMS:
        raise BriefError("brief_too_many", "an edition lists at most {n} stories", n=MAX_ITEMS)
    return note, tuple(kept.values())


def _stored(items: Iterable[EditionItem]) -> list[dict[str, Any]]:
    return [{"story_id": i.story_id, "included": i.included, "comment": i.comment} for i in items]


def _changes(before: Edition, after: Edition) -> Changes:
    """What the audit log says changed: the note, the stories kept (in order), each comment."""
    changes: Changes = {}
    if before.note != after.note:
        changes["note"] = [before.note or None, after.note or None]
    if before.chosen != after.chosen:
        changes["stories"] = [before.chosen, after.chosen]
    old, new = before.comments, after.comments
    for story_id in dict.fromkeys([*old, *new]):
        if old.get(story_id) != new.get(story_id):
            changes[f"comment {story_id}"] = [old.get(story_id), new.get(story_id)]
    return changes
