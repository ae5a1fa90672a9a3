"""Units and missions (đơn vị, cơ quan đại diện): the units at headquarters and the missions abroad
that cases are assigned to and a mission officer is bound to — and, next, that outreach and reports
are scoped by. Interfaces call `UnitService`; the SQL lives in `caunoi.store.units`.

This module knows nothing of cases, users, fact sheets or outreach: they use it, never the other way
round. A code is matched in any case ("dsq-us" finds DSQ-US, "đsq-us" ĐSQ-US, on either backend:
`code_key`) and kept as it was first written (in NFC)."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from caunoi import errors
from caunoi.errors import Invalid, check_actor, check_choice
from caunoi.ingest.tables import ImportReport, read_rows
from caunoi.store.units import UnitRepository, code_key
from caunoi.text.fold import fold
from caunoi.timezones import check_zone

__all__ = [
    "IMPORT_COLUMNS",
    "NOTE_COLUMNS",
    "SAMPLE",
    "UNIT_KINDS",
    "UNIT_TYPES",
    "DuplicateUnit",
    "ImportReport",
    "NotFound",
    "Unit",
    "UnitError",
    "UnitService",
    "code_key",
]

UNIT_KINDS = ("unit", "mission")
# what body a unit is: a mission abroad, or a body at home
UNIT_TYPES = (
    "embassy",
    "consulate_general",
    "consulate",
    "permanent_mission",
    "delegation",
    "office",
    "ministry_department",
    "press_agency",
    "other",
)
# what `edit` may change (the code names the unit and stays)
EDITABLE = (
    "name", "name_en", "kind", "type", "country", "countries", "city", "languages", "website", "timezone",
)  # fmt: skip


class UnitError(Invalid):
    """A unit or mission refused; the message says why and what to do instead."""


class NotFound(UnitError, errors.NotFound):
    """No unit or mission with that code."""

    kind = errors.NotFound.kind


class DuplicateUnit(UnitError, errors.Conflict):
    """A code (in any case) that a unit or mission already has."""

    kind = errors.Conflict.kind

    def __init__(self, code: str):
        super().__init__("unit_exists", "there is already a unit or mission with code {code}", code=code)


@dataclass(frozen=True)
class Unit:
    """A unit at headquarters or a mission abroad (then `country` is its seat's ISO 3166 two-letter
    code, and `countries` every country it covers, the seat first)."""

    code: str  # up to 40 letters, digits, '-', '_' or '.': how cases, users and the CLI name it
    name: str
    kind: str  # unit | mission
    country: str | None
    created_at: datetime
    name_en: str | None = None
    type: str | None = None  # one of UNIT_TYPES
    countries: tuple[str, ...] = ()
    city: str | None = None
    languages: tuple[str, ...] = ()  # the host media's languages, ISO 639 codes
    website: str | None = None
    updated_at: datetime | None = None
    retired_at: datetime | None = None
    timezone: str | None = None  # IANA name; None: its seat's zone (caunoi.timezones.unit_zone)

    @classmethod
    def from_row(cls, row: dict) -> Unit:
        return cls(**{**row, "countries": tuple(row.get("countries") or ()),
                      "languages": tuple(row.get("languages") or ())})  # fmt: skip


def _country(value: str) -> str:
    code = value.strip().upper()
    if not re.fullmatch(r"[A-Z]{2}", code):
        raise UnitError(
            "bad_country_code", "country {value!r}: give its ISO 3166 two-letter code, e.g. US", value=value
        )
    return code


def _language(value: str) -> str:
    code = value.strip().lower()
    if not re.fullmatch(r"[a-z]{2,3}", code):
        raise UnitError(
            "unit_bad_language", "language {value!r}: give its ISO 639 code, e.g. fr or vi", value=value
        )
    return code


def _codes(values: Iterable[str] | str | None, check) -> list[str]:
    """A list of codes from a list or from text separated by commas, spaces or '|', each checked,
    without repeats, in the order given."""
    if values is None:
        return []
    if isinstance(values, str):
        values = re.split(r"[,;|\s]+", values)
    found: list[str] = []
    for value in values:
        if value.strip() and (code := check(value)) not in found:
            found.append(code)
    return found


def _checked(values: dict) -> dict:
    """The fields of a unit as stored: trimmed, codes checked, empty text as None."""
    out = {}
    for name, value in values.items():
        if name in ("countries", "languages"):
            out[name] = _codes(value, _country if name == "countries" else _language)
        elif name == "country":
            out[name] = _country(value) if value and value.strip() else None
        elif name == "timezone":
            out[name] = check_zone(value, UnitError)
        else:
            out[name] = (value.strip() or None) if isinstance(value, str) else value
    if "kind" in out:  # a unit is always one or the other: an empty kind is refused, not stored
        check_choice(out["kind"], UNIT_KINDS, "unit kind", UnitError)
    if out.get("type") is not None:
        check_choice(out["type"], UNIT_TYPES, "unit type", UnitError)
    if out.get("website") and not re.match(r"https?://[^\s/]+", out["website"]):
        raise UnitError(
            "unit_bad_website", "website {value!r}: give an http(s) address", value=out["website"]
        )
    return out


IMPORT_COLUMNS = (
    "code",
    "name",
    "name_en",
    "kind",
    "type",
    "country",
    "countries",
    "city",
    "languages",
    "website",
    "timezone",
)
# columns a file may carry for its readers and that are not stored: `source`, where a row came from
NOTE_COLUMNS = ("source",)
# the units and missions shipped as data (`units import --sample`): a country's own list, with its
# provenance beside it (units.sample.SOURCE.md); another country ships its own file
SAMPLE = Path(__file__).resolve().parent / "data" / "units.sample.csv"


class UnitService:
    """The rules about units; every change takes `by`, the person who makes it (audited)."""

    def __init__(self, engine: Engine):
        self.repo = UnitRepository(engine)

    def add(
        self, code: str, name: str, *, by: str, kind: str = "unit", country: str | None = None, **details: Any
    ) -> Unit:
        """Add a unit or mission; `details` are the other fields of Unit (name_en, type, countries,
        city, languages, website, timezone)."""
        by = check_actor(by, UnitError)
        code = self._code(code)
        if unknown := set(details) - set(EDITABLE):
            raise TypeError(f"not a field of a unit: {sorted(unknown)}")
        # every list stored as one, even empty: a later edit then records only what it changes
        values = _checked({"name": name, "kind": kind, "country": country, "languages": (), **details})
        if not values["name"]:
            raise UnitError("unit_no_name", "unit {code}: give its name", code=code)
        values = self._seat_first({"code": code, **values})
        if not self.repo.add(values, by):
            raise DuplicateUnit(code)
        return self.get(code)

    def edit(self, code: str, *, by: str, **changes: Any) -> Unit:
        """Change some fields of a unit (those of EDITABLE); audited with before and after."""
        by = check_actor(by, UnitError)
        unit = self.get(code)
        if unknown := set(changes) - set(EDITABLE):
            raise UnitError("unit_not_editable", "a unit has no field {fields} to change",
                            fields=", ".join(sorted(unknown)))  # fmt: skip
        values = _checked(changes)
        if "name" in values and not values["name"]:
            raise UnitError("unit_no_name", "unit {code}: give its name", code=unit.code)
        current = {name: getattr(unit, name) for name in EDITABLE}
        self.repo.update(unit.code, self._seat_first({**current, **values}), by)
        return self.get(unit.code)

    def retire(self, code: str, *, by: str, retired: bool = True) -> Unit:
        """Retire a unit (it stays, for the cases and users that name it, but is no longer listed
        or offered), or with `retired=False` bring it back."""
        by = check_actor(by, UnitError)
        unit = self.get(code)
        self.repo.retire(unit.code, retired, by)
        return self.get(unit.code)

    def import_rows(
        self, rows: Iterable[tuple[int, dict[str, str]]], *, by: str, valid_only: bool = False
    ) -> ImportReport:
        """Add or change units from (line, row) pairs with IMPORT_COLUMNS (and NOTE_COLUMNS, read
        and not stored); a code already stored is changed to what the row says (re-importing a file
        changes nothing). Every row is checked first: with a refused row nothing is written, unless
        `valid_only`; then the valid rows are written in one transaction."""
        by = check_actor(by, UnitError)
        report = ImportReport()
        known = {code_key(u.code): u for u in self.list(retired=True)}
        adds: list[dict[str, Any]] = []
        edits: list[tuple[str, dict[str, Any]]] = []
        seen: dict[str, int] = {}
        for line, row in rows:
            given = {k: (row.get(k) or "").strip() for k in IMPORT_COLUMNS}
            try:
                if unknown := sorted(set(row) - set(IMPORT_COLUMNS) - set(NOTE_COLUMNS) - {""}):
                    raise UnitError("unit_import_column", "unknown column {columns}: the columns are {known}",
                                    columns=", ".join(unknown),
                                    known=", ".join(IMPORT_COLUMNS + NOTE_COLUMNS))  # fmt: skip
                code = self._code(given.pop("code"))
                if code_key(code) in seen:
                    raise UnitError("unit_import_repeat", "code {code} is already on line {line}",
                                    code=code, line=seen[code_key(code)])  # fmt: skip
                values = _checked({**given, "kind": given["kind"] or "unit", "type": given["type"] or None})
                if not values["name"]:
                    raise UnitError("unit_no_name", "unit {code}: give its name", code=code)
                values = self._seat_first(values)
            except UnitError as refusal:
                report.refuse(line, refusal, code=given.get("code") or row.get("code"))
                continue
            seen[code_key(code)] = line
            if (unit := known.get(code_key(code))) is None:
                adds.append({"code": code, **values})
            elif any(
                values[k] != (list(v) if isinstance(v := getattr(unit, k), tuple) else v) for k in values
            ):
                edits.append((unit.code, values))
            else:
                report.unchanged += 1
        if report.refused and not valid_only:
            return report
        self.repo.import_units(adds, edits, by)
        report.added = [a["code"] for a in adds]
        report.changed = [code for code, _ in edits]
        report.written = True
        return report

    def import_file(self, path: Path, *, by: str, valid_only: bool = False) -> ImportReport:
        """`import_rows` over a CSV (UTF-8), TSV or XLSX file whose first row names the columns;
        each refused row is reported with its row number in the file. A file that cannot be read
        as a table is refused whole (caunoi.ingest.tables.TableError)."""
        return self.import_rows(read_rows(path), by=by, valid_only=valid_only)

    def get(self, code: str) -> Unit:
        """The unit or mission with this code, in any case."""
        found = self.repo.find(code.strip())
        if found is None:
            raise NotFound(
                "unit_not_found", "no unit or mission with code {code!r}: add it first (units add)", code=code
            )
        return Unit.from_row(found)

    def history(self, code: str) -> list[dict[str, Any]]:
        """Every change to the unit, oldest first: at, actor, action, changes (before and after)."""
        return self.repo.history(self.get(code).code)

    @staticmethod
    def _code(code: str) -> str:
        code = unicodedata.normalize("NFC", code.strip())
        if not re.fullmatch(r"[\w.-]{1,40}", code):
            raise UnitError(
                "unit_bad_code",
                "unit code {code!r}: up to 40 letters, digits, '-', '_' or '.', no spaces",
                code=code,
            )
        return code

    @staticmethod
    def _seat_first(values: dict) -> dict:
        """A mission's countries start with its seat, and a seat alone is its only country."""
        countries = [c for c in values.get("countries") or [] if c != values.get("country")]
        if values.get("country"):
            countries.insert(0, values["country"])
        elif countries:
            values["country"] = countries[0]
        return {**values, "countries": countries}

    # -- last: the name `list` shadows the builtin in this class body ----------------------------

    def list(
        self, *, retired: bool = False, kind: str | None = None, type: str | None = None, text: str = ""
    ) -> list[Unit]:
        """Every unit, then every mission, by code; the retired ones too with `retired`; only those
        of a `kind` and a `type` when given, and holding every word of `text` (diacritics optional:
        "dai su quan" finds "Đại sứ quán") in their code, names, city or countries' codes."""
        units = [Unit.from_row(row) for row in self.repo.list()]
        words = fold(text).split()
        return [
            u for u in units
            if (retired or u.retired_at is None) and kind in (None, u.kind) and type in (None, u.type)
            and _holds(u, words)
        ]  # fmt: skip


def _holds(unit: Unit, words: list[str]) -> bool:
    """Whether every (folded) word is in the unit's code, names, city or countries' codes."""
    text = fold(" ".join(filter(None, (unit.code, unit.name, unit.name_en, unit.city, *unit.countries))))
    return all(word in text for word in words)
