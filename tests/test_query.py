"""The query language: what users type, and what each backend is asked."""

import pytest

from caunoi.store.query import QueryError, parse_query, positive_terms, to_fts5, to_tsquery


def test_words_are_folded_and_quoted():
    node = parse_query("Đối NGOẠI")
    assert to_fts5(node) == '(("doi" AND "ngoai") AND ("doi ngoai" OR "doi"))'
    assert to_tsquery(node) == "('doi' & 'ngoai')"


def test_exact_keeps_diacritics():
    assert to_tsquery(parse_query('"Đối ngoại"', exact=True)) == "('đối' <-> 'ngoại')"


def test_operators_groups_prefix_and_minus():
    node = parse_query('(ASEAN OR "Liên Hợp Quốc") bien* -"du lich"')
    assert to_fts5(node) == '((("asean" OR "lien hop quoc") AND "bien"*) NOT "du lich")'
    assert to_tsquery(node) == "(('asean' | ('lien' <-> 'hop' <-> 'quoc')) & 'bien':* & !('du' <-> 'lich'))"
    assert [t.tokens for t in positive_terms(node)] == [("asean",), ("lien", "hop", "quoc"), ("bien",)]


def test_lowercase_operators_are_words():
    assert to_tsquery(parse_query("rock and roll")) == "('rock' & 'and' & 'roll')"


def test_hyphenated_word_is_a_phrase():
    assert to_fts5(parse_query("COVID-19")) == '"covid 19"'


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ('"abc', "closing quote"),
        ("(a", "not closed"),
        ("a)", "no matching"),
        ("a OR", "ends with an operator"),
        ("NOT a", "only exclude"),
        ("   ", "empty"),
        ("***", "no letters"),
        ('""', "no words"),
    ],
)
def test_errors_say_what_to_fix(query, message):
    with pytest.raises(QueryError, match=message):
        parse_query(query)
