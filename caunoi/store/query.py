"""The search query language, parsed once and rendered for SQLite FTS5 or PostgreSQL tsquery.

doi ngoai            both words (documents with them side by side rank first)
"đối ngoại"          the phrase
ASEAN OR "Liên Hợp Quốc"
biển NOT du lịch     AND / OR / NOT in capitals, -word for NOT, (groups), prefix*

A query is at most MAX_LENGTH characters and nests groups and NOTs at most MAX_DEPTH deep: both are
checked before the parser recurses, so no query can exhaust the stack (or SQLite FTS5's parser).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from caunoi.errors import Invalid
from caunoi.text.fold import fold, lower_exact, tokens


class QueryError(Invalid):
    """A query that cannot be parsed; the message says where and how to fix it."""


@dataclass(frozen=True)
class Term:
    tokens: tuple[str, ...]  # more than one token is a phrase
    prefix: bool = False
    quoted: bool = False


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
        out.append(_Tok(kind, text))
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
    def __init__(self, toks: list[_Tok], exact: bool):
        self.toks = toks
        self.i = 0
        self.norm = lower_exact if exact else fold

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
            toks = tokens(self.norm(tok.text[1:-1]))
            if not toks:
                raise QueryError("query_empty_phrase", "the phrase {text} has no words in it", text=tok.text)
            return Term(tuple(toks), quoted=True)
        if tok.kind == "word":
            prefix = tok.text.endswith("*")
            toks = tokens(self.norm(tok.text.rstrip("*")))
            if not toks:
                raise QueryError(
                    "query_no_words", "{text!r} has no letters or digits to search for", text=tok.text
                )
            return Term(tuple(toks), prefix=prefix and len(toks) == 1)
        if tok.kind == "rpar":
            raise QueryError("query_unopened", "a ')' has no matching '('")
        raise QueryError("query_lone_operator", "{operator} needs a word on each side", operator=tok.text)


def parse_query(query: str, *, exact: bool = False) -> Node:
    """Parse a user's query; tokens come out folded (or lower-cased when `exact`)."""
    return _Parser(_lex(query), exact).parse()


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
    return Term(tuple(t for term in node.items for t in term.tokens), quoted=True)


def exact_boost(query: str) -> Node | None:
    """When the user typed diacritics ("Biển Đông"), the words as typed: matching them exactly
    ranks an article above one that only matches folded ("biến động"). None without diacritics."""
    if fold(query) == lower_exact(query):
        return None
    node = parse_query(query, exact=True)
    terms: list[Node] = list(positive_terms(node))
    run = side_by_side(node)
    if run is not None:
        terms.append(run)
    return terms[0] if len(terms) == 1 else Or(tuple(terms))


def _fts_term(term: Term) -> str:
    phrase = '"' + " ".join(term.tokens) + '"'
    return phrase + "*" if term.prefix else phrase


def to_fts5(node: Node) -> str:
    """FTS5 MATCH syntax; every token is quoted, so user text is never FTS5 syntax."""
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


def _ts_lexeme(token: str, prefix: bool = False) -> str:
    return "'" + token.replace("'", "''").replace("\\", "\\\\") + "'" + (":*" if prefix else "")


def to_tsquery(node: Node) -> str:
    """PostgreSQL to_tsquery('simple', ...) syntax, tokens quoted as lexemes."""
    if isinstance(node, Term):
        lexemes = [_ts_lexeme(t) for t in node.tokens]
        if node.prefix:
            lexemes[-1] = _ts_lexeme(node.tokens[-1], prefix=True)
        return "(" + " <-> ".join(lexemes) + ")" if len(lexemes) > 1 else lexemes[0]
    if isinstance(node, Not):
        return "!" + to_tsquery(node.item)
    joiner = " | " if isinstance(node, Or) else " & "
    return "(" + joiner.join(to_tsquery(i) for i in node.items) + ")"
