"""How a page is rendered: the UI's Jinja environment over caunoi/app/templates (built by
caunoi.reports.html.environment, as the brief's and the alert mail's is) with the UI's filters,
the page's language, and what every template sees (labels, user, CSRF token, navigation,
names of countries and topics, the unread alerts' count of the navigation, the reader's time zone).
It reads the request and the user, and asks the service two things: that count (one COUNT query a
page) and the zone (the mission officer's mission, one small read; caunoi.timezones)."""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, pass_context
from markupsafe import Markup, escape

from caunoi.app.auth import service_of
from caunoi.i18n import LABELS, LANGS, name_of, refusal
from caunoi.reports.html import Labels, environment
from caunoi.timezones import shown, zone, zone_note
from caunoi.users import can, permission

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
LANG_COOKIE = "lang"


@functools.cache
def _env() -> Environment:
    return environment(
        TEMPLATES,
        day=_day,
        when=_when,
        moment=_moment,
        zone_now=_zone_now,
        tone=lambda v: "" if v is None else f"{v:+.2f}",
        marked=marked,
        changes=_changes,
        sparkline=sparkline,
        figure=_figure,
    )


def _day(value: Any) -> str:
    if isinstance(value, str):
        value = datetime.fromisoformat(value) if value else None
    return value.strftime("%d/%m/%Y") if isinstance(value, date) else ""


def _when(value: Any) -> str:
    if isinstance(value, str):
        value = datetime.fromisoformat(value) if value else None
    return value.strftime("%d/%m/%Y %H:%M") if isinstance(value, datetime) else _day(value)


@pass_context
def _moment(context: Any, value: Any) -> str:
    """A stored moment (a deadline, an alert, an audit entry: UTC) in the reader's zone, named:
    25/11/2026 10:18 (GMT+1, Paris). Articles' times are Hà Nội wall-clock: those take `when`."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value) if value else None
    if not isinstance(value, datetime):
        return _day(value)
    return shown(value, context.get("reader_zone") or "UTC", context.get("lang") or "vi")


@pass_context
def _zone_now(context: Any, name: str) -> str:
    """Whose time a form reads a typed time in, as it is now: "GMT+1, Paris"."""
    return zone_note(datetime.now(zone(name)), context.get("lang") or "vi")


def marked(snippet: str, highlights: list[tuple[int, int]]) -> Markup:
    """The snippet escaped, with its highlight spans (offsets into the raw text) in <mark>."""
    out, at = [], 0
    for start, end in sorted(highlights):
        if start < at or end <= start:
            continue
        out += [escape(snippet[at:start]), Markup("<mark>"), escape(snippet[start:end]), Markup("</mark>")]
        at = end
    out.append(escape(snippet[at:]))
    return Markup("").join(out)


def sparkline(counts: Sequence[int], bar: int = 6, height: int = 22) -> Markup:
    """Counts as a small bar chart in inline SVG (no script; the page's CSP allows it), oldest
    first, the last bar (the window the counts lead to) marked; its title gives the counts."""
    values = [max(0, int(c)) for c in counts]
    top = max(values, default=0) or 1
    bars = []
    for i, n in enumerate(values):
        tall = max(1, round(n / top * (height - 2)))
        last = ' class="now"' if i == len(values) - 1 else ""
        bars.append(
            f'<rect x="{i * (bar + 2)}" y="{height - tall}" width="{bar}" height="{tall}"{last}></rect>'
        )
    width = max(1, len(values) * (bar + 2) - 2)
    said = ", ".join(map(str, values))
    return Markup(
        f'<svg class="spark" role="img" aria-label="{said}" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}"><title>{said}</title>{"".join(bars)}</svg>'
    )


def _figure(value: Any) -> str:
    """A figure of an alert's `why` as text (escaped by Jinja): 3.49, "a (3), b (2)", 1, 0, 11."""
    if value is None or value == "":
        return "–"
    if isinstance(value, bool):
        return "✓" if value else "–"
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, list):
        if all(isinstance(v, list | tuple) and len(v) == 2 for v in value):  # (name, count) pairs
            return ", ".join(f"{a} ({b})" for a, b in value)
        return ", ".join(map(str, value))
    if isinstance(value, str) and _ISO.match(value):
        try:
            return _when(value)
        except ValueError:  # looks like a time and is not one
            return value
    return str(value)


_ISO = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d")


def lang_of(request: Request, user: dict[str, Any] | None = None) -> str:
    chosen = request.cookies.get(LANG_COOKIE)
    if chosen in LANGS:
        return chosen
    return (user or {}).get("lang") if (user or {}).get("lang") in LANGS else "vi"


def _render(
    request: Request, user: dict[str, Any] | None, template: str, status: int = 200, **context: Any
) -> HTMLResponse:
    lang = lang_of(request, user)
    for key in ("error", "message"):  # a refusal, in the page's language
        if key in context:
            context[key] = refusal(context[key], lang)
    here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    nav = []
    unread = 0
    service = service_of(request)
    if user is not None and status < 400:  # an error page needs no badge, nor another query
        unread = service.alerts.unread(user)
    if user is not None:
        nav = [
            ("/", "dashboard"),
            ("/search", "search"),
            ("/attention", "attention"),
            ("/stories", "stories"),
        ]
        nav.append(("/alerts", "alerts"))
        nav.append(("/brief", "brief"))
        nav += [("/cases", "cases"), ("/factsheets", "factsheets")]
        if permission(user, "outreach.read"):  # outreach (issue 15)
            nav += [("/activities", "activities"), ("/campaigns", "campaigns"), ("/packs", "packs")]
            nav.append(("/evaluation", "evaluation"))  # issue 16
            nav.append(("/reports", "reports"))  # review report drafts
        nav.append(("/units", "units"))
        if permission(user, "source.manage"):
            nav.append(("/sources", "sources"))
        if permission(user, "user.manage"):  # administration (issue 21): admins only
            nav.append(("/admin", "admin"))
        if permission(user, "audit.read"):
            nav.append(("/audit", "audit"))
    html = (
        _env()
        .get_template(template)
        .render(
            t=Labels(LABELS[lang]),
            lang=lang,
            user=user,
            csrf=((user or {}).get("session") or {}).get("csrf_token", ""),
            here=here,
            path=request.url.path,
            nav=nav,
            unread=unread,
            can=lambda action, obj=None: user is not None and can(user, action, obj),
            name_of=functools.partial(name_of, lang=lang),
            label=functools.partial(_label, LABELS[lang]),
            reader_zone=context.pop("reader_zone", None) or service.zone_of(user),
            **context,
        )
    )
    return HTMLResponse(html, status_code=status)


@pass_context
def _changes(context: Any, changes: Any) -> str:
    """An audit row's changes as text: "priority: normal → high; unit: – → VU-TT" (escaped by Jinja);
    a moment changed (a deadline: kept in UTC as ISO text) in the reader's zone, named."""
    if not isinstance(changes, dict):
        return "" if changes is None else str(changes)
    parts = []
    for field, change in changes.items():
        if isinstance(change, list) and len(change) == 2:
            before, after = (_shown(context, v) for v in change)
            parts.append(f"{field}: {before} → {after}")
        else:
            parts.append(f"{field}: {change}")
    return "; ".join(parts)


_ISO_TIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d")


def _shown(context: Any, value: Any) -> Any:
    if value in (None, ""):
        return "–"
    if isinstance(value, dict):  # a response: its title says which
        return value.get("title") or value.get("kind") or value.get("id")
    if isinstance(value, list):  # a unit's countries or languages
        return ", ".join(map(str, value)) or "–"
    if isinstance(value, str) and _ISO_TIME.match(value):  # a moment (UTC), as the audit log keeps it
        return _moment(context, value)
    return value


def _label(t: dict[str, str], group: str, value: str) -> str:
    """A code's words: ("priority", "high") -> "Cao"; a code without a label shows as itself."""
    return t.get(f"{group}_{value}", value)
