"""Question understanding: language, intent, and weighted terms checked against the vocabulary.

A question becomes a `Query`: what is asked (when, who, where, how much, a list) and the
content terms to look for, each with its weight, its related forms (synonyms, spelling
variants, typo corrections) and whether it names an entity that the answer must contain.
Russian, French and Arabic questions are first mapped to English words through the lexicon
files, CLDR place names and transliteration.
"""

from __future__ import annotations

import bisect
import math
import re
from dataclasses import dataclass, field
from functools import cached_property

from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA
from unidecode import unidecode

from . import lexicon
from .text import TOKEN_RE, fold, script_of, stem, words, years

SYNONYM_CREDIT = 0.85
VARIANT_CREDIT = 0.9
CAPITAL_CREDIT = 0.75
LOCATIVE = frozenset({"in", "to", "at", "into"})
DESTINATION = LOCATIVE | {"visit", "visited", "visiting", "visits"}
AUXILIARIES = frozenset(
    [
        "did",
        "does",
        "do",
        "was",
        "were",
        "is",
        "are",
        "has",
        "have",
        "had",
        "can",
        "could",
        "will",
        "would",
        "should",
    ]
)
DECADE_RE = re.compile(r"\b(1[0-9]{3}|20[0-9]{2})s\b")
RANGE_RE = re.compile(
    r"\b(?:between|from)?\s*(1[0-9]{3}|20[0-9]{2})\s*(?:-|–|to|and|till|until)\s*"
    r"(1[0-9]{3}|20[0-9]{2})\b"
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
        return self._names_by(_skeleton)

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

    @cached_property
    def roots(self) -> dict[str, list[str]]:
        """Derivational root -> the known stems sharing it ('tidal' and 'tide' -> 'tid')."""
        table: dict[str, list[str]] = {}
        for known in self.stem_df:
            table.setdefault(root(known), []).append(known)
        return table

    def variants(self, stem_: str, name: bool = False) -> list[str]:
        """Known stems sharing a long prefix with `stem_` (Algerian/Algeria, recognise/ize).

        Names may also differ by a last letter ('Maria', 'Marie').
        """
        related = [k for k in self.roots.get(root(stem_), []) if k != stem_]
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


INTENT_FILLERS = {
    "where": frozenset({"located", "situated", "based", "lie", "lies", "found"}),
    "when": frozenset({"happen", "happened", "occur", "occurred"}),
}
DERIVATIONAL = (
    "ical",
    "ial",
    "al",
    "ic",
    "ous",
    "ive",
    "ian",
    "an",
    "ese",
    "ish",
    "er",
    "or",
    "i",
    "e",
    "y",
)


def root(stem_: str) -> str:
    """A stem without one derivational ending: 'tidal' and 'tide', 'winner' and 'win'."""
    for ending in DERIVATIONAL:
        if stem_.endswith(ending) and len(stem_) - len(ending) >= 4:
            base = stem_[: -len(ending)]
            if base[-1] == base[-2]:
                base = base[:-1]  # 'winn' -> 'win'
            return base
    return stem_


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

    @property
    def weight(self) -> float:
        return sum(t.weight for t in self.terms)


FRENCH_QUESTION_WORDS = frozenset(
    "quand qui ou combien quel quelle quels quelles pourquoi comment lequel laquelle".split()
)


def detect_language(text: str) -> str:
    """'ru', 'ar', 'fr' or 'en', from the script and the function words used."""
    letters = [script_of(ch) for ch in text if ch.isalpha()]
    if not letters:
        return "en"
    if letters.count("cyrillic") * 2 > len(letters):
        return "ru"
    if letters.count("arabic") * 2 > len(letters):
        return "ar"
    tokens = words(text)
    # Function words and question words tell the languages apart; content words don't
    # ('tour', 'mission' and 'date' are English and French alike).
    french = sum(
        t in lexicon.stopwords("fr") or t in FRENCH_QUESTION_WORDS
        for t in tokens
        if t not in ("a", "as", "on", "est")
    )
    english = sum(t in lexicon.stopwords("en") or (t,) in lexicon.question_words() for t in tokens)
    french += len(re.findall(r"[àâçéèêëîïôûùœ]", text.lower()))
    return "fr" if french > english else "en"


def analyse(question: str, vocab: Vocabulary) -> Query:
    """Turn a question into a Query against the given vocabulary."""
    lang = detect_language(question)
    if lang == "en":
        tokens = _english_tokens(question)
        understood = 1.0
    else:
        tokens, understood = _translate(question, lang, vocab)
    intent, consumed = _intent(tokens)
    role = _role([t for t, _ in tokens])
    terms: list[Term] = []
    seen: set[str] = set()
    for index, (token, caps) in enumerate(tokens):
        if index in consumed or token in lexicon.stopwords("en") or token in LOCATIVE:
            continue
        if (token,) in lexicon.question_words() and index == 0:
            continue
        if _misspelt_function_word(token, vocab):
            continue  # 'meny', 'whta': a typo of a word that carries no content
        if token in INTENT_FILLERS.get(intent, ()):
            continue  # 'where is it located': 'located' only repeats 'where'
        term = _term(token, caps, vocab)
        if term is None or term.stem in seen:
            continue
        term.located = index > 0 and tokens[index - 1][0] in DESTINATION
        if years(token) and index > 0:
            previous = tokens[index - 1][0]
            if previous in ("after", "since", "from"):
                term.after = int(token)
            elif previous in ("before", "until", "till", "prior"):
                term.before = int(token)
        decade = _decade(token)
        if decade:
            term.after, term.before = decade - 1, decade + 10
        seen.add(term.stem)
        terms.append(term)
    compounds = _check_compounds(tokens, terms, vocab)
    found_years = years(question)
    return Query(
        text=question,
        lang=lang,
        intent=intent,
        terms=terms,
        english=" ".join(t for t, _ in tokens),
        years=found_years,
        year_range=year_range(question),
        role=role,
        understood=understood,
        wants_list=intent == "list",
        identity=_asks_identity(tokens),
        focus=_focus(tokens, terms),
        compounds=compounds,
    )


QUESTION_FUNCTION_WORDS = sorted(
    "what when where which who whom whose why how many much does did were was there their "
    "about the".split()
)


def _misspelt_function_word(token: str, vocab: Vocabulary) -> bool:
    """'meny', 'whta', 'wher': a typo of a question's function word, which carries no content."""
    if len(token) < 4 or token.isdigit() or vocab.knows(stem(token)):
        return False
    match = process.extractOne(
        token,
        QUESTION_FUNCTION_WORDS,
        scorer=OSA.normalized_similarity,
        score_cutoff=0.75,
        processor=None,
    )
    return match is not None


def _decade(token: str) -> int | None:
    """'1960s' -> 1960; '60s' -> 1960 (the twentieth century is assumed)."""
    match = re.fullmatch(r"(1[0-9]{2}|20[0-9])0s|([0-9])0s", token)
    if not match:
        return None
    return int(match.group(1)) * 10 if match.group(1) else 1900 + int(match.group(2)) * 10


def _focus(tokens: list[tuple[str, bool]], terms: list[Term]) -> str | None:
    """In 'who is/was [the] X ...', the stem of X: the role whose holder is asked for."""
    plain = [t for t, _ in tokens]
    if len(plain) < 3 or plain[0] != "who" or plain[1] not in ("is", "are", "was", "were"):
        return None
    by_word = {t.word: t for t in terms}
    for word in plain[2:]:
        term = by_word.get(word)
        if term is not None and not term.entity:
            return term.stem
    return None


def _asks_identity(tokens: list[tuple[str, bool]]) -> bool:
    plain = [t for t, _ in tokens]
    return len(plain) >= 2 and plain[0] == "who" and plain[1] in ("is", "are")


def year_range(text: str) -> tuple[int, int] | None:
    """A year range named in text: '1960s', '2000-2010', 'between 1962 and 1989', '2006'."""
    match = RANGE_RE.search(text)
    if match:
        a, b = sorted((int(match.group(1)), int(match.group(2))))
        return a, b
    match = DECADE_RE.search(text)
    if match:
        start = int(match.group(1))
        return start, start + (99 if start % 100 == 0 and "century" in text else 9)
    found = years(text)
    if len(found) == 1:
        return found[0], found[0]
    return None


def _english_tokens(question: str) -> list[tuple[str, bool]]:
    """(folded token, written with a capital and not first) pairs."""
    out = []
    for i, match in enumerate(TOKEN_RE.finditer(question)):
        raw = match.group()
        out.append((fold(raw), i > 0 and raw[0].isupper()))
    return out


def _intent(tokens: list[tuple[str, bool]]) -> tuple[str, set[int]]:
    """The intent named by the first question phrase, and the token positions it used."""
    table = lexicon.question_words()
    plain = [t for t, _ in tokens]
    for start in range(len(plain)):
        for size in (3, 2, 1):
            phrase = tuple(plain[start : start + size])
            if len(phrase) == size and phrase in table:
                intent = table[phrase]
                if intent == "yesno" and start > 0:
                    continue
                if (
                    phrase == ("how",)
                    and start + 1 < len(plain)
                    and plain[start + 1] not in AUXILIARIES
                ):
                    return "quantity", {start}
                if intent == "quantity" and phrase[0] == "how":
                    return intent, {start}  # keep 'long', 'large', 'old': the attribute asked
                if size > 1 and phrase[-1] not in lexicon.stopwords("en"):
                    # 'which island', 'what city': the noun says what to look for, too
                    return intent, set(range(start, start + size - 1))
                return intent, set(range(start, start + size))
        if start == 0:
            guess = process.extractOne(
                plain[0],
                ["when", "who", "where", "what", "which", "how"],
                scorer=fuzz.ratio,
                score_cutoff=85,
                processor=None,
            )
            if guess and len(plain[0]) >= 3:
                return table[(guess[0],)], {0}
    return "what", set()


def _role(plain: list[str]) -> str | None:
    text = " ".join(plain)
    if re.search(r"\bhost(?:ed|s)? by\b|\bhosted\b|\bwho hosted\b", text):
        return "host"
    if re.search(
        r"\bvisits? by\b|\btrips? by\b|\bvisited\b|\bs visits\b|\bdid \w+(?: \w+)? visit\b|"
        r"\bwent\b|\bcame\b|\btravell?ed\b",
        text,
    ):
        return "guest"
    return None


def _check_compounds(
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


def _term(token: str, caps: bool, vocab: Vocabulary) -> Term | None:
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


def _translate(question: str, lang: str, vocab: Vocabulary) -> tuple[list[tuple[str, bool]], float]:
    """Map a foreign question to English tokens; also say how much of it we understood."""
    lex = lexicon.foreign(lang)
    places = vocab.places.get(lang, {})
    raw = TOKEN_RE.findall(question)
    folded = [fold(t) for t in raw]
    if lang == "ar":
        folded = [_strip_proclitics(t, lex, places) for t in folded]
    stems_ = [stem(t, lang) for t in folded]
    out: list[tuple[str, bool]] = []
    content = mapped = 0
    i = 0
    while i < len(raw):
        hit = None
        # In Latin script a capital inside the sentence marks a name: one the articles
        # know is kept as it is ('le Tour de France'; but 'la tour Eiffel' is a tower).
        as_name = (
            lang == "fr" and i > 0 and raw[i][:1].isupper() and vocab.knows(stem(folded[i]))
        )
        for size in range(0 if as_name else min(lex.longest, len(raw) - i), 0, -1):
            key = tuple(stems_[i : i + size])
            if key in lex.phrases or tuple(folded[i : i + size]) in lex.phrases:
                hit = size, lex.phrases.get(key) or lex.phrases[tuple(folded[i : i + size])]
                break
        if hit is None and not as_name:
            hit = _by_prefix(stems_[i], lex)
        place = _place(stems_, folded, i, places)
        if place and (not hit or place[0] >= hit[0]):
            size, name = place
            out.extend((fold(w), True) for w in name.split())
            content += 1
            mapped += 1
            i += size
            continue
        if hit:
            size, english = hit
            out.extend((w, False) for w in english)
            content += 1
            mapped += 1
            i += size
            continue
        token = folded[i]
        if token.isdigit():
            out.append((token, False))
        elif token in lexicon.stopwords(lang) or len(token) == 1:
            pass
        else:
            content += 1
            guess = _transliterate(stems_[i], raw[i], lang, vocab) if _name_like(raw[i]) else None
            if guess:
                # Only a capitalised word is surely a name; a guess from Arabic consonants
                # may be wrong, so it must not count as a name the answer has to contain.
                out.append((guess, raw[i][:1].isupper()))
                mapped += 1
            elif lang == "fr" and stem(token) in vocab.stem_df:
                out.append((token, False))  # a word French and English share: 'construction'
                mapped += 1
            elif raw[i][:1].isupper() and i > 0:
                # A name we cannot place ('Montparnasse'): the articles don't know it, and
                # that is worth knowing, as it is for an unknown name in English.
                out.append((re.sub(r"[^a-z]", "", fold(unidecode(raw[i]))) or token, True))
        i += 1
    return out, (mapped / content if content else 1.0)


ARABIC_PROCLITICS = ("وال", "بال", "فال", "كال", "لل", "ال", "و", "ب", "ل", "ف", "ك")


def _by_prefix(stem_: str, lex) -> tuple[int, tuple[str, ...]] | None:
    """A lexicon word whose stem starts the same way, when endings defeat the stemmer
    ('барьерного' and 'барьерный')."""
    for size in range(len(stem_), 4, -1):
        english = lex.phrases.get((stem_[:size],))
        if english:
            return 1, english
    return None


def _strip_proclitics(token: str, lex, places) -> str:
    """'لشركة' -> 'شركة': drop the article and the one-letter prefixes Arabic writes attached,
    when what remains is a word we know."""
    if (stem(token, "ar"),) in lex.phrases or (token,) in lex.phrases:
        return token
    for prefix in ARABIC_PROCLITICS:
        rest = token[len(prefix) :]
        if token.startswith(prefix) and len(rest) >= 3:
            if (stem(rest, "ar"),) in lex.phrases or (rest,) in lex.phrases:
                return rest
            if stem(rest, "ar") in places or rest in places:
                return rest
    return token


def _name_like(raw: str) -> bool:
    """Could this word be a name? Capitalised, or in a script without capitals."""
    return raw[:1].isupper() or script_of(raw) == "arabic"


def _place(stems_, folded, i, places) -> tuple[int, str] | None:
    for size in (3, 2, 1):
        if i + size <= len(stems_):
            key = " ".join(stems_[i : i + size])
            if key in places:
                return size, places[key]
            key = " ".join(folded[i : i + size])
            if key in places:
                return size, places[key]
    return None


def _transliterate(stemmed: str, raw: str, lang: str, vocab: Vocabulary) -> str | None:
    """A foreign name written in Latin letters, if it is close to a name we know.

    Names are spelt differently in every language ('Poutine', 'Путин', 'بوتين' are all Putin),
    so they are compared by a rough phonetic key, by edit distance, and by their consonants.
    """
    forms = [re.sub(r"[^a-z]", "", fold(unidecode(text))) for text in (raw, stemmed)]
    forms = [f for f in dict.fromkeys(forms) if len(f) >= 3]
    for latin in forms:
        if stem(latin) in vocab.stem_df:
            return latin
    for latin in forms:
        corrected = vocab.correct(latin)
        if corrected:
            return corrected
    for latin in forms:
        key = phonetic(latin)
        if key in vocab.phonetic_names:
            return vocab.phonetic_names[key]
        if len(key) >= 4 and lang != "ar":
            match = process.extractOne(
                key, vocab.phonetic_names, scorer=fuzz.ratio, score_cutoff=80, processor=None
            )
            if match:
                return match[0]
            prefix = _known_prefix(key, vocab)
            if prefix:
                return prefix
    for latin in forms:
        found = _by_skeleton(latin, vocab)
        if found:
            return found
    return None


def _known_prefix(key: str, vocab: Vocabulary) -> str | None:
    """A name the word starts with: 'nobelevsk' (Russian adjective) -> 'nobel'."""
    for size in range(len(key) - 1, 3, -1):
        name = vocab.phonetic_names.get(key[:size])
        if name:
            return name
    return None


PHONETIC_RULES = (
    ("ph", "f"),
    ("kh", "h"),
    ("dzh", "j"),
    ("dj", "j"),
    ("zh", "j"),
    ("ou", "u"),
    ("ie", "i"),
    ("iu", "u"),
    ("ck", "k"),
    ("ce", "se"),
    ("ci", "si"),
    ("c", "k"),
    ("q", "k"),
    ("w", "v"),
    ("y", "i"),
    ("z", "s"),
    ("x", "ks"),
)


def phonetic(word: str) -> str:
    """A rough sound key shared by spellings of one name across languages."""
    for a, b in PHONETIC_RULES:
        word = word.replace(a, b)
    word = re.sub(r"(.)\1+", r"\1", word)
    return word[:-1] if len(word) > 4 and word.endswith("e") else word


def _skeleton(word: str) -> str:
    """Consonants only, with sounds Arabic script merges folded together."""
    table = str.maketrans(
        {
            "p": "b",
            "v": "f",
            "o": "",
            "e": "",
            "i": "",
            "u": "",
            "a": "",
            "w": "",
            "y": "",
            "h": "",
            "'": "",
            "c": "k",
            "q": "k",
            "g": "j",
            "z": "s",
            "x": "ks",
        }
    )
    return re.sub(r"(.)\1+", r"\1", word.translate(table))


def _by_skeleton(latin: str, vocab: Vocabulary) -> str | None:
    """The most frequent known name whose consonants match an Arabic transliteration."""
    if len(latin) > 5:
        latin = latin.removeprefix("al").removeprefix("l")
    key = _skeleton(latin)
    if len(key) < 2 or (len(key) < 3 and len(latin) > 4):
        return None
    return vocab.skeletons.get(key)
