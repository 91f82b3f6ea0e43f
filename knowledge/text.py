"""Text normalisation shared by the store and the matcher: folding, tokens, stems."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import snowballstemmer

TOKEN_RE = re.compile(r"\d+0s\b|\d+(?:[.,]\d+)*|[^\W\d_]+", re.UNICODE)
YEAR_RE = re.compile(r"\b(1[0-9]{3}|20[0-9]{2})s?\b")
MONTHS = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
]
DATE_RE = re.compile(
    r"\b(?:\d{{1,2}}[\s\-–]*)?(?:{})\b|\b(?:1[0-9]{{3}}|20[0-9]{{2}})s?\b".format("|".join(MONTHS)),
    re.IGNORECASE,
)
QUANTITY_RE = re.compile(
    r"\d[\d.,]*\s*(?:%|percent|per cent|million|billion|thousand|trillion|km|kilometres|"
    r"kilometers|miles|metres|meters|m\b|kg|tonnes|tons|dollars|rubles|roubles|euros|pounds|"
    r"yen|people|times)|[$€£¥]\s*\d|\b\d+(?:[.,]\d+)?\b",
    re.IGNORECASE,
)

STEMMER_LANGS = {
    "en": "english",
    "ru": "russian",
    "fr": "french",
    "ar": "arabic",
    "es": "spanish",
    "de": "german",
}


# Combining marks: Latin accents, Cyrillic breves, Arabic vowel signs, plus the tatweel.
COMBINING_RE = re.compile(
    "[\u0300-\u036f\u0483-\u0489\u0610-\u061a\u0640\u064b-\u065f\u0670\u06d6-\u06ed"
    "\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]"
)


# 'й' is a letter of its own in Russian, not 'и' with an accent: keep it through folding.
SHORT_I = str.maketrans({"й": "\ue000", "Й": "\ue000"})
SHORT_I_BACK = str.maketrans({"\ue000": "й"})


def fold(text: str) -> str:
    """Case-fold and strip accents and Arabic diacritics; keep letters of every script."""
    text = unicodedata.normalize("NFKD", text.translate(SHORT_I))
    return COMBINING_RE.sub("", text).casefold().translate(SHORT_I_BACK)


def words(text: str) -> list[str]:
    """Folded word and number tokens of a text, in order."""
    return TOKEN_RE.findall(fold(text))


def script_of(token: str) -> str:
    """'cyrillic', 'arabic', 'latin' or 'other', judged by the first letter."""
    for ch in token:
        if ch.isalpha():
            name = unicodedata.name(ch, "")
            if name.startswith("CYRILLIC"):
                return "cyrillic"
            if name.startswith("ARABIC"):
                return "arabic"
            if name.startswith("LATIN"):
                return "latin"
            return "other"
    return "other"


@lru_cache(maxsize=8)
def _stemmer(lang: str):
    return snowballstemmer.stemmer(STEMMER_LANGS.get(lang, "english"))


@lru_cache(maxsize=200_000)
def stem(token: str, lang: str = "en") -> str:
    """The Snowball stem of a folded token; numbers stay as they are."""
    if not token or token[0].isdigit():
        return token
    if lang == "en":
        script = script_of(token)
        lang = {"cyrillic": "ru", "arabic": "ar"}.get(script, "en")
    return _stemmer(lang).stemWord(token)


def stems(text: str, lang: str = "en") -> list[str]:
    """Stems of every token of a text, in order."""
    return [stem(t, lang) for t in words(text)]


def years(text: str) -> list[int]:
    """Four-digit years in a text (a decade such as '1960s' counts as its first year)."""
    return [int(y) for y in YEAR_RE.findall(text)]


def has_date(text: str) -> bool:
    return bool(DATE_RE.search(text))


MONTH_NAMES = "|".join(MONTHS)
DAY_MONTH_RE = re.compile(
    rf"\b\d{{1,2}}(?:\s*[-–]\s*\d{{1,2}})?\s+(?:{MONTH_NAMES})\b|\b(?:{MONTH_NAMES})\s+\d{{1,2}}\b",
    re.IGNORECASE,
)
CLOCK_RE = re.compile(r"\b\d{1,2}:\d{2}\b")


def has_quantity(text: str) -> bool:
    """Does the text hold an amount? Years, days of the month and clock times don't count."""
    text = CLOCK_RE.sub(" ", DAY_MONTH_RE.sub(" ", text))
    return any(not YEAR_RE.fullmatch(m.group().strip()) for m in QUANTITY_RE.finditer(text))


def slug(text: str) -> str:
    """A Wikipedia-style anchor or page name: spaces become underscores."""
    return "_".join(text.split())
