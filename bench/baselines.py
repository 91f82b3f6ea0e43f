"""The baselines qabot is compared with: a WRatio full scan, BM25 (bm25s), FTS5, e5 alone.

Each works over the same facts as qabot (`select text from facts`), returns its top fact, and
abstains below a threshold of its own (or only when nothing matches at all). Sources are the
fact's article and section, joined the way knowledge/ranker.py does.
"""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass

import bm25s
import snowballstemmer
from rapidfuzz import fuzz, process, utils

from knowledge import Answer, Source

FACTS_SQL = (
    "select facts.id, facts.text, sections.path as section, sections.url as url, "
    "articles.title as article from facts "
    "join sections on sections.id = facts.section_id "
    "join articles on articles.id = facts.article_id order by facts.id"
)


@dataclass(frozen=True)
class FactRow:
    id: int
    text: str
    article: str
    section: str
    url: str


def load_facts(db) -> list[FactRow]:
    """Every fact with its source; `db` is a sqlite_utils.Database or a KnowledgeBase's db."""
    return [
        FactRow(r["id"], r["text"], r["article"], r["section"] or "", r["url"])
        for r in db.query(FACTS_SQL)
    ]


class Baseline:
    name = "baseline"

    def __init__(self, facts: list[FactRow]):
        self.facts = facts

    def top(self, question: str) -> tuple[int, float]:
        """(index of the best fact, its score); -1 when nothing matches at all."""
        raise NotImplementedError

    def answer(self, question: str, threshold: float) -> Answer:
        index, score = self.top(question)
        if index < 0 or score < threshold:
            return Answer(question, "I don't know.", True, score)
        fact = self.facts[index]
        return Answer(
            question,
            fact.text,
            False,
            score,
            sources=(Source(fact.article, fact.section, fact.url),),
            fact_ids=(fact.id,),
        )


class WRatioScan(Baseline):
    """rapidfuzz.process.extractOne(q, every fact text, scorer=fuzz.WRatio).

    Texts and question go through rapidfuzz's default_process (lower case, no punctuation);
    the fact texts are processed once, up front, as a fair full scan would.
    """

    name = "WRatio full scan"

    def __init__(self, facts: list[FactRow]):
        super().__init__(facts)
        self.choices = [utils.default_process(f.text) for f in facts]

    def top(self, question: str) -> tuple[int, float]:
        query = utils.default_process(question)
        found = process.extractOne(query, self.choices, scorer=fuzz.WRatio)
        if not found:
            return -1, 0.0
        _, score, index = found
        return index, float(score)


class FTS5Alone(Baseline):
    """SQLite FTS5 (porter stemmer over unicode61) on the fact texts: the question's words
    OR-ed, the best bm25 first; nothing in common means no answer."""

    name = "FTS5 (SQLite)"

    def __init__(self, facts: list[FactRow]):
        super().__init__(facts)
        self.conn = sqlite3.connect(":memory:", check_same_thread=False)
        self.conn.execute("create virtual table t using fts5(text, tokenize='porter unicode61')")
        self.conn.executemany(
            "insert into t(rowid, text) values (?, ?)", [(i, f.text) for i, f in enumerate(facts)]
        )

    def top(self, question: str) -> tuple[int, float]:
        tokens = dict.fromkeys(re.findall(r"\w+", question.casefold()))
        if not tokens:
            return -1, 0.0
        match = " OR ".join('"' + t.replace('"', '""') + '"' for t in tokens)
        row = self.conn.execute(
            "select rowid, bm25(t) from t where t match ? order by rank limit 1", [match]
        ).fetchone()
        return (int(row[0]), -float(row[1])) if row else (-1, 0.0)


class DenseAlone(Baseline):
    """e5 alone: the fact whose stored vector is closest to the question's (cosine)."""

    name = "e5 alone"

    def __init__(self, facts: list[FactRow], fact_ids, matrix, embed):
        super().__init__(facts)
        index_of = {f.id: i for i, f in enumerate(facts)}
        self.rows = [index_of[int(i)] for i in fact_ids]
        self.matrix = matrix
        self.embed = embed  # question -> unit vector

    def top(self, question: str) -> tuple[int, float]:
        if not self.rows:
            return -1, 0.0
        sims = self.matrix @ self.embed(question)
        best = int(sims.argmax())
        return self.rows[best], float(sims[best])


class BM25(Baseline):
    """bm25s (Lucene BM25) over the fact texts; English stop words, Snowball stems."""

    name = "BM25 (bm25s)"

    def __init__(self, facts: list[FactRow]):
        super().__init__(facts)
        self.stemmer = snowballstemmer.stemmer("english")
        self.retriever = bm25s.BM25()
        corpus = bm25s.tokenize(
            [f.text for f in facts], stopwords="en", stemmer=self.stemmer, show_progress=False
        )
        self.retriever.index(corpus, show_progress=False)

    def top(self, question: str) -> tuple[int, float]:
        tokens = bm25s.tokenize(
            [question], stopwords="en", stemmer=self.stemmer, show_progress=False, return_ids=False
        )
        if not tokens[0]:
            return -1, 0.0
        docs, scores = self.retriever.retrieve(tokens, k=1, show_progress=False, n_threads=1)
        score = float(scores[0][0])
        return (int(docs[0][0]), score) if score > 0 else (-1, 0.0)
