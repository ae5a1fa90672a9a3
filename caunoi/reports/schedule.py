"""The brief and the digest on a schedule: the daily brief at `brief_daily_at` (the 24 hours before
it) and the weekly digest at `brief_weekly_at` (caunoi.reports.digest: the seven days before that
day against the seven before), both in the organisation's zone (`timezone`), mailed to the e-mail
channels `brief_channels` in `brief_lang`.

`send_due` is run by every round of `caunoi watch` and by `caunoi brief send-due` (cron, for those who
run no watcher): a moment is due from its time until LATE after it — a watcher down at 08:00 and
started at 10:00 still sends the brief of 08:00, one started at 20:00 does not — and is sent once to
each channel whoever runs it and however often: the store remembers each send (caunoi.store.briefs)
before it is made. A send that failed is tried again on a later run, ten minutes apart, three times
in all."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import Engine

from caunoi.config import Settings, parse_clock
from caunoi.reports.mailing import Sent, send_to_channels
from caunoi.store.alerts import AlertRepository
from caunoi.store.briefs import BriefRepository
from caunoi.text.timestamps import to_local

log = logging.getLogger(__name__)

LATE = {"daily": timedelta(hours=6), "weekly": timedelta(hours=24)}
BY = "schedule"  # who sent it, in the record of each send


@dataclass(frozen=True)
class Due:
    """A scheduled brief or digest whose moment has come."""

    kind: str  # daily | weekly
    at: datetime  # the moment, in the organisation's zone (aware)


def due(settings: Settings, now: datetime | None = None) -> list[Due]:
    """The scheduled moments that have come and are not LATE past, at `now` (aware; naive is read in
    the organisation's zone; default: now)."""
    zone = ZoneInfo(settings.timezone)
    if now is None:
        now = datetime.now(zone)
    now = now.astimezone(zone) if now.tzinfo else now.replace(tzinfo=zone)
    found = []
    for kind, setting in (("daily", settings.brief_daily_at), ("weekly", settings.brief_weekly_at)):
        clock = parse_clock(setting, f"brief_{kind}_at", weekly=kind == "weekly")
        if clock is None:
            continue
        day, hour, minute = clock
        moment = now.replace(hour=hour, minute=minute, second=0, microsecond=0)
        if day is not None:
            moment -= timedelta(days=(now.weekday() - day) % 7)
        if moment > now:
            moment -= timedelta(days=1 if day is None else 7)
        if now - moment <= LATE[kind]:
            found.append(Due(kind, moment))
    return found


def send_due(engine: Engine, settings: Settings, now: datetime | None = None) -> list[tuple[Due, Sent]]:
    """Mail what is due and was not sent yet to each of `brief_channels`: what was sent, or failed."""
    channels = [c.strip() for c in settings.brief_channels.split(",") if c.strip()]
    moments = due(settings, now)
    if not channels or not moments:
        return []
    from caunoi.reports import brief, digest
    from caunoi.reports.html import brief_mail, digest_mail

    lang, subject = settings.brief_lang, settings.subject_country
    outcome = []
    for moment in moments:
        end = to_local(moment.at)  # the store's wall-clock time (caunoi.text.timestamps)

        def made(kind: str = moment.kind, end: datetime = end) -> tuple[str, str, str]:
            if kind == "daily":
                day = brief.build(
                    engine, end - timedelta(hours=24), end, lang, subject=subject, timezone=settings.timezone
                )
                return brief_mail(day, lang)
            return digest_mail(digest.build(engine, end, lang, subject, settings.timezone), lang)

        sent = send_to_channels(
            BriefRepository(engine), AlertRepository(engine), settings, channels, made,
            kind=moment.kind, by=BY, due=moment.at.replace(tzinfo=None),
        )  # fmt: skip
        outcome += [(moment, one) for one in sent]
    return outcome
