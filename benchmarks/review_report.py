"""The review report (báo cáo sơ kết 6 tháng) from a store of 100k articles and 1,000 activities: time
and memory of its figures, its document, its DOCX and its PDF by each route, for the whole system and
for a mission, SQLite against PostgreSQL in the same run; the same data's `caunoi evaluate --json`
and report_render.py's synthetic 20-page document as peers.

Run: .venv/bin/python benchmarks/review_report.py [--json] [--articles 100000] [--activities 1000]
         [--repeat 3] [--seed 1] [--backends sqlite,postgresql] [--keep] [--write DIR]

The report: the second half of 2024 (PERIOD, 1 July – 31 December; compared, as the report does,
with the 184 days before and with the second half of 2023), of the whole system and of the mission
MISSION (the embassy in the United States: its host media are the generator's American outlets).
The store, built in its own process through the services wherever one exists:
  articles   coverage_throughput.py's builder: `--articles` articles of search_latency.py's generator
             (real vi-news-unc titles and paragraphs, a tenth English, published over 2020-2024, about
             10,000 in each half-year) and the reprints of a quarter of the activities' releases,
             through write_batch; the generator's 36 outlets as sources with their country and origin
             (OUTLETS: what the report's countries, foreign share and host media read);
  enrichment every article as the enrichment stages leave it (an enrichments row and its tags: tone
             of the passages about Việt Nam, topics, countries, entities), through
             EnrichmentRepository.write; but the enrichment of SAMPLE generated articles, run for
             real, lent out (article i gets sample article i mod SAMPLE's): enriching 100k articles
             takes hours on this machine (0.1 s each), and what the report costs depends on how many
             tags there are, not on whose they are. So the tone and topic figures are real outputs of
             the stages, not of each article's own text;
  stories    the articles with the same title in the same calendar month make one story (75k stories
             for 100k articles, most of one article; story_stream.py's 100k articles make 84k), written
             straight into stories / story_articles: Service.update_stories took 526 s for 5,000 of
             this generator's articles, 84 % of it in dedupe (its near-copy candidates: the articles
             share paragraphs), hours for 100k; no near-copies are marked;
  outreach   the shipped units; the five campaigns of CAMPAIGNS (second half of 2024, each with
             objectives measured by the evaluation's metrics, key messages, topics, host countries,
             every mission of the activities taking part); `--activities` activities of
             coverage_throughput.plan over the half-year, through import_rows; the stored reprints
             confirmed as earned coverage of their activity where coverage.find proposes them (the
             path a person takes); PRODUCTS products and PACKS packs (one a month, each sent to 30
             missions, MISSION among them, a third acknowledged) over the eighteen months the report
             compares, their dates moved into the month afterwards as tests/test_review.py does;
  response   FACT_SHEETS fact sheets and CASES cases over the same eighteen months (a tenth of them
             MISSION's), opened, assigned with a deadline of one to three days, most answered (half
             with a fact sheet) after one to 120 hours, a third of those closed; their times moved
             into place afterwards, as the tests do.
With --keep the store stays (var/bench/review_report/, a PostgreSQL schema bench_review_…) and a later
run with the same options reuses it; without it the store is removed at the end.

Measured, each in a fresh process (`_harness.run_child`: peak RSS its own, and for LibreOffice the
largest child's, soffice.bin), for each scope, the store opened first (not timed):
  figures      review_figures (the queries: three periods of articles, tags, stories, cases, three
               evaluations and one per campaign with objectives)
  document     + review_document (the charts drawn)
  docx         + render_docx
  weasyprint   + render_pdf(engine="weasyprint")
  libreoffice  + render_pdf(engine="libreoffice") (the DOCX converted by soffice)
one untimed run (the first: cold caches, fonts, a fresh LibreOffice profile as every call makes),
then --repeat timed ones: median, min and max wall time, the median CPU time (the process's and its
children's; PostgreSQL's server is not in it), and the median split into figures / document / render;
the PDFs' pages. Peers: `caunoi evaluate --mission MISSION --from … --to … --json` in its own process
(wall, CPU, peak RSS; --repeat runs, median), the one evaluation the report reuses timed in process
(`evaluation.evaluate` of the period: the mission's, and the whole system's that no CLI option asks),
and report_render.py's synthetic 20-page document rendered by each route (its own `measure`): the
rendering floor. The load average before and after is kept: the machine may be shared.

--write DIR keeps each scope's DOCX and PDFs for a look (tools/report_pages.py turns pages into PNG).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from _harness import (
    BACKENDS,
    EXTRACTION_TRUTH,
    VAR,
    VI_DOCS,
    child_rusage,
    create_schema,
    drop_schema,
    pg_reachable,
    print_table,
    publish,
    require_corpus,
    run_child,
    schema_exists,
    schema_url,
)

NAME = "review_report"
BUILD_VERSION = 1  # what the store holds; a kept store of another version is built again
FOLDER = VAR / NAME
BY = "benchmark"
PERIOD = (date(2024, 7, 1), date(2024, 12, 31))
COMPARED_FROM = date(2023, 7, 1)  # the first day the report compares (the year before's)
MISSION = "DSQ-US"
SCOPES = {"system": None, "mission": MISSION}
STAGES = ("figures", "document", "docx", "weasyprint", "libreoffice")
SAMPLE = 400  # articles enriched for real, their findings lent to every article
CASES, FACT_SHEETS, PRODUCTS, PACKS = 360, 12, 120, 18
MISSION_SHARE = 0.1  # of the cases and products

# The generator's outlets (search_latency.VI_SOURCES, EN_SOURCES): country, origin.
OUTLETS = {
    **{name: ("VN", "domestic") for name in (
        "vnexpress.net", "dantri.com.vn", "tuoitre.vn", "thanhnien.vn", "vietnamnet.vn", "nhandan.vn",
        "baoquocte.vn", "vov.vn", "vtv.vn", "qdnd.vn", "tienphong.vn", "laodong.vn", "znews.vn",
        "cand.com.vn", "baochinhphu.vn", "plo.vn", "nld.com.vn", "sggp.org.vn", "vietnamplus.vn",
        "baotintuc.vn", "vietnamnews.vn", "e.vnexpress.net",
    )},
    "bbc.com": ("GB", "international"), "rfa.org": ("US", "foreign"),
    "voatiengviet.com": ("US", "foreign"), "reuters.com": ("GB", "international"),
    "apnews.com": ("US", "international"), "nytimes.com": ("US", "foreign"),
    "theguardian.com": ("GB", "foreign"), "scmp.com": ("HK", "foreign"), "thediplomat.com": ("US", "foreign"),
    "asia.nikkei.com": ("JP", "foreign"), "aljazeera.com": ("QA", "international"),
    "straitstimes.com": ("SG", "foreign"), "channelnewsasia.com": ("SG", "foreign"),
}  # fmt: skip

# code, kind, title, first day, last day, objectives, key messages, topics, host countries
CAMPAIGNS = [
    ("VH-2024", "theme", "Tuần Văn hóa Việt Nam ở nước ngoài 2024", "2024-07-01", "2024-12-31",
     ["activities: hoạt động văn hóa = 150", "earned_articles: bài báo thu được = 60 by 2024-12-31",
      "outlets: cơ quan báo chí đưa tin = 25"],
     ["Việt Nam là điểm đến văn hóa đặc sắc."], ["culture_tourism"], []),
    ("DL-2024", "campaign", "Quảng bá du lịch Việt Nam 2024", "2024-07-01", "2024-11-30",
     ["releases: thông cáo báo chí = 60", "foreign_share: tỷ lệ bài báo nước ngoài = 50",
      "sự kiện quảng bá có đối tác sở tại = 20"],
     ["Việt Nam – điểm đến an toàn, thân thiện."], ["culture_tourism"], []),
    ("KT-2024", "priority_message", "Việt Nam – điểm đến đầu tư tin cậy", "2024-07-01", "2024-12-31",
     ["message_articles: bài báo nêu thông điệp = 20", "host_tone: sắc thái báo chí sở tại = 1",
      "subject_attention: bài báo sở tại nhắc tới Việt Nam = 500"],
     ["Việt Nam là đối tác tin cậy.", "Việt Nam là điểm đến đầu tư hấp dẫn."], ["economy"],
     ["US", "JP", "SG"]),
    ("NVNONN-2024", "theme", "Đồng hành cùng người Việt Nam ở nước ngoài", "2024-09-01", "2024-12-31",
     ["packs_acknowledged: tài liệu định hướng được xác nhận = 40", "audience: người tham dự = 5000"],
     ["Cộng đồng người Việt Nam ở nước ngoài là bộ phận không tách rời của dân tộc."],
     ["overseas_vietnamese"], []),
    ("QK-2024", "anniversary", "Kỷ niệm 79 năm Quốc khánh 2/9", "2024-08-01", "2024-09-30",
     ["activities: hoạt động kỷ niệm = 40", "topic_attention: bài báo về chủ đề = 100"],
     ["Việt Nam độc lập, tự chủ, hội nhập."], ["people_diplomacy"], ["US", "GB"]),
]  # fmt: skip
PRODUCT_KINDS = ("article", "video", "book", "photo_exhibition", "publication", "social_post")


def settings_for(url: str | None, folder: Path):
    from coverage_throughput import settings_for as made

    return made(url, folder)


# -- the store (its own process) ---------------------------------------------------------------------


def _lend_enrichment(svc, seed: int) -> dict[str, Any]:
    """SAMPLE articles enriched for real, then every article written as enriched with one of them."""
    from caunoi.enrich import stage

    version, taxonomy = stage.ENRICH_VERSION, svc.settings.taxonomy_path
    rows = svc.enrichments.todo(version, False, 0, 10 * SAMPLE)  # generated in random order of time
    picked = random.Random(seed).sample(rows, min(SAMPLE, len(rows)))
    t = time.perf_counter()
    sample = [stage.enrich_row(row, taxonomy_path=taxonomy) for row in picked]
    enriched_s = time.perf_counter() - t
    t, after = time.perf_counter(), 0
    while rows := svc.enrichments.todo(version, False, after, 5000):
        svc.enrichments.write([(row[0], sample[row[0] % len(sample)]) for row in rows], version)
        after = rows[-1][0]
    return {
        "sample": len(sample),
        "sample_s": round(enriched_s, 1),
        "tags_per_article": round(statistics.mean(len(e.tags) for e in sample), 1),
        "with_subject_tone": round(sum(("tone", "subject") in e.tags for e in sample) / len(sample), 2),
        "write_s": round(time.perf_counter() - t, 1),
    }


def _stories(svc) -> int:
    """The articles of one title in one calendar month as a story (see the module docstring)."""
    from sqlalchemy import select

    from caunoi.store.schema import articles, stories, story_articles

    with svc.engine.connect() as conn:
        rows = conn.execute(
            select(articles.c.id, articles.c.title, articles.c.published).order_by(articles.c.id)
        ).all()
    groups: dict[tuple[str, int, int], list[Any]] = {}
    for row in rows:
        groups.setdefault((row.title, row.published.year, row.published.month), []).append(row)
    now = datetime.now()
    keys = list(groups)
    for start in range(0, len(keys), 5000):
        chunk = [groups[key] for key in keys[start : start + 5000]]
        with svc.engine.begin() as conn:
            ids = conn.execute(
                stories.insert().returning(stories.c.id, sort_by_parameter_order=True),
                [
                    {"title": members[0].title, "summary": [], "articles": len(members), "reprints": 0,
                     "first_seen": min(m.published for m in members), "active": False, "state": {},
                     "last_seen": max(m.published for m in members), "created_at": now, "updated_at": now}
                    for members in chunk
                ],
            ).scalars().all()  # fmt: skip
            conn.execute(
                story_articles.insert(),
                [
                    {"article_id": m.id, "story_id": story_id, "similarity": 1.0, "assigned_at": now}
                    for story_id, members in zip(ids, chunk, strict=True)
                    for m in members
                ],
            )
    return len(keys)


def _outlets(svc) -> None:
    from caunoi.models import SourceSpec

    for name, (country, origin) in OUTLETS.items():
        lang = "vi" if country == "VN" or name in ("rfa.org", "voatiengviet.com") else "en"
        svc.sources.add(
            SourceSpec(
                name, f"https://{name}/", country=country, languages=[lang], origin=origin, enabled=False
            )
        )


def _campaigns(svc, missions: list[str]) -> None:
    for code, kind, title, first, last, objectives, messages, topics, countries in CAMPAIGNS:
        svc.outreach.campaigns.add(
            code, title, by=BY, kind=kind, starts_on=first, ends_on=last, objectives=objectives,
            key_messages=messages, topics=topics, countries=countries, units=missions,
        )  # fmt: skip


def _moment(rng: random.Random, first: date, days: int) -> datetime:
    return datetime.combine(first, datetime.min.time()) + timedelta(
        days=rng.randrange(days), minutes=rng.randrange(7 * 60, 18 * 60)
    )


def _coverage(svc, rows: list[dict[str, str]]) -> dict[str, int]:
    """The stored reprints confirmed as coverage of their activity, where the matcher proposes them."""
    from sqlalchemy import select

    from caunoi.store.schema import articles

    with svc.engine.connect() as conn:
        reprints = conn.execute(
            select(articles.c.id, articles.c.title).where(articles.c.origin.like("reprint:%"))
        ).all()
    keys = {row["title"]: row["key"] for row in rows}
    coverage, confirmed = svc.outreach.coverage, 0
    for article_id, title in reprints:
        activity = svc.outreach.activities.get(keys[title]).id
        if any(c.article_id == article_id for c in coverage.find(activity, refresh=True)):
            coverage.confirm(activity, article_id, by=BY)
            confirmed += 1
    return {"reprints": len(reprints), "confirmed": confirmed}


def _products_and_packs(svc, rng: random.Random, missions: list[str]) -> None:
    from sqlalchemy import update

    from caunoi.store.schema import pack_recipients

    span = (PERIOD[1] - COMPARED_FROM).days + 1
    outreach = svc.outreach
    for n in range(PRODUCTS):
        on = _moment(rng, COMPARED_FROM, span).date()
        unit = MISSION if rng.random() < MISSION_SHARE else rng.choice(missions)
        running = [c[0] for c in CAMPAIGNS if c[3] <= on.isoformat() <= c[4]]
        outreach.products.add(
            f"Sản phẩm thông tin đối ngoại số {n + 1}", by=BY, kind=rng.choice(PRODUCT_KINDS),
            lang=rng.choice(["vi", "en"]), unit=unit, published_on=on.isoformat(),
            campaign=rng.choice(running) if running and rng.random() < 0.5 else None,
        )  # fmt: skip
    month = date(COMPARED_FROM.year, COMPARED_FROM.month, 1)
    for n in range(PACKS):
        sent = datetime(month.year, month.month, rng.randint(1, 20), 8, 0)
        pack = outreach.packs.add(
            f"Thông tin định hướng số {n + 1}",
            "Các điểm nhấn cần nêu khi trả lời báo chí; nội dung sinh cho phép đo.",
            by=BY, kind=rng.choice(["talking_points", "qa", "position", "materials"]),
            deadline=f"{(sent + timedelta(days=7)).date().isoformat()} 17:00",
            to=[MISSION, *rng.sample([m for m in missions if m != MISSION], 29)],
        )  # fmt: skip
        for recipient in rng.sample(pack.recipients, 10):
            outreach.packs.acknowledge(pack.id, recipient.unit, by=BY)
        with svc.engine.begin() as conn:
            conn.execute(
                update(pack_recipients).where(pack_recipients.c.pack_id == pack.id).values(sent_at=sent)
            )
            conn.execute(
                update(pack_recipients)
                .where(pack_recipients.c.pack_id == pack.id, pack_recipients.c.acknowledged_at.is_not(None))
                .values(acknowledged_at=sent + timedelta(days=2))
            )
        month = date(month.year + month.month // 12, month.month % 12 + 1, 1)


def _cases(svc, rng: random.Random, units: list[str]) -> dict[str, int]:
    from sqlalchemy import update

    from caunoi.cases import Response
    from caunoi.store.schema import case_responses, cases

    sheets = [
        svc.factsheets.add(f"Quan điểm, lập trường số {n + 1}", "Nội dung sinh cho phép đo.", by=BY).id
        for n in range(FACT_SHEETS)
    ]
    span = (PERIOD[1] - COMPARED_FROM).days + 1
    answered = 0
    for n in range(CASES):
        opened = _moment(rng, COMPARED_FROM, span)
        deadline = opened + timedelta(days=rng.randint(1, 3))
        unit = MISSION if rng.random() < MISSION_SHARE else rng.choice(units)
        case = svc.cases.open_case(f"Vụ việc thông tin số {n + 1}", by=BY)
        svc.cases.assign(case.id, unit, "+2d", by=BY)
        at = None
        if rng.random() < 0.85:
            at = opened + timedelta(hours=rng.uniform(1, 120))
            if rng.random() < 0.5:
                response = Response(fact_sheet_id=rng.choice(sheets))
            else:
                response = Response(kind="statement", title="Tuyên bố", url=f"https://example.org/tb/{n}")
            svc.cases.answer(case.id, response, by=BY)
            answered += 1
            if rng.random() < 1 / 3:
                svc.cases.close(case.id, by=BY)
        with svc.engine.begin() as conn:
            conn.execute(
                update(cases).where(cases.c.id == case.id).values(created_at=opened, deadline=deadline)
            )
            conn.execute(
                update(case_responses).where(case_responses.c.case_id == case.id).values(created_at=at)
            )
    return {"cases": CASES, "answered": answered, "fact_sheets": FACT_SHEETS}


def child_build(args) -> dict[str, Any]:
    from coverage_throughput import plan, settle, write_articles
    from outreach import chosen_units
    from search_latency import load_pools

    from caunoi.service import Service
    from caunoi.units import SAMPLE as UNITS_SAMPLE

    folder = Path(args.folder)
    out: dict[str, Any] = {}
    t = time.perf_counter()
    pools = load_pools(VI_DOCS, EXTRACTION_TRUTH)
    first = datetime.combine(PERIOD[0], datetime.min.time())
    days = (PERIOD[1] - PERIOD[0]).days + 1
    plan_args = argparse.Namespace(seed=args.seed, activities=args.activities, round=0, rounds=0)
    rows, stored, _, _ = plan(pools, plan_args, first=first, days=days, campaigns=[c[0] for c in CAMPAIGNS])
    out["pools_s"] = round(time.perf_counter() - t, 1)
    rng = random.Random(args.seed)
    missions = sorted({row["unit"] for row in rows} | {MISSION})
    with Service(settings_for(args.url, folder)) as svc:

        def step(name: str, work, *a):
            t = time.perf_counter()
            found = work(*a)
            out[f"{name}_s"] = round(time.perf_counter() - t, 1)
            print(f"  {name}: {out[f'{name}_s']} s", file=sys.stderr)
            return found

        step("articles", write_articles, svc, pools, args.seed, args.articles, stored)
        out["articles"] = args.articles + len(stored)
        step("outlets", _outlets, svc)
        out["enrichment"] = step("enrichment", _lend_enrichment, svc, args.seed)
        out["stories"] = step("stories", _stories, svc)
        step("units", lambda: svc.units.import_file(UNITS_SAMPLE, by=BY))
        step("campaigns", _campaigns, svc, missions)
        report = step(
            "activities", lambda: svc.outreach.activities.import_rows(enumerate(rows, start=2), by=BY)
        )
        if report.refused:
            raise SystemExit(f"activities refused: {report.refused[:3]}")
        out["activities"] = len(rows)
        out["coverage"] = step("coverage", _coverage, svc, rows)
        step("products_packs", _products_and_packs, svc, rng, missions)
        central = [u["code"] for u in chosen_units(args.seed) if u["kind"] == "unit"]
        out["response"] = step("cases", _cases, svc, rng, central + missions)
        out["settle_s"] = round(settle(svc), 1)
    return out


# -- the measures (one process each) -------------------------------------------------------------------


def child_stage(args) -> dict[str, Any]:
    """One stage of one scope: the store opened, one untimed run, --repeat timed ones."""
    from report_render import cpu_seconds, document_shape, pages_of

    from caunoi.reports.docx import render_docx
    from caunoi.reports.pdf import render_pdf
    from caunoi.reports.review import review_document, review_figures
    from caunoi.service import Service

    stage, unit = args.stage, SCOPES[args.scope]
    started = time.perf_counter()
    svc = Service(settings_for(args.url, Path(args.folder)))
    svc.outreach  # noqa: B018 (the services made before the clock runs)
    opened = time.perf_counter() - started

    def run() -> tuple[dict[str, float], Any, Any]:
        parts: dict[str, float] = {}
        t = time.perf_counter()
        review = review_figures(svc, start=PERIOD[0], last=PERIOD[1], unit=unit)
        parts["figures_s"] = time.perf_counter() - t
        if stage == "figures":
            return parts, review, None
        t = time.perf_counter()
        doc = review_document(review, svc.settings)
        parts["document_s"] = time.perf_counter() - t
        if stage == "document":
            return parts, review, doc
        t = time.perf_counter()
        data = render_docx(doc) if stage == "docx" else render_pdf(doc, engine=stage)
        parts["render_s"] = time.perf_counter() - t
        return parts, review, (doc, data)

    t = time.perf_counter()
    first_parts, review, made = run()
    first = time.perf_counter() - t
    times, cpu, split = [], [], []
    for _ in range(args.repeat):
        t, c = time.perf_counter(), cpu_seconds()
        parts, review, made = run()
        times.append(time.perf_counter() - t)
        cpu.append(cpu_seconds() - c)
        split.append(parts)
    out: dict[str, Any] = {
        "stage": stage,
        "scope": args.scope,
        "open_s": round(opened, 2),
        "first_s": round(first, 2),
        "first_figures_s": round(first_parts["figures_s"], 2),
        "median_s": round(statistics.median(times), 3),
        "min_s": round(min(times), 3),
        "max_s": round(max(times), 3),
        "cpu_median_s": round(statistics.median(cpu), 3),
        **{k: round(statistics.median(p[k] for p in split), 3) for k in split[0]},
    }
    if stage == "figures":
        out["holds"] = holds(review)
    elif stage == "document":
        out.update(document_shape(made))
    else:
        doc, data = made
        out.update(
            document_shape(doc), bytes=len(data), pages=pages_of(data, "docx" if stage == "docx" else "pdf")
        )
        if args.write:
            Path(args.write).mkdir(parents=True, exist_ok=True)
            name = f"review-{args.scope}.docx" if stage == "docx" else f"review-{args.scope}-{stage}.pdf"
            (Path(args.write) / name).write_bytes(data)
    svc.close()
    return {**out, **child_rusage()}


def holds(review) -> dict[str, Any]:
    """What the report's sections have to show, over the period: so a reader sees none is empty."""
    m, r, o = review.monitoring, review.response, review.outreach
    return {
        "articles": m.articles.value,
        "articles_before": m.articles.before,
        "articles_year_before": m.articles.year_before,
        "toned": m.toned.value,
        "stories": len(m.stories),
        "topics_with_articles": sum(1 for x in m.topics if x.value),
        "cases": r.opened.value,
        "answered": r.answered.value,
        "fact_sheets_used": r.fact_sheets.value,
        **{k: c.value for k, c in o.figures.items()},
        "objectives": len(o.objectives),
        "objectives_measured": sum(1 for x in o.objectives if x.progress is not None),
    }


def child_evaluate(args) -> dict[str, Any]:
    """The period's evaluation of the scope in process, as the report asks it: --repeat runs after one."""
    from report_render import cpu_seconds

    from caunoi.service import Service

    unit = SCOPES[args.scope]
    svc = Service(settings_for(args.url, Path(args.folder)))
    evaluation = svc.outreach.evaluation

    def run():
        return evaluation.evaluate(unit=unit, start=PERIOD[0], last=PERIOD[1], whole=unit is None)

    t = time.perf_counter()
    run()
    first = time.perf_counter() - t
    times, cpu = [], []
    for _ in range(args.repeat):
        t, c = time.perf_counter(), cpu_seconds()
        run()
        times.append(time.perf_counter() - t)
        cpu.append(cpu_seconds() - c)
    svc.close()
    return {
        "scope": args.scope,
        "first_s": round(first, 3),
        "median_s": round(statistics.median(times), 3),
        "cpu_median_s": round(statistics.median(cpu), 3),
        **child_rusage(),
    }


def cli_evaluate(folder: Path, url: str | None, repeat: int) -> dict[str, Any]:
    """`caunoi evaluate --mission MISSION --from … --to … --json`, each run its own process."""
    env = {**os.environ, "CAUNOI_DATA": str(folder)}
    if url:
        env["CAUNOI_DATABASE_URL"] = url
    argv = [sys.executable, "-m", "caunoi", "evaluate", "--mission", MISSION, "--from",
            PERIOD[0].isoformat(), "--to", PERIOD[1].isoformat(), "--json"]  # fmt: skip
    runs = []
    for _ in range(repeat):
        started = time.perf_counter()
        proc = subprocess.Popen(argv, stdout=subprocess.PIPE, env=env)
        out = proc.stdout.read() if proc.stdout else b""
        _pid, status, usage = os.wait4(proc.pid, 0)
        if os.waitstatus_to_exitcode(status) != 0:
            raise RuntimeError(f"{' '.join(argv[2:])} failed")
        runs.append({
            "wall_s": time.perf_counter() - started,
            "cpu_s": usage.ru_utime + usage.ru_stime,
            "peak_rss_mib": usage.ru_maxrss / 1024,
            "bytes": len(out),
        })  # fmt: skip
    return {
        "command": "caunoi " + " ".join(argv[3:]),
        "median_s": round(statistics.median(r["wall_s"] for r in runs), 3),
        "cpu_median_s": round(statistics.median(r["cpu_s"] for r in runs), 3),
        "peak_rss_mib": round(max(r["peak_rss_mib"] for r in runs), 1),
        "bytes": runs[-1]["bytes"],
    }


# -- the run -------------------------------------------------------------------------------------------


def _child_args(args, child: str, url: str | None, folder: Path, **extra: str) -> list[str]:
    given = ["--url", url] if url else []
    for key, value in extra.items():
        given += [f"--{key}", value]
    return [__file__, "--child", child, "--folder", str(folder), "--articles", str(args.articles),
            "--activities", str(args.activities), "--seed", str(args.seed), "--repeat", str(args.repeat),
            *(["--write", args.write] if args.write else []), *given]  # fmt: skip


@contextlib.contextmanager
def store(args, backend: str):
    """(folder, url, build result or None when reused) of a built store; removed after unless --keep."""
    tag = f"a{args.articles}_n{args.activities}_s{args.seed}"
    manifest = {"version": BUILD_VERSION, "articles": args.articles, "activities": args.activities,
                "seed": args.seed, "backend": backend}  # fmt: skip
    if args.keep:
        folder = FOLDER / f"{backend}-{tag}"
        schema = f"bench_review_{tag}"
    else:
        VAR.mkdir(parents=True, exist_ok=True)
        folder = Path(tempfile.mkdtemp(prefix="review-report-", dir=VAR))
        schema = f"bench_review_{os.getpid()}_{int(time.time())}"
    url = schema_url(schema) if backend == "postgresql" else None
    kept = folder / "manifest.json"
    built = None
    try:
        if (
            kept.exists()
            and json.loads(kept.read_text()) == manifest
            and (url is None or schema_exists(schema))
        ):
            print(f"[{backend}] reusing the store in {folder}", file=sys.stderr)
        else:
            shutil.rmtree(folder, ignore_errors=True)
            folder.mkdir(parents=True)
            if url:
                drop_schema(schema)
                create_schema(schema)
            print(f"[{backend}] building the store ({args.articles:,} articles)…", file=sys.stderr)
            built = run_child(_child_args(args, "build", url, folder))
            kept.write_text(json.dumps(manifest))
        yield folder, url, built
    finally:
        if not args.keep:
            shutil.rmtree(folder, ignore_errors=True)
            if url:
                drop_schema(schema)


def run_backend(args, backend: str) -> dict[str, Any]:
    with store(args, backend) as (folder, url, built):
        stages: dict[str, dict[str, Any]] = {}
        evaluations: dict[str, Any] = {}
        for scope in SCOPES:
            for stage in STAGES:
                if stage == "libreoffice" and shutil.which("soffice") is None:
                    stages[f"{scope}/{stage}"] = {"absent": "soffice is not on PATH"}
                    continue
                print(f"[{backend}] {scope}: {stage} …", file=sys.stderr)
                stages[f"{scope}/{stage}"] = run_child(
                    _child_args(args, "stage", url, folder, stage=stage, scope=scope)
                )
            print(f"[{backend}] {scope}: evaluation in process …", file=sys.stderr)
            evaluations[scope] = run_child(_child_args(args, "evaluate", url, folder, scope=scope))
        print(f"[{backend}] caunoi evaluate --json …", file=sys.stderr)
        evaluations["cli"] = cli_evaluate(folder, url, args.repeat)
    return {"backend": backend, "build": built, "stages": stages, "evaluate": evaluations}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--activities", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--backends", default=",".join(BACKENDS))
    parser.add_argument("--keep", action="store_true", help="keep the store, and reuse one kept before")
    parser.add_argument("--write", help="keep the rendered files in this folder")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--child", choices=["build", "stage", "evaluate"], help=argparse.SUPPRESS)
    parser.add_argument("--stage", choices=STAGES, help=argparse.SUPPRESS)
    parser.add_argument("--scope", choices=list(SCOPES), help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    parser.add_argument("--folder", help=argparse.SUPPRESS)
    args = parser.parse_args()
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    if args.child:
        work = {"build": child_build, "stage": child_stage, "evaluate": child_evaluate}[args.child]
        print(json.dumps(work(args), default=str))
        return
    require_corpus(VI_DOCS, "the vi-news-unc articles (titles and paragraphs of the generated store)")
    require_corpus(EXTRACTION_TRUTH, "the article-extraction-benchmark pages (the English tenth)")
    import report_render

    load_before = [round(x, 1) for x in os.getloadavg()]
    runs = []
    for backend in args.backends.split(","):
        if backend == "postgresql" and (why := pg_reachable()):
            print(f"skipping PostgreSQL: {why}", file=sys.stderr)
            continue
        runs.append(run_backend(args, backend))
    print("the rendering floor: report_render.py's synthetic 20-page document …", file=sys.stderr)
    floor = report_render.measure(args.repeat, "state", None)
    options = {k: getattr(args, k) for k in ("articles", "activities", "repeat", "seed")}
    result = {
        "options": options,
        "period": [d.isoformat() for d in PERIOD],
        "mission": MISSION,
        "runs": runs,
        "floor": {"versions": floor["versions"], "routes": floor["routes"]},
        "load_average": [load_before, [round(x, 1) for x in os.getloadavg()]],
    }
    publish(NAME, result, as_json=args.json, report=report)


def report(result: dict[str, Any]) -> None:
    o = result["options"]
    print(
        f"The review report of {result['period'][0]} – {result['period'][1]} (against the 184 days before "
        f"and the year before), of the whole system and of the mission {result['mission']}, from a store "
        f"of {o['articles']:,} generated articles and {o['activities']:,} activities; each stage in its own "
        f"process, median of {o['repeat']} runs after one untimed.\n"
    )
    headers = ["backend", "scope", "stage", "median s", "min–max s", "CPU s", "figures s", "document s",
               "render s", "first s", "pages", "KiB", "peak RSS MiB", "soffice MiB"]  # fmt: skip
    rows = []
    for run in result["runs"]:
        for key, r in run["stages"].items():
            scope, stage = key.split("/")
            if "absent" in r:
                rows.append([run["backend"], scope, stage, "absent: " + r["absent"]] + [""] * 10)
                continue
            rows.append([
                run["backend"], scope, stage, r["median_s"], f"{r['min_s']}–{r['max_s']}", r["cpu_median_s"],
                r["figures_s"], r.get("document_s", ""), r.get("render_s", ""), r["first_s"],
                r.get("pages") or "", f"{r['bytes'] / 1024:,.0f}" if "bytes" in r else "",
                r["self_peak_rss_mib"], r["children_peak_rss_mib"] if stage == "libreoffice" else "",
            ])  # fmt: skip
    print_table(headers, rows, "lll" + "r" * (len(headers) - 3))
    print("\nThe peers: the evaluation the report reuses, and the synthetic 20-page document's render.\n")
    rows = []
    for run in result["runs"]:
        e = run["evaluate"]
        for scope in SCOPES:
            x = e[scope]
            rows.append([run["backend"], f"evaluation.evaluate ({scope}, in process)", x["median_s"],
                         x["cpu_median_s"], x["self_peak_rss_mib"]])  # fmt: skip
        rows.append([run["backend"], e["cli"]["command"], e["cli"]["median_s"], e["cli"]["cpu_median_s"],
                     e["cli"]["peak_rss_mib"]])  # fmt: skip
    for route, r in result["floor"]["routes"].items():
        if "absent" in r:
            continue
        rows.append(["—", f"report_render.py {route} ({r.get('pages') or '—'} pages)", r["median_s"],
                     r["cpu_median_s"], r["self_peak_rss_mib"]])  # fmt: skip
    print_table(["backend", "what", "median s", "CPU s", "peak RSS MiB"], rows, "llrrr")
    print()
    for run in result["runs"]:
        for scope in SCOPES:
            held = run["stages"].get(f"{scope}/figures", {}).get("holds")
            if held:
                print(f"{run['backend']} {scope} holds: {held}")
        if run["build"]:
            b = run["build"]
            print(
                f"{run['backend']} store built in {b['process_wall_s']} s "
                f"(peak RSS {b['peak_rss_mib']} MiB): {b}"
            )
    print(
        "\nload average (1, 5, 15 min) before and after: "
        f"{result['load_average'][0]} … {result['load_average'][1]}"
    )
    print(f"versions: {result['floor']['versions']}")


if __name__ == "__main__":
    main()
