"""The outreach API over real HTTP, on both backends: campaigns, packs, products and activities, their
files, the activity import and its templates, and a mission's page — as headquarters, two mission
officers (Paris and Washington), and a viewer see them."""

from __future__ import annotations

import contextlib
import csv
import dataclasses
import io
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from urllib.parse import unquote

import httpx
import openpyxl
import pytest
from conftest import BACKENDS, backend_settings
from support.app import assert_error, serve

from caunoi.config import Settings
from caunoi.service import Service

API = "/api/v1"
PASSWORD = "hai con thỏ chạy quanh hồ"
ROLES = {
    "admin": ("admin", None),
    "analyst": ("analyst", None),
    "paris": ("mission_officer", "DSQ-FR"),
    "washington": ("mission_officer", "DSQ-US"),
    "viewer": ("viewer", None),
}
MAX_FILE = 100_000  # the site's outreach_max_file_bytes: small, so the limits are cheap to reach
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
THIS_YEAR = date.today().year


@dataclass
class Site:
    url: str
    settings: Settings
    tokens: dict[str, str]
    session: tuple[str, str]  # the analyst's cookie secret and CSRF token

    def client(self, who: str | None = None) -> httpx.Client:
        headers = {"Authorization": f"Bearer {self.tokens[who]}"} if who else {}
        return httpx.Client(base_url=self.url + API, headers=headers, timeout=30)


@pytest.fixture(scope="module", params=BACKENDS)
def site(request, tmp_path_factory) -> Iterator[Site]:
    with contextlib.ExitStack() as stack:
        settings = backend_settings(request.param, tmp_path_factory.mktemp("outreach-api"), stack)
        settings = dataclasses.replace(
            settings,
            api_rate_per_minute=1_000_000,
            outreach_max_file_bytes=MAX_FILE,
            timezone="Asia/Ho_Chi_Minh",
        )
        with Service(settings) as service:
            service.units.add("DSQ-FR", "Đại sứ quán tại Pháp", by="test", kind="mission", country="FR")
            service.units.add("DSQ-US", "Đại sứ quán tại Hoa Kỳ", by="test", kind="mission", country="US")
            service.units.add("BC-TTDN", "Vụ Thông tin đối ngoại", by="test")
            tokens = {}
            for name, (role, mission) in ROLES.items():
                service.users.add_user(name, PASSWORD, role, by="test", mission=mission)
                tokens[name] = service.users.create_token(name, "tests", by="test")
            analyst = service.users.get("analyst")
            session = service.users.create_session(analyst["id"], ip="127.0.0.1", user_agent="tests")
        url = stack.enter_context(serve(settings))
        yield Site(url, settings, tokens, session)


def created(response: httpx.Response) -> dict:
    assert response.status_code == 201, response.text
    return response.json()


def ok(response: httpx.Response) -> dict | list:
    assert response.status_code == 200, response.text
    return response.json()


def upload(name: str, content: bytes, media_type: str = "application/octet-stream") -> dict:
    return {"file": (name, content, media_type)}


def office_file(folder: str, *extra: str) -> bytes:
    """A minimal Office Open XML file (word/, xl/ …), with the extra parts named."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr(f"{folder}/document.xml", "<document/>")
        for part in extra:
            archive.writestr(part, b"\x00macro")
    return buffer.getvalue()


def activity(api: httpx.Client, title: str, **fields) -> dict:
    body = {"title": title, "type": "press_conference", "starts_at": "2026-10-13 09:30", **fields}
    return created(api.post("/activities", json=body))


# -- campaigns ---------------------------------------------------------------------------------------


def test_campaigns_are_made_at_headquarters_and_seen_by_the_missions_taking_part(site):
    body = {
        "code": "VH-PHAP-2026",
        "title": "Tuần Văn hóa Việt Nam tại Pháp",
        "kind": "friendship_year",
        "starts_on": "2026-09-01",
        "ends_on": "2026-12-31",
        "countries": ["FR"],
        "key_messages": ["Việt Nam là điểm đến an toàn, thân thiện"],
        "units": ["DSQ-FR", "BC-TTDN"],
        "budget": 1500000000,
        "currency": "VND",
        "objectives": [{"indicator": "bài báo Pháp nêu thông điệp", "target": 40, "due_on": "2026-12-31"}],
    }
    with site.client("analyst") as analyst:
        campaign = created(analyst.post("/campaigns", json=body))
        assert campaign["units"] == ["BC-TTDN", "DSQ-FR"] and campaign["objectives"][0]["target"] == 40
        assert_error(analyst.post("/campaigns", json=body), 409, "conflict")
        late = {**body, "code": "LATE", "ends_on": "2026-01-01"}
        assert (
            "before it starts"
            in assert_error(analyst.post("/campaigns", json=late), 422, "invalid")["message"]
        )
        changed = ok(analyst.patch(f"/campaigns/{campaign['id']}", json={"title": "Tuần Văn hóa 2026"}))
        assert changed["title"] == "Tuần Văn hóa 2026" and changed["units"] == campaign["units"]
        assert changed["history"][0]["action"] == "add" and changed["history"][-1]["action"] == "edit"
        assert_error(analyst.get("/campaigns/NO-SUCH"), 404, "not_found")
    with site.client("paris") as paris:
        assert ok(paris.get("/campaigns/vh-phap-2026"))["id"] == campaign["id"]  # its code in any case
        assert "VH-PHAP-2026" in [c["code"] for c in ok(paris.get("/campaigns"))]
        assert_error(paris.post("/campaigns", json={**body, "code": "MINE"}), 403, "forbidden")
        assert_error(paris.patch("/campaigns/VH-PHAP-2026", json={"title": "x"}), 403)
    with site.client("washington") as washington:
        assert "VH-PHAP-2026" not in [c["code"] for c in ok(washington.get("/campaigns"))]
        assert_error(washington.get("/campaigns/VH-PHAP-2026"), 403, "forbidden")
        assert_error(washington.get("/campaigns", params={"unit": "DSQ-FR"}), 403)
    with site.client("viewer") as viewer:
        assert ok(viewer.get("/campaigns/VH-PHAP-2026"))["code"] == "VH-PHAP-2026"
        assert_error(viewer.post("/campaigns", json={**body, "code": "V"}), 403)
    with site.client() as anonymous:
        assert_error(anonymous.get("/campaigns"), 401, "unauthorized")


# -- packs -------------------------------------------------------------------------------------------


def test_a_pack_is_sent_acknowledged_and_its_use_reported_by_each_mission(site):
    with site.client("analyst") as analyst:
        pack = created(
            analyst.post(
                "/packs",
                json={"title": "Thông tin định hướng: Biển Đông", "body": "Lập trường nhất quán …",
                      "kind": "position", "deadline": "2020-01-01 17:00", "to": ["DSQ-FR", "DSQ-US"]},
            )
        )  # fmt: skip
        assert pack["deadline"] == "2020-01-01T10:00:00Z"  # 17:00 in Hà Nội (the organisation's zone)
        assert pack["counts"] == {"waiting": 0, "overdue": 2, "acknowledged": 0}
        attached = created(analyst.post(f"/packs/{pack['id']}/files", files=upload("lap-truong.pdf", PDF)))
        assert attached["media_type"] == "application/pdf" and attached["size"] == len(PDF)
        quiet = created(analyst.post("/packs", json={"title": "Chỉ cho Washington", "body": "…"}))
        sent = ok(analyst.post(f"/packs/{quiet['id']}/send", json={"units": ["DSQ-US"]}))
        assert [r["unit"] for r in sent["recipients"]] == ["DSQ-US"]
        assert_error(analyst.post(f"/packs/{pack['id']}/acknowledge", json={}), 422, "invalid")  # which unit?
        assert_error(analyst.post("/packs/999999/send", json={"units": ["DSQ-FR"]}), 404, "not_found")
        assert_error(analyst.post(f"/packs/{pack['id']}/send", json={"units": ["NOWHERE"]}), 404)
        assert_error(analyst.post("/packs", json={"title": "x", "body": "y", "kind": "memo"}), 422)
    with site.client("paris") as paris:
        mine = ok(paris.get(f"/packs/{pack['id']}"))
        assert [r["unit"] for r in mine["recipients"]] == ["DSQ-FR"] and mine["history"] == []
        assert quiet["id"] not in [p["id"] for p in ok(paris.get("/packs"))]
        assert_error(paris.get(f"/packs/{quiet['id']}"), 403, "forbidden")
        assert pack["id"] in [p["id"] for p in ok(paris.get("/packs", params={"state": "overdue"}))]
        # a mission officer acknowledges for their mission only, which is the default unit
        assert_error(paris.post(f"/packs/{pack['id']}/acknowledge", json={"unit": "DSQ-US"}), 403)
        acknowledged = ok(paris.post(f"/packs/{pack['id']}/acknowledge", json={}))
        assert acknowledged["recipients"][0]["state"] == "acknowledged"
        assert acknowledged["recipients"][0]["acknowledged_by"] == "paris"
        assert_error(paris.post("/packs", json={"title": "x", "body": "y"}), 403)
        assert_error(paris.post(f"/packs/{pack['id']}/send", json={"units": ["DSQ-FR"]}), 403)
        assert_error(paris.post(f"/packs/{pack['id']}/files", files=upload("x.pdf", PDF)), 403)
        used = activity(paris, "Phỏng vấn về Biển Đông", type="interview", packs=[pack["id"]])
        report = {"usage": "Dùng khi trả lời phỏng vấn Le Monde", "activities": [used["id"]]}
        assert_error(paris.post(f"/packs/{pack['id']}/report", json={**report, "unit": "DSQ-US"}), 403)
        reported = ok(paris.post(f"/packs/{pack['id']}/report", json=report))
        assert reported["recipients"][0]["usage"] == report["usage"]
        assert reported["recipients"][0]["activities"] == [used["id"]]
        download = paris.get(f"/files/{attached['id']}")
        assert download.status_code == 200 and download.content == PDF
    with site.client("washington") as washington:
        theirs = ok(washington.get(f"/packs/{pack['id']}"))["recipients"]
        assert [(r["unit"], r["state"]) for r in theirs] == [("DSQ-US", "overdue")]
        report = {"usage": "Dùng", "activities": [used["id"]]}  # Paris's activity is not Washington's
        assert_error(washington.post(f"/packs/{pack['id']}/report", json=report), 422, "invalid")
    with site.client("viewer") as viewer:
        assert len(ok(viewer.get(f"/packs/{pack['id']}"))["recipients"]) == 2
        assert_error(viewer.post(f"/packs/{pack['id']}/acknowledge", json={"unit": "DSQ-FR"}), 403)
    with site.client("analyst") as analyst:
        overdue = ok(analyst.get("/packs", params={"state": "overdue", "unit": "DSQ-US"}))
        assert pack["id"] in [p["id"] for p in overdue]
        acknowledged = ok(analyst.get("/packs", params={"state": "acknowledged", "unit": "DSQ-FR"}))
        assert pack["id"] in [p["id"] for p in acknowledged]
        undone = ok(analyst.post(f"/packs/{pack['id']}/acknowledge", json={"unit": "DSQ-FR", "undo": True}))
        assert undone["counts"]["acknowledged"] == 0
        assert [h["action"] for h in undone["history"]][-3:] == ["acknowledge", "report", "unacknowledge"]


# -- products and files ------------------------------------------------------------------------------


def test_products_are_each_missions_and_the_library_is_everyones_to_read(site):
    with site.client("paris") as paris:
        placed = {
            "title": "Bài trên Le Figaro",
            "kind": "article",
            "lang": "fr",
            "url": "https://lefigaro.fr/x",
        }
        article = created(paris.post("/products", json=placed))
        assert article["unit"] == "DSQ-FR"  # a mission officer's product is their mission's
        assert_error(paris.post("/products", json={"title": "x", "kind": "video", "unit": "DSQ-US"}), 403)
        assert_error(paris.post("/products", json={"title": "x", "kind": "fact_sheet", "body": "y"}), 403)
        changed = ok(paris.patch(f"/products/{article['id']}", json={"tags": ["văn hóa", "du lịch"]}))
        assert changed["tags"] == ["văn hóa", "du lịch"] and changed["unit"] == "DSQ-FR"
        assert_error(paris.patch(f"/products/{article['id']}", json={"unit": "DSQ-US"}), 403)
        assert [p["id"] for p in ok(paris.get("/products", params={"q": "figaro"}))] == [article["id"]]
        assert_error(paris.get("/products", params={"unit": "DSQ-US"}), 403)
        photo = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
        assert created(paris.post(f"/products/{article['id']}/files", files=upload("ảnh.png", photo)))
    with site.client("analyst") as analyst:
        sheet = created(analyst.post("/products", json={"title": "Sự thật về Hoàng Sa", "kind": "fact_sheet",
                                                        "body": "Việt Nam có đủ bằng chứng …"}))  # fmt: skip
        assert sheet["unit"] is None
        assert_error(analyst.post("/products", json={"title": "x", "kind": "fact_sheet"}), 422, "invalid")
        assert_error(analyst.get("/products/999999"), 404, "not_found")
        assert_error(analyst.get("/products", params={"kind": "poster"}), 422)
    with site.client("washington") as washington:
        assert_error(washington.get(f"/products/{article['id']}"), 403, "forbidden")
        assert_error(washington.patch(f"/products/{article['id']}", json={"title": "x"}), 403)
        assert ok(washington.get(f"/products/{sheet['id']}"))["body"].startswith("Việt Nam")
        assert_error(washington.patch(f"/products/{sheet['id']}", json={"title": "x"}), 403)
    with site.client("viewer") as viewer:
        assert ok(viewer.get(f"/products/{article['id']}"))["files"][0]["name"] == "ảnh.png"
        assert_error(viewer.post("/products", json={"title": "x", "kind": "video"}), 403)


def test_files_that_can_run_code_or_are_too_large_are_refused(site):
    with site.client("paris") as paris:
        target = activity(paris, "Triển lãm ảnh", type="exhibition", key="PAR-FILES-1")
        url = f"/activities/{target['key']}/files"
        for name, content in [
            ("setup.exe", b"MZ\x90\x00" + b"\x00" * 100),
            ("bao-cao.docm", office_file("word", "word/vbaProject.bin")),
            ("trang.html", b"<html><script>alert(1)</script></html>"),
            ("ghi-chu.txt", b"<script>alert(1)</script>"),
        ]:
            error = assert_error(paris.post(url, files=upload(name, content)), 422, "invalid")
            assert name in error["message"]
        too_big = PDF + b"0" * MAX_FILE
        assert (
            "outreach_max_file_bytes"
            in assert_error(paris.post(url, files=upload("big.pdf", too_big)), 422)["message"]
        )
        # past the file's limit and the multipart's margin, the body is refused before it is read
        assert_error(
            paris.post(url, files=upload("huge.pdf", PDF + b"0" * (MAX_FILE + 200_000))), 413, "too_large"
        )
        report = office_file("word")
        stored = created(paris.post(url, files=upload('Báo cáo "tuần".docx', report)))
        assert stored["media_type"].endswith("wordprocessingml.document")
        download = paris.get(f"/files/{stored['id']}")
        assert download.status_code == 200 and download.content == report
        assert download.headers["content-type"] == stored["media_type"]
        assert download.headers["x-content-type-options"] == "nosniff"
        plain, utf8 = download.headers["content-disposition"].split("; filename*=UTF-8''")
        assert re.fullmatch(r'attachment; filename="Bao cao [\w.-]+\.docx"', plain)  # ASCII, no quote inside
        assert unquote(utf8) == stored["name"] and stored["name"].startswith("Báo cáo")
        assert_error(paris.get("/files/999999"), 404, "not_found")
        assert_error(paris.post(url, data={"note": "no file"}), 422, "invalid")
    with site.client("washington") as washington:
        assert_error(washington.get(f"/files/{stored['id']}"), 403, "forbidden")
        assert_error(washington.post(url, files=upload("x.pdf", PDF)), 403)
    with site.client("viewer") as viewer:
        assert viewer.get(f"/files/{stored['id']}").content == report
        assert_error(viewer.post(url, files=upload("x.pdf", PDF)), 403)


# -- activities --------------------------------------------------------------------------------------


def test_a_mission_officer_logs_their_missions_activities_in_its_time_zone(site):
    with site.client("paris") as paris:
        logged = activity(paris, "Họp báo Tuần Văn hóa", key="PAR-2026-001", place="Paris", audience=45,
                          cost="1200", currency="EUR", partners=["Hội hữu nghị Pháp – Việt Nam"])  # fmt: skip
        assert logged["unit"] == "DSQ-FR" and logged["timezone"] == "Europe/Paris"
        assert logged["starts_at"] == "2026-10-13T07:30:00Z"  # 09:30 in Paris, summer time
        assert logged["local_start"] == "2026-10-13T09:30:00+02:00"
        elsewhere = {"title": "Ở Mỹ", "type": "event", "starts_at": "2026-10-01", "unit": "DSQ-US"}
        assert_error(paris.post("/activities", json=elsewhere), 403, "forbidden")
        same = {"title": "Lặp", "type": "event", "starts_at": "2026-10-01", "key": "PAR-2026-001"}
        assert_error(paris.post("/activities", json=same), 409, "conflict")
        bad = {
            "title": "Ngày sai",
            "type": "event",
            "starts_at": "10/13/2026",
        }  # month first is never guessed
        assert "13/10/2026" in assert_error(paris.post("/activities", json=bad), 422, "invalid")["message"]
        assert_error(paris.post("/activities", json={**bad, "starts_at": "2026-10-13", "type": "party"}), 422)
        changed = ok(
            paris.patch("/activities/PAR-2026-001", json={"audience": 60, "starts_at": "2026-10-13 10:00"})
        )
        assert changed["audience"] == 60 and changed["local_start"] == "2026-10-13T10:00:00+02:00"
        assert [h["action"] for h in changed["history"]] == ["add", "edit"]
        assert_error(paris.patch("/activities/PAR-2026-001", json={"unit": "DSQ-US"}), 403)
        assert ok(paris.get(f"/activities/{logged['id']}"))["key"] == "PAR-2026-001"
        assert_error(paris.get("/activities/NO-SUCH-KEY"), 404, "not_found")
    with site.client("washington") as washington:
        assert_error(washington.get("/activities/PAR-2026-001"), 403, "forbidden")
        assert_error(washington.patch("/activities/PAR-2026-001", json={"title": "x"}), 403)
        assert_error(washington.get("/activities", params={"unit": "DSQ-FR"}), 403)
        own = activity(washington, "Gặp báo chí Mỹ", type="media_meeting", starts_at="2026-10-14 18:00")
        assert own["unit"] == "DSQ-US" and own["timezone"] == "Asia/Ho_Chi_Minh"  # the US has many zones
        assert all(a["unit"] == "DSQ-US" for a in ok(washington.get("/activities"))["items"])
    with site.client("analyst") as analyst:
        nobody = {"title": "Ai?", "type": "event", "starts_at": "2026-10-01"}
        assert "unit" in assert_error(analyst.post("/activities", json=nobody), 422, "invalid")["message"]
        hq = activity(analyst, "Tập huấn phóng viên", type="training", unit="BC-TTDN")
        assert hq["unit"] == "BC-TTDN"
    with site.client("viewer") as viewer:
        assert ok(viewer.get("/activities/PAR-2026-001"))["title"] == "Họp báo Tuần Văn hóa"
        assert_error(viewer.post("/activities", json={**elsewhere, "unit": "DSQ-FR"}), 403)


def test_the_activity_list_pages_with_a_cursor_latest_first(site):
    with site.client("analyst") as analyst:
        for n in range(7):  # three share their start: the id decides among them
            when = "2025-03-01 09:00" if n < 3 else f"2025-03-{n + 1:02d} 09:00"
            activity(analyst, f"Trao đổi nhân dân {n}", type="exchange", unit="BC-TTDN", starts_at=when)
        params = {"unit": "BC-TTDN", "type": "exchange", "since": "2025-01-01", "until": "2025-12-31"}
        everything = ok(analyst.get("/activities", params={**params, "limit": 500}))
        assert everything["next_cursor"] is None and len(everything["items"]) == 7
        expected = [a["id"] for a in everything["items"]]
        starts = [(a["starts_at"], a["id"]) for a in everything["items"]]
        assert starts == sorted(starts, reverse=True)
        seen, cursor = [], None
        while True:
            page = ok(
                analyst.get(
                    "/activities", params={**params, "limit": 3, **({"cursor": cursor} if cursor else {})}
                )
            )
            seen += [a["id"] for a in page["items"]]
            if (cursor := page["next_cursor"]) is None:
                break
        assert seen == expected
        assert (
            ok(analyst.get("/activities", params={**params, "since": "2025-03-05"}))["items"]
            == everything["items"][:3]
        )
        assert_error(analyst.get("/activities", params={"cursor": "not-ours"}), 400, "bad_cursor")
        assert_error(analyst.get("/activities", params={"unit": "NOWHERE"}), 404, "not_found")
        assert_error(analyst.get("/activities", params={"since": "0001-01-01T00:00"}), 422, "invalid")


# -- import and templates ----------------------------------------------------------------------------


def _csv(*rows: dict) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode()


ROW = {"key": "", "date": "2026-11-02", "unit": "DSQ-FR", "type": "Họp báo", "title": "", "currency": ""}


def test_an_import_with_a_bad_row_writes_nothing_unless_valid_only(site):
    rows = [
        {**ROW, "key": "IMP-1", "title": "Họp báo một"},
        {**ROW, "key": "IMP-2", "title": "Họp báo hai", "date": "31/02/2026"},  # no such day
        {**ROW, "key": "IMP-3", "title": "Ở Mỹ", "unit": "DSQ-US"},
    ]
    with site.client("paris") as paris:
        refused = paris.post("/activities/import", files=upload("nhat-ky.csv", _csv(*rows), "text/csv"))
        error = assert_error(refused, 422, "rows_refused")
        assert "nothing written" in error["message"]
        report = refused.json()["report"]
        assert report["written"] is False and report["added"] == []
        assert [(r["line"], r["key"]) for r in report["refused"]] == [(3, "IMP-2"), (4, "IMP-3")]
        assert "DSQ-FR" in report["refused"][1]["reason"]  # a mission officer imports their mission's
        assert_error(paris.get("/activities/IMP-1"), 404)
        partial = ok(paris.post("/activities/import", params={"valid_only": "true"},
                                files=upload("nhat-ky.csv", _csv(*rows))))  # fmt: skip
        assert partial["written"] is True and partial["added"] == ["IMP-1"] and len(partial["refused"]) == 2
        again = ok(paris.post("/activities/import", params={"valid_only": "true"},
                              files=upload("nhat-ky.csv", _csv(*rows))))  # fmt: skip
        assert again["added"] == [] and again["unchanged"] == 1
        assert ok(paris.get("/activities/IMP-1"))["type"] == "press_conference"
        not_a_table = paris.post("/activities/import", files=upload("nhat-ky.pdf", PDF))
        assert ".csv" in assert_error(not_a_table, 422, "invalid")["message"]
    with site.client("analyst") as analyst:
        both = ok(analyst.post("/activities/import", files=upload("all.csv", _csv(rows[0], rows[2]))))
        assert both["added"] == ["IMP-3"] and both["unchanged"] == 1
    with site.client("viewer") as viewer:
        assert_error(viewer.post("/activities/import", files=upload("nhat-ky.csv", _csv(rows[0]))), 403)


def test_the_templates_download_and_import_as_they_are(site):
    with site.client("paris") as paris:
        as_csv = paris.get("/activities/template.csv")
        assert as_csv.status_code == 200 and as_csv.headers["content-type"].startswith("text/csv")
        assert "attachment" in as_csv.headers["content-disposition"]
        header = next(csv.reader(io.StringIO(as_csv.content.decode("utf-8-sig"))))
        assert header[:6] == ["key", "date", "end_date", "unit", "type", "title"]
        as_xlsx = paris.get("/activities/template.xlsx")
        assert as_xlsx.status_code == 200 and as_xlsx.content.startswith(b"PK")
        book = openpyxl.load_workbook(io.BytesIO(as_xlsx.content), read_only=True)
        assert [c.value for c in next(book.worksheets[0].iter_rows(max_row=1))] == header
        assert ("press_conference", "Họp báo", "Press conference") in [
            tuple(r) for r in book["types"].iter_rows(values_only=True)
        ]
        imported = ok(paris.post("/activities/import", files=upload("template.xlsx", as_xlsx.content)))
        assert imported["added"] == ["PAR-2026-041"]
        again = ok(paris.post("/activities/import", files=upload("template.csv", as_csv.content)))
        assert again["unchanged"] == 1 and again["added"] == again["changed"] == []
        stored = ok(paris.get("/activities/PAR-2026-041"))
        assert stored["local_start"] == "2026-10-13T09:30:00+02:00" and stored["cost"] == 1200


# -- a mission's page, sessions ----------------------------------------------------------------------


def test_a_missions_outreach_page(site):
    with site.client("analyst") as analyst:
        qa = {"title": "Hỏi đáp", "body": "…", "kind": "qa", "deadline": "2099-01-01", "to": ["DSQ-FR"]}
        pack = created(analyst.post("/packs", json=qa))
        created(analyst.post("/campaigns", json={"code": f"PAGE-{pack['id']}", "title": "Chiến dịch",
                                                 "starts_on": "2026-01-01", "ends_on": "2026-12-31",
                                                 "units": ["DSQ-FR"]}))  # fmt: skip
        activity(analyst, "Năm nay", unit="DSQ-FR", starts_at=f"{THIS_YEAR}-01-02 10:00")
        page = ok(analyst.get("/units/dsq-fr/outreach"))
        assert page["unit"]["code"] == "DSQ-FR" and page["unit"]["country"] == "FR"
        listed = ok(analyst.get("/activities", params={"unit": "DSQ-FR", "limit": 500}))["items"]
        assert page["activities"] == len(listed) and page["activities_this_year"] >= 1
        assert [a["id"] for a in page["latest_activities"]] == [a["id"] for a in listed[:20]]
        assert page["products"] == len(ok(analyst.get("/products", params={"unit": "DSQ-FR"})))
        assert set(page["packs"]) == {"waiting", "overdue", "acknowledged"}
        assert pack["id"] in [p["id"] for p in page["open_packs"] if p["state"] == "waiting"]
        assert f"PAGE-{pack['id']}" in [c["code"] for c in page["campaigns"]]
        assert_error(analyst.get("/units/NOWHERE/outreach"), 404, "not_found")
    with site.client("paris") as paris:
        assert ok(paris.get("/units/DSQ-FR/outreach"))["unit"]["code"] == "DSQ-FR"
        assert_error(paris.get("/units/DSQ-US/outreach"), 403, "forbidden")


def test_a_browser_session_needs_the_csrf_header_to_log_or_upload(site):
    secret, token = site.session
    with httpx.Client(base_url=site.url + API, cookies={"caunoi_session": secret}) as browser:
        body = {"title": "Từ trình duyệt", "type": "event", "starts_at": "2026-10-01", "unit": "BC-TTDN"}
        assert_error(browser.post("/activities", json=body), 403)
        made = created(browser.post("/activities", json=body, headers={"X-CSRF-Token": token}))
        assert_error(browser.post(f"/activities/{made['id']}/files", files=upload("a.pdf", PDF)), 403)
        assert created(
            browser.post(
                f"/activities/{made['id']}/files", files=upload("a.pdf", PDF), headers={"X-CSRF-Token": token}
            )
        )
        assert browser.get(f"/activities/{made['id']}").status_code == 200


def test_an_id_written_in_other_digits_or_too_large_names_nothing(site):
    """ "²" is a digit to str.isdigit() but not to int() (a 500 the API fuzzer found), and a 30-digit id
    overflowed SQLite's INTEGER: each names no campaign or activity, a 404."""
    with site.client("analyst") as analyst:
        for ref in ("%C2%B2", "%D9%A3", "123456789012345678901234567890"):
            for path in ("campaigns", "activities"):
                assert_error(analyst.get(f"/{path}/{ref}"), 404, "not_found")
