"""An analyst's morning in a real browser: headless Chromium (Debian's `chromium` package) driven by
Playwright against the app served by uvicorn — log in, search, read an article and a story, turn an
alert into a case and see it through to an answer, switch language, log out; and a press attaché's
phone (375 px): log an interview, acknowledge a pack, which the analyst then sees acknowledged. The
page must load nothing from outside this machine, and the dashboard's charts must draw under the CSP.
Screenshots go to var/screenshots/ (git ignores var/); CAUNOI_SCREENSHOTS=docs/screenshots
refreshes the ones the docs show."""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from conftest import DEMO, REPO
from support.app import serve

from caunoi.config import Settings
from caunoi.service import Service

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip
SCREENSHOTS = Path(os.environ.get("CAUNOI_SCREENSHOTS") or REPO / "var" / "screenshots")
LAPTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
PASSWORD = "hai con thỏ chạy quanh hồ"
AT = datetime(2021, 4, 30, 8, 0)  # the demo's morning: its articles run 18 April – 2 May 2021
STORY = ("news_health_127", "news_health_118")  # two reports of one story, 29 and 30 April
FOREIGN_AFFAIRS = ("news_society_055", "news_world_046")  # the demo articles that say "đối ngoại"
TIMEOUT_MS = 15_000


def _unavailable(reason: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"{reason} (required in CI)")
    pytest.skip(reason)


def _apt_get(*args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    return subprocess.run(["apt-get", *args], capture_output=True, text=True, env=env, timeout=900)


@pytest.fixture(scope="session")
def chromium() -> Path:
    """Debian's chromium, installed with apt-get when it is missing and we may (root)."""
    if CHROMIUM.exists():
        return CHROMIUM
    if os.geteuid() != 0 or shutil.which("apt-get") is None:
        _unavailable(f"{CHROMIUM} is missing: install Debian's chromium package (apt-get install chromium)")
    done = _apt_get("install", "-y", "chromium")
    if done.returncode != 0:  # a fresh machine may not have the package lists yet
        _apt_get("update")
        done = _apt_get("install", "-y", "chromium")
    if done.returncode != 0 or not CHROMIUM.exists():
        _unavailable(f"could not install chromium with apt-get: {done.stderr.strip()[-500:]}")
    return CHROMIUM


@pytest.fixture(scope="module")  # module: the sync API runs an event loop in this thread until it stops
def browser(chromium: Path):
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("playwright is not installed: pip install -e '.[dev]' (or `make install`)")
    with sync_playwright() as p:
        launched = p.chromium.launch(executable_path=str(chromium), args=CHROMIUM_ARGS, headless=True)
        yield launched
        launched.close()


@dataclass
class Site:
    url: str
    story_id: int
    alert_id: int


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Iterator[Site]:
    """The app on SQLite (the browser flow does not depend on the backend; test_api covers both)
    with about forty demo articles, an analyst, an admin, one unit and a new-story alert."""
    docs = DEMO / "vi-news-unc" / "docs"
    wanted = {docs / f"{name}.txt" for name in STORY + FOREIGN_AFFAIRS}
    files = sorted(set(sorted(docs.glob("*.txt"))[::8]) | wanted)
    settings = Settings(data_dir=tmp_path_factory.mktemp("browser"))
    with Service(settings) as service:
        service.ingest(files)
        service.users.add_user("analyst", PASSWORD, "analyst", by="test", display_name="Chuyên viên")
        service.users.add_user("admin", PASSWORD, "admin", by="test")
        service.units.add("VU-TT", "Vụ Thông tin Báo chí", by="test")
        service.alerts.add_rule(
            "Câu chuyện mới", "new_story", {}, {"min_articles": 2, "window_hours": 48}, by="test"
        )
        (alert_id,) = service.alerts.run(AT)
        story_id = service.alerts.inbox(None, limit=10)[0]["story_id"]
    assert story_id is not None
    with serve(settings) as url:
        yield Site(url, story_id, alert_id)


@dataclass
class Watch:
    """What the browser did besides showing pages: every URL it asked for, what the console said."""

    requests: list[str]
    console: list[str]

    def outside(self) -> list[str]:
        hosts = {u: urlsplit(u).hostname for u in self.requests}  # data: and blob: URLs have none
        return [u for u, host in hosts.items() if host and host not in ("127.0.0.1", "localhost", "::1")]


@contextlib.contextmanager
def watched_context(browser, viewport: dict[str, int], **options) -> Iterator[tuple[object, Watch]]:
    context = browser.new_context(viewport=viewport, locale="vi-VN", **options)
    context.set_default_timeout(TIMEOUT_MS)
    watch = Watch([], [])
    context.on("request", lambda request: watch.requests.append(request.url))
    context.on("console", lambda msg: watch.console.append(f"{msg.type}: {msg.text}"))
    context.on("weberror", lambda error: watch.console.append(f"pageerror: {error.error}"))
    try:
        yield context, watch
    finally:
        context.close()


def shoot(page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / name), full_page=False)


def charts_drawn(page, watch: Watch) -> None:
    """Every chart box on the page holds Plotly's SVG, drawn by static/js/charts.js under the CSP."""
    try:
        page.wait_for_function(
            "() => { const boxes = [...document.querySelectorAll('.chart')];"
            " return boxes.length > 0 && boxes.every(b => b.querySelector('.main-svg')); }",
            timeout=TIMEOUT_MS,
        )
    except Exception as exc:
        raise AssertionError(f"the charts did not draw ({exc}); the console said: {watch.console}") from None


def test_an_analysts_morning_in_the_browser(browser, site):
    from playwright.sync_api import expect

    with watched_context(browser, LAPTOP) as (context, watch):
        page = context.new_page()

        # log in: any page sends us to the login form, which brings us back
        page.goto(site.url + "/search")
        expect(page).to_have_url(f"{site.url}/login?next=%2Fsearch")
        page.get_by_label("Tên đăng nhập").fill("analyst")
        page.get_by_label("Mật khẩu").fill(PASSWORD)
        shoot(page, "login.png")
        page.get_by_role("button", name="Đăng nhập").click()
        expect(page).to_have_url(f"{site.url}/search")
        expect(page.locator("header .user")).to_contain_text("Chuyên viên")

        # search without the diacritics and open a hit about foreign affairs (đối ngoại)
        page.get_by_role("searchbox").fill("doi ngoai")
        page.get_by_role("button", name="Tìm").click()
        expect(page).to_have_url(f"{site.url}/search?q=doi+ngoai")  # the empty filters are left out
        # the page says how many matched and how it read the words; "đối ngoại" comes first
        expect(page.locator("p.found")).to_contain_text(re.compile(r"\d+ bài khớp · Kết quả cho: đối ngoại"))
        expect(page.locator("article.hit").first).to_contain_text("đối ngoại", ignore_case=True)
        hit = page.locator("article.hit").filter(has_text="đối ngoại").first
        expect(hit).to_be_visible()
        expect(hit.locator("mark").first).to_be_visible()  # the matched words are highlighted
        shoot(page, "search.png")
        title = hit.locator("h2 a").inner_text()
        hit.locator("h2 a").click()
        expect(page).to_have_url(re.compile(re.escape(site.url) + r"/articles/\d+"))
        expect(page.locator("article.article h1")).to_have_text(title)
        expect(page.locator("article.article .body")).to_contain_text("đối ngoại")

        # the stories, and the one the alert is about: two reports of a Covid-19 test in Hà Nội
        page.get_by_role("link", name="Câu chuyện", exact=True).click()
        expect(page).to_have_url(f"{site.url}/stories")
        page.locator(f'table a[href="/stories/{site.story_id}"]').click()
        expect(page.locator("main h1")).to_be_visible()
        expect(page.locator("main table.list").last.locator("tr")).to_have_count(2)
        charts_drawn(page, watch)
        story_days = page.locator("#chart-story .xtick text")  # one tick a day, none between days
        expect(story_days.first).to_be_attached()
        expect(story_days).to_have_text([re.compile(r"^\d{1,2}/\d{1,2}$")] * story_days.count())
        shoot(page, "story.png")

        # the alert becomes a case; triage it, give it to a unit with a deadline, answer it
        page.get_by_role("link", name="Cảnh báo", exact=True).click()
        to_case = f'form[action="/alerts/{site.alert_id}/case"]'
        row = page.locator("tbody tr").filter(has=page.locator(to_case))
        expect(row.locator(f'a[href="/stories/{site.story_id}"]')).to_be_visible()
        expect(row).to_contain_text("Câu chuyện mới")
        # the alert's page says why: its figures, the story's articles of the window, linked
        expect(page.locator("header #unread")).to_have_text("1")
        row.locator(f'a[href="/alerts/{site.alert_id}"]').first.click()
        expect(page.get_by_role("heading", name="Vì sao có cảnh báo")).to_be_visible()
        expect(page.locator(f'main table.list a[href="/stories/{site.story_id}"]').first).to_be_visible()
        shoot(page, "alert.png")
        page.go_back()
        row.get_by_role("button", name="Mở vụ việc").click()
        expect(page).to_have_url(re.compile(re.escape(site.url) + r"/cases/\d+"))
        state = page.locator("main p.meta b").first
        expect(state).to_have_text("Mới")
        triage = page.locator("form[action$='/triage']")
        triage.get_by_label("Ưu tiên").select_option("high")
        triage.get_by_role("button", name="Phân loại").click()
        expect(state).to_have_text("Đã phân loại")
        assign = page.locator("form[action$='/assign']")
        assign.get_by_label("Đơn vị").select_option("VU-TT")
        assign.get_by_label("Hạn").fill("+2d")
        assign.get_by_role("button", name="Giao").click()
        expect(state).to_have_text("Đã giao")
        expect(page.locator("main p.meta")).to_contain_text("Vụ Thông tin Báo chí")
        answer = page.locator("form[action$='/answer']")
        answer.get_by_label("Hình thức").select_option("statement")
        answer.get_by_label("Tiêu đề").fill("Thông cáo về xét nghiệm Covid-19 tại Hà Nội")
        answer.get_by_label("Đường dẫn").fill("https://example.gov.vn/thong-cao-1")
        answer.get_by_role("button", name="Trả lời").click()
        expect(state).to_have_text("Đã trả lời")
        expect(page.locator("main ul").last).to_contain_text("Tuyên bố: Thông cáo về xét nghiệm")
        history = page.locator("main table.list tbody tr")
        expect(history).to_have_count(4)  # opened, triaged, assigned, answered
        shoot(page, "case.png")

        # the dashboard draws its Plotly charts from the page's JSON block, scripts from 'self' only
        page.get_by_role("link", name="Tổng quan", exact=True).click()
        charts_drawn(page, watch)
        expect(page.locator("#chart-map .geolayer path").first).to_be_attached()  # its topojson is ours
        first_day = page.locator("#chart-per-day .xtick text").first
        expect(first_day).to_have_text(re.compile(r"^\d{1,2}/\d{1,2}$"))  # 30/4: Vietnamese dates
        shoot(page, "dashboard.png")

        # on a phone, with the same session
        with watched_context(browser, PHONE, storage_state=context.storage_state(), is_mobile=True,
                             has_touch=True) as (phone_context, phone_watch):  # fmt: skip
            phone = phone_context.new_page()
            phone.goto(site.url + "/")
            charts_drawn(phone, phone_watch)
            expect(phone.locator("#chart-map .geolayer path").first).to_be_attached()
            shoot(phone, "dashboard-phone.png")
            assert phone_watch.outside() == []

        # English, then log out
        page.locator("a[hreflang=en]").click()
        expect(page.get_by_role("link", name="Dashboard", exact=True)).to_be_visible()
        expect(page.locator("main h1")).to_have_text("Dashboard")
        expect(first_day).to_have_text(re.compile(r"^[A-Z][a-z]{2} \d"))  # Apr 30
        page.get_by_role("button", name="Log out").click()
        expect(page).to_have_url(f"{site.url}/login")
        expect(page.get_by_role("button", name="Log in")).to_be_visible()
        page.goto(site.url + "/cases")  # the session is over
        expect(page).to_have_url(f"{site.url}/login?next=%2Fcases")

    assert watch.outside() == [], f"requests to other hosts: {watch.outside()}"
    refused = [line for line in watch.console if "Content Security Policy" in line or "pageerror" in line]
    assert refused == [], f"the console said: {watch.console}"


def test_an_analyst_compares_two_queries_over_time_and_opens_a_days_articles(browser, site):
    """/attention: two queries side by side, each with its colour and total; a click on a bar opens
    the search page on that query and that day, listing as many articles as the bar counts."""
    from playwright.sync_api import expect

    with watched_context(browser, LAPTOP) as (context, watch):
        page = context.new_page()
        log_in_at(page, f"{site.url}/attention", "analyst")
        page.get_by_label("Từ khoá 1").fill("covid")
        page.get_by_label("Từ khoá 2").fill("doi ngoai")
        page.get_by_label("Từ ngày").fill("2021-04-18")
        page.get_by_label("Đến ngày").fill("2021-05-02")
        page.get_by_role("button", name="Xem", exact=True).click()
        expect(page).to_have_url(
            re.compile(r"/attention\?q=covid&q=doi\+ngoai&from=2021-04-18&to=2021-05-02$")
        )
        charts_drawn(page, watch)
        rows = page.locator("table.attention-legend tr.series")
        expect(rows).to_have_count(2)
        expect(rows.nth(0)).to_contain_text("covid")
        expect(rows.nth(1)).to_contain_text("doi ngoai")
        expect(page.locator("#chart-attention .legendtext")).to_have_count(2)  # the chart's legend too
        shoot(page, "attention.png")

        covid = page.evaluate("document.getElementById('chart-attention').data[0]")
        total = int(rows.nth(0).locator("td.total").inner_text())
        assert sum(covid["y"]) == total > 0
        day = max(range(len(covid["y"])), key=lambda i: covid["y"][i])
        bar = page.locator("#chart-attention .trace.bars").first.locator(".point").nth(day)
        page.locator("#chart-attention").scroll_into_view_if_needed()
        box = bar.bounding_box()
        page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
        expect(page.locator("#chart-attention .hoverlayer .hovertext").first).to_be_attached()
        page.mouse.down()
        page.mouse.up()
        expect(page).to_have_url(site.url + covid["customdata"][day])
        when = covid["x"][day]
        assert covid["customdata"][day].endswith(f"?q=covid&from={when}&to={when}")
        hits = page.locator("article.hit")
        expect(hits).to_have_count(covid["y"][day])
        expect(hits.locator("p.meta").first).to_contain_text(
            datetime.fromisoformat(when).strftime("%d/%m/%Y")
        )
    assert watch.outside() == [], f"requests to other hosts: {watch.outside()}"
    refused = [line for line in watch.console if "Content Security Policy" in line or "pageerror" in line]
    assert refused == [], f"the console said: {watch.console}"


def test_swagger_ui_draws_under_the_csp(browser, site):
    """/docs carries the pages' Content-Security-Policy (no inline script): Swagger UI still starts,
    from static/js/swagger-init.js, and lists the API's operations — nothing from another host."""
    from playwright.sync_api import expect

    with watched_context(browser, LAPTOP) as (context, watch):
        page = context.new_page()
        page.goto(site.url + "/docs")
        # the first /openapi.json is built on demand (under a second idle, more on a busy machine)
        listed = page.locator(".opblock-summary-path", has_text="/api/v1/search").first
        expect(listed).to_be_visible(timeout=TIMEOUT_MS)
        page.locator(".opblock-summary-path", has_text="/api/v1/sources").first.click()
        expect(page.get_by_text("Every watched source with its health").first).to_be_visible(
            timeout=TIMEOUT_MS
        )
    assert watch.outside() == [], f"requests to other hosts: {watch.outside()}"
    refused = [line for line in watch.console if "Content Security Policy" in line or "pageerror" in line]
    assert refused == [], f"the console said: {watch.console}"


# -- outreach on a phone: a press attaché in Paris, then the analyst who sent her a pack ---------------

SMALL_PHONE = {"width": 375, "height": 812}


@pytest.fixture(scope="module")
def outreach_site(tmp_path_factory) -> Iterator[str]:
    """The app on SQLite with one mission (Paris), its press attaché, an analyst and a pack sent to
    the mission that waits for its acknowledgement."""
    settings = Settings(data_dir=tmp_path_factory.mktemp("browser-outreach"))
    with Service(settings) as service:
        service.units.add("DSQ-PARIS", "ĐSQ tại Pháp", kind="mission", country="FR", by="test")
        service.users.add_user("attache", PASSWORD, "mission_officer", mission="DSQ-PARIS", by="test")
        service.users.add_user("analyst", PASSWORD, "analyst", by="test")
        service.outreach.packs.add(
            "Thông tin định hướng: Tuần Văn hóa", "Các thông điệp chính …", by="analyst",
            kind="talking_points", deadline="2030-12-31 17:00", to=["DSQ-PARIS"],
        )  # fmt: skip
    with serve(settings) as url:
        yield url


def test_an_admin_adds_a_user_from_the_administration_page(browser, site):
    """/admin: the entry only admins see leads to the users, where a new one is added with a
    password made for them, shown once, and is listed."""
    from playwright.sync_api import expect

    with watched_context(browser, LAPTOP) as (context, watch):
        page = context.new_page()
        log_in_at(page, f"{site.url}/", "admin")
        page.get_by_role("link", name="Quản trị", exact=True).click()
        expect(page).to_have_url(f"{site.url}/admin")
        page.get_by_role("link", name="Người dùng", exact=True).click()
        page.get_by_text("Người dùng mới").click()  # opens the add form
        form = page.locator('form[action="/admin/users"]')
        form.get_by_label("Tên đăng nhập").fill("hoa")
        form.get_by_label("Họ tên").fill("Phạm Thị Hoa")
        form.get_by_label("Vai trò").select_option("viewer")
        form.get_by_role("button", name="Lưu").click()
        expect(page.locator("#new-password")).to_have_text(re.compile(r"^\S{12,}$"))
        expect(page.locator('table.users a[href="/admin/users/hoa"]')).to_be_visible()
        expect(page.locator("table.users")).to_contain_text("Phạm Thị Hoa")
        shoot(page, "admin-users.png")
    assert watch.outside() == [], f"requests to other hosts: {watch.outside()}"


def log_in_at(page, url: str, username: str) -> None:
    """Open `url`, which sends us to the login form, log in and come back."""
    page.goto(url)
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url(url)


def fits_the_screen(page) -> None:
    width = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert width[0] <= width[1], f"{page.url} scrolls sideways: {width[0]} px on a {width[1]} px screen"


def test_an_attache_logs_an_interview_and_acknowledges_a_pack_on_her_phone(browser, outreach_site):
    from playwright.sync_api import expect

    url = outreach_site
    with watched_context(browser, SMALL_PHONE, is_mobile=True, has_touch=True) as (context, watch):
        page = context.new_page()
        log_in_at(page, f"{url}/activities/new", "attache")
        fits_the_screen(page)
        kind = page.get_by_label("Loại hoạt động")
        assert kind.bounding_box()["height"] >= 44  # a target a thumb hits
        expect(page.get_by_label("Ngày", exact=True)).to_have_value(re.compile(r"^\d{4}-\d{2}-\d{2}$"))
        expect(page.locator("main")).to_contain_text("Europe/Paris")  # now, in the mission's zone
        kind.select_option("interview")
        page.get_by_label("Tiêu đề").fill("Trả lời phỏng vấn báo Le Monde")
        page.get_by_label("Giờ", exact=True).fill("09:30")
        page.get_by_text("Thêm chi tiết").click()  # the rest is folded until asked for
        page.get_by_label("Địa điểm").fill("Trụ sở báo Le Monde, Paris")
        fits_the_screen(page)
        shoot(page, "activity-new-phone.png")
        page.get_by_role("button", name="Lưu").click()
        expect(page.locator("p.done")).to_have_text("Đã lưu hoạt động.")
        expect(page.locator("main")).to_contain_text(", Paris)")
        page.get_by_role("link", name="Hoạt động", exact=True).first.click()
        expect(page.locator(".activity-card").first).to_contain_text("Trả lời phỏng vấn báo Le Monde")
        fits_the_screen(page)

        # the pack sent to the mission waits on her dashboard; she acknowledges it from the list
        page.goto(url + "/")
        expect(page.locator(".waiting .badge")).to_have_text("1")
        page.get_by_role("link", name="Bộ thông tin", exact=True).click()
        card = page.locator(".pack-card", has_text="Tuần Văn hóa")
        card.get_by_role("button", name="Xác nhận đã nhận").click()
        expect(page.locator("p.done")).to_be_visible()
        expect(card.locator(".state")).to_have_text("Đã xác nhận")
        fits_the_screen(page)
        shoot(page, "packs-phone.png")

    with watched_context(browser, LAPTOP) as (context, analyst_watch):
        page = context.new_page()
        log_in_at(page, f"{url}/packs", "analyst")
        card = page.locator(".pack-card", has_text="Tuần Văn hóa")
        expect(card).to_contain_text("Đã xác nhận: 1")
        expect(card).to_contain_text("Quá hạn: 0")

    for seen in (watch, analyst_watch):
        assert seen.outside() == [], f"requests to other hosts: {seen.outside()}"
        refused = [line for line in seen.console if "Content Security Policy" in line or "pageerror" in line]
        assert refused == [], f"the console said: {seen.console}"
