"""Rendering a review report: a 20-page báo cáo to DOCX (python-docx), to PDF by WeasyPrint (its HTML)
and to PDF by LibreOffice (its DOCX through `soffice --headless --convert-to pdf`), time and memory.

Run: .venv/bin/python benchmarks/report_render.py [--json] [--repeat 3] [--style state|party]
         [--write DIR]

The report: a reports/document.py `Document` of the state style (or --style) about 20 pages long, the
shape of a báo cáo sơ kết — four numbered sections with sub-items; real Vietnamese paragraphs, the
articles of demo/data/vi-news-unc/docs in file order (GPL-3.0, dantri.com.vn 2020–2021); 10 tables of
5 columns and 6–8 rows (figures formatted as the builder does: "1.234", "+12,5%"), each with its note;
4 figures, the PNG screenshots of docs/screenshots (60–160 KB each) at 150 mm; a signature and five
recipients. Generator v1: the same document on every run.

Each route runs in its own process (`_harness.run_child`): the imports, one untimed render (the
first one loads fonts and, for LibreOffice, writes its fresh profile as every call does), then
--repeat timed renders; the median, min and max wall time are given, and the median CPU time (the
process's and its children's, user and system: what a busy machine changes least). Peak RSS is the
child's own (Python, the renderer in it) and, for LibreOffice, its largest child (soffice.bin). The
peer of the two PDF routes is each other; the DOCX route is what the LibreOffice route does first.
When soffice is not on PATH the LibreOffice route is reported as absent, with what to install. The
load average before and after is kept: on a shared machine the wall times mean little without it.

--write DIR keeps the three files (report.docx, report-weasyprint.pdf, report-libreoffice.pdf) for a
look (tools/report_pages.py turns a PDF's pages into PNG).
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import sys
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

sys.path.insert(0, str(REPO / "tests"))

from _harness import child_rusage, machine, print_table, publish, run_child  # noqa: E402
from support.reports import report_document  # noqa: E402

DOCS = REPO / "demo" / "data" / "vi-news-unc" / "docs"
SCREENSHOTS = ("dashboard.png", "story.png", "search.png", "case.png")
ROUTES = ("docx", "weasyprint", "libreoffice")
SECTIONS = (
    ("Kết quả thực hiện", ("Công tác lãnh đạo, chỉ đạo", "Thông tin qua báo chí nước ngoài",
                           "Thông tin qua các cơ quan đại diện", "Hoạt động trên mạng xã hội")),
    ("Hạn chế, khó khăn và nguyên nhân", ("Hạn chế, khó khăn", "Nguyên nhân")),
    ("Phương hướng, nhiệm vụ 6 tháng cuối năm", ("Nhiệm vụ trọng tâm", "Giải pháp")),
    ("Kiến nghị, đề xuất", ()),
)  # fmt: skip
PARAGRAPHS_PER_ITEM = 11  # about 20 pages with the tables and figures


def paragraphs() -> list[str]:
    """The body lines of the demo articles (no header, no title), in file order, 200–900 characters."""
    found = []
    for path in sorted(DOCS.glob("*.txt")):
        lines = [line.strip() for line in path.read_text(encoding="utf-8").splitlines()]
        body = [line for line in lines if line and not line.startswith("#")][1:]
        found += [line for line in body if 200 <= len(line) <= 900]
    return found


def number(n: float, signed: bool = False) -> str:
    """Vietnamese figures: "1.234", "+12,5%"."""
    if signed:
        return f"{n:+.1f}%".replace(".", ",")
    return f"{n:,.0f}".replace(",", ".")


def table(n: int):
    from caunoi.reports.document import Table

    units = ["Cơ quan đại diện tại Pháp", "Cơ quan đại diện tại Nhật Bản", "Cơ quan đại diện tại Hoa Kỳ",
             "Cơ quan đại diện tại Đức", "Cơ quan đại diện tại Lào", "Cơ quan đại diện tại Campuchia",
             "Cơ quan đại diện tại Hàn Quốc", "Cơ quan đại diện tại Trung Quốc"]  # fmt: skip
    rows = []
    for i, unit in enumerate(units[: 6 + n % 3]):
        last, now = 40 + 17 * i + 5 * n, 45 + 19 * i + 7 * n
        rows.append(
            (unit, number(last), number(now), number(now * 31), number((now - last) / last * 100, True))
        )
    return Table(
        f"Bảng {n}. Hoạt động thông tin đối ngoại của các cơ quan đại diện (nhóm {n})",
        ("Đơn vị", "6 tháng 2025", "6 tháng 2026", "Lượt tiếp cận", "So với cùng kỳ"),
        tuple(rows),
        align=("left", "right", "right", "right", "right"),
        note="Nguồn: số liệu các cơ quan đại diện báo cáo qua Cầu Nối, đến hết ngày 30/6/2026.",
    )


def report(style: str = "state"):
    """The 20-page report (generator v1)."""
    from caunoi.reports.document import Figure, Heading, Paragraph, letter, roman

    texts = iter(paragraphs())
    pictures = [(REPO / "docs" / "screenshots" / name).read_bytes() for name in SCREENSHOTS]
    blocks: list[Any] = []
    tables = figures = 0
    for s, (title, items) in enumerate(SECTIONS, 1):
        blocks.append(Heading(1, f"{roman(s)}.", title))
        for i, item in enumerate(items or ("",), 1):
            if item:
                blocks.append(Heading(2, f"{i}.", item))
            for p in range(PARAGRAPHS_PER_ITEM):
                if p == 3 and item:
                    blocks.append(Heading(3, f"{letter(1)})", f"{item}: kết quả cụ thể"))
                blocks.append(Paragraph.of(next(texts)))
                if p in (2, 6) and tables < 10:
                    tables += 1
                    blocks.append(table(tables))
                if p == 4 and figures < len(pictures) and s == 1:
                    figures += 1
                    caption = f"Hình {figures}. Màn hình Cầu Nối: {SCREENSHOTS[figures - 1][:-4]}"
                    blocks.append(Figure(caption, pictures[figures - 1], width_mm=150))
    doc = report_document(style, blocks)
    doc.recipients = [
        "Ban Chỉ đạo công tác thông tin đối ngoại",
        "Lãnh đạo Bộ (để báo cáo)",
        "Các cơ quan đại diện Việt Nam ở nước ngoài",
        "Các đơn vị thuộc Bộ",
        "Lưu: VT, TTBC",
    ]
    return doc


def pages_of(data: bytes, route: str) -> int | None:
    if route == "docx":
        return None
    import io

    from pypdf import PdfReader

    return len(PdfReader(io.BytesIO(data)).pages)


def document_shape(doc) -> dict[str, int]:
    """What a document holds: its blocks, tables, figures and characters of body text."""
    return {
        "blocks": len(doc.blocks),
        "tables": len(doc.tables()),
        "figures": len(doc.figures()),
        "body_chars": sum(len(b.text) for b in doc.blocks if hasattr(b, "runs")),
    }


def cpu_seconds() -> float:
    """CPU time of this process and of the children it waited for (soffice): on a busy machine it
    moves less than the wall time does."""
    import resource

    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def child(route: str, repeat: int, style: str, write: str | None) -> dict[str, Any]:
    """One route in this process: imports, one untimed render, `repeat` timed ones."""
    started = time.perf_counter()
    from caunoi.reports.docx import render_docx
    from caunoi.reports.pdf import render_pdf

    doc = report(style)
    imported = time.perf_counter() - started

    def render() -> bytes:
        return render_docx(doc) if route == "docx" else render_pdf(doc, route)

    first_started = time.perf_counter()
    data = render()
    first = time.perf_counter() - first_started
    times, cpu = [], []
    for _ in range(repeat):
        t, c = time.perf_counter(), cpu_seconds()
        data = render()
        times.append(time.perf_counter() - t)
        cpu.append(cpu_seconds() - c)
    if write:
        name = "report.docx" if route == "docx" else f"report-{route}.pdf"
        Path(write).mkdir(parents=True, exist_ok=True)
        (Path(write) / name).write_bytes(data)
    return {
        "route": route,
        **document_shape(doc),
        "import_and_build_s": round(imported, 2),
        "first_s": round(first, 2),
        "median_s": round(statistics.median(times), 3),
        "min_s": round(min(times), 3),
        "max_s": round(max(times), 3),
        "cpu_median_s": round(statistics.median(cpu), 3),
        "bytes": len(data),
        "pages": pages_of(data, route),
        **child_rusage(),
    }


def measure(repeat: int, style: str, write: str | None) -> dict[str, Any]:
    import os

    results = {}
    load_before = [round(x, 1) for x in os.getloadavg()]
    for route in ROUTES:
        if route == "libreoffice" and shutil.which("soffice") is None:
            results[route] = {"absent": "soffice is not on PATH: apt-get install libreoffice-writer-nogui"}
            print(f"{route}: absent (soffice is not on PATH)", file=sys.stderr)
            continue
        print(f"{route} …", file=sys.stderr)
        args = [__file__, "--child", route, "--repeat", str(repeat), "--style", style]
        results[route] = run_child(args + (["--write", write] if write else []))
    soffice = shutil.which("soffice")
    version = None
    if soffice:
        import subprocess

        version = subprocess.run([soffice, "--version"], capture_output=True, text=True).stdout.strip()
    from importlib.metadata import version as package_version

    return {
        "generator": "v1",
        "style": style,
        "repeat": repeat,
        "versions": {
            "python-docx": package_version("python-docx"),
            "weasyprint": package_version("weasyprint"),
            "libreoffice": version,
        },
        "machine": machine(),
        "load_average": [load_before, [round(x, 1) for x in os.getloadavg()]],
        "routes": results,
    }


def show(result: dict[str, Any]) -> None:
    first = next(r for r in result["routes"].values() if "absent" not in r)
    print(
        f"A {result['style']} report: {first['blocks']} blocks, {first['tables']} tables, {first['figures']} "
        f"figures, {first['body_chars']:,} characters of body; median of {result['repeat']} renders after "
        "one untimed, each route in its own process.\n"
    )
    rows = []
    for route, r in result["routes"].items():
        if "absent" in r:
            rows.append([route, "absent: " + r["absent"], "", "", "", "", "", "", ""])
            continue
        rows.append([
            route, r["median_s"], f"{r['min_s']}–{r['max_s']}", r["cpu_median_s"], r["first_s"],
            r["pages"] or "", f"{r['bytes'] / 1024:,.0f}", r["self_peak_rss_mib"],
            r["children_peak_rss_mib"] if route == "libreoffice" else "",
        ])  # fmt: skip
    headers = ["route", "median s", "min–max s", "CPU s", "first s", "pages", "KiB", "peak RSS MiB"]
    print_table([*headers, "soffice MiB"], rows)
    load = result.get("load_average")
    if load:
        print(f"\nload average (1, 5, 15 min) before and after: {load[0]} … {load[1]}")
    print(f"\nversions: {result['versions']}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--style", choices=("state", "party"), default="state")
    parser.add_argument("--write", help="keep the rendered files in this folder")
    parser.add_argument("--child", choices=ROUTES, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.child, args.repeat, args.style, args.write)))
        return
    publish("report_render", measure(args.repeat, args.style, args.write), as_json=args.json, report=show)


if __name__ == "__main__":
    main()
