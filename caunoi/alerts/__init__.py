"""Alert rules, their evaluation, and the delivery of what they raise.

A rule watches a scope — a search (query and filters), a saved search, or one story — and raises
an alert when, in the window that ends at evaluation time (`window_hours`, 24 by default):

  volume_spike  more articles than usual: n ≥ min_count and z = (n − μ) / σ ≥ z, where μ and σ
                are the counts of the same window 1…baseline_weeks weeks earlier (same weekday,
                same hours: weekly seasonality), σ at least √μ and 1 (a count's own noise). When
                the store is younger than that history, the previous 7 windows are the baseline
                instead, and the alert says so.
  tone_spike    the mean tone of the window's articles (GDELT scale, see caunoi.enrich.tone) falls
                at least z standard deviations (at least `tone_floor`) below the same weekly
                baseline, or below `tone_below`, with n ≥ min_count articles that have a tone.
  new_story     a story first seen in the window with at least min_articles articles in scope
                (`topics` lists priority topics, any of them).
  rising_story  a story in scope starts rising: its articles in the window against its own
                previous windows of `baseline_days` (7), as the stories page finds rising stories
                (caunoi.stories.rising: n ≥ min_count, 3 here, and z ≥ z); once per story.
  outlet        an article in scope by one of `outlets`.
  mention       an article in scope: put the document (--doc-ref) or person (--entity) in the scope.

Volumes count an article and its reprints once (`reprints: true` counts every copy). Alerts
carry `why`: the figures behind them. No storms: a rule alerts at most once per window for spikes,
once per story for rising stories and once per story per window for the others (alert_keys
remembers), and when one run would raise more than `digest_after` story alerts for a rule they
become one digest alert listing them all.

Every alert lands in the in-app inbox (the alerts table); each of the rule's channels gets a
delivery record, sent by `deliver` with caunoi.alerts.notify, retried on later runs while the failure may
pass, until MAX_DELIVERY_RUNS runs have tried it.

The inbox also holds pack notices, raised by no rule: `tell_pack` tells the units an information
pack was sent to, and queues mail to their channels the same way (caunoi.alerts.notices).
"""

from __future__ import annotations

import functools
import html
import logging
from collections.abc import Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine

from caunoi.alerts.rules import KINDS, SEVERITIES, AlertError, AlertNotFound, RuleBook
from caunoi.config import Settings
from caunoi.search import SavedSearches
from caunoi.store.alerts import AlertRepository
from caunoi.store.articles import ArticleRepository
from caunoi.timezones import utcnow

if TYPE_CHECKING:
    from caunoi.alerts.evaluate import Evaluator, RunOutcome
    from caunoi.alerts.explain import AlertDetail
    from caunoi.alerts.notify import Delivery
    from caunoi.outreach import Pack

__all__ = ["KINDS", "SEVERITIES", "AlertError", "AlertNotFound", "Alerts"]

log = logging.getLogger(__name__)


STATES = {"new": "unread", "read": "read", "dismissed": "dismiss"}  # an alert's state -> its audit action


def _notices_for(reader: Mapping[str, Any] | None) -> str | None:
    """Whose pack notices `reader` reads: None for everyone's (or no reader), a unit's code for a
    mission officer's own, "" (no unit's code) for none at all."""
    if reader is None:
        return None
    from caunoi.users import permission

    scope = permission(dict(reader), "outreach.read")
    if scope == "all":
        return None
    return (reader.get("mission") or "") if scope == "own" else ""


class Alerts(RuleBook):
    """Rules, channels, evaluation and delivery over one store: the rules and channels are the
    RuleBook's (add_rule, edit_rule, rules, set_rule, add_channel, edit_channel, remove_channel,
    channels); a channel is tried out with test_channel."""

    def __init__(self, engine: Engine, settings: Settings):
        super().__init__(AlertRepository(engine), SavedSearches(engine))
        self.settings = settings
        self.articles = ArticleRepository(engine)

    @functools.cached_property
    def evaluator(self) -> Evaluator:
        """The rules' evaluation, made when first run (it is most of what this package imports)."""
        from caunoi.alerts.evaluate import Evaluator

        return Evaluator(self.repo, self.searches, self.articles)

    # -- the inbox ---------------------------------------------------------------------------------

    def inbox(
        self, state: str | None = None, limit: int = 50, *, reader: Mapping[str, Any] | None = None
    ) -> list[dict[str, Any]]:
        """The newest alerts first. With `reader` (a user), only the pack notices they may read: a
        mission officer reads the rules' alerts and the notices telling their own mission
        (caunoi.users, outreach.read)."""
        from caunoi.alerts.notices import shown

        return [shown(row) for row in self.repo.list_alerts(state, limit, _notices_for(reader))]

    def unread(self, reader: Mapping[str, Any] | None = None) -> int:
        """How many alerts are new, of those `reader` may read (one COUNT: the navigation's badge)."""
        return self.repo.count_new(_notices_for(reader))

    def get(self, alert_id: int, *, reader: Mapping[str, Any] | None = None) -> dict[str, Any] | None:
        """One alert, with its deliveries; None when there is none, or none `reader` may read."""
        from caunoi.alerts.notices import shown

        found = self.repo.find_alert(alert_id)
        told = _notices_for(reader)
        if found is None or (told is not None and found["unit"] not in (None, told)):
            return None
        return shown(found)

    def detail(self, alert_id: int, *, reader: Mapping[str, Any] | None = None) -> AlertDetail | None:
        """One alert with why it was raised: its figures, the articles of its spike and their
        stories, who read or dismissed it (caunoi.alerts.explain)."""
        from caunoi.alerts.explain import explain

        found = self.get(alert_id, reader=reader)
        return explain(found, self.repo, self.evaluator) if found is not None else None

    def mark(self, alert_id: int, state: str, by: str | None = None) -> None:
        """Mark an alert new, read or dismissed; `by` (who) audits the change."""
        if state not in STATES:
            raise AlertError(
                "alert_bad_state", "an alert is new, read or dismissed, not {state!r}", state=state
            )
        if not self.repo.set_state(alert_id, state, by, STATES[state]):
            raise AlertNotFound("alert_not_found", "no alert with id {id}", id=alert_id)

    def counts(self) -> dict[str, int]:
        return self.repo.count_by_state()

    # -- evaluation and delivery -------------------------------------------------------------------

    def run(self, at: datetime | None = None) -> list[int]:
        """Evaluate every enabled rule at `at` (now by default); the new alert ids."""
        return self.evaluate(at).raised

    def evaluate(self, at: datetime | None = None) -> RunOutcome:
        """Evaluate every enabled rule at `at` (now by default): the new alert ids, and the rules that
        could not run with their errors (kept as their health too; the other rules ran)."""
        return self.evaluator.run(at)

    def tell_pack(self, pack: Pack, units: list[str]) -> list[int]:
        """Tell each of `units` (codes) that `pack` was sent to it: a notice in the inbox, and a mail
        queued for the enabled e-mail channel named as its code, if there is one (sent by
        `deliver`). A unit told of that pack before is not told again. The new notices' ids."""
        from caunoi.alerts.notices import pack_notices
        from caunoi.units import UnitService

        found = [UnitService(self.repo.engine).get(code) for code in units]
        now = utcnow()
        ids = self.repo.record_notices(pack_notices(pack, found, self.settings.timezone, now), now)
        mailed = {
            c["name"].casefold() for c in self.repo.list_channels() if c["kind"] == "email" and c["enabled"]
        }
        for unit in found:
            if unit.code.casefold() not in mailed:
                log.info(
                    "pack %s: %s is told in the inbox only; for mail, add an e-mail channel named %s",
                    pack.id, unit.code, unit.code,
                )  # fmt: skip
        return ids

    def test_channel(self, name: str, *, by: str | None = None) -> Delivery:
        """Send a test notification to a channel now, once, whatever rule names it: a short mail, or
        a signed webhook POST of event "channel.test". What became of it is audited under `by`."""
        from caunoi.alerts import notify

        channel = self._channel(name)
        said = f"Cầu Nối: thử kênh thông báo «{name}» / a test of the notification channel {name!r}"
        if channel["kind"] == "email":
            to = [a.strip() for a in channel["target"].split(",")]
            sent = notify.send_mail(self.settings, to, said, f"<p>{html.escape(said)}</p>", said + "\n")
        else:
            payload = {"test": True, "channel": name, "by": by, "at": datetime.now().isoformat()}
            sent = notify.post_webhook(
                channel["target"], channel["secret"] or "", payload, self.settings, event="channel.test",
                allow_private=bool(channel["allow_private"]), resolver=self.resolver,
            )  # fmt: skip
        self.repo.record_test(name, "sent" if sent.ok else f"failed: {sent.error}", by=by)
        return sent

    def deliver(self) -> dict[str, int]:
        """Send every pending delivery, once; counts by outcome (sent, pending, failed)."""
        from caunoi.alerts.deliver import send_pending

        return send_pending(self.repo, self.settings)
