"""reports/docx.py, html.py and pdf.py: a report reads back in the administrative layout — A4 and the
style's margins, Times New Roman, the header table, the parts in order, "Nơi nhận:" as each style
writes it, page numbers from page 2 — from the files themselves (python-docx, pypdf), not by eye.
Each document is rendered once per module."""

from __future__ import annotations

import io
import shutil
import sys
import unicodedata
from pathlib import Path

import pytest
from docx import Document as read_docx
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from pypdf import PdfReader
from support.reports import report_document

from caunoi.errors import CaunoiError
from caunoi.i18n import refusal
from caunoi.reports import pdf
from caunoi.reports.document import Document, Figure, Heading, Paragraph, Run, Table
from caunoi.reports.docx import render_docx
from caunoi.reports.html import document_html

REPO = Path(__file__).resolve().parent.parent
RESULTS = (
    "Trong 6 tháng đầu năm, các cơ quan đại diện Việt Nam ở nước ngoài đã chủ động tổ chức họp báo, "
    "trả lời phỏng vấn và đăng bài trên báo chí sở tại, góp phần quảng bá hình ảnh đất nước, con người "
    "Việt Nam; thông tin về các chuyến thăm cấp cao được đưa kịp thời, chính xác."
)


def report(style: str, lang: str = "vi") -> Document:
    body = [
        Heading(1, "I.", "Kết quả thực hiện"),
        Heading(2, "1.", "Công tác lãnh đạo, chỉ đạo"),
        Paragraph((Run("Kết quả nổi bật: ", bold=True), Run(RESULTS))),
        Heading(3, "a)", "Thông tin qua báo chí nước ngoài"),
        *[Paragraph.of(RESULTS)] * 3,
        Table(
            "Bảng 1. Hoạt động thông tin đối ngoại theo loại",
            ("Loại hoạt động", "6 tháng 2025", "6 tháng 2026"),
            (("Họp báo", "12", "18"), ("Bài viết đăng trên báo chí nước ngoài", "140", "162")),
            align=("left", "right", "right"),
            note="Nguồn: các cơ quan đại diện báo cáo qua Cầu Nối.",
        ),
        Figure("Hình 1. Trang đăng nhập", (REPO / "docs/screenshots/login.png").read_bytes(), width_mm=60),
        Heading(1, "II.", "Hạn chế, khó khăn và nguyên nhân"),
        Paragraph.of("Hạn chế, khó khăn: một số cơ quan đại diện báo cáo chậm, số liệu chưa đầy đủ."),
        *[Paragraph.of(RESULTS)] * 4,
        Heading(1, "III.", "Kiến nghị, đề xuất"),
        Paragraph.of("Đề nghị Ban Chỉ đạo tiếp tục quan tâm, chỉ đạo công tác thông tin đối ngoại."),
    ]
    return report_document(style, body, lang)


@pytest.fixture(scope="module", params=["state", "party"])
def style(request) -> str:
    return request.param


_DOCX: dict[str, bytes] = {}
_PDF: dict[tuple[str, str], bytes] = {}


def docx_of(style: str):
    if style not in _DOCX:
        _DOCX[style] = render_docx(report(style))
    return read_docx(io.BytesIO(_DOCX[style]))


def pdf_of(style: str, engine: str = "weasyprint") -> PdfReader:
    if (style, engine) not in _PDF:
        _PDF[(style, engine)] = pdf.render_pdf(report(style), engine)
    return PdfReader(io.BytesIO(_PDF[(style, engine)]))


def runs_of(paragraph):
    return [r for r in paragraph.runs if r.text.strip()]


def first_run(paragraph):
    return runs_of(paragraph)[0]


def body_parts(word) -> list[tuple[str, object]]:
    """The body in order: ("table", Table) and ("p", Paragraph)."""
    from docx.table import Table as DocxTable
    from docx.text.paragraph import Paragraph as DocxParagraph

    parts = []
    for child in word.element.body.iterchildren():
        if child.tag == qn("w:tbl"):
            parts.append(("table", DocxTable(child, word)))
        elif child.tag == qn("w:p"):
            parts.append(("p", DocxParagraph(child, word)))
    return parts


# -- DOCX --------------------------------------------------------------------------------------------


def test_a_docx_report_is_a4_portrait_with_the_margins_of_its_style(style):
    section = docx_of(style).sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    margins = [section.top_margin, section.bottom_margin, section.left_margin, section.right_margin]
    assert [round(m.mm) for m in margins] == [20, 20, 30, 15]


def test_every_run_of_a_docx_report_is_times_new_roman_for_every_script(style):
    word = docx_of(style)
    fonts = word.element.findall(".//" + qn("w:rFonts"))
    assert fonts
    for font in fonts:
        named = {a: font.get(qn(f"w:{a}")) for a in ("ascii", "hAnsi", "cs", "eastAsia")}
        assert named == dict.fromkeys(named, "Times New Roman")
        assert not any(
            font.get(qn(f"w:{t}")) for t in ("asciiTheme", "hAnsiTheme", "eastAsiaTheme", "cstheme")
        )
    default = word.styles.element.find(qn("w:docDefaults")).find(".//" + qn("w:rFonts"))
    assert default.get(qn("w:eastAsia")) == "Times New Roman"


def test_the_header_is_a_borderless_two_column_table_with_the_lines_of_its_style(style):
    table = docx_of(style).tables[0]
    assert len(table.columns) == 2
    assert [round(c.width.mm) for c in table.columns] == ([65, 100] if style == "state" else [80, 85])
    borders = table._tbl.tblPr.find(qn("w:tblBorders"))
    assert {b.get(qn("w:val")) for b in borders} == {"nil"}
    left, right = (c.paragraphs for c in table.rows[0].cells)
    lines = [
        (p.text, first_run(p).font.size.pt, bool(first_run(p).font.bold)) for p in left + right if p.text
    ]
    if style == "state":
        assert lines == [
            ("BỘ NGOẠI GIAO", 13, False),
            ("VỤ THÔNG TIN BÁO CHÍ", 13, True),
            ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", 13, True),
            ("Độc lập - Tự do - Hạnh phúc", 13, True),
        ]
    else:
        assert lines == [
            ("BAN CHẤP HÀNH TRUNG ƯƠNG", 14, False),
            ("BAN TUYÊN GIÁO TRUNG ƯƠNG", 14, True),
            ("*", 14, False),
            ("ĐẢNG CỘNG SẢN VIỆT NAM", 15, True),
        ]
    # the rules are paragraph borders, never typed underscores
    ruled = [p for p in left + right if p._p.find(".//" + qn("w:pBdr")) is not None]
    assert len(ruled) == (2 if style == "state" else 1) and not any("_" in p.text for p in left + right)
    number, dated = (c.paragraphs[0] for c in table.rows[1].cells)
    assert number.text == ("Số: 12/BC-TTBC" if style == "state" else "Số 57-BC/BTGTW")
    assert dated.text == "Hà Nội, ngày 05 tháng 7 năm 2026" and first_run(dated).font.italic


def test_the_parts_of_a_docx_report_come_in_order(style):
    parts = body_parts(docx_of(style))
    texts = [p.text for kind, p in parts if kind == "p" and p.text.strip()]
    kind_at = texts.index("BÁO CÁO")
    subject = texts[kind_at + 1]
    assert subject == (
        "Sơ kết công tác thông tin đối ngoại 6 tháng đầu năm 2026"
        if style == "state"
        else "sơ kết công tác thông tin đối ngoại 6 tháng đầu năm 2026"
    )
    if style == "party":
        assert texts[kind_at + 2] == "-----"
    heading = texts.index("I. KẾT QUẢ THỰC HIỆN")
    last = texts.index("Đề nghị Ban Chỉ đạo tiếp tục quan tâm, chỉ đạo công tác thông tin đối ngoại./.")
    assert kind_at == 0 < heading < texts.index("1. Công tác lãnh đạo, chỉ đạo") < last
    assert [kind for kind, _ in parts].count("table") == 3  # header, data, signature
    assert parts[0][0] == "table" and parts[-1][0] == "table"  # the header first, the signature last
    size = {r.font.size.pt for r in runs_of(next(p for k, p in parts if k == "p" and p.text == "BÁO CÁO"))}
    assert size == {14 if style == "state" else 16}
    level3 = next(p for k, p in parts if k == "p" and p.text.startswith("a) "))
    assert not first_run(level3).font.bold and not first_run(level3).font.italic


def test_the_body_is_justified_14_pt_with_an_indented_first_line(style):
    texts = [p for k, p in body_parts(docx_of(style)) if k == "p" and p.text.startswith("Trong 6 tháng")]
    fmt = texts[0].paragraph_format
    assert (
        fmt.alignment == WD_ALIGN_PARAGRAPH.JUSTIFY
        and round(fmt.first_line_indent.mm, 1) == 12.7
        and fmt.space_after.pt == 6
    )
    assert {r.font.size.pt for r in texts[0].runs} == {14}
    if style == "party":
        assert fmt.line_spacing.pt == 18  # exactly 18 pt


def test_a_data_table_has_its_caption_bold_header_cells_12_pt_and_its_note_in_italic(style):
    parts = body_parts(docx_of(style))
    at = next(i for i, (k, p) in enumerate(parts) if k == "p" and p.text.startswith("Bảng 1."))
    table, note = parts[at + 1][1], parts[at + 2][1]
    head = [first_run(c.paragraphs[0]) for c in table.rows[0].cells]
    assert all(r.font.bold and r.font.size.pt == 12 for r in head)
    aligned = [c.paragraphs[0].alignment for c in table.rows[1].cells]
    assert aligned == [WD_ALIGN_PARAGRAPH.LEFT, WD_ALIGN_PARAGRAPH.RIGHT, WD_ALIGN_PARAGRAPH.RIGHT]
    assert first_run(note).font.italic and first_run(note).font.size.pt == 12


def test_the_recipients_stand_level_with_the_signature_as_each_style_writes_them(style):
    table = docx_of(style).tables[-1]
    recipients, signer = table.rows[0].cells
    label, *items = [p for p in recipients.paragraphs if p.text]
    run = first_run(label)
    if style == "state":
        said = (label.text, run.font.size.pt, run.font.bold, run.font.italic)
        assert said == ("Nơi nhận:", 12, True, True)
        assert [i.text for i in items] == [
            "- Ban Chỉ đạo công tác thông tin đối ngoại;",
            "- Các cơ quan đại diện;",
            "- Lưu: VT, TTBC.",
        ]
        assert {first_run(i).font.size.pt for i in items} == {11}
    else:
        said = (label.text, run.font.size.pt, bool(run.font.bold), run.font.underline)
        assert said == ("Nơi nhận:", 14, False, True)
        assert [i.text[-1] for i in items] == [",", ",", "."]
        assert {first_run(i).font.size.pt for i in items} == {12}
    authority, title, name = [p for p in signer.paragraphs if p.text]
    assert authority.text == ("KT. VỤ TRƯỞNG" if style == "state" else "K/T VỤ TRƯỞNG")
    assert label.paragraph_format.space_before == authority.paragraph_format.space_before
    assert bool(first_run(title).font.bold) is (style == "state")
    assert name.text == "Nguyễn Văn An" and first_run(name).font.bold
    assert table._tbl.tblPr.find(qn("w:tblBorders"))[0].get(qn("w:val")) == "nil"


def test_page_numbers_are_a_page_field_in_the_header_of_every_page_but_the_first(style):
    section = docx_of(style).sections[0]
    assert section.different_first_page_header_footer
    fields = section.header._element.findall(".//" + qn("w:instrText"))
    assert [f.text.strip() for f in fields] == ["PAGE"]
    assert section.header.paragraphs[0].alignment == WD_ALIGN_PARAGRAPH.CENTER
    assert not section.first_page_header._element.findall(".//" + qn("w:instrText"))


def test_the_file_says_its_title_and_language_and_english_reports_use_english_words():
    props = docx_of("state").core_properties
    assert props.title.startswith("Báo cáo Sơ kết") and props.language == "vi-VN"
    english = read_docx(io.BytesIO(render_docx(report("state", lang="en"))))
    assert english.core_properties.language == "en-US"
    texts = [p.text for t in english.tables for c in t._cells for p in c.paragraphs]
    assert {"SOCIALIST REPUBLIC OF VIET NAM", "Recipients:", "No. 12/BC-TTBC"} <= set(texts)


# -- HTML and PDF ------------------------------------------------------------------------------------


def test_the_html_preview_has_the_same_parts_in_the_same_order_and_its_print_css():
    html = document_html(report("state"))
    order = ["BỘ NGOẠI GIAO", "CỘNG HÒA XÃ HỘI", "Số: 12/BC-TTBC", "BÁO CÁO", "I. KẾT QUẢ THỰC HIỆN",
             "Bảng 1.", "Hình 1.", "thông tin đối ngoại./.", "Nơi nhận:", "Nguyễn Văn An"]  # fmt: skip
    body = html[html.index("<body>") :]
    places = [body.index(text) for text in order]
    assert places == sorted(places)
    assert "size: A4" in html and "@page :first" in html and "data:image/png;base64," in html
    assert html.index('"Times New Roman"') < html.index("LiberationSerif-Regular.ttf")


def top_margin_text(page) -> str:
    """What a page prints above its text area (the top 20 mm): its page number."""
    found: list[str] = []
    top = float(page.mediabox.height) - 20 * 72 / 25.4

    def visit(text, cm, tm, *_):
        y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]  # the text matrix in the page's space
        if text.strip() and y > top:
            found.append(text.strip())

    page.extract_text(visitor_text=visit)
    return " ".join(found)


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def embedded_fonts(reader: PdfReader) -> dict[str, str]:
    """{the PDF's name of a font: the full name inside the font program embedded} (TrueType only)."""
    from fontTools.ttLib import TTFont

    found = {}
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descriptor = (font.get("/DescendantFonts") or [font])[0].get_object()["/FontDescriptor"]
            program = descriptor.get_object().get("/FontFile2")
            if program is not None:
                inside = TTFont(io.BytesIO(program.get_object().get_data()))
                found[str(font["/BaseFont"])] = inside["name"].getDebugName(4)
    return found


def check_pdf(reader: PdfReader, style: str) -> None:
    assert len(reader.pages) >= 2
    assert [round(float(v)) for v in reader.pages[0].mediabox[2:]] == [595, 842]
    fonts = embedded_fonts(reader)
    assert fonts and all(
        "Times New Roman" in inside or inside.startswith("Liberation Serif") for inside in fonts.values()
    ), fonts
    text = nfc("\n".join(page.extract_text() for page in reader.pages))
    national = "Độc lập - Tự do - Hạnh phúc" if style == "state" else "ĐẢNG CỘNG SẢN VIỆT NAM"
    for phrase in (national, "Hạn chế, khó khăn", "Nguyễn Văn An", "quảng bá hình ảnh"):
        assert nfc(phrase) in text
    assert top_margin_text(reader.pages[0]) == ""
    assert top_margin_text(reader.pages[1]) == "2"


def test_a_weasyprint_pdf_embeds_the_font_and_keeps_every_vietnamese_letter(style):
    check_pdf(pdf_of(style), style)


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) is not installed")
def test_a_libreoffice_pdf_embeds_the_shipped_font_and_keeps_every_vietnamese_letter():
    reader = pdf_of("state", "libreoffice")
    check_pdf(reader, "state")
    assert all("LiberationSerif" in name or "TimesNewRoman" in name for name in embedded_fonts(reader))


# -- refusals ----------------------------------------------------------------------------------------


def refused(engine: str | None = None) -> CaunoiError:
    with pytest.raises(CaunoiError) as caught:
        pdf.render_pdf(report("state"), engine)
    return caught.value


def test_an_unknown_pdf_engine_is_refused_naming_the_two():
    error = refused("wkhtmltopdf")
    assert error.code == "pdf_engine_unknown" and "libreoffice" in refusal(error, "vi")


def test_a_missing_engine_is_refused_saying_what_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "weasyprint", None)  # as if not installed
    error = refused()
    assert error.code == "pdf_weasyprint_missing" and "libpango" in refusal(error, "vi")
    monkeypatch.setattr(pdf, "soffice_path", lambda: None)
    error = refused("libreoffice")
    assert error.code == "pdf_soffice_missing"
    assert "apt-get install libreoffice-writer-nogui" in refusal(error, "vi")


def test_a_failed_or_stuck_libreoffice_is_refused_and_ended(monkeypatch, tmp_path):
    fake = tmp_path / "soffice"
    monkeypatch.setattr(pdf, "soffice_path", lambda: str(fake))
    fake.write_text("#!/bin/sh\necho 'Error: source file could not be loaded'\nexit 1\n")
    fake.chmod(0o755)
    error = refused("libreoffice")
    assert error.code == "pdf_failed" and "source file could not be loaded" in str(error)
    fake.write_text("#!/bin/sh\nsleep 30\n")
    monkeypatch.setattr(pdf, "SOFFICE_SECONDS", 0.5)
    error = refused("libreoffice")
    assert error.code == "pdf_soffice_timeout" and "0.5 s" in str(error)
