"""Ingesting every kind of local input, and every kind of bad input, on both backends."""

from __future__ import annotations

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


def test_same_input_twice_adds_nothing_and_duplicates_are_stored_once(service, tmp_path):
    first = service.ingest([DEMO / "vi-news-unc" / "docs"])
    again = service.ingest([DEMO / "vi-news-unc" / "docs"])
    assert first.added >= 290 and again.added == 0 and again.unchanged == first.added + first.duplicates
    copy = tmp_path / "copy.txt"
    copy.write_bytes(VI_DOC.read_bytes().replace(b"# doc_id = news_world_001", b"# doc_id = elsewhere"))
    dup = service.ingest([copy])
    assert (dup.added, dup.duplicates) == (0, 1)
    hit = next(a for a in (service.article(i) for i in range(1, 400)) if a and a.origin == str(VI_DOC))
    assert [o["origin"] for o in hit.origins] == [str(VI_DOC), str(copy)]
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
