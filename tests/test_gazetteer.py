"""The gazetteers (caunoi/data/gazetteer/*.tsv) and the matcher over them."""

from __future__ import annotations

import re
import unicodedata
from collections import Counter

import pycountry
import pytest

from caunoi.enrich.gazetteer import (
    FILES,
    FOREIGN_FILES,
    RULES,
    Mention,
    alias_key,
    find_mentions,
    load_gazetteer,
    read_tsv,
)

PREFIX = {name: etype for name, (etype, _) in FILES.items()}


def found(text: str) -> list[tuple[str, str]]:
    return [(m.surface, m.entry_id) for m in find_mentions(text)]


def ids(text: str) -> list[str]:
    return [m.entry_id for m in find_mentions(text)]


# -- the data --------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", [*FILES, *FOREIGN_FILES, "context.tsv"])
def test_files_parse_and_say_where_they_come_from(name):
    comments, rows = read_tsv(name)
    header = "\n".join(comments)
    assert "Origin" in header and "Licence" in header and re.search(r"\b20\d\d\b", header)
    assert rows, name
    columns = list(rows[0])
    for col in columns:  # every column is documented in the header
        assert re.search(rf"#\s+.*\b{re.escape(col)}\b", header), (name, col)
    for row in rows:
        assert None not in row and all(v is not None for v in row.values()), row  # no ragged rows
        assert "\t" not in "".join(row.values())
    if name in FILES:
        for row in rows:
            assert row["id"].startswith(PREFIX[name] + ":"), row["id"]
            assert row["name_vi"] and row["name_en"], row["id"]


def test_ids_are_unique_across_files():
    all_ids = [row["id"] for name in FILES for row in read_tsv(name)[1]]
    assert [i for i, n in Counter(all_ids).items() if n > 1] == []
    assert len(load_gazetteer()) == len(all_ids)


def test_counts():
    g = load_gazetteer()
    by_type = Counter(e.type for e in g)
    assert by_type["country"] >= 249
    assert by_type["province"] == 63
    assert by_type["vnbody"] >= 80
    assert by_type["media"] >= 30
    assert by_type["org"] >= 70


def test_countries_cover_iso_3166_1_from_pycountry():
    g = load_gazetteer()
    for c in pycountry.countries:
        e = g.get(f"country:{c.alpha_2}")
        assert e is not None, c.alpha_2
        assert e.get("alpha3") == c.alpha_3 and e.get("numeric") == c.numeric
    vn = g.get("country:VN")
    assert {"Việt Nam", "Vietnam", "Viet Nam", "VN", "nước ta", "Vietnamese"} <= set(vn.aliases)


def test_country_regions_and_groups():
    g = load_gazetteer()
    countries = g.of_type("country")
    regions = {e.get("region") for e in countries}
    assert regions <= {
        "ASEAN",
        "East Asia",
        "South Asia",
        "Central Asia",
        "West Asia",
        "Europe",
        "North America",
        "Latin America and Caribbean",
        "Oceania",
        "Africa",
        "Antarctica",
        "historical",
    }
    members = Counter(grp for e in countries for grp in e.get("groups").split("|") if grp)
    assert members == {
        "ASEAN": 11,
        "EU": 27,
        "G7": 7,
        "G20": 19,
        "P5": 5,
        "APEC": 21,
        "NATO": 32,
        "BRICS": 10,
    }
    assert {e.id for e in countries if e.get("region") == "ASEAN"} == {
        f"country:{c}" for c in ("BN", "KH", "ID", "LA", "MY", "MM", "PH", "SG", "TH", "TL", "VN")
    }


def test_provinces_63_and_34():
    g = load_gazetteer()
    provinces = {e.id: e for e in g.of_type("province")}
    kept = {i for i, e in provinces.items() if e.get("in_34") == "yes"}
    assert len(provinces) == 63 and len(kept) == 34
    municipalities = {
        e.name_vi for i, e in provinces.items() if i in kept and e.get("kind") == "municipality"
    }
    assert municipalities == {"Hà Nội", "TP Hồ Chí Minh", "Hải Phòng", "Đà Nẵng", "Cần Thơ", "Huế"}
    for i, e in provinces.items():
        if i in kept:
            assert not e.get("valid_to") and not e.get("merged_into")
            for gone in e.get("absorbed").split("|") if e.get("absorbed") else []:
                assert provinces[gone].get("merged_into") == i
        else:
            assert e.get("valid_to") == "2025-06-30"
            assert i in provinces[e.get("merged_into")].get("absorbed").split("|")
    assert (
        provinces["province:SG"].get("absorbed") == "province:57|province:43"
    )  # Bình Dương, Bà Rịa - Vũng Tàu


def _date_ok(value: str) -> bool:
    return value == "" or bool(re.fullmatch(r"\d{4}(-\d{2}(-\d{2})?)?", value))


def test_bodies_links_dates_and_government_structure():
    g = load_gazetteer()
    bodies = g.of_type("vnbody")
    for e in bodies:
        assert _date_ok(e.get("valid_from")) and _date_ok(e.get("valid_to")), e.id
        for col in ("successor", "parent"):
            assert not e.get(col) or g.get(e.get(col)) is not None, (e.id, col)
    cabinet = [e for e in bodies if e.get("kind") in ("ministry", "ministry-level")]
    now = [e for e in cabinet if not e.get("valid_to")]
    assert len([e for e in now if e.get("kind") == "ministry"]) == 14  # since 1 March 2025
    assert len(now) == 17
    before = [e for e in cabinet if not e.get("valid_from") or e.get("valid_from") < "2025-03"]
    assert len([e for e in before if e.get("kind") == "ministry"]) == 18  # 2021 - February 2025
    assert len(before) == 22
    assert g.get("vnbody:propaganda").get("successor") == "vnbody:propaganda-mass-mobilisation"
    assert g.get("vnbody:mic").get("valid_to") == "2025-02-28"
    assert {"MOFA", "Ministry of Foreign Affairs", "Bộ Ngoại giao"} <= set(g.get("vnbody:mofa").aliases)


def test_media_owners_and_hosts():
    g = load_gazetteer()
    for e in g.of_type("media"):
        owner = e.get("owner")
        assert not owner or g.get(owner) is not None, e.id
    assert g.entry_for_host("https://vnexpress.net/thoi-su/abc.html").id == "media:vnexpress"
    assert g.entry_for_host("e.vnexpress.net").id == "media:vnexpress"
    assert g.entry_for_host("https://www.bbc.com/vietnamese/articles/x").id == "media:bbc-vietnamese"
    assert g.entry_for_host("https://www.bbc.com/news") is None
    assert g.entry_for_host("dantri.com.vn").id == "media:dantri"
    assert g.entry_for_host("https://en.nhandan.vn/").id == "media:nhandan"
    assert g.entry_for_host("example.org") is None


def test_ambiguous_generic_and_attributive_columns_name_real_aliases():
    g = load_gazetteer()
    for e in g:
        norm = {alias_key(a) for a in e.aliases}
        for item in e.ambiguous:
            alias, _, rules = item.rpartition(":")
            assert alias_key(alias) in norm, (e.id, alias)
            assert set(rules.split("+")) <= set(RULES), (e.id, item)
        for alias in e.get("generic").split("|") if e.get("generic") else []:
            assert alias_key(alias) in norm, (e.id, alias)
        for form in e.attributive:
            assert len(alias_key(form.split(":")[0])) == 1, (e.id, form)


# Aliases shared by two entries on purpose: none. Add here, with a reason, any that must be.
ALLOWED_COLLISIONS: dict[tuple[str, ...], list[str]] = {}
# Blocked phrases that are also an alias, told apart by case only.
BLOCKED_ALIASES = {("lao", "động")}  # "Lao động" (labour) is blocked, "Lao Động" is the newspaper


def test_no_alias_names_two_entries_silently():
    g = load_gazetteer()
    assert g.collisions() == ALLOWED_COLLISIONS
    folded: dict[tuple[str, ...], set[str]] = {}  # the no-diacritics forms of multi-syllable aliases
    for a in g.aliases:
        if a.entry and a.n > 1:
            folded.setdefault(a.folded, set()).add(a.entry.id)
    assert {k: v for k, v in folded.items() if len(v) > 1} == {}
    blocks = {a.keys for a in g.aliases if a.entry is None}
    assert {a.keys for a in g.aliases if a.entry and a.keys in blocks} == BLOCKED_ALIASES


# -- the matcher on real sentences of demo/data/vi-news-unc (dantri.com.vn, 2020-2021) ---------------

DEMO = [
    (  # world_118
        "Mỹ, Anh, Pháp, Đức và Pakistan là những quốc gia đã tham gia hỗ trợ và gửi các thiết bị y tế cần "
        "thiết, "
        "bao gồm máy thở và ôxy, cho Ấn Độ.",
        [
            ("Mỹ", "country:US"),
            ("Anh", "country:GB"),
            ("Pháp", "country:FR"),
            ("Đức", "country:DE"),
            ("Pakistan", "country:PK"),
            ("Ấn Độ", "country:IN"),
        ],
    ),
    (  # world_118: "Anh" before a foreign personal name is the nationality
        "Theo Ngoại trưởng Anh Dominic Raab, những chuyến hàng viện trợ đầu tiên từ Anh đã đến Ấn Độ hôm "
        "27/4.",
        [("Anh", "country:GB"), ("Anh", "country:GB"), ("Ấn Độ", "country:IN")],
    ),
    (  # entertainment_145: "Anh Đức" is a singer
        "Phản ứng buồn bực của nam diễn viên khiến Tiến Luật, Lâm Vỹ Dạ, Anh Đức, S.T Sơn Thạch… và hàng "
        "loạt "
        "khán giả vừa thương vừa không nhịn được cười.",
        [],
    ),
    (  # education_046: "Vũ Đức Đam" is a person
        "Phó Thủ tướng Vũ Đức Đam đề nghị, Bộ GD&ĐT, Bộ Tài chính, các nhà xuất bản cùng các bộ, ngành liên "
        "quan phát huy tinh thần trách nhiệm để công tác xuất bản, phát hành SGK.",
        [("Phó Thủ tướng", "vnbody:deputy-pm"), ("Bộ GD&ĐT", "vnbody:moet"), ("Bộ Tài chính", "vnbody:mof")],
    ),
    (  # education_163: the language, kept with a low score
        "Chương trình xét tuyển học viên đã hoàn thành trình độ đại học; trong đó, học viên chưa đạt trình "
        "độ "
        "tiếng Anh sẽ được học tiếng Anh tăng cường trước khi vào học chuyên môn.",
        [("Anh", "country:GB"), ("Anh", "country:GB")],
    ),
    (  # sport_037: an attributive pair
        'Tờ báo này nhấn mạnh: "Sau thời gian cách ly, Văn Lâm, thủ thành mang trong mình hai dòng máu '
        "Việt-Nga.",
        [("Việt", "country:VN"), ("Nga", "country:RU")],
    ),
    (  # society_082: "Trần Tuấn Anh" is a person; "Việt - Lào" a pair
        "Thượng tá Trần Tuấn Anh - Phó Chỉ huy trưởng Bộ đội Biên phòng Quảng Trị thông tin, an ninh dọc "
        "biên "
        "giới Việt - Lào đoạn qua huyện Hướng Hóa và Đakrông đang được thắt chặt ở mức độ cao.",
        [
            ("Bộ đội Biên phòng", "vnbody:border-guard"),
            ("Quảng Trị", "province:25"),
            ("Việt", "country:VN"),
            ("Lào", "country:LA"),
        ],
    ),
    (  # society_055: China's ministry of defence is not Viet Nam's
        "Sau hội đàm, hai Bộ trưởng cùng nhau chứng kiến ký kết Bản ghi nhớ về việc thiết lập quan hệ đơn "
        "vị hữu "
        "nghị trong lĩnh vực hợp tác quân sự quốc tế giữa Bộ Quốc phòng nước Cộng hòa xã hội chủ nghĩa Việt "
        "Nam "
        "và Bộ Quốc phòng nước Cộng hòa Nhân dân Trung Hoa.",
        [
            ("Bộ Quốc phòng", "vnbody:mod"),
            ("Cộng hòa xã hội chủ nghĩa Việt Nam", "country:VN"),
            ("Cộng hòa Nhân dân Trung Hoa", "country:CN"),
        ],
    ),
    ('"Tôi mất hơn 250 triệu", Đức nói.', []),  # business_073: the speaker, a man called Đức
    ("Đặc biệt, mỹ nhân tóc vàng này sở hữu khối tài sản lên tới 20 triệu đô la Mỹ.", []),  # a currency
    (  # health_055
        "GS Giang cho biết, Hiệp hội Phẫu thuật Hoàng gia Anh (RCS) là cơ quan độc lập có nhiều hoạt động, "
        "trong "
        "đó có chức năng đánh giá và xếp hạng ngoại khoa.",
        [("Anh", "country:GB")],
    ),
    (  # education_037
        "Theo thống kê của Quỹ Dân số Liên hiệp quốc (UNFPA) có 93% kẻ xâm hại là người quen, chỉ có 7% là "
        "người lạ.",
        [("Liên hiệp quốc", "org:UN"), ("UNFPA", "org:UNFPA")],
    ),
    (  # society_172
        "Trong phiên họp thứ 55, sáng 27/4, UB Thường vụ Quốc hội đã xem xét nội dung trên.",
        [("UB Thường vụ Quốc hội", "vnbody:na-standing-committee")],
    ),
    ("475A Điện Biên Phủ, Phường 25, Quận Bình Thạnh, TP.HCM", [("TP.HCM", "province:SG")]),  # a street
    (  # health_109
        "Sắp tới có thể có đông người nhập cảnh trái phép về Việt Nam, vì vậy Bộ Y tế mong muốn mọi người "
        "dân, "
        "đặc biệt tại các địa phương giáp biên giới với Campuchia, Lào khi phát hiện người lạ nghi ngờ cần "
        "thông báo ngay với chính quyền.",
        [
            ("Việt Nam", "country:VN"),
            ("Bộ Y tế", "vnbody:moh"),
            ("Campuchia", "country:KH"),
            ("Lào", "country:LA"),
        ],
    ),
    # business_154: Thai jackfruit, whole segments (mít Thái, nguyên múi), not the province Thái Nguyên
    ("Dù có giá đắt gấp 4 lần giá mít Thái nguyên múi, nhưng mít ruột đỏ vẫn cháy hàng.", []),
    (  # society_145: "Trương Hòa Bình" is a person, not the province
        "Sáng 28/4, Phó Thủ tướng thường trực Trương Hòa Bình kiểm tra, giám sát công tác phòng, chống dịch "
        "Covid-19 trên địa bàn TPHCM.",
        [("Phó Thủ tướng", "vnbody:deputy-pm"), ("TPHCM", "province:SG")],
    ),
    (  # world_262
        "Reuters cho biết, Cảnh sát Hàn Quốc cho biết họ muốn thẩm vấn bà Xiang Xueqiu, vợ của Đại sứ Bỉ "
        "Peter "
        "Lescouhier, sau khi nhận được đơn tố cáo về vụ hành hung nhân viên tại một cửa hàng quần áo ở "
        "Seoul.",
        [("Hàn Quốc", "country:KR"), ("Bỉ", "country:BE")],
    ),
    (  # health_064
        "Theo Tổ chức Y tế Thế giới (WHO), để sản xuất các sản phẩm thuốc lá điện tử có khoảng 15.500 loại "
        "hương liệu được sử dụng.",
        [("Tổ chức Y tế Thế giới", "org:WHO"), ("WHO", "org:WHO")],
    ),
    (  # tech_082
        "Ngoài ra, cuộc chiến thương mại Mỹ - Trung cũng làm phức tạp thêm tình hình.",
        [("Mỹ", "country:US"), ("Trung", "country:CN")],
    ),
    (  # business_001
        "Từ khi đại dịch Covid-19 xuất hiện tại Việt Nam cho đến nay, Vinamilk luôn là công ty tích cực đồng "
        "hành cùng Chính phủ và cộng đồng trong các hoạt động phòng chống dịch bệnh.",
        [("Việt Nam", "country:VN"), ("Chính phủ", "vnbody:government")],
    ),
    (  # society_055
        "Bộ trưởng Bộ Quốc phòng Việt Nam khẳng định quan điểm nhất quán của Việt Nam là giải quyết các bất "
        "đồng "
        "trên cơ sở luật pháp quốc tế, nhất là Công ước Liên hợp quốc về Luật Biển năm 1982, thực hiện đầy "
        "đủ và "
        'hiệu quả "Tuyên bố về ứng xử của các bên ở Biển Đông" (DOC).',
        [
            ("Bộ Quốc phòng", "vnbody:mod"),
            ("Việt Nam", "country:VN"),
            ("Việt Nam", "country:VN"),
            ("Công ước Liên hợp quốc về Luật Biển năm 1982", "org:UNCLOS"),
            ("Tuyên bố về ứng xử của các bên ở Biển Đông", "org:DOC"),
            ("DOC", "org:DOC"),
        ],
    ),
    (  # travel_046
        "Ngoài ra, các sự kiện, lễ hội của tỉnh Bình Định trong năm 2021; các chương trình liên kết du lịch "
        "Quy "
        "Nhơn- Bình Định tại các tỉnh liên kết: Gia Lai, Đắk Lắk, Kon Tum, Phú Yên; chương trình giới thiệu "
        "du "
        "lịch Quy Nhơn - Bình Định tại các tỉnh phía Bắc: Hòa Bình, Ninh Bình, Thanh Hóa…",
        [
            ("Bình Định", "province:31"),
            ("Bình Định", "province:31"),
            ("Gia Lai", "province:30"),
            ("Đắk Lắk", "province:33"),
            ("Kon Tum", "province:28"),
            ("Phú Yên", "province:32"),
            ("Bình Định", "province:31"),
            ("Hòa Bình", "province:14"),
            ("Ninh Bình", "province:18"),
            ("Thanh Hóa", "province:21"),
        ],
    ),
    (  # travel_082: Cape Prince of Wales (Alaska) is not Wales
        "Vào ngày trời quang mây tạnh, bạn có thể đứng trên ngọn đồi ở mũi Prince of Wales thuộc điểm cực "
        "tây "
        "nước Mỹ, nhìn qua eo biển Bering tới vùng đất liền Siberia là của lãnh thổ Nga.",
        [("Mỹ", "country:US"), ("Nga", "country:RU")],
    ),
    (  # health_172
        "Tổng Bí thư Nguyễn Phú Trọng, Bí thư Quân ủy Trung ương thăm Phòng truyền thống của Bệnh viện Trung "
        "ương Quân đội 108.",
        [
            ("Tổng Bí thư", "vnbody:general-secretary"),
            ("Nguyễn Phú Trọng", "person:nguyen-phu-trong"),  # a leader vn_leaders.tsv lists
            ("Quân ủy Trung ương", "vnbody:central-military-commission"),
        ],
    ),
    (  # entertainment_172: an actor, not Jordan
        "Nam diễn viên Michael B. Jordan khoe hình thể săn chắc đáng ngưỡng mộ.",
        [],
    ),
    (  # business_001
        "Trong năm 2020, Vinamilk vẫn nỗ lực triển khai các hoạt động cộng đồng như trao tặng sữa cho trẻ "
        "em tại "
        "nhiều địa phương như TP. HCM, TP. Hà Nội, Phú Yên, Thừa Thiên Huế, …",
        [
            ("TP. HCM", "province:SG"),
            ("Hà Nội", "province:HN"),
            ("Phú Yên", "province:32"),
            ("Thừa Thiên Huế", "province:26"),
        ],
    ),
]


@pytest.mark.parametrize(("text", "expected"), DEMO, ids=[t[:40] for t, _ in DEMO])
def test_demo_sentences(text, expected):
    mentions = find_mentions(text)
    assert [(m.surface, m.entry_id) for m in mentions] == expected
    for m in mentions:
        assert text[m.start : m.end] == m.surface
        assert 0 < m.score <= 1


def test_demo_scores():
    by_surface = {m.surface: m.score for m in find_mentions(DEMO[4][0])}
    assert by_surface["Anh"] == 0.5  # tiếng Anh: the language
    scores = [m.score for m in find_mentions(DEMO[3][0])]
    assert scores == [0.6, 1.0, 0.6]  # "Phó Thủ tướng" and "Bộ Tài chính" could be any country's
    assert [m.score for m in find_mentions("Bộ Quốc phòng Việt Nam")] == [1.0, 1.0]


def test_sentence_initial_anh_needs_other_countries_and_no_pronoun():
    # world_109: "Anh" opens a sentence among other countries' aid
    text = (
        "Nga cho biết nước này đang gửi viện trợ khẩn cấp đến Ấn Độ bao gồm ôxy, máy thở và thuốc, trong khi "
        "Thụy Sĩ cũng gửi 1 triệu USD viện trợ cho các bệnh viện tại Ấn Độ.\n"
        'Anh thông báo hôm 28/4 rằng họ đã gửi ba "nhà máy" ôxy đến Ấn Độ.'
    )
    assert ("Anh", "country:GB") in found(text)
    assert found("Anh cho biết, chị Nga đã về.") == []
    assert found("Anh thông báo hôm 28/4 rằng họ đã gửi ôxy.") == []  # nothing else says it is a country
    # the same text uses "anh" as a pronoun elsewhere: the sentence-initial one is the pronoun too
    assert ("Anh", "country:GB") not in found(
        "Mỹ, Pháp và Đức gửi viện trợ, anh nói.\nAnh thông báo hôm 28/4."
    )


# -- tricky cases ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Ông Nguyễn Văn Anh cho biết.", []),
        ("Nguyễn Văn Anh, Thúy Nga và Minh Đức dự lễ.", []),
        ("chị Nga và anh Đức đi chợ", []),
        ("Ca sĩ Mỹ Tâm hát, anh trai tôi nghe.", []),
        ("anh ấy là người Việt", [("Việt", "country:VN")]),
        ("Anhui is a province; Anh-Pháp là hai nước.", [("Anh", "country:GB"), ("Pháp", "country:FR")]),
        ("Thủ tướng Anh Boris Johnson", [("Anh", "country:GB")]),
        ("ca sĩ Mỹ Taylor Swift", [("Mỹ", "country:US")]),
        ("Đức Phật và Đức Giáo hoàng Francis", []),
        ("Chính phủ Đức và người Nga", [("Đức", "country:DE"), ("Nga", "country:RU")]),
        (
            "Tổng thống Nga Vladimir Putin gặp Thủ tướng Đức Angela Merkel",
            [("Nga", "country:RU"), ("Đức", "country:DE")],
        ),
        ("mỹ phẩm Hàn Quốc, Mỹ phẩm Nhật", [("Hàn Quốc", "country:KR"), ("Nhật", "country:JP")]),
        ("châu Mỹ, Mỹ Latinh, Bắc Mỹ và Ấn Độ Dương", []),
        ("Thái Bình Dương và tỉnh Thái Bình", [("Thái Bình", "province:20")]),
        ("VN-Index tăng điểm, còn VN và Lào ký kết", [("VN", "country:VN"), ("Lào", "country:LA")]),
        ("vn và Vn", []),
        ("Ý kiến của nước Ý", [("Ý", "country:IT")]),
        ("Áo dài Việt Nam", [("Việt Nam", "country:VN")]),
        ("Hòa bình là khát vọng. Giải Nobel Hòa bình", []),
        ("tỉnh Hòa Bình và tỉnh Hoà Bình", [("Hòa Bình", "province:14"), ("Hoà Bình", "province:14")]),
        ("Thủy sản Thuỵ Điển và Thụy Điển", [("Thuỵ Điển", "country:SE"), ("Thụy Điển", "country:SE")]),
        (
            "quan hệ Việt - Trung, tiếng Trung và miền Trung",
            [("Việt", "country:VN"), ("Trung", "country:CN"), ("Trung", "country:CN")],
        ),
        ("anh Việt và Việt Anh", []),
        ("Bộ Ngoại giao Trung Quốc và Quốc hội Mỹ", [("Trung Quốc", "country:CN"), ("Mỹ", "country:US")]),
        ("Bộ Ngoại giao Việt Nam", [("Bộ Ngoại giao Việt Nam", "vnbody:mofa")]),
        (
            "Liên Xô, Việt Nam Cộng hòa và Việt Nam Dân chủ Cộng hòa",
            [
                ("Liên Xô", "country:SUHH"),
                ("Việt Nam Cộng hòa", "country:RVN"),
                ("Việt Nam Dân chủ Cộng hòa", "country:VDVN"),
            ],
        ),
        (
            "Ban Tuyên giáo Trung ương, nay là Ban Tuyên giáo và Dân vận Trung ương",
            [
                ("Ban Tuyên giáo Trung ương", "vnbody:propaganda"),
                ("Ban Tuyên giáo và Dân vận Trung ương", "vnbody:propaganda-mass-mobilisation"),
            ],
        ),
        (
            "TP.HCM, TP HCM, Tp.HCM, Sài Gòn và Thành phố Hồ Chí Minh",
            [
                ("TP.HCM", "province:SG"),
                ("TP HCM", "province:SG"),
                ("Tp.HCM", "province:SG"),
                ("Sài Gòn", "province:SG"),
                ("Thành phố Hồ Chí Minh", "province:SG"),
            ],
        ),
        ("Chủ tịch Hồ Chí Minh", []),
        ("Theo Sài Gòn Giải Phóng", [("Sài Gòn Giải Phóng", "media:sggp")]),
        ("Tuổi trẻ là mùa xuân; theo Tuổi Trẻ", [("Tuổi Trẻ", "media:tuoitre")]),
        ("Người lao động và báo Người Lao Động", [("báo Người Lao Động", "media:nld")]),
        (
            "Liên Hợp Quốc, LHQ và Liên hiệp quốc",
            [("Liên Hợp Quốc", "org:UN"), ("LHQ", "org:UN"), ("Liên hiệp quốc", "org:UN")],
        ),
        (
            "Theo vnexpress.net và VnExpress",
            [("vnexpress.net", "media:vnexpress"), ("VnExpress", "media:vnexpress")],
        ),
        (
            "Ô-xtrây-li-a, Xin-ga-po và Phi-líp-pin",
            [("Ô-xtrây-li-a", "country:AU"), ("Xin-ga-po", "country:SG"), ("Phi-líp-pin", "country:PH")],
        ),
        (
            "Vietnam and China signed; the Indian Ocean; Michael Jordan; New Jersey; Georgia Tech",
            [("Vietnam", "country:VN"), ("China", "country:CN")],
        ),
        ("giá 20 triệu đô la Mỹ, 6 triệu bảng Anh, 393 mẫu Anh", []),
    ],
)
def test_tricky(text, expected):
    assert found(text) == expected


def test_text_without_diacritics():
    mentions = find_mentions("Bo Ngoai giao Viet Nam hop bao tai Ha Noi ve Thai Lan")
    assert [(m.surface, m.entry_id, m.score) for m in mentions] == [
        ("Bo Ngoai giao Viet Nam", "vnbody:mofa", 0.7),
        ("Ha Noi", "province:HN", 1.0),  # the English name
        ("Thai Lan", "country:TH", 0.7),
    ]
    assert found("bo ngoai giao") == []  # no capitals: no evidence of a name
    assert found("Phap va Nga") == [("Nga", "country:RU")]  # one syllable: diacritics required
    assert found("ba lần") == []  # "Ba Lan" (Poland) needs its capitals and no other diacritics


def test_offsets_refer_to_the_original_text():
    text = unicodedata.normalize("NFD", "Hôm qua, Thủ tướng Nhật Bản thăm Hoà Bình và Hà Nội.")
    mentions = find_mentions(text)
    assert [m.entry_id for m in mentions] == ["country:JP", "province:14", "province:HN"]
    for m in mentions:
        assert text[m.start : m.end] == m.surface
    assert unicodedata.normalize("NFC", mentions[0].surface) == "Nhật Bản"


def test_mention_json():
    m = find_mentions("tại Lào")[0]
    assert isinstance(m, Mention)
    assert m.to_json() == {
        "id": "country:LA",
        "type": "country",
        "start": 4,
        "end": 7,
        "surface": "Lào",
        "score": 0.9,
    }


# The forms Vietnamese media use (the brief of issue 5), each to its country.
MEDIA_FORMS = {
    "Campuchia": "KH",
    "Lào": "LA",
    "Hoa Kỳ": "US",
    "Mỹ": "US",
    "Trung Quốc": "CN",
    "Nhật Bản": "JP",
    "Hàn Quốc": "KR",
    "Triều Tiên": "KP",
    "Nga": "RU",
    "Anh": "GB",
    "Pháp": "FR",
    "Đức": "DE",
    "Ấn Độ": "IN",
    "Úc": "AU",
    "Australia": "AU",
    "Ô-xtrây-li-a": "AU",
    "Xin-ga-po": "SG",
    "Singapore": "SG",
    "Ma-lai-xi-a": "MY",
    "Malaysia": "MY",
    "In-đô-nê-xi-a": "ID",
    "Indonesia": "ID",
    "Phi-líp-pin": "PH",
    "Philippines": "PH",
    "Thái Lan": "TH",
    "Mi-an-ma": "MM",
    "Myanmar": "MM",
    "Bru-nây": "BN",
    "Brunei": "BN",
    "Đông Timo": "TL",
    "Timor-Leste": "TL",
    "Cu-ba": "CU",
    "Cuba": "CU",
    "U-crai-na": "UA",
    "Ukraine": "UA",
    "Việt Nam": "VN",
    "Thổ Nhĩ Kỳ": "TR",
    "Ả Rập Xê Út": "SA",
    "Ai Cập": "EG",
    "Nam Phi": "ZA",
    "Ba Lan": "PL",
    "Séc": "CZ",
    "Hy Lạp": "GR",
    "Tây Ban Nha": "ES",
    "Bồ Đào Nha": "PT",
    "Hà Lan": "NL",
    "Thụy Sĩ": "CH",
    "Thụy Điển": "SE",
    "Na Uy": "NO",
    "Phần Lan": "FI",
    "Đan Mạch": "DK",
    "Mông Cổ": "MN",
    "Đài Loan": "TW",
    "Bra-xin": "BR",
    "Ác-hen-ti-na": "AR",
    "Mê-hi-cô": "MX",
    "Ca-na-đa": "CA",
    "New Zealand": "NZ",
    "I-xra-en": "IL",
    "Pa-le-xtin": "PS",
    "I-ran": "IR",
    "I-rắc": "IQ",
    "Xy-ri": "SY",
    "Ca-dắc-xtan": "KZ",
    "Bê-la-rút": "BY",
    "Hung-ga-ri": "HU",
    "Ru-ma-ni": "RO",
    "Bun-ga-ri": "BG",
    "Xéc-bi-a": "RS",
    "Pa-ki-xtan": "PK",
    "Băng-la-đét": "BD",
    "Xri Lan-ca": "LK",
    "Nê-pan": "NP",
    "Vê-nê-xu-ê-la": "VE",
    "Chi-lê": "CL",
    "Pê-ru": "PE",
    "Cô-lôm-bi-a": "CO",
    "Ni-ca-ra-goa": "NI",
    "Mô-dăm-bích": "MZ",
    "Ăng-gô-la": "AO",
    "An-giê-ri": "DZ",
    "Gruzia": "GE",
    "Ác-mê-ni-a": "AM",
    "Niu Di-lân": "NZ",
}


@pytest.mark.parametrize(("form", "alpha2"), MEDIA_FORMS.items())
def test_media_forms(form, alpha2):
    assert ids(f"quan hệ với {form} đang tốt đẹp") == [f"country:{alpha2}"]


@pytest.mark.parametrize(
    ("form", "entry_id"),
    [
        ("TTXVN", "media:vna"),
        ("Thông tấn xã Việt Nam", "media:vna"),
        ("Vietnam News Agency", "media:vna"),
        ("Đài Tiếng nói Việt Nam", "media:vov"),
        ("VTV", "media:vtv"),
        ("Báo Nhân Dân", "media:nhandan"),
        ("Tạp chí Cộng sản", "media:tccs"),
        ("VietnamPlus", "media:vietnamplus"),
        ("Báo Thế giới và Việt Nam", "media:baoquocte"),
        ("Báo Quốc tế", "media:baoquocte"),
        ("Znews", "media:znews"),
        ("Hiệp hội các quốc gia Đông Nam Á", "org:ASEAN"),
        ("Hội đồng Bảo an Liên Hợp Quốc", "org:UNSC"),
        ("Ngân hàng Thế giới", "org:WB"),
        ("Liên minh châu Âu", "org:EU"),
        ("Mekong - Lan Thương", "org:MLC"),
        ("Tổ chức Quốc tế Pháp ngữ", "org:OIF"),
        ("Ủy ban Nhà nước về người Việt Nam ở nước ngoài", "vnbody:scov"),
        ("Cục Thông tin đối ngoại", "vnbody:external-information-dept"),
        ("Hội đồng Lý luận Trung ương", "vnbody:theory-council"),
        ("Mặt trận Tổ quốc Việt Nam", "vnbody:vff"),
        ("Bộ Thông tin và Truyền thông", "vnbody:mic"),
        ("MOFA", "vnbody:mofa"),
        ("Ủy ban Thường vụ Quốc hội", "vnbody:na-standing-committee"),
        ("Ban Bí thư", "vnbody:secretariat"),
    ],
)
def test_body_media_and_org_names(form, entry_id):
    assert ids(f"Theo {form}, hôm nay") == [entry_id]


# -- names in other languages and scripts (names_cldr.tsv, names_ml.tsv, vn_leaders.tsv) -------------


def found_in(text: str, lang: str | None) -> list[tuple[str, str]]:
    return [(m.surface, m.entry_id) for m in find_mentions(text, lang=lang)]


@pytest.mark.parametrize(
    ("lang", "text", "surface"),
    [
        ("en", "Viet Nam and Vietnam are one country; Vietnamese officials agree.", "Viet Nam"),
        ("fr", "Le Viêt Nam et la France ont signé un accord.", "Viêt Nam"),
        ("fr", "La délégation vietnamienne est arrivée à Paris.", "vietnamienne"),
        ("de", "Die vietnamesische Regierung und Vietnams Wirtschaft.", "Vietnams"),
        ("es", "Los vietnamitas celebran el Año Nuevo.", "vietnamitas"),
        ("pt", "O Vietnã exporta café.", "Vietnã"),
        ("ru", "Переговоры прошли во Вьетнаме.", "Вьетнаме"),
        ("zh", "越南是东盟成员国。", "越南"),
        ("ja", "ベトナムの経済成長は続いている。", "ベトナム"),
        ("ko", "베트남은 한국의 주요 교역국이다.", "베트남"),
        ("th", "ประเทศเวียดนามส่งออกข้าว", "เวียดนาม"),
        ("lo", "ສປປ ລາວ ແລະ ຫວຽດນາມ ແມ່ນປະເທດເພື່ອນບ້ານ", "ຫວຽດນາມ"),
        ("km", "វៀតណាម​និង​កម្ពុជា​ជា​ប្រទេស​ជិតខាង", "វៀតណាម"),
    ],
)
def test_the_subject_country_in_every_language(lang, text, surface):
    assert (surface, "country:VN") in found_in(text, lang)


def test_russian_case_forms_and_adjectives_are_viet_nam():
    text = (
        "Делегация Вьетнама, визит во Вьетнам, с Вьетнамом, послу Вьетнаму; вьетнамская сторона, "
        "вьетнамские и вьетнамцы."
    )
    assert [s for s, i in found_in(text, "ru") if i == "country:VN"] == [
        "Вьетнама", "Вьетнам", "Вьетнамом", "Вьетнаму", "вьетнамская", "вьетнамские", "вьетнамцы",
    ]  # fmt: skip
    assert found_in("Премьер-министр России и президент Мали.", "ru") == [
        ("России", "country:RU"),
        ("Мали", "country:ML"),  # a name ending in -и does not inflect: not a stem for "Малая"
    ]
    assert found_in("Малая Азия", "ru") == []


def test_korean_names_take_their_particles():
    text = "베트남은 한국과 협력한다. 베트남의 총리와 베트남과 미국을 잇는다."
    assert found_in(text, "ko") == [  # the particle is not part of the name
        ("베트남", "country:VN"),
        ("한국", "country:KR"),
        ("베트남", "country:VN"),
        ("베트남", "country:VN"),
        ("미국", "country:US"),
    ]
    assert found_in("베트남전쟁", "ko") == []  # a compound, not the country with a particle


def test_french_elision_and_latin_names_in_their_language_only():
    assert found_in("Le sommet de l'ASEAN s'est tenu loin d'Hanoï, en présence de l'Inde.", "fr") == [
        ("ASEAN", "org:ASEAN"),
        ("Hanoï", "province:HN"),
        ("Inde", "country:IN"),
    ]
    assert found_in("Chine", "fr") == [("Chine", "country:CN")]
    assert found_in("Chine", "de") == []  # French names are looked for in French text
    assert found_in("Chine", None) == [("Chine", "country:CN")]  # language unknown: every name


def test_scripts_without_spaces_match_on_character_boundaries():
    assert found_in("越南外交部发言人表示，中国和美国", "zh") == [
        ("越南外交部", "vnbody:mofa"),
        ("中国", "country:CN"),
        ("美国", "country:US"),
    ]
    assert found_in("中美关系 美 中", "zh") == []  # one character is never a name
    assert found_in("欧美国家和非法国际组织", "zh") == []  # "Western countries", "illegal": blocked
    assert found_in("ចិន្តា", "km") == []  # "thought": ចិន (China) followed by a subscript consonant
    assert found_in("アメリカンフットボール", "ja") == []  # katakana inside a longer katakana word
    assert found_in("リチャード・ベトナム", "ja") == [("ベトナム", "country:VN")]
    assert found_in("NonVietnamese Vietnamesen", "en") == []  # never inside a word


@pytest.mark.parametrize(
    ("lang", "text", "surface", "person"),
    [
        ("vi", "Thủ tướng Phạm Minh Chính tiếp Đại sứ.", "Phạm Minh Chính", "pham-minh-chinh"),
        ("en", "Prime Minister Pham Minh Chinh met the envoy.", "Pham Minh Chinh", "pham-minh-chinh"),
        ("ru", "Премьер-министр Фам Минь Тинь заявил.", "Фам Минь Тинь", "pham-minh-chinh"),
        ("ru", "Встреча с Фам Минь Тинем.", "Фам Минь Тинем", "pham-minh-chinh"),
        ("zh", "越南政府总理范明政会见。", "范明政", "pham-minh-chinh"),
        ("ja", "ファム・ミン・チン首相は述べた。", "ファム・ミン・チン", "pham-minh-chinh"),
        ("ko", "팜 민 찐 총리는 말했다.", "팜 민 찐", "pham-minh-chinh"),
        ("ko", "팜민찐 총리는 말했다.", "팜민찐", "pham-minh-chinh"),  # written without spaces too
        ("ja", "ファムミンチン首相", "ファムミンチン", "pham-minh-chinh"),  # and without middle dots
        ("fr", "Le secrétaire général Tô Lâm a reçu.", "Tô Lâm", "to-lam"),
        ("ru", "Генеральный секретарь То Лам.", "То Лам", "to-lam"),
        ("zh", "越共中央总书记苏林。", "苏林", "to-lam"),
        ("ja", "トー・ラム書記長", "トー・ラム", "to-lam"),
        ("ko", "또 럼 서기장이 방문했다.", "또 럼", "to-lam"),
        ("en", "President Nguyen Xuan Phuc and Nguyen Phu Trong.", "Nguyen Xuan Phuc", "nguyen-xuan-phuc"),
        ("zh", "阮富仲总书记", "阮富仲", "nguyen-phu-trong"),
    ],
)
def test_leaders_in_each_script(lang, text, surface, person):
    assert (surface, f"person:{person}") in found_in(text, lang)


def test_bodies_of_viet_nam_in_other_languages():
    assert ("МИД Вьетнама", "vnbody:mofa") in found_in("Об этом сообщил МИД Вьетнама.", "ru")
    assert ("ministère des Affaires étrangères du Viet Nam", "vnbody:mofa") in found_in(
        "Le ministère des Affaires étrangères du Viet Nam a protesté.", "fr"
    )
    assert ("ベトナム共産党", "vnbody:cpv") in found_in("ベトナム共産党大会が開かれた。", "ja")
    assert ("베트남 국회", "vnbody:national-assembly") in found_in("베트남 국회는 법안을 통과시켰다.", "ko")


def test_the_names_read_without_the_matcher_are_every_name_it_matches():
    from caunoi.enrich.gazetteer import name_key, name_keys

    keys = name_keys()  # what search reads to tell a query that may be a name, without compiling
    g = load_gazetteer()
    for entry_id in ("country:VN", "vnbody:mofa", "person:pham-minh-chinh", "org:ASEAN", "country:MM"):
        e = g.get(entry_id)
        for name in (*e.aliases, *(n.replace("*", "") for _, n in e.foreign)):
            assert name_key(name) in keys, (entry_id, name)
    assert name_key("Viet  nam") == "viet nam" and name_key("doi ngoai") not in keys


def test_what_real_wikipedia_text_taught():
    # Russian stress marks, as Wikipedia writes the first mention
    assert found_in("Вьетна́м — государство в Юго-Восточной Азии.", "ru") == [("Вьетна́м", "country:VN")]
    # a Latin name glued to Hangul ("Việt Nam비엣남") is still a name
    assert ("Việt Nam", "country:VN") in found_in("베트남어: Việt Nam비엣남 / 越南", "ko")
    # the language is not the country: listed at the language score, not tagged
    languages = [("ベトナム語を話す", "ja"), ("越南语很难", "zh"), ("Официальный язык вьетнамский", "ru")]
    languages += [("вьетнамский язык", "ru"), ("la langue vietnamienne", "fr"), ("เรียนภาษาเวียดนาม", "th")]
    languages += [("ພາສາຫວຽດນາມ", "lo"), ("ភាសាវៀតណាម", "km")]
    for text, lang in languages:
        (m,) = [m for m in find_mentions(text, lang=lang) if m.entry_id == "country:VN"]
        assert m.score < 0.6, text
    # the South China Sea is not China
    assert found_in("омывается Южно-Китайским морем", "ru") == []
