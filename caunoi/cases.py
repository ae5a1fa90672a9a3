"""The response workflow (xử lý thông tin): an alert or a story becomes a case, which is triaged,
assigned to a unit or mission with a deadline, answered (statement, fact sheet, interview,
article) and closed, every step audited; and the library of fact sheets and official positions
the answers draw on. Interfaces call `CaseService`; the SQL lives in `caunoi.store.cases`."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import Engine

from caunoi import errors
from caunoi.errors import Conflict, Invalid, check_actor, check_choice
from caunoi.store.cases import CaseRepository
from caunoi.text.fold import index_form

STATES = ("new", "triaged", "assigned", "answered", "closed")
WAITING = ("new", "triaged", "assigned")  # no answer yet: these can be overdue
OPEN = ("new", "triaged", "assigned", "answered")
PRIORITIES = ("low", "normal", "high", "urgent")
UNIT_KINDS = ("unit", "mission")
RESPONSE_KINDS = ("statement", "fact_sheet", "interview", "article", "other")
FACT_SHEET_KINDS = ("fact_sheet", "position")

# action -> (the state it leads to, the states it starts from)
ACTIONS: dict[str, tuple[str, frozenset[str]]] = {
    "triage": ("triaged", frozenset({"new"})),
    "assign": ("assigned", frozenset({"new", "triaged", "assigned", "answered"})),  # answered: not accepted
    "answer": ("answered", frozenset({"assigned"})),
    "close": ("closed", frozenset(OPEN)),
    "reopen": ("triaged", frozenset({"closed"})),
}
# state -> the states a case can move to from it
MOVES: dict[str, frozenset[str]] = {
    state: frozenset(target for target, sources in ACTIONS.values() if state in sources) for state in STATES
}

END_OF_DAY = time(23, 59, 59)  # a deadline given as a day is due by the end of it
_SPAN = re.compile(r"^\+\s*(\d+)\s*([mhdw])$", re.I)
_SPAN_UNITS = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}
_LANG = re.compile(r"^[a-z]{2,3}(-[a-z0-9]{2,8})?$")


class CaseError(Invalid):
    """A request the workflow refuses; the message says why and what to do instead."""


class NotFound(CaseError, errors.NotFound):
    """No case, unit, story, alert, article or fact sheet with that id or code."""

    kind = errors.NotFound.kind


class DuplicateCase(CaseError, Conflict):
    """The alert already has an open case."""

    kind = Conflict.kind

    def __init__(self, alert_id: int, case_id: int):
        super().__init__(
            "case_duplicate",
            "alert {alert} already has an open case: case {case}",
            alert=alert_id,
            case=case_id,
        )
        self.case_id = case_id


def parse_deadline(value: str | date | datetime, now: datetime | None = None) -> datetime:
    """ "2026-11-25 17:00", "2026-11-25T17:00", "2026-11-25" (by the end of that day), or a span
    from `now`: "+30m", "+4h", "+2d", "+1w"."""
    if isinstance(value, datetime):
        return _local(value)
    if isinstance(value, date):
        return datetime.combine(value, END_OF_DAY)
    text = value.strip()
    span = _SPAN.match(text)
    if span:
        step = timedelta(**{_SPAN_UNITS[span[2].lower()]: int(span[1])})
        return ((now or datetime.now()) + step).replace(microsecond=0)
    try:
        return datetime.combine(date.fromisoformat(text), END_OF_DAY)
    except ValueError:
        pass
    try:
        return _local(datetime.fromisoformat(text))
    except ValueError:
        raise CaseError(
            "bad_deadline",
            "deadline {value!r}: give a date and time (2026-11-25 17:00), a day (2026-11-25) "
            "or a span from now (+4h, +2d)",
            value=value,
        ) from None


def _local(value: datetime) -> datetime:
    """The store keeps local, naive times."""
    return value.astimezone().replace(tzinfo=None) if value.tzinfo else value


def allowed_actions(state: str) -> list[str]:
    """What can be done to a case in this state (respond: add another answer)."""
    found = [action for action, (_, sources) in ACTIONS.items() if state in sources]
    return found + (["respond"] if state in ("answered", "closed") else [])


def _actor(by: str) -> str:
    return check_actor(by, CaseError)


def _choice(value: str, allowed: Iterable[str], what: str) -> str:
    return check_choice(value, allowed, what, CaseError)


def _text(value: str | None) -> str | None:
    return (value or "").strip() or None


def _url(value: str) -> str:
    url = value.strip()
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise CaseError(
            "bad_url", "{value!r} is not a web address: give one starting with https://", value=value
        )
    return url


def _refusal(case: dict[str, Any], action: str) -> CaseError:
    """Why `action` cannot be done to this case, and what to do instead."""
    n, state = case["id"], case["state"]
    said = {"case": n, "state": state}
    target = ACTIONS[action][0]
    if action == "reopen":
        return CaseError(
            "case_not_closed", "case {case} is {state}: only a closed case can be reopened", **said
        )
    if state == target:
        if state == "answered":
            return CaseError(
                "case_answered", "case {case} is already {state}: add another response instead", **said
            )
        return CaseError("case_already", "case {case} is already {state}", **said)
    if state == "closed":
        return CaseError("case_closed", "case {case} is closed: reopen it first", case=n)
    if action == "answer":
        return CaseError(
            "case_unassigned", "case {case} is {state}: it cannot be answered before it is assigned", **said
        )
    if action == "triage":
        return CaseError(
            "case_past_triage", "case {case} is {state}: it is past triage (reassign it or close it)", **said
        )
    return CaseError("case_cannot", "case {case} is {state}: it cannot be {target}", target=target, **said)


def _overdue(case: dict[str, Any], now: datetime) -> bool:
    return case["state"] in WAITING and case["deadline"] is not None and case["deadline"] < now


def _folded(title: str, body: str, tags: list[str]) -> str:
    """What fact sheet search matches: title, tags and body, folded ("Biển Đông" -> "bien dong")."""
    return index_form("\n".join([title, " ".join(tags), body]))


class CaseService:
    """The workflow rules; every changing call takes `by`, the person who makes the change."""

    def __init__(self, engine: Engine):
        self.repo = CaseRepository(engine)

    # -- units and missions -------------------------------------------------------------------

    def add_unit(
        self, code: str, name: str, *, by: str, kind: str = "unit", country: str | None = None
    ) -> dict[str, Any]:
        by = _actor(by)
        code, name = code.strip(), name.strip()
        if not re.fullmatch(r"[\w.-]{1,40}", code):
            raise CaseError(
                "unit_bad_code",
                "unit code {code!r}: up to 40 letters, digits, '-', '_' or '.', no spaces",
                code=code,
            )
        if not name:
            raise CaseError("unit_no_name", "unit {code}: give its name", code=code)
        _choice(kind, UNIT_KINDS, "unit kind")
        if country is not None:
            country = country.strip().upper()
            if not re.fullmatch(r"[A-Z]{2}", country):
                raise CaseError(
                    "bad_country_code",
                    "country {value!r}: give its ISO 3166 two-letter code, e.g. US",
                    value=country,
                )
        values = {"code": code, "name": name, "kind": kind, "country": country}
        if not self.repo.add_unit(values, by):
            raise CaseError("unit_exists", "there is already a unit or mission with code {code}", code=code)
        return self.unit(code)

    def unit(self, code: str) -> dict[str, Any]:
        found = self.repo.find_unit(code.strip())
        if found is None:
            raise NotFound(
                "unit_not_found", "no unit or mission with code {code!r}: add it first (units add)", code=code
            )
        return found

    def units(self) -> list[dict[str, Any]]:
        return self.repo.list_units()

    # -- opening and reading cases ------------------------------------------------------------

    def open_case(
        self,
        title: str | None = None,
        story_id: int | None = None,
        alert_id: int | None = None,
        priority: str = "normal",
        notes: str | None = None,
        *,
        by: str,
    ) -> dict[str, Any]:
        """A new case from a story (titled after it), an alert (titled after it, about its story),
        or just a title. An alert gets one open case: a second is refused with DuplicateCase."""
        by = _actor(by)
        _choice(priority, PRIORITIES, "priority")
        alert = story = None
        if alert_id is not None:
            alert = self.repo.alert(alert_id)
            if alert is None:
                raise NotFound("alert_not_found", "no alert with id {id}", id=alert_id)
            if story_id is None:
                story_id = alert["story_id"]
        if story_id is not None:
            story = self.repo.story(story_id)
            if story is None:
                raise NotFound("story_not_found", "no story with id {id}", id=story_id)
        title = _text(title) or _text(alert and alert["title"]) or _text(story and story["title"])
        if title is None:
            if story:
                raise CaseError(
                    "story_untitled", "story {story} has no title yet: give the case a title", story=story_id
                )
            raise CaseError("case_no_title", "a case needs a title, a story or an alert")
        values = {
            "title": title,
            "state": "new",
            "priority": priority,
            "story_id": story_id,
            "alert_id": alert_id,
            "notes": _text(notes),
        }
        case_id, created = self.repo.insert_case(values, by, OPEN)
        if not created:
            raise DuplicateCase(alert_id, case_id)
        return self.get(case_id)

    def get(self, case_id: int, now: datetime | None = None) -> dict[str, Any]:
        """One case with its responses, its history (the audit trail, oldest first) and what can
        be done to it next."""
        case = self._case(case_id)
        case["overdue"] = _overdue(case, now or datetime.now())
        case["actions"] = allowed_actions(case["state"])
        case["responses"] = self.repo.responses(case_id)
        case["history"] = self.repo.history("case", case_id)
        return case

    def _case(self, case_id: int) -> dict[str, Any]:
        case = self.repo.find_case(case_id)
        if case is None:
            raise NotFound("case_not_found", "no case with id {id}", id=case_id)
        return case

    def overdue(self, now: datetime | None = None) -> list[dict[str, Any]]:
        """Cases still waiting for an answer whose deadline has passed, most overdue first."""
        now = now or datetime.now()
        found = self.repo.list_cases(WAITING, due_before=now)
        for case in found:
            case["overdue"] = True
        return found

    # -- moving cases along -------------------------------------------------------------------

    def triage(
        self, case_id: int, *, by: str, priority: str | None = None, note: str | None = None
    ) -> dict[str, Any]:
        """Looked at and judged worth handling; the priority can be set on the way."""
        values = {"priority": _choice(priority, PRIORITIES, "priority")} if priority else {}
        return self._move(case_id, "triage", by, values, {"note": _text(note)})

    def assign(
        self,
        case_id: int,
        unit: str | None = None,
        deadline: str | date | datetime | None = None,
        *,
        by: str,
        assignee: str | None = None,
        note: str | None = None,
        now: datetime | None = None,
    ) -> dict[str, Any]:
        """Give the case to a unit or mission with a deadline (assigning again reassigns it, or
        sends back an answer that was not accepted). Unit and deadline can be left out when the
        case has them already."""
        case = self._case(case_id)
        if unit is None and case["unit"] is None:
            raise CaseError(
                "assign_no_unit", "assigning case {case} needs a unit or mission code", case=case_id
            )
        if deadline is None and case["deadline"] is None:
            raise CaseError("assign_no_deadline", "assigning case {case} needs a deadline", case=case_id)
        code = self.unit(unit)["code"] if unit is not None else case["unit"]
        due = parse_deadline(deadline, now) if deadline is not None else case["deadline"]
        if assignee is None and code == case["unit"]:
            assignee = case["assignee"]
        values = {"unit": code, "deadline": due, "assignee": _text(assignee)}
        return self._move(case_id, "assign", by, values, {"note": _text(note)})

    def answer(
        self,
        case_id: int,
        *,
        by: str,
        kind: str | None = None,
        title: str | None = None,
        url: str | None = None,
        fact_sheet_id: int | None = None,
        article_id: int | None = None,
        note: str | None = None,
    ) -> dict[str, Any]:
        """Record how the case was answered: a response of `kind` with a title and a URL, a fact
        sheet of the library (linked to the case's story), or an article in the store."""
        response = self._response(kind, title, url, fact_sheet_id, article_id, note)
        return self._move(case_id, "answer", by, {}, {}, response)

    def respond(
        self,
        case_id: int,
        *,
        by: str,
        kind: str | None = None,
        title: str | None = None,
        url: str | None = None,
        fact_sheet_id: int | None = None,
        article_id: int | None = None,
        note: str | None = None,
    ) -> dict[str, Any]:
        """Add another response to an answered (or closed) case; its state does not change."""
        by = _actor(by)
        case = self._case(case_id)
        if case["state"] not in ("answered", "closed"):
            raise CaseError(
                "case_respond_early",
                "case {case} is {state}: answer it first; more responses can be added after",
                case=case_id,
                state=case["state"],
            )
        response = self._response(kind, title, url, fact_sheet_id, article_id, note)
        changes = self.repo.change_case(
            case_id, expected=(case["state"],), values={}, action="respond", by=by, response=response
        )
        if changes is None:
            raise self._moved_on(case_id)
        return self.get(case_id)

    def close(self, case_id: int, *, by: str, reason: str | None = None) -> dict[str, Any]:
        return self._move(case_id, "close", by, {"closed_at": datetime.now()}, {"reason": _text(reason)})

    def reopen(self, case_id: int, *, by: str, reason: str | None = None) -> dict[str, Any]:
        """A closed case back to triaged."""
        return self._move(case_id, "reopen", by, {"closed_at": None}, {"reason": _text(reason)})

    def _move(
        self,
        case_id: int,
        action: str,
        by: str,
        values: dict[str, Any],
        extra: dict[str, Any],
        response: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        by = _actor(by)
        case = self._case(case_id)
        target, sources = ACTIONS[action]
        if case["state"] not in sources:
            raise _refusal(case, action)
        changes = self.repo.change_case(
            case_id,
            expected=(case["state"],),
            values={"state": target, **values},
            action=action,
            by=by,
            extra=extra,
            response=response,
        )
        if changes is None:
            raise self._moved_on(case_id)
        return self.get(case_id)

    def _moved_on(self, case_id: int) -> CaseError:
        case = self.repo.find_case(case_id)
        if case is None:
            return NotFound("case_deleted", "case {case} was deleted meanwhile", case=case_id)
        return CaseError(
            "case_changed",
            "case {case} changed meanwhile (it is now {state}): look at it again",
            case=case_id,
            state=case["state"],
        )

    def _response(
        self,
        kind: str | None,
        title: str | None,
        url: str | None,
        fact_sheet_id: int | None,
        article_id: int | None,
        note: str | None,
    ) -> dict[str, Any]:
        title, url, note = _text(title), _text(url), _text(note)
        if fact_sheet_id is not None and article_id is not None:
            raise CaseError("response_both", "a response is either a fact sheet or an article, not both")
        if fact_sheet_id is not None:
            if kind not in (None, "fact_sheet"):
                raise CaseError(
                    "response_kind_fact_sheet",
                    "a fact sheet answers as kind fact_sheet, not {kind}",
                    kind=kind,
                )
            sheet = self._fact_sheet(fact_sheet_id)
            kind, title = "fact_sheet", title or sheet["title"]
        elif article_id is not None:
            if kind not in (None, "article"):
                raise CaseError(
                    "response_kind_article",
                    "an article in the store answers as kind article, not {kind}",
                    kind=kind,
                )
            article = self.repo.article(article_id)
            if article is None:
                raise NotFound("article_not_found", "no article with id {id}", id=article_id)
            kind, title, url = (
                "article",
                title or article["title"] or f"article {article_id}",
                url or article["url"],
            )
        else:
            if kind is None or title is None or url is None:
                raise CaseError(
                    "response_incomplete",
                    "a response needs its kind ({kinds}), a title and a URL, or a fact sheet or an article "
                    "of the store",
                    kinds=", ".join(RESPONSE_KINDS),
                )
            _choice(kind, RESPONSE_KINDS, "response kind")
        return {
            "kind": kind,
            "title": title,
            "url": _url(url) if url else None,
            "fact_sheet_id": fact_sheet_id,
            "article_id": article_id,
            "note": note,
        }

    # -- fact sheets and official positions ----------------------------------------------------

    def add_fact_sheet(
        self,
        title: str,
        body: str,
        *,
        by: str,
        kind: str = "fact_sheet",
        lang: str = "vi",
        tags: Iterable[str] = (),
    ) -> dict[str, Any]:
        """A fact sheet or an official position (lập trường chính thức) for the library."""
        by = _actor(by)
        values = self._fact_sheet_values(title=title, body=body, kind=kind, lang=lang, tags=tags)
        return self.fact_sheet(self.repo.add_fact_sheet(values, by))

    def update_fact_sheet(
        self,
        fact_sheet_id: int,
        *,
        by: str,
        title: str | None = None,
        body: str | None = None,
        kind: str | None = None,
        lang: str | None = None,
        tags: Iterable[str] | None = None,
    ) -> dict[str, Any]:
        """Change the fields given; the audit log keeps what they were."""
        by = _actor(by)
        sheet = self._fact_sheet(fact_sheet_id)
        values = self._fact_sheet_values(
            title=sheet["title"] if title is None else title,
            body=sheet["body"] if body is None else body,
            kind=sheet["kind"] if kind is None else kind,
            lang=sheet["lang"] if lang is None else lang,
            tags=sheet["tags"] if tags is None else tags,
        )
        if self.repo.update_fact_sheet(fact_sheet_id, values, by) is None:
            raise NotFound("fact_sheet_deleted", "fact sheet {id} was deleted meanwhile", id=fact_sheet_id)
        return self.fact_sheet(fact_sheet_id)

    @staticmethod
    def _fact_sheet_values(
        *, title: str, body: str, kind: str, lang: str, tags: Iterable[str]
    ) -> dict[str, Any]:
        title, body = title.strip(), body.strip()
        if not title:
            raise CaseError("fact_sheet_no_title", "a fact sheet needs a title")
        if not body:
            raise CaseError("fact_sheet_no_body", "a fact sheet needs a body: its text")
        _choice(kind, FACT_SHEET_KINDS, "fact sheet kind")
        lang = lang.strip().lower()
        if not _LANG.match(lang) or len(lang) > 8:  # the column holds 8 characters
            raise CaseError(
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

    def fact_sheet(self, fact_sheet_id: int) -> dict[str, Any]:
        """One fact sheet with the stories it answers and its history."""
        sheet = self._fact_sheet(fact_sheet_id)
        del sheet["folded"]
        sheet["stories"] = self.repo.stories_of(fact_sheet_id)
        sheet["history"] = self.repo.history("fact_sheet", fact_sheet_id)
        return sheet

    def _fact_sheet(self, fact_sheet_id: int) -> dict[str, Any]:
        sheet = self.repo.find_fact_sheet(fact_sheet_id)
        if sheet is None:
            raise NotFound("fact_sheet_not_found", "no fact sheet with id {id}", id=fact_sheet_id)
        return sheet

    def fact_sheets(
        self,
        kind: str | None = None,
        lang: str | None = None,
        story_id: int | None = None,
        limit: int | None = None,
    ) -> list[dict[str, Any]]:
        """The library, latest change first; with `story_id`, the fact sheets linked to that story."""
        if story_id is not None and self.repo.story(story_id) is None:
            raise NotFound("story_not_found", "no story with id {id}", id=story_id)
        rows = self.repo.list_fact_sheets(kind=kind, lang=lang, story_id=story_id, limit=limit)
        return [_listed(r) for r in rows]

    def search_fact_sheets(
        self, query: str, kind: str | None = None, lang: str | None = None, limit: int = 20
    ) -> list[dict[str, Any]]:
        """Fact sheets holding every word of `query`, with or without diacritics ("bien dong" finds
        "Biển Đông"); those with every word in the title first."""
        tokens = index_form(query).split()
        if not tokens:
            raise CaseError("no_words", "give words to search for")
        rows = self.repo.list_fact_sheets(kind=kind, lang=lang, tokens=tokens)
        in_title = [all(t in index_form(r["title"]) for t in tokens) for r in rows]
        ranked = [r for r, hit in zip(rows, in_title, strict=True) if hit]
        ranked += [r for r, hit in zip(rows, in_title, strict=True) if not hit]
        return [_listed(r) for r in ranked[:limit]]

    def link_fact_sheet(self, fact_sheet_id: int, story_id: int, *, by: str) -> bool:
        """Link a fact sheet to a story it answers; False if it was linked already."""
        by = _actor(by)
        self._fact_sheet(fact_sheet_id)
        if self.repo.story(story_id) is None:
            raise NotFound("story_not_found", "no story with id {id}", id=story_id)
        return self.repo.link_fact_sheet(fact_sheet_id, story_id, by)

    # -- listing cases (last: the name `list` shadows the builtin in this class body) -----------

    def list(
        self,
        state: str | None = None,
        unit: str | None = None,
        open_only: bool = False,
        limit: int | None = None,
        now: datetime | None = None,
    ) -> list[dict[str, Any]]:
        """Cases newest first: in one state, of one unit, or every one not closed."""
        states: tuple[str, ...] | None = None
        if state is not None:
            states = (_choice(state, STATES, "state"),)
        if open_only:
            states = tuple(s for s in states or OPEN if s in OPEN)
        code = self.unit(unit)["code"] if unit is not None else None
        now = now or datetime.now()
        found = self.repo.list_cases(states, code, limit)
        for case in found:
            case["overdue"] = _overdue(case, now)
        return found


def _listed(sheet: dict[str, Any]) -> dict[str, Any]:
    """A fact sheet as lists show it: without its folded form, its body cut to an excerpt."""
    body = sheet["body"]
    excerpt = body if len(body) <= 200 else body[:200].rsplit(" ", 1)[0] + "…"
    return {k: v for k, v in sheet.items() if k not in ("folded", "body")} | {"excerpt": excerpt}
