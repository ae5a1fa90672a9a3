"""Reading words typed without diacritics from the counts of a text's words and pairs."""

from caunoi.text.readings import GramCount, article_grams, count_grams, folded_key, restore


def counts_of(texts: list[str]) -> dict[str, dict[str, GramCount]]:
    by_key: dict[str, dict[str, GramCount]] = {}
    for gram, count in count_grams(texts).items():
        by_key.setdefault(folded_key(gram), {})[gram] = count
    return by_key


def test_words_and_pairs_are_counted_once_an_article_with_their_capitals():
    grams = article_grams("Tàu cá trên Biển Đông. Biến động giá, biến động 2021 lớn")
    assert grams["biển đông"] is True and grams["biến động"] is False  # only "Biển Đông" is a name
    assert grams["tàu"] is False  # a capital that starts a clause says nothing
    assert "động 2021" not in grams and "giá biến" not in grams  # a number or a comma parts words
    counted = count_grams(["biến động giá", "biến động, biến động", "Biển Đông"])
    assert counted["biến động"] == GramCount(2, 0) and counted["biển đông"] == GramCount(1, 1)


def test_the_likeliest_reading_and_a_capital_for_a_name():
    texts = ["Giá vàng biến động mạnh."] * 5 + ["Ngư dân trên Biển Đông."] * 3 + ["mùa đông trên biển"]
    counts = counts_of(texts)
    plain = restore(["bien", "dong"], counts, articles=len(texts))
    assert [r.shown for r in plain[:2]] == ["biến động", "Biển Đông"]  # the most articles first…
    named = restore(["bien", "dong"], counts, capitals=[False, True], articles=len(texts))
    assert named[0].words == ("biển", "đông") and named[0].shown == "Biển Đông"  # …unless typed as a name
    assert restore(["xyz"], counts) == []  # no reading known: nothing is guessed
