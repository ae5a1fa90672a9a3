"""Cleanup of page chrome: real article bodies with the widgets, players, comment forms and
link boxes that dantri, vnexpress, baoquocte, VOV and WordPress pages wrap around them."""

from __future__ import annotations

from pathlib import Path

import pytest

from caunoi.pipeline import split_txt
from caunoi.text.cleanup import Cleaned, chrome_kind, classify_lines, clean, split_lines

# Body paragraphs of vi-news-unc news_world_001 (dantri, 2020-10-01; GPL-3.0, see ../shared/data).
AZERBAIJAN = [
    "Chiều ngày 1/10, Đại sứ Azerbaijan Anar Imanov tại Việt Nam đã có cuộc trao đổi với báo chí liên quan "
    "tới cuộc xung đột quân sự giữa Arzerbaijan và Amernia tại khu vực Nagorno-Karabakh.",
    "Vào ngày 27/9, xung đột đã nổ ra giữa Arzerbaijan và Amernia - 2 nước thuộc Liên Xô cũ - tại "
    "Nagorno-Karabakh, khu vực nằm trong lãnh thổ Azerbaijan và được cộng đồng quốc tế công nhận "
    "thuộc nước này.",
    "Azerbaijan đã cáo buộc Armenia tấn công vào các vị trí của lực lượng vũ trang Azerbaijan ở biên giới và "
    "khu vực dân sinh khác.",
    "Theo Đại sứ Imanov, tính đến chiều ngày 30/9, các cuộc giao tranh đã khiến Azerbaijan gặp thiệt hại "
    "đáng kể gồm: 16 dân thường đã thiệt mạng, 46 người khác bị thương, 26 ngôi nhà bị tàn phá và 116 "
    "cơ sở dân sinh bị ảnh hưởng.",
    "Ông khẳng định rằng Azerbaijan hiện có quân đội đủ mạnh để có thể đối phó cuộc xung đột với Armenia.",
    "Ông Imanov khẳng định ngay khi động thái này được thực hiện, hòa bình sẽ được lập lại.",
]

# Body paragraphs of vi-news-unc news_world_002 (dantri).
INTELLIGENCE = [
    "Theo báo cáo do Ủy ban Tình báo Hạ viện Mỹ công bố ngày 30/9, cộng đồng tình báo Mỹ đã không bắt kịp "
    "những bước tiến về công nghệ và chính trị của Trung Quốc trong 2 thập niên qua.",
    "Theo Politico, báo cáo dài 200 trang được bảo mật.",
    "Ủy ban Tình báo Hạ viện Mỹ đã cung cấp một bản tóm tắt được rút ngắn lại.",
    "Ông Schiff cho biết các cơ quan tình báo Mỹ “có nhiều việc phải làm để đối phó với các thách thức do "
    "Trung Quốc đặt ra”.",
]

# A Reuters story from the article-extraction-benchmark ground truth (MIT).
TITAN = [
    "WASHINGTON (Reuters) - Scientists on Monday unveiled the first global geological map of Saturn's moon "
    "Titan including vast plains and dunes of frozen organic material and lakes of liquid methane, "
    "illuminating an exotic world considered a strong candidate in the search for life beyond Earth.",
    "Organic materials - carbon-based compounds critical for fostering living organisms - play a leading "
    "role on Titan.",
    '"Organics are very important for the possibility of life on Titan, which many of us think likely would '
    "have evolved in the liquid water ocean under Titan's icy crust,\" said planetary geologist Rosaly Lopes "
    "of NASA's Jet Propulsion Laboratory in California.",
    "Rainfall occurs everywhere on Titan, but the equatorial regions are drier than the poles, said study "
    "co-author Anezina Solomonidou, a European Space Agency research fellow.",
]


def assert_body_kept(result: Cleaned, paragraphs: list[str]) -> None:
    """Every paragraph survives, whole and in order, and nothing removed was body."""
    lines = result.text.split("\n")
    positions = [lines.index(p) for p in paragraphs]
    assert positions == sorted(positions)
    assert not set(paragraphs) & set(result.removed)


def test_dantri_page_loses_widgets_player_comments_and_related_box():
    a = AZERBAIJAN
    caption = "Đại sứ Azerbaijan Anar Imanov tại buổi gặp gỡ báo chí (Ảnh: Thành Đông)."
    scraped = "\n".join(
        [
            "Chia sẻ",
            "Điều chỉnh kích thước chữ",
            "  Lưu bài viết ",
            "Nghe bài viết",
            "Giọng nữ miền Bắc",
            "Tốc độ 1x",
            "00:00 / 03:12",
            a[0],
            "",
            caption,
            caption,  # alt text, then the caption
            a[1],
            "Tin liên quan",
            "Armenia và Azerbaijan tiếp tục giao tranh ác liệt tại Nagorno-Karabakh",
            "Nga kêu gọi Armenia và Azerbaijan ngừng bắn ngay lập tức",
            a[2],
            "Đọc thêm: Vì sao xung đột Nagorno-Karabakh khó hạ nhiệt?",
            a[3],
            a[4],
            a[5],
            "Thành Đông",
            "Bình luận (0)",
            "Gửi bình luận",
            "Vui lòng nhập bình luận tiếng Việt có dấu",
            "Tối đa: 1500 ký tự",
            "Từ khóa: Azerbaijan, Armenia, Nagorno-Karabakh",
            "Có thể bạn quan tâm",
            "Thổ Nhĩ Kỳ lên tiếng về xung đột giữa Armenia và Azerbaijan",
            "Pháp, Nga, Mỹ ra tuyên bố chung về Nagorno-Karabakh",
            "Tải ứng dụng",
            "© Bản quyền thuộc về Báo điện tử Dân trí",
        ]
    )
    result = clean(scraped)
    assert result.text == "\n".join([a[0], caption, *a[1:]])
    assert_body_kept(result, a)
    assert result.byline == "Thành Đông"
    assert result.attribution is None
    assert "Tin liên quan" in result.removed and "Tốc độ 1x" in result.removed
    assert result.removed.count(caption) == 1


def test_baoquocte_and_vov_tail_gives_attribution_and_drops_tags():
    body = INTELLIGENCE
    scraped = "\n".join(
        [
            "Theo dõi Báo Quốc tế trên Google News",
            "A A A",
            "In bài viết",
            *body[:2],
            "Xem thêm:",
            "Mỹ công bố chiến lược an ninh quốc gia mới",
            "Hạ viện Mỹ thông qua dự luật quốc phòng",
            *body[2:],
            "(Theo VOV)",
            "#tình_báo #Mỹ #Trung_Quốc",
            "Tin cùng chuyên mục",
            "Trung Quốc phản ứng trước báo cáo của Hạ viện Mỹ",
            "Facebook Twitter Email",
            "Copy link",
        ]
    )
    result = clean(scraped)
    assert result.text == "\n".join(body)
    assert result.attribution == "Theo VOV"
    assert result.byline is None
    assert "#tình_báo #Mỹ #Trung_Quốc" in result.removed


def test_vnexpress_style_byline_and_source_at_the_end():
    scraped = "\n".join([*AZERBAIJAN[:3], "Minh Phương", "Theo Reuters, AFP", "Chia sẻ 12", "Ý kiến bạn đọc"])
    result = clean(scraped)
    assert result.text == "\n".join(AZERBAIJAN[:3])
    assert (result.byline, result.attribution) == ("Minh Phương", "Theo Reuters, AFP")


def test_dantri_writer_and_outlet_stacked_or_glued():
    stacked = clean("\n".join([*INTELLIGENCE, "Theo Đăng Nguyễn", "Dân Việt"]))
    assert stacked.text == "\n".join(INTELLIGENCE)
    assert stacked.attribution == "Theo Đăng Nguyễn, Dân Việt"
    glued = clean("\n".join([*INTELLIGENCE, "Minh PhươngTheo SCMP, Diplomat"]))
    assert (glued.byline, glued.attribution) == ("Minh Phương", "Theo SCMP, Diplomat")
    compiled = clean("\n".join([*INTELLIGENCE, "Đức Hoàng", "Tổng hợp"]))
    assert (compiled.text, compiled.byline) == ("\n".join(INTELLIGENCE), "Đức Hoàng (Tổng hợp)")


def test_attribution_at_the_start_and_source_line_in_english():
    start = clean("\n".join(["Theo TTXVN", *AZERBAIJAN[:2]]))
    assert (start.text, start.attribution) == ("\n".join(AZERBAIJAN[:2]), "Theo TTXVN")
    source = clean("\n".join([*TITAN, "Source: Reuters"]))
    assert (source.text, source.attribution) == ("\n".join(TITAN), "Source: Reuters")
    outlet = clean("\n".join([*AZERBAIJAN[:2], "Nguồn: baoquocte.vn"]))
    assert outlet.attribution == "Nguồn: baoquocte.vn"


def test_wordpress_post_loses_share_bar_related_posts_and_comment_form():
    scraped = "\n".join(
        [
            "Share this article",
            "Facebook Twitter Email",
            *TITAN[:2],
            "Related",
            "NASA picks Dragonfly drone mission to explore Titan",
            "Cassini ends its mission with a plunge into Saturn",
            *TITAN[2:],
            "Tags: Titan, Saturn, NASA",
            "You may also like",
            "The search for life on Europa",
            "More from Science",
            "Leave a Reply",
            "Your email address will not be published. Required fields are marked *",
            "Comment *",
            "Name *",
            "Email *",
            "Website",
            "Save my name, email, and website in this browser for the next time I comment.",
            "Post Comment",
        ]
    )
    result = clean(scraped)
    assert result.text == "\n".join(TITAN)
    assert (result.attribution, result.byline) == (None, None)
    assert len(result.removed) == 17


def test_related_list_stops_at_the_first_body_paragraph():
    scraped = "\n".join(
        [
            AZERBAIJAN[0],
            "Bài viết liên quan",
            "Armenia cáo buộc Azerbaijan pháo kích khu dân cư",
            "Liên Hợp Quốc quan ngại về giao tranh tại Kavkaz",
            "Ngoại trưởng Nga điện đàm với người đồng cấp Armenia và Azerbaijan về...",
            *AZERBAIJAN[1:3],
        ]
    )
    result = clean(scraped)
    assert result.text == "\n".join(AZERBAIJAN[:3])
    assert classify_lines(split_lines(scraped)) == [None, *["related"] * 4, None, None]


def test_body_sentences_with_trigger_words_stay():
    body = [
        "Ông chia sẻ rằng Việt Nam luôn coi trọng quan hệ hữu nghị truyền thống với các nước láng giềng.",
        "Bình luận về vấn đề này, người phát ngôn Bộ Ngoại giao khẳng định lập trường của Việt Nam.",
        "Xem thêm các quy định tại Nghị định 100/2019/NĐ-CP về xử phạt vi phạm hành chính.",
        "Nghệ",  # a subheading in a health article (turmeric), not the "Nghe" audio button
        "Nghệ là một loại gia vị nổi tiếng với các đặc tính tăng cường sức khỏe.",
        "Chia sẻ bài viết này trên mạng xã hội, nhiều người bày tỏ sự đồng tình.",
        "Theo ông Nguyễn Văn A, dự án sẽ được khởi công vào quý III năm nay.",
    ]
    result = clean("\n".join(body))
    assert result.text == "\n".join(body)
    assert (result.removed, result.attribution, result.byline) == ([], None, None)


def test_photo_credits_and_table_cells_stay_unless_repeated_next_to_each_other():
    body = [
        AZERBAIJAN[0],
        "Ảnh: TTXVN",
        AZERBAIJAN[1],
        "Ảnh: TTXVN",
        "Chỉ tiêu",
        "60",
        "60",
        AZERBAIJAN[2],
    ]
    assert clean("\n".join(body)).text == "\n".join(body)
    repeated = clean("\n".join([AZERBAIJAN[0], "Ảnh: TTXVN", "Ảnh: TTXVN", AZERBAIJAN[1]]))
    assert repeated.removed == ["Ảnh: TTXVN"]


def test_caption_repeated_around_its_credit_goes_once():
    caption = "Đại sứ Anar Imanov trả lời phỏng vấn"
    result = clean("\n".join([AZERBAIJAN[0], caption, "Ảnh: Thành Đông", caption, AZERBAIJAN[1]]))
    assert result.text == "\n".join([AZERBAIJAN[0], caption, "Ảnh: Thành Đông", AZERBAIJAN[1]])


def test_login_to_comment_box_goes_and_the_source_line_above_it_stays():
    scraped = "\n".join(
        [*AZERBAIJAN[:3], "Theo TTXVN", "Bình luận (0)", "Bạn cần đăng nhập để bình luận", "Đăng nhập", "Gửi"]
    )
    result = clean(scraped)
    assert result.text == "\n".join(AZERBAIJAN[:3])
    assert result.attribution == "Theo TTXVN"
    assert result.removed == ["Bình luận (0)", "Bạn cần đăng nhập để bình luận", "Đăng nhập", "Gửi"]


def test_caption_repeated_with_a_paragraph_between_goes_once():
    caption = "Đại sứ Azerbaijan Anar Imanov tại buổi gặp gỡ báo chí (Ảnh: Thành Đông)."
    result = clean("\n".join([AZERBAIJAN[0], caption, AZERBAIJAN[1], caption, AZERBAIJAN[2]]))
    assert result.text == "\n".join([AZERBAIJAN[0], caption, AZERBAIJAN[1], AZERBAIJAN[2]])
    assert result.removed == [caption]


def test_related_tail_of_captions_and_headlines_goes():
    tail = [
        "Binh sĩ Armenia tại khu vực Nagorno-Karabakh (Ảnh: Reuters).",
        "Armenia và Azerbaijan tiếp tục giao tranh ác liệt tại Nagorno-Karabakh",
        "Người dân sơ tán khỏi thành phố Stepanakert (Ảnh: AFP).",
        "Nga kêu gọi Armenia và Azerbaijan ngừng bắn ngay lập tức",
    ]
    under_credits = clean("\n".join([*AZERBAIJAN[:3], "Thành Đông", "Theo TTXVN", *tail]))
    assert under_credits.text == "\n".join(AZERBAIJAN[:3])
    assert (under_credits.byline, under_credits.attribution) == ("Thành Đông", "Theo TTXVN")
    assert under_credits.removed == tail
    without_credits = clean("\n".join([*AZERBAIJAN[:3], *tail]))
    assert without_credits.text == "\n".join(AZERBAIJAN[:3])


def test_paragraphs_under_a_source_line_stay():
    # A table's "Nguồn:" line under a paragraph, and the article going on below it.
    after = [
        "Tăng trưởng của các tỉnh phía Bắc vẫn cao hơn bình quân cả nước trong quý vừa qua.",
        "Các chuyên gia cho rằng xu hướng này sẽ còn kéo dài đến hết năm nay và cả năm sau.",
    ]
    result = clean("\n".join([*AZERBAIJAN[:2], "Nguồn: Tổng cục Thống kê", *after]))
    assert result.removed == [] and result.text.endswith(after[1])


def test_an_author_signature_and_a_closing_list_stay():
    # The end of vi-news-unc news_tech_094 (dantri): the writer's name over their titles.
    signature = [
        "TS. Bùi Quang Hưng",
        "Giám đốc Trung tâm giám sát hiện trường (FIMO),",
        "Trường Đại học Công nghệ, Đại học quốc gia Hà Nội",
    ]
    assert clean("\n".join([*AZERBAIJAN[:2], *signature])).removed == []
    listing = [
        "Các điểm nóng hiện nay gồm:",
        "Khu vực Nagorno-Karabakh",
        "Thành phố Stepanakert",
        "Vùng Tavush",
    ]
    assert clean("\n".join([*AZERBAIJAN[:2], *listing])).removed == []


def test_whitespace_is_normalised():
    result = clean("  Ông  Imanov\u00a0khẳng định.  \r\n\n\t\nHòa bình sẽ được lập lại.&nbsp;")
    assert result.text == "Ông Imanov khẳng định.\nHòa bình sẽ được lập lại."


@pytest.mark.parametrize(
    ("line", "kind"),
    [
        ("Bình luận (12)", "comment"),
        ("BINH LUAN", "comment"),
        ("Chia sẻ 12", "widget"),
        ("Từ khoá: ngoại giao, Việt Nam", "tags"),
        (">> Xem thêm: Thủ tướng dự hội nghị ASEAN", "link"),
        ("Giọng nam miền Nam", "audio"),
        ("Xem thêm các quy định tại Nghị định 100/2019/NĐ-CP.", None),
        ("Nghệ", None),
        ("TTXVN", None),  # an outlet is attribution, not chrome
        ("Cỡ chữ", "widget"),
        ("In bài", "widget"),
        ("Đăng nhập", "comment"),
        ("Gửi", "comment"),
        ("Bạn cần đăng nhập để bình luận", "comment"),
        ("Trả lời:", None),  # a Q&A column's answer, not a comment button
    ],
)
def test_chrome_kind_of_single_lines(line, kind):
    assert chrome_kind(line) == kind


@pytest.mark.parametrize(
    "widget", ["Cỡ chữ", "Chia sẻ", "In bài", "A A A", "Facebook Twitter", "Lưu", "Nghe"]
)
def test_a_widget_line_above_the_headline_is_not_the_title(widget):
    headline = "Azerbaijan cáo buộc Armenia tấn công khu dân cư"
    _header, title, body = split_txt("\n".join([widget, "Chia sẻ", headline, *AZERBAIJAN[:2]]))
    assert title == headline
    assert clean("\n".join(body)).text == "\n".join(AZERBAIJAN[:2])


def test_menus_and_other_headlines_above_the_headline_are_not_the_title():
    # The top of dantri's gia-vang-giam page (tests/data/vi-pages) as a scraper writes it.
    top = [
        "Liên hệ quảng cáo",
        "Theo dõi Dân trí:",
        "Kinh doanh",
        "Giá xăng dầu tăng mạnh, có loại tăng hơn 7.000 đồng/lít",
        "Giá vàng giảm, vẫn cao hơn thế giới gần 20 triệu đồng/lượng",
        "Tri Túc",
        "Thứ bảy, 07/03/2026 - 08:07",
    ]
    title = split_txt("\n".join([*top, *AZERBAIJAN[:2]]))[1]
    assert title == "Giá vàng giảm, vẫn cao hơn thế giới gần 20 triệu đồng/lượng"
    # A subheading under the lead is not the headline, however near the dateline.
    lead = (
        "(Chinhphu.vn) - Tháng 3/2026 có nhiều chính sách mới có hiệu lực, nổi bật là các quy định về nhà ở."
    )
    page = ["Chính sách mới", "Chính sách mới có hiệu lực từ tháng 3/2026", lead, "01/03/2026 09:51"]
    page += ["3 hình thức khai thác, sử dụng thông tin về nhà ở", *AZERBAIJAN[:2]]
    assert split_txt("\n".join(page))[1] == "Chính sách mới có hiệu lực từ tháng 3/2026"


def test_page_furniture_under_the_source_line_goes():
    # The end of cafef's tien-su-dung-dat page (tests/data/vi-pages) as a scraper writes it.
    tail = [
        "Theo Đại Đoàn kết Copy link",
        "Link bài gốc Lấy link! https://daidoanket.vn/tang-ho-tro-giam-ap-luc-tai-chinh.html",
        "CÙNG CHUYÊN MỤC",
        "XEM",
        "Siêu đô thị 18 tỷ USD chưa từng có trong lịch sử đang được xây dựng ở Quảng Ninh Nổi bật",
        "08:40 , 07/03/2026",
        "Cử tri TPHCM mong muốn quy hoạch rõ ràng, hạ tầng đồng bộ",
        "08:39 , 07/03/2026",
        "XÃ HỘI",
        "CHỨNG KHOÁN",
    ]
    result = clean("\n".join([*AZERBAIJAN[:3], "Đại Đoàn kết", *tail]))
    assert result.text == "\n".join(AZERBAIJAN[:3])
    assert result.attribution == "Đại Đoàn kết"


def test_labelled_scraped_set_keeps_body_titles_and_sources():
    import importlib.util

    path = Path(__file__).resolve().parent.parent / "benchmarks" / "cleanup_vi_news.py"
    spec = importlib.util.spec_from_file_location("benchmark_cleanup", path)
    assert spec and spec.loader
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    report = bench.measure_scraped(bench.SCRAPED_DATA)
    assert report["articles"] == 10
    assert report["body_lines_lost"] == 0
    assert report["title_right"] == 10
    assert report["attribution_right"] == [2, 2]
    assert report["chrome_recall"] > 0.47


def test_a_breadcrumb_above_the_headline_is_not_the_title_without_a_dateline_too():
    headline = "Azerbaijan cáo buộc Armenia tấn công khu dân cư"
    assert split_txt("\n".join(["Thế giới", "Quân sự", headline, *AZERBAIJAN[:2]]))[1] == headline
    # One short line above a long one is a short title over a caption or a subheading, as before.
    assert split_txt("\n".join(["Bão số 9", headline, *AZERBAIJAN[:2]]))[1] == "Bão số 9"


def test_a_headline_printed_twice_is_the_title_once():
    headline = "Cách các nước đối phó cú sốc năng lượng từ Trung Đông"
    page = ["Kinh doanh", "Thứ bảy, 7/3/2026, 00:05 (GMT+7)", headline, headline, *AZERBAIJAN[:2]]
    _header, title, body = split_txt("\n".join(page))
    assert title == headline and headline not in body


def test_a_file_starting_with_body_still_has_no_title_line():
    assert split_txt("\n".join(["Chia sẻ", *AZERBAIJAN[:2]]))[1] is None


@pytest.mark.slow
def test_clean_corpus_loses_almost_nothing(vi_news_dir: Path):
    chars = removed = moved = 0
    for path in sorted(vi_news_dir.glob("*.txt")):
        body = "\n".join(split_txt(path.read_text(encoding="utf-8"))[2])
        result = clean(body)
        chars += len(body)
        removed += sum(map(len, result.removed))
        moved += len(result.attribution or "") + len(result.byline or "")
    print(f"vi-news-unc: {removed / chars:.3%} removed as chrome, {moved / chars:.3%} to attribution/byline")
    assert removed / chars < 0.005
    assert moved / chars < 0.01  # dantri ends most articles with a byline and often a source line
