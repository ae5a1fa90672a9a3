"""The services' refusals in Vietnamese on the web pages: every pattern of the table is a refusal
the code can give, and the ones a user meets most read in Vietnamese, with what they typed."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from caunoi.app.messages import _patterns, translated
from caunoi.factsheets import FactSheetError, FactSheetService
from caunoi.store.query import QueryError, parse_query

SOURCES = (
    "caunoi/cases.py", "caunoi/units.py", "caunoi/factsheets.py", "caunoi/store/query.py", "caunoi/search.py",
    "caunoi/app/ui/*.py",
)  # fmt: skip
ROOT = Path(__file__).resolve().parent.parent


def _query_refusal(text: str) -> str:
    with pytest.raises(QueryError) as refused:
        parse_query(text)
    return str(refused.value)


@pytest.mark.parametrize(
    ("query", "vietnamese"),
    [
        ('"biển Đông', "Cụm từ thiếu dấu ngoặc kép đóng"),
        ("(a OR b", "Dấu «(» chưa được đóng"),
        ("a OR", "kết thúc bằng một toán tử"),
        ("NOT tin", "Không thể chỉ loại trừ"),
        (")", "Dấu «)» không có «(» tương ứng"),
    ],
)
def test_search_syntax_refusals_read_in_vietnamese(query, vietnamese):
    english = _query_refusal(query)
    assert vietnamese in translated(english, "vi")
    assert translated(english, "en") == english


def test_case_refusals_carry_the_case_and_its_state_in_words():
    assert translated("case 12 is closed: reopen it first", "vi") == "Vụ việc 12 đã đóng: hãy mở lại trước."
    said = translated("case 7 is new: it cannot be answered before it is assigned", "vi")
    assert said == "Vụ việc 7 đang ở trạng thái «mới»: phải giao trước khi trả lời."
    typed = translated("'ftp://x' is not a web address: give one starting with https://", "vi")
    assert typed == "«ftp://x» không phải địa chỉ web: hãy nhập địa chỉ bắt đầu bằng https://"


def test_a_message_no_pattern_knows_is_shown_as_it_is():
    assert translated("something new went wrong", "vi") == "something new went wrong"
    assert translated(None, "vi") is None


def test_every_pattern_matches_a_refusal_the_code_can_give():
    """A pattern whose English the code no longer says would silently stop translating: the longest
    run of each pattern's plain words must appear in the code that words the refusals."""
    code = "\n".join(p.read_text(encoding="utf-8") for path in SOURCES for p in sorted(ROOT.glob(path)))
    for pattern, _ in _patterns():
        runs = re.findall(r"[A-Za-z]+(?: [A-Za-z]+)+", pattern.pattern.replace("\\", ""))
        assert max(runs, key=len) in code, pattern.pattern


def test_a_refused_fact_sheet_reads_in_vietnamese():
    with pytest.raises(FactSheetError) as refused:
        FactSheetService._values(title="", body="x", kind="fact_sheet", lang="vi", tags=[])
    assert translated(str(refused.value), "vi") == "Tài liệu cần có tiêu đề."
