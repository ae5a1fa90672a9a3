"""Evaluation in the AMEC chain (caunoi/outreach/evaluation.py), on both backends: a friendship month
of the embassy in Paris — three activities, a product, a pack, four articles a person confirmed as
earned coverage and their copies — and the French press before and during it, enriched as
enrichment leaves articles (tone about Việt Nam, countries and topics named). Each stage's figures
are checked with the records behind them; the CLI, the API and the exports show the same."""

from __future__ import annotations

import csv
import hashlib
import io
import json
from datetime import date, datetime
from pathlib import Path

import httpx
import openpyxl
import pytest
from sqlalchemy import update
from support.app import assert_error, serve
from support.cli import caunoi, cli

from caunoi.i18n import LABELS
from caunoi.outreach import METRICS, OutreachError
from caunoi.outreach.evaluation import DERIVED, metric, table, table_csv, table_xlsx
from caunoi.store.schema import (
    activity_coverage,
    article_tags,
    articles,
    duplicates,
    pack_recipients,
    sources,
)

MESSAGES = ["Việt Nam là đối tác tin cậy", "Le Vietnam, partenaire de confiance"]
TOPIC = "culture_tourism"


def _source(conn, name: str, country: str | None, origin: str | None) -> None:
    now = datetime(2026, 1, 1)
    conn.execute(
        sources.insert().values(
            name=name,
            home=f"https://{name.lower().replace(' ', '')}.example/",
            country=country,
            origin=origin,
            created_at=now,
            updated_at=now,
        )
    )


def _article(conn, title: str, text: str, source: str, lang: str, published: datetime, **tags) -> int:
    """An article as ingest and enrichment leave it: `tone` (about Việt Nam), `countries` and
    `topics` named."""
    new_id = conn.execute(
        articles.insert().values(
            content_hash=hashlib.sha256(f"{title}{text}{source}".encode()).hexdigest(),
            title=title,
            text=text,
            source=source,
            lang=lang,
            published=published,
            origin=f"test:{title}",
            created_at=published,
        )
    ).inserted_primary_key[0]
    rows = [{"kind": "tone", "value": "subject", "score": tags["tone"]}] if "tone" in tags else []
    rows += [{"kind": "country", "value": c, "score": 1.0} for c in tags.get("countries", ())]
    rows += [{"kind": "topic", "value": t, "score": 1.0} for t in tags.get("topics", ())]
    if rows:
        conn.execute(article_tags.insert(), [{**r, "article_id": new_id} for r in rows])
    return new_id


def _covered(conn, activity_id: int, article_id: int, state: str = "confirmed") -> None:
    at = datetime(2026, 10, 20)
    conn.execute(
        activity_coverage.insert().values(
            activity_id=activity_id,
            article_id=article_id,
            score=0.9,
            reasons=[],
            state=state,
            found_at=at,
            checked_at=at,
            decided_by="lan" if state != "candidate" else None,
        )
    )


@pytest.fixture
def month(service):
    """The embassy in Paris's October 2026, and what the press wrote (article ids by name)."""
    units, outreach = service.units, service.outreach
    units.add("DSQ-FR", "Đại sứ quán Việt Nam tại Pháp", kind="mission", country="FR", by="t")
    units.add("DSQ-JP", "Đại sứ quán Việt Nam tại Nhật Bản", kind="mission", country="JP", by="t")
    units.add("BC-TTDN", "Ban Thông tin đối ngoại", by="t")
    service.users.add_user("hoa", "mật khẩu dài đủ dùng", "mission_officer", by="t", mission="DSQ-FR")
    outreach.campaigns.add(
        "THANG-VH-FR",
        "Tháng văn hóa Việt Nam tại Pháp",
        by="lan",
        starts_on="2026-10-01",
        ends_on="2026-10-31",
        countries=["FR"],
        topics=[TOPIC],
        key_messages=MESSAGES,
        budget="150.000.000",
        currency="VND",
        units=["DSQ-FR", "DSQ-JP"],
        objectives=[
            "earned_articles: bài báo thu được = 8 by 2026-12-31",
            "message_articles: bài báo nêu thông điệp = 4",
            "tone_change: sắc thái cải thiện = 2",
            "sự kiện văn hóa = 3",
        ],
    )
    add = outreach.activities.add
    a = {
        "briefing": add(
            "Họp báo khai mạc Tháng văn hóa",
            by="hoa",
            unit="DSQ-FR",
            type="press_conference",
            starts_at="2026-10-05 10:00",
            campaign="THANG-VH-FR",
            cost="1200",
            currency="EUR",
            audience=45,
            release="Đại sứ quán Việt Nam tại Pháp khai mạc Tháng văn hóa.",
        ).id,
        "concert": add(
            "Hòa nhạc",
            by="hoa",
            unit="DSQ-FR",
            type="event",
            starts_at="2026-10-12 20:00",
            campaign="THANG-VH-FR",
            cost="300",
            currency="EUR",
        ).id,
        "statement": add(
            "Thông cáo bế mạc",
            by="hoa",
            unit="DSQ-FR",
            type="press_release",
            starts_at="2026-10-30 09:00",
            campaign="THANG-VH-FR",
            cost="5.000.000",
            currency="VND",
        ).id,
        "later": add(
            "Tọa đàm tháng 11",
            by="hoa",
            unit="DSQ-FR",
            type="conference",
            starts_at="2026-11-05 10:00",
            campaign="THANG-VH-FR",
        ).id,
        "own": add(
            "Gặp gỡ báo chí", by="hoa", unit="DSQ-FR", type="media_meeting", starts_at="2026-10-20 12:00"
        ).id,
    }
    product = outreach.products.add(
        "Việt Nam – Pháp: 50 năm",
        by="hoa",
        kind="article",
        lang="fr",
        unit="DSQ-FR",
        campaign="THANG-VH-FR",
        published_on="2026-10-15",
    )
    outreach.products.add(
        "Tờ gấp cũ",
        by="hoa",
        kind="publication",
        unit="DSQ-FR",
        campaign="THANG-VH-FR",
        published_on="2026-09-01",
    )
    pack = outreach.packs.add(
        "Điểm nói Tháng văn hóa",
        "Ba thông điệp …",
        by="lan",
        campaign="THANG-VH-FR",
        deadline="2026-10-10 17:00",
        to=["DSQ-FR", "DSQ-JP"],
    )
    outreach.packs.acknowledge(pack.id, "DSQ-FR", by="hoa")
    ids = {"product": product.id, "pack": pack.id, **a}
    with service.engine.begin() as conn:
        conn.execute(update(pack_recipients).values(sent_at=datetime(2026, 10, 2, 8, 0)))  # sent in October
        _source(conn, "Le Monde", "FR", "foreign")
        _source(conn, "France 24", "FR", None)  # no origin given: its country says foreign
        _source(conn, "VnExpress", "VN", "domestic")
        _source(conn, "Người Việt", "US", "diaspora")
        oct_ = lambda d: datetime(2026, 10, d, 9, 0)  # noqa: E731
        ids |= {
            # earned coverage
            "lemonde": _article(
                conn,
                "Le mois du Vietnam",
                "Le Vietnam, partenaire de confiance de la France, ouvre son mois culturel.",
                "Le Monde",
                "fr",
                oct_(6),
                tone=3.0,
                countries=["VN", "FR"],
                topics=[TOPIC],
            ),
            "vnexpress": _article(
                conn,
                "Khai mạc Tháng văn hóa",
                "Đại sứ khẳng định: Việt Nam là đối tác tin cậy của Pháp.",
                "VnExpress",
                "vi",
                oct_(6),
            ),
            "nguoiviet": _article(
                conn, "Hòa nhạc ở Paris", "Buổi hòa nhạc đông khán giả.", "Người Việt", "vi", oct_(13)
            ),
            "blog": _article(conn, "A Vietnamese evening", "Notes from a concert.", "Blog X", "en", oct_(31)),
            # a candidate and a rejected article, and the coverage of the November activity: not counted
            "candidate": _article(conn, "Paris tuần này", "…", "Le Monde", "fr", oct_(7)),
            "rejected": _article(conn, "Tuần lễ khác", "…", "VnExpress", "vi", oct_(8)),
            "november": _article(conn, "Tọa đàm", "…", "VnExpress", "vi", datetime(2026, 11, 6)),
            # copies: of Le Monde's article, and the earlier original Người Việt's article repeats
            "copy": _article(conn, "Le mois du Vietnam (reprise)", "…", "Courrier", "fr", oct_(7)),
            "original": _article(conn, "Hòa nhạc (bản gốc)", "…", "Báo khác", "vi", oct_(12)),
            # the French press during the month …
            "fr1": _article(
                conn,
                "Hanoï et Pékin",
                "…",
                "Le Monde",
                "fr",
                oct_(9),
                tone=2.0,
                countries=["VN", "CN"],
                topics=[TOPIC],
            ),
            "fr2": _article(
                conn,
                "Vietnam, États-Unis",
                "…",
                "France 24",
                "fr",
                oct_(16),
                tone=4.0,
                countries=["VN", "US"],
            ),
            "fr3": _article(
                conn, "La Chine en France", "…", "Le Monde", "fr", oct_(21), countries=["CN", "FR"]
            ),
            # … and in the month before it, and earlier (outside both windows)
            "before1": _article(
                conn,
                "Vietnam : inquiétudes",
                "…",
                "Le Monde",
                "fr",
                datetime(2026, 9, 15),
                tone=-1.0,
                countries=["VN"],
                topics=[TOPIC],
            ),
            "before2": _article(
                conn,
                "Chine et États-Unis",
                "…",
                "France 24",
                "fr",
                datetime(2026, 9, 20),
                countries=["CN", "US"],
            ),
            "august": _article(
                conn, "Été", "…", "Le Monde", "fr", datetime(2026, 8, 1), tone=-5.0, countries=["VN"]
            ),
        }
        for activity, article in (
            ("briefing", "lemonde"),
            ("briefing", "vnexpress"),
            ("concert", "vnexpress"),
            ("concert", "nguoiviet"),
            ("statement", "blog"),
            ("later", "november"),
        ):
            _covered(conn, ids[activity], ids[article])
        _covered(conn, ids["briefing"], ids["candidate"], "candidate")
        _covered(conn, ids["concert"], ids["rejected"], "rejected")
        conn.execute(
            duplicates.insert(),
            [
                {
                    "article_id": ids["copy"],
                    "original_id": ids["lemonde"],
                    "jaccard": 0.9,
                    "containment": 0.95,
                },
                {
                    "article_id": ids["nguoiviet"],
                    "original_id": ids["original"],
                    "jaccard": 0.8,
                    "containment": 0.9,
                },
            ],
        )
    return ids


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
        unit="dsq-fr", start="2026-10-01", end="2026-11-01", mission=True
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
        ({"unit": "BC-TTDN", "start": "2026-10-01", "end": "2026-10-01"}, "evaluation_bad_period"),
    ]
    for given, code in refusals:
        with pytest.raises(OutreachError) as refused:
            service.outreach.evaluation.evaluate(**given)
        assert refused.value.code == code
    headquarters = service.outreach.evaluation.evaluate(unit="BC-TTDN", start="2026-10-01", end="2026-11-01")
    assert headquarters.indicator("share_of_voice").missing["en"].startswith("no host country")


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
            "2026-11-01",
            "--json",
        ).stdout
    )
    assert data["scope"]["unit"] == "DSQ-FR" and data["scope"]["end"] == "2026-11-01"
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
        settings, "evaluate", "--mission", "BC-TTDN", "--from", "2026-10-01", "--to", "2026-11-01", code=2
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
        assert_error(get("hoa", unit="DSQ-JP", **{"from": "2026-10-01", "to": "2026-11-01"}), 403)
        assert_error(get("john", campaign="THANG-VH-FR"), 403)  # DSQ-US takes no part in it
        assert_error(get("hoa"), 422)  # their mission, but over which period?
        assert_error(get("minh", campaign="NOPE"), 404)

        period = {"unit": "DSQ-FR", "from": "2026-10-01", "to": "2026-11-01"}
        as_csv = get("minh", **period, format="csv", lang="en")
        assert as_csv.status_code == 200 and as_csv.headers["content-type"].startswith("text/csv")
        assert "caunoi-evaluation-DSQ-FR-2026-10-01-2026-11-01.csv" in as_csv.headers["content-disposition"]
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
