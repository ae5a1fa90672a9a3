"""Rising stories (câu chuyện đang tăng): which stories grow faster than their own baseline, the way
EMM NewsBrief flags breaking news — not the biggest stories, but those whose article count in the
last window (24 h by default) stands out against what the same story had in the windows before.

For each story with an article in the window [at − hours, at), its articles (reprints counted once)
are counted in that window and in each of the earlier windows of the same length that fit in
`baseline_days` (7 days: 7 windows of 24 h). The window's count n is set against those counts as a
volume spike is (caunoi.spikes): μ their mean, σ their spread, at least √μ (a Poisson count's own
noise) and 1; μ is at least FLOOR (one article a window), since a story first seen yesterday has only
zeros behind it and would otherwise rise on any second article. The story is

  rising (đang tăng)  when n ≥ min_count (3) and z = (n − μ) / σ ≥ z (3): 2 articles after none
                      give z = 1, 4 after none z = 3; a story with 5 a day rises past 12;
  new (mới)           when it was first seen in the window.

The counts of every window, oldest first, are its sparkline. Filters: `topic` keeps the stories with
an article on that topic (as `caunoi stories --topic`); `lang` and `origin` count only the story's
articles in that language, or from outlets of that origin as the source registry records it
(domestic, foreign, diaspora, international; `unknown`: an outlet not in the registry, or one with no
origin). The same arithmetic over a rule's scope is the `rising_story` alert (caunoi.alerts.evaluate).
Reads through the store; never writes."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from caunoi.errors import Invalid
from caunoi.models import ORIGINS  # the one list: caunoi.models.outlet_origin
from caunoi.spikes import spike
from caunoi.store.stories import StoryRepository
from caunoi.stories.view import Growth, StorySummary, summaries
from caunoi.timezones import article_clock

WINDOW_HOURS = 24
BASELINE_DAYS = 7
Z = 3.0
MIN_COUNT = 3
FLOOR = 1.0  # articles a window a story is expected to have, however young
MAX_HOURS = 24 * 30
MAX_DAYS = 90
MAX_WINDOWS = 60  # baseline windows: a sparkline that still reads


class RisingError(Invalid):
    """Options rising stories cannot be found with; the message says why."""


def bad_time(value: str) -> RisingError:
    """The refusal of a time rising stories cannot be counted at (not a time, or out of range)."""
    return RisingError(
        "rising_bad_time", "{at!r} is no time to count articles at: write it like 2021-04-30T08:00", at=value
    )


@dataclass(frozen=True)
class RisingRequest:
    """What to look for: the window that ends `at` (None: now, or the end of the latest day with
    articles when the store is older, as the dashboard's window ends) and `hours` long, against the
    windows of `baseline_days` before it; the thresholds; the filters; `every` lists the stories of
    the window that are not rising too."""

    at: datetime | None = None
    hours: int = WINDOW_HOURS
    baseline_days: int = BASELINE_DAYS
    z: float = Z
    min_count: int = MIN_COUNT
    topic: str | None = None
    origin: str | None = None
    lang: str | None = None
    every: bool = False
    limit: int = 50

    @property
    def windows(self) -> int:
        """How many baseline windows there are."""
        return max(1, self.baseline_days * 24 // self.hours)

    @property
    def end(self) -> datetime:
        """When the window ends (set by `checked`)."""
        if self.at is None:
            raise ValueError("a rising request's time is set by `checked` first")
        return self.at

    @property
    def window_start(self) -> datetime:
        return self.end - timedelta(hours=self.hours)

    @property
    def start(self) -> datetime:
        """Where the first baseline window starts."""
        return self.end - timedelta(hours=self.hours * (self.windows + 1))

    def checked(self, default_at: datetime) -> RisingRequest:
        """This request with its time set (`default_at` when it has none), or a RisingError."""
        if not 1 <= self.hours <= MAX_HOURS:
            raise RisingError(
                "rising_bad_window", "the window is 1 to {most} hours, not {hours}", most=MAX_HOURS,
                hours=self.hours,
            )  # fmt: skip
        if not 1 <= self.baseline_days <= MAX_DAYS or self.windows > MAX_WINDOWS:
            raise RisingError(
                "rising_bad_baseline",
                "the baseline is 1 to {days} days and at most {most} windows: {baseline} days of"
                " {hours} h windows are {windows}",
                days=MAX_DAYS, most=MAX_WINDOWS, baseline=self.baseline_days, hours=self.hours,
                windows=self.baseline_days * 24 // self.hours,
            )  # fmt: skip
        if self.z < 0 or self.min_count < 1:
            raise RisingError(
                "rising_bad_threshold", "z is 0 or more and the minimum count 1 or more (z {z}, {n})",
                z=self.z, n=self.min_count,
            )  # fmt: skip
        if self.origin is not None and self.origin not in ORIGINS:
            raise RisingError(
                "rising_bad_origin", "unknown origin {origin!r}: use one of {origins}",
                origin=self.origin, origins=", ".join(ORIGINS),
            )  # fmt: skip
        at = self.at or default_at
        if not 1900 <= at.year <= 9000:
            raise bad_time(at.isoformat())
        # articles' times are Hà Nội wall-clock: 08:00+07:00 is 08:00, and so is 01:00Z
        return replace(self, at=article_clock(at))


def window_counts(times: Iterable[datetime], request: RisingRequest) -> list[int]:
    """The articles at `times` counted in each window of the request, oldest first (the last is the
    window itself); times outside them are left out."""
    counts = [0] * (request.windows + 1)
    start, end, step = request.start, request.end, timedelta(hours=request.hours)
    for when in times:
        if start <= when < end:
            counts[int((when - start) // step)] += 1
    return counts


def growth(times: Iterable[datetime], first_seen: datetime, request: RisingRequest) -> Growth:
    """How a story whose articles are at `times` (reprints left out) grew in the request's window."""
    counts = window_counts(times, request)
    found = spike(counts[-1], counts[:-1], FLOOR)
    return Growth(
        window_start=request.window_start,
        window_end=request.end,
        count=found.count,
        counts=counts,
        mean=round(found.mean, 2),
        sd=round(found.sd, 2),
        z=round(found.z, 2),
        ratio=round(found.ratio, 2),
        threshold_z=request.z,
        new=request.window_start <= first_seen < request.end,
        rising=found.count >= request.min_count and found.z >= request.z,
    )


def growths(
    members: Iterable[tuple[int, datetime]], first_seen: Mapping[int, datetime], request: RisingRequest
) -> dict[int, Growth]:
    """The growth of each story of `first_seen` from its members' (story id, time) pairs, the stories
    with no article in the window left out."""
    times: dict[int, list[datetime]] = defaultdict(list)
    for story_id, when in members:
        times[story_id].append(when)
    grown = {sid: growth(times[sid], seen, request) for sid, seen in first_seen.items()}
    return {sid: g for sid, g in grown.items() if g.count}


def ranked(found: Mapping[int, Growth]) -> list[int]:
    """Story ids, the most outstanding growth first (z, then the window's count, then the id)."""
    return sorted(found, key=lambda sid: (-found[sid].z, -found[sid].count, sid))


@dataclass(frozen=True)
class RisingList:
    """The stories a request found, and the request with its time set."""

    request: RisingRequest
    stories: list[StorySummary]


def rising_stories(repo: StoryRepository, request: RisingRequest) -> RisingList:
    """The stories rising in the request's window (with `every`, every story of the window), the
    most outstanding first, each with its growth; `request` is checked."""
    members = repo.member_times(
        request.start, request.end, topic=request.topic, origin=request.origin, lang=request.lang
    )
    window_start = request.window_start
    live = {story_id for story_id, when in members if when >= window_start}  # the stories of the window
    found = growths(members, repo.first_seen(live), request)
    chosen = [sid for sid in ranked(found) if request.every or found[sid].rising][: request.limit]
    by_id = {r.id: r for r in repo.by_ids(chosen)}
    listed = summaries(repo, [by_id[sid] for sid in chosen])
    return RisingList(request, [replace(s, growth=found[s.id]) for s in listed])
