"""Who may read and change which outreach records: the rules the REST API and the web pages share,
read from the permission table of caunoi.users ("own" there is a mission officer's own mission).

- campaigns and packs are made and changed by headquarters (outreach.write for every unit:
  analysts and administrators);
- a mission officer reads a campaign their mission takes part in, a pack sent to their mission
  (only their own recipient row of it, and not its history, which names the other recipients),
  and their mission's products and activities; they write their mission's activities, products,
  acknowledgements and usage reports;
- the library's products (fact sheets, positions) are every reader's to read, and written only by
  who may write the library (factsheet.write), whichever door they come through.

An officer bound to no mission may do nothing here (never "every unit"). The functions answer;
the interfaces say no in their own way (a 403 answer or page)."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from caunoi.outreach.campaigns import Campaign
from caunoi.outreach.packs import Pack
from caunoi.outreach.products import Product
from caunoi.store.factsheets import LIBRARY_KINDS
from caunoi.users import can, permission

if TYPE_CHECKING:
    from caunoi.outreach import OutreachService

READ, WRITE = "outreach.read", "outreach.write"


class NotAllowed(PermissionError):
    """`user` may not do this at all; the message says why."""


def same_unit(a: str | None, b: str | None) -> bool:
    """Two unit codes are one unit (in any case)."""
    return bool(a and b and a.strip().casefold() == b.strip().casefold())


def mission(user: Mapping[str, Any], action: str) -> str | None:
    """The one mission whose outreach `user` may do `action` (READ or WRITE) for — a mission
    officer's —, or None when they may for every unit; NotAllowed when they may not at all."""
    scope = permission(dict(user), action)
    if scope is None:
        raise NotAllowed(f"your role ({user.get('role')}) may not do this")
    if scope == "all":
        return None
    if not (own := user.get("mission")):
        raise NotAllowed("your user belongs to no mission: ask an administrator to set it")
    return own


def headquarters(user: Mapping[str, Any]) -> bool:
    """Whether `user` makes and changes campaigns and packs (outreach.write for every unit)."""
    return permission(dict(user), WRITE) == "all"


def reads_campaign(user: Mapping[str, Any], campaign: Campaign) -> bool:
    own = mission(user, READ)
    return own is None or any(same_unit(u, own) for u in campaign.units)


def pack_as_seen(user: Mapping[str, Any], pack: Pack) -> Pack | None:
    """The pack as `user` may read it (a mission officer: their recipient row only, no history), or
    None when it was not sent to their mission."""
    own = mission(user, READ)
    if own is None:
        return pack
    recipient = pack.recipient(own)
    return None if recipient is None else dataclasses.replace(pack, recipients=[recipient], history=[])


def reads_product(user: Mapping[str, Any], product: Product) -> bool:
    if product.kind in LIBRARY_KINDS:  # the library is every reader's, as /factsheets is
        return permission(dict(user), "read") is not None
    return can(dict(user), READ, product)


def writes_library(user: Mapping[str, Any], kind: str | None) -> bool:
    """Whether `user` may write a product of `kind` as far as the library goes: its kinds need
    factsheet.write."""
    return kind not in LIBRARY_KINDS or can(dict(user), "factsheet.write")


def reads_file(user: Mapping[str, Any], outreach: OutreachService, owner: Mapping[str, int | None]) -> bool:
    """Whether `user` may read a file attached to `owner` ({"pack_id", "activity_id", "product_id"},
    as OutreachService.file gives it): whoever may read what it is attached to."""
    if owner.get("pack_id") is not None:
        return pack_as_seen(user, outreach.packs.get(owner["pack_id"])) is not None
    if owner.get("activity_id") is not None:
        return can(dict(user), READ, outreach.activities.get(owner["activity_id"]))
    if owner.get("product_id") is not None:
        return reads_product(user, outreach.products.get(owner["product_id"]))
    return mission(user, READ) is None
