"""Confidence thresholds, chosen by `python -m knowledge.train` from its calibration curve.

Confidence is the fitted chance that the quoted fact answers the question (knowledge/model.py).
The training script picks the thresholds of each route (questions that read as English, and
the others) from out-of-fold predictions (folds split by article) and ships them beside the
weights in knowledge/data/ranker.json:

abstain: below this confidence qabot says it does not know instead of answering; the value
    that handles the most questions right, answerable and unanswerable together.
unsure: answers below this confidence come with "did you mean" alternatives.
group_silence: in group chats, free-text answers below this confidence are not sent at all
    (an explicit /ask is always answered): answers above it were right 9 times in 10.

Read them with `of(answer.route)`. ABSTAIN, UNSURE and GROUP_SILENCE are the english route's.
"""

from __future__ import annotations

from dataclasses import dataclass

from .model import ROUTES, shipped_thresholds


@dataclass(frozen=True)
class Limits:
    """One route's thresholds."""

    abstain: float
    unsure: float
    group_silence: float


def _shipped(route: str) -> Limits:
    chosen = shipped_thresholds(route)
    return Limits(chosen["ABSTAIN"], chosen["UNSURE"], chosen["GROUP_SILENCE"])


_BY_ROUTE = {route: _shipped(route) for route in ROUTES}


def of(route: str) -> Limits:
    """The thresholds for answers to questions of `route` ('english' or 'foreign')."""
    return _BY_ROUTE.get(route, _BY_ROUTE["english"])


ABSTAIN: float = _BY_ROUTE["english"].abstain
UNSURE: float = _BY_ROUTE["english"].unsure
GROUP_SILENCE: float = _BY_ROUTE["english"].group_silence
