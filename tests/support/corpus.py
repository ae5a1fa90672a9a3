"""Test articles: names of demo articles that belong together, articles written as ingestible files,
and stories, alerts and articles put straight into a store's tables."""

from __future__ import annotations

import hashlib
import random
from datetime import datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit

from caunoi.store.schema import alert_rules, alerts, articles, stories

# demo articles (demo/data/vi-news-unc/docs/NAME.txt)
DEMO_DOCS = Path(__file__).resolve().parents[2] / "demo" / "data" / "vi-news-unc" / "docs"
SUBMARINE = ("news_science_217", "news_world_235")  # the KRI Nanggala 402 lost at sea, two reports
HA_NAM = ("news_health_127", "news_health_118", "news_society_136")  # the Hà Nam COVID-19 cluster
OTHERS = ("news_sport_226", "news_business_163", "news_world_001")

# the brief of 30/4/2021 08:00 (demo/data/vi-news-unc/window/NAME.txt, every one dated by its day only)
HOANG_SA = ("news_society_053", "news_society_251")  # the Foreign Ministry's answer on Hoàng Sa, 29/4
INDIA = ("news_world_060", "news_world_080", "news_world_116")  # India's COVID-19 wave, 29-30/4
FOOTBALL = ("news_sport_167", "news_sport_223", "news_sport_165", "news_sport_204")  # MU-Roma, PSG-City

# a fact sheet: Viet Nam's position on the East Sea (title, text)
BIEN_DONG = (
    "Lập trường của Việt Nam về Biển Đông",
    "Việt Nam có đủ căn cứ pháp lý và bằng chứng lịch sử khẳng định chủ quyền đối với quần đảo "
    "Hoàng Sa và Trường Sa, phù hợp với luật pháp quốc tế, nhất là Công ước của Liên hợp quốc về "
    "Luật Biển năm 1982 (UNCLOS).",
)


def as_file(folder: Path, name: str, title: str, body: str, date: str, url: str | None = None) -> Path:
    """An article as a .txt file `caunoi ingest` reads: its header (id, url, date), title and body."""
    url = url or f"https://example.vn/{name}.htm"
    path = folder / f"{name}.txt"
    path.write_text(f"# doc_id = {name}\n# url = {url}\n# date = {date}\n{title}\n{body}\n", encoding="utf-8")
    return path


def demo_articles() -> list:
    """The demo corpus's articles as a store keeps them, ready for `write_batch` (no ingest stage
    run): dated by their day only (so many share a date, which the date sort breaks by id), every
    tenth left undated; source from the URL."""
    from caunoi.models import Doc

    docs = []
    for n, path in enumerate(sorted(DEMO_DOCS.glob("*.txt"))):
        lines = path.read_text(encoding="utf-8").split("\n")
        head = dict(line[2:].split(" = ", 1) for line in lines[:4])
        text = "\n".join(lines[5:])
        docs.append(
            Doc(
                origin=f"demo:{n}", format="txt", ingested_at=datetime(2026, 12, 7), title=lines[4],
                text=text, url=head["url"], source=urlsplit(head["url"]).hostname,
                category=head["category"], lang="vi",
                published=None if n % 10 == 0 else datetime.strptime(head["date"], "%Y%m%d"),
                content_hash=hashlib.sha256(text.encode()).hexdigest(),
                raw_hash=hashlib.sha256(path.name.encode()).hexdigest(),
            )
        )  # fmt: skip
    return docs


def near_copies(article: Path, n: int, now: datetime) -> list:
    """`n` near-copies of a demo article as Docs ready for `write_batch`, the way a hostile sitemap
    serves one article under many URLs: each body with a page line and one word changed at a seeded
    random place (so none is an exact copy), each a minute after the one before."""
    from caunoi.models import Doc

    lines = article.read_text(encoding="utf-8").split("\n")
    body = [ln for ln in lines if ln.strip() and not ln.startswith("#")]
    title, words = body[0], " ".join(body[1:]).split(" ")
    rng = random.Random(1)
    start = datetime(2021, 4, 22, 8, 0)
    docs = []
    for i in range(n):
        changed = list(words)
        changed[rng.randrange(len(changed))] = f"trang{i}"
        text = f"Trang {i} của chuyên mục\n" + " ".join(changed)
        url = f"https://hostile.vn/bai/{i}"
        when = start + timedelta(minutes=i)
        digest = hashlib.sha256(text.encode()).hexdigest()
        docs.append(
            Doc(origin=url, format="txt", ingested_at=now, url=url, title=f"{title} ({i})", text=text,
                lang="vi", published=when, content_hash=digest)
        )  # fmt: skip
    return docs


# -- rows put straight into the store ----------------------------------------------------------

NOW = datetime(2026, 11, 24, 9, 0)  # when the rows below were made


def add_story(service, title: str = "Tàu nước ngoài hoạt động trái phép ở Biển Đông") -> int:
    with service.engine.begin() as conn:
        return conn.execute(
            stories.insert().values(
                title=title,
                summary=[],
                first_seen=NOW,
                last_seen=NOW,
                articles=2,
                reprints=0,
                active=True,
                state={},
                created_at=NOW,
                updated_at=NOW,
            )
        ).inserted_primary_key[0]


def add_alert(service, story_id: int | None, title: str = "Tin tiêu cực tăng đột biến về Biển Đông") -> int:
    with service.engine.begin() as conn:
        rule_id = conn.execute(
            alert_rules.insert().values(
                name=f"biển đông {title}",
                kind="tone_spike",
                scope={"query": "Biển Đông"},
                params={},
                channels=[],
                severity="high",
                enabled=True,
                created_by="lan",
                created_at=NOW,
            )
        ).inserted_primary_key[0]
        return conn.execute(
            alerts.insert().values(
                rule_id=rule_id,
                story_id=story_id,
                window_start=NOW - timedelta(hours=24),
                window_end=NOW,
                severity="high",
                title=title,
                why={"z": 3.2},
                digest=False,
                state="new",
                created_at=NOW,
            )
        ).inserted_primary_key[0]


def add_article(service, title: str, url: str) -> int:
    with service.engine.begin() as conn:
        return conn.execute(
            articles.insert().values(
                content_hash=url.ljust(64, "0")[-64:],
                title=title,
                text="…",
                url=url,
                origin=url,
                dates=[],
                meta={},
                created_at=NOW,
            )
        ).inserted_primary_key[0]
