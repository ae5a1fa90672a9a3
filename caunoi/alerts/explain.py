"""Why an alert was raised, as its page shows it: the figures its rule kept in `why` (baseline, counts,
z, threshold, ratio), the baseline's counts and the window's as one series, oldest first (its
sparkline), and the articles of the spike — those of the alert's window its rule's scope matches
now, of its story when it is about one — with their stories. An outlet or mention alert names its
articles itself. A pack notice stands on no article. Never writes."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from caunoi.errors import CaunoiError
from caunoi.store.alerts import AlertRepository

if TYPE_CHECKING:
    from caunoi.alerts.evaluate import Evaluator

ARTICLES_SHOWN = 200


@dataclass(frozen=True)
class AlertArticle:
    id: int
    title: str
    source: str | None
    lang: str | None
    published: datetime
    story_id: int | None


@dataclass(frozen=True)
class AlertStory:
    id: int
    title: str
    articles: int  # of the alert's articles


@dataclass
class AlertDetail:
    """An alert (the inbox's row: its rule's name and kind, `why`, state …) with what it stands on:
    `articles` (the first ARTICLES_SHOWN of `article_count`, in publication order), their `stories`
    (most articles first), `series` (the baseline's counts then the window's, oldest first, when the
    rule counts), `history` (who read or dismissed it), `articles_error` (why the articles
    could not be found again, e.g. the rule's saved search is gone) and its rule's `scope` (what the
    rule watches: a query, a saved search, the outlets' origin and country, …)."""

    alert: dict[str, Any]
    articles: list[AlertArticle] = field(default_factory=list)
    article_count: int = 0
    stories: list[AlertStory] = field(default_factory=list)
    series: list[int] | None = None
    history: list[dict[str, Any]] = field(default_factory=list)
    articles_error: str | None = None
    scope: dict[str, Any] = field(default_factory=dict)  # its rule's: what it watches (origin: foreign, …)

    def flat(self) -> dict[str, Any]:
        """The alert's fields and what it stands on in one mapping, as `alerts show --json` and the
        API give it."""
        more = ("articles", "article_count", "stories", "series", "history", "articles_error", "scope")
        return {**self.alert, **{name: getattr(self, name) for name in more}}


def series_of(why: dict[str, Any]) -> list[int] | None:
    """The baseline's counts then the window's, oldest first, for an alert that counted articles."""
    series = [*(why.get("baseline_counts") or []), why.get("articles")]
    if len(series) < 2 or not all(isinstance(n, int) and not isinstance(n, bool) for n in series):
        return None
    return series


def _stories_of(alert: dict[str, Any]) -> set[int]:
    """The stories an alert is about: its own, or those of a digest's items."""
    if alert.get("story_id"):
        return {alert["story_id"]}
    items = alert["why"].get("items") or []
    return {i["story_id"] for i in items if isinstance(i, dict) and i.get("story_id")}


def article_ids(alert: dict[str, Any], repo: AlertRepository, evaluator: Evaluator) -> list[int]:
    """The ids of the articles an alert stands on (see the module's head)."""
    why = alert["why"]
    named = why.get("articles")
    items = [i for i in why.get("items") or [] if isinstance(i, dict)]
    if not isinstance(named, list) and items and all(isinstance(i.get("articles"), list) for i in items):
        named = [a for i in items for a in i["articles"]]  # a digest of outlet or mention alerts
    if isinstance(named, list):  # an outlet or mention alert names its articles
        return [int(i) for i in named]
    rule = repo.find_rule(alert["rule_id"]) if alert.get("rule_id") else None
    if rule is None:
        return []
    rows = evaluator.window_articles(rule, alert["window_start"], alert["window_end"])
    about = _stories_of(alert)
    return [r.id for r in rows if not about or r.story_id in about]


def explain(alert: dict[str, Any], repo: AlertRepository, evaluator: Evaluator) -> AlertDetail:
    """The alert with its figures' series, its articles and their stories, and its history."""
    detail = AlertDetail(alert, series=series_of(alert["why"]), history=repo.history(alert["id"]))
    rule = repo.find_rule(alert["rule_id"]) if alert.get("rule_id") else None
    detail.scope = dict((rule or {}).get("scope") or {})
    try:
        ids = article_ids(alert, repo, evaluator)
    except CaunoiError as exc:
        detail.articles_error = str(exc)
        return detail
    rows = repo.articles_of(ids)
    detail.article_count = len(rows)
    detail.articles = [
        AlertArticle(r.id, r.title, r.source, r.lang, r.when, r.story_id) for r in rows[:ARTICLES_SHOWN]
    ]
    sizes = Counter(r.story_id for r in rows if r.story_id is not None)
    titles = {r.story_id: r.story_title for r in rows}
    detail.stories = [AlertStory(sid, titles[sid] or f"#{sid}", n) for sid, n in sizes.most_common()]
    return detail
