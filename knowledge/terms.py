"""A question's content terms: stems weighted by rarity, with related forms (variants,
synonyms, a country for its capital, typo corrections) checked against what the knowledge
base knows."""

from __future__ import annotations

import bisect
import math
from dataclasses import dataclass, field
from functools import cached_property

from rapidfuzz import process
from rapidfuzz.distance import OSA

from . import lexicon
from .names import phonetic, skeleton
from .text import TOKEN_RE, fold, stem, years

SYNONYM_CREDIT = 0.85
VARIANT_CREDIT = 0.9
CAPITAL_CREDIT = 0.75
LOCATIVE = frozenset({"in", "to", "at", "into"})
DESTINATION = LOCATIVE | {"visit", "visited", "visiting", "visits"}
QUESTION_FUNCTION_WORDS = sorted(
    "what when where which who whom whose why how many much does did were was there their "
    "about the".split()
)


@dataclass
class Vocabulary:
    """What the knowledge base knows: stems with document frequency, words, proper nouns."""

    stem_df: dict[str, int]
    word_stem: dict[str, str]
    proper: frozenset[str]  # stems of words mostly written with a capital
    facts: int
    # 'french' -> ('franc', False); 'moscow' -> ('russia', True): a capital stands for its
    # country ("Moscow's ambassador"), but only weakly: Moscow is not all of Russia.
    aliases: dict[str, tuple[str, bool]] = field(default_factory=dict)
    phrases: object = None  # callable(list of stems) -> bool: do they occur side by side?
    places: dict[str, dict[str, str]] = field(default_factory=dict)  # lang -> CLDR names
    titles: frozenset[str] = frozenset()  # stems of the articles' titles: names too
    words: list[str] = field(default_factory=list)
    stems_sorted: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.words = sorted(w for w in self.word_stem if len(w) >= 3)
        self.stems_sorted = sorted(self.stem_df)

    @cached_property
    def names(self) -> list[str]:
        """Known words that are names (mostly written with a capital)."""
        return [w for w in self.words if self.word_stem[w] in self.proper]

    @cached_property
    def phonetic_names(self) -> dict[str, str]:
        """Phonetic key -> the most frequent name with it."""
        return self._names_by(phonetic)

    @cached_property
    def skeletons(self) -> dict[str, str]:
        """Consonant skeleton -> the most frequent name with it."""
        return self._names_by(skeleton)

    def _names_by(self, key) -> dict[str, str]:
        table: dict[str, str] = {}
        for word in sorted(self.names, key=lambda w: -self.stem_df.get(self.word_stem[w], 0)):
            table.setdefault(key(word), word)
        return table

    def idf(self, stem_: str) -> float:
        df = self.stem_df.get(stem_, 0)
        return math.log((self.facts + 1) / (df + 0.5)) + 1.0

    def knows(self, stem_: str) -> bool:
        return stem_ in self.stem_df

    def variants(self, stem_: str, name: bool = False) -> list[str]:
        """Known stems sharing a long prefix with `stem_` (Algerian/Algeria, recognise/ize).

        Names may also differ by a last letter ('Maria', 'Marie').
        """
        related: list[str] = []
        if name and len(stem_) >= 4:
            for known in (stem_[:-1], *(stem_ + c for c in "aeiouy")):
                named = known in self.proper or known in self.titles
                if named and known not in related and len(known) >= 4:
                    related.append(known)
        if len(stem_) < 6:
            return related
        prefix = stem_[:6]
        start = bisect.bisect_left(self.stems_sorted, prefix)
        out: list[str] = []
        for known in self.stems_sorted[start : start + 50]:
            if not known.startswith(prefix):
                break
            shorter, longer = sorted((known, stem_), key=len)
            if known != stem_ and longer.startswith(shorter) and len(longer) - len(shorter) <= 2:
                out.append(known)
        out.extend(k for k in related if k not in out)
        return out

    def correct(self, word: str) -> str | None:
        """The known word closest to a misspelt one, if it is close enough."""
        if len(word) < 4 or not self.words:
            return None
        # Optimal string alignment counts a swap of two letters as one edit ('eagel').
        match = process.extractOne(
            word, self.words, scorer=OSA.normalized_similarity, score_cutoff=0.79, processor=None
        )
        return match[0] if match else None


@dataclass
class Term:
    """A content term of the question."""

    word: str
    stem: str
    weight: float
    alts: dict[str, float] = field(default_factory=dict)
    entity: bool = False
    known: bool = True
    located: bool = False
    weak: set[str] = field(default_factory=set)  # alts that only half name the entity
    after: int | None = None  # 'after 1858': any later year in the fact satisfies it
    before: int | None = None  # 'before 1900': any earlier year satisfies it
    role: str | None = None  # in a visit question: 'guest', 'host' or 'visited'


def english_tokens(question: str) -> list[tuple[str, bool]]:
    """(folded token, written with a capital and not first) pairs."""
    out = []
    for i, match in enumerate(TOKEN_RE.finditer(question)):
        raw = match.group()
        out.append((fold(raw), i > 0 and raw[0].isupper()))
    return out


def misspelt_function_word(token: str, vocab: Vocabulary) -> bool:
    """'meny', 'whta', 'wher': a typo of a question's function word, which carries no content.

    A typo keeps the word's first letter and adds no letter to it, so 'died' (one letter
    more than 'did') and 'chose' ('those') stay words of their own, even when the articles
    do not know them.
    """
    if len(token) < 4 or token.isdigit() or vocab.knows(stem(token)):
        return False
    return any(
        word[0] == token[0] and len(token) <= len(word)
        for word, _, _ in process.extract_iter(
            token,
            QUESTION_FUNCTION_WORDS,
            scorer=OSA.normalized_similarity,
            score_cutoff=0.75,
            processor=None,
        )
    )


def make_term(token: str, caps: bool, vocab: Vocabulary) -> Term | None:
    """The term for one question word, with its related forms and weight; None for a letter."""
    if len(token) == 1 and not token.isdigit():
        return None
    stem_ = stem(token)
    alts: dict[str, float] = {}
    weak: set[str] = set()
    if token in vocab.aliases:
        country, capital = vocab.aliases[token]
        alts[country] = CAPITAL_CREDIT if capital else VARIANT_CREDIT
        if capital:
            weak.add(country)
    for variant in vocab.variants(stem_, name=caps or stem_ in vocab.proper):
        alts.setdefault(variant, VARIANT_CREDIT)
    for related in lexicon.synonyms().get(stem_, ()):
        # A name ('Tour' de France) keeps only synonyms that are names too ('Soviet', 'USSR').
        if vocab.knows(related) and (not caps or related in vocab.proper):
            alts.setdefault(related, SYNONYM_CREDIT)
    known = vocab.knows(stem_)
    if not known and not alts and not token.isdigit():
        corrected = vocab.correct(token)
        if corrected:
            alts[vocab.word_stem[corrected]] = VARIANT_CREDIT
    weight = vocab.idf(stem_) if known else max([vocab.idf(a) for a in alts] or [vocab.idf(stem_)])
    entity = caps or token.isdigit() or stem_ in vocab.proper
    return Term(token, stem_, weight, alts, entity=entity, known=known or bool(alts), weak=weak)


def check_compounds(
    tokens: list[tuple[str, bool]], terms: list[Term], vocab: Vocabulary
) -> list[tuple[str, str]]:
    """A word and a number ("Apollo 13", "stage 22"): one the articles never name is unknown."""
    by_word = {t.word: t for t in terms}
    found = []
    for (a, _), (b, _) in zip(tokens, tokens[1:], strict=False):
        if not (a in by_word and b in by_word and b.isdigit() and not a.isdigit()):
            continue
        if years(b):
            continue
        found.append((by_word[a].stem, b))
        if vocab.phrases is not None and not vocab.phrases([by_word[a].stem, b]):
            by_word[b].known = False
            by_word[b].alts.clear()
    return found
