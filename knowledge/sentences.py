"""Split paragraphs into sentences without breaking on abbreviations, initials or decimals."""

from __future__ import annotations

import re

# A candidate boundary: . ! or ? (optionally followed by closing quotes or brackets), then
# white space, then something that can start a sentence.
BOUNDARY_RE = re.compile(r"""(?<=[.!?])(['"”’)\]]*)\s+(?=['"“‘(\[]?[A-Z0-9À-ÖØ-Þ])""")

# Words after which a full stop does not end a sentence.
ABBREVIATIONS = frozenset(
    [
        "mr",
        "mrs",
        "ms",
        "dr",
        "prof",
        "sr",
        "jr",
        "st",
        "mt",
        "ft",
        "gen",
        "col",
        "lt",
        "capt",
        "cpt",
        "sgt",
        "maj",
        "adm",
        "gov",
        "sen",
        "rep",
        "pres",
        "rev",
        "hon",
        "vol",
        "vols",
        "fig",
        "figs",
        "ed",
        "eds",
        "approx",
        "est",
        "dept",
        "univ",
        "inc",
        "ltd",
        "co",
        "corp",
        "bros",
        "vs",
        "v",  # versus: 'Brown v. Board of Education'
        "c",  # circa: 'c. 1200'
        "ca",
        "cca",
        "viz",
        "cf",
        "al",
        "jan",
        "feb",
        "mar",
        "apr",
        "jun",
        "jul",
        "aug",
        "sep",
        "sept",
        "oct",
        "nov",
        "dec",
        "e.g",
        "i.e",
        "a.m",
        "p.m",
        "u.s",
        "u.k",
        "u.n",
    ]
)


# Characters before a full stop in which to look for the word it ends: longer words are
# neither abbreviations nor initials.
LAST_WORD = 64

# Abbreviations only before a number ('No. 12'); elsewhere the word ends a sentence ('no.').
NUMBER_ABBREVIATIONS = frozenset({"no", "nos"})


def split_sentences(text: str) -> list[str]:
    """Split running text into sentences, keeping each sentence verbatim."""
    text = text.strip()
    if not text:
        return []
    sentences: list[str] = []
    start = 0
    for match in BOUNDARY_RE.finditer(text):
        end = match.end(1)
        # Only the last word before the stop and the first character after it matter: pass
        # no more, so that a paragraph of 'A. A. A. …' (initials, never a boundary) is not
        # copied once per stop (quadratic: 8,000 of them took 9 s).
        if _is_false_boundary(text[max(start, end - LAST_WORD) : end], text[match.end()]):
            continue
        sentences.append(text[start:end].strip())
        start = match.end()
    sentences.append(text[start:].strip())
    return [s for s in sentences if s]


def _is_false_boundary(chunk: str, following: str = "") -> bool:
    """True when the full stop ending `chunk` belongs to an abbreviation or an initial.

    The word before the stop is its last hyphenated part ('Trinity-St.' is 'St.'). 'No.' is an
    abbreviation only before a number ('No. 12'); elsewhere it is the word 'no'.
    """
    chunk = chunk.rstrip("'\"”’)] ")
    if not chunk.endswith("."):
        return False
    words = chunk[:-1].split()
    if not words:
        return True
    last = words[-1].lstrip("('\"“‘[")
    if len(last) == 1 and last.isalpha() and last.isupper():
        return True  # an initial: "J. Smith"
    if re.fullmatch(r"(?:[A-Za-z]\.)+[A-Za-z]", last):
        return True  # "U.S." style
    word = last.rsplit("-", 1)[-1].casefold()
    if word in NUMBER_ABBREVIATIONS:
        return following[:1].isdigit()
    return word in ABBREVIATIONS
