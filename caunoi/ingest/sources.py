"""The outlets to watch: what a source is (make_spec), reading a list of them from YAML or CSV with
clear errors (read_sources), and the registry the interfaces use (Sources: add, import, list, show,
enable, disable, remove, health). Every refusal is a SourceError naming the source and the field;
the SQL is in caunoi.store.sources, and the watcher polls through it directly."""

from __future__ import annotations

import csv
import dataclasses
import io
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from caunoi import errors
from caunoi.config import parse_bool
from caunoi.errors import Invalid
from caunoi.models import Source, SourceDetail, SourceHealth, SourceSpec
from caunoi.net.urls import canonical_url
from caunoi.store.sources import CrawlRepository

MEDIA_TYPES = ("newspaper", "online", "agency", "broadcaster", "magazine", "government", "portal")
ORIGINS = ("domestic", "foreign", "diaspora", "international")
SAMPLE = Path(__file__).resolve().parent.parent / "data" / "sources.sample.yaml"


class SourceError(Invalid):
    """A source description or a request about sources we cannot accept; the message names the
    source and the field."""


class UnknownSource(SourceError, errors.NotFound):
    """No source with that name or id."""

    kind = errors.NotFound.kind


_FIELDS = {f.name for f in dataclasses.fields(SourceSpec)}


def _as_list(value: Any) -> list[str]:
    if value is None or value == "":
        return []
    if isinstance(value, str):
        return [v for v in value.replace("|", " ").replace(",", " ").split() if v]
    if isinstance(value, list | tuple):
        return [str(v).strip() for v in value if str(v).strip()]
    raise ValueError(f"expected a list, got {type(value).__name__}")


def make_spec(raw: dict[str, Any], where: str = "") -> SourceSpec:
    """A validated SourceSpec from a mapping; SourceError names what is wrong (`where` prefixes it:
    the file and entry)."""
    name = str(raw.get("name") or "").strip()
    if not name:
        raise SourceError("source_name_missing", "{where}source: 'name' is required", where=where)

    def refused(code: str, template: str, **params: Any) -> SourceError:
        return SourceError(code, template, where=where, name=name, **params)

    unknown = set(raw) - _FIELDS
    if unknown:
        raise refused(
            "source_unknown_fields",
            "{where}source {name!r}: unknown field(s) {fields}",
            fields=", ".join(sorted(unknown)),
        )
    try:
        values: dict[str, Any] = {"name": name}
        values["home"] = canonical_url(str(raw.get("home") or ""))
        for key in ("feeds", "sitemaps"):
            values[key] = [canonical_url(u, base=values["home"]) for u in _as_list(raw.get(key))]
        values["languages"] = [v.lower() for v in _as_list(raw.get("languages"))]
        for key in ("country", "media_type", "origin", "notes"):
            value = raw.get(key)
            values[key] = str(value).strip() if value not in (None, "") else None
        if values["country"]:
            values["country"] = values["country"].upper()
            if len(values["country"]) != 2 or not values["country"].isalpha():
                raise refused(
                    "source_bad_country",
                    "{where}source {name!r}: country must be an ISO 3166 two-letter code, got {country!r}",
                    country=values["country"],
                )
        if values["media_type"] and values["media_type"] not in MEDIA_TYPES:
            raise refused(
                "source_bad_media_type",
                "{where}source {name!r}: media_type must be one of {allowed}",
                allowed=", ".join(MEDIA_TYPES),
            )
        if values["origin"] and values["origin"] not in ORIGINS:
            raise refused(
                "source_bad_origin",
                "{where}source {name!r}: origin must be one of {allowed}",
                allowed=", ".join(ORIGINS),
            )
        poll = raw.get("poll_minutes")
        values["poll_minutes"] = int(poll) if poll not in (None, "") else 30
        if not 1 <= values["poll_minutes"] <= 7 * 24 * 60:
            raise refused(
                "source_bad_poll_minutes",
                "{where}source {name!r}: poll_minutes must be between 1 and 10080 (a week)",
            )
        for key in ("enabled", "allow_private"):
            if raw.get(key) is not None:
                values[key] = parse_bool(raw[key])
    except SourceError:
        raise
    except (TypeError, ValueError) as exc:  # a URL (BadURL), a list, a number or a yes/no it cannot read
        raise refused("source_bad_value", "{where}source {name!r}: {reason}", reason=str(exc)) from None
    if not values["feeds"] and not values["sitemaps"]:
        raise refused(
            "source_no_listing", "{where}source {name!r}: give at least one feed or sitemap to watch"
        )
    _check_addresses(values, refused)
    return SourceSpec(**values)


def _check_addresses(values: dict[str, Any], refused: Callable[..., SourceError]) -> None:
    """Refuse, as the watcher's guard would, a URL whose host is a non-public address (or localhost)
    unless the source is marked allow_private, and a cloud-metadata address always: said when the
    source is added, not at every poll. A name is looked up only when polled."""
    from caunoi.net.guard import literal_problem  # the guard's network layer: not for `caunoi --help`

    for url in (values["home"], *values["feeds"], *values["sitemaps"]):
        problem = literal_problem(url)
        if problem is None:
            continue
        kind, never = problem
        if never:
            raise refused(
                "source_metadata_url",
                "{where}source {name!r}: {url} is {kind}, which is never fetched",
                url=url,
                kind=kind,
            )
        if not values.get("allow_private"):
            raise refused(
                "source_private_url",
                "{where}source {name!r}: {url} is {kind}; for a site on your own network, mark the "
                "source allow_private (--allow-private)",
                url=url,
                kind=kind,
            )


def read_sources(path: Path) -> list[SourceSpec]:
    """Every source in a YAML (`sources: [...]` or a bare list) or CSV file, all validated first:
    one bad entry refuses the file, so an import never half-happens."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise SourceError(
            "sources_unreadable", "cannot read {path}: {reason}", path=str(path), reason=str(exc)
        ) from None
    if path.suffix.lower() in (".csv", ".tsv"):
        dialect = "excel-tab" if path.suffix.lower() == ".tsv" else "excel"
        rows: list[dict[str, Any]] = [
            {k.strip(): v for k, v in row.items() if k and v not in (None, "")}
            for row in csv.DictReader(io.StringIO(text), dialect=dialect)
        ]
        where = [f"{path.name} line {i + 2}: " for i in range(len(rows))]
    else:
        import yaml  # only a YAML file needs it: not every command that names a source

        try:
            data = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            raise SourceError(
                "sources_bad_yaml",
                "{path}: not valid YAML ({reason})",
                path=str(path),
                reason=str(exc).splitlines()[0],
            ) from None
        if isinstance(data, dict):
            data = data.get("sources")
        if not isinstance(data, list):
            raise SourceError(
                "sources_not_a_list",
                "{path}: expected a list of sources (or 'sources:' with a list)",
                path=str(path),
            )
        rows = data
        where = [f"{path.name} entry {i + 1}: " for i in range(len(rows))]
    specs, seen = [], set()
    for row, loc in zip(rows, where, strict=True):
        if not isinstance(row, dict):
            raise SourceError("source_not_a_mapping", "{where}expected a mapping of fields", where=loc)
        spec = make_spec(row, loc)
        if spec.name.casefold() in seen:
            raise SourceError(
                "source_twice", "{where}source {name!r} appears twice", where=loc, name=spec.name
            )
        seen.add(spec.name.casefold())
        specs.append(spec)
    return specs


class Sources:
    """The registry of outlets to watch, as `caunoi sources`, the API and the web UI use it: every
    lookup by name (any case) or id, and a refusal (UnknownSource) where there is no such source."""

    def __init__(self, repository: CrawlRepository):
        self.repository = repository

    def add(self, spec: SourceSpec) -> tuple[int, bool]:
        """Add a source, or update the one with that name; returns (id, created)."""
        return self.repository.upsert_source(spec)

    def import_file(self, path: Path) -> tuple[int, int]:
        """Add or update every source in a YAML or CSV file; one bad entry refuses the file.
        Returns (added, updated)."""
        return self.repository.import_sources(read_sources(path))

    def list(self) -> list[Source]:
        """Every source, by name."""
        return self.repository.list_sources()

    def find(self, name_or_id: str | int) -> SourceDetail | None:
        """The source with this name or id, with its feeds and sitemaps; None if there is none."""
        return self.repository.find_source(name_or_id)

    def get(self, name_or_id: str | int) -> SourceDetail:
        """The source with this name or id, with its feeds and sitemaps."""
        found = self.find(name_or_id)
        if found is None:
            raise _unknown(name_or_id)
        return found

    def remove(self, name_or_id: str | int) -> None:
        """Stop watching a source and forget it; its pages and articles stay."""
        if not self.repository.remove_source(name_or_id):
            raise _unknown(name_or_id)

    def enable(self, name_or_id: str | int) -> None:
        """Watch this source again."""
        if not self.repository.set_enabled(name_or_id, True):
            raise _unknown(name_or_id)

    def disable(self, name_or_id: str | int) -> None:
        """Keep the source but stop polling it."""
        if not self.repository.set_enabled(name_or_id, False):
            raise _unknown(name_or_id)

    def status(self, now: datetime | None = None, days: int = 7) -> list[SourceHealth]:
        """Every source's health at `now`: articles per day over the last `days`, pages waiting."""
        return self.repository.status(now or datetime.now(), days)

    def pages_kept(self) -> int:
        """How many fetched pages keep their raw bytes: what `caunoi reprocess` replays."""
        return self.repository.replay_count()


def _unknown(name_or_id: str | int) -> UnknownSource:
    return UnknownSource("source_unknown", "no source named {name!r}", name=name_or_id)
