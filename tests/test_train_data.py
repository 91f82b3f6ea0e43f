"""The training script's data: labels, and the unanswerable questions it makes."""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest

from knowledge import KnowledgeBase, features, train
from knowledge.feedback import TrainingPair, fact_hash
from knowledge.query import analyse

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


def test_feedback_labels_the_facts_people_taught_or_voted_right(seed_db: Path):
    with KnowledgeBase.open(seed_db) as kb:
        ambassador = kb.ask("Who is the Russian ambassador to Algeria?")
        fact = kb.fact(ambassador.fact_ids[0])
    taught = "who speaks for moscow in algiers"
    pairs = [
        TrainingPair(taught, fact_hash(fact.text), 1, "alias"),
        TrainingPair("when did putin come", fact_hash(fact.text), 0, "vote"),  # 👎 only
    ]
    examples = train.feedback_examples(pairs, seed_db)
    by_question = {q: i for i, q in enumerate(sorted({p.question for p in pairs}))}
    taught_rows = examples.question == by_question[taught]
    assert examples.y[taught_rows].sum() == 1  # exactly the taught fact
    assert examples.qinfo[by_question[taught]]["has_right"]
    wrong_rows = examples.question == by_question["when did putin come"]
    assert examples.y[wrong_rows].sum() == 0
    assert not examples.qinfo[by_question["when did putin come"]]["has_right"]


def test_feedback_needs_its_knowledge_base(tmp_path: Path, capsys: pytest.CaptureFixture):
    with pytest.raises(SystemExit):
        train.main(["--feedback", str(tmp_path / "feedback.db"), "--dry-run"])
    assert "--feedback-base" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        train.main(["--feedback", str(tmp_path / "no.db"), "--feedback-base", str(THAMES)])
    assert "is not a file" in capsys.readouterr().err


def test_own_weight_weighs_every_set_of_the_project_own():
    own = {c.name: c.weight for c in train.corpora(7.0)}
    assert own["own"] == own["blind1"] == own["blind2"] == 7.0
    assert own.get("dev", 7.0) == 7.0
    default = {c.name: c.weight for c in train.corpora()}
    assert default["own"] == train.OWN_WEIGHT


def test_training_reads_vectors_even_for_a_route_that_does_not_use_them(kb):
    # the shipped English route ranks by words alone, but a model fitted next may weigh the
    # dense features: they must not be extracted as zeros
    _, cands, base, _ = train._candidates(kb, "How much was the loan in 1963?")
    dense = base[:, features.BASE_FEATURES.index("dense")]
    assert len(cands) and np.abs(dense).max() > 0.1
    _, answered, _ = kb.candidates(analyse("How much was the loan in 1963?", kb.vocab))
    assert np.all(answered[:, features.BASE_FEATURES.index("dense")] == 0)


def test_extend_fits_only_the_new_features_and_holds_every_other_weight():
    rng = np.random.default_rng(0)
    questions, per = 200, 5
    x = rng.normal(size=(questions * per, len(features.FEATURES)))
    place = features.FEATURES.index("place")
    lexical = features.FEATURES.index("lexical")
    x[:, place] = rng.choice([-1.0, 0.0, 1.0], size=len(x))
    qid = np.repeat(np.arange(questions), per)
    # the right candidate of each question is the one its place agrees with most
    y = np.zeros(len(x))
    for q in range(questions):
        rows = np.flatnonzero(qid == q)
        y[rows[np.argmax(x[rows, place] + 0.1 * x[rows, lexical])]] = 1
    coef = np.zeros(len(features.FEATURES))
    coef[lexical] = 0.5
    held = train.Linear(features.FEATURES, np.zeros_like(coef), np.ones_like(coef), coef, 0.0)
    ranker, before, after = train.extend(held, ["place"], x, y, qid, np.ones(questions))
    assert ranker.coef[place] > 1.0  # it learned that place decides
    assert ranker.coef[lexical] == 0.5 and np.count_nonzero(ranker.coef) == 2
    assert after < before


def test_the_gate_floor_refuses_what_the_gate_doubts_and_keeps_what_it_trusts():
    # 10 unanswerable questions answered at 0.9 that the gate gives 0.1, and 10 right answers
    # at 0.9 that it gives 0.6: any floor between the two handles all 20 right
    questions = [{"corpus": "set", "kind": "oos"}] * 10 + [{"corpus": "set", "kind": "fact"}] * 10
    p = SimpleNamespace(questions=questions)
    chance = np.array([0.1] * 10 + [0.6] * 10)
    confidence = np.full(20, 0.9)
    right = np.array([False] * 10 + [True] * 10)
    floor, table = train.choose_floor(p, list(range(20)), chance, confidence, right, 0.5)
    assert 0.1 < floor < 0.6
    means = dict((value, mean) for value, mean, _ in table)
    assert means[floor] == 1.0 and means[0.0] == pytest.approx(0.5 - 10 * train.WRONG_COST / 20)


def test_questions_handled_are_counted_per_corpus():
    # each corpus gets its own mean, so a big one cannot outvote a small one
    big = [{"corpus": "big", "kind": "fact"}] * 100
    small = [{"corpus": "small", "kind": "oos"}] * 10
    p = SimpleNamespace(questions=big + small)
    handled = train.handled_by_corpus(
        p, list(range(110)), np.array([True] * 100 + [False] * 10), np.array([True] * 110)
    )
    assert handled == {"big": 1.0, "small": 1.0}
