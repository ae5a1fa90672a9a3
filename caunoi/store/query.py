"""The search query language, parsed once and rendered for SQLite FTS5 or PostgreSQL tsquery.

doi ngoai            both words, any diacritics (documents with them side by side rank first)
"đối ngoại"          the phrase, with these diacritics (đối ngoại, not đổi ngoài)
ASEAN OR "Liên Hợp Quốc"
biển NOT du lịch     AND / OR / NOT in capitals, -word for NOT, (groups), prefix*

A word typed with diacritics matches those diacritics (Vietnamese tone marks carry meaning: biển is
not biến); a word typed without matches every reading (bien: biên, biển, biến, …). `exact` makes
every word match as typed (Trung: not trùng); `widen` lets the ones typed with diacritics match every
reading too, ranking the typed reading first.

A query is at most MAX_LENGTH characters and nests groups and NOTs at most MAX_DEPTH deep: both are
checked before the parser recurses, so no query can exhaust the stack (or SQLite FTS5's parser).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace

from caunoi.errors import Invalid
from caunoi.text.fold import fold, lower_exact, tokens


class QueryError(Invalid):
    """A query that cannot be parsed; the message says where and how to fix it."""


@dataclass(frozen=True)
class Term:
    """A word or a phrase (more than one token). `tokens` are folded, as the folded index holds
    them; `typed` are the same tokens as typed (lower-cased, diacritics kept) and `exact` says which
    of them must match as typed, in the index that keeps diacritics. A term built with tokens only
    matches folded."""

    tokens: tuple[str, ...]
    prefix: bool = False
    quoted: bool = False
    typed: tuple[str, ...] = ()
    exact: tuple[bool, ...] = ()
    span: tuple[int, int] = field(default=(0, 0), compare=False)  # where the query typed it

    @property
    def marked(self) -> bool:
        """Some of its words must match with their diacritics."""
        return any(self.exact)

    @property
    def whole(self) -> bool:
        """Every word must match as typed: the phrase is looked up in the exact index alone."""
        return bool(self.exact) and all(self.exact)

    def as_typed(self) -> Term:
        """The same term with every word matching as typed."""
        typed = self.typed or self.tokens
        return replace(self, typed=typed, exact=(True,) * len(typed))

    def folded(self) -> Term:
        """The same term matching every reading."""
        return replace(self, exact=())


@dataclass(frozen=True)
class And:
    items: tuple[Node, ...]


@dataclass(frozen=True)
class Or:
    items: tuple[Node, ...]


@dataclass(frozen=True)
class Not:
    item: Node


Node = Term | And | Or | Not

_LEXER = re.compile(
    r'\s*(?:(?P<quote>"[^"]*"?)|(?P<lpar>\()|(?P<rpar>\))|(?P<minus>-(?=[\w"(]))|(?P<word>[^\s()"]+))'
)
_OPERATORS = {"AND", "OR", "NOT"}
MAX_LENGTH = 1000  # characters: as the API takes a query
MAX_DEPTH = 20  # groups and NOTs one inside another: "((a))" is 2 deep, "NOT (NOT a)" 3


@dataclass(frozen=True)
class _Tok:
    kind: str  # quote | lpar | rpar | minus | word | AND | OR | NOT
    text: str
    start: int = 0  # where it is in the (stripped) query


def _lex(query: str) -> list[_Tok]:
    out: list[_Tok] = []
    pos = 0
    query = query.strip()
    if len(query) > MAX_LENGTH:
        raise QueryError(
            "query_too_long", "the query is {length} characters long: keep it to {limit} at most",
            length=len(query), limit=MAX_LENGTH,
        )  # fmt: skip
    while pos < len(query):
        m = _LEXER.match(query, pos)
        if m is None or m.end() == pos:
            raise QueryError("query_unreadable", "cannot read the query at {at!r}", at=query[pos : pos + 20])
        pos = m.end()
        kind = m.lastgroup or ""
        text = m.group(kind)
        if kind == "quote" and (len(text) < 2 or not text.endswith('"')):
            raise QueryError("query_open_quote", 'a phrase is missing its closing quote (")')
        if kind == "word" and text in _OPERATORS:
            kind = text
        if kind == "word" and not tokens(text):
            continue  # punctuation between words ("Việt Nam - Lào", "--") is not a search term
        out.append(_Tok(kind, text, m.start(m.lastgroup or 0)))
    if not out and query:
        raise QueryError("query_no_words", "{text!r} has no letters or digits to search for", text=query)
    _check_depth(out)
    return out


def _check_depth(toks: list[_Tok]) -> None:
    """Refuse a query nested deeper than MAX_DEPTH, counted as the parser would recurse: each open
    group, and each NOT (or -) in a row before a group or a word."""
    groups: list[int] = []  # what each open group adds to the depth: itself and the NOTs before it
    depth = nots = 0
    for tok in toks:
        if tok.kind in ("NOT", "minus"):
            nots += 1
        elif tok.kind == "lpar":
            groups.append(nots + 1)
            depth, nots = depth + nots + 1, 0
        else:
            depth -= groups.pop() if tok.kind == "rpar" and groups else 0
            nots = 0
        if depth + nots > MAX_DEPTH:
            raise QueryError(
                "query_too_deep",
                "the query nests groups and NOTs more than {limit} deep: write it with fewer brackets",
                limit=MAX_DEPTH,
            )


class _Parser:
    def __init__(self, toks: list[_Tok], mode: str):
        self.toks = toks
        self.i = 0
        self.mode = mode  # typed (the default) | exact | widen

    def term(self, text: str, start: int, *, prefix: bool = False, quoted: bool = False) -> Term | None:
        """The term of a word or a phrase's text; None when it has no letters or digits."""
        folded, typed = tokens(fold(text)), tokens(lower_exact(text))
        if not folded:
            return None
        if len(typed) != len(folded):  # a letter whose case changes its length: match it folded
            typed = folded
        if self.mode == "exact":
            exact = (True,) * len(typed)
        elif self.mode == "widen":
            exact = ()
        else:
            exact = tuple(t != f for t, f in zip(typed, folded, strict=True))
            exact = exact if any(exact) else ()
        span = (start, start + len(text))
        return Term(tuple(folded), prefix, quoted, tuple(typed), exact, span)

    def peek(self) -> _Tok | None:
        return self.toks[self.i] if self.i < len(self.toks) else None

    def take(self) -> _Tok:
        tok = self.toks[self.i]
        self.i += 1
        return tok

    def parse(self) -> Node:
        if not self.toks:
            raise QueryError("query_empty", "the query is empty: give at least one word")
        node = self.or_expr()
        if self.peek() is not None:  # only a stray ")" stops the top-level expression early
            raise QueryError("query_unopened", "a ')' has no matching '('")
        return node

    def or_expr(self) -> Node:
        items = [self.and_expr()]
        while (tok := self.peek()) is not None and tok.kind == "OR":
            self.take()
            items.append(self.and_expr())
        return items[0] if len(items) == 1 else Or(tuple(items))

    def and_expr(self) -> Node:
        items = [self.unary()]
        while (tok := self.peek()) is not None and tok.kind not in ("OR", "rpar"):
            if tok.kind == "AND":
                self.take()
            items.append(self.unary())
        if all(isinstance(i, Not) for i in items):
            raise QueryError("query_only_not", "a query cannot only exclude: say what to find before NOT")
        return items[0] if len(items) == 1 else And(tuple(items))

    def unary(self) -> Node:
        tok = self.peek()
        if tok is None:
            raise QueryError(
                "query_trailing_operator", "the query ends with an operator: add a word after it"
            )
        if tok.kind in ("NOT", "minus"):
            self.take()
            inner = self.unary()
            # NOT NOT x is x: the search engines have no NOT inside a NOT, and the saved search and
            # the search must agree on what parses
            return inner.item if isinstance(inner, Not) else Not(inner)
        return self.atom()

    def atom(self) -> Node:
        tok = self.take()
        if tok.kind == "lpar":
            node = self.or_expr()
            close = self.peek()
            if close is None or close.kind != "rpar":
                raise QueryError("query_unclosed", "a '(' is not closed: add ')'")
            self.take()
            return node
        if tok.kind == "quote":
            term = self.term(tok.text[1:-1], tok.start + 1, quoted=True)
            if term is None:
                raise QueryError("query_empty_phrase", "the phrase {text} has no words in it", text=tok.text)
            return term
        if tok.kind == "word":
            word = tok.text.rstrip("*")
            term = self.term(word, tok.start, prefix=tok.text.endswith("*"))
            if term is None:
                raise QueryError(
                    "query_no_words", "{text!r} has no letters or digits to search for", text=tok.text
                )
            return replace(term, prefix=term.prefix and len(term.tokens) == 1)
        if tok.kind == "rpar":
            raise QueryError("query_unopened", "a ')' has no matching '('")
        raise QueryError("query_lone_operator", "{operator} needs a word on each side", operator=tok.text)


def parse_query(query: str, *, exact: bool = False, widen: bool = False) -> Node:
    """Parse a user's query. Each term's words match with the diacritics they were typed with and
    every reading where they were typed without; `exact`: every word as typed; `widen`: every
    word in every reading. Spans are offsets in the query with its outer spaces stripped."""
    return _Parser(_lex(query), "exact" if exact else "widen" if widen else "typed").parse()


def positive_terms(node: Node) -> list[Term]:
    """The terms a match must (or may) contain — what snippets highlight."""
    if isinstance(node, Term):
        return [node]
    if isinstance(node, Not):
        return []
    return [t for item in node.items for t in positive_terms(item)]


def side_by_side(node: Node) -> Term | None:
    """For unquoted words ("doi ngoai"), the phrase of them all: a match on it ranks higher.

    Unquoted neighbouring words are usually one Vietnamese word written in syllables;
    both backends keep the same matches but rank the side-by-side ones first.
    """
    if not isinstance(node, And) or not all(
        isinstance(i, Term) and not i.quoted and not i.prefix for i in node.items
    ):
        return None
    terms = [i for i in node.items if isinstance(i, Term)]
    exact = tuple(e for t in terms for e in (t.exact or (False,) * len(t.tokens)))
    return Term(
        tuple(tok for t in terms for tok in t.tokens),
        quoted=True,
        typed=tuple(tok for t in terms for tok in (t.typed or t.tokens)),
        exact=exact if any(exact) else (),
    )


def typed_boost(node: Node) -> Node | None:
    """For a query matched in every reading (`widen`) whose words were typed with diacritics, the
    words as typed: matching them ranks an article above one that only matches folded ("biến
    động" below "Biển Đông"). None when nothing was typed with diacritics."""
    terms: list[Term] = [t.as_typed() for t in positive_terms(node) if t.typed != t.tokens]
    run = side_by_side(node)
    if run is not None and run.typed != run.tokens:
        terms.append(run.as_typed())
    if not terms:
        return None
    return terms[0] if len(terms) == 1 else Or(tuple(terms))


def terms_of(node: Node) -> list[Term]:
    """Every term of a query, excluded ones too."""
    if isinstance(node, Term):
        return [node]
    if isinstance(node, Not):
        return terms_of(node.item)
    return [t for item in node.items for t in terms_of(item)]


def map_terms(node: Node, change: Callable[[Term], Node]) -> Node:
    """The query with each term replaced by what `change` makes of it."""
    if isinstance(node, Term):
        return change(node)
    if isinstance(node, Not):
        return Not(map_terms(node.item, change))
    return type(node)(tuple(map_terms(i, change) for i in node.items))


# -- SQLite FTS5 ------------------------------------------------------------------------------

FOLDED_COLUMNS = "{title_f body_f}"
EXACT_COLUMNS = "{title_x body_x}"


def _fts_phrase(words: tuple[str, ...], prefix: bool) -> str:
    phrase = '"' + " ".join(words) + '"'
    return phrase + "*" if prefix else phrase


def _fts_term(term: Term) -> str:
    if term.whole:
        return f"{EXACT_COLUMNS} : {_fts_phrase(term.typed, term.prefix)}"
    folded = f"{FOLDED_COLUMNS} : {_fts_phrase(term.tokens, term.prefix)}"
    if not term.marked:
        return folded
    # some words as typed: the phrase folded, and those words with their diacritics
    last = len(term.typed) - 1
    words = [
        _fts_phrase((word,), term.prefix and i == last)
        for i, (word, exact) in enumerate(zip(term.typed, term.exact, strict=True))
        if exact
    ]
    return f"({folded} AND {EXACT_COLUMNS} : ({' AND '.join(words)}))"


def to_fts5(node: Node) -> str:
    """FTS5 MATCH syntax, each term with the columns it matches in; every token is quoted, so user
    text is never FTS5 syntax."""
    if isinstance(node, Term):
        return _fts_term(node)
    if isinstance(node, Or):
        return "(" + " OR ".join(to_fts5(i) for i in node.items) + ")"
    if isinstance(node, Not):  # only reachable inside And, handled there
        raise QueryError("query_not_alone", "NOT needs something to exclude from")
    positives = [i for i in node.items if not isinstance(i, Not)]
    negatives = [i.item for i in node.items if isinstance(i, Not)]
    parts = [to_fts5(i) for i in positives]
    expr = " AND ".join(parts)
    run = side_by_side(node)
    if run is not None:
        expr = f"({expr}) AND ({_fts_term(run)} OR {parts[0]})"
    if not negatives:
        return "(" + expr + ")"
    # one NOT of them all, not a NOT inside a NOT for each: FTS5's parser has a small stack
    excluded = [to_fts5(neg) for neg in negatives]
    either = excluded[0] if len(excluded) == 1 else "(" + " OR ".join(excluded) + ")"
    return f"(({expr}) NOT {either})"


# -- PostgreSQL tsquery -----------------------------------------------------------------------


def _ts_lexeme(token: str, prefix: bool = False) -> str:
    return "'" + token.replace("'", "''").replace("\\", "\\\\") + "'" + (":*" if prefix else "")


def _ts_words(words: tuple[str, ...], prefix: bool) -> str:
    lexemes = [_ts_lexeme(t) for t in words]
    if prefix:
        lexemes[-1] = _ts_lexeme(words[-1], prefix=True)
    return "(" + " <-> ".join(lexemes) + ")" if len(lexemes) > 1 else lexemes[0]


def to_tsquery(node: Node, *, typed: bool = False) -> str:
    """PostgreSQL to_tsquery('simple', ...) syntax, tokens quoted as lexemes: the folded words, or
    with `typed` the words as typed (for the index that keeps diacritics)."""
    if isinstance(node, Term):
        return _ts_words(node.typed or node.tokens if typed else node.tokens, node.prefix)
    if isinstance(node, Not):
        return "!" + to_tsquery(node.item, typed=typed)
    joiner = " | " if isinstance(node, Or) else " & "
    return "(" + joiner.join(to_tsquery(i, typed=typed) for i in node.items) + ")"


def to_pg(node: Node, bind: Callable[[str], str]) -> str:
    """A PostgreSQL condition matching `node` over the folded (search_f) and the exact (search_x)
    tsvectors: one tsquery where every term matches alike, and the two combined where they do not.
    `bind` turns a tsquery's text into a bind parameter's placeholder."""
    terms = terms_of(node)
    if not any(t.marked for t in terms):
        return f"search_f @@ to_tsquery('simple', {bind(to_tsquery(node))})"
    if all(t.whole for t in terms):
        return f"search_x @@ to_tsquery('simple', {bind(to_tsquery(node, typed=True))})"
    if isinstance(node, Term):
        exact = [w for w, e in zip(node.typed, node.exact, strict=True) if e]
        words = " & ".join(_ts_lexeme(w) for w in exact)
        return f"({to_pg(node.folded(), bind)} AND search_x @@ to_tsquery('simple', {bind(words)}))"
    if isinstance(node, Not):
        return f"NOT ({to_pg(node.item, bind)})"
    joiner = " OR " if isinstance(node, Or) else " AND "
    return "(" + joiner.join(to_pg(i, bind) for i in node.items) + ")"


def _positive(node: Node) -> Node | None:
    """What a match must contain, the exclusions left out: None when an Or holds nothing else."""
    if isinstance(node, Term):
        return node
    if isinstance(node, Not):
        return None
    items = [_positive(i) for i in node.items]
    if isinstance(node, Or) and None in items:
        return None
    kept = tuple(i for i in items if i is not None)
    if not kept:
        return None
    return kept[0] if len(kept) == 1 else type(node)(kept)


def rum_tsquery(node: Node) -> str | None:
    """A tsquery over the folded words that every match of `node` matches (its exclusions left out,
    each term folded), to walk the matches in the RUM index's rank order; None when there is none."""
    positive = _positive(node)
    return None if positive is None else to_tsquery(positive)
