"""The knowledge base: open it once, then ask questions, list visits, search and browse."""

from __future__ import annotations

import functools
import itertools
import math
import threading
import unicodedata
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from . import features, language, lexicon, ranker, retrieval, thresholds
from .embed import Embedder, EmbeddingError, default_embedder
from .i18n import phrase
from .limits import bounded_terms, cut_question
from .model import Model, Routed, route, shipped
from .models import Alternative, Answer, ArticleInfo, Fact, Source, Visit, VisitFilter
from .query import Query, Vocabulary, analyse
from .retrieval import DenseRetriever, LexicalRetriever, Probe, StructuredRetriever
from .smalltalk import greeting_reply
from .store import open_database
from .vectors import from_blobs
from .visit_questions import both_ways, count_line, visit_reply
from .visits import matches

MAX_QUESTION = 4096
ALTERNATIVES = 3
# a visit's mirror this near the top makes the answer both visits (see `both_ways`)
MIRROR_WINDOW = 3
LIST_LIMIT = 50
CANDIDATE_SQL = (
    "select facts.*, sections.path as section, sections.url as url, "
    "articles.title as article, coalesce(tables.is_visits, 0) as is_visit, "
    "coalesce(previous.text, '') as previous_text "
    "from facts join sections on sections.id = facts.section_id "
    "join articles on articles.id = facts.article_id "
    "left join tables on tables.id = facts.table_id "
    # the sentence a fact that refers back ('It was opened...') is quoted with
    "left join facts previous on facts.antecedent <> '' and previous.id = facts.id - 1 "
    "and previous.article_id = facts.article_id and previous.paragraph = facts.paragraph "
)
SUGGEST_FLOOR = 0.2  # a fact this unlikely to answer is not worth suggesting
# A question answered by its words alone (the English route) that qabot refuses is embedded,
# and the facts this near its vector are suggested beside the words' own suggestions. Of the
# 125 XQuAD en development questions refused, the right fact was among the suggestions for 70;
# among the nearest three by vector for 112, all of them at a cosine of 0.80 or more; the two
# interleaved, 109 (SQuAD answerable: 130, 186, 190 of 238). Off-topic questions (the dev set's
# 'What is the capital of Australia?') fall below it 4 times in 11.
SUGGEST_COSINE = 0.80
RETRIEVER_LIMITS = {"fts": ranker.CANDIDATES, "dense": 40, "table": 20}
FACT_SQL = (
    "select facts.*, sections.path as section, sections.url as url, articles.title as article "
    "from facts join sections on sections.id = facts.section_id "
    "join articles on articles.id = facts.article_id "
)


class KnowledgeBase:
    """A read-only view of a built knowledge base. Safe to share between threads."""

    def __init__(
        self, db, path: Path, embedder: Embedder | None = None, model: Model | None = None
    ):
        self.db = db
        self.path = path
        self._lock = threading.Lock()
        self.embedder = embedder or default_embedder()
        self._model = model
        self.subjects = {
            r["id"]: ranker.Subject(set(r["subject"].split()), set((r["topics"] or "").split()))
            for r in self.db.query("select id, subject, topics from articles")
        }
        self.vocab = self._load_vocabulary()
        lexicon.warm_up()
        language.preload()  # in the background: only non-English Latin questions need it
        self._visits = self._load_visits()
        self.dense = self._load_vectors()
        self.row_of = {int(f): i for i, f in enumerate(self.dense.fact_ids)}
        self.paragraphs, self.paragraph_of = retrieval.paragraph_vectors(
            self._paragraph_keys(), self.dense.matrix
        )
        infobox = [
            (r["fact_id"], r["key"]) for r in self.db.query("select fact_id, key from infobox")
        ]
        visit_rows = [(v.fact_id, f"{v.guest} {v.host} {v.place}") for v in self._visits]
        self.retrievers = [
            LexicalRetriever(self.db, self.vocab, self._lock),
            self.dense,
            StructuredRetriever(infobox, visit_rows),
        ]
        self.limits = dict(RETRIEVER_LIMITS)

    @classmethod
    def open(cls, path: str | Path, *, read_only: bool = True) -> KnowledgeBase:
        """Open a knowledge base; raises KnowledgeBaseError with a one-line reason."""
        path = Path(path)
        return cls(open_database(path, read_only=read_only), path)

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> KnowledgeBase:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # -- loading -------------------------------------------------------------------------

    def _load_vocabulary(self) -> Vocabulary:
        stem_df: Counter[str] = Counter()
        capitalised: Counter[str] = Counter()
        inside: Counter[str] = Counter()
        word_stem = {}
        for word, stem_, df, caps, seen in self.db.execute(
            "select word, stem, df, capitalised, inside from words"
        ).fetchall():
            stem_df[stem_] += df
            word_stem[word] = stem_
            capitalised[stem_] += caps
            inside[stem_] += seen
        # A name is a word written with a capital (almost) everywhere but at a sentence start.
        proper = {s for s, seen in inside.items() if seen and capitalised[s] >= 0.8 * seen}
        facts = self.db.execute("select count(*) from facts").fetchone()[0]
        aliases = {
            word: (stem_, bool(capital))
            for word, stem_, capital in self.db.execute("select word, stem, capital from aliases")
        }
        places: dict[str, dict[str, str]] = {}
        for lang, key, name in self.db.execute("select lang, key, name from place_names"):
            places.setdefault(lang, {})[key] = name
        return Vocabulary(
            dict(stem_df),
            word_stem,
            frozenset(proper),
            facts,
            aliases,
            # not a bound method: the vocabulary would hold the knowledge base, a cycle that
            # keeps every base a /reload closed in memory until a full garbage collection
            functools.partial(_adjacent, self.db, self._lock),
            places,
            frozenset().union(*(s.title for s in self.subjects.values())),
        )

    def _load_vectors(self) -> DenseRetriever:
        rows = self.db.execute("select fact_id, vector from vectors order by fact_id").fetchall()
        ids = np.array([r[0] for r in rows], dtype=np.int64)
        return DenseRetriever(ids, from_blobs([r[1] for r in rows], self.embedder.dim))

    def _paragraph_keys(self) -> list[tuple[int, int]]:
        """(article, paragraph) of each vector's fact; a fact outside paragraphs is its own."""
        where = {
            fact_id: (article_id, paragraph if paragraph >= 0 else -fact_id)
            for fact_id, article_id, paragraph in self.db.execute(
                "select id, article_id, paragraph from facts"
            )
        }
        return [where.get(int(f), (0, -int(f))) for f in self.dense.fact_ids]

    def _load_visits(self) -> list[Visit]:
        rows = self.db.query(
            "select visits.*, articles.title as article from visits "
            "join articles on articles.id = visits.article_id order by year_from, visits.id"
        )
        return [
            Visit(
                r["id"],
                r["article"],
                r["guest"],
                r["host"],
                r["place"],
                r["date"],
                r["year_from"],
                r["year_to"],
                r["notes"] or "",
                r["direction"] or "",
                r["fact_id"],
            )
            for r in rows
        ]

    # -- questions -----------------------------------------------------------------------

    def entities_of(self, question: str) -> tuple[str, ...]:
        """The known names a question is about ('putin', 'algiers'), folded; a follow-up
        question can pass them back to `ask` as `context_entities`."""
        question = _clean_question(question)
        if not question:
            return ()
        query = analyse(question, self.vocab)
        return tuple(t.word for t in query.terms if t.entity and t.known and not t.word.isdigit())

    def ask(self, question: str, context_entities: tuple[str, ...] = ()) -> Answer:
        """Answer a question with quoted facts, or abstain with suggestions.

        `context_entities` (from `entities_of` an earlier question) are added to the
        question when it does not name them itself: 'and when did he go back?' after a
        question about Putin.
        """
        question = _clean_question(question)
        if not question:
            return self._abstain(question, "en", "what", phrase("empty"))
        query = analyse(question, self.vocab)
        query.terms = bounded_terms(query.terms)
        missing = [name for name in context_entities if name not in {t.word for t in query.terms}]
        if missing:  # the names' own terms, whatever the question's language
            named = {t.stem for t in query.terms}
            extra = analyse(" ".join(missing), self.vocab).terms
            query.terms += [t for t in extra if t.stem not in named]
        if query.greeting:
            return self._greeting(question, query)
        from_table = self._visit_answer(query)
        if from_table:
            return from_table
        ranked = self.rank(query)
        if not ranked.candidates:
            closest = self._nearest_by_vector(query, ()) if not ranked.embedded else ()
            return self._abstain(question, query.lang, query.intent, alternatives=closest)
        confidence = ranked.confidence
        if confidence < thresholds.of(ranked.route).abstain:
            # the closest facts, below the threshold: what the asker may have meant
            closest = tuple(
                Alternative(c.id, c.row["text"], round(ranked.chance(i), 3))
                for i, c in _distinct(ranked.candidates)[:ALTERNATIVES]
                if ranked.chance(i, before_gate=True) >= SUGGEST_FLOOR
            )
            if not ranked.embedded:
                closest = self._nearest_by_vector(query, closest)
            return self._abstain(
                question, query.lang, query.intent, confidence=confidence, alternatives=closest
            )
        both, first = self._which_way(query, ranked)
        if both:
            return self._visits_answer(query, both, confidence, ranked.route)
        best = ranked.candidates[first]
        others = [(i, c) for i, c in enumerate(ranked.candidates) if i != first]
        alternatives = tuple(
            Alternative(c.id, c.row["text"], round(ranked.chance(i), 3))
            for i, c in _distinct_pairs(others)[:ALTERNATIVES]
        )
        return Answer(
            question=question,
            text=self._with_antecedent(best.row),
            abstained=False,
            confidence=confidence,
            sources=(_source(best.row),),
            fact_ids=(best.id,),
            alternatives=alternatives,
            intent=query.intent,
            lang=query.lang,
            route=ranked.route,
        )

    def candidates(
        self, query: Query, *, vectors: bool | None = None
    ) -> tuple[list[ranker.Candidate], np.ndarray, dict]:
        """Every retriever's candidates, scored by the lexical ranker, with their features.

        Returns the candidates, their feature matrix (columns in `features.FEATURES` order) and
        the question-level values the calibrator reads. The question is embedded when
        `vectors` says so, or by default when its route's model reads anything from vectors
        (training asks for them always: a model to be fitted may).
        """
        english = features.question_english(query.text, query.lang)
        if vectors is None:
            vectors = self.model.pick(english).uses_vectors
        probe = Probe(query, embed=self._embed if vectors else None)
        found = retrieval.merge(
            {r.name: r.candidates(probe, self.limits[r.name]) for r in self.retrievers}
        )
        rows = self._dated_by_paragraph(self._rows(list(found)), query)
        lexical = ranker.score(query, rows, self.subjects)
        if rows and not lexical:  # no word of the question could be read: vectors only
            lexical = [ranker.Candidate(row) for row in rows]
        sims = probe.similarities
        best_dense = float(sims.max()) if sims is not None and len(sims) else 0.0
        para = self.paragraphs @ probe.vector if sims is not None else None
        best_para = float(para.max()) if para is not None and len(para) else 0.0
        bm25 = [h["fts"].score for h in found.values() if "fts" in h]
        best_bm25 = max(bm25, default=0.0)
        known = features.known_share(query.terms)
        matrix = []
        for cand in lexical:
            hits = found[cand.id]
            row = self.row_of.get(cand.id)
            dense = float(sims[row]) if sims is not None and row is not None else 0.0
            paragraph = (
                float(para[self.paragraph_of[row]]) if para is not None and row is not None else 0.0
            )
            matrix.append(
                features.vector(
                    lexical=cand.score,
                    coverage=cand.coverage,
                    missing=cand.missing,
                    intent=features.intent_match(query.intent, cand.row["flags"]),
                    place=cand.places,
                    wording=cand.wording,
                    dense=dense,
                    best_dense=best_dense,
                    paragraph=paragraph,
                    best_paragraph=best_para,
                    dense_rank=hits["dense"].rank if "dense" in hits else None,
                    fts_rank=hits["fts"].rank if "fts" in hits else None,
                    bm25=hits["fts"].score if "fts" in hits else None,
                    best_bm25=best_bm25,
                    table="table" in hits,
                    kind=cand.row["kind"],
                    text=cand.row["text"],
                    english=english,
                    known=known,
                )
            )
        question = {"english": english, "known": known, "dense": best_dense}
        return (
            lexical,
            features.with_derived(np.asarray(matrix, dtype=np.float64)),
            question,
        )

    def rank(self, query: Query) -> Ranked:
        """The candidates, best first by the fitted ranker, and the confidence in the best."""
        cands, matrix, question = self.candidates(query)
        route_name = route(question["english"])
        model = self.model.pick(question["english"])
        logits = model.scores(matrix)
        order = sorted(range(len(cands)), key=lambda i: (-logits[i], cands[i].id))
        logits = logits[order] if len(order) else logits
        best = matrix[order[0]] if order else None
        confidence, calibrated = model.assess(logits, best, **question)
        ranked = [cands[i] for i in order]
        return Ranked(ranked, logits, confidence, route_name, calibrated, model.uses_vectors)

    @property
    def model(self) -> Model | Routed:
        """The fitted ranker: the one given, or the ones shipped in the package."""
        return self._model or shipped()

    def _embed(self, text: str) -> np.ndarray:
        return self.embedder.queries([text])[0]

    def _rows(self, ids: list[int]) -> list[dict]:
        if not ids:
            return []
        marks = ",".join("?" * len(ids))
        with self._lock:
            return [
                dict(r) for r in self.db.query(CANDIDATE_SQL + f"where facts.id in ({marks})", ids)
            ]

    def _dated_by_paragraph(self, rows: list[dict], query: Query) -> list[dict]:
        """A sentence that names no year is dated by the last year named before it in its
        paragraph ('In December 1963, ... . The Soviet Union granted Algeria a loan.'): when
        the question asks about that year, the year counts as named nearby."""
        asked = {str(y) for y in query.years}
        undated = [r for r in rows if asked and r["kind"] == "sentence" and not _years_in(r)]
        if not undated:
            return rows
        paragraphs = sorted({(r["article_id"], r["paragraph"]) for r in undated})
        where = " or ".join("(article_id = ? and paragraph = ?)" for _ in paragraphs)
        with self._lock:
            earlier = self.db.execute(
                f"select article_id, paragraph, id, terms from facts where {where} order by id",
                [value for pair in paragraphs for value in pair],
            ).fetchall()
        dated = {}
        for row in undated:
            before = [
                t
                for a, p, i, t in earlier
                if (a, p) == (row["article_id"], row["paragraph"]) and i < row["id"]
            ]
            year = next(
                (_years_in({"terms": t})[-1] for t in reversed(before) if _years_in({"terms": t})),
                None,
            )
            if year in asked:
                dated[row["id"]] = {**row, "nearby": f"{row['nearby']} {year}"}
        return [dated.get(r["id"], r) for r in rows]

    def _with_antecedent(self, row: dict) -> str:
        """A sentence that opens by referring back ('It was opened...') is quoted with the
        sentence before it, so the answer says what 'it' is."""
        if not row.get("antecedent"):
            return row["text"]
        if "previous_text" in row:  # a candidate row: CANDIDATE_SQL read it already
            previous = row["previous_text"]
        else:
            found = self.db.execute(
                "select text from facts where article_id = ? and paragraph = ? and id = ?",
                [row["article_id"], row["paragraph"], row["id"] - 1],
            ).fetchone()
            previous = found[0] if found else ""
        return f"{previous} {row['text']}" if previous else row["text"]

    def answer_fact(self, fact_id: int, question: str = "") -> Answer | None:
        """An answer made of one fact: for shared links and 'did you mean' buttons."""
        fact = self.fact(fact_id)
        if fact is None:
            return None
        return Answer(
            question=question,
            text=fact.text,
            abstained=False,
            confidence=1.0,
            sources=(fact.source,),
            fact_ids=(fact.id,),
        )

    def _which_way(self, query: Query, ranked: Ranked) -> tuple[tuple[Visit, ...], int]:
        """For a question that gives no roles, whose best fact is a visit with its mirror near
        the top: both visits when the words fit them alike (only the vectors chose, and they
        cannot tell who went where), else the position of the one the words fit better.
        Otherwise no visits and position 0, the best as ranked."""
        if any(t.role for t in query.terms):
            return (), 0
        leading = {c.id: c for _, c in _distinct(ranked.candidates)[:MIRROR_WINDOW]}
        pair = both_ways(list(leading), self._visits)
        if not pair:
            return (), 0
        fits = {v.fact_id: _word_match(leading[v.fact_id]) for v in pair}
        if len(set(fits.values())) == 1:
            return pair, 0
        chosen = leading[max(pair, key=lambda v: fits[v.fact_id]).fact_id]
        return (), ranked.candidates.index(chosen)

    def _nearest_by_vector(
        self, query: Query, found: tuple[Alternative, ...]
    ) -> tuple[Alternative, ...]:
        """`found` (the words' suggestions) interleaved with the facts nearest the question's
        vector, for a question answered by its words alone: when the words fail, the vector
        often still points at the fact (see SUGGEST_COSINE). A fact only the vector found has
        no chance to show (0.0). `found` alone if embedding fails."""
        if not len(self.dense.fact_ids):  # no vectors: nothing to embed the question for
            return found
        try:
            hits = self.dense.candidates(Probe(query, embed=self._embed), ALTERNATIVES)
        except EmbeddingError:
            return found
        near = [
            Alternative(fact.id, fact.text, 0.0)
            for hit in hits
            if hit.score >= SUGGEST_COSINE and (fact := self.fact(hit.fact_id))
        ]
        scored = {a.text: a for a in found}  # a fact both found keeps the words' chance
        merged: dict[str, Alternative] = {}
        for pair in itertools.zip_longest(near, found):
            for alternative in pair:
                if alternative is not None:
                    merged.setdefault(alternative.text, scored.get(alternative.text, alternative))
        return tuple(merged.values())[:ALTERNATIVES]

    def _abstain(self, question, lang, intent, text="", confidence=0.0, alternatives=()):
        return Answer(
            question=question,
            text=text or phrase("dont_know", lang),
            abstained=True,
            confidence=confidence,
            alternatives=alternatives,
            suggestions=tuple(self.examples()[:3]),
            intent=intent,
            lang=lang,
        )

    # -- visits --------------------------------------------------------------------------

    def visits(self, flt: VisitFilter | None = None) -> list[Visit]:
        """Visits passing the filter, oldest first."""
        flt = flt or VisitFilter()
        return [v for v in self._visits if matches(v, flt)]

    def _visit_answer(self, query: Query) -> Answer | None:
        """The visits table's answer: the matching visits, how many there are, or that there
        is no such visit (see knowledge/visit_questions.py)."""
        reply = visit_reply(query, self._visits)
        if reply is None:
            return None
        if reply.kind == "none":
            near = tuple(
                Alternative(v.fact_id, f.text, 0.0)
                for v in reply.near[:ALTERNATIVES]
                if (f := self.fact(v.fact_id))
            )
            return self._abstain(
                query.text,
                query.lang,
                query.intent,
                phrase("no_visit", query.lang),
                alternatives=near,
            )
        chosen = reply.visits[:LIST_LIMIT]
        facts = [self.fact(v.fact_id) for v in chosen]
        lines = [f.text for f in facts if f]
        if reply.kind == "count":
            lines.insert(0, count_line(len(reply.visits), facts, query.lang))
        sources = tuple(dict.fromkeys(f.source for f in facts if f))
        counted = reply.kind == "count"
        return Answer(
            question=query.text,
            text="\n".join(lines),
            abstained=False,
            confidence=0.9,
            sources=sources,
            fact_ids=tuple(v.fact_id for v in chosen),
            # one visit is quoted as its row; a count is shown as its text, count first
            visits=chosen if (reply.listed or len(chosen) > 1) and not counted else (),
            intent="count" if counted else "list" if len(chosen) > 1 else query.intent,
            lang=query.lang,
        )

    def _visits_answer(
        self, query: Query, visits: tuple[Visit, ...], confidence: float, route_name: str
    ) -> Answer:
        """Visits quoted as a list: a visit and its mirror when the question gives no roles."""
        facts = [f for v in visits if (f := self.fact(v.fact_id))]
        return Answer(
            question=query.text,
            text="\n".join(f.text for f in facts),
            abstained=False,
            confidence=confidence,
            sources=tuple(dict.fromkeys(f.source for f in facts)),
            fact_ids=tuple(v.fact_id for v in visits),
            visits=visits,
            intent="list",
            lang=query.lang,
            route=route_name,
        )

    def _greeting(self, question: str, query: Query) -> Answer:
        """A message that only greets or thanks: a friendly line and example questions."""
        examples = tuple(self.examples()[:3])
        lines = [greeting_reply(query.greeting or "hello", query.lang)]
        lines += [f"• {e}" for e in examples]
        return Answer(
            question=question,
            text="\n".join(lines),
            abstained=False,
            confidence=0.0,
            suggestions=examples,
            intent="greeting",
            lang=query.lang,
        )

    # -- browsing ------------------------------------------------------------------------

    def fact(self, fact_id: int) -> Fact | None:
        rows = list(self.db.query(FACT_SQL + "where facts.id = ?", [fact_id]))
        return _fact(rows[0]) if rows else None

    def search(self, words_: str, limit: int = 5) -> list[Fact]:
        """The facts that best match some words (no abstention)."""
        question = _clean_question(words_)
        if not question:
            return []
        query = analyse(question, self.vocab)
        query.terms = bounded_terms(query.terms)
        with self._lock:
            rows = ranker.candidates(self.db, query, vocab=self.vocab)
        return [
            _fact(c.row) for c in ranker.score(query, rows, self.subjects)[:limit] if c.coverage > 0
        ]

    def articles(self) -> list[ArticleInfo]:
        out = []
        for article in self.db.query("select id, title, url from articles order by title"):
            sections = tuple(
                r["path"]
                for r in self.db.query(
                    "select path from sections where article_id = ? and path != '' "
                    "order by position",
                    [article["id"]],
                )
            )
            facts = self.db.execute(
                "select count(*) from facts where article_id = ?", [article["id"]]
            ).fetchone()[0]
            visits = sum(1 for v in self._visits if v.article == article["title"])
            out.append(ArticleInfo(article["title"], article["url"], sections, facts, visits))
        return out

    @functools.cached_property
    def _examples(self) -> list[str]:
        return self._make_examples()

    def examples(self) -> list[str]:
        """Example questions that this knowledge base can answer."""
        return list(self._examples)

    def _make_examples(self) -> list[str]:
        examples = []
        for row in self.db.query("select key from infobox order by id"):
            key = row["key"]
            if any(w in key.lower() for w in ("ambassador", "envoy", "president", "leader")):
                examples.append(f"Who is the {key}?")
        for visit in self._visits[-2:]:
            guest = visit.guest.split()[-1] if visit.guest else ""
            if guest and visit.place:
                examples.append(f"When did {guest} visit {visit.place}?")
        if self._visits:
            examples.append("/visits 2000-2010")
        for article in self.db.query("select title from articles order by id limit 3"):
            examples.append(f"/search {article['title']}")
        return list(dict.fromkeys(examples))


def _adjacent(db, lock: threading.Lock, stems: list[str]) -> bool:
    """Do these stems occur side by side in some fact?"""
    phrase = " ".join(stems).replace('"', '""')
    with lock:
        row = db.execute(
            "select 1 from facts_fts where facts_fts match ? limit 1", [f'terms : "{phrase}"']
        ).fetchone()
    return row is not None


def _years_in(row: dict) -> list[str]:
    """The four-digit years among a fact's terms, in order."""
    return [t for t in row["terms"].split() if len(t) == 4 and t.isdigit() and t[0] in "12"]


def _clean_question(text: str) -> str:
    text = (text or "")[:MAX_QUESTION]
    text = "".join(ch for ch in text if unicodedata.category(ch)[0] != "C" or ch in "\t ")
    return cut_question(" ".join(text.split()))


def _word_match(candidate: ranker.Candidate) -> tuple[float, float]:
    """How a fact meets the question's words: the share of their weight it covers, and
    whether it puts places where the question does."""
    return round(candidate.coverage, 6), candidate.places


def _distinct(cands: list[ranker.Candidate], start: int = 0) -> list[tuple[int, ranker.Candidate]]:
    """(position, candidate) of the candidates whose text was not seen before."""
    return _distinct_pairs(list(enumerate(cands, start)))


def _distinct_pairs(
    pairs: list[tuple[int, ranker.Candidate]],
) -> list[tuple[int, ranker.Candidate]]:
    """The (position, candidate) pairs whose candidate's text was not seen before."""
    seen, out = set(), []
    for i, c in pairs:
        if c.row["text"] not in seen:
            seen.add(c.row["text"])
            out.append((i, c))
    return out


@dataclass
class Ranked:
    """Candidates best first, the ranker's logits in the same order, and the confidence."""

    candidates: list[ranker.Candidate]
    logits: np.ndarray
    confidence: float
    route: str = "english"  # whose thresholds apply: see knowledge/thresholds.py
    # the confidence before the answerability gate's veto (knowledge.model.Gate): a fact the
    # gate doubts answers the question is still worth suggesting when qabot abstains
    calibrated: float | None = None
    embedded: bool = True  # whether the question's vector was read (its route's model uses it)

    def chance(self, index: int, *, before_gate: bool = False) -> float:
        """The confidence scaled to a runner-up: how much less likely than the best it is."""
        base = self.confidence
        if before_gate and self.calibrated is not None:
            base = self.calibrated
        if index == 0 or not len(self.logits):
            return base
        return base * math.exp(min(0.0, float(self.logits[index] - self.logits[0])))


def _source(row: dict) -> Source:
    return Source(row["article"], row["section"] or "", row["url"])


def _fact(row: dict) -> Fact:
    return Fact(
        row["id"], row["article"], row["section"] or "", row["kind"], row["text"], row["url"]
    )
