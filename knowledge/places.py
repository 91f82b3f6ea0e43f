"""Country and city names from CLDR (through babel), in English and the other languages."""

from __future__ import annotations

import re
from functools import lru_cache

from .text import fold, stem

# Capital cities CLDR names through their time zones, for the languages we read.
LANGS = ("en", "ru", "fr", "ar")


@lru_cache(maxsize=1)
def english_countries() -> dict[str, str]:
    """Folded English country name -> the name as written ('algeria' -> 'Algeria')."""
    from babel import Locale  # only when building: answering reads names from the database

    names = {}
    for code, name in Locale("en").territories.items():
        if code.isalpha() and len(code) == 2:
            names[fold(name)] = name
    for extra in ("Soviet Union", "USSR", "Russian Federation", "Czechoslovakia", "Yugoslavia"):
        names[fold(extra)] = extra
    return names


@lru_cache(maxsize=8)
def foreign_names(lang: str) -> dict[str, str]:
    """Stem of a country or city name in `lang` -> its English name.

    Countries come from CLDR territory names; cities from CLDR time-zone exemplar cities.
    Multi-word names are keyed by their words' stems joined with spaces.
    """
    if lang not in LANGS or lang == "en":
        return {}
    from babel import Locale

    local, english = Locale(lang), Locale("en")
    names: dict[str, str] = {}
    for code, name in local.territories.items():
        if code.isalpha() and len(code) == 2 and code in english.territories:
            names[_key(name, lang)] = english.territories[code]
    for zone, data in local.time_zones.items():
        city = data.get("city") if hasattr(data, "get") else None
        if city:
            en_city = zone.rsplit("/", 1)[-1].replace("_", " ")
            names.setdefault(_key(city, lang), en_city)
    return names


def _key(name: str, lang: str) -> str:
    words = re.findall(r"[^\W\d_]+", fold(name))
    return " ".join(stem(w, lang) for w in words)


@lru_cache(maxsize=1)
def country_aliases(include_capitals: bool = True) -> dict[str, str]:
    """Folded demonym, capital or other name -> English country name.

    From the countryinfo package: 'algerian' -> 'Algeria', 'algiers' -> 'Algeria',
    'tokyo' -> 'Japan', 'nippon' -> 'Japan'. Used when building a knowledge base, so that a
    fact about Algiers or the French ambassador also matches 'Algeria' or 'France'.
    Capitals count one way only: a fact about Moscow is about Russia, but a question about
    Moscow is not answered by a fact about Russia, so questions use include_capitals=False.
    """
    from countryinfo import CountryInfo

    found: dict[str, list[tuple[int, str]]] = {}
    for info in CountryInfo.all().values():
        name = info.get("name")
        if not name:
            continue
        capital = [info.get("capital")] if include_capitals else []
        names = [info.get("demonym"), *capital, *info.get("altSpellings", [])]
        for alias in names:
            if alias and len(alias) > 3 and re.fullmatch(r"[A-Za-z .'-]+", alias):
                people = info.get("population") or 0
                found.setdefault(fold(alias.rstrip(".")), []).append((people, name))
    # A demonym shared by several places ('French': France, French Guiana, French Polynesia)
    # means the most populous one.
    return {alias: max(names)[1] for alias, names in found.items()}
