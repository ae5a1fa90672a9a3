"""The `caunoi` command as users and scripts call it: JSON contracts and one-line errors."""

from __future__ import annotations

import csv
import io
import json

import pytest
from conftest import DEMO
from support.cli import caunoi, caunoi_process

DOCS = DEMO / "vi-news-unc" / "docs"


# the contract is the command's, not the backend's: one backend (ingesting the corpus on PostgreSQL is
# tests/test_search.py's), and the world articles of the demo corpus, which keeps the suite under its
# ten minutes
@pytest.mark.parametrize("settings", ["sqlite"], indirect=True)
def test_ingest_search_show_json_contract(settings, tmp_path):
    docs, bad = tmp_path / "docs", tmp_path / "bad"
    docs.mkdir()
    bad.mkdir()
    for path in sorted(DOCS.glob("news_world_*.txt")):
        (docs / path.name).write_bytes(path.read_bytes())
    (bad / "bad.jsonl").write_text('{"title": "x"}\nnot json\n', encoding="utf-8")
    out = json.loads(
        caunoi(settings, "ingest", str(docs / "news_world_001.txt"), str(docs), str(bad), "--json").stdout
    )
    # news_world_001 is named twice: read once
    assert (out["files"], out["added"], out["duplicates"], out["unchanged"]) == (31, 30, 0, 0)
    assert {s["reason"].split(":")[0] for s in out["skipped"]} == {"record has no text", "line 2"}

    hits = json.loads(caunoi(settings, "search", "Nagorno-Karabakh", "--json").stdout)
    assert hits and all({"id", "title", "published", "lang", "source"} <= set(h) for h in hits)
    assert hits[0]["published"] == "2020-10-01" and hits[0]["lang"] == "vi"

    art = json.loads(caunoi(settings, "show", str(hits[0]["id"]), "--json").stdout)
    assert {"id", "title", "text", "published", "lang", "source", "origin", "attribution", "dates"} <= set(
        art
    )
    assert art["origin"] == str(docs / "news_world_001.txt")
    assert art["enrichment_version"] >= 1 and isinstance(art["doc_refs"], list)  # ingest enriched it
    assert {"text", "date", "precision"} <= set(art["dates"][0])


def test_outputs_and_errors(demo_store):
    settings = demo_store.settings  # the demo corpus, ingested
    table = caunoi(settings, "search", "doi ngoai", "--limit", "3").stdout
    assert "đối ngoại" in table.lower()
    rows = list(csv.reader(io.StringIO(caunoi(settings, "search", "doi ngoai", "--csv").stdout)))
    assert rows[0][:3] == ["id", "published", "lang"] and len(rows) > 1
    stats = json.loads(caunoi(settings, "stats", "--json").stdout)
    assert stats["articles"] >= 290 and stats["backend"] == "sqlite"
    assert "dantri.com.vn" in caunoi(settings, "stats").stdout

    for args, message in [
        (("search", '"unclosed'), "error: bad query: a phrase is missing its closing quote"),
        (("search", "NOT"), "error: bad query:"),
        (("search", "x", "--from", "19/2/2024"), "error: --from must be a date like 2024-02-19"),
        (("show", "999999"), "error: no article with id 999999"),
    ]:
        proc = caunoi(settings, *args, check=False)
        assert proc.returncode != 0 and proc.stdout == ""
        lines = proc.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith(message), proc.stderr


@pytest.mark.postgres
def test_unreachable_database_is_one_line(tmp_path):
    from caunoi.config import Settings

    settings = Settings(
        data_dir=tmp_path, database_url="postgresql+psycopg://127.0.0.1:1/none?connect_timeout=2"
    )
    proc = caunoi_process(settings, "stats", check=False)
    assert proc.returncode == 2
    assert (
        proc.stderr.startswith("error: cannot open the store at")
        and len(proc.stderr.strip().splitlines()) == 1
    )


def test_watching_commands_and_their_errors(tmp_path):
    from caunoi.config import Settings

    settings = Settings(data_dir=tmp_path / "store")
    no_sources = caunoi(settings, "watch", "--once", check=False)
    assert no_sources.returncode == 2 and "no sources yet" in no_sources.stderr
    bad = caunoi(settings, "sources", "add", "X", "--home", "https://x.vn/", check=False)
    assert bad.returncode == 2 and "give at least one feed or sitemap" in bad.stderr
    assert len(bad.stderr.strip().splitlines()) == 1
    caunoi(settings, "sources", "add", "Báo X", "--home", "https://x.vn/", "--feed", "/rss/home.rss",
           "--origin", "domestic", "--lang", "vi")  # fmt: skip
    shown = json.loads(caunoi(settings, "sources", "show", "báo x", "--json").stdout)
    assert shown["feeds"] == ["https://x.vn/rss/home.rss"] and shown["listings"][0]["kind"] == "feed"
    status = json.loads(caunoi(settings, "sources", "status", "--json").stdout)
    assert status[0]["name"] == "Báo X" and status[0]["dead"] is False and status[0]["articles_per_day"] == 0
    (tmp_path / "bad.yaml").write_text("sources:\n  - name: Y\n    home: notaurl\n", encoding="utf-8")
    bad_file = caunoi(settings, "sources", "import", str(tmp_path / "bad.yaml"), check=False)
    assert bad_file.returncode == 2 and "bad.yaml entry 1: source 'Y'" in bad_file.stderr
    bad_url = caunoi(settings, "fetch", "ftp://x.vn/a", check=False)
    assert bad_url.returncode == 2 and "not an http(s) URL" in bad_url.stderr
    assert caunoi(settings, "sources", "remove", "nope", check=False).returncode == 2
    caunoi(settings, "sources", "remove", "Báo X")
    assert json.loads(caunoi(settings, "sources", "list", "--json").stdout) == []


def test_serve_refuses_a_store_it_cannot_open_in_one_line(tmp_path):
    from caunoi.config import Settings

    settings = Settings(data_dir=tmp_path, database_url="mysql://127.0.0.1:1/x")
    proc = caunoi_process(settings, "serve", "--port", "1", check=False)
    assert proc.returncode == 2 and proc.stdout == ""
    assert proc.stderr.strip().splitlines() == [
        "error: cannot open the store at 'mysql://127.0.0.1:1/x': unsupported database 'mysql': use "
        "sqlite:/// or postgresql+psycopg://"
    ]
