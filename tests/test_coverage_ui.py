"""Earned coverage on an activity's web page, on both backends: the articles the embassy's press
release earned, best first, each with its outlet, score and reasons in the page's language; an
analyst confirms one and the history says so; a rejected one goes behind a link; "Tìm lại" searches
the stored articles again; a viewer sees no button and is refused a decision; every form needs its
CSRF token."""

from __future__ import annotations

import contextlib
import html
import re

import pytest
from conftest import BACKENDS, backend_settings
from support.app import Site, csrf_of
from support.corpus import as_file
from support.press import INTERVIEW, RELEASE, REPRINT

from caunoi.app import create_app

PASSWORD = "một câu mật khẩu dài 2024"
ROLES = {
    "lan": ("analyst", None),
    "paris": ("mission_officer", "DSQ-FR"),
    "tokyo": ("mission_officer", "DSQ-JP"),
    "xem": ("viewer", None),
}
ACTIVITY = dict(
    unit="DSQ-FR", type="press_conference", starts_at="13/10/2026 09:30", place="Paris",
    officials=["Đại sứ Đinh Toàn Thắng"], release=RELEASE,
)  # fmt: skip


@pytest.fixture(scope="module", params=BACKENDS)
def site(request, tmp_path_factory):
    with contextlib.ExitStack() as stack:
        folder = tmp_path_factory.mktemp("covui")
        settings = backend_settings(request.param, folder / "store", stack)
        app = create_app(settings)
        service = app.state.service
        stack.callback(service.close)
        service.units.add(
            "DSQ-FR", "Đại sứ quán Việt Nam tại Pháp", kind="mission", country="FR", type="embassy", by="t",
            name_en="Embassy of Viet Nam in France", city="Paris", languages=["fr"],
        )  # fmt: skip
        service.units.add("DSQ-JP", "Đại sứ quán Việt Nam tại Nhật Bản", kind="mission", country="JP", by="t")
        for username, (role, mission) in ROLES.items():
            service.users.add_user(username, PASSWORD, role, mission=mission, by="t")
        activity = service.outreach.activities.add(
            "Họp báo giới thiệu Tuần Văn hóa Việt Nam tại Paris", by="paris", key="PAR-041", **ACTIVITY
        )
        press = folder / "press"
        press.mkdir()
        as_file(press, "reprint", *REPRINT, "2026-10-13 18:00", "https://baoquocte.vn/tuan-van-hoa.html")
        as_file(press, "interview", *INTERVIEW, "2026-10-15 07:30", "https://vietnamplus.vn/dai-su.vnp")
        service.ingest([press])  # the new articles checked against the open activities
        # logged after the press was ingested: nothing stored for it until someone searches again
        later = service.outreach.activities.add("Họp báo Tuần Văn hóa (ghi muộn)", by="paris", **ACTIVITY)
        found = service.outreach.coverage.find(activity.id, refresh=False)
        ids = {"activity": activity.id, "later": later.id, "reprint": found[0].article_id}
        ids["interview"] = found[1].article_id
        yield Site(app, service, ids, PASSWORD)


def post(browser, url: str, page: str, **form: str):
    """A form sent as the browser sends it, with the CSRF token of `page`."""
    token = csrf_of(browser.get(page).text)
    return browser.post(url, data={"csrf_token": token, **form}, follow_redirects=False)


def stored(site: Site) -> list:
    """What is stored for the activity, the rejected articles too."""
    return site.service.outreach.coverage.find(site.ids["activity"], refresh=False, include_rejected=True)


def cards(page: str) -> list[str]:
    """The coverage cards of an activity's page, unescaped, in the order shown."""
    section = page.split('<section id="coverage"', 1)[1].split("</section>", 1)[0]
    return [html.unescape(card) for card in section.split('<li class="card activity-card coverage-card')[1:]]


def test_the_page_lists_the_articles_best_first_with_outlet_score_and_reasons_in_its_language(site):
    browser = site.client("lan")
    page = f"/activities/{site.ids['activity']}"
    shown = cards(browser.get(page).text)
    assert len(shown) == 2
    reprint = shown[0]
    assert f'href="/articles/{site.ids["reprint"]}"' in reprint and "Việt Nam tại Paris hứa hẹn" in reprint
    assert "baoquocte.vn · 13/10/2026" in reprint
    assert re.search(r'<meter min="0" max="1" value="0\.9\d*">9\d%</meter> 9\d%', reprint)
    assert "<li>lặp lại 3 câu của thông cáo</li>" in reprint
    interview = shown[1]
    assert f'href="/articles/{site.ids["interview"]}"' in interview
    assert "<li>nêu tên Đại sứ Đinh Toàn Thắng</li>" in interview
    assert browser.get(f"/articles/{site.ids['reprint']}").status_code == 200
    browser.get("/lang/en")
    try:
        english = cards(browser.get(page).text)[0]
        assert "<li>repeats 3 sentences of the release</li>" in english and ">Confirm</button>" in english
    finally:
        browser.get("/lang/vi")


def test_an_analyst_confirms_an_article_and_the_history_says_so(site):
    browser = site.client("lan")
    page = f"/activities/{site.ids['activity']}"
    answer = post(browser, f"{page}/coverage/{site.ids['reprint']}/confirm", page)
    assert answer.status_code == 303
    assert answer.headers["location"] == f"{page}?done=coverage_confirmed#coverage"
    shown = browser.get(answer.headers["location"]).text
    assert "Đã xác nhận bài báo phản ánh hoạt động." in shown
    reprint = cards(shown)[0]
    assert ">Đã xác nhận</span>" in reprint and "lan · " in reprint
    assert "/confirm" not in reprint and "/reject" in reprint  # a confirmed article may still be rejected
    history = html.unescape(shown.split('class="history"', 1)[1])
    assert "lan</span> <b>Xác nhận bài báo phản ánh</b>" in history
    assert "<del>Chờ xác nhận</del> → Đã xác nhận" in history
    assert site.service.outreach.coverage.confirmed([site.ids["activity"]]) == {
        site.ids["activity"]: [site.ids["reprint"]]
    }


def test_a_rejected_article_is_hidden_behind_a_link_and_may_be_confirmed_again(site):
    browser = site.client("paris")  # the mission's own activity
    page = f"/activities/{site.ids['activity']}"
    answer = post(browser, f"{page}/coverage/{site.ids['interview']}/reject", page)
    assert answer.headers["location"] == f"{page}?done=coverage_rejected#coverage"
    shown = browser.get(answer.headers["location"]).text
    assert "sẽ không được đề xuất lại" in shown
    assert f"/articles/{site.ids['interview']}" not in "".join(cards(shown))
    assert f'<a href="{page}?rejected=1#coverage">Hiện 1 bài đã loại</a>' in shown
    everything = cards(browser.get(f"{page}?rejected=1").text)
    rejected = next(card for card in everything if f"/articles/{site.ids['interview']}" in card)
    assert ">Đã loại</span>" in rejected and "/confirm" in rejected and "/reject" not in rejected
    assert 'name="rejected" value="1"' in rejected  # a decision made there comes back there


def test_an_activity_logged_after_its_coverage_was_published_shows_it_at_once(site):
    browser = site.client("paris")
    page = f"/activities/{site.ids['later']}"
    assert f"/articles/{site.ids['reprint']}" in cards(browser.get(page).text)[0]  # searched when logged
    answer = post(browser, f"{page}/coverage/refresh", page)
    assert answer.headers["location"] == f"{page}?done=coverage_refreshed#coverage"
    shown = browser.get(answer.headers["location"]).text
    assert "Đã tìm lại trong các bài báo đã lưu." in shown
    assert f"/articles/{site.ids['reprint']}" in cards(shown)[0]


def test_a_viewer_sees_no_buttons_and_may_not_decide_and_other_missions_see_nothing(site):
    page = f"/activities/{site.ids['activity']}"
    before = stored(site)
    viewer = site.client("xem")
    shown = viewer.get(page).text
    assert cards(shown) and "/coverage/" not in shown and "Tìm lại" not in shown
    for action in (f"{site.ids['reprint']}/reject", f"{site.ids['interview']}/confirm", "refresh"):
        assert post(viewer, f"{page}/coverage/{action}", page).status_code == 403, action
    tokyo = site.client("tokyo")
    assert tokyo.get(page).status_code == 403
    assert post(tokyo, f"{page}/coverage/{site.ids['reprint']}/reject", "/activities").status_code == 403
    assert stored(site) == before


def test_every_decision_needs_the_csrf_token_and_names_a_real_article(site):
    browser = site.client("lan")
    page = f"/activities/{site.ids['activity']}"
    url = f"{page}/coverage/{site.ids['interview']}/confirm"
    assert browser.post(url, data={}, follow_redirects=False).status_code == 403
    assert browser.post(url, data={"csrf_token": "sai"}, follow_redirects=False).status_code == 403
    assert browser.post(f"{page}/coverage/refresh", data={}, follow_redirects=False).status_code == 403
    for wrong in (f"{site.ids['interview']}/approve", "999999/confirm", f"{2**40}/confirm"):
        assert post(browser, f"{page}/coverage/{wrong}", page).status_code == 404, wrong
    elsewhere = f"/activities/999999/coverage/{site.ids['reprint']}/confirm"
    assert post(browser, elsewhere, page).status_code == 404
    assert {c.article_id: c.state for c in stored(site)}[
        site.ids["interview"]
    ] != "confirmed"  # nothing decided
