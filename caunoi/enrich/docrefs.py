"""References to Party and State documents, each resolved to one canonical id.

Three symbol forms, whose type codes come from caunoi/data/doc_types.tsv:

    Party     number-TYPE/BODY        "57-KL/TW", "08-QĐi/TW", "234-CV/BTGTU"  -> "57-KL/TW", "8-QĐi/TW"
    State     number/TYPE-BODY        "12/BC-BCĐ", "15/QĐ-BNV"                   -> "12/BC-BCĐ"
    legal     number/year/TYPE-BODY   "30/2020/NĐ-CP", "67/2020/QH14" (a law)    -> "30/2020/NĐ-CP"

A canonical id drops leading zeros of the number ("04-CT/TW" = "4-CT/TW") and spaces, and writes
the type code as the table does ("QĐI" -> "QĐi"), so every spelling of one document gets one id.
Also recognised: laws cited by name (caunoi/data/law_names.tsv: "Luật Báo chí 2016" -> "Luật Báo chí
2016", and "Luật Báo chí" alone -> "Luật Báo chí"; both also tag the name without the year), the
resolutions of a Party Congress ("Nghị quyết Đại hội XIII" -> "NQ-ĐH/XIII"),
and short forms that name only a type and a number ("Nghị định 86", "Chỉ thị 16"): those are
resolved to a full symbol cited in the same text with that type and number, and otherwise kept
as unresolved, with a lower score and no id — never guessed.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path

from caunoi.text.dates import find_dates

DATA = Path(__file__).resolve().parent.parent / "data"

_ROMAN = r"(?:X{0,3})(?:IX|IV|V?I{0,3})"


@dataclass(frozen=True)
class DocType:
    system: str  # party | state | legal
    code: str
    name_vi: str
    name_en: str
    words: tuple[str, ...]


@dataclass(frozen=True)
class DocRef:
    """One reference found in a text."""

    id: str | None  # canonical id; None when it could not be resolved
    surface: str  # as written
    start: int
    end: int
    system: str | None  # party | state | legal | congress | law (a law cited by name)
    type_code: str | None
    type_name: str | None  # "Kết luận", "Nghị định"…
    number: str | None
    year: int | None
    body_code: str | None
    issuer: str | None  # the issuing body's name when known
    date: date | None  # the signing date written next to it ("ngày 15/6/2023")
    score: float  # 1.0 a full symbol; 0.9 resolved from the same text; 0.5 unresolved

    def to_json(self) -> dict:
        return {
            "id": self.id,
            "surface": self.surface,
            "start": self.start,
            "end": self.end,
            "system": self.system,
            "type": self.type_code,
            "type_name": self.type_name,
            "number": self.number,
            "year": self.year,
            "body": self.body_code,
            "issuer": self.issuer,
            "date": self.date.isoformat() if self.date else None,
            "score": self.score,
        }


def _rows(name: str) -> list[dict[str, str]]:
    lines = [
        ln for ln in (DATA / name).read_text(encoding="utf-8").splitlines() if ln and not ln.startswith("#")
    ]
    return list(csv.DictReader(lines, delimiter="\t"))


@cache
def doc_types() -> dict[tuple[str, str], DocType]:
    """(system, code) -> DocType."""
    out = {}
    for row in _rows("doc_types.tsv"):
        words = tuple(w.strip() for w in (row.get("words") or row["name_vi"]).split("|") if w.strip())
        out[(row["system"], row["code"])] = DocType(
            row["system"], row["code"], row["name_vi"], row["name_en"], words
        )
    return out


@cache
def doc_bodies() -> dict[str, str]:
    """Body code -> name, also keyed in capitals so "THU" finds "ThU"."""
    out = {}
    for row in _rows("doc_bodies.tsv"):
        out[row["code"]] = row["name_vi"]
    return out


@cache
def _codes(system: str) -> dict[str, str]:
    """Every accepted spelling of the type codes of `system` -> the canonical code."""
    out: dict[str, str] = {}
    for (sys_, code), _ in doc_types().items():
        if sys_ == system:
            out[code] = code
            out.setdefault(code.upper(), code)
    return out


def _alternation(spellings: list[str]) -> str:
    return "|".join(re.escape(s) for s in sorted(spellings, key=len, reverse=True))


_BODY = r"[A-ZĐ][A-Za-zĐđ]{0,11}"


@cache
def _patterns() -> tuple[re.Pattern, re.Pattern, re.Pattern, re.Pattern]:
    party = re.compile(
        rf"(?<![\w/.-])(\d{{1,4}})\s?-\s?({_alternation(list(_codes('party')))})\s?/\s?({_BODY})(?![\w-])"
    )
    legal = re.compile(
        rf"(?<![\w/.-])(\d{{1,5}})\s?/\s?((?:19|20)\d\d)\s?/\s?"
        rf"(?:({_alternation(list(_codes('legal')))})\s?-\s?({_BODY}(?:-{_BODY})?)|(QH\d{{1,2}}))(?![\w-])"
    )
    state = re.compile(
        rf"(?<![\w/.-])(\d{{1,5}})\s?/\s?(?:({_alternation(list(_codes('state')))})\s?-\s?)?"
        rf"({_BODY}(?:-{_BODY})?)(?![\w/-])"
    )
    words = sorted({w for t in doc_types().values() for w in t.words}, key=len, reverse=True)
    short = re.compile(
        rf"\b({_alternation(words)})(?:\s+số)?\s+(\d{{1,5}})(?![\w/-])"
        rf"|\b(Nghị quyết Đại hội)(?:\s+(?:Đảng\s+)?(?:toàn quốc\s+)?(?:lần thứ\s+)?({_ROMAN}))\b"
    )
    return party, legal, state, short


def _number(text: str) -> str:
    return str(int(text))


def _signing_date(text: str, end: int) -> date | None:
    """ "…57-KL/TW ngày 15/6/2023 của Ban Bí thư": a full date written right after the symbol."""
    window = text[end : end + 40]
    m = re.match(r"\s*,?\s*(?:ban hành\s+)?ngày\s+", window)
    if not m:
        return None
    for mention in find_dates(window, None):
        if mention.precision == "day" and m.start() <= mention.start <= m.end() + 2:
            return mention.date
    return None


def _type_name(system: str, code: str | None) -> str | None:
    found = doc_types().get((system, code or ""))
    return found.name_vi if found else None


def find_doc_refs(text: str) -> list[DocRef]:
    """Every document reference in `text`, in order; see the module docstring."""
    text_n = text.replace("Ð", "Đ")  # U+00D0 (Icelandic eth) typed for Đ: same length
    party, legal, state, short = _patterns()
    found: list[DocRef] = []
    taken: list[tuple[int, int]] = []

    def free(start: int, end: int) -> bool:
        return all(end <= a or start >= b for a, b in taken)

    def add(ref: DocRef) -> None:
        found.append(ref)
        taken.append((ref.start, ref.end))

    bodies = doc_bodies()

    def body(code: str) -> tuple[str, str | None]:
        canon = next((c for c in bodies if c.upper() == code.upper()), code)
        return canon, bodies.get(canon)

    def ref(m: re.Match, ident: str | None, system: str | None, code: str | None, **more) -> DocRef:
        fields = {"year": None, "body_code": None, "issuer": None, "score": 1.0, **more}
        if "date" not in fields:
            fields["date"] = _signing_date(text_n, m.end())
        if "type_name" not in fields:
            fields["type_name"] = _type_name(system or "", code)
        return DocRef(ident, text[m.start() : m.end()], m.start(), m.end(), system, code, **fields)

    for m in legal.finditer(text_n):
        number, year = _number(m[1]), int(m[2])
        if m[5]:  # a law: number/year/QHnn
            add(ref(m, f"{number}/{year}/{m[5]}", "legal", "QH", type_name="Luật", number=number, year=year,
                    body_code=m[5], issuer=f"Quốc hội khóa {m[5][2:]}"))  # fmt: skip
            continue
        code = _codes("legal")[m[3]]
        body_code, issuer = body(m[4])
        add(ref(m, f"{number}/{year}/{code}-{body_code}", "legal", code, number=number, year=year,
                body_code=body_code, issuer=issuer))  # fmt: skip
    for m in party.finditer(text_n):
        if free(m.start(), m.end()):
            code, number = _codes("party")[m[2]], _number(m[1])
            body_code, issuer = body(m[3])
            add(ref(m, f"{number}-{code}/{body_code}", "party", code, number=number, body_code=body_code,
                    issuer=issuer))  # fmt: skip
    for m in state.finditer(text_n):
        if not free(m.start(), m.end()):
            continue
        number = _number(m[1])
        if m[2]:
            code = _codes("state")[m[2]]
            body_code, issuer = body(m[3])
            add(ref(m, f"{number}/{code}-{body_code}", "state", code, number=number, body_code=body_code,
                    issuer=issuer))  # fmt: skip
            continue
        # a công văn: number/BODY-UNIT, no type code; only when the text calls it one
        before = text_n[max(0, m.start() - 20) : m.start()]
        if re.search(r"(Công văn|văn bản)(\s+số)?\s*$", before, re.IGNORECASE):
            body_code, issuer = body(m[3].split("-")[0])
            add(ref(m, f"{number}/{m[3]}", "state", "CV", type_name="Công văn", number=number,
                    body_code=body_code, issuer=issuer))  # fmt: skip
    full_by_type: dict[tuple[str, str], DocRef] = {}
    for r in found:
        if r.type_name and r.number:
            full_by_type.setdefault((r.type_name.casefold(), r.number), r)
    for m in short.finditer(text_n):
        if not free(m.start(), m.end()):
            continue
        if m[3]:  # Nghị quyết Đại hội XIII
            if m[4]:
                add(ref(m, f"NQ-ĐH/{m[4]}", "congress", "NQ", type_name="Nghị quyết", number=m[4],
                        body_code="TW", issuer="Đại hội đại biểu toàn quốc của Đảng", date=None))  # fmt: skip
            continue
        if re.match(r"\s?[-/]", text_n[m.end() : m.end() + 3]):
            continue  # the start of a symbol the patterns above did not take: not a short form
        type_name, number = _type_word_name(m[1]), _number(m[2])
        full = full_by_type.get((type_name.casefold(), number))
        if full is not None:  # "Nghị định 86" after "Nghị định 86/2015/NĐ-CP" in the same text
            add(ref(m, full.id, full.system, full.type_code, type_name=full.type_name, number=number,
                    year=full.year, body_code=full.body_code, issuer=full.issuer, date=full.date,
                    score=0.9))  # fmt: skip
        else:
            add(ref(m, None, None, None, type_name=type_name, number=number, date=None, score=0.5))
    for m in _law_names().finditer(text_n):
        if not free(m.start(), m.end()) or re.search(
            r"(Đại học|Trường|Công ty|Văn phòng|Khoa|đại học|trường|công ty|văn phòng|khoa)\s*$",
            text_n[max(0, m.start() - 20) : m.start()],
        ):
            continue
        name, year = m[1], int(m[2]) if m[2] else None
        ident = f"{name} {year}" if year else name
        add(ref(m, ident, "law", "Luật", type_name=name.split()[0] if name.startswith("Luật") else "Bộ luật",
                number=None, year=year, body_code="QH", issuer="Quốc hội", date=None))  # fmt: skip
    return sorted(found, key=lambda r: r.start)


@cache
def _law_names() -> re.Pattern:
    """The laws of caunoi/data/law_names.tsv by name, with an optional year: "Luật Báo chí 2016"."""
    names = [row["name"] for row in _rows("law_names.tsv")]
    return re.compile(rf"(?<!\w)({_alternation(names)})(?:\s+(?:năm\s+)?((?:19|20)\d\d))?(?![\w/-])")


def _type_word_name(word: str) -> str:
    """ "Thông báo kết luận" -> "Thông báo": the type a word introduces."""
    for t in doc_types().values():
        if word in t.words:
            return t.name_vi
    return word


def canonical_ref(query: str) -> str:
    """What `caunoi search --doc-ref` looks for: the id of the reference `query` spells
    ("57-KL/TW", "Kết luận số 57-KL/TW", "04-CT/TW", "Nghị quyết Đại hội XIII"), else `query`."""
    refs = [r for r in find_doc_refs(query.strip()) if r.id]
    return refs[0].id if refs else query.strip()
