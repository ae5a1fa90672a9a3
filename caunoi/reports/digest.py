"""The weekly digest (tổng hợp tuần): the seven whole days before a day compared with the seven before
them — articles (reprints once), stories, outlets, the mean tone of the passages about the subject
country (caunoi.enrich.tone's GDELT-like scale) and how many articles have such passages, the alerts
the rules raised, the cases opened and closed — then the week's heaviest stories as the brief ranks
them (caunoi.reports.brief), the alerts it raised and the cases still open.

`figures` is a table as a report would print it (a label, this week, the week before, the change),
so it turns into caunoi.reports.document's Table as it is."""

from __future__ import annotations

import statistics
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine

from caunoi.i18n import REPORT_LABELS, country_name
from caunoi.reports import brief
from caunoi.store import figures
from caunoi.timezones import HANOI

TOP_STORIES = 10
DAYS = 7


def build(
    engine: Engine, day: datetime, lang: str = "vi", subject: str = "VN", timezone: str = HANOI
) -> dict[str, Any]:
    """The digest of the DAYS days before `day` (from its midnight), compared with the DAYS before;
    cases' deadlines shown in `timezone` (caunoi.reports.brief.shape)."""
    end = figures.day_of(day)
    start, before = end - timedelta(days=DAYS), end - timedelta(days=2 * DAYS)
    this, prior = figures.period_figures(engine, start, end), figures.period_figures(engine, before, start)
    window, ranked = brief.ranked_stories(engine, start, end, subject)
    week = brief.shape(engine, window, ranked[:TOP_STORIES], start, end, lang, timezone=timezone)
    t = REPORT_LABELS[lang]
    rows = [
        (t["fig_articles"], this.articles, prior.articles),
        (t["fig_stories"], this.stories, prior.stories),
        (t["fig_outlets"], this.outlets, prior.outlets),
        (t["fig_tone"].format(country=country_name(subject, lang)), _mean(this), _mean(prior)),
        (t["fig_tone_n"], len(this.subject_tones), len(prior.subject_tones)),
        (t["fig_alerts"], this.alerts, prior.alerts),
        (t["fig_cases_opened"], this.cases_opened, prior.cases_opened),
        (t["fig_cases_closed"], this.cases_closed, prior.cases_closed),
    ]
    return {
        "kind": "weekly",
        "start": start,
        "end": end,
        "before": before,
        "last": end - timedelta(days=1),  # the last day of the week, included
        "lang": lang,
        "made_at": datetime.now(),
        "figures": [
            {"label": label, "this": now, "before": then, "change": _change(now, then)}
            for label, now, then in rows
        ],
        "groups": week["groups"],
        "alerts": week["alerts"],
        "cases": week["cases"],
    }


def _mean(period: figures.PeriodFigures) -> float | None:
    return round(statistics.fmean(period.subject_tones), 2) if period.subject_tones else None


def _change(now: float | None, then: float | None) -> str:
    """ "+12 (+40 %)", "−0.35", "" when either is unknown."""
    if now is None or then is None:
        return ""
    if isinstance(now, float) or isinstance(then, float):
        return f"{now - then:+.2f}"
    share = f" ({(now - then) / then:+.0%})" if then else ""
    return f"{now - then:+d}{share}"
