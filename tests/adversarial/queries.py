"""Hostile search queries (issue 14, item 4): deep nesting, unbalanced groups, operators alone, huge
queries, NULs and control characters, FTS5 and tsquery syntax, lone surrogates, RTL and combining
marks, Vietnamese in odd Unicode forms — random, structured and mutated.

Each query goes to the parser and to search on a small real store (SQLite; PostgreSQL too when it
is reachable and the budget is long), some to the API over HTTP (search, its CSV/XLSX/JSON export,
saving a search) and the web UI's search page, and some to `caunoi alerts rule-add --query` and
`caunoi search`, with `caunoi alerts run` after each batch of rules (one of them planted broken in
the store, as older code could leave it). Held: results, or a clear refusal (a coded refusal, a 4xx
with a message, exit code 2 with a message), and every rule but the broken one run. Failed: an
exception, a 500, a traceback, a hang past TIMEOUT, a saved query the search then refuses."""

from __future__ import annotations

import contextlib
import dataclasses
import random
import shutil
import tempfile
import threading
import unicodedata
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

from adversarial import Budget, Tally

REPO = Path(__file__).resolve().parents[2]
DEMO = REPO / "demo" / "data" / "vi-news-unc" / "docs"
TIMEOUT = 10.0  # seconds a case may take before it counts as a hang
API = "/api/v1"
JSON = {"Content-Type": "application/json"}
URL_CHARS = 8000  # of a query sent in a URL: the client refuses a URL over 64 KiB itself

WORDS = [
    "biển", "Biển Đông", "đối ngoại", "doi", "ngoai", "ASEAN", "Hà Nội", "Trung Quốc", "kinh tế",
    "Nghị định", "57-KL/TW", "COVID-19", "Việt Nam", "Liên Hợp Quốc", "đ", "ĐỒNG", "x", "1",
]  # fmt: skip
SYNTAX = [
    "(", ")", '"', "*", "NEAR(", "NEAR/3", ":", "^", "-", "OR", "AND", "NOT", "OR OR", "AND NOT",
    "title:", "text:", "{", "}", "+", "\\", "'", "''", "&", "|", "!", "<->", "<2>", ":*", ":A", "%",
    "_", ";", "--", "/*", "*/", "' OR 1=1 --", "\"\"", "()", ")(", "(*)", "-(", "NOT(", "\"*\"",
    "column:x", "{title text}:x", "x:*", "!!", "&&", "||", "@@", "~", "$", "#",
]  # fmt: skip
ODD = [
    "\x00", "\x01", "\x07", "\x08", "\x0b", "\x0c", "\x1b", "\x1f", "\x7f", "\x85", "\u00a0",
    "\ud800", "\udfff", "\ud83d", "\u200b", "\u200c", "\u200d", "\u200e", "\u200f", "\u202a", "\u202e",
    "\u2066", "\u2069", "\ufeff", "\ufffd", "\ufffe", "\u0301", "\u0323", "\u0309", "\u0300\u0301\u0303",
    "\u3000", "\u2028", "\U0001f600", "\U000e0041", "\t", "\n", "\r",
]  # fmt: skip
OPENERS = ["(", "NOT (", "-(", "( NOT ", "NOT ", "-", '"(', "(x OR ", "(NOT NOT ", "((", "a AND ("]
ISSUE = [  # the shapes the issue names, and their near neighbours
    "(" * 248 + "biển" + ")" * 248,
    "(" * 500 + "biển",
    "NOT " * 2000 + "biển",
    "biển " + "NOT x " * 300,
    "biển (" * 300,
    "-(" * 400 + "x" + ")" * 400,
    '"' * 999,
    "OR OR OR",
    "AND",
    "NOT",
    "()",
    "(((",
    ")))",
    "biển (đông",
    '"biển đông',
    "biển OR",
    "a" * 100_000,
    "biển\x00đông",
    "\ud800",
    'NEAR("biển" "đông", 3)',
    "title:biển",
    "biển:*",
    "!biển & đông",
    "biển <-> đông",
]


def _random_query(rng: random.Random) -> str:
    shape = rng.random()
    if shape < 0.35:
        return _mix(rng)
    if shape < 0.6:
        return _nested(rng)
    if shape < 0.7:
        return _huge(rng)
    if shape < 0.9:
        return _mutated(rng, rng.choice([*ISSUE[:20], *WORDS, _mix(rng)]))
    return _odd_forms(rng)


def _mix(rng: random.Random) -> str:
    pool = [WORDS, SYNTAX, ODD, WORDS, SYNTAX]
    parts = [rng.choice(rng.choice(pool)) for _ in range(rng.randint(1, 40))]
    return "".join(p + rng.choice([" ", " ", "", "\t", "  "]) for p in parts)


def _nested(rng: random.Random) -> str:
    depth = rng.choice([rng.randint(1, 40), rng.randint(40, 260), rng.randint(240, 1500)])
    opener = rng.choice(OPENERS)
    closer = ")" * opener.count("(") if opener.count("(") else ""
    inner = rng.choice(WORDS)
    query = opener * depth + inner
    if rng.random() < 0.7:
        query += closer * (depth - rng.choice([0, 0, 0, 1, -1, depth // 2]))
    return query[: rng.choice([200, 1000, 5000, 100_000])]


def _huge(rng: random.Random) -> str:
    unit = rng.choice([*WORDS, "a OR ", "NOT a ", "x* ", '"a b" ', "-a ", "(a) ", "đ" * 500, "\u0301" * 50])
    unit += rng.choice([" ", ""])
    return unit * (rng.choice([1_000, 10_000, 100_000]) // len(unit))


def _mutated(rng: random.Random, base: str) -> str:
    chars = list(base)
    for _ in range(rng.randint(1, 8)):
        what = rng.random()
        at = rng.randint(0, len(chars))
        if what < 0.5:
            chars[at:at] = list(rng.choice([*SYNTAX, *ODD]))
        elif what < 0.8 and chars:
            del chars[min(at, len(chars) - 1)]
        elif chars:
            chars[min(at, len(chars) - 1)] = rng.choice('()"*-: \x00\ud800')
    return "".join(chars)


def _odd_forms(rng: random.Random) -> str:
    words = [rng.choice(WORDS) for _ in range(rng.randint(1, 6))]
    form = rng.choice(["NFC", "NFD", "NFKC", "NFKD"])
    text = " ".join(unicodedata.normalize(form, w) for w in words)
    if rng.random() < 0.5:
        text = rng.choice(["\u202e", "\u200f", "\ufeff", "\u0301" * 30]) + text
    return text


def _queries(rng: random.Random) -> Iterator[str]:
    yield from ISSUE
    while True:
        yield _random_query(rng)


def _show(query: str) -> str:
    return repr(query[:60]) + (f"…({len(query)} chars)" if len(query) > 60 else "")


# -- each case bounded in time ---------------------------------------------------------------------


class Hang(Exception):
    pass


def _within(attempt: Callable[[], Any], seconds: float = TIMEOUT) -> Any:
    """attempt() in a thread; a Hang if it has not answered in `seconds` (the thread is left behind)."""
    box: dict[str, Any] = {}

    def go() -> None:
        try:
            box["value"] = attempt()
        except BaseException as exc:  # carried over to the caller, whatever it is
            box["error"] = exc

    thread = threading.Thread(target=go, daemon=True)
    thread.start()
    thread.join(seconds)
    if thread.is_alive():
        raise Hang(f"no answer in {seconds:.0f} s")
    if "error" in box:
        raise box["error"]
    return box.get("value")


# -- the store, the site and the checks ------------------------------------------------------------


@dataclasses.dataclass
class Store:
    settings: Any
    service: Any
    url: str  # the web app's base URL
    token: str  # an analyst's API token
    cookie: str  # the analyst's browser session


@contextlib.contextmanager
def _store(folder: Path, database_url: str | None) -> Iterator[Store]:
    from support.app import serve

    from caunoi.config import Settings
    from caunoi.service import Service

    settings = Settings(data_dir=folder, database_url=database_url, api_rate_per_minute=1_000_000)
    with Service(settings) as service:
        service.ingest(sorted(DEMO.glob("*.txt"))[::100])
        service.users.add_user("lan", "hai con thỏ chạy quanh hồ", "analyst", by="adversarial")
        token = service.users.create_token("lan", "adversarial", by="adversarial")
        user = service.users.get("lan")
        cookie, _ = service.users.create_session(user["id"], ip="127.0.0.1", user_agent="adversarial")
        with serve(settings) as url:
            yield Store(settings, service, url, token, cookie)


@contextlib.contextmanager
def _postgres_url() -> Iterator[str | None]:
    """A temporary PostgreSQL schema's URL when the test database answers, else None."""
    try:
        from conftest import temporary_pg_schema

        schema = temporary_pg_schema()
        url = schema.__enter__()
    except BaseException:  # not reachable: pytest's skip, a connection error
        yield None
        return
    try:
        yield url
    finally:
        schema.__exit__(None, None, None)


def _refused(exc: BaseException) -> bool:
    from caunoi.errors import CaunoiError

    return isinstance(exc, CaunoiError) and bool(str(exc))


def _check_parser(tally: Tally, query: str) -> None:
    from caunoi.store.query import parse_query, to_fts5, to_tsquery

    for exact in (False, True):
        try:
            node = _within(lambda exact=exact: parse_query(query, exact=exact))
            to_fts5(node)
            to_tsquery(node)
        except Exception as exc:
            if not _refused(exc):
                tally.case(False, f"parse {_show(query)}: {type(exc).__name__}: {str(exc)[:120]}")
                return
    tally.case(True)


def _search(store: Store, query: str, exact: bool) -> Any:
    from caunoi.search import request_from

    return store.service.search(request_from({"query": query, "exact": exact}))


def _check_search(tally: Tally, store: Store, query: str, rng: random.Random) -> None:
    try:
        _within(lambda: _search(store, query, rng.random() < 0.3))
    except Exception as exc:
        if not _refused(exc):
            tally.case(False, f"search {_show(query)}: {type(exc).__name__}: {str(exc)[:160]}")
            return
    tally.case(True)


def _url_quoted(query: str) -> str:
    return quote(query.encode("utf-8", "surrogatepass"), safe="")


def _answered(response: Any, page: bool = False) -> str | None:
    """What is wrong with an HTTP answer, or None: a 2xx, or a 4xx saying why."""
    if response.status_code < 300:
        return None
    if response.status_code >= 500:
        return f"HTTP {response.status_code}"
    if page:
        return None if response.text.strip() else f"HTTP {response.status_code} with nothing said"
    try:
        message = response.json()["error"]["message"]
    except (ValueError, KeyError, TypeError):
        return f"HTTP {response.status_code} without the JSON error"
    return None if message else f"HTTP {response.status_code} with an empty message"


def _check_http(tally: Tally, store: Store, client: Any, query: str, rng: random.Random, n: int) -> None:
    q = _url_quoted(query[:URL_CHARS])
    fmt = rng.choice(["csv", "xlsx", "json"])
    calls = [
        ("GET", f"{API}/search?q={q}", None),
        ("GET", f"{API}/search/export?format={fmt}&q={q}", None),
        ("POST", f"{API}/saved-searches", {"name": f"adv-{n}", "query": query}),
        ("GET", f"/search?q={q}", None),
    ]
    answers = []
    for method, path, body in calls:
        what = f"{method} {path.split('?')[0]} {_show(query)}"
        try:
            if body is None:
                response = _within(lambda path=path: client.get(path))
            else:
                content = _json(body)
                response = _within(lambda c=content, p=path: client.post(p, content=c, headers=JSON))
        except Exception as exc:
            tally.case(False, f"{what}: {type(exc).__name__}: {str(exc)[:120]}")
            continue
        answers.append(response)
        wrong = _answered(response, page=not path.startswith(API))
        tally.case(wrong is None, f"{what}: {wrong}: {response.text[:120]}")
    if len(answers) == 4:  # a search saved must be one the search then runs
        searched, saved = answers[0], answers[2]
        ran = searched.status_code == 200 or _code(searched) != "bad_query"
        tally.case(
            saved.status_code != 201 or ran,
            f"saved {_show(query)} although the search refuses it: {searched.text[:100]}",
        )


def _json(body: dict[str, Any]) -> bytes:
    import json

    # lone surrogates travel as \ud800 escapes, as a browser's JSON.stringify sends them
    return json.dumps(body).encode()


def _code(response: Any) -> str | None:
    try:
        return response.json()["error"]["code"]
    except (ValueError, KeyError, TypeError):
        return None


def _cli(tally: Tally, store: Store, what: str, *args: str) -> Any:
    """`caunoi ARGS` in this process; held when it exits 0, or 1/2 with a message and no traceback."""
    from support.cli import caunoi

    try:
        proc = _within(lambda: caunoi(store.settings, *args, check=False), 30)
    except Exception as exc:
        tally.case(False, f"{what}: {type(exc).__name__}: {str(exc)[:120]}")
        return None
    clear = proc.returncode in (1, 2) and proc.stderr.strip() and "Traceback" not in proc.stderr
    tally.case(
        proc.returncode == 0 or bool(clear),
        f"{what}: exit {proc.returncode}: {proc.stderr.strip().splitlines()[-1:] or proc.stdout[-120:]}",
    )
    return proc


def _check_alerts(tally: Tally, store: Store, queries: list[str], rng: random.Random, batch: int) -> None:
    """Rules with these queries (added with the CLI; one planted broken in the store), then one
    `caunoi alerts run`: it must end well, run every rule but the broken one, and name that one."""
    from datetime import datetime

    alerts = store.service.alerts
    names = []
    for i, query in enumerate(queries):
        name = f"adv-{batch}-{i}"
        kind = rng.choice(["mention", "volume_spike", "new_story"])
        proc = _cli(tally, store, f"alerts rule-add --query {_show(query)}", "alerts", "rule-add", name,
                    "--kind", kind, "--query", query)  # fmt: skip
        if proc is not None and proc.returncode == 0:
            names.append(name)
        _cli(tally, store, f"search {_show(query)}", "search", "--limit", "3", "--", query)
    broken = f"adv-{batch}-broken"
    planted = rng.choice(["(biển", "biển (" * 300, "(" * 300 + "x", "NOT", '"biển', "OR OR"])
    alerts.repo.insert_rule(
        {"name": broken, "kind": "mention", "scope": {"query": planted}, "params": {}, "channels": [],
         "severity": "medium", "created_by": "adversarial"},
        replace=True,
    )  # fmt: skip
    started = datetime.now()
    proc = _cli(tally, store, f"alerts run (a rule planted with {_show(planted)})", "alerts", "run")
    if proc is not None:
        rules = {r["name"]: r for r in alerts.rules()}
        missed = [n for n in names if rules[n]["last_run_at"] is None or rules[n]["last_run_at"] < started]
        tally.case(not missed, f"alerts run left rules unrun after a broken one: {missed[:5]}")
        said = proc.stdout + proc.stderr
        tally.case(broken in said, f"alerts run did not name the broken rule {broken!r}: {said[-200:]}")
    for name in [*names, broken]:
        alerts.set_rule(name, remove=True)


# -- the area --------------------------------------------------------------------------------------


def run(budget_s: float, seed: int = 0) -> Tally:
    import httpx

    tally = Tally("queries")
    budget = Budget(budget_s)
    rng = random.Random(seed)
    folder = Path(tempfile.mkdtemp(prefix="caunoi-adversarial-queries-"))
    try:
        with contextlib.ExitStack() as stack:
            backends: list[str | None] = [None]
            if budget_s >= 30:
                pg = stack.enter_context(_postgres_url())
                if pg:
                    backends.append(pg)
            for b, database_url in enumerate(backends):
                share = Budget(budget.left / (len(backends) - b))
                store = stack.enter_context(_store(folder / f"store{b}", database_url))
                client = stack.enter_context(
                    httpx.Client(
                        base_url=store.url,
                        headers={"Authorization": f"Bearer {store.token}"},
                        cookies={"caunoi_session": store.cookie},
                        timeout=TIMEOUT,
                    )
                )
                queries = _queries(rng)  # each backend from the issue's shapes on
                n = 0
                pending: list[str] = []
                while share or n < len(ISSUE):  # the issue's shapes, however slow the setup was
                    query = next(queries)
                    n += 1
                    _check_parser(tally, query)
                    _check_search(tally, store, query, rng)
                    if n % 10 == 1:
                        _check_http(tally, store, client, query, rng, n)
                    if n % 50 in (1, 2, 3):  # three rules a batch, the first batch at once
                        pending.append(query)
                    if len(pending) == 3:
                        _check_alerts(tally, store, pending, rng, n)
                        pending = []
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return tally
