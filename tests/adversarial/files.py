"""Broken local files (issue 14, items 2 and 3): every format `caunoi ingest` reads — txt, html, json,
jsonl, csv/tsv, WARC, each also gzipped — broken on purpose: corrupt and truncated compression, lone
surrogates, NULs and control characters, JSON nested thousands deep, integers of thousands of digits,
bad urls, WARC records without a target or with a bad length or an unknown content encoding, mixed
and legacy charsets, random byte flips and truncations of valid files, empty files, FIFOs, sockets,
devices and odd symlinks, file names that are not UTF-8 or look like console markup.

Each round mixes a dozen bad files into a folder of good articles of every format and runs
`caunoi ingest FOLDER` (the CLI in-process, with and without --json) on a new store: SQLite, and every
third round PostgreSQL when it is reachable. Each bad file is one case. It holds when the command
exited normally, every good article is stored, and the bad file is accounted for: reported as skipped
with a reason, or stored. A traceback, a hang past its timeout, a lost good article or a bad file that
vanishes without a word fails it; when a round fails as a whole, each of its bad files is run alone
with the good ones to say which did it."""

from __future__ import annotations

import contextlib
import gzip
import io
import json
import os
import random
import re
import signal
import socket
import tempfile
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from adversarial import Budget, Tally

ROUND_TIMEOUT = 40.0  # seconds one ingest of a round may take before it counts as a hang
ALONE_TIMEOUT = 15.0
BAD_PER_ROUND = 12

SENTENCES = [
    "Bộ Ngoại giao tổ chức họp báo thường kỳ tại Hà Nội chiều thứ Năm",
    "Người phát ngôn trả lời câu hỏi của phóng viên về tình hình Biển Đông",
    "Đại sứ Việt Nam tại Pháp tiếp đoàn doanh nghiệp kiều bào",
    "Hai bên nhất trí thúc đẩy hợp tác kinh tế thương mại và đầu tư",
    "Thủ tướng Chính phủ tiếp Đại sứ Nhật Bản nhân dịp kết thúc nhiệm kỳ",
    "Hội nghị tổng kết công tác thông tin đối ngoại diễn ra sáng 12/3",
    "The foreign ministry held its regular press briefing in Hanoi on Thursday",
    "Delegates discussed maritime cooperation and trade within ASEAN",
    "Lễ kỷ niệm năm hữu nghị được tổ chức tại Nhà hát Lớn",
    "Cộng đồng người Việt tại Đức tổ chức Tết cổ truyền",
]


def _article(rng: random.Random, tag: str) -> tuple[str, str]:
    """A title and a body of a few sentences, unique by `tag`."""
    body = ". ".join(rng.sample(SENTENCES, 4)) + f". Bản tin số {tag} {rng.randrange(10**9)}."
    return f"Bản tin {tag}: " + rng.choice(SENTENCES)[:60], body


def _html(title: str, body: str, head: str = "") -> str:
    paragraphs = "".join(f"<p>{s}.</p>" for s in body.split(". "))
    return (
        f'<html><head><meta charset="utf-8"><title>{title}</title>{head}</head>'
        f"<body><article><h1>{title}</h1>{paragraphs}</article></body></html>"
    )


def _warc(records: list[tuple[str, bytes, list[tuple[str, str]]]], compress: bool) -> bytes:
    """A WARC of response records (url, html, extra http headers), written by warcio."""
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    out = io.BytesIO()
    writer = WARCWriter(out, gzip=compress)
    for url, html, extra in records:
        headers = StatusAndHeaders(
            "200 OK", [("Content-Type", "text/html; charset=utf-8"), *extra], protocol="HTTP/1.1"
        )
        record = writer.create_warc_record(url, "response", payload=io.BytesIO(html), http_headers=headers)
        writer.write_record(record)
    return out.getvalue()


def _raw_warc(
    body: bytes, *, headers: str, http: str = "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n"
) -> bytes:
    """One WARC response record written by hand, so its headers can be wrong."""
    payload = http.encode() + b"\r\n" + body
    head = headers.replace("{len}", str(len(payload)))
    return b"WARC/1.0\r\n" + head.encode() + b"\r\n" + payload + b"\r\n\r\n"


# -- the good articles of a round ---------------------------------------------------------------


@dataclass
class Good:
    path: Path
    origins: list[str]  # what the store must hold for it


def _good_files(rng: random.Random, folder: Path) -> list[Good]:
    goods = []

    def add(name: str, data: bytes, suffixes: list[str]) -> None:
        path = folder / name
        path.write_bytes(data)
        goods.append(Good(path, [str(path) + s for s in suffixes]))

    title, body = _article(rng, "txt")
    add("good-1.txt", f"{title}\n{body}\n".encode(), [""])
    title, body = _article(rng, "html")
    add("good-2.html", _html(title, body).encode(), [""])
    title, body = _article(rng, "json")
    add("good-3.json", json.dumps({"title": title, "text": body}, ensure_ascii=False).encode(), [""])
    rows = [_article(rng, f"jsonl{i}") for i in range(2)]
    add(
        "good-4.jsonl",
        "".join(json.dumps({"title": t, "text": b}, ensure_ascii=False) + "\n" for t, b in rows).encode(),
        ["#L1", "#L2"],
    )
    rows = [_article(rng, f"csv{i}") for i in range(2)]
    add("good-5.csv", ("title,text\n" + "".join(f'{t},"{b}"\n' for t, b in rows)).encode(), ["#L2", "#L3"])
    title, body = _article(rng, "warc")
    add(
        "good-6.warc.gz",
        _warc([("https://news.example.org/good.html", _html(title, body).encode(), [])], compress=True),
        ["#https://news.example.org/good.html"],
    )
    title, body = _article(rng, "gz")
    add("good-7.txt.gz", gzip.compress(f"{title}\n{body}\n".encode()), [""])
    return goods


# -- the bad files: each maker writes one file (or node) named by its case ---------------------

Maker = Callable[[random.Random, Path, list[Good]], None]


def _flip(data: bytes, rng: random.Random, count: int) -> bytes:
    buf = bytearray(data)
    for _ in range(count):
        if buf:
            buf[rng.randrange(len(buf))] ^= 1 << rng.randrange(8)
    return bytes(buf)


def _gz_corrupt(rng, path, goods):
    data = bytearray(gzip.compress(("Tiêu đề\n" + "Nội dung bài viết về đối ngoại. " * 300).encode()))
    start = rng.randrange(10, len(data) // 2)
    for k in range(start, start + rng.randint(1, 40)):
        data[k] ^= 0x5A
    path.with_suffix(".txt.gz").write_bytes(bytes(data))


def _gz_variants(rng, path, goods):
    text = ("Tiêu đề\n" + "Nội dung bài viết về đối ngoại. " * 50).encode()
    whole = gzip.compress(text)
    choice = rng.randrange(7)
    data = [
        whole[: rng.randrange(1, len(whole))],  # truncated
        whole[:-8] + b"\x00" * 8,  # wrong CRC and length
        whole + b"trailing garbage",
        whole + whole[:20],  # a second member cut short
        b"\x1f\x8b",  # the magic alone
        b"not gzip at all, just text\n" * 3,
        __import__("bz2").compress(text),  # bz2 named .gz
    ][choice]
    suffix = rng.choice([".txt.gz", ".json.gz", ".jsonl.gz", ".csv.gz", ".html.gz", ".warc.gz"])
    Path(str(path) + suffix).write_bytes(data)


SURROGATE_JSON = [
    '{"title": "Tin", "text": "Bộ Ngoại giao \\ud800 họp báo thường kỳ về đối ngoại"}',
    '{"title": "\\udfff", "text": "Bộ Ngoại giao họp báo thường kỳ về đối ngoại"}',
    '{"\\ud83d": 1, "text": "Bộ Ngoại giao họp báo thường kỳ về đối ngoại"}',
    '{"text": "Bộ Ngoại giao họp báo thường kỳ", "url": "https://x.vn/\\ud800"}',
    '{"text": "Bộ Ngoại giao họp báo \\ud83d", "source": "\\udc00abc", "extra": ["\\ud800"]}',
    '[{"text": "a \\ud800 b về đối ngoại"}, {"text": "Tin thứ hai về hợp tác quốc tế"}]',
]


def _json_surrogate(rng, path, goods):
    text = rng.choice(SURROGATE_JSON)
    if rng.random() < 0.5:
        path.with_suffix(".json").write_text(text, encoding="utf-8")
    else:
        path.with_suffix(".jsonl").write_text(text.replace("\n", " ") + "\n", encoding="utf-8")


def _json_deep(rng, path, goods):
    depth = rng.choice([999, 1000, 1500, 5000, 100_000])
    opener, closer = rng.choice([("[", "]"), ('{"a":', "}"), ('[{"text":', "}]")])
    shape = rng.randrange(3)
    if shape == 0:
        text = opener * depth + "1" + closer * depth
    elif shape == 1:  # deep inside an otherwise good record
        text = '{"text": "Bộ Ngoại giao họp báo về đối ngoại", "extra": ' + "[" * depth + "]" * depth + "}"
    else:  # unclosed
        text = opener * depth
    suffix = rng.choice([".json", ".jsonl"])
    path.with_suffix(suffix).write_text(text + "\n", encoding="utf-8")


def _json_bignum(rng, path, goods):
    digits = "9" * rng.choice([4301, 5000, 50_000])
    value = rng.choice(
        [digits, "-" + digits, digits + ".5", "1e999999", "-1e99999", digits + "e5", "NaN", "Infinity"]
    )
    where = rng.randrange(3)
    if where == 0:
        text = '{"text": "Bộ Ngoại giao họp báo về đối ngoại", "views": ' + value + "}"
    elif where == 1:
        text = '{"text": ' + value + ', "title": "Số"}'
    else:
        text = "[" + value + ', {"text": "Bản tin về hợp tác kinh tế quốc tế", "id": ' + value + "}]"
    path.with_suffix(rng.choice([".json", ".jsonl"])).write_text(text + "\n", encoding="utf-8")


BAD_URLS = [
    "http://[::1", "http://[", "https://[::1]x/", "http://[::1]:99999999/", "http://a:b:c/", "http://:80",
    "https://exa mple.com/", "javascript:alert(1)", "data:text/html,<script>1</script>", "//x", "http://",
    "http://\x00/", "http://xn--/", "http://" + "a" * 70_000 + ".vn/", "http://999999999999999999/",
    "ftp://x/a", "http://[fe80::1%25eth0]/", "http://%zz/", "  ", "\ud800",
]  # fmt: skip


def _bad_url(rng, path, goods):
    url = rng.choice([*BAD_URLS, 123, ["http://[::1"], {"href": "http://[::1"}, True])
    record = {"title": "Tin", "text": "Bộ Ngoại giao họp báo thường kỳ về đối ngoại", "url": url}
    fmt = rng.randrange(4)
    if fmt == 0:
        path.with_suffix(".json").write_text(json.dumps(record), encoding="utf-8")
    elif fmt == 1:
        path.with_suffix(".jsonl").write_text(json.dumps(record) + "\n", encoding="utf-8")
    elif fmt == 2:
        path.with_suffix(".txt").write_text(
            f"# url = {url}\nTin\nBộ Ngoại giao họp báo thường kỳ về đối ngoại.\n",
            encoding="utf-8",
            errors="surrogatepass",
        )
    else:
        head = f'<link rel="canonical" href="{url}"><meta property="og:url" content="{url}">'
        html = _html("Tin", ". ".join(SENTENCES[:5]), head)
        path.with_suffix(".html").write_text(html, encoding="utf-8", errors="surrogatepass")


def _warc_bad(rng, path, goods):
    body = _html("Tin", ". ".join(SENTENCES[:5])).encode()
    base = (
        "WARC-Type: response\r\nWARC-Record-ID: <urn:uuid:1>\r\n"
        "Content-Type: application/http; msgtype=response\r\n"
    )
    target = "WARC-Target-URI: https://news.example.org/x.html\r\n"
    kind = rng.randrange(10)
    if kind == 0:  # no target
        data = _raw_warc(body, headers=base + "Content-Length: {len}\r\n")
    elif kind == 1:  # a bad length
        length = rng.choice(["abc", "-1", "-99999", "1e3", "99999999999", "0", "5", " ", "0x10", "١٢"])
        data = _raw_warc(body, headers=base + target + f"Content-Length: {length}\r\n")
    elif kind == 2:  # an unknown or lying content encoding, or a true one
        enc = rng.choice(["br", "gzip", "deflate", "zstd", "compress", "br, gzip", "x-unknown"])
        http = f"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Encoding: {enc}\r\n"
        if rng.random() < 0.3 and enc in ("br", "gzip"):
            import brotli

            body = brotli.compress(body) if enc == "br" else gzip.compress(body)
        data = _raw_warc(body, headers=base + target + "Content-Length: {len}\r\n", http=http)
    elif kind == 3:  # a bad chunked body
        http = "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nTransfer-Encoding: chunked\r\n"
        data = _raw_warc(b"zz\r\n" + body, headers=base + target + "Content-Length: {len}\r\n", http=http)
    elif kind == 4:  # a bad status line or http head
        http = rng.choice(
            ["HTTP/1.1 abc\r\nContent-Type: text/html\r\n", "garbage\r\n", "HTTP/1.1 200 OK\r\n\x00\r\n", ""]
        )
        data = _raw_warc(body, headers=base + target + "Content-Length: {len}\r\n", http=http)
    elif kind == 5:  # a bad target
        url = rng.choice(BAD_URLS[:12])
        data = _raw_warc(body, headers=base + f"WARC-Target-URI: {url}\r\nContent-Length: {{len}}\r\n")
    elif kind == 6:  # no html in it at all
        data = (
            _warc([], compress=False)
            + b"WARC/1.0\r\nWARC-Type: warcinfo\r\nContent-Length: 0\r\n\r\n\r\n\r\n"
        )
    elif kind == 7:  # not a WARC
        data = rng.choice([b"", b"hello\n", b"WARC/1.0\r\n", bytes(rng.randrange(256) for _ in range(300))])
    elif kind == 8:  # a good WARC, flipped or cut
        whole = _warc([("https://news.example.org/a.html", body, [])], compress=rng.random() < 0.5)
        data = (
            _flip(whole, rng, rng.randint(1, 8)) if rng.random() < 0.5 else whole[: rng.randrange(len(whole))]
        )
    else:  # a bad charset declared
        charset = rng.choice(["x-bogus", "utf-7", "", "utf-16", "\x00"])
        http = f"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset={charset}\r\n"
        data = _raw_warc(body, headers=base + target + "Content-Length: {len}\r\n", http=http)
    if rng.random() < 0.3:
        Path(str(path) + ".warc.gz").write_bytes(gzip.compress(data))
    else:
        path.with_suffix(".warc").write_bytes(data)


def _nul(rng, path, goods):
    text = "Bộ Ngoại giao tổ chức họp báo thường kỳ về tình hình đối ngoại. " * rng.randint(3, 40)
    i = rng.randrange(len(text))
    text = text[:i] + "\x00" * rng.randint(1, 3) + text[i:]
    kind = rng.randrange(5)
    if kind == 0:
        path.with_suffix(".txt").write_text("Tin\x00 họp báo\n" + text, encoding="utf-8")
    elif kind == 1:
        record = {"title": "Tin\x00", "text": text, "source": "a\x00b", "author": "\x00", "x\x00": "\x00"}
        path.with_suffix(".json").write_text(json.dumps(record), encoding="utf-8")
    elif kind == 2:
        path.with_suffix(".csv").write_text(
            f'title,text,url\nTin\x00,"{text}",https://x.vn/\x00\n', encoding="utf-8"
        )
    elif kind == 3:
        record = {"title": "Tin", "text": text, "url": "https://x.vn/\x00a", "category": "\x00"}
        path.with_suffix(".jsonl").write_text(json.dumps(record) + "\n", encoding="utf-8")
    else:
        path.with_suffix(".html").write_text(_html("Tin\x00", text), encoding="utf-8")


CONTROLS = "\x01\x07\x08\x0b\x0c\x1b\x1f\x7f\x85\u2028\u2029\ufeff\ufffe\uffff\u202e\u200b\U000e0041"


def _controls(rng, path, goods):
    words = SENTENCES[rng.randrange(len(SENTENCES))].split()
    text = " ".join(w + (rng.choice(CONTROLS) if rng.random() < 0.3 else "") for w in words * 4)
    kind = rng.randrange(4)
    if kind == 0:
        path.with_suffix(".txt").write_text(f"Tin{rng.choice(CONTROLS)}\n{text}\n", encoding="utf-8")
    elif kind == 1:
        path.with_suffix(".jsonl").write_text(
            json.dumps({"title": rng.choice(CONTROLS), "text": text}, ensure_ascii=False) + "\n",
            encoding="utf-8",
        )
    elif kind == 2:
        path.with_suffix(".csv").write_text(
            f'title,text\n"{rng.choice(CONTROLS)}","{text}"\n', encoding="utf-8"
        )
    else:
        path.with_suffix(".html").write_text(_html("Tin" + rng.choice(CONTROLS), text), encoding="utf-8")


def _charsets(rng, path, goods):
    text = "Tin họp báo\n" + ". ".join(SENTENCES[:4]) + "."
    enc = rng.choice(
        ["utf-16", "utf-16-le", "utf-16-be", "utf-32", "cp1258", "cp1252", "latin-1", "gb18030", "shift_jis"]
    )
    data = text.encode(enc, errors="replace")
    if rng.random() < 0.5:  # mixed: a UTF-8 part, a legacy part, a stray invalid byte
        data = text.encode() + data + bytes([rng.randrange(128, 256)]) + text.encode()
    suffix = rng.choice([".txt", ".html", ".csv", ".json", ".jsonl"])
    if suffix in (".csv",):
        data = b"title,text\n" + data.replace(b"\n", b" ") + b"\n"
    elif suffix in (".json", ".jsonl"):
        data = b'{"text": "' + data.replace(b'"', b"").replace(b"\n", b" ") + b'"}\n'
    path.with_suffix(suffix).write_bytes(data)


def _shapes(rng, path, goods):
    """Valid syntax, wrong shape: empty lists, scalars, wrong field types, odd CSVs."""
    choices = [
        (".json", "[]"), (".json", "{}"), (".json", "null"), (".json", '"text"'), (".json", "42"),
        (".json", '{"articles": 5}'), (".json", '{"articles": [1, "x", null, {}]}'),
        (".json", '{"text": {"nested": "Bộ Ngoại giao họp báo"}}'), (".json", '{"text": 12345}'),
        (".json", '{"text": [{"a": 1}, [2], null]}'), (".json", '{"text": true, "title": false}'),
        (".json", '{"text": "Bộ Ngoại giao họp báo", "title": {"a": [1, 2]}, "date": [1, 2]}'),
        (".json", '{"text": "Bộ Ngoại giao họp báo thường kỳ", "date": "9999-99-99T99:99"}'),
        (".json", '{"text": "Bộ Ngoại giao họp báo thường kỳ", "date": 99999999999999999999}'),
        (".json", '{"text": "Bộ Ngoại giao họp báo thường kỳ", "date": -1e308, "lang": 5}'),
        (".json", json.dumps({"text": "Bộ Ngoại giao", "source": "s" * 500, "lang": "vi-" + "x" * 30})),
        (".json", json.dumps({"text": "Bộ Ngoại giao họp báo", "category": "c" * 300, "author": "a" * 5000})),
        (".json", '{"text": "Bộ Ngoại giao họp báo", "lang": "\\u0000", "published": "\\u0000"}'),
        (".json", '{"text": "x", "text": "trùng khoá"}'), (".json", "[" + "{}," * 3000 + "{}]"),
        (".jsonl", "\n\n\n"), (".jsonl", "{}\n" * 5000), (".jsonl", "[]\n1\nnull\n\"x\"\n"),
        (".jsonl", '{"text": "Bộ Ngoại giao họp báo \u2028 thường kỳ về đối ngoại"}\n'),
        (".jsonl", '{"text": "a"}\r\n{"text":\r\n'),
        (".jsonl", '\ufeff{"text": "Bài có BOM về đối ngoại"}\n'),
        (".csv", ""), (".csv", "title,text\n"), (".csv", "text\n" + '"unclosed\n' * 3),
        (".csv", "text,text,TEXT\na,b,c\n"), (".csv", "\ufefftext\nBài có BOM về đối ngoại\n"),
        (".csv", "text\n" + "x" * 200_000 + "\n"), (".csv", "a\tb\ntext\tx\n"), (".csv", "text\rBài\rHai\r"),
        (".tsv", "title\ttext\nTin\tBài viết về hợp tác đối ngoại\tthừa\tthừa\n"),
        (".txt", ""), (".txt", " \n\t\n"), (".txt", "# url = https://x.vn\n# title = Tin\n"),
        (".txt", "# date = 99999999999999999999999\nTin\nNội dung bài về đối ngoại.\n"),
        (".txt", "# title = " + "T" * 20_000 + "\nNội dung bài về đối ngoại.\n"),
        (".txt", "\r" * 1000), (".txt", "a" * 300_000), (".html", ""), (".html", "<html></html>"),
        (".html", "<script>" + "x" * 1000 + "</script>"), (".html", "<" * 50_000),
        (".html", "<div>" * 20_000 + "Bộ Ngoại giao họp báo thường kỳ " * 20 + "</div>" * 20_000),
        (".html", "&#0;&#xD800;&#99999999;&#x110000;" + _html("Tin", ". ".join(SENTENCES[:5]))),
        (".html", '<meta charset="utf-7">' + _html("Tin", ". ".join(SENTENCES[:5]))),
        (".html", '<meta charset="x-bogus\x00">' + _html("Tin", ". ".join(SENTENCES[:5]))),
        (".html", "<!--" + _html("Tin", ". ".join(SENTENCES[:5]))),
        (".html", _html("Tin", ". ".join(SENTENCES[:5]), '<meta name="date" content="0000-00-00">')),
        (".html", _html("Tin", ". ".join(SENTENCES[:5]), "<base href=\"http://[::1\">")),
    ]  # fmt: skip
    suffix, text = rng.choice(choices)
    data = text.encode("utf-8")
    if rng.random() < 0.2:
        Path(str(path) + suffix + ".gz").write_bytes(gzip.compress(data))
    else:
        path.with_suffix(suffix).write_bytes(data)


def _mutant(rng, path, goods):
    """A good file of the round, with random bytes flipped, cut short, or bytes spliced in."""
    good = rng.choice(goods)
    data = good.path.read_bytes()
    how = rng.randrange(4)
    if how == 0:
        data = _flip(data, rng, rng.randint(1, 30))
    elif how == 1:
        data = data[: rng.randrange(len(data))]
    elif how == 2:
        i = rng.randrange(len(data))
        data = (
            data[:i]
            + rng.choice([b"\x00", b"\xff\xfe", b"\xed\xa0\x80", b"\x1f\x8b", b"\r", b'"', b"{["])
            + data[i:]
        )
    else:
        data = data[len(data) // 3 :]
    path.with_name(path.name + "-" + good.path.name).write_bytes(data)


def _nodes(rng, path, goods):
    """Files that are not regular files: FIFOs, sockets, devices, odd symlinks."""
    target = path.with_suffix(rng.choice([".txt", ".json", ".jsonl", ".html", ".csv", ".warc"]))
    kind = rng.randrange(7)
    if kind == 0:
        fifo = path.with_name(path.name + "-fifo")
        os.mkfifo(fifo)
        target.symlink_to(fifo)
    elif kind == 1:
        os.mkfifo(target)
    elif kind == 2:
        target.symlink_to(rng.choice(["/dev/zero", "/dev/null", "/dev/urandom"]))
    elif kind == 3:
        sock = socket.socket(socket.AF_UNIX)
        try:
            sock.bind(str(target))
        finally:
            sock.close()
    elif kind == 4:  # a loop
        other = path.with_name(path.name + "-loop.txt")
        target.symlink_to(other)
        other.symlink_to(target)
    elif kind == 5:  # a symlink to a folder, named as a file
        target.symlink_to(path.parent)
    else:
        target.symlink_to(path.with_name("nowhere"))


def _names(rng, path, goods):
    """File names that are not UTF-8, look like console markup, or hold newlines."""
    data = f"Tin\n{'. '.join(SENTENCES[:3])}.\n".encode()
    name = rng.choice(
        [
            b"-caf\xe9.txt", b"-[/]x.txt", b"-[bold]x[/bold].json", b"-[notastyle].txt",
            b"-line\nbreak.txt", b"-\xed\xa0\x80.txt", b"-%s.txt", b"-" + b"x" * 240 + b".txt",
        ]
    )  # fmt: skip
    if name.endswith(b".json"):
        data = json.dumps({"text": data.decode()}).encode()
    full = os.fsencode(path) + name
    os.makedirs(os.path.dirname(full), exist_ok=True)  # a "/" in the name: a folder on the way
    with open(full, "wb") as fh:
        fh.write(data)


ODD_TEXT = [
    "x" * 50_000,
    "1 2 3 4 5 6 7 8 9 0 " * 200,
    "!!! ??? ... ;;; " * 100,
    "a\u0301\u0302\u0303\u0323\u0309" * 500,
    "\u202eđảo ngược\u202c \u200f\u200e" * 100,
    "😀🇻🇳👨‍👩‍👧 " * 300,
    "Ngày 31/2/2024, 99/99/9999, 0/0/0, tháng 13 năm -5, ngày 1/1/0001 " * 20,
    "Nghị quyết số 999999999-NQ/TW, Kết luận số -1-KL/TW, Chỉ thị 0/CT-TTg " * 20,
    "Việt Nam " * 2000,
    "Bộ Ngoại giao\n" * 3000,
    "ｆｕｌｌ　ｗｉｄｔｈ　ｔｅｘｔ　" * 100,
    "\ufffd" * 1000,
    "ĐSQ-US ĐSQ-US ĐSQ-US Đại sứ quán Hoa Kỳ tại Hà Nội " * 50,
    "<script>alert(1)</script> [bold]x[/bold] {{7*7}} ${x} %s %n " * 50,
]


def _odd_text(rng, path, goods):
    """Valid files whose text is odd (very long words, only digits or marks, RTL, emoji, impossible
    dates, document numbers): stored, enriched and clustered without a failure."""
    text = rng.choice(ODD_TEXT) + " " + rng.choice(SENTENCES)
    if rng.random() < 0.5:
        path.with_suffix(".txt").write_text(f"Tin lạ {rng.randrange(10**6)}\n{text}\n", encoding="utf-8")
    else:
        record = {
            "title": rng.choice(ODD_TEXT)[:300],
            "text": text,
            "date": rng.choice(["", "31/2/2024", "x"]),
        }
        path.with_suffix(".json").write_text(json.dumps(record, ensure_ascii=False), encoding="utf-8")


MAKERS: dict[str, Maker] = {
    "odd-text": _odd_text,
    "gz-corrupt": _gz_corrupt,
    "gz-variant": _gz_variants,
    "json-surrogate": _json_surrogate,
    "json-deep": _json_deep,
    "json-bignum": _json_bignum,
    "bad-url": _bad_url,
    "warc-bad": _warc_bad,
    "nul": _nul,
    "controls": _controls,
    "charsets": _charsets,
    "shapes": _shapes,
    "mutant": _mutant,
    "node": _nodes,
    "name": _names,
}


# -- running a round ----------------------------------------------------------------------------


class _Hang(BaseException):
    """Raised by the alarm in the ingest that ran past its timeout (not an Exception: nothing in the
    code under test may catch it)."""


@contextlib.contextmanager
def _deadline(seconds: float) -> Iterator[None]:
    """A hang past `seconds` raises _Hang in this thread (the main thread: elsewhere, no bound)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def on_alarm(signum, frame):
        raise _Hang

    old = signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


@dataclass
class Outcome:
    ok: bool  # exited normally, every good article stored
    why: str  # when not
    accounted: set[str]  # the bad files' tags seen as skipped or stored


def _pg_url() -> str | None:
    url = os.environ.get("CAUNOI_TEST_PG_URL", "postgresql+psycopg://127.0.0.1:5432/test")
    try:
        import psycopg

        psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://"), connect_timeout=2).close()
    except Exception:  # no server: SQLite only
        return None
    return url


def _ingest(
    folder: Path, store: Path, goods: list[Good], tags: list[str], *, as_json: bool, pg: bool, timeout: float
) -> Outcome:
    from support.cli import caunoi

    from caunoi.config import Settings

    with contextlib.ExitStack() as stack:
        if pg:
            from conftest import temporary_pg_schema

            settings = Settings(data_dir=store, database_url=stack.enter_context(temporary_pg_schema()))
        else:
            settings = Settings(data_dir=store)
        args = ["ingest", str(folder)] + (["--json"] if as_json else [])
        try:
            with _deadline(timeout):
                proc = caunoi(settings, *args, check=False, env={"COLUMNS": "100000"})
        except _Hang:
            return Outcome(False, f"hang: no answer in {timeout:.0f} s", set())
        if proc.returncode != 0 or "Traceback" in proc.stderr:
            lines = proc.stderr.splitlines() or ["(nothing on stderr)"]
            errors = [x for x in lines if re.match(r"[\w.]*(Error|Exception|Exit|Interrupt)\b", x)]
            last = (errors or lines)[-1]
            return Outcome(False, f"exit {proc.returncode}: {last[:200]}", set())
        from caunoi.service import Service

        with Service(settings) as service, service.engine.connect() as conn:
            from sqlalchemy import text

            stored = [r[0] for r in conn.execute(text("SELECT origin FROM origins"))]
    stored_set = set(stored)
    lost = [o for g in goods for o in g.origins if o not in stored_set]
    if lost:
        return Outcome(False, f"good articles lost: {', '.join(Path(o).name for o in lost[:3])}", set())
    if as_json:
        skipped = json.loads(proc.stdout)["skipped"]
        told = [s["origin"] for s in skipped if s.get("reason")]
        if json.loads(proc.stdout).get("skipped_count", len(skipped)) > len(skipped):  # the list was cut
            told.append("".join(tags))
    else:
        told = [line for line in proc.stdout.splitlines() if line.strip().startswith("skipped ")]
        if "more (" in proc.stdout:  # the list was cut: count the rest as told
            told.append("".join(tags))
    seen = "\n".join(told + stored)
    return Outcome(True, "", {t for t in tags if t in seen})


def run(budget_s: float, seed: int = 0) -> Tally:
    tally = Tally("files")
    budget = Budget(budget_s)
    rng = random.Random(seed)
    pg_url = _pg_url()
    names = sorted(MAKERS)
    with tempfile.TemporaryDirectory(prefix="caunoi-adv-files-") as tmp:
        root = Path(tmp)
        n = 0
        while budget:
            n += 1
            folder = root / f"in-{n}"
            folder.mkdir()
            goods = _good_files(rng, folder)
            bad: list[tuple[str, str]] = []  # (tag, kind)
            for i in range(BAD_PER_ROUND):
                kind = names[(n * BAD_PER_ROUND + i) % len(names)] if i < len(names) else rng.choice(names)
                tag = f"bad{n:03d}x{i:02d}"
                MAKERS[kind](rng, folder / tag, goods)
                bad.append((tag, kind))
            pg = pg_url is not None and n % 3 == 0
            mode = "--json" if n % 2 == 1 else "plain"
            outcome = _ingest(
                folder,
                root / f"store-{n}",
                goods,
                [t for t, _ in bad],
                as_json=mode == "--json",
                pg=pg,
                timeout=ROUND_TIMEOUT,
            )
            backend = "postgresql" if pg else "sqlite"
            if outcome.ok:
                for tag, kind in bad:
                    tally.case(
                        tag in outcome.accounted,
                        f"{kind} {_listing(folder, tag)} ({backend}, {mode}): not stored, not reported",
                    )
                continue
            # the round failed: each bad file alone with the good ones, to say which did it
            for tag, kind in bad:
                if not budget:
                    break
                alone = root / f"in-{n}-{tag}"
                alone.mkdir()
                for g in goods:
                    (alone / g.path.name).write_bytes(g.path.read_bytes())
                for entry in folder.iterdir():
                    if entry.name.startswith(tag):
                        os.rename(entry, alone / entry.name)
                moved = [
                    Good(alone / g.path.name, [o.replace(str(folder), str(alone)) for o in g.origins])
                    for g in goods
                ]
                result = _ingest(
                    alone, root / f"store-{n}-{tag}", moved, [tag], as_json=True, pg=pg, timeout=ALONE_TIMEOUT
                )
                what = f"{kind} {_listing(alone, tag)} ({backend})"
                if not result.ok:
                    tally.case(False, f"{what}: {result.why}")
                else:
                    tally.case(tag in result.accounted, f"{what}: neither stored nor reported as skipped")
    return tally


def _listing(folder: Path, tag: str) -> str:
    """The bad file's name (its suffixes say the format), as printable text."""
    found = sorted(os.fsencode(e.name) for e in folder.iterdir() if e.name.startswith(tag))
    return ", ".join(repr(os.fsdecode(f)[len(tag) :] or "(no suffix)") for f in found)[:120]
