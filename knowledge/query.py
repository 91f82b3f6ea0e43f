"""Question understanding: a question becomes a `Query` (what is asked, and the weighted terms
to look for).

The work is done by small modules, one job each; this module puts them together and
re-exports what the rest of the package uses:

- `language`: which language the question is in;
- `translate`: Russian, French and Arabic questions mapped to English words;
- `intent`: question words, the role asked for, year ranges and decades;
- `terms`: stems, related forms, typo corrections, checked against the `Vocabulary`;
- `names`: phonetic keys and transliteration of names across scripts.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from . import lexicon
from .intent import (
    AUXILIARIES,
    DECADE_RE,
    INTENT_FILLERS,
    RANGE_RE,
    asks_count,
    asks_identity,
    decade,
    focus_of,
    intent_of,
    role_of,
    visit_roles,
    year_bounds,
    year_range,
)
from .language import FRENCH_QUESTION_WORDS, detect_language, reading_language
from .names import phonetic, skeleton, transliterate
from .smalltalk import strip_small_talk
from .terms import (
    CAPITAL_CREDIT,
    DESTINATION,
    LOCATIVE,
    SYNONYM_CREDIT,
    VARIANT_CREDIT,
    Term,
    Vocabulary,
    check_compounds,
    english_tokens,
    make_term,
    misspelt_function_word,
)
from .text import years
from .translate import to_english

__all__ = [
    "AUXILIARIES",
    "CAPITAL_CREDIT",
    "DECADE_RE",
    "DESTINATION",
    "FRENCH_QUESTION_WORDS",
    "INTENT_FILLERS",
    "LOCATIVE",
    "RANGE_RE",
    "SYNONYM_CREDIT",
    "VARIANT_CREDIT",
    "Query",
    "Term",
    "Vocabulary",
    "analyse",
    "decade",
    "detect_language",
    "phonetic",
    "skeleton",
    "strip_small_talk",
    "transliterate",
    "year_range",
]


@dataclass
class Query:
    text: str
    lang: str
    intent: str
    terms: list[Term]
    english: str
    years: list[int] = field(default_factory=list)
    year_range: tuple[int, int] | None = None
    role: str | None = None  # "host" or "guest" in visit questions
    understood: float = 1.0  # share of a foreign question's content words we could map
    wants_list: bool = False
    identity: bool = False  # 'who is/are ...': asks who holds a role now, not about an event
    compounds: list[tuple[str, str]] = field(default_factory=list)  # ('apollo', '11')
    focus: str | None = None  # 'who is Russia's ambassador': the role asked for must be named
    counts: bool = False  # 'how many visits': answered by counting rows
    greeting: str | None = None  # 'hello' or 'thanks' when that is all the message says
    reading: str | None = None  # whose word lists read it: 'ru' for Ukrainian (see language.py)

    @property
    def weight(self) -> float:
        return sum(t.weight for t in self.terms)


def analyse(question: str, vocab: Vocabulary) -> Query:
    """Turn a question into a Query against the given vocabulary.

    Greetings and thanks around the question are set aside: `Query.text` is the question
    itself. A message that holds nothing else is a Query with `greeting` set and no terms.
    """
    core, small_talk, small_talk_lang = strip_small_talk(question)
    if small_talk and not core:
        return Query(question, small_talk_lang or "en", "greeting", [], "", greeting=small_talk)
    question = core or question
    lang = detect_language(question, vocab.word_stem)
    reading = reading_language(lang, question)
    if reading in (None, "en"):
        tokens = english_tokens(question)
        understood = 1.0
    else:
        tokens, understood = to_english(question, reading, vocab)
    intent, consumed = intent_of(tokens)
    role = role_of([t for t, _ in tokens])
    # Arabic puts the verb first ('visited Putin Algeria'): its English words are in
    # Arabic order, so who plays which part cannot be read from their order.
    roles = visit_roles([t for t, _ in tokens]) if reading != "ar" else {}
    terms: list[Term] = []
    seen: set[str] = set()
    for index, (token, caps) in enumerate(tokens):
        if index in consumed or token in lexicon.stopwords("en") or token in LOCATIVE:
            continue
        if (token,) in lexicon.question_words() and index == 0:
            continue
        if misspelt_function_word(token, vocab):
            continue  # 'meny', 'whta': a typo of a word that carries no content
        if token in INTENT_FILLERS.get(intent, ()):
            continue  # 'where is it located': 'located' only repeats 'where'
        term = make_term(token, caps, vocab)
        if term is None or term.stem in seen:
            continue
        previous = tokens[index - 1][0] if index > 0 else None
        term.located = previous in DESTINATION
        term.role = roles.get(index)
        after, before = year_bounds(previous, token)
        if after is not None:
            term.after = after
        if before is not None:
            term.before = before
        seen.add(term.stem)
        terms.append(term)
    compounds = check_compounds(tokens, terms, vocab)
    return Query(
        text=question,
        lang=lang,
        reading=reading,
        intent=intent,
        terms=terms,
        english=" ".join(t for t, _ in tokens),
        years=years(question),
        year_range=year_range(question),
        role=role,
        understood=understood,
        wants_list=intent == "list",
        identity=asks_identity(tokens),
        focus=focus_of(tokens, terms),
        compounds=compounds,
        counts=asks_count([t for t, _ in tokens]),
    )
