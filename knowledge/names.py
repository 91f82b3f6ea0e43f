"""Names across languages and scripts: a rough phonetic key, a consonant skeleton, and the
transliteration of a foreign name ('Poutine', 'Путин', 'بوتين') to a name the articles use."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from rapidfuzz import fuzz, process
from unidecode import unidecode

from .text import fold, script_of, stem

if TYPE_CHECKING:
    from .terms import Vocabulary

PHONETIC_RULES = (
    ("ph", "f"),
    ("kh", "h"),
    ("dzh", "j"),
    ("dj", "j"),
    ("zh", "j"),
    ("ou", "u"),
    ("ie", "i"),
    ("iu", "u"),
    ("ck", "k"),
    ("ce", "se"),
    ("ci", "si"),
    ("c", "k"),
    ("q", "k"),
    ("w", "v"),
    ("y", "i"),
    ("z", "s"),
    ("x", "ks"),
)
SKELETON_TABLE = str.maketrans(
    {
        "p": "b",
        "v": "f",
        "o": "",
        "e": "",
        "i": "",
        "u": "",
        "a": "",
        "w": "",
        "y": "",
        "h": "",
        "'": "",
        "c": "k",
        "q": "k",
        "g": "j",
        "z": "s",
        "x": "ks",
    }
)


def phonetic(word: str) -> str:
    """A rough sound key shared by spellings of one name across languages.

    >>> phonetic("poutine"), phonetic("putin")
    ('putin', 'putin')
    """
    for a, b in PHONETIC_RULES:
        word = word.replace(a, b)
    word = re.sub(r"(.)\1+", r"\1", word)
    return word[:-1] if len(word) > 4 and word.endswith("e") else word


def skeleton(word: str) -> str:
    """Consonants only, with sounds Arabic script merges folded together ('putin' -> 'btn')."""
    return re.sub(r"(.)\1+", r"\1", word.translate(SKELETON_TABLE))


def name_like(raw: str) -> bool:
    """Could this word be a name? Capitalised, or in a script without capitals."""
    return raw[:1].isupper() or script_of(raw) == "arabic"


def transliterate(stemmed: str, raw: str, lang: str, vocab: Vocabulary) -> str | None:
    """A foreign name written in Latin letters, if it is close to a name we know.

    Names are spelt differently in every language ('Poutine', 'Путин', 'بوتين' are all Putin),
    so they are compared by a rough phonetic key, by edit distance, and by their consonants.
    """
    forms = [re.sub(r"[^a-z]", "", fold(unidecode(text))) for text in (raw, stemmed)]
    forms = [f for f in dict.fromkeys(forms) if len(f) >= 3]
    for latin in forms:
        if stem(latin) in vocab.stem_df:
            return latin
    for latin in forms:
        corrected = vocab.correct(latin)
        if corrected:
            return corrected
    for latin in forms:
        key = phonetic(latin)
        if key in vocab.phonetic_names:
            return vocab.phonetic_names[key]
        if len(key) >= 4 and lang != "ar":
            match = process.extractOne(
                key, vocab.phonetic_names, scorer=fuzz.ratio, score_cutoff=80, processor=None
            )
            if match:
                return match[0]
            prefix = _known_prefix(key, vocab)
            if prefix:
                return prefix
    for latin in forms:
        found = _by_skeleton(latin, vocab)
        if found:
            return found
    return None


def _known_prefix(key: str, vocab: Vocabulary) -> str | None:
    """A name the word starts with: 'nobelevsk' (Russian adjective) -> 'nobel'."""
    for size in range(len(key) - 1, 3, -1):
        name = vocab.phonetic_names.get(key[:size])
        if name:
            return name
    return None


def _by_skeleton(latin: str, vocab: Vocabulary) -> str | None:
    """The most frequent known name whose consonants match an Arabic transliteration."""
    if len(latin) > 5:
        latin = latin.removeprefix("al").removeprefix("l")
    key = skeleton(latin)
    if len(key) < 2 or (len(key) < 3 and len(latin) > 4):
        return None
    return vocab.skeletons.get(key)
