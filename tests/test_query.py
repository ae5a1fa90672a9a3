"""The query language: what users type, and what each backend is asked."""

import pytest

from caunoi.store.query import QueryError, parse_query, positive_terms, to_fts5, to_pg, to_tsquery


def fts5(query: str, **how: bool) -> str:
    """to_fts5 with the columns written short: F for the folded ones, X for the exact ones."""
    return (
        to_fts5(parse_query(query, **how))
        .replace("{title_f body_f} : ", "F")
        .replace("{title_x body_x} : ", "X")
    )


def pg(query: str, **how: bool) -> str:
    """to_pg with its tsqueries written in place of their parameters."""
    return to_pg(parse_query(query, **how), lambda tsquery: tsquery)


def test_words_typed_without_diacritics_are_folded_and_quoted():
    node = parse_query("doi NGOAI")
    assert fts5("doi NGOAI") == '((F"doi" AND F"ngoai") AND (F"doi ngoai" OR F"doi"))'
    assert to_tsquery(node) == "('doi' & 'ngoai')"
    assert pg("doi NGOAI") == "search_f @@ to_tsquery('simple', ('doi' & 'ngoai'))"


def test_words_typed_with_diacritics_match_them():
    assert fts5("Đối NGOẠI") == '((X"đối" AND X"ngoại") AND (X"đối ngoại" OR X"đối"))'
    assert pg("Đối NGOẠI") == "search_x @@ to_tsquery('simple', ('đối' & 'ngoại'))"
    # a phrase typed half with diacritics: folded, and the marked words as typed
    assert fts5('"Trung Quốc"') == '(F"trung quoc" AND X("quốc"))'
    assert pg('"Trung Quốc" OR ASEAN') == (
        "((search_f @@ to_tsquery('simple', ('trung' <-> 'quoc')) AND search_x @@ to_tsquery('simple', "
        "'quốc')) OR search_f @@ to_tsquery('simple', 'asean'))"
    )
    assert fts5("Đối NGOẠI", widen=True) == '((F"doi" AND F"ngoai") AND (F"doi ngoai" OR F"doi"))'


def test_exact_keeps_diacritics():
    assert to_tsquery(parse_query('"Đối ngoại"', exact=True), typed=True) == "('đối' <-> 'ngoại')"
    assert fts5("Trung Quốc", exact=True) == '((X"trung" AND X"quốc") AND (X"trung quốc" OR X"trung"))'


def test_operators_groups_prefix_and_minus():
    node = parse_query('(ASEAN OR "Liên Hợp Quốc") bien* -"du lich"')
    assert fts5('(ASEAN OR "Liên Hợp Quốc") bien* -"du lich"') == (
        '(((F"asean" OR X"liên hợp quốc") AND F"bien"*) NOT F"du lich")'
    )
    assert to_tsquery(node) == "(('asean' | ('lien' <-> 'hop' <-> 'quoc')) & 'bien':* & !('du' <-> 'lich'))"
    assert [t.tokens for t in positive_terms(node)] == [("asean",), ("lien", "hop", "quoc"), ("bien",)]


def test_lowercase_operators_are_words():
    assert to_tsquery(parse_query("rock and roll")) == "('rock' & 'and' & 'roll')"


def test_hyphenated_word_is_a_phrase():
    assert fts5("COVID-19") == 'F"covid 19"'


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
    assert to_fts5(node) == to_fts5(parse_query("biển NOT (đông OR tây)"))
    assert fts5("biển NOT (đông OR tây)") == '((X"biển") NOT (X"đông" OR X"tây"))'


def test_many_exclusions_are_one_not_for_fts5():
    """FTS5's parser has a small stack: a NOT inside a NOT for each word overflowed it at about 90."""
    assert fts5("biển " + "NOT a " * 3) == '((X"biển") NOT (F"a" OR F"a" OR F"a"))'


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
