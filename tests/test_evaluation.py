"""Evaluation in the AMEC chain (caunoi/outreach/evaluation.py), on both backends: a friendship month
of the embassy in Paris — three activities, a product, a pack, four articles a person confirmed as
earned coverage and their copies — and the French press before and during it, enriched as
enrichment leaves articles (tone about Việt Nam, countries and topics named). Each stage's figures
are checked with the records behind them; the CLI, the API and the exports show the same."""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from pathlib import Path

import httpx
import openpyxl
import pytest
from support.app import assert_error, serve
from support.cli import caunoi, cli
from support.evaluation import MESSAGES, TOPIC, october

from caunoi.i18n import LABELS
from caunoi.outreach import METRICS, OutreachError
from caunoi.outreach.evaluation import (
    DERIVED,
    comparison_csv,
    comparison_table,
    half_year,
    metric,
    months_before,
    table,
    table_csv,
    table_xlsx,
)


@pytest.fixture
def month(service):
    """The embassy in Paris's October 2026, and what the press wrote (article ids by name)."""
    return october(service)


def test_a_campaign_is_evaluated_stage_by_stage_with_the_records_behind_each_figure(service, month):
    ev = service.outreach.evaluation.evaluate(campaign="thang-vh-fr")  # the campaign's month by default
    s = ev.scope
    assert (s.campaign, s.start, s.end, s.before_start) == (
        "THANG-VH-FR",
        date(2026, 10, 1),
        date(2026, 11, 1),
        date(2026, 8, 31),
    )
    assert s.host_countries == ["FR"] and s.key_messages == MESSAGES and s.topics == [TOPIC]
    got = {i.key: i for i in ev.indicators}
    assert [i.stage for i in ev.indicators] == sorted(
        (i.stage for i in ev.indicators),
        key=["inputs", "activities", "outputs", "outtakes", "outcomes"].index,
    )

    # inputs: the budget; the cost per currency, never converted; the users bound to the missions
    assert (got["budget"].value, got["budget"].parts[0].key) == (150_000_000, "VND")
    cost = got["cost"]
    assert cost.value is None and cost.missing["en"] == "several currencies: see each sum"
    assert [(p.key, p.value) for p in cost.parts] == [("EUR", 1500.0), ("VND", 5_000_000.0)]
    assert cost.parts[0].records == {"activities": [month["briefing"], month["concert"]]}
    assert got["staff"].value == 1  # hoa, bound to DSQ-FR

    # activities: those of the campaign that started in October, by type (not November's, not the
    # mission's own meeting outside the campaign)
    activities = got["activities"]
    assert activities.value == 3
    assert [(p.key, p.value) for p in activities.parts] == [  # in the order of the types
        ("event", 1),
        ("press_conference", 1),
        ("press_release", 1),
    ]
    assert activities.records["activities"] == sorted(month[k] for k in ("briefing", "concert", "statement"))

    # outputs: the product published in October; the pack sent to two missions, one acknowledged, the
    # other overdue; the releases (a text logged, or a press release)
    assert (got["products"].value, got["products"].records) == (1, {"products": [month["product"]]})
    assert [
        (got[k].value, got[k].records["packs"]) for k in ("packs_sent", "packs_acknowledged", "packs_overdue")
    ] == [(2, [month["pack"]]), (1, [month["pack"]]), (1, [month["pack"]])]
    assert [(p.key, p.value) for p in got["packs_overdue"].parts] == [("DSQ-JP", 1)]
    assert got["releases"].records["activities"] == [month["briefing"], month["statement"]]
    assert got["audience"].value == 45

    # outtakes: the confirmed articles only, each once; their copies; outlets, origins, countries,
    # languages; which carry a key message (French words matched as a phrase, Vietnamese folded)
    earned = sorted(month[k] for k in ("lemonde", "vnexpress", "nguoiviet", "blog"))
    assert (got["earned_articles"].value, got["earned_articles"].records["articles"]) == (4, earned)
    assert {p.key: p.value for p in got["earned_articles"].parts} == {
        str(month["briefing"]): 2,
        str(month["concert"]): 2,
        str(month["statement"]): 1,
    }
    assert got["reprints"].records["articles"] == sorted([month["copy"], month["original"]])
    assert got["outlets"].value == 4
    assert (got["host_outlets"].value, got["host_outlets"].parts[0].key) == (1, "Le Monde")
    foreign = got["foreign_share"]
    assert foreign.value == 25.0 and foreign.records["articles"] == [month["lemonde"]]
    assert {p.key: p.value for p in foreign.parts} == {
        "domestic": 1,
        "foreign": 1,
        "diaspora": 1,
        "unknown": 1,
    }
    assert got["countries"].value == 3 and {p.key for p in got["countries"].parts} == {"FR", "VN", "US", "?"}
    assert got["languages"].value == 3
    penetration = got["message_penetration"]
    assert penetration.value == 50.0
    assert penetration.records["articles"] == sorted([month["lemonde"], month["vnexpress"]])
    assert [(p.key, p.records["articles"]) for p in penetration.parts] == [
        (MESSAGES[0], [month["vnexpress"]]),
        (MESSAGES[1], [month["lemonde"]]),
    ]

    # outcomes: the French press in October against the 31 days before
    tone = got["host_tone"]
    assert (tone.value, tone.before) == (3.0, -1.0)  # (3 + 2 + 4) / 3 against -1; August is outside
    assert tone.records == {
        "articles": sorted(month[k] for k in ("lemonde", "fr1", "fr2")),
        "articles_before": [month["before1"]],
    }
    assert (got["subject_attention"].value, got["subject_attention"].before) == (3, 1)
    voice = got["share_of_voice"]
    assert (voice.value, voice.before) == (50.0, 33.3)  # VN 3 of 6 mentions (FR, the host, left out); 1 of 3
    assert [(p.key, p.value, p.before) for p in voice.parts] == [("VN", 3, 1), ("CN", 2, 1), ("US", 1, 1)]
    topics = got["topic_attention"]
    assert (topics.value, topics.before, topics.parts[0].key) == (2, 1, TOPIC)

    # the objectives: measured where they name a metric, progress in percent of the target
    assert [(o.metric, o.value, o.progress) for o in ev.objectives] == [
        ("earned_articles", 4, 50.0),
        ("message_articles", 2, 50.0),
        ("tone_change", 4.0, 200.0),
        (None, None, None),
    ]
    assert ev.objectives[3].missing["vi"].startswith("không tính tự động")

    # every figure says what it is, in both languages
    for indicator in ev.indicators:
        assert indicator.name["vi"] and indicator.definition["en"].endswith(".")


def test_a_mission_is_evaluated_over_a_period_with_all_its_activities(service, month):
    ev = service.outreach.evaluation.evaluate(
        unit="dsq-fr", start="2026-10-01", last="2026-10-31", mission=True
    )
    got = {i.key: i for i in ev.indicators}
    assert ev.scope.unit == "DSQ-FR" and ev.scope.host_countries == ["FR"]
    assert ev.scope.key_messages == MESSAGES  # those of the campaigns its activities belong to
    assert got["activities"].value == 4  # its own meeting too
    assert got["budget"].value is None and got["budget"].missing["en"] == "only a campaign has a budget"
    assert [got[k].value for k in ("packs_sent", "packs_acknowledged", "packs_overdue")] == [1, 1, 0]
    assert got["earned_articles"].value == 4 and ev.objectives == []

    part = service.outreach.evaluation.evaluate(campaign="THANG-VH-FR", unit="DSQ-JP")  # its part: nothing
    assert part.indicator("activities").value == 0 and part.scope.host_countries == ["JP"]
    assert part.indicator("host_tone").missing["en"].startswith("no article about Việt Nam")
    assert part.indicator("message_penetration").missing["en"] == "no earned article confirmed yet"

    refusals = [
        ({}, "evaluation_no_scope"),
        ({"unit": "BC-TTDN", "mission": True}, "evaluation_not_mission"),
        ({"unit": "BC-TTDN"}, "evaluation_no_period"),
        ({"unit": "BC-TTDN", "start": "2026-10-01", "last": "2026-09-30"}, "evaluation_bad_period"),
    ]
    for given, code in refusals:
        with pytest.raises(OutreachError) as refused:
            service.outreach.evaluation.evaluate(**given)
        assert refused.value.code == code
    headquarters = service.outreach.evaluation.evaluate(unit="BC-TTDN", start="2026-10-01", last="2026-10-31")
    assert headquarters.indicator("share_of_voice").missing["en"].startswith("no host country")


def test_the_missions_are_compared_each_by_its_own_evaluation(service, month):
    evaluation = service.outreach.evaluation
    compared = evaluation.compare(start="2026-10-01", last="2026-10-31", sort="unit")
    assert (compared.start, compared.end) == (date(2026, 10, 1), date(2026, 11, 1))
    paris, tokyo = compared.missions  # the missions only: not the unit BC-TTDN
    assert (paris.unit, paris.activities, paris.earned_articles, paris.outlets) == ("DSQ-FR", 4, 4, 4)
    assert paris.activity_types == {"event": 1, "press_conference": 1, "press_release": 1, "media_meeting": 1}
    assert (paris.products, paris.packs_sent, paris.packs_acknowledged, paris.packs_overdue) == (1, 1, 1, 0)
    assert (paris.host_tone_before, paris.host_tone, paris.tone_change) == (-1.0, 3.0, 4.0)
    own = evaluation.evaluate(mission=True, unit="DSQ-FR", start="2026-10-01", last="2026-10-31")
    assert paris.message_penetration == own.indicator("message_penetration").value == 50.0
    assert (tokyo.unit, tokyo.activities, tokyo.packs_overdue, tokyo.tone_change) == ("DSQ-JP", 0, 1, None)

    # most first; a mission without the figure last, whichever way
    def by(sort: str) -> list[str]:
        found = evaluation.compare(start="2026-10-01", last="2026-10-31", sort=sort)
        return [m.unit for m in found.missions]

    assert by("-packs_overdue") == ["DSQ-JP", "DSQ-FR"] and by("-earned_articles") == ["DSQ-FR", "DSQ-JP"]
    assert by("tone_change") == by("-tone_change") == ["DSQ-FR", "DSQ-JP"]
    with pytest.raises(OutreachError) as refused:
        evaluation.compare(start="2026-10-01", last="2026-10-31", sort="budget")
    assert refused.value.code == "evaluation_bad_sort"
    rows = comparison_table(compared, "en")
    assert rows[0][:4] == [
        "DSQ-FR",
        "Đại sứ quán Việt Nam tại Pháp",
        4,
        "Event 1; Press conference 1; Press release 1; Meeting with media 1",
    ]
    assert comparison_csv(compared).decode("utf-8-sig").splitlines()[0].startswith("unit,name,activities,")


def test_a_period_whose_window_before_falls_off_the_calendar_is_refused(service, month):
    with pytest.raises(OutreachError) as refused:
        service.outreach.evaluation.evaluate(unit="DSQ-FR", start=date(1, 1, 1), last=date(9999, 12, 30))
    assert refused.value.code == "evaluation_long_period"


def test_the_records_behind_a_figure_are_read_in_its_order(service, month):
    records = service.outreach.evaluation.records
    found = records(
        "articles", [month["blog"], month["lemonde"], 999_999]
    )  # an id naming nothing is left out
    assert [(a.id, a.source, a.country) for a in found] == [
        (month["blog"], "Blog X", None), (month["lemonde"], "Le Monde", "FR")
    ]  # fmt: skip
    assert [a.title for a in records("activities", [month["concert"]])] == ["Hòa nhạc"]
    assert [p.id for p in records("packs", [month["pack"]])] == [month["pack"]]
    assert [p.title for p in records("products", [month["product"]])] == ["Việt Nam – Pháp: 50 năm"]
    with pytest.raises(OutreachError):
        records("users", [1])


def test_a_half_year_and_six_months_before_a_day():
    assert half_year(date(2026, 6, 30)) == (date(2026, 1, 1), date(2026, 7, 1))
    assert half_year(date(2026, 7, 1)) == (date(2026, 7, 1), date(2027, 1, 1))
    assert months_before(date(2026, 11, 15), 6) == date(2026, 5, 15)
    assert months_before(date(2026, 8, 31), 6) == date(2026, 2, 28)  # February has no 31st
    assert months_before(date(2026, 3, 31), 6) == date(2025, 9, 30)


def test_every_metric_an_objective_may_name_is_measured(service, month):
    ev = service.outreach.evaluation.evaluate(campaign="THANG-VH-FR")
    assert set(DERIVED) <= set(METRICS)
    for key in METRICS:
        value, records = metric(key, ev.indicators)
        assert value is not None, key
        assert isinstance(records, dict)
    refused = pytest.raises(OutreachError, match="objective metric 'earned'")
    with refused:
        service.outreach.campaigns.edit(
            "THANG-VH-FR", by="lan", objectives=[{"indicator": "x", "target": 1, "metric": "earned"}]
        )
    kept = service.outreach.campaigns.get("THANG-VH-FR").objectives
    assert [o.metric for o in kept] == ["earned_articles", "message_articles", "tone_change", None]
    assert kept[0].indicator == "bài báo thu được"  # the metric is not part of the words


def test_the_export_has_the_scope_every_figure_its_parts_and_the_objectives(service, month):
    ev = service.outreach.evaluation.evaluate(campaign="THANG-VH-FR")
    rows = table(ev, "en")
    assert rows[0][:5] == [
        "scope",
        "campaign",
        "Campaign",
        "",
        "THANG-VH-FR — Tháng văn hóa Việt Nam tại Pháp",
    ]
    earned = next(r for r in rows if r[1] == "earned_articles" and r[3] == "")
    assert (
        earned[4] == 4 and earned[10].startswith("articles: ") and earned[11].startswith("Articles a person")
    )
    assert ["outtakes", "foreign_share", "Foreign share", "Diaspora", 1] in [r[:5] for r in rows]
    assert rows[-1][:9] == [
        "objectives",
        "",
        "sự kiện văn hóa",
        "",
        "not computed: name a metric, or give the value yourself",
        None,
        "",
        3.0,
        None,
    ]
    text = table_csv(ev, "vi").decode("utf-8-sig")
    read = list(csv.reader(io.StringIO(text)))
    assert read[0][:3] == ["stage", "indicator", "name"] and len(read) == len(rows) + 1
    assert any(r[2] == LABELS["vi"]["eval_share_of_voice"] and r[3] == "Trung Quốc" for r in read)
    sheet = openpyxl.load_workbook(io.BytesIO(table_xlsx(ev, "vi"))).active
    assert sheet.title == "evaluation" and sheet.max_row == len(rows) + 1


def test_caunoi_evaluate_reports_by_stage_and_writes_json_csv_and_xlsx(service, month, tmp_path):
    settings = service.settings
    shown = cli(settings, "evaluate", "--campaign", "THANG-VH-FR", "--lang", "en").output
    for heading in ("Inputs", "Activities", "Outputs", "Outtakes", "Outcomes", "Objectives and progress"):
        assert heading in shown
    assert "Earned articles" in shown and "50.0 %" in shown and "+3.00" in shown and "-1.00" in shown
    assert "1,500 EUR + 5,000,000 VND" in shown and "Barcelona Principles" in shown

    data = json.loads(
        caunoi(
            settings,
            "evaluate",
            "--mission",
            "DSQ-FR",
            "--from",
            "2026-10-01",
            "--to",
            "2026-10-31",
            "--json",
        ).stdout
    )
    scope = data["scope"]
    assert (scope["unit"], scope["last"], scope["end"]) == ("DSQ-FR", "2026-10-31", "2026-11-01")
    earned = next(i for i in data["indicators"] if i["key"] == "earned_articles")
    assert earned["value"] == 4 and len(earned["records"]["articles"]) == 4
    assert earned["definition"]["vi"].startswith("Các bài báo được người dùng xác nhận")

    out_csv, out_xlsx = tmp_path / "danh-gia.csv", tmp_path / "danh-gia.xlsx"
    written = cli(
        settings, "evaluate", "--campaign", "THANG-VH-FR", "--csv", str(out_csv), "--xlsx", str(out_xlsx)
    ).output
    assert f"evaluation written to {out_csv}" in written
    assert out_csv.read_bytes().startswith(b"\xef\xbb\xbfstage,") and out_xlsx.read_bytes()[:2] == b"PK"

    refused = cli(
        settings, "evaluate", "--mission", "BC-TTDN", "--from", "2026-10-01", "--to", "2026-10-31", code=2
    ).output
    assert "BC-TTDN is not a mission" in refused
    assert "give the period" in cli(settings, "evaluate", "--unit", "DSQ-FR", code=2).output
    assert (
        "no campaign with code or id 'NOPE'" in cli(settings, "evaluate", "--campaign", "NOPE", code=1).output
    )


def test_the_api_answers_the_evaluation_as_json_or_a_file_and_an_officer_sees_their_missions_only(
    service, month
):
    service.units.add("DSQ-US", "Đại sứ quán Việt Nam tại Hoa Kỳ", kind="mission", country="US", by="t")
    service.users.add_user("minh", "mật khẩu dài đủ dùng", "analyst", by="t")
    service.users.add_user("john", "mật khẩu dài đủ dùng", "mission_officer", by="t", mission="DSQ-US")
    tokens = {name: service.users.create_token(name, "tests", by="t") for name in ("minh", "hoa", "john")}
    with serve(service.settings) as url:

        def get(who: str, **params: str) -> httpx.Response:
            headers = {"Authorization": f"Bearer {tokens[who]}"}
            return httpx.get(f"{url}/api/v1/evaluation", params=params, headers=headers, timeout=30)

        answer = get("minh", campaign="THANG-VH-FR")
        assert answer.status_code == 200, answer.text
        data = answer.json()
        got = {i["key"]: i for i in data["indicators"]}
        assert data["scope"]["end"] == "2026-11-01" and data["computed_at"].endswith("Z")
        assert got["earned_articles"]["value"] == 4 and got["foreign_share"]["value"] == 25.0
        assert got["earned_articles"]["records"]["articles"] == sorted(
            month[k] for k in ("lemonde", "vnexpress", "nguoiviet", "blog")
        )
        assert got["share_of_voice"]["definition"]["en"].startswith("Việt Nam's share")
        assert [o["progress"] for o in data["objectives"]] == [50.0, 50.0, 200.0, None]

        mine = get("hoa", campaign="THANG-VH-FR").json()  # an officer: their mission's part
        assert mine["scope"]["unit"] == "DSQ-FR"
        assert next(i for i in mine["indicators"] if i["key"] == "packs_sent")["value"] == 1
        assert_error(get("hoa", unit="DSQ-JP", **{"from": "2026-10-01", "to": "2026-10-31"}), 403)
        assert_error(get("john", campaign="THANG-VH-FR"), 403)  # DSQ-US takes no part in it
        assert_error(get("hoa"), 422)  # their mission, but over which period?
        assert_error(get("minh", campaign="NOPE"), 404)

        period = {"unit": "DSQ-FR", "from": "2026-10-01", "to": "2026-10-31"}
        as_csv = get("minh", **period, format="csv", lang="en")
        assert as_csv.status_code == 200 and as_csv.headers["content-type"].startswith("text/csv")
        assert "caunoi-evaluation-DSQ-FR-2026-10-01-2026-10-31.csv" in as_csv.headers["content-disposition"]
        rows = list(csv.reader(io.StringIO(as_csv.content.decode("utf-8-sig"))))
        assert ["outtakes", "earned_articles", "Earned articles", "", "4"] in [r[:5] for r in rows]
        as_xlsx = get("minh", **period, format="xlsx")
        sheet = openpyxl.load_workbook(io.BytesIO(as_xlsx.content)).active
        assert [c.value for c in sheet[1]][:3] == ["stage", "indicator", "name"]


def test_docs_usage_gives_every_figure_its_definition_and_names_every_metric(service, month):
    usage = (Path(__file__).resolve().parent.parent / "docs" / "usage.md").read_text(encoding="utf-8")
    section = usage[usage.index("## Evaluation") : usage.index("## Users and roles")]
    for indicator in service.outreach.evaluation.evaluate(campaign="THANG-VH-FR").indicators:
        assert f"| `{indicator.key}` {indicator.name['en']} ({indicator.name['vi']}) | " in section
        assert f" | {indicator.definition['en']} |" in section, indicator.key
    for key in METRICS:
        assert f"`{key}`" in section[section.index("**Objectives.**") :], key
