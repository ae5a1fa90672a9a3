"""A review report's frame — the header of a Vụ (state style) or a Ban of the Party (party style), the
type name and subject, a signature and recipients — around whatever body a test or a benchmark
gives it: what the renderer tests and benchmarks/report_render.py render."""

from __future__ import annotations

from datetime import date
from typing import Any

from caunoi.reports.document import Document, Header, Signature, document_number


def report_document(style: str, blocks: list[Any], lang: str = "vi") -> Document:
    """A báo cáo sơ kết of 5 July 2026: Vụ Thông tin Báo chí, Bộ Ngoại giao, No. 12/BC-TTBC (state) or
    Ban Tuyên giáo Trung ương, No. 57-BC/BTGTW (party), signed for the head by a deputy."""
    state = style == "state"
    return Document(
        style=style,  # type: ignore[arg-type]
        header=Header(
            issuer="Vụ Thông tin Báo chí" if state else "Ban Tuyên giáo Trung ương",
            parent="Bộ Ngoại giao" if state else "Ban Chấp hành Trung ương",
            number=document_number(style, 12 if state else 57, "BC", "TTBC" if state else "BTGTW"),  # type: ignore[arg-type]
            place="Hà Nội",
            on=date(2026, 7, 5),
        ),
        kind="Báo cáo",
        subject="Sơ kết công tác thông tin đối ngoại 6 tháng đầu năm 2026",
        blocks=blocks,
        signature=Signature(title="Phó Vụ trưởng", name="Nguyễn Văn An", authority="KT. Vụ trưởng"),
        recipients=["Ban Chỉ đạo công tác thông tin đối ngoại", "Các cơ quan đại diện;", "Lưu: VT, TTBC"],
        lang=lang,
    )
