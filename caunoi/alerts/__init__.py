"""Alert rules, their evaluation, and the delivery of what they raise.

A rule watches a scope — a search (query and filters), a saved search, or one story — and raises
an alert when, in the window that ends at evaluation time (`window_hours`, 24 by default):

  volume_spike  more articles than usual: n ≥ min_count and z = (n − μ) / σ ≥ z, where μ and σ
                are the counts of the same window 1…baseline_weeks weeks earlier (same weekday,
                same hours: weekly seasonality), σ at least √μ and 1 (a count's own noise). When
                the store is younger than that history, the previous 7 windows are the baseline
                instead, and the alert says so.
  tone_spike    the mean tone of the window's articles (GDELT scale, see caunoi.enrich.tone) falls
                at least z standard deviations (at least `tone_floor`) below the same weekly
                baseline, or below `tone_below`, with n ≥ min_count articles that have a tone.
  new_story     a story first seen in the window with at least min_articles articles in scope
                (`topics` lists priority topics, any of them).
  outlet        an article in scope by one of `outlets`.
  mention       an article in scope: put the document (--doc-ref) or person (--entity) in the scope.

Volumes count an article and its reprints once (`reprints: true` counts every copy). Alerts
carry `why`: the figures behind them. No storms: a rule alerts at most once per window for spikes
and once per story per window for the others (alert_keys remembers), and when one run would raise
more than `digest_after` story alerts for a rule they become one digest alert listing them all.

Every alert lands in the in-app inbox (the alerts table); each of the rule's channels gets a
delivery record, sent by `deliver` with caunoi.alerts.notify, retried on later runs while the failure may
pass, until MAX_DELIVERY_RUNS runs have tried it.
"""

from __future__ import annotations

import math
import statistics
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine, func, select, update

from caunoi.config import Settings
from caunoi.store.articles import ArticleRepository, SearchRequest
from caunoi.store.schema import (
    alert_keys,
    alert_rules,
    alerts,
    channels,
    deliveries,
    saved_searches,
    stories,
)

KINDS = ("volume_spike", "tone_spike", "new_story", "outlet", "mention")
SEVERITIES = ("low", "medium", "high")
DEFAULTS: dict[str, Any] = {
    "window_hours": 24,
    "baseline_weeks": 4,
    "z": 3.0,
    "min_count": 5,
    "min_articles": 2,
    "tone_floor": 1.0,
    "digest_after": 3,
}
FALLBACK_WINDOWS = 7
MAX_DELIVERY_RUNS = 3
SCOPE_KEYS = ("query", "lang", "source", "topic", "entity", "country", "doc_ref", "event_type", "tone_of")
TAG_KINDS = {
    "topic": "topic",
    "entity": "entity",
    "country": "country",
    "doc_ref": "doc_ref",
    "event_type": "event_type",
}


class AlertError(ValueError):
    """A rule or channel that cannot be used; the message says why."""


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
    tags = tuple(tuple(t) for t in base.get("tags", ()))
    tags += tuple((TAG_KINDS[k], str(base[k])) for k in TAG_KINDS if base.get(k))
    return SearchRequest(
        query=base.get("query") or "",
        exact=bool(base.get("exact")),
        lang=base.get("lang"),
        source=base.get("source"),
        category=base.get("category"),
        tags=tags,
        tone_min=base.get("tone_min"),
        tone_max=base.get("tone_max"),
        tone_of=base.get("tone_of") or "article",
        limit=1,
    )


def _canonical(scope: dict[str, Any]) -> dict[str, Any]:
    """A scope with its names resolved as search resolves them: an entity's name to its id, a country
    to its code, a document's number to its canonical symbol."""
    from caunoi.filters import FilterError, search_tags

    try:
        tags = dict(
            search_tags(
                doc_ref=scope.get("doc_ref"), entity=scope.get("entity"), country=scope.get("country")
            )
        )
    except FilterError as exc:
        raise AlertError(str(exc)) from None
    return {**scope, **tags}


def _window_floor(at: datetime, hours: int) -> datetime:
    """The start of the fixed window bucket `at` falls in (buckets of `hours`, from midnight)."""
    midnight = at.replace(hour=0, minute=0, second=0, microsecond=0)
    step = max(1, hours)
    return midnight + timedelta(hours=((at - midnight).total_seconds() // 3600) // step * step)


class Alerts:
    """Rules, channels, evaluation and delivery over one store."""

    def __init__(self, engine: Engine, settings: Settings):
        self.engine = engine
        self.settings = settings
        self.articles = ArticleRepository(engine)

    # -- rules, channels, saved searches ---------------------------------------------------------

    def save_search(
        self, name: str, request: dict[str, Any], by: str | None = None, replace: bool = False
    ) -> int:
        """Keep a search under a name. Saved searches are shared (alert rules watch them): saving
        again under one's own name updates it, but someone else's is replaced only with `replace`."""
        clean = {k: v for k, v in request.items() if v not in (None, "", [], ())}
        with self.engine.begin() as conn:
            found = conn.execute(
                select(saved_searches.c.id, saved_searches.c.created_by).where(saved_searches.c.name == name)
            ).first()
            if found:
                if found.created_by != by and not replace:
                    raise AlertError(
                        f"{name!r} is a search saved by {found.created_by or 'someone else'}: choose another"
                        " name, or replace theirs (--replace)"
                    )
                conn.execute(
                    update(saved_searches).where(saved_searches.c.id == found.id).values(request=clean)
                )
                return found.id
            return conn.execute(
                saved_searches.insert().values(
                    name=name, request=clean, created_by=by, created_at=datetime.now()
                )
            ).inserted_primary_key[0]

    def saved(self) -> list[dict[str, Any]]:
        with self.engine.connect() as conn:
            return [
                dict(r._mapping) for r in conn.execute(select(saved_searches).order_by(saved_searches.c.name))
            ]

    def add_rule(
        self,
        name: str,
        kind: str,
        scope: dict[str, Any],
        params: dict[str, Any] | None = None,
        channel_names: list[str] | None = None,
        severity: str = "medium",
        by: str | None = None,
        replace: bool = False,
    ) -> int:
        """Add a rule; `replace` swaps a rule of the same name for this one (its alerts go with it)."""
        if kind not in KINDS:
            raise AlertError(f"unknown rule kind {kind!r}: use one of {', '.join(KINDS)}")
        if severity not in SEVERITIES:
            raise AlertError(f"unknown severity {severity!r}: use low, medium or high")
        scope = _canonical({k: v for k, v in scope.items() if v not in (None, "", [], ())})
        params = {k: v for k, v in (params or {}).items() if v not in (None, "", [], ())}
        if kind == "outlet" and not params.get("outlets"):
            raise AlertError("an outlet rule needs the outlets to watch (--outlet, repeat for more)")
        if kind == "mention" and not any(scope.get(k) for k in ("doc_ref", "entity", "query")):
            raise AlertError("a mention rule needs what to look for: --doc-ref, --entity or a query")
        with self.engine.begin() as conn:
            if (
                scope.get("saved")
                and not conn.execute(
                    select(saved_searches.c.id).where(saved_searches.c.name == scope["saved"])
                ).first()
            ):
                raise AlertError(f"no saved search named {scope['saved']!r}")
            if (
                scope.get("story")
                and not conn.execute(select(stories.c.id).where(stories.c.id == scope["story"])).first()
            ):
                raise AlertError(f"no story with id {scope['story']}")
            known = set(conn.execute(select(channels.c.name)).scalars())
            missing = [c for c in channel_names or [] if c not in known]
            if missing:
                raise AlertError(
                    f"no channel named {', '.join(missing)}: add it with `caunoi alerts channel-add`"
                )
            if conn.execute(select(alert_rules.c.id).where(alert_rules.c.name == name)).first():
                if not replace:
                    raise AlertError(f"a rule named {name!r} exists already (--replace swaps it)")
                conn.execute(alert_rules.delete().where(alert_rules.c.name == name))
            return conn.execute(
                alert_rules.insert().values(
                    name=name,
                    kind=kind,
                    scope=scope,
                    params=params,
                    channels=list(channel_names or []),
                    severity=severity,
                    enabled=True,
                    created_by=by,
                    created_at=datetime.now(),
                )
            ).inserted_primary_key[0]

    def rules(self) -> list[dict[str, Any]]:
        with self.engine.connect() as conn:
            return [dict(r._mapping) for r in conn.execute(select(alert_rules).order_by(alert_rules.c.id))]

    def set_rule(self, name: str, *, enabled: bool | None = None, remove: bool = False) -> None:
        with self.engine.begin() as conn:
            found = conn.execute(select(alert_rules.c.id).where(alert_rules.c.name == name)).scalar()
            if found is None:
                raise AlertError(f"no rule named {name!r}")
            if remove:
                conn.execute(alert_rules.delete().where(alert_rules.c.id == found))
            elif enabled is not None:
                conn.execute(update(alert_rules).where(alert_rules.c.id == found).values(enabled=enabled))

    def add_channel(
        self, name: str, kind: str, target: str, secret: str | None = None, allow_private: bool = False
    ) -> int:
        if kind not in ("email", "webhook"):
            raise AlertError("a channel is an e-mail address (--email) or a webhook URL (--webhook)")
        if kind == "webhook" and not secret:
            raise AlertError("a webhook channel needs a --secret: the receiver checks the signature with it")
        if kind == "email" and "@" not in target:
            raise AlertError(f"{target!r} is not an e-mail address")
        with self.engine.begin() as conn:
            if conn.execute(select(channels.c.id).where(channels.c.name == name)).first():
                raise AlertError(f"a channel named {name!r} exists already")
            return conn.execute(
                channels.insert().values(
                    name=name,
                    kind=kind,
                    target=target,
                    secret=secret,
                    allow_private=allow_private,
                    enabled=True,
                    created_at=datetime.now(),
                )
            ).inserted_primary_key[0]

    def channels(self) -> list[dict[str, Any]]:
        with self.engine.connect() as conn:
            rows = [dict(r._mapping) for r in conn.execute(select(channels).order_by(channels.c.name))]
        for row in rows:
            row["secret"] = "…" if row["secret"] else None  # never shown back
        return rows

    # -- the inbox ---------------------------------------------------------------------------------

    def inbox(self, state: str | None = None, limit: int = 50) -> list[dict[str, Any]]:
        query = (
            select(alerts, alert_rules.c.name.label("rule"), alert_rules.c.kind)
            .join(alert_rules, alert_rules.c.id == alerts.c.rule_id)
            .order_by(alerts.c.created_at.desc(), alerts.c.id.desc())
            .limit(limit)
        )
        if state:
            query = query.where(alerts.c.state == state)
        with self.engine.connect() as conn:
            return [dict(r._mapping) for r in conn.execute(query)]

    def get(self, alert_id: int) -> dict[str, Any] | None:
        with self.engine.connect() as conn:
            row = conn.execute(
                select(alerts, alert_rules.c.name.label("rule"), alert_rules.c.kind)
                .join(alert_rules, alert_rules.c.id == alerts.c.rule_id)
                .where(alerts.c.id == alert_id)
            ).first()
            if row is None:
                return None
            out = dict(row._mapping)
            out["deliveries"] = [
                dict(d._mapping)
                for d in conn.execute(
                    select(deliveries).where(deliveries.c.alert_id == alert_id).order_by(deliveries.c.id)
                )
            ]
        return out

    def mark(self, alert_id: int, state: str) -> None:
        if state not in ("new", "read", "dismissed"):
            raise AlertError(f"an alert is new, read or dismissed, not {state!r}")
        with self.engine.begin() as conn:
            done = conn.execute(update(alerts).where(alerts.c.id == alert_id).values(state=state)).rowcount
        if not done:
            raise AlertError(f"no alert with id {alert_id}")

    # -- evaluation --------------------------------------------------------------------------------

    def run(self, at: datetime | None = None) -> list[int]:
        """Evaluate every enabled rule at `at` (now by default); store and queue what they raise.
        Returns the new alert ids."""
        at = at or datetime.now()
        new: list[int] = []
        for rule in [r for r in self.rules() if r["enabled"]]:
            params = {**DEFAULTS, **rule["params"]}
            raised = getattr(self, f"_{rule['kind']}")(rule, params, at)
            new += self._store(rule, params, raised, at)
        return new

    def _scope(self, rule: dict[str, Any]) -> tuple[SearchRequest, int | None]:
        scope = rule["scope"]
        saved = None
        if scope.get("saved"):
            with self.engine.connect() as conn:
                saved = conn.execute(
                    select(saved_searches.c.request).where(saved_searches.c.name == scope["saved"])
                ).scalar()
            if saved is None:
                raise AlertError(f"rule {rule['name']!r}: the saved search {scope['saved']!r} is gone")
        return _request(scope, saved), scope.get("story")

    def _articles(self, rule, params, start: datetime, end: datetime) -> list[Any]:
        request, story = self._scope(rule)
        rows = self.articles.matching(request, start, end, reprints=bool(params.get("reprints")))
        return [r for r in rows if story is None or r.story_id == story]

    def _windows(self, params, at: datetime) -> tuple[datetime, datetime]:
        return at - timedelta(hours=params["window_hours"]), at

    def _baseline(self, rule, params, at: datetime) -> tuple[list[list[Any]], str]:
        """The article rows of each baseline window, and which baseline it is."""
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
        return [self._articles(rule, params, end - hours, end) for end in ends], kind

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
        counts = [len(w) for w in windows]
        mean = statistics.fmean(counts)
        sd = max(statistics.pstdev(counts), math.sqrt(mean), 1.0)
        z = (n - mean) / sd
        if z < params["z"]:
            return []
        severity = "high" if z >= 2 * params["z"] else None
        why = {
            "articles": n,
            "baseline": kind,
            "baseline_counts": counts,
            "mean": round(mean, 2),
            "sd": round(sd, 2),
            "z": round(z, 2),
            "threshold_z": params["z"],
            "ratio": round(n / max(mean, 1.0), 2),
            **self._context(rows),
        }
        title = f"{rule['name']}: {n} bài trong {params['window_hours']} giờ, thường {mean:.1f} (z {z:.1f})"
        bucket = _window_floor(at, params["window_hours"]).isoformat(timespec="hours")
        return [Raised(f"volume:{bucket}", title, why, severity=severity)]

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
        return [Raised(f"tone:{bucket}", title, why, severity="high" if z >= 2 * params["z"] else None)]

    def _stories_in(self, rows: list[Any]) -> dict[int, list[Any]]:
        grouped: dict[int, list[Any]] = {}
        for r in rows:
            grouped.setdefault(r.story_id if r.story_id is not None else -r.id, []).append(r)
        return grouped

    def _story_rows(self, ids: list[int]) -> dict[int, Any]:
        with self.engine.connect() as conn:
            return (
                {r.id: r for r in conn.execute(select(stories).where(stories.c.id.in_(ids)))} if ids else {}
            )

    def _new_story(self, rule, params, at: datetime) -> list[Raised]:
        start, end = self._windows(params, at)
        topics = params.get("topics") or [None]
        rows: dict[int, Any] = {}
        for topic in topics:  # any of the priority topics
            scoped = {**rule, "scope": {**rule["scope"], **({"topic": topic} if topic else {})}}
            rows.update({r.id: r for r in self._articles(scoped, params, start - timedelta(days=30), end)})
        grouped = {k: v for k, v in self._stories_in(list(rows.values())).items() if k > 0}
        known = self._story_rows(list(grouped))
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

    def _grouped_articles(self, rule, params, at: datetime, label: str, keep) -> list[Raised]:
        start, end = self._windows(params, at)
        rows = [r for r in self._articles(rule, params, start, end) if keep(r)]
        grouped = self._stories_in(rows)
        known = self._story_rows([k for k in grouped if k > 0])
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
        now = datetime.now()
        start, end = self._windows(params, at)
        with self.engine.begin() as conn:
            seen = (
                set(
                    conn.execute(
                        select(alert_keys.c.key).where(
                            alert_keys.c.rule_id == rule["id"], alert_keys.c.key.in_([r.key for r in raised])
                        )
                    ).scalars()
                )
                if raised
                else set()
            )
            fresh = [r for r in raised if r.key not in seen]
            conn.execute(update(alert_rules).where(alert_rules.c.id == rule["id"]).values(last_run_at=now))
            if not fresh:
                return []
            groups: list[tuple[Raised, list[Raised]]]
            if len(fresh) > params["digest_after"]:
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
            ids = []
            for alert, covered in groups:
                alert_id = conn.execute(
                    alerts.insert().values(
                        rule_id=rule["id"],
                        story_id=alert.story_id,
                        window_start=start,
                        window_end=end,
                        severity=alert.severity or rule["severity"],
                        title=alert.title,
                        why=alert.why,
                        digest=len(covered) > 1 or alert.key.startswith("digest:"),
                        state="new",
                        created_at=now,
                    )
                ).inserted_primary_key[0]
                conn.execute(
                    alert_keys.insert(),
                    [{"rule_id": rule["id"], "key": r.key, "alert_id": alert_id} for r in covered],
                )
                targets = conn.execute(
                    select(channels).where(channels.c.name.in_(rule["channels"] or []), channels.c.enabled)
                ).all()
                for ch in targets:
                    conn.execute(
                        deliveries.insert().values(
                            alert_id=alert_id,
                            channel=ch.name,
                            kind=ch.kind,
                            target=ch.target,
                            state="pending",
                            attempts=0,
                            created_at=now,
                        )
                    )
                ids.append(alert_id)
            return ids

    # -- delivery ----------------------------------------------------------------------------------

    def deliver(self) -> dict[str, int]:
        """Send every pending delivery; a failure that may pass stays pending for the next run, up to
        MAX_DELIVERY_RUNS runs. Returns counts by outcome."""
        from caunoi.alerts import notify
        from caunoi.reports.html import alert_mail

        with self.engine.connect() as conn:
            pending = conn.execute(
                select(deliveries, channels.c.secret, channels.c.allow_private)
                .join(channels, channels.c.name == deliveries.c.channel, isouter=True)
                .where(deliveries.c.state == "pending")
                .order_by(deliveries.c.id)
            ).all()
        outcome: Counter = Counter()
        for d in pending:
            alert = self.get(d.alert_id)
            if d.kind == "email":
                subject, html, text = alert_mail(alert)
                result = notify.send_mail(
                    self.settings, [a.strip() for a in d.target.split(",")], subject, html, text
                )
            else:
                payload = {"alert": _public(alert)}
                result = notify.post_webhook(
                    d.target,
                    d.secret or "",
                    payload,
                    self.settings,
                    event="alert.raised",
                    allow_private=bool(d.allow_private),
                )
            runs = d.attempts + 1
            state = (
                "sent"
                if result.ok
                else ("failed" if result.permanent or runs >= MAX_DELIVERY_RUNS else "pending")
            )
            outcome[state] += 1
            with self.engine.begin() as conn:
                conn.execute(
                    update(deliveries)
                    .where(deliveries.c.id == d.id)
                    .values(
                        state=state,
                        attempts=runs,
                        status=result.status,
                        error=result.error,
                        last_attempt_at=datetime.now(),
                        delivered_at=datetime.now() if result.ok else None,
                    )
                )
        return dict(outcome)

    def counts(self) -> dict[str, int]:
        with self.engine.connect() as conn:
            return dict(conn.execute(select(alerts.c.state, func.count()).group_by(alerts.c.state)).all())


def _public(alert: dict[str, Any]) -> dict[str, Any]:
    """An alert as webhooks receive it."""
    keep = (
        "id",
        "rule",
        "kind",
        "story_id",
        "severity",
        "title",
        "why",
        "digest",
        "window_start",
        "window_end",
        "created_at",
    )
    out = {k: alert.get(k) for k in keep}
    for k in ("window_start", "window_end", "created_at"):
        if isinstance(out[k], datetime):
            out[k] = out[k].isoformat()
    return out
