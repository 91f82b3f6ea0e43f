"""Sentence splitting: real boundaries split, abbreviations, initials, decimals and dates don't."""

from __future__ import annotations

from pathlib import Path

import pytest

from knowledge import parse_file
from knowledge.sentences import split_sentences

SEED = Path(__file__).resolve().parents[1] / "knowledge" / "data" / "algeria-russia-relations.txt"


def test_etc_before_a_capital_ends_a_sentence():
    assert split_sentences(
        "It covered personnel training, etc. The Soviet Union granted Algeria a loan."
    ) == [
        "It covered personnel training, etc.",
        "The Soviet Union granted Algeria a loan.",
    ]


def test_seed_etc_sentence_splits_in_two():
    seed = parse_file(SEED)
    paragraph = next(p for p in seed.paragraphs if "personnel training, etc." in p.text)
    sentences = split_sentences(paragraph.text)
    assert sentences[1] == (
        "The USSR committed itself to provide assistance in reconstructing and building "
        "industrial plants, agricultural development, geological exploration, personnel "
        "training, etc."
    )
    assert sentences[2] == (
        "The Soviet Union granted Algeria a long-term loan in the amount of 90 million rubles."
    )
    assert len(sentences) == 4


def test_initials_do_not_end_a_sentence():
    assert split_sentences("The study by J. R. Smith was published. It was short.") == [
        "The study by J. R. Smith was published.",
        "It was short.",
    ]


def test_decimals_do_not_end_a_sentence():
    assert split_sentences("Algeria's 5.7 billion dollar debt was forgiven. Trade grew.") == [
        "Algeria's 5.7 billion dollar debt was forgiven.",
        "Trade grew.",
    ]


def test_dates_do_not_end_a_sentence():
    text = (
        "Relations were established de jure on March 23, 1962, by a decree. "
        "Talks began on Mar. 5 in Moscow."
    )
    assert split_sentences(text) == [
        "Relations were established de jure on March 23, 1962, by a decree.",
        "Talks began on Mar. 5 in Moscow.",
    ]


@pytest.mark.parametrize(
    "text",
    [
        "Dr. Smith met Gen. Jones in Algiers.",
        "The treaty (No. 12) was signed by Mr. Brown.",
        "Prices rose by approx. 10 percent.",
        "It was signed on 1 Jan. 1970 in Moscow.",
    ],
)
def test_abbreviations_keep_one_sentence(text):
    assert split_sentences(text) == [text]


def test_question_and_exclamation_marks():
    assert split_sentences("Was it signed? Yes! It was signed in 1963.") == [
        "Was it signed?",
        "Yes!",
        "It was signed in 1963.",
    ]


def test_closing_quote_stays_with_its_sentence():
    assert split_sentences('He called it "the brightest night." Then it rained.') == [
        'He called it "the brightest night."',
        "Then it rained.",
    ]


def test_lowercase_after_full_stop_is_not_a_boundary():
    assert split_sentences("The figure was 3 p.m. sharp and then it ended.") == [
        "The figure was 3 p.m. sharp and then it ended."
    ]


def test_sentence_starting_with_a_year():
    assert split_sentences("Talks stalled. 1993 brought a commission.") == [
        "Talks stalled.",
        "1993 brought a commission.",
    ]


def test_empty_and_blank():
    assert split_sentences("") == []
    assert split_sentences("   ") == []


def test_sentences_are_verbatim_substrings_of_the_seed():
    seed = parse_file(SEED)
    for paragraph in seed.paragraphs:
        for sentence in split_sentences(paragraph.text):
            assert sentence in paragraph.text


@pytest.mark.parametrize(
    "text",
    [
        "He sang at Trinity-St. Paul's Centre in Toronto.",
        "The case Brown v. Board of Education ended segregation.",
        "The church was built c. 1200 by monks.",
        "The abbey dates from ca. 1150 and later.",
        "The GDP per capita was PLN 94 000 in 2008 (c. EUR 23 800, USD 33 000).",
        "The treaty No. 12 was signed.",
    ],
)
def test_saint_versus_and_circa_keep_one_sentence(text):
    assert split_sentences(text + " It ended.") == [text, "It ended."]


def test_no_before_a_word_ends_a_sentence():
    assert split_sentences("The output is yes or no. The objective is to decide.") == [
        "The output is yes or no.",
        "The objective is to decide.",
    ]
