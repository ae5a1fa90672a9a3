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


def figure(chart_id: str, data: list[dict[str, Any]], **layout: Any) -> dict[str, Any]:
    """A chart: `data` its traces, `layout` what differs from the shared look."""
    base = {"margin": {"l": 40, "r": 10, "t": 10, "b": 40}, "font": FONT, "height": 260, "showlegend": False}
    traces = [{k: _as_text(v) if k in _TEXT_KEYS else v for k, v in trace.items()} for trace in data]
    return {"id": chart_id, "data": traces, "layout": base | layout}


def hbar(chart_id: str, pairs: list[tuple[str, float]], label=lambda v: v, **layout: Any) -> dict[str, Any]:
    """Horizontal bars of (name, value) pairs, largest first as given (the first BARS), top down."""
    pairs = list(reversed(pairs[:BARS]))
    shape = {"margin": {"l": 140, "r": 10, "t": 10, "b": 30}, "height": max(160, 26 * len(pairs) + 50)}
    return figure(
        chart_id,
        [{"type": "bar", "orientation": "h", "y": [label(k) for k, _ in pairs], "x": [n for _, n in pairs]}],
        **shape | layout,
    )


def days_axis(lang: str, days: int = 30) -> dict[str, Any]:
    """An axis of `days` days, as each language writes them (30/4, Apr 30); a tick on every day when
    there are few, so that no tick falls between two days (the counts are per day). Hover labels
    use the locale's date."""
    axis = {"type": "date", "tickformat": "%-d/%-m" if lang == "vi" else "%b %-d", "hoverformat": "%x"}
    return axis | {"dtick": 86_400_000} if days <= 14 else axis


def counts_axis(counts: list[int]) -> dict[str, Any]:
    """Whole numbers only: a story of 2 articles is not drawn with a tick at 0.5."""
    return {"rangemode": "tozero", "dtick": 1} if max(counts, default=0) <= 5 else {"rangemode": "tozero"}
