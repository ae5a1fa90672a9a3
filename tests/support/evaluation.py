"""A month of outreach and the press it earned, put straight into a store's tables as the outreach
services and enrichment leave them: what the evaluation tests (domain, CLI, API and pages) read."""

from __future__ import annotations

import hashlib
from datetime import datetime

from sqlalchemy import update

from caunoi.store.schema import (
    activity_coverage,
    article_tags,
    articles,
    duplicates,
    pack_recipients,
    sources,
)

MESSAGES = ["Việt Nam là đối tác tin cậy", "Le Vietnam, partenaire de confiance"]
TOPIC = "culture_tourism"


def _source(conn, name: str, country: str | None, origin: str | None) -> None:
    now = datetime(2026, 1, 1)
    conn.execute(
        sources.insert().values(
            name=name,
            home=f"https://{name.lower().replace(' ', '')}.example/",
            country=country,
            origin=origin,
            created_at=now,
            updated_at=now,
        )
    )


def _article(conn, title: str, text: str, source: str, lang: str, published: datetime, **tags) -> int:
    """An article as ingest and enrichment leave it: `tone` (about Việt Nam), `countries` and
    `topics` named."""
    new_id = conn.execute(
        articles.insert().values(
            content_hash=hashlib.sha256(f"{title}{text}{source}".encode()).hexdigest(),
            title=title,
            text=text,
            source=source,
            lang=lang,
            published=published,
            origin=f"test:{title}",
            created_at=published,
        )
    ).inserted_primary_key[0]
    rows = [{"kind": "tone", "value": "subject", "score": tags["tone"]}] if "tone" in tags else []
    rows += [{"kind": "country", "value": c, "score": 1.0} for c in tags.get("countries", ())]
    rows += [{"kind": "topic", "value": t, "score": 1.0} for t in tags.get("topics", ())]
    if rows:
        conn.execute(article_tags.insert(), [{**r, "article_id": new_id} for r in rows])
    return new_id


def _covered(conn, activity_id: int, article_id: int, state: str = "confirmed") -> None:
    at = datetime(2026, 10, 20)
    conn.execute(
        activity_coverage.insert().values(
            activity_id=activity_id,
            article_id=article_id,
            score=0.9,
            reasons=[],
            state=state,
            found_at=at,
            checked_at=at,
            decided_by="lan" if state != "candidate" else None,
        )
    )


def october(service) -> dict[str, int]:
    """The embassy in Paris's October 2026, and what the press wrote: the ids of what it added, by
    name. The campaign THANG-VH-FR (1–31 October, the missions DSQ-FR and DSQ-JP), five activities
    of DSQ-FR (one in November, one outside the campaign), two products, a pack, the users "hoa"
    (DSQ-FR's mission officer), and articles: earned (confirmed), a candidate, a rejected one,
    copies, and the French press before and during the month."""
    units, outreach = service.units, service.outreach
    units.add("DSQ-FR", "Đại sứ quán Việt Nam tại Pháp", kind="mission", country="FR", by="t")
    units.add("DSQ-JP", "Đại sứ quán Việt Nam tại Nhật Bản", kind="mission", country="JP", by="t")
    units.add("BC-TTDN", "Ban Thông tin đối ngoại", by="t")
    service.users.add_user("hoa", "mật khẩu dài đủ dùng", "mission_officer", by="t", mission="DSQ-FR")
    outreach.campaigns.add(
        "THANG-VH-FR",
        "Tháng văn hóa Việt Nam tại Pháp",
        by="lan",
        starts_on="2026-10-01",
        ends_on="2026-10-31",
        countries=["FR"],
        topics=[TOPIC],
        key_messages=MESSAGES,
        budget="150.000.000",
        currency="VND",
        units=["DSQ-FR", "DSQ-JP"],
        objectives=[
            "earned_articles: bài báo thu được = 8 by 2026-12-31",
            "message_articles: bài báo nêu thông điệp = 4",
            "tone_change: sắc thái cải thiện = 2",
            "sự kiện văn hóa = 3",
        ],
    )
    add = outreach.activities.add
    a = {
        "briefing": add(
            "Họp báo khai mạc Tháng văn hóa",
            by="hoa",
            unit="DSQ-FR",
            type="press_conference",
            starts_at="2026-10-05 10:00",
            campaign="THANG-VH-FR",
            cost="1200",
            currency="EUR",
            audience=45,
            release="Đại sứ quán Việt Nam tại Pháp khai mạc Tháng văn hóa.",
        ).id,
        "concert": add(
            "Hòa nhạc",
            by="hoa",
            unit="DSQ-FR",
            type="event",
            starts_at="2026-10-12 20:00",
            campaign="THANG-VH-FR",
            cost="300",
            currency="EUR",
        ).id,
        "statement": add(
            "Thông cáo bế mạc",
            by="hoa",
            unit="DSQ-FR",
            type="press_release",
            starts_at="2026-10-30 09:00",
            campaign="THANG-VH-FR",
            cost="5.000.000",
            currency="VND",
        ).id,
        "later": add(
            "Tọa đàm tháng 11",
            by="hoa",
            unit="DSQ-FR",
            type="conference",
            starts_at="2026-11-05 10:00",
            campaign="THANG-VH-FR",
        ).id,
        "own": add(
            "Gặp gỡ báo chí", by="hoa", unit="DSQ-FR", type="media_meeting", starts_at="2026-10-20 12:00"
        ).id,
    }
    product = outreach.products.add(
        "Việt Nam – Pháp: 50 năm",
        by="hoa",
        kind="article",
        lang="fr",
        unit="DSQ-FR",
        campaign="THANG-VH-FR",
        published_on="2026-10-15",
    )
    outreach.products.add(
        "Tờ gấp cũ",
        by="hoa",
        kind="publication",
        unit="DSQ-FR",
        campaign="THANG-VH-FR",
        published_on="2026-09-01",
    )
    pack = outreach.packs.add(
        "Điểm nói Tháng văn hóa",
        "Ba thông điệp …",
        by="lan",
        campaign="THANG-VH-FR",
        deadline="2026-10-10 17:00",
        to=["DSQ-FR", "DSQ-JP"],
    )
    outreach.packs.acknowledge(pack.id, "DSQ-FR", by="hoa")
    ids = {"product": product.id, "pack": pack.id, **a}
    with service.engine.begin() as conn:
        conn.execute(update(pack_recipients).values(sent_at=datetime(2026, 10, 2, 8, 0)))  # sent in October
        _source(conn, "Le Monde", "FR", "foreign")
        _source(conn, "France 24", "FR", None)  # no origin given: its country says foreign
        _source(conn, "VnExpress", "VN", "domestic")
        _source(conn, "Người Việt", "US", "diaspora")
        oct_ = lambda d: datetime(2026, 10, d, 9, 0)  # noqa: E731
        ids |= {
            # earned coverage
            "lemonde": _article(
                conn,
                "Le mois du Vietnam",
                "Le Vietnam, partenaire de confiance de la France, ouvre son mois culturel.",
                "Le Monde",
                "fr",
                oct_(6),
                tone=3.0,
                countries=["VN", "FR"],
                topics=[TOPIC],
            ),
            "vnexpress": _article(
                conn,
                "Khai mạc Tháng văn hóa",
                "Đại sứ khẳng định: Việt Nam là đối tác tin cậy của Pháp.",
                "VnExpress",
                "vi",
                oct_(6),
            ),
            "nguoiviet": _article(
                conn, "Hòa nhạc ở Paris", "Buổi hòa nhạc đông khán giả.", "Người Việt", "vi", oct_(13)
            ),
            "blog": _article(conn, "A Vietnamese evening", "Notes from a concert.", "Blog X", "en", oct_(31)),
            # a candidate and a rejected article, and the coverage of the November activity: not counted
            "candidate": _article(conn, "Paris tuần này", "…", "Le Monde", "fr", oct_(7)),
            "rejected": _article(conn, "Tuần lễ khác", "…", "VnExpress", "vi", oct_(8)),
            "november": _article(conn, "Tọa đàm", "…", "VnExpress", "vi", datetime(2026, 11, 6)),
            # copies: of Le Monde's article, and the earlier original Người Việt's article repeats
            "copy": _article(conn, "Le mois du Vietnam (reprise)", "…", "Courrier", "fr", oct_(7)),
            "original": _article(conn, "Hòa nhạc (bản gốc)", "…", "Báo khác", "vi", oct_(12)),
            # the French press during the month …
            "fr1": _article(
                conn,
                "Hanoï et Pékin",
                "…",
                "Le Monde",
                "fr",
                oct_(9),
                tone=2.0,
                countries=["VN", "CN"],
                topics=[TOPIC],
            ),
            "fr2": _article(
                conn,
                "Vietnam, États-Unis",
                "…",
                "France 24",
                "fr",
                oct_(16),
                tone=4.0,
                countries=["VN", "US"],
            ),
            "fr3": _article(
                conn, "La Chine en France", "…", "Le Monde", "fr", oct_(21), countries=["CN", "FR"]
            ),
            # … and in the month before it, and earlier (outside both windows)
            "before1": _article(
                conn,
                "Vietnam : inquiétudes",
                "…",
                "Le Monde",
                "fr",
                datetime(2026, 9, 15),
                tone=-1.0,
                countries=["VN"],
                topics=[TOPIC],
            ),
            "before2": _article(
                conn,
                "Chine et États-Unis",
                "…",
                "France 24",
                "fr",
                datetime(2026, 9, 20),
                countries=["CN", "US"],
            ),
            "august": _article(
                conn, "Été", "…", "Le Monde", "fr", datetime(2026, 8, 1), tone=-5.0, countries=["VN"]
            ),
        }
        for activity, article in (
            ("briefing", "lemonde"),
            ("briefing", "vnexpress"),
            ("concert", "vnexpress"),
            ("concert", "nguoiviet"),
            ("statement", "blog"),
            ("later", "november"),
        ):
            _covered(conn, ids[activity], ids[article])
        _covered(conn, ids["briefing"], ids["candidate"], "candidate")
        _covered(conn, ids["concert"], ids["rejected"], "rejected")
        conn.execute(
            duplicates.insert(),
            [
                {
                    "article_id": ids["copy"],
                    "original_id": ids["lemonde"],
                    "jaccard": 0.9,
                    "containment": 0.95,
                },
                {
                    "article_id": ids["nguoiviet"],
                    "original_id": ids["original"],
                    "jaccard": 0.8,
                    "containment": 0.9,
                },
            ],
        )
    return ids
