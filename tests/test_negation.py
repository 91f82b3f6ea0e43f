"""Unit tests for knowledge/negation.py."""

from __future__ import annotations

import pytest

from knowledge.negation import negates


@pytest.mark.parametrize(
    ("text", "negated"),
    [
        ("Who wasn't on Celeron's expedition?", True),
        ("Who did not sign the treaty?", True),
        ("Which city never hosted the games?", True),
        ("It was not one of supporting either side.", True),
        ("Nobody came.", True),
        ("Who signed the treaty?", False),
        ("When did Putin visit Algeria?", False),
        ("The notion of a nonaligned Algeria", False),  # 'not' only inside words
        ("Nothing", True),
    ],
)
def test_negates(text, negated):
    assert negates(text) is negated
