"""Snapshot what a user sees of a demo store, so that a behaviour-preserving change can be diffed.

    python tools/snapshot.py --store var/demo --out /tmp/snap-before
    … change the code …
    python tools/snapshot.py --store var/demo --out /tmp/snap-after
    diff -r /tmp/snap-before /tmp/snap-after

It works on a copy of the store (the original is left as it was) and records, one file each:
every `caunoi … --help`; the outputs, errors and exit codes of a set of commands (JSON and tables);
the OpenAPI description and a set of API answers; the HTML of each web page for an analyst (and the
administrator's pages), in Vietnamese and English, including pages that show a refusal. What changes
from run to run (CSRF tokens, today's timestamps, temporary paths) is masked, so two runs of the
same code give the same files.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from pathlib import Path

PASSWORD = "cau-noi-demo-2026"  # made by `make demo`
ADMIN_PASSWORD = "một câu mật khẩu quản trị dài"

TODAY = date.today().isoformat()
_MASKS = [
    (re.compile(r'name="csrf_token" value="[^"]+"'), 'name="csrf_token" value="…"'),
    (re.compile(r'"csrf": "[^"]+"'), '"csrf": "…"'),
    (re.compile(r'<meta name="csrf-token" content="[^"]+"'), '<meta name="csrf-token" content="…"'),
    (re.compile(r"cn_[A-Za-z0-9_\-]{20,}"), "cn_…"),
    (re.compile(rf"{TODAY}[T ]\d\d:\d\d(:\d\d(\.\d+)?)?(\+00:00)?"), "TODAY"),
    (re.compile(rf"{date.today():%d/%m/%Y} \d\d:\d\d"), "TODAY"),
    (re.compile(r" at 0x[0-9a-f]+"), " at 0x…"),  # a Python object's address, where one is shown
]

# (file name, arguments); each is run on the store copy, in this order
ASSIGN = ["cases", "assign", "1", "--unit", "BC-TTDN", "--by", "snap", "--deadline"]
FACT_SHEET = ["Lập trường về Biển Đông", "--body", "Việt Nam có đủ cơ sở pháp lý.", "--tag", "bien-dong"]
COMMANDS: list[tuple[str, list[str]]] = [
    ("stats.json", ["stats", "--json"]),
    ("stats.txt", ["stats"]),
    ("search-doi-ngoai.txt", ["search", "doi ngoai", "--limit", "5"]),
    ("search-doi-ngoai.json", ["search", "doi ngoai", "--limit", "5", "--json"]),
    ("search-doi-ngoai.csv", ["search", "doi ngoai", "--limit", "5", "--csv"]),
    ("search-bien-dong-exact.json", ["search", '"Biển Đông"', "--exact", "--sort", "date", "--json"]),
    ("search-filters.json", ["search", "--country", "CN", "--tone-max", "-1", "--json"]),
    ("search-doc-ref.json", ["search", "--doc-ref", "Nghị định số 116/2020/NĐ-CP", "--json"]),
    ("search-entity.json", ["search", "--entity", "Bộ Ngoại giao", "--limit", "5", "--json"]),
    ("search-event.json", ["search", "--event-type", "hop_bao", "--country", "US", "--json"]),
    ("search-bad-query.txt", ["search", 'Dang AND (ASEAN OR "Liên Hợp Quốc"']),
    ("search-bad-date.txt", ["search", "x", "--from", "19/2/2024"]),
    ("search-bad-country.txt", ["search", "--country", "Atlantis"]),
    ("search-nothing.txt", ["search"]),
    ("show-1.json", ["show", "1", "--json"]),
    ("show-1.txt", ["show", "1"]),
    ("show-54.json", ["show", "54", "--json"]),
    ("show-156.json", ["show", "156", "--json"]),
    ("show-295.json", ["show", "295", "--json"]),
    ("show-600.json", ["show", "600", "--json"]),
    ("show-missing.txt", ["show", "999999"]),
    ("stories.txt", ["stories", "--since", "2021-04-28", "--min-articles", "2", "--limit", "8"]),
    ("stories.json", ["stories", "--since", "2021-04-28", "--min-articles", "2", "--limit", "8", "--json"]),
    ("story-missing.txt", ["story", "999999"]),
    ("brief.json", ["brief", "--since", "24h", "--at", "2021-04-30T08:00", "--json"]),
    ("brief-en.json", ["brief", "--since", "24h", "--at", "2021-04-30T08:00", "--lang", "en", "--json"]),
    ("alerts-rules.json", ["alerts", "rules", "--json"]),
    ("alerts-list.json", ["alerts", "list", "--json"]),
    ("alerts-show-1.json", ["alerts", "show", "1", "--json"]),
    ("alerts-show-1.txt", ["alerts", "show", "1"]),
    ("alerts-rule-bad.txt", ["alerts", "rule-add", "x", "--kind", "nonsense", "--query", "covid"]),
    ("sources-list.json", ["sources", "list", "--json"]),
    ("sources-status.json", ["sources", "status", "--json"]),
    ("sources-show-1.txt", ["sources", "show", "1"]),
    ("units-add.txt", ["units", "add", "BC-TTDN", "Ban Chỉ đạo", "--by", "snap"]),
    ("units-add-mission.txt", ["units", "add", "DSQ-PARIS", "ĐSQ Paris", "--kind", "mission", "--by", "x"]),
    ("units-list.json", ["units", "list", "--json"]),
    ("cases-new.txt", ["cases", "new", "--alert", "1", "--by", "snap"]),
    ("cases-new-again.txt", ["cases", "new", "--alert", "1", "--by", "snap"]),
    ("cases-assign-bad.txt", [*ASSIGN, "soon"]),
    ("cases-assign.txt", [*ASSIGN, "2030-01-01"]),
    ("cases-missing.txt", ["cases", "show", "999"]),
    ("cases-list.json", ["cases", "list", "--json"]),
    ("factsheets-add.txt", ["factsheets", "add", *FACT_SHEET, "--by", "snap"]),
    ("factsheets-list.json", ["factsheets", "list", "--json"]),
    ("factsheets-search.json", ["factsheets", "search", "bien dong", "--json"]),
    ("users-list.json", ["users", "list", "--json"]),
    ("users-bad-role.txt", ["users", "role", "analyst", "emperor", "--by", "snap"]),
    ("version.txt", ["version"]),
    ("no-command.txt", []),
]

# web pages an analyst opens, in each language; "POST" entries are forms sent from the page
PAGES = [
    "/",
    "/search?q=doi+ngoai",
    "/search?q=%22Bi%E1%BB%83n+%C4%90%C3%B4ng%22&exact=1&sort=date",
    "/search?q=&country=CN&tone_max=-1",
    "/search?q=%22unclosed",
    "/search?q=x&from=19%2F2%2F2024",
    "/search?q=&country=Atlantis",
    "/searches",
    "/articles/1",
    "/articles/54",
    "/articles/999999",
    "/articles/abc",
    "/stories",
    "/stories/STORY",
    "/stories/999999",
    "/alerts",
    "/alerts?state=new",
    "/cases",
    "/cases/1",
    "/cases/999",
    "/factsheets",
    "/factsheets?q=bien+dong",
    "/factsheets/new",
    "/factsheets/1",
    "/sources",
    "/no-such-page",
]
ADMIN_PAGES = ["/sources"]
API = [
    "/api/v1/openapi.json",
    "/api/v1/search?q=doi+ngoai&limit=5",
    "/api/v1/search?q=%22unclosed",
    "/api/v1/search?q=&country=CN&tone_max=-1&limit=5",
    "/api/v1/search?q=x&from=19/2/2024",
    "/api/v1/search/export?q=doi+ngoai&limit=5&format=csv",
    "/api/v1/search/export?q=doi+ngoai&limit=5&format=json",
    "/api/v1/articles/1",
    "/api/v1/articles/999999",
    "/api/v1/stories?limit=5",
    "/api/v1/stories/STORY",
    "/api/v1/stories?cursor=nonsense",
    "/api/v1/dashboard",
    "/api/v1/sources",
    "/api/v1/alerts",
    "/api/v1/cases",
    "/api/v1/cases/1",
    "/api/v1/factsheets",
    "/api/v1/factsheets/1",
    "/api/v1/saved-searches",
]


def mask(text: str, *paths: str) -> str:
    for pattern, replacement in _MASKS:
        text = pattern.sub(replacement, text)
    for path in paths:
        text = text.replace(path, "STORE")
    return text


def safe_name(path: str) -> str:
    return re.sub(r"[^A-Za-z0-9._=-]+", "_", path.strip("/")) or "root"


def run_cli(args: list[str], env: dict[str, str]) -> str:
    proc = subprocess.run(
        [sys.executable, "-m", "caunoi", *args], env=env, capture_output=True, text=True, timeout=600
    )
    said = f"--- stdout\n{proc.stdout}--- stderr\n{proc.stderr}"
    return f"$ caunoi {' '.join(args)}\n--- exit {proc.returncode}\n{said}"


def command_paths() -> list[list[str]]:
    """Every command and group of `caunoi`, as argument lists."""
    import typer.main

    from caunoi.cli import app

    found: list[list[str]] = []

    def walk(command, path: list[str]) -> None:  # a click (or typer's own click) command
        found.append(path)
        if hasattr(command, "commands"):
            for name in sorted(command.commands):
                walk(command.commands[name], [*path, name])

    walk(typer.main.get_command(app), [])
    return found


def snapshot_cli(out: Path, env: dict[str, str], store: str) -> None:
    helps = out / "help"
    helps.mkdir(parents=True)
    paths = command_paths()
    with ThreadPoolExecutor(2) as pool:
        texts = list(pool.map(lambda p: run_cli([*p, "--help"], env), paths))
    for path, text in zip(paths, texts, strict=True):
        (helps / ("caunoi" + "".join(f"-{p}" for p in path) + ".txt")).write_text(mask(text, store))
    runs = out / "cli"
    runs.mkdir()
    for name, args in COMMANDS:  # in order: some change the store (a unit, a case, a fact sheet)
        (runs / name).write_text(mask(run_cli(args, env), store))


def snapshot_web(out: Path, data: Path) -> None:
    from fastapi.testclient import TestClient

    from caunoi.app import create_app
    from caunoi.config import load_settings

    settings = load_settings(env={"CAUNOI_DATA": str(data)})
    app = create_app(settings)
    pages = out / "pages"
    pages.mkdir()
    api = out / "api"
    api.mkdir()
    with TestClient(app, base_url="https://testserver") as browser:
        login = browser.get("/login")
        (pages / "login.html").write_text(mask(login.text, str(data)))
        token = re.search(r'name="csrf_token" value="([^"]+)"', login.text)[1]
        form = {"username": "analyst", "password": PASSWORD, "csrf_token": token, "next": "/"}
        assert browser.post("/login", data=form, follow_redirects=False).status_code == 303
        story = str(browser.get("/api/v1/stories?limit=1").json()["items"][0]["id"])
        for lang in ("vi", "en"):
            browser.get(f"/lang/{lang}?next=/")
            for path in PAGES:
                page = browser.get(path.replace("STORY", story), follow_redirects=False)
                body = f"--- {page.status_code} {page.headers.get('content-type', '')}\n{page.text}"
                (pages / f"{lang}-{safe_name(path)}.html").write_text(mask(body, str(data)))
            # refusals a form gets back: a bad deadline on a case, an empty fact sheet
            csrf = re.search(r'name="csrf_token" value="([^"]+)"', browser.get("/cases/1").text)[1]
            for name, path, fields in [
                ("assign-bad-deadline", "/cases/1/assign", {"unit": "BC-TTDN", "deadline": "soon"}),
                ("factsheet-empty", "/factsheets/new", {"title": "", "body": ""}),
            ]:
                page = browser.post(path, data={**fields, "csrf_token": csrf}, follow_redirects=False)
                body = f"--- {page.status_code}\n{page.text}"
                (pages / f"{lang}-post-{name}.html").write_text(mask(body, str(data)))
        browser.get("/lang/vi?next=/")
        for path in API:
            answer = browser.get(path.replace("STORY", story))
            kind = answer.headers.get("content-type", "")
            text = answer.text
            if kind.startswith("application/json"):
                text = json.dumps(answer.json(), ensure_ascii=False, indent=1, sort_keys=True)
            (api / safe_name(path)).write_text(mask(f"--- {answer.status_code} {kind}\n{text}", str(data)))
    with TestClient(app, base_url="https://testserver") as browser:
        token = re.search(r'name="csrf_token" value="([^"]+)"', browser.get("/login").text)[1]
        form = {"username": "snapadmin", "password": ADMIN_PASSWORD, "csrf_token": token, "next": "/"}
        assert browser.post("/login", data=form, follow_redirects=False).status_code == 303
        for path in ADMIN_PAGES:
            page = browser.get(path, follow_redirects=False)
            (pages / f"admin-{safe_name(path)}.html").write_text(mask(f"--- {page.status_code}\n{page.text}"))
    app.state.service.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--store", type=Path, required=True, help="a `make demo` store (left as it is)")
    parser.add_argument("--out", type=Path, required=True, help="an empty or new folder for the snapshot")
    args = parser.parse_args()
    if args.out.exists() and any(args.out.iterdir()):
        parser.error(f"{args.out} is not empty")
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "store"
        shutil.copytree(args.store, data, ignore=shutil.ignore_patterns("*.lock", "*-wal", "*-shm"))
        env = {**os.environ, "CAUNOI_DATA": str(data), "COLUMNS": "120", "NO_COLOR": "1", "TERM": "dumb"}
        for var in ("CAUNOI_DATABASE_URL", "CAUNOI_CONFIG", "CAUNOI_USER"):
            env.pop(var, None)
        snapshot_cli(args.out, env, str(data))
        subprocess.run(
            [sys.executable, "-m", "caunoi", "users", "add", "snapadmin", "--role", "admin",
             "--password-stdin", "--by", "snap"],
            input=ADMIN_PASSWORD, env=env, check=True, capture_output=True, text=True,
        )  # fmt: skip
        os.environ.update({k: v for k, v in env.items() if k.startswith("CAUNOI_")})
        snapshot_web(args.out, data)
    print(f"snapshot written to {args.out}")


if __name__ == "__main__":
    main()
