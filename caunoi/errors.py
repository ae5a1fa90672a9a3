"""The refusals a user can hit, as data: a code, the values it names, and its English wording.

Every refusal of a domain module is a `CaunoiError` of one of four kinds — `NotFound` (what was asked
for does not exist), `Invalid` (what was given cannot be used), `Conflict` (it clashes with what is
stored), `Unavailable` (the store or a service cannot be reached) — raised as

    raise CaseError("case_closed", "case {case} is closed: reopen it first", case=12)

`str(error)` is the English the CLI and the API print, as before codes existed; `error.code` and
`error.params` let caunoi.i18n say it in the page's language (its catalogue has a wording for every
code the code raises, and a test keeps the two in step), and let the API map a kind to a status.
This module imports nothing of caunoi: every layer may use it.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, ClassVar, Self


class CaunoiError(Exception):
    """A refusal: `code` names it (snake_case, unique), `template` is its English with {name}
    placeholders filled from `params`."""

    kind: ClassVar[str] = "invalid"

    def __init__(self, code: str, template: str, /, **params: Any):
        self.code = code
        self.template = template
        self.params = params
        super().__init__(template.format(**params) if params else template)

    @classmethod
    def like(cls, other: CaunoiError) -> Self:
        """The refusal `other` (its code, wording and values) as one of this class: how a module
        passes on the refusal of a module it calls as its own, e.g. `raise NotFound.like(exc)`."""
        return cls(other.code, other.template, **other.params)


class NotFound(CaunoiError):
    kind = "not_found"


class Invalid(CaunoiError, ValueError):
    kind = "invalid"


class Conflict(CaunoiError):
    kind = "conflict"


class Unavailable(CaunoiError):
    kind = "unavailable"


def check_actor(by: str | None, error: type[CaunoiError] = Invalid) -> str:
    """Who makes a change, as the audit log keeps it: given, and at most 100 characters."""
    by = (by or "").strip()
    if not by:
        raise error("actor_missing", "say who makes the change (by)")
    if len(by) > 100:
        raise error("actor_too_long", "the name of who makes the change is longer than 100 characters")
    return by


def check_choice(value: str, allowed: Iterable[str], what: str, error: type[CaunoiError] = Invalid) -> str:
    """`value` if it is one of `allowed`, else a refusal listing them (`what` names the field)."""
    allowed = tuple(allowed)
    if value not in allowed:
        raise error("bad_choice", "{what} {value!r}: use one of {allowed}", what=what, value=value,
                    allowed=", ".join(allowed))  # fmt: skip
    return value
