"""What a source is, and reading a list of them from YAML or CSV with clear errors: every refusal is
a SourceError (Invalid) with a code, naming the source and the field."""

from __future__ import annotations

import csv
import dataclasses
import io
from pathlib import Path
from typing import Any

import yaml

from caunoi.config import parse_bool
from caunoi.errors import Invalid
from caunoi.models import SourceSpec
from caunoi.net.urls import canonical_url

MEDIA_TYPES = ("newspaper", "online", "agency", "broadcaster", "magazine", "government", "portal")
ORIGINS = ("domestic", "foreign", "diaspora", "international")
SAMPLE = Path(__file__).resolve().parent.parent / "data" / "sources.sample.yaml"


class SourceError(Invalid):
    """A source description we cannot accept; the message names the source and the field."""


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

    def refused(code: str, what: str, **params: Any) -> SourceError:
        return SourceError(code, "{where}source {name!r}: " + what, where=where, name=name, **params)

    unknown = set(raw) - _FIELDS
    if unknown:
        raise refused("source_unknown_fields", "unknown field(s) {fields}", fields=", ".join(sorted(unknown)))
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
                    "country must be an ISO 3166 two-letter code, got {country!r}",
                    country=values["country"],
                )
        if values["media_type"] and values["media_type"] not in MEDIA_TYPES:
            raise refused(
                "source_bad_media_type", "media_type must be one of {allowed}", allowed=", ".join(MEDIA_TYPES)
            )
        if values["origin"] and values["origin"] not in ORIGINS:
            raise refused("source_bad_origin", "origin must be one of {allowed}", allowed=", ".join(ORIGINS))
        poll = raw.get("poll_minutes")
        values["poll_minutes"] = int(poll) if poll not in (None, "") else 30
        if not 1 <= values["poll_minutes"] <= 7 * 24 * 60:
            raise refused("source_bad_poll_minutes", "poll_minutes must be between 1 and 10080 (a week)")
        for key in ("enabled", "allow_private"):
            if raw.get(key) is not None:
                values[key] = parse_bool(raw[key])
    except SourceError:
        raise
    except (TypeError, ValueError) as exc:  # a URL (BadURL), a list, a number or a yes/no it cannot read
        raise refused("source_bad_value", "{reason}", reason=str(exc)) from None
    if not values["feeds"] and not values["sitemaps"]:
        raise refused("source_no_listing", "give at least one feed or sitemap to watch")
    return SourceSpec(**values)


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
