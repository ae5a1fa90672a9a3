"""A `Document` as a Word file (.docx) in the Vietnamese administrative layout, with python-docx.

The page (A4 portrait, the style's margins), the header table (issuing body and number on the left,
the national title and the place-date line on the right), "BÁO CÁO" and the subject, the body, the
closing "./.", the signature and the recipients, and page numbers from page 2 — in the numbers of
caunoi/reports/layout.py, which the HTML (and so the WeasyPrint PDF) follows too. Times New Roman
everywhere, named for every script (w:rFonts ascii, hAnsi, cs, eastAsia, no theme fonts) so that Word
and LibreOffice pick the same face; LibreOffice's PDF route (reports/pdf.py) makes Liberation Serif,
its metric twin, stand in where Times New Roman is absent.

Rules are bottom borders of empty paragraphs sized by indents, never typed underscores: they stay
where they are when a reader changes a word. Tables that only place things (header, signature) have
no borders; data tables have all of them and repeat their header row on each page.
"""

from __future__ import annotations

from datetime import UTC, datetime
from io import BytesIO
from typing import Any

from docx import Document as new_docx
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt
from docx.table import Table as DocxTable
from docx.text.paragraph import Paragraph as DocxParagraph

from caunoi.reports.document import (
    Document,
    Figure,
    Heading,
    Paragraph,
    Run,
    Table,
    national,
    place_date,
    words,
)
from caunoi.reports.layout import (
    FONT_FAMILY,
    PAGE_MM,
    Layout,
    authority_text,
    closing,
    column_widths_mm,
    heading_text,
    issuer_rule_mm,
    layout_of,
    motto_rule_mm,
    recipient_lines,
    subject_rule_mm,
    subject_text,
)

ALIGN = {
    "left": WD_ALIGN_PARAGRAPH.LEFT,
    "right": WD_ALIGN_PARAGRAPH.RIGHT,
    "center": WD_ALIGN_PARAGRAPH.CENTER,
    "justify": WD_ALIGN_PARAGRAPH.JUSTIFY,
}
LANG_TAGS = {"vi": "vi-VN", "en": "en-US"}
CELL_PAD_MM = 1.5  # a data table's cell margins, left and right
RULE_GAP_PT = 3.0  # the rules' distance below their text (the HTML's .rule margin-top)
HANGING_MM = 3.0  # a recipient's second line starts under its first word, not under the dash


def render_docx(doc: Document) -> bytes:
    """The report as the bytes of a .docx file."""
    lay = layout_of(doc)
    out = new_docx()
    _defaults(out, doc)
    _page(out, doc, lay)
    _header(out, doc, lay)
    _title(out, doc, lay)
    _body(out, doc, lay)
    _signature(out, doc, lay)
    _properties(out, doc)
    buffer = BytesIO()
    out.save(buffer)
    return buffer.getvalue()


# -- the file and the page ---------------------------------------------------------------------------


def _fonts(rpr: Any) -> None:
    """Times New Roman for every script, and no theme font that would win over it."""
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(attr), None)
    for attr in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        fonts.set(qn(attr), FONT_FAMILY)


def _defaults(out: Any, doc: Document) -> None:
    """The document defaults and the Normal style: the font, the body size, the language (Word's
    spelling and hyphenation), no spacing of the template's own."""
    lay = layout_of(doc)
    styles = out.styles.element
    rpr_default = styles.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
    _fonts(rpr_default)
    for tag in ("w:lang", "w:sz", "w:szCs"):
        old = rpr_default.find(qn(tag))
        if old is not None:
            rpr_default.remove(old)
    for tag, value in (("w:sz", str(int(lay.body_pt * 2))), ("w:szCs", str(int(lay.body_pt * 2)))):
        el = OxmlElement(tag)
        el.set(qn("w:val"), value)
        rpr_default.append(el)
    lang = OxmlElement("w:lang")
    tag = LANG_TAGS.get(doc.lang, "vi-VN")
    lang.set(qn("w:val"), tag)
    lang.set(qn("w:eastAsia"), tag)
    rpr_default.append(lang)
    for fonts in styles.iter(qn("w:rFonts")):  # the template's other styles: no theme font either
        _fonts(fonts.getparent())
    normal = out.styles["Normal"]
    _fonts(normal.element.get_or_add_rPr())
    normal.font.size = Pt(lay.body_pt)
    normal.paragraph_format.space_before = Pt(0)
    normal.paragraph_format.space_after = Pt(0)


def _page(out: Any, doc: Document, lay: Layout) -> None:
    """A4 portrait, the style's margins, the page number centred in the top margin from page 2."""
    section = out.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(PAGE_MM[0]), Mm(PAGE_MM[1])
    top, bottom, left, right = lay.margins_mm
    section.top_margin, section.bottom_margin = Mm(top), Mm(bottom)
    section.left_margin, section.right_margin = Mm(left), Mm(right)
    section.header_distance = Mm(lay.header_distance_mm)
    section.footer_distance = Mm(lay.header_distance_mm)
    section.gutter = Mm(0)
    section.different_first_page_header_footer = True
    section.first_page_header.is_linked_to_previous = False  # an empty header on page 1
    number = section.header.paragraphs[0]
    _format(number, align="center", after=0)
    _field(number, "PAGE", "2", lay.page_number_pt)


def _field(paragraph: DocxParagraph, instruction: str, shown: str, size: float) -> None:
    """A field (PAGE) as Word writes it: begin, instruction, separate, the last value shown, end."""

    def run_with(*children: Any) -> None:
        run = paragraph.add_run()
        _run_format(run, size)
        for child in children:
            run._r.append(child)

    def fld(kind: str) -> Any:
        el = OxmlElement("w:fldChar")
        el.set(qn("w:fldCharType"), kind)
        return el

    text = OxmlElement("w:instrText")
    text.set(qn("xml:space"), "preserve")
    text.text = f" {instruction} "
    run_with(fld("begin"))
    run_with(text)
    run_with(fld("separate"))
    shown_run = paragraph.add_run(shown)
    _run_format(shown_run, size)
    run_with(fld("end"))


def _properties(out: Any, doc: Document) -> None:
    """What a file manager and Word's Properties show: the title, the subject, the issuer as author
    and the language — not python-docx's template defaults."""
    props = out.core_properties
    now = datetime.now(UTC).replace(microsecond=0, tzinfo=None)
    props.title = doc.title
    props.subject = doc.subject
    props.author = doc.header.issuer
    props.last_modified_by = doc.header.issuer
    props.language = LANG_TAGS.get(doc.lang, "vi-VN")
    props.keywords = doc.kind
    props.comments = ""
    props.category = doc.kind
    props.created = props.modified = now
    props.revision = 1


# -- paragraphs and runs -----------------------------------------------------------------------------


def _run_format(
    run: Any, size: float, *, bold: bool = False, italic: bool = False, underline: bool = False
) -> None:
    """The run's font, size and emphasis (only what is on: a run is upright and plain by default)."""
    _fonts(run._r.get_or_add_rPr())
    run.font.size = Pt(size)
    if bold:
        run.font.bold = True
    if italic:
        run.font.italic = True
    if underline:
        run.font.underline = True


def _format(
    paragraph: DocxParagraph,
    *,
    align: str = "center",
    before: float = 0,
    after: float = 0,
    line: float | None = None,
    line_exact: float | None = None,
    first_indent_mm: float | None = None,
    left_mm: float | None = None,
    right_mm: float | None = None,
    keep_next: bool = False,
) -> None:
    fmt = paragraph.paragraph_format
    fmt.alignment = ALIGN[align]
    fmt.space_before = Pt(before)
    fmt.space_after = Pt(after)
    if line_exact is not None:
        fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        fmt.line_spacing = Pt(line_exact)
    else:
        fmt.line_spacing = line or 1.0
    if first_indent_mm is not None:
        fmt.first_line_indent = Mm(first_indent_mm)
    if left_mm is not None:
        fmt.left_indent = Mm(left_mm)
    if right_mm is not None:
        fmt.right_indent = Mm(right_mm)
    fmt.keep_with_next = keep_next
    fmt.widow_control = True


def _new_paragraph(container: Any) -> DocxParagraph:
    """A new paragraph at the end of the body or of a cell (a new cell's own empty one first)."""
    if hasattr(container, "_tc"):  # (the body's paragraphs are not listed: that grows with the report)
        paragraphs = container.paragraphs
        if len(paragraphs) == 1 and paragraphs[0]._p.pPr is None:
            return paragraphs[0]  # a cell is made with one empty paragraph: it is the first line
    return container.add_paragraph()


def _line(
    container: Any,
    text: str,
    size: float,
    *,
    bold: bool = False,
    italic: bool = False,
    underline: bool = False,
    **fmt: Any,
) -> DocxParagraph:
    """One paragraph of one run: a header line, a caption, a recipient."""
    paragraph = _new_paragraph(container)
    _format(paragraph, **fmt)
    run = paragraph.add_run(text)
    _run_format(run, size, bold=bold, italic=italic, underline=underline)
    _mark_size(paragraph, size)
    return paragraph


def _mark_size(paragraph: DocxParagraph, size: float) -> None:
    """The paragraph mark's size, which sets an empty line's height."""
    rpr = paragraph._p.get_or_add_pPr().find(qn("w:rPr"))
    if rpr is None:
        rpr = OxmlElement("w:rPr")
        paragraph._p.get_or_add_pPr().append(rpr)
    for tag in ("w:sz", "w:szCs"):
        el = rpr.find(qn(tag))
        if el is None:
            el = OxmlElement(tag)
            rpr.append(el)
        el.set(qn("w:val"), str(round(size * 2)))


def _rule(container: Any, length_mm: float, room_mm: float, *, after: float = 0) -> DocxParagraph:
    """A centred solid rule `length_mm` long in a column `room_mm` wide: the bottom border of an
    empty paragraph `RULE_GAP_PT` high (the space between the text and the rule), its indents
    leaving the length."""
    paragraph = _new_paragraph(container)
    side = max((room_mm - length_mm) / 2, 0.0)
    _format(paragraph, align="center", line_exact=RULE_GAP_PT, left_mm=side, right_mm=side, after=after)
    _mark_size(paragraph, 1)
    borders = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for key, value in (("w:val", "single"), ("w:sz", "6"), ("w:space", "1"), ("w:color", "000000")):
        bottom.set(qn(key), value)
    borders.append(bottom)
    ppr = paragraph._p.get_or_add_pPr()
    # w:pBdr comes before w:spacing, w:ind and w:jc in a paragraph's properties
    anchor = next(
        (ppr.find(qn(t)) for t in ("w:spacing", "w:ind", "w:jc") if ppr.find(qn(t)) is not None), None
    )
    if anchor is not None:
        anchor.addprevious(borders)
    else:
        ppr.append(borders)
    return paragraph


def _runs(paragraph: DocxParagraph, runs: tuple[Run, ...], size: float) -> None:
    for piece in runs:
        run = paragraph.add_run(piece.text)
        _run_format(run, size, bold=piece.bold, italic=piece.italic)


# -- tables ------------------------------------------------------------------------------------------


def _table(container: Any, rows: int, widths_mm: list[float], *, borders: bool, pad_mm: float) -> DocxTable:
    """A table of fixed column widths, centred, with or without its borders."""
    table = container.add_table(rows=rows, cols=len(widths_mm))
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False  # w:tblLayout fixed: the widths below are kept
    tblpr = table._tbl.tblPr
    width = tblpr.find(qn("w:tblW"))
    width.set(qn("w:w"), str(_twips(sum(widths_mm))))
    width.set(qn("w:type"), "dxa")
    # the schema's order: … tblW, jc, tblInd, tblBorders, shd, tblLayout, tblCellMar, tblLook
    fixed = tblpr.find(qn("w:tblLayout"))
    edges = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        el = OxmlElement(f"w:{edge}")
        if borders:
            for key, value in (("w:val", "single"), ("w:sz", "4"), ("w:space", "0"), ("w:color", "000000")):
                el.set(qn(key), value)
        else:
            el.set(qn("w:val"), "nil")
        edges.append(el)
    fixed.addprevious(edges)
    margins = OxmlElement("w:tblCellMar")
    for side, value in (("left", pad_mm), ("right", pad_mm), ("top", 0), ("bottom", 0)):
        el = OxmlElement(f"w:{side}")
        el.set(qn("w:w"), str(_twips(value)))
        el.set(qn("w:type"), "dxa")
        margins.append(el)
    fixed.addnext(margins)
    for i, w in enumerate(widths_mm):
        table.columns[i].width = Mm(w)
        for cell in table.columns[i].cells:
            cell.width = Mm(w)
    return table


def _twips(mm: float) -> int:
    return round(mm * 1440 / 25.4)


def _keep_row_together(row: Any) -> None:
    trpr = row._tr.get_or_add_trPr()
    trpr.append(OxmlElement("w:cantSplit"))


def _repeat_header(row: Any) -> None:
    trpr = row._tr.get_or_add_trPr()
    header = OxmlElement("w:tblHeader")
    trpr.append(header)


# -- the parts, in order -----------------------------------------------------------------------------


def _header(out: Any, doc: Document, lay: Layout) -> None:
    """The header table: row 1 the bodies | the national title (and motto) with their rules; row 2
    the number | the place-date line, on one line."""
    title, motto = national(doc.style, doc.lang)
    left_mm, right_mm = lay.header_left_mm, lay.header_right_mm
    table = _table(out, 2, [left_mm, right_mm], borders=False, pad_mm=0)
    bodies, nation = table.rows[0].cells
    if doc.header.parent:
        _line(bodies, doc.header.parent.upper(), lay.parent_pt)
    _line(bodies, doc.header.issuer.upper(), lay.issuer_pt, bold=True)
    if lay.issuer_mark == "rule":
        _rule(bodies, issuer_rule_mm(doc), left_mm)
    else:
        _line(bodies, "*", lay.issuer_pt)
    _line(nation, title, lay.national_pt, bold=True)
    if motto:
        _line(nation, motto, lay.motto_pt, bold=True)
        _rule(nation, motto_rule_mm(doc, motto), right_mm)
    else:
        _rule(nation, motto_rule_mm(doc, title), right_mm)
    number, dated = table.rows[1].cells
    said = words(doc.lang)["number"][doc.style] + doc.header.number if doc.header.number else ""  # a brief
    _line(number, said, lay.number_pt, before=6)
    _line(
        dated, place_date(doc.header.place, doc.header.on, doc.lang), lay.place_date_pt, italic=True, before=6
    )
    for cell in (*table.rows[0].cells, *table.rows[1].cells):
        cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.TOP


def _title(out: Any, doc: Document, lay: Layout) -> None:
    """ "BÁO CÁO" and the subject line, with the style's mark under it."""
    _line(out, doc.kind.upper(), lay.kind_pt, bold=True, before=24, keep_next=True)
    _line(out, subject_text(doc), lay.subject_pt, bold=True, keep_next=True, left_mm=10, right_mm=10)
    if lay.subject_mark == "rule":
        _rule(out, subject_rule_mm(doc), lay.text_width_mm, after=18)
    else:
        _line(out, "-----", lay.subject_pt, after=12)


def _body_format(lay: Layout, **extra: Any) -> dict[str, Any]:
    return {
        "align": "justify",
        "after": lay.after_pt,
        "line": lay.line_multiple,
        "line_exact": lay.line_exact_pt,
        "first_indent_mm": lay.first_indent_mm,
        **extra,
    }


def _body(out: Any, doc: Document, lay: Layout) -> None:
    at, mark = closing(doc)
    for i, block in enumerate(doc.blocks):
        if isinstance(block, Heading):
            _line(
                out,
                heading_text(block),
                lay.body_pt,
                bold=block.level <= 2,
                **_body_format(lay, keep_next=True, before=6 if block.level == 1 else 0),
            )
        elif isinstance(block, Paragraph):
            paragraph = out.add_paragraph()
            # the last paragraph goes with the signature: a signature never stands alone on a page
            _format(paragraph, **_body_format(lay, keep_next=i == at))
            _runs(paragraph, block.runs, lay.body_pt)
            if i == at and mark:
                _runs(paragraph, (Run(mark),), lay.body_pt)
        elif isinstance(block, Table):
            _data_table(out, block, lay)
        elif isinstance(block, Figure):
            _figure(out, block, lay)
    if at is None:
        _line(out, mark, lay.body_pt, **_body_format(lay, keep_next=True))


def _data_table(out: Any, table: Table, lay: Layout) -> None:
    """Caption above (bold, centred), the table (header row bold and repeated), the note below."""
    _line(out, table.caption, lay.caption_pt, bold=True, after=3, keep_next=True)
    widths = column_widths_mm(table.columns, table.rows, lay.text_width_mm)
    grid = _table(out, 1 + len(table.rows), widths, borders=True, pad_mm=CELL_PAD_MM)
    align = table.align or ("left",) * len(table.columns)
    cell_fmt = {"before": 2, "after": 2, "line": 1.0}
    head = grid.rows[0]
    _repeat_header(head)
    _keep_row_together(head)
    for cell, title in zip(head.cells, table.columns, strict=True):
        _line(cell, title, lay.cell_pt, bold=True, align="center", keep_next=True, **cell_fmt)
        cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
    for row, values in zip(grid.rows[1:], table.rows, strict=True):
        _keep_row_together(row)
        for cell, value, side in zip(row.cells, values, align, strict=True):
            _line(cell, value, lay.cell_pt, align=side if side in ALIGN else "left", **cell_fmt)
            cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
    if table.note:
        _line(out, table.note, lay.note_pt, italic=True, align="justify", before=3, after=lay.after_pt + 3)
    else:
        _line(out, "", lay.note_pt, after=lay.after_pt)  # Word needs a paragraph between two tables


def _figure(out: Any, figure: Figure, lay: Layout) -> None:
    """The chart at its printed width (never wider than the text), the caption under it."""
    picture = out.add_paragraph()
    _format(picture, align="center", before=6, after=3, keep_next=True)
    run = picture.add_run()
    run.add_picture(BytesIO(figure.png), width=Mm(min(figure.width_mm, lay.text_width_mm)))
    if figure.alt:
        doc_pr = run._r.find(".//" + qn("wp:docPr"))
        if doc_pr is not None:
            doc_pr.set("descr", figure.alt)
    _line(out, figure.caption, lay.caption_pt, italic=True, after=lay.after_pt + 3)


def _signature(out: Any, doc: Document, lay: Layout) -> None:
    """The recipients (left) level with the authority line of the signature (right)."""
    lines = recipient_lines(doc)
    if not lines and doc.signature is None:
        return
    left = lay.text_width_mm * 0.45
    table = _table(out, 1, [left, lay.text_width_mm - left], borders=False, pad_mm=0)
    row = table.rows[0]
    _keep_row_together(row)
    recipients, signer = row.cells
    top = 12  # the space above both first lines, so that they stand level
    if lines:
        label = words(doc.lang)["recipients"]
        _line(
            recipients,
            label,
            lay.label_pt,
            bold=lay.label_bold,
            italic=lay.label_italic,
            underline=lay.label_underline,
            align="left",
            before=top,
        )
        for text in lines:
            _line(
                recipients,
                text,
                lay.recipient_pt,
                align="left",
                left_mm=HANGING_MM,
                first_indent_mm=-HANGING_MM,
            )
    sig = doc.signature
    if sig is not None:
        authority = authority_text(sig, doc.style)
        first = True
        if authority:
            _line(signer, authority, lay.signature_pt, bold=True, before=top)
            first = False
        _line(signer, sig.title.upper(), lay.signature_pt, bold=lay.title_bold, before=top if first else 0)
        _line(signer, sig.name, lay.signature_pt, bold=True, before=lay.signature_space_pt)
