"""caunoi.enrich.orgs: organisations the gazetteers do not list, on sentences of Vietnamese news (most from
vi-news-unc, none from the NER test set)."""

from __future__ import annotations

import pytest

from caunoi.enrich.gazetteer import read_tsv
from caunoi.enrich.orgs import find_orgs
from caunoi.enrich.stage import enrich


def names(text: str) -> list[tuple[str, str, float]]:
    return [(o.name, o.kind, o.score) for o in find_orgs(text)]


@pytest.mark.parametrize(
    ("text", "name", "kind", "org_id"),
    [
        ("Vụ việc đang được Công an TP Buôn Ma Thuột điều tra, làm rõ.", "Công an TP Buôn Ma Thuột", "police",
         "org:cong-an-tp-buon-ma-thuot"),
        ("Theo báo cáo của Bệnh viện Bạch Mai, thực hiện chỉ đạo của Bộ Y tế, đêm 29/4, Bệnh viện đã cử hàng "
         "trăm cán bộ xuống làm việc với tỉnh.", "Bệnh viện Bạch Mai", "hospital", "org:benh-vien-bach-mai"),
        ("Ngày 24/4, bệnh nhân được Trung tâm Kiểm soát bệnh tật tỉnh Hà Nam lấy mẫu xét nghiệm.",
         "Trung tâm Kiểm soát bệnh tật tỉnh Hà Nam", "centre", "org:trung-tam-kiem-soat-benh-tat-ha-nam"),
        ("Trường ĐH Tôn Đức Thắng vừa thông báo học phí năm học 2021-2022.", "Trường ĐH Tôn Đức Thắng",
         "university", "org:truong-dai-hoc-ton-duc-thang"),
        ("Được biết, ngày 25/4, Công an tỉnh Hải Dương bắt quả tang 4 học sinh.", "Công an tỉnh Hải Dương",
         "police", "org:cong-an-hai-duong"),
        ("Sau phản ánh của khách hàng, Cục Đăng kiểm Việt Nam đã có công văn gửi Công ty TNHH Suzuki.",
         "Cục Đăng kiểm Việt Nam", "department", "org:cuc-dang-kiem-viet-nam"),
        ("Chính phủ Ấn Độ đang nỗ lực để sản xuất và vận chuyển oxy y tế.", "Chính phủ Ấn Độ", "government",
         "org:chinh-phu-an-do"),
        ("Học sinh Trường THPT chuyên Lê Hồng Phong tuyển 890 học sinh.", "Trường THPT chuyên Lê Hồng Phong",
         "school", "org:truong-thpt-chuyen-le-hong-phong"),
        ("CLB Hải Phòng thắng 2-0 trên sân Lạch Tray.", "CLB Hải Phòng", "club", "org:clb-hai-phong"),
        ("Tòa án nhân dân TP Hà Nội mở phiên xét xử.", "Tòa án nhân dân TP Hà Nội", "court",
         "org:toa-an-nhan-dan-ha-noi"),
        ("Đại học Quốc gia Hà Nội công bố phương án tuyển sinh.", "Đại học Quốc gia Hà Nội", "university",
         "org:dai-hoc-quoc-gia-ha-noi"),
        ("Công ty CP Vinamilk báo lãi quý I.", "Công ty CP Vinamilk", "company", "org:cong-ty-cp-vinamilk"),
        ("Tập đoàn Viettel ra mắt dịch vụ 5G.", "Tập đoàn Viettel", "company", "org:tap-doan-viettel"),
    ],
)  # fmt: skip
def test_head_and_name(text, name, kind, org_id):
    (org,) = [o for o in find_orgs(text) if o.name == name]
    assert (org.kind, org.id, text[org.start : org.end]) == (kind, org_id, name)
    assert org.score == 0.7


def test_a_province_inside_is_part_of_the_name_and_ids_fold_its_spellings():
    hanoi = find_orgs("Phó Chủ tịch UBND TP Hà Nội Chử Xuân Dũng ký văn bản.")[0]
    assert hanoi.name == "UBND TP Hà Nội"
    same = [
        find_orgs(t)[0].id for t in ("UBND TP.HCM cho biết", "Ủy ban nhân dân thành phố Hồ Chí Minh cho biết")
    ]
    assert same == ["org:ubnd-tp-ho-chi-minh", "org:ubnd-tp-ho-chi-minh"]
    assert find_orgs("UBND tỉnh Quảng Nam")[0].id == find_orgs("UBND Quảng Nam")[0].id == "org:ubnd-quang-nam"


def test_a_parent_body_and_lower_case_words_of_the_list_belong_to_the_name():
    text = "Phòng CSGT Công an tỉnh Hà Tĩnh đã có mặt tại hiện trường điều tiết giao thông."
    assert names(text) == [("Phòng CSGT Công an tỉnh Hà Tĩnh", "department", 0.7)]
    text = "Hiện bệnh nhân được cách ly, điều trị tại Bệnh viện Lao và Bệnh phổi tỉnh Khánh Hòa."
    assert names(text) == [("Bệnh viện Lao và Bệnh phổi tỉnh Khánh Hòa", "hospital", 0.7)]


def test_a_name_many_bodies_share_scores_lower():
    text = "Để đảm bảo thực hiện nghiêm các biện pháp phòng, chống dịch ở khu cách ly, Sở Y tế đã khuyến cáo."
    assert names(text) == [("Sở Y tế", "department", 0.6)]
    assert names("Công an tỉnh cho biết đang điều tra.") == [("Công an tỉnh", "police", 0.6)]


def test_the_name_ends_where_the_list_does():
    assert names("Sở Y tế tổ chức hội nghị trực tuyến.") == [("Sở Y tế", "department", 0.6)]
    assert names("Công ty ABC chuyên sản xuất bao bì.") == [("Công ty ABC", "company", 0.7)]


def test_a_head_in_lower_case_stays_outside():
    assert names("Hãng Nissan thì ngừng sản xuất tại các nhà máy ở Mexico và Mỹ.") == [
        ("Nissan", "company", 0.6)
    ]
    # the guideline's own example (tests/data/ner): "trường Cao đẳng Lào Cai" -> "Cao đẳng Lào Cai"
    assert [o.name for o in find_orgs("Em theo học tại trường Cao đẳng Lào Cai.")] == ["Cao đẳng Lào Cai"]


def test_an_abbreviation_in_brackets_is_the_same_organisation():
    text = "Trung tâm Kiểm soát bệnh tật (CDC) tỉnh đã lấy các mẫu gửi đi xét nghiệm."
    full, short = find_orgs(text)
    assert (full.name, short.name, short.id, short.head) == (
        "Trung tâm Kiểm soát bệnh tật",
        "CDC",
        full.id,
        None,
    )


def test_foreign_bodies_and_english_heads():
    text = (
        "Hãng tin TASS dẫn lời người phát ngôn Bộ Ngoại giao Nga Maria Zakharova cho biết, Đại sứ quán Séc "
        "và Đại sứ quán Mỹ tại Nga sẽ không còn được tuyển dụng nhân viên là công dân Nga nữa."
    )
    assert [o.name for o in find_orgs(text)] == [
        "TASS",
        "Bộ Ngoại giao Nga",
        "Đại sứ quán Séc",
        "Đại sứ quán Mỹ",
    ]
    text = "Các hãng hàng không Vietnam Airlines, Pacific Airlines và VASCO vừa công bố sẽ tiếp tục tăng tải."
    assert [o.name for o in find_orgs(text)] == ["Vietnam Airlines", "Pacific Airlines"]


def test_a_personal_name_after_the_organisation_is_left_to_persons():
    assert [o.name for o in find_orgs("Giám đốc Bệnh viện Bạch Mai Đào Xuân Cơ cho biết.")] == [
        "Bệnh viện Bạch Mai"
    ]
    assert find_orgs("Bí thư Thành ủy Đinh Tiến Dũng phát biểu khai mạc hội nghị.") == []
    text = "Giám đốc Sở Y tế Trần Thị Nhị Hà nêu bài học lây nhiễm chéo."
    assert [o.name for o in find_orgs(text)] == ["Sở Y tế"]


def test_the_gazetteer_wins():
    assert find_orgs("Bộ Y tế kêu gọi người dân hạn chế đến nơi công cộng.") == []
    assert find_orgs("Tổ chức Y tế Thế giới (WHO) xếp hàng thứ 5.") == []
    assert find_orgs("Học viện Ngoại giao tổ chức hội thảo.") == []


@pytest.mark.parametrize(
    "text",
    [
        "Bệnh viện vẫn đảm bảo các hoạt động cấp cứu, khám chữa bệnh như bình thường.",  # a head alone
        "Các bệnh viện Hà Nội đã sẵn sàng tiếp nhận bệnh nhân.",  # generic heads
        "Nhiều công ty Nhật Bản đã rút khỏi thị trường.",
        "Bộ trưởng cho biết sẽ xem xét kiến nghị.",  # a title, not an organisation
        "Bộ trưởng Ngoại giao Bùi Thanh Sơn tiếp Đại sứ.",
        "Trường hợp này đã được cách ly tập trung.",  # sentence-initial capitals that are no names
        "Trung tâm thành phố vắng vẻ trong ngày nghỉ lễ.",
        "Ban đầu, anh cho rằng đó chỉ là cảm cúm.",
        "Hội An đón khách quốc tế trở lại.",  # places that begin like heads
        "Quần đảo Trường Sa thuộc chủ quyền của Việt Nam.",
        "Đài Loan ghi nhận thêm ca mắc mới.",
        "Một vài năm trở lại đây, khi thị trường BĐS trở nên sôi động, nguồn cầu tăng cao.",
        "Và chỉ vài giờ sau, các CLB Anh đồng loạt đưa ra thông báo rút lui khỏi European Super League.",
        "Tỉnh đã thực hiện theo Công văn số 2502/UBND-THKH ngày 1/3/2021.",  # a document number
        "Nhu cầu đào tạo giáo viên mầm non có trình độ Cao đẳng năm 2021 là 599 người.",
        "Đội tuyển Pháp có tới 14 cầu thủ sẽ bị cấm tham dự Euro 2020.",
    ],
)
def test_not_organisations(text):
    assert find_orgs(text) == []


def test_enrichment_keeps_them_as_entities_with_their_kind():
    found = enrich(
        "Bệnh viện Bạch Mai hỗ trợ Hà Nam",
        "Giám đốc Bệnh viện Bạch Mai Đào Xuân Cơ cho biết bệnh viện đã cử cán bộ tới Hà Nam. Sở Y tế tỉnh "
        "Hà Nam phối hợp với Bệnh viện Bạch Mai lắp đặt phòng xét nghiệm.",
        lang="vi",
    )
    entities = {e["id"]: e for e in found.data["entities"]}
    bach_mai = entities["org:benh-vien-bach-mai"]
    assert (bach_mai["type"], bach_mai["kind"], bach_mai["count"]) == ("org", "hospital", 3)
    assert entities["person:dao-xuan-co"]["organisation_id"] == "org:benh-vien-bach-mai"
    assert ("entity", "org:benh-vien-bach-mai") in found.tags
    assert ("entity", "org:so-y-te-ha-nam") in found.tags
    assert any(e["type"] == "province" for e in entities.values())  # Hà Nam stays a place of the article


def test_cli_resolves_an_organisation_by_name():
    from caunoi.search import entity_id

    assert entity_id("Công an tỉnh Nghệ An", "--entity") == "org:cong-an-nghe-an"  # not the province
    assert entity_id("org:benh-vien-bach-mai", "--entity") == "org:benh-vien-bach-mai"
    assert entity_id("ASEAN", "--entity") == "org:ASEAN"


def test_data_file_is_well_formed():
    comments, rows = read_tsv("org_heads.tsv")
    assert any("Origin" in c for c in comments)
    assert {r["kind"] for r in rows} == {"head", "word", "place", "generic"}
    heads = [r for r in rows if r["kind"] == "head"]
    assert all(r["org_kind"] for r in heads)
    rules = {x for r in heads for x in r["rules"].split("+") if x}
    assert rules <= {"lower", "place", "typed", "suffix", "country", "person"}
    assert {r["rules"] for r in rows if r["kind"] == "word"} <= {"", "lower", "number"}
