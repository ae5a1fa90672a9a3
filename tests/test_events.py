"""Events: meetings and conferences with what their sentence says about them, nothing invented."""

from __future__ import annotations

from datetime import date

import pytest

from caunoi.enrich.events import find_events
from caunoi.models import SearchRequest

PUBLISHED = date(2021, 4, 28)


def one(text: str) -> dict:
    (event,) = find_events(text, PUBLISHED)
    return {
        k: v
        for k, v in event.to_json().items()
        if v not in (None, []) and k not in ("start", "end", "sentence")
    }


# Sentences from vi-news-unc (dantri.com.vn, April 2021, GPL-3.0), as published.
def test_a_rollout_conference_with_date_and_place():
    event = one(
        "Chiều ngày 27/4, tại Ban Tuyên giáo Trung ương diễn ra Hội nghị triển khai Quyết định của "
        "Bộ Chính trị về công tác cán bộ."
    )
    assert event["type"] == "trien_khai" and event["date"] == "2021-04-27"
    assert event["place"] == "Ban Tuyên giáo Trung ương" and event["score"] == 1.0


def test_a_press_briefing_of_the_foreign_ministry():
    event = one(
        "Tại cuộc họp báo thường kỳ của Bộ Ngoại giao chiều 29/4, Phó Phát ngôn Bộ Ngoại giao Đoàn Khắc Việt "
        "cho biết phản ứng trước thông tin."
    )
    assert (event["type"], event["date"]) == ("hop_bao", "2021-04-29")  # "29/4" read against 28/4: this year


def test_a_named_round_table():
    event = one(
        'Ông Nguyễn Quý Xuân đã chia sẻ như vậy tại buổi toạ đàm "Hướng nghiệp trong thời kỳ chuyển đổi số".'
    )
    assert (event["type"], event["name"]) == ("toa_dam", "Hướng nghiệp trong thời kỳ chuyển đổi số")


def test_the_event_is_not_its_own_place():
    event = one(
        "Phát biểu tại Hội thảo, Thứ trưởng Bộ TT-TT Nguyễn Huy Dũng cho biết, chuyển đổi số là cần thiết."
    )
    assert event["type"] == "hoi_thao" and "place" not in event and event["score"] == 0.6


def test_generic_mentions_score_low():
    events = find_events(
        "Nhiều hội thảo, hội nghị quốc tế về công viên đã được tổ chức, thu hút hàng trăm nhà khoa học.",
        PUBLISHED,
    )
    assert [(e.type, e.score) for e in events] == [("hoi_thao", 0.4), ("hoi_nghi", 0.6)]


# Constructed in the style of the foreign ministry's news items (not quoted from a source).
def test_a_review_conference_with_chair_counts_and_period():
    event = one(
        "Sáng 24/4, tại Hà Nội, Bộ Ngoại giao tổ chức Hội nghị sơ kết công tác thông tin đối ngoại "
        "6 tháng đầu năm 2021 dưới sự chủ trì của Thứ trưởng Lê Thị Thu Hằng, với sự tham dự của 70 đại sứ "
        "và 18 Trưởng cơ quan đại diện tại 58 quốc gia."
    )
    assert event["type"] == "so_ket" and event["date"] == "2021-04-24" and event["place"] == "Hà Nội"
    assert event["organiser"] == "Bộ Ngoại giao" and event["chair"] == "Thứ trưởng Lê Thị Thu Hằng"
    assert event["period"] == "6 tháng đầu năm 2021"
    assert event["counts"] == [
        {"count": "70", "of": "đại sứ"},
        {"count": "18", "of": "Trưởng cơ quan đại diện"},
        {"count": "58", "of": "quốc gia"},
    ]


def test_a_reception_has_host_and_guest():
    event = one(
        "Chiều 15/4, tại Trụ sở Chính phủ, Thủ tướng Phạm Minh Chính tiếp Đại sứ Hoa Kỳ Marc Knapper."
    )
    assert event["type"] == "tiep" and event["place"] == "Trụ sở Chính phủ"
    assert (event["host"], event["guest"]) == ("Thủ tướng Phạm Minh Chính", "Đại sứ Hoa Kỳ Marc Knapper")


@pytest.mark.parametrize(
    "text",
    [
        "Chính quyền Thủ tướng Morrison trực tiếp đối đầu với nhà lãnh đạo Trung Quốc.",
        "Bệnh viện tiếp tục theo dõi; Sở Y tế tiếp nhận 20 ca; đoàn đã tiếp cận hiện trường.",
        "Hai nước cam kết tiếp tục hợp tác.",
    ],
)
def test_tiep_that_is_not_a_reception(text):
    assert find_events(text, PUBLISHED) == []


def test_search_by_event_type(service, tmp_path):
    (tmp_path / "a.txt").write_text(
        "Hội nghị sơ kết công tác thông tin đối ngoại\nSáng 24/4, tại Hà Nội, Bộ Ngoại giao tổ chức Hội nghị "
        "sơ kết công tác thông tin đối ngoại 6 tháng đầu năm.\n",
        encoding="utf-8",
    )
    (tmp_path / "b.txt").write_text(
        "Giá vàng tăng\nGiá vàng hôm nay tăng mạnh trên thị trường.\n", encoding="utf-8"
    )
    service.ingest([tmp_path])
    hits = service.search(SearchRequest(query="", tags=(("event_type", "so_ket"),)))
    assert [h.title for h in hits] == ["Hội nghị sơ kết công tác thông tin đối ngoại"]
    article = service.article(hits[0].id)
    assert article.events[0]["organiser"] == "Bộ Ngoại giao"
