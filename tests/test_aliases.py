"""Taught aliases: matched before retrieval, found again after a rebuild, never misapplied."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import ARTICLES, SEED

from knowledge import KnowledgeBase, build_knowledge_base
from knowledge.aliases import AliasBook, ask, resolve, statuses
from knowledge.feedback import Alias, fact_hash

SHUVAEV = "Russian Ambassador to Algeria: Valerian Shuvaev"
QUESTION = "Who is the ambassador?"


def fact_of(kb: KnowledgeBase, text: str) -> int:
    [fact_id] = [i for (i, t) in kb.db.execute("select id, text from facts") if t == text]
    return fact_id


def alias_to(kb: KnowledgeBase, text: str, question: str = QUESTION) -> Alias:
    return Alias(1, question, fact_of(kb, text), fact_hash(text), 0.0)


def test_retrieval_alone_answers_with_the_other_ambassador(kb: KnowledgeBase):
    # the premise of the tests below: without an alias the engine picks another fact
    assert kb.ask(QUESTION).text != SHUVAEV


def test_a_taught_question_and_close_variants_answer_with_the_fact_marked_curated(
    kb: KnowledgeBase,
):
    book = AliasBook([alias_to(kb, SHUVAEV)])
    for variant in (QUESTION, "who is the ambassador", "Who's the ambassador?"):
        answer = ask(kb, variant, book)
        assert (answer.text, answer.curated, answer.abstained) == (SHUVAEV, True, False)
        assert answer.sources and answer.question == variant
    unrelated = ask(kb, "When did Putin visit Algiers?", book)
    assert unrelated.curated is False and unrelated.text != SHUVAEV
    assert ask(kb, QUESTION, None).curated is False


def test_an_alias_in_another_language_frames_the_answer_in_it(kb: KnowledgeBase):
    book = AliasBook([alias_to(kb, SHUVAEV, "Кто посол России?")])
    answer = ask(kb, "Кто посол России?", book)
    assert (answer.text, answer.curated, answer.lang) == (SHUVAEV, True, "ru")


def test_an_alias_survives_a_rebuild_that_renumbers_facts(tmp_path: Path, kb: KnowledgeBase):
    alias = alias_to(kb, SHUVAEV)
    rebuilt = tmp_path / "rebuilt.db"
    build_knowledge_base([ARTICLES / "apollo-11.txt", SEED], rebuilt)  # other facts come first
    with KnowledgeBase.open(rebuilt) as new:
        moved = fact_of(new, SHUVAEV)
        assert moved != alias.fact_id  # the ids did change
        assert resolve(new, alias) == moved
        [status] = statuses(new, [alias])
        assert status.moved and status.fact_id == moved
        answer = ask(new, QUESTION, AliasBook([alias]))
        assert (answer.text, answer.curated, answer.fact_ids) == (SHUVAEV, True, (moved,))


def test_an_alias_whose_fact_is_gone_is_never_applied_to_another_fact(
    tmp_path: Path, kb: KnowledgeBase
):
    alias = alias_to(kb, SHUVAEV)
    article = tmp_path / "changed.txt"
    text = SEED.read_text("utf-8").replace("Valerian Shuvaev", "Somebody Else")
    article.write_text(text, "utf-8")
    rebuilt = tmp_path / "rebuilt.db"
    build_knowledge_base([article], rebuilt)
    with KnowledgeBase.open(rebuilt) as new:
        assert new.fact(alias.fact_id) is not None  # the old id now holds another fact
        assert resolve(new, alias) is None
        assert statuses(new, [alias])[0].fact_id is None
        answer = ask(new, QUESTION, AliasBook([alias]))
        assert answer.curated is False  # answered by retrieval, as if never taught
        assert answer == new.ask(QUESTION)


@pytest.mark.parametrize(
    ("question", "matches"),
    [
        ("Who is the ambassador?", True),
        ("WHO IS THE AMBASSADOR", True),
        ("who is the ambasador?", True),  # a typo
        ("Who is the president?", False),
        ("ambassador", False),
    ],
)
def test_alias_matching_needs_a_high_fuzzy_score(question: str, matches: bool):
    book = AliasBook([Alias(1, QUESTION, 2, "h", 0.0)])
    assert (book.match(question) is not None) is matches
