"""References to Party and State documents: every spelling to one id, nothing guessed."""

from __future__ import annotations

from datetime import date

import pytest

from caunoi.enrich import stage as enrich_stage
from caunoi.enrich.docrefs import canonical_ref, doc_types, find_doc_refs
from caunoi.models import SearchRequest


def ids(text: str) -> list[str | None]:
    return [r.id for r in find_doc_refs(text)]


# Sentences from vi-news-unc (dantri.com.vn, 2020-21, GPL-3.0), as published.
REAL = [
    (
        "Trong đó, Ban Thường vụ Tỉnh ủy tại Thông báo số 203-TB/TU ngày 28/4/2021 và tiếp tục thực hiện",
        ["203-TB/TU"],
    ),
    (
        "thực hiện nghiêm Công điện số 02/CĐ-UBND ngày 26/4/2021 của Chủ tịch UBND tỉnh",
        ["2/CĐ-UBND"],
    ),
    (
        "ngày 14/5/2018 và Chỉ thị số 24/CT-TTg ngày 28/5/2020 của Thủ tướng Chính phủ",
        ["24/CT-TTg"],
    ),
    (
        "quyết liệt, thực hiện Nghị quyết số 35-NQ/TW ngày 22/10/2018 của Bộ Chính trị về tăng cường",
        ["35-NQ/TW"],
    ),
    (
        "theo Luật sửa đổi số 34/2018/QH14 và Nghị định số 99/2019/NĐ-CP thì không được ban hành",
        ["34/2018/QH14", "99/2019/NĐ-CP"],
    ),
    (
        "Chính phủ quy định về học phí tại Nghị định số 86/2015/NĐ-CP (sẽ hết hiệu lực khi năm học "
        "2020-2021 kết thúc). Bộ GDĐT đang trình Chính phủ dự thảo Nghị định thay thế Nghị định 86",
        ["86/2015/NĐ-CP", "86/2015/NĐ-CP"],
    ),
    ("Tại Văn bản số 2803/UBND-VX vừa ban hành, UBND thành phố yêu cầu", ["2803/UBND-VX"]),
    (
        "tuyên truyền và triển khai thực hiện Nghị quyết Đại hội XIII của Đảng, Nghị quyết Đại hội Đảng bộ",
        ["NQ-ĐH/XIII"],
    ),
    ("Thông tư 36/2017/TT-BGDĐT, 36-HD/BTCTW và 03-CTr/TU", ["36/2017/TT-BGDĐT", "36-HD/BTCTW", "3-CTr/TU"]),
]


@pytest.mark.parametrize("text, expected", REAL)
def test_real_sentences(text, expected):
    assert ids(text) == expected


def test_every_spelling_of_one_document_has_one_id():
    spellings = ["57-KL/TW", "Kết luận số 57-KL/TW", "Kết luận 57 - KL/TW", "057-KL/TW", "57-KL / TW"]
    assert {canonical_ref(s) for s in spellings} == {"57-KL/TW"}
    assert canonical_ref("04-CT/TW") == canonical_ref("4-CT/TW") == "4-CT/TW"
    assert canonical_ref("08-QĐI/TW") == "8-QĐi/TW"  # the table's case for a mixed-case code
    assert canonical_ref("30/2020/NÐ-CP") == "30/2020/NĐ-CP"  # Ð (eth) typed for Đ
    assert canonical_ref("Nghị quyết Đại hội Đảng toàn quốc lần thứ XIII") == "NQ-ĐH/XIII"


def test_fields_of_a_reference():
    (ref,) = find_doc_refs(
        "Thực hiện Kết luận số 57-KL/TW ngày 15/6/2023 của Bộ Chính trị về thông tin đối ngoại"
    )
    assert (ref.system, ref.type_code, ref.type_name, ref.number) == ("party", "KL", "Kết luận", "57")
    assert (
        ref.issuer == "Ban Chấp hành Trung ương Đảng" and ref.date == date(2023, 6, 15) and ref.score == 1.0
    )
    (decree,) = find_doc_refs("Nghị định 72/2015/NĐ-CP về quản lý hoạt động thông tin đối ngoại")
    assert (decree.system, decree.year, decree.issuer, decree.date) == ("legal", 2015, "Chính phủ", None)
    (law,) = find_doc_refs("Luật số 67/2020/QH14")
    assert (law.type_name, law.issuer) == ("Luật", "Quốc hội khóa 14")


def test_a_short_form_is_resolved_only_from_the_same_text():
    resolved = find_doc_refs("Nghị định 116/2020/NĐ-CP … Theo Nghị định 116, sinh viên sư phạm được hỗ trợ")
    assert [(r.id, r.score) for r in resolved] == [("116/2020/NĐ-CP", 1.0), ("116/2020/NĐ-CP", 0.9)]
    (alone,) = find_doc_refs("các địa phương thực hiện giãn cách xã hội theo Chỉ thị 16 của Thủ tướng")
    assert alone.id is None and alone.score == 0.5 and (alone.type_name, alone.number) == ("Chỉ thị", "16")


@pytest.mark.parametrize(
    "text",
    [
        "tỷ lệ 3/4 số phiếu, ngày 12/8/2023, năm học 2020-2021, phòng 12/3A",
        "Văn phòng Luật sư Nguyễn Văn A; Công ty Luật TNHH Hà Nội",
        "giá 1.200/kg; COVID-19; tỉ số 2-1; iPhone 12/128GB",
        "mã số 12/AB-CD không được giới thiệu là công văn",  # number/BODY-UNIT needs "Công văn" before it
    ],
)
def test_numbers_that_are_not_documents(text):
    assert ids(text) == []


def test_type_codes_are_data_with_both_systems():
    codes = {(system, code) for system, code in doc_types()}
    assert {("party", "QĐi"), ("party", "KL"), ("state", "QyĐ"), ("state", "CTr"), ("legal", "NĐ")} <= codes


def test_enrich_then_search_by_document(service, tmp_path):
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "a.txt").write_text(
        "# url = https://example.vn/a\nHội nghị triển khai Kết luận 57-KL/TW\n"
        "Sáng 24/11, Ban Tuyên giáo tổ chức hội nghị quán triệt Kết luận số 57-KL/TW ngày 15/6/2023 của Bộ "
        "Chính trị về tiếp tục đổi mới, nâng cao chất lượng công tác thông tin đối ngoại.\n",
        encoding="utf-8",
    )
    (docs / "b.txt").write_text(
        "# url = https://example.vn/b\nSơ kết công tác thông tin đối ngoại\n"
        "Các đơn vị báo cáo việc thực hiện Nghị định 72/2015/NĐ-CP về quản lý hoạt động thông tin "
        "đối ngoại.\n",
        encoding="utf-8",
    )
    assert service.ingest([docs]).enriched == 2  # ingest enriches what it stored
    assert service.enrich() == 0  # nothing stale
    hits = service.search(SearchRequest(query="", tags=(("doc_ref", canonical_ref("Kết luận 057-KL/TW")),)))
    assert [h.title for h in hits] == ["Hội nghị triển khai Kết luận 57-KL/TW"]
    both = service.search(SearchRequest(query="thong tin doi ngoai", tags=(("doc_ref", "72/2015/NĐ-CP"),)))
    assert [h.title for h in both] == ["Sơ kết công tác thông tin đối ngoại"]
    article = service.article(hits[0].id)
    assert article.enrichment_version == enrich_stage.ENRICH_VERSION
    assert [(r["id"], r["in"]) for r in article.doc_refs] == [("57-KL/TW", "title"), ("57-KL/TW", "text")]


def test_a_new_enrichment_version_redoes_every_article(service, tmp_path, monkeypatch):
    (tmp_path / "a.txt").write_text("Tiêu đề\nThực hiện Chỉ thị 04-CT/TW của Ban Bí thư.\n", encoding="utf-8")
    assert service.ingest([tmp_path / "a.txt"]).enriched == 1
    assert service.enrich() == 0
    monkeypatch.setattr("caunoi.enrich.stage.ENRICH_VERSION", enrich_stage.ENRICH_VERSION + 1)
    assert service.enrich() == 1 and service.enrich() == 0
    assert service.enrich(everything=True) == 1


def test_laws_cited_by_name():
    text = "Theo Luật Giáo dục 2019 và Luật Giáo dục đại học sửa đổi, Bộ luật Lao động năm 2019 quy định"
    assert ids(text) == ["Luật Giáo dục 2019", "Luật Giáo dục đại học", "Bộ luật Lao động 2019"]
    # a university, a law firm and a lawyer are not laws
    assert ids("Trường Đại học Luật Hà Nội; Công ty Luật TNHH Minh Khuê; Luật sư Nguyễn Văn A") == []
    assert canonical_ref("Luật Báo chí năm 2016") == "Luật Báo chí 2016"


def test_a_law_with_its_year_is_found_by_its_name_alone(service, tmp_path):
    (tmp_path / "a.txt").write_text(
        "Sửa đổi Luật Báo chí\nBộ Thông tin và Truyền thông đề xuất sửa đổi Luật Báo chí 2016.\n",
        encoding="utf-8",
    )
    service.ingest([tmp_path / "a.txt"])
    for query in ("Luật Báo chí", "Luật Báo chí năm 2016"):
        hits = service.search(SearchRequest(query="", tags=(("doc_ref", canonical_ref(query)),)))
        assert [h.title for h in hits] == ["Sửa đổi Luật Báo chí"]
