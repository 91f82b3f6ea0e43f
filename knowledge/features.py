"""The features of a (question, candidate fact) pair: small pure functions, each in a known range.

The fitted ranker (`knowledge/model.py`) combines them; `FEATURES` fixes their order, which the
shipped weights depend on. Question-level features (how English the question reads, how much of
it the vocabulary knows) let the model trust the dense signal more where words cannot match.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from . import lexicon
from .text import words

INTENT_FLAG = {"when": "d", "quantity": "q", "who": "p", "where": "l", "why": "c"}

# Bump when BASE_FEATURES or the way candidates are found change (3: German, Spanish and
# other Latin-script questions are no longer read as English or French; 4: nor as reading
# English for the English words they share; 5: place; 6: Spanish and German place names, and
# the contradictions of an English question, in the lexical score).
FEATURE_VERSION = 6

BASE_FEATURES = (
    "lexical",  # the hand-built lexical score of knowledge/ranker.py, clipped to [-2, 2]
    "coverage",  # share of the question's weight the fact covers, [0, 1]
    "missing",  # named entities of the question absent from the fact, [0, 3]
    "intent",  # the fact holds the kind of value asked for: 1, the opposite: -1, else 0
    "place",  # the fact puts things where the question does: ranker.place_agreement, [-1, 1]
    "wording",  # RapidFuzz partial ratio of the content words, [0, 1]
    "dense",  # cosine of the question's and the fact's vectors, [-1, 1]
    "dense_gap",  # that cosine minus the best one in the knowledge base, [-2, 0]
    "paragraph",  # cosine of the question's vector and the mean vector of the fact's paragraph
    "paragraph_gap",  # that cosine minus the best paragraph's, [-2, 0]
    "dense_rank",  # 1 / (1 + rank) among the dense candidates, 0 if not among them
    "fts_rank",  # 1 / (1 + rank) among the FTS5 candidates, 0 if not among them
    "bm25",  # FTS5's BM25 over the best BM25 of this question, [0, 1]
    "table",  # proposed by the structured retriever (infobox key or visit row), {0, 1}
    "infobox",  # the fact is an infobox pair, {0, 1}
    "row",  # the fact is a table row, {0, 1}
    "length",  # log of the fact's word count over 4, [0, ~2]
    "english",  # share of the question's words that are English function words, [0, 1]
    "known",  # share of the question's content terms the knowledge base knows, [0, 1]
    "foreign_dense",  # dense_gap on a question that does not read as English, [-2, 0]
    "foreign_lexical",  # lexical on a question that does not read as English, [-2, 2]
)
# Computed from all of one question's candidates (`with_derived`), so not cached per candidate:
# where the lexical score puts this fact among the others, and every feature again scaled by
# how English the question reads, so the ranker can trust words in English and vectors elsewhere.
RELATIVE_FEATURES = ("lexical_gap", "lexical_rank")
ENGLISH_FEATURES = tuple(f"{name}_en" for name in (*BASE_FEATURES, *RELATIVE_FEATURES))
FEATURES = BASE_FEATURES + RELATIVE_FEATURES + ENGLISH_FEATURES


def clip(value: float, low: float, high: float) -> float:
    return max(low, min(high, value))


def intent_match(intent: str, flags: str) -> float:
    """1 if the fact holds the kind of value the question asks for, -1 if not, 0 if n/a."""
    flag = INTENT_FLAG.get(intent)
    if not flag:
        return 0.0
    return 1.0 if flag in flags else -1.0


def reciprocal_rank(rank: int | None) -> float:
    """1 for the first candidate, 1/2 for the second...; 0 when not a candidate at all."""
    return 0.0 if rank is None else 1.0 / (1.0 + rank)


def relative(score: float | None, best: float) -> float:
    """A score over the best score of the question, in [0, 1]; 0 when absent."""
    if score is None or best <= 0:
        return 0.0
    return clip(score / best, 0.0, 1.0)


def length(text: str) -> float:
    """log(words) / 4: short infobox pairs near 0, long sentences near 1."""
    return math.log1p(len(text.split())) / 4


def english_share(question: str) -> float:
    """The share of the question's words that are English function or question words."""
    tokens = words(question)
    if not tokens:
        return 0.0
    return sum(lexicon.english_function_words(tokens)) / len(tokens)


def question_english(question: str, lang: str) -> float:
    """How English a question reads: its `english_share`, but 0 for one recognised as written
    in another Latin-script language ('Wann war Putin in Algerien?' shares 'in')."""
    if lang not in ("en", "fr"):
        return 0.0
    return english_share(question)


def known_share(terms: Sequence) -> float:
    """The share of the question's content terms found in the knowledge base's vocabulary."""
    if not terms:
        return 0.0
    return sum(1 for t in terms if t.known) / len(terms)


def lexical_gap(scores: np.ndarray) -> np.ndarray:
    """Each lexical score minus the question's best, in [-4, 0]."""
    if not len(scores):
        return scores
    return np.clip(scores - scores.max(), -4.0, 0.0)


def lexical_rank(scores: np.ndarray) -> np.ndarray:
    """1 / (1 + rank) of each candidate by its lexical score (ties keep their order)."""
    ranks = np.empty(len(scores))
    ranks[np.argsort(-scores, kind="stable")] = np.arange(len(scores))
    return 1.0 / (1.0 + ranks)


def with_derived(base: np.ndarray) -> np.ndarray:
    """One question's candidate matrix (BASE_FEATURES columns) with the derived columns added,
    in the order of FEATURES."""
    base = np.asarray(base, dtype=np.float64).reshape(-1, len(BASE_FEATURES))
    lexical = base[:, BASE_FEATURES.index("lexical")]
    relative = np.column_stack([lexical_gap(lexical), lexical_rank(lexical)])
    both = np.hstack([base, relative])
    english = base[:, BASE_FEATURES.index("english")][:, None]
    return np.hstack([both, both * english])


def vector(
    *,
    lexical: float,
    coverage: float,
    missing: float,
    intent: float,
    place: float,
    wording: float,
    dense: float,
    best_dense: float,
    paragraph: float,
    best_paragraph: float,
    dense_rank: int | None,
    fts_rank: int | None,
    bm25: float | None,
    best_bm25: float,
    table: bool,
    kind: str,
    text: str,
    english: float,
    known: float,
) -> list[float]:
    """The features of one candidate that need no other candidate, in the order of
    BASE_FEATURES."""
    lexical = clip(lexical, -2.0, 2.0)
    gap = clip(dense - best_dense, -2.0, 0.0)
    foreign = 1.0 - english
    return [
        lexical,
        clip(coverage, 0.0, 1.0),
        clip(missing, 0.0, 3.0),
        intent,
        clip(place, -1.0, 1.0),
        clip(wording, 0.0, 1.0),
        clip(dense, -1.0, 1.0),
        gap,
        clip(paragraph, -1.0, 1.0),
        clip(paragraph - best_paragraph, -2.0, 0.0),
        reciprocal_rank(dense_rank),
        reciprocal_rank(fts_rank),
        relative(bm25, best_bm25),
        float(table),
        float(kind == "infobox"),
        float(kind == "row"),
        length(text),
        english,
        known,
        gap * foreign,
        lexical * foreign,
    ]
