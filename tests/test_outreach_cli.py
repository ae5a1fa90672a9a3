"""`caunoi campaigns | packs | products | activities …` (caunoi/cli/outreach.py): outreach from the
command line, on both backends — what the centre plans and sends to Viet Nam's missions abroad, what
they acknowledge, make and do, and the activity log imported from the file a mission fills in."""

from __future__ import annotations

import json

from support.cli import caunoi, cli

BY = ("--by", "lan")


def _missions(settings) -> None:
    cli(settings, "units", "add", "DSQ-FR", "Đại sứ quán Việt Nam tại Pháp", "--kind", "mission",
        "--country", "FR", *BY)  # fmt: skip
    cli(settings, "units", "add", "DSQ-JP", "Đại sứ quán Việt Nam tại Nhật Bản", "--kind", "mission",
        "--country", "JP", *BY)  # fmt: skip


def _json(settings, *args: str, env: dict[str, str] | None = None):
    return json.loads(caunoi(settings, *args, env=env).stdout)


def test_a_campaign_is_added_edited_listed_and_shown_with_its_objectives_units_and_history(settings):
    _missions(settings)
    added = cli(settings, "campaigns", "add", "NHN-VNFR-2026", "Năm hữu nghị Việt Nam – Pháp",
                "--from", "2026-01-01", "--to", "2026-12-31", "--kind", "friendship_year", "--country", "FR",
                "--message", "Việt Nam là đối tác tin cậy của Pháp", "--audience", "báo chí Pháp",
                "--objective", "bài báo nêu thông điệp = 40 by 2026-12-31", "--budget", "150.000.000",
                "--currency", "VND", "--unit", "DSQ-FR", "--unit", "DSQ-JP", *BY)  # fmt: skip
    assert "added campaign NHN-VNFR-2026" in added.output

    listed = cli(settings, "campaigns", "list", "--unit", "DSQ-JP").output
    assert "NHN-VNFR-2026" in listed and "friendship_year" in listed and "DSQ-FR, DSQ-JP" in listed
    assert "no campaigns" in cli(settings, "campaigns", "list", "--active-on", "2027-01-05").output

    cli(settings, "campaigns", "edit", "nhn-vnfr-2026", "--unit", "DSQ-FR", "--title", "Năm hữu nghị 2026",
        *BY)  # fmt: skip
    assert "no campaigns" in cli(settings, "campaigns", "list", "--unit", "DSQ-JP").output
    shown = cli(settings, "campaigns", "show", "NHN-VNFR-2026").output
    assert "objective: bài báo nêu thông điệp = 40 by 2026-12-31" in shown
    assert "budget: 150,000,000 VND" in shown and "units: DSQ-FR" in shown
    assert "lan edit" in shown and "Năm hữu nghị Việt Nam – Pháp → Năm hữu nghị 2026" in shown

    campaign = _json(settings, "campaigns", "show", "1", "--json")
    assert campaign["code"] == "NHN-VNFR-2026" and campaign["starts_on"] == "2026-01-01"
    assert campaign["objectives"] == [{"indicator": "bài báo nêu thông điệp", "target": 40.0,
                                       "due_on": "2026-12-31", "metric": None}]  # fmt: skip
    assert [h["action"] for h in campaign["history"]][:2] == ["add", "objectives"]

    refused = cli(settings, "campaigns", "add", "X", "Y", "--from", "2026-01-01", "--to", "2026-02-01",
                  "--objective", "nhiều bài báo", *BY, code=2)  # fmt: skip
    assert "objective 'nhiều bài báo': write it as 'indicator = target by DATE'" in refused.output
    assert "no campaign with code or id 'NOPE'" in cli(settings, "campaigns", "show", "NOPE", code=1).output


def test_a_pack_is_sent_acknowledged_and_who_has_not_acknowledged_is_listed(settings, tmp_path):
    _missions(settings)
    points = tmp_path / "diem-noi.txt"
    points.write_text("Lập trường của Việt Nam về Biển Đông: …\n", encoding="utf-8")
    added = cli(settings, "packs", "add", "Thông tin định hướng: Biển Đông", "--body-file", str(points),
                "--kind", "position", "--deadline", "2099-10-20 17:00", "--timezone", "Asia/Ho_Chi_Minh",
                "--to", "DSQ-FR", "--file", str(points), *BY)  # fmt: skip
    assert "added pack 1: Thông tin định hướng: Biển Đông, sent to DSQ-FR" in added.output
    cli(settings, "packs", "add", "Hỏi – đáp cũ", "--body", "H: … Đ: …", "--kind", "qa",
        "--deadline", "2020-01-01", "--to", "DSQ-JP", "--to", "DSQ-FR", *BY)  # fmt: skip
    cli(settings, "packs", "send", "1", "--to", "dsq-jp", *BY)

    hanoi = {"CAUNOI_TIMEZONE": "Asia/Ho_Chi_Minh"}  # the organisation's zone: deadlines are shown in it
    packs = _json(settings, "packs", "list", "--json", env=hanoi)
    assert [(p["id"], p["counts"]) for p in packs] == [
        (2, {"waiting": 0, "overdue": 2, "acknowledged": 0}),
        (1, {"waiting": 2, "overdue": 0, "acknowledged": 0}),
    ]
    assert (packs[1]["deadline"], packs[1]["deadline_local"]) == (
        "2099-10-20T10:00:00", "2099-10-20T17:00:00+07:00"
    )  # fmt: skip
    pending = caunoi(settings, "packs", "pending", env=hanoi).stdout.splitlines()
    assert pending[0].split() == ["unit", "pack", "deadline", "state", "title"]
    assert [line.split()[:6] for line in pending[1:]] == [
        ["DSQ-FR", "2", "2020-01-01", "00:00", "+07", "overdue"],  # typed in the default zone, Hà Nội
        ["DSQ-JP", "2", "2020-01-01", "00:00", "+07", "overdue"],
        ["DSQ-FR", "1", "2099-10-20", "17:00", "+07", "waiting"],
        ["DSQ-JP", "1", "2099-10-20", "17:00", "+07", "waiting"],
    ]

    assert "pack 1: DSQ-FR acknowledged" in cli(settings, "packs", "ack", "1", "--unit", "dsq-fr", *BY).output
    mine = _json(settings, "packs", "pending", "--unit", "DSQ-FR", "--json")
    assert [(p["pack_id"], p["state"]) for p in mine] == [(2, "overdue")]
    assert [p["id"] for p in _json(settings, "packs", "list", "--state", "acknowledged", "--json")] == [1]
    cli(settings, "packs", "ack", "1", "--unit", "DSQ-FR", "--undo", *BY)
    assert len(_json(settings, "packs", "pending", "--unit", "DSQ-FR", "--json")) == 2

    cli(settings, "activities", "add", "Họp báo về Biển Đông", "--unit", "DSQ-FR", "--type",
        "press_conference", "--date", "2026-10-13 09:30", "--key", "PAR-2026-041", *BY)  # fmt: skip
    used = cli(settings, "packs", "report", "1", "--unit", "DSQ-FR", "--usage", "Dùng trong họp báo",
               "--activity", "PAR-2026-041", *BY)  # fmt: skip
    assert "pack 1: use by DSQ-FR recorded (activities 1)" in used.output
    shown = caunoi(settings, "packs", "show", "1", env=hanoi).stdout
    assert "file 1: diem-noi.txt (text/plain" in shown and "deadline: 2099-10-20 17:00 +07" in shown
    # a report of use counts as an acknowledgement
    assert any(line.split()[:2] == ["DSQ-FR", "acknowledged"] and "Dùng trong họp báo" in line
               for line in shown.splitlines())  # fmt: skip
    refused = cli(settings, "packs", "ack", "2", "--unit", "DSQ-XX", *BY, code=1)
    assert "no unit or mission with code 'DSQ-XX'" in refused.output
    assert "give --body or --body-file" in cli(settings, "packs", "add", "T", "--body", "x", "--body-file",
                                               str(points), *BY, code=2).output  # fmt: skip


def test_a_product_is_added_found_edited_and_shown(settings, tmp_path):
    _missions(settings)
    added = _json(settings, "products", "add", "Việt Nam – Pháp: 50 năm quan hệ ngoại giao", "--kind",
                  "article", "--lang", "fr", "--unit", "DSQ-FR", "--url", "https://example.org/bai-viet",
                  "--published", "2026-09-02", "--tag", "ngoại giao", "--tag", "văn hóa", "--json",
                  *BY)  # fmt: skip
    assert added["published_on"] == "2026-09-02" and added["tags"] == ["ngoại giao", "văn hóa"]
    cli(settings, "products", "add", "Lập trường về Biển Đông", "--kind", "position", "--body",
        "Việt Nam có đủ bằng chứng lịch sử …", *BY)  # fmt: skip

    assert "50 năm" in cli(settings, "products", "list", "--query", "quan he ngoai giao").output
    assert [p["id"] for p in _json(settings, "products", "list", "--kind", "position", "--json")] == [2]
    assert [p["id"] for p in _json(settings, "products", "list", "--unit", "DSQ-FR", "--json")] == [1]

    photo = tmp_path / "anh.png"
    photo.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * 32)
    assert "attached anh.png (image/png" in cli(settings, "products", "attach", "1", str(photo), *BY).output
    cli(settings, "products", "edit", "1", "--tag", "quan hệ song phương", "--audience", "độc giả Pháp", *BY)
    shown = cli(settings, "products", "show", "1").output
    assert (
        "tags: quan hệ song phương" in shown
        and "audience: độc giả Pháp" in shown
        and "file 1: anh.png" in shown
    )
    assert "ngoại giao, văn hóa → quan hệ song phương" in shown
    # what people type is printed as typed, never read as the console's markup
    odd = cli(settings, "products", "add", "[Video] Hà Nội [/] mùa thu", "--kind", "video", *BY).output
    assert "added video 3: [Video] Hà Nội [/] mùa thu" in odd
    assert "[Video] Hà Nội [/] mùa thu" in cli(settings, "products", "show", "3").output
    script = tmp_path / "x.sh"
    script.write_text("#!/bin/sh\necho\n")
    assert "a program, a script" in cli(settings, "products", "attach", "1", str(script), *BY, code=2).output


def test_an_activity_is_logged_listed_and_shown_at_its_local_time(settings):
    _missions(settings)
    added = cli(settings, "activities", "add", "Họp báo giới thiệu Tuần Văn hóa", "--unit", "DSQ-FR",
                "--type", "Họp báo", "--date", "13/10/2026 09:30", "--end", "2026-10-13 11:00",
                "--place", "Paris", "--audience", "45", "--partner", "Hội hữu nghị Pháp – Việt Nam",
                "--official", "Đại sứ (phát biểu khai mạc)", "--cost", "1.200", "--currency", "EUR",
                "--link", "https://example.org/thong-cao", *BY)  # fmt: skip
    assert "added activity 1" in added.output and "2026-10-13 09:30 CEST" in added.output
    cli(settings, "activities", "add", "Trả lời phỏng vấn NHK", "--unit", "DSQ-JP", "--type", "interview",
        "--date", "2026-11-02 20:00", "--key", "TYO-2026-7", *BY)  # fmt: skip

    listed = cli(settings, "activities", "list").output.splitlines()
    assert [line.split()[:5] for line in listed[1:]] == [
        ["2", "2026-11-02", "20:00", "JST", "DSQ-JP"],
        ["1", "2026-10-13", "09:30", "CEST", "DSQ-FR"],
    ]
    activities = _json(settings, "activities", "list", "--json")
    assert [(a["key"], a["starts_at"], a["local_start"]) for a in activities] == [
        ("TYO-2026-7", "2026-11-02T11:00:00", "2026-11-02T20:00:00+09:00"),
        (activities[1]["key"], "2026-10-13T07:30:00", "2026-10-13T09:30:00+02:00"),
    ]
    assert (
        activities[1]["key"].startswith("auto-") and activities[1]["local_end"] == "2026-10-13T11:00:00+02:00"
    )
    assert [a["id"] for a in _json(settings, "activities", "list", "--type", "họp báo", "--json")] == [1]
    assert [a["id"] for a in _json(settings, "activities", "list", "--until", "2026-10-13", "--json")] == [1]
    assert [a["id"] for a in _json(settings, "activities", "list", "--since", "2026-10-14", "--json")] == [2]
    assert [a["id"] for a in _json(settings, "activities", "list", "--unit", "DSQ-JP", "--json")] == [2]

    cli(
        settings,
        "activities",
        "edit",
        "TYO-2026-7",
        "--date",
        "2026-11-03 10:00",
        "--audience",
        "1200000",
        *BY,
    )
    shown = cli(settings, "activities", "show", "TYO-2026-7").output
    assert "start: 2026-11-03 10:00 JST (Asia/Tokyo)" in shown and "audience: 1200000" in shown
    assert "lan edit" in shown
    shown = cli(settings, "activities", "show", "1").output
    assert "cost: 1,200 EUR" in shown and "officials: Đại sứ (phát biểu khai mạc)" in shown
    refused = cli(settings, "activities", "add", "X", "--unit", "DSQ-FR", "--type", "picnic", "--date",
                  "2026-10-13", *BY, code=2)  # fmt: skip
    assert "type 'picnic': one of conference" in refused.output


ACTIVITIES_CSV = """key,date,end_date,unit,type,title,description,campaign,place,audience,cost,currency,url
PAR-2026-041,2026-10-13 09:30,2026-10-13 11:00,DSQ-FR,Họp báo,Họp báo Tuần Văn hóa,,,Paris,45,1200,EUR,
PAR-2026-042,14/10/2026,,DSQ-FR,Triển lãm,Triển lãm ảnh Hà Nội xưa,,,Paris,300,,,https://example.org/trien-lam
,2026-10-15 18:00,,DSQ-XX,event,Đêm nhạc,,,Lyon,,,,
TYO-2026-9,2026-10-16,,DSQ-JP,interview,Trả lời phỏng vấn báo Asahi,,,,,,,
"""


def test_activities_are_imported_whole_or_only_the_valid_rows_and_again_without_change(settings, tmp_path):
    """Issue 15, item 6: the log a mission fills in is checked row by row; with a refused row nothing
    is written (exit code 1) unless --valid-only; importing the same file again changes nothing."""
    _missions(settings)
    log = tmp_path / "hoat-dong.csv"
    log.write_text(ACTIVITIES_CSV, encoding="utf-8")
    refused = caunoi(settings, "activities", "import", str(log), *BY, check=False)
    assert refused.returncode == 2
    assert "hoat-dong.csv: 0 added, 0 changed, 0 unchanged, 1 refused: nothing written" in refused.stdout
    assert "row 4: unit 'DSQ-XX': no unit or mission with that code" in refused.stderr
    assert "no activities" in cli(settings, "activities", "list").output

    report = _json(settings, "activities", "import", str(log), "--valid-only", "--json", *BY)
    assert report["added"] == ["PAR-2026-041", "PAR-2026-042", "TYO-2026-9"] and report["written"]
    assert report["refused"] == [
        {"line": 4, "key": None, "reason": "unit 'DSQ-XX': no unit or mission with that code",
         "refusal": "activity_unknown_unit", "params": {"value": "DSQ-XX"}}
    ]  # fmt: skip
    listed = _json(settings, "activities", "list", "--json")
    assert [(a["key"], a["type"], a["local_start"]) for a in listed] == [
        ("TYO-2026-9", "interview", "2026-10-16T00:00:00+09:00"),
        ("PAR-2026-042", "exhibition", "2026-10-14T00:00:00+02:00"),
        ("PAR-2026-041", "press_conference", "2026-10-13T09:30:00+02:00"),
    ]
    again = cli(settings, "activities", "import", str(log), "--valid-only", *BY).output
    assert "0 added, 0 changed, 3 unchanged, 1 refused" in again

    log.write_text(ACTIVITIES_CSV.replace("Paris,300", "Paris,350"), encoding="utf-8")
    report = _json(settings, "activities", "import", str(log), "--valid-only", "--json", *BY)
    assert (report["added"], report["changed"], report["unchanged"]) == ([], ["PAR-2026-042"], 2)
    assert "audience: 300 → 350" in cli(settings, "activities", "show", "PAR-2026-042").output


def test_activities_are_imported_from_an_xlsx_workbook(settings, tmp_path):
    from datetime import datetime

    from openpyxl import Workbook

    _missions(settings)
    book = Workbook()
    sheet = book.active
    sheet.append(["key", "date", "unit", "type", "title", "audience", "timezone"])
    sheet.append(["PAR-2026-050", datetime(2026, 10, 20, 18, 30), "DSQ-FR", "Giao lưu nhân dân",
                  "Giao lưu với cộng đồng người Việt", 120, None])  # fmt: skip
    sheet.append([None] * 7)
    sheet.append(["PAR-2026-051", "21/10/2026 10:00", "DSQ-FR", "training", "Tập huấn phát ngôn", 15.0,
                  "Europe/Paris"])  # fmt: skip
    sheet.append(["PAR-2026-052", "2026-10-22", "DSQ-FR", "", "Không có loại", None, None])
    path = tmp_path / "hoat-dong.xlsx"
    book.save(path)

    refused = caunoi(settings, "activities", "import", str(path), *BY, check=False)
    assert refused.returncode == 2 and "row 5 (PAR-2026-052): type '': one of conference" in refused.stderr
    report = _json(settings, "activities", "import", str(path), "--valid-only", "--json", *BY)
    assert report["added"] == ["PAR-2026-050", "PAR-2026-051"]
    shown = _json(settings, "activities", "show", "PAR-2026-050", "--json")
    assert (shown["type"], shown["audience"], shown["local_start"]) == (
        "exchange",
        120,
        "2026-10-20T18:30:00+02:00",
    )

    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"PK\x03\x04 not really a workbook")
    refused = cli(settings, "activities", "import", str(broken), *BY, code=2)
    assert "broken.xlsx: not a workbook Excel or LibreOffice can open" in refused.output


def test_the_import_template_imports_as_it_is(settings, tmp_path):
    """The template's example row is a real activity of a mission: imported as written (CSV or XLSX),
    it gives the same activity, and the second import changes nothing."""
    _missions(settings)
    printed = caunoi(settings, "activities", "template").stdout
    assert printed.startswith("key,date,end_date,unit,type,title,")
    as_csv, as_xlsx = tmp_path / "mau.csv", tmp_path / "mau.xlsx"
    assert "wrote the import template" in cli(settings, "activities", "template", "--out", str(as_csv)).output
    assert as_csv.read_bytes().startswith(b"\xef\xbb\xbf")  # Excel opens it as UTF-8
    cli(settings, "activities", "template", "--xlsx", "--out", str(as_xlsx))
    assert "needs --out" in cli(settings, "activities", "template", "--xlsx", code=2).output

    report = _json(settings, "activities", "import", str(as_xlsx), "--json", *BY)
    assert report["added"] == ["PAR-2026-041"] and report["refused"] == []
    report = _json(settings, "activities", "import", str(as_csv), "--json", *BY)
    assert (report["added"], report["changed"], report["unchanged"]) == ([], [], 1)
    activity = _json(settings, "activities", "show", "PAR-2026-041", "--json")
    assert activity["type"] == "press_conference" and activity["local_start"] == "2026-10-13T09:30:00+02:00"
    assert activity["partners"] == ["Hội hữu nghị Pháp – Việt Nam"] and activity["cost"] == 1200.0
