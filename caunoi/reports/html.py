"""HTML for people: the alert mail, the pack notice mail, the morning brief (điểm tin) and the weekly
digest (the two share caunoi/reports/templates/_sheet.html.j2), from
Jinja2 templates in caunoi/reports/templates/, with every value escaped (titles and summaries come
from fetched pages).

`environment` is the one place that says how Cầu Nối's templates are read: the web UI
(caunoi.app.ui.render) builds its environment over caunoi/app/templates with it, adding its own
filters. The two sets keep two environments because they give the same filter names other
meanings (`tone` has two decimals on the pages, one in the brief; the pages' `when` also reads ISO
text); what they share — the escaping, the whitespace control, the label table templates read as
`t` (Labels) — is written once, here."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape

from caunoi.i18n import LABELS, REPORT_LABELS

TEMPLATES = Path(__file__).resolve().parent / "templates"


def environment(folder: Path, **filters: Callable[..., Any]) -> Environment:
    """A Jinja environment over one folder of templates, with `filters`: every value escaped in
    .html and .j2 templates (they show text from fetched pages), and a block tag takes no line of
    its own (trim_blocks, lstrip_blocks)."""
    env = Environment(
        loader=FileSystemLoader(folder),
        autoescape=select_autoescape(("html", "j2")),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(filters)
    return env


class Labels:
    """A label table as templates read it: `t.clear` and `t["clear"]` are the label "clear", never
    a method of the table. (Jinja reads `t.clear` as an attribute first, so on a dict it was
    dict.clear and a page said "<built-in method clear of dict object …>"; the same waits for any
    label named like a dict method: copy, get, items, keys, pop, update, values.) A label the
    table lacks is Jinja's undefined, shown as nothing."""

    __slots__ = ("_table",)

    def __init__(self, table: Mapping[str, str]) -> None:
        self._table = table

    def __getattr__(self, name: str) -> str:
        if name.startswith("_"):  # Python's own protocols (copy, pickle) are not labels
            raise AttributeError(name)
        try:
            return self._table[name]
        except KeyError:
            raise AttributeError(name) from None

    def __getitem__(self, key: str) -> str:
        return self._table[key]

    def __contains__(self, key: object) -> bool:
        return key in self._table


@cache
def _env() -> Environment:
    return environment(
        TEMPLATES,
        tone=lambda v: "" if v is None else f"{v:+.1f}",
        when=lambda v: v.strftime("%d/%m/%Y %H:%M") if isinstance(v, datetime) else (v or ""),
        day=lambda v: v.strftime("%d/%m/%Y"),
        figure=lambda v: "–" if v is None else (f"{v:+.2f}" if isinstance(v, float) else str(v)),
    )


def render(template: str, **context: Any) -> str:
    return _env().get_template(template).render(**context)


def alert_mail(alert: dict[str, Any]) -> tuple[str, str, str]:
    """(subject, html, text) of the mail for one alert."""
    subject = f"[Cầu Nối] {alert['title']}"[:200]
    html = render("alert_mail.html.j2", alert=alert, t=Labels(REPORT_LABELS["vi"]))
    why = "; ".join(f"{k}: {v}" for k, v in alert["why"].items() if not isinstance(v, list | dict))
    text = f"{alert['title']}\n\n{alert['rule']} ({alert['kind']}, {alert['severity']})\n{why}\n"
    return subject, html, text


def pack_mail(notice: dict[str, Any], public_url: str = "") -> tuple[str, str, str]:
    """(subject, html, text) of the mail telling a unit that a pack was sent to it, in Vietnamese:
    the pack, its deadline with its zone (and the unit's own time) and the link — `public_url`
    before the page's path, when it is set. None of the pack's text: that is read in Cầu Nối."""
    why = notice["why"]
    deadline = _local_time(why["deadline"], why["timezone"], "(giờ {zone})")
    if deadline and why.get("unit_deadline"):
        deadline += ", tức " + _local_time(why["unit_deadline"], why["unit_timezone"], "giờ {zone}")
    facts = {
        "title": why["pack_title"],
        "kind": LABELS["vi"].get(f"pack_kind_{why['pack_kind']}", why["pack_kind"]),
        "unit": why["unit_name"],
        "deadline": deadline,
        "files": why["files"],
        "link": public_url.rstrip("/") + why["link"],
    }
    subject = f"[Cầu Nối] Bộ thông tin mới: {facts['title']}"
    if why["deadline"]:
        subject += f" (hạn {datetime.fromisoformat(why['deadline']):%d/%m/%Y})"
    attached = f", kèm {facts['files']} tệp" if facts["files"] else ""
    text = "\n".join(
        [
            f"Kính gửi: {facts['unit']}",
            "",
            f"Trung tâm đã gửi tới quý cơ quan bộ thông tin «{facts['title']}» ({facts['kind']}){attached}.",
            f"Hạn: {deadline}." if deadline else "Bộ thông tin không đặt hạn.",
            f"Xin xem và xác nhận đã nhận tại: {facts['link']}",
            "",
            "Thư gửi tự động từ Cầu Nối; nội dung bộ thông tin chỉ xem trong Cầu Nối.",
            "",
        ]
    )
    return subject[:200], render("pack_mail.html.j2", n=facts), text


def _local_time(iso: str | None, zone: str, said: str) -> str | None:
    """A time given with its offset, as the mail says it, with its zone's name `said` after it:
    17:00 20/01/2027 (giờ Asia/Ho_Chi_Minh)."""
    if not iso:
        return None
    return f"{datetime.fromisoformat(iso):%H:%M %d/%m/%Y} " + said.format(zone=zone)


def brief_html(brief: dict[str, Any], lang: str = "vi") -> str:
    return render("brief.html.j2", b=brief, t=Labels(REPORT_LABELS[lang]), lang=lang)


def brief_text(brief: dict[str, Any], lang: str = "vi") -> str:
    """The plain-text part of the brief mail."""
    t = REPORT_LABELS[lang]
    lines = [f"{t['brief']} — {brief['start']:%d/%m/%Y %H:%M} … {brief['end']:%d/%m/%Y %H:%M}", ""]
    if brief.get("note"):
        lines += [brief["note"].strip(), ""]
    return "\n".join(lines + _stories_text(brief["groups"], t))


def _stories_text(groups: list[dict[str, Any]], t: dict[str, str]) -> list[str]:
    """The stories of a brief or digest, section by section, as lines of the mail's text part."""
    lines = []
    for group in groups:
        lines.append(group["label"].upper())
        for s in group["stories"]:
            lines.append(
                f"- {s['title']} ({s['in_window']} {t['articles']},"
                f" {', '.join(o for o, _ in s['outlets'][:3])})"
            )
            lines += [f"  {x['text']}" for x in s["summary"][:2]]
            if s.get("comment"):
                lines.append(f"  {t['comment']}: {s['comment']}")
        lines.append("")
    return lines


def brief_mail(brief: dict[str, Any], lang: str = "vi") -> tuple[str, str, str]:
    """(subject, html, text) of the brief's mail: "Điểm tin 30/04/2021"."""
    subject = f"{REPORT_LABELS[lang]['brief_mail']} {brief['end']:%d/%m/%Y}"
    return subject, brief_html(brief, lang), brief_text(brief, lang)


def digest_mail(digest: dict[str, Any], lang: str = "vi") -> tuple[str, str, str]:
    """(subject, html, text) of the weekly digest's mail: "Tổng hợp tuần 23/04/2021 – 29/04/2021"."""
    t = REPORT_LABELS[lang]
    days = f"{digest['start']:%d/%m/%Y} – {digest['last']:%d/%m/%Y}"
    html = render("digest.html.j2", b=digest, t=Labels(t), lang=lang)
    lines = [f"{t['digest']} — {days}", f"{t['digest_sub']}", ""]
    for f in digest["figures"]:
        before = f"({t['week_before']}: {_figure(f['before'])})"
        lines.append(f"{f['label']}: {_figure(f['this'])} {before} {f['change']}".rstrip())
    lines += ["", t["top_week"].upper(), ""]
    return f"{t['digest_mail']} {days}", html, "\n".join(lines + _stories_text(digest["groups"], t))


def _figure(value: Any) -> str:
    return _env().filters["figure"](value)
