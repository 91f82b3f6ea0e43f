"""Visit filters: parse '/visits 2000-2010 putin', and match visits to a filter."""

from __future__ import annotations

import re

from rapidfuzz import fuzz

from .models import Visit, VisitFilter
from .query import year_range
from .text import fold, words

NAME_CUTOFF = 80
FILLER = frozenset({"mid", "early", "late", "around", "circa"}) | frozenset(
    {"in", "the", "from", "to", "between", "and", "by", "of", "visits", "visit", "s"}
)


def parse_visit_filter(text: str) -> VisitFilter:
    """'2006', '2000-2010', '1960s', 'putin', 'moscow 2001' -> a VisitFilter."""
    text = (text or "").strip()
    years = year_range(text)
    rest = re.sub(r"\b\d{4}s?\b|[-–]", " ", text)
    name = " ".join(w for w in words(rest) if w not in FILLER and not w.isdigit())
    return VisitFilter(
        year_from=years[0] if years else None,
        year_to=years[1] if years else None,
        name=name or None,
    )


def matches(visit: Visit, flt: VisitFilter) -> bool:
    """True when a visit passes every part of the filter."""
    if flt.year_from is not None and (visit.year_to or 0) < flt.year_from:
        return False
    if flt.year_to is not None and (visit.year_from or 9999) > flt.year_to:
        return False
    if flt.person and not _near(flt.person, f"{visit.guest} {visit.host}"):
        return False
    destination = visit.direction.partition("→")[2]
    if flt.place and not _near(flt.place, f"{visit.place} {destination}"):
        return False
    everything = f"{visit.guest} {visit.host} {visit.place} {visit.direction}"
    return not (flt.name and not _near(flt.name, everything))


def _near(needle: str, haystack: str) -> bool:
    """Fuzzy containment: every word of the needle is close to some word of the haystack."""
    hay = words(haystack)
    for word in words(needle):
        if not any(fuzz.ratio(word, h) >= NAME_CUTOFF for h in hay) and fold(word) not in fold(
            haystack
        ):
            return False
    return True
