"""What one question may cost: its length and the terms it expands to.

A question is cut to `MAX_QUESTION_CHARS` (at a word boundary) before it is read, and its
terms to `MAX_TERMS`, each with at most `MAX_ALTS` alternative forms. So a crafted question
(4 KB of capitalised words, each a possible name with transliterations) costs at most a few
times an ordinary one: the embedder, the full-text query and the ranker all grow with these.
"""

from __future__ import annotations

from .terms import Term

MAX_QUESTION_CHARS = 200  # a real question is well under this; the rest is not read
MAX_TERMS = 16  # content terms kept, in the order the question names them
MAX_ALTS = 8  # alternative forms (variants, transliterations) kept per term


def cut_question(text: str, limit: int = MAX_QUESTION_CHARS) -> str:
    """`text` cut to at most `limit` characters, at a space when there is one.

    >>> cut_question("when did Putin visit", 12)
    'when did'
    """
    if len(text) <= limit:
        return text
    cut = text[:limit]
    space = cut.rfind(" ")
    return cut[:space] if space > limit // 2 else cut


def bounded_terms(terms: list[Term]) -> list[Term]:
    """The first `MAX_TERMS` terms, each with its `MAX_ALTS` best alternative forms.

    Forms of equal credit are kept in the order of their spelling: synonyms come from sets,
    whose order changes from one process to the next, and so would the answers."""
    kept = terms[:MAX_TERMS]
    for term in kept:
        if len(term.alts) > MAX_ALTS:
            best = sorted(term.alts.items(), key=lambda kv: (-kv[1], kv[0]))[:MAX_ALTS]
            term.alts = dict(best)
            term.weak &= set(term.alts)
    return kept
