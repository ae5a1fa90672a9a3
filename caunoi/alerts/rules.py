"""Alert rules and channels: what a rule or channel must say to be kept (its kind, severity, scope,
thresholds, target), the scope in canonical form, and adding or changing them. Never evaluates a
rule nor sends anything (evaluate.py, deliver.py); the rule kinds are documented in caunoi.alerts."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from caunoi import errors
from caunoi.errors import Invalid
from caunoi.search import FilterError, QueryError, SavedSearches, filled, request_from
from caunoi.store.alerts import AlertRepository
from caunoi.timezones import article_clock

if TYPE_CHECKING:
    from caunoi.net.guard import Resolver

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
        ).checked(article_clock())  # fmt: skip
    except errors.CaunoiError as exc:
        raise AlertError.like(exc) from None


class RuleBook:
    """The alert rules and channels of one store. Every change is audited (entities "alert_rule"
    and "channel") under `by`, who makes it; `resolver` is the DNS the SSRF guard asks when a
    webhook is added (None: the machine's; tests give a fake one)."""

    def __init__(self, repo: AlertRepository, searches: SavedSearches):
        self.repo = repo
        self.searches = searches
        self.resolver: Resolver | None = None

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
        """Add a rule (audited under `by`); `replace` swaps a rule of the same name for this one (its
        alerts go with it)."""
        values = self._rule(kind, scope, params, channel_names, severity)
        rule_id = self.repo.insert_rule({"name": name, **values, "created_by": by}, replace=replace, by=by)
        if rule_id is None:
            raise AlertError(
                "rule_exists", "a rule named {name!r} exists already (--replace swaps it)", name=name
            )
        return rule_id

    def edit_rule(
        self,
        name: str,
        kind: str,
        scope: dict[str, Any],
        params: dict[str, Any] | None = None,
        channel_names: list[str] | None = None,
        severity: str = "medium",
        *,
        by: str | None = None,
    ) -> None:
        """Change what a rule watches and whom it tells, keeping its alerts and what it has alerted
        on (audited: each field before and after)."""
        values = self._rule(kind, scope, params, channel_names, severity)
        if not self.repo.update_rule(name, values, by=by):
            raise AlertNotFound("rule_not_found", "no rule named {name!r}", name=name)

    def _rule(
        self,
        kind: str,
        scope: dict[str, Any],
        params: dict[str, Any] | None,
        channel_names: list[str] | None,
        severity: str,
    ) -> dict[str, Any]:
        """A rule's kind, scope, params, channels and severity, checked and in canonical form."""
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
        channels = list(channel_names or [])
        return {"kind": kind, "scope": scope, "params": params, "channels": channels, "severity": severity}

    def rules(self) -> list[dict[str, Any]]:
        return self.repo.list_rules()

    def rule(self, rule_id: int) -> dict[str, Any]:
        """One rule, by id."""
        found = self.repo.find_rule(rule_id)
        if found is None:
            raise AlertNotFound("rule_id_not_found", "no rule with id {id}", id=rule_id)
        return found

    def channel(self, channel_id: int) -> dict[str, Any]:
        """One channel, by id, its secret masked."""
        found = next((c for c in self.channels() if c["id"] == channel_id), None)
        if found is None:
            raise AlertNotFound("channel_id_not_found", "no channel with id {id}", id=channel_id)
        return found

    def set_rule(
        self, name: str, *, enabled: bool | None = None, remove: bool = False, by: str | None = None
    ) -> None:
        """Switch a rule on or off, or remove it (with its alerts)."""
        if not self.repo.change_rule(name, enabled=enabled, remove=remove, by=by):
            raise AlertNotFound("rule_not_found", "no rule named {name!r}", name=name)

    def add_channel(
        self,
        name: str,
        kind: str,
        target: str,
        secret: str | None = None,
        allow_private: bool = False,
        *,
        by: str | None = None,
        replace: bool = False,
    ) -> int:
        """Add an e-mail or webhook channel; a webhook signs what it posts with its `secret`, and one
        whose address the SSRF guard refuses (a private one, without `allow_private`) is refused now.
        `replace` swaps a channel of the same name for this one (rules name channels by name)."""
        if kind not in ("email", "webhook"):
            raise AlertError(
                "channel_bad_kind", "a channel is an e-mail address (--email) or a webhook URL (--webhook)"
            )
        values = {"name": name, "kind": kind, **self._target(kind, target, secret, allow_private)}
        channel_id = self.repo.insert_channel(values, by=by, replace=replace)
        if channel_id is None:
            raise AlertError(
                "channel_exists", "a channel named {name!r} exists already (--replace swaps it)", name=name
            )
        return channel_id

    def edit_channel(
        self,
        name: str,
        target: str,
        secret: str | None = None,
        allow_private: bool = False,
        *,
        enabled: bool = True,
        by: str | None = None,
    ) -> None:
        """Change where a channel sends (checked as when it was added); a webhook's secret is kept
        when none is given."""
        found = self._channel(name)
        values = self._target(found["kind"], target, secret or found["secret"], allow_private)
        self.repo.update_channel(name, {**values, "enabled": enabled}, by=by)

    def _target(self, kind: str, target: str, secret: str | None, allow_private: bool) -> dict[str, Any]:
        """A channel's target, secret and allow_private, checked for its kind."""
        target = (target or "").strip()
        if kind == "webhook" and not secret:
            raise AlertError(
                "channel_no_secret",
                "a webhook channel needs a --secret: the receiver checks the signature with it",
            )
        if kind == "email" and "@" not in target:
            raise AlertError("channel_bad_email", "{target!r} is not an e-mail address", target=target)
        if kind == "webhook":
            from caunoi.alerts.notify import webhook_problem  # the network layer: only for a webhook

            problem = webhook_problem(target, allow_private=allow_private, resolver=self.resolver)
            if problem is not None:
                raise AlertError(
                    "channel_refused_url",
                    "the webhook {target} is refused: {reason}; for a receiver on your own network, "
                    "mark the channel allow_private (--allow-private)",
                    target=target,
                    reason=problem,
                )
        return {
            "target": target,
            "secret": secret if kind == "webhook" else None,
            "allow_private": allow_private,
        }

    def _channel(self, name: str) -> dict[str, Any]:
        found = next((c for c in self.repo.list_channels() if c["name"] == name), None)
        if found is None:
            raise AlertNotFound("channel_not_found", "no channel named {name!r}", name=name)
        return found

    def remove_channel(self, name: str, *, by: str | None = None) -> None:
        """Remove a channel no rule names (its past deliveries stay, by name)."""
        self._channel(name)
        users = [r["name"] for r in self.repo.list_rules() if name in (r["channels"] or [])]
        if users:
            raise AlertError(
                "channel_in_use",
                "the channel {name!r} is used by the rule(s) {rules}: take it out of them first",
                name=name,
                rules=", ".join(users),
            )
        self.repo.remove_channel(name, by=by)

    def channels(self) -> list[dict[str, Any]]:
        """Every channel by name, its secret masked."""
        rows = self.repo.list_channels()
        for row in rows:
            row["secret"] = "…" if row["secret"] else None  # never shown back
        return rows
