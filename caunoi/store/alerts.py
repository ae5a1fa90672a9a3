"""Alert rules, channels, alerts (and pack notices: alerts without a rule), the keys that keep a
rule from alerting twice, and deliveries in the store. Only reads and writes rows: what a rule means,
when it fires and how a delivery is sent are caunoi.alerts' business; the refusals (a name taken, a
rule or alert gone) come back as None or False for it to word."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, Table, and_, func, literal, or_, select, update

from caunoi.store.audit import Changes, diff, history, record_audit, removed, utc_now
from caunoi.store.schema import (
    alert_keys,
    alert_rules,
    alerts,
    article_time,
    articles,
    channels,
    deliveries,
    pack_recipients,
    packs,
    stories,
    story_articles,
)
from caunoi.store.tags import read_by_ids
from caunoi.timezones import utcnow

# An alert with the name and kind of the rule that raised it, as the inbox shows it; a pack notice
# has no rule (kind "pack"), and comes with its pack's deadline and when its unit acknowledged it.
_ALERT = (
    select(
        alerts,
        alert_rules.c.name.label("rule"),
        func.coalesce(alert_rules.c.kind, literal("pack")).label("kind"),
        packs.c.deadline.label("pack_deadline"),
        pack_recipients.c.acknowledged_at.label("pack_acknowledged_at"),
    )
    .select_from(alerts)
    .outerjoin(alert_rules, alert_rules.c.id == alerts.c.rule_id)
    .outerjoin(packs, packs.c.id == alerts.c.pack_id)
    .outerjoin(
        pack_recipients,
        and_(pack_recipients.c.pack_id == alerts.c.pack_id, pack_recipients.c.unit == alerts.c.unit),
    )
)


SYSTEM = "system"  # the actor of a change made by code that names no one (tests, older callers)
ENTITY = {"alert_rules": "alert_rule", "channels": "channel"}  # audit_log.entity of each table
_SWITCH = {True: "enable", False: "disable"}
# What a removed rule or channel was, as its audit entry keeps it.
_KEPT = {
    "alert_rules": ("name", "kind", "scope", "params", "channels", "severity"),
    "channels": ("name", "kind", "target", "secret", "allow_private"),
}


def _masked(changes: Changes) -> Changes:
    """The changes as the audit log keeps them: a channel's secret never, only whether it was set,
    and a new one for an old one as changed: [None, "set"], ["set", "changed"], ["set", None]. A
    secret given again as it was is no change, and is not in `changes` (caunoi.store.audit.diff)."""
    if "secret" in changes:
        before, after = changes["secret"]
        changes["secret"] = ["set" if before else None, ("changed" if before else "set") if after else None]
    return changes


class AlertRepository:
    def __init__(self, engine: Engine):
        self.engine = engine

    # -- rules and channels ---------------------------------------------------------------------

    def insert_rule(self, values: dict[str, Any], replace: bool, by: str | None = None) -> int | None:
        """A new enabled rule; with `replace` it takes the place of a rule of the same name (whose
        alerts go with it). None if the name is taken and not `replace`. Audited under `by`."""
        return self._insert_named(alert_rules, values, by, replace)

    def _insert_named(
        self, table: Table, values: dict[str, Any], by: str | None, replace: bool = False
    ) -> int | None:
        """A new enabled row in a table of uniquely named rows (rules, channels); None if the name is
        taken, unless `replace` deletes the row of that name first. Audited as add (or replace: the
        fields that differ from the row replaced); a secret never, only as set or changed (_masked)."""

        def kept(row: Mapping[str, Any]) -> dict[str, Any]:
            return {k: row[k] for k in values if k != "created_by"}

        with self.engine.begin() as conn:
            old = conn.execute(select(table).where(table.c.name == values["name"])).mappings().first()
            if old:
                if not replace:
                    return None
                conn.execute(table.delete().where(table.c.name == values["name"]))
            new_id = conn.execute(
                table.insert().values(**values, enabled=True, created_at=utcnow())
            ).inserted_primary_key[0]
            changes = _masked(diff(kept(old) if old else {}, kept(values)))
            action = "replace" if old else "add"
            record_audit(conn, utc_now(), by or SYSTEM, ENTITY[table.name], new_id, action, changes)
            return new_id

    def list_rules(self) -> list[dict[str, Any]]:
        with self.engine.connect() as conn:
            return [dict(r._mapping) for r in conn.execute(select(alert_rules).order_by(alert_rules.c.id))]

    def find_rule_named(self, name: str) -> dict[str, Any] | None:
        with self.engine.connect() as conn:
            row = conn.execute(select(alert_rules).where(alert_rules.c.name == name)).mappings().first()
        return dict(row) if row else None

    def change_rule(
        self, name: str, *, enabled: bool | None = None, remove: bool = False, by: str | None = None
    ) -> bool:
        """Remove the rule of that name, or switch it on or off, audited under `by`; False if there
        is none."""
        if remove:
            return self.remove_named(alert_rules, name, by=by)
        if enabled is None:
            return self.find_rule_named(name) is not None
        return self.update_named(alert_rules, name, {"enabled": enabled}, by=by, action=_SWITCH[enabled])

    def update_rule(self, name: str, values: dict[str, Any], *, by: str | None) -> bool:
        return self.update_named(alert_rules, name, values, by=by)

    def update_channel(self, name: str, values: dict[str, Any], *, by: str | None) -> bool:
        return self.update_named(channels, name, values, by=by)

    def remove_channel(self, name: str, *, by: str | None) -> bool:
        return self.remove_named(channels, name, by=by)

    def update_named(
        self, table: Table, name: str, values: dict[str, Any], *, by: str | None, action: str = "edit"
    ) -> bool:
        """Change the row of that name (a rule, a channel) and audit what changed, in the same
        transaction (a secret never: a new one for an old one as ["set", "changed"]); False if none."""
        with self.engine.begin() as conn:
            row = conn.execute(select(table).where(table.c.name == name).with_for_update()).mappings().first()
            if row is None:
                return False
            changes = diff(row, values)
            if changes:
                conn.execute(update(table).where(table.c.id == row["id"]).values(**values))
                entity = ENTITY[table.name]
                record_audit(conn, utc_now(), by or SYSTEM, entity, row["id"], action, _masked(changes))
        return True

    def remove_named(self, table: Table, name: str, *, by: str | None) -> bool:
        """Delete the row of that name (a rule with its alerts, a channel), audited with what it was
        (a secret only as set); False if none."""
        with self.engine.begin() as conn:
            row = conn.execute(select(table).where(table.c.name == name)).mappings().first()
            if row is None:
                return False
            conn.execute(table.delete().where(table.c.id == row["id"]))
            was = _masked(removed({k: row[k] for k in _KEPT[table.name]}))
            record_audit(conn, utc_now(), by or SYSTEM, ENTITY[table.name], row["id"], "remove", was)
        return True

    def record_test(self, name: str, outcome: str, *, by: str | None) -> None:
        """Audit a test notification sent to a channel: who sent it and what became of it."""
        with self.engine.begin() as conn:
            found = conn.execute(select(channels.c.id).where(channels.c.name == name)).scalar()
            if found is not None:
                changes = {"result": [None, outcome]}
                record_audit(conn, utc_now(), by or SYSTEM, "channel", found, "test", changes)

    def insert_channel(
        self, values: dict[str, Any], by: str | None = None, replace: bool = False
    ) -> int | None:
        """A new enabled channel, audited under `by` (its secret only as set or changed); None if the
        name is taken and not `replace`."""
        return self._insert_named(channels, values, by, replace)

    def list_channels(self) -> list[dict[str, Any]]:
        """Every channel by name, secrets included: the caller hides them."""
        with self.engine.connect() as conn:
            return [dict(r._mapping) for r in conn.execute(select(channels).order_by(channels.c.name))]

    def channel_names(self) -> set[str]:
        with self.engine.connect() as conn:
            return set(conn.execute(select(channels.c.name)).scalars())

    def find_stories(self, ids: Iterable[int]) -> dict[int, Any]:
        """The stories rows of those ids that exist, by id."""
        ids = list(ids)
        if not ids:
            return {}
        with self.engine.connect() as conn:
            return {r.id: r for r in conn.execute(select(stories).where(stories.c.id.in_(ids)))}

    # -- the inbox --------------------------------------------------------------------------------

    def list_alerts(
        self, state: str | None = None, limit: int = 50, notices_for: str | None = None
    ) -> list[dict[str, Any]]:
        """The newest alerts first, in `state` if given; with `notices_for` (a unit's code), the only
        pack notices are those telling that unit."""
        query = _ALERT.order_by(alerts.c.created_at.desc(), alerts.c.id.desc()).limit(limit)
        if state:
            query = query.where(alerts.c.state == state)
        if notices_for is not None:
            query = query.where(or_(alerts.c.unit.is_(None), alerts.c.unit == notices_for))
        with self.engine.connect() as conn:
            return [dict(r._mapping) for r in conn.execute(query)]

    def find_alert(self, alert_id: int) -> dict[str, Any] | None:
        """One alert with its rule's name and kind, and its deliveries."""
        with self.engine.connect() as conn:
            row = conn.execute(_ALERT.where(alerts.c.id == alert_id)).first()
            if row is None:
                return None
            out = dict(row._mapping)
            out["deliveries"] = [
                dict(d._mapping)
                for d in conn.execute(
                    select(deliveries).where(deliveries.c.alert_id == alert_id).order_by(deliveries.c.id)
                )
            ]
        return out

    def set_state(self, alert_id: int, state: str, by: str | None = None, action: str = "") -> bool:
        """False if there is no such alert. With `by`, a change of state is audited as `action`
        (entity "alert"), in the same transaction."""
        with self.engine.begin() as conn:
            before = conn.execute(select(alerts.c.state).where(alerts.c.id == alert_id)).scalar()
            if before is None:
                return False
            conn.execute(update(alerts).where(alerts.c.id == alert_id).values(state=state))
            if by and before != state:
                record_audit(conn, utcnow(), by, "alert", alert_id, action, {"state": [before, state]})
        return True

    def count_by_state(self) -> dict[str, int]:
        with self.engine.connect() as conn:
            return dict(conn.execute(select(alerts.c.state, func.count()).group_by(alerts.c.state)).all())

    def count_new(self, notices_for: str | None = None) -> int:
        """How many alerts are new (unread), in one COUNT; with `notices_for` (a unit's code), the
        only pack notices counted are those telling that unit."""
        query = select(func.count()).select_from(alerts).where(alerts.c.state == "new")
        if notices_for is not None:
            query = query.where(or_(alerts.c.unit.is_(None), alerts.c.unit == notices_for))
        with self.engine.connect() as conn:
            return conn.execute(query).scalar_one()

    def find_rule(self, rule_id: int) -> dict[str, Any] | None:
        with self.engine.connect() as conn:
            row = conn.execute(select(alert_rules).where(alert_rules.c.id == rule_id)).first()
        return dict(row._mapping) if row is not None else None

    def articles_of(self, article_ids: Sequence[int]) -> list[Any]:
        """(id, title, source, lang, when, story_id, story_title) of these articles, in publication
        order (then id); their story, if they are in one."""
        when = article_time()
        query = (
            select(
                articles.c.id, articles.c.title, articles.c.source, articles.c.lang, when.label("when"),
                story_articles.c.story_id, stories.c.title.label("story_title"),
            )
            .outerjoin(story_articles, story_articles.c.article_id == articles.c.id)
            .outerjoin(stories, stories.c.id == story_articles.c.story_id)
        )  # fmt: skip
        with self.engine.connect() as conn:
            rows = list(read_by_ids(conn, list(article_ids), lambda c: query.where(articles.c.id.in_(c))))
        return sorted(rows, key=lambda r: (r.when, r.id))

    def history(self, alert_id: int) -> list[dict[str, Any]]:
        """Who changed the alert's state, oldest first."""
        return history(self.engine, "alert", alert_id)

    # -- what a run raises ------------------------------------------------------------------------

    def seen_keys(self, rule_id: int, keys: list[str]) -> set[str]:
        """Those of `keys` the rule has alerted on already."""
        if not keys:
            return set()
        with self.engine.connect() as conn:
            return set(
                conn.execute(
                    select(alert_keys.c.key).where(
                        alert_keys.c.rule_id == rule_id, alert_keys.c.key.in_(keys)
                    )
                ).scalars()
            )

    def record_run(
        self,
        rule_id: int,
        now: datetime,
        raised: list[tuple[dict[str, Any], list[str]]],
        channel_names: list[str],
    ) -> list[int]:
        """In one transaction: note that the rule ran at `now`, and store each raised alert (its
        column values, and the keys it covers) in state new, with a pending delivery for each enabled
        channel among `channel_names`. Returns the new alert ids."""
        ids = []
        with self.engine.begin() as conn:
            ran = {"last_run_at": now, "last_error": None}  # an error of an earlier run is over
            conn.execute(update(alert_rules).where(alert_rules.c.id == rule_id).values(**ran))
            if not raised:
                return ids
            targets = conn.execute(
                select(channels).where(channels.c.name.in_(channel_names), channels.c.enabled)
            ).all()
            for values, keys in raised:
                alert_id = conn.execute(
                    alerts.insert().values(**values, rule_id=rule_id, state="new", created_at=now)
                ).inserted_primary_key[0]
                conn.execute(
                    alert_keys.insert(),
                    [{"rule_id": rule_id, "key": key, "alert_id": alert_id} for key in keys],
                )
                self._queue(conn, alert_id, targets, now)
                ids.append(alert_id)
        return ids

    def record_notices(self, notices: list[dict[str, Any]], now: datetime) -> list[int]:
        """In one transaction: store each pack notice (its column values, `pack_id` and `unit` set) in
        state new, unless that unit was told of that pack already, with a pending delivery for each
        enabled e-mail channel named as the unit's code (any case). Returns the new alerts' ids."""
        ids = []
        with self.engine.begin() as conn:
            for values in notices:
                told = select(alerts.c.id).where(
                    alerts.c.pack_id == values["pack_id"], alerts.c.unit == values["unit"]
                )
                if conn.execute(told).first() is not None:
                    continue
                alert_id = conn.execute(
                    alerts.insert().values(**values, state="new", created_at=now)
                ).inserted_primary_key[0]
                targets = conn.execute(
                    select(channels).where(
                        func.lower(channels.c.name) == values["unit"].lower(),
                        channels.c.kind == "email",
                        channels.c.enabled,
                    )
                ).all()
                self._queue(conn, alert_id, targets, now)
                ids.append(alert_id)
        return ids

    @staticmethod
    def _queue(conn: Any, alert_id: int, targets: Iterable[Any], now: datetime) -> None:
        """A pending delivery of the alert to each of the channels `targets`."""
        for ch in targets:
            conn.execute(
                deliveries.insert().values(
                    alert_id=alert_id,
                    channel=ch.name,
                    kind=ch.kind,
                    target=ch.target,
                    state="pending",
                    attempts=0,
                    created_at=now,
                )
            )

    def record_error(self, rule_id: int, now: datetime, error: str) -> None:
        """Note that the rule could not run at `now`, and why (its health until it runs again)."""
        with self.engine.begin() as conn:
            conn.execute(
                update(alert_rules)
                .where(alert_rules.c.id == rule_id)
                .values(last_error=error[:2000], last_error_at=now)
            )

    # -- deliveries -------------------------------------------------------------------------------

    def pending_deliveries(self) -> list[Any]:
        """The deliveries still to send, oldest first, with their channel's secret and whether it
        may reach the local network."""
        with self.engine.connect() as conn:
            return conn.execute(
                select(deliveries, channels.c.secret, channels.c.allow_private)
                .join(channels, channels.c.name == deliveries.c.channel, isouter=True)
                .where(deliveries.c.state == "pending")
                .order_by(deliveries.c.id)
            ).all()

    def record_attempt(
        self, delivery_id: int, *, state: str, attempts: int, status: int | None, error: str | None
    ) -> None:
        """The outcome of one try at a delivery; `state` sent stamps it delivered."""
        now = utcnow()
        with self.engine.begin() as conn:
            conn.execute(
                update(deliveries)
                .where(deliveries.c.id == delivery_id)
                .values(
                    state=state,
                    attempts=attempts,
                    status=status,
                    error=error,
                    last_attempt_at=now,
                    delivered_at=now if state == "sent" else None,
                )
            )
