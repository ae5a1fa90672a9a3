"""caunoi.enrich.persons: people with their titles, and the hand-annotated NER set (tests/data/ner)."""

from __future__ import annotations

from pathlib import Path

import pytest

from caunoi.enrich.persons import find_persons, trailing_name

NER = Path(__file__).parent / "data" / "ner" / "vi_news_ner.tsv"


def one(text: str):
    people = find_persons(text)
    assert len(people) == 1, people
    return people[0]


@pytest.mark.parametrize(
    ("text", "name", "title", "organisation", "organisation_id", "country_id"),
    [
        (
            "Trưởng Ban Tuyên giáo Trung ương Nguyễn Trọng Nghĩa phát biểu.",
            "Nguyễn Trọng Nghĩa", "Trưởng Ban", "Ban Tuyên giáo Trung ương", "vnbody:propaganda",
            "country:VN",
        ),
        ("Thủ tướng Phạm Minh Chính cho biết.", "Phạm Minh Chính", "Thủ tướng", None, None, None),
        (
            "Bộ trưởng Ngoại giao Bùi Thanh Sơn tiếp Đại sứ.",
            "Bùi Thanh Sơn", "Bộ trưởng", "Bộ Ngoại giao", "vnbody:mofa", "country:VN",
        ),
        (
            "Người phát ngôn Bộ Ngoại giao Lê Thị Thu Hằng trả lời.",
            "Lê Thị Thu Hằng", "Người phát ngôn", "Bộ Ngoại giao", "vnbody:mofa", "country:VN",
        ),
        (
            "Bộ trưởng Bộ Y tế Nguyễn Thanh Long chỉ đạo.",
            "Nguyễn Thanh Long", "Bộ trưởng", "Bộ Y tế", "vnbody:moh", "country:VN",
        ),
        ("Tổng thống Mỹ Joe Biden phát biểu.", "Joe Biden", "Tổng thống", None, None, "country:US"),
        ("Ngoại trưởng Nga Sergei Lavrov nói.", "Sergei Lavrov", "Ngoại trưởng", None, None, "country:RU"),
        ("Tổng Bí thư Nguyễn Phú Trọng", "Nguyễn Phú Trọng", "Tổng Bí thư", None, None, "country:VN"),
        (
            "Chủ tịch UBND tỉnh Quảng Nam Lê Trí Thanh ký quyết định.",
            "Lê Trí Thanh", "Chủ tịch", "UBND tỉnh Quảng Nam", "org:ubnd-quang-nam", "country:VN",
        ),
        (  # an organisation outside the gazetteers (caunoi.enrich.orgs) ends before the name
            "Giám đốc Bệnh viện Bạch Mai Đào Xuân Cơ cho biết.",
            "Đào Xuân Cơ", "Giám đốc", "Bệnh viện Bạch Mai", "org:benh-vien-bach-mai", None,
        ),
        ("CEO Bkav Nguyễn Tử Quảng có động thái", "Nguyễn Tử Quảng", "CEO", "Bkav", None, None),
        ("Ngoại trưởng Vương Nghị diễn ra", "Vương Nghị", "Ngoại trưởng", None, None, None),
        ("US President Joe Biden said on Monday.", "Joe Biden", "President", None, None, "country:US"),
        (
            "Ông Đào Mạnh Kháng, Chủ tịch HĐQT ABBank, cho biết",
            "Đào Mạnh Kháng", "Chủ tịch HĐQT", "ABBank", None, None,
        ),
    ],
)  # fmt: skip
def test_titles_and_organisations(text, name, title, organisation, organisation_id, country_id):
    p = one(text)
    assert (p.name, p.title, p.organisation, p.organisation_id, p.country_id) == (
        name,
        title,
        organisation,
        organisation_id,
        country_id,
    )
    assert text[p.start : p.end] == p.name


def test_macron_after_another_title():
    p = one("Chủ tịch nước tiếp Tổng thống Pháp Emmanuel Macron.")
    assert (p.name, p.title, p.country_id) == ("Emmanuel Macron", "Tổng thống", "country:FR")


def test_id_is_the_folded_name():
    assert one("Tổng Bí thư Nguyễn Phú Trọng").id == "person:nguyen-phu-trong"


def test_name_without_title_needs_a_surname_and_scores_lower():
    p = one("Nguyễn Văn Anh đến Anh.")
    assert (p.name, p.title) == ("Nguyễn Văn Anh", None)
    assert p.score < one("Thủ tướng Phạm Minh Chính").score
    assert find_persons("Anh và Pháp ký thỏa thuận.") == []  # the UK, not a person


@pytest.mark.parametrize(
    "text",
    [
        "Tàu đi qua Thái Bình Dương.",
        "Cửa hàng trên đường Nguyễn Trãi đóng cửa.",
        "Bộ trưởng cho biết sẽ xem xét.",
        "Người phát ngôn Bộ Ngoại giao trả lời phóng viên.",
        "Sinh viên Trường THPT Hồ Nghinh đạt giải.",
        "anh H.H cho biết, anh có 2 tài khoản",
        "Trao đổi với Hà Nội Mới, Chủ tịch Hội Nông dân cho biết",
    ],
)
def test_not_persons(text):
    assert find_persons(text) == []


def test_forms_of_address_give_the_name_but_not_a_title():
    people = find_persons("Hậu quả vụ tai nạn khiến anh Tiệp tử vong, còn anh Tùng được đưa đi cấp cứu.")
    assert [(p.name, p.title) for p in people] == [("Tiệp", None), ("Tùng", None)]


@pytest.mark.parametrize("path", [NER, NER.with_name("vi_news_ner_dev.tsv")], ids=["test", "dev"])
def test_annotated_set_parses_with_consistent_offsets(path):
    lines = [ln for ln in path.read_text(encoding="utf-8").splitlines() if ln and not ln.startswith("#")]
    assert lines[0].split("\t") == ["id", "doc", "text", "entities"]
    rows = [ln.split("\t") for ln in lines[1:]]
    assert len(rows) >= 150
    assert len({r[0] for r in rows}) == len(rows)
    n = 0
    for sid, doc, text, cell in rows:
        assert doc.startswith("news_"), sid
        last_end = -1
        for item in filter(None, cell.split(";")):
            typ, s, e = item.split()
            s, e = int(s), int(e)
            assert typ in ("PER", "ORG", "LOC"), (sid, item)
            assert 0 <= s < e <= len(text) and s >= last_end, (sid, item)
            surface = text[s:e]
            assert surface == surface.strip() and surface[0].isalnum(), (sid, surface)
            last_end = e
            n += 1
    assert n >= 200


def test_a_name_that_ends_a_role_string_is_found_after_lower_case_words_and_acronyms():
    assert trailing_name("Quyền Vụ trưởng Vụ Giáo dục đại học Nguyễn Thu Thủy") == "Nguyễn Thu Thủy"
    assert trailing_name("Chánh Văn phòng Bộ GD&ĐT Trần Quang Nam") == "Trần Quang Nam"
    assert trailing_name("Đại sứ quán Việt Nam tại Hàn Quốc") is None  # a country, not Mr Hàn
    assert trailing_name("Người phát ngôn Bộ Ngoại giao") is None


def test_a_vietnamese_name_the_foreign_press_writes_without_diacritics_is_found_after_its_title():
    """English copy writes "Pham Minh Chinh": after a title it is the same person as "Phạm Minh Chính",
    and "on Tuesday" after it is no name."""
    text = (
        "Vietnamese Prime Minister Pham Minh Chinh on Tuesday received Deputy Foreign Minister Nguyen Quoc"
        " Dung."
    )
    ids = [p.id for p in find_persons(text)]
    assert ids == ["person:pham-minh-chinh", "person:nguyen-quoc-dung"]
    assert [p.id for p in find_persons("Thủ tướng Phạm Minh Chính hôm thứ Ba tiếp khách.")] == ids[:1]
    assert find_persons("The Pham family on Tuesday opened a shop in Hanoi.") == []  # no title, no name
