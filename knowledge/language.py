"""Which language a question is written in: 'en', 'fr', 'ru' or 'ar'."""

from __future__ import annotations

import re

from . import lexicon
from .text import script_of, words

FRENCH_QUESTION_WORDS = frozenset(
    "quand qui ou combien quel quelle quels quelles pourquoi comment lequel laquelle".split()
)


def detect_language(text: str) -> str:
    """'ru', 'ar', 'fr' or 'en', from the script and the function words used.

    >>> detect_language("Quand Poutine est-il venu ?")
    'fr'
    """
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
