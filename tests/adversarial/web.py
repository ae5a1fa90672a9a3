"""Hostile HTTP requests to a served app (uvicorn on loopback, tests/support/app.py), as each role and
as nobody: bodies over the limit by Content-Length and chunked, bad content types, malformed JSON,
NULs and control characters in every parameter of the searches, the exports and the pages, markup
stored in titles and outlet names (the pages and the charts must show it as text), odd paths, unit
codes with capital non-ASCII letters, and the API answering a role the page refuses.

A case holds when the answer is a 2xx/3xx/4xx, comes within TIMEOUT seconds, carries the security
headers (nosniff, a Content-Security-Policy, a Referrer-Policy, no framing) and shows stored markup
escaped; it fails on a 5xx, a hang, a missing header or markup a browser (or Plotly) would render."""

from __future__ import annotations

import contextlib
import dataclasses
import json
import random
import re
import shutil
import socket
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx

from adversarial import Budget, Tally

AREA = "web"
TIMEOUT = 8.0  # seconds an answer may take, under the load of a shared machine
LIMIT = 1024 * 1024  # the API's and the pages' request body limit
API = "/api/v1"
DEMO = Path(__file__).resolve().parents[2] / "demo" / "data" / "vi-news-unc" / "docs"
CONTROL_DOC = "news_tech_046"  # a demo article whose text holds a C0 control character
PASSWORD = "một câu mật khẩu dài cho web"
UNIT = "ĐSQ-US"  # a capital non-ASCII letter: SQLite's lower() leaves it as it is
ROLES = {"admin": None, "analyst": None, "mission_officer": UNIT, "viewer": None}

# markup planted in stored strings: what a browser or Plotly would render if it were not escaped
MARKUP = (
    '<a href="https://evil.example/cnx">cnx link</a>',
    '<b style="color:red">cnx bold</b>',
    "<img src=x onerror=cnx>",
    "<script>cnx()</script>",
)
RAW = ('<a href="https://evil.example', '<b style="color:red"', "<img src=x onerror", "<script>cnx")
CHART_TEXT_KEYS = ("x", "y", "labels", "text", "hovertext", "name")  # trace fields Plotly shows as text

HOSTILE = (
    "\x00", "\x01", "\x07", "\x0b", "\x1b[31m", "\x7f", "\u200b", "\u202e", "\ufeff", "\ud800", "\udfff",
    "%", "%00", "%ff", "%zz", "&", "=", "+", "'", '"', "\\", "/..", "../", "*", "(", ")", ":", "\n", "\r\n",
    "<b>", "</script>", "{{7*7}}", "${7*7}", "=cmd|' /C calc'!A0", "@SUM(1)", "-1", "0", "1e309", "NaN",
    "9" * 30, "đối ngoại", "Biển Đông", "中国", "😀", "ĐSQ-US", "đsq-us", "OR", "AND NOT", '"', "x" * 300,
)  # fmt: skip
SEARCH_PARAMS = (
    "q", "exact", "from", "to", "lang", "source", "category", "doc_ref", "topic", "entity", "country",
    "event_type", "tone_min", "tone_max", "tone_of", "sort", "limit", "cursor", "format", "page", "unit",
    "state", "open", "days", "story_id", "next", "\x00", "q\x00", "",
)  # fmt: skip
GET_PATHS = (
    f"{API}/search", f"{API}/search/export", f"{API}/stories", f"{API}/cases", f"{API}/factsheets",
    f"{API}/alerts", f"{API}/saved-searches", f"{API}/sources", f"{API}/dashboard", "/", "/search",
    "/stories", "/alerts", "/cases", "/factsheets", "/searches", "/sources", "/login", "/docs",
    f"{API}/openapi.json",
)  # fmt: skip
POST_PATHS = (
    f"{API}/cases", f"{API}/factsheets", f"{API}/saved-searches", f"{API}/cases/1/triage",
    f"{API}/alerts/1/read", f"{API}/factsheets/1/stories/1", "/login", "/factsheets/new", "/searches",
    "/cases/1/triage", "/logout", "/nowhere",
)  # fmt: skip
ODD_PATHS = (
    "/..%2f..%2fetc%2fpasswd", "/static/../caunoi.db", "/static/%2e%2e/%2e%2e/etc/passwd", "//evil.example/",
    "/static/..%5c..%5cetc%5cpasswd", f"{API}/../../docs", "/%00", "/%ff%fe", "/search/%2e%2e",
    f"{API}/cases/99999999999999999999", f"{API}/cases/-1", "/cases/0", f"{API}/stories/1e3",
    "/articles/%20", "/static/", "/static/js/", "/static/vendor/../../__init__.py", "/docs/..",
    "/" + "a" * 4000, "/lang/vi?next=//evil.example", "/lang/xx", "/login?next=https://evil.example",
    "/favicon.ico", f"{API}//search", f"{API}/search/", "/SEARCH", "/api", f"{API}/", "/%E2%80%AE",
)  # fmt: skip
ACCESS = (  # a page and the API call that shows the same thing: the same roles may use both
    ("/sources", f"{API}/sources"),
    ("/cases", f"{API}/cases"),
    ("/searches", f"{API}/saved-searches"),
    ("/factsheets", f"{API}/factsheets"),
    ("/stories", f"{API}/stories"),
    ("/alerts", f"{API}/alerts"),
    ("/", f"{API}/dashboard"),
)


@dataclasses.dataclass
class Site:
    url: str
    port: int
    tokens: dict[str, str]  # role -> API token
    sessions: dict[str, tuple[str, str]]  # role -> (session cookie secret, CSRF token)
    story: int | None
    setup_failures: list[str]
    turns: dict[str, int] = dataclasses.field(default_factory=dict)

    def turn(self, kind: str) -> int:
        """How many times `kind` has been tried before: the cases that go through a list in order."""
        self.turns[kind] = self.turns.get(kind, 0) + 1
        return self.turns[kind] - 1


# -- the served app ---------------------------------------------------------------------------------


def _articles(folder: Path) -> None:
    """Articles whose titles, texts and outlets carry markup and control characters."""
    rows = []
    for i, markup in enumerate(MARKUP):
        rows.append(
            {
                "url": f"https://example.vn/web-{i}",
                "title": f"Tin số {i} {markup} về đối ngoại\x0b\x01",
                "text": f"Bài {i}: {markup} " + " ".join(f"câu{i}x{j} đối ngoại Việt Nam" for j in range(40)),
                "source": f"{markup} báo {i}",
                "date": "2021-04-30",
                "lang": "vi",
            }
        )
    (folder / "hostile.jsonl").write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows))


@contextlib.contextmanager
def _site(folder: Path) -> Iterator[Site]:
    from support.app import serve

    from caunoi.config import Settings
    from caunoi.service import Service

    settings = Settings(data_dir=folder / "store", api_rate_per_minute=10_000_000)
    docs = folder / "docs"
    docs.mkdir(parents=True)
    _articles(docs)
    failures: list[str] = []
    tokens, sessions, story = {}, {}, None
    with Service(settings) as service:
        service.ingest([docs, DEMO / f"{CONTROL_DOC}.txt"])
        try:
            service.units.add(
                UNIT, "Đại sứ quán tại Hoa Kỳ <b>US</b>", kind="mission", country="US", by="web"
            )
            case = service.cases.open_case("Vụ việc <b>ĐSQ</b>", by="web")
            service.cases.assign(case.id, UNIT.lower(), "+3d", by="web")
        except Exception as exc:  # the unit-code case below counts it, once per try
            failures.append(f"unit {UNIT}: {type(exc).__name__}: {exc}")
        for role, mission in ROLES.items():
            name = role.replace("_", "")
            try:
                user = service.users.add_user(name, PASSWORD, role, mission=mission, by="web")
            except Exception as exc:
                failures.append(f"user {name} of {mission}: {type(exc).__name__}: {exc}")
                continue
            tokens[role] = service.users.create_token(name, "web", by="web")
            sessions[role] = service.users.create_session(user["id"], ip="127.0.0.1", user_agent="web")
        found = service.story_list(limit=1)
        story = found[0].id if found else None
    with serve(settings) as url:
        yield Site(url, int(url.rsplit(":", 1)[1]), tokens, sessions, story, failures)


# -- what an answer must be ---------------------------------------------------------------------------


def _headers_missing(response: httpx.Response) -> list[str]:
    h = response.headers
    missing = []
    if h.get("x-content-type-options", "").lower() != "nosniff":
        missing.append("X-Content-Type-Options")
    policy = h.get("content-security-policy", "")
    if not policy:
        missing.append("Content-Security-Policy")
    if "referrer-policy" not in h:
        missing.append("Referrer-Policy")
    if h.get("x-frame-options", "").upper() != "DENY" and "frame-ancestors 'none'" not in policy:
        missing.append("frame options")
    return missing


def _unescaped(response: httpx.Response) -> list[str]:
    """Stored markup a browser would render, in the page or in the labels Plotly draws."""
    if not response.headers.get("content-type", "").startswith("text/html"):
        return []
    text = response.text
    found = [raw for raw in RAW if raw in text]
    block = re.search(r'<script type="application/json" id="chart-data">(.*?)</script>', text, re.S)
    if block:
        for chart in json.loads(block[1]):
            for trace in chart.get("data", []):
                for key in CHART_TEXT_KEYS:
                    values = trace.get(key)
                    values = values if isinstance(values, list) else [values]
                    found += [
                        f"chart {chart['id']}.{key}: {v[:60]!r}"
                        for v in values
                        if isinstance(v, str) and "<" in v
                    ]
    return found


def _judge(tally: Tally, what: str, send: Callable[[], httpx.Response]) -> httpx.Response | None:
    started = time.monotonic()
    try:
        response = send()
    except httpx.TimeoutException:
        tally.case(False, f"{what}: no answer in {TIMEOUT:.0f} s")
        return None
    except httpx.HTTPError as exc:
        tally.case(False, f"{what}: {type(exc).__name__}: {exc}")
        return None
    problems = []
    if response.status_code >= 500:
        problems.append(f"HTTP {response.status_code}: {response.text[:120]!r}")
    if time.monotonic() - started > TIMEOUT:
        problems.append(f"answered after {time.monotonic() - started:.1f} s")
    if "Traceback (most recent call last)" in response.text[:100_000]:
        problems.append("a traceback in the answer")
    if missing := _headers_missing(response):
        problems.append("no " + ", ".join(missing))
    if found := _unescaped(response):
        problems.append("unescaped markup: " + "; ".join(found[:3]))
    tally.case(not problems, f"{what}: {'; '.join(problems)}")
    return response


def _query(params: list[tuple[str, str]]) -> str:
    """A query string of any text, lone surrogates too (as the invalid UTF-8 a client can send)."""
    return "&".join(
        f"{quote(k.encode('utf-8', 'surrogatepass'))}={quote(v.encode('utf-8', 'surrogatepass'))}"
        for k, v in params
    )


def _short(value: Any) -> str:
    return repr(value)[:80]


# -- the generators -------------------------------------------------------------------------------


def _hostile_text(rng: random.Random) -> str:
    parts = [rng.choice(HOSTILE) for _ in range(rng.randint(1, 4))]
    if rng.random() < 0.2:
        parts.insert(0, rng.choice(MARKUP))
    return "".join(parts)


def _as(site: Site, rng: random.Random) -> tuple[str, dict[str, str]]:
    """Someone to be: nobody, a role by token, or a role by browser session; (who, headers)."""
    role = rng.choice([None, *site.tokens])
    if role is None:
        return "nobody", {}
    if rng.random() < 0.5 or role not in site.sessions:
        return f"{role} (token)", {"Authorization": f"Bearer {site.tokens[role]}"}
    return f"{role} (session)", _session(site, role) | {"X-CSRF-Token": site.sessions[role][1]}


def _session(site: Site, role: str) -> dict[str, str]:
    """The headers of a browser logged in as `role` (the cookie sent as a header: the client keeps none)."""
    return {"Cookie": f"caunoi_session={site.sessions[role][0]}"} if role in site.sessions else {}


def case_parameters(site: Site, client: httpx.Client, rng: random.Random, tally: Tally) -> None:
    """NULs, control characters, markup, odd numbers in the parameters of searches, exports, pages."""
    path = rng.choice(GET_PATHS)
    params = [(rng.choice(SEARCH_PARAMS), _hostile_text(rng)) for _ in range(rng.randint(1, 4))]
    if path.endswith("/export"):
        params.append(("format", rng.choice(["csv", "xlsx", "json"])))
    who, headers = _as(site, rng)
    _judge(
        tally,
        f"GET {path} as {who} {_short(params)}",
        lambda: client.get(f"{path}?{_query(params)}", headers=headers),
    )


def case_export(site: Site, client: httpx.Client, rng: random.Random, tally: Tally) -> None:
    """Exports of matches that hold control characters and markup: every format, a file that opens."""
    form = rng.choice(["csv", "xlsx", "json"])
    query = rng.choice(["đối ngoại", "Việt Nam", "cnx", "Tin", "câu1x3", "công nghệ", "OR"])
    what = f"export {form} of {query!r}"
    token = site.tokens.get(rng.choice(list(site.tokens))) if site.tokens else None
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    response = _judge(
        tally,
        what,
        lambda: client.get(f"{API}/search/export", params={"q": query, "format": form}, headers=headers),
    )
    if response is None or response.status_code != 200 or form != "xlsx":
        return
    import io

    from openpyxl import load_workbook

    tally.check(f"{what}: the file opens", lambda: load_workbook(io.BytesIO(response.content)))


def case_markup(site: Site, client: httpx.Client, rng: random.Random, tally: Tally) -> None:
    """The pages that show stored titles, outlets, units and charts, as a logged-in role."""
    pages = ["/", "/search?q=cnx", "/search?q=tin", "/stories", "/cases", "/sources", "/alerts"]
    if site.story is not None:
        pages.append(f"/stories/{site.story}")
    roles = list(site.sessions) or ["nobody"]
    turn = site.turn("markup")
    page, role = pages[turn % len(pages)], roles[turn // len(pages) % len(roles)]
    _judge(tally, f"GET {page} as {role}", lambda: client.get(page, headers=_session(site, role)))


def case_paths(site: Site, client: httpx.Client, rng: random.Random, tally: Tally) -> None:
    path = rng.choice(ODD_PATHS)
    who, headers = _as(site, rng)
    method = rng.choice(["GET", "GET", "HEAD", "OPTIONS", "DELETE", "PUT"])
    response = _judge(
        tally,
        f"{method} {path} as {who}",
        lambda: client.request(method, path, headers=headers),
    )
    if response is not None and (
        "root:x:0:0" in response.text or response.content.startswith(b"SQLite format")
    ):
        tally.case(False, f"{method} {path}: a file outside the static folder was served")


def _bodies(rng: random.Random) -> tuple[str, bytes]:
    """A body and the content type it claims."""
    kind = rng.randrange(9)
    if kind == 0:
        return "application/json", b"{not json"
    if kind == 1:
        return "application/json", b"[" * rng.choice([100, 5000, 100_000])
    if kind == 2:
        return "application/json", b'{"title": "\\ud800", "name": "\\u0000", "body": "x"}'
    if kind == 3:
        return "application/json", json.dumps({"title": "9" * 5000, "story_id": int("9" * 40)}).encode()
    if kind == 4:
        return rng.choice(
            ["text/plain", "application/xml", "", "application/json; charset=latin-9"]
        ), b'{"title": "x"}'
    if kind == 5:
        return "multipart/form-data; boundary=", b"--\r\n\r\n"
    if kind == 6:
        return "application/x-www-form-urlencoded", b"title=%ff%00&&==&csrf_token=%zz&name=" + b"x" * 3000
    if kind == 7:
        fields = {
            k: _hostile_text(rng) for k in ("title", "body", "name", "query", "priority", "notes", "tags")
        }
        return "application/json", json.dumps(fields).encode()
    return "application/json", bytes(rng.randrange(256) for _ in range(rng.randint(1, 200)))


def case_bodies(site: Site, client: httpx.Client, rng: random.Random, tally: Tally) -> None:
    """Bad content types and malformed bodies on every kind of POST, as each role."""
    path = rng.choice(POST_PATHS)
    media, body = _bodies(rng)
    who, headers = _as(site, rng)
    if path == "/logout":  # a logout the session's token allows would end the session other cases use
        headers.pop("X-CSRF-Token", None)
    headers = headers | ({"Content-Type": media} if media else {})
    _judge(
        tally,
        f"POST {path} as {who}: {media} {_short(body[:40])}",
        lambda: client.post(path, content=body, headers=headers),
    )


def _raw_post(port: int, path: str, size: int, chunked: bool, step: int) -> bytes:
    """POST `size` bytes over a socket, chunked or with Content-Length; the answer's first bytes, or
    b"" when the server closed without one. socket.timeout when no answer comes."""
    with socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT) as sock:
        head = f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        head += "Transfer-Encoding: chunked\r\n\r\n" if chunked else f"Content-Length: {size}\r\n\r\n"
        sock.sendall(head.encode())
        try:
            sent = 0
            while sent < size:
                piece = b"x" * min(step, size - sent)
                sock.sendall(b"%x\r\n%s\r\n" % (len(piece), piece) if chunked else piece)
                sent += len(piece)
            if chunked:
                sock.sendall(b"0\r\n\r\n")
        except OSError:
            pass  # the server may answer and close before the whole body is sent
        try:
            return sock.recv(200)
        except ConnectionResetError:
            return b""


def case_size(site: Site, client: httpx.Client, rng: random.Random, tally: Tally) -> None:
    """Bodies around the 1 MiB limit, chunked or not: an answer (413 past the limit), promptly."""
    size = rng.choice(
        [LIMIT - 1, LIMIT, LIMIT + 1, LIMIT + rng.randint(2, 70_000), 2 * LIMIT, rng.randint(0, LIMIT)]
    )
    chunked = rng.random() < 0.7
    step = rng.choice([1000, 16_384, 65_536, 300_000])
    path = rng.choice(POST_PATHS)
    what = f"POST {path} of {size} bytes {'chunked' if chunked else 'with Content-Length'} in {step}"
    started = time.monotonic()
    try:
        answer = _raw_post(site.port, path, size, chunked, step)
    except TimeoutError:
        tally.case(False, f"{what}: no answer in {TIMEOUT:.0f} s")
        return
    except OSError as exc:
        tally.case(False, f"{what}: {type(exc).__name__}: {exc}")
        return
    status = answer.split(b" ", 2)[1] if answer.startswith(b"HTTP/1.1 ") else b""
    if size > LIMIT and status != b"413":
        tally.case(False, f"{what}: answered {answer[:40]!r}, not 413")
    elif status.startswith(b"5") or not status:
        tally.case(False, f"{what}: answered {answer[:40]!r}")
    else:
        tally.case(
            time.monotonic() - started < TIMEOUT, f"{what}: answered after {time.monotonic() - started:.1f} s"
        )


def case_access(site: Site, client: httpx.Client, rng: random.Random, tally: Tally) -> None:
    """A role the page refuses is refused by the API call that shows the same thing, and the other way."""
    turn = site.turn("access")
    role = list(ROLES)[turn % len(ROLES)]
    if role not in site.tokens or role not in site.sessions:
        tally.case(False, f"access as {role}: the user could not be made ({site.setup_failures[:1]})")
        return
    page, call = ACCESS[turn // len(ROLES) % len(ACCESS)]
    seen = client.get(page, headers=_session(site, role), follow_redirects=False)
    called = client.get(call, headers={"Authorization": f"Bearer {site.tokens[role]}"})
    same = (seen.status_code == 403) == (called.status_code == 403)
    tally.case(
        same, f"{role}: page {page} answers {seen.status_code}, API {call} answers {called.status_code}"
    )


def case_unit_code(site: Site, client: httpx.Client, rng: random.Random, tally: Tally) -> None:
    """A mission whose code has a capital non-ASCII letter is found in any case, with its cases."""
    if site.setup_failures:
        tally.case(False, site.setup_failures[rng.randrange(len(site.setup_failures))])
        return
    spelled = rng.choice([UNIT, UNIT.lower(), UNIT.casefold(), "đSQ-us", "Đsq-US"])
    as_officer = rng.random() < 0.5
    token = site.tokens["mission_officer" if as_officer else "analyst"]
    params = {} if as_officer else {"unit": spelled}
    response = _judge(
        tally,
        f"cases of {spelled!r}",
        lambda: client.get(f"{API}/cases", params=params, headers={"Authorization": f"Bearer {token}"}),
    )
    if response is not None and response.status_code == 200:
        units = {row.get("unit") for row in response.json()}
        tally.case(
            units == {UNIT}, f"cases of {spelled!r} ({'officer' if as_officer else 'analyst'}): units {units}"
        )


CASES = (
    case_parameters,
    case_parameters,
    case_bodies,
    case_bodies,
    case_markup,
    case_paths,
    case_export,
    case_size,
    case_access,
    case_unit_code,
)


def run(budget_s: float, seed: int = 0) -> Tally:
    budget = Budget(budget_s)
    tally = Tally(AREA)
    rng = random.Random(seed)
    folder = Path(tempfile.mkdtemp(prefix="caunoi-adv-web-"))
    try:
        with _site(folder) as site, httpx.Client(base_url=site.url, timeout=TIMEOUT) as client:
            # every kind once first, even when starting the app spent the budget (it takes seconds)
            order = list(dict.fromkeys(CASES))
            while order or budget:
                case = order.pop(0) if order else rng.choice(CASES)
                client.cookies.clear()  # what an answer set (a language, a deleted session) is not kept
                case(site, client, rng, tally)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return tally
