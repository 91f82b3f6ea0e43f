"""The training script's data: labels, and the unanswerable questions it makes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from knowledge import train

THAMES = Path(__file__).parent / "data" / "articles" / "river-thames.txt"
QUESTIONS = [
    {
        "q": "Which city does the river flow through?",
        "kind": "fact",
        "article": "River Thames",
        "expect_any": ["London"],
    },
    {
        "q": "Which city hosts the Port Authority?",
        "kind": "fact",
        "article": "Elsewhere",
        "expect_any": ["London"],
    },
]


@pytest.fixture(scope="module")
def questions(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("train") / "questions.jsonl"
    path.write_text("".join(json.dumps(q) + "\n" for q in QUESTIONS), "utf-8")
    return path


def test_article_title_reads_the_first_line():
    assert train.article_title(THAMES) == "River Thames"


def test_questions_label_the_facts_that_answer_them(questions: Path, tmp_path: Path):
    examples = train.extract(train.Corpus("t", questions, (THAMES,)), tmp_path)
    assert [q["has_right"] for q in examples.qinfo] == [True, True]
    assert examples.y.sum() > 0


def test_questions_asked_away_are_unanswerable_whatever_the_text_says(
    questions: Path, tmp_path: Path
):
    corpus = train.Corpus("away", questions, (THAMES,), away=True, topics=frozenset({"Elsewhere"}))
    examples = train.extract(corpus, tmp_path)
    assert len(examples.qinfo) == 1  # only the question about the topic asked for
    assert examples.qinfo[0]["kind"] == "oos" and not examples.qinfo[0]["has_right"]
    assert examples.y.sum() == 0 and len(examples.y) > 0
    again = train.extract(corpus, tmp_path)  # read back from the cache, same labels
    assert (again.y == examples.y).all() and again.qinfo == examples.qinfo
