"""Where candidate facts come from: a `Retriever` interface and its implementations.

Each retriever proposes fact ids with its own score and rank; `merge` unites them, so a new
backend plugs in without touching the others:

- `LexicalRetriever`: SQLite FTS5 over stemmed terms (and their related forms), BM25-ranked;
- `DenseRetriever`: exact dot product of the question's vector with every fact's vector;
- `StructuredRetriever`: infobox keys and visit rows that name the question's words.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np

from . import ranker
from .query import Query
from .text import fold, stem, words


@dataclass
class Probe:
    """A question as the retrievers see it: analysed, and (lazily) embedded."""

    query: Query
    embed: Callable[[str], np.ndarray] | None = None
    _vector: np.ndarray | None = field(default=None, repr=False)
    similarities: np.ndarray | None = field(default=None, repr=False)  # set by DenseRetriever

    @property
    def vector(self) -> np.ndarray | None:
        if self._vector is None and self.embed is not None:
            self._vector = self.embed(self.query.text)
        return self._vector


@dataclass(frozen=True)
class Hit:
    """One retriever's vote for a fact: its raw score and its rank (0 = first)."""

    fact_id: int
    score: float
    rank: int


class Retriever(Protocol):
    name: str

    def candidates(self, probe: Probe, limit: int) -> list[Hit]: ...


def ranked_hits(ids: Sequence[int], scores: Sequence[float]) -> list[Hit]:
    return [
        Hit(int(i), float(s), rank) for rank, (i, s) in enumerate(zip(ids, scores, strict=True))
    ]


class LexicalRetriever:
    """FTS5 over the facts' stems: the question's rarer words first, every word if needed."""

    name = "fts"

    def __init__(self, db, vocab, lock: threading.Lock):
        self.db, self.vocab, self.lock = db, vocab, lock

    def candidates(self, probe: Probe, limit: int) -> list[Hit]:
        query = probe.query
        rare = ranker.fts_query(query, self.vocab.stem_df, self.vocab.facts)
        every = ranker.fts_query(query)
        hits: dict[int, float] = {}
        for match in dict.fromkeys(m for m in (rare, every) if m):
            with self.lock:
                rows = self.db.execute(
                    "select rowid, bm25(facts_fts) from facts_fts where facts_fts match ? "
                    "order by rank limit ?",
                    [match, limit],
                ).fetchall()
            for rowid, score in rows:
                hits.setdefault(rowid, -score)  # FTS5's bm25 is negative: lower is better
            if len(hits) >= limit:
                break
        ordered = sorted(hits.items(), key=lambda kv: -kv[1])[:limit]
        return ranked_hits([k for k, _ in ordered], [v for _, v in ordered])


class DenseRetriever:
    """Cosine similarity between the question's vector and every fact's (both unit length)."""

    name = "dense"

    def __init__(self, fact_ids: np.ndarray, matrix: np.ndarray):
        self.fact_ids = fact_ids
        self.matrix = matrix

    def similarities(self, vector: np.ndarray) -> np.ndarray:
        return self.matrix @ vector

    def candidates(self, probe: Probe, limit: int) -> list[Hit]:
        vector = probe.vector
        if vector is None or not len(self.fact_ids):
            return []
        sims = probe.similarities = self.similarities(vector)
        limit = min(limit, len(sims))
        top = np.argpartition(-sims, limit - 1)[:limit]
        top = top[np.argsort(-sims[top], kind="stable")]
        return ranked_hits(self.fact_ids[top], sims[top])


def paragraph_vectors(groups: Sequence, matrix: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The unit mean vector of each paragraph, and each fact row's paragraph index.

    `groups[i]` names the paragraph of row i (facts outside paragraphs get their own group).
    A question is often about a paragraph as a whole; its vector says which paragraph.
    """
    index: dict = {}
    owner = np.array([index.setdefault(g, len(index)) for g in groups], dtype=np.int64)
    sums = np.zeros((len(index), matrix.shape[1]), dtype=np.float32)
    np.add.at(sums, owner, matrix)
    norms = np.linalg.norm(sums, axis=1, keepdims=True)
    return sums / np.maximum(norms, 1e-9), owner


class StructuredRetriever:
    """Infobox pairs whose key names a question word, and visit rows that name its names."""

    name = "table"

    def __init__(self, infobox: Sequence[tuple[int, str]], visits: Sequence[tuple[int, str]]):
        self.keys = [(fact_id, {stem(w) for w in words(key)}) for fact_id, key in infobox]
        self.rows = [(fact_id, {stem(w) for w in words(fold(text))}) for fact_id, text in visits]

    def candidates(self, probe: Probe, limit: int) -> list[Hit]:
        terms = probe.query.terms
        stems = {t.stem for t in terms} | {a for t in terms for a in t.alts}
        names = {t.stem for t in terms if t.entity}
        scored = []
        for fact_id, key in self.keys:
            if key & stems:
                scored.append((fact_id, len(key & stems) / len(key)))
        if names:
            for fact_id, row in self.rows:
                if names & row:
                    scored.append((fact_id, len(names & row) / len(names)))
        scored.sort(key=lambda pair: -pair[1])
        return ranked_hits([f for f, _ in scored[:limit]], [s for _, s in scored[:limit]])


def merge(results: dict[str, list[Hit]]) -> dict[int, dict[str, Hit]]:
    """fact id -> {retriever name: its hit}, over every retriever's candidates."""
    merged: dict[int, dict[str, Hit]] = {}
    for name, hits in results.items():
        for hit in hits:
            merged.setdefault(hit.fact_id, {})[name] = hit
    return merged
