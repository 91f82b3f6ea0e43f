"""The engine benchmark's and the ablation's pure helpers, on tiny literal inputs."""

import math

import numpy as np
import pytest

from bench import ablation, engine
from bench.baselines import DenseAlone, FactRow, FTS5Alone


def test_p99_is_the_nearest_rank():
    assert engine.p99(list(range(1, 101))) == 99
    assert engine.p99([5.0]) == 5.0
    assert engine.p99([3, 1, 2]) == 3
    assert math.isnan(engine.p99([]))


def test_ratio_and_mean():
    assert engine.ratio(3.0, 1.5) == 2.0
    assert math.isnan(engine.ratio(1.0, 0.0))
    assert math.isnan(engine.ratio(1.0, float("nan")))
    assert engine.mean([1.0, 2.0, 6.0]) == 3.0
    assert engine.median([4.0, 1.0, 2.0]) == 2.0


def test_accuracy_rows_per_language_and_kind_with_totals():
    xq = ("XQuAD", "en", "answerable")
    ru = ("XQuAD", "ru", "answerable")
    sq = ("SQuAD 2.0", "en", "unanswerable (abstain)")
    counts = engine.tally(
        [
            (xq, "qabot", True),
            (xq, "BM25", False),
            (xq, "qabot", True),
            (xq, "BM25", True),
            (ru, "qabot", False),
            (ru, "BM25", False),
            (sq, "qabot", True),
            (sq, "BM25", False),
        ]
    )
    rows = engine.accuracy_rows(counts, ["qabot", "BM25"])
    assert rows == [
        ["XQuAD", "en", "answerable", 2, 1.0, 0.5],
        ["XQuAD", "ru", "answerable", 1, 0.0, 0.0],
        ["XQuAD", "all", "all", 3, 2 / 3, 1 / 3],
        ["SQuAD 2.0", "en", "unanswerable (abstain)", 1, 1.0, 0.0],
    ]


def test_latency_rows_are_ratios_to_the_references():
    times = {"ask": [0.002, 0.004], "embed": [0.001, 0.002], "bm25": [0.0005, 0.001]}
    rows = engine.latency_rows(times, ["embed", "bm25"])
    name, n, mean_ms, p99_ms, *ratios = rows[0]
    assert (name, n) == ("ask", 2)
    assert mean_ms == pytest.approx(3.0) and p99_ms == pytest.approx(4.0)
    assert ratios == pytest.approx([2.0, 2.0, 4.0, 4.0])
    assert rows[1][4:6] == pytest.approx([1.0, 1.0])


def test_replicas_keep_the_text_and_map_back_to_the_original_passage():
    text = "\ufeff= Super Bowl 50 =\n\nThe game was played.\n"
    copied = engine.replica_text(text, 3)
    assert copied == "= Super Bowl 50 (copy 3) =\n\nThe game was played.\n"
    assert engine.original_passage("Super Bowl 50 (copy 3): The game was played.") == (
        "Super Bowl 50: The game was played."
    )
    assert engine.original_passage("Super Bowl 50: The game.") == "Super Bowl 50: The game."


def test_memo_embedder_embeds_each_question_once():
    class Counting:
        name, dim, calls = "fake", 2, 0

        def queries(self, texts):
            self.calls += len(texts)
            return np.array([[len(t), 1.0] for t in texts], dtype=np.float32)

    inner = Counting()
    memo = engine.MemoEmbedder(inner)
    first = memo.queries(["ab", "abc", "ab"])
    again = memo.queries(["abc"])
    assert inner.calls == 2
    assert first[:, 0].tolist() == [2.0, 3.0, 2.0] and again[0, 0] == 3.0


FACTS = [
    FactRow(1, "The Panthers defense gave up 308 points.", "Super Bowl 50", "", ""),
    FactRow(2, "Denver won the game.", "Super Bowl 50", "", ""),
]


def test_fts5_alone_answers_with_its_best_fact_or_nothing():
    fts = FTS5Alone(FACTS)
    assert fts.top("How many points did the defense give up?")[0] == 0
    assert fts.top("Who won?")[0] == 1
    assert fts.top('Denver "won NEAR(')[0] == 1  # quotes and FTS syntax are only words
    assert fts.answer("zzz qqq", -math.inf).abstained


def test_dense_alone_picks_the_closest_vector():
    matrix = np.array([[0.0, 1.0], [1.0, 0.0]], dtype=np.float32)
    dense = DenseAlone(FACTS, np.array([2, 1]), matrix, lambda q: np.array([0.0, 1.0]))
    index, score = dense.top("anything")
    assert FACTS[index].id == 2 and score == 1.0


def test_ablation_verdicts_and_cells():
    assert ablation.verdict([-5, 0, 1]) == "helps"
    assert ablation.verdict([-5, 4]) == "mixed"
    assert ablation.verdict([0, 2, -2]) == "no measurable effect"
    assert ablation.verdict([0, 3]) == "hurts (off is better)"
    assert ablation.cell(8, 10, 9) == "0.800 (-1)"
    assert ablation.cell(9, 10, 9) == "0.900"


def test_ablation_table_has_a_row_per_switch_measured():
    base = {("dev", "en"): [9, 10], ("dev", "oos"): [5, 5]}
    results = {
        "everything on": base,
        "no synonyms": {("dev", "en"): [5, 10], ("dev", "oos"): [5, 5]},
    }
    lines = ablation.render(results).splitlines()
    assert lines[0].startswith("| switched off | resource | dev en (n=10) | dev oos (n=5)")
    assert lines[2].startswith("| everything on | – | 0.900 | 1.000 | – |")
    assert (
        "| no synonyms |" in lines[3] and "0.500 (-4)" in lines[3] and lines[3].endswith("helps |")
    )


def test_a_partial_run_replaces_only_its_own_sections():
    from bench.__main__ import marked, merge_report

    old = "# report\n\n## 1. Old\n\nkept\n\n" + marked("engine", "## 6. Engine\n\nold figures")
    new = merge_report(
        old,
        {
            "engine": marked("engine", "## 6. Engine\n\nnew figures"),
            "ablation": marked("ablation", "## 7. Ablation\n\nrows"),
        },
    )
    assert "kept" in new and "new figures" in new and "old figures" not in new
    assert new.count("<!-- part:engine -->") == 1
    assert new.rstrip().endswith("rows\n<!-- /part:ablation -->")


def test_a_resource_the_engine_cannot_do_without_is_reported_as_needed():
    base = {("dev", "en"): [9, 10]}
    error = "KeyError ('where',) in intent.py intent_of()"
    table = ablation.render({"everything on": base, "no question words": error})
    assert table.splitlines()[3].endswith(f"| – | needed: {error} |")
