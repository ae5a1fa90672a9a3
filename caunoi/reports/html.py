"""HTML for people: the alert mail, the pack notice mail, the morning brief (điểm tin) and the weekly
digest (the two share caunoi/reports/templates/_sheet.html.j2), and a report (`document_html`: a
reports/document.py `Document` as one printable page, the web preview of a review report and what
WeasyPrint prints to PDF), from Jinja2 templates in caunoi/reports/templates/, with every value escaped
(titles and summaries come from fetched pages).

`environment` is the one place that says how Cầu Nối's templates are read: the web UI
(caunoi.app.ui.render) builds its environment over caunoi/app/templates with it, adding its own
filters. The two sets keep two environments because they give the same filter names other
meanings (`tone` has two decimals on the pages, one in the brief; the pages' `when` also reads ISO
text); what they share — the escaping, the whitespace control, the label table templates read as
`t` (Labels) — is written once, here."""

from __future__ import annotations

import base64
from collections.abc import Callable, Mapping
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape

from caunoi.i18n import LABELS, REPORT_LABELS
from caunoi.reports import layout
from caunoi.reports.document import Document, Figure, Heading, Paragraph, Table, national, place_date, words
from caunoi.timezones import ARTICLE_ZONE, HANOI, shown

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


def alert_mail(alert: dict[str, Any], timezone: str = HANOI) -> tuple[str, str, str]:
    """(subject, html, text) of the mail for one alert: when it was raised (kept in UTC) in the
    organisation's zone `timezone`, and its window in the articles' own clock (Hà Nội's), each
    with its zone named."""
    subject = f"[Cầu Nối] {alert['title']}"[:200]
    t = REPORT_LABELS["vi"]
    times = {
        "window": alert_window(alert["window_start"], alert["window_end"]),
        "raised": shown(alert.get("created_at"), timezone),
    }
    html = render("alert_mail.html.j2", alert=alert, t=Labels(t), times=times)
    why = "; ".join(f"{k}: {v}" for k, v in alert["why"].items() if not isinstance(v, list | dict))
    text = f"{alert['title']}\n\n{alert['rule']} ({alert['kind']}, {alert['severity']})\n{why}\n"
    text += f"{t['alert_window']}: {times['window']}\n{t['raised_at']}: {times['raised']}\n"
    return subject, html, text


def alert_window(start: datetime | None, end: datetime | None, lang: str = "vi") -> str:
    """An alert's window, in the articles' clock (Hà Nội's wall-clock, caunoi.timezones), its zone
    named: "07/12/2026 08:00 – 07/12/2026 09:00 (GMT+7, Hà Nội)"."""
    if start is None or end is None:
        return ""
    return f"{start:%d/%m/%Y %H:%M} – " + shown(end, ARTICLE_ZONE, lang, stored=ARTICLE_ZONE)


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
    return "\n".join(lines + _stories_text(brief["groups"], t) + _foreign_text(brief.get("foreign"), t))


def _foreign_text(foreign: dict[str, Any] | None, t: dict[str, str]) -> list[str]:
    """The brief's foreign press as lines of the mail's text part (none for a brief saved before it)."""
    if foreign is None:
        return []
    lines = [t["foreign_press"].upper()]
    for a in foreign["articles"]:
        outlet = ", ".join(p for p in (a["source"], a.get("country")) if p)
        lines.append(f"- {a['title']} ({outlet})" + (f"\n  {a['url']}" if a.get("url") else ""))
    return [*lines, *([] if foreign["articles"] else [t["foreign_none"]]), ""]


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


# -- a report ----------------------------------------------------------------------------------------

# the names a system's own Times New Roman goes by (full name, PostScript name), tried before the
# shipped Liberation Serif: a browser or WeasyPrint uses the real face where it is installed
_LOCAL_NAMES = {
    (False, False): ("Times New Roman", "TimesNewRomanPSMT"),
    (True, False): ("Times New Roman Bold", "TimesNewRomanPS-BoldMT"),
    (False, True): ("Times New Roman Italic", "TimesNewRomanPS-ItalicMT"),
    (True, True): ("Times New Roman Bold Italic", "TimesNewRomanPS-BoldItalicMT"),
}


def document_html(doc: Document, *, font_base: str | None = None) -> str:
    """The report as one HTML page in the administrative layout, with its print CSS (A4, the style's
    margins, page numbers from page 2) and its figures inline (data: URIs). `font_base` is where the
    page finds the shipped font files (default: their folder as a file: URL, which WeasyPrint reads;
    a web page gives the address it serves caunoi/data/fonts at)."""
    return render("report.html.j2", r=report_view(doc, font_base))


def report_view(doc: Document, font_base: str | None = None) -> dict[str, Any]:
    """What the report template shows, every word and number worked out: the template only places."""
    lay = layout.layout_of(doc)
    title, motto = national(doc.style, doc.lang)
    base = (font_base or layout.FONTS.as_uri()).rstrip("/") + "/"
    top, bottom, left, right = lay.margins_mm
    css = [
        f".head-left {{ width: {lay.header_left_mm}mm; }}",
        f".national-rule {{ width: {layout.motto_rule_mm(doc, motto or title):.1f}mm; }}",
        ".sign-left { width: 45%; }",
    ]
    if lay.issuer_mark == "rule":
        css.append(f".issuer-rule {{ width: {layout.issuer_rule_mm(doc):.1f}mm; }}")
    if lay.subject_mark == "rule":
        css.append(f".subject-rule {{ width: {layout.subject_rule_mm(doc):.1f}mm; }}")
    at, mark = layout.closing(doc)
    blocks: list[dict[str, Any]] = []
    for i, block in enumerate(doc.blocks):
        n = i + 1
        if isinstance(block, Heading):
            blocks.append(
                {"type": "heading", "level": min(block.level, 3), "text": layout.heading_text(block)}
            )
        elif isinstance(block, Paragraph):
            blocks.append({"type": "paragraph", "runs": block.runs, "closing": mark if i == at else ""})
        elif isinstance(block, Table):
            widths = layout.column_widths_mm(block.columns, block.rows, lay.text_width_mm)
            total = sum(widths)
            css += [f".t{n} .c{j} {{ width: {100 * w / total:.2f}%; }}" for j, w in enumerate(widths, 1)]
            align = block.align or ("left",) * len(block.columns)
            blocks.append({
                "type": "table", "n": n, "caption": block.caption, "columns": block.columns,
                "rows": block.rows, "align": align, "note": block.note,
            })  # fmt: skip
        elif isinstance(block, Figure):
            css.append(f".f{n} img {{ width: {min(block.width_mm, lay.text_width_mm):.1f}mm; }}")
            blocks.append({
                "type": "figure", "n": n, "caption": block.caption, "alt": block.alt or block.caption,
                "src": "data:image/png;base64," + base64.b64encode(block.png).decode("ascii"),
            })  # fmt: skip
    sig = doc.signature
    line_height = f"{lay.line_exact_pt}pt" if lay.line_exact_pt else f"{1.15 * (lay.line_multiple or 1):.3f}"
    return {
        "l": lay,
        "lang": doc.lang,
        "title": doc.title,
        "author": doc.header.issuer,
        "kind": doc.kind.upper(),
        "subject": layout.subject_text(doc),
        "family": layout.FONT_FAMILY,
        "fonts": [
            {
                "weight": "bold" if bold else "normal",
                "style": "italic" if italic else "normal",
                "local": _LOCAL_NAMES[(bold, italic)],
                "url": base + file,
            }
            for (bold, italic), file in layout.FACES.items()
        ],
        "margin": f"{top}mm {right}mm {bottom}mm {left}mm",
        "text_width_mm": lay.text_width_mm,
        # Word's "single" is the font's own line (1.15 em for Times New Roman): a multiple of it in CSS
        "line_height": line_height,
        "css": css,
        "parent": doc.header.parent.upper() if doc.header.parent else None,
        "issuer": doc.header.issuer.upper(),
        "issuer_rule": lay.issuer_mark == "rule",
        "national": title,
        "motto": motto,
        "number": words(doc.lang)["number"][doc.style] + doc.header.number if doc.header.number else "",
        "dated": place_date(doc.header.place, doc.header.on, doc.lang),
        "subject_rule": lay.subject_mark == "rule",
        "blocks": blocks,
        "closing_line": mark if at is None else "",
        "recipients_label": words(doc.lang)["recipients"],
        "recipients": layout.recipient_lines(doc),
        "signature": None
        if sig is None
        else {
            "authority": layout.authority_text(sig, doc.style),
            "title": sig.title.upper(),
            "name": sig.name,
        },
    }
