"""Word segmentation and keyphrases: built on words, not syllables."""

from __future__ import annotations

from conftest import DEMO

from caunoi.enrich.keywords import keyphrases, segment
from caunoi.pipeline import split_txt
from caunoi.text.vietnamese import normalize


def demo_article(name: str) -> tuple[str, str]:
    _, title, body = split_txt(normalize((DEMO / "vi-news-unc" / "docs" / name).read_text(encoding="utf-8")))
    return title or "", "\n".join(body)


def test_segmentation_keeps_words_and_hyphenated_names():
    text = "Ban Tuyên giáo Trung ương tổ chức hội nghị về Nagorno-Karabakh"
    (clause, *_) = segment(text, "vi")
    words = [w for w, _ in clause]
    assert "Tuyên giáo" in words and "Trung ương" in words and "Nagorno-Karabakh" in words
    assert "giáo Trung" not in " | ".join(words)
    assert all(text[start : start + len(w)] == w for w, start in clause)  # offsets into the text


def test_keyphrases_of_a_real_article():
    title, text = demo_article("news_education_217.txt")
    phrases = [k.phrase for k in keyphrases(title, text, "vi")]
    assert phrases[0] == "giáo viên"
    assert "đào tạo giáo viên" in phrases
    scores = [k.score for k in keyphrases(title, text, "vi")]
    assert scores[0] == 1.0 and scores == sorted(scores, reverse=True)


def test_function_words_and_pronouns_are_never_keyphrases():
    title, text = demo_article("news_world_001.txt")
    words = {w for k in keyphrases(title, text, "vi") for w in k.phrase.lower().split()}
    assert not words & {"và", "của", "được", "các", "ông", "em", "tôi"}


def test_english_and_other_languages():
    text = "The ASEAN summit in Hanoi discussed the South China Sea. ASEAN leaders met in Hanoi."
    phrases = [k.phrase for k in keyphrases("ASEAN summit", text, "en")]
    assert phrases[0] == "ASEAN" and "Hanoi" in phrases and "the" not in phrases
    assert keyphrases("Titre", "Un texte en français.", "fr") == []


def test_enrichment_in_a_process_pool_gives_the_same_result(tmp_path):
    """CAUNOI_WORKERS=2: the stages run in two spawned processes; what is stored is the same."""
    import dataclasses

    from caunoi.config import Settings
    from caunoi.service import Service

    docs = DEMO / "vi-news-unc" / "docs"
    files = [docs / f"news_{c}_010.txt" for c in ("world", "sport", "education", "health")]
    found = []
    for workers in (0, 2):
        settings = dataclasses.replace(Settings(data_dir=tmp_path / f"w{workers}"), workers=workers)
        with Service(settings) as service:
            service.ingest(files)
            keys = ("enrichment_version", "keywords", "doc_refs", "events", "topics")
            found.append([{k: getattr(service.article(i), k) for k in keys} for i in (1, 2, 3, 4)])
    assert found[0] == found[1] and all(a["keywords"] for a in found[0])
