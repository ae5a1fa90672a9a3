"""Drafts of review reports (báo cáo sơ kết / tổng kết): the report of the whole system, a unit or a
mission over a period, saved while people write the sections the figures cannot (limitations,
causes, directions, recommendations), rendered with the figures of the moment
(caunoi.reports.review.build_review) whenever it is asked for, and marked final when it is ready.

Every change is audited section by section (caunoi.store.reports), so a draft's history says who
changed which section when, and what the words were before. A final draft is not changed: reopen it
first. Saving what was read long ago is refused (`expected`: the draft's updated_at as the editor
read it) rather than overwriting what someone saved in between.

Pulling: the whole system's draft takes a unit's or mission's draft of the same period. In each
section the mission's text is appended as a block that starts with a line naming it — "Đại sứ quán
Việt Nam tại Pháp (DSQ-FR):" — and runs to the next pulled block's line or the section's end; the
pulled draft's id is remembered. Pulling that mission again (the same draft, or another of its
drafts) replaces its block where it stands, so nothing is pulled twice; text written under the last
block belongs to that block when it is pulled again, so write your own above the missions' blocks.

Who may do what (the permission table of caunoi.users, as outreach reads it): analysts and
administrators any draft; a mission officer their own mission's drafts (make, edit, finalise), never
the whole system's, and no pull; viewers read every draft."""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from typing import Any

from caunoi import errors
from caunoi.errors import Invalid, check_actor, check_choice
from caunoi.models import row_id_of
from caunoi.outreach.evaluation import half_year
from caunoi.reports.document import STYLES, Document
from caunoi.reports.review import LANGS, NARRATIVE, Store, build_review, period
from caunoi.store.reports import SECTIONS, DraftRepository
from caunoi.users import can, permission

assert SECTIONS == NARRATIVE  # the store's JSON keys are the review's narrative sections
STATES = ("draft", "final")
READ, WRITE = "outreach.read", "outreach.write"  # a report is the outreach of its unit
MAX_SECTION = 200_000  # characters in one section, pulled blocks included (about 80 pages)
MAX_SUBJECT = 500
EDITABLE = ("starts_on", "ends_on", "style", "lang", "number", "subject", *NARRATIVE)


class DraftError(Invalid):
    """A draft refused as asked; the message says what to do instead."""


class DraftNotFound(DraftError, errors.NotFound):
    kind = errors.NotFound.kind


class DraftConflictError(DraftError, errors.Conflict):
    """The draft's state forbids the change, or someone saved it since it was read."""

    kind = errors.Conflict.kind


@dataclass(frozen=True)
class Draft:
    """A review report being written. `unit` None: the whole system's; `narrative`: section -> text
    (the four of NARRATIVE, empty when not written); `pulled`: the ids of the drafts pulled in."""

    id: int
    unit: str | None
    starts_on: date
    ends_on: date  # the last day, included
    style: str
    lang: str
    number: str | None
    subject: str | None
    narrative: dict[str, str]
    pulled: list[int]
    state: str
    created_by: str | None
    created_at: datetime
    updated_by: str | None
    updated_at: datetime
    history: list[dict[str, Any]] = field(default_factory=list)

    @classmethod
    def from_row(cls, row: Mapping[str, Any], history: list[dict[str, Any]] | None = None) -> Draft:
        stored = row["narrative"] or {}
        narrative = {key: stored.get(key) or "" for key in NARRATIVE}
        return cls(**{**row, "narrative": narrative, "pulled": list(row["pulled"] or [])},
                   history=history or [])  # fmt: skip


# -- who may do what ---------------------------------------------------------------------------------


def reads(user: Mapping[str, Any], draft: Draft) -> bool:
    """Whoever reads outreach reads the whole system's drafts and every unit's; a mission officer
    their mission's only."""
    return can(dict(user), READ, draft)


def writes(user: Mapping[str, Any], draft: Draft | None = None, unit: str | None = None) -> bool:
    """Whether `user` may make (a draft of `unit`) or change `draft`: analysts and administrators
    any, a mission officer their mission's."""
    return can(dict(user), WRITE, draft if draft is not None else {"unit": unit})


def pulls(user: Mapping[str, Any]) -> bool:
    """Pulling a mission's draft into the whole system's is headquarters' work."""
    return permission(dict(user), WRITE) == "all"


def own_unit(user: Mapping[str, Any]) -> str | None:
    """The one unit whose drafts `user` reads (a mission officer's mission), None for every unit."""
    return user.get("mission") if permission(dict(user), READ) == "own" else None


# -- text ---------------------------------------------------------------------------------------------


def section_text(value: str | None) -> str:
    """A section as stored: NFC, lines without trailing blanks, at most one empty line in a row (a
    blank line separates the report's paragraphs), no blank start or end."""
    text = unicodedata.normalize("NFC", (value or "").replace("\r\n", "\n").replace("\r", "\n"))
    text = "\n".join(line.rstrip() for line in text.split("\n"))
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def changed_words(before: str | None, after: str | None, most: int = 3, width: int = 80) -> list[str]:
    """A section's change in words, for a history: up to `most` pieces such as "+ «new words»",
    "− «old words»" or "«old» → «new»", each cut to `width` characters."""

    def cut(words: list[str]) -> str:
        text = " ".join(words)
        return "«" + (text if len(text) <= width else text[: width - 1] + "…") + "»"

    old, new = (before or "").split(), (after or "").split()
    pieces = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, old, new, autojunk=False).get_opcodes():
        if op == "insert":
            pieces.append("+ " + cut(new[j1:j2]))
        elif op == "delete":
            pieces.append("− " + cut(old[i1:i2]))
        elif op == "replace":
            pieces.append(f"{cut(old[i1:i2])} → {cut(new[j1:j2])}")
    return pieces[:most] + (["…"] if len(pieces) > most else [])


_MARK = re.compile(r"^.+ \(([\w.-]{1,40})\):$")


def block_mark(name: str, code: str) -> str:
    """The line a pulled block starts with: "Đại sứ quán Việt Nam tại Pháp (DSQ-FR):"."""
    return f"{' '.join(name.split())} ({code}):"


def merge_block(text: str, code: str, block: str | None, codes: set[str]) -> str:
    """`text` with the pulled block of unit `code` replaced by `block` (None or empty: removed) where
    it stands, or appended when there was none. A block runs from its mark to the next mark of a unit
    in `codes` (the units pulled in) or to the end."""
    lines = text.split("\n") if text else []

    def mark_of(line: str) -> str | None:
        found = _MARK.match(line.strip())
        return found.group(1) if found and found.group(1) in codes else None

    start = next((i for i, line in enumerate(lines) if mark_of(line) == code), None)
    if start is None:
        head, tail = lines, []
    else:
        end = next((i for i in range(start + 1, len(lines)) if mark_of(lines[i]) is not None), len(lines))
        head, tail = lines[:start], lines[end:]
    parts = ["\n".join(head).strip(), (block or "").strip(), "\n".join(tail).strip()]
    return "\n\n".join(p for p in parts if p)


# -- the drafts --------------------------------------------------------------------------------------


class Drafts:
    """The rules about review report drafts over one store (what build_review reads); every change
    takes `by`, who makes it (audited)."""

    def __init__(self, store: Store):
        self.store = store
        self.repo = DraftRepository(store.engine)

    @property
    def units(self):
        return self.store.outreach.units

    def today(self) -> date:
        """Today in the organisation's time zone (as the evaluation reads it)."""
        return self.store.outreach.evaluation.today()

    def default_period(self) -> tuple[date, date]:
        """The current half-year: 1 January – 30 June or 1 July – 31 December, both included."""
        first, after = half_year(self.today())
        return first, after - timedelta(days=1)

    def create(
        self,
        *,
        by: str,
        starts_on: date | str | None = None,
        ends_on: date | str | None = None,
        unit: str | None = None,
        style: str = "state",
        lang: str = "vi",
        **details: Any,
    ) -> Draft:
        """A new draft of `unit` (None: the whole system) over the period (default: the current
        half-year); `details`: number, subject and the sections of NARRATIVE."""
        by = check_actor(by, DraftError)
        if starts_on in (None, "") and ends_on in (None, ""):
            starts_on, ends_on = self.default_period()
        code = self.units.get(unit).code if unit else None
        given = {"starts_on": starts_on, "ends_on": ends_on, "style": style, "lang": lang, **details}
        values = self._values(given, dict.fromkeys(NARRATIVE, ""))
        new_id = self.repo.add({"unit": code, "pulled": [], "state": "draft", **values}, by)
        return self.get(new_id)

    def edit(self, draft_id: int, *, by: str, expected: datetime | None = None, **changes: Any) -> Draft:
        """Change the fields given (those of EDITABLE: the period, style, language, number, subject and
        the sections; a section given replaces its text, those not given keep theirs). Refused on a
        final draft, and when `expected` (its updated_at as read) is not its updated_at any more."""
        by = check_actor(by, DraftError)
        if unknown := set(changes) - set(EDITABLE):
            raise DraftError(
                "draft_not_editable",
                "a draft has no field {fields} to change (a draft's unit is its own: make a new draft "
                "for another)",
                fields=", ".join(sorted(unknown)),
            )

        def update(row: dict[str, Any]) -> dict[str, Any]:
            _still(row, expected)
            _open(row)
            kept = {k: row[k] for k in ("starts_on", "ends_on", "style", "lang", "number", "subject")}
            return self._values({**kept, **changes}, row["narrative"] or {})

        self._change(draft_id, by, "edit", update)
        return self.get(draft_id)

    def finalise(self, draft_id: int, *, by: str) -> Draft:
        """Mark the draft final: ready to send, no longer changed (its date is that day's)."""
        return self._state(draft_id, by, "final", "finalise")

    def reopen(self, draft_id: int, *, by: str) -> Draft:
        """A final draft back to work."""
        return self._state(draft_id, by, "draft", "reopen")

    def pull(self, draft_id: int, source_id: int, *, by: str) -> Draft:
        """The whole system's draft `draft_id` takes the unit's or mission's draft `source_id` of the
        same period (the module's head says how); pulling it again replaces what it brought."""
        by = check_actor(by, DraftError)
        source = self.get(source_id)
        if source.unit is None:
            raise DraftError(
                "draft_pull_central",
                "draft {source} is the whole system's: pull a unit's or mission's draft",
                source=source_id,
            )
        seat = self.units.get(source.unit)

        def update(row: dict[str, Any]) -> dict[str, Any]:
            _open(row)
            if row["unit"] is not None:
                raise DraftError(
                    "draft_pull_into_unit",
                    "draft {draft} is {unit}'s: only the whole system's draft pulls in the drafts of units "
                    "and missions",
                    draft=draft_id, unit=row["unit"],
                )  # fmt: skip
            if (row["starts_on"], row["ends_on"]) != (source.starts_on, source.ends_on):
                raise DraftError(
                    "draft_pull_other_period",
                    "draft {source} covers {source_period}, this one {period}: pull a draft of the same "
                    "period",
                    source=source.id, source_period=_span(source.starts_on, source.ends_on),
                    period=_span(row["starts_on"], row["ends_on"]),
                )  # fmt: skip
            before = list(row["pulled"] or [])
            others = {r["id"]: r["unit"] for r in self.repo.rows(before)} if before else {}
            # one draft a unit: the source takes the place of its unit's draft pulled before, if any
            pulled = list(dict.fromkeys(source.id if others.get(i) == source.unit else i for i in before))
            pulled = [i for i in pulled if i == source.id or others.get(i) is not None]
            codes = {others[i] for i in pulled if i != source.id} | {source.unit}
            name = (seat.name_en or seat.name) if row["lang"] == "en" else seat.name
            narrative = {}
            for key in NARRATIVE:
                text = source.narrative[key]
                block = f"{block_mark(name, seat.code)}\n\n{text}" if text else None
                narrative[key] = merge_block((row["narrative"] or {}).get(key) or "", seat.code, block, codes)
                _fits(key, narrative[key])
            return {"narrative": narrative, "pulled": pulled if source.id in pulled else [*pulled, source.id]}

        self._change(draft_id, by, "pull", update)
        return self.get(draft_id)

    def get(self, draft_id: int) -> Draft:
        """A draft with its history, oldest change first."""
        rows = self.repo.rows([int(draft_id)]) if _an_id(draft_id) else []
        if not rows:
            raise DraftNotFound("draft_not_found", "no report draft with id {id}", id=draft_id)
        return Draft.from_row(rows[0], self.repo.history(rows[0]["id"]))

    def document(self, draft_id: int | Draft, *, charts: bool = True) -> Document:
        """The report of the draft: the figures of its period as they are now, its sections, number
        and subject; dated today, or a final draft the day it was made final."""
        draft = draft_id if isinstance(draft_id, Draft) else self.get(draft_id)
        doc = build_review(
            self.store, start=draft.starts_on, last=draft.ends_on, unit=draft.unit, style=draft.style,
            lang=draft.lang, narrative=draft.narrative, number=draft.number, charts=charts,
            on=draft.updated_at.date() if draft.state == "final" else None,
        )  # fmt: skip
        return replace(doc, subject=draft.subject) if draft.subject else doc

    def _change(self, draft_id: int, by: str, action: str, update) -> None:
        if not _an_id(draft_id) or self.repo.change(int(draft_id), by, action, update) is None:
            raise DraftNotFound("draft_not_found", "no report draft with id {id}", id=draft_id)

    def _state(self, draft_id: int, by: str, state: str, action: str) -> Draft:
        by = check_actor(by, DraftError)
        self._change(draft_id, by, action, lambda row: {"state": state})
        return self.get(draft_id)

    def _values(self, given: dict[str, Any], narrative: Mapping[str, str]) -> dict[str, Any]:
        """The stored values of the fields `given`, checked; sections given replace those of
        `narrative`."""
        p = period(given.get("starts_on"), given.get("ends_on"))
        values: dict[str, Any] = {
            "starts_on": p.start,
            "ends_on": p.last,
            "style": check_choice(given["style"], STYLES, "style", DraftError),
            "lang": check_choice(given["lang"], LANGS, "language", DraftError),
            "number": _number(given.get("number")),
            "subject": _subject(given.get("subject")),
        }
        texts = {key: section_text(narrative.get(key)) for key in NARRATIVE}
        for key in NARRATIVE:
            if key in given:
                texts[key] = section_text(given[key])
                _fits(key, texts[key])
        values["narrative"] = texts
        return values

    # -- last: the name `list` shadows the builtin in this class body ----------------------------

    def list(
        self,
        *,
        unit: str | None = None,
        central: bool = False,
        state: str | None = None,
        starts_on: date | str | None = None,
        ends_on: date | str | None = None,
    ) -> list[Draft]:
        """Drafts, the latest period first and the whole system's before the units'; with `unit`,
        that unit's; with `central`, the whole system's; with `state`, those in it; with the period's
        days, those of exactly that period."""
        if state is not None:
            check_choice(state, STATES, "state", DraftError)
        code = self.units.get(unit).code if unit else None
        p = period(starts_on, ends_on) if starts_on or ends_on else None
        rows = self.repo.rows(unit=code, central=central, state=state, starts_on=p and p.start,
                              ends_on=p and p.last)  # fmt: skip
        return [Draft.from_row(r) for r in rows]


def _an_id(value: Any) -> bool:
    return row_id_of(str(value)) is not None


def _span(first: date, last: date) -> str:
    return f"{first.isoformat()} – {last.isoformat()}"


def _still(row: Mapping[str, Any], expected: datetime | None) -> None:
    if expected is not None and row["updated_at"] != expected:
        raise DraftConflictError(
            "draft_changed_meanwhile",
            "{actor} saved this draft at {at}, after you opened it: keep a copy of your text, reload the "
            "draft and make your changes again",
            actor=row["updated_by"] or "?", at=row["updated_at"].strftime("%d/%m/%Y %H:%M"),
        )  # fmt: skip


def _open(row: Mapping[str, Any]) -> None:
    if row["state"] == "final":
        raise DraftConflictError("draft_final", "draft {id} is final: reopen it to change it", id=row["id"])


def _fits(key: str, text: str) -> None:
    if len(text) > MAX_SECTION:
        raise DraftError(
            "draft_section_too_long",
            "section {section} would have {size} characters, more than the {limit} a section holds: "
            "shorten it",
            section=key, size=len(text), limit=MAX_SECTION,
        )  # fmt: skip


def _number(value: str | int | None) -> str | None:
    text = " ".join(str(value if value is not None else "").split())
    if text and not re.fullmatch(r"[\w.-]{1,20}", text):
        raise DraftError(
            "draft_bad_number",
            "number {value!r}: give the number only (e.g. 12), the symbol is made from the unit",
            value=text[:40],
        )
    return text or None


def _subject(value: str | None) -> str | None:
    text = " ".join(unicodedata.normalize("NFC", value or "").split())
    if len(text) > MAX_SUBJECT:
        raise DraftError(
            "draft_long_subject", "the subject line has {size} characters: at most {limit}",
            size=len(text), limit=MAX_SUBJECT,
        )  # fmt: skip
    return text or None
