"""The knowledge base: open it once, then ask questions, list visits, search and browse."""

from __future__ import annotations

import functools
import math
import threading
import unicodedata
from collections import Counter
from pathlib import Path

from . import lexicon, ranker, thresholds
from .i18n import phrase
from .models import Alternative, Answer, ArticleInfo, Fact, Source, Visit, VisitFilter
from .query import Query, Vocabulary, analyse
from .store import open_database
from .text import stem, words
from .visits import matches

MAX_QUESTION = 4096
ALTERNATIVES = 3
RETRY_MARGIN = 0.15  # below MIDPOINT + this, look again with every word of the question
LIST_LIMIT = 50
FACT_SQL = (
    "select facts.*, sections.path as section, sections.url as url, articles.title as article "
    "from facts join sections on sections.id = facts.section_id "
    "join articles on articles.id = facts.article_id "
)


class KnowledgeBase:
    """A read-only view of a built knowledge base. Safe to share between threads."""

    def __init__(self, db, path: Path):
        self.db = db
        self.path = path
        self._lock = threading.Lock()
        self.subjects = {
            r["id"]: ranker.Subject(set(r["subject"].split()), set((r["topics"] or "").split()))
            for r in self.db.query("select id, subject, topics from articles")
        }
        self.vocab = self._load_vocabulary()
        lexicon.warm_up()
        self._visits = self._load_visits()

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
            self._adjacent,
            places,
            frozenset().union(*(s.title for s in self.subjects.values())),
        )

    def _adjacent(self, stems: list[str]) -> bool:
        """Do these stems occur side by side in some fact?"""
        phrase = " ".join(stems).replace('"', '""')
        with self._lock:
            row = self.db.execute(
                "select 1 from facts_fts where facts_fts match ? limit 1", [f'terms : "{phrase}"']
            ).fetchone()
        return row is not None

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
        return tuple(
            t.word for t in query.terms if t.entity and t.known and not t.word.isdigit()
        )

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
        missing = [name for name in context_entities if name not in {t.word for t in query.terms}]
        if missing:  # the names' own terms, whatever the question's language
            named = {t.stem for t in query.terms}
            extra = analyse(" ".join(missing), self.vocab).terms
            query.terms += [t for t in extra if t.stem not in named]
        if query.wants_list or self._asks_for_visit_list(query):
            listed = self._visit_list(query)
            if listed:
                return listed
        ranked = self._rank(query)
        if not ranked:
            return self._abstain(question, query.lang, query.intent)
        best = ranked[0]
        confidence = _confidence(best, ranked, query)
        alternatives = tuple(
            Alternative(c.id, c.row["text"], round(_confidence(c, ranked, query), 3))
            for c in _distinct(ranked[1:])[:ALTERNATIVES]
        )
        if confidence < thresholds.ABSTAIN:
            return self._abstain(
                question, query.lang, query.intent, confidence=confidence, alternatives=alternatives
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
        )

    def _rank(self, query: Query) -> list[ranker.Candidate]:
        """Candidates found through the question's rarer words; through all of them when
        that finds nothing convincing (only large knowledge bases leave words out)."""
        with self._lock:
            rows = ranker.candidates(self.db, query, vocab=self.vocab)
        ranked = ranker.score(query, rows, self.subjects)
        if ranked and ranked[0].score >= thresholds.MIDPOINT + RETRY_MARGIN:
            return ranked
        if ranker.fts_query(query) == ranker.fts_query(query, self.vocab.stem_df, self.vocab.facts):
            return ranked
        with self._lock:
            rows = ranker.candidates(self.db, query)
        return ranker.score(query, rows, self.subjects)

    def _with_antecedent(self, row: dict) -> str:
        """A sentence that opens by referring back ('It was opened...') is quoted with the
        sentence before it, so the answer says what 'it' is."""
        if not row.get("antecedent"):
            return row["text"]
        previous = self.db.execute(
            "select text from facts where article_id = ? and paragraph = ? and id = ?",
            [row["article_id"], row["paragraph"], row["id"] - 1],
        ).fetchone()
        return f"{previous[0]} {row['text']}" if previous else row["text"]

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

    def _asks_for_visit_list(self, query: Query) -> bool:
        plural = any(t.word in ("visits", "trips") for t in query.terms)
        # 'Which Japanese leaders visited France?': several visits, by whoever they were
        leaders = query.role == "guest" and query.text.lower().startswith(("which", "who"))
        leaders = leaders and any(t.word.endswith("s") and not t.entity for t in query.terms)
        return bool(self._visits) and (plural or leaders) and query.intent in (
            "what", "list", "quantity", "who",
        )

    def _visit_list(self, query: Query) -> Answer | None:
        if not self._visits:
            return None
        names = [t for t in query.terms if t.entity and not t.word.isdigit() and t.known]
        chosen = []
        for visit in self._visits:
            if query.year_range and not (
                (visit.year_to or 0) >= query.year_range[0]
                and (visit.year_from or 9999) <= query.year_range[1]
            ):
                continue
            if names and not all(_visit_has(visit, t, query.role) for t in names):
                continue
            chosen.append(visit)
        if not chosen or (not names and not query.year_range and not query.wants_list):
            return None
        chosen = chosen[:LIST_LIMIT]
        facts = [self.fact(v.fact_id) for v in chosen]
        lines = [f.text for f in facts if f]
        sources = tuple(dict.fromkeys(f.source for f in facts if f))
        return Answer(
            question=query.text,
            text="\n".join(lines),
            abstained=False,
            confidence=0.9,
            sources=sources,
            fact_ids=tuple(v.fact_id for v in chosen),
            visits=tuple(chosen),
            intent="list",
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


def _visit_has(visit: Visit, term, role: str | None) -> bool:
    """Does the visit involve what the term names, in the role the question gives it?

    A country counts through the visit's direction ('Japan → France'), so 'visits between
    France and Japan' finds visits to Paris and Tokyo.
    """
    guest, host = ({stem(w) for w in words(text)} for text in (visit.guest, visit.host))
    forms = {term.stem, *term.alts}
    if role == "host" and forms & guest and not forms & host:
        return False
    if role == "guest" and forms & host and not forms & guest:
        return False
    if forms & (guest | host):
        return True
    origin, _, destination = visit.direction.partition("→")
    place = {stem(w) for w in words(f"{visit.place} {destination}")}
    if term.located:  # 'visited France': where the visit went
        return bool(forms & place)
    origin_stems = {stem(w) for w in words(origin)}
    if role == "guest":  # 'Japanese leaders visited ...': where the visitors came from
        return bool(forms & origin_stems)
    return bool(forms & (place | origin_stems))


def _clean_question(text: str) -> str:
    text = (text or "")[:MAX_QUESTION]
    text = "".join(ch for ch in text if unicodedata.category(ch)[0] != "C" or ch in "\t ")
    return " ".join(text.split())


def _confidence(best: ranker.Candidate, ranked: list[ranker.Candidate], query: Query) -> float:
    """Map a ranking score to the chance the answer is right (see knowledge/thresholds.py)."""
    exponent = -thresholds.SLOPE * (best.score - thresholds.MIDPOINT)
    value = 1.0 / (1.0 + math.exp(min(exponent, 700.0)))  # a huge question: no OverflowError
    if query.lang != "en":
        value *= query.understood
    return max(0.0, min(1.0, value))


def _distinct(cands: list[ranker.Candidate]) -> list[ranker.Candidate]:
    seen, out = set(), []
    for c in cands:
        if c.row["text"] not in seen:
            seen.add(c.row["text"])
            out.append(c)
    return out


def _source(row: dict) -> Source:
    return Source(row["article"], row["section"] or "", row["url"])


def _fact(row: dict) -> Fact:
    return Fact(
        row["id"], row["article"], row["section"] or "", row["kind"], row["text"], row["url"]
    )
