"""Drafts of review reports (caunoi.reports.drafts) as their writers meet them, on both backends: an
analyst writes the whole system's draft in the page and downloads it; the embassies in Paris and
Tokyo write their own and nobody else's; the whole system's draft pulls Paris's in, and again after
Paris changed it, without the text twice; the API and the CLI do the same once. "Today" is pinned
to 15 May 2026: the default period is the first half of 2026."""

from __future__ import annotations

import io
import re
from datetime import date

import pytest
from conftest import BACKENDS
from docx import Document as read_docx
from fastapi.testclient import TestClient
from support.app import csrf_of, site_on
from support.cli import caunoi

PASSWORD = "mật khẩu dài đủ dùng"
USERS = {
    "lan": ("analyst", None),
    "hoa": ("mission_officer", "DSQ-FR"),
    "tokyo": ("mission_officer", "DSQ-JP"),
    "xem": ("viewer", None),
}
PARIS = "Đại sứ quán Việt Nam tại Pháp (DSQ-FR):"
LIMITS = "Lực lượng làm công tác thông tin đối ngoại còn mỏng.\n\nKinh phí cho hoạt động còn hạn chế."


def embassies(service) -> None:
    service.units.add("DSQ-FR", "Đại sứ quán Việt Nam tại Pháp", kind="mission", country="FR", by="t")
    service.units.add("DSQ-JP", "Đại sứ quán Việt Nam tại Nhật Bản", kind="mission", country="JP", by="t")
    service.outreach.evaluation.today = lambda: date(2026, 5, 15)


@pytest.fixture(scope="module", params=BACKENDS)
def site(request, tmp_path_factory):
    with site_on(request.param, tmp_path_factory.mktemp("store"), embassies, USERS, PASSWORD) as found:
        yield found


def new_draft(browser: TestClient, unit: str = "", expect: int = 303) -> int | None:
    """A draft made through the form on /reports: its id."""
    page = browser.get("/reports").text
    form = {"csrf_token": csrf_of(page), "starts_on": "2026-01-01", "ends_on": "2026-06-30", "unit": unit,
            "style": "state", "lang": "vi"}  # fmt: skip
    made = browser.post("/reports/new", data=form, follow_redirects=False)
    assert made.status_code == expect, made.text
    return int(re.search(r"/reports/(\d+)", made.headers["location"])[1]) if expect == 303 else None


def save(browser: TestClient, draft_id: int, expect: int = 303, **sections: str):
    """The draft's form sent back as the page shows it, with `sections` changed."""
    page = browser.get(f"/reports/{draft_id}").text
    form = {name: re.search(rf'name="{name}"[^>]*value="([^"]*)"', page)[1]
            for name in ("csrf_token", "expected", "starts_on", "ends_on", "number", "subject")}  # fmt: skip
    for key in ("limitations", "causes", "directions", "recommendations"):
        form[key] = re.search(rf'<textarea name="{key}"[^>]*>(.*?)</textarea>', page, re.S)[1]
    form |= {"style": "state", "lang": "vi", **sections}
    answer = browser.post(f"/reports/{draft_id}", data=form, follow_redirects=False)
    assert answer.status_code == expect, answer.text
    return answer


def test_a_draft_is_written_in_the_page_and_its_docx_holds_what_was_written(site):
    lan = site.client("lan")
    listed = lan.get("/reports").text
    assert ">Báo cáo</a>" in listed  # the menu
    assert 'name="starts_on" value="2026-01-01"' in listed and 'name="ends_on" value="2026-06-30"' in listed
    draft_id = new_draft(lan)
    save(lan, draft_id, limitations=LIMITS)
    page = lan.get(f"/reports/{draft_id}?done=draft_saved").text
    assert "Đã lưu dự thảo." in page and "Kinh phí cho hoạt động còn hạn chế." in page
    history = page[page.index("<h2>Lịch sử</h2>") :]
    assert "lan</span> <b>Sửa</b>" in history and "Hạn chế, khó khăn" in history

    save(lan, draft_id, limitations=LIMITS.replace("mỏng", "rất mỏng"))
    history = lan.get(f"/reports/{draft_id}").text.split("<h2>Lịch sử</h2>")[1]
    assert "Hạn chế, khó khăn: + «rất»" in history  # which words changed

    docx = lan.get(f"/reports/{draft_id}/document.docx")
    assert docx.status_code == 200 and "attachment" in docx.headers["content-disposition"]
    text = "\n".join(p.text for p in read_docx(io.BytesIO(docx.content)).paragraphs)
    assert "Lực lượng làm công tác thông tin đối ngoại còn rất mỏng." in text
    assert "Kinh phí cho hoạt động còn hạn chế." in text and "6 tháng đầu năm 2026" in text

    preview = lan.get(f"/reports/{draft_id}/preview")
    assert preview.status_code == 200 and "còn rất mỏng" in preview.text and "/reports/fonts/" in preview.text
    assert lan.get("/reports/fonts/LiberationSerif-Regular.ttf").status_code == 200

    # a save over a newer one is refused, and the text typed is shown back
    stale = lan.get(f"/reports/{draft_id}").text
    save(lan, draft_id, causes="Nguyên nhân khách quan.")
    form = {"csrf_token": csrf_of(stale), "expected": re.search(r'name="expected" value="([^"]*)"', stale)[1],
            "starts_on": "2026-01-01", "ends_on": "2026-06-30", "style": "state", "lang": "vi",
            "directions": "Hướng của tôi."}  # fmt: skip
    refused = lan.post(f"/reports/{draft_id}", data=form)
    assert (
        refused.status_code == 409
        and "sau khi bạn mở nó" in refused.text
        and "Hướng của tôi." in refused.text
    )

    lan.post(f"/reports/{draft_id}/state", data={"csrf_token": csrf_of(stale), "state": "final"})
    final = lan.get(f"/reports/{draft_id}").text
    assert "Đã hoàn thành" in final and "Mở lại để sửa" in final and "readonly" in final
    save(lan, draft_id, expect=409, causes="Sửa khi đã hoàn thành.")


def test_a_mission_officer_writes_their_missions_drafts_only(site):
    hoa, tokyo, xem = site.client("hoa"), site.client("tokyo"), site.client("xem")
    assert '<option value="DSQ-JP"' not in hoa.get("/reports").text  # their mission only
    paris = new_draft(hoa, "DSQ-FR")
    save(hoa, paris, causes="Thiếu phóng viên thường trú.")
    new_draft(hoa, "DSQ-JP", expect=403)
    assert tokyo.get(f"/reports/{paris}").status_code == 403
    token = csrf_of(tokyo.get("/reports").text)
    assert tokyo.post(f"/reports/{paris}", data={"csrf_token": token, "causes": "x"}).status_code == 403
    whole = new_draft(site.client("lan"))
    assert hoa.get(f"/reports/{whole}").status_code == 403  # the whole system's is headquarters'
    assert f"/reports/{paris}" not in tokyo.get("/reports").text
    # a viewer reads every draft and changes none
    seen = xem.get(f"/reports/{paris}").text
    assert "Thiếu phóng viên thường trú." in seen and ">Lưu</button>" not in seen
    assert xem.post(f"/reports/{paris}", data={"csrf_token": csrf_of(seen), "causes": "x"}).status_code == 403


def test_the_whole_systems_draft_pulls_a_missions_and_pulling_again_replaces_it(site):
    lan, hoa = site.client("lan"), site.client("hoa")
    whole, paris = new_draft(lan), new_draft(hoa, "DSQ-FR")
    save(lan, whole, limitations="Nhận định chung của Vụ.")
    save(hoa, paris, limitations="Báo chí Pháp ít quan tâm.", directions="Tổ chức Tuần Việt Nam.")
    page = lan.get(f"/reports/{whole}").text
    assert f'<option value="{paris}">DSQ-FR' in page  # the missions' drafts of the period
    assert (
        hoa.post(f"/reports/{paris}/pull", data={"csrf_token": csrf_of(page), "source": paris}).status_code
        == 403
    )

    pulled = lan.post(f"/reports/{whole}/pull", data={"csrf_token": csrf_of(page), "source": str(paris)})
    assert pulled.status_code == 200 and "Đã tổng hợp dự thảo." in pulled.text
    save(hoa, paris, limitations="Báo chí Pháp đã quan tâm hơn.")
    lan.post(f"/reports/{whole}/pull", data={"csrf_token": csrf_of(page), "source": str(paris)})

    draft = site.service.drafts.get(whole)
    assert draft.pulled == [paris]
    assert (
        draft.narrative["limitations"]
        == f"Nhận định chung của Vụ.\n\n{PARIS}\n\nBáo chí Pháp đã quan tâm hơn."
    )
    assert draft.narrative["directions"] == f"{PARIS}\n\nTổ chức Tuần Việt Nam."
    assert [h["action"] for h in draft.history].count("pull") == 2


def test_the_api_makes_edits_pulls_and_renders_a_draft(site):
    def client(username: str) -> TestClient:
        token = site.service.users.create_token(username, "test", by="test")
        return TestClient(
            site.app, base_url="https://testserver", headers={"Authorization": f"Bearer {token}"}
        )

    lan, hoa = client("lan"), client("hoa")
    mission = hoa.post("/api/v1/reports/drafts", json={"causes": "Ngân sách ít."})
    assert mission.status_code == 201 and mission.json()["unit"] == "DSQ-FR"
    assert (
        mission.json()["starts_on"] == "2026-01-01"
        and mission.json()["narrative"]["causes"] == "Ngân sách ít."
    )
    assert hoa.post("/api/v1/reports/drafts", json={"unit": "DSQ-JP"}).status_code == 403
    whole = lan.post("/api/v1/reports/drafts", json={"lang": "en", "number": "12"}).json()
    url = f"/api/v1/reports/drafts/{whole['id']}"
    stale = lan.patch(url, json={"directions": "Keep going.", "expected": "2020-01-01T00:00:00"})
    assert stale.status_code == 409 and stale.json()["error"]["code"] == "conflict"
    changed = lan.patch(url, json={"directions": "Keep going.", "expected": whole["updated_at"]}).json()
    assert changed["narrative"]["directions"] == "Keep going." and changed["history"][-1]["actor"] == "lan"

    assert hoa.post(f"{url}/pull", json={"draft": mission.json()["id"]}).status_code == 403
    merged = lan.post(f"{url}/pull", json={"draft": mission.json()["id"]}).json()
    assert merged["pulled"] == [mission.json()["id"]]
    assert merged["narrative"]["causes"] == f"{PARIS}\n\nNgân sách ít."  # the unit has no English name
    html = lan.get(f"{url}/document", params={"format": "html"})
    assert html.status_code == 200 and "Keep going." in html.text and "12/BC-" in html.text
    assert lan.patch(url, json={"state": "final"}).json()["state"] == "final"
    assert lan.patch(url, json={"causes": "x"}).status_code == 409
    seen = hoa.get("/api/v1/reports/drafts").json()
    assert mission.json()["id"] in [d["id"] for d in seen] and {d["unit"] for d in seen} == {"DSQ-FR"}
    assert lan.get("/api/v1/reports/drafts/999999").status_code == 404


def test_the_cli_writes_pulls_and_exports_a_draft(site, tmp_path):
    settings = site.service.settings
    if settings.database_url:  # the commands are thin: once is enough (the suite's time is short)
        pytest.skip("the CLI is run on SQLite only")
    by = ("--by", "lan")
    out = caunoi(settings, "report", "draft", "new", "--from", "2026-07-01", "--to", "2026-12-31", *by).stdout
    whole = int(re.search(r"draft (\d+): whole system, 2026-07-01 – 2026-12-31, draft", out)[1])
    made = caunoi(settings, "report", "draft", "new", "--unit", "DSQ-JP", "--from", "2026-07-01", "--to",
                  "2026-12-31", "--by", "tokyo").stdout  # fmt: skip
    tokyo = int(re.search(r"draft (\d+): DSQ-JP", made)[1])
    text = tmp_path / "han-che.txt"
    text.write_text("Thiếu người biết tiếng Nhật.\n", encoding="utf-8")
    caunoi(settings, "report", "draft", "edit", str(tokyo), "--limitations-file", str(text), "--by", "tokyo")
    pulled = caunoi(settings, "report", "draft", "pull", str(whole), str(tokyo), *by).stdout
    assert f"pulled {tokyo}" in pulled
    shown = caunoi(settings, "report", "draft", "show", str(whole)).stdout
    assert "Đại sứ quán Việt Nam tại Nhật Bản (DSQ-JP):" in shown and "lan pull" in shown
    listed = caunoi(settings, "report", "draft", "list", "--from", "2026-07-01", "--to", "2026-12-31").stdout
    assert "(whole system)" in listed and "DSQ-JP" in listed
    report = tmp_path / "bao-cao.html"
    caunoi(settings, "report", "draft", "export", str(whole), "--out", str(report))
    assert "Thiếu người biết tiếng Nhật." in report.read_text(encoding="utf-8")
    refused = caunoi(settings, "report", "draft", "pull", str(tokyo), str(whole), *by, check=False)
    assert refused.returncode == 2 and "is the whole system's" in refused.stderr
