"""Sending what the alert rules raised, and the pack notices (notices.py): each pending delivery
goes out once by e-mail or webhook (caunoi.alerts.notify); a failure that may pass stays pending for
a later run, until MAX_DELIVERY_RUNS runs have tried it. Never decides what to alert on
(evaluate.py) nor whom to tell."""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from typing import Any

from caunoi.config import Settings
from caunoi.store.alerts import AlertRepository
from caunoi.timezones import iso_utc

MAX_DELIVERY_RUNS = 3


def send_pending(repo: AlertRepository, settings: Settings) -> dict[str, int]:
    """Send every pending delivery; a failure that may pass stays pending for the next run, up to
    MAX_DELIVERY_RUNS runs. Returns counts by outcome."""
    from caunoi.alerts import notify
    from caunoi.reports.html import alert_mail, pack_mail

    outcome: Counter = Counter()
    for d in repo.pending_deliveries():
        alert = repo.find_alert(d.alert_id)
        if d.kind == "email":
            if alert["pack_id"] is not None:
                subject, html, text = pack_mail(alert, settings.public_url)
            else:
                subject, html, text = alert_mail(alert, settings.timezone)
            result = notify.send_mail(settings, [a.strip() for a in d.target.split(",")], subject, html, text)
        else:
            payload = {"alert": _public(alert)}
            result = notify.post_webhook(
                d.target,
                d.secret or "",
                payload,
                settings,
                event="alert.raised",
                allow_private=bool(d.allow_private),
            )
        runs = d.attempts + 1
        state = (
            "sent"
            if result.ok
            else ("failed" if result.permanent or runs >= MAX_DELIVERY_RUNS else "pending")
        )
        outcome[state] += 1
        repo.record_attempt(d.id, state=state, attempts=runs, status=result.status, error=result.error)
    return dict(outcome)


def _public(alert: dict[str, Any]) -> dict[str, Any]:
    """An alert as webhooks receive it: when it was raised in UTC with a Z, as the API gives it; its
    window as the articles' times are kept (Hà Nội wall-clock, without an offset)."""
    keep = (
        "id",
        "rule",
        "kind",
        "story_id",
        "severity",
        "title",
        "why",
        "digest",
        "window_start",
        "window_end",
        "created_at",
    )
    out = {k: alert.get(k) for k in keep}
    for k in ("window_start", "window_end"):
        if isinstance(out[k], datetime):
            out[k] = out[k].isoformat()
    out["created_at"] = iso_utc(out["created_at"])
    return out
