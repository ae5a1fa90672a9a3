"""The review report (caunoi/reports/review.py), on both backends, over October 2026 of the embassy in
Paris (tests/support/evaluation.py) and what else a month holds: two stories, cases opened, answered
late or not at all, a fact sheet used, the same month a year before and the edges of the month in
Hà Nội's time. The report's sections come in order, every figure is compared with September 2026 and
October 2025 and is exactly what the fixture holds, and nothing outside the period is counted; the
CLI writes the file and refuses what it cannot write; the API answers the file, and a mission officer
gets their own mission's report only."""

from __future__ import annotations

import contextlib
import dataclasses
import json
from datetime import date, datetime

import docx
import pytest
from conftest import BACKENDS, backend_settings
from sqlalchemy import insert, update
from support.app import Site, assert_error
from support.cli import caunoi
from support.corpus import NOW, add_story
from support.evaluation import _article, october

from caunoi.app import create_app
from caunoi.cases import Response
from caunoi.reports.document import Figure, Heading, Paragraph, Table
from caunoi.reports.review import Period, ReviewError, build_review, period, review_document, review_figures
from caunoi.store.schema import case_responses, cases, story_articles

PASSWORD = "mật khẩu dài đủ dùng"
OCTOBER = {"start": "2026-10-01", "last": "2026-10-31"}


def _story(service, title: str, article_ids: list[int]) -> int:
    story_id = add_story(service, title)
    with service.engine.begin() as conn:
        conn.execute(
            insert(story_articles),
            [
                {"article_id": a, "story_id": story_id, "similarity": 1.0, "assigned_at": NOW}
                for a in article_ids
            ],
        )
    return story_id


def _case(service, name: str, unit: str, opened: datetime, deadline: datetime, answered=None, **response):
    """A case opened at `opened` (this machine's time, as cases keep it), assigned to `unit` with
    `deadline`, answered at `answered` with `response` when given."""
    c = service.cases
    case = c.open_case(name, by="lan")
    c.assign(case.id, unit, "+2d", by="lan")
    if answered is not None:
        c.answer(case.id, Response(**response), by="lan")
    with service.engine.begin() as conn:
        conn.execute(update(cases).where(cases.c.id == case.id).values(created_at=opened, deadline=deadline))
        conn.execute(
            update(case_responses).where(case_responses.c.case_id == case.id).values(created_at=answered)
        )
    return case.id


def month(service) -> dict[str, int]:
    """October 2026 (tests/support/evaluation.py's) and what else the report reads."""
    ids = october(service)
    sheet = service.factsheets.add("Việt Nam và Pháp: 50 năm quan hệ", "…", by="lan").id
    ids["sheet"] = sheet
    at = lambda *a: datetime(2026, *a)  # noqa: E731
    statement = {"kind": "statement", "title": "Tuyên bố", "url": "https://dsq.example/tb"}
    sheet_ = {"fact_sheet_id": sheet}
    for key, (title, unit, opened, deadline, answered, response) in {
        "case_a": ("Bài báo sai về lễ hội", "DSQ-FR", at(10, 3, 8), at(10, 4, 8), at(10, 3, 14), sheet_),
        "case_b": ("Phỏng vấn xuyên tạc", "DSQ-FR", at(10, 10, 8), at(10, 11, 17), at(10, 12, 10), statement),
        "case_c": ("Tin đồn ở Tokyo", "DSQ-JP", at(10, 20, 8), at(10, 25, 17), None, {}),
        "case_d": ("Câu hỏi tháng 9", "DSQ-FR", at(9, 15, 8), at(9, 16, 8), at(9, 15, 12), sheet_),
        "case_e": ("Tháng 11", "DSQ-FR", at(11, 2, 8), at(11, 3, 8), at(11, 2, 9), sheet_),
    }.items():  # fmt: skip
        ids[key] = _case(service, title, unit, opened, deadline, answered, **response)
    service.cases.close(ids["case_b"], by="lan")
    service.outreach.activities.add(
        "Họp báo năm trước", by="hoa", unit="DSQ-FR", type="press_conference", starts_at="2025-10-10 10:00"
    )
    with service.engine.begin() as conn:
        ids["year_fr"] = _article(
            conn,
            "Le Vietnam en 2025",
            "…",
            "Le Monde",
            "fr",
            datetime(2025, 10, 12),
            tone=1.0,
            countries=["VN"],
            topics=["culture_tourism"],
        )
        ids["year_vn"] = _article(conn, "Năm ngoái", "…", "VnExpress", "vi", datetime(2025, 10, 20))
        # the last minutes of October and the first of November in Hà Nội (articles keep its time)
        ids["edge_in"] = _article(conn, "Cuối tháng", "…", "VnExpress", "vi", datetime(2026, 10, 31, 23, 30))
        ids["edge_out"] = _article(conn, "Đầu tháng 11", "…", "VnExpress", "vi", datetime(2026, 11, 1, 0, 30))
    ids["story_month"] = _story(
        service,
        "Tháng văn hóa Việt Nam tại Pháp",
        [ids[k] for k in ("lemonde", "vnexpress", "copy", "fr1", "before1")],
    )
    ids["story_concert"] = _story(service, "Hòa nhạc ở Paris", [ids["nguoiviet"], ids["blog"]])
    return ids


@pytest.fixture(scope="module", params=BACKENDS)
def site(request, tmp_path_factory):
    with contextlib.ExitStack() as stack:
        settings = backend_settings(request.param, tmp_path_factory.mktemp("store"), stack)
        settings = dataclasses.replace(settings, timezone="Asia/Ho_Chi_Minh")
        app = create_app(settings)
        service = app.state.service
        stack.callback(service.close)
        ids = month(service)
        for username, role, mission in (("lan", "analyst", None), ("tokyo", "mission_officer", "DSQ-JP")):
            service.users.add_user(username, PASSWORD, role, mission=mission, by="test")
        yield Site(app, service, ids, PASSWORD)


def compared(c) -> tuple:
    return (c.value, c.before, c.year_before)


def lines(found) -> list[tuple]:
    return [(x.key, x.value, x.before, x.year_before) for x in found]


# -- the figures ----------------------------------------------------------------------------------------


def test_the_whole_systems_figures_are_the_periods_against_the_month_before_and_the_year_before(site):
    review = review_figures(site.service, **OCTOBER)
    assert (review.period, review.before, review.year_before) == (
        Period(date(2026, 10, 1), date(2026, 10, 31)),
        Period(date(2026, 8, 31), date(2026, 9, 30)),
        Period(date(2025, 10, 1), date(2025, 10, 31)),
    )
    m = review.monitoring
    # October's eleven articles of the embassy's month and the one of 31 October at 23:30 in Hà Nội; not
    # 1 November at 00:30, nor November's, nor August's
    assert compared(m.articles) == (12, 2, 2) and compared(m.per_day) == (0.4, 0.1, 0.1)
    assert lines(m.by_country) == [("FR", 5, 2, 1), ("VN", 3, 0, 1), ("US", 1, 0, 0), ("?", 3, 0, 0)]
    assert lines(m.by_language) == [("fr", 6, 2, 1), ("vi", 5, 0, 1), ("en", 1, 0, 0)]
    assert compared(m.foreign) == (5, 2, 1) and compared(m.foreign_share) == (41.7, 100.0, 50.0)
    assert compared(m.tone) == (3.0, -1.0, 1.0) and compared(m.toned) == (3, 1, 1)
    assert ("culture_tourism", 2, 1, 1) in lines(m.topics) and m.topics[0].key == "economy"  # taxonomy order
    # the stories by their articles of the period, reprints left out (Le Monde's copy, and Người Việt's
    # article, which repeats an earlier one), September's article not counted
    assert [(s.title, s.articles, s.outlets, s.first.day, s.last.day) for s in m.stories] == [
        ("Tháng văn hóa Việt Nam tại Pháp", 3, 2, 6, 9),
        ("Hòa nhạc ở Paris", 1, 1, 31, 31),
    ]

    r = review.response
    assert compared(r.opened) == (3, 1, 0) and compared(r.answered) == (2, 1, 0)
    assert compared(r.median_hours) == (28.0, 4.0, None)  # 6 h and 50 h; 4 h in September
    assert compared(r.overdue) == (2, 0, 0)  # answered after its deadline, and never answered
    assert compared(r.fact_sheets) == (1, 1, 0)
    assert [(u.title, u.uses) for u in r.used] == [("Việt Nam và Pháp: 50 năm quan hệ", 1)]  # not November's
    assert [(x.key, x.value) for x in r.by_state if x.value] == [
        ("assigned", 1),
        ("answered", 1),
        ("closed", 1),
    ]
    assert r.cases == [site.ids[k] for k in ("case_a", "case_b", "case_c")]

    o = review.outreach
    got = {k: compared(c) for k, c in o.figures.items()}
    assert got == {
        "activities": (4, 0, 1),
        "products": (1, 1, 0),
        "packs_sent": (2, 0, 0),
        "packs_acknowledged": (1, 0, 0),
        "earned_articles": (4, 0, 0),
        "outlets": (4, 0, 0),
        "foreign_share": (25.0, None, None),
    }
    assert lines(o.by_type) == [  # most first, then most over the three periods, then by key
        ("press_conference", 1, 0, 1),
        ("event", 1, 0, 0),
        ("media_meeting", 1, 0, 0),
        ("press_release", 1, 0, 0),
    ]
    assert lines(o.by_unit) == [("DSQ-FR", 4, 0, 1)]
    assert o.unit_names["vi"]["DSQ-FR"] == "DSQ-FR — Đại sứ quán Việt Nam tại Pháp"
    assert [(x.campaign, x.metric, x.value, x.progress) for x in o.objectives] == [
        ("THANG-VH-FR", "earned_articles", 4, 50.0),
        ("THANG-VH-FR", "message_articles", 2, 50.0),
        ("THANG-VH-FR", "tone_change", 4.0, 200.0),
        ("THANG-VH-FR", None, None, None),
    ]


def test_a_missions_figures_are_its_host_medias_its_cases_and_its_outreach(site):
    review = review_figures(site.service, **OCTOBER, unit="dsq-fr")
    assert review.scope.unit == "DSQ-FR" and review.monitoring.countries == ["FR"]
    assert compared(review.monitoring.articles) == (5, 2, 1)  # Le Monde's and France 24's only
    assert [s.articles for s in review.monitoring.stories] == [2]  # Le Monde's two of the month's story
    assert compared(review.response.opened) == (2, 1, 0) and compared(review.response.overdue) == (1, 0, 0)
    f = review.outreach.figures
    assert compared(f["activities"]) == (4, 0, 1) and compared(f["packs_sent"]) == (1, 0, 0)
    assert compared(f["host_tone"]) == (3.0, -1.0, 1.0) and compared(f["subject_attention"]) == (3, 1, 1)
    assert review.outreach.by_unit == []


def test_a_period_is_refused_when_it_cannot_be_reported_on():
    assert period("2026-01-01", "2026-06-30").kind == "first_half"
    assert period("01/07/2026", "31/12/2026").kind == "second_half"
    assert period(date(2026, 1, 1), date(2026, 12, 31)).kind == "year"
    assert period("2016-01-01", "2025-12-31").days == 3653  # a ten-year review (tổng kết 10 năm)
    assert period("2024-02-01", "2024-02-29").year_before() == Period(date(2023, 2, 1), date(2023, 2, 28))
    for start, last, code in (
        ("2026-07-01", "2026-06-30", "review_bad_period"),
        (None, "2026-06-30", "review_no_period"),
        ("0002-01-01", "0002-12-31", "review_long_period"),
        ("1613-12-20", "2155-08-29", "review_period_too_long"),  # the API fuzzer's: computed for minutes once
    ):
        with pytest.raises(ReviewError) as refused:
            period(start, last)
        assert refused.value.code == code


# -- the document -------------------------------------------------------------------------------------


def test_the_document_has_its_sections_in_order_with_each_figure_compared(site):
    doc = build_review(site.service, **OCTOBER, on=date(2026, 11, 5))
    assert (doc.kind, doc.subject) == (
        "BÁO CÁO",
        "Kết quả công tác thông tin đối ngoại từ ngày 01/10/2026 đến ngày 31/10/2026",
    )
    h = doc.header
    assert (h.parent, h.issuer, h.number, h.place, h.on) == (
        "Bộ Ngoại giao",
        "Vụ Thông tin Báo chí",
        "\u00a0" * 8 + "/BC-TTBC",  # a blank the clerk fills, kept by HTML
        "Hà Nội",
        date(2026, 11, 5),
    )
    assert [(x.label, x.text) for x in doc.headings(1)] == [
        ("I.", "Kết quả thực hiện"),
        ("II.", "Hạn chế, khó khăn và nguyên nhân"),
        ("III.", "Phương hướng, nhiệm vụ thời gian tới"),
        ("IV.", "Kiến nghị, đề xuất"),
    ]
    labels = [x.label for x in doc.headings()]
    assert labels[:12] == ["I.", "1.", "a)", "b)", "c)", "d)", "2.", "3.", "a)", "b)", "c)", "d)"]
    text = "\n".join(b.text for b in doc.blocks if isinstance(b, Paragraph))
    assert "12 tin bài (kỳ trước: 2; cùng kỳ năm trước: 2)" in text
    assert "chiếm 41,7% (kỳ trước: 100,0%; cùng kỳ năm trước: 50,0%)" in text
    assert "(trung vị) là 28,0 giờ (kỳ trước: 4,0; cùng kỳ năm trước: —)" in text
    assert "«Việt Nam và Pháp: 50 năm quan hệ» (1 lần)" in text
    captions = [t.caption for t in doc.tables()]
    assert captions[0] == "Bảng 1. Tin bài theo quốc gia của cơ quan báo chí"
    assert [c.split(".")[0] for c in captions] == [f"Bảng {n}" for n in range(1, len(captions) + 1)]
    by_country = doc.tables()[0]
    assert by_country.columns == ("Quốc gia", "Kỳ báo cáo", "Kỳ trước", "Cùng kỳ năm trước")
    assert by_country.rows[0] == ("Pháp", "5", "2", "1") and by_country.rows[-1] == (
        "Không rõ",
        "3",
        "0",
        "0",
    )
    figures = doc.figures()
    assert [f.caption for f in figures] == [
        "Hình 1. Số tin bài trong kỳ (theo ngày)",
        "Hình 2. Hoạt động theo loại hình, so với kỳ trước và cùng kỳ năm trước",
    ]
    assert all(f.png.startswith(b"\x89PNG") and len(f.png) < 120_000 for f in figures)
    # what people write is asked for, in the report's language
    placeholders = [b.text for b in doc.blocks if isinstance(b, Paragraph) and b.runs[0].italic]
    assert len(placeholders) == 4 and all(p.startswith("[Đề nghị đơn vị viết phần này") for p in placeholders)
    assert doc.signature.title == "VỤ TRƯỞNG"
    assert doc.recipients == [
        "Bộ Ngoại giao (để báo cáo)",
        "Các đơn vị, cơ quan đại diện liên quan",
        "Lưu: VT, TTBC",
    ]


def test_a_drafts_text_fills_its_sections_and_the_report_speaks_english(site):
    service = site.service
    review = review_figures(service, **OCTOBER, unit="DSQ-FR")
    narrative = {
        "limitations": "Chưa có số liệu khán giả.\n\nÍt bài trên báo Đức.",
        "directions": "Tăng cường.",
    }
    doc = review_document(
        review, service.settings, narrative=narrative, charts=False, number_=12, style="party"
    )
    body = [b for b in doc.blocks if isinstance(b, Heading | Paragraph)]
    after = lambda text: body[body.index(next(b for b in body if getattr(b, "text", "") == text)) + 1]  # noqa: E731
    assert after("Hạn chế, khó khăn").text == "Chưa có số liệu khán giả."
    assert after("Nguyên nhân").text.startswith("[Đề nghị đơn vị viết phần này")
    assert (doc.header.issuer, doc.header.number, doc.header.place) == (
        "Đại sứ quán Việt Nam tại Pháp",
        "12-BC/DSQ-FR",
        "Hà Nội",  # the mission has no city recorded
    )
    assert doc.subject.startswith("kết quả công tác")  # a Party document's subject starts lower-case
    assert doc.signature.title == "THỦ TRƯỞNG ĐƠN VỊ" and doc.recipients[-1] == "Lưu: VT, DSQ-FR"
    assert not doc.figures()

    half = dataclasses.replace(review, period=period("2026-01-01", "2026-06-30"))
    doc = review_document(half, service.settings, lang="en", charts=False)
    assert (doc.kind, doc.subject) == (
        "REPORT",
        "Review of external information work in the first half of 2026",
    )
    assert doc.headings(1)[2].text == "Directions and tasks for the second half of 2026"
    assert doc.header.parent == "Ministry of Foreign Affairs" and doc.tables()[0].columns[1] == "This period"
    assert any(isinstance(b, Paragraph) and b.text.startswith("[For the unit to write") for b in doc.blocks)
    assert isinstance(doc.tables()[0], Table) and not any(isinstance(b, Figure) for b in doc.blocks)
    year = dataclasses.replace(review, period=period("2026-01-01", "2026-12-31"))
    assert review_document(year, service.settings, charts=False).subject == (
        "Tổng kết công tác thông tin đối ngoại năm 2026"
    )
    with pytest.raises(ReviewError) as refused:
        review_document(review, service.settings, narrative={"summary": "…"})
    assert refused.value.code == "review_bad_section"


# -- the command and the API ------------------------------------------------------------------------------


def one_backend(site) -> None:
    """The interfaces are thin shells over the same figures: read them on one backend."""
    if site.service.settings.database_url:
        pytest.skip("the command and the API are tested on SQLite")


def test_the_command_writes_the_report_prints_its_figures_and_refuses_what_it_cannot_write(site, tmp_path):
    one_backend(site)
    settings = site.service.settings
    env = {"CAUNOI_TIMEZONE": "Asia/Ho_Chi_Minh"}
    october_ = ("report", "review", "--from", "2026-10-01", "--to", "2026-10-31")
    written = caunoi(settings, *october_, "--unit", "DSQ-FR", "--out", str(tmp_path / "fr.docx"), env=env)
    assert "Đã ghi báo cáo vào" in written.stderr
    text = "\n".join(p.text for p in docx.Document(str(tmp_path / "fr.docx")).paragraphs)
    assert "BÁO CÁO" in text and "Trong kỳ đã tổ chức, thực hiện 4 hoạt động" in text
    (tmp_path / "fr.docx").unlink()
    done = caunoi(
        settings, "report", "review", "--from", "2026-10-01", "--to", "2026-10-31", "--json", env=env
    )
    figures = json.loads(done.stdout)
    assert figures["monitoring"]["articles"] == {"value": 12, "before": 2, "year_before": 2}
    for args, said in (
        (["--out", str(tmp_path / "r.txt")], "r.txt: hãy ghi báo cáo ra tệp .docx, .pdf hoặc .html"),
        (["--out", str(tmp_path / "r.docx"), "--to", "2026-09-01"], "Kỳ báo cáo kết thúc (2026-09-01)"),
        (["--out", str(tmp_path / "r.docx"), "--unit", "DSQ-XX"], "Không có đơn vị hoặc cơ quan đại diện mã"),
        (
            ["--out", str(tmp_path / "r.docx"), "--unit", "DSQ-XX", "--lang", "en"],
            "no unit or mission with code",
        ),
    ):
        refused = caunoi(settings, *october_, *args, check=False, env=env)
        assert refused.returncode == 2 and said in refused.stderr, refused.stderr
    assert not list(tmp_path.iterdir())


def test_the_api_answers_the_file_and_a_mission_officer_their_own_missions_only(site, monkeypatch):
    one_backend(site)
    got = site.client("tokyo").get("/api/v1/reports/review?from=2026-10-01&to=2026-10-31&format=html&lang=en")
    assert got.status_code == 200 and got.headers["content-type"] == "text/html; charset=utf-8"
    assert got.headers["content-disposition"].startswith(
        'attachment; filename="caunoi-review-DSQ-JP-2026-10-01-2026-10-31.html"'
    )
    assert "Rapid response" in got.text and "Tin đồn ở Tokyo" not in got.text  # its own mission's report
    got = site.client("lan").get("/api/v1/reports/review?from=2026-10-01&to=2026-10-31&format=pdf")
    assert got.status_code == 200 and got.headers["content-type"] == "application/pdf"
    assert "caunoi-review-all-2026-10-01-2026-10-31.pdf" in got.headers["content-disposition"]
    assert got.content.startswith(b"%PDF-")
    tokyo = site.client("tokyo")
    assert_error(
        tokyo.get("/api/v1/reports/review?from=2026-10-01&to=2026-10-31&unit=DSQ-FR"), 403, "forbidden"
    )
    lan = site.client("lan")
    assert_error(lan.get("/api/v1/reports/review?from=2026-10-31&to=2026-10-01"), 422, "invalid")
    assert_error(
        lan.get("/api/v1/reports/review?from=2026-10-01&to=2026-10-31&unit=DSQ-XX"), 404, "not_found"
    )
    import caunoi.reports.pdf as pdf

    def no_engine(doc, engine=None):
        raise pdf.PdfError("pdf_weasyprint_missing", "WeasyPrint cannot run ({reason})", reason="no Pango")

    monkeypatch.setattr(pdf, "render_pdf", no_engine)  # a server without Pango: said, not a 500
    assert_error(
        lan.get("/api/v1/reports/review?from=2026-10-01&to=2026-10-31&format=pdf"), 503, "unavailable"
    )
