"""Where an article's outlet is from: articles read from files get their outlet's source record by the
domain of their URL (the sample registry, recognised only, nothing polled), and search, its facets,
the dashboard, the morning brief and alert rules read the outlet's origin and country — on SQLite
and PostgreSQL alike. What the foreign press wrote overnight is the analyst's first question."""

from __future__ import annotations

import contextlib
import json
from datetime import date, datetime
from pathlib import Path

import pytest
from conftest import BACKENDS, backend_settings
from support.app import Site
from support.cli import caunoi

from caunoi.alerts.rules import AlertError
from caunoi.app import create_app
from caunoi.i18n import refusal
from caunoi.ingest.sources import SAMPLE, SourceError, make_spec, read_sources
from caunoi.models import ORIGINS, SearchRequest, outlet_origin
from caunoi.reports.brief import brief_file, build
from caunoi.reports.figures import Scope
from caunoi.search import FilterError, request_from, saved_form
from caunoi.store.sources import domain_key, url_keys

PASSWORD = "ba con mèo trèo cây cau"

# Short texts written for these tests, each at the URL of the outlet it stands for.
ARTICLES = [
    (
        "https://www.state.gov/secretary-call-with-vietnamese-foreign-minister/",
        "en",
        "Secretary's call with Vietnamese Foreign Minister",
        "The Secretary spoke with Vietnamese Foreign Minister about the Comprehensive Strategic Partnership"
        " between the United States and Vietnam and cooperation in the Mekong.",
    ),
    (
        "https://vn.usembassy.gov/embassy-supports-flood-recovery-in-central-vietnam/",
        "en",
        "U.S. Embassy supports flood recovery in central Vietnam",
        "The U.S. Embassy in Hanoi announced assistance for families in central Vietnam affected by floods,"
        " working with Vietnamese partners.",
    ),
    (
        "https://www.diplomatie.gouv.fr/fr/dossiers-pays/vietnam/evenements/entretien-ministre/",
        "fr",
        "Entretien avec le ministre vietnamien des affaires étrangères",
        "Le ministre a reçu son homologue du Vietnam pour un entretien sur le partenariat stratégique"
        " entre la France et le Vietnam.",
    ),
    (
        "https://en.wikinews.org/wiki/Vietnam_hosts_regional_meeting_on_Mekong",
        "en",
        "Vietnam hosts regional meeting on the Mekong",
        "Ministers from Mekong countries met in Hanoi this week; Vietnam called for cooperation on water"
        " security along the river.",
    ),
    (
        "https://dantri.com.vn/the-gioi/bo-truong-ngoai-giao-dien-dam-voi-ngoai-truong-hoa-ky.htm",
        "vi",
        "Bộ trưởng Ngoại giao điện đàm với Ngoại trưởng Hoa Kỳ",
        "Bộ trưởng Ngoại giao Việt Nam điện đàm với Ngoại trưởng Hoa Kỳ về quan hệ Đối tác chiến lược"
        " toàn diện giữa Việt Nam và Hoa Kỳ.",
    ),
    (
        "https://e.vnexpress.net/news/news/vietnam-us-foreign-ministers-hold-phone-talks.html",
        "en",
        "Vietnam, US foreign ministers hold phone talks",
        "Vietnam's foreign minister and the US Secretary of State discussed the Comprehensive Strategic"
        " Partnership between Vietnam and the United States by phone.",
    ),
    (
        "https://www.nguoi-viet.com/viet-nam/ngoai-truong-my-dien-dam/",
        "vi",
        "Ngoại trưởng Mỹ điện đàm với Ngoại trưởng Việt Nam",
        "Ngoại trưởng Mỹ điện đàm với Ngoại trưởng Việt Nam về quan hệ giữa Hoa Kỳ và Việt Nam, theo"
        " thông cáo của Bộ Ngoại giao Mỹ.",
    ),
    (
        "https://blog.example.org/2024/02/a-week-in-vietnam",
        "en",
        "A week in Vietnam",
        "A traveller writes about a week in Hanoi and the Mekong delta in Vietnam, and the kindness of"
        " the people she met.",
    ),
]
# the outlet each URL's domain belongs to in the sample registry, its origin and country
EXPECTED = {
    "state.gov": ("U.S. Department of State", "foreign", "US"),
    "vn.usembassy.gov": ("U.S. Embassy in Vietnam", "foreign", "US"),
    "diplomatie.gouv.fr": ("France Diplomatie", "foreign", "FR"),
    "en.wikinews.org": ("Wikinews", "international", None),
    "dantri.com.vn": ("Dân trí", "domestic", "VN"),
    "e.vnexpress.net": ("VnExpress International", "domestic", "VN"),
    "nguoi-viet.com": ("Người Việt", "diaspora", "US"),
    "blog.example.org": ("blog.example.org", "unknown", None),
}


def write_articles(folder: Path, articles: list[tuple[str, str, str, str]] = ARTICLES) -> Path:
    path = folder / "coverage.jsonl"
    rows = [
        {"url": url, "lang": lang, "title": title, "text": text, "published": f"2024-02-21T{9 + i:02d}:00:00"}
        for i, (url, lang, title, text) in enumerate(articles)
    ]
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), encoding="utf-8")
    return path


def host(url: str) -> str:
    return domain_key(url).split("/")[0]


@pytest.fixture(scope="module", params=BACKENDS)
def site(request, tmp_path_factory):
    """A store of the eight articles, the sample registry imported first (recognised only)."""
    with contextlib.ExitStack() as stack:
        settings = backend_settings(request.param, tmp_path_factory.mktemp("store"), stack)
        app = create_app(settings)
        service = app.state.service
        stack.callback(service.close)
        added, _, _ = service.sources.import_file(SAMPLE, disabled=True)
        assert added == len(read_sources(SAMPLE))
        assert not [s for s in service.sources.list() if s.enabled]  # nothing will be polled
        service.ingest([write_articles(tmp_path_factory.mktemp("docs"))])
        service.users.add_user("lan", PASSWORD, "analyst", by="test")
        yield Site(app, service, {}, PASSWORD)


def everything(site: Site, **filters) -> list:
    return everything_of(site.service, **filters)


# -- the outlet of an article read from a file ------------------------------------------------------


def test_an_article_from_a_file_gets_its_outlet_by_the_domain_of_its_url(site):
    hits = everything(site, date_from=date(2024, 2, 1))
    assert len(hits) == len(ARTICLES)
    found = {host(h.url): (h.source, h.origin, h.outlet_country) for h in hits}
    assert found == EXPECTED
    article = site.service.article(next(h.id for h in hits if "state.gov" in h.url))
    assert article.meta.get("site_name") == "state.gov"  # the name it came with, kept


def test_a_subdomain_falls_back_to_its_registered_domain_and_a_path_names_a_service():
    assert url_keys("https://news.example.com/vi/x/y")[:4] == [
        "news.example.com/vi/x", "news.example.com/vi", "news.example.com", "example.com/vi/x",
    ]  # fmt: skip
    assert domain_key("https://WWW.BBC.com/vietnamese/") == "bbc.com/vietnamese"
    registry = {s.name: s for s in read_sources(SAMPLE)}
    assert registry["RFA Tiếng Việt"].domains == ["rfa.org/vietnamese", "vietnamese.rfa.org"]


@pytest.mark.parametrize("origin", ORIGINS)
def test_each_origin_finds_exactly_the_articles_of_its_outlets(site, origin):
    found = {host(h.url) for h in everything(site, origin=origin)}
    assert found == {h for h, (_, o, _) in EXPECTED.items() if o == origin}


def test_the_outlet_country_is_the_outlets_not_the_countries_named(site):
    request = request_from({"query": "Vietnam", "outlet_country": "us"})
    assert request.outlet_country == "US"
    found = {host(h.url) for h in site.service.search(request)}
    # the US outlets only, not the articles naming the US; "Vietnam" is a name, so Người Việt's
    # "Việt Nam" counts too (caunoi.search.named_entity)
    assert found == {"state.gov", "vn.usembassy.gov", "nguoi-viet.com"}
    assert {host(h.url) for h in site.service.search(request_from({"query": "Vietnam", "exact": "1"}))} >= {
        "e.vnexpress.net", "blog.example.org"
    }  # fmt: skip
    assert {host(h.url) for h in everything(site, outlet_country="FR")} == {"diplomatie.gouv.fr"}
    assert everything(site, origin="foreign", outlet_country="VN") == []


def test_the_store_and_the_domain_say_an_outlet_origin_alike(service, tmp_path):
    """One definition: an article's origin as a hit says it (caunoi.models.outlet_origin) is the one
    whose filter (its SQL twin) finds it, also for outlets known by their country alone."""
    service.sources.import_file(SAMPLE, disabled=True)
    for name, home, country in (
        ("Hà Nội Mới", "https://hanoimoi.vn/", "VN"),
        ("Asahi", "https://www.asahi.com/", "JP"),
    ):
        service.sources.add(make_spec({"name": name, "home": home, "country": country, "enabled": False}))
    more = [
        ("https://hanoimoi.vn/tin-ngoai-giao", "vi", "Tin ngoại giao", "Hà Nội đón đoàn khách quốc tế."),
        ("https://www.asahi.com/ajw/articles/vietnam", "en", "Japan and Vietnam", "Japan and Vietnam meet."),
    ]
    ARTICLES_AND_MORE = [*ARTICLES, *more]
    service.ingest([write_articles(tmp_path, ARTICLES_AND_MORE)])
    hits = everything_of(service)
    assert len(hits) == len(ARTICLES_AND_MORE)
    by_filter = {h.id: origin for origin in ORIGINS for h in everything_of(service, origin=origin)}
    assert by_filter == {h.id: h.origin for h in hits}
    origins = {host(h.url): h.origin for h in hits}
    assert (origins["hanoimoi.vn"], origins["asahi.com"]) == ("domestic", "foreign")
    assert (
        outlet_origin(None, "vn", "VN") == "domestic" and outlet_origin("diaspora", "US", "VN") == "diaspora"
    )
    assert outlet_origin(None, None, "VN") == "unknown"


def test_facets_count_the_matches_by_origin_and_outlet_country(site):
    facets = dict(site.service.facets(SearchRequest(query="Vietnam OR Việt")))
    assert dict(facets["origin"]) == {
        "foreign": 3,
        "domestic": 2,
        "international": 1,
        "diaspora": 1,
        "unknown": 1,
    }
    assert dict(facets["outlet_country"]) == {"US": 3, "VN": 2, "FR": 1, "?": 2}


def test_a_saved_search_keeps_the_outlets_origin_and_country():
    request = request_from({"query": "Biển Đông", "origin": "Foreign", "outlet_country": "fr"})
    assert request_from(saved_form(request), require=False) == request
    assert (request.origin, request.outlet_country) == ("foreign", "FR")
    assert request_from({"origin": "foreign"}).query == ""  # a filter alone asks something


@pytest.mark.parametrize(
    ("typed", "code", "vietnamese"),
    [
        ({"origin": "alien"}, "bad_choice", "hãy chọn một trong domestic, foreign"),
        ({"outlet_country": "USA"}, "bad_outlet_country", "mã ISO 3166 gồm hai chữ cái"),
        ({"outlet_country": "Mỹ"}, "bad_outlet_country", "không phải «Mỹ»"),
    ],
)
def test_a_bad_origin_or_outlet_country_is_refused_in_vietnamese(typed, code, vietnamese):
    with pytest.raises(FilterError) as refused:
        request_from({"query": "x", **typed}, {"origin": "--origin", "outlet_country": "--outlet-country"})
    assert refused.value.code == code
    assert vietnamese in refusal(refused.value, "vi")


def test_the_command_line_filters_by_origin_and_refuses_a_bad_one(site):
    shown = caunoi(site.service.settings, "search", "", "--origin", "foreign", "--json").stdout
    assert {h["origin"] for h in json.loads(shown)} == {"foreign"}
    bad = caunoi(site.service.settings, "search", "Vietnam", "--outlet-country", "USA", check=False)
    assert bad.returncode == 2 and "--outlet-country" in bad.stderr


# -- the registry: recognised only, one outlet a domain, relinking ------------------------------------


def test_an_outlet_with_no_feed_is_recognised_only_never_watched(service):
    with pytest.raises(SourceError) as refused:
        make_spec({"name": "U.S. Department of State", "home": "https://www.state.gov/"})
    assert refused.value.code == "source_no_listing"
    assert "enabled: false" in refusal(refused.value, "vi")
    spec = make_spec({"name": "U.S. Department of State", "home": "https://www.state.gov/", "enabled": "no"})
    service.sources.add(spec)
    with pytest.raises(SourceError) as refused:
        service.sources.enable("U.S. Department of State")
    assert refused.value.code == "source_no_listing"
    with pytest.raises(SourceError) as taken:  # a domain names one outlet
        service.sources.add(
            make_spec(
                {"name": "State", "home": "https://example.org", "domains": ["state.gov"], "enabled": False}
            )
        )
    # two sources at one home (sections of a site) are let be: the first registered names the articles
    service.sources.add(
        make_spec({"name": "State, Asia", "home": "https://www.state.gov/", "enabled": False})
    )
    assert taken.value.code == "source_domain_taken"
    with pytest.raises(SourceError) as bad:
        make_spec({"name": "X", "home": "https://x.org", "domains": ["localhost"], "enabled": False})
    assert bad.value.code == "source_bad_domain"


def test_articles_stored_before_the_registry_are_linked_when_it_is_imported(service, tmp_path):
    service.ingest([write_articles(tmp_path)])
    assert {h.source for h in everything_of(service)} >= {"state.gov", "dantri.com.vn"}
    assert {h.origin for h in everything_of(service)} == {"unknown"}
    _, _, linked = service.sources.import_file(SAMPLE, disabled=True)
    assert linked == len(ARTICLES) - 1  # every one but the blog's
    assert {host(h.url) for h in everything_of(service, origin="foreign")} == {
        "state.gov", "vn.usembassy.gov", "diplomatie.gouv.fr",
    }  # fmt: skip
    assert service.sources.relink() == 0  # linked already


def everything_of(service, **filters) -> list:
    return service.search(SearchRequest(query="", limit=100, **{"date_from": date(2024, 2, 1), **filters}))


# -- the dashboard, the brief, alert rules, the pages ----------------------------------------------


def test_the_dashboard_is_scoped_by_origin(site):
    first, last = date(2024, 2, 20), date(2024, 2, 22)
    foreign = site.service.dashboard(
        30, Scope(request_from({"origin": "foreign"}, require=False), first, last)
    )
    assert foreign["articles"] == 3
    assert {o for o, _ in foreign["outlets"]} == {
        "U.S. Department of State",
        "U.S. Embassy in Vietnam",
        "France Diplomatie",
    }
    page = site.client("lan").get("/", params={"origin": "foreign", "from": "2024-02-20", "to": "2024-02-22"})
    assert page.status_code == 200 and '<option value="foreign" selected>' in page.text


def test_the_morning_brief_says_what_the_foreign_press_wrote(site):
    brief = build(site.service.engine, datetime(2024, 2, 21), datetime(2024, 2, 22), lang="vi")
    foreign = brief["foreign"]
    assert foreign["total"] == 4 and foreign["outlets"] == 4  # foreign and international outlets
    shown = {(a["source"], a["country"]) for a in foreign["articles"]}
    assert shown == {
        ("U.S. Department of State", "Mỹ"), ("U.S. Embassy in Vietnam", "Mỹ"),
        ("France Diplomatie", "Pháp"), ("Wikinews", None),
    }  # fmt: skip
    page = brief_file(brief, site.service.settings, "html").decode()
    assert "Báo chí nước ngoài" in page and "France Diplomatie, Pháp" in page
    english = build(site.service.engine, datetime(2024, 2, 21), datetime(2024, 2, 22), lang="en")
    docx = brief_file(english, site.service.settings, "docx")
    import io

    from docx import Document

    text = "\n".join(p.text for p in Document(io.BytesIO(docx)).paragraphs)
    assert "II. FOREIGN PRESS" in text and "U.S. Department of State, United States" in text


def test_a_rule_limited_to_foreign_outlets_alerts_on_theirs_only(site):
    alerts = site.service.alerts
    with pytest.raises(AlertError):
        alerts.add_rule("Bad", "mention", {"query": "Vietnam", "origin": "abroad"})
    rule = {"query": "Vietnam OR Việt", "origin": "Foreign"}
    alerts.add_rule("Báo nước ngoài", "mention", rule, by="lan", replace=True)
    raised = alerts.run(datetime(2024, 2, 21, 23, 0))
    details = [alerts.detail(alert_id) for alert_id in raised]
    named = {a.id for d in details for a in d.articles}
    assert named and {h.id for h in everything(site, origin="foreign")} == named
    assert details[0].scope == {"query": "Vietnam OR Việt", "origin": "foreign"}
    page = site.client("lan").get(f"/alerts/{raised[0]}")
    assert "Phạm vi theo dõi" in page.text and "Xuất xứ nguồn tin Nước ngoài" in page.text


def test_the_search_page_and_api_filter_and_count_by_origin(site):
    browser = site.client("lan")
    page = browser.get("/search", params={"q": "Vietnam"})
    assert 'class="facet-origin"' in page.text and "origin=foreign" in page.text
    page = browser.get("/search", params={"q": "Vietnam", "origin": "foreign"})
    assert "U.S. Department of State (Nước ngoài, Mỹ)" in page.text
    found = browser.get("/api/v1/search", params={"q": "", "origin": "foreign", "facets": "true"}).json()
    assert {i["outlet_country"] for i in found["items"]} == {"US", "FR"}
    assert dict(map(tuple, found["facets"]["origin"])) == {"foreign": 3}
    bad = browser.get("/api/v1/search", params={"q": "x", "outlet_country": "USA"})
    assert bad.status_code == 400 and bad.json()["error"]["code"] == "bad_filter"


def test_the_sample_csv_says_what_the_sample_yaml_says_of_its_outlets():
    shipped = {s.name: s for s in read_sources(SAMPLE)}
    as_csv = read_sources(SAMPLE.with_suffix(".csv"))
    assert len(as_csv) == 7 and all(s == shipped[s.name] for s in as_csv)
    recognised = [s for s in shipped.values() if not s.feeds and not s.sitemaps]
    assert len(recognised) == 42 and not any(s.enabled for s in recognised)


def test_an_outlet_is_found_by_its_name_or_by_its_domain(site):
    by_name = everything(site, source="Dân trí")
    assert [h.source for h in by_name] == ["Dân trí"]
    assert [h.id for h in everything(site, source="dantri.com.vn")] == [h.id for h in by_name]
    assert [h.source for h in everything(site, source="www.state.gov")] == ["U.S. Department of State"]


def test_a_republished_text_gets_the_outlet_its_record_names_by_domain(service, tmp_path):
    """A Kremlin transcript republished by another site: its URL is the republisher's, its record
    names the publisher by domain; the registry names the outlet from that domain, not the URL's."""
    service.sources.import_file(SAMPLE, disabled=True)
    record = {
        "url": "https://newskitchen.eu/2021/04/05/telephone-conversation-with-nguyen-phu-trong/",
        "source": "kremlin.ru", "lang": "en", "published": "2021-04-05",
        "title": "Telephone conversation with General Secretary Nguyen Phu Trong",
        "text": "Vladimir Putin had a telephone conversation with General Secretary of the Communist Party"
        " of Vietnam Nguyen Phu Trong.",
    }  # fmt: skip
    path = tmp_path / "republished.jsonl"
    path.write_text(json.dumps(record), encoding="utf-8")
    service.ingest([path])
    (hit,) = service.search(SearchRequest(query="Putin"))
    assert (hit.source, hit.origin, hit.outlet_country) == ("Kremlin", "foreign", "RU")
