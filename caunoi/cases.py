"""The response workflow (xử lý thông tin): an alert or a story becomes a case, which is triaged,
assigned to a unit or mission with a deadline, answered (a statement, a fact sheet of the library,
an interview, an article) and closed, every step audited. Interfaces call `CaseService`; the SQL
lives in `caunoi.store.cases`. Units are `caunoi.units`'s and the library `caunoi.factsheets`'s: a
refusal of theirs comes out of here as a CaseError with the same code and words, so a caller of the
workflow needs to know one error type."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import Engine

from caunoi import errors, factsheets, units
from caunoi.errors import Conflict, Invalid, check_actor, check_choice
from caunoi.factsheets import FactSheetService
from caunoi.store.cases import CaseRepository
from caunoi.timezones import to_utc, utcnow, zone
from caunoi.units import UnitService

STATES = ("new", "triaged", "assigned", "answered", "closed")
WAITING = ("new", "triaged", "assigned")  # no answer yet: these can be overdue
OPEN = ("new", "triaged", "assigned", "answered")
PRIORITIES = ("low", "normal", "high", "urgent")
RESPONSE_KINDS = ("statement", "fact_sheet", "interview", "article", "other")

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


@dataclass(frozen=True)
class Response:
    """How a case was answered: a response of a kind (statement, interview, …) with a title and a
    URL, a fact sheet of the library, or an article of the store; with a note. Given to `answer` and
    `respond`, only those fields are set (a fact sheet or an article fills in the kind, title and
    URL); as recorded, its id, its case, and who added it when are set too."""

    id: int | None = None
    case_id: int | None = None
    kind: str | None = None
    title: str | None = None
    url: str | None = None
    fact_sheet_id: int | None = None
    article_id: int | None = None
    note: str | None = None
    created_by: str | None = None
    created_at: datetime | None = None


@dataclass(frozen=True)
class _CaseRow:
    """A case as stored, with the name of its unit or mission: the fields ListedCase and Case share.
    Each adds its own after them, in the order `caunoi cases … --json` prints them (so Case is not
    a ListedCase: its story's title comes before `overdue`)."""

    id: int
    title: str
    state: str  # STATES
    priority: str  # PRIORITIES
    story_id: int | None
    alert_id: int | None
    unit: str | None  # the code of its unit or mission
    assignee: str | None
    deadline: datetime | None
    notes: str | None
    created_by: str | None
    created_at: datetime
    updated_at: datetime
    closed_at: datetime | None
    unit_name: str | None


@dataclass(frozen=True)
class ListedCase(_CaseRow):
    """A case as lists show it: whether it is overdue (still waiting for an answer past its deadline)."""

    overdue: bool


@dataclass(frozen=True)
class Case(_CaseRow):
    """One case with its story's title, whether it is overdue, what can be done to it next, its
    responses and its history (the audit trail, oldest first)."""

    story_title: str | None
    overdue: bool
    actions: list[str]
    responses: list[Response]
    history: list[dict[str, Any]]


def parse_deadline(
    value: str | date | datetime, now: datetime | None = None, timezone: str = "UTC"
) -> datetime:
    """ "2026-11-25 17:00", "2026-11-25T17:00", "2026-11-25" (by the end of that day), or a span
    from `now` (naive UTC): "+30m", "+4h", "+2d", "+1w". A time without an offset is the typer's,
    in `timezone`; the deadline is kept in UTC (caunoi.timezones)."""
    tz = zone(timezone, CaseError)
    if isinstance(value, datetime):
        return to_utc(value, tz)
    if isinstance(value, date):
        return to_utc(datetime.combine(value, END_OF_DAY), tz)
    text = value.strip()
    span = _SPAN.match(text)
    if span:
        step = timedelta(**{_SPAN_UNITS[span[2].lower()]: int(span[1])})
        return ((now or utcnow()) + step).replace(microsecond=0)
    try:
        typed = datetime.combine(date.fromisoformat(text), END_OF_DAY)
    except ValueError:
        try:
            typed = datetime.fromisoformat(text)
        except ValueError:
            raise CaseError(
                "bad_deadline",
                "deadline {value!r}: give a date and time (2026-11-25 17:00), a day (2026-11-25) "
                "or a span from now (+4h, +2d)",
                value=value,
            ) from None
    return to_utc(typed, tz)


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


class CaseService:
    """The workflow rules; every changing call takes `by`, the person who makes the change."""

    def __init__(self, engine: Engine):
        self.repo = CaseRepository(engine)
        self.units = UnitService(engine)
        self.factsheets = FactSheetService(engine)

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
    ) -> Case:
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

    def get(self, case_id: int, now: datetime | None = None) -> Case:
        """One case with its responses, its history (the audit trail, oldest first) and what can
        be done to it next."""
        case = self._case(case_id)
        return Case(
            **case,
            overdue=_overdue(case, now or utcnow()),
            actions=allowed_actions(case["state"]),
            responses=[Response(**r) for r in self.repo.responses(case_id)],
            history=self.repo.history(case_id),
        )

    def _case(self, case_id: int) -> dict[str, Any]:
        case = self.repo.find_case(case_id)
        if case is None:
            raise NotFound("case_not_found", "no case with id {id}", id=case_id)
        return case

    def _unit(self, code: str) -> str:
        """The code of the unit or mission, as it was first written (any case finds it)."""
        try:
            return self.units.get(code).code
        except units.NotFound as exc:
            raise NotFound.like(exc) from None

    def overdue(self, now: datetime | None = None) -> list[ListedCase]:
        """Cases still waiting for an answer whose deadline has passed, most overdue first."""
        now = now or utcnow()
        return [ListedCase(**case, overdue=True) for case in self.repo.list_cases(WAITING, due_before=now)]

    # -- moving cases along -------------------------------------------------------------------

    def triage(self, case_id: int, *, by: str, priority: str | None = None, note: str | None = None) -> Case:
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
        timezone: str = "UTC",
    ) -> Case:
        """Give the case to a unit or mission with a deadline (assigning again reassigns it, or
        sends back an answer that was not accepted). Unit and deadline can be left out when the
        case has them already. A deadline typed without an offset is read in `timezone`, the zone
        of whoever assigns (caunoi.timezones.reader_zone)."""
        case = self._case(case_id)
        if unit is None and case["unit"] is None:
            raise CaseError(
                "assign_no_unit", "assigning case {case} needs a unit or mission code", case=case_id
            )
        if deadline is None and case["deadline"] is None:
            raise CaseError("assign_no_deadline", "assigning case {case} needs a deadline", case=case_id)
        code = self._unit(unit) if unit is not None else case["unit"]
        due = parse_deadline(deadline, now, timezone) if deadline is not None else case["deadline"]
        if assignee is None and code == case["unit"]:
            assignee = case["assignee"]
        values = {"unit": code, "deadline": due, "assignee": _text(assignee)}
        return self._move(case_id, "assign", by, values, {"note": _text(note)})

    def answer(self, case_id: int, response: Response, *, by: str) -> Case:
        """Record how the case was answered: a response of its kind with a title and a URL, a fact
        sheet of the library (linked to the case's story), or an article in the store."""
        return self._move(case_id, "answer", by, {}, {}, self._response(response))

    def respond(self, case_id: int, response: Response, *, by: str) -> Case:
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
        recorded = self._response(response)
        changes = self.repo.change_case(
            case_id, expected=(case["state"],), values={}, action="respond", by=by, response=recorded
        )
        if changes is None:
            raise self._moved_on(case_id)
        return self.get(case_id)

    def close(self, case_id: int, *, by: str, reason: str | None = None) -> Case:
        return self._move(case_id, "close", by, {"closed_at": utcnow()}, {"reason": _text(reason)})

    def reopen(self, case_id: int, *, by: str, reason: str | None = None) -> Case:
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
    ) -> Case:
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

    def _response(self, given: Response) -> dict[str, Any]:
        """The response to record, checked, its kind, title and URL filled in from its fact sheet
        or article: the columns of case_responses a person gives."""
        kind, fact_sheet_id, article_id = given.kind, given.fact_sheet_id, given.article_id
        title, url, note = _text(given.title), _text(given.url), _text(given.note)
        if fact_sheet_id is not None and article_id is not None:
            raise CaseError("response_both", "a response is either a fact sheet or an article, not both")
        if fact_sheet_id is not None:
            if kind not in (None, "fact_sheet"):
                raise CaseError(
                    "response_kind_fact_sheet",
                    "a fact sheet answers as kind fact_sheet, not {kind}",
                    kind=kind,
                )
            try:
                sheet = self.factsheets.get(fact_sheet_id)
            except factsheets.NotFound as exc:
                raise NotFound.like(exc) from None
            kind, title = "fact_sheet", title or sheet.title
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

    # -- listing cases (last: the name `list` shadows the builtin in this class body) -----------

    def list(
        self,
        state: str | None = None,
        unit: str | None = None,
        open_only: bool = False,
        limit: int | None = None,
        now: datetime | None = None,
    ) -> list[ListedCase]:
        """Cases newest first: in one state, of one unit, or every one not closed."""
        states: tuple[str, ...] | None = None
        if state is not None:
            states = (_choice(state, STATES, "state"),)
        if open_only:
            states = tuple(s for s in states or OPEN if s in OPEN)
        code = self._unit(unit) if unit is not None else None
        now = now or utcnow()
        return [
            ListedCase(**case, overdue=_overdue(case, now))
            for case in self.repo.list_cases(states, code, limit)
        ]
