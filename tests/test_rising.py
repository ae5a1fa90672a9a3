"""Rising stories (caunoi.stories.rising) and alerts that say why (caunoi.alerts.explain), on real
demo articles of 29 and 30 April 2021: the Covid-19 cases in Hà Nội, three reports on the 29th and
six on the 30th, rise on the morning of the 30th; Hội An's three reports of the 30th are a new story
that does not (3 after none is z = 2). The same through the command line, the API and the pages; the
store's filters (origin, language, topic, reprints) on both backends."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from conftest import DEMO, backend_settings
from fastapi.testclient import TestClient
from sqlalchemy import event
from support.app import Site, csrf_of
from support.cli import caunoi
from support.corpus import as_file

from caunoi.app import create_app
from caunoi.models import SourceSpec
from caunoi.spikes import spike
from caunoi.stories.rising import RisingRequest, growth, window_counts

AT = datetime(2021, 4, 30, 8, 0)
CORPUS = DEMO / "vi-news-unc"
HA_NOI = ["docs/news_health_127", "window/news_health_095", "window/news_health_096",  # 29/4
          "docs/news_health_118", "docs/news_society_235", "window/news_health_030",  # 30/4
          "window/news_health_094", "window/news_health_117"]  # fmt: skip
HOI_AN = ["window/news_society_155", "window/news_society_156", "window/news_travel_098"]  # 30/4
OTHER = ["docs/news_society_136"]  # Đông Anh, 30/4: a story of its own
STORIES = {"HA_NOI": HA_NOI, "HOI_AN": HOI_AN}
PASSWORD = "một câu mật khẩu dài 2024"


@dataclass
class RisingSite(Site):
    token: str = ""


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """The twelve articles on SQLite (the pages and the API do not depend on the backend; the store
    tests below run on both), an analyst, a viewer, and the alerts two rules raised at 08:00 on 30/4:
    a volume spike of "covid" and a rising story."""
    with contextlib.ExitStack() as stack:
        settings = backend_settings("sqlite", tmp_path_factory.mktemp("rising"), stack)
        app = create_app(settings)
        service = app.state.service
        stack.callback(service.close)
        service.ingest([CORPUS / f"{name}.txt" for name in HA_NOI + HOI_AN + OTHER])
        ids = _ids(service)
        story = {key: service.stories.story_of(ids[Path(names[0]).name]) for key, names in STORIES.items()}
        service.users.add_user("lan", PASSWORD, "analyst", by="test")
        service.users.add_user("xem", PASSWORD, "viewer", by="test")
        service.alerts.add_rule("Covid-19 tăng", "volume_spike", {"query": "covid"}, by="test")
        service.alerts.add_rule("Đang tăng", "rising_story", {}, by="test")
        spiked, rose = service.alerts.run(AT)
        token = service.users.create_token("lan", "tests", by="test")
        yield RisingSite(app, service, {**story, "spike": spiked, "rising": rose}, PASSWORD, token=token)


def _ids(service) -> dict[str, int]:
    """Article ids by the name of the file each was read from."""
    from caunoi.store.schema import articles

    with service.engine.connect() as conn:
        return {Path(r.origin).stem: r.id for r in conn.execute(articles.select())}


# -- the arithmetic ---------------------------------------------------------------------------------


def test_two_articles_after_none_are_not_rising_four_are():
    request = RisingRequest(at=AT).checked(AT)
    young = AT - timedelta(hours=5)
    two = growth([AT - timedelta(hours=h) for h in (1, 2)], young, request)
    assert (two.count, two.mean, two.z, two.rising, two.new) == (2, 1.0, 1.0, False, True)
    four = growth([AT - timedelta(hours=h) for h in (1, 2, 3, 4)], young, request)
    assert (four.z, four.ratio, four.rising) == (3.0, 4.0, True)
    # a story with five articles a day for a week rises past twelve, not on eleven
    steady = [AT - timedelta(days=d, hours=3) for d in range(1, 8) for _ in range(5)]
    counts = [
        growth(steady + [AT - timedelta(hours=1)] * n, AT - timedelta(days=9), request) for n in (11, 12)
    ]
    assert [c.rising for c in counts] == [False, True] and counts[0].counts == [5] * 7 + [11]


def test_the_windows_end_where_the_next_begins():
    request = RisingRequest(at=AT, hours=24, baseline_days=2).checked(AT)
    second = timedelta(seconds=1)
    times = [
        AT,
        AT - timedelta(hours=24),
        AT - timedelta(hours=24) - second,
        AT - timedelta(hours=72) - second,
    ]
    assert window_counts(times, request) == [0, 1, 1]  # AT is the next window's; 72 h back the first's start


def test_volume_spikes_and_rising_stories_share_one_arithmetic():
    found = spike(8, [1, 1, 1, 1])  # the volume spike of tests/test_alerts.py
    assert (found.mean, found.sd, found.z, found.ratio) == (1.0, 1.0, 7.0, 8.0)
    assert spike(3, [0, 0], floor=1.0).z == 2.0 and spike(3, [0, 0]).z == 3.0


@pytest.mark.parametrize(
    "options, code",
    [({"hours": 0}, "rising_bad_window"), ({"hours": 1}, "rising_bad_baseline"),
     ({"z": -1}, "rising_bad_threshold"), ({"origin": "mars"}, "rising_bad_origin")],
)  # fmt: skip
def test_options_rising_stories_cannot_be_found_with_are_refused(options, code):
    from caunoi.stories.rising import RisingError

    with pytest.raises(RisingError) as refused:
        RisingRequest(**options).checked(AT)
    assert refused.value.code == code


# -- on real articles -------------------------------------------------------------------------------


def test_hanois_cases_rise_against_their_own_day_before_and_hoi_an_is_only_new(site):
    found = site.service.rising_stories(RisingRequest(at=AT, every=True))
    grown = {s.id: s.growth for s in found.stories}
    ha_noi, hoi_an = grown[site.ids["HA_NOI"]], grown[site.ids["HOI_AN"]]
    assert ha_noi.counts == [0, 0, 0, 0, 0, 0, 3, 5] and ha_noi.rising and not ha_noi.new
    assert ha_noi.z >= 3 and ha_noi.ratio == 5.0
    assert hoi_an.counts[-1] == 3 and hoi_an.new and not hoi_an.rising and hoi_an.z == 2.0
    assert found.stories[0].id == site.ids["HA_NOI"]  # the most outstanding first
    rising = site.service.rising_stories(RisingRequest(at=AT)).stories
    assert [s.id for s in rising] == [site.ids["HA_NOI"]]
    assert site.service.rising_stories(RisingRequest(at=AT - timedelta(days=3))).stories == []


def test_the_origin_filter_is_the_source_registrys_and_unknown_outlets_are_unknown(site):
    def rising(origin: str) -> list[int]:
        return [s.id for s in site.service.rising_stories(RisingRequest(at=AT, origin=origin)).stories]

    assert (
        rising("unknown") == [site.ids["HA_NOI"]] and rising("domestic") == []
    )  # dantri.com.vn: not a source
    site.service.sources.add(SourceSpec("dantri.com.vn", "https://dantri.com.vn/", origin="domestic"))
    try:
        assert rising("domestic") == [site.ids["HA_NOI"]] and rising("unknown") == []
    finally:
        site.service.sources.remove("dantri.com.vn")


def test_a_rising_story_alerts_once_with_the_figures_of_a_volume_spike(site):
    alerts = site.service.alerts
    why = alerts.get(site.ids["rising"])["why"]
    assert why["story"] == site.ids["HA_NOI"] and why["baseline_counts"] == [0, 0, 0, 0, 0, 0, 3]
    assert why["articles"] == 5 and why["z"] >= why["threshold_z"] == 3.0 and why["ratio"] == 5.0
    spiked = alerts.get(site.ids["spike"])["why"]
    assert set(spiked) >= set(why) - {"story", "new", "first_seen", "outlets"}  # one shape
    assert alerts.run(AT + timedelta(hours=1)) == [] and alerts.run(AT + timedelta(days=1)) == []


def test_an_alert_names_the_articles_of_its_spike_and_their_stories(site):
    detail = site.service.alerts.detail(site.ids["spike"])
    assert detail.series == [*detail.alert["why"]["baseline_counts"], detail.alert["why"]["articles"]]
    assert detail.article_count == detail.alert["why"]["articles"] == len(detail.articles)
    assert all(a.published.date() == AT.date() for a in detail.articles)  # the window's articles
    assert site.ids["HA_NOI"] in {s.id for s in detail.stories}
    rose = site.service.alerts.detail(site.ids["rising"])
    assert {a.story_id for a in rose.articles} == {site.ids["HA_NOI"]} and rose.article_count == 5


def test_the_unread_count_is_one_count_query(site):
    statements = []
    listen = lambda *args: statements.append(args[2])  # noqa: E731
    event.listen(site.service.engine, "before_cursor_execute", listen)
    try:
        unread = site.service.alerts.unread({"role": "analyst"})
    finally:
        event.remove(site.service.engine, "before_cursor_execute", listen)
    asked = [s for s in statements if s.lstrip().upper().startswith("SELECT")]  # SQLite also says BEGIN
    assert unread >= 1 and len(asked) == 1 and "count(*)" in asked[0].lower()


def test_rising_stories_and_an_alerts_articles_from_the_command_line(site):
    import json

    listed = json.loads(
        caunoi(site.service.settings, "stories", "--rising", "--at", AT.isoformat(), "--all", "--json").stdout
    )
    marks = {s["id"]: (s["growth"]["new"], s["growth"]["rising"]) for s in listed}
    assert marks[site.ids["HA_NOI"]] == (False, True) and marks[site.ids["HOI_AN"]] == (True, False)
    shown = caunoi(site.service.settings, "alerts", "show", str(site.ids["rising"])).stdout
    assert "baseline_counts: [0, 0, 0, 0, 0, 0, 3]" in shown and "articles (5)" in shown


# -- the API ---------------------------------------------------------------------------------------


def test_the_api_lists_rising_stories_and_explains_and_dismisses_an_alert(site):
    api = TestClient(site.app, base_url="https://testserver")
    api.headers["Authorization"] = f"Bearer {site.token}"
    page = api.get("/api/v1/stories", params={"rising": "true", "at": AT.isoformat(), "all": "true"}).json()
    assert page["next_cursor"] is None and page["items"][0]["growth"]["counts"] == [0, 0, 0, 0, 0, 0, 3, 5]
    biggest = api.get("/api/v1/stories").json()["items"]
    assert biggest and all(s["growth"] is None for s in biggest)
    assert api.get("/api/v1/stories", params={"rising": "true", "hours": 1}).status_code == 422
    alert = api.get(f"/api/v1/alerts/{site.ids['rising']}").json()
    assert alert["why"]["z"] >= 3 and alert["article_count"] == 5 and alert["series"][-1] == 5
    assert alert["stories"] == [
        {"id": site.ids["HA_NOI"], "title": alert["stories"][0]["title"], "articles": 5}
    ]
    assert api.get("/api/v1/alerts/999999").status_code == 404
    spike = site.ids["spike"]
    assert api.post(f"/api/v1/alerts/{spike}/dismiss").json()["state"] == "dismissed"
    history = api.get(f"/api/v1/alerts/{spike}").json()["history"]
    assert [(h["actor"], h["action"], h["changes"]) for h in history] == [
        ("lan", "dismiss", {"state": ["new", "dismissed"]})
    ]
    site.service.alerts.mark(spike, "new")  # as it was, for the pages' tests


# -- the pages --------------------------------------------------------------------------------------


def test_the_stories_page_marks_rising_and_new_stories_with_sparklines(site):
    browser = site.client("lan")
    page = browser.get("/stories", params={"rising": "1", "at": "2021-04-30T08:00", "all": "1"}).text
    assert "đang tăng</span>" in page and "mới</span>" in page
    assert '<svg class="spark" role="img" aria-label="0, 0, 0, 0, 0, 0, 3, 5"' in page
    assert page.index(f'/stories/{site.ids["HA_NOI"]}"') < page.index(f'/stories/{site.ids["HOI_AN"]}"')
    only = browser.get("/stories", params={"rising": "1", "at": "2021-04-30T08:00"}).text
    assert f'/stories/{site.ids["HOI_AN"]}"' not in only
    refused = browser.get("/stories", params={"rising": "1", "origin": "mars"})
    assert refused.status_code == 400 and "Không có nguồn báo «mars»" in refused.text
    # the dashboard's window ends with the store's last day, 30/4: Hà Nội rises in its panel
    dashboard = browser.get("/").text
    assert "Câu chuyện đang tăng" in dashboard and f'/stories/{site.ids["HA_NOI"]}"' in dashboard


def test_an_alerts_page_says_why_and_dismissing_it_is_audited(site):
    browser = site.client("lan")
    alert_id = site.ids["rising"]
    page = browser.get(f"/alerts/{alert_id}").text
    assert "29/04/2021 08:00 – 30/04/2021 08:00 (GMT+7, Hà Nội)" in page  # the articles' clock, named
    for shown in (
        "Vì sao có cảnh báo",
        "Ngưỡng z",
        "Gấp (n / μ)",
        "0, 0, 0, 0, 0, 0, 3, 5",
        "Các bài của đợt tăng",
    ):
        assert shown in page
    assert page.count(f'href="/stories/{site.ids["HA_NOI"]}"') >= 5  # each article's story, linked
    unread = site.service.alerts.unread()
    assert (
        f'title="{unread} chưa đọc">Cảnh báo <span class="badge" id="unread" aria-hidden="true">{unread}<'
        in page
    )
    form = {"csrf_token": csrf_of(page), "next": f"/alerts/{alert_id}"}
    assert browser.post(f"/alerts/{alert_id}/dismiss", data={"next": "/"}).status_code == 403  # no token
    done = browser.post(f"/alerts/{alert_id}/dismiss", data=form, follow_redirects=False)
    assert done.status_code == 303 and done.headers["location"] == f"/alerts/{alert_id}"
    after = browser.get(f"/alerts/{alert_id}").text
    assert "lan · bỏ qua" in after and site.service.alerts.unread() == unread - 1
    assert site.client("xem").post(f"/alerts/{alert_id}/read", data=form).status_code == 403  # a viewer
    browser.cookies.set("lang", "en")
    try:
        english = browser.get(f"/alerts/{alert_id}").text
    finally:
        browser.cookies.delete("lang")
    assert "Why this alert" in english and "Threshold z" in english


# -- the store's filters, on both backends ----------------------------------------------------------


def test_the_store_counts_originals_by_origin_language_and_topic(service, tmp_path: Path):
    def demo(name: str) -> tuple[str, str]:
        text = (DEMO / "vi-news-unc" / "docs" / f"{name}.txt").read_text(encoding="utf-8").split("\n")
        lines = [ln for ln in text if ln.strip() and not ln.startswith("#")]
        return lines[0], "\n".join(lines[1:])

    title, body = demo("news_health_127")
    english = "The Ministry of Health of Vietnam reported new Covid-19 cases in Hanoi on Friday. " * 6
    written = {  # name: (outlet, hours before AT, title, body)
        "domestic": ("vnexpress.net", 2, title, body),
        "reprint": ("bbc.com", 1, title + " (BBC)", body + "\nTheo Dân trí."),
        "foreign": ("bbc.com", 3, *demo("news_world_235")),
        "unknown": ("nowhere.example", 4, *demo("news_sport_226")),
        "english": ("e.vnexpress.net", 5, "Covid-19 in Hanoi", english),
        "before": ("vnexpress.net", 50, *demo("news_health_118")),
    }
    for name, (outlet, hours, title, body) in written.items():
        when = (AT - timedelta(hours=hours)).isoformat()
        as_file(tmp_path, name, title, body, when, url=f"https://{outlet}/{name}.htm")
    service.ingest([tmp_path])
    for name, origin in (("vnexpress.net", "domestic"), ("bbc.com", "foreign")):
        service.sources.add(SourceSpec(name, f"https://{name}/", origin=origin))
    hours = {AT - timedelta(hours=h): name for name, (_, h, _, _) in written.items()}

    def counted(**filters) -> list[str]:
        rows = service.stories.member_times(AT - timedelta(days=3), AT, **filters)
        return sorted(hours[r.when] for r in rows)

    assert "reprint" not in counted()  # a reprint is counted once, as its original
    # e.vnexpress.net is vnexpress.net's: a subdomain falls back to its parent's outlet (relinked when
    # the sources were added after the articles)
    assert counted(origin="domestic") == ["before", "domestic", "english"]
    assert counted(origin="foreign") == ["foreign"]
    assert counted(origin="unknown") == ["unknown"]
    assert counted(lang="en") == ["english"]
    assert counted(topic="no-such-topic") == []
    topics = [t.value for t in service.stories.tags_of([_ids(service)["unknown"]], ("topic",))]
    if topics:  # a story with an article on the topic: all its articles are counted
        assert "unknown" in counted(topic=topics[0])
