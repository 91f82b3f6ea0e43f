"""Answers quote the seed verbatim with a sourced section; out-of-scope questions abstain."""

from __future__ import annotations

from pathlib import Path

import pytest

from knowledge import VisitFilter, parse_visit_filter

SEED = Path(__file__).resolve().parents[1] / "knowledge" / "data" / "algeria-russia-relations.txt"
ARTICLE = "Algeria–Russia relations"
URL = "https://en.wikipedia.org/wiki/Algeria%E2%80%93Russia_relations"


@pytest.fixture(scope="module")
def seed_text() -> str:
    return SEED.read_text("utf-8")


@pytest.mark.parametrize(
    ("question", "expected", "section", "anchor"),
    [
        (
            "How big was the Algerian debt that was written off in 2006?",
            "In 2006, Algeria's 5.7 billion dollar debt was forgiven, and Algeria gave a "
            "7.5 billion dollar arms deal to Russia, the first major African arms deal of "
            "Russian Federation.",
            "Background › Post Cold War",
            "Post_Cold_War",
        ),
        (
            "In what year was the joint commission on trade set up?",
            "In 1993, the Joint Russian-Algerian Commission on Trade, Economic, and "
            "Scientific-Technical Cooperation was established.",
            "Background › Recent relations",
            "Recent_relations",
        ),
        (
            "Who hosted the Non-Aligned Movement in Algiers in 1973?",
            "In 1973, Houari Boumediène hosted the Non-Aligned Movement in Algiers.",
            "Background › Cold War Era › 1970s",
            "1970s",
        ),
        (
            "where was the metallurgical plant built",
            "In May 1964, the countries signed an agreement, under which the USSR agreed to "
            "provide technical assistance in the construction of a metallurgical plant in the "
            "city of Annaba (another long-term loan of 115 million rubles was granted for these "
            "needs).",
            "Background › Cold War Era › Early years",
            "Early_years",
        ),
        (
            "Which Russian firms work on hydrocarbons in Algeria?",
            "Russian companies, including Rosneft and Stroytransgaz, have formed partnerships "
            "and consortiums to develop hydrocarbon resources in Algeria.",
            "Economic relations",
            "Economic_relations",
        ),
    ],
)
def test_answer_quotes_the_source(kb, seed_text, question, expected, section, anchor):
    answer = kb.ask(question)
    assert not answer.abstained
    assert answer.text == expected
    assert answer.text in seed_text  # verbatim
    assert answer.confidence >= 0.5
    source = answer.sources[0]
    assert source.article == ARTICLE
    assert source.section == section
    assert source.url == f"{URL}#{anchor}"


def test_infobox_answer(kb):
    answer = kb.ask("Which diplomat is Moscow's ambassador to Algeria?")
    assert not answer.abstained
    assert answer.text == "Russian Ambassador to Algeria: Valerian Shuvaev"
    assert answer.sources[0].article == ARTICLE
    assert answer.sources[0].url == URL


def test_single_visit_answer(kb):
    answer = kb.ask("In which year did Medvedev travel to Algiers?")
    assert not answer.abstained
    assert answer.text == (
        "Guest: President Dmitry Medvedev · Host: President Abdelaziz Bouteflika · "
        "Place of visit: Algiers · Date of visit: 6 October 2010"
    )
    assert answer.sources[0].url == f"{URL}#High_level_visits"


@pytest.mark.parametrize(
    ("question", "date"),
    [
        ("متى زار بوتين الجزائر؟", "10 March 2006"),  # 'when visited Putin Algeria'
        ("متى زار بوتفليقة موسكو؟", "3-6 April 2001"),  # Bouteflika went to Moscow
    ],
)
def test_arabic_verb_first_visit_questions(kb, question, date):
    answer = kb.ask(question)
    assert not answer.abstained
    assert date in answer.text.splitlines()[0]


@pytest.mark.parametrize(
    "question",
    [
        "Quando Putin visitou a Argélia?",  # Portuguese: no word list reads who went where
        "Putin Cezayir'i ne zaman ziyaret etti?",  # Turkish: was Bouteflika's visit at 0.87
    ],
)
def test_a_visit_question_without_roles_gets_the_visit_both_ways(kb, question):
    answer = kb.ask(question)
    assert not answer.abstained
    assert [(v.guest, v.date) for v in answer.visits] == [
        ("President Abdelaziz Bouteflika", "3-6 April 2001"),
        ("President Vladimir Putin", "10 March 2006"),
    ]
    assert "10 March 2006" in answer.text


def test_the_words_not_the_vectors_tell_which_way_a_visit_went(kb):
    # Ukrainian: no roles read, but 'Алжир' fits the visit to Algiers better than its mirror,
    # which the vectors ranked first
    answer = kb.ask("Коли Путін відвідав Алжир?")
    assert answer.lang == "uk" and not answer.abstained
    assert answer.text.count("Guest:") == 1 and "10 March 2006" in answer.text


def test_a_visit_question_with_roles_still_gets_one_way(kb):
    answer = kb.ask("Когда Путин посетил Алжир?")
    assert [v.date for v in answer.visits] in ([], ["10 March 2006"])
    assert answer.text.count("Guest:") == 1 and "10 March 2006" in answer.text


def test_arabic_visit_that_never_happened_is_said_so(kb):
    answer = kb.ask("متى زار بريجنيف الجزائر؟")  # Brezhnev only hosted Algerian leaders
    assert answer.abstained
    assert all("Brezhnev" not in line.split("·")[0] for line in answer.text.splitlines())


def test_paraphrased_ambassador_question(kb):
    answer = kb.ask("Who represents Russia as ambassador in Algiers?")
    assert answer.text == "Russian Ambassador to Algeria: Valerian Shuvaev"


def test_firms_named_in_the_previous_sentence(kb):
    answer = kb.ask("Name the Russian firms involved in Algerian hydrocarbons")
    assert "Rosneft" in answer.text


def test_loan_amount_question(kb):
    # the loan sentence is dated by 'In December 1963, ...' earlier in its paragraph
    answer = kb.ask("How much was the loan granted by the Soviet Union in 1963?")
    assert "90 million rubles" in answer.text


@pytest.mark.xfail(
    strict=True, reason="engine answers Tebboune's visit sentence, not the meeting with Putin"
)
def test_who_met_whom_question(kb):
    answer = kb.ask("Who did Tebboune meet in June 2023?")
    assert "Vladimir Putin" in answer.text


@pytest.mark.parametrize(
    "question",
    [
        "Which city is Australia's capital?",
        "Who is the Algerian ambassador to China?",
        "Who scored the winning goal in the 2018 World Cup final?",
        "qwx zzptl vorb glorpf",
        "What is the population of Algeria?",
        "",
        "   \n\t ",
        "a" * 4096,
        "why " * 2000,
        'NEAR( "annaba" ) OR * AND "',
    ],
)
def test_out_of_scope_abstains(kb, question):
    answer = kb.ask(question)
    assert answer.abstained
    assert answer.sources == ()
    assert answer.confidence < 0.5
    assert answer.text


def test_abstention_text_and_suggestions(kb):
    answer = kb.ask("Which city is Australia's capital?")
    assert answer.abstained
    assert answer.text == "I don't know: the articles I have don't say."
    assert "Who is the Russian Ambassador to Algeria?" in answer.suggestions
    assert kb.ask("").text == "Ask me a question."


def test_abstention_suggests_the_closest_facts_for_this_question(kb):
    """Below the threshold, the best candidates are offered, not the same three examples."""
    answer = kb.ask("What did the 1967 Algerian military parade include?")
    assert answer.abstained
    assert answer.alternatives
    # the words' suggestions carry their chance; one only the vector found, none (0.0)
    assert all(0.2 <= alt.confidence < 1 or alt.confidence == 0 for alt in answer.alternatives)
    assert any(alt.confidence >= 0.2 for alt in answer.alternatives)
    texts = [kb.fact(alt.fact_id).text for alt in answer.alternatives]
    assert texts == [alt.text for alt in answer.alternatives]


def test_a_refused_english_question_is_offered_the_facts_nearest_its_vector(kb):
    # its words ('lend', 'sixties') meet no sentence: nothing was suggested; its vector
    # finds the loan
    answer = kb.ask("How much did Moscow lend Algiers in the sixties?")
    assert answer.abstained
    assert any("long-term loan" in alt.text for alt in answer.alternatives)
    assert len({alt.text for alt in answer.alternatives}) == len(answer.alternatives) <= 3


def test_an_off_topic_question_is_offered_nothing_near_its_vector(kb):
    answer = kb.ask("What is the capital of Australia?")
    assert answer.abstained
    assert all(alt.confidence > 0 for alt in answer.alternatives)


def test_visit_list_question(kb):
    answer = kb.ask("List visits in the 2000s")
    assert not answer.abstained
    assert [v.date for v in answer.visits] == [
        "3-6 April 2001",
        "10 March 2006",
        "18-19 February 2008",
    ]
    assert answer.text.splitlines() == [
        "Guest: President Abdelaziz Bouteflika · Host: President Vladimir Putin · "
        "Place of visit: Moscow · Date of visit: 3-6 April 2001",
        "Guest: President Vladimir Putin · Host: President Abdelaziz Bouteflika · "
        "Place of visit: Algiers · Date of visit: 10 March 2006",
        "Guest: President Abdelaziz Bouteflika · Host: President Vladimir Putin · "
        "Place of visit: Moscow · Date of visit: 18-19 February 2008",
    ]
    assert [s.url for s in answer.sources] == [f"{URL}#High_level_visits"]


def test_visit_list_by_decade(kb):
    answer = kb.ask("Show me the visits of the 1960s")
    assert [v.year_from for v in answer.visits] == [1965, 1967, 1969]


def test_visit_list_by_person(kb):
    answer = kb.ask("Which visits involved Putin?")
    assert len(answer.visits) >= 3
    assert all("Putin" in f"{v.guest} {v.host}" for v in answer.visits)


@pytest.mark.parametrize(
    ("text", "expected_filter", "dates"),
    [
        (
            "1960s",
            VisitFilter(year_from=1960, year_to=1969),
            ["13-18 December 1965", "June–July 1967", "26 March-1 April 1969"],
        ),
        (
            "2000-2010",
            VisitFilter(year_from=2000, year_to=2010),
            ["3-6 April 2001", "10 March 2006", "18-19 February 2008", "6 October 2010"],
        ),
        (
            "putin",
            VisitFilter(name="putin"),
            ["3-6 April 2001", "10 March 2006", "18-19 February 2008", "13 June 2023"],
        ),
        (
            "moscow 2001",
            VisitFilter(year_from=2001, year_to=2001, name="moscow"),
            ["3-6 April 2001"],
        ),
        ("2006", VisitFilter(year_from=2006, year_to=2006), ["10 March 2006"]),
        (
            "Algiers",
            VisitFilter(name="algiers"),
            ["26 March-1 April 1969", "10 March 2006", "6 October 2010"],
        ),
        (
            "",
            VisitFilter(),
            [
                "13-18 December 1965",
                "June–July 1967",
                "26 March-1 April 1969",
                "3-6 April 2001",
                "10 March 2006",
                "18-19 February 2008",
                "6 October 2010",
                "13 June 2023",
            ],
        ),
        ("1990s", VisitFilter(year_from=1990, year_to=1999), []),
    ],
)
def test_visit_filters(kb, text, expected_filter, dates):
    flt = parse_visit_filter(text)
    assert flt == expected_filter
    assert [v.date for v in kb.visits(flt)] == dates


def test_visit_filter_person_and_place(kb):
    visits = kb.visits(VisitFilter(person="Bouteflika", place="Moscow"))
    assert [v.date for v in visits] == ["3-6 April 2001", "18-19 February 2008"]


def test_search(kb):
    facts = kb.search("Rosneft")
    assert facts[0].text.startswith("Russian companies, including Rosneft and Stroytransgaz")
    assert facts[0].section == "Economic relations"
    assert kb.search("") == []


def test_answer_fact(kb):
    visit = kb.visits(parse_visit_filter("2006"))[0]
    answer = kb.answer_fact(visit.fact_id)
    assert answer.text.endswith("Date of visit: 10 March 2006")
    assert kb.answer_fact(999_999) is None


def test_visit_lists_follow_direction_and_role(multi_kb):
    answer = multi_kb.ask("Which Japanese leaders visited France?")
    assert [v.place for v in answer.visits] == ["Paris", "Paris", "Paris", "Paris"]
    assert all(v.article == "France–Japan relations" for v in answer.visits)
    between = multi_kb.ask("List the visits between France and Japan in the 2010s")
    assert [v.year_from for v in between.visits] == [2013, 2014, 2019]
    by_putin = multi_kb.ask("List all visits by Putin")
    assert [v.date for v in by_putin.visits] == ["10 March 2006"]
    hosted = multi_kb.ask("List the visits hosted by Vladimir Putin")
    assert [v.year_from for v in hosted.visits] == [2001, 2008, 2023]


def test_visit_filters_know_countries(multi_kb):
    japan = multi_kb.visits(parse_visit_filter("japan 2010s"))
    assert [v.year_from for v in japan] == [2013, 2014, 2019]
    to_algeria = multi_kb.visits(VisitFilter(place="algeria"))
    assert {v.place for v in to_algeria} == {"Algiers"}


def test_a_sentence_that_refers_back_is_quoted_with_the_one_before(multi_kb):
    answer = multi_kb.ask("How much did it cost to build the Thames Barrier?")
    assert answer.text == (
        "The Thames Barrier at Woolwich was built between 1974 and 1982 to protect London from "
        "storm surges coming up from the North Sea. It was officially opened by Queen Elizabeth II "
        "on 8 May 1984 and cost about £535 million."
    )


def test_a_fact_the_gate_vetoes_is_still_suggested(seed_db):
    # a gate that doubts every answer: qabot abstains, and offers the fact it would have quoted
    import dataclasses

    import numpy as np

    from knowledge.kb import KnowledgeBase, open_database
    from knowledge.model import CALIBRATION_FEATURES, Gate, Linear, Routed, shipped

    never = Linear(("top",), np.zeros(1), np.ones(1), np.zeros(1), -10.0)
    doubt = Gate(never.aligned(CALIBRATION_FEATURES), floor=0.5)
    routed = Routed(dataclasses.replace(shipped().english, gate=doubt), shipped().foreign)
    kb = KnowledgeBase(open_database(seed_db, read_only=True), seed_db, model=routed)
    with kb:
        answer = kb.ask("How much was the loan in 1963?")
    assert answer.abstained and answer.confidence < 0.001
    assert answer.alternatives and "90 million rubles" in answer.alternatives[0].text
