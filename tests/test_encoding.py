"""Reading bytes in any charset, the legacy Vietnamese ones above all, and repairing legacy-font text."""

from __future__ import annotations

import codecs
import random
import unicodedata

import pytest

from caunoi.text.encoding import (
    FONT_TABLES,
    LEGACY_ENCODINGS,
    TCVN3,
    VISCII,
    VNI,
    DecodeError,
    decode,
    encode_legacy,
    fix_legacy_text,
)

# Sentences from the underthesea news corpus (news_world_001, dantri.com.vn, GPL-3.0).
SENTENCES = [
    "Azerbaijan tuyên bố đã có các biện pháp đáp trả phù hợp với luật nhân đạo quốc tế và quyền tự vệ "
    "của nước này.",
    "Đại sứ Imanov khẳng định cộng hòa ly khai mà Armenia lập ra tại Nagorno-Karabakh không được công "
    "nhận là quốc gia độc lập bởi cộng đồng quốc tế, bao gồm cả Armenia.",
    "Trong buổi họp báo, Đại sứ Imanov cũng bác bỏ các cáo buộc từ phía Armenia rằng Thổ Nhĩ Kỳ đang "
    "điều động lực lượng tới tham chiến cùng với Azerbaijan.",
]
RUSSIAN = (
    "Президент России заявил, что переговоры с Украиной продолжатся на следующей неделе в Стамбуле. "
    "Министерство иностранных дел подтвердило эту информацию."
)
CHINESE = "中国外交部发言人在例行记者会上表示，中方愿同越南一道，推动两国全面战略合作伙伴关系不断向前发展。"
FRENCH = (
    "Le président de la République a déclaré mercredi que la réforme des retraites serait présentée à "
    "l'Assemblée nationale en février. « C'est inacceptable », a-t-il ajouté, très ému."
)

# Every Vietnamese letter outside ASCII: 67 in lower case, 134 with capitals.
VIETNAMESE_LETTERS = set("ăâđêôơư" + "àảãáạằẳẵắặầẩẫấậèẻẽéẹềểễếệìỉĩíịòỏõóọồổỗốộờởỡớợùủũúụừửữứựỳỷỹýỵ")
VIETNAMESE_LETTERS |= {letter.upper() for letter in VIETNAMESE_LETTERS}


@pytest.mark.parametrize("encoding", LEGACY_ENCODINGS)
@pytest.mark.parametrize("sentence", SENTENCES)
def test_legacy_bytes_come_back_as_the_original_text(sentence: str, encoding: str) -> None:
    assert decode(encode_legacy(sentence, encoding)) == (sentence, encoding)


def test_tcvn3_writes_capital_toned_vowels_in_lower_case() -> None:
    data = encode_legacy("Ở Ấn Độ, Ủy ban Bầu cử đã công bố kết quả.", TCVN3)
    assert decode(data) == ("ở ấn Độ, ủy ban Bầu cử đã công bố kết quả.", TCVN3)


def test_windows_1258_is_read_as_precomposed_letters() -> None:
    data = encode_legacy("Việt Nam", "cp1258")
    assert data == b"Vi\xea\xf2t Nam"  # ê, then a combining dot below
    assert decode(data) == ("Việt Nam", "cp1258")


@pytest.mark.parametrize("encoding", [VNI, TCVN3])
@pytest.mark.parametrize("sentence", SENTENCES)
def test_legacy_font_text_in_unicode_is_repaired(sentence: str, encoding: str) -> None:
    font_text = encode_legacy(sentence, encoding).decode("cp1252")
    assert fix_legacy_text(font_text) == (sentence, encoding)


@pytest.mark.parametrize(
    ("font_text", "text", "encoding"),
    [("Vieät Nam", "Việt Nam", VNI), ("ViÖt Nam", "Việt Nam", TCVN3), ("Ñaûng", "Đảng", VNI)],
)
def test_short_legacy_font_words_are_repaired(font_text: str, text: str, encoding: str) -> None:
    assert fix_legacy_text(font_text) == (text, encoding)


@pytest.mark.parametrize(
    "text", ["Société Générale", "Müller", "naïve café", "Il a dû partir.", FRENCH, *SENTENCES]
)
def test_other_text_is_not_repaired(text: str) -> None:
    assert fix_legacy_text(text) == (text, None)


def test_decomposed_utf8_is_read_as_nfc() -> None:
    text, encoding = decode(unicodedata.normalize("NFD", SENTENCES[0]).encode("utf-8"))
    assert (text, encoding) == (SENTENCES[0], "utf-8")


@pytest.mark.parametrize(
    ("bom", "codec", "name"),
    [
        (codecs.BOM_UTF8, "utf-8", "utf-8-sig"),
        (codecs.BOM_UTF16_LE, "utf-16-le", "utf-16-le"),
        (codecs.BOM_UTF16_BE, "utf-16-be", "utf-16-be"),
    ],
)
def test_byte_order_mark_decides(bom: bytes, codec: str, name: str) -> None:
    assert decode(bom + SENTENCES[1].encode(codec), declared="windows-1252") == (SENTENCES[1], name)


def test_html_meta_charset_windows_1258() -> None:
    page = f'<html><head><meta charset="windows-1258"><title>Tin</title></head><body><p>{SENTENCES[2]}</p>'
    text, encoding = decode(encode_legacy(page, "cp1258"), html=True)
    assert (text, encoding) == (page, "cp1258")


def test_html_http_equiv_gb2312_reads_as_its_superset() -> None:
    page = (
        '<html><head><meta http-equiv="Content-Type" content="text/html; charset=gb2312"></head>'
        f"<body><p>{CHINESE} 镕</p></body></html>"  # 镕 is in GBK, not GB2312: pages mislabel
    )
    assert decode(page.encode("gb18030"), html=True) == (page, "gb18030")


def test_xml_declaration_names_the_encoding_of_a_feed() -> None:
    feed = f'<?xml version="1.0" encoding="windows-1251"?><rss><title>{RUSSIAN}</title></rss>'
    assert decode(feed.encode("cp1251"), html=True) == (feed, "cp1251")


def test_meta_charset_is_ignored_unless_html() -> None:
    page = f'<meta charset="koi8-r"><p>{SENTENCES[0]}</p>'
    assert decode(encode_legacy(page, VNI)) == (page, VNI)


def test_a_wrong_declared_charset_falls_back_to_detection() -> None:
    assert decode(encode_legacy(SENTENCES[0], "cp1258"), declared="utf-8") == (SENTENCES[0], "cp1258")
    assert decode(SENTENCES[0].encode("utf-8"), declared="text/html; charset=ISO-8859-1") == (
        SENTENCES[0],
        "utf-8",
    )
    assert decode(encode_legacy(SENTENCES[1], VNI), declared="windows-1252") == (SENTENCES[1], VNI)
    assert decode(SENTENCES[2].encode("utf-8"), declared="no-such-charset") == (SENTENCES[2], "utf-8")


def test_a_declared_charset_that_fits_is_used() -> None:
    assert decode(RUSSIAN.encode("koi8-r"), declared="text/html; charset=KOI8-R") == (RUSSIAN, "koi8-r")
    assert decode(FRENCH.encode("cp1252"), declared="iso-8859-1") == (FRENCH, "cp1252")
    assert decode(encode_legacy(SENTENCES[0], TCVN3), declared="tcvn3") == (SENTENCES[0], TCVN3)


@pytest.mark.parametrize(
    ("text", "codec", "name"),
    [(RUSSIAN, "cp1251", "cp1251"), (CHINESE, "gb18030", "gb18030"), (FRENCH, "cp1252", "cp1252")],
)
def test_other_languages_are_detected(text: str, codec: str, name: str) -> None:
    assert decode(text.encode(codec)) == (text, name)


def test_binary_data_is_refused() -> None:
    noise = random.Random(7).randbytes(2000)
    with pytest.raises(DecodeError, match="binary"):
        decode(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + noise)
    with pytest.raises(DecodeError, match="binary"):
        decode(b"Tin nhanh\x00" + b"\x00" * 500, declared="utf-8")


def test_utf16_without_bom_needs_a_declared_charset() -> None:
    data = SENTENCES[0].encode("utf-16-le")
    with pytest.raises(DecodeError, match="declared"):
        decode(data)
    assert decode(data, declared="utf-16-le") == (SENTENCES[0], "utf-16-le")


@pytest.mark.parametrize("encoding", [VNI, TCVN3])
def test_font_tables_are_bijections(encoding: str) -> None:
    table = FONT_TABLES[encoding]
    assert len(set(table.values())) == len(table)
    if encoding == VNI:
        assert set(table) == VIETNAMESE_LETTERS
    else:
        assert set(table) == {c for c in VIETNAMESE_LETTERS if c.islower()} | set("ĂÂĐÊÔƠƯ")
        assert all(len(spelling) == 1 for spelling in table.values())


@pytest.mark.parametrize("encoding", LEGACY_ENCODINGS)
def test_every_letter_survives_a_round_trip(encoding: str) -> None:
    letters = sorted(VIETNAMESE_LETTERS)
    expected = [c.lower() if encoding == TCVN3 and c not in "ĂÂĐÊÔƠƯ" else c for c in letters]
    encoded = [encode_legacy(f"x{c}x", encoding) for c in letters]
    assert [text[1:-1] for text, _ in (decode(data, declared=encoding) for data in encoded)] == expected
    if encoding == VISCII:
        assert len(set(encoded)) == 134 and all(len(data) == 3 for data in encoded)


def test_unknown_legacy_encoding_is_named() -> None:
    with pytest.raises(ValueError, match="vni-windows"):
        encode_legacy("Việt Nam", "vps")


def test_corpus_reencoded_in_legacy_encodings_is_recognised(vi_news_dir) -> None:
    files = sorted(vi_news_dir.glob("*.txt"))[::25]
    assert files, f"no .txt files in {vi_news_dir}"
    for encoding in LEGACY_ENCODINGS:
        tried = right = 0
        for path in files:
            body = path.read_text(encoding="utf-8").split("\n", 3)[3]  # past the three header lines
            body = unicodedata.normalize("NFC", body)  # a few files hold decomposed letters
            try:
                data = encode_legacy(body, encoding)
            except UnicodeEncodeError:
                continue  # "–", "“" and the like are not in VISCII
            tried += 1
            text, found = decode(data)
            right += found == encoding and (encoding == TCVN3 or text == body)
        assert tried >= 20 and right >= 0.97 * tried, (encoding, right, tried)


def test_utf8_with_windows_1252_pasted_in_is_read_part_by_part():
    vietnamese = "Bộ Ngoại giao Việt Nam tổ chức họp báo thường kỳ. " * 3
    data = vietnamese.encode() + "Société Générale — naïve “quotes”.".encode("cp1252") + " Hà Nội.".encode()
    assert decode(data) == (vietnamese + "Société Générale — naïve “quotes”. Hà Nội.", "utf-8+cp1252")


def test_a_legacy_file_is_not_taken_for_mixed_utf8():
    text = "Bộ Ngoại giao Việt Nam tổ chức họp báo thường kỳ về tình hình Biển Đông."
    assert decode(encode_legacy(text, "vni-windows")) == (text, "vni-windows")
