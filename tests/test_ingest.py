"""Ingesting every kind of local input, and every kind of bad input, on both backends."""

from __future__ import annotations

import dataclasses
import gzip
import io
import json
from pathlib import Path

from conftest import DEMO
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from caunoi.models import Article
from caunoi.service import Service

HTML_PAGES = sorted((DEMO / "article-extraction-benchmark" / "html").glob("*.html.gz"))
TRUTH = json.loads((DEMO / "article-extraction-benchmark" / "ground-truth.json").read_text())
VI_DOC = DEMO / "vi-news-unc" / "docs" / "news_world_001.txt"


def page(i: int) -> bytes:
    return gzip.decompress(HTML_PAGES[i].read_bytes())


def by_origin(service: Service, needle: str) -> Article:
    hits = [a for a in (service.article(i) for i in range(1, 200)) if a and needle in a.origin]
    assert hits, f"no article from {needle}"
    return hits[0]


def test_txt_with_header_lines(service, tmp_path):
    summary = service.ingest([VI_DOC])
    assert (summary.added, summary.skipped) == (1, [])
    art = service.article(1)
    assert art.title.startswith("Đại sứ Azerbaijan thông tin")
    assert art.text.startswith("Chiều ngày 1/10, Đại sứ Azerbaijan Anar Imanov")
    assert art.url.startswith("https://dantri.com.vn/the-gioi/")
    assert art.source == "dantri.com.vn" and art.category == "world" and art.lang == "vi"
    assert art.published.isoformat() == "2020-10-01T00:00:00"
    assert art.event_date.isoformat() == "2020-10-01"
    origin = art.origins[0]
    assert origin["origin"] == str(VI_DOC) and len(origin["raw_hash"]) == 64 and origin["ingested_at"]


def test_html_pages_with_trafilatura(service, tmp_path):
    summary = service.ingest(HTML_PAGES[:5])
    assert summary.added == 5 and not summary.skipped
    art = by_origin(service, HTML_PAGES[0].name)
    truth = TRUTH[HTML_PAGES[0].name.split(".")[0]]["articleBody"]
    assert art.lang == "en" and art.title
    # the first sentence of the hand-checked body is in the extracted text
    assert truth.split(". ")[0][:60] in art.text.replace("\n", " ")


def test_json_jsonl_and_csv_by_field_mapping(service, tmp_path):
    (tmp_path / "one.json").write_text(
        json.dumps(
            {
                "headline": "Hà Nội đón đoàn khách quốc tế",
                "body": "Sáng 5/7, Hà Nội đón hơn 200 khách.",
                "link": "https://vnexpress.net/a.html",
                "datePublished": "2024-07-05T09:00:00+07:00",
                "section": "du lịch",
                "extra_field": 7,
            },
            ensure_ascii=False,
        ),
        encoding="utf-8",
    )
    (tmp_path / "many.jsonl").write_text(
        '{"title": "A", "text": "Hội nghị ngoại giao diễn ra tại Hà Nội hôm 30/9.", "date": "2023-10-02"}\n'
        "{this is not json\n"
        '{"title": "B", "content": "Thủ tướng tiếp Đại sứ Nhật Bản chiều 1/10.", "date": "2023-10-02"}\n'
        '["a list"]\n',
        encoding="utf-8",
    )
    (tmp_path / "rows.csv").write_text(
        "Title,Text,URL,Published,Source\n"
        'Gặp mặt kiều bào,"Tối 20/1, Bộ Ngoại giao gặp mặt kiều bào.",https://x.vn/1,20/01/2024,TTXVN\n'
        "Trống,,https://x.vn/2,2024-01-21,TTXVN\n",
        encoding="utf-8",
    )
    (tmp_path / "nocol.csv").write_text("title,url\nA,https://x.vn\n", encoding="utf-8")
    summary = service.ingest([tmp_path])
    assert summary.added == 4
    reasons = {Path(s["origin"]).name: s["reason"] for s in summary.skipped}
    assert "invalid JSON" in reasons["many.jsonl#L2"]
    assert "not an article object" in reasons["many.jsonl#L4"]
    assert "no text" in reasons["rows.csv#L3"]
    assert "CSV has no text column" in reasons["nocol.csv"]
    one = by_origin(service, "one.json")
    assert (one.title, one.source, one.category) == (
        "Hà Nội đón đoàn khách quốc tế",
        "vnexpress.net",
        "du lịch",
    )
    assert one.published.isoformat() == "2024-07-05T09:00:00" and one.meta["extra_field"] == 7
    row = by_origin(service, "rows.csv#L2")
    assert row.published.date().isoformat() == "2024-01-20" and row.source == "TTXVN"
    assert row.dates[0]["date"] == "2024-01-20"


def _warc(path: Path, pages: list[bytes]) -> None:
    with open(path, "wb") as fh:
        writer = WARCWriter(fh, gzip=True)
        for i, html in enumerate(pages):
            headers = StatusAndHeaders(
                "200 OK", [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1"
            )
            record = writer.create_warc_record(
                f"https://news.example.org/{i}.html",
                "response",
                payload=io.BytesIO(html),
                http_headers=headers,
            )
            writer.write_record(record)


def test_warc_and_truncated_warc(service, tmp_path):
    pages = [page(i) for i in range(3)]
    _warc(tmp_path / "crawl.warc.gz", pages)
    whole = (tmp_path / "crawl.warc.gz").read_bytes()
    broken = tmp_path / "broken" / "cut.warc.gz"
    broken.parent.mkdir()
    _warc(broken, [page(i) for i in range(3, 6)])
    data = broken.read_bytes()
    broken.write_bytes(data[: len(data) - len(data) // 5])  # cut inside the last record
    summary = service.ingest([tmp_path])
    assert summary.added >= 5, summary.to_json()
    assert any("truncated or damaged WARC after 2 records" in s["reason"] for s in summary.skipped)
    assert by_origin(service, "crawl.warc.gz#https://news.example.org/0.html").url == (
        "https://news.example.org/0.html"
    )
    assert whole


def test_bad_files_are_reported_and_the_rest_is_stored(service, tmp_path):
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "blank.html").write_bytes(b"   \n\n")
    (tmp_path / "image.txt").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 40)
    big = tmp_path / "huge.txt"
    with open(big, "wb") as fh:
        fh.write(("Một dòng văn bản rất dài. " * 40 + "\n").encode() * 37_000)  # ≈ 50 MiB
    (tmp_path / "notes.docx").write_bytes(b"PK\x03\x04")
    (tmp_path / "ok.txt").write_text("Tiêu đề\nNội dung bài viết về đối ngoại.", encoding="utf-8")
    (tmp_path / "dangling.txt").symlink_to(tmp_path / "gone.txt")
    (tmp_path / "title-only.txt").write_text("Chỉ có tiêu đề\n", encoding="utf-8")
    summary = service.ingest([tmp_path])
    reasons = {Path(s["origin"]).name: s["reason"] for s in summary.skipped}
    assert summary.added == 1
    assert reasons["dangling.txt"].startswith("cannot read: FileNotFoundError")
    assert reasons["title-only.txt"].startswith("no article text")
    assert reasons["empty.txt"] == "empty file" and reasons["blank.html"] == "empty file"
    assert "binary" in reasons["image.txt"].lower()
    size = big.stat().st_size / 2**20
    assert reasons["huge.txt"] == (
        f"file too large ({size:.1f} MiB > 20 MiB); raise CAUNOI_MAX_FILE_BYTES to read it"
    )
    assert "not a supported file type (.docx)" in reasons["notes.docx"]


def test_wrong_declared_charset_and_legacy_encodings(service, tmp_path):
    text = "Bộ Ngoại giao Việt Nam tổ chức họp báo thường kỳ về tình hình Biển Đông."
    # declared utf-8, really windows-1258 (decomposed tone marks): the declaration is wrong
    html = (
        f'<html><head><meta charset="utf-8"><title>Họp báo</title></head><body><article><p>{text}</p>'
        f"<p>{text} Phát biểu tại buổi họp báo.</p></article></body></html>"
    )
    from caunoi.text.encoding import encode_legacy

    (tmp_path / "lie.html").write_bytes(encode_legacy(html, "cp1258"))
    (tmp_path / "vni.txt").write_bytes(encode_legacy("Họp báo\n" + text, "vni-windows"))
    (tmp_path / "tcvn3.txt").write_bytes(encode_legacy("Họp báo thường kỳ\n" + text + " Lần hai.", "tcvn3"))
    mixed = (
        ("Họp báo\n" + text + " Đại diện ").encode()
        + "Société Générale".encode("cp1252")
        + " phát biểu.".encode()
    )
    (tmp_path / "mixed.txt").write_bytes(mixed)
    summary = service.ingest([tmp_path])
    assert summary.added == 4, summary.to_json()
    assert "Đại diện Société Générale phát biểu." in by_origin(service, "mixed.txt").text
    for name in ("lie.html", "vni.txt", "tcvn3.txt", "mixed.txt"):
        art = by_origin(service, name)
        assert text in art.text, (name, art.text, art.encoding)


def test_same_input_twice_adds_nothing_and_duplicates_are_stored_once(settings, tmp_path):
    # the thirty world articles of the demo corpus, written ten to a transaction: what a second run
    # finds, and where, does not depend on how many there are
    docs = tmp_path / "docs"
    docs.mkdir()
    for path in sorted(VI_DOC.parent.glob("news_world_*.txt")):
        (docs / path.name).write_bytes(path.read_bytes())
    with Service(dataclasses.replace(settings, batch_size=10)) as service:
        first = service.ingest([docs])
        again = service.ingest([docs])
        assert first.added == 30 and again.added == 0 and again.unchanged == first.added + first.duplicates
        original = docs / VI_DOC.name
        copy = tmp_path / "copy.txt"
        copy.write_bytes(original.read_bytes().replace(b"# doc_id = news_world_001", b"# doc_id = elsewhere"))
        dup = service.ingest([copy])
        assert (dup.added, dup.duplicates) == (0, 1)
        hit = next(a for a in (service.article(i) for i in range(1, 400)) if a and a.origin == str(original))
        assert [o["origin"] for o in hit.origins] == [str(original), str(copy)]
        assert service.stats()["articles"] == first.added


def test_txt_starting_with_a_sapo_or_caption_keeps_it_as_body(service):
    sapo_first = DEMO / "vi-news-unc" / "docs" / "news_world_046.txt"
    service.ingest([sapo_first])
    art = service.article(1)
    # line 4 there is a photo caption, line 5 the sapo: both are body, the title comes from the sapo
    assert art.text.startswith("Ngoại trưởng Australia Marise Payne (Ảnh: Straits Times).\nNgoại trưởng")
    assert art.title.startswith("Ngoại trưởng Australia Marise Payne ngày 21/4 thông báo")
    assert art.meta["title_from"] == "lead" and art.event_date.isoformat() == "2021-04-21"


def test_an_oversized_record_is_skipped_with_its_size(tmp_path):
    from caunoi.config import Settings

    (tmp_path / "in").mkdir()
    big = "Một câu dài về đối ngoại. " * 100
    (tmp_path / "in" / "rows.jsonl").write_text(
        json.dumps({"title": "lớn", "text": big}, ensure_ascii=False)
        + "\n"
        + json.dumps({"title": "nhỏ", "text": "Bài ngắn."}, ensure_ascii=False)
        + "\n",
        encoding="utf-8",
    )
    with Service(Settings(data_dir=tmp_path / "store", max_record_chars=1000)) as service:
        summary = service.ingest([tmp_path / "in"])
    assert summary.added == 1
    assert summary.skipped[0]["reason"] == f"article too long ({len(big):,} characters > 1,000)"


def test_tsv_gz_is_read_with_tabs(service, tmp_path):
    rows = (
        "title\ttext\tdate\nHọp báo\tNgười phát ngôn trả lời câu hỏi của phóng viên sáng 7/3.\t2024-03-07\n"
    )
    (tmp_path / "rows.tsv.gz").write_bytes(gzip.compress(rows.encode()))
    summary = service.ingest([tmp_path])
    assert (summary.added, summary.skipped) == (1, [])
    assert service.article(1).dates[0]["date"] == "2024-03-07"


# -- bad input never stops an ingest (issue 14) ---------------------------------------------------


def _raw_warc(
    body: bytes, headers: str, http: str = "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n"
) -> bytes:
    """A WARC response record written by hand, so its headers can be wrong."""
    payload = http.encode() + b"\r\n" + body
    return (
        b"WARC/1.0\r\nWARC-Type: response\r\nWARC-Record-ID: <urn:uuid:1>\r\n"
        + headers.replace("{len}", str(len(payload))).encode()
        + b"\r\n"
        + payload
        + b"\r\n\r\n"
    )


def _poison(folder: Path) -> dict[str, str]:
    """One file of each kind that stopped an ingest before, named to be read first; what the summary
    must say of each one it skips (a reason's start), or "stored" for one kept with its text made
    storable."""
    folder.mkdir(parents=True)
    text = VI_DOC.read_text(encoding="utf-8").split("\n", 6)[-1][:600]  # a real article's body
    record = {"title": "Tin có ký tự lạ", "text": text}
    data = bytearray(gzip.compress(("Tiêu đề\n" + text).encode()))
    data[30:50] = bytes(b ^ 0x5A for b in data[30:50])  # corrupt deflate data
    (folder / "00-deflate.txt.gz").write_bytes(bytes(data))
    (folder / "01-surrogate.json").write_text(json.dumps(record | {"title": "Tin \ud800"}), encoding="utf-8")
    (folder / "02-deep.json").write_text("[" * 1000 + "]" * 1000, encoding="utf-8")
    big = json.dumps(record | {"text": "Số lớn. " + text})[:-1] + ', "views": ' + "9" * 5000 + "}"
    (folder / "03-bigint.json").write_text(big, encoding="utf-8")
    (folder / "04-url.json").write_text(
        json.dumps(record | {"text": "Địa chỉ. " + text, "url": "http://[::1"})
    )
    page = (f"<html><body><article><p>{text}</p></article></body></html>").encode()
    target = "WARC-Target-URI: https://news.example.org/a.html\r\n"
    (folder / "05-no-target.warc").write_bytes(_raw_warc(page, "Content-Length: {len}\r\n"))
    (folder / "06-bad-length.warc").write_bytes(_raw_warc(page, target + "Content-Length: 12\r\n"))
    brotli = "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Encoding: br\r\n"
    (folder / "07-brotli.warc").write_bytes(_raw_warc(page, target + "Content-Length: {len}\r\n", brotli))
    (folder / "08-nul.txt").write_text("Tin có NUL\nTXT. " + text.replace(" ", " \x00", 1), encoding="utf-8")
    nul = json.dumps(record | {"text": "NUL. " + text.replace(" ", "\x00 ", 1), "source": "TT\x00XVN"})
    (folder / "09-nul.json").write_text(nul, encoding="utf-8")
    (folder / "10-nul.csv").write_text(f'title,text\nTin,"CSV. {text}\x00"\n', encoding="utf-8")
    return {
        "00-deflate.txt.gz": "cannot read: error: Error -3 while decompressing data",
        "01-surrogate.json": "stored",
        "02-deep.json": "JSON nested too deep",
        "03-bigint.json": "stored",
        "04-url.json": "stored",
        "05-no-target.warc#<urn:uuid:1>": "WARC record without WARC-Target-URI",
        "06-bad-length.warc": "truncated or damaged WARC after 0 records",
        "07-brotli.warc#https://news.example.org/a.html": "cannot decode the record (Content-Encoding: br)",
        "08-nul.txt": "stored",
        "09-nul.json": "stored",
        "10-nul.csv#L2": "stored",
    }


def test_one_bad_file_cannot_stop_an_ingest(service, tmp_path):
    """Each kind of file that aborted `caunoi ingest` is skipped with its reason, or stored with the
    characters no store takes made storable; the good articles are stored, enriched and clustered."""
    expected = _poison(tmp_path / "in" / "0-bad")
    good = sorted((DEMO / "vi-news-unc" / "docs").glob("news_world_0[0-1]*.txt"))
    for path in good:
        (tmp_path / "in" / path.name).write_bytes(path.read_bytes())
    summary = service.ingest([tmp_path / "in"])
    reasons = {s["origin"].split("/0-bad/")[-1]: s["reason"] for s in summary.skipped}
    for name, outcome in expected.items():
        assert outcome == "stored" or name in reasons, (name, reasons)
        if outcome == "stored":
            assert name not in reasons, reasons[name]
        else:
            assert reasons[name].startswith(outcome), (name, reasons[name])
    stored = sum(1 for outcome in expected.values() if outcome == "stored")
    assert summary.added + summary.duplicates == len(good) + stored, summary.to_json()
    assert summary.enriched == summary.added and summary.stories["clustered"] > 0
    assert summary.skipped_count == len(summary.skipped) == len(expected) - stored

    surrogate = by_origin(service, "01-surrogate.json")
    assert surrogate.title == "Tin \ufffd"
    nul = by_origin(service, "09-nul.json")
    assert "\x00" not in nul.text and nul.text.startswith("NUL. ") and nul.source == "TTXVN"
    assert "\x00" not in by_origin(service, "08-nul.txt").text
    odd = by_origin(service, "04-url.json")
    assert odd.url is None and odd.meta["url_given"] == "http://[::1"
    assert by_origin(service, "03-bigint.json").meta["views"] == "9" * 5000


def test_a_value_the_database_refuses_costs_only_its_own_article(service):
    """Were a value to reach the store that the database refuses (PostgreSQL: a NUL), the batch is
    written one article at a time and only that article comes back refused."""
    from datetime import datetime

    from caunoi.models import Doc

    def doc(i: int, text: str) -> Doc:
        return Doc(
            origin=f"x#{i}", format="json", ingested_at=datetime.now(), text=text, content_hash=f"{i:064d}"
        )

    result = service.articles.write_batch([doc(1, "Bài một"), doc(2, "Bài\x00 hai"), doc(3, "Bài ba")])
    if service.engine.dialect.name == "postgresql":
        assert result.added == 2 and [d.origin for d in result.refused] == ["x#2"]
        assert "NUL" in result.refused[0].skip_reason
    else:  # SQLite keeps a NUL: the pipeline strips it before, on both backends alike
        assert result.added == 3 and not result.refused


def test_fifos_sockets_and_devices_are_skipped_not_waited_for(service, tmp_path):
    import os
    import socket

    (tmp_path / "in").mkdir()
    os.mkfifo(tmp_path / "pipe")
    (tmp_path / "in" / "to-fifo.txt").symlink_to(tmp_path / "pipe")
    os.mkfifo(tmp_path / "in" / "fifo.json")
    (tmp_path / "in" / "zero.jsonl").symlink_to("/dev/zero")
    sock = socket.socket(socket.AF_UNIX)
    sock.bind(str(tmp_path / "in" / "sock.txt"))
    sock.close()
    (tmp_path / "in" / "ok.txt").write_text("Tiêu đề\nNội dung bài viết về đối ngoại.", encoding="utf-8")
    summary = service.ingest([tmp_path / "in"])
    reasons = {Path(s["origin"]).name: s["reason"] for s in summary.skipped}
    assert summary.added == 1
    assert reasons == {
        "to-fifo.txt": "not a regular file: a FIFO (named pipe)",
        "fifo.json": "not a regular file: a FIFO (named pipe)",
        "zero.jsonl": "not a regular file: a character device",
        "sock.txt": "not a regular file: a socket",
    }


def test_json_lists_and_lines_are_read_one_record_at_a_time(service, tmp_path):
    """A list's items and a JSONL file's lines are read one by one: a record after a broken one is
    kept, a JSON string may hold U+2028, and a list that breaks off keeps what came before."""
    (tmp_path / "in").mkdir()
    lines = [
        {"title": "Một", "text": "Hội nghị ngoại giao diễn ra tại Hà Nội hôm 30/9.\u2028Dòng hai."},
        {"title": "Hai", "text": "Thủ tướng tiếp Đại sứ Nhật Bản chiều 1/10."},
    ]
    (tmp_path / "in" / "a.jsonl").write_text(
        "\n".join(json.dumps(r, ensure_ascii=False) for r in lines), encoding="utf-8"
    )
    items = json.dumps({"articles": [{"text": "Bộ Ngoại giao họp báo thường kỳ chiều 5/7."}, {}]})
    (tmp_path / "in" / "b.json").write_text(items[:-2] + ", [[[", encoding="utf-8")  # broken off
    (tmp_path / "in" / "c.json").write_text("[]", encoding="utf-8")
    summary = service.ingest([tmp_path / "in"])
    reasons = {Path(s["origin"]).name: s["reason"] for s in summary.skipped}
    assert summary.added == 3, summary.to_json()
    assert reasons["b.json#1"].startswith("record has no text")
    assert (
        reasons["b.json"].startswith("invalid JSON at line 1")
        and "the 2 items before it" in reasons["b.json"]
    )
    assert reasons["c.json"] == "no article in this file"
    assert "Dòng hai" in by_origin(service, "a.jsonl#L1").text


def test_a_summary_stays_small_whatever_the_number_of_bad_records(tmp_path):
    """Millions of bad records (a 122 KB .jsonl.gz of 40 million `{}` ran to a MemoryError): counted,
    the first reasons kept, and the memory of the ingest does not grow with them."""
    import subprocess
    import sys

    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.jsonl.gz").write_bytes(gzip.compress(b"{}\n" * 20))
    (tmp_path / "more").mkdir()
    records = 300_000
    (tmp_path / "more" / "b.jsonl.gz").write_bytes(gzip.compress(b"{}\n" * records))
    child = f"""
import json, resource
from pathlib import Path
from caunoi.config import Settings
from caunoi.service import Service
with Service(Settings(data_dir=Path({str(tmp_path / "store")!r}))) as service:
    service.ingest([Path({str(tmp_path / "in")!r})])  # everything an ingest loads, loaded
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    summary = service.ingest([Path({str(tmp_path / "more")!r})])
    grown = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before
print(json.dumps({{"grown_kib": grown, "summary": summary.to_json()}}))
"""
    proc = subprocess.run([sys.executable, "-c", child], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout)
    summary = result["summary"]
    assert summary["skipped_count"] == records and len(summary["skipped"]) == 1000
    assert summary["skipped"][0]["reason"].startswith("record has no text")
    # 300,000 skipped records kept cost about 100 MB; read and counted, a few MB of text
    assert result["grown_kib"] < 30_000, result["grown_kib"]


def test_the_cli_shows_odd_file_names_as_they_are_and_counts_what_it_does_not_list(settings, tmp_path):
    from support.cli import caunoi

    (tmp_path / "in" / "[bold]").mkdir(parents=True)
    (tmp_path / "in" / "[bold]" / "[notastyle]x.txt").write_bytes(b"")
    (tmp_path / "in" / "rows.jsonl").write_text("{}\n" * 30, encoding="utf-8")
    (tmp_path / "in" / "caf\udce9.txt").write_text("Tiêu đề\nNội dung bài viết về đối ngoại.")
    proc = caunoi(settings, "ingest", str(tmp_path / "in"))
    assert "1 added" in proc.stdout and "31 skipped" in proc.stdout
    assert "skipped " + str(tmp_path / "in" / "[bold]" / "[notastyle]x.txt") + ": empty file" in proc.stdout
    assert "… and 11 more (use --json for all)" in proc.stdout
    data = json.loads(caunoi(settings, "ingest", str(tmp_path / "in"), "--json").stdout)
    assert data["unchanged"] == 1 and data["skipped_count"] == 31


def test_an_article_enrichment_fails_on_costs_that_article_only(service, tmp_path, monkeypatch):
    """A stage raising on one article stopped the whole enrichment, so the ingest ended with a
    traceback after storing, and every later ingest or watch round failed on the same article."""
    from caunoi.enrich import stage

    real = stage.find_events

    def fragile(text, published=None):
        if "Ngoại giao" in text:  # not every article: one strange text among good ones
            raise ValueError("a stage met a text it cannot read")
        return real(text, published)

    monkeypatch.setattr(stage, "find_events", fragile)
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "odd.txt").write_text("Tin lạ\n\nBộ Ngoại giao họp báo thường kỳ chiều nay.\n")
    for path in sorted((DEMO / "vi-news-unc" / "docs").glob("news_world_0*.txt"))[:8]:
        if "Ngoại giao" not in path.read_text(encoding="utf-8"):
            (folder / path.name).write_bytes(path.read_bytes())
    good = len(list(folder.glob("news_*.txt")))
    assert good >= 3
    summary = service.ingest([folder])
    assert summary.added == good + 1 and summary.enriched == good + 1, summary.to_json()
    odd = service.enrichments.get(by_origin(service, "odd.txt").id)
    assert odd is not None and odd["error"].startswith("ValueError: a stage met a text")
    assert odd["entities"] == [] and service.enrich_todo() == 0  # not retried run after run
    assert summary.stories["clustered"] == good + 1
