"""caunoi.i18n: every refusal the code can raise has its Vietnamese wording, with the values it names;
pages say refusals in their language; labels and names in both languages."""

from __future__ import annotations

import ast
import re
import string
from datetime import datetime
from pathlib import Path

import pytest

from caunoi.cases import CaseError
from caunoi.errors import CaunoiError, NotFound
from caunoi.i18n import LABELS, WORDS, catalogue, name_of, refusal
from caunoi.store.query import QueryError, parse_query
from caunoi.users import LoginRefused

CODE = Path(__file__).resolve().parent.parent / "caunoi"
_RAISER = re.compile(
    r"^(\w*Error|error|refused|\w*NotFound|Unknown\w*|Invalid|Conflict|Unavailable|\w*Refused|\w*Locked|__init__)$"
)


def raised_codes() -> dict[str, set[str]]:
    """Every error code the code raises, with its English template(s): calls like
    `CaseError("case_closed", "case {case} is closed: …", case=n)`."""
    found: dict[str, set[str]] = {}
    for path in CODE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call) or len(node.args) < 2:
                continue
            name = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", "")
            code, template = node.args[:2]
            if (
                _RAISER.match(name)
                and isinstance(code, ast.Constant)
                and isinstance(template, ast.Constant)
                and isinstance(code.value, str)
                and isinstance(template.value, str)
                and re.fullmatch(r"[a-z][a-z0-9_]*", code.value)
            ):
                found.setdefault(code.value, set()).add(template.value)
    return found


def names_in(template: str) -> dict[str, str]:
    """{placeholder: its format spec} of a str.format template."""
    return {field: spec or "" for _, field, spec, _ in string.Formatter().parse(template) if field}


def test_every_refusal_the_code_raises_has_a_vietnamese_wording_and_no_wording_is_stale():
    raised, worded = raised_codes(), catalogue("vi")
    assert len(raised) > 60  # the scan finds the refusals (cases, users, search, store …)
    assert not set(raised) - set(worded), (
        f"no Vietnamese wording in caunoi/data/refusals.tsv: {sorted(set(raised) - set(worded))}"
    )
    assert not set(worded) - set(raised), f"worded but never raised: {sorted(set(worded) - set(raised))}"
    assert set(catalogue("en")) <= set(raised)


def test_a_wording_names_only_values_its_refusal_carries_and_words_it_knows():
    raised = raised_codes()
    for lang in ("vi", "en"):
        for code, wording in catalogue(lang).items():
            given = set.intersection(*(set(names_in(t)) for t in raised[code]))
            for name, spec in names_in(wording).items():
                assert name in given, f"{code} ({lang}): {{{name}}} is not among {sorted(given)}"
                assert not spec.isalpha() or spec in WORDS["vi"], f"{code}: no words for {spec!r}"


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
    with pytest.raises(QueryError) as refused:
        parse_query(query)
    assert vietnamese in refusal(refused.value, "vi")
    assert refusal(refused.value, "en") == str(refused.value)


def test_a_case_refusal_carries_the_case_and_its_state_in_words():
    error = CaseError("case_unassigned", "case {case} is {state}: …", case=7, state="new")
    assert refusal(error, "vi") == "Vụ việc 7 đang ở trạng thái «mới»: phải giao trước khi trả lời."
    typed = CaseError("bad_url", "{value!r} is not a web address", value="ftp://x")
    assert refusal(typed, "vi") == "«ftp://x» không phải địa chỉ web: hãy nhập địa chỉ bắt đầu bằng https://"


def test_a_refused_fact_sheet_reads_in_vietnamese():
    from caunoi.factsheets import FactSheetError, FactSheetService

    with pytest.raises(FactSheetError) as refused:
        FactSheetService._values(title="", body="x", kind="fact_sheet", lang="vi", tags=[])
    assert refusal(refused.value, "vi") == "Tài liệu cần có tiêu đề."


def test_a_search_refusal_names_the_field_as_the_form_does():
    from caunoi.search import FilterError, request_from

    with pytest.raises(FilterError) as refused:
        request_from({"query": "x", "from": "19/2/2024"})
    said = refusal(refused.value, "vi")
    assert said == "Ô «Từ ngày» phải là một ngày như 2024-02-19, không phải «19/2/2024»."


def test_a_page_in_english_says_a_login_refusal_as_the_page_does_not_as_the_log_does():
    locked = LoginRefused("login_locked", "locked until {until:%H:%M}", until=datetime(2026, 12, 6, 10, 5))
    assert str(locked) == "locked until 10:05"
    assert refusal(locked, "en") == "Account locked until 10:05."
    assert refusal(locked, "vi") == "Tài khoản tạm khoá đến 10:05."


def test_what_the_catalogue_does_not_know_is_shown_as_it_is():
    assert refusal(NotFound("brand_new", "something new went wrong"), "vi") == "something new went wrong"
    assert refusal(ValueError("plain"), "vi") == "plain"
    assert refusal("already in words", "vi") == "already in words"
    assert refusal(None, "vi") is None
    assert isinstance(NotFound("x", "y"), CaunoiError)


def test_both_languages_have_every_label_and_names():
    assert set(LABELS["vi"]) == set(LABELS["en"])
    assert (name_of("CN", "country", "vi"), name_of("CN", "country", "en")) == ("Trung Quốc", "China")
    assert name_of("nowhere", "country", "vi") == "nowhere"
