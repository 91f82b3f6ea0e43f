"""Unit tests for knowledge/fact_features.py: what a fact holds, read from its text."""

from __future__ import annotations

from knowledge import fact_features as ff


def test_stems_are_the_stems_of_every_word():
    assert ff.stems("Visits of presidents") == ["visit", "of", "presid"]


def test_country_terms_read_demonyms_and_capitals():
    assert "franc" in ff.country_terms("a French delegation")
    assert ff.country_terms("a delegation") == []


def test_starts_with_pronoun_looks_at_the_first_words_only():
    assert ff.starts_with_pronoun("It was opened in 1911.")
    assert ff.starts_with_pronoun("In 1911 she received the prize.")
    assert not ff.starts_with_pronoun("The embassy was opened in 1911.")
    assert not ff.starts_with_pronoun("The embassy was opened long ago by a minister; it is old.")


def test_subject_terms_leave_out_generic_title_words():
    assert ff.subject_terms("Algeria–Russia relations") == ["algeria", "russia"]


def test_located_terms_follow_in_to_and_at():
    assert ff.located_terms("He travelled to Moscow and stayed at Oran") == ["moscow", "oran"]
    assert ff.located_terms("Moscow is big") == []


def test_value_flags_name_each_kind_of_value():
    assert ff.value_flags("The embassy opened on 5 July 1962.", "sentence") == "d"
    assert "q" in ff.value_flags("Trade reached 4 billion dollars.", "sentence")
    assert "p" in ff.value_flags("The talks were led by Vladimir Putin.", "sentence")
    assert "c" in ff.value_flags("Trade fell because of the war.", "sentence")
    assert ff.value_flags("Ambassador: Valerian Shuvaev", "infobox").count("p") == 1
    assert "l" in ff.value_flags("Moscow, 2001", "row")
    assert ff.value_flags("nothing much", "sentence") == ""
