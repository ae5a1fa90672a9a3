"""Outreach operations: what the centre and the missions abroad do — campaigns, information packs,
information products and activities — every change audited, scoped to units and missions
(`caunoi.units`), the coverage activities earned (`coverage`: candidates found, a person's decision)
and their evaluation in the AMEC chain (`evaluation`). Interfaces call `OutreachService` (through
`caunoi.service.Service.outreach`) and ask `caunoi.users.can(user, "outreach.read" |
"outreach.write", record)` with a record's `unit`; the SQL lives in `caunoi.store.outreach` (and
`caunoi.store.coverage`, `caunoi.store.evaluation`).

Never here: contact books or profiles of private persons, automated posting. Officials appear in
their public roles only; partners are organisations."""

from __future__ import annotations

from caunoi.outreach.activities import ACTIVITY_TYPES, Activities, Activity, ImportReport
from caunoi.outreach.campaigns import CAMPAIGN_KINDS, METRICS, Campaign, Campaigns, Objective
from caunoi.outreach.common import FileInfo, NotFound, OutreachError, TakenError
from caunoi.outreach.coverage import Candidate, Coverage
from caunoi.outreach.evaluation import (
    Comparison,
    Evaluation,
    Evaluations,
    Indicator,
    MissionFigures,
    Part,
    Progress,
    Scope,
)
from caunoi.outreach.overview import SentPack, UnitOutreach, unit_outreach
from caunoi.outreach.packs import PACK_KINDS, RECIPIENT_STATES, Notify, Pack, Packs, Recipient
from caunoi.outreach.products import PRODUCT_KINDS, Product, Products
from caunoi.store.coverage import CoverageRepository
from caunoi.store.evaluation import EvaluationRepository
from caunoi.store.outreach import OutreachRepository
from caunoi.units import UnitService

IMPORT_SEARCH_SECONDS = 5.0  # an import searches its latest activities' coverage this long, at most

__all__ = [
    "ACTIVITY_TYPES",
    "CAMPAIGN_KINDS",
    "METRICS",
    "PACK_KINDS",
    "PRODUCT_KINDS",
    "RECIPIENT_STATES",
    "Activities",
    "Activity",
    "Campaign",
    "Campaigns",
    "Candidate",
    "Comparison",
    "Coverage",
    "Evaluation",
    "Evaluations",
    "FileInfo",
    "ImportReport",
    "Indicator",
    "MissionFigures",
    "NotFound",
    "Objective",
    "OutreachError",
    "OutreachService",
    "Pack",
    "Packs",
    "Part",
    "Product",
    "Products",
    "Progress",
    "Recipient",
    "Scope",
    "SentPack",
    "TakenError",
    "UnitOutreach",
]


class OutreachService:
    """Campaigns, packs, products and activities over one store, the coverage activities earned, and
    their evaluation."""

    def __init__(
        self,
        engine,
        *,
        topics: tuple[str, ...],
        timezone: str = "UTC",
        max_file_bytes: int = 20 * 1024 * 1024,
        notify: Notify | None = None,
        coverage_days: tuple[int, int] = (1, 14),
        subject: str = "VN",
    ):
        self.repo = OutreachRepository(engine)
        self.units = UnitService(engine)
        self.campaigns = Campaigns(self.repo, self.units, topics)
        self.products = Products(self.repo, self.units, self.campaigns, max_file_bytes)
        self.packs = Packs(self.repo, self.units, self.campaigns, max_file_bytes, timezone, notify)
        self.activities = Activities(
            self.repo, self.units, self.campaigns, max_file_bytes, timezone, changed=self._search_coverage
        )
        self.coverage = Coverage(CoverageRepository(engine), self.activities, *coverage_days, subject)
        self.evaluation = Evaluations(
            self.repo, EvaluationRepository(engine), self.units, self.campaigns, self.packs, timezone, subject
        )

    def _search_coverage(self, activity_ids: list[int]) -> None:
        """What activities logged, changed or imported may have earned (an import: for a while only)."""
        self.coverage.rescore(activity_ids, seconds=IMPORT_SEARCH_SECONDS if len(activity_ids) > 1 else None)

    def file(self, file_id: int) -> tuple[FileInfo, bytes, dict[str, int | None]]:
        """An attached file, its bytes, and what it is attached to: {"pack_id", "activity_id",
        "product_id"}, one of them set."""
        row = self.repo.file(int(file_id))
        if row is None:
            raise NotFound("outreach_file_not_found", "no file with id {id}", id=file_id)
        info = FileInfo(**{k: row[k] for k in FileInfo.__dataclass_fields__})
        owner = {k: row[k] for k in ("pack_id", "activity_id", "product_id")}
        return info, row["content"], owner

    def unit_outreach(self, code: str) -> UnitOutreach:
        """A unit's or mission's outreach at a glance (caunoi.outreach.overview)."""
        return unit_outreach(code, units=self.units, campaigns=self.campaigns, packs=self.packs,
                             products=self.products, activities=self.activities)  # fmt: skip
