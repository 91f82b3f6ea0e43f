"""Confidence thresholds, read off the calibration table (`qabot eval --calibration`).

ABSTAIN: below this confidence qabot says it does not know instead of answering.
GROUP_SILENCE: in group chats, free-text answers below this confidence are not sent at all
(an explicit /ask is always answered).
UNSURE: answers below this confidence come with "did you mean" alternatives.
"""

# confidence = 1 / (1 + exp(-SLOPE * (score - MIDPOINT))): a logistic fit of "was the top
# fact right?" against the ranking score, over the dev set and tests/data/eval_articles.jsonl.
MIDPOINT = 0.5
SLOPE = 4.6

ABSTAIN = 0.5
GROUP_SILENCE = 0.7
UNSURE = 0.75
