"""Units and missions: added once under a code any case finds, refused with what to type instead,
and standing alone — cases, users and (next) outreach use them, never the other way round."""

from __future__ import annotations

import csv
import io
import json
import re
import unicodedata
from datetime import datetime

import pytest
from sqlalchemy import select
from support.imports import ROOT, imports_of

from caunoi.ingest.tables import read_rows
from caunoi.store.schema import audit_log
from caunoi.units import SAMPLE, UNIT_TYPES, DuplicateUnit, NotFound, Unit, UnitError


def test_units_and_missions_are_added_once_and_found_in_any_case(service):
    units = service.units
    mission = units.add("DSQ-US", " Đại sứ quán Việt Nam tại Hoa Kỳ ", kind="mission", country="us", by="lan")
    assert (mission.code, mission.name, mission.kind, mission.country) == (
        "DSQ-US",
        "Đại sứ quán Việt Nam tại Hoa Kỳ",
        "mission",
        "US",
    )
    assert isinstance(mission, Unit) and isinstance(mission.created_at, datetime)
    units.add("BC-TTDN", "Ban Thông tin đối ngoại", by="lan")
    assert units.get("dsq-us") == mission
    assert [u.code for u in units.list()] == ["BC-TTDN", "DSQ-US"]  # units first, then missions

    for code, name, kind, country, refusal in (
        ("dsq-US", "Trùng mã", "mission", None, "there is already a unit or mission with code dsq-US"),
        ("DSQ US", "Có dấu cách", "unit", None, "no spaces"),
        ("VU-TT", " ", "unit", None, "unit VU-TT: give its name"),
        (
            "VU-TT",
            "Vụ Thông tin Báo chí",
            "department",
            None,
            "unit kind 'department': use one of unit, mission",
        ),
        ("DSQ-FR", "Đại sứ quán tại Pháp", "mission", "France", "give its ISO 3166 two-letter code"),
    ):
        with pytest.raises(UnitError, match=refusal):
            units.add(code, name, kind=kind, country=country, by="lan")
    with pytest.raises(UnitError, match="say who"):
        units.add("VU-TT", "Vụ Thông tin Báo chí", by=" ")
    with pytest.raises(NotFound, match=r"no unit or mission with code 'DSQ-FR': add it first \(units add\)"):
        units.get("DSQ-FR")

    with service.engine.connect() as conn:
        added = conn.execute(select(audit_log.c.entity_id).where(audit_log.c.entity == "unit")).scalars()
        assert sorted(added) == ["BC-TTDN", "DSQ-US"]


def test_units_depend_on_no_case_user_or_fact_sheet():
    used = {target for _, target, _ in imports_of(ROOT / "units.py")}
    assert not used & {"caunoi.cases", "caunoi.users", "caunoi.factsheets"}, used


def test_a_code_with_a_capital_non_ascii_letter_is_found_in_any_case_on_both_backends(service):
    """SQLite's lower() folds ASCII letters only: ĐSQ-US could be added but never found again, so no
    officer could be bound to it and no case given to it."""
    mission = service.units.add("ĐSQ-US", "Đại sứ quán tại Hoa Kỳ", kind="mission", country="US", by="lan")
    decomposed = unicodedata.normalize("NFD", "Đsq-Ús")
    service.units.add("ĐSQ-ÚS", "Một mã có dấu", kind="mission", by="lan")
    for spelled in ("ĐSQ-US", "đsq-us", "Đsq-Us", " đSQ-US "):
        assert service.units.get(spelled) == mission
    assert service.units.get(decomposed).code == "ĐSQ-ÚS"
    with pytest.raises(UnitError, match="there is already a unit or mission with code đsq-us"):
        service.units.add("đsq-us", "Trùng mã", kind="mission", by="lan")
    assert [u.code for u in service.units.list()] == ["ĐSQ-US", "ĐSQ-ÚS"]

    officer = service.users.add_user(
        "hoaky", "một câu mật khẩu dài 2024", "mission_officer", mission="đsq-us", by="lan"
    )
    assert officer["mission"] == "ĐSQ-US"
    case = service.cases.open_case("Bài báo cần trả lời", by="lan")
    service.cases.assign(case.id, "đsq-US", "+3d", by="lan")
    assert service.cases.get(case.id).unit == "ĐSQ-US"
    for spelled in ("ĐSQ-US", "đsq-us"):
        assert [c.id for c in service.cases.list(unit=spelled)] == [case.id]
    assert service.cases.list(unit="ĐSQ-ÚS") == []


def test_a_mission_as_data_is_edited_and_retired_with_every_change_audited(service):
    """Issue 15, item 1: a mission with its names, type, the countries it covers (seat first), city,
    the host media's languages and website; edited and retired (not deleted), each change audited."""
    units = service.units
    paris = units.add(
        "ĐSQ-FR", "Đại sứ quán Việt Nam tại Pháp", kind="mission", by="lan",
        name_en="Embassy of Viet Nam in France", type="embassy", countries="mc, FR | pt", city=" Paris ",
        languages="fr", website="https://example.org/fr",
    )  # fmt: skip
    assert (paris.country, paris.countries, paris.city, paris.languages) == (
        "MC",
        ("MC", "FR", "PT"),
        "Paris",
        ("fr",),
    )
    paris = units.edit("đsq-fr", country="FR", languages="fr, en", by="hoa")
    assert paris.countries == ("FR", "MC", "PT") and paris.languages == ("fr", "en")
    assert paris.updated_at is not None and paris.name_en == "Embassy of Viet Nam in France"
    for changes, refusal in (
        ({"type": "castle"}, "unit type 'castle'"),
        ({"countries": "FR, France"}, "country 'France'"),
        ({"languages": "français"}, "language 'français'"),
        ({"website": "ftp://x"}, "website 'ftp://x'"),
        ({"name": " "}, "give its name"),
        ({"created_at": "X"}, "no field created_at"),
    ):
        with pytest.raises(UnitError, match=refusal):
            units.edit("ĐSQ-FR", by="hoa", **changes)
    assert units.get("ĐSQ-FR") == paris  # a refused edit changes nothing

    units.retire("ĐSQ-FR", by="hoa")
    assert units.list() == [] and [u.code for u in units.list(retired=True)] == ["ĐSQ-FR"]
    assert units.get("ĐSQ-FR").retired_at is not None  # cases and users still find it
    units.retire("ĐSQ-FR", by="hoa", retired=False)
    assert [u.code for u in units.list()] == ["ĐSQ-FR"]
    with service.engine.connect() as conn:
        rows = conn.execute(
            select(audit_log).where(audit_log.c.entity == "unit").order_by(audit_log.c.id)
        ).all()
    assert [(r.action, r.actor) for r in rows] == [
        ("add", "lan"),
        ("edit", "hoa"),
        ("retire", "hoa"),
        ("restore", "hoa"),
    ]
    assert rows[1].changes["languages"] == [["fr"], ["fr", "en"]]


def test_units_edit_and_retire_from_the_command_line(settings):
    from support.cli import cli

    cli(settings, "units", "add", "TGT-HK", "Tổng lãnh sự quán tại Hồng Kông", "--kind", "mission",
        "--type", "consulate_general", "--countries", "HK", "--languages", "zh,en",
        "--by", "lan")  # fmt: skip
    out = cli(
        settings,
        "units",
        "edit",
        "tgt-hk",
        "--city",
        "Hồng Kông",
        "--name-en",
        "Consulate General",
        "--by",
        "lan",
    )
    assert "changed mission TGT-HK" in out.output
    refused = cli(settings, "units", "edit", "TGT-HK", "--type", "castle", "--by", "lan", code=2)
    assert "unit type 'castle'" in refused.output
    cli(settings, "units", "retire", "TGT-HK", "--by", "lan")
    assert "TGT-HK" not in cli(settings, "units", "list").output
    listed = cli(settings, "units", "list", "--retired", "--json").output
    assert '"city": "Hồng Kông"' in listed and '"retired_at": "' in listed and '"countries": [\n' in listed


MISSIONS_CSV = """code,name,name_en,kind,type,country,countries,city,languages,website
ĐSQ-FR,Đại sứ quán Việt Nam tại Pháp,Embassy of Viet Nam in France,mission,embassy,FR,"FR,MC,PT",Paris,fr,
TLSQ-OSAKA,Tổng lãnh sự quán Việt Nam tại Osaka,,mission,consulate_general,JP,,Sakai,ja,
BC-TTDN,Ban Thông tin đối ngoại,,unit,office,,,Hà Nội,,
"""


def test_units_are_imported_from_a_file_whole_or_not_at_all_and_again_without_change(service, tmp_path):
    """Issue 15, item 1: units as data, loaded from a file; a bad row refuses the file (nothing is
    half-written) unless the valid rows are asked for; importing the same file again changes nothing."""
    units = service.units
    rows = [(n + 2, row) for n, row in enumerate(csv.DictReader(io.StringIO(MISSIONS_CSV)))]
    bad = [
        *rows,
        (5, {"code": "ĐSQ FR", "name": "Có dấu cách"}),
        (6, {**rows[0][1], "code": "ĐSQ-IT", "type": "castle"}),
    ]
    report = units.import_rows(bad, by="lan")
    assert not report.written and units.list(retired=True) == []
    assert [(r["line"], r["reason"][:20]) for r in report.refused] == [
        (5, "unit code 'ĐSQ FR': "),
        (6, "unit type 'castle': "),
    ]
    report = units.import_rows(bad, by="lan", valid_only=True)
    assert report.written and report.added == ["ĐSQ-FR", "TLSQ-OSAKA", "BC-TTDN"] and len(report.refused) == 2
    assert units.get("đsq-fr").countries == ("FR", "MC", "PT") and units.get("BC-TTDN").type == "office"

    again = units.import_rows(rows, by="lan")
    assert (again.added, again.changed, again.unchanged, again.refused) == ([], [], 3, [])
    moved = [(2, {**rows[0][1], "languages": "fr,en"}), (3, {**rows[1][1], "code": "tlsq-osaka"})]
    report = units.import_rows(moved, by="lan")
    assert (
        report.changed == ["ĐSQ-FR"]
        and report.unchanged == 1
        and units.get("ĐSQ-FR").languages == ("fr", "en")
    )
    refused = units.import_rows([*rows, (9, {**rows[0][1], "extra": "x"}), (10, rows[1][1])], by="lan")
    assert [r["reason"][:30] for r in refused.refused] == [
        "unknown column extra: the colu",
        "code TLSQ-OSAKA is already on ",
    ]


def test_units_import_from_the_command_line(settings, tmp_path):
    from support.cli import cli

    good = tmp_path / "units.csv"
    good.write_text(MISSIONS_CSV, encoding="utf-8")
    bad = tmp_path / "bad.csv"
    bad.write_text(MISSIONS_CSV + "X Y,Tên,,,,,,,,\n", encoding="utf-8")
    refused = cli(settings, "units", "import", str(bad), "--by", "lan", code=2)
    assert "nothing written" in refused.output and "row 5: unit code 'X Y'" in refused.output
    assert "ĐSQ-FR" not in cli(settings, "units", "list").output
    assert (
        "3 added, 0 changed, 0 unchanged, 1 refused"
        in cli(settings, "units", "import", str(bad), "--valid-only", "--by", "lan").output
    )
    assert '"unchanged": 3' in cli(settings, "units", "import", str(good), "--json", "--by", "lan").output
    utf16 = tmp_path / "utf16.csv"
    utf16.write_bytes("code,name\nDSQ-DE,Đại sứ quán\n".encode("utf-16"))
    assert (
        "utf16.csv is not UTF-8 (UTF-16): save it as CSV UTF-8"
        in cli(settings, "units", "import", str(utf16), "--by", "lan", code=2).output
    )


def test_the_shipped_missions_import_on_both_backends_and_a_second_time_change_nothing(service):
    """Issue 15, item 1: the missions abroad and the units at home ship as data
    (caunoi/data/units.sample.csv, its origin in units.sample.SOURCE.md) and load in one step."""
    report = service.units.import_file(SAMPLE, by="lan")
    assert report.written and report.refused == [] and report.changed == []
    missions = [u for u in service.units.list() if u.kind == "mission"]
    assert len(missions) >= 90 and len(report.added) == len(service.units.list())
    for mission in missions:
        assert mission.name and mission.name_en and mission.type in UNIT_TYPES, mission
        assert mission.country and mission.countries[0] == mission.country and mission.languages, mission
    assert {u.type for u in missions} == {"embassy", "consulate_general", "permanent_mission", "office"}
    units = [u for u in service.units.list() if u.kind == "unit"]
    assert {u.type for u in units} >= {"ministry_department", "press_agency"}
    paris = service.units.get("dsq-fr")
    assert (paris.name_en, paris.countries, paris.city, paris.languages) == (
        "Embassy of Viet Nam in France",
        ("FR", "MC"),  # Portugal has its own embassy now (Lisbon)
        "Paris",
        ("fr",),
    )
    assert service.units.get("PDTT-UN-NY").type == "permanent_mission"
    assert service.units.get("TLSQ-US-SFO").name == "Tổng Lãnh sự quán Việt Nam tại San Francisco"

    again = service.units.import_file(SAMPLE, by="lan")
    assert (again.added, again.changed, again.refused) == ([], [], [])
    assert again.unchanged == len(report.added)


def test_every_shipped_row_names_its_origin_as_its_provenance_note_counts_them():
    rows = [row for _, row in read_rows(SAMPLE)]
    sources = [row["source"] for row in rows]
    assert all(re.fullmatch(r"wikidata:Q\d+|public list \(manual\)", s) for s in sources), sources
    note = SAMPLE.with_name("units.sample.SOURCE.md").read_text(encoding="utf-8")
    wikidata = sum(s.startswith("wikidata:") for s in sources)
    assert f"| **all** | | **{len(rows)}** | **{wikidata}** | **{len(rows) - wikidata}** |" in note
    assert "b1987a62f9412564fa33c5e9193a65319bc504a3" in note  # the extract's commit
    assert "SPDX-License-Identifier: Unicode-3.0" in note  # CLDR's notice, which must travel with it
    assert "viet" not in SAMPLE.name.lower()  # the file is a country's data; its name is any country's


def test_the_shipped_list_imports_from_the_command_line_once(settings):
    from support.cli import cli

    first = cli(settings, "units", "import", "--sample", "--by", "lan").output
    assert re.search(r"units\.sample\.csv: \d{3} added, 0 changed, 0 unchanged, 0 refused", first)
    again = json.loads(cli(settings, "units", "import", "--sample", "--json", "--by", "lan").output)
    assert (again["added"], again["changed"], again["refused"], again["written"]) == ([], [], [], True)
    assert again["unchanged"] >= 100
    for args in ((), ("missions.csv", "--sample")):
        assert "give a FILE or --sample" in cli(settings, "units", "import", *args, code=2).output


def _workbook(path, rows):
    from openpyxl import Workbook

    book = Workbook()
    book.active.title = "Cơ quan đại diện"
    for row in rows:
        book.active.append(row)
    book.create_sheet("Ghi chú").append(["not read: only the first sheet is"])
    book.save(path)
    return path


def test_units_import_from_a_spreadsheet_reports_each_refused_row_by_its_row_number(service, tmp_path):
    header = ["code", "name", "name_en", "kind", "type", "country", "countries", "city", "languages"]
    book = _workbook(tmp_path / "missions.xlsx", [
        header,
        ["DSQ-FR", "Đại sứ quán Việt Nam tại Pháp", None, "mission", "embassy", "FR", "FR, MC", "Paris",
         "fr"],
        [],  # a blank row is left out, and the row numbers stay the spreadsheet's
        ["TLSQ-JP-OSA", "Tổng Lãnh sự quán Việt Nam tại Osaka", None, "mission", "consulate_general", "JP",
         None, "Osaka", "ja"],
        ["VU 12", "Mã có dấu cách", None, "unit"],
        [12, "Một mã là số", None, "unit", "other"],
    ])  # fmt: skip
    report = service.units.import_file(book, by="lan")
    assert not report.written and [(r["line"], r["code"]) for r in report.refused] == [(5, "VU 12")]
    report = service.units.import_file(book, by="lan", valid_only=True)
    assert report.added == ["DSQ-FR", "TLSQ-JP-OSA", "12"]  # a number cell reads as typed, not 12.0
    assert service.units.get("DSQ-FR").countries == ("FR", "MC")
    assert service.units.import_file(book, by="lan", valid_only=True).unchanged == 3


def test_a_file_that_is_not_a_table_is_refused_whole_and_says_what_to_do(settings, tmp_path):
    from support.cli import cli

    broken = tmp_path / "missions.xlsx"
    broken.write_bytes(b"PK\x03\x04 not really a workbook")
    old = tmp_path / "missions.xls"
    old.write_bytes(b"\xd0\xcf\x11\xe0")
    legacy = tmp_path / "missions.csv"
    # Excel's plain "CSV" on a Vietnamese Windows: code page 1258, its tone marks combining
    legacy.write_bytes(unicodedata.normalize("NFD", "code,name\nDSQ-FR,Đại Pháp\n").encode("cp1258"))
    for path, refusal in (
        (broken, "missions.xlsx: not a workbook Excel or LibreOffice can open as .xlsx"),
        (old, "missions.xls: not a file type read here; save it as CSV UTF-8 (.csv), .tsv or Excel .xlsx"),
        (legacy, "missions.csv is not UTF-8 (byte 18): save it as CSV UTF-8"),
        (tmp_path / "gone.csv", "cannot read gone.csv: No such file or directory"),
    ):
        assert refusal in cli(settings, "units", "import", str(path), "--by", "lan", code=2).output
    assert cli(settings, "units", "list", "--json").output.strip() == "[]"


def test_units_are_listed_by_kind_type_and_words_and_each_keeps_its_history(service):
    """What the units page and GET /api/v1/units filter by: kind, type, and every word of a text box
    in the code, names, city or countries, diacritics optional."""
    units = service.units
    units.add("VU-TTBC", "Vụ Thông tin Báo chí", type="ministry_department", by="lan")
    units.add("DSQ-JP", "Đại sứ quán Việt Nam tại Nhật Bản", kind="mission", type="embassy",
              country="JP", city="Tokyo", name_en="Embassy of Viet Nam in Japan", by="lan")  # fmt: skip
    units.add("TLSQ-OSAKA", "Tổng Lãnh sự quán Việt Nam tại Osaka", kind="mission",
              type="consulate_general", country="JP", city="Osaka", by="lan")  # fmt: skip
    codes = lambda **given: [u.code for u in units.list(**given)]  # noqa: E731
    assert codes(kind="mission") == ["DSQ-JP", "TLSQ-OSAKA"] and codes(kind="unit") == ["VU-TTBC"]
    assert codes(type="embassy") == ["DSQ-JP"]
    assert codes(text="dai su quan") == ["DSQ-JP"] and codes(text="JP") == ["DSQ-JP", "TLSQ-OSAKA"]
    assert codes(text="tokyo EMBASSY") == ["DSQ-JP"] and codes(text="báo chí") == ["VU-TTBC"]
    assert codes(text="Paris") == [] and codes(kind="mission", text="osaka") == ["TLSQ-OSAKA"]
    units.retire("TLSQ-OSAKA", by="hoa")
    assert codes(text="osaka") == [] and codes(text="osaka", retired=True) == ["TLSQ-OSAKA"]

    with pytest.raises(UnitError, match="unit kind None"):  # a unit is a unit or a mission, never neither
        units.edit("DSQ-JP", kind=None, by="hoa")
    with pytest.raises(DuplicateUnit, match="already a unit or mission with code dsq-jp") as taken:
        units.add("dsq-jp", "Trùng", by="lan")
    assert taken.value.kind == "conflict" and isinstance(taken.value, UnitError)

    units.edit("dsq-jp", city="Tōkyō", by="hoa")
    history = units.history("dsq-jp")
    assert [(h["action"], h["actor"]) for h in history] == [("add", "lan"), ("edit", "hoa")]
    assert history[1]["changes"] == {"city": ["Tokyo", "Tōkyō"]}
    with pytest.raises(NotFound):
        units.history("DSQ-XX")
