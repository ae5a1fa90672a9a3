"""Hostile and broken input, kept in the repo (issue 14): generators that feed it to the real code and count.

Each module here is one area (redirects, files, queries, …) and defines

    run(budget_s: float, seed: int = 0) -> Tally

which generates cases until its generator is exhausted or `budget_s` seconds are spent, feeds each to
the real entry point (the CLI in-process, the fetcher against a loopback server, the API over HTTP,
the store on disk), and counts a case as *held* when the code answered it the way the design promises
(a clear refusal or a recorded error, and the rest of the work done) and as *failed* otherwise (an
exception escaping, a hang past its timeout, work lost, memory past its bound), with one line saying
what. The same generators run briefly in `make test` (tests/test_adversarial.py: no case may fail) and
longer in `make bench` (benchmarks/adversarial.py: the tried / held / failed figures in
BENCHMARKS.md). They use only entry points a user has, so the same module measures older code too.
"""

from __future__ import annotations

import importlib
import pkgutil
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from types import ModuleType

KEPT = 50  # failure lines kept per area; the count goes on past it


@dataclass
class Tally:
    area: str
    tried: int = 0
    held: int = 0
    failures: list[str] = field(default_factory=list)  # the first KEPT, one line each
    seconds: float = 0.0

    @property
    def failed(self) -> int:
        return self.tried - self.held

    def case(self, held: bool, what: str = "") -> None:
        """Count one case; `what` says, for a failure, which input and what went wrong."""
        self.tried += 1
        if held:
            self.held += 1
        elif len(self.failures) < KEPT:
            self.failures.append(what or "(no description)")

    def check(self, what: str, attempt: Callable[[], object]) -> None:
        """Count one case that holds when `attempt` returns without raising; an exception is a failure."""
        try:
            attempt()
        except Exception as exc:  # what escapes is exactly what is being counted
            self.case(False, f"{what}: {type(exc).__name__}: {str(exc)[:200]}")
        else:
            self.case(True)

    def as_dict(self) -> dict[str, object]:
        return {
            "area": self.area,
            "tried": self.tried,
            "held": self.held,
            "failed": self.failed,
            "seconds": round(self.seconds, 1),
            "failures": self.failures,
        }


class Budget:
    """Seconds left for an area: `while budget:` goes on until they are spent."""

    def __init__(self, seconds: float) -> None:
        self.deadline = time.monotonic() + seconds

    def __bool__(self) -> bool:
        return time.monotonic() < self.deadline

    @property
    def left(self) -> float:
        return max(0.0, self.deadline - time.monotonic())


def areas() -> dict[str, ModuleType]:
    """Every area module in this package, by name."""
    found = {}
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda i: i.name):
        if not info.name.startswith("_"):
            found[info.name] = importlib.import_module(f"{__name__}.{info.name}")
    return found


def run_area(name: str, budget_s: float, seed: int = 0) -> Tally:
    started = time.monotonic()
    tally = areas()[name].run(budget_s, seed)
    tally.seconds = time.monotonic() - started
    return tally
