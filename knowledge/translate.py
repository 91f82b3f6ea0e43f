"""Map a Russian, French or Arabic question to English tokens: lexicon phrases, CLDR place
names, transliterated names, and words French and English share."""

from __future__ import annotations

import re

from unidecode import unidecode

from . import lexicon
from .names import name_like, transliterate
from .terms import Vocabulary
from .text import TOKEN_RE, fold, stem

ARABIC_PROCLITICS = ("وال", "بال", "فال", "كال", "لل", "ال", "و", "ب", "ل", "ف", "ك")


def to_english(question: str, lang: str, vocab: Vocabulary) -> tuple[list[tuple[str, bool]], float]:
    """Map a foreign question to English tokens; also say how much of it we understood."""
    lex = lexicon.foreign(lang)
    places = vocab.places.get(lang, {})
    raw = TOKEN_RE.findall(question)
    folded = [fold(t) for t in raw]
    if lang == "ar":
        folded = [strip_proclitics(t, lex, places) for t in folded]
    stems_ = [stem(t, lang) for t in folded]
    out: list[tuple[str, bool]] = []
    content = mapped = 0
    i = 0
    while i < len(raw):
        hit = None
        # In Latin script a capital inside the sentence marks a name: one the articles
        # know is kept as it is ('le Tour de France'; but 'la tour Eiffel' is a tower).
        as_name = lang == "fr" and i > 0 and raw[i][:1].isupper() and vocab.knows(stem(folded[i]))
        for size in range(0 if as_name else min(lex.longest, len(raw) - i), 0, -1):
            key = tuple(stems_[i : i + size])
            if key in lex.phrases or tuple(folded[i : i + size]) in lex.phrases:
                hit = size, lex.phrases.get(key) or lex.phrases[tuple(folded[i : i + size])]
                break
        if hit is None and not as_name:
            hit = _by_prefix(stems_[i], lex)
        place = _place(stems_, folded, i, places)
        if place and (not hit or place[0] >= hit[0]):
            size, name = place
            out.extend((fold(w), True) for w in name.split())
            content += 1
            mapped += 1
            i += size
            continue
        if hit:
            size, english = hit
            out.extend((w, False) for w in english)
            content += 1
            mapped += 1
            i += size
            continue
        token = folded[i]
        if token.isdigit():
            out.append((token, False))
        elif token in lexicon.stopwords(lang) or len(token) == 1:
            pass
        else:
            content += 1
            guess = transliterate(stems_[i], raw[i], lang, vocab) if name_like(raw[i]) else None
            if guess:
                # Only a capitalised word is surely a name; a guess from Arabic consonants
                # may be wrong, so it must not count as a name the answer has to contain.
                out.append((guess, raw[i][:1].isupper()))
                mapped += 1
            elif lang == "fr" and stem(token) in vocab.stem_df:
                out.append((token, False))  # a word French and English share: 'construction'
                mapped += 1
            elif raw[i][:1].isupper() and i > 0:
                # A name we cannot place ('Montparnasse'): the articles don't know it, and
                # that is worth knowing, as it is for an unknown name in English.
                out.append((re.sub(r"[^a-z]", "", fold(unidecode(raw[i]))) or token, True))
        i += 1
    return out, (mapped / content if content else 1.0)


def _by_prefix(stem_: str, lex) -> tuple[int, tuple[str, ...]] | None:
    """A lexicon word whose stem starts the same way, when endings defeat the stemmer
    ('барьерного' and 'барьерный')."""
    for size in range(len(stem_), 4, -1):
        english = lex.phrases.get((stem_[:size],))
        if english:
            return 1, english
    return None


def strip_proclitics(token: str, lex, places) -> str:
    """'لشركة' -> 'شركة': drop the article and the one-letter prefixes Arabic writes attached,
    when what remains is a word we know."""
    if (stem(token, "ar"),) in lex.phrases or (token,) in lex.phrases:
        return token
    for prefix in ARABIC_PROCLITICS:
        rest = token[len(prefix) :]
        if token.startswith(prefix) and len(rest) >= 3:
            if (stem(rest, "ar"),) in lex.phrases or (rest,) in lex.phrases:
                return rest
            if stem(rest, "ar") in places or rest in places:
                return rest
    return token


def _place(stems_, folded, i, places) -> tuple[int, str] | None:
    for size in (3, 2, 1):
        if i + size <= len(stems_):
            key = " ".join(stems_[i : i + size])
            if key in places:
                return size, places[key]
            key = " ".join(folded[i : i + size])
            if key in places:
                return size, places[key]
    return None
