"""The web UI as a browser meets it, on both backends: logging in and out, every page, the
language switch, fact sheets, saved searches, and the attacks it must withstand — session fixation,
CSRF, stored XSS through fetched articles, alert titles and fact sheets, a mission officer reaching
another mission's case, open redirects, and assets from another host."""

from __future__ import annotations

import contextlib
import dataclasses
import html
import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from conftest import BACKENDS, backend_settings
from fastapi.testclient import TestClient
from markupsafe import escape
from support.app import Site, csrf_of
from support.app import log_in as support_log_in
from support.corpus import HA_NAM, OTHERS, SUBMARINE, add_alert, as_file

from caunoi.app import create_app
from caunoi.app.auth import SESSION_COOKIE
from caunoi.app.ui.render import TEMPLATES, _env
from caunoi.cases import Response
from caunoi.i18n import LABELS
from caunoi.reports.html import Labels

DEMO = Path(__file__).resolve().parent.parent / "demo" / "data" / "vi-news-unc" / "docs"
FOREIGN_AFFAIRS = ("news_world_046", "news_society_055")  # both say "đối ngoại"
PASSWORD = "một câu mật khẩu dài 2024"
SCRIPT = "<script>alert(1)</script>"
IMG = "<img src=x onerror=alert(1)>"
ROLES = {
    "admin": ("admin", None),
    "lan": ("analyst", None),
    "paris": ("mission_officer", "DSQ-PARIS"),
    "tokyo": ("mission_officer", "DSQ-TOKYO"),
    "xem": ("viewer", None),
}


def log_in(browser: TestClient, username: str, password: str = PASSWORD, next_url: str = "/"):
    return support_log_in(browser, username, password, next_url)


@pytest.fixture(scope="module", params=BACKENDS)
def site(request, tmp_path_factory):
    with contextlib.ExitStack() as stack:
        settings = backend_settings(request.param, tmp_path_factory.mktemp("store"), stack)
        app = create_app(settings)
        service = app.state.service
        stack.callback(service.close)
        folder = tmp_path_factory.mktemp("docs")
        as_file(
            folder, "xss", f"{SCRIPT} Tin giả {IMG}", f"Bài thử xsstest {SCRIPT} rồi {IMG} hết.", "20210430"
        )
        others = sorted(DEMO.glob("*.txt"))[::14][:20]
        names = SUBMARINE + HA_NAM + OTHERS + FOREIGN_AFFAIRS
        service.ingest([DEMO / f"{n}.txt" for n in names] + others + [folder])
        for code, name, country in (("DSQ-PARIS", "ĐSQ Paris", "FR"), ("DSQ-TOKYO", "ĐSQ Tokyo", "JP")):
            service.units.add(code, name, kind="mission", country=country, by="test")
        for username, (role, mission) in ROLES.items():
            service.users.add_user(username, PASSWORD, role, mission=mission, by="test")
        cases = service.cases
        ids = {"xss_article": service.search(_request("xsstest"))[0].id}
        ids["story"] = service.article(ids["xss_article"]).story_id
        for code in ("DSQ-PARIS", "DSQ-TOKYO"):
            case = cases.open_case(title=f"Bài báo cần trả lời ({code})", by="lan")
            cases.assign(case.id, code, "+2d", by="lan")
            ids[code] = case.id
        ids["xss_case"] = cases.open_case(title=f"{IMG} vụ việc {SCRIPT}", by="lan").id
        ids["alert"] = add_alert(service, ids["story"], title=f"{SCRIPT} cảnh báo {IMG}")
        ids["xss_sheet"] = service.factsheets.add(
            f"{SCRIPT} Lập trường về Biển Đông {IMG}",
            f"Việt Nam kiên trì {SCRIPT} giải quyết tranh chấp bằng biện pháp hòa bình.\n{IMG} Đoạn hai.",
            kind="position", tags=["Biển Đông"], by="lan",
        ).id  # fmt: skip
        service.searches.save(
            f"{SCRIPT} đã lưu {IMG}", {"query": "xsstest", "tags": [["country", "CN"]]}, "lan"
        )
        yield Site(app, service, ids, PASSWORD)


def _request(query: str):
    from caunoi.models import SearchRequest

    return SearchRequest(query=query)


def pages(site: Site) -> list[str]:
    ids = site.ids
    return [
        "/", "/search", "/search?q=%22doi+ngoai%22", "/search?q=xsstest", f"/articles/{ids['xss_article']}",
        "/stories", "/stories?rising=1&all=1", f"/stories/{ids['story']}", "/alerts",
        f"/alerts/{ids['alert']}", "/cases", f"/cases/{ids['xss_case']}",
        "/factsheets", "/factsheets?q=bien+dong", f"/factsheets/{ids['xss_sheet']}", "/factsheets/new",
        "/searches", "/units", "/units?kind=mission&q=paris", "/units/DSQ-PARIS",
    ]  # fmt: skip


# -- logging in and out -----------------------------------------------------------------------------


def test_a_page_without_a_user_goes_to_the_login_and_comes_back(site):
    browser = TestClient(site.app, base_url="https://testserver")
    answer = browser.get("/search?q=abc", follow_redirects=False)
    assert answer.status_code == 303
    assert answer.headers["location"] == "/login?next=%2Fsearch%3Fq%3Dabc"
    answer = log_in(browser, "lan", next_url="/search?q=abc")
    assert (answer.status_code, answer.headers["location"]) == (303, "/search?q=abc")
    cookie = answer.headers["set-cookie"]
    session = re.search(rf"{SESSION_COOKIE}=([^;]+)", cookie)[1]
    for flag in ("HttpOnly", "Path=/", "SameSite=lax", "Secure"):
        assert flag in cookie
    assert browser.get("/").status_code == 200

    answer = browser.post(
        "/logout", data={"csrf_token": csrf_of(browser.get("/").text)}, follow_redirects=False
    )
    assert (answer.status_code, answer.headers["location"]) == (303, "/login")
    assert f'{SESSION_COOKIE}=""' in answer.headers["set-cookie"]
    assert site.service.users.session_user(session) is None
    assert browser.get("/", follow_redirects=False).status_code == 303


def test_a_wrong_password_is_told_and_nothing_else(site):
    browser = TestClient(site.app, base_url="https://testserver")
    answer = log_in(browser, "lan", "not the password at all")
    assert answer.status_code == 401
    assert "Sai tên đăng nhập hoặc mật khẩu." in answer.text
    assert SESSION_COOKIE not in answer.headers.get("set-cookie", "")


@pytest.fixture
def office(settings):
    """An app behind a reverse proxy at 10.0.0.2 (a trusted proxy) with 30 people of one office
    and a browser for each at the proxy."""
    app = create_app(dataclasses.replace(settings, trusted_proxies="10.0.0.2"))
    with contextlib.closing(app.state.service):
        for n in range(30):
            app.state.service.users.add_user(f"can.bo{n}", f"{PASSWORD} {n}", "viewer", by="test")
        yield app


def test_thirty_people_behind_the_proxy_log_in_within_a_minute(office):
    for n in range(30):
        browser = TestClient(office, base_url="https://testserver", client=("10.0.0.2", 40000 + n))
        browser.headers["X-Forwarded-For"] = "203.0.113.7"  # the office's one address
        answer = log_in(browser, f"can.bo{n}", f"{PASSWORD} {n}")
        assert answer.status_code == 303 and SESSION_COOKIE in answer.headers["set-cookie"], n


def test_a_guesser_is_stopped_with_retry_after_and_the_office_still_gets_in(office):
    proxy = ("10.0.0.2", 40000)
    guesser = TestClient(office, base_url="https://testserver", client=proxy)
    guesser.headers["X-Forwarded-For"] = "198.51.100.66"
    answers = [log_in(guesser, f"can.bo{n}", "một lần đoán mò") for n in range(21)]
    assert [a.status_code for a in answers] == [401] * 20 + [429]
    assert 0 < int(answers[20].headers["Retry-After"]) <= 600
    assert "Quá nhiều lần đăng nhập sai từ địa chỉ của bạn" in answers[20].text
    assert log_in(guesser, "can.bo1", f"{PASSWORD} 1").status_code == 429  # even the right password
    colleague = TestClient(office, base_url="https://testserver", client=proxy)
    colleague.headers["X-Forwarded-For"] = "203.0.113.7"
    assert log_in(colleague, "can.bo1", f"{PASSWORD} 1").status_code == 303
    # straight from the guesser's machine, X-Forwarded-For is not believed: it is still stopped
    direct = TestClient(office, base_url="https://testserver", client=("198.51.100.66", 5555))
    direct.headers["X-Forwarded-For"] = "203.0.113.7"
    assert log_in(direct, "can.bo2", f"{PASSWORD} 2").status_code == 429
    # one user guessed at from many addresses is locked, with Retry-After, after five tries
    answers = []
    for n in range(7):
        guesser.headers["X-Forwarded-For"] = f"192.0.2.{n}"
        answers.append(log_in(guesser, "can.bo25", "đoán nữa"))
    assert [a.status_code for a in answers] == [401] * 4 + [429] * 3
    assert int(answers[-1].headers["Retry-After"]) <= 15 * 60


def test_the_login_form_needs_its_csrf_token_and_never_sends_you_elsewhere(site):
    browser = TestClient(site.app, base_url="https://testserver")
    browser.get("/login")
    answer = browser.post("/login", data={"username": "lan", "password": PASSWORD}, follow_redirects=False)
    assert answer.status_code == 403
    answer = log_in(browser, "lan", next_url="https://evil.example/")
    assert answer.headers["location"] == "/"
    for bad in ("//evil.example/x", "/\\evil.example", "https://evil.example"):
        assert browser.get(f"/lang/en?next={bad}", follow_redirects=False).headers["location"] == "/"


def test_a_session_planted_before_login_is_not_the_session_after_it(site):
    """Session fixation: an attacker's own session id put in the victim's browser dies at login."""
    viewer = site.service.users.get("xem")
    planted, _ = site.service.users.create_session(viewer["id"], ip="1.2.3.4", user_agent="attacker")
    browser = TestClient(site.app, base_url="https://testserver")
    token = csrf_of(browser.get("/login").text)
    browser.cookies.set(SESSION_COOKIE, planted)
    form = {"username": "lan", "password": PASSWORD, "csrf_token": token, "next": "/"}
    answer = browser.post("/login", data=form, follow_redirects=False)
    fresh = re.search(rf"{SESSION_COOKIE}=([^;]+)", answer.headers["set-cookie"])[1]
    assert fresh != planted
    assert site.service.users.session_user(planted) is None
    assert site.service.users.session_user(fresh)["username"] == "lan"


# -- CSRF ---------------------------------------------------------------------------------------------


def test_every_state_changing_form_needs_the_csrf_token(site):
    browser = site.client("lan")
    ids = site.ids
    routes = [
        "/logout",
        f"/alerts/{ids['alert']}/read",
        f"/alerts/{ids['alert']}/dismiss",
        f"/alerts/{ids['alert']}/case",
    ]
    routes += [
        f"/cases/{ids['xss_case']}/{a}" for a in ("triage", "assign", "answer", "respond", "close", "reopen")
    ]
    sheet = f"/factsheets/{ids['xss_sheet']}"
    routes += ["/factsheets/new", sheet, f"{sheet}/link", "/searches"]
    filled = {"title": "Giả mạo", "body": "Giả mạo", "story_id": str(ids["story"]), "name": "giả", "q": "x"}
    for route in routes:
        for form in (filled, filled | {"csrf_token": "forged"}):
            assert browser.post(route, data=form, follow_redirects=False).status_code == 403, (route, form)
    assert site.service.cases.get(ids["xss_case"]).state == "new"
    assert site.service.alerts.get(ids["alert"])["state"] == "new"
    assert "Giả mạo" not in site.service.factsheets.get(ids["xss_sheet"]).title
    assert "giả" not in {s.name for s in site.service.searches.all()}
    assert browser.get("/").status_code == 200  # still logged in: the forged logout did nothing


def test_an_alert_becomes_a_case_through_the_inbox(site):
    browser = site.client("lan")
    token = csrf_of(browser.get("/alerts").text)
    answer = browser.post(
        f"/alerts/{site.ids['alert']}/case", data={"csrf_token": token}, follow_redirects=False
    )
    assert answer.status_code == 303 and answer.headers["location"].startswith("/cases/")
    case_id = int(answer.headers["location"].rsplit("/", 1)[1])
    assert site.service.cases.get(case_id).alert_id == site.ids["alert"]
    again = browser.post(
        f"/alerts/{site.ids['alert']}/case", data={"csrf_token": token}, follow_redirects=False
    )
    assert again.headers["location"] == f"/cases/{case_id}"  # one open case per alert
    browser.post(f"/alerts/{site.ids['alert']}/read", data={"csrf_token": token})
    assert site.service.alerts.get(site.ids["alert"])["state"] == "read"
    assert "Phân loại" in browser.get(f"/cases/{case_id}").text


# -- stored XSS --------------------------------------------------------------------------------------


def assert_escaped(html: str) -> None:
    assert SCRIPT not in html and "<img src=x" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_markup_in_articles_alerts_and_cases_is_shown_as_text(site):
    browser = site.client("lan")
    ids = site.ids
    for page in (
        "/search?q=xsstest", f"/articles/{ids['xss_article']}", f"/stories/{ids['story']}", "/stories",
        "/alerts", f"/alerts/{ids['alert']}", f"/cases/{ids['xss_case']}", "/cases", "/factsheets",
        "/factsheets?q=bien+dong",
        f"/factsheets/{ids['xss_sheet']}", "/searches",
    ):  # fmt: skip
        assert_escaped(browser.get(page).text)
    # the edit form shows the fact sheet's title and text as they are, escaped in its fields
    sheet = browser.get(f"/factsheets/{ids['xss_sheet']}").text
    assert 'value="&lt;script&gt;alert(1)&lt;/script&gt; Lập trường' in sheet
    assert "<textarea" in sheet and "kiên trì &lt;script&gt;" in sheet


# -- a mission officer and another mission's case (IDOR) ----------------------------------------------


def test_a_mission_officer_sees_and_changes_only_their_missions_cases(site):
    browser = site.client("paris")
    ids = site.ids
    board = browser.get("/cases").text
    assert "(DSQ-PARIS)" in board and "(DSQ-TOKYO)" not in board
    assert browser.get(f"/cases/{ids['DSQ-TOKYO']}").status_code == 403
    token = csrf_of(board)
    form = {
        "csrf_token": token,
        "kind": "statement",
        "title": "Trả lời",
        "url": "https://paris.example/tra-loi",
    }
    assert browser.post(f"/cases/{ids['DSQ-TOKYO']}/answer", data=form).status_code == 403
    assert site.service.cases.get(ids["DSQ-TOKYO"]).state == "assigned"
    answer = browser.post(f"/cases/{ids['DSQ-PARIS']}/answer", data=form, follow_redirects=False)
    assert answer.status_code == 303
    assert site.service.cases.get(ids["DSQ-PARIS"]).state == "answered"
    assert browser.post(f"/alerts/{ids['alert']}/case", data={"csrf_token": token}).status_code == 403


# -- search, pages, languages ----------------------------------------------------------------------------


def test_refusals_read_in_the_pages_language(site):
    browser = site.client("lan")
    page = browser.get("/search", params={"q": "(biển Đông OR ASEAN"}).text
    assert "Dấu «(» chưa được đóng: hãy thêm «)»." in page
    refused = browser.get(f"/cases/{site.ids['DSQ-PARIS']}").text  # an assigned case cannot be triaged
    form = {"csrf_token": csrf_of(refused), "priority": "high"}
    answer = browser.post(f"/cases/{site.ids['DSQ-PARIS']}/triage", data=form)
    assert answer.status_code in (400, 409)
    assert "Vụ việc" in answer.text and "đang ở trạng thái «" in answer.text
    with in_english(browser):
        assert "a '(' is not closed: add ')'" in html.unescape(
            browser.get("/search", params={"q": "(biển Đông OR ASEAN"}).text
        )


def test_a_query_nested_too_deep_is_a_refusal_on_the_page_not_an_error(site):
    browser = site.client("lan")
    answer = browser.get("/search", params={"q": "(" * 248 + "biển" + ")" * 248})  # once a 500
    assert answer.status_code == 200
    assert "Câu tìm kiếm lồng ngoặc và NOT sâu quá 20 tầng" in answer.text


def test_search_ignores_diacritics_and_shows_facets(site):
    html = site.client("lan").get("/search", params={"q": '"doi ngoai"'}).text
    assert re.search(r"<mark>đối ngoại</mark>|<mark>đối</mark> <mark>ngoại</mark>", html, re.I)
    assert "dantri.com.vn" in html and "/search?q=%22doi+ngoai%22&amp;lang=vi" in html
    assert (
        "Truy vấn không hợp lệ"
        in site.client("lan").get("/search", params={"q": "tone_min", "tone_min": "x"}).text
    )


def test_a_search_says_how_many_matched_and_how_it_read_the_words(site):
    browser = site.client("lan")
    html = browser.get("/search", params={"q": "doi ngoai"}).text
    said = r'<p class="found" data-total="(\d+)">(\d+) bài khớp · Kết quả cho: <strong class="reading">'
    found = re.search(said + "đối ngoại</strong> · tìm mọi cách đọc", html)
    assert found and found[1] == found[2] and int(found[1]) > 1
    assert "/api/v1/search/export?q=doi+ngoai&amp;format=xlsx" in html  # the download, as the API makes it
    typed = browser.get("/search", params={"q": "đối ngoại"}).text
    assert (
        "đúng dấu như đã gõ" in typed
        and 'href="/search?q=%C4%91%E1%BB%91i+ngo%E1%BA%A1i&amp;widen=1"' in typed
    )
    n_typed = int(re.search(r'data-total="(\d+)"', typed)[1])
    assert 0 < n_typed < int(found[1])  # "đổi ngoài", "đội ngoại" … are not what was typed
    with in_english(browser):
        assert (
            "every reading, as typed first"
            in browser.get("/search", params={"q": "đối ngoại", "widen": "1"}).text
        )


def test_the_link_that_drops_a_chosen_facet_is_named_in_words(site):
    """The × beside a chosen facet is read out as "Bỏ lọc", not as the label table's dict.clear
    ("<built-in method clear of dict object at 0x…>")."""
    browser = site.client("lan")
    params = {"q": '"doi ngoai"', "lang": "vi"}
    page = browser.get("/search", params=params).text
    assert f'aria-label="{LABELS["vi"]["clear"]}">×</a>' in page
    assert "built-in method" not in page
    with in_english(browser):
        assert f'aria-label="{LABELS["en"]["clear"]}">×</a>' in browser.get("/search", params=params).text


def test_every_label_a_template_reads_is_the_label_even_one_named_like_a_dict_method():
    env = _env()
    used = {key for page in TEMPLATES.glob("*.j2") for key in re.findall(r"\bt\.([a-z_]+)", page.read_text())}
    methods = {"clear", "copy", "get", "items", "keys", "pop", "popitem", "setdefault", "update", "values"}
    for lang, table in LABELS.items():
        t = Labels(table | {name: f"{name} ({lang})" for name in methods if name not in table})
        for key in sorted(used | methods):
            assert env.from_string(f"{{{{ t.{key} }}}}").render(t=t) == escape(t[key]), key
        assert env.from_string("{{ t.no_such_label }}|{{ t['no_such_label'] }}").render(t=t) == "|"


def test_every_page_answers_an_analyst_with_safe_headers(site):
    browser = site.client("lan")
    for page in pages(site):
        answer = browser.get(page)
        assert answer.status_code == 200, page
        policy = answer.headers["content-security-policy"]
        assert "script-src 'self';" in policy and "frame-ancestors 'none'" in policy
        assert answer.headers["x-content-type-options"] == "nosniff"
        assert answer.headers["x-frame-options"] == "DENY"
        assert answer.headers["referrer-policy"] == "same-origin"
    for missing in ("/articles", "/stories", "/cases", "/factsheets"):  # ids PostgreSQL cannot hold too
        assert browser.get(f"{missing}/999999").status_code == 404
        assert browser.get(f"{missing}/{2**31}").status_code == 404
        not_a_number = browser.get(f"{missing}/abc")  # the site's own page, not the API's JSON
        assert not_a_number.status_code == 404
        assert not_a_number.headers["content-type"].startswith("text/html")
    # a NUL character (which PostgreSQL text cannot hold) is a bad request, in a query or a form
    assert browser.get("/search", params={"q": "đối\x00ngoại"}).status_code == 400
    assert browser.get("/factsheets", params={"q": "\x00"}).status_code == 400
    token = csrf_of(browser.get("/factsheets/new").text)
    form = {"csrf_token": token, "title": "tiêu\x00đề", "body": "nội dung", "lang": "vi"}
    assert browser.post("/factsheets/new", data=form).status_code == 400
    plotly = browser.get(re.search(r'src="(/static/vendor/plotly-[^"]+)"', browser.get("/").text)[1])
    assert plotly.status_code == 200 and "max-age=31536000" in plotly.headers["cache-control"]
    assert plotly.headers["content-type"].startswith("text/javascript")


def test_sources_are_for_administrators(site):
    assert site.client("lan").get("/sources").status_code == 403
    assert site.client("xem").get("/sources").status_code == 403
    assert site.client("admin").get("/sources").status_code == 200


def test_the_api_answers_the_roles_the_pages_answer(site, monkeypatch):
    """A page and the API call that shows the same thing refuse the same roles (the API listed the
    sources to every role while the page was for administrators)."""
    from caunoi.app.api.limits import RateLimiter

    monkeypatch.setattr(site.app.state, "rate_limiter", RateLimiter(1_000_000))  # not what is tested
    pairs = {
        "/": "/api/v1/dashboard", "/search?q=tin": "/api/v1/search?q=tin", "/stories": "/api/v1/stories",
        "/alerts": "/api/v1/alerts", "/cases": "/api/v1/cases", "/factsheets": "/api/v1/factsheets",
        "/searches": "/api/v1/saved-searches", "/sources": "/api/v1/sources", "/units": "/api/v1/units",
        "/units/DSQ-PARIS": "/api/v1/units/DSQ-PARIS",
        f"/articles/{site.ids['xss_article']}": f"/api/v1/articles/{site.ids['xss_article']}",
        f"/stories/{site.ids['story']}": f"/api/v1/stories/{site.ids['story']}",
    }  # fmt: skip
    for username in ROLES:
        browser = site.client(username)
        for page, call in pairs.items():
            shown, answered = browser.get(page).status_code, browser.get(call).status_code
            assert shown in (200, 403) and (shown == 403) == (answered == 403), (
                username,
                page,
                shown,
                answered,
            )


def test_the_language_switch_changes_the_labels(site):
    browser = site.client("xem")
    assert "Tìm kiếm" in browser.get("/search").text
    answer = browser.get("/lang/en?next=/search", follow_redirects=False)
    assert (answer.status_code, answer.headers["location"]) == (303, "/search")
    html = browser.get("/search").text
    assert '<html lang="en">' in html and "Search" in html and "Tìm kiếm" not in html
    browser.get("/lang/vi")
    assert '<html lang="vi">' in browser.get("/").text


class _Links(HTMLParser):
    """Every src and href, except links out to an article's original page (class "external")."""

    def __init__(self):
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag, attrs):
        found = dict(attrs)
        if tag == "a" and "external" in (found.get("class") or ""):
            return
        self.urls += [value or "" for name, value in attrs if name in ("src", "href")]


def test_every_asset_comes_from_this_server(site):
    browser = site.client("admin")
    foreign = re.compile(r"^\s*(https?:)?//", re.I)
    stylesheets: set[str] = set()
    assets: set[str] = set()
    for page in [*pages(site), "/sources", "/login"]:
        links = _Links()
        links.feed(browser.get(page).text)
        assert not [u for u in links.urls if foreign.match(u)], page
        stylesheets.update(u for u in links.urls if u.endswith(".css"))
        assets.update(u for u in links.urls if u.startswith("/static/"))
    assert {"/static/favicon.svg", "/static/js/charts.js"} <= assets
    for asset in assets:  # the icon, the scripts, the plotly.js bundle: all there
        assert browser.get(asset).status_code == 200, asset
    moved = browser.get("/favicon.ico", follow_redirects=False)
    assert moved.status_code == 301 and moved.headers["location"] == "/static/favicon.svg"
    assert stylesheets == {"/static/css/app.css"}
    for sheet in stylesheets:
        css = browser.get(sheet).text
        urls = re.findall(r"url\(\s*['\"]?([^'\")]+)", css)
        assert urls and not [u for u in urls if foreign.match(u)]
        for url in urls:  # ../fonts/… relative to /static/css/
            assert browser.get("/static/" + url.removeprefix("../")).status_code == 200
    assert 'topojsonURL: "/static/topojson/"' in browser.get("/static/js/charts.js").text
    assert browser.get("/static/topojson/world_110m.json").status_code == 200


def test_both_languages_have_every_label():
    assert set(LABELS["vi"]) == set(LABELS["en"])


# -- translated codes on the case pages -----------------------------------------------------------------


@contextlib.contextmanager
def in_english(browser: TestClient):
    browser.get("/lang/en")
    try:
        yield
    finally:
        browser.get("/lang/vi")


def test_priorities_and_response_kinds_are_shown_in_words(site):
    browser = site.client("lan")
    cases = site.service.cases
    case_id = cases.open_case(title="Trả lời phóng viên nước ngoài", priority="urgent", by="lan").id
    page = browser.get(f"/cases/{case_id}").text
    assert "Ưu tiên: Khẩn" in page and '<option value="high">Cao</option>' in page
    assert "Ưu tiên: Khẩn" in browser.get("/cases").text
    cases.assign(case_id, "DSQ-PARIS", "+2d", by="lan")
    page = browser.get(f"/cases/{case_id}").text
    assert '<option value="statement">Tuyên bố</option>' in page
    assert '<option value="interview">Trả lời phỏng vấn</option>' in page
    statement = Response(kind="statement", title="Thông cáo báo chí", url="https://bng.example/tc")
    cases.answer(case_id, statement, by="lan")
    page = browser.get(f"/cases/{case_id}").text
    assert "Tuyên bố: <a href=" in page and "statement:" not in page
    # the history: actions in words, each change as field: before → after
    assert "<td>Mở vụ việc</td>" in page and "<td>Giao</td>" in page and "<td>Trả lời</td>" in page
    assert "state: new → assigned" in page and "unit: – → DSQ-PARIS" in page
    assert "response: – → Thông cáo báo chí" in page
    with in_english(browser):
        page = browser.get(f"/cases/{case_id}").text
        assert "Priority: Urgent" in page and "Statement: <a href=" in page
        assert "<td>Opened</td>" in page and "<td>Answered</td>" in page
        assert re.search(r'<span class="sev sev-\w+">(Low|Medium|High)</span>', browser.get("/alerts").text)
    assert re.search(r'<span class="sev sev-\w+">(Thấp|Trung bình|Cao)</span>', browser.get("/alerts").text)


# -- fact sheets ---------------------------------------------------------------------------------------


def fact_sheet_form(browser: TestClient, page: str, **fields: str) -> dict[str, str]:
    return {"csrf_token": csrf_of(browser.get(page).text), "kind": "fact_sheet", "lang": "vi"} | fields


def test_the_library_is_searched_without_diacritics(site):
    browser = site.client("xem")  # reading the library is for everyone
    sheet = f'href="/factsheets/{site.ids["xss_sheet"]}"'
    assert sheet in browser.get("/factsheets").text
    for query in ("bien dong", "Biển Đông", "BIEN DONG hoa binh"):
        assert sheet in browser.get("/factsheets", params={"q": query}).text, query
    missing = browser.get("/factsheets", params={"q": "bien bac"}).text
    assert sheet not in missing and "Không có bài nào khớp." in missing
    assert "Lập trường chính thức" in browser.get("/factsheets").text  # its kind, in words


def test_an_analyst_writes_a_fact_sheet_and_edits_it(site):
    browser = site.client("lan")
    form = fact_sheet_form(
        browser, "/factsheets/new", title="Hợp tác Việt Nam – Nhật Bản", tags="Nhật Bản, ODA,",
        body="Nhật Bản là đối tác ODA lớn.\nĐoạn thứ hai.",
    )  # fmt: skip
    answer = browser.post("/factsheets/new", data=form, follow_redirects=False)
    assert answer.status_code == 303
    sheet_id = int(answer.headers["location"].rsplit("/", 1)[1])
    sheet = site.service.factsheets.get(sheet_id)
    assert (sheet.title, sheet.tags, sheet.created_by) == (
        "Hợp tác Việt Nam – Nhật Bản",
        ["Nhật Bản", "ODA"],
        "lan",
    )
    page = browser.get(f"/factsheets/{sheet_id}").text
    assert "<p>Nhật Bản là đối tác ODA lớn.</p><p>Đoạn thứ hai.</p>" in page
    assert 'value="Nhật Bản, ODA"' in page  # the tags, as the edit form shows them

    form = fact_sheet_form(
        browser, f"/factsheets/{sheet_id}", title="Hợp tác Việt Nam – Nhật Bản 2024", kind="position",
        tags="Nhật Bản", body="Nhật Bản là đối tác ODA lớn nhất.",
    )  # fmt: skip
    assert browser.post(f"/factsheets/{sheet_id}", data=form, follow_redirects=False).status_code == 303
    sheet = site.service.factsheets.get(sheet_id)
    assert (sheet.title, sheet.kind, sheet.tags) == (
        "Hợp tác Việt Nam – Nhật Bản 2024",
        "position",
        ["Nhật Bản"],
    )
    assert [h["action"] for h in sheet.history] == ["add", "edit"]

    # what the service refuses comes back in the form, as it was typed
    form = fact_sheet_form(browser, f"/factsheets/{sheet_id}", title="Không có nội dung", body="  ")
    refused = browser.post(f"/factsheets/{sheet_id}", data=form)
    assert refused.status_code == 400 and "Tài liệu cần có nội dung." in refused.text
    assert 'value="Không có nội dung"' in refused.text
    assert site.service.factsheets.get(sheet_id).title == "Hợp tác Việt Nam – Nhật Bản 2024"
    refused = browser.post(
        "/factsheets/new", data=fact_sheet_form(browser, "/factsheets/new", title="", body="x")
    )
    assert refused.status_code == 400 and "Tài liệu cần có tiêu đề." in refused.text
    assert browser.get("/factsheets/999999").status_code == 404


def test_a_fact_sheet_lists_the_stories_it_answers(site):
    browser = site.client("lan")
    ids = site.ids
    page = f"/factsheets/{ids['xss_sheet']}"
    form = {"csrf_token": csrf_of(browser.get(page).text), "story_id": str(ids["story"])}
    assert browser.post(f"{page}/link", data=form, follow_redirects=False).status_code == 303
    assert f'href="/stories/{ids["story"]}"' in browser.get(page).text
    story = browser.get(f"/stories/{ids['story']}").text  # and the story names it, escaped
    assert f'href="{page}"' in story and "Lập trường chính thức" in story and SCRIPT not in story
    assert browser.post(f"{page}/link", data=form | {"story_id": "999999"}).status_code == 404
    assert browser.post(f"{page}/link", data=form | {"story_id": "abc"}).status_code == 400


def test_viewers_and_mission_officers_read_the_library_but_do_not_write_it(site):
    sheet = site.ids["xss_sheet"]
    for username in ("xem", "paris"):
        browser = site.client(username)
        page = browser.get(f"/factsheets/{sheet}")
        assert page.status_code == 200
        assert f'action="/factsheets/{sheet}"' not in page.text and "<textarea" not in page.text
        assert 'href="/factsheets/new"' not in browser.get("/factsheets").text
        assert browser.get("/factsheets/new").status_code == 403
        token = csrf_of(page.text)  # the logout form's: a right token, a role that may not
        form = {
            "csrf_token": token,
            "title": "Sửa trái phép",
            "body": "x",
            "kind": "fact_sheet",
            "lang": "vi",
        }
        for route in ("/factsheets/new", f"/factsheets/{sheet}"):
            assert browser.post(route, data=form).status_code == 403, (username, route)
        link = {"csrf_token": token, "story_id": str(site.ids["story"])}
        assert browser.post(f"/factsheets/{sheet}/link", data=link).status_code == 403
    assert "Sửa trái phép" not in {s.title for s in site.service.factsheets.list()}


def test_a_case_is_answered_with_a_fact_sheet_that_links_back(site):
    browser = site.client("paris")  # a mission officer answers their mission's case from the library
    ids = site.ids
    cases = site.service.cases
    library = site.service.factsheets
    case_id = cases.open_case(story_id=ids["story"], title="Câu hỏi về Biển Đông", by="lan").id
    cases.assign(case_id, "DSQ-PARIS", "+2d", by="lan")
    sheet = library.add("Lập trường về tự do hàng hải", "Tự do hàng hải ở Biển Đông.", by="lan")
    library.link(ids["xss_sheet"], ids["story"], by="lan")
    page = browser.get(f"/cases/{case_id}").text
    assert "Trả lời bằng tài liệu" in page
    assert f'<option value="{sheet.id}">' in page  # the library …
    assert f'href="/factsheets/{ids["xss_sheet"]}"' in page  # … the story's fact sheets first, linked
    assert 'href="/factsheets"' in page
    form = {"csrf_token": csrf_of(page), "fact_sheet_id": str(sheet.id), "note": "gửi báo"}
    assert browser.post(f"/cases/{case_id}/answer", data=form, follow_redirects=False).status_code == 303
    (response,) = cases.get(case_id).responses
    assert (response.kind, response.fact_sheet_id) == ("fact_sheet", sheet.id)
    page = browser.get(f"/cases/{case_id}").text
    assert (
        f'Tài liệu cung cấp thông tin: <a href="/factsheets/{sheet.id}">Lập trường về tự do hàng hải</a>'
        in page
    )
    stories = browser.get(f"/factsheets/{sheet.id}").text  # answering linked it to the case's story
    assert f'href="/stories/{ids["story"]}"' in stories
    bad = form | {"fact_sheet_id": "1 OR 1=1"}
    assert browser.post(f"/cases/{case_id}/respond", data=bad).status_code == 400


# -- saved searches --------------------------------------------------------------------------------------


def hrefs(page: str) -> list[str]:
    return [html.unescape(h) for h in re.findall(r'href="([^"]*)"', page)]


def test_an_analyst_saves_a_search_and_finds_it_again(site):
    browser = site.client("lan")
    page = browser.get("/search", params={"q": "doi ngoai", "country": "VN", "from": "2021-01-01"}).text
    assert 'action="/searches"' in page and 'name="from"' in page
    form = {
        "csrf_token": csrf_of(page), "name": "Đối ngoại — Việt Nam", "q": "doi ngoai", "country": "VN",
        "lang": "", "source": "", "tone_min": "-2", "tone_of": "subject", "from": "2021-01-01",
    }  # fmt: skip
    answer = browser.post("/searches", data=form, follow_redirects=False)
    assert (answer.status_code, answer.headers["location"]) == (303, "/searches")
    (saved,) = [s for s in site.service.searches.all() if s.name == "Đối ngoại — Việt Nam"]
    assert saved.created_by == "lan"
    request = saved.request
    assert (request["query"], request["tags"], request["tone_min"]) == ("doi ngoai", [["country", "VN"]], -2)
    assert request["tone_of"] == "subject" and "date_from" not in request and "lang" not in request

    listing = browser.get("/searches").text
    assert "Đối ngoại — Việt Nam" in listing and "Quốc gia: Việt Nam" in listing
    (link,) = [h for h in hrefs(listing) if "doi+ngoai" in h]
    parts = urlsplit(link)
    assert parts.path == "/search"
    assert parse_qs(parts.query, keep_blank_values=True) == {
        "q": ["doi ngoai"], "country": ["VN"], "tone_min": ["-2"], "tone_of": ["subject"],
    }  # fmt: skip
    again = browser.get(link).text
    assert 'name="country" value="VN"' in again and '<option value="subject" selected>' in again

    # a search saved by `caunoi search --save`: its tags become the filters again
    site.service.searches.save(
        "Kết luận 57",
        {"query": "", "exact": True, "tags": [["doc_ref", "57-KL/TW"], ["topic", "world"]]},
        "thu",
    )
    listing = browser.get("/searches").text
    (link,) = [h for h in hrefs(listing) if "57-KL" in h]
    assert parse_qs(urlsplit(link).query) == {"exact": ["1"], "doc_ref": ["57-KL/TW"], "topic": ["world"]}
    assert browser.get(link).status_code == 200


def test_a_saved_search_needs_a_name_and_something_to_watch(site):
    browser = site.client("lan")
    token = csrf_of(browser.get("/search?q=xsstest").text)
    for form, says in (
        ({"name": "", "q": "xsstest"}, "Hãy đặt tên"),
        ({"name": "chỉ có ngày", "from": "2021-01-01"}, "Chỉ lưu được tìm kiếm có từ khoá"),
        ({"name": "số sai", "q": "abc", "tone_min": "x"}, "Ô «Sắc thái từ» phải là một số"),
        ({"name": "không rõ", "entity": "Không Có Thực Thể Này Xyz"}, "không biết thực thể nào tên"),
    ):
        refused = browser.post("/searches", data=form | {"csrf_token": token})
        assert refused.status_code == 400 and says in refused.text, form
    names = {s.name for s in site.service.searches.all()}
    assert not names & {"", "chỉ có ngày", "số sai", "không rõ"}
    # a name another user saved (an alert rule may watch it) is not taken over
    site.service.searches.save("của Thu", {"query": "biển đông"}, "thu")
    taken = browser.post("/searches", data={"name": "của Thu", "q": "xsstest", "csrf_token": token})
    assert taken.status_code == 409 and "người khác đã lưu" in taken.text
    (kept,) = [s for s in site.service.searches.all() if s.name == "của Thu"]
    assert kept.request == {"query": "biển đông"} and kept.created_by == "thu"


def test_viewers_and_mission_officers_list_saved_searches_but_do_not_save(site):
    for username in ("xem", "paris"):
        browser = site.client(username)
        assert "đã lưu" in browser.get("/searches").text
        page = browser.get("/search?q=xsstest").text
        assert 'action="/searches"' not in page
        form = {"csrf_token": csrf_of(page), "name": f"của {username}", "q": "xsstest"}
        assert browser.post("/searches", data=form).status_code == 403
    assert not {"của xem", "của paris"} & {s.name for s in site.service.searches.all()}


# -- links without empty parameters ---------------------------------------------------------------------


def test_search_links_leave_out_empty_filters(site):
    browser = site.client("lan")
    empty = dict.fromkeys(("lang", "source", "category", "topic", "country", "entity", "doc_ref", "sort"), "")
    answer = browser.get("/search", params={"q": "của"} | empty)
    assert answer.status_code == 200  # the server takes empty parameters, as an old link has them
    page = answer.text
    links = [h for h in hrefs(page) if h.startswith("/search?")]
    assert any("page=2" in h for h in links) and any("lang=vi" in h for h in links)  # a pager, facets
    for link in links:
        assert all(v for v in parse_qs(urlsplit(link).query, keep_blank_values=True).values()), link
        assert "sort=" not in link
    # the form leaves its empty fields out as it is sent (static/js/forms.js; no inline script)
    assert re.search(r'<form method="get" action="/search"[^>]* data-omit-empty>', page)
    assert '<script src="/static/js/forms.js" defer></script>' in page
    assert "data-omit-empty" in browser.get("/static/js/forms.js").text


# -- units and missions --------------------------------------------------------------------------------


def unit_form(browser: TestClient, page: str, **fields: str) -> dict[str, str]:
    """The (last) unit form of `page` as it comes — its fields, its choices, its CSRF token — with
    `fields` typed in."""
    text = browser.get(page).text
    form = {k: html.unescape(v) for k, v in re.findall(r'<input name="(\w+)"[^>]* value="([^"]*)"', text)}
    for name, options in re.findall(r'<select name="(\w+)">(.*?)</select>', text):
        chosen = re.search(r'value="([^"]*)" selected', options) or re.search(r'value="([^"]*)"', options)
        form[name] = chosen[1]  # the option chosen, else the first
    return form | {"csrf_token": csrf_of(text)} | fields


def test_units_and_missions_are_listed_in_the_pages_language_with_their_type_in_words(site):
    units = site.service.units
    units.add("TLSQ-OSAKA", "Tổng Lãnh sự quán Việt Nam tại Osaka", kind="mission", type="consulate_general",
              country="JP", city="Osaka", languages="ja", by="test")  # fmt: skip
    units.add("VU-TTBC", "Vụ Thông tin Báo chí", type="ministry_department",
              name_en="Press and Information Department", by="test")  # fmt: skip
    browser = site.client("xem")
    assert '<a href="/units">Đơn vị</a>' in browser.get("/stories").text  # in the menu
    page = browser.get("/units").text
    for shown in (
        '<a href="/units/TLSQ-OSAKA">TLSQ-OSAKA</a>', "Tổng Lãnh sự quán Việt Nam tại Osaka",
        "<td>Tổng Lãnh sự quán</td>", '<abbr title="JP">Nhật Bản</abbr>', "<td>Osaka</td><td>ja</td>",
        "Vụ Thông tin Báo chí", "<td>Đơn vị thuộc Bộ</td>", "<td>Cơ quan đại diện</td>",  # ĐSQ Paris: no type
    ):  # fmt: skip
        assert shown in page, shown
    assert '<form method="post" action="/units"' not in page and "<details" not in page  # no add form
    for params, codes in (
        ({"kind": "mission"}, {"DSQ-PARIS", "DSQ-TOKYO", "TLSQ-OSAKA"}),
        ({"kind": "unit"}, {"VU-TTBC"}),
        ({"type": "consulate_general"}, {"TLSQ-OSAKA"}),
        ({"q": "lanh su quan osaka"}, {"TLSQ-OSAKA"}),
        ({"q": "JP"}, {"DSQ-TOKYO", "TLSQ-OSAKA"}),
        ({"kind": "unit", "q": "osaka"}, set()),
    ):
        listed = set(re.findall(r'<a href="/units/([^"]+)">', browser.get("/units", params=params).text))
        assert listed == codes, params
    assert "Không có đơn vị nào." in browser.get("/units", params={"q": "nowhere"}).text
    with in_english(browser):
        page = browser.get("/units").text
        assert '<a href="/units" class="here">Units</a>' in page and "Units and missions" in page
        assert "Press and Information Department" in page and "Vụ Thông tin Báo chí" not in page
        assert "ĐSQ Paris" in page  # no English name: the name it has
        assert "<td>Consulate general</td>" in page and "<td>Ministry department</td>" in page
        assert '<abbr title="JP">Japan</abbr>' in page
        unit = browser.get("/units/vu-ttbc").text  # any case finds it
        assert "<h1>Press and Information Department</h1>" in unit and "Ministry department" in unit


def test_an_administrator_adds_edits_retires_and_restores_a_mission_each_change_audited(site):
    browser = site.client("admin")
    assert "<details" in browser.get("/units").text  # the add form
    form = unit_form(
        browser, "/units", code="ĐSQ-BERLIN", name="Đại sứ quán Việt Nam tại Đức", kind="mission",
        type="embassy", name_en="Embassy of Viet Nam in Germany", country="de", countries="DE", city="Berlin",
        languages="de, en", website="https://example.org/de",
    )  # fmt: skip
    answer = browser.post("/units", data=form, follow_redirects=False)
    assert (answer.status_code, answer.headers["location"]) == (303, "/units/%C4%90SQ-BERLIN")
    mission = site.service.units.get("đsq-berlin")
    assert (mission.kind, mission.type, mission.countries, mission.languages) == (
        "mission", "embassy", ("DE",), ("de", "en")
    )  # fmt: skip
    page = browser.get(answer.headers["location"]).text
    assert "<h1>Đại sứ quán Việt Nam tại Đức</h1>" in page and "Đức (DE)" in page
    assert 'value="de, en"' in page and 'action="/units/%C4%90SQ-BERLIN/retire"' in page
    assert '<option value="embassy" selected>Đại sứ quán</option>' in page

    form = unit_form(browser, "/units/ĐSQ-BERLIN", countries="DE, PL", city="", languages="de")
    assert browser.post("/units/ĐSQ-BERLIN", data=form, follow_redirects=False).status_code == 303
    mission = site.service.units.get("ĐSQ-BERLIN")
    assert (mission.countries, mission.city, mission.languages) == (("DE", "PL"), None, ("de",))
    assert mission.name == "Đại sứ quán Việt Nam tại Đức" and mission.website == "https://example.org/de"

    # what the service refuses comes back in the form, as typed, in the page's language
    refused = browser.post("/units/ĐSQ-BERLIN", data=unit_form(browser, "/units/ĐSQ-BERLIN", country="Đức"))
    assert refused.status_code == 400 and "Quốc gia «Đức»: hãy nhập mã ISO 3166" in refused.text
    assert 'value="Đức"' in refused.text and site.service.units.get("ĐSQ-BERLIN").country == "DE"
    taken = browser.post("/units", data=unit_form(browser, "/units", code="đsq-berlin", name="Trùng mã"))
    assert taken.status_code == 400 and "Đã có đơn vị hoặc cơ quan đại diện mã đsq-berlin." in taken.text
    assert '<details class="unit-add" open>' in taken.text and 'value="Trùng mã"' in taken.text
    nameless = browser.post("/units", data=unit_form(browser, "/units", code="DSQ-ROMA", name=" "))
    assert nameless.status_code == 400 and "Đơn vị DSQ-ROMA: hãy nhập tên." in nameless.text

    token = {"csrf_token": csrf_of(browser.get("/units").text)}
    answer = browser.post("/units/đsq-berlin/retire", data=token, follow_redirects=False)
    assert (answer.status_code, answer.headers["location"]) == (303, "/units/%C4%90SQ-BERLIN")
    assert "ĐSQ-BERLIN" not in browser.get("/units").text
    listed = browser.get("/units", params={"retired": "1"}).text
    assert '<tr class="retired">' in listed and "ĐSQ-BERLIN" in listed
    page = browser.get("/units/ĐSQ-BERLIN").text
    assert "Đã ngừng sử dụng" in page and 'action="/units/%C4%90SQ-BERLIN/restore"' in page
    assert browser.post("/units/ĐSQ-BERLIN/restore", data=token, follow_redirects=False).status_code == 303
    assert site.service.units.get("ĐSQ-BERLIN").retired_at is None
    assert browser.post("/units/ĐSQ-BERLIN/delete", data=token).status_code == 404
    assert browser.post("/units/DSQ-NOWHERE/retire", data=token).status_code == 404
    assert browser.get("/units/DSQ-NOWHERE").status_code == 404

    history = site.service.units.history("ĐSQ-BERLIN")
    assert [(h["action"], h["actor"]) for h in history] == [
        ("add", "admin"), ("edit", "admin"), ("retire", "admin"), ("restore", "admin")
    ]  # fmt: skip
    assert history[1]["changes"] == {
        "countries": [["DE"], ["DE", "PL"]], "city": ["Berlin", None], "languages": [["de", "en"], ["de"]]
    }  # fmt: skip
    page = browser.get("/units/ĐSQ-BERLIN").text  # the history, in words
    assert "Ngừng sử dụng" in page and "Khôi phục" in page and "countries: DE → DE, PL" in page


def test_unit_forms_need_the_csrf_token_and_an_administrator(site):
    admin = site.client("admin")
    filled = {"code": "DSQ-GIA", "name": "Giả mạo", "kind": "mission", "city": "Giả mạo"}
    for form in (filled, filled | {"csrf_token": "forged"}):
        for route in ("/units", "/units/DSQ-PARIS", "/units/DSQ-PARIS/retire"):
            assert admin.post(route, data=form, follow_redirects=False).status_code == 403, (route, form)
    for username in ("lan", "paris", "xem"):
        browser = site.client(username)
        page = browser.get("/units/DSQ-PARIS")
        assert page.status_code == 200 and "ĐSQ Paris" in page.text
        assert '<form method="post" action="/units' not in page.text and "unit-form" not in page.text
        token = csrf_of(page.text)  # the logout form's: a right token, a role that may not
        for route in ("/units", "/units/DSQ-PARIS", "/units/DSQ-PARIS/retire", "/units/DSQ-PARIS/restore"):
            assert browser.post(route, data=filled | {"csrf_token": token}).status_code == 403, (
                username,
                route,
            )
    paris = site.service.units.get("DSQ-PARIS")
    assert paris.city is None and paris.retired_at is None and paris.name == "ĐSQ Paris"
    assert "DSQ-GIA" not in {u.code for u in site.service.units.list(retired=True)}


def test_markup_in_a_units_fields_is_shown_as_text(site):
    units = site.service.units
    units.add("XSS-1", f"{SCRIPT} Văn phòng {IMG}", city=SCRIPT, by="test", website="https://x.example/")
    browser = site.client("admin")
    for page in ("/units", "/units/XSS-1"):
        assert_escaped(browser.get(page).text)
    assert 'value="&lt;script&gt;alert(1)&lt;/script&gt; Văn phòng' in browser.get("/units/XSS-1").text
    units.retire("XSS-1", by="test")
