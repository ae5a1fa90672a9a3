"""One document, many renderers: a review report (báo cáo sơ kết / tổng kết) or a brief is built once
as a `Document` and rendered to DOCX (`reports/docx.py`), PDF (`reports/pdf.py`) and HTML
(`reports/html.py`), so that every format says the same thing in the same order.

The model holds what the administrative format needs (../shared/REPORTS.md, docs/reports.md): the
header (parent body, issuing body, number and symbol, place and date), the type name and subject
line, the body as a flat list of blocks (headings already numbered "I.", "1.", "a)", paragraphs,
tables and figures with their captions), the signature and the recipients. What the layout adds —
national title and motto, rules, fonts, margins, page numbers, the closing "./." — is each
renderer's, by `style`: "state" (Nghị định 30/2020/NĐ-CP, Phụ lục I) or "party" (Hướng dẫn
36-HD/VPTW). No renderer decides content; no builder decides layout.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Literal

Style = Literal["state", "party"]
STYLES: tuple[Style, ...] = ("state", "party")

# the letters of sub-items "a)", "b)" … in Vietnamese order: no f, j, w, z; đ after d
VI_LETTERS = tuple("abcdđeghiklmnopqrstuvxy")
ROMAN = (
    (1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"),
    (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I"),
)  # fmt: skip


def roman(n: int) -> str:
    """1 -> "I", 4 -> "IV": section numbers."""
    if n < 1:
        raise ValueError(f"no Roman numeral for {n}")
    out = []
    for value, letters in ROMAN:
        count, n = divmod(n, value)
        out.append(letters * count)
    return "".join(out)


def letter(n: int) -> str:
    """1 -> "a", 5 -> "đ": the label of the n-th sub-item (past "y": "aa", "ab" …)."""
    if n < 1:
        raise ValueError(f"no letter for {n}")
    base = len(VI_LETTERS)
    prefix = letter((n - 1) // base) if n > base else ""
    return prefix + VI_LETTERS[(n - 1) % base]


def document_number(style: Style, number: int | str | None, type_code: str, body: str) -> str:
    """The number and symbol without "Số": State "12/BC-TTBC" (number/TYPE-BODY), Party "57-BC/BTGTW"
    (number-TYPE/BODY); no number yet (a draft the clerk numbers): blank space kept for it."""
    shown = str(number) if number not in (None, "") else "\u00a0" * 8  # kept by HTML too
    return f"{shown}-{type_code}/{body}" if style == "party" else f"{shown}/{type_code}-{body}"


def place_date(place: str, on: date, lang: str = "vi") -> str:
    """ "Hà Nội, ngày 05 tháng 7 năm 2023": a leading zero for days below 10 and for months 1 and 2
    (NĐ 30/2020, Phụ lục I); English "Ha Noi, 5 July 2023"."""
    if lang == "en":
        return f"{place}, {on.day} {on:%B} {on.year}"
    month = f"{on.month:02d}" if on.month <= 2 else str(on.month)
    return f"{place}, ngày {on.day:02d} tháng {month} năm {on.year}"


# -- blocks ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Run:
    """A piece of a paragraph with its emphasis."""

    text: str
    bold: bool = False
    italic: bool = False


@dataclass(frozen=True)
class Heading:
    """A numbered heading: level 1 "I." + text (caps, bold), level 2 "1." (bold), level 3 "a)"
    (upright). `label` is the number as shown ("I.", "1.", "a)"); `text` is written as the builder
    wrote it (a renderer puts level 1 in capitals)."""

    level: int
    label: str
    text: str


@dataclass(frozen=True)
class Paragraph:
    """A body paragraph (justified, first line indented); `runs` when parts are bold or italic."""

    runs: tuple[Run, ...]

    @classmethod
    def of(cls, text: str, *, bold: bool = False, italic: bool = False) -> Paragraph:
        return cls((Run(text, bold, italic),))

    @property
    def text(self) -> str:
        return "".join(r.text for r in self.runs)


@dataclass(frozen=True)
class Table:
    """A table with its caption ("Bảng 1. …") above it; cells are text as shown (numbers formatted
    by the builder). `align` per column: "left" | "right" | "center"; `note` under it (a source, a
    definition)."""

    caption: str
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    align: tuple[str, ...] = ()
    note: str | None = None

    def __post_init__(self) -> None:
        width = len(self.columns)
        if any(len(row) != width for row in self.rows):
            raise ValueError(f"table {self.caption!r}: every row needs {width} cells")
        if self.align and len(self.align) != width:
            raise ValueError(f"table {self.caption!r}: align needs {width} values")


@dataclass(frozen=True)
class Figure:
    """A chart as a static PNG with its caption ("Hình 1. …") below it; `width_mm` as printed."""

    caption: str
    png: bytes
    width_mm: float = 150.0
    alt: str = ""


Block = Heading | Paragraph | Table | Figure


# -- the document ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Header:
    """The header table. `parent`: the body above the issuer (cơ quan chủ quản, e.g. "Bộ Ngoại
    giao"), None at the top; `issuer`: the issuing body; `number`: number and symbol as
    `document_number` makes it ("" for a paper that is not filed, such as the brief: no "Số" line);
    `place` and `on`: the place-date line."""

    issuer: str
    number: str
    place: str
    on: date
    parent: str | None = None


@dataclass(frozen=True)
class Signature:
    """The signature block: `authority` ("TM. BAN CHỈ ĐẠO", "KT. VỤ TRƯỞNG"; None when the head signs
    in their own name), `title` ("PHÓ VỤ TRƯỞNG"), `name` (empty: to be signed)."""

    title: str
    name: str = ""
    authority: str | None = None


@dataclass
class Document:
    """A document ready to render. `kind`: the type name ("BÁO CÁO"); `subject`: the trích yếu
    ("Sơ kết công tác thông tin đối ngoại 6 tháng đầu năm 2026"); `blocks` the body in order;
    `recipients` the "Nơi nhận" list, the last one usually "Lưu: VT, <unit>"; `lang` the language
    of the words the renderer adds (national title, "Nơi nhận", page labels)."""

    style: Style
    header: Header
    kind: str
    subject: str
    blocks: list[Block] = field(default_factory=list)
    signature: Signature | None = None
    recipients: list[str] = field(default_factory=list)
    lang: str = "vi"
    title: str = ""  # for file metadata and the HTML <title>: defaults to kind + subject

    def __post_init__(self) -> None:
        if self.style not in STYLES:
            raise ValueError(f"style {self.style!r}: one of {', '.join(STYLES)}")
        if not self.title:
            self.title = f"{self.kind} {self.subject}".strip()

    def headings(self, level: int | None = None) -> list[Heading]:
        return [b for b in self.blocks if isinstance(b, Heading) and (level is None or b.level == level)]

    def tables(self) -> list[Table]:
        return [b for b in self.blocks if isinstance(b, Table)]

    def figures(self) -> list[Figure]:
        return [b for b in self.blocks if isinstance(b, Figure)]


# the words a renderer adds, by language
NATIONAL = {
    "vi": {"state": ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc"),
           "party": ("ĐẢNG CỘNG SẢN VIỆT NAM", None)},
    "en": {"state": ("SOCIALIST REPUBLIC OF VIET NAM", "Independence - Freedom - Happiness"),
           "party": ("COMMUNIST PARTY OF VIET NAM", None)},
}  # fmt: skip
WORDS = {
    "vi": {"number": {"state": "Số: ", "party": "Số "}, "recipients": "Nơi nhận:", "closing": "./.",
           "table": "Bảng", "figure": "Hình", "page": "Trang"},
    "en": {"number": {"state": "No. ", "party": "No. "}, "recipients": "Recipients:", "closing": "./.",
           "table": "Table", "figure": "Figure", "page": "Page"},
}  # fmt: skip


def national(style: Style, lang: str) -> tuple[str, str | None]:
    """The national title and motto (the motto: State only)."""
    return NATIONAL.get(lang, NATIONAL["vi"])[style]


def words(lang: str) -> dict:
    return WORDS.get(lang, WORDS["vi"])
