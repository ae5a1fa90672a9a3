"""Information packs (thông tin định hướng, tài liệu): the positions, talking points, Q&A and
materials the centre sends to chosen missions, with files and a deadline. Each mission acknowledges
receipt, and later reports how it used the pack (and which of its activities did). The views a head
of unit needs: what was sent to whom, who has not acknowledged, who is overdue.

A recipient's state is `acknowledged`, `overdue` (not acknowledged and the deadline passed) or
`waiting`. Sending tells the recipients through the `notify` callable the service gives (the inbox
and e-mail of the alert channels); a failed notice never undoes a sending."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from caunoi.errors import check_actor, check_choice
from caunoi.outreach.campaigns import Campaigns
from caunoi.outreach.common import (
    FileInfo,
    NotFound,
    OutreachError,
    attach,
    clean,
    file_values,
    items,
    moment,
    utcnow,
    zone,
)
from caunoi.store.outreach import OutreachRepository
from caunoi.store.schema import packs
from caunoi.units import UnitService

PACK_KINDS = ("talking_points", "position", "qa", "materials")
RECIPIENT_STATES = ("waiting", "overdue", "acknowledged")
MAX_USAGE = 5000  # characters of a usage report

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Recipient:
    """A unit a pack was sent to, and whether and how it took it up."""

    unit: str
    state: str  # waiting | overdue | acknowledged
    sent_at: datetime
    sent_by: str | None
    acknowledged_at: datetime | None
    acknowledged_by: str | None
    usage: str | None
    reported_at: datetime | None
    activities: list[int]  # that unit's activities that used the pack


@dataclass(frozen=True)
class Pack:
    id: int
    title: str
    kind: str
    body: str
    campaign_id: int | None
    deadline: datetime | None  # UTC
    created_by: str | None
    created_at: datetime
    updated_at: datetime
    recipients: list[Recipient]
    files: list[FileInfo]
    history: list[dict[str, Any]] = field(default_factory=list)

    @property
    def counts(self) -> dict[str, int]:
        """Recipients by state."""
        found = dict.fromkeys(RECIPIENT_STATES, 0)
        for r in self.recipients:
            found[r.state] += 1
        return found

    def recipient(self, unit: str) -> Recipient | None:
        return next((r for r in self.recipients if r.unit.casefold() == unit.casefold()), None)

    @classmethod
    def from_row(
        cls, row: dict[str, Any], now: datetime, history: list[dict[str, Any]] | None = None
    ) -> Pack:
        recipients = []
        for r in row["recipients"]:
            if r["acknowledged_at"] is not None:
                state = "acknowledged"
            elif row["deadline"] is not None and row["deadline"] < now:
                state = "overdue"
            else:
                state = "waiting"
            used = [a for a, by_unit in row["used_by"] if by_unit == r["unit"]]
            recipients.append(
                Recipient(**{k: v for k, v in r.items() if k != "pack_id"}, state=state, activities=used)
            )
        files = [FileInfo(**{k: f[k] for k in FileInfo.__dataclass_fields__}) for f in row["files"]]
        fields = {k: v for k, v in row.items() if k not in ("recipients", "used_by", "files")}
        return cls(**fields, recipients=recipients, files=files, history=history or [])


Notify = Callable[["Pack", list[str]], None]


class Packs:
    """The rules about packs; every change takes `by`, who makes it (audited)."""

    def __init__(
        self,
        repo: OutreachRepository,
        units: UnitService,
        campaigns: Campaigns,
        max_file_bytes: int,
        timezone: str,
        notify: Notify | None = None,
        clock: Callable[[], datetime] = utcnow,
    ):
        self.repo, self.units, self.campaigns = repo, units, campaigns
        self.max_file_bytes, self.timezone, self.notify, self.clock = max_file_bytes, timezone, notify, clock

    def add(
        self,
        title: str,
        body: str,
        *,
        by: str,
        kind: str = "talking_points",
        campaign: str | int | None = None,
        deadline: datetime | str | None = None,
        timezone: str | None = None,
        to: Iterable[str] | str = (),
        files: Iterable[tuple[str, bytes]] = (),
    ) -> Pack:
        """A new pack, with its files, sent at once to the units `to` (if any). `deadline` is read
        in `timezone` (default: the organisation's)."""
        by = check_actor(by, OutreachError)
        values = self._values(title, body, kind, campaign, deadline, timezone)
        attached = [file_values(name, content, self.max_file_bytes) for name, content in files]
        recipients = self._units(to)
        pack_id = self.repo.add(packs, "pack", values, by)
        for file in attached:
            self.repo.add_file("pack", pack_id, file, by)
        if recipients:
            return self.send(pack_id, recipients, by=by)
        return self.get(pack_id)

    def edit(self, pack_id: int, *, by: str, timezone: str | None = None, **changes: Any) -> Pack:
        """Change title, body, kind, campaign or deadline; audited."""
        by = check_actor(by, OutreachError)
        pack = self.get(pack_id)
        if unknown := set(changes) - {"title", "body", "kind", "campaign", "deadline"}:
            raise OutreachError(
                "pack_not_editable", "a pack has no field {fields}", fields=", ".join(sorted(unknown))
            )
        given = {"title": pack.title, "body": pack.body, "kind": pack.kind, "campaign": pack.campaign_id,
                 "deadline": pack.deadline, **changes}  # fmt: skip
        tz = timezone if "deadline" in changes else "UTC"  # a stored deadline is UTC already
        values = self._values(
            given["title"], given["body"], given["kind"], given["campaign"], given["deadline"], tz
        )
        self.repo.change(packs, "pack", pack.id, values, by)
        return self.get(pack.id)

    def send(self, pack_id: int, to: Iterable[str] | str, *, by: str) -> Pack:
        """Send a pack to more units (those it was sent to already are left as they are) and tell them."""
        by = check_actor(by, OutreachError)
        pack = self.get(pack_id)
        new = self.repo.send_pack(pack.id, self._units(to), by)
        pack = self.get(pack.id)
        if new and self.notify is not None:
            try:
                self.notify(pack, new)
            except Exception:  # a notice that fails does not undo the sending; it is logged
                log.exception("pack %s: telling %s failed", pack.id, ", ".join(new))
        return pack

    def acknowledge(self, pack_id: int, unit: str, *, by: str, undo: bool = False) -> Pack:
        """Record that `unit` received the pack (or, with `undo`, take that back)."""
        by = check_actor(by, OutreachError)
        pack, code = self.get(pack_id), self.units.get(unit).code
        if self.repo.acknowledge(pack.id, code, by, undo) is None:
            raise NotFound("pack_not_sent", "pack {id} was not sent to {unit}", id=pack.id, unit=code)
        return self.get(pack.id)

    def report_use(
        self, pack_id: int, unit: str, usage: str, *, by: str, activities: Iterable[int] = ()
    ) -> Pack:
        """Record how `unit` used the pack and which of its activities did (they must be that unit's)."""
        by = check_actor(by, OutreachError)
        pack, code = self.get(pack_id), self.units.get(unit).code
        usage = clean(usage) or ""
        if not usage or len(usage) > MAX_USAGE:
            raise OutreachError("pack_bad_usage", "say in at most {limit} characters how the pack was used",
                                limit=MAX_USAGE)  # fmt: skip
        ids = [int(a) for a in activities]
        rows = {r["id"]: r for r in self.repo.activity_rows(ids)} if ids else {}
        for activity_id in ids:
            if activity_id not in rows:
                raise NotFound(
                    "activity_not_found", "no activity with id or key {ref!r}", ref=str(activity_id)
                )
            if rows[activity_id]["unit"] != code:
                raise OutreachError("pack_activity_not_theirs", "activity {id} is not one of {unit}'s",
                                    id=activity_id, unit=code)  # fmt: skip
        if not self.repo.report_use(pack.id, code, usage, ids, by):
            raise NotFound("pack_not_sent", "pack {id} was not sent to {unit}", id=pack.id, unit=code)
        return self.get(pack.id)

    def attach(self, pack_id: int, name: str, content: bytes, *, by: str) -> FileInfo:
        by = check_actor(by, OutreachError)
        pack = self.get(pack_id)
        return attach(self.repo, "pack", pack.id, name, content, by, self.max_file_bytes)

    def get(self, pack_id: int) -> Pack:
        rows = self.repo.pack_rows([int(pack_id)])
        if not rows:
            raise NotFound("pack_not_found", "no pack with id {id}", id=pack_id)
        return Pack.from_row(rows[0], self.clock(), self.repo.history("pack", pack_id))

    def _values(
        self, title: str, body: str, kind: str, campaign: Any, deadline: Any, timezone: str | None
    ) -> dict[str, Any]:
        title, body = clean(title), clean(body)
        if not title:
            raise OutreachError("pack_no_title", "a pack needs a title")
        if not body:
            raise OutreachError("pack_no_body", "a pack needs its text: the positions, talking points or Q&A")
        tz = zone(timezone or self.timezone)
        return {
            "title": title,
            "body": body,
            "kind": check_choice(kind, PACK_KINDS, "pack kind", OutreachError),
            "campaign_id": self.campaigns.resolve(campaign) if campaign not in (None, "") else None,
            "deadline": moment(deadline, tz, "deadline"),
        }

    def _units(self, codes: Iterable[str] | str) -> list[str]:
        return [self.units.get(code).code for code in items(codes, r"[,;|\s]+")]

    # -- last: the name `list` shadows the builtin in this class body ----------------------------

    def list(
        self, *, unit: str | None = None, campaign: str | int | None = None, state: str | None = None
    ) -> list[Pack]:
        """Packs, newest first; with `unit`, those sent to it; with `state`, those with a recipient
        (that unit, if given) in that state — `state="overdue"` is who has not acknowledged in time."""
        if state is not None:
            check_choice(state, RECIPIENT_STATES, "state", OutreachError)
        code = self.units.get(unit).code if unit else None
        campaign_id = self.campaigns.resolve(campaign) if campaign not in (None, "") else None
        now = self.clock()
        found = [Pack.from_row(row, now) for row in self.repo.pack_rows(unit=code, campaign_id=campaign_id)]
        if state is not None:
            found = [
                p
                for p in found
                if any(r.state == state and (code is None or r.unit == code) for r in p.recipients)
            ]
        return found
