"""Unit tests for knowledge/attachment.py: which name a word is attached to."""

from __future__ import annotations

import pytest

from knowledge.attachment import attachments, conflicts, same_name


@pytest.mark.parametrize(
    ("text", "pairs"),
    [
        ("What is the capital of Russia?", {("capit", "russia")}),
        ("the capital of the United Kingdom", {("capit", "united kingdom")}),
        ("Where did Oppman's daughters go?", {("daughter", "oppman")}),
        ("When Celoron's expedition arrived", {("expedit", "celoron")}),  # not 'when celoron'
        ("Algerian president Abdelmadjid Tebboune", {("presid", "algeria")}),
        ("Which diplomat is Moscow's ambassador?", {("ambassador", "russia")}),  # its capital
        ("The Russian Federation", {("feder", "russia")}),
        ("one of Oppman's friends", {("friend", "oppman")}),  # 'one of' owns nothing
        ("It was built in 1950 by the city.", set()),
    ],
)
def test_attachments(text, pairs):
    assert attachments(text) == pairs


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        ("donald davis", "donald davies", True),  # a typo
        ("warsaw", "old warsaw", True),
        ("uk", "united kingdom", True),  # initials
        ("algeria", "russia", False),
        ("stalin", "warsaw", False),
    ],
)
def test_same_name(a, b, same):
    assert same_name(a, b) is same


def test_a_fact_contradicts_a_question_that_attaches_the_same_word_to_another_name():
    question = attachments("What is the capital of Russia?")
    assert conflicts(question, attachments("Algiers, the capital of Algeria")) == 1
    assert conflicts(question, attachments("Moscow, the capital of Russia")) == 0
    assert conflicts(question, attachments("The president of Algeria")) == 0  # another word
    assert conflicts(question, frozenset()) == 0
