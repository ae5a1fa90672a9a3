"""The dashboard (/) and the charts the pages draw: Plotly figures as plain JSON that
static/js/charts.js draws from a <script type="application/json"> block (no inline script, no CDN).
The figures' numbers come from service.dashboard; this module only shapes them."""

from __future__ import annotations

import functools
import html
import math
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from caunoi.app.auth import service_of
from caunoi.app.ui.access import need, page_user
from caunoi.app.ui.outreach import waiting_packs
from caunoi.app.ui.render import _render, lang_of
from caunoi.i18n import alpha3, name_of

router = APIRouter(include_in_schema=False)


# -- charts: Plotly figures as plain JSON, drawn by static/js/charts.js ------------------------------

_FONT = {"family": "'Be Vietnam Pro', system-ui, sans-serif", "size": 12}


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


def _figure(chart_id: str, data: list[dict[str, Any]], **layout: Any) -> dict[str, Any]:
    base = {"margin": {"l": 40, "r": 10, "t": 10, "b": 40}, "font": _FONT, "height": 260, "showlegend": False}
    traces = [{k: _as_text(v) if k in _TEXT_KEYS else v for k, v in trace.items()} for trace in data]
    return {"id": chart_id, "data": traces, "layout": base | layout}


def _hbar(chart_id: str, pairs: list[tuple[str, int]], label=lambda v: v) -> dict[str, Any]:
    pairs = list(reversed(pairs[:12]))
    return _figure(
        chart_id,
        [{"type": "bar", "orientation": "h", "y": [label(k) for k, _ in pairs], "x": [n for _, n in pairs]}],
        margin={"l": 140, "r": 10, "t": 10, "b": 30},
        height=max(160, 26 * len(pairs) + 50),
    )


def _days_axis(lang: str, days: int = 30) -> dict[str, Any]:
    """An axis of `days` days, as each language writes them (30/4, Apr 30); a tick on every day when
    there are few, so that no tick falls between two days (the counts are per day). Hover labels
    use the locale's date."""
    axis = {"type": "date", "tickformat": "%-d/%-m" if lang == "vi" else "%b %-d", "hoverformat": "%x"}
    return axis | {"dtick": 86_400_000} if days <= 14 else axis


def _counts_axis(counts: list[int]) -> dict[str, Any]:
    """Whole numbers only: a story of 2 articles is not drawn with a tick at 0.5."""
    return {"rangemode": "tozero", "dtick": 1} if max(counts, default=0) <= 5 else {"rangemode": "tozero"}


def dashboard_charts(data: dict[str, Any], lang: str) -> list[dict[str, Any]]:
    days = [d["day"] for d in data["per_day"]]
    countries = [(c, n) for c, n in data["countries"] if alpha3(c)]
    country = functools.partial(name_of, kind="country", lang=lang)
    dates = _days_axis(lang)
    return [
        _figure(
            "chart-per-day",
            [{"type": "bar", "x": days, "y": [d["articles"] for d in data["per_day"]]}],
            xaxis=dates,
        ),
        _figure(
            "chart-tone",
            [
                {
                    "type": "scatter",
                    "mode": "lines+markers",
                    "x": days,
                    "y": [d["tone"] for d in data["per_day"]],
                }
            ],
            xaxis=dates,
        ),
        _hbar("chart-outlets", data["outlets"]),
        _hbar("chart-countries", data["countries"][:12], country),
        _figure(
            "chart-languages",
            [
                {
                    "type": "pie",
                    "labels": [k for k, _ in data["languages"]],
                    "values": [n for _, n in data["languages"]],
                }
            ],
            margin={"l": 10, "r": 10, "t": 10, "b": 10},
        ),
        _figure(
            "chart-map",
            [
                {
                    "type": "choropleth",
                    "locationmode": "ISO-3",
                    "locations": [alpha3(c) for c, _ in countries],
                    "text": [country(c) for c, _ in countries],
                    # light for few articles, dark for many (plotly's own "Blues" runs the other way);
                    # a count's logarithm, so one country with most of the coverage does not wash
                    # out the rest
                    "z": [math.log10(n + 1) for _, n in countries],
                    "customdata": [n for _, n in countries],
                    "hovertemplate": "%{text}: %{customdata}<extra></extra>",
                    "colorscale": [[0, "#c6dbef"], [1, "#08306b"]],
                    "marker": {"line": {"color": "#ffffff", "width": 0.5}},
                    "showscale": False,
                }
            ],
            geo={
                "projection": {"type": "natural earth"},
                "showframe": False,
                "showcoastlines": False,
                "showland": True,  # countries with no coverage are drawn too, in grey
                "landcolor": "#e5e7eb",
                "showcountries": True,
                "countrycolor": "#ffffff",
            },
            margin={"l": 0, "r": 0, "t": 0, "b": 0},
            height=360,
        ),
    ]


@router.get("/")
def dashboard(request: Request) -> Response:
    user = page_user(request)
    need(user, "read")
    service = service_of(request)
    data = service.dashboard(30)
    charts = dashboard_charts(data, lang_of(request, user))
    waiting = waiting_packs(service, user)  # a mission officer: the packs their mission has to acknowledge
    return _render(request, user, "dashboard.html.j2", d=data, charts=charts, waiting=waiting)
