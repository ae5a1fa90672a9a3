"""Chart specs: Plotly figures as plain JSON (a chart's id, its traces and layout), in the one look
every page shares (the app's font, small margins, no legend unless asked). The web pages put a list
of them in a <script type="application/json"> block that static/js/charts.js draws (no inline
script, no CDN); the dashboard, a story's page and the evaluation pages shape their data with
these. Every text a trace shows is escaped here, whoever calls."""

from __future__ import annotations

import html
from typing import Any

FONT = {"family": "'Be Vietnam Pro', system-ui, sans-serif", "size": 12}
BARS = 12  # bars a horizontal bar chart shows, the largest

# Plotly draws labels and hover text as a little HTML (<a href>, <b>, <span style>, …) and reads
# &lt; &gt; &amp; back as the characters: every text a trace shows is escaped, since an outlet's name
# comes from the page it was fetched from and must show as written, not as a link or styled text
_TEXT_KEYS = ("x", "y", "labels", "text", "hovertext", "name")


def _as_text(value: Any) -> Any:
    if isinstance(value, str):
        return html.escape(value, quote=False)
    if isinstance(value, list):
        return [_as_text(v) for v in value]
    return value


def figure(
    chart_id: str, data: list[dict[str, Any]], *, links: bool = False, **layout: Any
) -> dict[str, Any]:
    """A chart: `data` its traces, `layout` what differs from the shared look. With `links`, each
    point's `customdata` is the path of the page a click on it opens (charts.js follows only paths
    of this site)."""
    base = {"margin": {"l": 40, "r": 10, "t": 10, "b": 40}, "font": FONT, "height": 260, "showlegend": False}
    traces = [{k: _as_text(v) if k in _TEXT_KEYS else v for k, v in trace.items()} for trace in data]
    chart = {"id": chart_id, "data": traces, "layout": base | layout}
    return chart | {"links": True} if links else chart


def hbar(
    chart_id: str, pairs: list[tuple[str, float]], label=lambda v: v, link=None, **layout: Any
) -> dict[str, Any]:
    """Horizontal bars of (name, value) pairs, largest first as given (the first BARS), top down;
    `link(name)`, when given, is the page a click on a bar opens."""
    pairs = list(reversed(pairs[:BARS]))
    shape = {"margin": {"l": 140, "r": 10, "t": 10, "b": 30}, "height": max(160, 26 * len(pairs) + 50)}
    bars = {"type": "bar", "orientation": "h", "y": [label(k) for k, _ in pairs], "x": [n for _, n in pairs]}
    if link is not None:
        bars["customdata"] = [link(k) for k, _ in pairs]
    return figure(chart_id, [bars], links=link is not None, **shape | layout)


def days_axis(lang: str, days: int = 30) -> dict[str, Any]:
    """An axis of `days` days, as each language writes them (30/4, Apr 30); a tick on every day when
    there are few, so that no tick falls between two days (the counts are per day). Hover labels
    use the locale's date."""
    axis = {"type": "date", "tickformat": "%-d/%-m" if lang == "vi" else "%b %-d", "hoverformat": "%x"}
    return axis | {"dtick": 86_400_000} if days <= 14 else axis


def counts_axis(counts: list[int]) -> dict[str, Any]:
    """Whole numbers only: a story of 2 articles is not drawn with a tick at 0.5."""
    return {"rangemode": "tozero", "dtick": 1} if max(counts, default=0) <= 5 else {"rangemode": "tozero"}
