"""Which language a question is written in: 'en', 'fr', 'ru', 'ar', or another Latin-script
language that py3langid is sure of ('de', 'es', 'it', 'pt', 'nl')."""

from __future__ import annotations

import re
import threading
from collections.abc import Container

from . import lexicon
from .text import script_of, words

FRENCH_QUESTION_WORDS = frozenset(
    "quand qui ou combien quel quelle quels quelles pourquoi comment lequel laquelle".split()
)


# Latin-script languages py3langid chooses among; fewer choices make short questions safer.
LATIN_LANGUAGES = ("en", "fr", "de", "es", "it", "pt", "nl")
# py3langid's probability above which a language other than English or French is believed:
# below it are typos and bare names ('wen did tebboune vist russia' reads 0.50 Dutch). None
# of the 4,177 English questions of our sets reads as another language at 0.8 or more.
SURE = 0.85
# A question with at least this share of English function words reads as English without
# asking py3langid. German and Spanish questions share many ('in', 'was', 'die', 'de'): below
# 0.5, 35 more of XQuAD's 634 German questions are recognised; no English one of 4,125 is lost.
CHECKED_BELOW = 0.5


_loading = threading.Lock()
_loaded: list = []  # the identifier, once loaded


def _identifier():
    """py3langid's model, limited to LATIN_LANGUAGES (about 0.5 s to load: see `preload`).

    Loaded once: a question asked while `preload` is loading waits for it instead of
    loading a second copy beside it."""
    with _loading:
        if not _loaded:
            _loaded.append(_load_identifier())
        return _loaded[0]


def _load_identifier():
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    full = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    full.set_languages(list(LATIN_LANGUAGES))
    # A new identifier over the sliced tables only: the full ones (97 languages, 28 MB)
    # are freed instead of being kept for a later `set_languages`.
    return LanguageIdentifier(
        full.nb_ptc,
        full.nb_pc,
        full.nb_classes,
        full.tk_nextmove,
        full.tk_output,
        norm_probs=True,
        tk_row=full.tk_row,
    )


def preload() -> threading.Thread | None:
    """Load the language model in the background, so the first question does not wait
    (nothing to do once it is loaded)."""
    if _loaded:
        return None
    thread = threading.Thread(target=_identifier, name="qabot-langid", daemon=True)
    thread.start()
    return thread


def other_latin_language(text: str) -> str | None:
    """'de', 'es', 'it', 'pt' or 'nl' when py3langid is sure of it; else None."""
    lang, probability = _identifier().classify(text)
    return lang if lang not in ("en", "fr") and probability >= SURE else None


def own_letters(text: str) -> list[str]:
    """The script of each letter of the question's own words: capitalised words after the
    first are left out, since names keep their script in any language ('Кто основал
    McKinsey & Company?')."""
    kept = [
        token
        for index, token in enumerate(text.split())
        if index == 0 or not token[:1].isupper()
    ]
    return [script_of(ch) for token in kept for ch in token if ch.isalpha()]


def detect_language(text: str, known: Container[str] = ()) -> str:
    """'ru', 'ar' from the script; 'fr' or 'en' from the function words used; another
    Latin-script language when a question does not read as English and py3langid is sure.

    `known` holds the words of the knowledge base (English): a question made of them and of
    English function words reads as English without asking py3langid.

    >>> detect_language("Quand Poutine est-il venu ?")
    'fr'
    >>> detect_language("¿Cuándo visitó Putin Argelia?")
    'es'
    """
    letters = [script_of(ch) for ch in text if ch.isalpha()]
    if not letters:
        return "en"
    own = own_letters(text) or letters
    if own.count("cyrillic") * 2 >= len(own):
        return "ru"
    if own.count("arabic") * 2 >= len(own):
        return "ar"
    tokens = words(text)
    # Function words and question words tell the languages apart; content words don't
    # ('tour', 'mission' and 'date' are English and French alike).
    french = sum(
        t in lexicon.stopwords("fr") or t in FRENCH_QUESTION_WORDS
        for t in tokens
        if t not in ("a", "as", "on", "est")
    )
    asks = lexicon.question_words()
    function_words = [t in lexicon.stopwords("en") or (t,) in asks for t in tokens]
    english = sum(function_words)
    plain_english = english and all(
        f or t in known for t, f in zip(tokens, function_words, strict=True)
    )
    french += len(re.findall(r"[àâçéèêëîïôûùœ]", text.lower()))
    latin = letters.count("latin") * 2 > len(letters)
    # A German or Spanish question may hold words that are English too ('Was ist...', 'in');
    # one that reads as English (half of it English function words, or only those and words
    # of the knowledge base) never waits for the model.
    if (
        latin
        and english < CHECKED_BELOW * len(tokens)
        and not plain_english
        and (other := other_latin_language(text))
    ):
        return other
    return "fr" if french > english else "en"
