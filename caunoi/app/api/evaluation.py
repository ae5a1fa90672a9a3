"""The evaluation routes (issue 16): a campaign's, unit's or mission's outreach in the AMEC chain
(caunoi.outreach.evaluation), and the missions compared over a period, as JSON or as a CSV or XLSX
file.

Who may read them: whoever reads outreach (outreach.read). A mission officer evaluates their own
mission only: `unit` defaults to it (another is a 403), and a campaign is evaluated for their
mission's part in it, when their mission takes part (else 403); in the comparison they get their
own mission's row only. The routes call caunoi.service (service_of) and never the store."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request

from caunoi.app.api.errors import NOT_FOUND, ApiError
from caunoi.app.api.export import table_file
from caunoi.app.api.outreach import READ, CampaignQuery, Reader, UnitQuery
from caunoi.app.api.schemas import ComparisonOut, ErrorOut, EvaluationOut
from caunoi.app.auth import service_of
from caunoi.outreach import Evaluation, access
from caunoi.outreach.evaluation import COMPARED, comparison_csv, comparison_xlsx, table_csv, table_xlsx
from caunoi.units import code_key

router = APIRouter()

REFUSED = {422: {"model": ErrorOut, "description": "No scope, or no period (a unit needs `from` and `to`)."}}
FILES = {
    200: {
        "content": {"text/csv": {}, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {}},
        "description": "The evaluation (JSON), or with `format` a CSV or XLSX file of it.",
    }
}


@router.get(
    "/evaluation",
    response_model=EvaluationOut,
    responses={**NOT_FOUND, **REFUSED, **FILES},
    tags=["evaluation"],
)
def evaluation(
    request: Request,
    user: Reader,
    campaign: CampaignQuery = None,
    unit: UnitQuery = None,
    start: Annotated[
        date | None, Query(alias="from", description="The first day (default: the campaign's start).")
    ] = None,
    last: Annotated[
        date | None,
        Query(alias="to", description="The last day, included (default: the campaign's end)."),
    ] = None,
    format: Annotated[
        Literal["json", "csv", "xlsx"], Query(description="json, or a file: csv or xlsx.")
    ] = "json",
    lang: Annotated[Literal["vi", "en"], Query(description="The language of a file's words.")] = "vi",
) -> Any:
    """Inputs (budget, cost per currency, users), activities, outputs (products, packs, releases),
    outtakes (earned coverage: articles, reprints, outlets, foreign share, countries, languages,
    message penetration) and outcomes in the host media (tone about Việt Nam, attention, share of
    voice, priority topics; before and during), with the campaign's objectives and their progress.
    Each figure carries its definition and the ids of the records behind it. Days are read in the
    organisation's time zone."""
    outreach = service_of(request).outreach
    try:
        own = access.mission(user, READ)
    except access.NotAllowed as refusal:
        raise ApiError(403, "forbidden", str(refusal)) from None
    if own is not None:
        if unit is not None and code_key(unit) != code_key(own):
            raise ApiError(403, "forbidden", f"a mission officer evaluates only {own}")
        unit = own
        if campaign and not access.reads_campaign(user, outreach.campaigns.get(campaign)):
            raise ApiError(403, "forbidden", f"{own} does not take part in campaign {campaign}")
    found: Evaluation = outreach.evaluation.evaluate(campaign=campaign, unit=unit, start=start, last=last)
    if format == "json":
        return found
    write = table_csv if format == "csv" else table_xlsx
    s = found.scope
    last = s.end - timedelta(days=1)
    name = f"caunoi-evaluation-{'-'.join(x for x in (s.campaign, s.unit) if x)}-{s.start}-{last}"
    return table_file(write(found, lang), format, name)


Sort = Literal[COMPARED + tuple(f"-{c}" for c in COMPARED)]  # type: ignore[valid-type]


@router.get(
    "/evaluation/missions",
    response_model=ComparisonOut,
    responses={**REFUSED, **FILES},
    tags=["evaluation"],
)
def evaluation_missions(
    request: Request,
    user: Reader,
    start: Annotated[date, Query(alias="from", description="The first day.")],
    last: Annotated[date, Query(alias="to", description="The last day, included.")],
    sort: Annotated[Sort, Query(description="A column; -column: most first.")] = "unit",
    format: Annotated[
        Literal["json", "csv", "xlsx"], Query(description="json, or a file: csv or xlsx.")
    ] = "json",
    lang: Annotated[Literal["vi", "en"], Query(description="The language of a file's words.")] = "vi",
) -> Any:
    """Every mission side by side over the period, one row each: activities (and by type), products,
    packs sent, acknowledged and overdue, earned articles, outlets, message penetration and the host
    tone before and during — each the figure of the mission's own evaluation. A mission officer
    gets their mission's row only."""
    outreach = service_of(request).outreach
    try:
        own = access.mission(user, READ)
    except access.NotAllowed as refusal:
        raise ApiError(403, "forbidden", str(refusal)) from None
    found = outreach.evaluation.compare(start=start, last=last, units=[own] if own else None, sort=sort)
    if format == "json":
        return found
    write = comparison_csv if format == "csv" else comparison_xlsx
    last = found.end - timedelta(days=1)
    return table_file(write(found, lang), format, f"caunoi-missions-{found.start}-{last}")
