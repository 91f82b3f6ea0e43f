"""What a fact is about and what kinds of value it holds, read from its text at ingest.

Pure functions of a fact's text (and its kind), stored with each fact in knowledge/store.py and
read by the ranker: its stems, the countries and places it names, whether it refers back with a
pronoun, and the kinds of value it holds.
"""

from __future__ import annotations

import re

from .places import country_aliases
from .text import has_date, has_quantity, stem, words

LOCATIVE = frozenset({"in", "to", "at", "into"})
CAUSE_RE = re.compile(
    r"\b(?:because|due to|owing to|caused|as a result|so that|in order to|after|since|"
    r"led to|thanks to|reason)\b",
    re.IGNORECASE,
)
PERSON_RE = re.compile(r"\b[A-Z][\w'’-]+(?: [A-Z][\w'’.-]+)+")


def stems(text: str) -> list[str]:
    """The stems of a text's words."""
    return [stem(w) for w in words(text)]


def country_terms(text: str) -> list[str]:
    """Stems of the countries a text names through a demonym or capital ('French' -> franc)."""
    aliases = country_aliases()
    tokens = words(text)
    found = []
    for i, _token in enumerate(tokens):
        for size in (1, 2):
            name = " ".join(tokens[i : i + size])
            if name in aliases:
                found.extend(stems(aliases[name]))
    return found


PRONOUNS = frozenset("it its they their them he his she her this these those such".split())


def starts_with_pronoun(sentence: str) -> bool:
    """Does the sentence refer back early on ('It was opened...', 'In 1911 she received...')?"""
    return any(w in PRONOUNS for w in words(sentence[:60])[:5])


def subject_terms(title: str) -> list[str]:
    """Stems of the words of a title that name its subject ('relations' is not one)."""
    from .lexicon import stopwords

    generic = {"relat", "list", "histori", "of"}
    return [t for t in stems(title) if t not in generic and t not in stopwords("en")]


def located_terms(text: str) -> list[str]:
    """Stems of words that follow 'in', 'to' or 'at': where something is or goes."""
    tokens = words(text)
    return [stem(b) for a, b in zip(tokens, tokens[1:], strict=False) if a in LOCATIVE]


def value_flags(text: str, kind: str) -> str:
    """The kinds of value a fact holds: d(ate), q(uantity), p(erson), l(ocation), c(ause)."""
    flags = ""
    if has_date(text):
        flags += "d"
    if has_quantity(text):
        flags += "q"
    body = text.split(":", 1)[1] if kind == "infobox" else text
    if PERSON_RE.search(body[1:]) or kind in ("infobox", "row"):
        flags += "p"
    if located_terms(text) or kind == "row" or country_terms(text):
        flags += "l"
    if CAUSE_RE.search(text):
        flags += "c"
    return flags
