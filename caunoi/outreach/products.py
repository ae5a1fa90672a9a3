"""Information products (sản phẩm thông tin): an article, a video, a book, a photo exhibition, a
publication, a post of an official social account — and the fact sheets and official positions of
the library, which are products too (one table, one concept: `caunoi.factsheets` is the library's
view of the products of those two kinds, with its search and story links). A product is in a
language, for an audience, made by a unit or mission, under a campaign, with an address and files."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from caunoi.errors import check_actor, check_choice
from caunoi.outreach.campaigns import Campaigns
from caunoi.outreach.common import (
    FileInfo,
    NotFound,
    OutreachError,
    attach,
    clean,
    day,
    items,
    language,
)
from caunoi.store.factsheets import LIBRARY_KINDS
from caunoi.store.outreach import OutreachRepository
from caunoi.store.schema import products
from caunoi.text.fold import index_form
from caunoi.units import UnitService

PRODUCT_KINDS = (
    "article",
    "video",
    "book",
    "photo_exhibition",
    "publication",
    "social_post",
    *LIBRARY_KINDS,  # fact_sheet, position: the library's
)
EDITABLE = ("title", "kind", "lang", "body", "tags", "unit", "campaign", "audience", "url", "published_on")


@dataclass(frozen=True)
class Product:
    id: int
    kind: str
    title: str
    lang: str
    body: str
    tags: list[str]
    unit: str | None
    campaign_id: int | None
    audience: str | None
    url: str | None
    published_on: date | None
    created_by: str | None
    created_at: datetime
    updated_at: datetime
    files: list[FileInfo] = field(default_factory=list)
    history: list[dict[str, Any]] = field(default_factory=list)

    @classmethod
    def from_row(cls, row: dict[str, Any], history: list[dict[str, Any]] | None = None) -> Product:
        files = [FileInfo(**{k: f[k] for k in FileInfo.__dataclass_fields__}) for f in row["files"]]
        return cls(**{**row, "files": files}, history=history or [])


class Products:
    """The rules about products; every change takes `by`, who makes it (audited)."""

    def __init__(
        self, repo: OutreachRepository, units: UnitService, campaigns: Campaigns, max_file_bytes: int
    ):
        self.repo, self.units, self.campaigns, self.max_file_bytes = repo, units, campaigns, max_file_bytes

    def add(self, title: str, *, by: str, kind: str, **details: Any) -> Product:
        """A new product; `details` are the other fields of EDITABLE (`campaign` by code or id)."""
        by = check_actor(by, OutreachError)
        values = self._values({"title": title, "kind": kind, "lang": "vi", "body": "", "tags": (), **details})
        return self.get(self.repo.add(products, "product", values, by))

    def edit(self, product_id: int, *, by: str, **changes: Any) -> Product:
        by = check_actor(by, OutreachError)
        product = self.get(product_id)
        current = {name: getattr(product, name) for name in EDITABLE if name != "campaign"}
        current["campaign"] = product.campaign_id
        values = self._values({**current, **changes})
        self.repo.change(products, "product", product.id, values, by)
        return self.get(product.id)

    def attach(self, product_id: int, name: str, content: bytes, *, by: str) -> FileInfo:
        by = check_actor(by, OutreachError)
        product = self.get(product_id)
        return attach(self.repo, "product", product.id, name, content, by, self.max_file_bytes)

    def get(self, product_id: int) -> Product:
        rows = self.repo.product_rows([int(product_id)])
        if not rows:
            raise NotFound("product_not_found", "no product with id {id}", id=product_id)
        history = self.repo.history("product", product_id) + self.repo.history("fact_sheet", product_id)
        return Product.from_row(rows[0], sorted(history, key=lambda h: h["at"]))

    def count(self, unit: str | None = None) -> int:
        """How many products (of `unit`)."""
        return self.repo.count_products(self.units.get(unit).code if unit else None)

    def _values(self, given: dict[str, Any]) -> dict[str, Any]:
        if unknown := set(given) - set(EDITABLE):
            raise OutreachError("product_not_editable", "a product has no field {fields}",
                                fields=", ".join(sorted(unknown)))  # fmt: skip
        title = clean(given["title"])
        if not title:
            raise OutreachError("product_no_title", "a product needs a title")
        kind = check_choice(given["kind"], PRODUCT_KINDS, "product kind", OutreachError)
        body = clean(given.get("body")) or ""
        if kind in LIBRARY_KINDS and not body:
            raise OutreachError("fact_sheet_no_body", "a fact sheet needs a body: its text")
        tags = items(given.get("tags"), r"[,;|]+")
        unit = clean(given.get("unit"))
        campaign = given.get("campaign")
        url = clean(given.get("url"))
        if url and not url.lower().startswith(("http://", "https://")):
            raise OutreachError("outreach_bad_url", "address {value!r}: give an http(s) address", value=url)
        return {
            "title": title,
            "kind": kind,
            "lang": language(given.get("lang") or "vi"),
            "body": body,
            "tags": tags,
            "folded": index_form("\n".join([title, " ".join(tags), body])),
            "unit": self.units.get(unit).code if unit else None,
            "campaign_id": self.campaigns.resolve(campaign) if campaign not in (None, "") else None,
            "audience": clean(given.get("audience")),
            "url": url,
            "published_on": day(given.get("published_on"), "publication date"),
        }

    # -- last: the name `list` shadows the builtin in this class body ----------------------------

    def list(
        self,
        *,
        kind: str | None = None,
        unit: str | None = None,
        campaign: str | int | None = None,
        query: str | None = None,
        limit: int | None = 100,
    ) -> list[Product]:
        """Products, latest change first; `query` holds words every one of which must appear (with or
        without diacritics) in the title, tags or text."""
        if kind is not None:
            check_choice(kind, PRODUCT_KINDS, "product kind", OutreachError)
        tokens: Iterable[str] = index_form(query).split() if query else ()
        rows = self.repo.product_rows(
            kind=kind,
            unit=self.units.get(unit).code if unit else None,
            campaign_id=self.campaigns.resolve(campaign) if campaign not in (None, "") else None,
            tokens=tokens,
            limit=limit,
        )
        return [Product.from_row(row) for row in rows]
