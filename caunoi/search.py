"""Search as users ask for it: filters as a user types them (an entity's name, a country's code, a
document number) turned into the tags a SearchRequest holds; shared by the CLI, the API, the web UI
and alert rules. The query language itself is parsed in caunoi.store.query (QueryError is its
refusal)."""

from __future__ import annotations

from caunoi.enrich.docrefs import canonical_ref
from caunoi.errors import Invalid
from caunoi.store.query import QueryError

__all__ = ["FilterError", "QueryError", "entity_id", "search_tags"]


class FilterError(Invalid):
    """A filter naming nothing known; the message says which option and what was typed."""


def entity_id(name: str, option: str, country: bool = False) -> str:
    """An entity id from what the user typed: an id, an ISO country code, or a name (of the gazetteer,
    of a person, of an organisation it does not list)."""
    from caunoi.enrich.gazetteer import find_mentions, load_gazetteer

    gazetteer = load_gazetteer()
    name = name.strip()
    if country and len(name) == 2 and name.isalpha() and gazetteer.get(f"country:{name.upper()}"):
        return f"country:{name.upper()}"
    if gazetteer.get(name):
        return name
    if not country:
        from caunoi.enrich.orgs import find_orgs

        if name.startswith("org:") and name == name.lower():
            return name  # "org:benh-vien-bach-mai" (the gazetteer's are "org:ASEAN")
        orgs = find_orgs(name)  # "Công an tỉnh Nghệ An" -> org:cong-an-nghe-an, not the province
        if len(orgs) == 1 and (orgs[0].start, orgs[0].end) == (0, len(name)):
            return orgs[0].id
    found = [m for m in find_mentions(name, gazetteer) if not country or m.type == "country"]
    if not found and not country:
        from caunoi.enrich.persons import find_persons

        if name.startswith("person:"):
            return name
        people = find_persons(name)  # "Nguyễn Trọng Nghĩa" -> person:nguyen-trong-nghia, as enrichment gives
        if people:
            return people[0].id
    if not found and country:
        raise FilterError(
            "unknown_country", "{option}: no country known by the name {name!r}", option=option, name=name
        )
    if not found:
        raise FilterError(
            "unknown_entity", "{option}: no entity known by the name {name!r}", option=option, name=name
        )
    return found[0].entry_id


def search_tags(
    *,
    doc_ref: str | None = None,
    event_type: str | None = None,
    topic: str | None = None,
    entity: str | None = None,
    country: str | None = None,
    names: dict[str, str] | None = None,
) -> tuple[tuple[str, str], ...]:
    """The (kind, value) tags of a SearchRequest for these filters; `names` maps a filter to the
    option the user typed it in ("--entity" on the command line), for the error message."""
    names = names or {}
    tags: list[tuple[str, str]] = []
    if doc_ref:
        tags.append(("doc_ref", canonical_ref(doc_ref)))
    if event_type:
        tags.append(("event_type", event_type))
    if topic:
        tags.append(("topic", topic.lower()))
    if entity:
        tags.append(("entity", entity_id(entity, names.get("entity", "entity"))))
    if country:
        found = entity_id(country, names.get("country", "country"), country=True)
        tags.append(("country", found.split(":", 1)[1]))
    return tuple(tags)
