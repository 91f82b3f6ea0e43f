"""Country and city names from CLDR (through babel), in English and the other languages."""

from __future__ import annotations

import re
from functools import lru_cache

from .text import fold, stem

# Capital cities CLDR names through their time zones, for the languages we read.
LANGS = ("en", "ru", "fr", "ar", "es", "de")


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


@lru_cache(maxsize=2)  # with and without capitals: both are asked for in turn
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


# 'City, Country' and 'City, the capital of Country'. The city is a run of capitalised
# words ending at the comma; found by walking back from each comma, so that a paragraph of
# 30,000 capitalised words with no comma costs one pass (the regex this replaces,
# `\b([A-Z][\w'’-]+(?: [A-Z][\w'’-]+)*), ...` with findall, took minutes on it).
NAME_WORD_RE = re.compile(r"[A-Z][\w'’-]+")
NAME_CHAR_RE = re.compile(r"[\w'’-]")
COUNTRY_AFTER_RE = re.compile(r"(?:the capital of )?([A-Z][\w'’ -]+)")
WORD_JOINERS = "'’-"


def city_country_pairs(text: str) -> list[tuple[str, str]]:
    """(city, country) for each 'City, Country' in a text, left to right, in linear time:
    'Algiers, the capital of Algeria.' -> [('Algiers', 'Algeria')]."""
    pairs = []
    floor = 0  # where the last pair ended: pairs never overlap
    comma = text.find(", ")
    while comma != -1:
        if comma >= floor:
            country = COUNTRY_AFTER_RE.match(text, comma + 2)
            start = _name_start(text, comma, floor) if country else None
            if country and start is not None:
                pairs.append((text[start:comma], country.group(1)))
                floor = country.end()
        comma = text.find(", ", comma + 1)
    return pairs


def _name_start(text: str, end: int, floor: int) -> int | None:
    """Where the capitalised words that end at `end` begin (words one space apart, the
    first one starting a word), or None. Never looks back before `floor`."""
    start = None
    while end > floor:
        space = text.rfind(" ", floor, end)
        token_start = space + 1 if space != -1 else floor
        if NAME_WORD_RE.fullmatch(text, token_start, end):
            start = token_start
            if space == -1:
                break
            end = space
            continue
        first = _first_name_in(text, token_start, end)
        return first if first is not None else start
    return start


def _first_name_in(text: str, begin: int, end: int) -> int | None:
    """The leftmost start of a capitalised word that runs to `end` inside text[begin:end],
    after a character that ends a word ('(Paris' -> at 'P', "d'Ivoire" -> None)."""
    left = end
    while left > begin and NAME_CHAR_RE.match(text, left - 1):
        left -= 1
    for i in range(left, end - 1):
        if "A" <= text[i] <= "Z" and (i == left or text[i - 1] in WORD_JOINERS):
            return i
    return None


def places_named(text: str, aliases: dict[str, str]) -> list[str]:
    """The keys of `aliases` (place names, one word each) that a text names, in the order it
    names them; a word with a possessive ('Algiers’s') counts. One dictionary look-up per
    word, so an article naming 30,000 towns is not checked 30,000 times per sentence."""
    if not aliases:
        return []
    found: dict[str, None] = {}
    for token in NAME_TOKEN_RE.findall(text):
        for word in (token, POSSESSIVE_RE.sub("", token), *WORD_PART_RE.findall(token)):
            if word in aliases:
                found.setdefault(word)
    return list(found)


NAME_TOKEN_RE = re.compile(r"[\w'’-]+")
POSSESSIVE_RE = re.compile(r"(?:['’]s?)$")
WORD_PART_RE = re.compile(r"\w+")
