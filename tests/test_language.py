"""Language identification of articles and headlines, with and without Vietnamese diacritics."""

from __future__ import annotations

import importlib.util
import json
import sys
import unicodedata
from pathlib import Path

import pytest

from caunoi.text.language import detect_language, detect_title_language, vietnamese_syllable_share

REPO = Path(__file__).resolve().parent.parent


def _load_benchmark():
    # The corpus tests build their cases as benchmarks/language_id.py does, hand-checked labels included.
    spec = importlib.util.spec_from_file_location(
        "language_id_benchmark", REPO / "benchmarks" / "language_id.py"
    )
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


bench = _load_benchmark()

VI_PRESS_BRIEFING = (
    "Chiều 12/10, Bộ Ngoại giao Việt Nam tổ chức họp báo thường kỳ. Người phát ngôn trả lời câu hỏi của "
    "phóng viên về tình hình Biển Đông và các hoạt động đối ngoại của lãnh đạo Đảng, Nhà nước trong tháng."
)


# ---------------------------------------------------------------- examples of use


def test_vietnamese_article_with_diacritics():
    lang, confidence = detect_language(VI_PRESS_BRIEFING)
    assert lang == "vi"
    assert confidence > 0.9


def test_vietnamese_typed_without_diacritics():
    assert detect_language(bench.strip_diacritics(VI_PRESS_BRIEFING))[0] == "vi"
    assert detect_language("Bo Ngoai giao Viet Nam to chuc hop bao thuong ky")[0] == "vi"


def test_vietnamese_titles_with_and_without_diacritics():
    assert detect_title_language("Giá vàng tăng mạnh")[0] == "vi"
    assert detect_title_language("Thu tuong tiep Dai su Han Quoc")[0] == "vi"
    assert detect_title_language("Gia vang tang manh")[0] == "vi"


def test_english_article_and_title():
    text = (
        "Vietnam's foreign ministry said on Thursday that it had lodged a protest over the deployment of a "
        "survey ship in waters it claims, and called on all parties to respect international law."
    )
    assert detect_language(text)[0] == "en"
    assert detect_title_language("Vietnam protests survey ship deployment")[0] == "en"


def test_short_english_title_with_syllable_like_words_stays_english():
    # Every word of "Man on the run" is also a Vietnamese syllable once folded; the model still decides.
    assert detect_title_language("Man on the run")[0] == "en"


def test_english_article_with_vietnamese_names():
    text = (
        "General Secretary Nguyễn Phú Trọng met Prime Minister Phạm Minh Chính in Hà Nội on Monday "
        "to discuss the economy. Officials from Thành phố Hồ Chí Minh and Đà Nẵng joined the meeting, "
        "which focused on public investment and the stalled infrastructure projects that have "
        "slowed growth this year."
    )
    assert detect_language(text)[0] == "en"


def test_vietnamese_article_quoting_english():
    text = (
        f"{VI_PRESS_BRIEFING}\n"
        '"We welcome the constructive role of Vietnam in the region," the spokesperson said.\n'
        "Người phát ngôn cũng cho biết Việt Nam sẵn sàng hợp tác với các nước trong khu vực "
        "để duy trì hòa bình, ổn định và phát triển, trên cơ sở tôn trọng luật pháp quốc tế."
    )
    assert detect_language(text)[0] == "vi"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Self-written smoke sentences, not a measurement: there is no corpus for these languages here.
        ("Le ministère vietnamien des Affaires étrangères a tenu sa conférence de presse régulière.", "fr"),
        ("越南外交部举行例行记者会，发言人回答了记者提问。", "zh"),
        ("Министерство иностранных дел Вьетнама провело очередной брифинг для журналистов.", "ru"),
        ("ベトナム外務省は定例記者会見を開いた。", "ja"),
        ("베트남 외교부는 정례 브리핑을 열었다.", "ko"),
        ("กระทรวงการต่างประเทศเวียดนามจัดแถลงข่าวประจำ", "th"),
        ("ກະຊວງການຕ່າງປະເທດ ຫວຽດນາມ ຈັດກອງປະຊຸມຂ່າວ", "lo"),
        ("ក្រសួងការបរទេសវៀតណាមបានរៀបចំសន្និសីទសារព័ត៌មាន", "km"),
        ("Das vietnamesische Außenministerium hielt seine regelmäßige Pressekonferenz ab.", "de"),
        ("El Ministerio de Asuntos Exteriores de Vietnam celebró su rueda de prensa habitual.", "es"),
    ],
)
def test_other_languages_of_the_foreign_press(text, expected):
    assert detect_language(text)[0] == expected
    assert detect_title_language(text)[0] == expected


@pytest.mark.parametrize(
    "text", ["", "   ", "12345 678", "2021-04-29 10:30", "... — !!!", "https://dantri.com.vn/"]
)
def test_no_letters_no_language(text):
    assert detect_language(text) == (None, 0.0)
    assert detect_title_language(text) == (None, 0.0)


def test_confidence_is_a_probability():
    for text in (VI_PRESS_BRIEFING, "Ca mut da", "Hanoi to host summit"):
        for _, confidence in (detect_language(text), detect_title_language(text)):
            assert 0.0 <= confidence <= 1.0


def test_body_language_settles_an_ambiguous_title():
    assert detect_title_language("Ca mut da", body_lang="vi")[0] == "vi"
    # A title confidently in another language keeps it.
    assert detect_title_language("Vietnam protests survey ship deployment", body_lang="vi")[0] == "en"


def test_long_text_is_read_only_in_part():
    lang, _ = detect_language(VI_PRESS_BRIEFING * 2000)
    assert lang == "vi"


def test_syllable_share_separates_folded_vietnamese_from_english():
    assert vietnamese_syllable_share("Bo Ngoai giao Viet Nam to chuc hop bao thuong ky") == 1.0
    assert vietnamese_syllable_share("The quick brown fox jumps over the lazy dog") < 0.5
    assert vietnamese_syllable_share("12345") == 0.0


# ---------------------------------------------------------------- on the shared corpora


def _vi_sample(vi_news_dir: Path) -> list[tuple[str, str]]:
    """(title, body) of every 9th corpus file, as the benchmark reads them."""
    return [bench.read_vi_doc(path) for path in sorted(vi_news_dir.glob("*.txt"))[::9]]


def _accuracy(found: list[str | None], expected: str) -> float:
    return sum(lang == expected for lang in found) / len(found)


def test_vietnamese_news_articles(vi_news_dir):
    docs = _vi_sample(vi_news_dir)
    assert _accuracy([detect_language(body)[0] for _, body in docs], "vi") >= 0.99
    assert _accuracy([detect_language(bench.strip_diacritics(body))[0] for _, body in docs], "vi") >= 0.99


def test_vietnamese_news_titles(vi_news_dir):
    docs = _vi_sample(vi_news_dir)
    folded = [bench.strip_diacritics(title) for title, _ in docs]
    assert _accuracy([detect_title_language(title)[0] for title, _ in docs], "vi") >= 0.98
    assert _accuracy([detect_title_language(title)[0] for title in folded], "vi") >= 0.94
    assert _accuracy([detect_title_language(title, "vi")[0] for title in folded], "vi") >= 0.97


def test_vietnamese_articles_quoting_an_english_paragraph(vi_news_dir, extraction_benchmark_dir):
    docs = _vi_sample(vi_news_dir)
    english = [
        page["articleBody"] for page in _extraction_pages(extraction_benchmark_dir) if page["lang"] == "en"
    ]
    mixed = [bench.quote_english(body, english[i % len(english)]) for i, (_, body) in enumerate(docs)]
    assert _accuracy([detect_language(text)[0] for text in mixed], "vi") >= 0.98
    assert _accuracy([detect_language(bench.strip_diacritics(text))[0] for text in mixed], "vi") >= 0.95


def _extraction_pages(extraction_benchmark_dir: Path) -> list[dict[str, str]]:
    truth = json.loads((extraction_benchmark_dir / "ground-truth.json").read_text(encoding="utf-8"))
    return [
        {
            "lang": bench.NOT_ENGLISH.get(key[:10], "en"),
            "articleBody": unicodedata.normalize("NFC", page["articleBody"]),
        }
        for key, page in sorted(truth.items())
    ]


def test_extraction_benchmark_pages(extraction_benchmark_dir):
    pages = _extraction_pages(extraction_benchmark_dir)
    found = [detect_language(page["articleBody"])[0] for page in pages]
    assert sum(lang == page["lang"] for lang, page in zip(found, pages, strict=True)) / len(pages) >= 0.98
    english = [page["articleBody"] for page in pages if page["lang"] == "en"]
    assert _accuracy([detect_title_language(bench.title_of(body))[0] for body in english], "en") >= 0.95
    with_names = [bench.insert_vietnamese_names(body) for body in english]
    assert _accuracy([detect_language(text)[0] for text in with_names], "en") >= 0.98
