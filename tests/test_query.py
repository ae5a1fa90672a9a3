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


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ("(" * 248 + "biển" + ")" * 248, "query_too_deep"),  # a RecursionError once
        ("NOT " * 240 + "biển", "query_too_deep"),
        ("-(" * 120 + "biển" + ")" * 120, "query_too_deep"),
        ("biển (" * 30, "query_too_deep"),  # unclosed as well: the depth is said first
        ("biển " * 201, "query_too_long"),
        ("a" * 100_000, "query_too_long"),
    ],
)
def test_a_query_too_deep_or_too_long_is_refused_before_it_is_parsed(query, code):
    with pytest.raises(QueryError) as refused:
        parse_query(query)
    assert refused.value.code == code and "query" in str(refused.value)


def test_twenty_levels_deep_is_still_a_query():
    node = parse_query("(" * 20 + "biển" + ")" * 20 + " NOT (đông OR " + "(" * 18 + "tây" + ")" * 18 + ")")
    assert to_fts5(node) == '(("bien") NOT ("dong" OR "tay"))'


def test_many_exclusions_are_one_not_for_fts5():
    """FTS5's parser has a small stack: a NOT inside a NOT for each word overflowed it at about 90."""
    node = parse_query("biển " + "NOT a " * 3)
    assert to_fts5(node) == '(("bien") NOT ("a" OR "a" OR "a"))'


@pytest.mark.parametrize(
    ("query", "same_as"),
    [
        ("biển NOT NOT đông", "biển đông"),
        ("biển NOT -đông", "biển đông"),
        ("biển NOT NOT NOT đông", "biển NOT đông"),
    ],
)
def test_not_not_is_the_word_itself_so_what_parses_also_runs(query, same_as):
    """The adversarial queries found "x NOT NOT y" parsed (and was saved) but the FTS5 translation
    refused it: a saved search that never runs."""
    node = parse_query(query)
    assert node == parse_query(same_as)
    assert to_fts5(node) == to_fts5(parse_query(same_as)) and to_tsquery(node) == to_tsquery(
        parse_query(same_as)
    )
