"""Confidence thresholds, chosen by `python -m knowledge.train` from its calibration curve.

Confidence is the fitted chance that the quoted fact answers the question (knowledge/model.py).
The training script picks the thresholds from out-of-fold predictions (folds split by article)
and ships them beside the weights in knowledge/data/ranker.json:

ABSTAIN: below this confidence qabot says it does not know instead of answering; the value
    that handles the most questions right, answerable and unanswerable together.
UNSURE: answers below this confidence come with "did you mean" alternatives.
GROUP_SILENCE: in group chats, free-text answers below this confidence are not sent at all
    (an explicit /ask is always answered): answers above it were right 9 times in 10.
"""

from __future__ import annotations

from .model import shipped_thresholds

_chosen = shipped_thresholds()

ABSTAIN: float = _chosen["ABSTAIN"]
UNSURE: float = _chosen["UNSURE"]
GROUP_SILENCE: float = _chosen["GROUP_SILENCE"]
