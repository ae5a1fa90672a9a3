"""Outreach in the store: campaigns (with the units taking part and their objectives), information
packs (with whom they were sent to and whether each acknowledged), products, activities (with the
products and packs they used) and the files attached to them. Every change is written with its audit
row in one transaction; an activity import is one transaction, whole or nothing. The rules (what a
campaign needs, how a date is read, who may do what) are `caunoi.outreach`'s; this module only reads
and writes rows.

Reads gather a record's links in one query per link table for a whole page of records, never one
per record: an activity list of 100 costs four queries, not four hundred."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Engine, Table, and_, delete, func, or_, select, update

from caunoi.store.audit import Changes, audit_row, diff, history, record_audit, record_audits
from caunoi.store.schema import (
    activities,
    activity_packs,
    activity_products,
    campaign_objectives,
    campaign_units,
    campaigns,
    outreach_files,
    pack_recipients,
    packs,
    products,
)
from caunoi.timezones import utcnow

# link table -> (the column naming the record, the column naming what it links to)
_LINKS: dict[str, tuple[Table, str, str]] = {
    "units": (campaign_units, "campaign_id", "unit"),
    "products": (activity_products, "activity_id", "product_id"),
    "packs": (activity_packs, "activity_id", "pack_id"),
}
_FILE_META = [c for c in outreach_files.c if c.name != "content"]
_OWNER = {"pack": "pack_id", "activity": "activity_id", "product": "product_id"}
_PRODUCT_HIDDEN = ("folded",)


def _links(conn: Connection, name: str, ids: Sequence[int]) -> dict[int, list[Any]]:
    table, own, other = _LINKS[name]
    found: dict[int, list[Any]] = defaultdict(list)
    for chunk in _chunks(ids):
        rows = conn.execute(
            select(table.c[own], table.c[other]).where(table.c[own].in_(chunk)).order_by(table.c[other])
        )
        for owner, value in rows:
            found[owner].append(value)
    return found


def _set_links(conn: Connection, name: str, owner: int, values: Iterable[Any]) -> None:
    table, own, other = _LINKS[name]
    conn.execute(delete(table).where(table.c[own] == owner))
    rows = [{own: owner, other: value} for value in dict.fromkeys(values)]
    if rows:
        conn.execute(table.insert(), rows)


def _chunks(ids: Sequence[Any], size: int = 500) -> Iterable[Sequence[Any]]:
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


class OutreachRepository:
    def __init__(self, engine: Engine):
        self.engine = engine

    def history(self, entity: str, entity_id: int) -> list[dict[str, Any]]:
        return history(self.engine, entity, entity_id)

    # -- generic writes: a row, its links, its audit -------------------------------------------

    def add(
        self,
        table: Table,
        entity: str,
        values: dict[str, Any],
        by: str,
        links: dict[str, list[Any]] | None = None,
    ) -> int:
        """Insert a record and its links, audited; its id."""
        now = utcnow()
        with self.engine.begin() as conn:
            return self._add(conn, now, table, entity, values, by, links or {}, "add")

    def _add(
        self,
        conn: Connection,
        now: datetime,
        table: Table,
        entity: str,
        values: dict[str, Any],
        by: str,
        links: dict[str, list[Any]],
        action: str,
    ) -> int:
        stamps = {"created_by": by, "created_at": now, "updated_at": now}
        new_id = conn.execute(table.insert().values(**values, **stamps)).inserted_primary_key[0]
        for name, linked in links.items():
            _set_links(conn, name, new_id, linked)
        shown = {k: v for k, v in values.items() if k not in _PRODUCT_HIDDEN}
        record_audit(conn, now, by, entity, new_id, action, diff({}, {**shown, **links}))
        return new_id

    def change(
        self,
        table: Table,
        entity: str,
        record_id: int,
        values: dict[str, Any],
        by: str,
        links: dict[str, list[Any]] | None = None,
        action: str = "edit",
    ) -> Changes | None:
        """Change a record's fields and links, audited with before and after; what changed (empty:
        nothing), None if there is no such record."""
        with self.engine.begin() as conn:
            return self._change(conn, utcnow(), table, entity, record_id, values, by, links or {}, action)

    def _change(
        self,
        conn: Connection,
        now: datetime,
        table: Table,
        entity: str,
        record_id: int,
        values: dict[str, Any],
        by: str,
        links: dict[str, list[Any]],
        action: str,
    ) -> Changes | None:
        row = conn.execute(select(table).where(table.c.id == record_id).with_for_update()).mappings().first()
        if row is None:
            return None
        before = {**row, **{name: found.get(record_id, []) for name, found in
                            ((n, _links(conn, n, [record_id])) for n in links)}}  # fmt: skip
        changes = diff(before, {k: v for k, v in {**values, **links}.items() if k not in _PRODUCT_HIDDEN})
        if changes:
            conn.execute(update(table).where(table.c.id == record_id).values(**values, updated_at=now))
            for name, linked in links.items():
                if name in changes:
                    _set_links(conn, name, record_id, linked)
            record_audit(conn, now, by, entity, record_id, action, changes)
        return changes

    # -- campaigns ---------------------------------------------------------------------------------

    def add_campaign(
        self, values: dict[str, Any], units: list[str], objectives: list[dict[str, Any]], by: str
    ) -> int | None:
        """A new campaign; None if its code is taken."""
        now = utcnow()
        with self.engine.begin() as conn:
            if self._campaign_id(conn, values["code"]) is not None:
                return None
            campaign_id = self._add(conn, now, campaigns, "campaign", values, by, {"units": units}, "add")
            self._set_objectives(conn, now, campaign_id, objectives, by)
        return campaign_id

    def change_campaign(
        self,
        campaign_id: int,
        values: dict[str, Any],
        units: list[str] | None,
        objectives: list[dict[str, Any]] | None,
        by: str,
    ) -> Changes | None:
        now = utcnow()
        with self.engine.begin() as conn:
            links = {} if units is None else {"units": units}
            changes = self._change(conn, now, campaigns, "campaign", campaign_id, values, by, links, "edit")
            if changes is not None and objectives is not None:
                self._set_objectives(conn, now, campaign_id, objectives, by)
        return changes

    def _set_objectives(
        self, conn: Connection, now: datetime, campaign_id: int, objectives: list[dict[str, Any]], by: str
    ) -> None:
        keep = ("indicator", "target", "due_on", "metric")
        query = select(*(campaign_objectives.c[k] for k in keep)).where(
            campaign_objectives.c.campaign_id == campaign_id
        )
        before = [dict(r) for r in conn.execute(query.order_by(campaign_objectives.c.id)).mappings()]
        after = [{k: o.get(k) for k in keep} for o in objectives]
        changes = diff({"objectives": before}, {"objectives": after})
        if not changes:
            return
        conn.execute(delete(campaign_objectives).where(campaign_objectives.c.campaign_id == campaign_id))
        if after:
            conn.execute(campaign_objectives.insert(), [{**o, "campaign_id": campaign_id} for o in after])
        record_audit(conn, now, by, "campaign", campaign_id, "objectives", changes)

    @staticmethod
    def _campaign_id(conn: Connection, code: str) -> int | None:
        key = code.strip().casefold()
        for found_id, found in conn.execute(select(campaigns.c.id, campaigns.c.code)):
            if found.casefold() == key:
                return found_id
        return None

    def campaign_id(self, code: str) -> int | None:
        with self.engine.connect() as conn:
            return self._campaign_id(conn, code)

    def campaign_codes(self) -> dict[str, int]:
        """Every campaign's code (case-folded) -> id: imports resolve codes with it."""
        with self.engine.connect() as conn:
            return {
                code.casefold(): cid for cid, code in conn.execute(select(campaigns.c.id, campaigns.c.code))
            }

    def campaign_rows(
        self, ids: Sequence[int] | None = None, unit: str | None = None
    ) -> list[dict[str, Any]]:
        """Campaigns (those of `ids`, or all; with `unit`, those it takes part in), latest start first,
        each with its units and objectives."""
        query = select(campaigns)
        if ids is not None:
            query = query.where(campaigns.c.id.in_(list(ids)))
        if unit is not None:
            query = query.where(
                campaigns.c.id.in_(select(campaign_units.c.campaign_id).where(campaign_units.c.unit == unit))
            )
        query = query.order_by(campaigns.c.starts_on.desc(), campaigns.c.id.desc())
        with self.engine.connect() as conn:
            rows = [dict(r) for r in conn.execute(query).mappings()]
            found = [r["id"] for r in rows]
            units = _links(conn, "units", found)
            objectives: dict[int, list[dict[str, Any]]] = defaultdict(list)
            for chunk in _chunks(found):
                query = select(campaign_objectives).where(campaign_objectives.c.campaign_id.in_(chunk))
                for o in conn.execute(query.order_by(campaign_objectives.c.id)).mappings():
                    objectives[o["campaign_id"]].append(dict(o))
        for row in rows:
            row["units"] = units.get(row["id"], [])
            row["objectives"] = objectives.get(row["id"], [])
        return rows

    # -- packs ---------------------------------------------------------------------------------------

    def send_pack(self, pack_id: int, units: list[str], by: str) -> list[str]:
        """Send a pack to more units, audited; the units it was not sent to before."""
        now = utcnow()
        with self.engine.begin() as conn:
            query = select(pack_recipients.c.unit).where(pack_recipients.c.pack_id == pack_id)
            sent = set(conn.execute(query).scalars())
            new = [u for u in dict.fromkeys(units) if u not in sent]
            if new:
                conn.execute(
                    pack_recipients.insert(),
                    [{"pack_id": pack_id, "unit": u, "sent_at": now, "sent_by": by} for u in new],
                )
                record_audit(conn, now, by, "pack", pack_id, "send", {"sent_to": [None, new]})
        return new

    def acknowledge(self, pack_id: int, unit: str, by: str, undo: bool = False) -> bool | None:
        """Mark a pack received by a unit (or with `undo`, not received), audited; False if it was
        already so, None if the pack was not sent to that unit."""
        now = utcnow()
        with self.engine.begin() as conn:
            where = and_(pack_recipients.c.pack_id == pack_id, pack_recipients.c.unit == unit)
            row = conn.execute(select(pack_recipients).where(where).with_for_update()).mappings().first()
            if row is None:
                return None
            if (row["acknowledged_at"] is not None) != undo:
                return False
            at, who = (None, None) if undo else (now, by)
            conn.execute(update(pack_recipients).where(where).values(acknowledged_at=at, acknowledged_by=who))
            record_audit(conn, now, by, "pack", pack_id, "unacknowledge" if undo else "acknowledge",
                         {"acknowledged": [unit if undo else None, None if undo else unit]})  # fmt: skip
        return True

    def report_use(self, pack_id: int, unit: str, usage: str, activity_ids: list[int], by: str) -> bool:
        """Record how a unit used a pack (and which of its activities did), audited; False if the
        pack was not sent to that unit. A report counts as an acknowledgement."""
        now = utcnow()
        with self.engine.begin() as conn:
            where = and_(pack_recipients.c.pack_id == pack_id, pack_recipients.c.unit == unit)
            row = conn.execute(select(pack_recipients).where(where).with_for_update()).mappings().first()
            if row is None:
                return False
            values: dict[str, Any] = {"usage": usage, "reported_at": now}
            if row["acknowledged_at"] is None:
                values |= {"acknowledged_at": now, "acknowledged_by": by}
            conn.execute(update(pack_recipients).where(where).values(**values))
            for activity_id in activity_ids:
                exists = select(activity_packs).where(
                    activity_packs.c.activity_id == activity_id, activity_packs.c.pack_id == pack_id
                )
                if conn.execute(exists).first() is None:
                    conn.execute(activity_packs.insert().values(activity_id=activity_id, pack_id=pack_id))
            changes = {
                "usage": [row["usage"], usage],
                "unit": [None, unit],
                "activities": [None, activity_ids],
            }
            if "acknowledged_at" in values:  # a report is an acknowledgement too
                changes["acknowledged"] = [None, unit]
            record_audit(conn, now, by, "pack", pack_id, "report", changes)
        return True

    def pack_rows(
        self, ids: Sequence[int] | None = None, unit: str | None = None, campaign_id: int | None = None
    ) -> list[dict[str, Any]]:
        """Packs (those of `ids`, or all; with `unit`, those sent to it), newest first, each with its
        recipients, files (without their bytes) and the activities that used it."""
        query = select(packs)
        if ids is not None:
            query = query.where(packs.c.id.in_(list(ids)))
        if unit is not None:
            query = query.where(
                packs.c.id.in_(select(pack_recipients.c.pack_id).where(pack_recipients.c.unit == unit))
            )
        if campaign_id is not None:
            query = query.where(packs.c.campaign_id == campaign_id)
        with self.engine.connect() as conn:
            rows = [dict(r) for r in conn.execute(query.order_by(packs.c.id.desc())).mappings()]
            found = [r["id"] for r in rows]
            recipients: dict[int, list[dict[str, Any]]] = defaultdict(list)
            used: dict[int, list[tuple[int, str]]] = defaultdict(list)
            for chunk in _chunks(found):
                query = select(pack_recipients).where(pack_recipients.c.pack_id.in_(chunk))
                for r in conn.execute(query.order_by(pack_recipients.c.unit)).mappings():
                    recipients[r["pack_id"]].append(dict(r))
                query = (
                    select(activity_packs.c.pack_id, activities.c.id, activities.c.unit)
                    .join(activities, activities.c.id == activity_packs.c.activity_id)
                    .where(activity_packs.c.pack_id.in_(chunk))
                    .order_by(activities.c.id)
                )
                for pack_id, activity_id, by_unit in conn.execute(query):
                    used[pack_id].append((activity_id, by_unit))
            files = self._files_of(conn, "pack", found)
        for row in rows:
            row["recipients"] = recipients.get(row["id"], [])
            row["used_by"] = used.get(row["id"], [])
            row["files"] = files.get(row["id"], [])
        return rows

    # -- files ---------------------------------------------------------------------------------------

    def add_file(self, owner: str, owner_id: int, values: dict[str, Any], by: str) -> dict[str, Any]:
        """Attach a file (name, media_type, size, sha256, content) to a pack, activity or product;
        its stored fields but the bytes (id, name, media_type, size, sha256, created_by, created_at)."""
        now = utcnow()
        with self.engine.begin() as conn:
            file_id = conn.execute(
                outreach_files.insert().values(
                    **values, **{_OWNER[owner]: owner_id}, created_by=by, created_at=now
                )
            ).inserted_primary_key[0]
            shown = {
                "file": [None, f"{values['name']} ({values['size']} B, sha256 {values['sha256'][:12]}…)"]
            }
            record_audit(conn, now, by, owner, owner_id, "attach", shown)
        meta = {k: v for k, v in values.items() if k != "content"}
        return {**meta, "id": file_id, "created_by": by, "created_at": now}

    def file(self, file_id: int) -> dict[str, Any] | None:
        """A file with its bytes."""
        with self.engine.connect() as conn:
            row = (
                conn.execute(select(outreach_files).where(outreach_files.c.id == file_id)).mappings().first()
            )
        return dict(row) if row else None

    @staticmethod
    def _files_of(conn: Connection, owner: str, ids: Sequence[int]) -> dict[int, list[dict[str, Any]]]:
        column = outreach_files.c[_OWNER[owner]]
        found: dict[int, list[dict[str, Any]]] = defaultdict(list)
        for chunk in _chunks(ids):
            query = select(*_FILE_META).where(column.in_(chunk)).order_by(outreach_files.c.id)
            for r in conn.execute(query).mappings():
                found[r[_OWNER[owner]]].append(dict(r))
        return found

    # -- products ------------------------------------------------------------------------------------

    def product_rows(
        self,
        ids: Sequence[int] | None = None,
        *,
        kind: str | None = None,
        unit: str | None = None,
        campaign_id: int | None = None,
        tokens: Iterable[str] = (),
        limit: int | None = None,
    ) -> list[dict[str, Any]]:
        """Products, latest change first, each with its files (without their bytes)."""
        conds = [products.c.folded.contains(token, autoescape=True) for token in tokens]
        if ids is not None:
            conds.append(products.c.id.in_(list(ids)))
        if kind is not None:
            conds.append(products.c.kind == kind)
        if unit is not None:
            conds.append(products.c.unit == unit)
        if campaign_id is not None:
            conds.append(products.c.campaign_id == campaign_id)
        query = select(*(c for c in products.c if c.name not in _PRODUCT_HIDDEN))
        if conds:
            query = query.where(and_(*conds))
        query = query.order_by(products.c.updated_at.desc(), products.c.id.desc())
        if limit is not None:
            query = query.limit(limit)
        with self.engine.connect() as conn:
            rows = [dict(r) for r in conn.execute(query).mappings()]
            files = self._files_of(conn, "product", [r["id"] for r in rows])
        for row in rows:
            row["files"] = files.get(row["id"], [])
        return rows

    def count_products(self, unit: str | None = None) -> int:
        query = select(func.count()).select_from(products)
        if unit is not None:
            query = query.where(products.c.unit == unit)
        with self.engine.connect() as conn:
            return conn.execute(query).scalar_one()

    # -- activities ----------------------------------------------------------------------------------

    def activity_id(self, key: str) -> int | None:
        with self.engine.connect() as conn:
            return conn.execute(select(activities.c.id).where(activities.c.key == key)).scalar()

    def activity_rows(
        self,
        ids: Sequence[int] | None = None,
        *,
        unit: str | None = None,
        units: Sequence[str] | None = None,
        campaign_id: int | None = None,
        type: str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        after: tuple[datetime, int] | None = None,
        limit: int | None = None,
    ) -> list[dict[str, Any]]:
        """Activities, latest start first (then latest id), each with its products, packs and files;
        `after` = (starts_at, id) of the last one of the previous page."""
        conds = []
        if ids is not None:
            conds.append(activities.c.id.in_(list(ids)))
        if unit is not None:
            conds.append(activities.c.unit == unit)
        if units is not None:
            conds.append(activities.c.unit.in_(list(units)))
        if campaign_id is not None:
            conds.append(activities.c.campaign_id == campaign_id)
        if type is not None:
            conds.append(activities.c.type == type)
        if since is not None:
            conds.append(activities.c.starts_at >= since)
        if until is not None:
            conds.append(activities.c.starts_at < until)
        if after is not None:
            at, last_id = after
            conds.append(
                or_(
                    activities.c.starts_at < at, and_(activities.c.starts_at == at, activities.c.id < last_id)
                )
            )
        query = select(activities)
        if conds:
            query = query.where(and_(*conds))
        query = query.order_by(activities.c.starts_at.desc(), activities.c.id.desc())
        if limit is not None:
            query = query.limit(limit)
        with self.engine.connect() as conn:
            rows = [dict(r) for r in conn.execute(query).mappings()]
            found = [r["id"] for r in rows]
            linked = {name: _links(conn, name, found) for name in ("products", "packs")}
            files = self._files_of(conn, "activity", found)
        for row in rows:
            row["products"] = linked["products"].get(row["id"], [])
            row["packs"] = linked["packs"].get(row["id"], [])
            row["files"] = files.get(row["id"], [])
        return rows

    def count_activities(self, unit: str | None = None, since: datetime | None = None) -> int:
        """Activities (of `unit`; starting at or after `since`, UTC)."""
        query = select(func.count()).select_from(activities)
        if unit is not None:
            query = query.where(activities.c.unit == unit)
        if since is not None:
            query = query.where(activities.c.starts_at >= since)
        with self.engine.connect() as conn:
            return conn.execute(query).scalar_one()

    def activities_by_key(self, keys: Sequence[str]) -> dict[str, dict[str, Any]]:
        """The stored activities with these keys, by key (their own fields only)."""
        found: dict[str, dict[str, Any]] = {}
        with self.engine.connect() as conn:
            for chunk in _chunks(list(keys)):
                for row in conn.execute(select(activities).where(activities.c.key.in_(chunk))).mappings():
                    found[row["key"]] = dict(row)
        return found

    def import_activities(
        self, adds: list[dict[str, Any]], edits: list[tuple[int, dict[str, Any]]], by: str
    ) -> list[int]:
        """Add and change activities in one transaction, each audited: a file imports whole or not at
        all. The new activities' ids, in the order given. Inserted many rows per statement (the
        drivers' insertmanyvalues), ids returned in order."""
        now = utcnow()
        stamps = {"created_by": by, "created_at": now, "updated_at": now}
        new_ids: list[int] = []
        with self.engine.begin() as conn:
            for chunk in _chunks(adds, 1000):
                result = conn.execute(
                    activities.insert().returning(activities.c.id, sort_by_parameter_order=True),
                    [{**values, **stamps} for values in chunk],
                )
                ids = list(result.scalars())
                new_ids.extend(ids)
                record_audits(
                    conn,
                    [
                        audit_row(now, by, "activity", i, "import", diff({}, v))
                        for i, v in zip(ids, chunk, strict=True)
                    ],
                )
            for activity_id, values in edits:
                self._change(conn, now, activities, "activity", activity_id, values, by, {}, "import")
        return new_ids
