"""Search as users ask for it, and searches kept under a name.

`request_from` is the one parser of a search: the values a user typed (a query, dates, an entity's
name, a country's code, a document number, tone bounds) become a SearchRequest or a coded refusal
(FilterError) that names the option as the interface names it — `--from` on the command line, `from`
in the API and on the web form. The CLI, the API, the web UI and alert rules all build their requests
with it. `saved_form` is the one shape a saved search keeps of a request, and `SavedSearches` keeps
them (one name each, shared by everyone: alert rules watch them by name) over caunoi.store.searches.
The query language is caunoi.store.query's: request_from parses the query once to refuse one that
cannot run (QueryError: unclosed, too long, nested too deep, …) wherever a search is given — a search,
its export, a saved search, an alert rule — and the search parses it again when it runs. This module
never runs a search and never words a refusal for one interface only."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from itertools import pairwise
from typing import Any

from sqlalchemy import Engine

from caunoi.errors import Conflict, Invalid, NotFound, check_choice
from caunoi.models import ORIGINS, SearchHit, SearchRequest
from caunoi.store.query import And, Node, Not, Or, QueryError, Term, parse_query
from caunoi.store.searches import SavedSearchRepository
from caunoi.text.fold import TOKEN_RE

__all__ = [
    "SEARCH_OPTIONS",
    "FilterError",
    "QueryError",
    "SavedSearch",
    "SavedSearchError",
    "SavedSearchNotFound",
    "SavedSearches",
    "entity_id",
    "filled",
    "outlet_country",
    "request_from",
    "saved_form",
    "search_tags",
]

# what a user may say of a search, by the names request_from takes them under
SEARCH_OPTIONS = (
    "query", "exact", "widen", "from", "to", "lang", "source", "category", "doc_ref", "topic", "entity",
    "country", "event_type", "tone_min", "tone_max", "tone_of", "origin", "outlet_country", "sort", "limit",
    "offset",
)  # fmt: skip
TAG_OPTIONS = ("doc_ref", "event_type", "topic", "entity", "country")  # the filters a request holds as tags
TONE_OF = ("article", "subject")
SORTS = ("relevance", "date")


class FilterError(Invalid):
    """A search option that cannot be used (a filter naming nothing known, a date or a number that is
    not one, nothing asked at all); the message says which option and what was typed."""


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
    names: Mapping[str, str] | None = None,
) -> tuple[tuple[str, str], ...]:
    """The (kind, value) tags of a SearchRequest for these filters; `names` maps a filter to the
    option the user typed it in ("--entity" on the command line), for the error message."""
    names = names or {}
    tags: list[tuple[str, str]] = []
    if doc_ref:
        from caunoi.enrich.docrefs import canonical_ref

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


# -- the one parser of a search -------------------------------------------------------------------


def request_from(
    values: Mapping[str, Any], names: Mapping[str, str] | None = None, *, require: bool = True
) -> SearchRequest:
    """The SearchRequest these values ask for. `values` holds SEARCH_OPTIONS as the user typed them
    ("2024-02-19", "-2", "Trung Quốc") or as the interface has typed them already (a date, a float);
    an option left out or None is not given. `tags` may add filters resolved already, as a saved
    search keeps them: `request_from(saved_form(r), require=False)` is the search r saved.

    `names` says how the interface calls an option in its refusals ("--from" on the command line); an
    option it does not list is called by its key, as the API and the web form call them, and a query
    named "" is an argument without a name. A search that asks nothing — no query, no filter, no tone
    bound — is refused (no_query) unless `require` is False: the web form then shows an empty page, a
    rule may watch every article. The other refusals: unknown_entity, unknown_country, bad_date,
    bad_number, bad_choice, bad_outlet_country, bad_whole_number, and a QueryError for a query that
    does not parse; the filters are checked first, then whether anything is asked, then the query,
    then dates, tones, choices and paging, in that order."""
    unknown = values.keys() - {*SEARCH_OPTIONS, "tags"}
    if unknown:
        raise TypeError(f"not a search option: {', '.join(sorted(unknown))}")
    names = names or {}
    given = {key: value for key, value in values.items() if value is not None}
    query = given.get("query", "")
    tags = tuple((kind, value) for kind, value in given.get("tags", ()))
    tags += search_tags(**{key: given.get(key) for key in TAG_OPTIONS}, names=names)
    asked = {"tone_min", "tone_max", "origin", "outlet_country"} & given.keys()
    if require and not query.strip() and not tags and not asked:
        raise _nothing_asked(names)
    if query.strip():
        parse_query(query, exact=bool(given.get("exact")), widen=bool(given.get("widen")))

    def name(option: str) -> str:
        return names.get(option, option)

    named = named_entity(query) if query.strip() and not given.get("exact") else None
    return SearchRequest(  # keyword arguments are evaluated in order: so are the refusals given
        query=query,
        named=named[0] if named else None,
        named_as=named[1] if named else (),
        exact=bool(given.get("exact")),
        widen=bool(given.get("widen")) and not given.get("exact"),
        date_from=_day(given.get("from"), name("from")),
        date_to=_day(given.get("to"), name("to")),
        lang=given.get("lang"),
        source=given.get("source"),
        category=given.get("category"),
        tags=tags,
        tone_min=_number(given.get("tone_min"), name("tone_min")),
        tone_max=_number(given.get("tone_max"), name("tone_max")),
        tone_of=check_choice(given.get("tone_of", "article"), TONE_OF, name("tone_of"), FilterError),
        origin=_origin(given.get("origin"), name("origin")),
        outlet_country=outlet_country(given.get("outlet_country"), name("outlet_country")),
        sort=check_choice(given.get("sort", "relevance"), SORTS, name("sort"), FilterError),
        limit=_whole(given.get("limit", 20), name("limit")),
        offset=_whole(given.get("offset", 0), name("offset")),
    )


def named_entity(query: str) -> tuple[str, tuple[str, ...]] | None:
    """The gazetteer entity a whole query names, and its other names for the full-text index, or None.

    "Vietnam", "Viet Nam", "越南", "МИД Вьетнама" -> ("country:VN", ("Việt Nam", "Viet Nam", …)): a
    query that is one name of a country, an organisation, a body or leader of Viet Nam, a province or an
    outlet, as the gazetteer reads it (as typed; a longer one capitalised or in capitals too: "viet nam",
    "asean"), also matches the articles enrichment tagged with that entity however they spell it, in
    any language, and its Vietnamese and English names with capitals (not "nước ta") in every reading.
    A query with operators, brackets, a prefix or more than the name asks for its words only, and so
    does a name written otherwise than the gazetteers list it (an inflected "Вьетнама")."""
    from caunoi.enrich.gazetteer import AMBIGUOUS, load_gazetteer, name_key, name_keys

    text = query.strip()
    if len(text) > 2 and text[0] == text[-1] == '"':
        text = text[1:-1].strip()
    if not text or any(c in text for c in '"()*') or text.startswith("-"):
        return None
    if any(word in ("AND", "OR", "NOT") for word in text.split()):
        return None
    if name_key(text) not in name_keys():  # the names alone, read in a tenth of the matcher's time
        return None
    gazetteer = load_gazetteer()
    forms = [text] + ([text.title(), text.upper()] if len(text) >= 5 else [])
    for form in dict.fromkeys(forms):
        found = gazetteer.find_mentions(form)
        if (
            len(found) == 1
            and (found[0].start, found[0].end) == (0, len(form))
            and found[0].score >= AMBIGUOUS
        ):
            entry = gazetteer.get(found[0].entry_id)
            ruled = {a.split(":")[0] for a in entry.ambiguous} | set(entry.get("generic").split("|"))
            names = [
                a
                for a in entry.aliases
                if a not in ruled and a != text and any(c.isupper() for c in a) and (" " in a or len(a) >= 4)
            ]
            return entry.id, tuple(names[:12])
    return None


def _origin(value: str | None, option: str) -> str | None:
    if value is None or value == "":
        return None
    return check_choice(value.strip().lower(), ORIGINS, option, FilterError)


def outlet_country(value: str | None, option: str) -> str | None:
    """An outlet's country as a filter takes it: an ISO 3166 alpha-2 code, in any case ("us" -> "US"),
    or the refusal bad_outlet_country."""
    if value is None or value == "":
        return None
    code = value.strip().upper()
    if len(code) != 2 or not code.isascii() or not code.isalpha():
        raise FilterError(
            "bad_outlet_country",
            "{option} takes an outlet's country as an ISO 3166 two-letter code (US, FR), not {value!r}",
            option=option, value=value,
        )  # fmt: skip
    return code


def _nothing_asked(names: Mapping[str, str]) -> FilterError:
    options = {key: names.get(key, key) for key in ("query", "doc_ref", "topic", "event_type")}
    if not options["query"]:  # the query is the command line's argument: it has no name to give
        return FilterError(
            "no_query", "give a query, or a filter such as {doc_ref}, {topic} or {event_type}", **options
        )
    return FilterError(
        "no_query",
        "give a query ({query}), or a filter such as {doc_ref}, {topic} or {event_type}",
        **options,
    )


def _day(value: date | str | None, option: str) -> date | None:
    if value is None or isinstance(value, date):
        return value
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise FilterError(
            "bad_date", "{option} must be a date like 2024-02-19, not {value!r}", option=option, value=value
        ) from None


def _number(value: float | str | None, option: str) -> float | None:
    if value is None or isinstance(value, int | float):
        return value
    try:
        return float(value)
    except ValueError:
        raise FilterError("bad_number", "{option} must be a number, not {value!r}", option=option,
                          value=value) from None  # fmt: skip


def _whole(value: int | str, option: str) -> int:
    if isinstance(value, int):
        return value
    try:
        return int(value)
    except ValueError:
        raise FilterError("bad_whole_number", "{option} must be a whole number, not {value!r}",
                          option=option, value=value) from None  # fmt: skip


# -- a search's matches as a table --------------------------------------------------------------

EXPORT_COLUMNS = (
    "id", "published", "lang", "source", "category", "title", "url", "score", "tone", "topics", "entities",
    "countries", "origin", "outlet_country", "snippet",
)  # fmt: skip
_LISTS = ("topics", "entities", "countries")  # joined with "; " in a spreadsheet's cell


def export_records(hits: list[SearchHit], labels: Mapping[int, Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Each hit as a record of a table: its fields, and what enrichment found in it (`labels`:
    Service.labels, by article id)."""
    return [h.to_json() | dict(labels.get(h.id, {})) for h in hits]


def export_cells(record: Mapping[str, Any]) -> list[Any]:
    """A record's cells in EXPORT_COLUMNS' order, its lists joined."""
    return [("; ".join(record.get(k) or ()) if k in _LISTS else record.get(k)) for k in EXPORT_COLUMNS]


# -- saved searches -------------------------------------------------------------------------------


def saved_form(request: SearchRequest) -> dict[str, Any]:
    """What a saved search keeps of a search (SavedSearch.request): the query and its filters, not the
    dates, the order or the page — an alert rule watching it looks at its own window. Its keys are
    request_from's, so request_from(form, require=False) gives the search back."""
    form = {
        "query": request.query, "exact": request.exact, "lang": request.lang, "source": request.source,
        "category": request.category, "tags": [list(t) for t in request.tags],
        "tone_min": request.tone_min, "tone_max": request.tone_max, "tone_of": request.tone_of,
        "origin": request.origin, "outlet_country": request.outlet_country,
    }  # fmt: skip
    return form | {"widen": True} if request.widen else form


def filled(values: Mapping[str, Any]) -> dict[str, Any]:
    """The entries that say something (not None, empty text or an empty list)."""
    return {k: v for k, v in values.items() if v not in (None, "", [], ())}


class SavedSearchError(Conflict):
    """A saved search's name that belongs to someone else's search."""


class SavedSearchNotFound(NotFound):
    """No saved search of the name asked for."""


@dataclass
class SavedSearch:
    """A search kept under a name (unique), by whom and when; `request` is its saved_form."""

    id: int
    name: str
    request: dict[str, Any]
    created_by: str | None
    created_at: datetime


class SavedSearches:
    """The saved searches of one store, shared by everyone: alert rules watch them by name."""

    def __init__(self, engine: Engine):
        self.repo = SavedSearchRepository(engine)

    def save(
        self, name: str, form: Mapping[str, Any], by: str | None = None, replace: bool = False
    ) -> SavedSearch:
        """Keep a search (its saved_form; the entries that say nothing are dropped) under a name.
        Saving again under one's own name updates it, but someone else's is replaced only with
        `replace`: an alert rule of theirs may watch it."""
        clean = filled(form)
        found = self.repo.find_search(name)
        if found is None:
            self.repo.insert_search(name, clean, by)
        elif found["created_by"] == by or replace:
            self.repo.update_search(found["id"], clean, by)
        else:
            raise SavedSearchError(
                "search_name_taken",
                "{name!r} is a search saved by {owner}: choose another name, or replace theirs (--replace)",
                name=name, owner=found["created_by"] or "someone else",
            )  # fmt: skip
        saved = self.get(name)
        assert saved is not None  # just written
        return saved

    def all(self) -> list[SavedSearch]:
        """Every saved search, by name."""
        return [SavedSearch(**row) for row in self.repo.list_searches()]

    def get(self, name: str) -> SavedSearch | None:
        """The saved search of that name, or None."""
        row = self.repo.find_search(name)
        return SavedSearch(**row) if row else None

    def need(self, name: str) -> SavedSearch:
        """The saved search of that name, or the refusal that there is none."""
        saved = self.get(name)
        if saved is None:
            raise SavedSearchNotFound("no_saved_search", "no saved search named {name!r}", name=name)
        return saved


# -- how words typed without diacritics are read --------------------------------------------------

READINGS_SAMPLE = 8000  # the newest articles whose words are counted
READINGS_CHARS = 2000  # of each: the title and the opening, where an article names its subject
READINGS_GROWTH = 0.2  # counted again when the store has grown by a fifth since
READINGS_PAIR_MIN = 2  # a pair seen in one article only is not kept: it says little, and is most of them
# the words of the taxonomy's terms (what the organisation follows) count as if this share of the
# counted articles carried them: "nhan quyen" is read "nhân quyền" where "nhận quyền" is as common
VOCABULARY_SHARE = 0.01


@dataclass
class QueryReading:
    """How a query's words typed without diacritics were read: the query as the likeliest reading
    writes it, the query whose matches rank first (the reading, matched as written), and the next
    readings of the query, written out to search instead."""

    shown: str
    first: Node
    others: list[str]


class Readings:
    """The readings the store's text gives the words a query types without diacritics
    (caunoi.text.readings), counted from a sample of its newest articles."""

    def __init__(self, engine: Engine):
        from caunoi.store.readings import ReadingRepository

        self.repo = ReadingRepository(engine)

    def stale(self) -> bool:
        """Whether the store has grown by READINGS_GROWTH since the words were last counted."""
        state = self.repo.state()
        n, top = self.repo.store_size()
        if state is None:
            return n > 0
        return top != state["max_id"] and n >= state["articles"] * (1 + READINGS_GROWTH)

    def refresh(self, *, force: bool = False, vocabulary: Iterable[str] = ()) -> int | None:
        """Count the words of the newest articles again when stale (or `force`d), the words and
        pairs of `vocabulary` (the taxonomy's terms) weighing VOCABULARY_SHARE of them more: how
        many readings are kept, or None when the counts were fresh."""
        from caunoi.text.readings import GramCount, article_grams, count_grams, folded_key

        if not force and not self.stale():
            return None
        n, top = self.repo.store_size()
        counts = count_grams(self.repo.sample(READINGS_SAMPLE, READINGS_CHARS))
        counted = min(n, READINGS_SAMPLE)
        weight = max(3, round(counted * VOCABULARY_SHARE))
        for term in vocabulary:
            for gram, capital in article_grams(term).items():
                count = counts.setdefault(gram, GramCount())
                count.docs += weight
                count.capital += weight if capital else 0
        by_key: dict[str, dict[str, tuple[int, int]]] = {}
        for gram, count in counts.items():
            if " " not in gram or count.docs >= READINGS_PAIR_MIN:
                by_key.setdefault(folded_key(gram), {})[gram] = (count.docs, count.capital)
        self.repo.replace(by_key, {"articles": n, "max_id": top, "counted": counted, "at": _now()})
        return sum(len(v) for v in by_key.values())

    def read(self, query: str, node: Node) -> QueryReading | None:
        """The likeliest reading of `query` (parsed as `node`) where some of its words were typed
        without diacritics and the store writes them with; None when there is nothing to read."""
        from caunoi.text.readings import GramCount, restore

        query = query.strip()
        runs = _runs(node)
        words = [[w for t in run for w in TOKEN_RE.findall(query[t.span[0] : t.span[1]])] for run in runs]
        typed = [[tok for t in run for tok in t.tokens] for run in runs]
        keys = [k for toks in typed for k in (*toks, *(f"{a} {b}" for a, b in pairwise(toks)))]
        counts = {
            key: {reading: GramCount(*n) for reading, n in readings.items()}
            for key, readings in self.repo.lookup(keys).items()
        }
        state = self.repo.state() or {}
        read: dict[int, list[Any]] = {}  # the run's index -> its readings
        for i, toks in enumerate(typed):
            capitals = [w[:1].isupper() for w in words[i]]
            found = restore(toks, counts, capitals=capitals, articles=state.get("counted", 1))
            if found and found[0].words != tuple(toks):
                read[i] = found
        if not read:
            return None
        first = _replace_runs(node, {id(runs[i][0]): (runs[i], r[0].words) for i, r in read.items()})
        shown = _rewrite(query, {runs[i][0].span[0]: (runs[i], r[0].shown) for i, r in read.items()})
        others = []
        if len(read) == 1:
            ((i, found),) = read.items()
            others = [_rewrite(query, {runs[i][0].span[0]: (runs[i], r.shown)}) for r in found[1:]]
        return QueryReading(shown, first, others)


def _now() -> str:
    return datetime.now().isoformat(timespec="seconds")


def _restorable(term: Node) -> bool:
    """A word or a phrase typed without diacritics, of words that may have some."""
    from caunoi.text.readings import MAX_RUN, restorable

    return (
        isinstance(term, Term)
        and not term.marked
        and not term.prefix
        and len(term.tokens) <= MAX_RUN
        and all(restorable(t) for t in term.typed or term.tokens)
    )


def _runs(node: Node) -> list[list[Term]]:
    """The query's words typed without diacritics that are read together: unquoted words side by
    side (in one AND), a word alone elsewhere; excluded words are not read."""
    if isinstance(node, Term):
        return [[node]] if _restorable(node) else []
    if isinstance(node, Not):
        return []
    if isinstance(node, Or):
        return [run for item in node.items for run in _runs(item)]
    from caunoi.text.readings import MAX_RUN

    out: list[list[Term]] = []
    current: list[Term] = []
    for item in node.items:
        if isinstance(item, Term) and not item.quoted and _restorable(item) and len(current) < MAX_RUN:
            current.append(item)
            continue
        if current:
            out.append(current)
            current = []
        out.extend(_runs(item))
    if current:
        out.append(current)
    return out


def _replace_runs(node: Node, runs: dict[int, tuple[list[Term], tuple[str, ...]]]) -> Node:
    """The query's positive part with each read run matched as read (one phrase for words side by
    side), every other term as it was."""

    def phrase(run: list[Term], words: tuple[str, ...]) -> Term:
        return Term(
            tuple(t for term in run for t in term.tokens), quoted=len(words) > 1, typed=words,
            exact=(True,) * len(words),
        )  # fmt: skip

    if isinstance(node, Term):
        found = runs.get(id(node))
        return phrase(*found) if found else node
    if isinstance(node, Or):
        return Or(tuple(_replace_runs(i, runs) for i in node.items))
    items: list[Node] = []
    skip: set[int] = set()
    for item in node.items:  # an And
        if isinstance(item, Not) or id(item) in skip:
            continue
        found = runs.get(id(item))
        if found:
            skip.update(id(t) for t in found[0])
            items.append(phrase(*found))
        else:
            items.append(_replace_runs(item, runs))
    return items[0] if len(items) == 1 else And(tuple(items))


def _rewrite(query: str, runs: dict[int, tuple[list[Term], str]]) -> str:
    """The query with each read run's words replaced by how it reads."""
    out, at = [], 0
    for start in sorted(runs):
        run, shown = runs[start]
        out += [query[at:start], shown]
        at = run[-1].span[1]
    return "".join([*out, query[at:]])
