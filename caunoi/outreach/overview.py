"""A unit's or mission's outreach at a glance — the page of a mission: how many activities it logged
(in all, and this year in the organisation's time zone) and its latest ones, how many products it
made, the packs sent to it by state with those it has not acknowledged yet, and the campaigns it
takes part in. Computed once here for the API and the web pages; it reads through the outreach
services and changes nothing."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from caunoi.outreach.activities import Activities, Activity
from caunoi.outreach.campaigns import Campaign, Campaigns
from caunoi.outreach.common import local, zone
from caunoi.outreach.packs import RECIPIENT_STATES, Packs
from caunoi.outreach.products import Products
from caunoi.units import Unit, UnitService

LATEST = 20  # activities shown: a page's worth, the rest is the activity list's


@dataclass(frozen=True)
class SentPack:
    """A pack as the unit it was sent to sees it: its state there (waiting, overdue, acknowledged)."""

    id: int
    title: str
    kind: str
    campaign_id: int | None
    deadline: datetime | None  # UTC
    state: str
    sent_at: datetime
    acknowledged_at: datetime | None


@dataclass(frozen=True)
class UnitOutreach:
    unit: Unit
    activities: int
    activities_this_year: int  # since 1 January in the organisation's time zone
    latest_activities: list[Activity]  # latest first
    products: int
    packs: dict[str, int]  # recipient state -> how many packs sent to the unit are in it
    open_packs: list[SentPack]  # not acknowledged: overdue first, then by deadline
    campaigns: list[Campaign]  # those it takes part in, latest start first


def unit_outreach(
    code: str,
    *,
    units: UnitService,
    campaigns: Campaigns,
    packs: Packs,
    products: Products,
    activities: Activities,
    latest: int = LATEST,
) -> UnitOutreach:
    """The outreach of the unit or mission `code` (any case; a retired one too)."""
    unit = units.get(code)
    now = packs.clock()
    here = local(now, activities.timezone)
    assert here is not None
    new_year = datetime(here.year, 1, 1, tzinfo=zone(activities.timezone))
    counts = dict.fromkeys(RECIPIENT_STATES, 0)
    open_packs = []
    for pack in packs.list(unit=unit.code):
        recipient = pack.recipient(unit.code)
        if recipient is None:  # listed as sent to the unit: it has a recipient row
            continue
        counts[recipient.state] += 1
        if recipient.state != "acknowledged":
            open_packs.append(
                SentPack(
                    id=pack.id,
                    title=pack.title,
                    kind=pack.kind,
                    campaign_id=pack.campaign_id,
                    deadline=pack.deadline,
                    state=recipient.state,
                    sent_at=recipient.sent_at,
                    acknowledged_at=recipient.acknowledged_at,
                )
            )
    open_packs.sort(key=lambda p: (p.state != "overdue", p.deadline is None, p.deadline or now, p.id))
    return UnitOutreach(
        unit=unit,
        activities=activities.count(unit.code),
        activities_this_year=activities.count(unit.code, new_year.astimezone(UTC).replace(tzinfo=None)),
        latest_activities=activities.list(unit=unit.code, limit=latest),
        products=products.count(unit.code),
        packs=counts,
        open_packs=open_packs,
        campaigns=campaigns.list(unit=unit.code),
    )
