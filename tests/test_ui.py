"""The web UI as a browser meets it, on both backends: logging in and out, every page, the
language switch, and the attacks it must withstand — session fixation, CSRF, stored XSS through
fetched articles and alert titles, a mission officer reaching another mission's case, open
redirects, and assets from another host."""

from __future__ import annotations

import contextlib
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from conftest import BACKENDS, backend_settings
from fastapi.testclient import TestClient
from test_cases import add_alert
from test_stories import HA_NAM, OTHERS, SUBMARINE, as_file

from caunoi.app import create_app
from caunoi.app.auth import SESSION_COOKIE

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


@dataclass
class Site:
    app: Any
    service: Any
    ids: dict[str, int]
    clients: dict[str, TestClient] = field(default_factory=dict)

    def client(self, username: str) -> TestClient:
        """A browser logged in as `username`, kept for the module (logins are rate limited)."""
        if username not in self.clients:
            browser = TestClient(self.app, base_url="https://testserver")
            assert log_in(browser, username).status_code == 303
            self.clients[username] = browser
        return self.clients[username]


def csrf_of(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html)[1]


def log_in(browser: TestClient, username: str, password: str = PASSWORD, next_url: str = "/"):
    token = csrf_of(browser.get("/login").text)
    form = {"username": username, "password": password, "csrf_token": token, "next": next_url}
    return browser.post("/login", data=form, follow_redirects=False)


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
            service.cases.add_unit(code, name, kind="mission", country=country, by="test")
        for username, (role, mission) in ROLES.items():
            service.users.add_user(username, PASSWORD, role, mission=mission, by="test")
        cases = service.cases
        ids = {"xss_article": service.search(_request("xsstest"))[0].id}
        ids["story"] = service.article(ids["xss_article"])["story_id"]
        for code in ("DSQ-PARIS", "DSQ-TOKYO"):
            case = cases.open_case(title=f"Bài báo cần trả lời ({code})", by="lan")
            cases.assign(case["id"], code, "+2d", by="lan")
            ids[code] = case["id"]
        ids["xss_case"] = cases.open_case(title=f"{IMG} vụ việc {SCRIPT}", by="lan")["id"]
        ids["alert"] = add_alert(service, ids["story"], title=f"{SCRIPT} cảnh báo {IMG}")
        yield Site(app, service, ids)


def _request(query: str):
    from caunoi.store.repository import SearchRequest

    return SearchRequest(query=query)


def pages(site: Site) -> list[str]:
    ids = site.ids
    return [
        "/", "/search", "/search?q=%22doi+ngoai%22", "/search?q=xsstest", f"/articles/{ids['xss_article']}",
        "/stories", f"/stories/{ids['story']}", "/alerts", "/cases", f"/cases/{ids['xss_case']}",
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
    routes = ["/logout", f"/alerts/{ids['alert']}/read", f"/alerts/{ids['alert']}/case"]
    routes += [
        f"/cases/{ids['xss_case']}/{a}" for a in ("triage", "assign", "answer", "respond", "close", "reopen")
    ]
    for route in routes:
        for form in ({}, {"csrf_token": "forged"}):
            assert browser.post(route, data=form, follow_redirects=False).status_code == 403, (route, form)
    assert site.service.cases.get(ids["xss_case"])["state"] == "new"
    assert site.service.alerts.get(ids["alert"])["state"] == "new"
    assert browser.get("/").status_code == 200  # still logged in: the forged logout did nothing


def test_an_alert_becomes_a_case_through_the_inbox(site):
    browser = site.client("lan")
    token = csrf_of(browser.get("/alerts").text)
    answer = browser.post(
        f"/alerts/{site.ids['alert']}/case", data={"csrf_token": token}, follow_redirects=False
    )
    assert answer.status_code == 303 and answer.headers["location"].startswith("/cases/")
    case_id = int(answer.headers["location"].rsplit("/", 1)[1])
    assert site.service.cases.get(case_id)["alert_id"] == site.ids["alert"]
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
        "/alerts", f"/cases/{ids['xss_case']}", "/cases",
    ):  # fmt: skip
        assert_escaped(browser.get(page).text)


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
    assert site.service.cases.get(ids["DSQ-TOKYO"])["state"] == "assigned"
    answer = browser.post(f"/cases/{ids['DSQ-PARIS']}/answer", data=form, follow_redirects=False)
    assert answer.status_code == 303
    assert site.service.cases.get(ids["DSQ-PARIS"])["state"] == "answered"
    assert browser.post(f"/alerts/{ids['alert']}/case", data={"csrf_token": token}).status_code == 403


# -- search, pages, languages ----------------------------------------------------------------------------


def test_search_ignores_diacritics_and_shows_facets(site):
    html = site.client("lan").get("/search", params={"q": '"doi ngoai"'}).text
    assert re.search(r"<mark>đối ngoại</mark>|<mark>đối</mark> <mark>ngoại</mark>", html, re.I)
    assert "dantri.com.vn" in html and "/search?q=%22doi+ngoai%22&amp;lang=vi" in html
    assert (
        "Truy vấn không hợp lệ"
        in site.client("lan").get("/search", params={"q": "tone_min", "tone_min": "x"}).text
    )


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
    assert browser.get("/articles/999999").status_code == 404
    plotly = browser.get(re.search(r'src="(/static/vendor/plotly-[^"]+)"', browser.get("/").text)[1])
    assert plotly.status_code == 200 and "max-age=31536000" in plotly.headers["cache-control"]
    assert plotly.headers["content-type"].startswith("text/javascript")


def test_sources_are_for_administrators(site):
    assert site.client("lan").get("/sources").status_code == 403
    assert site.client("xem").get("/sources").status_code == 403
    assert site.client("admin").get("/sources").status_code == 200


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
