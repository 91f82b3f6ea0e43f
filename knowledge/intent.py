"""What a question asks: its intent (when, who, where, how much, a list), the role asked for
in a visit (host or guest), the role whose holder is asked for, and the years it names."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from rapidfuzz import fuzz, process

from . import lexicon
from .text import years

if TYPE_CHECKING:
    from .terms import Term

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
INTENT_FILLERS = {
    "where": frozenset({"located", "situated", "based", "lie", "lies", "found"}),
    "when": frozenset({"happen", "happened", "occur", "occurred"}),
}
DECADE_RE = re.compile(r"\b(1[0-9]{3}|20[0-9]{2})s\b")
RANGE_RE = re.compile(
    r"\b(?:between|from)?\s*(1[0-9]{3}|20[0-9]{2})\s*(?:-|–|to|and|till|until)\s*"
    r"(1[0-9]{3}|20[0-9]{2})\b"
)
AFTER_WORDS = ("after", "since", "from")
BEFORE_WORDS = ("before", "until", "till", "prior")


def intent_of(tokens: list[tuple[str, bool]]) -> tuple[str, set[int]]:
    """The intent named by the first question phrase, and the token positions it used.

    >>> intent_of([("when", False), ("did", False), ("putin", True), ("visit", False)])
    ('when', {0})
    """
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


def role_of(plain: list[str]) -> str | None:
    """'host' or 'guest': the side of a visit the question is about, if it says.

    >>> role_of("who hosted putin".split())
    'host'
    """
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


def decade(token: str) -> int | None:
    """'1960s' -> 1960; '60s' -> 1960 (the twentieth century is assumed)."""
    match = re.fullmatch(r"(1[0-9]{2}|20[0-9])0s|([0-9])0s", token)
    if not match:
        return None
    return int(match.group(1)) * 10 if match.group(1) else 1900 + int(match.group(2)) * 10


def year_bounds(previous: str | None, token: str) -> tuple[int | None, int | None]:
    """(after, before) for a year or decade token and the word before it; bounds are
    exclusive. 'after 1858' -> (1858, None); '1960s' -> (1959, 1970); 'since 1970s' ->
    (1969, None); 'before 1960s' -> (None, 1960); anything else -> (None, None).
    """
    start = decade(token)
    if start is not None:
        if previous in AFTER_WORDS:
            return (start + 9 if previous == "after" else start - 1), None
        if previous in BEFORE_WORDS:
            return None, (start + 10 if previous in ("until", "till") else start)
        return start - 1, start + 10
    found = years(token)
    if found and previous in AFTER_WORDS:
        return found[0], None
    if found and previous in BEFORE_WORDS:
        return None, found[0]
    return None, None


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


def asks_identity(tokens: list[tuple[str, bool]]) -> bool:
    """'who is/are ...': asks who holds a role now, not about an event."""
    plain = [t for t, _ in tokens]
    return len(plain) >= 2 and plain[0] == "who" and plain[1] in ("is", "are")


def focus_of(tokens: list[tuple[str, bool]], terms: list[Term]) -> str | None:
    """In 'who is/was [the] X ...', the stem of X: the role whose holder is asked for.

    X is the head of the noun phrase, its last word before a preposition or a relative
    pronoun: 'ambassador' in 'the current Russian ambassador to Algeria'.
    """
    plain = [t for t, _ in tokens]
    if len(plain) < 3 or plain[0] != "who" or plain[1] not in ("is", "are", "was", "were"):
        return None
    by_word = {t.word: t for t in terms}
    head = None
    for word in plain[2:]:
        if word in NOUN_PHRASE_ENDS:
            break
        term = by_word.get(word)
        if term is not None and not term.entity:
            head = term.stem
    return head


GUEST_WORDS = frozenset(
    "visit visits visited visiting trip trips toured journey went go goes came come comes "
    "travel travels travelled traveled".split()
)
HOST_WORDS = frozenset(
    "host hosts hosted hosting receive receives received welcome welcomed".split()
)
MAKE_WORDS = frozenset("make makes made pay pays paid undertake undertook".split())
VISIT_NOUNS = frozenset({"visit", "visits", "trip", "trips"})  # not "tour": Tour de France
PLACE_MARKERS = frozenset({"to", "in", "at", "into"})
SPAN_ENDS = PLACE_MARKERS | {"by", "from", "of", "on", "during", "for", "with", "between"}
NOUN_PHRASE_ENDS = SPAN_ENDS | {"who", "whom", "that", "which"}


def visit_roles(plain: list[str]) -> dict[int, str]:
    """Token position -> the part it plays in the visit a question is about: 'guest' (who
    travelled, or where from), 'host', or 'visited' (the host or the place). Empty when the
    question names no visit. Only the positions of names matter to the caller.

    >>> visit_roles("when did brezhnev visit algeria".split())
    {0: 'guest', 1: 'guest', 2: 'guest', 4: 'visited'}
    >>> visit_roles("who hosted putin".split())
    {0: 'host', 2: 'guest'}
    """
    noun = any(w in VISIT_NOUNS for w in plain)
    verbs = [
        i
        for i, w in enumerate(plain)
        if w in GUEST_WORDS or w in HOST_WORDS or (noun and w in MAKE_WORDS)
    ]
    if not verbs:
        return {}
    aux = next((i for i, w in enumerate(plain) if w in AUXILIARIES), None)
    main = next((v for v in verbs if aux is not None and v > aux), verbs[0])
    kind = "host" if plain[main] in HOST_WORDS else "guest"
    other = "guest" if kind == "host" else "visited"
    by = next((i for i in range(main + 1, len(plain)) if plain[i] == "by"), None)
    passive = by is not None and aux is not None and plain[aux] in ("was", "were", "is", "are")
    roles: dict[int, str] = {}
    marker = None  # the preposition that opened the current span
    for i, word in enumerate(plain):
        if i == main or word in AUXILIARIES:
            marker = None  # 'in which year did X visit': the span ends at 'did'
            if i == main:
                continue
        if word in SPAN_ENDS:
            marker = word
            continue
        if i < main and marker not in PLACE_MARKERS | {"from", "of"}:
            roles[i] = other if passive else kind
        elif marker == "by":
            agent = max(v for v in verbs if v < i)  # 'visits hosted by X': X hosted
            roles[i] = "host" if plain[agent] in HOST_WORDS else "guest"
        elif marker in ("from", "of"):
            roles[i] = "guest"  # 'visits from Russia', 'the visit of Putin'
        elif marker in PLACE_MARKERS:
            roles[i] = "visited"
        elif marker == "between":
            continue  # 'visits between France and Japan': either way
        else:
            roles[i] = other
    return roles


def asks_count(plain: list[str]) -> bool:
    """'how many visits', 'the number of trips': a question answered by counting rows.
    ('how much visit' is how 'combien de visites' and 'сколько визитов' come out in English.)"""
    text = " ".join(plain)
    return bool(
        re.search(r"\bhow many\b|\bnumber of\b|\bcount\b|\bhow much (?:visits?|trips?)\b", text)
    )
