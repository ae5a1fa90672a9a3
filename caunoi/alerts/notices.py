"""Telling units that an information pack was sent to them (caunoi.outreach.packs calls the
service's `notify` with the pack and the units new to it). Each unit gets a notice in the inbox —
an alert of kind "pack", raised by no rule, naming the pack and the unit and linking to
/packs/{id} — and, when an enabled e-mail channel is named as the unit's code (`caunoi alerts
channel-add DSQ-PHAP --email …`), a mail queued as alert mail is: deliver.py sends it, retried and
given up the same way. A unit is told once of a pack.

The mail (caunoi.reports.html.pack_mail) names the pack, its deadline in the organisation's zone
(and in the unit's, when its seat's country has one zone) and the link; it carries none of the
pack's text, which is read in Cầu Nối. An inbox notice whose deadline passed with no
acknowledgement says so when it is shown. Never decides who gets a pack (caunoi.outreach)."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from caunoi.outreach.common import local, utcnow, zone_of_country

if TYPE_CHECKING:
    from caunoi.outreach import Pack
    from caunoi.units import Unit

OVERDUE = "[QUÁ HẠN, chưa xác nhận] "  # before the title of a notice past its deadline
TITLE_CHARS = 300


def pack_notices(pack: Pack, units: list[Unit], timezone: str, now: datetime) -> list[dict[str, Any]]:
    """The inbox rows (column values) telling each of `units` that `pack` was sent to it at `now`:
    its deadline given in `timezone` (the organisation's) and in the unit's own zone."""
    notices = []
    for unit in units:
        own = zone_of_country(unit.country)
        own = own if own and own != timezone else None
        deadline = local(pack.deadline, timezone)
        why = {
            "pack": pack.id,
            "pack_title": pack.title,
            "pack_kind": pack.kind,
            "unit": unit.code,
            "unit_name": unit.name,
            "deadline": deadline.isoformat() if deadline else None,
            "timezone": timezone,
            "unit_deadline": local(pack.deadline, own).isoformat() if deadline and own else None,
            "unit_timezone": own,
            "files": len(pack.files),
            "link": f"/packs/{pack.id}",
        }
        title = f"Bộ thông tin gửi {unit.name}: {pack.title}"
        if deadline:
            title += f" — hạn {deadline:%H:%M %d/%m/%Y} ({timezone})"
        notices.append(
            {
                "pack_id": pack.id,
                "unit": unit.code,
                "story_id": None,
                "window_start": now,  # a notice is about one moment: the sending
                "window_end": now,
                "severity": "medium",
                "title": title[:TITLE_CHARS],
                "why": why,
                "digest": False,
            }
        )
    return notices


def shown(row: dict[str, Any], now: datetime | None = None) -> dict[str, Any]:
    """An inbox row as people read it: a pack notice whose deadline passed before its unit
    acknowledged the pack says so first in its title (the stored title is left as it is)."""
    deadline, acknowledged = row.pop("pack_deadline", None), row.pop("pack_acknowledged_at", None)
    if row.get("pack_id") and deadline is not None and acknowledged is None and deadline < (now or utcnow()):
        row["title"] = OVERDUE + row["title"]
    return row
