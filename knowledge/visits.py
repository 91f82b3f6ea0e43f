"""Visit filters: one parser for `/visits 2000-2010 putin` and `qabot visits --from …`, and
matching visits to a filter.

A filter that cannot mean anything raises `VisitFilterError`, whose `kind` says why, so the
bot and the command line can each say so in their own words.
"""

from __future__ import annotations

import re

from rapidfuzz import fuzz
from unidecode import unidecode

from .models import Visit, VisitFilter
from .text import fold, words

NAME_CUTOFF = 80
MIN_NAME_LETTERS = 2
FIRST_YEAR, LAST_YEAR = 1, 9999
FILLER = frozenset({"mid", "early", "late", "around", "circa"}) | frozenset(
    {"in", "the", "from", "to", "between", "and", "by", "of", "visits", "visit", "s"}
)
RANGE_RE = re.compile(r"(?<![\w-])(\d+)s?\s*(?:[-–—]|\.\.|\bto\b|\band\b)\s*(\d+)(s?)(?!\w)")
DECADE_RE = re.compile(r"(?<![\w-])(\d+0)s(?!\w)")
NUMBER_RE = re.compile(r"(?<![\w])-?\d+(?:[.,]\d+)*(?!\w)")


class VisitFilterError(ValueError):
    """A filter that cannot be used: `kind` is 'not_a_year', 'too_short' or 'empty_range';
    `value` is the part of the filter at fault, as written."""

    def __init__(self, kind: str, value: str) -> None:
        super().__init__(f"{kind}: {value}")
        self.kind = kind
        self.value = value

    def __str__(self) -> str:
        if self.kind == "not_a_year":
            return f"{self.value!r} cannot be a year ({FIRST_YEAR}–{LAST_YEAR})"
        if self.kind == "too_short":
            return f"{self.value!r} is too short to search for: give a name, a year or a range"
        return f"no year is both after {self.value}"


def _year(text: str) -> int:
    if not text.isdigit() or not FIRST_YEAR <= int(text) <= LAST_YEAR or len(text) > 4:
        raise VisitFilterError("not_a_year", text)
    return int(text)


def make_visit_filter(
    year_from: int | None = None,
    year_to: int | None = None,
    person: str | None = None,
    place: str | None = None,
    name: str | None = None,
) -> VisitFilter:
    """A checked filter: years in range, swapped when given backwards (2010–2000 is
    2000–2010), names long enough to mean something."""
    for year in (year_from, year_to):
        if year is not None:
            _year(str(year))
    if year_from is not None and year_to is not None and year_from > year_to:
        year_from, year_to = year_to, year_from
    cleaned = []
    for value in (person, place, name):
        value = " ".join((value or "").split()) or None
        if value is not None and sum(ch.isalpha() for ch in value) < MIN_NAME_LETTERS:
            raise VisitFilterError("too_short", value)
        cleaned.append(value)
    return VisitFilter(year_from, year_to, *cleaned)


def parse_visit_filter(text: str) -> VisitFilter:
    """'2006', '2000-2010', '1960s', 'putin', 'moscow 2001' -> a VisitFilter.

    >>> parse_visit_filter("2010-2000 Putin")
    VisitFilter(year_from=2000, year_to=2010, person=None, place=None, name='putin')

    Raises VisitFilterError for '0', '-5', '3000000' (not years) and 'b' (too short).
    """
    text = " ".join((text or "").split())
    years: list[int] = []
    if match := RANGE_RE.search(text):
        start, end = _year(match.group(1)), _year(match.group(2))
        end = end + 9 if match.group(3) and end % 10 == 0 else end
        years = [start, end]
        text = text[: match.start()] + " " + text[match.end() :]
    elif match := DECADE_RE.search(text):
        start = _year(match.group(1))
        years = [start, start + 9]
        text = text[: match.start()] + " " + text[match.end() :]
    years += [_year(number) for number in NUMBER_RE.findall(text)]
    rest = NUMBER_RE.sub(" ", text)
    name = " ".join(w for w in words(rest) if w not in FILLER) or None
    leftover = [w for w in rest.split() if fold(w.strip(".,;:!?")) not in FILLER]
    if name is None and not years and leftover:  # only markup or punctuation, like '<>'
        raise VisitFilterError("too_short", " ".join(leftover))
    if years:
        years = [min(years), max(years)]
    return make_visit_filter(*(years or [None, None]), name=name)


def filter_text(flt: VisitFilter) -> str:
    """The shortest text that parses back to the same filter (for buttons): '2000-2010 putin'.

    Names are transliterated to ASCII, which matching ignores, so `путин` stays `putin`.
    """
    parts = []
    if flt.year_from is not None or flt.year_to is not None:
        start = flt.year_from or FIRST_YEAR
        end = flt.year_to or LAST_YEAR
        parts.append(str(start) if start == end else f"{start}-{end}")
    name = " ".join(n for n in (flt.person, flt.place, flt.name) if n)
    if name:
        parts.append(" ".join(words(_ascii(name))))
    return " ".join(parts)


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


def _ascii(text: str) -> str:
    return unidecode(fold(text)).lower()


def _near(needle: str, haystack: str) -> bool:
    """Fuzzy containment: every word of the needle is close to some word of the haystack,
    compared in ASCII transliteration, so 'путин' and 'Poutine' find Putin."""
    hay = words(_ascii(haystack))
    flat = " ".join(hay)
    for word in words(_ascii(needle)):
        if word in FILLER:
            continue
        if not any(fuzz.ratio(word, h) >= NAME_CUTOFF for h in hay) and word not in flat:
            return False
    return True
