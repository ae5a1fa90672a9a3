"""Units and missions (đơn vị, cơ quan đại diện): the units at headquarters and the missions abroad
that cases are assigned to and a mission officer is bound to — and, next, that outreach and reports
are scoped by. Interfaces call `UnitService`; the SQL lives in `caunoi.store.units`.

This module knows nothing of cases, users, fact sheets or outreach: they use it, never the other way
round. A code is matched in any case ("dsq-us" finds DSQ-US, "đsq-us" ĐSQ-US, on either backend:
`code_key`) and kept as it was first written (in NFC)."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine

from caunoi import errors
from caunoi.errors import Invalid, check_actor, check_choice
from caunoi.store.units import UnitRepository, code_key

__all__ = ["UNIT_KINDS", "NotFound", "Unit", "UnitError", "UnitService", "code_key"]

UNIT_KINDS = ("unit", "mission")


class UnitError(Invalid):
    """A unit or mission refused; the message says why and what to do instead."""


class NotFound(UnitError, errors.NotFound):
    """No unit or mission with that code."""

    kind = errors.NotFound.kind


@dataclass(frozen=True)
class Unit:
    """A unit at headquarters or a mission abroad (then `country` is its ISO 3166 two-letter code)."""

    code: str  # up to 40 letters, digits, '-', '_' or '.': how cases, users and the CLI name it
    name: str
    kind: str  # unit | mission
    country: str | None
    created_at: datetime


class UnitService:
    """The rules about units; adding one takes `by`, the person who adds it (audited)."""

    def __init__(self, engine: Engine):
        self.repo = UnitRepository(engine)

    def add(self, code: str, name: str, *, by: str, kind: str = "unit", country: str | None = None) -> Unit:
        by = check_actor(by, UnitError)
        code, name = unicodedata.normalize("NFC", code.strip()), name.strip()
        if not re.fullmatch(r"[\w.-]{1,40}", code):
            raise UnitError(
                "unit_bad_code",
                "unit code {code!r}: up to 40 letters, digits, '-', '_' or '.', no spaces",
                code=code,
            )
        if not name:
            raise UnitError("unit_no_name", "unit {code}: give its name", code=code)
        check_choice(kind, UNIT_KINDS, "unit kind", UnitError)
        if country is not None:
            country = country.strip().upper()
            if not re.fullmatch(r"[A-Z]{2}", country):
                raise UnitError(
                    "bad_country_code",
                    "country {value!r}: give its ISO 3166 two-letter code, e.g. US",
                    value=country,
                )
        values = {"code": code, "name": name, "kind": kind, "country": country}
        if not self.repo.add(values, by):
            raise UnitError("unit_exists", "there is already a unit or mission with code {code}", code=code)
        return self.get(code)

    def get(self, code: str) -> Unit:
        """The unit or mission with this code, in any case."""
        found = self.repo.find(code.strip())
        if found is None:
            raise NotFound(
                "unit_not_found", "no unit or mission with code {code!r}: add it first (units add)", code=code
            )
        return Unit(**found)

    # -- last: the name `list` shadows the builtin in this class body ----------------------------

    def list(self) -> list[Unit]:
        """Every unit, then every mission, by code."""
        return [Unit(**row) for row in self.repo.list()]
