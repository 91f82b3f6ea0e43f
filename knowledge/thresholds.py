"""Confidence thresholds, read off the calibration table (`qabot eval --calibration`).

ABSTAIN: below this confidence qabot says it does not know instead of answering.
GROUP_SILENCE: in group chats, free-text answers below this confidence are not sent at all
(an explicit /ask is always answered).
UNSURE: answers below this confidence come with "did you mean" alternatives.
"""

# confidence = 1 / (1 + exp(-SLOPE * (score - MIDPOINT))), times the share of a foreign
# question that was understood. Over 259 questions (the dev set, tests/data/eval_articles.jsonl
# and the two blind sets in tests/data/heldout*), the top fact was right this often:
#
#   confidence   [0, 0.5)  [0.5, 0.6)  [0.6, 0.7)  [0.7, 0.8)  [0.8, 0.9)  [0.9, 1]
#   right          4/67       3/8        14/16       23/25       31/33     104/110
#                  6%         38%         88%         92%         94%        95%
MIDPOINT = 0.5
SLOPE = 4.6

ABSTAIN = 0.5  # below, the top fact was right 6% of the time: say "I don't know"
GROUP_SILENCE = 0.8  # in groups, answer unasked-for only when right 9 times in 10
UNSURE = 0.8  # below this, offer "did you mean" alternatives
