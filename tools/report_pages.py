"""The first pages of a report's PDF as PNG images, for docs/screenshots and for a look at the layout.

Run: .venv/bin/python tools/report_pages.py REPORT.pdf [--pages 2] [--dpi 100] [--out docs/screenshots/report]
         [--side-by-side]

Writes OUT-1.png, OUT-2.png … (one per page), or with --side-by-side one OUT.png with the pages next
to each other on a grey ground. Uses pdftoppm (poppler-utils: apt-get install poppler-utils); the
side-by-side sheet uses Pillow (a dependency of WeasyPrint).
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path


def render_pages(pdf: Path, out: Path, pages: int, dpi: int) -> list[Path]:
    """OUT-1.png … OUT-<pages>.png, by pdftoppm."""
    if shutil.which("pdftoppm") is None:
        sys.exit("pdftoppm is not installed: apt-get install poppler-utils")
    out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="report-pages-") as scratch:
        prefix = Path(scratch) / "page"
        command = ["pdftoppm", "-png", "-r", str(dpi), "-f", "1", "-l", str(pages), str(pdf), str(prefix)]
        subprocess.run(command, check=True)
        made = []
        # pdftoppm numbers pages with as many digits as the document's page count needs
        for n, page in enumerate(sorted(Path(scratch).glob("page-*.png")), 1):
            target = out.with_name(f"{out.name}-{n}.png")
            shutil.move(page, target)
            made.append(target)
    return made


def side_by_side(images: list[Path], target: Path, gap: int = 16) -> Path:
    """The pages next to each other, each with a thin frame, on a light grey sheet."""
    from PIL import Image, ImageOps

    pages = [ImageOps.expand(Image.open(p).convert("RGB"), border=1, fill="#999999") for p in images]
    width = sum(p.width for p in pages) + gap * (len(pages) + 1)
    height = max(p.height for p in pages) + 2 * gap
    sheet = Image.new("RGB", (width, height), "#e8e8e8")
    x = gap
    for page in pages:
        sheet.paste(page, (x, gap))
        x += page.width + gap
    sheet.save(target, optimize=True)
    return target


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("pdf", type=Path)
    parser.add_argument("--pages", type=int, default=2, help="how many pages from the first (default 2)")
    parser.add_argument("--dpi", type=int, default=100)
    parser.add_argument("--out", type=Path, default=Path("docs/screenshots/report"))
    parser.add_argument("--side-by-side", action="store_true", help="one image with the pages side by side")
    args = parser.parse_args()
    if not args.pdf.is_file():
        sys.exit(f"{args.pdf}: no such file")
    made = render_pages(args.pdf, args.out, args.pages, args.dpi)
    if args.side_by_side:
        sheet = side_by_side(made, args.out.with_name(f"{args.out.name}.png"))
        for page in made:
            page.unlink()
        made = [sheet]
    for path in made:
        print(path)


if __name__ == "__main__":
    main()
