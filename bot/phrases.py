"""Sentences the bot and `qabot chat` share, in the user's language: what a visits filter
means, and what to say when it matches nothing or cannot be used. Telegram-free."""

from __future__ import annotations

import gettext

from knowledge import VisitFilter, VisitFilterError

from .i18n import N_

FILTER_WIDTH = 40  # characters of a user's filter quoted back in a heading or an error


def utf16_len(text: str) -> int:
    """Length as Telegram counts it, in UTF-16 code units: an emoji such as 😀 counts 2.

    Every limit Telegram sets on a text (4,096 for a message, 256 for an inline query…)
    is in these units, so compare this, never `len()`, against them.
    """
    return len(text.encode("utf-16-le")) // 2


def utf16_prefix(text: str, units: int) -> str:
    """The longest start of `text` that is at most `units` UTF-16 code units long (an emoji is
    never cut in half)."""
    return text.encode("utf-16-le")[: 2 * max(units, 0)].decode("utf-16-le", errors="ignore")


def shorten(text: str, width: int) -> str:
    """`text` cut at a word boundary to at most `width` characters, with an ellipsis.
    Characters as Telegram counts them (UTF-16 units), so that `width` can be one of its
    limits: a bot description, a button."""
    text = " ".join(text.split())
    if utf16_len(text) <= width:
        return text
    head = utf16_prefix(text, width - 1)
    cut = head.rsplit(" ", 1)[0] or head
    return cut.rstrip(" ,;:.") + "…"


def years_text(flt: VisitFilter) -> str:
    """'2006', '2000–2010', or '' when the filter has no years."""
    start, end = flt.year_from, flt.year_to
    if start is None and end is None:
        return ""
    return str(start) if start == end else f"{start or '…'}–{end or '…'}"


def describe_filter(flt: VisitFilter) -> str:
    """`1960–1969, putin` for a filter; empty for no filter."""
    parts = [years_text(flt)] if years_text(flt) else []
    parts += [shorten(name, FILTER_WIDTH) for name in (flt.person, flt.place, flt.name) if name]
    return ", ".join(parts)


def no_visits(flt: VisitFilter, t: gettext.NullTranslations) -> str:
    """'No visits in 3000.', 'No visits match “zorro”.', 'No visits match “zorro” in 2006.'"""
    names = ", ".join(shorten(n, FILTER_WIDTH) for n in (flt.person, flt.place, flt.name) if n)
    years = years_text(flt)
    if names and years:
        return t.gettext("No visits match “{name}” in {years}.").format(name=names, years=years)
    if names:
        return t.gettext("No visits match “{name}”.").format(name=names)
    if years:
        return t.gettext("No visits in {years}.").format(years=years)
    return t.gettext("No visits are loaded.")


NOT_A_YEAR = N_("“{value}” cannot be a year.")
TOO_SHORT = N_("“{value}” is too short to search for.")


def filter_problem(error: VisitFilterError, t: gettext.NullTranslations) -> str:
    """What is wrong with a filter, in one sentence."""
    message = NOT_A_YEAR if error.kind == "not_a_year" else TOO_SHORT
    return t.gettext(message).format(value=shorten(error.value, FILTER_WIDTH))


def filter_hint(t: gettext.NullTranslations, name_example: str | None) -> str:
    """How to write a filter, with a name taken from the visits loaded."""
    hint = t.gettext(
        "Filter by a year (/visits 2006), a range (/visits 2000-2010), a decade (/visits 1960s)"
    )
    if name_example:
        hint += t.gettext(" or a name (/visits {name})").format(name=name_example)
    return hint + "."
