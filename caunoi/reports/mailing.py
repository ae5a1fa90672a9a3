"""Mailing a brief or a digest to the alerts' e-mail channels (`caunoi alerts channel-add NAME
--email …`): each channel is sent to once through caunoi.alerts.notify (which retries what may pass)
and each send is recorded in the store (brief_sends: channel, addresses, state, error, who). A
scheduled send is claimed first, so it is made once per moment and channel whoever runs the
schedule (caunoi.store.briefs). Never decides what the brief says nor when it is due."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from caunoi.config import Settings
from caunoi.errors import Invalid
from caunoi.store.alerts import AlertRepository
from caunoi.store.briefs import BriefRepository

log = logging.getLogger(__name__)


class BriefError(Invalid):
    """A brief, an edition or a send that cannot be made as asked; the message says why."""


@dataclass(frozen=True)
class Sent:
    """What became of a brief sent to one channel."""

    channel: str
    target: str
    ok: bool
    error: str | None = None


Mail = tuple[str, str, str]  # subject, html, text


def email_channels(repo: AlertRepository, names: Sequence[str], strict: bool = True) -> dict[str, str | None]:
    """Channel name -> its addresses, for these names of enabled e-mail channels. A name that is none
    is refused — or, not `strict`, kept with no addresses (a scheduled send records it as failed)."""
    if not names:
        raise BriefError("brief_no_channel", "choose the e-mail channel(s) to send the brief to")
    found = {c["name"]: c for c in repo.list_channels() if c["kind"] == "email" and c["enabled"]}
    wrong = [n for n in names if n not in found]
    if wrong and strict:
        raise BriefError(
            "brief_channel_unknown",
            "{names} is no enabled e-mail channel (channels: {usable}; add one with "
            "`caunoi alerts channel-add NAME --email ADDRESS`)",
            names=", ".join(wrong),
            usable=", ".join(sorted(found)) or "none yet",
        )
    return {n: found[n]["target"] if n in found else None for n in names}


def send_to_channels(
    briefs: BriefRepository,
    alerts: AlertRepository,
    settings: Settings,
    names: Sequence[str],
    mail: Mail | Callable[[], Mail],
    *,
    kind: str,
    by: str,
    due: datetime | None = None,
    edition_id: int | None = None,
) -> list[Sent]:
    """Send `mail` (or what `mail()` makes, made once and only if a channel is claimed) to each
    channel of `names`, recording each send. A scheduled send (`due`) to a channel already done for
    that moment is left out of the result."""
    from caunoi.alerts import notify

    targets = email_channels(alerts, names, strict=due is None)
    made: Mail | None = None if callable(mail) else mail
    outcome = []
    for name, target in targets.items():
        send_id = briefs.claim_send(kind, name, target or "", by, due=due, edition_id=edition_id)
        if send_id is None:
            continue
        if target is None:
            error = f"no enabled e-mail channel is named {name!r} (setting brief_channels)"
            briefs.finish_send(send_id, error)
            log.warning("%s brief not sent: %s", kind, error)
            outcome.append(Sent(name, "", False, error))
            continue
        if made is None:
            made = mail()  # type: ignore[operator]
        subject, html, text = made
        delivery = notify.send_mail(settings, [a.strip() for a in target.split(",")], subject, html, text)
        briefs.finish_send(send_id, delivery.error if not delivery.ok else None)
        log.info("%s brief to %s (%s): %s", kind, name, target, "sent" if delivery.ok else delivery.error)
        outcome.append(Sent(name, delivery.target or target, delivery.ok, delivery.error))
    return outcome
