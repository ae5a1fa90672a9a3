"""The dashboard (/) and its charts: Plotly figures as plain JSON (caunoi.reports.charts) that
static/js/charts.js draws from a <script type="application/json"> block (no inline script, no CDN).
Its form narrows it to a query, a saved search, the outlets' origin (the foreign press…) and a period
(caunoi.attention.ask, one_search); every day, outlet, country, entity and document it shows links to
the articles behind it (the search page over the dashboard's search and days). The figures' numbers
come from service.dashboard; this module only shapes them."""

from __future__ import annotations

import functools
import math
from datetime import date
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from caunoi.app.auth import service_of
from caunoi.app.ui.access import need, page_user
from caunoi.app.ui.outreach import waiting_packs
from caunoi.app.ui.render import _render, lang_of
from caunoi.app.ui.search import request_url
from caunoi.attention import ask, one_search
from caunoi.errors import Invalid, NotFound
from caunoi.i18n import alpha3, name_of
from caunoi.models import SearchRequest
from caunoi.reports.charts import days_axis, figure, hbar
from caunoi.reports.figures import Scope
from caunoi.stories.rising import RisingRequest

router = APIRouter(include_in_schema=False)
RISING_SHOWN = 5  # the dashboard's rising stories; the stories page lists them all


# -- the dashboard's charts -------------------------------------------------------------------------


def dashboard_charts(
    data: dict[str, Any], lang: str, search: SearchRequest | None = None
) -> list[dict[str, Any]]:
    """The dashboard's charts; a click on a day, an outlet or a country opens the articles of
    `search` (None: every article) behind it."""
    search = search or SearchRequest(query="")
    days = [d["day"] for d in data["per_day"]]
    countries = [(c, n) for c, n in data["countries"] if alpha3(c)]
    country = functools.partial(name_of, kind="country", lang=lang)
    dates = days_axis(lang)
    first, last = data["start"].date(), data["end"].date()
    on_day = [request_url(search, date.fromisoformat(day), date.fromisoformat(day)) for day in days]
    return [
        figure(
            "chart-per-day",
            [{"type": "bar", "x": days, "y": [d["articles"] for d in data["per_day"]], "customdata": on_day}],
            links=True,
            xaxis=dates,
        ),
        figure(
            "chart-tone",
            [
                {
                    "type": "scatter",
                    "mode": "lines+markers",
                    "x": days,
                    "y": [d["tone"] for d in data["per_day"]],
                    "customdata": on_day,
                }
            ],
            links=True,
            xaxis=dates,
        ),
        hbar("chart-outlets", data["outlets"], link=lambda v: request_url(search, first, last, source=v)),
        hbar(
            "chart-countries",
            data["countries"][:12],
            country,
            link=lambda v: request_url(search, first, last, country=v),
        ),
        figure(
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
        figure(
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


SCOPE_FIELDS = ("q", "saved", "origin", "from", "to")


@router.get("/")
def dashboard(request: Request) -> Response:
    user = page_user(request)
    need(user, "read")
    service = service_of(request)
    lang = lang_of(request, user)
    params = {k: request.query_params.get(k, "").strip()[:500] for k in SCOPE_FIELDS}
    params = {k: v for k, v in params.items() if v}
    search, scope, error = None, Scope(), None
    if params:
        try:
            asked = ask([params.get("q", "")], [params.get("saved", "")], {"origin": params.get("origin")},
                        first=params.get("from"), last=params.get("to"), require=False)  # fmt: skip
            search = one_search(asked, service.searches)
            scope = Scope(search, asked.first, asked.last)
        except (Invalid, NotFound) as exc:  # a query, a date, a period, a saved search: said on the page
            error = exc
    data = service.dashboard(30, scope)
    search = search or SearchRequest(query="")
    first, last = data["start"].date(), data["end"].date()
    links = {
        "entity": {e: request_url(search, first, last, entity=e) for e, _ in data["entities"]},
        "doc_ref": {r: request_url(search, first, last, doc_ref=r) for r, _ in data["doc_refs"]},
    }
    charts = dashboard_charts(data, lang, search)
    waiting = waiting_packs(service, user)  # a mission officer: the packs their mission has to acknowledge
    rising = service.rising_stories(RisingRequest(at=data["end"], limit=RISING_SHOWN))  # to the window's end
    return _render(
        request, user, "dashboard.html.j2",
        d=data, charts=charts, waiting=waiting, params=params, error=error, links=links,
        scoped=scope != Scope(), saved_all=[s.name for s in service.searches.all()],
        attention_url=request_url(search, first, last, page="/attention"), rising=rising,
    )  # fmt: skip
