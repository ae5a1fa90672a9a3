"""Dates as Vietnamese news writes them, resolved against the publication date."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest

from caunoi.models import DateMention
from caunoi.pipeline import lead_paragraph, split_txt
from caunoi.text.dates import event_date, find_dates, find_publication_date

OCT_1_2020 = date(2020, 10, 1)


def only(text: str, reference: date | None = OCT_1_2020, **kwargs: int) -> DateMention:
    mentions = find_dates(text, reference, **kwargs)
    assert len(mentions) == 1, mentions
    return mentions[0]


# --- forms Vietnamese news writes ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "written", "day"),
    [
        ("Sáng 19/2, đoàn công tác đến Hà Giang.", "Sáng 19/2", date(2020, 2, 19)),
        ("Chiều ngày 1/10, UBND tỉnh họp khẩn.", "Chiều ngày 1/10", date(2020, 10, 1)),
        ("Thỏa thuận ký ngày 5/7 có hiệu lực ngay.", "ngày 5/7", date(2020, 7, 5)),
        ("Vụ việc xảy ra hôm 30/9 tại Hội An.", "hôm 30/9", date(2020, 9, 30)),
        ("Sáng nay (1/10), thị trường mở cửa.", "Sáng nay (1/10)", date(2020, 10, 1)),
        ("Rạng sáng 28/9, bão đổ bộ.", "Rạng sáng 28/9", date(2020, 9, 28)),
        ("Ông phát biểu hôm thứ Hai, 28/9, tại Hà Nội.", "hôm thứ Hai, 28/9", date(2020, 9, 28)),
        ("Lễ ký diễn ra vào 6 tháng 7 tại Huế.", "6 tháng 7", date(2020, 7, 6)),
        ("Hiệp định ký ngày 6 tháng 7 năm 2011.", "ngày 6 tháng 7 năm 2011", date(2011, 7, 6)),
        ("Hạn chót là 19-2-2024.", "19-2-2024", date(2024, 2, 19)),
        ("Hạn chót là 19/02/2024.", "19/02/2024", date(2024, 2, 19)),
        ("Hạn chót là 19.2.2024.", "19.2.2024", date(2024, 2, 19)),
        ("Published 2024-02-19 by Reuters.", "2024-02-19", date(2024, 2, 19)),
        ("The summit opened on February 19, 2024 in Hanoi.", "February 19, 2024", date(2024, 2, 19)),
        ("The summit opened on 19 February 2024 in Hanoi.", "19 February 2024", date(2024, 2, 19)),
        ("Officials met on Feb. 19 in Hanoi.", "Feb. 19", date(2020, 2, 19)),
    ],
)
def test_a_written_day_resolves_to_its_date(text: str, written: str, day: date) -> None:
    mention = only(text)
    assert (mention.text, mention.date, mention.precision, mention.date_end) == (written, day, "day", None)


@pytest.mark.parametrize(
    ("text", "written", "first", "last"),
    [
        (
            "Trong 2 ngày 13 và 14/10, hội nghị diễn ra.",
            "ngày 13 và 14/10",
            date(2020, 10, 13),
            date(2020, 10, 14),
        ),
        ("Hội chợ mở từ 13 đến 15/10.", "từ 13 đến 15/10", date(2020, 10, 13), date(2020, 10, 15)),
        ("Hội chợ mở 13-15/10 tại Cần Thơ.", "13-15/10", date(2020, 10, 13), date(2020, 10, 15)),
        ("Hội chợ mở ngày 13/10 đến 15/10.", "ngày 13/10 đến 15/10", date(2020, 10, 13), date(2020, 10, 15)),
        (
            "Nghỉ lễ từ ngày 30/4 đến ngày 3/5.",
            "từ ngày 30/4 đến ngày 3/5",
            date(2020, 4, 30),
            date(2020, 5, 3),
        ),
    ],
)
def test_a_range_shares_the_month_and_year_of_its_end(
    text: str, written: str, first: date, last: date
) -> None:
    mention = only(text)
    assert (mention.text, mention.date, mention.date_end, mention.precision) == (written, first, last, "day")


def test_a_range_across_new_year_starts_the_year_before_its_end() -> None:
    mention = only("Dịp 28/12-3/1 khách đông.", date(2021, 1, 10))
    assert (mention.date, mention.date_end) == (date(2020, 12, 28), date(2021, 1, 3))


def test_months_and_years_span_their_whole_period() -> None:
    december = only("Dự án khởi công tháng 12/2020.")
    assert (december.text, december.date, december.date_end, december.precision) == (
        "tháng 12/2020",
        date(2020, 12, 1),
        date(2020, 12, 31),
        "month",
    )
    in_2011 = only("Công ty thành lập năm 2011.")
    assert (in_2011.date, in_2011.date_end, in_2011.precision) == (
        date(2011, 1, 1),
        date(2011, 12, 31),
        "year",
    )


def test_a_month_without_year_is_the_last_one_before_publication() -> None:
    mention = only("Hồi tháng 12, doanh số giảm.", date(2021, 1, 5))
    assert (mention.text, mention.date, mention.date_end) == (
        "tháng 12",
        date(2020, 12, 1),
        date(2020, 12, 31),
    )


# --- choosing the year --------------------------------------------------------------------------------


def test_a_day_without_year_is_the_last_one_before_publication() -> None:
    assert only("Ngày 28/12, Bộ Y tế công bố.", date(2021, 1, 5)).date == date(2020, 12, 28)
    assert only("Hôm 30/9, cảnh sát bắt giữ 2 người.").date == date(2020, 9, 30)


def test_a_clause_that_looks_ahead_takes_the_coming_date() -> None:
    assert only("Lễ bế giảng sẽ diễn ra vào ngày 5/1.", date(2020, 12, 28)).date == date(2021, 1, 5)
    assert only("Apple dự kiến ra mắt sản phẩm ngày 15/3.", date(2020, 12, 28)).date == date(2021, 3, 15)
    assert only("Đội tuyển hội quân vào ngày 10/5 tới.", date(2021, 1, 25)).date == date(2021, 5, 10)


def test_a_future_word_far_from_the_date_does_not_send_it_to_next_year() -> None:
    text = "Tham mưu trưởng Hải quân ngày 24/4 cho biết các nhà chức trách dự kiến sẽ trục vớt tàu ngầm."
    assert only(text, date(2021, 4, 25)).date == date(2021, 4, 24)


def test_a_date_just_after_publication_is_the_coming_one() -> None:
    # News announces the next days without saying "sẽ": "dịp lễ 30/4" in an article of 26 April.
    assert only("Nhiều khách sạn kín phòng dịp lễ 30/4.", date(2021, 4, 26)).date == date(2021, 4, 30)


def test_a_list_writes_its_year_once() -> None:
    mentions = find_dates("Vào các ngày 11/11 và 28/12/2020, ông đã tổ chức dạy thêm.", date(2021, 4, 16))
    assert [(m.text, m.date) for m in mentions] == [
        ("ngày 11/11", date(2020, 11, 11)),
        ("28/12/2020", date(2020, 12, 28)),
    ]


def test_without_a_reference_the_year_comes_from_the_hint_or_the_text() -> None:
    assert only("Ngày 5/7, hai bên ký kết.", None, year_hint=2011).date == date(2011, 7, 5)
    mentions = find_dates("Năm 2011, công ty mở rộng. Ngày 5/7, hai bên ký kết.", None)
    assert [m.date for m in mentions] == [date(2011, 1, 1), date(2011, 7, 5)]


def test_a_day_far_from_publication_takes_the_year_of_the_full_date_before_it() -> None:
    # vi-news-unc news_world_258 (dantri, 23 April 2021): the submarine went silent in November 2017.
    text = (
        "Ngày 17/11/2017, hải quân Argentina thông báo rằng tàu San Juan đã không trả lời mọi liên lạc "
        "từ ngày 15/11, khi con tàu ở ngoài khơi vịnh San Jorge."
    )
    assert [m.date for m in find_dates(text, date(2021, 4, 23))] == [date(2017, 11, 17), date(2017, 11, 15)]
    # Near publication the publication date wins: an anniversary names the old date, the event is now
    # (news_society_159, 28 April 2021).
    text = "Nhân dịp kỷ niệm 46 năm Ngày toàn thắng 30/4/1975, Bộ Quốc phòng tổ chức hội thảo vào ngày 28/4."
    assert find_dates(text, date(2021, 4, 28))[1].date == date(2021, 4, 28)
    # A full date in another paragraph says nothing of this one.
    text = "Ngày 17/11/2017, hải quân Argentina mất liên lạc với tàu.\nTừ ngày 15/11, tàu không trả lời."
    assert find_dates(text, date(2021, 4, 23))[1].date == date(2020, 11, 15)


def test_without_a_reference_a_day_takes_the_occurrence_nearest_a_full_date() -> None:
    mentions = find_dates("Ngày 28/12/2020, Bộ Y tế họp khẩn. Đến ngày 3/1, đã có 5 ca mắc mới.", None)
    assert [m.date for m in mentions] == [date(2020, 12, 28), date(2021, 1, 3)]
    # vi-news-unc news_education_156: the month written in full gives the year of the day in it.
    text = "Thời gian trao giải: Đầu tháng 10/2021 (dịp kỷ niệm Ngày Kỹ năng lao động Việt Nam 4/10)."
    assert find_dates(text, None)[-1].date == date(2021, 10, 4)


def test_without_any_year_today_is_the_reference() -> None:
    today = date.today()
    assert (
        today - timedelta(days=366)
        <= only("Hôm 3/2, hai bên ký kết.", None).date
        <= today + timedelta(days=91)
    )


# --- what is not a date -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "Chung cuộc tỷ số 2/1 nghiêng về đội khách.",
        "Hơn 3/4 dân số đã tiêm vắc xin.",
        "Tỷ lệ 50/50 cho cả hai đội.",
        "Lãi suất tăng 2/3% trong quý.",
        "Có 7/8 trường hợp thuộc diện F1.",
        "Đã hoàn thành 12/12 chỉ tiêu.",
        "Điện thoại bản RAM 6/8 GB.",
        "Liên hệ 0912.345.678 để đặt chỗ.",
        "Bản cập nhật 1.2.3 sửa lỗi.",
        "Trận đấu bắt đầu lúc 19:30.",
        "Theo Nghị định 30/2020/NĐ-CP của Chính phủ.",
        "Thực hiện Kết luận 57-KL/TW của Bộ Chính trị.",
        "Báo cáo số 12/BC-BCĐ gửi UBND tỉnh.",
        "Lợi nhuận quý 1/2021 tăng mạnh.",
        "Ngày 31/2 không có trên lịch.",
        "Quán mở cửa phục vụ 24/7.",
        "Giỗ Tổ vào mùng 10/3 âm lịch.",
        "Man Utd ra sân với sơ đồ 4-2-3-1.",
        "Đội chủ nhà thắng 2-1 trên sân nhà.",
        "Mỗi tháng 1 lần, đoàn đi kiểm tra.",
        "Tổng công ty May 10 tuyển dụng.",
        "He will arrive on Monday.",
    ],
)
def test_counts_scores_numbers_and_symbols_are_not_dates(text: str) -> None:
    assert find_dates(text, OCT_1_2020) == []


def test_a_day_month_with_a_cue_is_a_date_even_when_it_reads_like_a_fraction() -> None:
    assert only("Ngày 1/3, trường mở cửa.").date == date(2020, 3, 1)
    assert only("Phí tăng từ 1/5.", date(2021, 4, 28)).date == date(2021, 5, 1)
    assert [m.text for m in find_dates("Dịp nghỉ lễ 30/4 và 1/5 khách đông.", date(2021, 4, 28))] == [
        "30/4",
        "1/5",
    ]


# --- spans and JSON -----------------------------------------------------------------------------------


def test_spans_point_at_the_mention_in_the_text() -> None:
    text = (
        "Chiều ngày 1/10, UBND TP họp. Trước đó, hôm 30/9 và trong 2 ngày 13 và 14/9, đoàn kiểm tra "
        "làm việc; tháng 12/2019 dự án khởi công, năm 2011 công ty thành lập (tỷ số 2/1)."
    )
    mentions = find_dates(text, OCT_1_2020)
    assert [m.text for m in mentions] == [
        "Chiều ngày 1/10",
        "hôm 30/9",
        "ngày 13 và 14/9",
        "tháng 12/2019",
        "năm 2011",
    ]
    assert all(text[m.start : m.end] == m.text for m in mentions)


def test_mentions_round_trip_through_json() -> None:
    for mention in find_dates("Trong 2 ngày 13 và 14/10 và tháng 12/2020.", OCT_1_2020):
        assert DateMention.from_json(mention.to_json()) == mention


# --- event date and dateline --------------------------------------------------------------------------


def test_the_event_date_is_the_first_day_in_the_lead() -> None:
    lead = "Năm 2020, Vinamilk dẫn đầu. Chiều ngày 30/9, công ty công bố kết quả; ngày 1/10 cổ phiếu tăng."
    assert event_date(lead, OCT_1_2020) == date(2020, 9, 30)
    assert event_date("Vinamilk lọt Top 1.000 thương hiệu hàng đầu châu Á.", OCT_1_2020) is None


@pytest.mark.parametrize(
    ("dateline", "published"),
    [
        ("Thứ Năm, 01/10/2020 - 18:20", datetime(2020, 10, 1, 18, 20)),
        ("01/10/2020 18:20 GMT+7", datetime(2020, 10, 1, 18, 20, tzinfo=timezone(timedelta(hours=7)))),
        ("Cập nhật: 10:05 ngày 01/10/2020", datetime(2020, 10, 1, 10, 5)),
        (
            "Thứ sáu, 2/10/2020, 07:00 (GMT+7)",
            datetime(2020, 10, 2, 7, 0, tzinfo=timezone(timedelta(hours=7))),
        ),
    ],
)
def test_the_publication_date_comes_from_a_dateline(dateline: str, published: datetime) -> None:
    page = f"Trang chủ | Kinh doanh\nVinamilk lọt Top 1.000 thương hiệu\n{dateline}\nNăm 2020, Vinamilk đã..."
    assert find_publication_date(page) == published


def test_a_dateline_followed_by_its_section_is_a_dateline() -> None:
    # cafef prints the section after the time.
    text = "Thời điểm nâng hạng cận kề\n07-03-2026 - 00:01 AM | Thị trường chứng khoán\nNội dung bài."
    assert find_publication_date(text) == datetime(2026, 3, 7, 0, 1)


def test_a_date_in_a_body_sentence_is_not_a_dateline() -> None:
    page = "Tiêu đề\nNgày 31/12/2020, số dư huy động vốn của ngân hàng đạt mức cao kỷ lục so với cùng kỳ."
    assert find_publication_date(page) is None


def test_the_published_dateline_wins_over_the_updated_one() -> None:
    page = "Tiêu đề\nCập nhật: 10:05 ngày 02/10/2020\nThân bài.\nThứ Năm, 01/10/2020 - 18:20"
    assert find_publication_date(page) == datetime(2020, 10, 1, 18, 20)


# --- on real news -------------------------------------------------------------------------------------


def read_lead(path: Path) -> tuple[date, str]:
    """Publication date ("# date = YYYYMMDD") and lead of a vi-news-unc article, as ingest reads them."""
    header, _title, body = split_txt(path.read_text(encoding="utf-8"))
    return datetime.strptime(header["date"], "%Y%m%d").date(), lead_paragraph(body)


def test_lead_dates_on_vi_news_fall_just_before_publication(vi_news_dir: Path) -> None:
    articles = [read_lead(path) for path in sorted(vi_news_dir.glob("*.txt"))]
    assert len(articles) > 2000
    lags = [
        (published - found).days for published, lead in articles if (found := event_date(lead, published))
    ]
    # Measured 88.3% of 709 event dates: the rest are mostly announcements (8.0% fall after
    # publication, rightly) and anniversaries written with their year ("Ngày 12/4/1961").
    assert len(lags) > 650
    assert sum(0 <= lag <= 60 for lag in lags) / len(lags) >= 0.86
    resolved = [
        (published, m)
        for published, lead in articles
        for m in find_dates(lead, published)
        if not any(str(year) in m.text for year in range(1800, 2100))
    ]
    assert resolved
    assert all((m.date_end or m.date) <= published + timedelta(days=400) for published, m in resolved)
