"""The evaluation pages as their readers meet them, on both backends, over the embassy in Paris's
October 2026 (tests/support/evaluation.py): an analyst reads the campaign stage by stage, opens
the records behind a figure and downloads the export; the head of unit compares the missions and
sorts them; a mission officer sees their own mission only; the campaign's and the mission's pages
carry the glance. "Today" is pinned to 15 November 2026, inside the half-year of the data."""

from __future__ import annotations

import contextlib
import io
import json
import re
from datetime import date

import openpyxl
import pytest
from conftest import BACKENDS, backend_settings
from support.app import Site
from support.evaluation import october

from caunoi.app import create_app

PASSWORD = "mật khẩu dài đủ dùng"  # hoa's, whom the month adds
USERS = {"lan": ("analyst", None), "xem": ("viewer", None), "tokyo": ("mission_officer", "DSQ-JP")}
TODAY = date(2026, 11, 15)
OCTOBER = "since=2026-10-01&until=2026-10-31"


@pytest.fixture(scope="module", params=BACKENDS)
def site(request, tmp_path_factory):
    with contextlib.ExitStack() as stack:
        settings = backend_settings(request.param, tmp_path_factory.mktemp("store"), stack)
        app = create_app(settings)
        service = app.state.service
        stack.callback(service.close)
        ids = october(service)
        for username, (role, mission) in USERS.items():
            service.users.add_user(username, PASSWORD, role, mission=mission, by="test")
        service.outreach.campaigns.add(
            "TOKYO-2026", "Tuần Việt Nam tại Tokyo", by="lan", starts_on="2026-10-01", ends_on="2026-10-31",
            units=["DSQ-JP"],
        )  # fmt: skip
        service.outreach.evaluation.today = lambda: TODAY
        yield Site(app, service, ids, PASSWORD)


def links(page: str, prefix: str) -> list[str]:
    return [h.replace("&amp;", "&") for h in re.findall(r'href="(' + re.escape(prefix) + r'[^"]*)"', page)]


def charts(page: str) -> dict[str, dict]:
    block = re.search(r'<script type="application/json" id="chart-data">(.*?)</script>', page, re.S)
    return {c["id"]: c for c in json.loads(block[1])} if block else {}


def article_ids(page: str) -> set[int]:
    return {int(i) for i in re.findall(r'href="/articles/(\d+)"', page)}


# -- the evaluation page -------------------------------------------------------------------------------


@pytest.mark.parametrize("username", ["lan", "hoa", "xem"])
def test_the_campaign_is_shown_stage_by_stage_to_each_reader(site, username):
    page = site.client(username).get("/evaluation?campaign=THANG-VH-FR")
    assert page.status_code == 200
    text = page.text
    for stage in ("Đầu vào", "Hoạt động", "Sản phẩm đầu ra", "Mức độ tiếp nhận", "Kết quả tác động"):
        assert f". {stage}</h2>" in text
    assert ">Đánh giá</a>" in text  # the menu
    assert "Tỷ lệ bài báo thu được có ít nhất một thông điệp chính" in text  # a definition, under its "?"
    assert "01/10/2026 – 31/10/2026" in text  # the campaign's own period
    assert "-1.00</span> → <span" in text and "+3.00" in text  # host tone, before → during
    assert "<progress" in text  # the objectives' progress
    drawn = charts(text)
    kinds = ("types", "countries", "languages", "tone", "voice")
    assert set(drawn) == {f"chart-eval-{kind}" for kind in kinds}
    assert drawn["chart-eval-tone"]["data"][0]["y"] == [-1.0, 3.0]
    if username == "hoa":  # their mission's part of the campaign: its four activities, not Tokyo's
        assert "DSQ-FR" in text and '<select name="unit"' not in text
    else:
        assert "/evaluation/missions?" in text


def test_a_unit_is_evaluated_over_the_current_half_year_unless_told_and_in_english_too(site):
    browser = site.client("lan")
    chosen = browser.get("/evaluation").text  # nothing chosen: the form offers the half-year
    assert 'name="since" value="2026-07-01"' in chosen and 'name="until" value="2026-12-31"' in chosen
    assert "Chọn một chiến dịch" in chosen
    page = browser.get("/evaluation?unit=DSQ-FR").text
    assert "01/07/2026 – 31/12/2026" in page and 'value="DSQ-FR" selected' in page
    browser.get("/lang/en")
    try:
        english = browser.get("/evaluation?unit=DSQ-FR&" + OCTOBER).text
        assert "Outtakes" in english and "Message penetration" in english and "Download CSV" in english
    finally:
        browser.get("/lang/vi")


def test_a_period_or_scope_that_cannot_be_evaluated_says_why(site):
    browser = site.client("lan")
    reversed_ = browser.get("/evaluation?unit=DSQ-FR&since=2026-10-31&until=2026-10-01")
    assert (
        reversed_.status_code == 400
        and "Ngày cuối (2026-10-01) ở trước ngày đầu (2026-10-31)" in reversed_.text
    )
    assert browser.get("/evaluation?unit=KHONG-CO").status_code == 404
    assert browser.get("/evaluation?campaign=KHONG-CO").status_code == 404
    assert browser.get("/evaluation?unit=DSQ-FR&since=ngày-mai").status_code == 400
    # a window before that would start before year 1, a day after the calendar's last
    for edge in ("since=0001-01-01&until=9999-12-30", "since=9999-12-30&until=9999-12-31"):
        assert browser.get(f"/evaluation?unit=DSQ-FR&{edge}").status_code == 400
        assert browser.get(f"/evaluation/missions?{edge}").status_code == 400


def test_a_mission_officer_evaluates_their_own_mission_only(site):
    browser = site.client("hoa")
    own = browser.get("/evaluation")  # nothing chosen: their mission, the half-year
    assert own.status_code == 200 and "Đại sứ quán Việt Nam tại Pháp" in own.text
    assert browser.get("/evaluation?unit=DSQ-JP").status_code == 403
    assert browser.get("/evaluation?campaign=TOKYO-2026").status_code == 403  # DSQ-FR is not in it
    assert browser.get(f"/evaluation/records?unit=DSQ-JP&{OCTOBER}&indicator=activities").status_code == 403
    sent = browser.get(f"/evaluation/missions?{OCTOBER}", follow_redirects=False)
    assert sent.status_code == 303 and sent.headers["location"] == f"/evaluation?unit=DSQ-FR&{OCTOBER}"
    rows = browser.get("/api/v1/evaluation/missions?from=2026-10-01&to=2026-10-31").json()["missions"]
    assert [r["unit"] for r in rows] == ["DSQ-FR"]
    packs = browser.get(f"/evaluation/records?unit=DSQ-FR&{OCTOBER}&indicator=packs_sent&kind=packs").text
    assert f'href="/packs/{site.ids["pack"]}"' in packs and "DSQ-JP" not in packs  # their row of it only
    tokyo = site.client("tokyo").get("/evaluation?campaign=THANG-VH-FR").text  # its part: nothing yet
    assert "DSQ-JP" in tokyo and "Họp báo khai mạc" not in tokyo


# -- the records behind a figure -----------------------------------------------------------------------


def test_each_figure_opens_the_records_behind_it(site):
    ids, browser = site.ids, site.client("lan")
    page = browser.get(f"/evaluation?campaign=THANG-VH-FR&unit=DSQ-FR&{OCTOBER}").text
    records = links(page, "/evaluation/records?")
    whole = [h for h in records if "part=" not in h]  # a figure's own link, not a line's of its breakdown
    earned = next(h for h in whole if "indicator=earned_articles" in h and "kind=articles" in h)
    listed = browser.get(earned)
    assert listed.status_code == 200 and "Bài báo thu được" in listed.text
    assert article_ids(listed.text) == {ids[k] for k in ("lemonde", "vnexpress", "nguoiviet", "blog")}
    tone = next(h for h in whole if "indicator=host_tone" in h and "kind=articles_before" in h)
    assert article_ids(browser.get(tone).text) == {ids["before1"]}
    # a line of a breakdown: the earned articles of one activity
    one = next(h for h in records if "indicator=earned_articles" in h and f"part={ids['briefing']}" in h)
    assert article_ids(browser.get(one).text) == {ids["lemonde"], ids["vnexpress"]}
    cost = next(h for h in whole if "indicator=cost" in h and "kind=activities" in h)
    shown = {int(i) for i in re.findall(r'href="/activities/(\d+)"', browser.get(cost).text)}
    assert shown == {ids["briefing"], ids["concert"], ids["statement"]}
    # the period's activities: the activity list itself, filtered the same way
    activities = next(h for h in links(page, "/activities?") if "type=" not in h)
    assert activities == "/activities?unit=DSQ-FR&campaign=THANG-VH-FR&" + OCTOBER
    listed = browser.get(activities).text
    assert {int(i) for i in re.findall(r'href="/activities/(\d+)"', listed)} == {
        ids["briefing"],
        ids["concert"],
        ids["statement"],
    }
    bad = f"/evaluation/records?campaign=THANG-VH-FR&{OCTOBER}&indicator="
    assert browser.get(bad + "nothing").status_code == 404
    assert browser.get(bad + "outlets&part=Nowhere").status_code == 404
    assert browser.get(bad + "outlets&kind=secrets").status_code == 404


def test_the_export_buttons_answer_the_apis_files(site):
    browser = site.client("lan")
    page = browser.get("/evaluation?campaign=THANG-VH-FR").text
    csv_link, xlsx_link = links(page, "/api/v1/evaluation?")
    assert "format=csv" in csv_link and "from=2026-10-01" in csv_link and "to=2026-10-31" in csv_link
    answer = browser.get(csv_link)
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/csv")
    assert "attachment" in answer.headers["content-disposition"]
    assert "Bài báo thu được" in answer.content.decode("utf-8-sig")
    sheet = openpyxl.load_workbook(io.BytesIO(browser.get(xlsx_link).content)).active
    assert any(row[1] == "earned_articles" for row in sheet.iter_rows(values_only=True))


# -- the missions compared ---------------------------------------------------------------------------------


def test_the_head_of_unit_compares_the_missions_and_sorts_them(site):
    browser = site.client("xem")
    page = browser.get(f"/evaluation/missions?{OCTOBER}&sort=-earned_articles")
    assert page.status_code == 200
    rows = re.findall(r'<td><a href="/evaluation\?unit=([A-Z-]+)&', page.text)
    assert rows == ["DSQ-FR", "DSQ-JP"]  # missions only: not the unit BC-TTDN
    assert "+4.00" in page.text and "1 / 1" in page.text  # tone change; packs acknowledged / sent
    by_overdue = browser.get(f"/evaluation/missions?{OCTOBER}&sort=-packs_overdue").text
    assert re.findall(r'<td><a href="/evaluation\?unit=([A-Z-]+)&', by_overdue) == ["DSQ-JP", "DSQ-FR"]
    # a column's header sorts by it: a count most first, then the other way
    assert f"/evaluation/missions?{OCTOBER}&sort=-outlets" in links(page.text, "/evaluation/missions?")
    assert f"/evaluation/missions?{OCTOBER}&sort=earned_articles" in links(page.text, "/evaluation/missions?")
    csv_link, xlsx_link = links(page.text, "/api/v1/evaluation/missions?")
    table = browser.get(csv_link).content.decode("utf-8-sig").splitlines()
    assert table[0].startswith("unit,name,activities") and table[1].startswith("DSQ-FR,")
    sheet = openpyxl.load_workbook(io.BytesIO(browser.get(xlsx_link).content)).active
    assert [r[0] for r in sheet.iter_rows(values_only=True)] == ["unit", "DSQ-FR", "DSQ-JP"]


# -- the glance on a campaign's and a mission's page ------------------------------------------------


def test_the_campaign_and_mission_pages_show_their_evaluation_at_a_glance(site):
    browser = site.client("lan")
    campaign = browser.get("/campaigns/THANG-VH-FR").text
    assert 'id="evaluation"' in campaign and "01/10/2026 – 31/10/2026" in campaign
    assert "/evaluation?campaign=THANG-VH-FR&since=2026-10-01&until=2026-10-31" in links(
        campaign, "/evaluation?"
    )
    assert "Mức độ lan tỏa thông điệp" in campaign and "<progress" in campaign
    mission = browser.get("/units/DSQ-FR").text  # the six months to 15 November
    assert "Sáu tháng qua" in mission and "16/05/2026 – 15/11/2026" in mission
    assert "/evaluation?unit=DSQ-FR&since=2026-05-16&until=2026-11-15" in links(mission, "/evaluation?")
    assert "Bộ thông tin đã xác nhận" in mission
    own = site.client("hoa").get("/campaigns/THANG-VH-FR").text  # an officer's: their mission's part
    assert any(
        h.startswith("/evaluation?campaign=THANG-VH-FR&unit=DSQ-FR&") for h in links(own, "/evaluation?")
    )
