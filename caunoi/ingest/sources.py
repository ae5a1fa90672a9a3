"""The outlets to watch and to recognise: what a source is (make_spec), reading a list of them from
YAML or CSV with clear errors (read_sources), and the registry the interfaces use (Sources: add,
import, list, show, enable, disable, remove, health, relink). A source with no feed and no sitemap is
"recognise only": kept disabled, never polled, it names the outlet of the articles its domains
(SourceSpec.domains, else its home's) claim, whatever brought them (a file, `caunoi fetch`, a feed).
Every refusal is a SourceError naming the source and the field; the SQL is in caunoi.store.sources,
and the watcher polls through it directly."""

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
from caunoi.models import SOURCE_ORIGINS, Source, SourceDetail, SourceHealth, SourceSpec
from caunoi.net.urls import canonical_url
from caunoi.store.sources import CrawlRepository, domain_key, outlet_keys

MEDIA_TYPES = (
    "newspaper", "online", "agency", "broadcaster", "magazine", "government", "portal", "citizen", "other",
)  # fmt: skip
ORIGINS = SOURCE_ORIGINS
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
        values["domains"] = []
        for domain in _as_list(raw.get("domains")):
            key = domain_key(domain)
            if "." not in key.partition("/")[0]:
                raise refused(
                    "source_bad_domain", "{where}source {name!r}: {domain!r} is not a domain", domain=domain
                )
            values["domains"].append(key)
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
    if not values["feeds"] and not values["sitemaps"] and values.get("enabled", True):
        raise _no_listing(where, name)
    _check_addresses(values, refused)
    return SourceSpec(**values)


def _no_listing(where: str, name: str) -> SourceError:
    return SourceError(
        "source_no_listing",
        "{where}source {name!r}: give at least one feed or sitemap to watch, or enabled: false "
        "(--disabled) to only recognise its articles by their domain",
        where=where, name=name,
    )  # fmt: skip


def check_domains(specs: list[SourceSpec], registered: dict[str, str]) -> None:
    """Refuse a source naming a domain (`domains`) another source has (`registered`: key -> name, as
    the store has them, or an earlier source of `specs`): an article's URL must name one outlet. Two
    sources at one home (sections of a site) are let be: the first registered names its articles."""
    claimed = dict(registered)
    for spec in specs:
        for key in [domain_key(d) for d in spec.domains]:
            other = claimed.setdefault(key, spec.name)
            if other.casefold() != spec.name.casefold():
                raise SourceError(
                    "source_domain_taken",
                    "{where}source {name!r}: the domain {domain} is {other!r}'s; a domain names one source",
                    where="", name=spec.name, domain=key, other=other,
                )  # fmt: skip
        for key in outlet_keys(spec.home, spec.domains):  # its home's too: a later source may not name it
            claimed.setdefault(key, spec.name)


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
    """The registry of outlets to watch and recognise, as `caunoi sources`, the API and the web UI use
    it: every lookup by name (any case) or id, and a refusal (UnknownSource) where there is no such source."""

    def __init__(self, repository: CrawlRepository):
        self.repository = repository

    def add(self, spec: SourceSpec, by: str = "system") -> tuple[int, bool]:
        """Add a source, or update the one with that name (audited under `by`), and link the stored
        articles of its domains to it (relink); returns (id, created). Allowing it private addresses
        queues again the pages the guard refused it."""
        check_domains([spec], self._claimed_by_others([spec]))
        found = self.repository.upsert_source(spec, by=by)
        self.repository.relink()
        return found

    def add_new(self, raw: dict[str, Any], by: str = "system") -> SourceDetail:
        """Add a source described by `raw` (make_spec's fields) that is not there yet, as the web
        form and the API add one; a name taken is refused (edit changes a source)."""
        spec = make_spec(raw)
        if self.find(spec.name) is not None:
            raise SourceError(
                "source_exists", "there is already a source named {name!r}: edit it instead", name=spec.name
            )
        return self.get(self.add(spec, by=by)[0])

    def edit(self, name_or_id: str | int, raw: dict[str, Any], by: str = "system") -> SourceDetail:
        """Change the fields of `raw` (make_spec's, but its name: the name names the source), the
        others kept, checked as when the source was added."""
        found = self.get(name_or_id)
        kept = {key: getattr(found, key) for key in _FIELDS}
        spec = make_spec({**kept, **{k: v for k, v in raw.items() if k != "name"}, "name": found.name})
        self.add(spec, by=by)
        return self.get(found.id)

    def import_file(self, path: Path, disabled: bool = False, by: str = "system") -> tuple[int, int, int]:
        """Add or update every source in a YAML or CSV file, then link the stored articles to them
        (relink); one bad entry refuses the file. Nothing is fetched: the watcher polls the enabled
        ones when it runs; `disabled`, none is (every one recognised only). Returns (added, updated,
        articles relinked). Each source is audited under `by`."""
        specs = read_sources(path)
        if disabled:
            specs = [dataclasses.replace(spec, enabled=False) for spec in specs]
        check_domains(specs, self._claimed_by_others(specs))
        added, updated = self.repository.import_sources(specs, by=by)
        return added, updated, self.repository.relink()

    def _claimed_by_others(self, specs: list[SourceSpec]) -> dict[str, str]:
        names = {spec.name.casefold() for spec in specs}
        return {k: n for k, n in self.repository.outlets_by_key().items() if n.casefold() not in names}

    def relink(self, by: str = "system") -> int:
        """Give every stored article whose URL a registered source's domains claim that source's
        name (`caunoi sources relink`), audited under `by`: how many articles changed."""
        return self.repository.relink(by=by)

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

    def remove(self, name_or_id: str | int, by: str = "system") -> None:
        """Stop watching a source and forget it (audited under `by`); its pages and articles stay."""
        if not self.repository.remove_source(name_or_id, by):
            raise _unknown(name_or_id)

    def enable(self, name_or_id: str | int, by: str = "system") -> None:
        """Watch this source again (audited under `by`); one with no feed or sitemap is only
        recognised, never watched."""
        found = self.get(name_or_id)
        if not found.feeds and not found.sitemaps:
            raise _no_listing("", found.name)
        self.repository.set_enabled(found.id, True, by)

    def disable(self, name_or_id: str | int, by: str = "system") -> None:
        """Keep the source but stop polling it (audited under `by`)."""
        if not self.repository.set_enabled(name_or_id, False, by):
            raise _unknown(name_or_id)

    def status(self, now: datetime | None = None, days: int = 7) -> list[SourceHealth]:
        """Every source's health at `now`: its state, its stored articles (all, and per day over the
        last `days`, however they came), pages waiting."""
        return self.repository.status(now or datetime.now(), days)

    def pages_kept(self) -> int:
        """How many fetched pages keep their raw bytes: what `caunoi reprocess` replays."""
        return self.repository.replay_count()


def _unknown(name_or_id: str | int) -> UnknownSource:
    return UnknownSource("source_unknown", "no source named {name!r}", name=name_or_id)
