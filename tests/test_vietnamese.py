"""Tone placement and Unicode clean-up of Vietnamese text."""

from __future__ import annotations

import unicodedata

import pytest

from caunoi.text.vietnamese import is_syllable, normalize

# A sentence from the underthesea news corpus (news_world_001, dantri.com.vn), written in the old style.
SENTENCE_OLD = "Ông Imanov khẳng định ngay khi động thái này được thực hiện, hòa bình sẽ được lập lại."
SENTENCE_NEW = "Ông Imanov khẳng định ngay khi động thái này được thực hiện, hoà bình sẽ được lập lại."


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("hòa", "hoà"),
        ("hòe", "hoè"),
        ("thủy", "thuỷ"),
        ("khỏe", "khoẻ"),
        ("họa", "hoạ"),
        ("tùy", "tuỳ"),
        ("xõa", "xoã"),
        ("HÒA", "HOÀ"),
        ("Hòa", "Hoà"),
        ("THỦY", "THUỶ"),
        (SENTENCE_OLD, SENTENCE_NEW),
    ],
)
def test_both_placements_of_open_oa_oe_uy(old: str, new: str) -> None:
    assert normalize(old, "new") == new
    assert normalize(new, "old") == old
    assert normalize(old, "old") == old
    assert normalize(new) == new


FIXED_PLACEMENTS = (
    "quý quả quà qua gìn giữ già người thuở khuya hoàng hoàn toán thuyết khuyến huỳnh của mùa tuổi ưu "
    "ngoài khuỷu xoáy gửi rượu Nguyễn QUỐC"
)


@pytest.mark.parametrize("word", FIXED_PLACEMENTS.split())
def test_fixed_placements_stay_in_both_styles(word: str) -> None:
    assert normalize(word, "new") == word
    assert normalize(word, "old") == word


@pytest.mark.parametrize(
    ("misplaced", "right"),
    [
        ("ngươì", "người"),
        ("thủơ", "thuở"),
        ("mưá", "mứa"),
    ],
)
def test_misplaced_tones_move_to_their_vowel(misplaced: str, right: str) -> None:
    assert normalize(misplaced) == right


@pytest.mark.parametrize(
    "word",
    ["café", "résumé", "naïve", "Müller", "Pokémon", "José", "Malèna", "señor", "più", "aí", "Aí", "lì"],
)
def test_other_languages_keep_their_accents(word: str) -> None:
    # "più" and "aí" parse as Vietnamese syllables with a misplaced tone; without a Vietnamese
    # vowel (ă â ê ô ơ ư) nothing says they are Vietnamese, so their accent stays. The price:
    # a Vietnamese typo like "gía" is not corrected either.
    assert normalize(word, "new") == word
    assert normalize(word, "old") == word


def test_decomposed_text_comes_out_composed_with_the_tone_in_place() -> None:
    assert normalize(unicodedata.normalize("NFD", SENTENCE_OLD)) == SENTENCE_NEW
    # Windows-1258 writes a precomposed vowel then a combining tone, after whichever letter was typed.
    assert normalize("ho\u0300a") == "hoà"
    assert normalize("hoa\u0300", "old") == "hòa"
    assert normalize("Vi\u00ea\u0323t Nam") == "Việt Nam"
    assert normalize("hoan\u0300 toa\u0300n") == "hoàn toàn"


def test_invisible_characters_go_and_nbsp_becomes_a_space() -> None:
    assert normalize("Hà\u200bNội\u00a0hôm\u200c nay\ufeff\u200d") == "HàNội hôm nay"


def test_normalize_is_blind_to_placement() -> None:
    variants = ["Tùy theo sức khỏe", "Tuỳ theo sức khoẻ", "Tùy theo sức khoẻ", "Tuỳ theo sức khỏe"]
    assert {normalize(v) for v in variants} == {"Tuỳ theo sức khoẻ"}
    assert {normalize(v, "old") for v in variants} == {"Tùy theo sức khỏe"}


@pytest.mark.parametrize("word", ["người", "Khuyến", "QUẢ", "hoà", "hòa", "gìn", "ưu", "xoong", "được"])
def test_is_syllable_accepts_vietnamese(word: str) -> None:
    assert is_syllable(word)


@pytest.mark.parametrize("word", ["café", "Müller", "vÒ", "hoàc", "bcd", "ka", "Nagorno", "hòà"])
def test_is_syllable_rejects_the_rest(word: str) -> None:
    assert not is_syllable(word)


@pytest.mark.slow
def test_whole_corpus_is_stable_under_both_styles(vi_news_dir) -> None:
    files = sorted(vi_news_dir.glob("*.txt"))
    assert files, f"no .txt files in {vi_news_dir}"
    for path in files:
        text = path.read_text(encoding="utf-8")
        new = normalize(text, "new")
        assert normalize(normalize(text, "old"), "new") == new, path.name
        assert normalize(new, "new") == new, path.name
