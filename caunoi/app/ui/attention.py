"""The attention page (/attention): up to five queries or saved searches over a period, by day or by
week, as counts and as shares of every article stored (caunoi.attention), one colour, marker and
dash a search, its total in the legend and the table under the charts; a click on a bar or a point
opens the search page on that day or week. The form takes the search page's filters, so a search is
one link away ("Theo thời gian" on /search). Refusals are shown on the page, not raised."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from caunoi.app.auth import service_of
from caunoi.app.ui.access import need, page_user
from caunoi.app.ui.render import _render, lang_of
from caunoi.app.ui.search import SEARCH_FIELDS, request_url
from caunoi.attention import MAX_SERIES, Attention, ask
from caunoi.errors import Invalid, NotFound
from caunoi.i18n import LABELS, name_of
from caunoi.reports.charts import days_axis, figure

router = APIRouter(include_in_schema=False)

FILTER_FIELDS = tuple(f for f in SEARCH_FIELDS if f not in ("q", "from", "to", "sort"))
# each series is told apart by more than its colour: its bars' pattern, its line's marker and dash
PATTERNS = ("", "/", ".", "x", "-")
SYMBOLS = ("circle", "square", "diamond", "triangle-up", "x")
DASHES = ("solid", "dash", "dot", "dashdot", "longdash")
WEEK_MS = 7 * 86_400_000
TOP = 5  # outlets, countries and entities shown per search: five cards of ten would bury the charts


def typed_filters(params: dict[str, str]) -> dict[str, Any]:
    """The form's filters as caunoi.attention.ask takes them (exact and tone_of as the search form
    reads them: anything but the other choice is the default)."""
    typed: dict[str, Any] = {k: v for k, v in params.items() if k in FILTER_FIELDS and v}
    typed["exact"] = bool(params.get("exact"))
    typed["tone_of"] = "subject" if params.get("tone_of") == "subject" else None
    return typed


def series_name(label: str, lang: str) -> str:
    return label or LABELS[lang]["filters"]


def legend_rows(found: Attention, lang: str) -> list[dict[str, Any]]:
    """A row a search: its name, colour and marks, total and share, and the link to its articles."""
    return [
        {
            "name": series_name(s.label, lang),
            "saved": s.saved,
            "colour": s.colour,
            "total": s.total,
            "share": s.share,
            "url": request_url(s.request, found.first, found.last),
            "outlets": [
                (v, c, request_url(s.request, found.first, found.last, source=v)) for v, c in s.outlets
            ],
            "countries": [
                (name_of(v, "country", lang), c, request_url(s.request, found.first, found.last, country=v))
                for v, c in s.countries
            ],
            "entities": [
                (
                    found.entity_names.get(v, {}).get(lang, v),
                    c,
                    request_url(s.request, found.first, found.last, entity=v),
                )
                for v, c in s.entities
            ],
        }
        for s in found.series
    ]


def bucket_links(found: Attention) -> list[list[str]]:
    """For each search, the link to its articles of each day or week."""
    return [[request_url(s.request, b.first, b.last) for b in found.buckets] for s in found.series]


def attention_charts(found: Attention, links: list[list[str]], lang: str) -> list[dict[str, Any]]:
    """The counts as bars and the shares as lines, a trace a search, each point a link to its articles
    (`links`: bucket_links)."""
    t = LABELS[lang]
    x = [b.first.isoformat() for b in found.buckets]
    axis = days_axis(lang, len(found.buckets) if found.by == "day" else 99)
    if found.by == "week":  # a tick on Mondays, the weeks' first days (plotly's weeks start on Sundays)
        monday = found.first - timedelta(days=found.first.weekday())
        axis |= {"tick0": monday.isoformat(), "dtick": WEEK_MS * -(-len(found.buckets) // 14)}
    counts, shares = [], []
    for n, s in enumerate(found.series):
        share = "—" if s.share is None else f"{100 * s.share:.1f}%"
        name = f"{series_name(s.label, lang)}: {s.total} {t['articles']} ({share})"
        counts.append(
            {
                "type": "bar",
                "name": name,
                "x": x,
                "y": s.counts,
                "customdata": links[n],
                "marker": {
                    "color": s.colour,
                    "pattern": {
                        "shape": PATTERNS[n],
                        "fillmode": "overlay",
                        "fgcolor": "#ffffff",
                        "fgopacity": 0.7,
                    },
                },
                "hovertemplate": "%{x}: %{y}<extra>%{fullData.name}</extra>",
            }
        )
        shares.append(
            {
                "type": "scatter",
                "mode": "lines+markers",
                "name": name,
                "x": x,
                "y": [None if v is None else round(100 * v, 2) for v in s.shares],
                "customdata": links[n],
                "line": {"color": s.colour, "dash": DASHES[n]},
                "marker": {"symbol": SYMBOLS[n], "size": 8},
                "hovertemplate": "%{x}: %{y}%<extra>%{fullData.name}</extra>",
            }
        )
    legend = {"showlegend": True, "legend": {"orientation": "h", "y": -0.25}, "height": 340}
    return [
        figure("chart-attention", counts, links=True, xaxis=axis, barmode="group", **legend),
        figure(
            "chart-attention-share",
            shares,
            links=True,
            xaxis=axis,
            yaxis={"ticksuffix": "%", "rangemode": "tozero"},
            **legend,
        ),
    ]


@router.get("/attention")
def attention(request: Request) -> Response:
    user = page_user(request)
    need(user, "search")
    lang = lang_of(request, user)
    asked = request.query_params
    queries = [q.strip()[:500] for q in asked.getlist("q")]
    saved = [s.strip()[:200] for s in asked.getlist("saved") if s.strip()]
    params = {k: asked.get(k, "").strip()[:500] for k in (*FILTER_FIELDS, "from", "to", "by")}
    params = {k: v for k, v in params.items() if v}
    service = service_of(request)
    found, error = None, None
    if any(queries) or saved or params.keys() - {"by"}:
        try:
            checked = ask(
                queries,
                saved,
                typed_filters(params),
                first=params.get("from"),
                last=params.get("to"),
                by=params.get("by", "day"),
                require=False,
            )
            found = service.attention(checked, top=TOP)
        except (Invalid, NotFound) as exc:  # a filter, a query, a sixth search, a period, a saved search
            error = exc
    links = bucket_links(found) if found else []
    return _render(
        request,
        user,
        "attention.html.j2",
        params=params,
        queries=(queries + [""] * MAX_SERIES)[: max(MAX_SERIES, len(queries))],
        saved=saved,
        saved_all=[s.name for s in service.searches.all()],
        found=found,
        error=error,
        urls=links,
        filtered=bool(params.keys() & set(FILTER_FIELDS)),
        rows=legend_rows(found, lang) if found else [],
        charts=attention_charts(found, links, lang) if found else [],
    )
