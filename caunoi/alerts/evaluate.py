"""Running the alert rules: each enabled rule is evaluated at one moment over the articles its
scope matches, and what it raises is stored once (the alert keys) with a delivery queued for each
of its channels. The rule kinds and their figures are documented in caunoi.alerts. Never sends
anything (deliver.py) and writes only through caunoi.store.alerts."""

from __future__ import annotations

import logging
import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from caunoi.alerts.rules import AlertError
from caunoi.errors import CaunoiError
from caunoi.models import SearchRequest
from caunoi.search import SavedSearches, request_from
from caunoi.spikes import spike
from caunoi.store.alerts import AlertRepository
from caunoi.store.articles import ArticleRepository
from caunoi.store.stories import StoryRepository
from caunoi.stories import rising
from caunoi.timezones import article_clock, utcnow

log = logging.getLogger(__name__)

DEFAULTS: dict[str, Any] = {
    "window_hours": 24,
    "baseline_weeks": 4,
    "z": 3.0,
    "min_count": 5,
    "min_articles": 2,
    "tone_floor": 1.0,
    "digest_after": 3,
}
# a kind's own defaults, over DEFAULTS: a rising story is measured as the stories page measures it
KIND_DEFAULTS: dict[str, dict[str, Any]] = {
    "rising_story": {"min_count": rising.MIN_COUNT, "baseline_days": rising.BASELINE_DAYS},
}
FALLBACK_WINDOWS = 7
SCOPE_KEYS = (
    "query", "lang", "source", "topic", "entity", "country", "doc_ref", "event_type", "tone_of", "origin",
    "outlet_country",
)  # fmt: skip
TAG_KINDS = {
    "topic": "topic",
    "entity": "entity",
    "country": "country",
    "doc_ref": "doc_ref",
    "event_type": "event_type",
}


@dataclass
class RunOutcome:
    """What one run of the rules did: the new alerts' ids, and why each rule that could not run did not."""

    raised: list[int] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)  # rule name -> its error


@dataclass
class Raised:
    """An alert a rule raises in one run, before it is stored."""

    key: str
    title: str
    why: dict[str, Any]
    story_id: int | None = None
    severity: str | None = None


def _request(scope: dict[str, Any], saved: dict[str, Any] | None = None) -> SearchRequest:
    """The search a scope stands for."""
    base = dict(saved or {})
    for key in SCOPE_KEYS:
        if scope.get(key) is not None:
            base[key] = scope[key]
    # the scope's filters are resolved already (canonical, when the rule was added): tags as they are
    tags = [*base.get("tags", ()), *((TAG_KINDS[k], str(base[k])) for k in TAG_KINDS if base.get(k))]
    kept = {k: base.get(k) for k in ("query", "exact", "lang", "source", "category", "tone_min", "tone_max")}
    kept |= {k: base.get(k) for k in ("origin", "outlet_country")}  # the outlets': only foreign ones, …
    kept["tone_of"] = base.get("tone_of") or None  # an empty one is the article's, as it always was
    return request_from({**kept, "tags": tags, "limit": 1}, require=False)


def rule_params(rule: dict[str, Any]) -> dict[str, Any]:
    """A rule's parameters, the defaults of its kind filled in."""
    return {**DEFAULTS, **KIND_DEFAULTS.get(rule["kind"], {}), **rule["params"]}


def _graded(z: float, params: dict[str, Any]) -> str | None:
    """A spike twice the rule's threshold is of high severity; others have the rule's."""
    return "high" if z >= 2 * params["z"] else None


def _window_floor(at: datetime, hours: int) -> datetime:
    """The start of the fixed window bucket `at` falls in (buckets of `hours`, from midnight)."""
    midnight = at.replace(hour=0, minute=0, second=0, microsecond=0)
    step = max(1, hours)
    return midnight + timedelta(hours=((at - midnight).total_seconds() // 3600) // step * step)


class Evaluator:
    """Evaluates the rules of one store over its articles."""

    def __init__(self, repo: AlertRepository, searches: SavedSearches, articles: ArticleRepository):
        self.repo = repo
        self.searches = searches
        self.articles = articles

    def run(self, at: datetime | None = None) -> RunOutcome:
        """Evaluate every enabled rule at `at` (now by default), on the articles' clock (Hà Nội
        wall-clock, as `published` is kept: caunoi.timezones.article_clock; an aware `at` is
        converted); store and queue what they raise.
        A rule that cannot run (a query kept by older code that does not parse, its saved search
        gone, a kind or a threshold it cannot have) is that rule's error, kept as its health, and
        the others run."""
        at = article_clock(at)
        outcome = RunOutcome()
        for rule in [r for r in self.repo.list_rules() if r["enabled"]]:
            try:
                params = rule_params(rule)
                raised = getattr(self, f"_{rule['kind']}")(rule, params, at)
                outcome.raised += self._store(rule, params, raised, at)
            except Exception as exc:  # whatever one rule does, the next rules run
                why = str(exc) if isinstance(exc, CaunoiError) else f"{type(exc).__name__}: {exc}"
                log.warning("alert rule %r could not run: %s", rule["name"], why)
                self.repo.record_error(rule["id"], utcnow(), why)
                outcome.failed[rule["name"]] = why
        return outcome

    def _scope(self, rule: dict[str, Any]) -> tuple[SearchRequest, int | None]:
        scope = rule["scope"]
        saved = None
        if scope.get("saved"):
            found = self.searches.get(scope["saved"])
            if found is None:
                raise AlertError(
                    "rule_saved_search_gone",
                    "rule {rule!r}: the saved search {name!r} is gone",
                    rule=rule["name"],
                    name=scope["saved"],
                )
            saved = found.request
        return _request(scope, saved), scope.get("story")

    def _articles(self, rule, params, start: datetime, end: datetime) -> list[Any]:
        request, story = self._scope(rule)
        rows = self.articles.matching(request, start, end, reprints=bool(params.get("reprints")))
        return [r for r in rows if story is None or r.story_id == story]

    def window_articles(self, rule: dict[str, Any], start: datetime, end: datetime) -> list[Any]:
        """The articles of [start, end) the rule's scope matches, counted as the rule counts them
        (reprints once, unless its `reprints`): rows of id, when, source, tone, story_id."""
        return self._articles(rule, rule_params(rule), start, end)

    def _windows(self, params, at: datetime) -> tuple[datetime, datetime]:
        return at - timedelta(hours=params["window_hours"]), at

    def _baseline(self, rule, params, at: datetime) -> tuple[list[list[Any]], str]:
        """The article rows of each baseline window, oldest first, and which baseline it is."""
        hours = timedelta(hours=params["window_hours"])
        weeks = int(params["baseline_weeks"])
        first = self.articles.first_seen()
        if first is not None and first <= at - timedelta(weeks=weeks) - hours:
            ends = [at - timedelta(weeks=k) for k in range(1, weeks + 1)]
            kind = f"the same {params['window_hours']} h of the {weeks} previous weeks"
        else:
            ends = [at - hours * k for k in range(1, FALLBACK_WINDOWS + 1)]
            kind = (
                f"the {FALLBACK_WINDOWS} previous windows of {params['window_hours']} h"
                " (the store is younger than the weekly history: no weekday seasonality)"
            )
        return [self._articles(rule, params, end - hours, end) for end in reversed(ends)], kind

    @staticmethod
    def _context(rows: list[Any]) -> dict[str, Any]:
        return {
            "top_stories": Counter(r.story_id for r in rows if r.story_id is not None).most_common(5),
            "top_outlets": Counter(r.source or "?" for r in rows).most_common(5),
        }

    def _volume_spike(self, rule, params, at: datetime) -> list[Raised]:
        start, end = self._windows(params, at)
        rows = self._articles(rule, params, start, end)
        n = len(rows)
        if n < params["min_count"]:
            return []
        windows, kind = self._baseline(rule, params, at)
        found = spike(n, [len(w) for w in windows])
        if found.z < params["z"]:
            return []
        why = {**found.figures(kind), "threshold_z": params["z"], **self._context(rows)}
        title = (
            f"{rule['name']}: {n} bài trong {params['window_hours']} giờ, thường {found.mean:.1f}"
            f" (z {found.z:.1f})"
        )
        bucket = _window_floor(at, params["window_hours"]).isoformat(timespec="hours")
        return [Raised(f"volume:{bucket}", title, why, severity=_graded(found.z, params))]

    def _tone_spike(self, rule, params, at: datetime) -> list[Raised]:
        start, end = self._windows(params, at)
        toned = [r.tone for r in self._articles(rule, params, start, end) if r.tone is not None]
        if len(toned) < params["min_count"]:
            return []
        mean = statistics.fmean(toned)
        windows, kind = self._baseline(rule, params, at)
        means = [statistics.fmean(t) for w in windows if (t := [r.tone for r in w if r.tone is not None])]
        base = statistics.fmean(means) if means else 0.0
        sd = max(statistics.pstdev(means) if len(means) > 1 else 0.0, float(params["tone_floor"]))
        z = (base - mean) / sd
        below = params.get("tone_below")
        if z < params["z"] and not (below is not None and mean <= float(below)):
            return []
        negative = sum(1 for t in toned if t < 0)
        why = {
            "articles_with_tone": len(toned),
            "mean_tone": round(mean, 2),
            "negative": negative,
            "baseline": kind,
            "baseline_means": [round(m, 2) for m in means],
            "baseline_mean": round(base, 2),
            "sd": round(sd, 2),
            "z": round(z, 2),
            "threshold_z": params["z"],
            "tone_below": below,
        }
        title = f"{rule['name']}: sắc thái {mean:+.1f} trên {len(toned)} bài, thường {base:+.1f}"
        bucket = _window_floor(at, params["window_hours"]).isoformat(timespec="hours")
        return [Raised(f"tone:{bucket}", title, why, severity=_graded(z, params))]

    def _stories_in(self, rows: list[Any]) -> dict[int, list[Any]]:
        grouped: dict[int, list[Any]] = {}
        for r in rows:
            grouped.setdefault(r.story_id if r.story_id is not None else -r.id, []).append(r)
        return grouped

    def _new_story(self, rule, params, at: datetime) -> list[Raised]:
        start, end = self._windows(params, at)
        topics = params.get("topics") or [None]
        rows: dict[int, Any] = {}
        for topic in topics:  # any of the priority topics
            scoped = {**rule, "scope": {**rule["scope"], **({"topic": topic} if topic else {})}}
            rows.update({r.id: r for r in self._articles(scoped, params, start - timedelta(days=30), end)})
        grouped = {k: v for k, v in self._stories_in(list(rows.values())).items() if k > 0}
        known = self.repo.find_stories(list(grouped))
        out = []
        for story_id, members in sorted(grouped.items()):
            story = known.get(story_id)
            if (
                story is None
                or not (start <= story.first_seen < end)
                or len(members) < params["min_articles"]
            ):
                continue
            why = {
                "story": story_id,
                "first_seen": story.first_seen.isoformat(),
                "articles_in_scope": len(members),
                "articles": story.articles,
                "topics": [t for t in topics if t],
                "outlets": Counter(r.source or "?" for r in members).most_common(5),
            }
            title = f"Câu chuyện mới: {story.title[:150]}"
            out.append(Raised(f"story:{story_id}", title, why, story_id=story_id))
        return out

    def _rising_story(self, rule, params, at: datetime) -> list[Raised]:
        """The stories in scope rising at `at` (caunoi.stories.rising, over the scope's articles
        only): an alert when a story starts rising, once per story."""
        request = rising.RisingRequest(
            at, int(params["window_hours"]), int(params["baseline_days"]), float(params["z"]),
            int(params["min_count"]),
        ).checked(at)  # fmt: skip
        members = [r for r in self._articles(rule, params, request.start, at) if r.story_id is not None]
        outlets: dict[int, Counter] = defaultdict(Counter)  # of the window's articles, by story
        for r in members:
            if r.when >= request.window_start:
                outlets[r.story_id][r.source or "?"] += 1
        seen = StoryRepository(self.repo.engine).first_seen(outlets)
        found = rising.growths(((r.story_id, r.when) for r in members), seen, request)
        rose = [sid for sid in rising.ranked(found) if found[sid].rising]
        known = self.repo.find_stories(rose)
        out = []
        for sid in rose:
            grown, story = found[sid], known[sid]
            why = {
                "story": sid,
                **grown.figures(request.hours),
                "first_seen": story.first_seen.isoformat(),
                "outlets": outlets[sid].most_common(5),
            }
            title = (
                f"Câu chuyện đang tăng: {story.title[:150]} ({grown.count} bài trong {request.hours} giờ,"
                f" thường {grown.mean:.1f}; z {grown.z:.1f})"
            )
            out.append(Raised(f"rising:{sid}", title, why, story_id=sid, severity=_graded(grown.z, params)))
        return out

    def _grouped_articles(self, rule, params, at: datetime, label: str, keep) -> list[Raised]:
        start, end = self._windows(params, at)
        rows = [r for r in self._articles(rule, params, start, end) if keep(r)]
        grouped = self._stories_in(rows)
        known = self.repo.find_stories([k for k in grouped if k > 0])
        bucket = _window_floor(at, params["window_hours"]).isoformat(timespec="hours")
        out = []
        for key, members in sorted(grouped.items()):
            story = known.get(key)
            title = story.title if story is not None else f"article #{members[0].id}"
            why = {
                "articles": [r.id for r in members][:20],
                "count": len(members),
                "outlets": Counter(r.source or "?" for r in members).most_common(5),
                "first": members[0].when.isoformat(),
            }
            out.append(
                Raised(
                    f"{label}:{key}:{bucket}",
                    f"{rule['name']}: {title[:150]}",
                    why,
                    story_id=key if story is not None else None,
                )
            )
        return out

    def _outlet(self, rule, params, at: datetime) -> list[Raised]:
        outlets = {o.lower() for o in params["outlets"]}
        return self._grouped_articles(
            rule, params, at, "outlet", lambda r: (r.source or "").lower() in outlets
        )

    def _mention(self, rule, params, at: datetime) -> list[Raised]:
        return self._grouped_articles(rule, params, at, "mention", lambda r: True)

    def _store(self, rule, params, raised: list[Raised], at: datetime) -> list[int]:
        """Keep the alerts not raised before for their key; many story alerts become one digest."""
        now = utcnow()
        start, end = self._windows(params, at)
        seen = self.repo.seen_keys(rule["id"], [r.key for r in raised])
        fresh = [r for r in raised if r.key not in seen]
        groups: list[tuple[Raised, list[Raised]]]
        if not fresh:
            groups = []
        elif len(fresh) > params["digest_after"]:
            digest = Raised(
                f"digest:{now.isoformat()}",
                f"{rule['name']}: {len(fresh)} câu chuyện",
                {
                    "count": len(fresh),
                    "items": [{"title": r.title, "story_id": r.story_id, **r.why} for r in fresh],
                },
            )
            groups = [(digest, fresh)]
        else:
            groups = [(r, [r]) for r in fresh]
        stored = [
            (
                {
                    "story_id": alert.story_id,
                    "window_start": start,
                    "window_end": end,
                    "severity": alert.severity or rule["severity"],
                    "title": alert.title,
                    "why": alert.why,
                    "digest": len(covered) > 1 or alert.key.startswith("digest:"),
                },
                [r.key for r in covered],
            )
            for alert, covered in groups
        ]
        return self.repo.record_run(rule["id"], now, stored, rule["channels"] or [])
