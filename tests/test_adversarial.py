"""The adversarial corpus (tests/adversarial) in brief: every area's generators for a few seconds, and
not one case may fail. `make bench` runs them longer (benchmarks/adversarial.py)."""

from __future__ import annotations

import os

import pytest
from adversarial import areas, run_area

SECONDS = float(os.environ.get("CAUNOI_ADVERSARIAL_SECONDS", "3"))


@pytest.mark.parametrize("area", sorted(areas()))
def test_no_adversarial_case_fails(area: str) -> None:
    tally = run_area(area, SECONDS)
    assert tally.tried > 0, f"{area}: the generator produced no case"
    assert tally.failed == 0, f"{area}: {tally.failed} of {tally.tried} failed:\n" + "\n".join(tally.failures)
