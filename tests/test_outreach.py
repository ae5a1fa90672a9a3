"""Outreach in the domain: campaigns with objectives, packs and who acknowledged them, products (the
fact-sheet library among them) and activities with their times in their own zone — every change
audited, every refusal saying what to type instead, imports whole or not at all and idempotent."""

from __future__ import annotations

import io
import re
import zipfile
from datetime import date, datetime

import pytest
from sqlalchemy import select

from caunoi.errors import CaunoiError
from caunoi.outreach import NotFound, OutreachError, TakenError
from caunoi.outreach.activities import IMPORT_COLUMNS, template_csv, type_names
from caunoi.outreach.common import amount, file_values, moment, zone, zone_of_country
from caunoi.store.schema import audit_log

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


@pytest.fixture
def outreach(service):
    units = service.units
    units.add("DSQ-FR", "Đại sứ quán Việt Nam tại Pháp", kind="mission", country="FR", type="embassy", by="t")
    units.add(
        "DSQ-US", "Đại sứ quán Việt Nam tại Hoa Kỳ", kind="mission", country="US", type="embassy", by="t"
    )
    units.add("BC-TTDN", "Ban Thông tin đối ngoại", by="t")
    return service.outreach


def _office(folder: str, extra: dict[str, bytes] | None = None) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr(f"{folder}/document.xml", "<x/>")
        for name, content in (extra or {}).items():
            z.writestr(name, content)
    return out.getvalue()


def test_a_campaign_keeps_its_period_messages_objectives_and_units_and_every_change_is_audited(outreach):
    campaign = outreach.campaigns.add(
        "VNFR-2026",
        "Năm hữu nghị Việt Nam – Pháp",
        by="lan",
        kind="friendship_year",
        starts_on="01/01/2026",
        ends_on="2026-12-31",
        countries="fr",
        topics=["economy"],
        key_messages=["Việt Nam là đối tác tin cậy", "Việt Nam là đối tác tin cậy"],
        units="dsq-fr, BC-TTDN",
        objectives=["bài báo nước sở tại nêu thông điệp = 40 by 2026-12-31"],
        budget="1.500.000.000",
        currency="vnd",
    )
    assert (campaign.starts_on, campaign.ends_on) == (date(2026, 1, 1), date(2026, 12, 31))
    assert campaign.countries == ["FR"] and campaign.key_messages == ["Việt Nam là đối tác tin cậy"]
    assert campaign.units == ["BC-TTDN", "DSQ-FR"] and (campaign.budget, campaign.currency) == (1.5e9, "VND")
    assert [(o.indicator, o.target, o.due_on) for o in campaign.objectives] == [
        ("bài báo nước sở tại nêu thông điệp", 40.0, date(2026, 12, 31))
    ]
    assert outreach.campaigns.get("vnfr-2026") == outreach.campaigns.get(campaign.id)

    edited = outreach.campaigns.edit("VNFR-2026", by="minh", units=["DSQ-FR"], title="Năm hữu nghị")
    assert edited.units == ["DSQ-FR"] and edited.objectives == campaign.objectives  # not given: kept
    last = edited.history[-1]
    assert (last["actor"], last["action"]) == ("minh", "edit")
    assert last["changes"]["units"] == [["BC-TTDN", "DSQ-FR"], ["DSQ-FR"]]
    assert [c.code for c in outreach.campaigns.list(unit="dsq-fr")] == ["VNFR-2026"]
    assert outreach.campaigns.list(unit="DSQ-US") == []
    assert outreach.campaigns.list(active_on=date(2027, 1, 1)) == []

    for changes, refusal in (
        ({"ends_on": "2025-12-31"}, "ends (2025-12-31) before it starts"),
        ({"topics": ["no_such_topic"]}, "topic no_such_topic: one of"),
        ({"objectives": ["bốn mươi bài"]}, "write it as 'indicator = target by DATE'"),
        ({"budget": "nhiều"}, "budget 'nhiều': give a number"),
        ({"units": ["DSQ-XX"]}, "no unit or mission with code 'DSQ-XX'"),
        ({"countries": "XX"}, "country 'XX'"),
        ({"code": "NEW"}, "a campaign has no field code"),
    ):
        with pytest.raises(CaunoiError, match=re.escape(refusal)):
            outreach.campaigns.edit("VNFR-2026", by="lan", **changes)
    with pytest.raises(TakenError, match="already a campaign with code vnfr-2026"):
        outreach.campaigns.add("vnfr-2026", "Trùng", by="lan", starts_on="2026-01-01", ends_on="2026-02-01")
    with pytest.raises(NotFound, match="no campaign with code or id 'X'"):
        outreach.campaigns.get("X")


def test_a_pack_is_sent_with_its_files_and_each_mission_acknowledges_and_reports_its_use(outreach):
    clock = [datetime(2026, 10, 13, 0, 0)]
    outreach.packs.clock = lambda: clock[0]
    pack = outreach.packs.add(
        "Thông tin định hướng tuần 41",
        "Ba thông điệp chính …",
        by="lan",
        deadline="2026-10-14 17:00",
        timezone="Asia/Ho_Chi_Minh",
        to=["DSQ-FR", "dsq-us", "DSQ-FR"],
        files=[("huong-dan.pdf", PDF), ("hoi-dap.docx", _office("word"))],
    )
    assert pack.deadline == datetime(2026, 10, 14, 10, 0)  # 17:00 in Hà Nội, kept in UTC
    assert [r.unit for r in pack.recipients] == ["DSQ-FR", "DSQ-US"]
    assert pack.counts == {"waiting": 2, "overdue": 0, "acknowledged": 0}
    assert [(f.name, f.media_type.split("/")[1][:5]) for f in pack.files] == [
        ("huong-dan.pdf", "pdf"),
        ("hoi-dap.docx", "vnd.o"),
    ]
    info, content, owner = outreach.file(pack.files[0].id)
    assert content == PDF and owner["pack_id"] == pack.id and len(info.sha256) == 64

    activity = outreach.activities.add(
        "Họp báo", by="hoa", unit="DSQ-FR", type="press_conference", starts_at="2026-10-13 09:30"
    )
    pack = outreach.packs.acknowledge(pack.id, "dsq-fr", by="hoa")
    clock[0] = datetime(2026, 10, 15)  # the deadline has passed
    pack = outreach.packs.get(pack.id)
    assert {r.unit: r.state for r in pack.recipients} == {"DSQ-FR": "acknowledged", "DSQ-US": "overdue"}
    assert [p.id for p in outreach.packs.list(state="overdue")] == [pack.id]
    assert outreach.packs.list(unit="DSQ-FR", state="overdue") == []

    pack = outreach.packs.report_use(
        pack.id, "DSQ-FR", "Dùng trong họp báo", by="hoa", activities=[activity.id]
    )
    assert pack.recipient("dsq-fr").activities == [activity.id]
    assert outreach.activities.get(activity.id).packs == [pack.id]
    with pytest.raises(OutreachError, match=f"activity {activity.id} is not one of DSQ-US's"):
        outreach.packs.report_use(pack.id, "DSQ-US", "Dùng", by="x", activities=[activity.id])
    with pytest.raises(NotFound, match="pack 1 was not sent to BC-TTDN"):
        outreach.packs.acknowledge(pack.id, "BC-TTDN", by="x")
    assert [h["action"] for h in pack.history] == ["add", "attach", "attach", "send", "acknowledge", "report"]

    pack = outreach.packs.send(pack.id, ["DSQ-US", "BC-TTDN"], by="lan")  # only BC-TTDN is new
    assert pack.history[-1]["changes"] == {"sent_to": [None, ["BC-TTDN"]]}


def test_files_that_could_run_code_are_refused_by_what_they_are_not_what_they_are_called():
    assert file_values("anh.png", b"\x89PNG\r\n\x1a\n....", 100)["media_type"] == "image/png"
    assert file_values("bang.xlsx", _office("xl"), 10_000)["media_type"].endswith("spreadsheetml.sheet")
    assert file_values("ghi-chu.txt", "xin chào".encode(), 100)["media_type"] == "text/plain"
    for name, content, why in (
        ("bao-cao.pdf", b"MZ\x90\x00", "a program"),
        ("macro.docx", _office("word", {"word/vbaProject.bin": b"x"}), "macros"),
        ("anh.svg", b"<svg onload=alert(1)>", "not a kind of file taken"),
        ("trang.txt", b"<script>alert(1)</script>", "HTML or script"),
        ("cu.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "old binary Office"),
        ("hong.docx", b"PK\x03\x04broken", "a broken ZIP"),
        ("rong.pdf", b"", "is empty"),
        ("lon.pdf", PDF * 10, "more than the 100 allowed"),
    ):
        with pytest.raises(OutreachError, match=why):
            file_values(name, content, 1000 if "lon" not in name else 100)


def test_products_and_the_fact_sheet_library_are_one_table(service, outreach):
    sheet = service.factsheets.add("Biển Đông", "Lập trường nhất quán …", by="lan", tags=["biển"])
    video = outreach.products.add(
        "Video: Việt Nam – điểm đến",
        by="hoa",
        kind="video",
        unit="DSQ-FR",
        url="https://example.org/v",
        lang="fr",
    )
    assert {p.id for p in outreach.products.list()} == {sheet.id, video.id}  # one sequence of ids
    assert [s.id for s in service.factsheets.list()] == [sheet.id]  # the library shows only its own
    assert [p.id for p in outreach.products.list(query="bien dong")] == [sheet.id]
    assert outreach.products.get(sheet.id).kind == "fact_sheet"
    edited = outreach.products.edit(video.id, by="hoa", audience="Báo chí Pháp", published_on="05/10/2026")
    assert (edited.audience, edited.published_on) == ("Báo chí Pháp", date(2026, 10, 5))
    assert [h["action"] for h in edited.history] == ["add", "edit"]
    with pytest.raises(OutreachError, match="a fact sheet needs a body"):
        outreach.products.add("Trống", by="lan", kind="fact_sheet")
    with pytest.raises(OutreachError, match="give an http"):
        outreach.products.edit(video.id, by="hoa", url="javascript:alert(1)")


def test_an_activity_is_read_in_its_missions_zone_kept_in_utc_and_shown_back_there(outreach):
    paris = outreach.activities.add(
        "Trả lời phỏng vấn báo Le Monde",
        by="hoa",
        unit="DSQ-FR",
        type="Trả lời phỏng vấn",  # the Vietnamese label is a type too
        starts_at="13/10/2026 09:30",
        ends_at="13/10/2026 10:15",
        cost="1.200",
        currency="eur",
        partners="Le Monde",
        officials="Đại sứ",
        links="https://example.org/a https://example.org/b",
    )
    assert (paris.type, paris.timezone, paris.country) == ("interview", "Europe/Paris", "FR")
    assert paris.starts_at == datetime(2026, 10, 13, 7, 30)  # CEST is UTC+2
    assert paris.local_start.strftime("%H:%M %z") == "09:30 +0200"
    assert (paris.cost, paris.currency, paris.links[1]) == (1200.0, "EUR", "https://example.org/b")
    assert paris.key.startswith("auto-")
    # the United States have many zones: the organisation's (UTC here) unless one is given
    washington = outreach.activities.add(
        "Gặp gỡ báo chí", by="x", unit="DSQ-US", type="media_meeting", starts_at="2026-10-13 09:30",
        timezone="America/New_York", key="WAS-41",
    )  # fmt: skip
    assert washington.starts_at == datetime(2026, 10, 13, 13, 30)
    moved = outreach.activities.edit("WAS-41", by="x", title="Gặp gỡ phóng viên")  # times kept as they were
    assert moved.starts_at == washington.starts_at
    moved = outreach.activities.edit("WAS-41", by="x", starts_at="2026-10-13 10:00")  # read in its zone
    assert moved.starts_at == datetime(2026, 10, 13, 14, 0)
    assert moved.history[-1]["changes"]["starts_at"] == ["2026-10-13T13:30:00", "2026-10-13T14:00:00"]

    assert [a.key for a in outreach.activities.list(unit="dsq-us")] == ["WAS-41"]
    first = outreach.activities.list(limit=1)
    assert [a.id for a in outreach.activities.list(after=(first[0].starts_at, first[0].id))] == [paris.id]
    with pytest.raises(TakenError, match="already an activity with key WAS-41"):
        outreach.activities.add(
            "Lặp", by="x", unit="DSQ-US", type="other", starts_at="2026-10-01", key="WAS-41"
        )
    for details, refusal in (
        ({"type": "picnic"}, "type 'picnic': one of conference"),
        ({"starts_at": "10/13/2026"}, "give a date like 2026-10-13 or 13/10/2026"),
        ({"ends_at": "2026-10-12"}, "ends before it starts"),
        ({"cost": "100"}, "give the currency"),
        ({"timezone": "Paris"}, "time zone 'Paris'"),
        ({"audience": "-3"}, "audience '-3': give a number"),
        ({"title": " "}, "an activity needs a title"),
    ):
        given = {
            "title": "Hoạt động",
            "unit": "DSQ-FR",
            "type": "event",
            "starts_at": "2026-10-13",
            **details,
        }
        with pytest.raises(CaunoiError, match=re.escape(refusal)):
            outreach.activities.add(given.pop("title"), by="x", **given)


def _rows(*rows: dict[str, str]) -> list[tuple[int, dict[str, str]]]:
    return [(line, {k: row.get(k, "") for k in IMPORT_COLUMNS}) for line, row in enumerate(rows, 2)]


def test_an_import_is_whole_or_nothing_says_why_each_row_is_refused_and_changes_nothing_twice(
    service, outreach
):
    outreach.campaigns.add(
        "VNFR-2026", "Năm hữu nghị", by="lan", starts_on="2026-01-01", ends_on="2026-12-31"
    )
    good = {"key": "PAR-41", "date": "2026-10-13 09:30", "unit": "dsq-fr", "type": "Họp báo",
            "title": "Họp báo", "campaign": "vnfr-2026", "audience": "45", "cost": "1 200",
            "currency": "EUR"}  # fmt: skip
    auto = {"date": "2026-10-14", "unit": "BC-TTDN", "type": "Training", "title": "Tập huấn phát ngôn"}
    bad = {"key": "X", "date": "2026-10-13", "unit": "DSQ-XX", "type": "event", "title": "?"}
    rows = _rows(good, auto, bad, {**good, "title": "Lặp"})
    report = outreach.activities.import_rows(rows, by="lan")
    assert not report.written and outreach.activities.list() == []
    assert [(r["line"], r["reason"]) for r in report.refused] == [
        (4, "unit 'DSQ-XX': no unit or mission with that code"),
        (5, "key PAR-41 is already on line 2"),
    ]
    report = outreach.activities.import_rows(rows, by="lan", valid_only=True)
    assert report.written and len(report.added) == 2 and report.added[0] == "PAR-41"
    stored = outreach.activities.get("PAR-41")
    assert (stored.type, stored.timezone, stored.audience, stored.cost) == (
        "press_conference",
        "Europe/Paris",
        45,
        1200.0,
    )
    assert stored.campaign_id == outreach.campaigns.resolve("VNFR-2026")
    with service.engine.connect() as conn:
        audited = (
            conn.execute(select(audit_log.c.action).where(audit_log.c.entity == "activity")).scalars().all()
        )
    assert audited == ["import", "import"]

    again = outreach.activities.import_rows(_rows(good, auto), by="lan")
    assert (again.added, again.changed, again.unchanged) == ([], [], 2)
    changed = outreach.activities.import_rows(_rows({**good, "audience": "60"}), by="lan")
    assert changed.changed == ["PAR-41"] and outreach.activities.get("PAR-41").audience == 60
    from caunoi.i18n import reworded

    said = [reworded(r["refusal"], r["params"], r["reason"], "vi") for r in report.refused]
    assert said[0] == "Đơn vị «DSQ-XX»: không có đơn vị hay cơ quan đại diện mã này."
    mine = outreach.activities.import_rows(
        _rows({**good, "key": "US-1", "unit": "DSQ-US"}), by="x", only_unit="DSQ-FR"
    )
    assert "you may import only DSQ-FR's activities" in mine.refused[0]["reason"]


def test_the_template_names_the_documented_columns_and_imports_as_it_is(outreach):
    import csv

    rows = list(csv.DictReader(io.StringIO(template_csv())))
    assert list(rows[0])[: len(IMPORT_COLUMNS)] == list(IMPORT_COLUMNS)
    report = outreach.activities.import_rows([(2, rows[0])], by="lan")
    assert report.written and report.added == ["PAR-2026-041"], report.refused


def test_an_import_reads_a_type_written_as_its_code(outreach):
    written = ("social_post", "article_placed", "Press conference", "Bài viết đăng báo")
    rows = _rows(
        *({"date": "2026-10-13", "unit": "DSQ-FR", "type": t, "title": f"Hoạt động {t}"} for t in written)
    )
    report = outreach.activities.import_rows(rows, by="lan")
    assert report.written, report.refused
    assert sorted(a.type for a in outreach.activities.list()) == [
        "article_placed", "article_placed", "press_conference", "social_post"
    ]  # fmt: skip


def test_types_dates_and_sums_are_read_as_people_write_them():
    names = type_names()
    assert names["hop bao"] == names["press conference"] == "press_conference"
    assert names["giao luu nhan dan"] == "exchange"
    utc = zone("UTC")
    assert moment("13/10/2026 09h30", utc, "date") == datetime(2026, 10, 13, 9, 30)
    assert moment("2026-10-13T09:30+07:00", utc, "date") == datetime(2026, 10, 13, 2, 30)
    assert moment(date(2026, 10, 13), zone("Asia/Ho_Chi_Minh"), "date") == datetime(2026, 10, 12, 17, 0)
    assert [amount(v, "x") for v in ("1.500.000", "1,500,000", "1.500.000,50", "1,5", "12")] == [
        1_500_000, 1_500_000, 1_500_000.5, 1.5, 12
    ]  # fmt: skip
    assert zone_of_country("fr") == "Europe/Paris" and zone_of_country("US") is None


def test_an_officer_reads_their_missions_outreach_and_one_bound_to_no_mission_reads_none(outreach):
    from caunoi.outreach import access

    pack = outreach.packs.add("Định hướng", "…", by="lan", to=["DSQ-FR", "DSQ-US"])
    paris = {"role": "mission_officer", "mission": "dsq-fr"}
    seen = access.pack_as_seen(paris, pack)
    assert [r.unit for r in seen.recipients] == ["DSQ-FR"] and seen.history == []
    assert access.pack_as_seen({"role": "analyst"}, pack) == pack
    assert access.mission(paris, access.WRITE) == "dsq-fr" and not access.headquarters(paris)
    assert access.mission({"role": "viewer"}, access.READ) is None
    for user in ({"role": "mission_officer", "mission": None}, {"role": "viewer"}):
        with pytest.raises(access.NotAllowed):
            access.mission(user, access.WRITE if user["role"] == "viewer" else access.READ)
    assert access.writes_library({"role": "analyst"}, "fact_sheet")
    assert not access.writes_library(paris, "position") and access.writes_library(paris, "video")
