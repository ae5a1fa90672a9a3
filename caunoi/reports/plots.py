"""Charts as static PNG images for the documents (caunoi.reports.document.Figure): a review report's
bars and timelines, drawn by matplotlib without a display (the Agg backend) in one plain look —
black text, a few greys, the value at the end of each bar — that prints well in black and white.

The font is the one shipped in caunoi/data/fonts when there is one (its upright face, so a chart
reads like the text around it), else DejaVu Sans, which matplotlib ships and which has every
Vietnamese letter. Images are 150 dpi at the width they are printed (a page's text is 160 mm wide):
20–60 KB each. matplotlib is imported when a chart is first drawn, not before (a second of imports
the CLI's other commands never pay)."""

from __future__ import annotations

import functools
import io
from collections.abc import Sequence
from pathlib import Path

FONTS = Path(__file__).resolve().parent.parent / "data" / "fonts"
DPI = 150
WIDTH_MM = 150.0
GREYS = ("#222222", "#8c8c8c", "#cfcfcf")  # the period, the one before, a year before
MM_PER_INCH = 25.4


@functools.cache
def _pyplot():
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import font_manager
    from matplotlib import pyplot as plt

    family = "DejaVu Sans"
    shipped = _shipped_font()
    if shipped is not None and _writes_vietnamese(shipped):
        fonts = font_manager.fontManager
        fonts.addfont(str(shipped))
        # first among the fonts of its name: a system's older copy of the family (Debian's
        # fonts-liberation 1.x has no "ư") must not be the one a lookup by name finds
        fonts.ttflist.sort(key=lambda entry: Path(entry.fname) != shipped)
        fonts._findfont_cached.cache_clear()
        family = font_manager.FontProperties(fname=str(shipped)).get_name()
    plt.rcParams.update(
        {
            "font.family": family,
            "font.size": 8,
            "axes.spines.top": False,
            "axes.spines.right": False,
            "axes.edgecolor": "#444444",
            "svg.fonttype": "none",
        }
    )
    return plt


def _shipped_font() -> Path | None:
    """The upright face of the font shipped in caunoi/data/fonts ("…-Regular.ttf" first), if any."""
    faces = (
        sorted(p for p in FONTS.glob("*") if p.suffix.lower() in (".ttf", ".otf")) if FONTS.is_dir() else []
    )
    upright = [p for p in faces if "regular" in p.stem.lower()] or [
        p for p in faces if not any(w in p.stem.lower() for w in ("bold", "italic", "oblique"))
    ]
    return (upright or faces or [None])[0]


def _writes_vietnamese(path: Path) -> bool:
    """Whether the font has the letters Vietnamese needs beyond Latin-1 (ư, ơ, ế, ự …)."""
    from matplotlib import ft2font

    font = ft2font.FT2Font(str(path))
    return all(font.get_char_index(ord(c)) for c in "ăâđêôơưếựặỗ")


def _png(fig) -> bytes:
    out = io.BytesIO()
    # no metadata: the same data draws the same bytes
    fig.savefig(out, format="png", dpi=DPI, bbox_inches="tight", metadata={"Software": None})
    _pyplot().close(fig)
    return out.getvalue()


def _figure(height_mm: float, width_mm: float = WIDTH_MM):
    return _pyplot().subplots(figsize=(width_mm / MM_PER_INCH, height_mm / MM_PER_INCH))


def bars(labels: Sequence[str], series: Sequence[tuple[str, Sequence[float]]], *, unit: str = "") -> bytes:
    """Horizontal bars, one group per label (the first at the top), one bar per series (name,
    values) in the greys of GREYS; a legend when there is more than one series."""
    fig, ax = _figure(height_mm=max(35.0, 10.0 + len(labels) * (2.0 + 2.2 * len(series))))
    height = 0.8 / max(len(series), 1)
    for i, (name, values) in enumerate(series):
        ys = [n - i * height for n in range(len(labels), 0, -1)]
        drawn = ax.barh(ys, values, height=height, color=GREYS[i % len(GREYS)], label=name)
        ax.bar_label(drawn, labels=[_short(v) for v in values], padding=2, fontsize=7)
    ax.set_yticks(
        [n - (len(series) - 1) * height / 2 for n in range(len(labels), 0, -1)], labels=list(labels)
    )
    ax.tick_params(axis="y", length=0)
    ax.margins(x=0.12)
    if unit:
        ax.set_xlabel(unit)
    if len(series) > 1:
        ax.legend(frameon=False, fontsize=7, loc="lower right")
    return _png(fig)


def timeline(labels: Sequence[str], values: Sequence[float], *, unit: str = "") -> bytes:
    """Columns over time (days or months), every label shown when there are few, else some."""
    fig, ax = _figure(height_mm=55.0)
    xs = range(len(labels))
    ax.bar(xs, values, color=GREYS[0], width=0.8)
    step = max(1, len(labels) // 12)
    ax.set_xticks(
        list(xs)[::step], labels=list(labels)[::step], rotation=0 if step == 1 and len(labels) <= 12 else 45
    )
    if unit:
        ax.set_ylabel(unit)
    return _png(fig)


def _short(value: float) -> str:
    return f"{value:g}" if value else ""
