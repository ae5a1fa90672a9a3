"""Accuracy and speed of language identification candidates on real Vietnamese and English news text.

Run: .venv/bin/python benchmarks/language_id.py [--json]
     .venv/bin/python benchmarks/language_id.py --write-syllables   (rebuilds caunoi/data/vi_syllables.tsv)
"""

from __future__ import annotations

import argparse
import json
import logging
import multiprocessing
import os
import random
import re
import sys
import time
import unicodedata
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from caunoi.text.fold import fold  # noqa: E402

SHARED_DATA = Path(os.environ.get("CAUNOI_SHARED_DATA", REPO.parent / "shared" / "data"))
VI_DOCS = SHARED_DATA / "vi-news-unc" / "docs"
EXTRACTION_TRUTH = SHARED_DATA / "article-extraction-benchmark" / "ground-truth.json"
SYLLABLE_TABLE = REPO / "caunoi" / "data" / "vi_syllables.tsv"

SEED = 9
VI_STRIDE = 9  # every 9th file of the sorted corpus: all ten sections, ~295 documents
ARTICLE_CHARS = 2000  # what the baselines see; caunoi.text.language samples the same amount
TITLE_CHARS = 60

# The 16 languages of the foreign press about Viet Nam (lingua has no Lao or Khmer model).
CORE = ("vi", "en", "fr", "zh", "ru", "ja", "ko", "de", "es", "lo", "km", "th", "id", "ms", "pt", "it")

# Pages of the extraction benchmark that are not English, checked by eye (id prefix -> language):
# the set is "mostly English" upstream; these 20 are whole pages in another language.
NOT_ENGLISH = {
    "0ec95c7261": "ko",  # entermedia.co.kr
    "9da36ae471": "ko",  # entermedia.co.kr
    "11ea381ad9": "pt",  # autoracing.com.br
    "cc03ddb5ef": "pt",  # autoracing.com.br
    "23aaecd141": "pt",  # comoeducarseusfilhos.com.br
    "3252222e61": "pt",  # comoeducarseusfilhos.com.br
    "b3c19dd5f0": "pt",  # mensagensreflexao.com.br
    "f6ac15a4d9": "pt",  # jaraguadosul.com.br
    "20b2b64916": "it",  # remember8090.it
    "b6fb53e9fb": "it",  # remember8090.it
    "21486419bb": "id",  # kabarislamia.com: Indonesian ("lebay", "Mudah2an", "yg"), not Malay
    "7837c9d66c": "id",  # kabarislamia.com
    "3c6d3381ef": "ru",  # wday.ru
    "c82b3d1d54": "ru",  # wday.ru
    "c4a3637c66": "ru",  # gto-normativy.ru
    "ff0f958ade": "ru",  # vse-diety.com
    "57b4dafd18": "de",  # blog.comwrap.com
    "ba07d1e647": "de",  # blog.comwrap.com
    "85439e26c4": "ja",  # lhpat-tm.com
    "f105de6e63": "ja",  # note100yen.com
}

# Real public names, inserted into English bodies the way foreign reporting about Viet Nam writes them.
VIETNAMESE_NAMES = (
    "Nguyễn Phú Trọng",
    "Phạm Minh Chính",
    "Võ Văn Thưởng",
    "Vương Đình Huệ",
    "Bùi Thanh Sơn",
    "Tô Lâm",
    "Lương Cường",
    "Trần Thanh Mẫn",
    "Nguyễn Xuân Phúc",
    "Hà Nội",
    "Thành phố Hồ Chí Minh",
    "Đà Nẵng",
    "Hải Phòng",
    "Quảng Ninh",
    "Cần Thơ",
)

# Vietnamese syllable structure once folded: onset, vowel nucleus (with glides), final consonant.
_ONSET = r"(?:ngh|ng|nh|ch|gh|gi|kh|ph|th|tr|qu|[bcdghklmnprstvx])?"
_NUCLEUS = (
    r"(?:oai|oao|oay|oeo|uay|uoi|uou|uya|uye|uyu|ieu|yeu"
    r"|ai|ao|au|ay|eo|eu|ia|ie|iu|oa|oe|oi|oo|ua|ue|ui|uo|uu|uy|ye|a|e|i|o|u|y)"
)
_CODA = r"(?:ch|nh|ng|[cmnpt])?"
VIETNAMESE_SYLLABLE = re.compile(f"{_ONSET}{_NUCLEUS}{_CODA}")

log = logging.getLogger("benchmarks.language_id")


@dataclass(frozen=True)
class Case:
    """One text to identify: what it should be called and, for titles, the body it heads."""

    text: str
    gold: str
    body: str | None = None  # given for the "title with body prior" sets


# ---------------------------------------------------------------- evaluation sets


def vi_files() -> tuple[list[Path], list[Path]]:
    """(evaluation sample, the rest): the syllable table is counted on the rest only."""
    files = sorted(VI_DOCS.glob("*.txt"))
    start = random.Random(SEED).randrange(VI_STRIDE)
    sample = files[start::VI_STRIDE]
    chosen = set(sample)
    return sample, [f for f in files if f not in chosen]


def read_vi_doc(path: Path) -> tuple[str, str]:
    """(title, body) of one corpus file: line 4 is the title, the rest the sapo and body."""
    lines = unicodedata.normalize("NFC", path.read_text(encoding="utf-8")).split("\n")
    return lines[3].strip(), "\n".join(line for line in lines[4:] if line.strip())


def strip_diacritics(text: str) -> str:
    """Vietnamese as typed on a keyboard without a Vietnamese input method; case kept."""
    return "".join(f.upper() if c.isupper() else f for c, f in zip(text, fold(text), strict=True))


def title_of(body: str) -> str:
    """A stand-in headline: the first sentence of at least 20 characters, cut to 60 at a word boundary.

    Lines are joined first, so a dateline alone ("BAAR, SWITZERLAND") is not taken for a headline.
    """
    start = " ".join(body[:400].split())
    end = re.search(r"[.!?](?=\s+[A-Z“\"])", start[20:])
    first = start[: 20 + end.start() + 1] if end else start
    if len(first) > TITLE_CHARS:
        first = first[:TITLE_CHARS].rsplit(" ", 1)[0]
    return first


def quote_english(vi_body: str, en_body: str) -> str:
    """A Vietnamese body quoting one English paragraph after its sapo."""
    paragraphs = [p for p in en_body.split("\n") if len(p) > 150]
    quote = paragraphs[0][:600] if paragraphs else en_body[:600]
    lines = vi_body.split("\n")
    return "\n".join([lines[0], f"“{quote}”", *lines[1:]])


def insert_vietnamese_names(en_body: str) -> str:
    """An English body whose two-word capitalised names are replaced by Vietnamese ones, cyclically."""
    names = iter(VIETNAMESE_NAMES * 1000)
    return re.sub(r"\b[A-Z][a-z]+ [A-Z][a-z]+\b", lambda _m: next(names), en_body)


def build_sets() -> dict[str, list[Case]]:
    sample, _ = vi_files()
    vi_docs = [read_vi_doc(p) for p in sample]
    truth = json.loads(EXTRACTION_TRUTH.read_text(encoding="utf-8"))
    pages = [(NOT_ENGLISH.get(key[:10], "en"), page["articleBody"]) for key, page in sorted(truth.items())]
    en_bodies = [body for lang, body in pages if lang == "en"]
    sets = {
        "vi articles": [Case(body, "vi") for _, body in vi_docs],
        "vi articles, no diacritics": [Case(strip_diacritics(body), "vi") for _, body in vi_docs],
        "vi titles": [Case(title, "vi") for title, _ in vi_docs],
        "vi titles, no diacritics": [Case(strip_diacritics(title), "vi") for title, _ in vi_docs],
        "vi titles + body prior": [Case(title, "vi", body) for title, body in vi_docs],
        "vi titles, no diacritics + body prior": [
            Case(strip_diacritics(title), "vi", strip_diacritics(body)) for title, body in vi_docs
        ],
        "extraction-benchmark pages (161 en + 20 other)": [Case(body, lang) for lang, body in pages],
        "en titles (first sentence, <=60 chars)": [Case(title_of(body), "en") for body in en_bodies],
        "en titles + body prior": [Case(title_of(body), "en", body) for body in en_bodies],
        "mixed: vi article quoting an en paragraph": [
            Case(quote_english(body, en_bodies[i % len(en_bodies)]), "vi")
            for i, (_, body) in enumerate(vi_docs)
        ],
        "mixed: same, no diacritics": [
            Case(strip_diacritics(quote_english(body, en_bodies[i % len(en_bodies)])), "vi")
            for i, (_, body) in enumerate(vi_docs)
        ],
        "mixed: en article with Vietnamese names": [
            Case(insert_vietnamese_names(b), "en") for b in en_bodies
        ],
    }
    return sets


# ---------------------------------------------------------------- candidates

Detector = Callable[[str], str | None]


def lingua_candidate(languages: tuple[str, ...] | None, low_accuracy: bool) -> tuple[Detector, Detector]:
    from lingua import IsoCode639_1, LanguageDetectorBuilder

    if languages is None:
        builder = LanguageDetectorBuilder.from_all_languages()
    else:
        codes = [
            getattr(IsoCode639_1, code.upper()) for code in languages if hasattr(IsoCode639_1, code.upper())
        ]
        builder = LanguageDetectorBuilder.from_iso_codes_639_1(*codes)
    if low_accuracy:
        builder = builder.with_low_accuracy_mode()
    # Preloading makes the build pay what lazy loading would charge the first documents.
    detector = builder.with_preloaded_language_models().build()

    def detect(text: str) -> str | None:
        found = detector.detect_language_of(text[:ARTICLE_CHARS])
        return found.iso_code_639_1.name.lower() if found else None

    return detect, detect


def py3langid_candidate(languages: tuple[str, ...] | None) -> tuple[Detector, Detector]:
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    if languages is not None:
        identifier.set_languages(list(languages))

    def detect(text: str) -> str | None:
        return identifier.classify(text[:ARTICLE_CHARS])[0]

    return detect, detect


def caunoi_candidate() -> tuple[Detector, Callable[[str, str | None], str | None]]:
    from caunoi.text import language

    language.detect_language("Khởi động bộ nhận dạng ngôn ngữ.")  # loads the model and the syllable table

    def detect(text: str) -> str | None:
        return language.detect_language(text)[0]

    def detect_title(title: str, body_lang: str | None = None) -> str | None:
        return language.detect_title_language(title, body_lang)[0]

    return detect, detect_title


def wide_languages() -> tuple[str, ...]:
    from caunoi.text.language import LANGUAGES

    return LANGUAGES


CANDIDATES: dict[str, Callable[[], tuple[Detector, Callable[..., str | None]]]] = {
    "lingua high, 16 (14) langs": lambda: lingua_candidate(CORE, low_accuracy=False),
    "lingua low, 16 (14) langs": lambda: lingua_candidate(CORE, low_accuracy=True),
    "lingua high, all 75 langs": lambda: lingua_candidate(None, low_accuracy=False),
    "py3langid, 16 langs": lambda: py3langid_candidate(CORE),
    "py3langid, caunoi's LANGUAGES": lambda: py3langid_candidate(wide_languages()),
    "py3langid, all 140 labels": lambda: py3langid_candidate(None),
    "caunoi.text.language (shipped)": caunoi_candidate,
}


# ---------------------------------------------------------------- measuring


def rss_mb() -> float | None:
    """Resident memory of this process, from /proc (None where there is no /proc)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def measure(name: str, sets: dict[str, list[Case]]) -> dict[str, Any]:
    """Build one candidate and run every set through it; meant to run in a fresh process."""
    before = rss_mb()
    started = time.perf_counter()
    detect, detect_title = CANDIDATES[name]()
    build_s = time.perf_counter() - started
    after = rss_mb()
    result: dict[str, Any] = {
        "candidate": name,
        "build_s": round(build_s, 3),
        "memory_mb": round(after - before, 1) if before is not None and after is not None else None,
        "sets": {},
    }
    for set_name, cases in sets.items():
        is_title = "titles" in set_name
        priors = [detect(c.body) if c.body is not None else None for c in cases]
        started = time.perf_counter()
        if is_title:
            # The baselines take no prior; calling them with one would fail, so they see only the title.
            if name.startswith("caunoi"):
                got = [detect_title(c.text, prior) for c, prior in zip(cases, priors, strict=True)]
            else:
                got = [detect_title(c.text) for c in cases]
        else:
            got = [detect(c.text) for c in cases]
        elapsed = time.perf_counter() - started
        wrong = Counter(f"{c.gold}->{g}" for c, g in zip(cases, got, strict=True) if g != c.gold)
        result["sets"][set_name] = {
            "n": len(cases),
            "accuracy": round(sum(g == c.gold for c, g in zip(cases, got, strict=True)) / len(cases), 4),
            "docs_per_s": round(len(cases) / elapsed),
            "errors": dict(wrong.most_common(6)),
            "examples": [c.text[:90] for c, g in zip(cases, got, strict=True) if g != c.gold][:5],
        }
    return result


def run_all(sets: dict[str, list[Case]]) -> list[dict[str, Any]]:
    # A fresh interpreter per candidate, one at a time, so build time and memory are its own.
    context = multiprocessing.get_context("spawn")
    results = []
    for name in CANDIDATES:
        with context.Pool(1) as pool:
            results.append(pool.apply(measure, (name, sets)))
        log.info("measured %s", name)
    return results


def print_tables(results: list[dict[str, Any]]) -> None:
    set_names = list(results[0]["sets"])
    print("| candidate | build s | memory MB |")
    print("|---|---:|---:|")
    for r in results:
        print(f"| {r['candidate']} | {r['build_s']:.2f} | {r['memory_mb']} |")
    print()
    print("Accuracy (docs/s) per set")
    print()
    print("| set | n | " + " | ".join(r["candidate"] for r in results) + " |")
    print("|---|---:|" + "---:|" * len(results))
    for s in set_names:
        cells = [f"{r['sets'][s]['accuracy']:.3f} ({r['sets'][s]['docs_per_s']})" for r in results]
        print(f"| {s} | {results[0]['sets'][s]['n']} | " + " | ".join(cells) + " |")
    print()
    for r in results:
        print(f"## {r['candidate']}: errors")
        for s in set_names:
            if r["sets"][s]["errors"]:
                print(f"  {s}: {r['sets'][s]['errors']}")
                for example in r["sets"][s]["examples"]:
                    print(f"      {example!r}")


# ---------------------------------------------------------------- the syllable table


def write_syllable_table(path: Path, keep: int = 2000, min_count: int = 5) -> int:
    """Count folded words of the corpus outside the evaluation sample; keep those shaped like syllables.

    Words seen fewer than `min_count` times are mostly foreign words that happen to fit the
    syllable shape ("going", "thing", "coach"), so they are dropped.
    """
    _, rest = vi_files()
    counts: Counter[str] = Counter()
    for doc in rest:
        title, body = read_vi_doc(doc)
        counts.update(re.findall(r"[a-z]+", fold(f"{title}\n{body}")))
    syllables = [
        (w, n) for w, n in counts.most_common() if n >= min_count and VIETNAMESE_SYLLABLE.fullmatch(w)
    ]
    syllables = syllables[:keep]
    header = (
        "# Vietnamese syllables with diacritics folded away (đ→d, tones and vowel marks dropped),"
        " most frequent first; caunoi.text.language counts how much of a diacritic-free text they cover.\n"
        "# Origin: counted from underthesea CP_Vietnamese-UNC (dantri.com.vn news 2020-2021, GPL-3.0) by"
        f" benchmarks/language_id.py --write-syllables: {len(rest)} documents outside the evaluation sample,"
        f" words kept if they fit Vietnamese syllable structure and occur at least {min_count} times.\n"
        "syllable\tcount\n"
    )
    path.write_text(header + "".join(f"{w}\t{n}\n" for w, n in syllables), encoding="utf-8")
    return len(syllables)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    parser.add_argument(
        "--write-syllables", action="store_true", help=f"rebuild {SYLLABLE_TABLE.name} and stop"
    )
    parser.add_argument("--only", help="measure only candidates whose name contains this")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(message)s", stream=sys.stderr)
    if not VI_DOCS.is_dir() or not EXTRACTION_TRUTH.is_file():
        sys.exit(f"needs the shared corpora under {SHARED_DATA} (vi-news-unc, article-extraction-benchmark)")
    if args.write_syllables:
        log.info("wrote %d syllables to %s", write_syllable_table(SYLLABLE_TABLE), SYLLABLE_TABLE)
        return
    if args.only:
        for name in [n for n in CANDIDATES if args.only not in n]:
            del CANDIDATES[name]
    results = run_all(build_sets())
    if args.json:
        print(json.dumps(results, ensure_ascii=False, indent=1))
    else:
        print_tables(results)


if __name__ == "__main__":
    main()
