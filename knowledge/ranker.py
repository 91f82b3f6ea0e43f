"""Rank candidate facts for a query: FTS5 finds candidates, then every signal is combined.

The signals: how much of the question's weight a fact covers (directly, through related
forms, through its section and article, or through the sentences around it), whether it
holds the kind of value asked for (a date, an amount, a person, a place), whether every
named entity of the question is there, whether places sit in the same role ("ambassador
*to* Algeria"), and RapidFuzz's similarity of the wording as a tie-breaker.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

from rapidfuzz import fuzz, process

from .attachment import attachments, conflicts
from .negation import negates
from .query import CAPITAL_CREDIT, VARIANT_CREDIT, Query
from .text import fold, stem, words

CANDIDATES = 120
COMMON_SHARE = 0.02  # a form in more than 2% of the facts (and 500 of them) is common
COMMON_MIN_FACTS = 500
SUBJECT_CREDIT = 0.8
ANTECEDENT_CREDIT = 0.8  # in the sentence a pronoun ('It was opened...') refers back to
CONTEXT_CREDIT = 0.5
TOPIC_CREDIT = 0.45  # a name that runs through the article, but not through this fact
NEARBY_CREDIT = 0.35
INTENT_FLAG = {"when": "d", "quantity": "q", "who": "p", "where": "l", "why": "c"}
INTENT_BONUS = {
    "why": (0.08, 0.04),
    "when": (0.06, 0.14),
    "quantity": (0.06, 0.14),
    "who": (0.04, 0.08),
    "where": (0.04, 0.06),
}
UNKNOWN_ENTITY_PENALTY = 0.45
MISSING_ENTITY_PENALTY = 0.5
# a fact that attaches the asked word to another name ('the capital of Algeria' for 'the
# capital of Russia', knowledge/attachment.py), or that negates nothing when the question
# negates (knowledge/negation.py)
CONTRADICTION_PENALTY = 1.0
FUZZ_WEIGHT = 0.08
ATTRIBUTE_BONUS = 0.1
EVENT_FOR_IDENTITY = 0.7
OTHER_COMPOUND = 0.3
PLACE_BONUS = 0.05  # per place where the question and the fact agree (see place_agreement)
MAIN_TERM_SHARE = 0.34
UNADDRESSED_PENALTY = 0.3
NEARBY_MISS = 0.3  # an entity found only in the next or previous sentence
WEAK_MISS = 0.3  # an entity named only through its capital ('Moscow' for Russia)


class Subject(NamedTuple):
    """What an article is about: its title's stems, and the names that run through it."""

    title: set[str]
    topics: set[str]


NO_SUBJECT = Subject(set(), set())


@dataclass
class Candidate:
    """A fact row with its score and the parts the score came from."""

    row: dict
    score: float = 0.0
    coverage: float = 0.0
    missing: float = 0
    wording: float = 0.0
    places: float = 0.0  # place_agreement: where the question says things are or go

    @property
    def id(self) -> int:
        return self.row["id"]


def fts_query(query: Query, df: dict[str, int] | None = None, facts: int = 0) -> str:
    """An FTS5 OR-query over the terms and their related forms, each quoted.

    In a large knowledge base, forms that occur in many facts ('visit', a country) make
    FTS5 rank long lists for little gain; when rarer forms are there to find the
    candidates, the common ones are left to the scoring step.
    """
    stems = []
    for term in query.terms:
        stems.append(term.stem)
        stems.extend(term.alts)
    stems = [s for s in dict.fromkeys(stems) if s]
    if df and facts:
        common = max(COMMON_MIN_FACTS, int(COMMON_SHARE * facts))
        rare = [s for s in stems if df.get(s, 0) <= common]
        if rare:
            stems = rare
    return " OR ".join('"' + s.replace('"', '""') + '"' for s in stems)


def candidates(db, query: Query, limit: int = CANDIDATES, vocab=None) -> list[dict]:
    match = fts_query(query, vocab.stem_df, vocab.facts) if vocab else fts_query(query)
    if not match:
        return []
    sql = (
        "select facts.*, sections.path as section, sections.url as url, "
        "articles.title as article, coalesce(tables.is_visits, 0) as is_visit "
        "from facts_fts join facts on facts.rowid = facts_fts.rowid "
        "join sections on sections.id = facts.section_id "
        "join articles on articles.id = facts.article_id "
        "left join tables on tables.id = facts.table_id "
        "where facts_fts match ? order by facts_fts.rank limit ?"
    )
    return [dict(r) for r in db.query(sql, [match, limit])]


def score(
    query: Query, rows: list[dict], subjects: dict[int, Subject] | None = None
) -> list[Candidate]:
    """Score rows against the query, best first.

    `subjects` maps an article id to what it is about: a question's words that name the
    article's subject (its title) are satisfied by every fact of that article, and the names
    that run through it (its topics) count as context.
    """
    subjects = subjects or {}
    total = query.weight
    if not rows or total <= 0:
        return []
    unknown_entities = sum(1 for t in query.terms if t.entity and not t.known)
    # 'the capital of Russia': a fact that gives the capital of another country misses Russia
    attached = attachments(query.text) if query.lang == "en" else frozenset()
    asked_words = {head for head, _ in attached}  # a fact without them cannot contradict
    # 'Who did not sign?': a sentence that negates nothing answers the opposite question
    negated = query.lang == "en" and negates(query.text)
    wording = _wording(query, rows)
    forms = [
        (
            {term.stem: 1.0, **term.alts},
            frozenset((term.stem, *term.alts)),
            frozenset((term.stem, *term.alts)) - term.weak,
        )
        for term in query.terms
    ]
    out = []
    for row in rows:
        body = set(row["terms"].split())
        subject, topics = subjects.get(row["article_id"], NO_SUBJECT)
        subject_credit = 1.0 if row["kind"] == "infobox" else SUBJECT_CREDIT
        around = _Around(row)
        located = set(row["located"].split())
        got = 0.0
        missing = 0
        unaddressed = 0.0
        bonus = 0.0
        places = 0.0
        for term, (credits, keys, strong) in zip(query.terms, forms, strict=True):
            credit = _credit(credits, keys, body, around)
            if credit < 1.0 and (term.after or term.before) and _in_range(term, body):
                credit = 1.0
            if credit < subject_credit and not strong.isdisjoint(subject):
                credit = subject_credit
            elif credit < TOPIC_CREDIT and not strong.isdisjoint(topics):
                credit = TOPIC_CREDIT
            got += term.weight * credit
            if credit == 0 and not term.entity:
                unaddressed = max(unaddressed, term.weight / total)
            named = term.entity or term.stem == query.focus
            if named and term.known and query.focus and credit < ANTECEDENT_CREDIT:
                missing += 1  # 'who is the president of France': both in the same fact
            elif named and term.known and credit < CONTEXT_CREDIT:
                missing += 1 if credit == 0 else NEARBY_MISS
            elif term.weak and term.stem not in body and _only_weak(term, body):
                missing += WEAK_MISS
            if term.located and credit >= CAPITAL_CREDIT and located:
                places += place_agreement(keys, located)
        if attached and not (
            asked_words.isdisjoint(body) and asked_words.isdisjoint(around["antecedent"])
        ):
            said = attachments(row["text"]) | attachments(row.get("previous_text") or "")
            contradicted = conflicts(attached, said)
            missing += contradicted
            bonus -= (CONTRADICTION_PENALTY - MISSING_ENTITY_PENALTY) * contradicted
        if negated and not (negates(row["text"]) or negates(row.get("previous_text") or "")):
            bonus -= CONTRADICTION_PENALTY
        coverage = got / total
        bonus += PLACE_BONUS * places
        if row["kind"] == "infobox" and _names_attribute(query, row["text"]):
            bonus += ATTRIBUTE_BONUS  # "who founded Nokia?" -> "Founder: ..."
        bonus += _intent_bonus(query.intent, row["flags"])
        if query.compounds and _other_compound(query.compounds, row["terms"].split()):
            bonus -= OTHER_COMPOUND  # 'Apollo 8' when the question is about Apollo 11
        if query.identity and row.get("is_visit"):
            bonus -= EVENT_FOR_IDENTITY  # a visit says who travelled then, not who holds a role
        similar = wording.get(row["id"], 0.0)
        value = coverage + bonus + FUZZ_WEIGHT * similar
        value -= MISSING_ENTITY_PENALTY * missing + UNKNOWN_ENTITY_PENALTY * unknown_entities
        if unaddressed >= MAIN_TERM_SHARE:
            value -= UNADDRESSED_PENALTY  # the question's main word is nowhere near this fact
        out.append(Candidate(row, value, coverage, missing, similar, places))
    out.sort(key=lambda c: (-c.score, c.row["id"]))
    return out


def place_agreement(forms: frozenset[str], located: set[str]) -> float:
    """+1 when a place the question locates something in ('the ambassador in Russia') is
    also where the fact locates something ('Ambassador to Russia'); -1 when the fact names
    places that way but not this one ('Ambassador to Algeria')."""
    return 1.0 if not forms.isdisjoint(located) else -1.0


class _Around:
    """The words around a fact, split into sets only when a term is not in the fact itself."""

    def __init__(self, row: dict):
        self.row = row
        self._sets: dict[str, set[str]] = {}

    def __getitem__(self, column: str) -> set[str]:
        if column not in self._sets:
            self._sets[column] = set(self.row[column].split())
        return self._sets[column]


def _credit(
    credits: dict[str, float], keys: frozenset[str], body: set[str], around: _Around
) -> float:
    """How well a fact holds one term: in it, in the sentence a pronoun points back to, in
    its section or article heading, or in the sentences around it."""
    hits = keys & body
    if hits:
        return max(credits[s] for s in hits)
    for column, credit in (
        ("antecedent", ANTECEDENT_CREDIT),
        ("context", CONTEXT_CREDIT),
        ("nearby", NEARBY_CREDIT),
    ):
        if not keys.isdisjoint(around[column]):
            return credit
    return 0.0


def _other_compound(compounds: list[tuple[str, str]], terms: list[str]) -> bool:
    """Does the fact name the question's name with another number, and never the asked one?"""
    pairs = set(zip(terms, terms[1:], strict=False))
    for name, number in compounds:
        if (name, number) in pairs:
            continue
        if any(a == name and b.isdigit() and b != number for a, b in pairs):
            return True
    return False


def _names_attribute(query: Query, text: str) -> bool:
    """Does a word of the question name the infobox key ('founded' for 'Founder')?"""
    key = {stem(w) for w in words(text.split(":", 1)[0])}
    return any(
        not t.entity
        and (t.stem in key or any(a in key for a, c in t.alts.items() if c >= VARIANT_CREDIT))
        for t in query.terms
    )


def _only_weak(term, body: set[str]) -> bool:
    """Is the term matched only through a weak alias (a capital for its country)?"""
    strong = {s for s in term.alts if s not in term.weak}
    return bool(term.weak & body) and not (strong & body)


def _in_range(term, body: set[str]) -> bool:
    """Does the fact name a year on the asked side of 'after 1858' / 'before 1900'?"""
    found = [int(t) for t in body if len(t) == 4 and t.isdigit()]
    low = term.after if term.after is not None else -1
    high = term.before if term.before is not None else 10_000
    return any(low < y < high for y in found)


def _intent_bonus(intent: str, flags: str) -> float:
    flag = INTENT_FLAG.get(intent)
    if not flag:
        return 0.0
    good, bad = INTENT_BONUS[intent]
    return good if flag in flags else -bad


def _wording(query: Query, rows: list[dict]) -> dict[int, float]:
    """Similarity of the question's content words, in order, to each fact's words."""
    content = " ".join(t.word for t in query.terms)
    if not content:
        return {}
    choices = {row["id"]: fold(row["text"]) for row in rows}
    found = process.extract(
        content, choices, scorer=fuzz.partial_ratio, limit=None, score_cutoff=40, processor=None
    )
    return {key: value / 100 for _, value, key in found}
