"""A count against its own baseline: the arithmetic that volume-spike alerts (caunoi.alerts.evaluate)
and rising stories (caunoi.stories.rising) share, and nothing else.

A window's count n is set against the counts of earlier windows of the same length: their mean μ
and spread σ, σ at least √μ (a Poisson count's own noise) and 1, so that a handful of articles
against a quiet baseline is not a spike — 2 articles after 0 give z = 2, not infinity. `floor`
raises μ for a series too young to have one (a story first seen yesterday: zeros before it);
z = (n − μ) / σ; the growth ratio is n / μ, μ at least 1."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Spike:
    """A window's count against its baseline."""

    count: int
    baseline: list[int]  # the earlier windows' counts, oldest first
    mean: float
    sd: float
    z: float
    ratio: float

    def figures(self, kind: str) -> dict[str, Any]:
        """The figures as an alert's `why` keeps them, `kind` saying how the baseline was formed."""
        return {
            "articles": self.count,
            "baseline": kind,
            "baseline_counts": list(self.baseline),
            "mean": round(self.mean, 2),
            "sd": round(self.sd, 2),
            "z": round(self.z, 2),
            "ratio": round(self.ratio, 2),
        }


def spike(count: int, baseline: Sequence[int], floor: float = 0.0) -> Spike:
    """`count` against the `baseline` counts: μ their mean (at least `floor`), σ their population
    standard deviation (at least √μ and 1), z = (count − μ) / σ, ratio = count / max(μ, 1)."""
    observed = sum(baseline) / len(baseline) if baseline else 0.0
    # the population deviation in floats: statistics.pstdev's exact fractions cost 0.3 ms a call,
    # a second for the 3,000 stories of a busy day
    spread = math.sqrt(sum((n - observed) ** 2 for n in baseline) / len(baseline)) if baseline else 0.0
    mean = max(observed, floor)
    sd = max(spread, math.sqrt(mean), 1.0)
    return Spike(count, list(baseline), mean, sd, (count - mean) / sd, count / max(mean, 1.0))
