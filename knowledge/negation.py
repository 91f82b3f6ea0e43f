"""Whether an English text negates: 'Who wasn't on the expedition?', 'Algeria did not join'.

A question that negates is not answered by a sentence that does not: "Who did not sign the
treaty?" quoted "Algeria signed the treaty" answers the opposite question. The cues are the
negation words of the Pang and Lee sentiment work (the list NLTK's `mark_negation` uses), with
"nobody", "neither", "nor" and "cannot".
"""

from __future__ import annotations

import re

NEGATION_RE = re.compile(
    r"\b(?:not|no|never|none|nothing|nowhere|nobody|noone|neither|nor|cannot)\b|n['’]t\b",
    re.IGNORECASE,
)


def negates(text: str) -> bool:
    """Whether `text` holds a negation cue."""
    return bool(NEGATION_RE.search(text))
