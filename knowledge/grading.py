"""The grading rule of ../shared/eval/score.py, for `qabot eval` and the ranker's labels."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

DASHES = dict.fromkeys(map(ord, "\u2010\u2011\u2012\u2013\u2014\u2015\u2212"), "-")
QUOTES = {ord("\u2018"): "'", ord("\u2019"): "'", ord("\u201c"): '"', ord("\u201d"): '"'}
# The confidence bins of the calibration tables (`qabot eval --calibration`, knowledge.train).
BINS = (0.0, 0.2, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.01)


def calibration_bin(confidence: float) -> int:
    """The index of the bin [BINS[i], BINS[i + 1]) that holds `confidence`."""
    return next((i for i, edge in enumerate(BINS[1:]) if confidence < edge), len(BINS) - 2)


def bin_bounds(index: int) -> tuple[float, float]:
    """A bin's lower and upper confidence, the last one ending at 1."""
    return BINS[index], min(BINS[index + 1], 1.0)


def norm(text: str) -> str:
    """Case-folded, without accents, dashes and quotes unified, white space collapsed."""
    text = unicodedata.normalize("NFKD", text or "")
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = text.translate(DASHES).translate(QUOTES).casefold()
    return re.sub(r"\s+", " ", text).strip()


def in_words(phrase: str, text: str) -> bool:
    """The phrase occurs in the text, not inside a longer word or number."""
    return bool(phrase) and re.search(r"(?<!\w)" + re.escape(phrase) + r"(?!\w)", text) is not None


def text_answers(case: dict, text: str, sections: Iterable[str] = ()) -> bool:
    """Does quoting `text` (from these sections) answer the case? Never for an 'oos' case."""
    if case["kind"] == "oos":
        return False
    answer = norm(text)
    found = in_words if case.get("match") == "word" else (lambda p, a: p in a)
    if any(not found(norm(p), answer) for p in case.get("expect_all", [])):
        return False
    expect_any = case.get("expect_any", [])
    if expect_any and not any(found(norm(p), answer) for p in expect_any):
        return False
    if case.get("section"):
        return any(norm(case["section"]) in norm(s) for s in sections)
    return True


def grade(case: dict, abstained: bool, text: str, sections: Iterable[str] = ()) -> bool:
    """The score.py rule: abstain on 'oos'; otherwise answer with the expected phrases."""
    if case["kind"] == "oos":
        return abstained
    return not abstained and text_answers(case, text, sections)
