"""Bytes to text: byte-order mark, declared charset, UTF-8, the legacy Vietnamese encodings, then a guess.

Also repairs text typed in a legacy Vietnamese font (VNI, TCVN3) that reached us as Unicode.
"""

from __future__ import annotations

import codecs
import logging
import re
import unicodedata
from dataclasses import dataclass

from charset_normalizer import from_bytes

from caunoi.text.vietnamese import TONE_MARKS, is_syllable

logger = logging.getLogger(__name__)

VNI = "vni-windows"
TCVN3 = "tcvn3"
VISCII = "viscii"
# Tried in this order when bytes are neither UTF-8 nor declared; earlier ones win ties.
LEGACY_ENCODINGS = ("cp1258", VNI, TCVN3, VISCII)


class DecodeError(ValueError):
    """Bytes that cannot be read as text; the message says what to try next."""


# --- The legacy Vietnamese tables -------------------------------------------------------------------

# Each Vietnamese vowel followed by its toned forms, in the order huyền, hỏi, ngã, sắc, nặng.
_VOWEL_ROWS = "aàảãáạ ăằẳẵắặ âầẩẫấậ eèẻẽéẹ êềểễếệ iìỉĩíị oòỏõóọ ôồổỗốộ ơờởỡớợ uùủũúụ ưừửữứự yỳỷỹýỵ"
_VOWELS = {row[0]: row for row in _VOWEL_ROWS.split()}
# VNI-Windows fonts write those as a base letter plus a mark character, shown here as the cp1252
# characters of their bytes ("Vieät Nam"); capitals are the same in upper case ("AØ" is "À").
_VNI_ROWS = {
    "a": "a aø aû aõ aù aï",
    "ă": "aê aè aú aü aé aë",
    "â": "aâ aà aå aã aá aä",
    "e": "e eø eû eõ eù eï",
    "ê": "eâ eà eå eã eá eä",
    "i": "i ì æ ó í ò",
    "o": "o oø oû oõ où oï",
    "ô": "oâ oà oå oã oá oä",
    "ơ": "ô ôø ôû ôõ ôù ôï",
    "u": "u uø uû uõ uù uï",
    "ư": "ö öø öû öõ öù öï",
    "y": "y yø yû yõ yù î",
}
# TCVN3 (ABC, TCVN 5712:1993 VN3) gives each one byte, shown here as its cp1252 character ("ViÖt
# Nam"; "\xad" is the soft hyphen). Its fonts have capitals only for Ă Â Ê Ô Ơ Ư Đ, so a capital
# toned vowel is written as the lower-case one.
_TCVN3_ROWS = {
    "a": "a µ ¶ · ¸ ¹",
    "ă": "¨ » ¼ ½ ¾ Æ",
    "â": "© Ç È É Ê Ë",
    "e": "e Ì Î Ï Ð Ñ",
    "ê": "ª Ò Ó Ô Õ Ö",
    "i": "i × Ø Ü Ý Þ",
    "o": "o ß á â ã ä",
    "ô": "« å æ ç è é",
    "ơ": "¬ ê ë ì í î",
    "u": "u ï ñ ò ó ô",
    "ư": "\xad õ ö ÷ ø ù",
    "y": "y ú û ü ý þ",
}
_TCVN3_CAPITALS = {"Ă": "¡", "Â": "¢", "Ê": "£", "Ô": "¤", "Ơ": "¥", "Ư": "¦", "Đ": "§"}

# VISCII (RFC 1456) reuses six control bytes for capitals and fills 0x80-0xFF, keeping Latin-1 where
# Latin-1 has a Vietnamese letter.
_VISCII_CONTROLS = {0x02: "Ẳ", 0x05: "Ẵ", 0x06: "Ẫ", 0x14: "Ỷ", 0x19: "Ỹ", 0x1E: "Ỵ"}
_VISCII_HIGH = (
    "ẠẮẰẶẤẦẨẬẼẸẾỀỂỄỆỐ"  # 0x80
    "ỒỔỖỘỢỚỜỞỊỎỌỈỦŨỤỲ"  # 0x90
    "Õắằặấầẩậẽẹếềểễệố"  # 0xA0
    "ồổỗỠƠộờởịỰỨỪỬơớƯ"  # 0xB0
    "ÀÁÂÃẢĂẳẵÈÉÊẺÌÍĨỳ"  # 0xC0
    "ĐứÒÓÔạỷừửÙÚỹỵÝỡư"  # 0xD0
    "àáâãảăữẫèéêẻìíĩỉ"  # 0xE0
    "đựòóôõỏọụùúũủýợỮ"  # 0xF0
)


def _font_table(rows: dict[str, str], others: dict[str, str]) -> dict[str, str]:
    """Vietnamese letter -> how the font writes it, leaving out the plain ASCII vowels."""
    table = dict(others)
    for vowel, spellings in rows.items():
        table.update(zip(_VOWELS[vowel], spellings.split(), strict=True))
    return {letter: spelling for letter, spelling in table.items() if not letter.isascii()}


_VNI_LOWER = _font_table(_VNI_ROWS, {"đ": "ñ"})
FONT_TABLES: dict[str, dict[str, str]] = {
    VNI: _VNI_LOWER | {letter.upper(): spelling.upper() for letter, spelling in _VNI_LOWER.items()},
    TCVN3: _font_table(_TCVN3_ROWS, {"đ": "®"} | _TCVN3_CAPITALS),
}
# Reading a font back: the longest spelling first, so VNI "ôù" is "ớ" and not "ơ" + "ù".
_FONT_READERS = {
    name: (
        {spelling: letter for letter, spelling in table.items()},
        re.compile("|".join(map(re.escape, sorted(table.values(), key=len, reverse=True)))),
    )
    for name, table in FONT_TABLES.items()
}

# cp1252 as browsers read it: the five bytes it leaves undefined pass through as Latin-1.
_CP1252 = "".join(bytes([b]).decode("cp1252", "ignore") or chr(b) for b in range(256))
_VISCII = "".join(_VISCII_CONTROLS.get(b, chr(b)) for b in range(0x80)) + _VISCII_HIGH
_ENCODING_MAPS = {"cp1252": codecs.charmap_build(_CP1252), VISCII: codecs.charmap_build(_VISCII)}


def encode_legacy(text: str, encoding: str) -> bytes:
    """`text` as bytes in a legacy Vietnamese encoding: "vni-windows", "tcvn3", "viscii" or "cp1258".

    The inverse of `decode` for those encodings (TCVN3 writes capital toned vowels in lower case,
    as its fonts do); useful for tests and for feeding old tools. Raises UnicodeEncodeError for a
    character the encoding lacks.
    """
    text = unicodedata.normalize("NFC", text)
    if encoding == "cp1258":
        # Windows-1258 has few precomposed toned letters: the others go as base letter + combining tone.
        return "".join(_split_cp1258(c) for c in text).encode("cp1258")
    if encoding == VISCII:
        return codecs.charmap_encode(text, "strict", _ENCODING_MAPS[VISCII])[0]
    if encoding not in FONT_TABLES:
        raise ValueError(f"unknown legacy encoding {encoding!r}: use one of {', '.join(LEGACY_ENCODINGS)}")
    table = FONT_TABLES[encoding]
    font_text = "".join(table.get(c) or table.get(c.lower(), c) for c in text)
    return codecs.charmap_encode(font_text, "strict", _ENCODING_MAPS["cp1252"])[0]


def _split_cp1258(char: str) -> str:
    try:
        char.encode("cp1258")
        return char
    except UnicodeEncodeError:
        decomposed = unicodedata.normalize("NFD", char)
        tone = "".join(c for c in decomposed if c in TONE_MARKS)
        base = unicodedata.normalize("NFC", "".join(c for c in decomposed if c not in tone))
        return base + tone


def _read_font(text: str, encoding: str) -> str:
    """Unicode for text in VNI or TCVN3, given as the cp1252 characters of its bytes."""
    letters, spellings = _FONT_READERS[encoding]
    return spellings.sub(lambda m: letters[m.group()], text)


# --- Evidence that text is Vietnamese ---------------------------------------------------------------

# A word: anything between spaces, ASCII digits and ASCII punctuation, so that a misread letter shown
# as a symbol ("B¶o") stays inside its word and counts against the reading.
_TOKEN = re.compile(r"[^\s\x00-\x40\x5b-\x60\x7b-\x7f]+")
_EDGES = re.compile(r"^\W+|\W+$")


@dataclass
class _Evidence:
    words: int = 0
    syllables: int = 0  # words that are Vietnamese syllables
    marked: int = 0  # syllables with a letter outside ASCII: the ones only a right reading produces
    broken: int = 0  # words with a character outside ASCII that are not syllables

    @property
    def score(self) -> int:
        return self.marked - self.broken

    def looks_vietnamese(self) -> bool:
        # Vietnamese news runs at 93% syllables (names, acronyms and URLs are the rest).
        return self.marked >= 1 and self.marked >= 3 * self.broken and self.syllables >= 0.6 * self.words


def _evidence(text: str) -> _Evidence:
    found = _Evidence()
    for token in _TOKEN.findall(text):
        word = _EDGES.sub("", token)
        if not word:
            continue
        found.words += 1
        if _reads_vietnamese(word):
            found.syllables += 1
            found.marked += not word.isascii()
        elif not word.isascii():
            found.broken += 1
    return found


def _reads_vietnamese(word: str) -> bool:
    # TCVN3 fonts have no capital toned vowels, so its capitals read "VIệT": judge those in upper case.
    if not any(c.isascii() and c.islower() for c in word):
        word = word.upper()
    return is_syllable(word)


# --- Decoding ---------------------------------------------------------------------------------------

_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_META_CHARSET = re.compile(rb"""<meta[^>]{0,200}?charset\s*=\s*["']?\s*([\w.:-]+)""", re.IGNORECASE)
_XML_ENCODING = re.compile(rb"""^\s*<\?xml[^>]{0,100}?encoding\s*=\s*["']([\w.:-]+)""")
# Labels pages use for a charset whose superset is what they really hold (as browsers read them).
_SUPERSETS = {
    "ascii": "cp1252",
    "iso8859-1": "cp1252",
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "euc_kr": "cp949",
    "shift_jis": "cp932",
    "big5": "big5hkscs",
    "tis-620": "cp874",
}
# Control bytes text does not use; ESC starts ISO-2022 sequences and VISCII writes six capitals with others.
_CONTROL_BYTES = bytes(b for b in range(32) if b not in b"\t\n\v\f\r\x1b" and b not in _VISCII_CONTROLS)
_SAMPLE = 65536  # bytes enough to judge a legacy encoding by


def decode(data: bytes, declared: str | None = None, *, html: bool = False) -> tuple[str, str]:
    """Read bytes as text; return it in NFC with the name of the encoding used.

    Order: a byte-order mark; the charset of `<meta>` in the first 4 KB (when `html`) and then
    `declared` (a charset name or a whole Content-Type value), each kept only if it decodes the
    bytes; strict UTF-8; the legacy Vietnamese encodings (Windows-1258, VNI-Windows, TCVN3, VISCII),
    chosen by how many words come out as Vietnamese syllables; charset-normalizer's guess.
    Valid non-ASCII UTF-8 beats any declared charset, and a declared windows-1252 or latin-1 only
    beats the guess, since old Vietnamese sites declared it for pages in VNI or TCVN3 fonts.

    Names are Python codec names ("utf-8", "cp1258", "gb18030") or "vni-windows", "tcvn3",
    "viscii"; each can be passed back as `declared`. Tone placement is left as written.
    Raises DecodeError for binary data or bytes no encoding explains.
    """
    for bom, name in _BOMS:
        if data.startswith(bom) and (text := _attempt(data[len(bom) :], name)) is not None:
            return text, name
    claims = _declared_encodings(data, declared, html)
    if _looks_binary(data) and not any(name.startswith(("utf-16", "utf-32")) for name in claims):
        raise DecodeError(
            f"these {len(data)} bytes look binary (image, archive, PDF), not text: skip them, or pass "
            "declared='utf-16-le' (or the right charset) if they are text without a byte-order mark"
        )
    utf8 = _attempt(data, "utf-8")
    if utf8 is not None and not data.isascii():
        if claims and claims[0] != "utf-8":
            logger.info("declared charset %s, but the bytes are valid UTF-8: reading UTF-8", claims[0])
        return utf8, "utf-8"
    if (mixed := _mostly_utf8(data)) is not None:
        logger.info("bytes are UTF-8 with some windows-1252 mixed in: reading each part in its own")
        return mixed, "utf-8+cp1252"
    western = None
    for name in claims:
        if name == "cp1252":
            western = name
        elif (text := _attempt(data, name)) is not None:
            return text, name
        else:
            logger.info("declared charset %s does not decode these bytes: detecting the encoding", name)
    if utf8 is not None:
        return utf8, "utf-8"
    if (name := _detect_vietnamese_legacy(data)) is not None:
        return _decode_as(data, name), name
    if western is not None:
        return _decode_as(data, western), western
    return _guess(data)


def _attempt(data: bytes, name: str) -> str | None:
    try:
        return _decode_as(data, name)
    except (UnicodeDecodeError, LookupError):
        return None


def _decode_as(data: bytes, name: str) -> str:
    if name in FONT_TABLES:
        text = _read_font(codecs.charmap_decode(data, "strict", _CP1252)[0], name)
    elif name == VISCII:
        text = codecs.charmap_decode(data, "strict", _VISCII)[0]
    else:
        text = data.decode(name)
    return unicodedata.normalize("NFC", text)


def _declared_encodings(data: bytes, declared: str | None, html: bool) -> list[str]:
    """Codec names the document and its headers claim, in the order to try them."""
    labels = []
    if html:
        head = data[:4096]
        labels += [
            m.group(1).decode("ascii") for m in (_XML_ENCODING.search(head), _META_CHARSET.search(head)) if m
        ]
    if declared:
        labels.append(re.split("charset=", declared, flags=re.IGNORECASE)[-1].strip(" \"';"))
    names = []
    for label in labels:
        name = _codec_name(label)
        if name is None:
            logger.info("ignoring unknown charset %r", label)
        elif name not in names:
            names.append(name)
    return names


def _codec_name(label: str) -> str | None:
    label = label.strip().lower()
    if label in FONT_TABLES or label == VISCII:
        return label
    try:
        name = codecs.lookup(label).name
    except (LookupError, ValueError):  # ValueError: a label with a NUL in it
        return None
    return _SUPERSETS.get(name, name)


def _looks_binary(data: bytes) -> bool:
    """More than 1% control characters (NUL and the like) in the first 8 KB, which text hardly ever has."""
    sample = data[:8192]
    controls = len(sample) - len(sample.translate(None, _CONTROL_BYTES))
    return controls > 0.01 * len(sample)


def _detect_vietnamese_legacy(data: bytes) -> str | None:
    """The legacy Vietnamese encoding under which the most words read as Vietnamese syllables, if any does."""
    sample = data[:_SAMPLE]
    best, best_score = None, 0
    for name in LEGACY_ENCODINGS:
        text = _attempt(sample, name)
        if text is None:
            continue
        found = _evidence(text)
        if found.looks_vietnamese() and (best is None or found.score > best_score):
            best, best_score = name, found.score
    if best is not None:
        logger.info("bytes read as %s: %d Vietnamese syllables with diacritics", best, best_score)
    return best


def _cp1252_fallback(error: UnicodeDecodeError) -> tuple[str, int]:
    """Decode the bytes UTF-8 could not as windows-1252 (latin-1 for its five holes)."""
    chunk = error.object[error.start : error.end]
    return "".join(bytes([b]).decode("cp1252", errors="ignore") or chr(b) for b in chunk), error.end


codecs.register_error("caunoi-cp1252", _cp1252_fallback)


def _mostly_utf8(data: bytes) -> str | None:
    """Text pasted together from UTF-8 and windows-1252 sources, read part by part; None if not that.

    Legacy encodings almost never form valid multi-byte UTF-8 sequences by chance, so many valid
    sequences beside a few invalid bytes mean a mix, not a legacy file.
    """
    lenient = data.decode("utf-8", errors="surrogateescape")
    invalid = sum(1 for c in lenient if "\udc80" <= c <= "\udcff")
    valid = sum(1 for c in lenient if ord(c) > 127) - invalid
    if invalid == 0 or valid < 8 or valid < 2 * invalid:
        return None
    return unicodedata.normalize("NFC", data.decode("utf-8", errors="caunoi-cp1252"))


def _guess(data: bytes) -> tuple[str, str]:
    match = from_bytes(data).best()
    if match is None:
        raise DecodeError(
            f"cannot tell the text encoding of these {len(data)} bytes: pass declared= with their "
            "charset (from the HTTP Content-Type header or the source's documentation)"
        )
    return unicodedata.normalize("NFC", str(match)), codecs.lookup(match.encoding).name


# --- Repairing legacy-font text ---------------------------------------------------------------------

# A word of Latin-1 letters and symbols not joined to other letters: only such words can be VNI or
# TCVN3 font text shown as cp1252 (a word with "ệ" in it is Unicode already).
_FONT_WORD = re.compile(r"(?<![^\W\d_])[A-Za-z\u00a1-\u00ff]+(?![^\W\d_])")


def fix_legacy_text(text: str) -> tuple[str, str | None]:
    """Repair Unicode text typed in a VNI or TCVN3 font: "Vieät Nam", "ViÖt Nam" become "Việt Nam".

    Returns the text (NFC) and the font encoding found, or the text unchanged and None when no
    font reading turns more words into Vietnamese syllables than it leaves as they were and gives
    Vietnamese-looking text: French, German or correct Vietnamese text is not touched. A word that
    is a syllable already and would stop being one is kept as it is.
    """
    best = None
    for name in FONT_TABLES:
        fixed, repaired, kept = _fix_words(text, name)
        better = repaired >= max(1, kept) and (best is None or repaired > best[1])
        if better and _evidence(fixed).looks_vietnamese():
            best = (fixed, repaired, name)
    if best is None:
        return text, None
    logger.info("text repaired as %s font text: %d words", best[2], best[1])
    return unicodedata.normalize("NFC", best[0]), best[2]


def _fix_words(text: str, encoding: str) -> tuple[str, int, int]:
    """The text with each font word read back, how many became syllables, how many already were."""
    repaired = kept = 0

    def fix(match: re.Match[str]) -> str:
        nonlocal repaired, kept
        word = match.group()
        letters = _read_font(word, encoding)
        if letters == word:
            return word
        was, now = _reads_vietnamese(word), _reads_vietnamese(letters)
        repaired += now and not was
        kept += was
        return word if was and not now else letters

    return _FONT_WORD.sub(fix, text), repaired, kept


# --- What a store can keep ------------------------------------------------------------------------

_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def storable(text: str) -> str:
    """`text` as both stores keep it alike: NULs dropped (PostgreSQL refuses them in text and JSON)
    and a lone surrogate (JSON's "\\ud800", half of an emoji cut in two) replaced by U+FFFD, as
    UTF-8 cannot hold it. Other text is returned as it is."""
    if not _UNSTORABLE.search(text):
        return text
    return _UNSTORABLE.sub(lambda m: "" if m.group() == "\x00" else "\ufffd", text)
