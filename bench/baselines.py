"""The baselines qabot is compared with: a naive WRatio full scan and BM25 (bm25s).

Both work over the same facts as qabot (`select text from facts`), return their top fact, and
abstain below a threshold of their own. Sources are the fact's article and section, joined the
way knowledge/ranker.py does.
"""

from __future__ import annotations

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
