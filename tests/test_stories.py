"""Reprints and stories: MinHash duplicates on real articles and their realistic variants, the online
clusterer, and both through the store and the command line, on both backends."""

from __future__ import annotations

import dataclasses
import json
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import event, func, select, update
from support.cli import caunoi
from support.corpus import HA_NAM, OTHERS, SUBMARINE, as_file, near_copies

from caunoi.enrich.stage import enrich
from caunoi.store.schema import signature_bands, stories
from caunoi.stories import cluster, dedup, summary
from caunoi.stories.cluster import Article, Clusterer
from caunoi.stories.summary import FIRST, LATEST

DEMO = Path(__file__).resolve().parent.parent / "demo" / "data" / "vi-news-unc" / "docs"
SAME_EVENT = HA_NAM[:2]  # two reports of one day of it


def demo_body(name: str) -> tuple[str, str]:
    lines = (DEMO / f"{name}.txt").read_text(encoding="utf-8").split("\n")
    body = [ln for ln in lines if ln and not ln.startswith("#")]
    return body[0], "\n".join(body[1:])


# -- duplicates, in memory ---------------------------------------------------------------------


def variants(body: str) -> dict[str, str]:
    """What syndication does to an article's text."""
    paragraphs = body.split("\n")
    keep = max(2, round(len(paragraphs) * 0.6))
    return {
        "trimmed tail": "\n".join(paragraphs[:keep]),
        "chrome added": "Chia sẻ bài viết\nCỡ chữ\n" + body + "\nBình luận\nTin liên quan\nXem thêm",
        "attribution": body + "\nTheo Dân trí",
        "lead reworded": "Theo tin từ Jakarta, " + body[body.index(" ") + 1 :],
    }


def test_realistic_variants_of_a_real_article_are_copies():
    _, body = demo_body(SUBMARINE[1])
    original = dedup.signature(body)
    assert original is not None
    for name, text in variants(body).items():
        match = dedup.compare(original, dedup.signature(text))
        assert match is not None and match.is_copy, (name, match)


def test_two_reports_of_the_same_story_are_not_copies():
    first, second = (dedup.signature(demo_body(n)[1]) for n in SUBMARINE)
    match = dedup.compare(first, second)
    assert match is None or not match.is_copy
    assert dedup.signature("Quá ngắn để so sánh.") is None  # too short to call a copy of anything


def test_a_brief_quoted_in_a_long_feature_is_not_a_reprint():
    _, body = demo_body(SUBMARINE[1])
    _, other = demo_body(OTHERS[2])
    brief = "\n".join(body.split("\n")[:1])
    long_feature = other + "\n" + brief + "\n" + other.replace("Azerbaijan", "Armenia")
    if dedup.signature(brief) is None:
        pytest.skip("the lead is too short for this check")
    assert dedup.compare(dedup.signature(brief), dedup.signature(long_feature)) is None


def test_signatures_survive_the_store_round_trip():
    sig = dedup.signature(demo_body(SUBMARINE[0])[1])
    again = dedup.Signature.from_bytes(sig.to_bytes(), sig.shingles)
    assert again.jaccard(sig) == 1.0 and again.band_keys() == sig.band_keys()


# -- the clusterer, in memory ------------------------------------------------------------------


def article(i: int, name: str, day: int, lang: str = "vi", entities=None) -> Article:
    """A demo article as the store hands it to the clusterer: with the enrichment's entity tags."""
    title, body = demo_body(name)
    if entities is None:
        tags = enrich(title, body, None, lang).tags
        entities = {value for (kind, value), score in tags.items() if kind == "entity" and score >= 0.6}
    return Article(i, datetime(2021, 4, day, 8), lang, title, body, frozenset(entities))


def test_the_same_stream_gives_the_same_stories():
    stream = [article(i, n, 22 + i % 3) for i, n in enumerate(SUBMARINE + HA_NAM + OTHERS)]
    first = [Clusterer().add(a) for a in stream]  # a fresh clusterer per article: no shared state
    runs = []
    for _ in range(2):
        c = Clusterer()
        runs.append([(a.article_id, a.story_id) for a in map(c.add, stream)])
    assert runs[0] == runs[1]
    assert all(a.new for a in first)


def test_reports_of_one_event_share_a_story_and_others_do_not():
    c = Clusterer()
    got = {name: c.add(article(i, name, 23)).story_id for i, name in enumerate(SAME_EVENT + OTHERS)}
    assert got[SAME_EVENT[0]] == got[SAME_EVENT[1]]
    assert len({got[n] for n in OTHERS} | {got[SAME_EVENT[0]]}) == len(OTHERS) + 1


def test_a_story_does_not_take_articles_from_outside_its_window():
    c = Clusterer()
    first = c.add(article(1, SAME_EVENT[0], 1))
    later = c.add(article(2, SAME_EVENT[1], 1 + int(cluster.WINDOW_DAYS) + 2))
    assert later.new and later.story_id != first.story_id


def test_another_language_joins_through_shared_entities():
    """An English report shares few words with the Vietnamese ones, but the same canonical entities and
    anchors (caunoi.stories.anchors; more in tests/test_stories_xling.py)."""
    ents = {"country:ID", "org:navy-id", "person:joko-widodo"}
    c = Clusterer()
    vi = [c.add(article(i, n, 23, entities=ents)) for i, n in enumerate(SUBMARINE)]
    english = Article(
        9, datetime(2021, 4, 24, 9), "en", "Indonesian navy submarine found broken apart",
        "The KRI Nanggala 402 was found on the seabed north of Bali; all 53 crew are dead, "
        "the military chief said.", frozenset(ents),
    )  # fmt: skip
    # the report of the search (news_world_235), whose names and figures it shares: KRI Nanggala, 402, 53
    assert c.add(english).story_id == vi[1].story_id
    unrelated = Article(
        10, datetime(2021, 4, 24, 9), "en", "Indonesia opens new toll road",
        "A toll road opened in Java on Saturday.", frozenset({"country:ID"}),
    )  # fmt: skip
    assert c.add(unrelated).new  # one shared country is not enough across languages


def test_reprints_and_retirement_keep_the_index_consistent():
    """A reprint changes its story's profile too; once the story retires nothing may point to it."""
    c = Clusterer()
    names = SUBMARINE + HA_NAM + OTHERS
    start = datetime(2021, 1, 1)
    for i in range(40):
        title, body = demo_body(names[i % len(names)])
        when = start + timedelta(days=i)
        first = c.add(Article(2 * i, when, "vi", title, body))
        c.add(Article(2 * i + 1, when, "vi", title, body[: len(body) // 2], duplicate_of=2 * i))
        assert c.story_of[2 * i + 1] == first.story_id
    indexed = {s for ids in c._by_term.values() for s in ids} | {
        s for ids in c._by_entity.values() for s in ids
    }
    assert indexed <= set(c.active)


def test_memory_is_bounded_old_stories_retire():
    c = Clusterer()
    names = SUBMARINE + HA_NAM + OTHERS
    start = datetime(2021, 1, 1)
    for i in range(60):  # a new story every two days for four months
        title, body = demo_body(names[i % len(names)])
        c.add(Article(i, start + timedelta(days=2 * i), "vi", f"{title} {i}", body))
    assert len(c.active) <= cluster.RETIRE_DAYS / 2 + 2
    assert len(c.take_retired()) >= 50
    assert len(c.story_of) <= len(c.active) * 2


# -- through the store -------------------------------------------------------------------------


def test_reprints_are_linked_to_the_earliest_copy_and_counted_once(service, tmp_path):
    title, body = demo_body(SUBMARINE[1])
    docs = tmp_path / "docs"
    docs.mkdir()
    as_file(docs, "a_original", title, body, "20210423", "https://dantri.com.vn/a.htm")
    retitled = "Tàu ngầm Indonesia mất tích: những điều đã biết"
    as_file(
        docs, "b_reprint", retitled, variants(body)["trimmed tail"], "20210424", "https://baomoi.com/b.htm"
    )
    as_file(docs, "c_other", *demo_body(SUBMARINE[0]), "20210424", "https://vnexpress.net/c.htm")
    service.ingest([docs])
    ids = {Path(a["origin"]).stem: a["id"] for a in _articles(service)}
    original, reprint = ids["a_original"], ids["b_reprint"]
    assert service.article(reprint).reprint_of == original
    assert [c["id"] for c in service.article(original).copies] == [reprint]
    # an earlier copy arriving later (a backfill) becomes the original of the group
    backfill = tmp_path / "backfill"
    backfill.mkdir()
    as_file(
        backfill, "d_earlier", title, variants(body)["lead reworded"], "20210422", "https://ttxvn.vn/d.htm"
    )
    service.ingest([backfill])
    earliest = {Path(a["origin"]).stem: a["id"] for a in _articles(service)}["d_earlier"]
    assert service.article(original).reprint_of == earliest
    assert service.article(reprint).reprint_of == earliest
    assert service.article(earliest).reprint_of is None
    # all of them in one story, the reprints counted once
    story_id = service.article(original).story_id
    assert {service.article(i).story_id for i in (original, reprint, earliest)} == {story_id}
    view = service.story(story_id)
    assert view.reprints == 2  # a_original and b_reprint are copies of d_earlier
    assert view.articles + view.reprints == len(view.items)
    assert service.story_list()[0].reprints == 2
    # retitling reads the texts of the originals only (at most summary.SAMPLE of them)
    everything = service.stories.members(story_id)
    read = service.stories.sample(story_id, FIRST, LATEST)
    assert [m.id for m in read] == [m.id for m in everything if m.original_id is None]
    assert earliest in {m.id for m in read} and all(m.text for m in read)


def _articles(service) -> list[dict]:
    from sqlalchemy import select

    from caunoi.store.schema import articles

    with service.engine.connect() as conn:
        return [dict(r._mapping) for r in conn.execute(select(articles.c.id, articles.c.origin))]


def test_rebuilding_gives_the_same_stories(service):
    service.ingest([DEMO / f"{n}.txt" for n in SUBMARINE + HA_NAM + OTHERS])

    def partition() -> set[frozenset[int]]:
        groups: dict[int, set[int]] = {}
        for a in _articles(service):
            groups.setdefault(service.article(a["id"]).story_id, set()).add(a["id"])
        return {frozenset(g) for g in groups.values()}

    first = partition()
    assert None not in {service.article(a["id"]).story_id for a in _articles(service)}
    service.update_stories(rebuild=True)
    assert partition() == first
    by_name = {Path(a["origin"]).stem: service.article(a["id"]).story_id for a in _articles(service)}
    assert by_name[SAME_EVENT[0]] == by_name[SAME_EVENT[1]]
    story = service.story(by_name[SAME_EVENT[0]])
    assert story.title and story.summary and story.timeline
    assert story.outlets == [("dantri.com.vn", 2)]


def test_stories_from_the_command_line(settings):
    caunoi(settings, "ingest", *[str(DEMO / f"{n}.txt") for n in SAME_EVENT + OTHERS])
    listed = json.loads(caunoi(settings, "stories", "--json").stdout)
    assert listed[0]["articles"] == 2 and listed[0]["languages"] == ["vi"]
    one = json.loads(caunoi(settings, "story", str(listed[0]["id"]), "--json").stdout)
    assert {i["id"] for i in one["items"]} and one["summary"][0]["text"]
    assert (
        json.loads(caunoi(settings, "stories", "--since", "7d", "--at", "2021-05-10", "--json").stdout) == []
    )
    assert json.loads(caunoi(settings, "stories", "--since", "2021-04-20", "--json").stdout)
    again = json.loads(caunoi(settings, "stories", "--rebuild", "--json").stdout)
    assert again["updated"]["clustered"] == len(SAME_EVENT + OTHERS)
    bad = caunoi(settings, "stories", "--since", "yesterday-ish", check=False)
    assert bad.returncode == 2 and "--since" in bad.stderr
    missing = caunoi(settings, "story", "999", check=False)
    assert missing.returncode == 1 and "no story" in missing.stderr
    shown = json.loads(caunoi(settings, "show", str(one["items"][0]["id"]), "--json").stdout)
    assert shown["story_id"] == listed[0]["id"] and shown["reprint_of"] is None


# -- hostile and interrupted input ---------------------------------------------------------------


@pytest.mark.parametrize("newest_first", [False, True], ids=["oldest first", "newest first"])
def test_a_flood_of_near_copies_costs_bounded_work_per_copy(service, monkeypatch, newest_first):
    """80 near-copies of one article (a hostile sitemap's pages, stored oldest first or newest first
    as a sitemap lists them): each is compared with at most MAX_COMPARED others, indexed in buckets
    of at most BUCKET_CAP, and the group relinked to a new earliest copy once a batch at most; yet
    every one is linked to the earliest and all are one story, titled once a batch at most."""
    compared, described, relinks = [], [], []
    best_copy, title_and_summary = dedup.best_copy, summary.title_and_summary

    def counted_best_copy(sig, found):
        compared.append(len(found))
        return best_copy(sig, found)

    def counted_title_and_summary(story, members, clusterer):
        described.append(story.id)
        return title_and_summary(story, members, clusterer)

    def count_relinks(conn, cursor, statement, *args):
        if statement.lstrip().upper().startswith("UPDATE DUPLICATES"):
            relinks.append(statement)

    event.listen(service.engine, "before_cursor_execute", count_relinks)
    copies = near_copies(DEMO / f"{SUBMARINE[0]}.txt", 80, datetime(2026, 12, 1))
    if newest_first:
        copies.reverse()
    monkeypatch.setattr(dedup, "best_copy", counted_best_copy)
    monkeypatch.setattr(summary, "title_and_summary", counted_title_and_summary)
    service.articles.write_batch(copies)
    service.settings = dataclasses.replace(service.settings, batch_size=20)
    made = service.update_stories()
    assert made.copies == 79 and made.opened == 1
    first = min(copies, key=lambda doc: doc.published).origin
    earliest = next(a["id"] for a in _articles(service) if a["origin"] == first)
    assert {service.copies(a["id"])["original_id"] for a in _articles(service)} == {None, earliest}
    assert len(relinks) <= 80 // 20
    assert max(compared) <= dedup.MAX_COMPARED < 79
    with service.engine.connect() as conn:
        fullest = conn.execute(
            select(func.count())
            .select_from(signature_bands)
            .group_by(signature_bands.c.band, signature_bands.c.key)
            .order_by(func.count().desc())
        ).first()[0]
    assert fullest <= dedup.BUCKET_CAP
    assert len(described) <= 4  # 80 articles in batches of 20
    (story,) = service.story_list()
    assert story.title and story.articles == 1 and story.reprints == 79


def test_stories_a_killed_run_left_untitled_are_titled_by_the_next(service):
    """What a `kill -9` between clustering and titling left before titles were written with each
    batch: stories without title or summary. The next `stories --update` repairs them."""
    service.ingest([DEMO / f"{n}.txt" for n in SUBMARINE + HA_NAM])
    titled = {s.id: (s.title, service.story(s.id).summary) for s in service.story_list()}
    with service.engine.begin() as conn:
        conn.execute(update(stories).values(title="", summary=[]))
    made = caunoi(service.settings, "stories", "--update", "--json")
    assert json.loads(made.stdout)["updated"]["repaired"] == len(titled)
    assert {s.id: (s.title, service.story(s.id).summary) for s in service.story_list()} == titled
