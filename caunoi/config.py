"""Settings: CAUNOI_* environment variables over an optional TOML file over the embedded default."""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

DEFAULT_DATA_DIR = Path.home() / ".local" / "share" / "caunoi"


@dataclass(frozen=True)
class Settings:
    """Everything a run can be told; the defaults are the embedded mode.

    data_dir      where the SQLite store (and later raw pages) live — CAUNOI_DATA
    database_url  a SQLAlchemy URL; empty means SQLite in data_dir — CAUNOI_DATABASE_URL
    tone_style    Vietnamese tone-mark placement stored: "new" (hoà, thuỷ) or "old" (hòa, thủy)
    max_file_bytes  a single txt/html file larger than this is skipped, not read
    max_record_chars  one article's text longer than this is skipped
    batch_size    articles written per transaction
    workers       0 = in-process stages; N > 0 = a process pool of N

    Watching the web (see docs/usage.md):
    fetch_concurrency       requests in flight, all hosts together
    fetch_per_host_interval seconds between two requests to one host (robots.txt Crawl-delay can raise it)
    fetch_timeout           seconds to connect, and between two chunks of a body
    fetch_deadline          seconds for a whole request, body included
    fetch_max_bytes         a body larger than this (after decompression) is refused
    fetch_retries           retries after the first try, on timeouts, 429 and 5xx
    fetch_user_agent        empty = "CauNoiBot/<version> (...)"; say who you are and how to reach you
    obey_robots             false only for your own sites
    watch_window_days       sitemap entries older than this are not fetched

    Notifications (see caunoi/alerts/notify.py):
    smtp_host         the mail server; empty = e-mail is off
    smtp_port         25, 587 (starttls) or 465 (ssl), as your provider says
    smtp_user         empty = no login
    smtp_password     the login's password
    smtp_security     "starttls" (upgrade to TLS), "ssl" (TLS from the start) or "none" (a trusted relay)
    smtp_from         the From: address of the mail we send
    smtp_timeout      seconds to wait for the mail server, at each step
    notify_retries    retries after the first try when it may help (timeouts, SMTP 4xx, HTTP 429, 5xx)
    webhook_timeout   seconds one webhook attempt may take, from connecting to the answer

    The web UI (see caunoi/app/ui.py):
    cookie_secure     "auto": cookies are Secure unless the request came over plain HTTP from this
                      machine; "true" or "false" to decide (false only behind no TLS on a trusted LAN)

    The REST API (see caunoi/app/api.py):
    api_rate_per_minute  requests a minute per API token (or address), in bursts of a quarter of it
    """

    data_dir: Path = DEFAULT_DATA_DIR
    database_url: str = ""
    tone_style: str = "new"
    max_file_bytes: int = 20 * 1024 * 1024
    max_record_chars: int = 2_000_000
    batch_size: int = 200
    workers: int = 0
    fetch_concurrency: int = 8
    fetch_per_host_interval: float = 1.0
    fetch_timeout: float = 20.0
    fetch_deadline: float = 60.0
    fetch_max_bytes: int = 10 * 1024 * 1024
    fetch_retries: int = 3
    fetch_user_agent: str = ""
    obey_robots: bool = True
    watch_window_days: int = 2
    smtp_host: str = ""
    smtp_port: int = 25
    smtp_user: str = ""
    smtp_password: str = field(default="", repr=False)
    smtp_security: str = "starttls"
    smtp_from: str = "caunoi@localhost"
    smtp_timeout: float = 20.0
    notify_retries: int = 3
    webhook_timeout: float = 10.0
    cookie_secure: str = "auto"
    api_rate_per_minute: int = 120
    extra: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.smtp_security not in ("none", "starttls", "ssl"):
            raise ValueError(
                f"setting smtp_security must be none, starttls or ssl, got {self.smtp_security!r}"
            )
        if self.cookie_secure not in ("auto", "true", "false"):
            raise ValueError(f"setting cookie_secure must be auto, true or false, got {self.cookie_secure!r}")

    @property
    def sqlalchemy_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{self.data_dir / 'caunoi.db'}"


def _coerce(name: str, value: Any) -> Any:
    kind = {f.name: f.type for f in fields(Settings)}[name]
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


def load_settings(config_file: Path | None = None, env: dict[str, str] | None = None) -> Settings:
    """Build settings from a TOML file (CAUNOI_CONFIG or `config_file`) and CAUNOI_* variables."""
    env = dict(os.environ if env is None else env)
    values: dict[str, Any] = {}
    path = config_file or (Path(env["CAUNOI_CONFIG"]) if env.get("CAUNOI_CONFIG") else None)
    if path is not None:
        with open(path, "rb") as fh:
            table = tomllib.load(fh)
        table = table.get("caunoi", table)
        known = {f.name for f in fields(Settings)} - {"extra"}
        values.update({k: _coerce(k, v) for k, v in table.items() if k in known})
        values["extra"] = {k: v for k, v in table.items() if k not in known}
    env_names = {"data_dir": "CAUNOI_DATA"}
    for f in fields(Settings):
        if f.name == "extra":
            continue
        var = env_names.get(f.name, "CAUNOI_" + f.name.upper())
        if env.get(var):
            values[f.name] = _coerce(f.name, env[var])
    return Settings(**values)
