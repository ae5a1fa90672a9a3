"""Activities (hoạt động): what a unit or mission did — a conference, an event, a press conference,
an interview given, an article placed, a press release, an official social post, an exhibition, a
training, a meeting with media, a people-to-people exchange — with its start and end in the zone it
happened in, place, campaign, the products and packs it used, audience, partner organisations,
officials in their public roles (never private persons), cost, notes, links and files.

An activity has a `key`: given by whoever logs it (an import's `key` column) or made from its date,
unit, type and title, so importing the same log twice adds nothing. Import reads the documented
columns (IMPORT_COLUMNS; `type` also in Vietnamese or English words, as the labels say), checks every
row first and reports each refused row with its line and why; a file imports whole, or with
`valid_only` its valid rows only, in one transaction: nothing is half-written. `template_csv` and
`template_xlsx` are the file to fill in: the columns and one example row."""

from __future__ import annotations

import csv
import hashlib
import io
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from caunoi.errors import check_actor
from caunoi.i18n import LABELS
from caunoi.ingest.tables import ImportReport, read_rows
from caunoi.models import row_id_of
from caunoi.outreach.campaigns import Campaigns
from caunoi.outreach.common import (
    FileInfo,
    NotFound,
    OutreachError,
    TakenError,
    amount,
    attach,
    clean,
    count,
    countries,
    currency,
    items,
    local,
    moment,
    zone,
    zone_of_country,
)
from caunoi.store.outreach import OutreachRepository
from caunoi.store.schema import activities
from caunoi.text.fold import fold, index_form
from caunoi.units import Unit, UnitService, code_key

ACTIVITY_TYPES = (
    "conference",
    "event",
    "press_conference",
    "interview",
    "article_placed",
    "press_release",
    "social_post",
    "exhibition",
    "training",
    "media_meeting",
    "exchange",
    "other",
)
IMPORT_COLUMNS = (
    "key", "date", "end_date", "unit", "type", "title", "description", "campaign", "place", "audience",
    "cost", "currency", "url",
)  # fmt: skip
OPTIONAL_COLUMNS = (
    "timezone",
    "country",
    "partners",
    "officials",
    "notes",
    "release",
)  # also read when present
EDITABLE = (
    "type", "title", "description", "starts_at", "ends_at", "timezone", "place", "country", "unit",
    "campaign", "audience", "partners", "officials", "cost", "currency", "notes", "links", "release",
    "products", "packs",
)  # fmt: skip
MAX_KEY = 100
CHANGED_TOLD = 200  # an import has the coverage of at most this many searched at once (the rest: when asked)


def type_names() -> dict[str, str]:
    """Every way an activity type may be written (its code, its Vietnamese and English labels, each
    folded) -> its code."""
    names = {}
    for code in ACTIVITY_TYPES:
        names[code] = names[index_form(code)] = code  # folded, "social_post" is "social post"
        for lang in LABELS:
            label = LABELS[lang][f"activity_type_{code}"]
            for variant in [label, *re.split(r"[,/]", label)]:
                names[index_form(variant)] = code
    return names


@dataclass(frozen=True)
class Activity:
    id: int
    key: str
    type: str
    title: str
    description: str | None
    starts_at: datetime  # UTC
    ends_at: datetime | None  # UTC
    timezone: str  # where it happened: `local_start` is its time there
    place: str | None
    country: str | None
    unit: str
    campaign_id: int | None
    audience: int | None
    partners: list[str]
    officials: list[str]
    cost: float | None
    currency: str | None
    notes: str | None
    links: list[str]
    release: str | None  # the text it put out (press release, statement): coverage looks for its reuse
    products: list[int]
    packs: list[int]
    created_by: str | None
    created_at: datetime
    updated_at: datetime
    files: list[FileInfo] = field(default_factory=list)
    history: list[dict[str, Any]] = field(default_factory=list)

    @property
    def local_start(self) -> datetime:
        start = local(self.starts_at, self.timezone)
        assert start is not None
        return start

    @property
    def local_end(self) -> datetime | None:
        return local(self.ends_at, self.timezone)

    @classmethod
    def from_row(cls, row: dict[str, Any], history: list[dict[str, Any]] | None = None) -> Activity:
        files = [FileInfo(**{k: f[k] for k in FileInfo.__dataclass_fields__}) for f in row["files"]]
        return cls(**{**row, "files": files}, history=history or [])


class Activities:
    """The rules about activities; every change takes `by`, who makes it (audited)."""

    def __init__(
        self,
        repo: OutreachRepository,
        units: UnitService,
        campaigns: Campaigns,
        max_file_bytes: int,
        timezone: str,
        changed: Callable[[list[int]], Any] | None = None,
    ):
        """`changed` is told the ids of activities added or changed (to search their coverage again);
        an import tells it at most CHANGED_TOLD of them, the latest first."""
        self.repo, self.units, self.campaigns = repo, units, campaigns
        self.max_file_bytes, self.timezone = max_file_bytes, timezone
        self.changed = changed

    def _told(self, ids: list[int]) -> None:
        if self.changed is not None and ids:
            self.changed(ids)

    def add(
        self, title: str, *, by: str, unit: str, type: str, starts_at: datetime | str, **details: Any
    ) -> Activity:
        """Log an activity. Times without an offset are read in `timezone` (default: the unit's seat's
        zone when its country has one, else the organisation's). `key` defaults to one made from the
        date, unit, type and title."""
        by = check_actor(by, OutreachError)
        key = details.pop("key", None)
        values, links = self._values(
            {"title": title, "unit": unit, "type": type, "starts_at": starts_at, **details}
        )
        values["key"] = self._key(key, values)
        if self.repo.activity_id(values["key"]) is not None:
            raise TakenError(
                "activity_exists", "there is already an activity with key {key}", key=values["key"]
            )
        activity_id = self.repo.add(activities, "activity", values, by, links)
        self._told([activity_id])
        return self.get(activity_id)

    def edit(self, ref: int | str, *, by: str, **changes: Any) -> Activity:
        """Change some fields (those of EDITABLE); products and packs given replace the old links.
        New times without an offset are read in the activity's zone (or a `timezone` given with them)."""
        by = check_actor(by, OutreachError)
        activity = self.get(ref)
        current: dict[str, Any] = {name: getattr(activity, name) for name in EDITABLE if name != "campaign"}
        current["campaign"] = activity.campaign_id
        tz = changes.get("timezone") or activity.timezone
        for name in ("starts_at", "ends_at"):  # stored times are UTC: give them back in the zone
            if name not in changes and current[name] is not None:
                current[name] = local(current[name], tz)
        values, links = self._values({**current, **changes})
        links = {name: links[name] for name in ("products", "packs") if name in changes}
        self.repo.change(activities, "activity", activity.id, values, by, links)
        self._told([activity.id])
        return self.get(activity.id)

    def attach(self, ref: int | str, name: str, content: bytes, *, by: str) -> FileInfo:
        by = check_actor(by, OutreachError)
        activity = self.get(ref)
        return attach(self.repo, "activity", activity.id, name, content, by, self.max_file_bytes)

    def get(self, ref: int | str) -> Activity:
        """An activity by id or key, with its history."""
        text = str(ref).strip()
        found = self.repo.activity_id(text)
        if found is None:
            found = row_id_of(text)
        rows = self.repo.activity_rows([found]) if found is not None else []
        if not rows:
            raise NotFound("activity_not_found", "no activity with id or key {ref!r}", ref=text)
        return Activity.from_row(rows[0], self.repo.history("activity", rows[0]["id"]))

    def count(self, unit: str | None = None, since: datetime | None = None) -> int:
        """How many activities (of `unit`; starting at or after `since`, UTC)."""
        return self.repo.count_activities(self.units.get(unit).code if unit else None, since)

    # -- import ----------------------------------------------------------------------------------

    def import_rows(
        self,
        rows: Iterable[tuple[int, dict[str, str]]],
        *,
        by: str,
        valid_only: bool = False,
        timezone: str | None = None,
        only_unit: str | None = None,
        progress: Callable[[int], None] | None = None,
    ) -> ImportReport:
        """Add or change activities from (line, row) pairs with IMPORT_COLUMNS (and OPTIONAL_COLUMNS);
        a key already stored is changed to what its row says, so importing a file again changes
        nothing. `only_unit`: refuse rows of any other unit (a mission officer's import)."""
        by = check_actor(by, OutreachError)
        report = ImportReport()
        units = {code_key(u.code): u for u in self.units.list(retired=True)}
        campaign_codes = self.repo.campaign_codes()
        names = type_names()
        checked: list[tuple[int, dict[str, Any]]] = []
        seen: dict[str, int] = {}
        for n, (line, row) in enumerate(rows, 1):
            if progress is not None and n % 500 == 0:
                progress(n)
            try:
                values = self._row(row, units, campaign_codes, names, timezone, only_unit)
                if values["key"] in seen:
                    raise OutreachError("activity_import_repeat", "key {key} is already on line {line}",
                                        key=values["key"], line=seen[values["key"]])  # fmt: skip
            except OutreachError as refusal:
                report.refuse(line, refusal, key=clean(row.get("key")))
                continue
            seen[values["key"]] = line
            checked.append((line, values))
        if report.refused and not valid_only:
            return report
        stored = self.repo.activities_by_key([values["key"] for _, values in checked])
        adds: list[dict[str, Any]] = []
        edits: list[tuple[int, dict[str, Any]]] = []
        for _, values in checked:
            if (old := stored.get(values["key"])) is None:
                adds.append(values)
            elif any(_differs(old.get(k), v) for k, v in values.items()):
                edits.append((old["id"], values))
            else:
                report.unchanged += 1
        self.repo.import_activities(adds, edits, by)
        report.added = [a["key"] for a in adds]
        report.changed = [stored[v["key"]]["key"] for _, v in edits]
        report.written = True
        latest = sorted(adds + [v for _, v in edits], key=lambda v: v["starts_at"], reverse=True)
        ids = self.repo.activities_by_key([v["key"] for v in latest[:CHANGED_TOLD]])
        self._told([ids[v["key"]]["id"] for v in latest[:CHANGED_TOLD] if v["key"] in ids])
        return report

    def import_file(self, path: Path, *, by: str, **options: Any) -> ImportReport:
        """`import_rows` over a CSV (UTF-8), TSV or XLSX file whose first row names the columns (the
        options are import_rows'); a file that cannot be read as a table is refused whole
        (caunoi.ingest.tables.TableError)."""
        return self.import_rows(read_rows(path), by=by, **options)

    def _row(
        self,
        row: dict[str, str],
        units: dict[str, Unit],
        campaign_codes: dict[str, int],
        names: dict[str, str],
        timezone: str | None,
        only_unit: str | None,
    ) -> dict[str, Any]:
        if unknown := sorted(set(row) - set(IMPORT_COLUMNS) - set(OPTIONAL_COLUMNS) - {""}):
            known = ", ".join(IMPORT_COLUMNS + OPTIONAL_COLUMNS)
            raise OutreachError("activity_import_column", "unknown column {columns}: the columns are {known}",
                                columns=", ".join(unknown), known=known)  # fmt: skip
        given = {k: clean(v) if isinstance(v, str) else v for k, v in row.items()}
        unit = units.get(code_key(given.get("unit") or ""))
        if unit is None:
            raise OutreachError("activity_unknown_unit", "unit {value!r}: no unit or mission with that code",
                                value=given.get("unit") or "")  # fmt: skip
        if only_unit is not None and code_key(unit.code) != code_key(only_unit):
            raise OutreachError("activity_other_unit",
                                "unit {value}: you may import only {mine}'s activities",
                                value=unit.code, mine=only_unit)  # fmt: skip
        kind = names.get(index_form(given.get("type") or ""))
        if kind is None:
            raise OutreachError("activity_bad_type", "type {value!r}: one of {known}",
                                value=given.get("type") or "", known=", ".join(ACTIVITY_TYPES))  # fmt: skip
        campaign_id = None
        if given.get("campaign"):
            campaign_id = campaign_codes.get(given["campaign"].casefold())
            if campaign_id is None:
                raise NotFound(
                    "campaign_not_found", "no campaign with code or id {ref!r}", ref=given["campaign"]
                )
        fields = {
            "title": given.get("title"),
            "type": kind,
            "unit": unit,
            "starts_at": given.get("date"),
            "ends_at": given.get("end_date"),
            "timezone": given.get("timezone") or timezone,
            "description": given.get("description"),
            "campaign_id": campaign_id,
            "place": given.get("place"),
            "country": given.get("country"),
            "audience": given.get("audience"),
            "partners": given.get("partners"),
            "officials": given.get("officials"),
            "cost": given.get("cost"),
            "currency": given.get("currency"),
            "notes": given.get("notes"),
            "links": given.get("url"),
            "release": given.get("release"),
        }
        values, _ = self._values(fields, resolved=True)
        values["key"] = self._key(given.get("key"), values)
        return values

    def _values(
        self, given: dict[str, Any], resolved: bool = False
    ) -> tuple[dict[str, Any], dict[str, list[int]]]:
        """The stored fields and the links (products, packs) of an activity, checked. With `resolved`,
        `unit` is a Unit and `campaign_id` an id already (an import resolves them once for all rows)."""
        if unknown := set(given) - set(EDITABLE) - {"campaign_id"}:
            raise OutreachError("activity_not_editable", "an activity has no field {fields}",
                                fields=", ".join(sorted(unknown)))  # fmt: skip
        title = clean(given.get("title"))
        if not title:
            raise OutreachError("activity_no_title", "an activity needs a title: what was done")
        unit = given["unit"] if resolved else self.units.get(clean(given.get("unit")) or "")
        kind = given.get("type") or ""
        if kind not in ACTIVITY_TYPES:
            kind = type_names().get(index_form(kind), "")
            if not kind:
                raise OutreachError("activity_bad_type", "type {value!r}: one of {known}",
                                    value=given.get("type") or "",
                                    known=", ".join(ACTIVITY_TYPES))  # fmt: skip
        tz_name = clean(given.get("timezone")) or zone_of_country(unit.country) or self.timezone
        tz = zone(tz_name)
        starts_at = moment(given.get("starts_at"), tz, "date")
        if starts_at is None:
            raise OutreachError("activity_no_date", "an activity needs the date it happened")
        ends_at = moment(given.get("ends_at"), tz, "end date")
        if ends_at is not None and ends_at < starts_at:
            raise OutreachError("activity_bad_period", "the activity ends before it starts")
        cost, money = amount(given.get("cost"), "cost"), currency(given.get("currency"))
        if cost is not None and money is None:
            raise OutreachError("outreach_no_currency", "give the currency of the amount, e.g. VND or EUR")
        links = items(given.get("links"), r"[\s;|]+")
        if bad := [u for u in links if not u.lower().startswith(("http://", "https://"))]:
            raise OutreachError(
                "outreach_bad_url", "address {value!r}: give an http(s) address", value=bad[0]
            )
        country = countries(given.get("country"))
        if resolved:
            campaign_id = given.get("campaign_id")
        else:
            campaign = given.get("campaign")
            campaign_id = self.campaigns.resolve(campaign) if campaign not in (None, "") else None
        values = {
            "type": kind,
            "title": title,
            "description": clean(given.get("description")),
            "starts_at": starts_at,
            "ends_at": ends_at,
            "timezone": tz.key,
            "place": clean(given.get("place")),
            "country": country[0] if country else unit.country,
            "unit": unit.code,
            "campaign_id": campaign_id,
            "audience": count(given.get("audience"), "audience"),
            "partners": items(given.get("partners")),
            "officials": items(given.get("officials")),
            "cost": cost,
            "currency": money,
            "notes": clean(given.get("notes")),
            "links": links,
            "release": clean(given.get("release")),
        }
        linked = {name: [int(i) for i in given.get(name) or []] for name in ("products", "packs")}
        return values, linked

    @staticmethod
    def _key(key: str | None, values: dict[str, Any]) -> str:
        key = clean(key)
        if key is None:
            seed = "|".join([values["starts_at"].date().isoformat(), code_key(values["unit"]), values["type"],
                             fold(values["title"])])  # fmt: skip
            return "auto-" + hashlib.sha1(seed.encode()).hexdigest()[:16]
        if len(key) > MAX_KEY or key.isdigit():
            raise OutreachError("activity_bad_key",
                                "key {key!r}: at most {limit} characters, not only digits",
                                key=key[:40], limit=MAX_KEY)  # fmt: skip
        return key

    # -- last: the name `list` shadows the builtin in this class body ----------------------------

    def list(
        self,
        *,
        unit: str | None = None,
        campaign: str | int | None = None,
        type: str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        after: tuple[datetime, int] | None = None,
        limit: int | None = 100,
    ) -> list[Activity]:
        """Activities, latest first; `since`/`until` are UTC; `after` = (starts_at, id) of the last
        activity of the page before."""
        if type is not None and type not in ACTIVITY_TYPES:
            raise OutreachError("activity_bad_type", "type {value!r}: one of {known}", value=type,
                                known=", ".join(ACTIVITY_TYPES))  # fmt: skip
        rows = self.repo.activity_rows(
            unit=self.units.get(unit).code if unit else None,
            campaign_id=self.campaigns.resolve(campaign) if campaign not in (None, "") else None,
            type=type,
            since=since,
            until=until,
            after=after,
            limit=limit,
        )
        return [Activity.from_row(row) for row in rows]


def _differs(stored: Any, given: Any) -> bool:
    if isinstance(stored, float) or isinstance(given, float):
        return stored is None or given is None or abs(float(stored) - float(given)) > 1e-9
    return stored != given


# the example row of the import templates, under IMPORT_COLUMNS + OPTIONAL_COLUMNS
TEMPLATE_EXAMPLE = (
    "PAR-2026-041", "2026-10-13 09:30", "2026-10-13 11:00", "DSQ-FR", "Họp báo",
    "Họp báo giới thiệu Tuần Văn hóa", "Giới thiệu chương trình với báo chí Pháp", "", "Paris",
    "45", "1200", "EUR", "https://example.org/thong-cao", "Europe/Paris", "FR",
    "Hội hữu nghị Pháp – Việt Nam", "Đại sứ (phát biểu khai mạc)", "",
    "Ngày 13/10, Đại sứ quán Việt Nam tại Pháp tổ chức họp báo giới thiệu Tuần Văn hóa Việt Nam tại Paris.",
)  # fmt: skip


def template_csv() -> str:
    """The import template: the columns and one example row."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(IMPORT_COLUMNS + OPTIONAL_COLUMNS)
    writer.writerow(TEMPLATE_EXAMPLE)
    return out.getvalue()


def template_xlsx() -> bytes:
    """The import template as an Excel workbook: the columns and one example row on the first sheet
    (the one an import reads), every cell text as in the CSV; a second sheet lists the activity
    types with their Vietnamese and English names, any of which the `type` column takes."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    sheet.title = "activities"
    sheet.append(list(IMPORT_COLUMNS + OPTIONAL_COLUMNS))
    sheet.append(list(TEMPLATE_EXAMPLE))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for cell in sheet[2]:
        cell.number_format = "@"  # text: Excel would read the date and key cells as it likes
    sheet.freeze_panes = "A2"
    types = book.create_sheet("types")
    types.append(["type", "vi", "en"])
    for code in ACTIVITY_TYPES:
        types.append([code, LABELS["vi"][f"activity_type_{code}"], LABELS["en"][f"activity_type_{code}"]])
    for cell in types[1]:
        cell.font = Font(bold=True)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
