"""Which name a word is attached to: 'the capital of Russia', 'Oppman's daughters', 'the
Algerian president'.

A question about the capital of Russia is not answered by a sentence about the capital of
Algeria, though it names Russia elsewhere ('Algerian-Russian commission'). These pure functions
read "<word> of <Name>", "<Name>'s <word>" and "<Demonym> <word>" pairs from English text (a
demonym or a capital stands for its country: 'Russian', 'Moscow' -> Russia), and count the
pairs of a question that a fact contradicts: it attaches the same word to other names only.
"""

from __future__ import annotations

import re
from functools import lru_cache

from rapidfuzz import fuzz

from . import lexicon
from .places import country_aliases
from .text import fold, stem

WORD = r"[A-Z](?:[\w-]|['’](?!s\b))*"  # 'O'Brien', but not the 's of 'Oppman's'
NAME = rf"{WORD}(?:\s+{WORD})*"
OF_RE = re.compile(rf"\b([a-z][a-z-]+) of (?:the )?({NAME})(['’]s\b)?")
POSSESSIVE_RE = re.compile(rf"({NAME})['’]s ([a-z][a-z-]+)")
DEMONYM_RE = re.compile(r"\b([A-Z][a-z]+) (?=([A-Za-z][a-z-]+))")  # overlapping: 'The Russian Army'
SAME_NAME = 85  # RapidFuzz ratio from which two spellings name the same thing ('Davis', 'Davies')


def _name(raw: str) -> str:
    """The folded name without leading function words ('When Celoron' -> 'celoron'); a
    demonym or capital is its country's name."""
    tokens = fold(raw).split()
    common = lexicon.stopwords("en")
    while tokens and (tokens[0] in common or (tokens[0],) in lexicon.question_words()):
        tokens.pop(0)
    name = " ".join(tokens)
    country = country_aliases().get(name)
    return fold(country) if country else name


def _head(word: str) -> str | None:
    """The stem of a content word that can own a name; None for 'one of', 'most of'."""
    folded = fold(word)
    if folded in lexicon.stopwords("en") or (folded,) in lexicon.question_words():
        return None
    return stem(folded)


@lru_cache(maxsize=4096)
def attachments(text: str) -> frozenset[tuple[str, str]]:
    """(stem of the word, folded name) for each "word of Name", "Name's word" and "Demonym
    word" in `text`."""
    found = set()
    for word, raw, owns in OF_RE.findall(text):
        if not owns:  # in 'one of Oppman's friends' the name owns the friends, not 'one'
            found.add((_head(word), _name(raw)))
    for raw, word in POSSESSIVE_RE.findall(text):
        found.add((_head(word), _name(raw)))
    demonyms = country_aliases(include_capitals=False)
    for adjective, word in DEMONYM_RE.findall(text):
        country = demonyms.get(fold(adjective))
        if country:
            found.add((_head(word), fold(country)))
    return frozenset((head, name) for head, name in found if head and name)


def same_name(a: str, b: str) -> bool:
    """Whether two folded names name the same thing: equal up to a typo, one inside the
    other ('warsaw', 'old warsaw'), or one the initials of the other ('uk', 'united kingdom')."""
    if a == b or fuzz.ratio(a, b) >= SAME_NAME:
        return True
    if a in b or b in a:
        return True
    return _initials(a) == b.replace(" ", "") or _initials(b) == a.replace(" ", "")


def _initials(name: str) -> str:
    parts = name.split()
    return "".join(p[0] for p in parts) if len(parts) > 1 else ""


def conflicts(question: frozenset[tuple[str, str]], fact: frozenset[tuple[str, str]]) -> int:
    """How many of the question's pairs the fact contradicts: it attaches the word to names,
    none of them the question's ('capital of Algeria' against 'capital of Russia')."""
    owners: dict[str, list[str]] = {}
    for head, name in fact:
        owners.setdefault(head, []).append(name)
    count = 0
    for head, name in question:
        names = owners.get(head)
        if names and not any(same_name(name, other) for other in names):
            count += 1
    return count
