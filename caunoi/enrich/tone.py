"""Tone of an article, and of the passages that mention the subject country, on GDELT's scale.

The scale is GDELT's document tone, as the GKG codebook defines it (The GDELT Global Knowledge
Graph (GKG) Data Format Codebook V2.1, 2015-02-19, field V1.5TONE,
http://data.gdeltproject.org/documentation/GDELT-Global_Knowledge_Graph_Codebook-V2.1.pdf):

- Tone: "the average 'tone' of the document as a whole. The score ranges from -100 (extremely
  negative) to +100 (extremely positive). Common values range between -10 and +10, with 0
  indicating neutral. This is calculated as Positive Score minus Negative Score."
- Positive Score / Negative Score: "the percentage of all words in the article that were found to
  have a positive / negative emotional connotation. Ranges from 0 to +100."
- Polarity: "the percentage of words that had matches in the tonal dictionary as an indicator of
  how emotionally polarized or charged the text is."
- Word Count: "the total number of words in the document."

So here, with P and N the positive and negative words found and W the words counted:

    positive = 100 * P / W      negative = 100 * N / W
    tone     = positive - negative = 100 * (P - N) / W
    polarity = positive + negative = 100 * (P + N) / W

A text of 50 words with 3 positive and 1 negative term has tone +4.0 and polarity 8.0. Articles
fall between -10 and +10 here too (all of them in the vi-news-unc sample of the benchmark). The
figures are comparable in kind with GDELT's, not equal to them: the word lists are not GDELT's, and
GDELT reads news in other languages through machine translation, while this module reads
Vietnamese and French directly.

What counts, and where this departs from GDELT:

- Words. English and French: runs of letters (with inner apostrophes) and numbers; a French elided
  article or pronoun ("l'", "d'", "n'", "qu'") is read as a word of its own but not counted, so
  "l'amitié" is one word, as GDELT counts it, and "amitié" is looked up. Vietnamese: the words of
  underthesea's word segmentation ("hợp tác" is one word, not two syllables), letters or digits in
  them; punctuation is not a word. A Vietnamese text thus counts fewer words than syllables, about
  as many as its English translation would.
- Terms come from the lexicons in caunoi/data/lexicons/ (tone_en.tsv: VADER-derived, MIT;
  tone_vi.tsv: written for Cầu Nối; tone_fr.tsv: Pattern's French lexicon, PDDL/BSD-3-Clause, and news
  terms written for Cầu Nối, built by tools/build_tone_fr.py; each file's header says where it comes
  from and what was changed). A term may be several words ("đánh giá cao", "fed up"); it is matched on word
  boundaries only, longest first, in lower case, Vietnamese tone marks compared in one placement
  ("hoà" = "hòa"). So "tích cực" counts and "cực" in "cực kỳ" does not, and "thành công" is not
  found in "hoàn thành công việc". A term of several words counts once. An English or French plural
  not in the lexicon is looked up in the singular ("deaths" as "death", "injuries" as "injury",
  "catastrophes" as "catastrophe", "internationaux" as "international").
- Negation (GDELT has none): a negator flips the polarity of the next term within NEGATION_WINDOW
  words of the same clause (a punctuation mark ends the window): "không tốt", "chưa thành công",
  "không có thương vong", "not good", "no deaths", "isn't helpful", "without violence".
  Negators: VI_NEGATORS (with "hề", "phải", "từng", "còn" after them: "không hề", "chưa từng"),
  EN_NEGATORS and any word ending in "n't". Not a negation: "không chỉ", "không những", "không
  ngừng", "không khỏi", "không ít", "không ngờ", "chưa kể", "not only", "no doubt", "no matter".
  Counter-words flip the same way, since fighting a bad thing is reported as good: VI_COUNTERS
  ("chống tham nhũng", "phòng chống dịch bệnh", "đẩy lùi dịch bệnh", "chấm dứt chiến tranh") and
  EN_COUNTERS ("anti", as in "anti-corruption"). A flipped term is reported as "không … tốt" with
  the opposite polarity, spanning negator to term.
- French negation: "ne"/"n'" flips a term before its "pas", "plus", "jamais", "rien"… ("ne soutient
  pas"), or hands the negation on to the closing word, which flips the next term ("n'est pas un
  succès"); the closing word alone negates too ("pas de victimes", "jamais", "sans violence", "aucun
  blessé", "ni"), except "plus" alone ("plus de coopération" is more, not less), "sans doute", "non
  plus", "non seulement"; "ne … que" only restricts. FR_COUNTERS flip like EN_COUNTERS: "lutte
  contre la corruption", "prévention", "anti-corruption", "mettre fin à la guerre".
- Only Vietnamese ("vi"), English ("en") and French ("fr") are read; any other language gets None:
  unknown, never a made-up 0. A text with no words gets None too.

Passages (`passage_tone`): the text is cut into sentences (at ., !, ? or … before a capital or a
digit, also after a closing quote or French guillemet, spaced or not: "« Merci ! » Il"; and at line
breaks; not after "Mr.", "Dr.", "Mme", "Mgr" or a capitalised abbreviation of up to three letters
such as "M.", "TP.", "U.S.", "EU.", so a sentence ending in one runs on into the next). A passage
is a sentence that mentions the subject, widened by `window` sentences on each side (default 0:
the sentence alone), passages that would share a sentence merged into one. The subject, by default
Viet Nam, is named where the gazetteer (caunoi.enrich.gazetteer, its public `find_mentions`) finds
its entry SUBJECT_ID ("country:VN": "Việt Nam", "nước ta", "VN", and whatever names it learns), and
where one of SUBJECT_ALIASES is written (English and French forms: "Vietnamese", "Viêt Nam",
"vietnamienne"…), matched in lower case with diacritics kept ("người Việt" is not "người viết") on
whole words. Given other aliases, the subject is those aliases only. `subject_tone` adds the
passages up into one Tone: their words and terms pooled, so a long passage weighs more than a
short one, as words do in GDELT's tone.

Offsets (`Match.start`/`end`, passage `start`/`end`) index the text as given when it is NFC (as
caunoi stores text); other input is read, and indexed, in its NFC form.

How well it agrees with human judgements is measured by benchmarks/tone_check.py (Vietnamese and
English) and benchmarks/tone_ml.py (English and French passages about Viet Nam), results in
benchmarks/results/; read those figures (BENCHMARKS.md) before trusting a single article's tone:
a lexicon count sees words, not who did what to whom.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, NamedTuple

from caunoi.enrich.gazetteer import Mention, find_mentions
from caunoi.text.fold import lower_exact
from caunoi.text.vietnamese import normalize

LEXICONS = Path(__file__).resolve().parent.parent / "data" / "lexicons"
SUPPORTED = ("vi", "en", "fr")
SUBJECT_ID = "country:VN"  # the gazetteer entry whose mentions make a passage (caunoi.enrich.gazetteer)
# Named here too, so the subject is found in forms the gazetteer may not list yet (lower case, French).
SUBJECT_ALIASES = (
    *("Việt Nam", "Vietnam", "Viet Nam", "Vietnamese", "người Việt"),
    *("Viêt Nam", "Viêt-Nam", "Viet-Nam", "Viêtnam", "vietnamien", "vietnamienne", "vietnamiens"),
    *("vietnamiennes", "vietnamo"),
)
NEGATION_WINDOW = 3  # words after the negator in which the next term is flipped

VI_NEGATORS = frozenset({"không", "chưa", "chẳng", "chả", "đừng", "chớ"})
_VI_NEGATOR_TAILS = frozenset({"hề", "phải", "từng", "còn"})  # "không hề", "chưa từng", "không còn"
# The word after a negator that makes it no negation: "không chỉ … mà còn", "không ngừng tăng".
_VI_NOT_NEGATING = frozenset({"chỉ", "những", "ngừng", "khỏi", "ít", "ngờ", "kể"})
# Words after which the next term counts with the opposite polarity, like a negation.
VI_COUNTERS = frozenset(
    {("chống",), ("phòng", "chống"), ("ngăn", "chặn"), ("ngăn", "ngừa"), ("đẩy", "lùi"), ("chấm", "dứt")}
)
EN_COUNTERS = frozenset({"anti"})
EN_NEGATORS = frozenset(
    {"not", "no", "never", "cannot", "nor", "neither", "without", "nobody", "none", "nothing", "nowhere"}
)
_EN_NOT_NEGATING = frozenset({"only", "doubt", "matter"})  # "not only", "no doubt", "no matter"
# French: "ne"/"n'" opens a negation that "pas", "plus", "jamais"… close ("ne … que" only restricts);
# the closing word alone also negates ("pas de morts", "sans violence", "jamais"), except these.
FR_NEGATORS = frozenset({"pas", "jamais", "sans", "aucun", "aucune", "ni", "non", "nullement", "guère"})
FR_NE = frozenset({"ne", "n'"})
_FR_NE_CLOSERS = FR_NEGATORS | {"plus", "point", "rien", "personne"}
# After a negator, these make it no negation: "non seulement", "sans doute", "sans cesse", "non plus".
_FR_NOT_NEGATING = frozenset({"seulement", "doute", "cesse", "moins", "loin", "plus"})
FR_COUNTERS = frozenset(
    {("lutte", "contre"), ("lutter", "contre"), ("luttent", "contre"), ("combattre",), ("combat", "contre")}
    | {("prévention",), ("prévenir",), ("anti",), ("fin", "à"), ("fin", "aux"), ("fin", "au")}
)
# Elided articles and pronouns, read as words of their own but not counted as words: "l'amitié" is one.
_FR_ELISION = re.compile(r"(?:l|d|n|j|m|t|s|c|qu|jusqu|lorsqu|puisqu|quoiqu|presqu)['’](?=[^\W\d_])", re.I)

_INVISIBLES = {0x200B: " ", 0x200C: " ", 0x200D: " ", 0xFEFF: " ", 0xA0: " ", 0x202F: " "}  # same length
_EN_TOKEN = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*|\d+(?:[.,]\d+)*|[^\w\s]")
# French sets a (narrow) space before "!", "?", "»": the closing guillemet may follow after a space.
_SENTENCE_END = re.compile(r"[.!?…]+(?:[ \u00a0\u202f]*[\"”’'»)\]])*\s+|\n+")
_SENTENCE_OPENERS = "\"“‘'«([ \u00a0\u202f"
_ABBREVIATION = re.compile(
    r"(?:\b[A-ZĐ]{1,3}|\bMrs?|\bMs|\bDr|\bSt|\bJr|\bSr|\bProf|\bGen|\bSen|\bRep|\bGov"
    r"|\bMmes?|\bMlles?|\bMgr|\bMe|\bPr)\.?$"
)


class Match(NamedTuple):
    """One term found: the lexicon's term (with its negator when flipped), the polarity it counted
    with (negative for a negative term, flipped by a negator), and where it is in the text."""

    term: str
    polarity: float
    start: int
    end: int


@dataclass(frozen=True)
class Tone:
    """GDELT-style tone of a span of text: see the module docstring for the definitions."""

    tone: float
    positive: float
    negative: float
    polarity: float
    words: int
    matched: list[Match] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "tone": round(self.tone, 4),
            "positive": round(self.positive, 4),
            "negative": round(self.negative, 4),
            "polarity": round(self.polarity, 4),
            "words": self.words,
            "matched": [[m.term, m.polarity, m.start, m.end] for m in self.matched],
        }


@dataclass(frozen=True)
class PassageTone:
    """The tone of one passage that mentions the subject: its span, text, the mentions in it."""

    start: int
    end: int
    text: str
    mentions: list[tuple[str, int, int]]  # (alias as written, start, end)
    tone: Tone

    def to_json(self) -> dict[str, Any]:
        return {
            "start": self.start,
            "end": self.end,
            "text": self.text,
            "mentions": [list(m) for m in self.mentions],
            **self.tone.to_json(),
        }


@dataclass(frozen=True)
class Lexicon:
    """Terms as tuples of lower-case words (Vietnamese: syllables) -> (weight, source)."""

    lang: str
    terms: dict[tuple[str, ...], tuple[float, str]]
    longest: int  # in syllables

    def __len__(self) -> int:
        return len(self.terms)


# ---------------------------------------------------------------- lexicons


def _term_key(term: str, lang: str) -> tuple[str, ...]:
    if lang == "vi":
        term = normalize(term, "old")
    return tuple(term.replace("’", "'").lower().split())


def load_lexicon(path: Path, lang: str) -> Lexicon:
    """Read a lexicon TSV: '#' comment lines, a header row, then term, polarity, source[, note]."""
    terms: dict[tuple[str, ...], tuple[float, str]] = {}
    header_seen = False
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        cells = line.split("\t")
        if not header_seen:
            if cells[:3] != ["term", "polarity", "source"]:
                raise ValueError(f"{path}:{number}: expected the header row 'term, polarity, source[, note]'")
            header_seen = True
            continue
        if len(cells) < 3 or not cells[0].strip() or not cells[2].strip():
            raise ValueError(f"{path}:{number}: a row needs a term, a polarity and a source")
        weight = float(cells[1])
        if weight == 0:
            raise ValueError(f"{path}:{number}: polarity 0 carries no tone")
        key = _term_key(cells[0], lang)
        terms.setdefault(key, (weight, cells[2].strip()))  # the first row of a term wins
    if not header_seen:
        raise ValueError(f"{path}: no header row")
    return Lexicon(lang, terms, max((len(k) for k in terms), default=0))


@functools.cache
def lexicon(lang: str) -> Lexicon | None:
    """The shipped lexicon of a language, None for a language without one."""
    code = _language(lang)
    return load_lexicon(LEXICONS / f"tone_{code}.tsv", code) if code else None


def _language(lang: str | None) -> str | None:
    code = (lang or "").strip().lower().replace("_", "-").split("-")[0]
    return code if code in SUPPORTED else None


# ---------------------------------------------------------------- text into sentences and words


class _Token(NamedTuple):
    key: tuple[str, ...]  # lower-case syllables (English: one word)
    start: int
    end: int
    word: bool  # False for punctuation
    counted: bool = True  # False for a French elided "l'", "d'", "n'": part of the word it is glued to


@dataclass
class _Sentence:
    start: int
    end: int
    tokens: list[_Token]

    @property
    def words(self) -> int:
        return sum(t.word and t.counted for t in self.tokens)


def _sentence_spans(text: str) -> list[tuple[int, int]]:
    spans, start = [], 0
    for m in _SENTENCE_END.finditer(text):
        if "\n" not in m.group():
            rest = text[m.end() : m.end() + 4].lstrip(_SENTENCE_OPENERS)
            if not rest or not (rest[0].isupper() or rest[0].isdigit()):
                continue
            if m.group().startswith(".") and _ABBREVIATION.search(text[start : m.start()]):
                continue
        spans.append((start, m.start() + len(m.group().rstrip())))
        start = m.end()
    spans.append((start, len(text)))
    out = []
    for s, e in spans:  # trim the whitespace either side
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        if s < e:
            out.append((s, e))
    return out


def _en_tokens(text: str, start: int, end: int, lang: str = "en") -> list[_Token]:
    """Runs of letters (English and French)."""
    out = []
    for m in _EN_TOKEN.finditer(text, start, end):
        word = m.group().replace("’", "'").lower()
        is_word = word[0].isalnum()
        if (
            word in "-‐"
            and text[m.start() - 1 : m.start()].isalpha()
            and text[m.end() : m.end() + 1].isalpha()
        ):
            continue  # the hyphen of "anti-corruption" ends no clause
        if lang == "en" and is_word and word.endswith("'s"):
            word = word[:-2]
        at = m.start()
        while lang == "fr" and is_word and (elided := _FR_ELISION.match(word)):  # "qu'il", "l'amitié"
            cut = elided.end()
            out.append(_Token((word[:cut],), at, at + cut, True, counted=False))
            word, at = word[cut:], at + cut
        out.append(_Token((word,), at, m.end(), is_word))
    return out


def _fr_tokens(text: str, start: int, end: int) -> list[_Token]:
    return _en_tokens(text, start, end, "fr")


@lru_cache(maxsize=65536)
def _syllable_key(syllable: str) -> str:
    """A syllable as the lexicon keys it (old-style tone marks, lower case); cached: a few thousand
    syllables make up most of any Vietnamese text."""
    return normalize(syllable, "old").lower()


def _vi_tokens(text: str, start: int, end: int) -> list[_Token]:
    from underthesea import word_tokenize

    out, cursor = [], start
    for token in word_tokenize(text[start:end]):
        parts = token.split()
        if not parts:
            continue
        first = last = None
        for part in parts:  # underthesea may have normalised a character: align syllable by syllable
            found = text.find(part, cursor, min(end, cursor + len(part) + 40))
            if found < 0:
                continue
            first = found if first is None else first
            last = found + len(part)
            cursor = last
        if first is None:  # not found at all: place it where the text has got to
            first = last = cursor
        key = tuple(_syllable_key(p) for p in parts)
        out.append(_Token(key, first, last, any(c.isalnum() for c in token)))
    return out


def _prepare(text: str) -> tuple[str, str]:
    """(the text offsets refer to, the same-length text that is read)."""
    text = unicodedata.normalize("NFC", text)
    work = text.translate(_INVISIBLES)
    normalised = normalize(work, "old")
    return text, normalised if len(normalised) == len(work) else work


def _sentences(work: str, lang: str) -> list[_Sentence]:
    tokenize = {"vi": _vi_tokens, "fr": _fr_tokens}.get(lang, _en_tokens)
    return [_Sentence(s, e, tokenize(work, s, e)) for s, e in _sentence_spans(work)]


# ---------------------------------------------------------------- matching


def _flips(tokens: list[_Token], i: int, lang: str) -> bool:
    """Whether token i is a negator or a counter-word that flips the next term."""
    key = tokens[i].key
    nxt = next((t.key for t in tokens[i + 1 :] if t.word), None)
    if lang == "vi":
        if key in VI_COUNTERS:
            return True
        if key[0] not in VI_NEGATORS or not all(s in _VI_NEGATOR_TAILS for s in key[1:]):
            return False
        return not (len(key) == 1 and nxt is not None and nxt[0] in _VI_NOT_NEGATING)
    word = key[0]
    if lang == "fr":
        previous = tokens[i - 1].key[0] if i and tokens[i - 1].word else None
        if (word,) in FR_COUNTERS or (previous, word) in FR_COUNTERS or word in FR_NE:
            return True
        return word in FR_NEGATORS and not (nxt is not None and nxt[0] in _FR_NOT_NEGATING)
    if word in EN_COUNTERS:
        return True
    if word not in EN_NEGATORS and not word.endswith("n't"):
        return False
    return not (nxt is not None and nxt[0] in _EN_NOT_NEGATING)


def _longest_term(tokens: list[_Token], i: int, lex: Lexicon) -> tuple[int, tuple[float, str], str] | None:
    """(index of the last token, entry, term) of the longest term starting at token i, on word bounds."""
    key: tuple[str, ...] = ()
    best = None
    for j in range(i, len(tokens)):
        if not tokens[j].word:
            break
        key = key + tokens[j].key
        if len(key) > lex.longest:
            break
        entry = lex.terms.get(key)
        if entry is not None:
            best = (j, entry, " ".join(key))
    if best is None and lex.lang in ("en", "fr") and tokens[i].word:
        singulars = _en_singulars if lex.lang == "en" else _fr_singulars
        for singular in singulars(tokens[i].key[0]):  # VADER lists "death", not "deaths"
            entry = lex.terms.get((singular,))
            if entry is not None:
                return i, entry, singular
    return best


def _en_singulars(word: str) -> list[str]:
    if len(word) < 4 or not word.endswith("s") or word.endswith("ss"):
        return []
    if word.endswith("ies"):  # "injuries" → "injury", but "ties" → "tie", not "ty"
        return [word[:-3] + "y"] if len(word) > 4 else [word[:-1]]
    return [word[:-1], word[:-2]] if word.endswith("es") else [word[:-1]]


def _fr_singulars(word: str) -> list[str]:
    if len(word) < 4 or word[-1] not in "sx":
        return []
    return [word[:-3] + "al", word[:-1]] if word.endswith("aux") else [word[:-1]]


def _match(sentence: _Sentence, lex: Lexicon, text: str) -> list[Match]:
    tokens, found = sentence.tokens, []
    negator: _Token | None = None
    left = 0  # words left in the negation window
    ne_open = False  # French: a "ne" waiting for its "pas", "plus", "jamais"…
    # French: words in which the "pas" of a "ne … pas" that already flipped a term is no new negator
    spent = 0
    french = lex.lang == "fr"
    i = 0
    while i < len(tokens):
        token = tokens[i]
        if not token.word:
            negator, ne_open, spent, i = None, False, 0, i + 1
            continue
        word = token.key[0]
        if french and (spent or ne_open) and word in _FR_NE_CLOSERS:
            if ne_open:  # "n'est pas un succès": the "pas" carries the negation on to the term
                negator, left, ne_open = token, NEGATION_WINDOW, False
            spent, i = 0, i + 1
            continue
        if french and ne_open and word == "que":  # "ne … que" restricts, it does not negate
            negator, ne_open, i = None, False, i + 1
            continue
        spent = max(0, spent - 1)
        hit = _longest_term(tokens, i, lex)
        if hit is not None:
            j, (weight, _source), term = hit
            start, end = token.start, tokens[j].end
            if negator is not None:
                gap = " " if text[negator.end : token.start].strip() == "" else " … "
                term = text[negator.start : negator.end].lower() + gap + term
                weight, start, negator = -weight, negator.start, None
                if ne_open:  # "ne réussit pas": the term sat between "ne" and "pas"
                    ne_open, spent = False, NEGATION_WINDOW
            found.append(Match(term, weight, start, end))
            i = j + 1
            continue
        if _flips(tokens, i, lex.lang):
            ne_open = french and word in FR_NE
            negator, left = token, NEGATION_WINDOW + (2 if ne_open else 0)
        elif negator is not None:
            left -= 1
            if left == 0:
                negator, ne_open = None, False
        i += 1
    return found


def _tone(words: int, matched: list[Match]) -> Tone | None:
    if words == 0:
        return None
    pos = sum(m.polarity for m in matched if m.polarity > 0)
    neg = -sum(m.polarity for m in matched if m.polarity < 0)
    positive, negative = 100 * pos / words, 100 * neg / words
    return Tone(positive - negative, positive, negative, positive + negative, words, matched)


def _read(text: str, lang: str | None) -> tuple[str, str, Lexicon, list[_Sentence]] | None:
    code = _language(lang)
    lex = lexicon(code) if code else None
    if lex is None:
        return None
    text, work = _prepare(text)
    return text, code, lex, _sentences(work, code)


# ---------------------------------------------------------------- the API


Reading = tuple[str, str, Lexicon, list[_Sentence]]


def read(text: str, lang: str | None) -> Reading | None:
    """The text segmented into sentences of words (underthesea for Vietnamese), with offsets: what
    `tone`, `passage_tone` and the keyphrases share, so an article is segmented once."""
    return _read(text, lang)


def clauses(reading: Reading) -> list[list[tuple[str, int]]]:
    """The words of a reading as written, each with its start offset, cut into clauses at
    punctuation (for keyphrases)."""
    text, _code, _lex, sentences = reading
    out: list[list[tuple[str, int]]] = []
    for sentence in sentences:
        run: list[tuple[str, int]] = []
        for token in sentence.tokens:
            if token.word:
                run.append((text[token.start : token.end], token.start))
            elif run:
                out.append(run)
                run = []
        if run:
            out.append(run)
    return out


def tone(text: str, lang: str | None, reading: Reading | None = None) -> Tone | None:
    """The GDELT-style tone of the whole text; None for a language other than vi or en, or no words.
    `reading` (from `read` of the same text) saves segmenting it again."""
    read = reading or _read(text, lang)
    if read is None:
        return None
    text, _code, lex, sentences = read
    return _tone(sum(s.words for s in sentences), [m for s in sentences for m in _match(s, lex, text)])


def _alias_pattern(aliases: Iterable[str]) -> re.Pattern[str]:
    forms = sorted(
        {" ".join(lower_exact(normalize(a, "old")).split()) for a in aliases if a.strip()}, key=len
    )
    if not forms:
        raise ValueError("no subject alias given")
    alternatives = "|".join(r"\s+".join(map(re.escape, f.split())) for f in reversed(forms))
    return re.compile(rf"(?<![^\W_])(?:{alternatives})(?![^\W_])")


def _subject_spans(
    text: str, aliases: Sequence[str] | None, mentions: Sequence[Mention] | None
) -> list[tuple[int, int]]:
    """Where the subject is named: its aliases (lower case, diacritics kept, whole words), and by
    default the gazetteer's mentions of SUBJECT_ID too (so a name the gazetteer learns counts here);
    overlapping spans merged, the longest kept."""
    folded = lower_exact(normalize(text.translate(_INVISIBLES), "old"))
    if len(folded) != len(text):
        folded = lower_exact(text)
    spans = [m.span() for m in _alias_pattern(aliases or SUBJECT_ALIASES).finditer(folded)]
    if aliases is None:
        found = find_mentions(text) if mentions is None else mentions
        spans += [(m.start, m.end) for m in found if m.entry_id == SUBJECT_ID and m.score >= 0.6]
    out: list[tuple[int, int]] = []
    for a, b in sorted(spans, key=lambda span: (span[0], -span[1])):
        if out and a < out[-1][1]:
            out[-1] = (out[-1][0], max(b, out[-1][1]))
        else:
            out.append((a, b))
    return out


def passage_tone(
    text: str,
    lang: str | None,
    subject_aliases: Sequence[str] | None = None,
    *,
    window: int = 0,
    reading: Reading | None = None,
    mentions: Sequence[Mention] | None = None,
) -> list[PassageTone] | None:
    """The tone of each passage that mentions the subject (see the module docstring).

    The subject, by default, is Viet Nam: SUBJECT_ALIASES and every name the gazetteer resolves to
    SUBJECT_ID; `mentions` (the gazetteer's, from `find_mentions` of the same text) saves finding them
    again. Given `subject_aliases`, the subject is those names only.
    None for a language without a lexicon; an empty list when the subject is not mentioned.
    """
    if window < 0:
        raise ValueError("window must be 0 or more sentences")
    read = reading or _read(text, lang)
    if read is None:
        return None
    text, _code, lex, sentences = read
    spans = _subject_spans(text, subject_aliases, mentions)
    named = [[(text[a:b], a, b) for a, b in spans if s.start <= a < s.end] for s in sentences]
    ranges: list[list[int]] = []
    for i, found in enumerate(named):
        if not found:
            continue
        lo, hi = max(0, i - window), min(len(sentences) - 1, i + window)
        if ranges and lo <= ranges[-1][1]:
            ranges[-1][1] = max(ranges[-1][1], hi)
        else:
            ranges.append([lo, hi])
    out = []
    for lo, hi in ranges:
        chosen = sentences[lo : hi + 1]
        measured = _tone(sum(s.words for s in chosen), [m for s in chosen for m in _match(s, lex, text)])
        if measured is None:
            continue
        start, end = chosen[0].start, chosen[-1].end
        found = [m for i in range(lo, hi + 1) for m in named[i]]
        out.append(PassageTone(start, end, text[start:end], found, measured))
    return out


def subject_tone(passages: Sequence[PassageTone] | None) -> Tone | None:
    """One tone over all the passages, words and terms pooled; None when there is none to pool."""
    if not passages:
        return None
    return _tone(sum(p.tone.words for p in passages), [m for p in passages for m in p.tone.matched])
