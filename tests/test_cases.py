"""The response workflow: a story or an alert becomes a case, assigned to a unit or mission with a
deadline, answered, closed, every step in the audit trail; and the library of fact sheets."""

from __future__ import annotations

import json
from datetime import datetime

import pytest
from support.cli import caunoi, cli
from support.corpus import BIEN_DONG, NOW, add_alert, add_article, add_story

from caunoi.cases import MOVES, CaseError, DuplicateCase, NotFound, Response, parse_deadline


@pytest.fixture
def cases(service):
    service.units.add("BC-TTDN", "Ban Thông tin đối ngoại", by="lan")
    service.units.add("DSQ-US", "Đại sứ quán Việt Nam tại Hoa Kỳ", kind="mission", country="us", by="lan")
    return service.cases


def test_a_story_goes_from_new_to_closed_with_its_audit_trail(service, cases):
    story_id = add_story(service)
    sheet = service.factsheets.add(*BIEN_DONG, by="hà", tags=["Biển Đông", "chủ quyền"])

    case = cases.open_case(story_id=story_id, priority="high", notes="Báo chí quốc tế đưa tin", by="lan")
    assert (case.state, case.title, case.story_id) == (
        "new",
        "Tàu nước ngoài hoạt động trái phép ở Biển Đông",
        story_id,
    )
    assert case.actions == ["triage", "assign", "close"]

    cases.triage(case.id, by="lan", priority="urgent", note="Cần trả lời trong ngày")
    case = cases.assign(case.id, "bc-ttdn", "2026-11-25 17:00", assignee="Nguyễn Văn Minh", by="lan")
    assert (case.state, case.unit, case.unit_name) == (
        "assigned",
        "BC-TTDN",
        "Ban Thông tin đối ngoại",
    )
    assert case.deadline == datetime(2026, 11, 25, 17, 0)

    case = cases.answer(case.id, Response(fact_sheet_id=sheet.id), by="minh")
    assert case.state == "answered"
    assert [(r.kind, r.title, r.fact_sheet_id) for r in case.responses] == [
        ("fact_sheet", BIEN_DONG[0], sheet.id)
    ]
    # answering with a fact sheet links it to the story it answers
    assert [s["id"] for s in service.factsheets.get(sheet.id).stories] == [story_id]
    assert [f.id for f in service.factsheets.list(story_id=story_id)] == [sheet.id]

    interview = Response(
        kind="interview", title="Người phát ngôn trả lời phỏng vấn", url="https://mofa.gov.vn/a"
    )
    case = cases.respond(case.id, interview, by="minh")
    case = cases.close(case.id, reason="Đã có phản hồi chính thức", by="lan")
    assert case.state == "closed" and case.closed_at is not None and len(case.responses) == 2

    trail = [(h["actor"], h["action"], h["changes"]) for h in case.history]
    assert [t[:2] for t in trail] == [
        ("lan", "open"), ("lan", "triage"), ("lan", "assign"),
        ("minh", "answer"), ("minh", "respond"), ("lan", "close"),
    ]  # fmt: skip
    assert trail[0][2]["state"] == [None, "new"] and trail[0][2]["priority"] == [None, "high"]
    assert trail[1][2] == {
        "state": ["new", "triaged"],
        "priority": ["high", "urgent"],
        "note": [None, "Cần trả lời trong ngày"],
    }
    assert trail[2][2] == {
        "state": ["triaged", "assigned"], "unit": [None, "BC-TTDN"],
        "deadline": [None, "2026-11-25T17:00:00"], "assignee": [None, "Nguyễn Văn Minh"],
    }  # fmt: skip
    assert trail[3][2]["state"] == ["assigned", "answered"]
    assert trail[3][2]["response"][1]["fact_sheet_id"] == sheet.id
    assert trail[5][2]["reason"] == [None, "Đã có phản hồi chính thức"]
    assert [h["action"] for h in service.factsheets.get(sheet.id).history] == ["add", "link"]

    case = cases.reopen(case.id, reason="Có thông tin mới", by="hà")
    assert (case.state, case.closed_at) == ("triaged", None)
    assert case.history[-1]["changes"]["reason"] == [None, "Có thông tin mới"]


def test_forbidden_moves_say_what_to_do(cases):
    case = cases.open_case("Bài viết xuyên tạc về lịch sử", by="lan")
    with pytest.raises(
        CaseError, match=f"case {case.id} is new: it cannot be answered before it is assigned"
    ):
        cases.answer(
            case.id, Response(kind="statement", title="Tuyên bố", url="https://mofa.gov.vn/s"), by="lan"
        )
    with pytest.raises(CaseError, match="only a closed case can be reopened"):
        cases.reopen(case.id, by="lan")
    with pytest.raises(CaseError, match="needs a unit or mission"):
        cases.assign(case.id, deadline="+2d", by="lan")
    with pytest.raises(NotFound, match="no unit or mission with code 'DSQ-FR'"):
        cases.assign(case.id, "DSQ-FR", "+2d", by="lan")
    with pytest.raises(CaseError, match="say who"):
        cases.triage(case.id, by=" ")

    cases.assign(case.id, "DSQ-US", "+2d", by="lan")
    with pytest.raises(CaseError, match="is assigned: it is past triage"):
        cases.triage(case.id, by="lan")
    with pytest.raises(CaseError, match="a response needs its kind"):
        cases.answer(case.id, Response(kind="statement"), by="lan")
    with pytest.raises(CaseError, match="not a web address"):
        cases.answer(case.id, Response(kind="statement", title="Tuyên bố", url="mofa.gov.vn"), by="lan")
    cases.answer(case.id, Response(kind="statement", title="Tuyên bố", url="https://mofa.gov.vn/s"), by="lan")
    with pytest.raises(CaseError, match="already answered: add another response"):
        cases.answer(
            case.id, Response(kind="statement", title="Lần hai", url="https://mofa.gov.vn/2"), by="lan"
        )

    # the answer was not accepted: back to the unit, keeping its deadline
    back = cases.assign(case.id, by="lan", note="Cần nêu rõ số liệu")
    assert (back.state, back.unit) == ("assigned", "DSQ-US")
    cases.close(case.id, by="lan")
    with pytest.raises(CaseError, match="is closed: reopen it first"):
        cases.assign(case.id, "BC-TTDN", "+1d", by="lan")
    with pytest.raises(NotFound):
        cases.get(9999)
    assert MOVES["closed"] == {"triaged"} and MOVES["answered"] == {"assigned", "closed"}


def test_deadlines_are_days_times_or_spans():
    assert parse_deadline("2026-11-25 17:00") == datetime(2026, 11, 25, 17, 0)
    assert parse_deadline("2026-11-25T17:00") == datetime(2026, 11, 25, 17, 0)
    assert parse_deadline("2026-11-25") == datetime(2026, 11, 25, 23, 59, 59)
    assert parse_deadline("+4h", NOW) == datetime(2026, 11, 24, 13, 0)
    assert parse_deadline("+2d", NOW) == datetime(2026, 11, 26, 9, 0)
    with pytest.raises(CaseError, match="give a date and time"):
        parse_deadline("thứ sáu")


def test_overdue_lists_unanswered_cases_past_their_deadline(cases):
    late = cases.open_case("Hạn đã qua hai ngày", by="lan")
    cases.assign(late.id, "BC-TTDN", "2026-11-22 17:00", by="lan")
    later = cases.open_case("Hạn đã qua hôm qua", by="lan")
    cases.assign(later.id, "DSQ-US", "2026-11-23", by="lan")
    answered = cases.open_case("Đã trả lời", by="lan")
    cases.assign(answered.id, "BC-TTDN", "2026-11-20", by="lan")
    cases.answer(
        answered.id, Response(kind="statement", title="Thông cáo", url="https://mofa.gov.vn/t"), by="lan"
    )
    cases.assign(cases.open_case("Còn hạn", by="lan").id, "BC-TTDN", "2026-11-30", by="lan")

    assert [c.id for c in cases.overdue(NOW)] == [late.id, later.id]
    listed = {c.id: c.overdue for c in cases.list(open_only=True, now=NOW)}
    assert listed[late.id] and not listed[answered.id] and len(listed) == 4
    assert [c.id for c in cases.list(unit="dsq-us")] == [later.id]
    assert [c.id for c in cases.list(state="answered")] == [answered.id]


def test_a_case_from_an_alert_is_about_its_story_and_opened_once(service, cases):
    story_id = add_story(service)
    alert_id = add_alert(service, story_id)
    case = cases.open_case(alert_id=alert_id, by="lan")
    assert (case.title, case.story_id, case.alert_id) == (
        "Tin tiêu cực tăng đột biến về Biển Đông",
        story_id,
        alert_id,
    )
    with pytest.raises(
        DuplicateCase, match=f"alert {alert_id} already has an open case: case {case.id}"
    ) as exc:
        cases.open_case(alert_id=alert_id, by="hà")
    assert exc.value.case_id == case.id
    cases.close(case.id, by="lan", reason="Không cần phản hồi")
    assert cases.open_case(alert_id=alert_id, by="hà").id != case.id  # a closed one does not count
    with pytest.raises(NotFound, match="no alert with id 999"):
        cases.open_case(alert_id=999, by="lan")
    with pytest.raises(CaseError, match="needs a title, a story or an alert"):
        cases.open_case(by="lan")


def test_an_article_in_the_store_can_carry_the_answer(service, cases):
    article_id = add_article(service, "Sự thật về Hoàng Sa", "https://baoquocte.vn/su-that-hoang-sa")
    case = cases.open_case("Luận điệu sai trái về Hoàng Sa", by="lan")
    cases.assign(case.id, "BC-TTDN", "+1d", by="lan")
    case = cases.answer(case.id, Response(article_id=article_id), by="minh")
    assert [(r.kind, r.title, r.url, r.article_id) for r in case.responses] == [
        ("article", "Sự thật về Hoàng Sa", "https://baoquocte.vn/su-that-hoang-sa", article_id)
    ]


def test_cases_from_the_command_line(settings, tmp_path):
    by = ("--by", "Trần Thị Hà")
    cli(
        settings,
        "units",
        "add",
        "DSQ-US",
        "Đại sứ quán Việt Nam tại Hoa Kỳ",
        "--kind",
        "mission",
        "--country",
        "US",
    )
    body = tmp_path / "bien-dong.md"
    body.write_text(BIEN_DONG[1], encoding="utf-8")
    sheet = json.loads(
        cli(
            settings, "factsheets", "add", BIEN_DONG[0], "--file", str(body), "--tag", "Biển Đông", "--json"
        ).stdout
    )
    found = json.loads(cli(settings, "factsheets", "search", "bien dong", "--json").stdout)
    assert [f["id"] for f in found] == [sheet["id"]]

    case = json.loads(
        cli(settings, "cases", "new", "--title", "Bài báo sai lệch về Trường Sa", "--json").stdout
    )
    # once through `caunoi`, which keeps stderr apart: bad usage is one line on stderr and exit code 2
    refused = caunoi(
        settings, "cases", "answer", str(case["id"]), "--fact-sheet", str(sheet["id"]), check=False
    )
    assert refused.returncode == 2
    assert (
        "cannot be answered before it is assigned" in refused.stderr and len(refused.stderr.splitlines()) == 1
    )
    missing = cli(
        settings, "cases", "assign", str(case["id"]), "--unit", "DSQ-FR", "--deadline", "+2d", code=1
    )
    assert "no unit or mission with code 'DSQ-FR'" in missing.stderr
    assert (
        "give a date and time"
        in cli(settings, "cases", "assign", "1", "--unit", "DSQ-US", "--deadline", "mai", code=2).stderr
    )

    cli(
        settings,
        "cases",
        "assign",
        str(case["id"]),
        "--unit",
        "DSQ-US",
        "--deadline",
        "2026-01-02 17:00",
        *by,
    )
    listed = cli(settings, "cases", "list").stdout
    assert "OVERDUE" in listed and "Bài báo sai lệch về Trường Sa" in listed and "DSQ-US" in listed
    overdue = json.loads(cli(settings, "cases", "overdue", "--json").stdout)
    assert [c["id"] for c in overdue] == [case["id"]]

    cli(settings, "cases", "answer", str(case["id"]), "--fact-sheet", str(sheet["id"]), *by)
    shown = json.loads(cli(settings, "cases", "show", str(case["id"]), "--json").stdout)
    assert shown["state"] == "answered" and shown["responses"][0]["fact_sheet_id"] == sheet["id"]
    assert [(h["actor"], h["action"]) for h in shown["history"]][1:] == [
        ("Trần Thị Hà", "assign"),
        ("Trần Thị Hà", "answer"),
    ]
    assert "Trần Thị Hà" in cli(settings, "cases", "show", str(case["id"])).stdout
    cli(settings, "cases", "close", str(case["id"]), "--reason", "Đã đăng bài phản bác", *by)
    assert "Biển Đông" in cli(settings, "factsheets", "show", str(sheet["id"])).stdout
    cli(settings, "cases", "show", "999", code=1)
