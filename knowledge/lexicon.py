"""Word lists the matcher reads: stop words, question words, synonyms, foreign terms.

They live as plain files in ``knowledge/data/lexicon/`` so they can be read, extended and
tested without touching code. Every form is folded and stemmed when loaded.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from .text import fold, stem, words

FOREIGN_LANGS = ("ru", "fr", "ar", "es", "de")


def _lines(name: str) -> list[str]:
    text = resources.files("knowledge").joinpath("data", "lexicon", name).read_text("utf-8")
    return [line.strip() for line in text.splitlines() if line.strip() and line[0] != "#"]


@lru_cache(maxsize=8)
def stopwords(lang: str) -> frozenset[str]:
    """Folded stop words of a language."""
    try:
        lines = _lines(f"stopwords-{lang}.txt")
    except FileNotFoundError:
        return frozenset()
    # Contractions ("won't") are left out: split into words they would stop 'won'.
    return frozenset(fold(w) for line in lines for w in line.split() if "'" not in w)


def english_function_words(tokens: list[str]) -> list[bool]:
    """For each folded token, whether it is an English function or question word."""
    common = stopwords("en")
    asks = question_words()
    return [t in common or (t,) in asks for t in tokens]


@lru_cache(maxsize=1)
def question_words() -> dict[tuple[str, ...], str]:
    """Folded question phrase (as a word tuple) -> intent."""
    table = {}
    for line in _lines("questionwords-en.tsv"):
        phrase, intent = line.split("\t")
        table[tuple(words(phrase))] = intent
    return table


@lru_cache(maxsize=1)
def synonyms() -> dict[str, frozenset[str]]:
    """Stem -> the stems related to it (one-word members of each synonym group)."""
    related: dict[str, set[str]] = {}
    for line in _lines("synonyms-en.tsv"):
        # Only one-word members take part: 'took place' would make 'place' a synonym.
        group = {stem(w[0]) for w in (words(item) for item in line.split(",")) if len(w) == 1}
        for member in group:
            related.setdefault(member, set()).update(group - {member})
    return {k: frozenset(v) for k, v in related.items()}


@dataclass(frozen=True)
class ForeignLexicon:
    """Stemmed foreign phrases -> English words, longest phrase first when matching."""

    phrases: dict[tuple[str, ...], tuple[str, ...]]
    longest: int


@lru_cache(maxsize=16)
def foreign(lang: str) -> ForeignLexicon:
    """A language's word list into English; empty for a language without one ('de')."""
    phrases = {}
    try:
        lines = _lines(f"{lang}.tsv")
    except FileNotFoundError:
        lines = []
    for line in lines:
        source, english = line.split("\t")
        key = tuple(stem(w, lang) for w in words(source))
        if key:
            phrases[key] = tuple(words(english))
    return ForeignLexicon(phrases, max((len(k) for k in phrases), default=1))


def warm_up() -> None:
    """Load every list now, so that the first question is as fast as the others."""
    for lang in ("en", *FOREIGN_LANGS):
        stopwords(lang)
    question_words()
    synonyms()
    for lang in FOREIGN_LANGS:
        foreign(lang)
