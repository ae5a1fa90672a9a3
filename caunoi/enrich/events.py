"""Meetings and conferences in Vietnamese news: type, date, place, organiser, chair, counts, period.

A sentence holds an event when it names one ("Hội nghị sơ kết", "hội đàm", "họp báo", "tọa đàm"…,
or a leader "tiếp" someone). What the same sentence says about it is read off with patterns:
the date (resolved by caunoi.text.dates against the publication date), "tại <place>", "do <X> tổ
chức", "<X> chủ trì" / "dưới sự chủ trì của <X>", counts ("70 đại sứ", "18 Trưởng cơ quan đại diện
tại 58 quốc gia") and the period under review ("6 tháng đầu năm 2023", "nhiệm kỳ 2024-2027").
An event with none of those details is kept with a lower score: it may be a generic mention
("nhiều hội thảo đã được tổ chức"). Nothing is filled in that the sentence does not say.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from caunoi.text.dates import find_dates

# trigger -> (type, English name). Longest first when compiled.
TYPES: dict[str, tuple[str, str]] = {
    "hội nghị sơ kết": ("so_ket", "interim review conference"),
    "hội nghị tổng kết": ("tong_ket", "final review conference"),
    "hội nghị triển khai": ("trien_khai", "roll-out conference"),
    "hội nghị quán triệt": ("trien_khai", "roll-out conference"),
    "hội nghị thượng đỉnh": ("summit", "summit"),
    "hội nghị trực tuyến": ("hoi_nghi", "conference"),
    "hội nghị": ("hoi_nghi", "conference"),
    "gặp mặt": ("gap_mat", "meeting"),
    "hội đàm": ("hoi_dam", "talks"),
    "điện đàm": ("dien_dam", "phone talks"),
    "hội đàm trực tuyến": ("hoi_dam", "talks"),
    "tọa đàm": ("toa_dam", "round-table"),
    "toạ đàm": ("toa_dam", "round-table"),
    "hội thảo": ("hoi_thao", "workshop"),
    "họp báo": ("hop_bao", "press conference"),
    "diễn đàn": ("dien_dan", "forum"),
    "lễ ký kết": ("ky_ket", "signing ceremony"),
}
# "<Leader> tiếp <guest>": the receiving of a visitor; "tiếp" followed by these is something else
_NOT_RECEIVE = (
    "tục", "nhận", "cận", "xúc", "theo", "đó", "thu", "sức", "tế", "diễn", "viên", "tân", "tuyến", "giáp",
    "đón", "cứu", "quản", "tay", "thị", "liệu",
)  # fmt: skip

_UPPER = "A-ZĐÀÁẢÃẠĂẰẮẲẴẶÂẦẤẨẪẬÈÉẺẼẸÊỀẾỂỄỆÌÍỈĨỊÒÓỎÕỌÔỒỐỔỖỘƠỜỚỞỠỢÙÚỦŨỤƯỪỨỬỮỰỲÝỶỸỴ"
_UP = f"[{_UPPER}]"

_TRIGGER = re.compile(
    r"(?<!\w)(" + "|".join(re.escape(t) for t in sorted(TYPES, key=len, reverse=True)) + r")(?!\w)",
    re.IGNORECASE,
)
_TIEP = re.compile(r"(?<!\w)tiếp(?!\w)")
_NOT_AFTER = {"trực", "liên", "kế", "gián", "chuyển", "nối", "cấp", "đón", "sẽ"}  # "trực tiếp", "liên tiếp"…
_GUEST_WORDS = ("đoàn", "các", "ông", "bà")
_GENERIC = re.compile(r"(nhiều|các|những|một số|mỗi|hàng loạt)\s+(cuộc\s+|buổi\s+)?$", re.IGNORECASE)
_SENTENCE = re.compile(rf"(?<=[.!?…])\s+(?=[\"“'‘(]?[{_UPPER}0-9])|\n+")

_CAP = rf"{_UP}[\w.&-]*"
# capitalised words, and lower-case ones between them ("Thứ trưởng Lê Thị Thu Hằng")
_NAME = rf"{_CAP}(?:[ ,]+(?:{_CAP}|[^\W\d_{_UPPER}]+(?= {_UP})))*"
# A place or an organiser is a clause: from "tại" (or the clause start) to the next comma or a word
# that starts the rest of the sentence. Names keep their lower-case syllables ("Bộ Ngoại giao").
_STOP = (
    r"diễn ra|đã|đang|sẽ|vừa|với|dưới|do|về|nhằm|để|vào|trong|sáng|chiều|tối|trưa|ngày|từ|cho|và|là|có|"
    r"được|thì|nơi|khi|tổ chức|tiếp|hội đàm|chủ trì|phát biểu|cho biết|nhấn mạnh|tham dự|dự"
)
_CLAUSE = rf"{_UP}(?:(?!\s(?:{_STOP})(?!\w))[^,.;:()\"“”])"  # then {{1,n}}
_PLACE = re.compile(rf"(?<!\w)(?:tại|ở)\s+({_CLAUSE}{{1,60}})")
_ORGANISER = re.compile(rf"(?<!\w)do\s+({_CLAUSE}{{1,80}})\s+(?:phối hợp[^,]*\s+)?tổ chức")
_ORGANISER_BEFORE = re.compile(
    rf"(?:^|[,.;:]\s*)({_CLAUSE}{{1,80}}?)\s+(?:đã\s+|vừa\s+|sẽ\s+)?(?:long trọng\s+)?tổ chức(?!\w)"
)
_CHAIR = re.compile(rf"(?:dưới sự chủ trì của|do)\s+({_NAME})\s*(?:chủ trì)?|({_NAME})\s+(?:đã\s+)?chủ trì")
_COUNT = re.compile(
    r"(?<![\w.,])((?:hơn|gần|khoảng|trên|gần\s+)?\s*\d[\d.]*)\s+"
    r"(đại biểu|đại sứ|Đại sứ|Trưởng cơ quan đại diện|trưởng cơ quan đại diện|cơ quan đại diện|quốc gia|"
    r"nước và vùng lãnh thổ|nước|đoàn|doanh nghiệp|nhà báo|phóng viên|chuyên gia|tổ chức|địa phương|"
    r"tỉnh, thành phố|điểm cầu|kiều bào|người)(?!\w)"
)
_PERIOD = re.compile(
    r"(?<!\w)((?:6|sáu|9|chín|3|ba) tháng (?:đầu|cuối) năm \d{4}|nhiệm kỳ \d{4}\s?[-–]\s?\d{4}|"
    r"giai đoạn \d{4}\s?[-–]\s?\d{4}|quý [IV1-4]+(?:/| năm )\d{4}|năm \d{4})"
)
_HOST = re.compile(rf"(?:^|[,.;:]\s*)({_UP}[^,.;:()]{{1,80}}?)\s+(?:đã\s+|sẽ\s+)?$")
_GUEST = re.compile(r"\s*([^,.;:()]{1,100})")
_QUOTED = re.compile(r"[\"“]([^\"”]{3,160})[\"”]")


@dataclass
class Event:
    type: str  # so_ket, tong_ket, trien_khai, hoi_nghi, hoi_dam, tiep, …
    type_name: str
    trigger: str
    start: int
    end: int
    sentence: str
    name: str | None = None  # a quoted title right after the trigger
    date: date | None = None
    place: str | None = None
    organiser: str | None = None
    chair: str | None = None
    counts: list[dict] = field(default_factory=list)  # [{"count": "70", "of": "đại sứ"}]
    period: str | None = None
    host: str | None = None  # "tiếp": who receives…
    guest: str | None = None  # …and whom
    score: float = 0.6

    def to_json(self) -> dict:
        return {
            "type": self.type,
            "type_name": self.type_name,
            "trigger": self.trigger,
            "start": self.start,
            "end": self.end,
            "name": self.name,
            "date": self.date.isoformat() if self.date else None,
            "place": self.place,
            "organiser": self.organiser,
            "chair": self.chair,
            "counts": self.counts,
            "period": self.period,
            "host": self.host,
            "guest": self.guest,
            "score": self.score,
            "sentence": self.sentence,
        }


def _sentences(text: str) -> list[tuple[int, str]]:
    out, pos = [], 0
    for m in _SENTENCE.finditer(text):
        out.append((pos, text[pos : m.start()]))
        pos = m.end()
    out.append((pos, text[pos:]))
    return [(s, t) for s, t in out if t.strip()]


def _receives(sentence: str, m: re.Match) -> bool:
    """ "Thủ tướng … tiếp Đại sứ …": "tiếp" between a capitalised subject and a guest, not "trực
    tiếp", "tiếp tục", "tiếp nhận"…"""
    before = sentence[: m.start()].split()
    after = sentence[m.end() :].split()
    if not before or not after or before[-1].lower() in _NOT_AFTER:
        return False
    guest = after[0].strip('"“(')
    if guest.lower() in _NOT_RECEIVE:
        return False
    return guest[:1].isupper() or guest.lower() in _GUEST_WORDS


def _clean(name: str | None) -> str | None:
    if not name:
        return None
    name = re.sub(r"([\s,]+(và|của|tại|thuộc|về|cũng|đã|sẽ|vừa|đang))+$", "", name.strip(" ,"))
    return name or None


def _place(match: re.Match | None) -> str | None:
    """Where, unless "tại" names the event itself ("phát biểu tại Hội thảo")."""
    place = _clean(match[1]) if match else None
    return None if place is None or _TRIGGER.match(place) else place


def _organiser(match: re.Match | None) -> str | None:
    """Who organised it: a name of two words or more ("Ban tổ chức" is the organising committee)."""
    name = _clean(match[1]) if match else None
    return name if name and len(name.split()) >= 2 else None


def find_events(text: str, published: date | None = None) -> list[Event]:
    """Every event mention in `text`, one per trigger, with what its sentence says about it."""
    events: list[Event] = []
    for offset, sentence in _sentences(text):
        triggers = [(m.start(), m.end(), m[1].lower()) for m in _TRIGGER.finditer(sentence)]
        triggers += [(m.start(), m.end(), "tiếp") for m in _TIEP.finditer(sentence) if _receives(sentence, m)]
        if not triggers:
            continue
        dates = [d for d in find_dates(sentence, published) if d.precision == "day"]
        place = _PLACE.search(sentence)
        organiser = _ORGANISER.search(sentence) or _ORGANISER_BEFORE.search(sentence)
        chair = _CHAIR.search(sentence) if "chủ trì" in sentence else None
        counts = [{"count": m[1].strip(), "of": m[2]} for m in _COUNT.finditer(sentence)]
        period = _PERIOD.search(sentence)
        for start, end, trigger in sorted(triggers):
            kind, name_en = TYPES.get(trigger, ("tiep", "reception of a visitor"))
            quoted = _QUOTED.match(sentence, end + 1) if end + 1 < len(sentence) else None
            event = Event(
                type=kind,
                type_name=name_en,
                trigger=sentence[start:end],
                start=offset + start,
                end=offset + end,
                sentence=sentence.strip(),
                name=quoted[1] if quoted else None,
                date=dates[0].date if dates else None,
                place=_place(place),
                organiser=_organiser(organiser),
                chair=_clean((chair[1] or chair[2]) if chair else None),
                counts=counts,
                period=period[1]
                if period and kind in ("so_ket", "tong_ket", "hoi_nghi", "trien_khai")
                else None,
            )
            if kind == "tiep":
                host, guest = _HOST.search(sentence[:start]), _GUEST.match(sentence, end)
                event.host = _clean(host[1]) if host else None
                event.guest = _clean(guest[1]) if guest else None
            details = [
                event.date,
                event.place,
                event.organiser,
                event.chair,
                event.name,
                event.period,
                event.host,
            ]
            generic = _GENERIC.search(sentence[:start])
            event.score = 0.4 if generic else (1.0 if any(details) else 0.6)
            events.append(event)
    return events
