"""The outreach pages as their users meet them, on both backends: a press attaché in Paris logs an
interview from the phone form and finds it on the list; analysts write campaigns and send packs; a
mission sees, acknowledges and reports on what was sent to it — and nothing of another mission's;
a table of activities is imported with a report of every refused row; files go in and come back
out only to who may read them; every form needs its CSRF token."""

from __future__ import annotations

import contextlib
import html
import io
import re
from typing import Any

import pytest
from conftest import BACKENDS, backend_settings
from fastapi.testclient import TestClient
from support.app import Site, csrf_of

from caunoi.app import create_app
from caunoi.app.api.limits import UPLOAD_MARGIN

PASSWORD = "một câu mật khẩu dài 2024"
ROLES = {
    "admin": ("admin", None),
    "lan": ("analyst", None),
    "paris": ("mission_officer", "DSQ-PARIS"),
    "tokyo": ("mission_officer", "DSQ-TOKYO"),
    "xem": ("viewer", None),
}
SCRIPT = "<script>alert(1)</script>"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture(scope="module", params=BACKENDS)
def site(request, tmp_path_factory):
    with contextlib.ExitStack() as stack:
        settings = backend_settings(request.param, tmp_path_factory.mktemp("store"), stack)
        app = create_app(settings)
        service = app.state.service
        stack.callback(service.close)
        units = service.units
        units.add("DSQ-PARIS", "ĐSQ tại Pháp", kind="mission", country="FR", by="test")
        units.add("DSQ-TOKYO", "ĐSQ tại Nhật Bản", kind="mission", country="JP", by="test")
        units.add("VU-TT", "Vụ Thông tin Báo chí", by="test")
        for username, (role, mission) in ROLES.items():
            service.users.add_user(username, PASSWORD, role, mission=mission, by="test")
        outreach = service.outreach
        campaign = outreach.campaigns.add(
            "NHH-VN-FR", "Năm hữu nghị Việt Nam – Pháp", by="lan", starts_on="2026-01-01",
            ends_on="2026-12-31", kind="friendship_year", countries="FR", topics=["culture_tourism"],
            key_messages=["Việt Nam là đối tác tin cậy"], units=["DSQ-PARIS"], budget="50000",
            currency="EUR", objectives=["bài báo nêu thông điệp = 40 by 2026-12-31"],
        )  # fmt: skip
        tokyo = outreach.activities.add(
            "Họp báo tại Tokyo", by="tokyo", unit="DSQ-TOKYO", type="press_conference",
            starts_at="2026-10-01 10:00",
        )  # fmt: skip
        paris = outreach.activities.add(
            f"{SCRIPT} Triển lãm ảnh", by="paris", unit="DSQ-PARIS", type="exhibition",
            starts_at="2026-09-20 18:00", campaign="NHH-VN-FR",
        )  # fmt: skip
        paris_file = outreach.activities.attach(paris.id, "thong-cao.pdf", PDF, by="paris")
        pack = outreach.packs.add(
            "Thông tin định hướng: Năm hữu nghị", "Nhấn mạnh quan hệ đối tác chiến lược.\nĐoạn hai.",
            by="lan", campaign="NHH-VN-FR", deadline="2030-12-31 17:00", to=["DSQ-PARIS", "DSQ-TOKYO"],
            files=[("hoi-dap.pdf", PDF)],
        )  # fmt: skip
        product = outreach.products.add(
            "Video giới thiệu Tuần Văn hóa", by="paris", kind="video", unit="DSQ-PARIS",
            url="https://paris.example/video",
        )  # fmt: skip
        ids = {"campaign": campaign.id, "tokyo": tokyo.id, "paris": paris.id, "pack": pack.id}
        ids |= {"file": paris_file.id, "pack_file": pack.files[0].id, "product": product.id}
        yield Site(app, service, ids, PASSWORD)


def pages(site: Site) -> list[str]:
    ids = site.ids
    return [
        "/activities", "/activities?type=exhibition&since=2026-09-01&until=2026-09-30",
        f"/activities/{ids['paris']}", "/campaigns", "/campaigns/NHH-VN-FR", f"/campaigns/{ids['campaign']}",
        "/packs", "/packs?state=not_acknowledged", "/packs?state=overdue", f"/packs/{ids['pack']}",
        "/products", "/products?kind=video&q=van+hoa", "/",
    ]  # fmt: skip


def post(browser: TestClient, url: str, form: dict[str, Any], files=None, page: str = "/activities"):
    """A form sent as the browser sends it: with the session's CSRF token, which `page` carries."""
    token = csrf_of(browser.get(page).text)
    return browser.post(url, data={"csrf_token": token, **form}, files=files, follow_redirects=False)


# -- every page, every role ------------------------------------------------------------------------


@pytest.mark.parametrize("username", ["lan", "paris", "xem"])
def test_every_outreach_page_renders_for_each_role_that_reads(site, username):
    browser = site.client(username)
    for page in pages(site):
        answer = browser.get(page)
        assert answer.status_code == 200, (username, page)
        assert SCRIPT not in answer.text  # titles are escaped
    if username != "xem":
        for page in ("/activities/new", "/activities/import"):
            assert browser.get(page).status_code == 200, page
    nav = browser.get("/activities").text
    for words in ("Hoạt động", "Chiến dịch", "Bộ thông tin"):
        assert f">{words}</a>" in nav


def test_the_menu_and_pages_speak_english_too(site):
    browser = site.client("lan")
    browser.get("/lang/en")
    try:
        page = browser.get("/activities").text
        assert ">Activities</a>" in page and ">Campaigns</a>" in page and ">Packs</a>" in page
        assert "Exhibition" in page and "(GMT+2, Paris)" in page
        assert "Type of activity" in browser.get("/activities/new").text
    finally:
        browser.get("/lang/vi")


def test_an_unknown_or_impossible_id_is_a_404_page(site):
    browser = site.client("lan")
    for base in ("/activities", "/packs", "/files"):
        for missing in ("999999", str(2**31), "abc"):
            answer = browser.get(f"{base}/{missing}")
            assert answer.status_code == 404, (base, missing)
            assert answer.headers["content-type"].startswith("text/html")
    assert browser.get("/campaigns/KHONG-CO").status_code == 404
    assert browser.get(f"/campaigns/{2**70}").status_code == 404
    # filters a person (or a robot) may write: the list, never an error
    for query in ("until=9999-12-31&since=0001-01-01", "after=2026-10-13T07:30:00_99999999999999999999999",
                  "after=2026-10-13T07:30:00%2B02:00_5", "after=rác", "type=khong-co"):  # fmt: skip
        assert browser.get(f"/activities?{query}").status_code == 200, query
    assert browser.get("/activities?unit=KHONG-CO").status_code == 400  # said, in the page's words


def test_the_list_pages_on_to_older_activities_with_its_filters_kept(site, monkeypatch):
    from caunoi.app.ui import outreach as pages_module

    monkeypatch.setattr(pages_module, "PAGE", 1)
    browser = site.client("lan")
    seen, url = [], "/activities?since=2026-09-01&until=2026-10-02"
    while url:
        page = html.unescape(browser.get(url).text)
        seen += re.findall(r'<a class="title" href="/activities/(\d+)"', page)
        older = re.search(r'<a href="(/activities\?[^"]+)">', page)
        url = older[1] if older else None
        assert url is None or "since=2026-09-01" in url
    assert seen == [str(site.ids["tokyo"]), str(site.ids["paris"])]  # latest first, each once


# -- the attaché's form ----------------------------------------------------------------------------


def test_a_mission_officer_logs_an_interview_from_the_phone_form(site):
    browser = site.client("paris")
    form_page = browser.get("/activities/new").text
    # the unit is hers and fixed; the date and time are now in Paris; what is not required is folded
    assert 'name="unit" value="DSQ-PARIS"' in form_page and '<select name="unit"' not in form_page
    assert 'type="date" name="date" value="20' in form_page and 'type="time" name="time" value="' in form_page
    assert "Europe/Paris" in form_page
    assert form_page.index("<details") < form_page.index('name="place"')
    assert "Trả lời phỏng vấn" in form_page  # the types in words
    form = {
        "type": "interview", "title": "Trả lời phỏng vấn báo Le Monde", "date": "2026-10-13", "time": "09:30",
        "place": "Paris", "campaign": str(site.ids["campaign"]), "audience": "1200",
        "officials": "Đại sứ (trả lời phỏng vấn)", "partners": "Le Monde", "cost": "0", "currency": "EUR",
        "links": "https://lemonde.example/interview", "products": str(site.ids["product"]),
        "packs": str(site.ids["pack"]),
    }  # fmt: skip
    answer = post(browser, "/activities/new", form, files={"files": ("anh.pdf", PDF, "application/pdf")})
    assert answer.status_code == 303
    assert re.fullmatch(r"/activities/\d+\?done=activity_saved", answer.headers["location"])
    page = browser.get(answer.headers["location"]).text
    assert "Đã lưu hoạt động." in page
    assert "13/10/2026 09:30 (GMT+2, Paris)" in page
    assert "anh.pdf" in page and "Video giới thiệu Tuần Văn hóa" in page
    activity_id = int(re.search(r"/activities/(\d+)", answer.headers["location"])[1])
    stored = site.service.outreach.activities.get(activity_id)
    assert (stored.unit, stored.type, stored.created_by) == ("DSQ-PARIS", "interview", "paris")
    assert stored.starts_at.isoformat() == "2026-10-13T07:30:00"  # UTC
    assert stored.products == [site.ids["product"]] and stored.packs == [site.ids["pack"]]
    assert stored.audience == 1200 and stored.officials == ["Đại sứ (trả lời phỏng vấn)"]
    listing = browser.get("/activities").text
    assert "Trả lời phỏng vấn báo Le Monde" in listing and "Họp báo tại Tokyo" not in listing


def test_a_refused_activity_comes_back_filled_in_with_the_reason_in_the_pages_language(site):
    browser = site.client("paris")
    form = {"type": "interview", "title": "Phỏng vấn đài RFI", "date": "2026-10-14", "time": "10:00",
            "cost": "300"}  # fmt: skip
    answer = post(browser, "/activities/new", form)
    assert answer.status_code == 400
    assert "Hãy cho biết đơn vị tiền của số tiền" in answer.text
    assert 'value="Phỏng vấn đài RFI"' in answer.text and 'value="300"' in answer.text
    refused_file = post(browser, "/activities/new", form | {"currency": "EUR"},
                        files={"files": ("x.exe", b"MZ\x90\x00", "application/octet-stream")})  # fmt: skip
    assert refused_file.status_code == 400 and "Tệp x.exe" in refused_file.text
    assert not [a for a in site.service.outreach.activities.list() if a.title == "Phỏng vấn đài RFI"]


def test_an_officer_cannot_post_or_open_another_missions_activity(site):
    browser = site.client("paris")
    form = {"unit": "DSQ-TOKYO", "type": "event", "title": "Giả danh Tokyo", "date": "2026-10-15"}
    assert post(browser, "/activities/new", form).status_code == 403
    assert not [a for a in site.service.outreach.activities.list() if a.title == "Giả danh Tokyo"]
    tokyo = site.ids["tokyo"]
    assert browser.get(f"/activities/{tokyo}").status_code == 403
    edit = post(browser, f"/activities/{tokyo}", {"type": "event", "title": "Sửa", "date": "2026-10-01"})
    assert edit.status_code == 403
    assert site.service.outreach.activities.get(tokyo).title == "Họp báo tại Tokyo"
    assert browser.get("/activities?unit=DSQ-TOKYO").text.count("Họp báo tại Tokyo") == 0  # own only
    viewer = site.client("xem")
    assert (
        post(viewer, "/activities/new", {"type": "event", "title": "x", "date": "2026-10-15"}).status_code
        == 403
    )


def test_an_analyst_edits_an_activity_and_the_history_says_before_and_after(site):
    browser = site.client("lan")
    url = f"/activities/{site.ids['tokyo']}"
    form = {"unit": "DSQ-TOKYO", "type": "press_conference", "title": "Họp báo tại Tokyo",
            "date": "2026-10-01", "time": "11:00", "timezone": "Asia/Tokyo", "audience": "80"}  # fmt: skip
    answer = post(browser, url, form)
    assert answer.status_code == 303 and answer.headers["location"].endswith("?done=changes_saved")
    page = html.unescape(browser.get(url).text)
    assert "01/10/2026 11:00 (GMT+9, Tokyo)" in page
    assert re.search(r"Số người tham dự, tiếp cận: 80", page)
    # the history in the reader's zone: the organisation's, Hà Nội (01:00 → 02:00 UTC)
    assert re.search(r"Bắt đầu: <del>01/10/2026 08:00 \(GMT\+7, Hà Nội\)</del> → 01/10/2026 09:00", page)
    assert "lan" in page


# -- files -----------------------------------------------------------------------------------------


def test_a_file_is_downloaded_by_who_may_read_what_it_is_attached_to(site):
    file_id, pack_file = site.ids["file"], site.ids["pack_file"]
    answer = site.client("paris").get(f"/files/{file_id}")
    assert answer.status_code == 200 and answer.content == PDF
    assert answer.headers["content-type"] == "application/pdf"
    assert answer.headers["content-disposition"].startswith('attachment; filename="thong-cao.pdf"')
    assert site.client("lan").get(f"/files/{file_id}").status_code == 200
    assert site.client("tokyo").get(f"/files/{file_id}").status_code == 403
    assert site.client("tokyo").get(f"/files/{pack_file}").status_code == 200  # the pack was sent to Tokyo
    assert TestClient(site.app, base_url="https://testserver").get(
        f"/files/{file_id}", follow_redirects=False
    ).status_code == 303  # fmt: skip


def test_a_photo_larger_than_other_bodies_is_taken_and_one_past_the_limit_is_413(site):
    """Other requests stop at 1 MiB; a form with files may carry one file as large as the setting
    outreach_max_file_bytes (a phone's photo of an event is 2-5 MB)."""
    browser = site.client("paris")
    photo = b"\xff\xd8\xff\xe0" + bytes(3 * 1024 * 1024)
    url = f"/activities/{site.ids['paris']}/files"
    answer = post(browser, url, {}, files={"files": ("anh-trien-lam.jpg", photo, "image/jpeg")})
    assert answer.status_code == 303 and answer.headers["location"].endswith("?done=files_added")
    stored = site.service.outreach.activities.get(site.ids["paris"]).files
    assert [(f.name, f.media_type, f.size) for f in stored if f.name == "anh-trien-lam.jpg"] == [
        ("anh-trien-lam.jpg", "image/jpeg", len(photo))
    ]
    limit = site.service.settings.outreach_max_file_bytes + UPLOAD_MARGIN
    huge = post(browser, url, {}, files={"files": ("qua-lon.jpg", photo[:4] + bytes(limit), "image/jpeg")})
    assert huge.status_code == 413


# -- import ----------------------------------------------------------------------------------------

CSV = (
    "key,date,unit,type,title,place\n"
    "PAR-IMP-1,2026-11-02 14:00,DSQ-PARIS,Họp báo,Họp báo Tuần Văn hóa,Paris\n"
    "PAR-IMP-2,31/02/2026,DSQ-PARIS,interview,Ngày không có,Paris\n"
    "PAR-IMP-3,2026-11-05,DSQ-TOKYO,event,Của Tokyo,Tokyo\n"
)


def test_an_import_reports_each_refused_row_and_writes_nothing_unless_asked(site):
    browser = site.client("paris")
    upload = {"file": ("hoat-dong.csv", CSV.encode(), "text/csv")}
    answer = post(browser, "/activities/import", {}, files=upload)
    assert answer.status_code == 400
    page = html.unescape(answer.text)
    assert "Chưa nhập dòng nào" in page
    rows = re.findall(r"<tr><td>(\d+)</td><td>([^<]*)</td><td>([^<]*)</td></tr>", page)
    assert [(line, key) for line, key, _ in rows] == [("3", "PAR-IMP-2"), ("4", "PAR-IMP-3")]
    assert "hãy nhập ngày dạng" in rows[0][2]  # in Vietnamese
    assert "bạn chỉ được nhập hoạt động của DSQ-PARIS" in rows[1][2]
    assert site.service.outreach.activities.list(unit="DSQ-PARIS", type="press_conference") == []
    answer = post(browser, "/activities/import", {"valid_only": "1"}, files=upload)
    assert answer.status_code == 200 and "Đã nhập." in answer.text
    assert re.search(r"Thêm mới: <b>1</b>", answer.text)
    (added,) = site.service.outreach.activities.list(unit="DSQ-PARIS", type="press_conference")
    assert (added.key, added.created_by) == ("PAR-IMP-1", "paris")
    again = post(browser, "/activities/import", {"valid_only": "1"}, files=upload)
    assert re.search(r"Không đổi: <b>1</b>", again.text)  # the same file again adds nothing
    with_english = site.client("lan")
    with_english.get("/lang/en")
    try:
        answer = post(with_english, "/activities/import", {}, files=upload)
        assert "give a date like 2026-10-13" in html.unescape(answer.text)
        wrong = post(
            with_english, "/activities/import", {}, files={"file": ("a.pdf", PDF, "application/pdf")}
        )
        assert wrong.status_code == 400 and "a.pdf" in wrong.text
    finally:
        with_english.get("/lang/vi")


def test_the_import_templates_download_and_the_xlsx_one_reads_back(site, tmp_path):
    from openpyxl import load_workbook

    browser = site.client("paris")
    csv_template = browser.get("/activities/template.csv")
    assert csv_template.status_code == 200
    assert csv_template.text.lstrip("\ufeff").startswith("key,date,end_date,unit,type,title")
    xlsx = browser.get("/activities/template.xlsx")
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    header, example = [[c.value for c in row] for row in sheet.iter_rows(max_row=2)]
    assert header[:6] == ["key", "date", "end_date", "unit", "type", "title"]
    assert example[1] == "2026-10-13 09:30"  # kept as text, not turned into a date


# -- campaigns -------------------------------------------------------------------------------------


def test_an_analyst_adds_and_edits_a_campaign_and_a_mission_reads_only_its_own(site):
    browser = site.client("lan")
    form = {
        "code": "ASEAN-2026", "title": "Thông điệp ASEAN", "kind": "priority_message",
        "starts_on": "2026-03-01", "ends_on": "2026-11-30", "countries": "JP, KR",
        "topics": ["economy", "people_diplomacy"], "key_messages": "Việt Nam đóng góp tích cực\nHợp tác",
        "objectives": "bài báo = 10 by 2026-11-30\nsự kiện = 3", "units": ["DSQ-TOKYO"],
        "budget": "20000", "currency": "USD",
    }  # fmt: skip
    answer = post(browser, "/campaigns/new", form)
    assert answer.status_code == 303 and answer.headers["location"].startswith("/campaigns/ASEAN-2026")
    page = browser.get("/campaigns/ASEAN-2026").text
    shown = ("Thông điệp ưu tiên", "Nhật Bản", "Kinh tế và hội nhập quốc tế", "Đối ngoại nhân dân",
             "Việt Nam đóng góp tích cực", "bài báo", "30/11/2026", "20000 USD", "DSQ-TOKYO")  # fmt: skip
    for words in shown:
        assert words in page, words
    edit = post(
        browser, "/campaigns/ASEAN-2026", form | {"title": "Thông điệp ASEAN 2026", "budget": "25000"}
    )
    assert edit.status_code == 303
    campaign = site.service.outreach.campaigns.get("ASEAN-2026")
    assert (campaign.title, campaign.budget, campaign.topics) == ("Thông điệp ASEAN 2026", 25000.0,
                                                                 ["economy", "people_diplomacy"])  # fmt: skip
    bad = post(browser, "/campaigns/new", form | {"code": "SAI", "ends_on": "2026-01-01"})
    assert bad.status_code == 400 and "kết thúc (2026-01-01) trước khi bắt đầu" in html.unescape(bad.text)
    paris = site.client("paris")
    assert "ASEAN" not in paris.get("/campaigns").text and "NHH-VN-FR" in paris.get("/campaigns").text
    assert paris.get("/campaigns/ASEAN-2026").status_code == 403
    assert paris.get("/campaigns/new").status_code == 403
    assert post(paris, "/campaigns/NHH-VN-FR", form | {"title": "Đổi tên"}).status_code == 403


# -- packs -----------------------------------------------------------------------------------------


def test_a_pack_is_sent_acknowledged_by_its_mission_and_the_analyst_sees_it(site):
    analyst, paris, tokyo = site.client("lan"), site.client("paris"), site.client("tokyo")
    form = {"title": "Hỏi – đáp về Biển Đông", "kind": "qa", "body": "Câu hỏi 1 …\nTrả lời 1 …",
            "deadline_date": "2026-01-05", "deadline_time": "17:00", "timezone": "Asia/Ho_Chi_Minh",
            "to": ["DSQ-PARIS"]}  # fmt: skip
    sent = post(analyst, "/packs/new", form, files={"files": ("qa.pdf", PDF, "application/pdf")})
    assert sent.status_code == 303
    pack_id = int(re.search(r"/packs/(\d+)", sent.headers["location"])[1])
    # overdue already (its deadline has passed): the mission's dashboard says it waits
    dashboard = paris.get("/").text
    assert "Bộ thông tin chờ bạn xác nhận" in dashboard and "Hỏi – đáp về Biển Đông" in dashboard
    assert "05/01/2026 11:00 (GMT+1, Paris)" in dashboard  # where the mission is
    waiting = paris.get("/packs?state=overdue").text
    assert "Hỏi – đáp về Biển Đông" in waiting and "Quá hạn" in waiting
    assert tokyo.get(f"/packs/{pack_id}").status_code == 403
    assert "Hỏi – đáp về Biển Đông" not in tokyo.get("/packs").text
    forged = post(tokyo, f"/packs/{pack_id}/acknowledge", {})
    assert forged.status_code == 403
    assert post(paris, f"/packs/{pack_id}/acknowledge", {"unit": "DSQ-TOKYO"}).status_code == 403
    done = post(paris, f"/packs/{pack_id}/acknowledge", {"next": "/packs"})
    assert done.status_code == 303 and done.headers["location"] == "/packs?done=pack_acknowledged"
    assert "Hỏi – đáp về Biển Đông" not in paris.get("/packs?state=not_acknowledged").text
    listing = analyst.get("/packs").text
    card = listing[listing.index("Hỏi – đáp về Biển Đông") :].split("</li>")[0]
    assert re.search(r"Đã xác nhận: <b>1</b>", card) and re.search(r"Quá hạn: <b>0</b>", card)
    page = analyst.get(f"/packs/{pack_id}").text
    assert "Đã xác nhận" in page and "paris" in page and "qa.pdf" in page


def test_a_mission_reports_how_it_used_a_pack_with_its_own_activities(site):
    paris = site.client("paris")
    pack_id, activity = site.ids["pack"], site.ids["paris"]
    page = paris.get(f"/packs/{pack_id}").text
    assert "Báo cáo việc sử dụng" in page and "DSQ-TOKYO" not in page  # its own row only
    usage = {"usage": "Dùng khi trả lời phỏng vấn và tại triển lãm.", "activities": [str(activity)]}
    assert post(paris, f"/packs/{pack_id}/report", usage).status_code == 303
    recipient = site.service.outreach.packs.get(pack_id).recipient("DSQ-PARIS")
    assert recipient.usage.startswith("Dùng khi") and activity in recipient.activities
    someone_elses = usage | {"activities": [str(site.ids["tokyo"])]}
    assert post(paris, f"/packs/{pack_id}/report", someone_elses).status_code == 400
    history = site.client("lan").get(f"/packs/{pack_id}").text
    assert "Báo cáo sử dụng" in history and "Dùng khi trả lời phỏng vấn" in history


# -- products --------------------------------------------------------------------------------------


def test_products_are_added_with_a_file_and_a_mission_lists_its_own(site):
    paris = site.client("paris")
    form = {"kind": "publication", "title": "Ấn phẩm Tuần Văn hóa", "lang": "fr", "unit": "DSQ-PARIS",
            "published_on": "2026-10-01", "url": "https://paris.example/an-pham"}  # fmt: skip
    answer = post(paris, "/products", form, files={"files": ("an-pham.pdf", PDF, "application/pdf")})
    assert answer.status_code == 303
    (product,) = site.service.outreach.products.list(query="an pham tuan van hoa")
    assert (product.unit, product.lang, product.files[0].name) == ("DSQ-PARIS", "fr", "an-pham.pdf")
    assert "Ấn phẩm Tuần Văn hóa" in paris.get("/products").text
    assert "Ấn phẩm Tuần Văn hóa" not in site.client("tokyo").get("/products").text
    assert post(paris, "/products", form | {"unit": "DSQ-TOKYO"}).status_code == 403
    assert post(paris, "/products", form | {"kind": "fact_sheet"}).status_code == 400  # the library's


# -- CSRF ------------------------------------------------------------------------------------------


def test_every_outreach_form_needs_the_csrf_token(site):
    browser = site.client("lan")
    ids = site.ids
    activity, pack = f"/activities/{ids['tokyo']}", f"/packs/{ids['pack']}"
    routes = [
        "/activities/new", activity, f"{activity}/files", "/activities/import", "/campaigns/new",
        "/campaigns/NHH-VN-FR", "/packs/new", f"{pack}/acknowledge", f"{pack}/report", f"{pack}/send",
        f"{pack}/files", "/products",
    ]  # fmt: skip
    filled = {"title": "Giả mạo", "type": "event", "date": "2026-10-01", "unit": "DSQ-TOKYO", "body": "x",
              "code": "GIA", "starts_on": "2026-01-01", "ends_on": "2026-02-01", "kind": "article",
              "usage": "x", "to": "VU-TT"}  # fmt: skip
    for route in routes:
        for form in (filled, filled | {"csrf_token": "forged"}):
            answer = browser.post(route, data=form, follow_redirects=False)
            assert answer.status_code == 403, (route, form)
    outreach = site.service.outreach
    assert "Giả mạo" not in {a.title for a in outreach.activities.list()}
    assert "Giả mạo" not in {p.title for p in outreach.packs.list()}
    assert "VU-TT" not in {r.unit for r in outreach.packs.get(ids["pack"]).recipients}


def test_a_missions_page_shows_its_outreach_to_who_reads_it(site):
    page = site.client("lan").get("/units/DSQ-PARIS").text
    assert "Công tác thông tin đối ngoại của đơn vị" in page and "Năm hữu nghị Việt Nam – Pháp" in page
    assert f'href="/activities/{site.ids["paris"]}"' in page and "(Europe/Paris)" in page
    assert re.search(r"Bộ thông tin</a>: Chờ xác nhận \d+ · Quá hạn \d+ · Đã xác nhận \d+", page)
    own = site.client("paris").get("/units/DSQ-PARIS").text
    assert "Công tác thông tin đối ngoại của đơn vị" in own
    other = site.client("paris").get("/units/DSQ-TOKYO").text  # another mission's: the unit, not its work
    assert "Công tác thông tin đối ngoại của đơn vị" not in other and "Họp báo tại Tokyo" not in other
