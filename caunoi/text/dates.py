"""Dates as Vietnamese (and foreign) news writes them — "Chiều ngày 1/10", "hôm 30/9", "tháng 12/2020" —
found with their spans and resolved to calendar dates against the publication date; and the dateline."""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta, timezone

from caunoi.models import DateMention, Precision

# How far after the reference the coming occurrence of a day or month written without its year may start
# and still be taken over the last one, by what the clause says. Unmarked: news announces coming events
# without saying so ("dịp lễ 30/4" on 26/4); on vi-news-unc, dates written with their year fall 1-90 days
# after publication far more often than 275-364 days before it (79 to 8), from 91 days on the other way
# round (9 to 19). A future word ("sẽ") reaches half a year, not to "ngày 24/4" a year on; a past word
# ("đã") a week, as it often belongs to the verb ("đã quyết định dừng bắn pháo hoa dịp lễ 30/4").
COMING_REACH_DAYS = {"future": 183, "unmarked": 90, "past": 7}
# A tense word further than this from the mention is taken to be about something else.
TENSE_REACH_CHARS = 80
# A day written without its year that the publication date puts further than this from publication is
# looked at again against the last full date (day, month and year) written before it in its paragraph:
# "Ngày 17/11/2017, hải quân Argentina thông báo tàu đã mất liên lạc từ ngày 15/11" (published 2021) is
# 15/11/2017 when that reading falls within ANCHOR_REACH_DAYS of the full date. Nearer publication, the
# publication date wins ("kỷ niệm ngày 30/4/1975 … vào ngày 28/4" in an article of 28 April 2021).
REFERENCE_TRUSTED_DAYS = 60
ANCHOR_REACH_DAYS = 31
# How many non-empty lines at the top and at the bottom of a page may hold its dateline.
DATELINE_LINES = 8

_F = re.IGNORECASE

_D = r"(?:0?[1-9]|[12]\d|3[01])"
_M = r"(?:0?[1-9]|1[0-2])"
_Y = r"(?:1[89]\d\d|20\d\d)"
# A number glued to letters, another number or a decimal point is part of something else
# ("Covid-19/4", "1.000/1", "30/2020/NĐ-CP", "1/1,52 inch", "19:30").
_L = r"(?<![\w/.:])(?<!\w[-,.])"
_R = r"(?![\w/:]|[.,\-–]\d)"

_DM = re.compile(rf"{_L}(?P<d>{_D})\s?/\s?(?P<m>{_M})(?:\s+năm\s+(?P<y>{_Y}))?{_R}", _F)
_DM_DASH = re.compile(rf"{_L}(?P<d>{_D})-(?P<m>{_M}){_R}", _F)
_DMY = re.compile(rf"{_L}(?P<d>{_D})(?P<sep>[/.\-])(?P<m>{_M})(?P=sep)(?P<y>{_Y}){_R}", _F)
_ISO = re.compile(
    rf"(?<![\w/.:\-])(?P<y>{_Y})(?P<sep>[-/])(?P<m>0[1-9]|1[0-2])(?P=sep)(?P<d>0[1-9]|[12]\d|3[01])"
    r"(?!(?!T\d)[\w/:]|[.,\-]\d)",
    _F,
)
_DAY_MONTH_WORDS = re.compile(
    rf"{_L}(?P<d>{_D})\s+tháng\s+(?P<m>{_M})(?:\s*(?:năm|,|/)\s*(?P<y>{_Y}))?(?![\w/]|[.,]\d)", _F
)
_TO = r"(?:[-–]|đến\s+hết|đến|tới|cho\s+đến)"
_FROM = r"(?:(?:kể\s+)?từ\s+(?:ngày\s+)?)?"
# "13 và 14/10", "13, 14 và 15/10", "từ 13 đến 15/10", "13-15/10": the days share the last month.
_RANGE_DAYS = re.compile(
    rf"{_FROM}{_L}(?P<d1>{_D})(?:\s*,\s*{_D})*\s*(?:{_TO}|và)\s*(?:ngày\s+)?"
    rf"(?P<d>{_D})\s?/\s?(?P<m>{_M})(?:/(?P<y>{_Y}))?{_R}",
    _F,
)
# "ngày 13/10 đến 15/10", "30/4-1/5", "từ 25/12/2020 đến 3/1/2021", "từ 10-4 đến hết 31-12".
_RANGE_DM = re.compile(
    rf"{_FROM}{_L}(?P<d1>{_D})\s?/\s?(?P<m1>{_M})(?:/(?P<y1>{_Y}))?"
    rf"\s*{_TO}\s*(?:(?:hết\s+)?ngày\s+)?(?P<d>{_D})\s?/\s?(?P<m>{_M})(?:/(?P<y>{_Y}))?{_R}"
    # With dashes the "to" must be a word: "4-2-3-1" is a football formation.
    rf"|{_FROM}{_L}(?P<d1_>{_D})-(?P<m1_>{_M})(?:-(?P<y1_>{_Y}))?"
    rf"\s+(?:đến\s+hết|đến|tới|cho\s+đến)\s+(?:(?:hết\s+)?ngày\s+)?(?P<d_>{_D})-(?P<m_>{_M})(?:-(?P<y_>{_Y}))?{_R}",
    _F,
)
_MONTH = re.compile(
    rf"(?<!\w)tháng\s+(?P<m1>{_M})(?:\s*{_TO}\s*(?:tháng\s+)?(?P<m>{_M}))?"
    rf"(?:\s*[/-]\s*(?P<y>{_Y})|,?\s+năm\s+(?P<y2>{_Y})|,\s*(?P<y3>{_Y}))?(?![\w/]|[.,]\d)",
    _F,
)
_MONTH_YEAR = re.compile(rf"{_L}(?P<m>{_M})/(?P<y>{_Y})(?![\w/]|[.,]\d|-[^\W\d])", _F)
_YEAR = re.compile(rf"(?<!\w)năm\s+(?P<y1>{_Y})(?:\s*[-–]\s*(?P<y>{_Y}))?(?![\w/]|[.,]\d)", _F)
# "những năm 1990", "thập niên 2010": a decade, written as its first year.
_DECADE = re.compile(
    r"(?<!\w)(?:(?:những|các)\s+năm|thập\s+(?:niên|kỷ))\s+(?P<y1>1[89]\d0|20\d0)(?![\w/]|[.,]\d|\s*[-–]\s*\d)",
    _F,
)

_EN_MONTHS = {
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6,
    "jul": 7, "aug": 8, "sep": 9, "oct": 10, "nov": 11, "dec": 12,
}  # fmt: skip
_EN_MONTH = (
    r"(?P<mon>January|February|March|April|May|June|July|August|September|October|November|December"
    r"|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec)\b\.?"
)
_EN_DAY = r"(?P<d>0?[1-9]|[12]\d|3[01])(?:st|nd|rd|th)?\b"
_EN_MDY = re.compile(rf"(?<!\w){_EN_MONTH}\s+{_EN_DAY}(?:,?\s+(?P<y>{_Y})\b)?", _F)
_EN_DMY = re.compile(rf"(?<![\w/.]){_EN_DAY}\s+(?:of\s+)?{_EN_MONTH}(?:,?\s+(?P<y>{_Y})\b)?", _F)
_EN_MY = re.compile(rf"(?<!\w){_EN_MONTH}\s+(?P<y>{_Y})\b", _F)
# "May" is also the Vietnamese "may" (garment): "Tổng công ty May 10".
_EN_PREPOSITION = re.compile(r"\b(?:on|in|by|since|until|from|before|after|to|of|and|,)\s*$", _F)

# Words that, right before a day-month, make it a date whatever the numbers: day parts, "ngày", "hôm",
# weekdays, "nay/qua/mai" ("Sáng nay (27/4)", "hôm thứ Năm, 1/4", "Chiều ngày 1/10").
_WEEKDAY = r"(?:thứ\s+(?:hai|ba|tư|năm|sáu|bảy|[2-7])|chủ\s+nhật)"
_DAYPART = r"(?:rạng\s+sáng|sáng\s+sớm|sáng|trưa|chiều|tối|đêm|khuya|nửa\s+đêm)"
_DAYWORD = r"(?:ngày|hôm|mùng|mồng)"
_RELDAY = r"(?:hôm\s+nay|hôm\s+qua|hôm\s+kia|nay|qua|mai|kia)"
_STRONG_CUE = re.compile(
    rf"(?<!\w)(?:(?:{_WEEKDAY}|{_DAYPART}|{_DAYWORD})(?:\s+{_RELDAY})?\s*,?\s*)+\(?\s*$", _F
)
# Weaker cues: a date is likely, but "trả trước 1/6 hóa đơn" shows they do not settle it.
_WEAK_CUE = re.compile(
    r"(?:(?<!\w)(?:từ|đến|tới|vào|trước|sau|hết|dịp|lễ|phiên|kể\s+từ|tính\s+đến|hạn|cuối|đầu|giữa)"
    r"|(?<!\w)ngày(?:\s+[^\W\d]+){1,5}|\()\s*$",
    _F,
)
# Before a number these make it a count, a score, an address or a document number, not a date.
_COUNT_BEFORE = re.compile(
    r"(?<!\w)(?:tỷ\s+số|tỉ\s+số|chấm\s+điểm|thắng|thua|hòa|hoà|khoảng|gần|hơn|trên|dưới|chiếm|bằng|được|đạt|chỉ"
    r"|tổng\s+cộng|tương\s+đương|tối\s+thiểu|tối\s+đa|tỷ\s+lệ|tỉ\s+lệ|vòng|lớp|bậc|bậc\s+thợ|ram|bộ\s+nhớ"
    r"|hạng|số|đường|phố|hẻm|ngõ|ngách|kiệt|nhà|lô|phòng|quảng\s+trường|công\s+viên|chợ|cầu|quy\s+tắc"
    r"|kích\s+thước|cảm\s+biến|tầng|căn|quý|mất|cắt|gãy|nghiệm\s+thu|hoàn\s+thành|đảm\s+bảo|bảo\s+đảm"
    r"|viện|thông\s+tư|nghị\s+định|nghị\s+quyết|quyết\s+định|chỉ\s+thị|công\s+văn|luật|văn\s+bản|khóa|khoá"
    r"|mỗi|hằng|hàng|từng|các|những|vài|mấy|\d)\s*[:(]?\s*$",
    _F,
)
# After a number these make it a ratio of something counted or measured.
_COUNT_AFTER = re.compile(
    r"\s*(?:%|phần\s+trăm|(?:người|ca|trường\s+hợp|số|dân\s+số|tổng|trận|tỉnh|thành\s+phố|bang|đội|câu"
    r"|điểm|vị\s+trí|ngành|hạng\s+mục|hộ|viên|quả|phần|diện\s+tích|cổ\s+phần|khối|sân|gb|mb|tb|inch|mm|cm"
    r"|km|kg|giờ|lần|chỉ\s+tiêu|tiêu\s+chí|điều\s+kiện|tiêu\s+chuẩn|huyện|xã|quận|trường|học\s+sinh"
    r"|thí\s+sinh|sinh\s+viên|môn|thành\s+viên|phiếu|ghế|đại\s+biểu|nước|quốc\s+gia|tình\s+huống|đơn\s+vị"
    r"|doanh\s+nghiệp|công\s+ty|bệnh\s+nhân|mẫu|liều|hóa\s+đơn|ngân\s+sách|tài\s+sản|lượng|triệu|tỷ|nghìn"
    r"|ngàn|đồng|usd|tuổi|ngày|tuần|tháng|năm(?!\s+\d)|kỳ|đợt|cái|chiếc|bàn|thắng|suất|mục|câu\s+hỏi)\b)",
    _F,
)
_UNIT_AFTER = re.compile(r"\s*(?:%|(?:gb|mb|tb|inch|mm|cm|km|kg)\b)", _F)
# Lunar dates ("mùng 10/3 âm lịch", "(tức 14/8 AL)") are a different calendar: not resolved here.
_LUNAR_AFTER = re.compile(r"\s*(?:\(\s*)?(?:âm\s+lịch|al\b|âl\b)", _F)
_LUNAR_BEFORE = re.compile(r"(?<!\w)rằm\s*$", _F)  # "rằm tháng 7": the full moon of a lunar month
_DATE_LIKE_AFTER = re.compile(
    r"\s*(?:$|[.,;:!?)\]\"”\n]|[-–]|vừa\b|tới\b|sắp\b|này\b|năm\s+(?:nay|ngoái|trước|sau)|hằng\s+năm"
    r"|hàng\s+năm|hôm\b|\()",
    _F,
)
_LIST_JOIN = re.compile(r"^\s*(?:,|và|hoặc)\s*(?:(?:ngày|tháng)\s+)?$", _F)
_COORDINATION = re.compile(r"^\s*(?:,|;|và|hoặc|hay|[-–]|đến|tới|sang)\s*(?:ngày\s+)?$", _F)

# The clause around a mention says whether it looks back or ahead.
_CLAUSE_END = re.compile(r"[.;!?\n,]|\s[-–]\s")
_PAST_MARK = re.compile(
    r"(?<!\w)(?:vừa\s+qua|vừa\s+rồi|trước\s+đó|đã|hồi|năm\s+ngoái|năm\s+trước|last|ago|earlier|was|were)(?!\w)",
    _F,
)
_FUTURE_MARK = re.compile(
    r"(?<!\w)(?:sẽ|dự\s+kiến|sắp|sắp\s+tới|tới\s+đây|tuần\s+tới|tháng\s+tới|năm\s+tới|thời\s+gian\s+tới"
    r"|kế\s+hoạch|will|is\s+expected\s+to|are\s+expected\s+to|next|upcoming|scheduled)(?!\w)",
    _F,
)

# "ngày 7/6 tới" is the coming one; "từ 1/4 tới 30/5" is a range.
_NEXT_AFTER = re.compile(r"\s*tới(?!\s*(?:ngày|\d|nay|khi|lúc|hết))\b", _F)

_TIME = re.compile(r"(?<![\d:])(?P<h>[01]?\d|2[0-3])\s*(?::|h|giờ)\s*(?P<min>[0-5]\d)(?::[0-5]\d)?(?!\d)"
                   r"(?:\s*(?P<ampm>am|pm)\b)?", _F)  # fmt: skip
_TZ = re.compile(r"\(?\s*(?:GMT|UTC)\s*(?:(?P<sign>[+-])\s*(?P<h>\d{1,2})(?::?(?P<m>\d{2}))?)?\s*\)?", _F)
_UPDATED = re.compile(r"cập\s+nhật|updated|sửa\s+đổi|modified", _F)
_DATELINE_WORDS = re.compile(
    rf"(?<!\w)(?:{_WEEKDAY}|ngày|lúc|cập\s+nhật|đăng|đăng\s+tải|xuất\s+bản|published|updated|posted|on|at"
    r"|monday|tuesday|wednesday|thursday|friday|saturday|sunday|mon|tue|wed|thu|fri|sat|sun)(?!\w)",
    _F,
)


@dataclass(frozen=True)
class _Written:
    """What a mention writes, before its missing year is chosen: (year, month, day) of its first and last
    day, with None where nothing is written (a month has no day, a year no month)."""

    start: int
    end: int
    kind: str
    first: tuple[int | None, int | None, int | None]
    last: tuple[int | None, int | None, int | None]
    core: int  # where the numbers begin, before any cue words the span takes in

    @property
    def precision(self) -> Precision:
        return "day" if self.last[2] else "month" if self.last[1] else "year"

    @property
    def year_written(self) -> bool:
        return self.last[0] is not None


def find_dates(text: str, reference: date | None, *, year_hint: int | None = None) -> list[DateMention]:
    """Every date written in `text`, in order, resolved against `reference` (the publication date).

    A day or month written without a year takes the latest year that does not put it after `reference`,
    unless the coming occurrence is near enough — up to half a year when its clause looks ahead ("sẽ",
    "dự kiến", "will"), three months when nothing says either way (COMING_REACH_DAYS); a day that
    reading puts far from `reference` takes the year of a full date written just before it in its
    paragraph instead, when that puts it close to that date (REFERENCE_TRUSTED_DAYS, ANCHOR_REACH_DAYS).
    A range takes the month and year of its end. Without a reference the year is `year_hint`, else that
    of the occurrence nearest the nearest full date in the text, else the nearest year written in it;
    else today's date is the reference.
    """
    written = _written_dates(text)
    explicit_years = [(w.core, w.last[0]) for w in written if w.last[0] is not None]
    anchors = [
        _Anchor(w.start, w.end, *span)
        for w in written
        if w.year_written and w.precision != "year" and (span := _interval(w, w.last[0]))
    ]
    mentions = []
    for w in written:
        span = _resolve(text, w, reference, year_hint, explicit_years, anchors)
        if span is None:
            continue
        first, last = span
        mentions.append(
            DateMention(
                text=text[w.start : w.end],
                start=w.start,
                end=w.end,
                date=first,
                precision=w.precision,
                date_end=last if last != first or w.precision != "day" else None,
            )
        )
    return mentions


def event_date(lead: str, reference: date | None) -> date | None:
    """The day the lead (sapo) reports on: its first date resolved to a day, if any.

    A bare month or year ("Năm 2020, Vinamilk...") frames the story rather than dating an event.
    """
    for mention in find_dates(lead, reference):
        if mention.precision == "day":
            return mention.date
    return None


def find_publication_date(text: str) -> datetime | None:
    """The publication time of a scraped page, from a dateline line near its top or bottom.

    Only a line that is mostly a dateline counts ("Thứ Năm, 01/10/2020 - 18:20", "Cập nhật: 10:05 ngày
    01/10/2020"), never a date in a body sentence. An "updated" line is used only when there is no other.
    The result is timezone-aware only when the dateline writes its offset ("GMT+7").
    """
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    near_edges = lines[:DATELINE_LINES] + lines[DATELINE_LINES:][-DATELINE_LINES:]
    updated = None
    for line in near_edges:
        published = _parse_dateline(line)
        if published is None:
            continue
        if not _UPDATED.search(line):
            return published
        updated = updated or published
    return updated


# --- finding -----------------------------------------------------------------------------------------


def _written_dates(text: str) -> list[_Written]:
    """The dates written in `text`, in order, before any missing year is chosen."""
    return _share_list_years(text, _accept_in_context(text, _select(_candidates(text))))


def _candidates(text: str) -> list[_Written]:
    found = []
    for kind, pattern in _PATTERNS:
        for m in pattern.finditer(text):
            w = _written(kind, m)
            if w is not None:
                found.append(w)
    return found


def _num(m: re.Match[str], *groups: str) -> int | None:
    for group in groups:
        value = m.groupdict().get(group)
        if value:
            return int(value)
    return None


def _written(kind: str, m: re.Match[str]) -> _Written | None:
    """A match turned into what it writes, or None when it cannot be a date (a range running backwards)."""
    if kind in ("en_mdy", "en_dmy", "en_my"):
        if not m["mon"][0].isupper():  # English month names are capitalised; "may", "mar" are words
            return None
        month = _EN_MONTHS[m["mon"][:3].lower()]
        last = (_num(m, "y"), month, _num(m, "d"))
        return _Written(m.start(), m.end(), kind, last, last, m.start())
    y, mo, d = _num(m, "y", "y_", "y2", "y3"), _num(m, "m", "m_"), _num(m, "d", "d_")
    last = (y, mo, d)
    first = last
    if kind == "range_days":
        if _num(m, "d1") >= d:
            return None
        first = (None, mo, _num(m, "d1"))
    elif kind == "range_dm":
        first = (_num(m, "y1", "y1_"), _num(m, "m1", "m1_"), _num(m, "d1", "d1_"))
        if first[0] is not None and y is None:
            return None  # "từ 25/12/2020 đến 3/1": the year is written on the wrong side to share
        if first[0] is None and (first[1], first[2]) == (mo, d):
            return None
    elif kind == "month":  # "tháng 11 đến tháng 2/2021" starts in 2020
        first, last = (None, _num(m, "m1"), None), (y, _num(m, "m", "m1"), None)
    elif kind == "decade":
        first, last = (_num(m, "y1"), None, None), (_num(m, "y1") + 9, None, None)
    elif kind == "year":
        first, last = (_num(m, "y1"), None, None), (_num(m, "y", "y1"), None, None)
        if last[0] < first[0]:
            return None
    return _Written(m.start(), m.end(), kind, first, last, m.start())


_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    ("iso", _ISO),
    ("dmy", _DMY),
    ("dm", _DM),
    ("dm_dash", _DM_DASH),
    ("dmw", _DAY_MONTH_WORDS),
    ("range_days", _RANGE_DAYS),
    ("range_dm", _RANGE_DM),
    ("month", _MONTH),
    ("month_year", _MONTH_YEAR),
    ("year", _YEAR),
    ("decade", _DECADE),
    ("en_mdy", _EN_MDY),
    ("en_dmy", _EN_DMY),
    ("en_my", _EN_MY),
]


def _select(candidates: list[_Written]) -> list[_Written]:
    """The longest candidates that do not overlap, in text order ("tháng 12/2020" over "12/2020")."""
    chosen: list[_Written] = []
    for w in sorted(candidates, key=lambda w: (-(w.end - w.start), w.start)):
        if all(w.end <= c.start or w.start >= c.end for c in chosen):
            chosen.append(w)
    return sorted(chosen, key=lambda w: w.start)


# --- context -----------------------------------------------------------------------------------------


def _accept_in_context(text: str, written: list[_Written]) -> list[_Written]:
    """Keep the candidates their context makes dates; widen each span over its cue words."""
    accepted: list[_Written] = []
    for w in written:
        before = text[max(0, w.start - 60) : w.start]
        after = text[w.end : w.end + 40]
        strong = _STRONG_CUE.search(before)
        after_previous = (
            accepted
            and accepted[-1].precision == "day"
            and _COORDINATION.match(text[accepted[-1].end : w.start])
        )
        if (
            _LUNAR_AFTER.match(after)
            or _LUNAR_BEFORE.search(before)
            or not _fits_context(w, before, after, bool(strong), bool(after_previous))
        ):
            continue
        accepted.append(_widen(text, w, strong))
    return accepted


def _fits_context(w: _Written, before: str, after: str, strong: bool, after_previous: bool) -> bool:
    """Whether the words around a candidate make it a date rather than a count, score or number."""
    if w.kind in ("iso", "dmy", "year", "decade", "en_mdy", "en_dmy", "en_my"):
        if w.kind in ("en_mdy", "en_dmy") and not w.year_written and w.last[1] == 5:
            return bool(_EN_PREPOSITION.search(before))
        return True
    if _UNIT_AFTER.match(after):
        return False
    if strong:
        return True
    if w.kind == "dm_dash":
        return after_previous  # "d-m" is a score unless a day word says otherwise
    if w.kind == "month_year":
        return not _COUNT_BEFORE.search(before)  # "quý 1/2021", "Thông tư 12/2020"
    if _COUNT_BEFORE.search(before) or _COUNT_AFTER.match(after):
        return False
    if w.kind in ("month", "dmw", "range_days", "range_dm") or w.year_written or after_previous:
        return True
    return _bare_day_month_is_date(w, before, after)


def _bare_day_month_is_date(w: _Written, before: str, after: str) -> bool:
    """A "d/m" with no day word: "24/7" is an idiom, and numbers that read as a fraction ("1/3", "5/5",
    "8/12") need a cue on one side — a "từ/đến/dịp..." before or a clause end after."""
    _, month, day = w.last
    if (day, month) == (24, 7):
        return False
    if day > month:
        return True
    return bool(_WEAK_CUE.search(before) or _DATE_LIKE_AFTER.match(after))


def _share_list_years(text: str, written: list[_Written]) -> list[_Written]:
    """A list writes its year once, at the end: "các ngày 11/11 và 28/12/2020", "3/6, 7/6 và 15/6/2021"."""
    shared = list(written)
    for i in range(len(shared) - 2, -1, -1):
        left, right = shared[i], shared[i + 1]
        if left.year_written or not right.year_written or left.precision == "year":
            continue
        right_span = _interval(right, right.last[0])
        if right_span is None or not _LIST_JOIN.match(text[left.end : right.core]):
            continue
        year = right_span[0].year
        if (left.last[1], left.last[2] or 1) > (right_span[0].month, right_span[0].day):
            year -= 1  # "28/12 và 3/1/2021"
        shared[i] = replace(left, last=(year, *left.last[1:]))  # a range's start follows its end
    return shared


def _widen(text: str, w: _Written, strong: re.Match[str] | None) -> _Written:
    """Take the cue words ("Chiều ngày", "hôm", "Sáng nay (") into the span, with a closing parenthesis."""
    if strong is None:
        return w
    end = w.end
    if strong.group(0).rstrip().endswith("("):
        if not text.startswith(")", end):
            return w  # "(lớp 10/2 trường...": the parenthesis is not the date's
        end += 1
    return replace(w, start=w.start - len(strong.group(0)), end=end)


# --- resolving ---------------------------------------------------------------------------------------


def _interval(w: _Written, year: int) -> tuple[date, date] | None:
    """The first and last day `w` denotes when its missing year is `year` (None if no such day)."""
    last_year = w.last[0] or year
    try:
        last = _last_day(last_year, w.last[1], w.last[2])
        first_year = w.first[0] or last_year
        first = _first_day(first_year, w.first[1], w.first[2])
        if first > last and w.first[0] is None:
            first = _first_day(first_year - 1, w.first[1], w.first[2])
    except ValueError:  # 31/4, 29/2 of a common year
        return None
    return (first, last) if first <= last else None


def _first_day(year: int, month: int | None, day: int | None) -> date:
    return date(year, month or 1, day or 1)


def _last_day(year: int, month: int | None, day: int | None) -> date:
    if month is None:
        return date(year, 12, 31)
    return date(year, month, day or calendar.monthrange(year, month)[1])


@dataclass(frozen=True)
class _Anchor:
    """A date written in full (its year and at least its month): it tells the year of days near it."""

    start: int
    end: int
    first: date
    last: date


def _resolve(
    text: str,
    w: _Written,
    reference: date | None,
    year_hint: int | None,
    explicit_years: list[tuple[int, int]],
    anchors: list[_Anchor],
) -> tuple[date, date] | None:
    if w.year_written:
        return _interval(w, w.last[0])
    if reference is None:
        if year_hint is not None:
            return _interval(w, year_hint)
        if anchors and w.precision == "day":
            nearest = min(anchors, key=lambda a: min(abs(a.start - w.core), abs(a.end - w.core)))
            return _nearest_occurrence(w, nearest)
        year = _nearest_year(w.core, explicit_years)
        if year is not None:
            return _interval(w, year)
        reference = date.today()
    found = _resolve_against(w, reference, _tense(text, w))
    if found is None or w.precision != "day" or abs((found[0] - reference).days) <= REFERENCE_TRUSTED_DAYS:
        return found
    anchor = _anchor_before(text, w, anchors)
    near = _nearest_occurrence(w, anchor) if anchor else None
    if near and anchor and _days_apart(near, anchor) <= ANCHOR_REACH_DAYS:
        return near
    return found


def _anchor_before(text: str, w: _Written, anchors: list[_Anchor]) -> _Anchor | None:
    """The last full date written before `w` in its paragraph."""
    before = [a for a in anchors if a.end <= w.start and "\n" not in text[a.end : w.start]]
    return before[-1] if before else None


def _nearest_occurrence(w: _Written, anchor: _Anchor) -> tuple[date, date] | None:
    """The occurrence of `w` (in the anchor's year or the one either side) nearest the anchor."""
    spans = [s for y in range(anchor.last.year - 1, anchor.last.year + 2) if (s := _interval(w, y))]
    return min(spans, key=lambda s: _days_apart(s, anchor), default=None)


def _days_apart(span: tuple[date, date], anchor: _Anchor) -> int:
    """Days between a period and the anchor's; 0 when they overlap."""
    if span[1] < anchor.first:
        return (anchor.first - span[1]).days
    if span[0] > anchor.last:
        return (span[0] - anchor.last).days
    return 0


def _nearest_year(position: int, explicit_years: list[tuple[int, int]]) -> int | None:
    if not explicit_years:
        return None
    return min(explicit_years, key=lambda p: abs(p[0] - position))[1]


def _resolve_against(w: _Written, reference: date, tense: str) -> tuple[date, date] | None:
    """The latest occurrence starting on or before `reference`, unless the earliest one ending on or after
    it starts within the reach COMING_REACH_DAYS gives the clause's tense."""
    occurrences = [s for y in range(reference.year - 8, reference.year + 9) if (s := _interval(w, y))]
    past = [s for s in occurrences if s[0] <= reference]
    coming = [s for s in occurrences if s[1] >= reference]
    if not past or not coming:
        return past[-1] if past else coming[0] if coming else None
    if (coming[0][0] - reference).days <= COMING_REACH_DAYS[tense]:
        return coming[0]
    return past[-1]


def _tense(text: str, w: _Written) -> str:
    """What the tense word nearest the mention in its clause says: "past", "future" or "unmarked"."""
    clause_start = max(
        (m.end() for m in _CLAUSE_END.finditer(text, max(0, w.start - 200), w.start)), default=0
    )
    next_end = _CLAUSE_END.search(text, w.end)
    clause_end = next_end.start() if next_end else len(text)
    marks = [(w.start - m.end(), "past") for m in _PAST_MARK.finditer(text, clause_start, w.start)]
    marks += [(w.start - m.end(), "future") for m in _FUTURE_MARK.finditer(text, clause_start, w.start)]
    marks += [(m.start() - w.end, "past") for m in _PAST_MARK.finditer(text, w.end, clause_end)]
    marks += [(m.start() - w.end, "future") for m in _FUTURE_MARK.finditer(text, w.end, clause_end)]
    if _NEXT_AFTER.match(text, w.end):
        return "future"
    nearest = min(marks, default=None)
    return nearest[1] if nearest and nearest[0] <= TENSE_REACH_CHARS else "unmarked"


# --- datelines ---------------------------------------------------------------------------------------


def _parse_dateline(line: str) -> datetime | None:
    """The date and time of a line that is mostly a dateline, or None."""
    if len(line) > 100:
        return None
    if " | " in line:  # cafef: "07-03-2026 - 00:01 AM | Thị trường chứng khoán" (the section after)
        line = line.split(" | ", 1)[0]
    days = [w for w in _written_dates(line) if w.year_written and w.precision == "day" and w.first == w.last]
    if len(days) != 1:
        return None
    rest = line[: days[0].start] + " " + line[days[0].end :]
    time = _TIME.search(rest)
    tz = None
    if time:
        rest = rest[: time.start()] + " " + rest[time.end() :]
        tz = _TZ.search(rest)
        if tz:
            rest = rest[: tz.start()] + " " + rest[tz.end() :]
    # What is left once the date, time, zone and words like "Cập nhật", "lúc", "Thứ Năm" are gone.
    leftover = re.sub(r"\W|\d", "", _DATELINE_WORDS.sub(" ", rest))
    if len(leftover) > max(12, len(line) // 3):
        return None
    published = datetime.combine(date(*days[0].last), datetime.min.time())
    if time:
        published = published.replace(hour=_hour(time), minute=int(time["min"]))
    if tz:
        published = published.replace(tzinfo=_offset(tz))
    return published


def _hour(time: re.Match[str]) -> int:
    hour = int(time["h"])
    ampm = (time["ampm"] or "").lower()
    if ampm == "pm" and hour < 12:
        return hour + 12
    if ampm == "am" and hour == 12:
        return 0
    return hour


def _offset(tz: re.Match[str]) -> timezone:
    if not tz["h"]:
        return UTC
    minutes = int(tz["h"]) * 60 + int(tz["m"] or 0)
    return timezone(timedelta(minutes=-minutes if tz["sign"] == "-" else minutes))
