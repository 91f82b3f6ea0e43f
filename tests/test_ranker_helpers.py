"""Unit tests for the small pure helpers of knowledge/ranker.py."""

from __future__ import annotations

import pytest

from knowledge import ranker
from knowledge.query import Query
from knowledge.terms import Term


def query(*terms: Term, intent: str = "what") -> Query:
    return Query("q", "en", intent, list(terms), "q")


AROUND = ranker._Around({"antecedent": "putin", "context": "visit", "nearby": "moscow"})


@pytest.mark.parametrize(
    ("credits", "body", "credit"),
    [
        ({"algeria": 1.0, "algerian": 0.9}, {"algeria", "visit"}, 1.0),
        ({"algeria": 1.0, "algerian": 0.9}, {"algerian", "visit"}, 0.9),  # a related form
        ({"algeria": 1.0, "algerian": 0.9}, {"algeria", "algerian"}, 1.0),  # the best form
        ({"putin": 1.0}, set(), ranker.ANTECEDENT_CREDIT),  # in the sentence 'he' refers to
        ({"visit": 1.0}, set(), ranker.CONTEXT_CREDIT),  # in the section or article heading
        ({"moscow": 1.0}, set(), ranker.NEARBY_CREDIT),  # in the next or previous sentence
        ({"algiers": 1.0}, {"visit"}, 0.0),
    ],
)
def test_credit(credits, body, credit):
    assert ranker._credit(credits, frozenset(credits), body, AROUND) == credit


@pytest.mark.parametrize(
    ("terms", "other"),
    [
        ("apollo 8 was launched", True),  # another mission, and never the asked one
        ("apollo 11 and apollo 8", False),  # the asked one is there
        ("the apollo programme", False),  # no number at all
        ("stage 8 of apollo", False),
    ],
)
def test_other_compound(terms, other):
    assert ranker._other_compound([("apollo", "11")], terms.split()) is other


@pytest.mark.parametrize(
    ("after", "before", "body", "inside"),
    [
        (1858, None, {"1859", "visit"}, True),
        (1858, None, {"1858"}, False),  # bounds are exclusive
        (None, 1900, {"1899"}, True),
        (None, 1900, {"1900", "12"}, False),
        (1959, 1970, {"1965"}, True),  # a decade
        (1959, 1970, {"1970"}, False),
        (1959, None, {"visit"}, False),  # no year at all
    ],
)
def test_in_range(after, before, body, inside):
    term = Term("y", "y", 1.0, after=after, before=before)
    assert ranker._in_range(term, body) is inside


@pytest.mark.parametrize(
    ("intent", "flags", "bonus"),
    [
        ("when", "dq", 0.06),  # holds a date
        ("when", "q", -0.14),  # no date
        ("quantity", "q", 0.06),
        ("who", "l", -0.08),
        ("where", "l", 0.04),
        ("why", "c", 0.08),
        ("what", "d", 0.0),  # 'what' asks for no particular kind of value
        ("list", "", 0.0),
    ],
)
def test_intent_bonus(intent, flags, bonus):
    assert ranker._intent_bonus(intent, flags) == bonus


def test_fts_query_quotes_every_form_once():
    q = query(
        Term("visit", "visit", 1.0, {"visitor": 0.9}),
        Term("visitor", "visitor", 1.0),
        Term('a"b', 'a"b', 1.0),
    )
    assert ranker.fts_query(q) == '"visit" OR "visitor" OR "a""b"'


def test_fts_query_of_no_terms_is_empty():
    assert ranker.fts_query(query()) == ""


def test_fts_query_leaves_common_forms_to_scoring_in_a_large_base():
    q = query(Term("visit", "visit", 1.0), Term("putin", "putin", 1.0))
    assert ranker.fts_query(q, {"visit": 900, "putin": 3}, 1000) == '"putin"'
    # every form common: keep them all rather than search for nothing
    assert ranker.fts_query(q, {"visit": 900, "putin": 900}, 1000) == '"visit" OR "putin"'
    # 'common' means 2% of the facts, and at least 500 of them
    assert ranker.fts_query(q, {"visit": 600, "putin": 3}, 100_000) == '"visit" OR "putin"'


def test_place_agreement_says_whether_the_fact_puts_things_where_the_question_does():
    russia = frozenset({"russia", "russian"})
    assert ranker.place_agreement(russia, {"russia"}) == 1.0
    assert ranker.place_agreement(russia, {"algeria"}) == -1.0


def _row(ident: int, text: str, terms: str, located: str) -> dict:
    return {
        "id": ident,
        "text": text,
        "terms": terms,
        "located": located,
        "kind": "infobox",
        "flags": "p",
        "article_id": 1,
        "antecedent": "",
        "context": "",
        "nearby": "",
    }


def test_a_place_the_question_locates_picks_the_fact_that_locates_it_too():
    # 'the ambassador of Algeria in Russia': the same words, only the places differ
    terms = [
        Term("ambassador", "ambassador", 1.0),
        Term("algeria", "algeria", 1.0, entity=True),
        Term("russia", "russia", 1.0, entity=True, located=True),
    ]
    rows = [
        _row(1, "Russian Ambassador to Algeria: Shuvaev", "russia ambassador algeria", "algeria"),
        _row(2, "Algerian Ambassador to Russia: Guennad", "algeria ambassador russia", "russia"),
        _row(3, "Ambassadors of Algeria and Russia", "ambassador algeria russia", ""),
    ]
    scored = {c.id: c for c in ranker.score(query(*terms, intent="who"), rows)}
    assert [scored[i].places for i in (1, 2, 3)] == [-1.0, 1.0, 0.0]
    assert scored[2].score > scored[3].score > scored[1].score


def test_a_fact_that_attaches_the_asked_word_to_another_name_misses_the_name():
    terms = [Term("capital", "capit", 1.0), Term("russia", "russia", 1.0, entity=True)]
    asked = Query("What is the capital of Russia?", "en", "what", terms, "what capital russia")
    rows = [
        {
            **_row(
                1,
                "Algiers, the capital of Algeria, hosted Russian ministers.",
                "algier capit algeria host russia minist",
                "",
            ),
            "kind": "sentence",
        },
        {**_row(2, "It is the capital of Russia.", "capit russia", ""), "kind": "sentence"},
        {
            **_row(3, "It hosted Russian ministers.", "host russia minist", ""),
            "kind": "sentence",
            "antecedent": "algier capit algeria",
            "previous_text": "Algiers is the capital of Algeria.",
        },
    ]
    scored = {c.id: c for c in ranker.score(asked, rows)}
    assert [scored[i].missing for i in (1, 2)] == [1, 0]
    assert scored[3].missing >= 1  # said by the sentence it is quoted with
    assert scored[2].score - scored[1].score >= ranker.CONTRADICTION_PENALTY


def test_a_question_that_negates_is_not_answered_by_a_fact_that_negates_nothing():
    terms = [Term("sign", "sign", 1.0), Term("treaty", "treati", 1.0)]
    asked = Query("Who did not sign the treaty?", "en", "who", terms, "who not sign treaty")
    rows = [
        {**_row(1, "Algeria signed the treaty.", "algeria sign treati", ""), "kind": "sentence"},
        {
            **_row(2, "Libya did not sign the treaty.", "libya not sign treati", ""),
            "kind": "sentence",
        },
    ]
    scored = {c.id: c.score for c in ranker.score(asked, rows)}
    assert scored[2] - scored[1] >= ranker.CONTRADICTION_PENALTY
    plain = Query("Who signed the treaty?", "en", "who", terms, "who sign treaty")
    unpenalised = {c.id: c.score for c in ranker.score(plain, rows)}
    assert unpenalised[1] >= unpenalised[2] - 0.1
