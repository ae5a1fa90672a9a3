"""Alert rules and channels: what a rule or channel must say to be kept (its kind, severity, scope,
thresholds, target), the scope in canonical form, and adding or changing them. Never evaluates a
rule nor sends anything (evaluate.py, deliver.py); the rule kinds are documented in caunoi.alerts."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from caunoi import errors
from caunoi.errors import Invalid
from caunoi.search import FilterError, QueryError, SavedSearches, filled, request_from
from caunoi.store.alerts import AlertRepository

KINDS = ("volume_spike", "tone_spike", "new_story", "rising_story", "outlet", "mention")
SEVERITIES = ("low", "medium", "high")


class AlertError(Invalid):
    """A rule or channel that cannot be used; the message says why."""


class AlertNotFound(AlertError, errors.NotFound):
    """No rule or alert by that name or id."""

    kind = errors.NotFound.kind


def canonical(scope: dict[str, Any]) -> dict[str, Any]:
    """A scope with its names resolved as search resolves them: an entity's name to its id, a country
    to its code, a document's number to its canonical symbol, the outlets' origin and country checked
    (foreign, US); its query refused as search refuses it (a rule kept with a query that does not
    parse could never run)."""
    keys = ("query", "doc_ref", "entity", "country", "origin", "outlet_country")
    try:
        named = request_from({key: scope.get(key) for key in keys}, require=False)
    except (FilterError, QueryError) as exc:
        raise AlertError.like(exc) from None
    outlets = {"origin": named.origin, "outlet_country": named.outlet_country}
    return {**scope, **dict(named.tags), **filled(outlets)}


def _check_rising(params: dict[str, Any]) -> None:
    """A rising_story rule's window and thresholds, refused as the stories page refuses them."""
    from caunoi.alerts.evaluate import rule_params
    from caunoi.stories.rising import RisingRequest

    p = rule_params({"kind": "rising_story", "params": params})
    try:
        RisingRequest(
            hours=int(p["window_hours"]), baseline_days=int(p["baseline_days"]), z=float(p["z"]),
            min_count=int(p["min_count"]),
        ).checked(datetime.now())  # fmt: skip
    except errors.CaunoiError as exc:
        raise AlertError.like(exc) from None


class RuleBook:
    """The alert rules and channels of one store."""

    def __init__(self, repo: AlertRepository, searches: SavedSearches):
        self.repo = repo
        self.searches = searches

    def add_rule(
        self,
        name: str,
        kind: str,
        scope: dict[str, Any],
        params: dict[str, Any] | None = None,
        channel_names: list[str] | None = None,
        severity: str = "medium",
        by: str | None = None,
        replace: bool = False,
    ) -> int:
        """Add a rule; `replace` swaps a rule of the same name for this one (its alerts go with it)."""
        if kind not in KINDS:
            raise AlertError(
                "rule_bad_kind",
                "unknown rule kind {kind!r}: use one of {kinds}",
                kind=kind,
                kinds=", ".join(KINDS),
            )
        if severity not in SEVERITIES:
            raise AlertError(
                "rule_bad_severity",
                "unknown severity {severity!r}: use low, medium or high",
                severity=severity,
            )
        scope = canonical(filled(scope))
        params = filled(params or {})
        if kind == "outlet" and not params.get("outlets"):
            raise AlertError(
                "rule_no_outlets", "an outlet rule needs the outlets to watch (--outlet, repeat for more)"
            )
        if kind == "mention" and not any(scope.get(k) for k in ("doc_ref", "entity", "query")):
            raise AlertError(
                "rule_no_mention", "a mention rule needs what to look for: --doc-ref, --entity or a query"
            )
        if kind == "rising_story":
            _check_rising(params)
        if scope.get("saved"):
            saved = self.searches.get(scope["saved"])
            if saved is None:
                raise AlertError(
                    "rule_no_saved_search", "no saved search named {name!r}", name=scope["saved"]
                )
            canonical({"query": saved.request.get("query")})  # one kept by older code may not parse
        if scope.get("story") and not self.repo.find_stories([scope["story"]]):
            raise AlertError("story_not_found", "no story with id {id}", id=scope["story"])
        known = self.repo.channel_names()
        missing = [c for c in channel_names or [] if c not in known]
        if missing:
            raise AlertError(
                "rule_no_channel",
                "no channel named {names}: add it with `caunoi alerts channel-add`",
                names=", ".join(missing),
            )
        rule_id = self.repo.insert_rule(
            {
                "name": name,
                "kind": kind,
                "scope": scope,
                "params": params,
                "channels": list(channel_names or []),
                "severity": severity,
                "created_by": by,
            },
            replace=replace,
            by=by or "system",
        )
        if rule_id is None:
            raise AlertError(
                "rule_exists", "a rule named {name!r} exists already (--replace swaps it)", name=name
            )
        return rule_id

    def rules(self) -> list[dict[str, Any]]:
        return self.repo.list_rules()

    def set_rule(
        self, name: str, *, enabled: bool | None = None, remove: bool = False, by: str = "system"
    ) -> None:
        """Switch a rule on or off, or remove it; audited under `by`."""
        if not self.repo.change_rule(name, enabled=enabled, remove=remove, by=by):
            raise AlertNotFound("rule_not_found", "no rule named {name!r}", name=name)

    def add_channel(
        self,
        name: str,
        kind: str,
        target: str,
        secret: str | None = None,
        allow_private: bool = False,
        by: str = "system",
    ) -> int:
        """Add an e-mail or webhook channel (audited under `by`, its secret never kept there); a
        webhook signs what it posts with its `secret`."""
        if kind not in ("email", "webhook"):
            raise AlertError(
                "channel_bad_kind", "a channel is an e-mail address (--email) or a webhook URL (--webhook)"
            )
        if kind == "webhook" and not secret:
            raise AlertError(
                "channel_no_secret",
                "a webhook channel needs a --secret: the receiver checks the signature with it",
            )
        if kind == "email" and "@" not in target:
            raise AlertError("channel_bad_email", "{target!r} is not an e-mail address", target=target)
        channel_id = self.repo.insert_channel(
            {"name": name, "kind": kind, "target": target, "secret": secret, "allow_private": allow_private},
            by=by,
        )
        if channel_id is None:
            raise AlertError("channel_exists", "a channel named {name!r} exists already", name=name)
        return channel_id

    def channels(self) -> list[dict[str, Any]]:
        """Every channel by name, its secret masked."""
        rows = self.repo.list_channels()
        for row in rows:
            row["secret"] = "…" if row["secret"] else None  # never shown back
        return rows
