"""The page of a Vietnamese administrative document, per style, as the renderers lay it out: the one
place for its numbers (margins, sizes, spacing, the widths of the rules) and for what the layout adds
to the words of a `Document` (the capitals of a section heading, the abbreviation of the authority,
the punctuation of the recipients, the closing "./."). reports/docx.py and reports/html.py (which
WeasyPrint prints) read both from here, so that a DOCX and a PDF of one report agree.

"state" follows Nghị định 30/2020/NĐ-CP, Phụ lục I; "party" Hướng dẫn 36-HD/VPTW (03/4/2018); where
the texts give a range, the value chosen is in it (../shared/REPORTS.md, docs/reports.md). Never
content: a renderer shows the blocks a builder wrote, in the order written.

Rule lengths are measured with the shipped font (caunoi/data/fonts, Liberation Serif 2.1.5), which has
Times New Roman's advance widths, so a rule drawn "as long as the text" is as long in Word as in the
PDF.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from caunoi.reports.document import Document, Heading, Paragraph, Signature, Style

if TYPE_CHECKING:
    from fontTools.ttLib import TTFont

FONTS = Path(__file__).resolve().parent.parent / "data" / "fonts"
FONT_FAMILY = "Times New Roman"  # what the documents name; Liberation Serif stands in where it is absent
SHIPPED_FAMILY = "Liberation Serif"
FACES = {  # (bold, italic) -> file
    (False, False): "LiberationSerif-Regular.ttf",
    (True, False): "LiberationSerif-Bold.ttf",
    (False, True): "LiberationSerif-Italic.ttf",
    (True, True): "LiberationSerif-BoldItalic.ttf",
}
PAGE_MM = (210.0, 297.0)  # A4 portrait
MM_PER_PT = 25.4 / 72


@dataclass(frozen=True)
class Layout:
    """The numbers of one style. Sizes in points, lengths in millimetres."""

    margins_mm: tuple[float, float, float, float]  # top, bottom, left, right
    header_left_mm: float  # the left column of the header table (the issuing body, the number)
    national_pt: float  # "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" / "ĐẢNG CỘNG SẢN VIỆT NAM"
    motto_pt: float  # "Độc lập - Tự do - Hạnh phúc" (State only)
    parent_pt: float
    issuer_pt: float
    number_pt: float
    place_date_pt: float
    kind_pt: float  # "BÁO CÁO"
    subject_pt: float
    body_pt: float
    line_multiple: float | None  # body line spacing as a multiple of single …
    line_exact_pt: float | None  # … or exactly this many points (Party: at least 18 pt)
    label_pt: float  # "Nơi nhận:"
    label_bold: bool
    label_italic: bool
    label_underline: bool
    recipient_pt: float
    recipient_end: str  # what ends each recipient but the last (the last ends with ".")
    title_bold: bool  # the signer's title; the authority line is always bold
    authority_marks: tuple[tuple[str, str], ...]  # TM./T/M …: how this style writes them
    issuer_mark: str  # under the issuing body: "rule" (State) or "star" (Party: a centred "*")
    subject_mark: str  # under the subject: "rule" (State) or "dashes" (Party: "-----")
    first_indent_mm: float = 12.7
    after_pt: float = 6.0
    caption_pt: float = 13.0  # "Bảng 1. …", "Hình 1. …"
    cell_pt: float = 12.0
    note_pt: float = 12.0
    signature_pt: float = 14.0
    signature_space_pt: float = 80.0  # room for the signature and the seal, above the name
    page_number_pt: float = 13.0
    header_distance_mm: float = 10.0  # the page number, centred in the top margin
    rule_pt: float = 0.75  # the thickness of the rules

    @property
    def text_width_mm(self) -> float:
        return PAGE_MM[0] - self.margins_mm[2] - self.margins_mm[3]

    @property
    def header_right_mm(self) -> float:
        return self.text_width_mm - self.header_left_mm


# NĐ 30/2020, Phụ lục I: top and bottom 20–25 mm, left 30–35, right 15–20; national title 12–13 pt
# bold, motto 13–14 pt bold; bodies 12–13 pt; number 13; place-date 13–14 italic; type name 13–14
# bold; subject 13–14 bold; body 13–14; "Nơi nhận:" 12 bold italic, the list 11.
STATE = Layout(
    margins_mm=(20.0, 20.0, 30.0, 15.0),
    header_left_mm=65.0,
    national_pt=13.0,  # 95.7 mm long, in a right column of 100
    motto_pt=13.0,
    parent_pt=13.0,
    issuer_pt=13.0,
    number_pt=13.0,
    place_date_pt=14.0,
    kind_pt=14.0,
    subject_pt=14.0,
    body_pt=14.0,
    line_multiple=1.15,
    line_exact_pt=None,
    label_pt=12.0,
    label_bold=True,
    label_italic=True,
    label_underline=False,
    recipient_pt=11.0,
    recipient_end=";",
    title_bold=True,
    authority_marks=(("T/M", "TM."), ("K/T", "KT."), ("T/L", "TL."), ("T/U/Q", "TUQ.")),
    issuer_mark="rule",
    subject_mark="rule",
)
# HD 36-HD/VPTW, where it differs from State: "ĐẢNG CỘNG SẢN VIỆT NAM" 15 bold with a rule; bodies 14
# (the issuer bold, a "*" under it); number 14 without a colon; type name 15–16 bold; subject 14–15
# bold, lower-case first, "-----" under it; body 14–15, line spacing exactly 18 pt or more;
# "Nơi nhận:" 14 underlined, the list 12; T/M, K/T, T/L; the signer's title not bold. (Its margins,
# 20 / 20 / 30 / 15 mm, are the ones State's chosen here.)
PARTY = replace(
    STATE,
    header_left_mm=80.0,  # "BAN TUYÊN GIÁO TRUNG ƯƠNG", 14 pt bold, is 79 mm long
    national_pt=15.0, motto_pt=0.0, parent_pt=14.0, issuer_pt=14.0, number_pt=14.0, kind_pt=16.0,
    line_multiple=None, line_exact_pt=18.0,
    label_pt=14.0, label_bold=False, label_italic=False, label_underline=True,
    recipient_pt=12.0, recipient_end=",", title_bold=False,
    authority_marks=(("TM.", "T/M"), ("KT.", "K/T"), ("TL.", "T/L"), ("TUQ.", "T/U/Q")),
    issuer_mark="star", subject_mark="dashes",
)  # fmt: skip
LAYOUTS: dict[Style, Layout] = {"state": STATE, "party": PARTY}


def layout_of(doc: Document) -> Layout:
    return LAYOUTS[doc.style]


# -- what the layout adds to the words ---------------------------------------------------------------


def heading_text(heading: Heading) -> str:
    """ "I. KẾT QUẢ THỰC HIỆN" (level 1 in capitals), "1. Công tác chỉ đạo", "a) Báo chí"."""
    text = f"{heading.label} {heading.text}".strip()
    return text.upper() if heading.level == 1 else text


def subject_text(doc: Document) -> str:
    """The trích yếu as shown: Party style starts it lower-case ("sơ kết công tác …") unless its first
    word is an abbreviation ("TTĐN"); State as written."""
    subject = doc.subject.strip()
    if doc.style == "party" and doc.lang == "vi" and subject:
        first = subject.split(maxsplit=1)[0]
        if not (len(first) > 1 and first[1].isupper()):
            subject = subject[0].lower() + subject[1:]
    return subject


def authority_text(signature: Signature, style: Style) -> str | None:
    """The authority line in capitals, its abbreviation as the style writes it: State "TM. BAN CHỈ
    ĐẠO", Party "T/M BAN CHỈ ĐẠO" (a builder may write either)."""
    if not signature.authority:
        return None
    text = " ".join(signature.authority.split()).upper()
    for other, own in LAYOUTS[style].authority_marks:
        bare = other.rstrip(".")
        if text.startswith(bare + " ") or text.startswith(bare + "."):
            return f"{own} {text[len(bare) :].lstrip('. ')}"
    return text


def recipient_lines(doc: Document) -> list[str]:
    """ "- Ban Chỉ đạo;" … "- Lưu: VT, TTBC." (Party: "," and the last "."): the dash and the
    punctuation are the layout's, whatever the builder ended an item with."""
    end = LAYOUTS[doc.style].recipient_end
    items = [re.sub(r"^[-–•]\s*", "", r.strip()).rstrip(" ;,.") for r in doc.recipients]
    items = [item for item in items if item]
    return [f"- {item}{'.' if i == len(items) - 1 else end}" for i, item in enumerate(items)]


def closing(doc: Document) -> tuple[int | None, str]:
    """Where the closing "./." goes: (index of the last block, the text to add after it) when that
    block is a paragraph — "/." after a paragraph ending with ".", else "./." — or (None, "./.")
    for a line of its own."""
    mark = "./."
    if doc.blocks and isinstance(doc.blocks[-1], Paragraph):
        text = doc.blocks[-1].text.rstrip()
        if text.endswith(mark):  # the builder closed it already
            return len(doc.blocks) - 1, ""
        return len(doc.blocks) - 1, mark[1:] if text.endswith(".") else mark
    return None, mark


# -- widths ------------------------------------------------------------------------------------------


@cache
def _metrics(bold: bool, italic: bool) -> tuple[dict[int, int], float]:
    """{code point: advance width} of one face, and its units per em."""
    from fontTools.ttLib import TTFont

    font: TTFont = TTFont(FONTS / FACES[(bold, italic)], lazy=True)
    hmtx = font["hmtx"].metrics
    widths = {cp: hmtx[name][0] for cp, name in font.getBestCmap().items()}
    return widths, float(font["head"].unitsPerEm)


def text_width_pt(text: str, size_pt: float, *, bold: bool = False, italic: bool = False) -> float:
    """The printed width of one line of `text` (no kerning: the documents' fonts are not kerned by
    Word by default)."""
    widths, per_em = _metrics(bold, italic)
    fallback = widths.get(ord("n"), per_em / 2)
    text = unicodedata.normalize("NFC", text)
    return sum(widths.get(ord(ch), fallback) for ch in text) * size_pt / per_em


def text_width_mm(text: str, size_pt: float, *, bold: bool = False, italic: bool = False) -> float:
    return text_width_pt(text, size_pt, bold=bold, italic=italic) * MM_PER_PT


def rule_mm(text: str, size_pt: float, room_mm: float, share: float, *, bold: bool = True) -> float:
    """The length of a rule under `text` set in a column `room_mm` wide: `share` of the text's longest
    line (1 for the motto, 1/3–1/2 for the issuing body and the subject), at least 10 mm."""
    return max(10.0, min(text_width_mm(text, size_pt, bold=bold), room_mm) * share)


ISSUER_RULE_SHARE = 0.4  # NĐ 30: 1/3 to 1/2 of the issuing body's name
SUBJECT_RULE_SHARE = 1 / 3  # … and of the subject line
SUBJECT_RULE_MAX_MM = 50.0


def issuer_rule_mm(doc: Document) -> float:
    lay = layout_of(doc)
    return rule_mm(doc.header.issuer.upper(), lay.issuer_pt, lay.header_left_mm, ISSUER_RULE_SHARE)


def motto_rule_mm(doc: Document, text: str) -> float:
    """State: as long as the motto; Party: as long as "ĐẢNG CỘNG SẢN VIỆT NAM"."""
    lay = layout_of(doc)
    size = lay.motto_pt if doc.style == "state" else lay.national_pt
    return rule_mm(text, size, lay.header_right_mm, 1.0)


def subject_rule_mm(doc: Document) -> float:
    lay = layout_of(doc)
    width = rule_mm(subject_text(doc), lay.subject_pt, lay.text_width_mm, SUBJECT_RULE_SHARE)
    return min(width, SUBJECT_RULE_MAX_MM)


def column_widths_mm(
    columns: tuple[str, ...], rows: tuple[tuple[str, ...], ...], room_mm: float
) -> list[float]:
    """Widths for a data table's columns sharing `room_mm`: each column wants its longest cell (the
    header's longest word at least, bold), a long text column wraps, a short figure never does."""
    pad = 4.0  # the cell's own margins, both sides
    wants = []
    for i, title in enumerate(columns):
        cells = [row[i] for row in rows] or [""]
        longest = max(text_width_mm(c, 12) for c in cells)
        word = max((text_width_mm(w, 12, bold=True) for w in title.split()), default=0.0)
        wants.append((max(longest, word) + pad, word + pad))
    total = sum(w for w, _ in wants)
    if total <= room_mm:
        return [w * room_mm / total for w, _ in wants]
    # too wide: every column keeps its header's longest word; the rest of the room is shared by
    # what each wants beyond it, by square root so one long text column does not starve the others
    floor = [m for _, m in wants]
    extra = [max(w - m, 0.0) ** 0.5 for w, m in wants]
    left = max(room_mm - sum(floor), 0.0)
    share = sum(extra) or 1.0
    widths = [m + left * e / share for m, e in zip(floor, extra, strict=True)]
    scale = room_mm / sum(widths)
    return [w * scale for w in widths]
