"""The illustrative outreach data of `make demo` (demo/data/outreach/): every unit it names is in the
shipped list, it loads whole on both backends and shows what the pages are meant to show (a mission
overdue, two waiting, use reported, forty activities of April 2021), and demo/outreach.py loads it
through the CLI, a second time adding nothing."""

from __future__ import annotations

import csv
import importlib.util
import io
import json
from datetime import date
from pathlib import Path

import pytest
from conftest import REPO
from support.cli import caunoi

from caunoi.units import SAMPLE

DATA = REPO / "demo" / "data" / "outreach"


def _loader():
    spec = importlib.util.spec_from_file_location("demo_outreach", REPO / "demo" / "outreach.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


demo = _loader()


def _csv(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))


def _units_named() -> set[str]:
    named = {row["unit"] for name in ("activities.csv", "earned.csv") for row in _csv(DATA / name)}
    for campaign in demo.read("campaigns.yaml"):
        named |= set(campaign.get("units") or [])
    for product in demo.read("products.yaml"):
        named.add(product["unit"])
    for pack in demo.read("packs.yaml"):
        named |= set(pack["to"]) | set(pack.get("acknowledged") or [])
        named |= {r["unit"] for r in pack.get("reports") or []}
    return named


def test_every_unit_the_demo_names_is_in_the_shipped_list():
    shipped = {row["code"] for row in _csv(SAMPLE)}
    assert _units_named() - shipped == set()


def test_the_demo_data_loads_whole_and_shows_acknowledged_overdue_and_waiting(service):
    service.units.import_file(SAMPLE, by="demo")
    outreach = service.outreach
    for c in demo.read("campaigns.yaml"):
        details = {k: v for k, v in c.items() if k not in ("code", "title")}
        outreach.campaigns.add(c["code"], c["title"], by="demo", **details)
    for p in demo.read("products.yaml"):
        outreach.products.add(**{**p, "by": "demo"})
    report = outreach.activities.import_file(DATA / "activities.csv", by="demo")
    assert report.written and len(report.added) == 40, report.refused
    packs = []
    for p in demo.read("packs.yaml"):
        files = [(name, (DATA / name).read_bytes()) for name in p.get("files") or []]
        pack = outreach.packs.add(
            p["title"], p["body"], by="demo", kind=p["kind"], campaign=p["campaign"],
            deadline=p.get("deadline"), to=p["to"], files=files,
        )  # fmt: skip
        for unit in p.get("acknowledged") or []:
            outreach.packs.acknowledge(pack.id, unit, by="demo")
        for r in p.get("reports") or []:
            ids = [outreach.activities.get(key).id for key in r["activities"]]
            outreach.packs.report_use(pack.id, r["unit"], r["usage"], by="demo", activities=ids)
        packs.append(outreach.packs.get(pack.id))

    assert [p.counts for p in packs] == [
        {"waiting": 0, "overdue": 1, "acknowledged": 7},
        {"waiting": 0, "overdue": 0, "acknowledged": 6},
        {"waiting": 2, "overdue": 0, "acknowledged": 2},
    ]
    assert [p.title for p in outreach.packs.list(unit="DSQ-DE", state="overdue")] == [packs[0].title]
    used = packs[0].recipient("PDTT-UN-NY").activities
    assert [outreach.activities.get(i).key for i in used] == ["DEMO-2104-001", "DEMO-2104-004"]
    assert len(outreach.campaigns.list(active_on=date(2021, 4, 30))) == 3
    assert len(outreach.products.list()) == 5
    activities = outreach.activities.list(limit=None)
    assert {(a.local_start.year, a.local_start.month) for a in activities} == {(2021, 4)}
    assert len({a.unit for a in activities}) == 15
    first = outreach.activities.get("DEMO-2104-001")
    assert (first.local_start.hour, first.timezone, first.country) == (10, "America/New_York", "US")


def _has_outreach_commands() -> bool:
    from caunoi.cli import app

    groups = {g.name for g in app.registered_groups}
    return {"campaigns", "packs", "products", "activities"} <= groups


@pytest.mark.skipif(not _has_outreach_commands(), reason="the outreach CLI groups are not there yet")
def test_the_loader_runs_the_commands_a_user_would_and_adds_nothing_the_second_time(tmp_path):
    from caunoi.config import Settings

    settings = Settings(data_dir=tmp_path / "store")
    press = tmp_path / "press"  # the articles of the demo corpus that covered the real activities
    press.mkdir()
    urls = {url for decided in demo.read("coverage.yaml") for url in decided["confirm"]}
    for doc in (REPO / "demo" / "data" / "vi-news-unc" / "window").iterdir():
        head = doc.read_text(encoding="utf-8").splitlines()[:3]
        if any(line.removeprefix("# url = ") in urls for line in head):
            (press / doc.name).write_bytes(doc.read_bytes())
    assert len(list(press.iterdir())) == 4
    caunoi(settings, "ingest", str(press))

    def run(args: list[str]) -> str:
        return caunoi(settings, *args).stdout

    demo.load(run)
    briefing = json.loads(run(["activities", "coverage", "bng-2021-04-29-hop-bao-thuong-ky", "--json"]))
    assert [c["state"] for c in briefing] == ["confirmed"] * 4
    evaluated = json.loads(
        run(["evaluate", "--unit", "BNG-TTBC", "--from", "2021-04-01", "--to", "2021-04-30", "--json"])
    )
    earned = next(i for i in evaluated["indicators"] if i["key"] == "earned_articles")
    assert earned["value"] == 4

    def counts() -> dict[str, int]:
        return {g: len(json.loads(run([g, "list", "--json"]))) for g in ("campaigns", "packs", "products")}

    assert counts() == {"campaigns": 3, "packs": 3, "products": 5}
    logged = len(json.loads(run(["activities", "list", "--json", "--limit", "100"])))
    demo.load(run)
    assert counts() == {"campaigns": 3, "packs": 3, "products": 5}
    assert len(json.loads(run(["activities", "list", "--json", "--limit", "100"]))) == logged == 42
