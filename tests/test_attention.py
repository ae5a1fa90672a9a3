"""Attention over time (caunoi.attention): a search's articles counted by day and week over a period,
as counts and as shares of every article stored, up to five searches side by side — on both
backends, a day's count being exactly what the search page lists for that day; then the command,
the API, the attention page and the dashboard's form over the same small corpus."""

from __future__ import annotations

import contextlib
import json
import re
import shlex
from datetime import date, timedelta

import pytest
from conftest import BACKENDS, backend_settings
from support.app import assert_error, site_on
from support.cli import caunoi

from caunoi.attention import COLOURS, MAX_SERIES, AttentionError, ask, buckets_of
from caunoi.i18n import refusal
from caunoi.models import SearchRequest
from caunoi.search import FilterError, QueryError
from caunoi.service import Service

# Two weeks of February 2024: Monday 19 to Sunday 25, then Monday 26 to Thursday 29. "ASEAN" is in
# articles of the 20th, 21st, 25th and 26th (that one in English); "tàu cá" on the 19th, the 20th
# (published 23:30 UTC on the 19th: the 20th in Hà Nội) and the 26th, and in one undated article.
CORPUS = [
    (
        "Tàu cá trên Biển Đông được hỗ trợ",
        "Ngư dân và tàu cá được hỗ trợ nhiên liệu.",
        "2024-02-19T10:00:00+07:00",
    ),
    ("Tàu cá về cảng muộn", "Một chiếc tàu cá cập cảng trong đêm sau bão.", "2024-02-19T23:30:00+00:00"),
    (
        "ASEAN họp bàn về an ninh biển",
        "Các nước ASEAN họp bàn về an ninh hàng hải.",
        "2024-02-20T09:00:00+07:00",
    ),
    ("Hội nghị ASEAN tại Hà Nội", "Hội nghị quan chức cao cấp ASEAN khai mạc.", "2024-02-21"),
    ("Giá dầu thế giới", "Giá dầu thế giới biến động mạnh trong tuần qua.", "2024-02-21"),
    ("Thời tiết miền Bắc", "Miền Bắc đón không khí lạnh, trời rét đậm.", "2024-02-22"),
    ("Diễn đàn khu vực ASEAN", "Diễn đàn khu vực ASEAN bàn về kinh tế số.", "2024-02-25"),
    ("Tàu cá được cứu hộ", "Lực lượng cứu hộ đưa tàu cá gặp nạn vào bờ.", "2024-02-26"),
    ("ASEAN ministers meet", "Foreign ministers of ASEAN met on Monday in Jakarta.", "2024-02-26"),
    ("Tàu cá không rõ ngày", "Bài viết về tàu cá không có ngày đăng.", None),
]
FIRST, LAST = date(2024, 2, 19), date(2024, 2, 29)
ASEAN_DAYS = {date(2024, 2, 20): 1, date(2024, 2, 21): 1, date(2024, 2, 25): 1, date(2024, 2, 26): 1}
ALL_DAYS = {19: 1, 20: 2, 21: 2, 22: 1, 25: 1, 26: 2}  # the period's nine dated articles, by day
PASSWORD = "con mèo trèo cây cau hỏi thăm chú chuột"


def write_corpus(folder) -> list:
    rows = [
        {
            "title": title,
            "text": text,
            "url": f"https://bao{n % 3}.vn/bai-{n}.html",
            **({"published": at} if at else {}),
        }
        for n, (title, text, at) in enumerate(CORPUS)
    ]
    rows[-2]["lang"] = "en"
    path = folder / "corpus.jsonl"
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), encoding="utf-8")
    return [path]


@pytest.fixture(scope="module", params=BACKENDS)
def store(request, tmp_path_factory):
    folder = tmp_path_factory.mktemp("attention")
    with contextlib.ExitStack() as stack:
        service = stack.enter_context(Service(backend_settings(request.param, folder / "data", stack)))
        assert service.ingest(write_corpus(folder)).added == len(CORPUS)
        service.searches.save("asean-vi", {"query": "ASEAN", "lang": "vi"}, "test")
        yield service


def measured(service: Service, *queries: str, **options):
    saved = options.pop("saved", ())
    filters = options.pop("filters", {})
    return service.attention(ask(queries, saved, filters, first=FIRST, last=LAST, **options))


def test_a_days_count_is_what_the_search_page_lists_that_day(store):
    found = measured(store, "ASEAN", "tau ca", '"biển Đông" OR dầu')
    assert [b.first for b in found.buckets] == [FIRST + timedelta(days=n) for n in range(11)]
    for series in found.series:
        for bucket, count in zip(found.buckets, series.counts, strict=True):
            listed = store.search(
                SearchRequest(query=series.query, date_from=bucket.first, date_to=bucket.last)
            )
            assert count == len(listed), (series.label, bucket)
    asean = found.series[0]
    assert {b.first: n for b, n in zip(found.buckets, asean.counts, strict=True) if n} == ASEAN_DAYS
    # 23:30 UTC on the 19th is the 20th in Hà Nội: the day the store dates it, as the search does
    assert found.series[1].counts[:2] == [1, 1]
    # a long period is looked up another way on SQLite (ID_SET_DAYS): the same articles
    year = store.attention(
        ask(["ASEAN", "tàu cá"], first=date(2023, 6, 1), last=date(2024, 6, 30), by="week")
    )
    assert [s.total for s in year.series] == [4, 3] and year.total == 9


def test_shares_are_of_every_article_stored_that_day_and_totals_of_the_period(store):
    found = measured(store, "ASEAN")
    assert found.all_articles == [ALL_DAYS.get(19 + n, 0) for n in range(11)]
    assert found.total == 9
    asean = found.series[0]
    assert (asean.total, asean.share) == (4, pytest.approx(4 / 9))
    assert asean.shares[1] == pytest.approx(1 / 2)  # the 20th: one of its two articles
    assert asean.shares[3] == 0.0  # the 22nd: its one article (the weather) is not about ASEAN
    assert asean.shares[4] is None  # the 23rd: no article at all, so no share
    assert asean.colour == COLOURS[0]


def test_weeks_run_monday_to_sunday_cut_to_the_period(store):
    found = measured(store, "ASEAN", "tàu cá", by="week")
    assert [(b.first, b.last) for b in found.buckets] == [
        (date(2024, 2, 19), date(2024, 2, 25)),
        (date(2024, 2, 26), date(2024, 2, 29)),
    ]
    assert found.all_articles == [7, 2]
    assert [s.counts for s in found.series] == [[3, 1], [2, 1]]
    assert [s.colour for s in found.series] == list(COLOURS[:2])
    assert buckets_of(date(2024, 2, 21), date(2024, 2, 21), "week")[0].first == date(2024, 2, 21)


def test_a_saved_search_and_the_filters_narrow_each_compared_search(store):
    found = measured(store, "ASEAN", saved=["asean-vi"], filters={"lang": "en"})
    by_label = {s.label: s for s in found.series}
    assert by_label["ASEAN"].total == 1  # English only
    assert by_label["asean-vi"].saved == "asean-vi"
    assert by_label["asean-vi"].total == 1  # the filter given overrides the saved search's language
    assert measured(store, saved=["asean-vi"]).series[0].total == 3
    alone = measured(store, filters={"lang": "en"})  # a filter set alone is a search too
    assert [(s.label, s.total) for s in alone.series] == [("", 1)]
    # its top outlets, countries and entities are the search facets' of its articles
    assert sum(n for _, n in measured(store, "tàu cá").series[0].outlets) == 3


def test_an_undated_article_counts_on_the_day_it_was_stored_and_is_found_there(store):
    (hit,) = store.search(SearchRequest(query='"không rõ ngày"'))
    stored = store.articles.get(hit.id)["created_at"].date()
    found = store.attention(ask(["tàu cá"], first=stored, last=stored))
    assert found.series[0].counts == [1] and found.all_articles == [1]  # the only article stored undated
    assert [h.id for h in store.search(SearchRequest(query="tàu cá", date_from=stored, date_to=stored))] == [
        hit.id
    ]


def test_the_dashboard_takes_a_search_and_a_period(store):
    from caunoi.reports.figures import Scope

    whole = store.dashboard(30, Scope(first=FIRST, last=LAST))
    assert whole["articles"] == 9
    asean = store.dashboard(30, Scope(SearchRequest(query="ASEAN"), FIRST, LAST))
    assert asean["articles"] == 4
    assert {d["day"]: d["articles"] for d in asean["per_day"]} == {
        d.isoformat(): n for d, n in ASEAN_DAYS.items()
    }


def test_what_cannot_be_measured_is_refused_with_a_code():
    with pytest.raises(AttentionError) as sixth:
        ask(["a", "b", "c"], ["d", "e", "f"])
    assert sixth.value.code == "too_many_searches" and MAX_SERIES == 5
    assert (
        refusal(sixth.value, "vi") == "Chỉ so sánh được tối đa 5 tìm kiếm cùng lúc, không phải 6: hãy bỏ bớt."
    )
    with pytest.raises(AttentionError) as backwards:
        ask(["a"], first="2024-03-01", last="2024-02-01")
    assert backwards.value.code == "attention_bad_period"
    with pytest.raises(AttentionError) as long:
        ask(["a"], first="2000-01-01", last="2024-02-01")
    assert long.value.code == "attention_long_period"
    with pytest.raises(AttentionError) as nothing:
        ask([], [], {"exact": True})
    assert nothing.value.code == "attention_nothing_asked"
    with pytest.raises(AttentionError) as by:
        ask(["a"], by="month")
    assert by.value.code == "bad_choice"
    with pytest.raises(QueryError):
        ask(['"Biển Đông'])
    with pytest.raises(FilterError) as bad_date:
        ask(["a"], first="19/2/2024", names={"from": "--from"})
    assert "--from" in str(bad_date.value)


# -- the command, the API and the pages, over the corpus on SQLite ----------------------------------


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    folder = tmp_path_factory.mktemp("attention-site")

    def prepare(service: Service) -> None:
        service.ingest(write_corpus(folder))
        service.searches.save("asean-vi", {"query": "ASEAN", "lang": "vi"}, "test")

    with site_on("sqlite", folder / "data", prepare, {"an": ("analyst", None)}, PASSWORD) as found:
        yield found


def test_the_command_shows_counts_or_shares_and_their_totals(site):
    settings = site.service.settings
    shown = caunoi(
        settings, "attention", "ASEAN", "tàu cá", "--by", "week", "--from", "2024-02-19", "--to", "2024-02-29"
    ).stdout
    assert re.search(r"2024-02-19 – 02-25\s+3\s+2\s+7", shown)
    assert re.search(r"total\s+4 \(44\.4%\)\s+3 \(33\.3%\)\s+9", shown)
    shares = caunoi(
        settings, "attention", "ASEAN", "--from", "2024-02-19", "--to", "2024-02-29", "--share"
    ).stdout
    assert re.search(r"2024-02-20\s+50\.0%\s+2", shares)
    as_json = json.loads(
        caunoi(
            settings,
            "attention",
            "--saved",
            "asean-vi",
            "--from",
            "2024-02-19",
            "--to",
            "2024-02-29",
            "--json",
        ).stdout
    )
    assert as_json["series"][0] | {"outlets": None, "countries": None, "entities": None} == {
        "label": "asean-vi",
        "query": "ASEAN",
        "saved": "asean-vi",
        "colour": COLOURS[0],
        "counts": [0, 1, 1, 0, 0, 0, 1, 0, 0, 0, 0],
        "shares": [0.0, 0.5, 0.5, 0.0, None, None, 1.0, 0.0, None, None, None],
        "total": 3,
        "share": pytest.approx(3 / 9, abs=1e-6),
        "outlets": None,
        "countries": None,
        "entities": None,
    }
    sixth = caunoi(settings, "attention", "a", "b", "c", "d", "e", "f", check=False)
    assert sixth.returncode == 2 and "compare at most 5 searches" in sixth.stderr


def test_the_api_answers_attention_with_its_model_and_coded_refusals(site):
    client = site.client("an")
    answer = client.get(
        "/api/v1/attention",
        params={"q": ["ASEAN", "tàu cá"], "from": "2024-02-19", "to": "2024-02-29", "by": "week"},
    )
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert [b["articles"] for b in body["buckets"]] == [7, 2] and body["articles"] == 9
    assert [(s["label"], s["counts"], s["total"]) for s in body["series"]] == [
        ("ASEAN", [3, 1], 4),
        ("tàu cá", [2, 1], 3),
    ]
    assert body["series"][0]["outlets"][0].keys() == {"value", "articles"}
    six = {"q": ["a", "b", "c", "d", "e"], "saved": "asean-vi"}
    assert (
        "at most 5"
        in assert_error(client.get("/api/v1/attention", params=six), 400, "bad_request")["message"]
    )
    assert_error(client.get("/api/v1/attention", params={"saved": "nope"}), 404, "not_found")
    assert_error(client.get("/api/v1/attention", params={"q": '"unclosed'}), 400, "bad_query")
    assert_error(client.get("/api/v1/attention", params={"q": "a", "country": "Narnia"}), 400, "bad_filter")
    assert_error(client.get("/api/v1/attention", params={"q": "a", "by": "month"}), 422, "invalid")


def test_the_attention_page_compares_searches_and_links_each_day_to_its_articles(site):
    client = site.client("an")
    page = client.get(
        "/attention", params={"q": ["ASEAN", "tàu cá"], "from": "2024-02-19", "to": "2024-02-29"}
    )
    assert page.status_code == 200
    html = page.text
    assert 'href="/attention"' in html  # in the navigation
    rows = re.findall(r'<tr class="series">.*?</tr>', html, re.S)
    assert len(rows) == 2 and ">4<" in rows[0] and "44.4%" in rows[0] and ">3<" in rows[1]
    charts = json.loads(re.search(r'id="chart-data">(.*?)</script>', html, re.S)[1])
    counts = next(c for c in charts if c["id"] == "chart-attention")
    assert counts["links"] and [t["marker"]["color"] for t in counts["data"]] == list(COLOURS[:2])
    assert counts["data"][0]["customdata"][1] == "/search?q=ASEAN&from=2024-02-20&to=2024-02-20"
    listed = client.get(counts["data"][0]["customdata"][1]).text  # what a click on that bar opens
    assert len(re.findall(r'<article class="hit">', listed)) == 1 and "ASEAN họp bàn" in listed

    refused = client.get("/attention", params={"q": ["a", "b", "c", "d", "e", "f"]}).text
    assert "Chỉ so sánh được tối đa 5 tìm kiếm cùng lúc" in refused
    assert "Không có tìm kiếm đã lưu nào tên «nope»" in client.get("/attention?saved=nope").text
    assert 'href="/attention?q=ASEAN&amp;lang=vi"' in client.get("/search?q=ASEAN&lang=vi").text


def test_the_dashboards_form_narrows_its_charts_to_a_search_and_a_period(site):
    client = site.client("an")
    html = client.get("/", params={"saved": "asean-vi", "from": "2024-02-19", "to": "2024-02-29"}).text
    assert "19/02/2024 – 29/02/2024 · 3 bài" in html
    charts = json.loads(re.search(r'id="chart-data">(.*?)</script>', html, re.S)[1])
    per_day = next(c for c in charts if c["id"] == "chart-per-day")
    assert per_day["data"][0]["y"] == [1, 1, 1]
    assert per_day["data"][0]["customdata"][0] == "/search?q=ASEAN&lang=vi&from=2024-02-20&to=2024-02-20"
    outlets = next(c for c in charts if c["id"] == "chart-outlets")
    assert all(
        u.startswith("/search?q=ASEAN&lang=vi&from=2024-02-19&to=2024-02-29&source=")
        for u in outlets["data"][0]["customdata"]
    )
    assert "Khoảng thời gian kết thúc" in client.get("/?from=2024-03-01&to=2024-02-01").text


def test_the_examples_of_docs_usage_run(site):
    from conftest import REPO

    usage = (REPO / "docs" / "usage.md").read_text(encoding="utf-8")
    section = usage[usage.index("## Attention over time") : usage.index("## Storage")]
    examples = [
        line.split("#")[0].strip()[2:] for line in section.splitlines() if line.startswith("$ caunoi ")
    ]
    assert len(examples) == 3
    for example in examples:
        ran = caunoi(site.service.settings, *shlex.split(example)[1:], check=False)
        assert ran.returncode == 0, (example, ran.stderr)
