"""Questions about the visits tables, answered from the rows themselves: who travelled where,
hosted by whom, when; lists of visits; how many there were; and the first or the last of them
('Who was the first Algerian president to visit Moscow?').

Each name in the question plays a part (`Term.role`, from `intent.visit_roles`): the guest,
the host, or the visited place. A visit matches when every name plays its part in it, so
'When did Brezhnev visit Algeria?' is not answered by Boumediène's visit to Brezhnev. When a
question names only people and places of the table, and no visit matches, the table says so.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from .intent import GUEST_WORDS, HOST_WORDS, MAKE_WORDS, VISIT_NOUNS
from .models import Visit
from .query import Query, Term
from .text import stem, words

SINGLE_INTENTS = frozenset({"when", "where", "who", "yesno"})
LIST_INTENTS = frozenset({"what", "list", "quantity", "who"})
# 'the first visit', 'his last trip', 'the most recent one': the earliest or the latest row
ORDER_WORDS = {
    "first": "first",
    "earliest": "first",
    "last": "last",
    "latest": "last",
    "recent": "last",
}
VISIT_WORDS = GUEST_WORDS | HOST_WORDS | MAKE_WORDS | VISIT_NOUNS | {"state", "official", "ever"}
VISIT_WORDS |= set(ORDER_WORDS)
TRAVEL_WORDS = GUEST_WORDS | HOST_WORDS | VISIT_NOUNS


@dataclass(frozen=True)
class VisitReply:
    """What the table says: the matching visits ('visits'), how many ('count'), or that none
    matches ('none', with the visits of the same people in other roles in `near`)."""

    kind: str
    visits: tuple[Visit, ...]
    near: tuple[Visit, ...] = ()
    listed: bool = False  # the question asked for a list


def visit_reply(query: Query, visits: list[Visit]) -> VisitReply | None:
    """The answer the visits table gives to a question, or None when it is not the table's."""
    if not visits or query.intent == "why":
        return None
    cells = set().union(*(_stems(f"{v.guest} {v.host} {v.place} {v.direction}") for v in visits))
    # Names, and words the table itself uses ('President', 'Emperor'), must all match.
    names = [t for t in query.terms if t.known and not t.word.isdigit() and _named(t, cells)]
    if (query.reading or query.lang) == "ar" and not any(t.role for t in query.terms):
        query = replace(query, terms=_roles_by_kind(query.terms, names, visits))
        names = [t for t in query.terms if t.known and not t.word.isdigit() and _named(t, cells)]
    others = [t for t in query.terms if t not in names and not _about_visits(t)]
    in_table = bool(names) and all(any(involves(v, t, None) for v in visits) for t in names)
    chosen = tuple(
        v for v in visits if _in_years(v, query) and all(involves(v, t, t.role) for t in names)
    )
    nouns = any(t.word in VISIT_NOUNS for t in query.terms)
    if query.counts and nouns and not others and chosen:
        return VisitReply("count", chosen)
    order = next((ORDER_WORDS[t.word] for t in query.terms if t.word in ORDER_WORDS), None)
    # 'Algeria's first president' is no visit: the first or last of them needs a visit named
    travelled = any(t.word in TRAVEL_WORDS for t in query.terms)
    if order and travelled and chosen and not others and not query.wants_list:
        return VisitReply("visits", (_ordered(chosen, order),))
    if _asks_for_list(query):
        if chosen and (names or _dated(query) or query.wants_list):
            return VisitReply("visits", chosen, listed=True)
    elif others or not (query.intent in SINGLE_INTENTS and any(t.role for t in query.terms)):
        return None  # a question about something else than who visited whom, where and when
    if chosen and in_table:
        return VisitReply("visits", chosen)
    if in_table:
        near = tuple(v for v in visits if all(involves(v, t, None) for t in names))
        return VisitReply("none", (), near)
    return None


def both_ways(fact_ids: Sequence[int], visits: Sequence[Visit]) -> tuple[Visit, ...]:
    """The visit of the first fact and its mirror among the others (the same two people, as
    guest and host the other way round), oldest first; () when there is no such pair.

    A question whose words give no roles and fit both visits alike ('Quando Putin visitou a
    Argélia?', in a language without a word list) is ranked by its vectors, which cannot tell
    who went where: both visits are the honest answer, not the likelier-looking one."""
    by_fact = {v.fact_id: v for v in visits}
    first = by_fact.get(fact_ids[0]) if fact_ids else None
    if first is None:
        return ()
    for fact_id in fact_ids[1:]:
        other = by_fact.get(fact_id)
        if other and (other.guest, other.host) == (first.host, first.guest):
            return tuple(sorted((first, other), key=lambda v: (v.year_from or 0, v.id)))
    return ()


def _ordered(visits: tuple[Visit, ...], order: str) -> Visit:
    """The earliest ('first') or the latest ('last') visit; undated ones never win."""
    dated = [v for v in visits if v.year_from is not None] or list(visits)
    key = lambda v: (v.year_from or 0, v.year_to or 0, v.id)  # noqa: E731
    return min(dated, key=key) if order == "first" else max(dated, key=key)


def _roles_by_kind(terms: list[Term], names: list[Term], visits: list[Visit]) -> list[Term]:
    """Roles read from what the names are, for a question whose word order does not tell
    (Arabic puts the verb first: 'visited Putin Algeria'). With one person named, the person
    travelled and a place named was visited; anything else stays unread."""
    if not any(_about_visits(t) for t in terms):
        return terms
    places = set().union(*(_stems(f"{v.place} {v.direction.replace('→', ' ')}") for v in visits))
    is_place = {t.stem: bool(({t.stem, *t.alts} - t.weak or {t.stem}) & places) for t in names}
    if sum(not place for place in is_place.values()) != 1:
        return terms
    return [
        replace(t, role="visited" if is_place[t.stem] else "guest") if t in names else t
        for t in terms
    ]


def _named(term: Term, cells: set[str]) -> bool:
    """A name, or a word of the table's cells that is not about visiting ('President')."""
    if _about_visits(term):
        return False
    return term.entity or term.stem in cells


def _about_visits(term: Term) -> bool:
    """'visit', 'hosted', 'trips', 'made', 'state visit', a year: words the table answers."""
    return term.word in VISIT_WORDS or term.word.isdigit()


def involves(visit: Visit, term: Term, role: str | None) -> bool:
    """Does the visit involve what the term names, in the part the question gives it?

    A country counts through the visit's direction ('Japan → France'): its guests come from
    the first, and the second is visited.
    """
    forms = ({term.stem, *term.alts} - term.weak) or {term.stem}
    origin, _, destination = visit.direction.partition("→")
    guest = _stems(visit.guest) | _stems(origin)
    host = _stems(visit.host)
    visited = _stems(f"{visit.place} {destination}")
    if role == "guest":
        return bool(forms & guest)
    if role == "host":
        return bool(forms & (host | _stems(destination)))
    if role == "visited":
        return bool(forms & (host | visited))
    return bool(forms & (guest | host | visited))


def _asks_for_list(query: Query) -> bool:
    """'List the visits...', 'Which visits...', 'Which Japanese leaders visited France?'."""
    plural = any(t.word in ("visits", "trips") for t in query.terms)
    leaders = query.role == "guest" and query.text.lower().startswith(("which", "who"))
    leaders = leaders and any(t.word.endswith("s") and not t.entity for t in query.terms)
    return query.wants_list or ((plural or leaders) and query.intent in LIST_INTENTS)


def _dated(query: Query) -> bool:
    return query.year_range is not None or any(_bounds(query))


def _bounds(query: Query) -> tuple[int | None, int | None]:
    """'after 2000', 'before 1990', 'since the 1970s': the open bounds the question sets."""
    after = next((t.after for t in query.terms if t.after is not None), None)
    before = next((t.before for t in query.terms if t.before is not None), None)
    return after, before


def _in_years(visit: Visit, query: Query) -> bool:
    first, last = visit.year_from or 0, visit.year_to or 9999
    after, before = _bounds(query)
    if after is not None or before is not None:
        return (after is None or last > after) and (before is None or first < before)
    if query.year_range:
        return last >= query.year_range[0] and first <= query.year_range[1]
    return True


def _stems(text: str) -> set[str]:
    return {stem(w) for w in words(text)}


COUNT_LINES = {
    "en": "{n} {what}:",
    "ru": "Визитов: {n}.",
    "fr": "{n} visite(s) :",
    "ar": "عدد الزيارات: {n}.",
}


def count_line(n: int, facts: list, lang: str = "en") -> str:
    """'8 high level visits:': the count, named after the table's section when it says what
    the rows are ('High level visits'), else 'visits'.

    >>> count_line(1, [], "en")
    '1 visit:'
    """
    heading = next((f.section.split(" › ")[-1] for f in facts if f and f.section), "")
    what = heading.lower() if heading.lower().endswith(("visits", "trips")) else "visits"
    if n == 1:
        what = what[:-1]
    return COUNT_LINES.get(lang, COUNT_LINES["en"]).format(n=n, what=what)
