"""caunoi.enrich.tone: GDELT's formula, negation, word-bound matching, subject passages, lexicon files."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from caunoi.enrich.tone import (
    LEXICONS,
    Match,
    lexicon,
    load_lexicon,
    passage_tone,
    subject_tone,
    tone,
)

LABELLED = Path(__file__).resolve().parent / "data" / "tone" / "vi_news_sentences.tsv"


def terms(text: str, lang: str) -> list[tuple[str, float]]:
    measured = tone(text, lang)
    assert measured is not None
    return [(m.term, m.polarity) for m in measured.matched]


# ---------------------------------------------------------------- the formula


def test_tone_is_gdelt_formula_english_by_hand():
    # 9 words; positive: good, peace, growth; negative: attack.
    measured = tone("Good talks brought peace and growth despite one attack.", "en")
    assert measured is not None
    assert measured.words == 9
    assert [(m.term, m.polarity) for m in measured.matched] == [
        ("good", 1.0),
        ("peace", 1.0),
        ("growth", 1.0),
        ("attack", -1.0),
    ]
    assert measured.positive == pytest.approx(100 * 3 / 9)
    assert measured.negative == pytest.approx(100 * 1 / 9)
    assert measured.tone == pytest.approx(100 * (3 - 1) / 9)  # 22.22: positive minus negative
    assert measured.polarity == pytest.approx(100 * (3 + 1) / 9)  # 44.44: share of words that matched


def test_tone_is_gdelt_formula_vietnamese_counts_segmented_words():
    # Hai | nước | nhất trí | tăng cường | hợp tác | nhưng | vẫn | còn | tranh chấp:
    # 9 words, not 12 syllables.
    measured = tone("Hai nước nhất trí tăng cường hợp tác nhưng vẫn còn tranh chấp.", "vi")
    assert measured is not None
    assert measured.words == 9
    assert [(m.term, m.polarity) for m in measured.matched] == [
        ("nhất trí", 1.0),
        ("hợp tác", 1.0),
        ("tranh chấp", -1.0),
    ]
    assert measured.tone == pytest.approx(100 / 9)
    assert measured.polarity == pytest.approx(300 / 9)
    assert measured.to_json()["tone"] == round(100 / 9, 4)


def test_offsets_point_at_the_terms():
    text = "Hội nghị thành công tốt đẹp. The summit was a success."
    for lang in ("vi", "en"):
        measured = tone(text, lang)
        assert measured is not None
        for m in measured.matched:
            assert isinstance(m, Match)
            assert text[m.start : m.end].lower() == m.term


# ---------------------------------------------------------------- negation


def test_negation_flips_the_next_term():
    assert terms("Kết quả không tốt.", "vi") == [("không tốt", -1.0)]
    assert terms("Dự án chưa thành công.", "vi") == [("chưa thành công", -1.0)]
    assert terms("Không có thương vong.", "vi") == [("không … thương vong", 1.0)]
    assert terms("The result was not good.", "en") == [("not good", -1.0)]
    assert terms("The talks weren't successful.", "en") == [("weren't successful", -1.0)]
    assert terms("A campaign without violence.", "en") == [("without violence", 1.0)]


def test_negation_window_and_clause():
    # Within three words it flips; further away, or after a comma, it does not.
    assert terms("Ông không hề thấy tốt.", "vi") == [("không … tốt", -1.0)]
    assert terms("Không một ai trong số họ thấy tốt.", "vi") == [("tốt", 1.0)]
    assert terms("Không, tình hình rất tốt.", "vi") == [("tốt", 1.0)]
    assert terms("No, the outlook is good.", "en") == [("good", 1.0)]


def test_what_is_not_a_negation():
    assert terms("Kinh tế không chỉ tăng trưởng mà còn ổn định.", "vi") == [
        ("tăng trưởng", 1.0),
        ("ổn định", 1.0),
    ]
    assert terms("Doanh nghiệp không ngừng cải thiện.", "vi") == [("cải thiện", 1.0)]
    assert terms("Ông không khỏi lo lắng.", "vi") == [("lo lắng", -1.0)]
    assert terms("It was not only good but great.", "en") == [("good", 1.0), ("great", 1.0)]


def test_counter_words_flip_like_a_negation():
    assert terms("Đẩy mạnh phòng chống tham nhũng.", "vi") == [("phòng chống tham nhũng", 1.0)]
    assert terms("An anti-violence campaign.", "en") == [("anti … violence", 1.0)]


# ---------------------------------------------------------------- word-bound matching


def test_multi_syllable_terms_match_on_word_bounds():
    assert terms("Kết quả rất tích cực.", "vi") == [("tích cực", 1.0)]
    assert terms("Thời tiết cực kỳ nóng.", "vi") == []  # "cực" alone is not a term
    assert terms("Họ đã hoàn thành công việc.", "vi") == []  # hoàn_thành công_việc: no "thành công"
    assert terms("Không khí căng thẳng.", "vi") == [("căng thẳng", -1.0)]  # "không khí" is no negator


def test_tone_mark_placement_does_not_matter():
    assert terms("Hoà bình và hòa bình.", "vi") == [("hòa bình", 1.0), ("hòa bình", 1.0)]


def test_multi_word_english_terms():
    assert terms("Voters were fed up.", "en") == [("fed up", -1.0)]


def test_english_plurals_fall_back_to_the_singular():
    assert terms("There were no deaths.", "en") == [("no death", 1.0)]
    assert terms("Injuries were reported.", "en") == [("injury", -1.0)]
    assert terms("The news was read.", "en") == []  # "news" is not "new"


# ---------------------------------------------------------------- French

# Real sentences of benchmarks/data/tone-ml/passages.tsv (diplomatie.gouv.fr, Licence Ouverte 2.0;
# Global Voices en Français, CC BY 3.0).
FR_PRAISE = (
    "Les deux ministres ont salué les liens étroits qui existent entre nos deux pays, alors que sont "
    "célébrés cette année le cinquantième anniversaire de l’établissement des relations diplomatiques et "
    "le dixième anniversaire de notre partenariat stratégique."
)
FR_ARRESTS = "Au moins 15 blogueurs ont été harcelés et emprisonné depuis septembre 2008."


def test_french_tone_sign_on_real_sentences():
    praise, arrests = tone(FR_PRAISE, "fr"), tone(FR_ARRESTS, "fr")
    assert praise is not None and arrests is not None
    assert praise.tone > 0 > arrests.tone
    assert ("partenariat", 1.0) in [(m.term, m.polarity) for m in praise.matched]
    assert praise.words == 36  # "l’établissement" is one word, as GDELT counts words
    assert -10 <= arrests.tone <= -5  # one negative term in 12 words: GDELT's scale


def test_french_negation():
    assert terms("Il n’y a pas eu de victimes.", "fr") == [("pas … victime", 1.0)]
    assert terms("Ce n'est pas un succès.", "fr") == [("pas … succès", -1.0)]
    assert terms("Il n’y a plus de guerre.", "fr") == [("plus … guerre", 1.0)]
    assert terms("Aucun blessé.", "fr") == [("aucun blessé", 1.0)]
    assert terms("Une réponse sans violence.", "fr") == [("sans violence", 1.0)]
    assert terms("Le projet ne soutient pas la réforme.", "fr") == [("ne soutient", -1.0)]  # flipped once
    assert terms("La lutte contre la corruption progresse.", "fr") == [("contre … corruption", 1.0)]


def test_what_is_not_a_french_negation():
    assert terms("Il ne reste que la guerre.", "fr") == [("guerre", -1.0)]  # "ne … que": only
    assert terms("C’est sans doute une catastrophe.", "fr") == [("catastrophe", -1.0)]
    assert terms("Plus de coopération.", "fr") == [("coopération", 1.0)]  # "plus" alone is "more"


def test_french_elision_and_plurals():
    measured = tone("L’amitié et l'horreur.", "fr")
    assert measured is not None and measured.words == 3
    assert [(m.term, m.polarity, m.start) for m in measured.matched] == [
        ("amitié", 1.0, 2),
        ("horreur", -1.0, 14),
    ]
    assert terms("Les inondations.", "fr") == [("inondations", -1.0)]
    assert terms("Des catastrophes.", "fr") == [("catastrophe", -1.0)]  # read as the singular


def test_french_subject_passages():
    text = (
        "Le typhon a fait des morts au Viêt Nam. « Nous sommes solidaires ! » a déclaré M. Macron. "
        "La France salue le courage du peuple vietnamien."
    )
    passages = passage_tone(text, "fr")
    assert passages is not None
    assert [p.text for p in passages] == [
        "Le typhon a fait des morts au Viêt Nam.",
        "La France salue le courage du peuple vietnamien.",
    ]
    assert [m[0] for p in passages for m in p.mentions] == ["Viêt Nam", "vietnamien"]
    assert passages[0].tone.tone < 0 < passages[1].tone.tone
    pooled = subject_tone(passages)
    assert pooled is not None and pooled.tone == pytest.approx(100 * (1 - 1) / 17)


def test_subject_is_also_what_the_gazetteer_names_viet_nam():
    # "nước ta" ("our country") and "VN" are the gazetteer's names for Viet Nam, not tone's aliases
    text = "Kinh tế nước ta tăng trưởng tốt. Trời mưa. Thủ tướng VN phát biểu."
    passages = passage_tone(text, "vi")
    assert passages is not None
    assert [m[0] for p in passages for m in p.mentions] == ["nước ta", "VN"]
    assert passage_tone(text, "vi", mentions=[]) == []  # the caller's gazetteer mentions: none
    assert passage_tone(text, "vi", ["Trung Quốc"]) == []  # explicit aliases only


# ---------------------------------------------------------------- languages


def test_unknown_language_is_none_never_zero():
    assert tone("Переговоры прошли успешно.", "ru") is None  # no Russian lexicon yet
    assert tone("Переговоры прошли успешно.", None) is None
    assert passage_tone("Вьетнам и Франция.", "ru") is None
    assert tone("Die Gespräche waren ein Erfolg.", "de") is None
    assert tone("", "vi") is None  # no words: nothing to measure
    assert tone("...", "en") is None


def test_language_tags_are_read():
    assert tone("A good day.", "en-GB") is not None
    assert tone("Une belle journée.", "fr-FR") is not None
    assert tone("Một ngày tốt.", "vi-VN") is not None


# ---------------------------------------------------------------- passages about the subject


ARTICLE = (
    "Hà Nội hôm nay mưa lớn. Việt Nam và Lào nhất trí tăng cường hợp tác. "
    "Người viết bài này rất vui. Người Việt ở nước ngoài bị tấn công.\nTrung Quốc vi phạm quy định."
)


def test_passages_are_the_sentences_that_mention_the_subject():
    passages = passage_tone(ARTICLE, "vi")
    assert passages is not None
    assert [p.text for p in passages] == [
        "Việt Nam và Lào nhất trí tăng cường hợp tác.",
        "Người Việt ở nước ngoài bị tấn công.",
    ]
    assert [p.mentions for p in passages] == [
        [("Việt Nam", 24, 32)],
        [("Người Việt", 97, 107)],
    ]
    assert all(ARTICLE[p.start : p.end] == p.text for p in passages)
    assert passages[0].tone.tone > 0 > passages[1].tone.tone
    pooled = subject_tone(passages)
    assert pooled is not None
    assert pooled.words == passages[0].tone.words + passages[1].tone.words
    assert len(pooled.matched) == 3  # nhất trí, hợp tác, tấn công; not "vui" nor "vi phạm"


def test_passage_window_and_aliases():
    wide = passage_tone(ARTICLE, "vi", window=1)
    assert wide is not None and len(wide) == 1  # the two widened passages share a sentence: merged
    assert wide[0].text.startswith("Hà Nội") and wide[0].text.endswith("vi phạm quy định.")
    other = passage_tone(ARTICLE, "vi", ["Trung Quốc"])
    assert other is not None and [p.text for p in other] == ["Trung Quốc vi phạm quy định."]
    assert passage_tone("Trời mưa to. Đường ngập.", "vi") == []
    assert subject_tone([]) is None


def test_english_passages():
    text = "Vietnam's exports showed strong growth. Elsewhere, floods killed ten people."
    passages = passage_tone(text, "en")
    assert passages is not None
    assert [p.text for p in passages] == ["Vietnam's exports showed strong growth."]
    assert passages[0].tone.tone > 0


# ---------------------------------------------------------------- data files


@pytest.mark.parametrize("lang", ["vi", "en", "fr"])
def test_lexicon_files_parse_and_carry_their_origin(lang):
    path = LEXICONS / f"tone_{lang}.tsv"
    text = path.read_text(encoding="utf-8")
    head = "\n".join(line for line in text.splitlines() if line.startswith("#"))
    for word in ("Origin", "Licence", "Changes" if lang == "vi" else "What was changed"):
        assert word in head
    rows = [line.split("\t") for line in text.splitlines() if line and not line.startswith("#")]
    assert rows[0][:3] == ["term", "polarity", "source"]
    assert len(rows) > 300
    for row in rows[1:]:
        assert len(row) >= 3 and row[0].strip() and row[2].strip()
        assert row[1] in ("+1", "-1")
    lex = lexicon(lang)
    assert lex is not None and len(lex) == len(rows) - 1  # no term listed twice
    sources = {"vi": {"caunoi"}, "en": {"vader-3.3.2"}, "fr": {"caunoi", "pattern-fr-1.1"}}[lang]
    assert {source for _, source in lex.terms.values()} == sources


def test_french_lexicon_is_what_its_build_tool_writes():
    spec = importlib.util.spec_from_file_location(
        "build_tone_fr", LEXICONS.parents[2] / "tools" / "build_tone_fr.py"
    )
    assert spec is not None and spec.loader is not None
    tool = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tool)
    lex = lexicon("fr")
    assert lex is not None
    for term, polarity in tool.NEWS_TERMS.items():  # every news term, as the tool signs it
        assert lex.terms[tuple(term.split())] == (polarity, "caunoi"), term
    kept_by_hand = {k[0] for k, (_, source) in lex.terms.items() if source == tool.SOURCE}
    assert not kept_by_hand & (tool.NEWS_NEUTRAL | tool.WRONG_SIGN)  # "grand", "premier"… were dropped
    assert lex.terms[("grave",)] == (-1.0, "caunoi")  # Pattern's +0.4 for "grave" did not survive


def test_negators_are_not_lexicon_terms():
    for lang, words in (
        ("vi", ["không", "chưa", "chẳng", "chống"]),
        ("en", ["no", "not", "never", "anti"]),
        ("fr", ["ne", "n'", "pas", "plus", "jamais", "sans", "aucun", "ni", "non", "que", "contre", "anti"]),
    ):
        lex = lexicon(lang)
        assert lex is not None
        assert not any((w,) in lex.terms for w in words)


def test_malformed_lexicon_is_refused(tmp_path):
    bad = tmp_path / "bad.tsv"
    bad.write_text("# no header\ngood\t+1\tsomewhere\n", encoding="utf-8")
    with pytest.raises(ValueError, match="header"):
        load_lexicon(bad, "en")
    bad.write_text("term\tpolarity\tsource\ngood\t+1\t\n", encoding="utf-8")
    with pytest.raises(ValueError, match="source"):
        load_lexicon(bad, "en")


def test_labelled_sentences_file():
    lines = [line for line in LABELLED.read_text(encoding="utf-8").splitlines() if not line.startswith("#")]
    assert lines[0].split("\t") == ["id", "split", "mentions_subject", "label", "text"]
    rows = [line.split("\t") for line in lines[1:]]
    assert len(rows) == 200
    assert {r[3] for r in rows} == {"positive", "negative", "neutral"}
    assert sum(r[1] == "test" for r in rows) == 100
    assert sum(r[2] == "1" for r in rows) == 100


def test_foreign_labelled_passages_file():
    path = LEXICONS.parents[2] / "benchmarks" / "data" / "tone-ml" / "passages.tsv"
    lines = [line for line in path.read_text(encoding="utf-8").splitlines() if not line.startswith("#")]
    header = lines[0].split("\t")
    assert header == ["id", "lang", "label", "url", "publisher", "date", "licence", "text"]
    rows = [dict(zip(header, line.split("\t"), strict=True)) for line in lines[1:]]
    for lang in ("en", "fr"):
        labelled = [r for r in rows if r["lang"] == lang]
        assert len(labelled) >= 40
        assert {r["label"] for r in labelled} == {"negative", "neutral", "positive"}
    assert all(r["url"].startswith("http") and r["publisher"] and r["licence"] and r["text"] for r in rows)
    assert len({r["id"] for r in rows}) == len(rows)
