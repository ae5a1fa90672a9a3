"""Outreach (issue 15): importing a year of activities, and the activity list and a mission's page
under concurrent API users, SQLite against PostgreSQL in the same run.

Run: .venv/bin/python benchmarks/outreach.py [--json] [--rows 10000] [--seed 1] [--repeat 1]
         [--backends sqlite,postgresql] [--parts import,load] [--users 50] [--seconds 15] [--warmup 5]

The file: `--rows` activity rows written by `generate` (generator v1, random.Random(seed)) as a CSV in
the import template's columns (caunoi.outreach.activities.IMPORT_COLUMNS + OPTIONAL_COLUMNS), the way a
press section's log looks: ~95 unit codes of caunoi/data/units.sample.csv (83 missions abroad and
the 12 central units), Vietnamese titles made from a type's own phrases, a topic, a host city and a
numbered occurrence ("Họp báo giới thiệu Tuần Văn hóa Việt Nam tại Paris (lần 3)"), types written as
a person writes them (the Vietnamese label, the English one or the code), dates in 2026 with a time
and often an end, the place, audience, cost in the host currency, partner organisations, officials
by role only, a link, one of five campaigns for a third of the rows; half the rows give their own
key, the other half leave it to the import (a key made from date, unit, type and title).

Import: each variant in its own process (wall time and peak RSS its own: `_harness.run_child`) on a
fresh store (var/bench/outreach/…, or a fresh PostgreSQL schema of CAUNOI_BENCH_PG_URL), set up
untimed with the shipped units (`units import --sample`'s path) and the five campaigns:
  import      `Service().outreach.activities.import_file` (read_rows, then import_rows) — the
              path `caunoi activities import` and POST /api/v1/activities/import take: every row
              checked (unit, type, campaign, dates in the unit's zone, amounts, addresses), keys
              made, stored keys looked up, one transaction, one audit row per activity;
  re-import   the same file again into the same store: every row unchanged, nothing written;
  plain loop  the peer: csv.DictReader → one `INSERT … ON CONFLICT (key) DO NOTHING` executemany
              into `bench_plain_activities` (the same columns and indexes as `activities`, campaign
              by code, no foreign keys) in the same kind of store, one transaction; the date parsed
              with datetime.fromisoformat, numbers with int/float, a missing key made as the import
              makes it; no checks, no zones, no audit. Then the same loop on the same file again
              (the re-import's peer: every row a conflict).
Peak RSS is the child's (PostgreSQL's own memory is not in it); "RSS before" is the child's peak
after its set-up, before the timed part.

Load: a store built once per backend through the same import (the file above), plus PACKS packs
each sent to 30 missions (a third acknowledged, some deadlines past); `caunoi serve` in its own
process and the load from this one, with benchmarks/api_load.py's harness (its server, users each
on their own loopback address and logged in, back-to-back requests, warm-up then measured phase,
p50/p95/p99 and req/s). Endpoints:
  floor       GET /static/css/app.css, the same server with no work behind it (the peer);
  activities  GET /api/v1/activities?limit=50 (the newest 50, as the list's first page), Bearer token;
  mission     GET /api/v1/units/{code}/outreach for the missions of the file in turn, Bearer token.
An endpoint that does not answer 200 before the load is reported and skipped. Before serving, the
domain calls behind the two endpoints are timed in this process (median of 50, no HTTP or JSON):
`outreach.activities.list(limit=51)` and `outreach.unit_outreach(code)`.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import csv
import hashlib
import json
import logging
import random
import resource
import shutil
import statistics
import sys
import time
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any, ClassVar

from _harness import (
    BACKENDS,
    VAR,
    child_rusage,
    pg_reachable,
    pg_schema_bytes,
    print_table,
    publish,
    run_child,
    temporary_schema,
)

NAME = "outreach"
GENERATOR_VERSION = 1
FOLDER = VAR / "outreach"
BY = "benchmark"
PACKS = 12
UNIT_CODES = 95  # codes used by the file: every central unit, then missions drawn with the seed
YEAR = 2026

log = logging.getLogger("benchmarks.outreach")

# -- the generated file ------------------------------------------------------------------------------

CAMPAIGNS = [  # code, kind, title, start, end
    ("VH-2026", "theme", "Tuần Văn hóa Việt Nam ở nước ngoài 2026", "2026-01-01", "2026-12-31"),
    ("DL-2026", "campaign", "Quảng bá du lịch Việt Nam 2026", "2026-02-01", "2026-11-30"),
    ("KT-2026", "priority_message", "Việt Nam – điểm đến đầu tư tin cậy", "2026-01-01", "2026-12-31"),
    ("NVNONN-2026", "theme", "Đồng hành cùng người Việt Nam ở nước ngoài", "2026-03-01", "2026-12-31"),
    ("QK-2026", "anniversary", "Kỷ niệm Quốc khánh 2/9", "2026-08-01", "2026-09-30"),
]  # fmt: skip
TOPICS = [
    "quan hệ hợp tác kinh tế", "du lịch Việt Nam", "văn hóa ẩm thực Việt Nam", "chuyển đổi số",
    "hợp tác giáo dục", "chủ quyền biển, đảo", "cộng đồng người Việt", "môi trường đầu tư",
    "nông sản Việt Nam", "di sản văn hóa thế giới tại Việt Nam", "năng lượng tái tạo",
    "hợp tác khoa học, công nghệ", "phát triển bền vững", "bình đẳng giới", "gìn giữ hòa bình",
    "tiếng Việt cho thế hệ trẻ", "áo dài Việt Nam", "cà phê Việt Nam", "hợp tác địa phương",
    "công tác bảo hộ công dân",
]  # fmt: skip
EVENTS = [
    "Tuần Văn hóa Việt Nam", "Ngày Việt Nam", "Lễ hội ẩm thực Việt Nam", "Diễn đàn doanh nghiệp",
    "Ngày hội du lịch Việt Nam", "Tết cộng đồng", "Tuần phim Việt Nam", "Hội chợ hàng Việt Nam",
    "Đêm nhạc giao lưu hữu nghị", "Tọa đàm hợp tác đầu tư",
]  # fmt: skip
OUTLETS = [
    "nhật báo lớn nhất nước sở tại", "đài truyền hình quốc gia", "hãng thông tấn quốc gia",
    "tạp chí kinh tế", "đài phát thanh quốc gia", "báo điện tử về đối ngoại", "tạp chí du lịch",
    "kênh truyền hình khu vực",
]  # fmt: skip
ROLES = ["Đại sứ", "Tham tán Công sứ", "Tham tán báo chí", "Bí thư thứ nhất", "Tổng Lãnh sự", "Lãnh sự"]
PARTNERS = [
    "Hội hữu nghị với Việt Nam", "Hội người Việt Nam tại sở tại", "Phòng Thương mại và Công nghiệp",
    "Trường đại học sở tại", "Thư viện thành phố", "Bảo tàng dân tộc học", "Hội nhà báo sở tại",
    "Câu lạc bộ doanh nghiệp Việt Nam",
]  # fmt: skip
# type code -> (share of rows, title patterns); {t} topic, {e} event, {o} outlet, {r} role, {c} city
TYPES: dict[str, tuple[float, list[str]]] = {
    "press_conference": (0.08, ["Họp báo giới thiệu {e} tại {c}", "Họp báo về {t}"]),
    "interview": (0.12, ["{r} trả lời phỏng vấn {o} về {t}", "Phỏng vấn {r} trên {o}: {t}"]),
    "article_placed": (0.16, ["Bài viết về {t} đăng trên {o}", "Đăng bài “Việt Nam và {t}” trên {o}"]),
    "press_release": (0.07, ["Thông cáo báo chí về {e}", "Thông cáo về {t}"]),
    "social_post": (0.18, ["Bài đăng giới thiệu {t}", "Chuỗi bài đăng về {e} tại {c}"]),
    "event": (0.09, ["{e} tại {c}", "Tổ chức {e} năm {y}"]),
    "exhibition": (0.06, ["Triển lãm ảnh “{t}” tại {c}", "Trưng bày sách, ảnh về {t}"]),
    "conference": (0.06, ["Hội thảo về {t}", "Tọa đàm “{t}” tại {c}"]),
    "training": (0.04, ["Tập huấn thông tin đối ngoại về {t}", "Bồi dưỡng kỹ năng phát ngôn: {t}"]),
    "media_meeting": (0.07, ["Gặp gỡ phóng viên {o}", "{r} tiếp nhà báo {o} về {t}"]),
    "exchange": (0.05, ["Giao lưu hữu nghị nhân {e}", "Giao lưu với thanh niên về {t}"]),
    "other": (0.02, ["Khảo sát tư liệu về {t}", "Làm việc với {p} về {t}"]),
}
EURO = {"AT", "BE", "DE", "ES", "FI", "FR", "GR", "IE", "IT", "NL", "PT", "SK"}
CURRENCY = {"JP": "JPY", "GB": "GBP", "CH": "CHF", "CN": "CNY", "KR": "KRW", "AU": "AUD", "CA": "CAD"}
COLUMNS = [
    "key", "date", "end_date", "unit", "type", "title", "description", "campaign", "place", "audience",
    "cost", "currency", "url", "timezone", "country", "partners", "officials", "notes",
]  # fmt: skip


def sample_units() -> list[dict[str, str]]:
    from caunoi.units import SAMPLE

    with open(SAMPLE, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def chosen_units(seed: int) -> list[dict[str, str]]:
    """UNIT_CODES units: every central unit, then missions drawn with the seed."""
    units = sample_units()
    central = [u for u in units if u["kind"] == "unit"]
    missions = [u for u in units if u["kind"] == "mission"]
    picked = random.Random(seed).sample(missions, UNIT_CODES - len(central))
    return central + sorted(picked, key=lambda u: u["code"])


def generate(path: Path, rows: int, seed: int) -> dict[str, Any]:
    """Write the CSV (see the module docstring); what it holds."""
    from caunoi.i18n import LABELS

    rng = random.Random(seed)
    units = chosen_units(seed)
    weights = [1.0 if u["kind"] == "mission" else 0.6 for u in units]  # missions log more
    kinds = list(TYPES)
    shares = [TYPES[k][0] for k in kinds]
    seen: set[tuple[str, str, str, str]] = set()
    start = datetime(YEAR, 1, 1)
    with open(path, "w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(COLUMNS)
        for n in range(rows):
            unit = rng.choices(units, weights)[0]
            kind = rng.choices(kinds, shares)[0]
            when = start + timedelta(days=rng.randrange(365), minutes=rng.randrange(8 * 4, 19 * 4) * 15)
            city = unit["city"] or "Hà Nội"
            while True:
                title = rng.choice(TYPES[kind][1]).format(
                    t=rng.choice(TOPICS), e=rng.choice(EVENTS), o=rng.choice(OUTLETS), r=rng.choice(ROLES),
                    c=city, y=YEAR, p=rng.choice(PARTNERS),
                )  # fmt: skip
                if rng.random() < 0.5:
                    title += f" (lần {rng.randint(2, 9)})"
                if (seen_key := (when.date().isoformat(), unit["code"], kind, title)) not in seen:
                    seen.add(seen_key)
                    break
            label = f"activity_type_{kind}"
            written_type = rng.choices([LABELS["vi"][label], LABELS["en"][label], kind], [6, 1, 3])[0]
            long = kind in ("event", "exhibition", "conference", "training", "exchange")
            end = when + timedelta(hours=rng.randint(1, 3)) if rng.random() < 0.6 else None
            if long and rng.random() < 0.3:
                end = when + timedelta(days=rng.randint(1, 6))
            country = unit["country"]
            money = "VND" if not country else "EUR" if country in EURO else CURRENCY.get(country, "USD")
            cost = ""
            if rng.random() < 0.4:
                cost = str(rng.randrange(5, 500) * (100_000 if money in ("VND", "KRW") else 10))
            writer.writerow([
                f"{unit['code']}-{YEAR}-{n + 1:05d}" if n % 2 == 0 else "",
                when.strftime("%Y-%m-%d %H:%M"),
                end.strftime("%Y-%m-%d %H:%M") if end else "",
                unit["code"].lower() if rng.random() < 0.05 else unit["code"],  # as people type them
                written_type,
                title,
                f"{title}. Thuộc kế hoạch thông tin đối ngoại năm {YEAR}." if rng.random() < 0.5 else "",
                rng.choice(CAMPAIGNS)[0] if rng.random() < 0.33 else "",
                f"{city}" if rng.random() < 0.7 else "",
                str(rng.randrange(10, 800)) if rng.random() < 0.7 else "",
                cost,
                money if cost else "",
                f"https://example.org/{unit['code'].lower()}/{YEAR}/{n + 1}" if rng.random() < 0.3 else "",
                "",
                "",
                "; ".join(rng.sample(PARTNERS, rng.randint(1, 2))) if rng.random() < 0.3 else "",
                rng.choice(ROLES) if rng.random() < 0.4 else "",
                "Số liệu do đơn vị tự báo cáo." if rng.random() < 0.1 else "",
            ])  # fmt: skip
    return {
        "rows": rows,
        "seed": seed,
        "generator": GENERATOR_VERSION,
        "units": len(units),
        "missions": sum(u["kind"] == "mission" for u in units),
        "bytes": path.stat().st_size,
    }


def setup_store(svc) -> None:
    """What the file refers to: the shipped units and the five campaigns (not timed)."""
    from caunoi.units import SAMPLE

    svc.units.import_file(SAMPLE, by=BY)
    for code, kind, title, starts, ends in CAMPAIGNS:
        svc.outreach.campaigns.add(code, title, by=BY, kind=kind, starts_on=starts, ends_on=ends)


def peak_mib() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


# -- what each import child does ---------------------------------------------------------------------


def child_import(path: Path, url: str, folder: Path) -> dict[str, Any]:
    from caunoi.config import Settings
    from caunoi.service import Service

    svc = Service(Settings(data_dir=folder, database_url=url))
    setup_store(svc)
    activities, repo = svc.outreach.activities, svc.outreach.repo
    store_s = {"lookup": 0.0, "write": 0.0}

    def timed(name: str, method):
        def call(*args, **kwargs):
            t = time.perf_counter()
            try:
                return method(*args, **kwargs)
            finally:
                store_s[name] += time.perf_counter() - t

        return call

    repo.activities_by_key = timed("lookup", repo.activities_by_key)
    repo.import_activities = timed("write", repo.import_activities)
    before = peak_mib()
    out: dict[str, Any] = {"rss_before_mib": before}
    for run in ("import", "reimport"):
        store_s.update(lookup=0.0, write=0.0)
        t = time.perf_counter()
        report = activities.import_file(path, by=BY)
        wall = time.perf_counter() - t
        if report.refused or not report.written:
            raise RuntimeError(f"{run}: {len(report.refused)} rows refused, first {report.refused[:1]}")
        out[run] = {
            "wall_s": round(wall, 3),
            "added": len(report.added),
            "changed": len(report.changed),
            "unchanged": report.unchanged,
            "lookup_s": round(store_s["lookup"], 3),
            "write_s": round(store_s["write"], 3),
            "peak_rss_so_far_mib": peak_mib(),
        }
    out["activities"] = activities.count()
    svc.close()
    return {**out, **child_rusage()}


def plain_table():
    """`activities`' columns and indexes, campaign by code, no foreign keys."""
    from sqlalchemy import JSON, Column, DateTime, Float, Index, Integer, MetaData, String, Table, Text

    meta = MetaData()
    table = Table(
        "bench_plain_activities", meta,
        Column("id", Integer, primary_key=True, autoincrement=True),
        Column("key", String(100), nullable=False, unique=True),
        Column("type", String(40), nullable=False),
        Column("title", Text, nullable=False),
        Column("description", Text),
        Column("starts_at", DateTime, nullable=False),
        Column("ends_at", DateTime),
        Column("timezone", String(64)),
        Column("place", Text),
        Column("country", String(2)),
        Column("unit", String(40), nullable=False),
        Column("campaign", String(40)),
        Column("audience", Integer),
        Column("partners", JSON),
        Column("officials", JSON),
        Column("cost", Float),
        Column("currency", String(3)),
        Column("notes", Text),
        Column("links", JSON),
        Column("created_by", String(100)),
        Column("created_at", DateTime, nullable=False),
        Column("updated_at", DateTime, nullable=False),
    )  # fmt: skip
    Index("ix_bench_plain_starts_at", table.c.starts_at)
    Index("ix_bench_plain_unit", table.c.unit)
    return table


def plain_rows(path: Path) -> list[dict[str, Any]]:
    """What a plain script makes of the file: text as it is, dates and numbers parsed, nothing checked."""
    now = datetime.now()
    out = []
    with open(path, encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            key = row["key"] or auto_key(row)
            out.append({
                "key": key, "type": row["type"], "title": row["title"],
                "description": row["description"] or None,
                "starts_at": datetime.fromisoformat(row["date"]),
                "ends_at": datetime.fromisoformat(row["end_date"]) if row["end_date"] else None,
                "timezone": row["timezone"] or None, "place": row["place"] or None,
                "country": row["country"] or None, "unit": row["unit"], "campaign": row["campaign"] or None,
                "audience": int(row["audience"]) if row["audience"] else None,
                "partners": json.dumps(row["partners"].split("; ") if row["partners"] else []),
                "officials": json.dumps([row["officials"]] if row["officials"] else []),
                "cost": float(row["cost"]) if row["cost"] else None, "currency": row["currency"] or None,
                "notes": row["notes"] or None, "links": json.dumps([row["url"]] if row["url"] else []),
                "created_by": BY, "created_at": now, "updated_at": now,
            })  # fmt: skip
    return out


def auto_key(row: dict[str, str]) -> str:
    seed = "|".join([row["date"][:10], row["unit"], row["type"], row["title"]])
    return "auto-" + hashlib.sha1(seed.encode()).hexdigest()[:16]


def child_plain(path: Path, url: str, folder: Path) -> dict[str, Any]:
    from sqlalchemy import func, select, text

    from caunoi.config import Settings
    from caunoi.service import Service

    svc = Service(Settings(data_dir=folder, database_url=url))
    setup_store(svc)
    table = plain_table()
    table.metadata.create_all(svc.engine)
    names = [c.name for c in table.columns if c.name != "id"]
    cast = {"partners", "officials", "links"} if svc.engine.dialect.name == "postgresql" else set()
    values = ", ".join(f"CAST(:{n} AS JSON)" if n in cast else f":{n}" for n in names)
    insert = text(
        f"INSERT INTO {table.name} ({', '.join(names)}) VALUES ({values}) ON CONFLICT (key) DO NOTHING"
    )
    before = peak_mib()
    out: dict[str, Any] = {"rss_before_mib": before}
    for run in ("import", "reimport"):
        t = time.perf_counter()
        rows = plain_rows(path)
        with svc.engine.begin() as conn:
            conn.execute(insert, rows)
        wall = time.perf_counter() - t
        out[run] = {"wall_s": round(wall, 3), "rows": len(rows), "peak_rss_so_far_mib": peak_mib()}
    with svc.engine.connect() as conn:
        out["activities"] = conn.execute(select(func.count()).select_from(table)).scalar_one()
    svc.close()
    return {**out, **child_rusage()}


def measure_import(path: Path, backend: str, variant: str) -> dict[str, Any]:
    folder = FOLDER / f"import-{variant}"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    try:
        args = [__file__, "--child", variant, "--file", str(path), "--folder", str(folder)]
        if backend == "sqlite":
            result = run_child([*args, "--url", ""])
            result["store_mib"] = round(sum(f.stat().st_size for f in folder.iterdir()) / 2**20, 1)
            return result
        with temporary_schema("bench_outreach") as url:
            result = run_child([*args, "--url", url])
            result["store_mib"] = round(sum(pg_schema_bytes(url.rsplit("%3D", 1)[1]).values()) / 2**20, 1)
            return result
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def import_part(path: Path, backends: list[str], repeat: int) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for backend in backends:
        runs: dict[str, list[dict[str, Any]]] = {"plain": [], "import": []}
        for n in range(repeat):
            for variant in runs:  # alternated, so a busy moment of the machine hits both
                log.info("[%s] %s, run %d/%d", backend, variant, n + 1, repeat)
                runs[variant].append(measure_import(path, backend, variant))
        entry = {variant: median_run(found) for variant, found in runs.items()}
        plain, real = entry["plain"], entry["import"]
        for run in ("import", "reimport"):
            real[run]["rows_per_s"] = round(plain["import"]["rows"] / real[run]["wall_s"])
            plain[run]["rows_per_s"] = round(plain[run]["rows"] / plain[run]["wall_s"])
            real[run]["time_vs_plain"] = round(real[run]["wall_s"] / plain[run]["wall_s"], 2)
        out[backend] = entry
    return out


def median_run(runs: list[dict[str, Any]]) -> dict[str, Any]:
    best = dict(sorted(runs, key=lambda r: r["import"]["wall_s"])[len(runs) // 2])
    best["runs_wall_s"] = [r["import"]["wall_s"] for r in runs]
    best["peak_rss_mib"] = max(r["peak_rss_mib"] for r in runs)
    return best


# -- the load ------------------------------------------------------------------------------------------


@dataclass
class LoadStore:
    """What api_load's server() and add_users() need of a store: its folder and settings."""

    backend: str
    folder: Path
    url: str

    def settings(self):
        from caunoi.config import Settings

        return Settings(data_dir=self.folder, database_url=self.url)


def build_load_store(store: LoadStore, path: Path, seed: int) -> dict[str, Any]:
    """The units, campaigns and the file's activities through the real import, then PACKS packs."""
    from caunoi.service import Service

    rng = random.Random(seed)
    started = time.perf_counter()
    with Service(store.settings()) as svc:
        setup_store(svc)
        report = svc.outreach.activities.import_file(path, by=BY)
        imported = time.perf_counter() - started
        missions = [u.code for u in svc.units.list() if u.kind == "mission"]
        packs = svc.outreach.packs
        for n in range(PACKS):
            deadline = date(YEAR, 1, 15) + timedelta(days=30 * n)
            pack = packs.add(
                f"Thông tin định hướng số {n + 1}/{YEAR}",
                "Các điểm nhấn cần nêu khi trả lời báo chí; nội dung sinh cho phép đo.",
                by=BY,
                kind=rng.choice(["talking_points", "qa", "position", "materials"]),
                campaign=rng.choice(CAMPAIGNS)[0],
                deadline=f"{deadline.isoformat()} 17:00",
                to=rng.sample(missions, 30),
            )
            for recipient in rng.sample(pack.recipients, 10):
                packs.acknowledge(pack.id, recipient.unit, by=BY)
        built = time.perf_counter() - started
        codes = mission_codes(seed)
        return {
            "activities": len(report.added),
            "missions": len(missions),
            "packs": PACKS,
            "build_s": round(built, 1),
            "import_s": round(imported, 1),
            # the domain's own time for what each endpoint asks, in this process (no HTTP, no JSON)
            "in_process_ms": {
                "activities": call_ms(lambda i: svc.outreach.activities.list(limit=51)),
                "mission": call_ms(lambda i: svc.outreach.unit_outreach(codes[i % len(codes)])),
            },
        }


def call_ms(call, times: int = 50) -> float:
    """Median milliseconds of `call(i)` over `times` calls, after five not counted."""
    for i in range(5):
        call(i)
    spent = []
    for i in range(times):
        t = time.perf_counter()
        call(i)
        spent.append((time.perf_counter() - t) * 1000)
    return round(statistics.median(spent), 1)


def mission_codes(seed: int) -> list[str]:
    return [u["code"] for u in chosen_units(seed) if u["kind"] == "mission"]


def outreach_user_class():
    """api_load's User, with the two outreach endpoints added (imported late: it loads httpx)."""
    from api_load import User

    class OutreachUser(User):
        missions: ClassVar[list[str]] = []

        def request(self, endpoint: str, i: int):
            auth = {"Authorization": f"Bearer {self.token}"}
            if endpoint == "activities":
                return self.client.get("/api/v1/activities", params={"limit": 50}, headers=auth)
            if endpoint == "mission":
                code = self.missions[i % len(self.missions)]
                return self.client.get(f"/api/v1/units/{code}/outreach", headers=auth)
            return super().request(endpoint, i)

    return OutreachUser


async def probe(user) -> dict[str, Any]:
    """One request of each kind before the load: status, size, items."""
    found: dict[str, Any] = {}
    for endpoint in ("floor", "activities", "mission"):
        started = time.perf_counter()
        answer = await user.request(endpoint, 0)
        entry = {"status": answer.status_code, "bytes": len(answer.content)}
        entry["ms"] = round((time.perf_counter() - started) * 1000, 1)
        if answer.status_code == 200 and "json" in answer.headers.get("content-type", ""):
            body = answer.json()
            if isinstance(body, dict) and isinstance(body.get("items"), list):
                entry["items"] = len(body["items"])
        found[endpoint] = entry
    return found


def load_part(path: Path, backends: list[str], args: argparse.Namespace) -> dict[str, Any]:
    from api_load import add_users, free_port, load_backend, ratios, server

    user_class = outreach_user_class()
    user_class.missions = mission_codes(args.seed)
    out: dict[str, Any] = {}
    for backend in backends:
        folder = FOLDER / f"load-{backend}"
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        with contextlib.ExitStack() as stack:
            stack.callback(shutil.rmtree, folder, ignore_errors=True)
            url = ""
            if backend == "postgresql":
                url = stack.enter_context(temporary_schema("bench_outreach_load"))
            store = LoadStore(backend, folder, url)
            log.info("[%s] building the store: %d activities, %d packs", backend, args.rows, PACKS)
            built = build_load_store(store, path, args.seed)
            accounts = add_users(store, max(args.users))
            port = free_port()
            with server(store, port) as proc:
                entry = asyncio.run(serve_load(port, proc.pid, accounts, args, user_class, load_backend))
            entry["store"] = built
        out[backend] = entry
    ratios(out)
    return out


async def serve_load(port, pid, accounts, args, user_class, load_backend) -> dict[str, Any]:
    first = user_class(f"http://127.0.0.1:{port}", 0, *accounts[0])
    try:
        answers = await probe(first)
    finally:
        await first.client.aclose()
    endpoints = [e for e, a in answers.items() if a["status"] == 200]
    for endpoint, answer in answers.items():
        if answer["status"] != 200:
            log.warning("%s answered %s before the load: not measured", endpoint, answer["status"])

    async def check(_user) -> dict[str, Any]:
        return answers

    result = await load_backend(
        port, pid, accounts, args, endpoints=endpoints, user_class=user_class, check=check
    )
    result["skipped"] = [e for e in answers if e not in endpoints]
    return result


# -- reporting -------------------------------------------------------------------------------------------


def print_report(r: dict[str, Any]) -> None:
    g = r["file"]
    print(
        f"file: {g['rows']:,} activity rows (generator v{g['generator']}, seed {g['seed']}),"
        f" {g['units']} unit codes ({g['missions']} missions), {g['bytes'] / 2**20:.1f} MiB"
    )
    if "import" in r:
        print(f"\nimport, one process per variant, {r['repeat']} run(s) each (median by wall time)\n")
        rows = []
        for backend, entry in r["import"].items():
            real, plain = entry["import"], entry["plain"]
            for run in ("import", "reimport"):
                rows.append([
                    backend, f"import_rows, {'first' if run == 'import' else 'again (all unchanged)'}",
                    f"{real[run]['wall_s']:.2f}", f"{real[run]['rows_per_s']:,}",
                    f"{real[run]['time_vs_plain']:.1f}",
                    f"{real[run]['lookup_s']:.2f} / {real[run]['write_s']:.2f}",
                    f"{real['rss_before_mib']:.0f} → {real[run]['peak_rss_so_far_mib']:.0f}",
                ])  # fmt: skip
                rows.append([
                    backend, f"plain loop, {'first' if run == 'import' else 'again (all conflicts)'}",
                    f"{plain[run]['wall_s']:.2f}", f"{plain[run]['rows_per_s']:,}", "1.0", "",
                    f"{plain['rss_before_mib']:.0f} → {plain[run]['peak_rss_so_far_mib']:.0f}",
                ])  # fmt: skip
        print_table(
            ["backend", "variant", "wall s", "rows/s", "time × plain", "lookup / write s", "peak RSS MiB"],
            rows,
            "llrrrrr",
        )
        print(
            "\npeak RSS: the child's peak after set-up → after that run (each variant its own process);"
            " lookup / write: time in the store's activities_by_key / import_activities."
        )
    if "load" in r:
        print(
            f"\nload: {', '.join(map(str, r['users']))} users, back to back, {r['seconds']} s measured"
            f" after {r['warmup_s']} s warm-up; floor = GET /static/css/app.css\n"
        )
        rows = []
        for backend, entry in r["load"].items():
            for p in entry["phases"]:
                rows.append([
                    backend, p["endpoint"], p["users"], f"{p['requests']:,}", p["errors"],
                    f"{p['rps']:,.1f}", f"{p['p50_ms']:,.1f}", f"{p['p95_ms']:,.1f}", f"{p['p99_ms']:,.1f}",
                    "" if p["endpoint"] == "floor" else f"{p['rps_vs_floor']:.3f}",
                    f"{p['server_cpu_s']:.0f} / {p['client_cpu_s']:.0f}",
                ])  # fmt: skip
        print_table(
            ["backend", "endpoint", "users", "requests", "errors", "req/s", "p50 ms", "p95 ms", "p99 ms",
             "req/s ÷ floor", "CPU s caunoi / load"],
            rows,
            "llrrrrrrrrr",
        )  # fmt: skip
        for backend, entry in r["load"].items():
            s, a = entry["store"], entry["answers"]
            said = "; ".join(
                f"{e} {x['status']}, {x['bytes'] / 1024:,.1f} KiB, {x['ms']} ms"
                + (f", {x['items']} items" if "items" in x else "")
                for e, x in a.items()
            )
            took = s["in_process_ms"]
            print(
                f"\n{backend}: {s['activities']:,} activities, {s['missions']} missions, {s['packs']} packs"
                f" (built in {s['build_s']} s); first answers: {said}; in process, without HTTP (median"
                f" of 50): activities.list {took['activities']} ms, unit_outreach {took['mission']} ms"
            )
            if entry.get("skipped"):
                print(f"{backend}: not measured (no 200 before the load): {', '.join(entry['skipped'])}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000, help="activity rows in the generated file")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=1, help="import runs per variant (median shown)")
    parser.add_argument("--backends", default="sqlite,postgresql", help="sqlite, postgresql or both")
    parser.add_argument("--parts", default="import,load", help="import, load or both")
    parser.add_argument("--users", default="50", help="concurrent users, comma-separated")
    parser.add_argument("--seconds", type=float, default=15, help="measured seconds per endpoint and users")
    parser.add_argument("--warmup", type=float, default=5, help="seconds of load not counted, before that")
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--file", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    parser.add_argument("--folder", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(message)s", datefmt="%H:%M:%S", stream=sys.stderr
    )
    for noisy in ("alembic", "httpx"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    if args.child:
        child = child_plain if args.child == "plain" else child_import
        print(json.dumps(child(args.file, args.url, args.folder), ensure_ascii=False))
        return 0
    args.users = [int(n) for n in args.users.split(",") if n]
    backends = [b.strip() for b in args.backends.split(",") if b.strip()]
    parts = {p.strip() for p in args.parts.split(",") if p.strip()}
    if unknown := set(backends) - set(BACKENDS):
        sys.exit(f"unknown backend(s) {sorted(unknown)}: use {', '.join(BACKENDS)}")
    if unknown := parts - {"import", "load"}:
        sys.exit(f"unknown part(s) {sorted(unknown)}: use import, load")
    if max(args.users) > 250:
        sys.exit("at most 250 users: each has its own loopback address 127.0.1.<n>")
    if "postgresql" in backends and (why := pg_reachable()):
        sys.exit(f"{why} (or pass --backends sqlite)")
    FOLDER.mkdir(parents=True, exist_ok=True)
    path = FOLDER / f"activities-{args.rows}-s{args.seed}-g{GENERATOR_VERSION}.csv"
    result: dict[str, Any] = {"file": generate(path, args.rows, args.seed), "repeat": args.repeat}
    if "import" in parts:
        result["import"] = import_part(path, backends, args.repeat)
    if "load" in parts:
        result.update(users=args.users, seconds=args.seconds, warmup_s=args.warmup)
        result["load"] = load_part(path, backends, args)
    publish(NAME, result, as_json=args.json, report=print_report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
