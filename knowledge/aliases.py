"""Taught aliases, checked before retrieval: a taught question (or a close variant) answers
with the fact it was taught, found again by the hash of its text after a rebuild.

An alias whose fact text is no longer in the knowledge base is never applied: `resolve`
returns None, `qabot aliases` and /aliases report it, and the question goes to retrieval.
"""

from __future__ import annotations

import weakref
from collections.abc import Sequence
from dataclasses import dataclass, replace

from rapidfuzz import fuzz, process

from .feedback import Alias, fact_hash, normalise
from .kb import KnowledgeBase
from .models import Answer, Fact
from .query import detect_language

ALIAS_SCORE = 90  # token_sort_ratio (0-100) a question needs to match an alias

_INDEXES: weakref.WeakKeyDictionary[KnowledgeBase, dict[str, int]] = weakref.WeakKeyDictionary()


class AliasBook:
    """The aliases in memory, matched with RapidFuzz. Immutable: a new book replaces it."""

    def __init__(self, aliases: Sequence[Alias] = (), version: int = -1) -> None:
        self.aliases = tuple(aliases)
        self.version = version
        self._norms = [normalise(a.question) for a in self.aliases]

    def match(self, question: str) -> Alias | None:
        """The alias a question asks, when it is close enough (≥ ALIAS_SCORE)."""
        if not self._norms:
            return None
        found = process.extractOne(
            normalise(question),
            self._norms,
            scorer=fuzz.token_sort_ratio,
            processor=None,
            score_cutoff=ALIAS_SCORE,
        )
        return self.aliases[found[2]] if found else None


@dataclass(frozen=True)
class AliasStatus:
    """An alias and the fact it answers with in this knowledge base (None: gone)."""

    alias: Alias
    fact_id: int | None

    @property
    def moved(self) -> bool:
        return self.fact_id is not None and self.fact_id != self.alias.fact_id


def _hash_index(kb: KnowledgeBase) -> dict[str, int]:
    """Text hash → fact id for every fact of `kb`, computed once per knowledge base."""
    index = _INDEXES.get(kb)
    if index is None:
        index = {}
        for fact_id, text in kb.db.execute("select id, text from facts order by id").fetchall():
            index.setdefault(fact_hash(text), int(fact_id))
        _INDEXES[kb] = index
    return index


def find_fact(kb: KnowledgeBase, fact_id: int, digest: str) -> Fact | None:
    """The fact with text hash `digest`: under `fact_id` if its text is unchanged, else under
    whatever id a rebuild gave it; None when no fact has that text any more."""
    fact = kb.fact(fact_id)
    if fact is not None and fact_hash(fact.text) == digest:
        return fact
    moved = _hash_index(kb).get(digest)
    return kb.fact(moved) if moved is not None else None


def resolve(kb: KnowledgeBase, alias: Alias) -> int | None:
    """The id of the alias's fact in `kb`: the same id if its text is unchanged, else the fact
    with the same text hash (after a rebuild), else None. Never another fact."""
    fact = find_fact(kb, alias.fact_id, alias.fact_hash)
    return fact.id if fact is not None else None


def statuses(kb: KnowledgeBase, aliases: Sequence[Alias]) -> list[AliasStatus]:
    """Each alias with the fact it resolves to in `kb` (None when its fact is gone)."""
    return [AliasStatus(alias, resolve(kb, alias)) for alias in aliases]


def ask(
    kb: KnowledgeBase,
    question: str,
    book: AliasBook | None,
    context_entities: Sequence[str] = (),
) -> Answer:
    """Answer `question`: with a taught fact (marked curated) when it matches an alias whose
    fact is still there, else through retrieval (`kb.ask`; `context_entities`, the names a
    follow-up question borrows, are passed on only when there are some)."""
    alias = book.match(question) if book is not None else None
    if alias is not None:
        fact_id = resolve(kb, alias)
        answer = kb.answer_fact(fact_id, question) if fact_id is not None else None
        if answer is not None:
            return replace(answer, curated=True, lang=detect_language(question))
    if context_entities:
        return kb.ask(question, context_entities=context_entities)
    return kb.ask(question)
