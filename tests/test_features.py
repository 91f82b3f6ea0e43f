"""Unit tests for every scoring signal in knowledge/features.py and the fitted model's reader."""

from __future__ import annotations

import json
import math
from importlib import resources
from types import SimpleNamespace

import numpy as np
import pytest

from knowledge import features, grading, thresholds, train
from knowledge.model import (
    CALIBRATION_FEATURES,
    ENGLISH_ROUTE,
    Gate,
    Linear,
    Model,
    Routed,
    route,
    shipped,
    sigmoid,
)
from knowledge.query import Term


def test_intent_match_rewards_the_kind_of_value_asked_for():
    assert features.intent_match("when", "dq") == 1.0
    assert features.intent_match("when", "q") == -1.0
    assert features.intent_match("what", "dq") == 0.0


def test_reciprocal_rank_is_one_for_the_first_and_zero_when_absent():
    assert features.reciprocal_rank(0) == 1.0
    assert features.reciprocal_rank(3) == 0.25
    assert features.reciprocal_rank(None) == 0.0


def test_relative_is_a_share_of_the_best_score():
    assert features.relative(5.0, 10.0) == 0.5
    assert features.relative(None, 10.0) == 0.0
    assert features.relative(5.0, 0.0) == 0.0
    assert features.relative(20.0, 10.0) == 1.0


def test_length_grows_with_words():
    assert features.length("") == 0.0
    assert features.length("one two") < features.length("one two three four five six")


def test_english_share_tells_english_from_other_languages():
    assert features.english_share("When did Putin visit Algiers?") > 0.3
    assert features.english_share("Когда Путин посетил Алжир?") == 0.0
    assert features.english_share("Wann besuchte Putin Algerien?") == 0.0
    assert features.english_share("") == 0.0


def test_a_question_in_another_language_does_not_read_as_english_for_its_shared_words():
    german = "Wann war Putin in Algerien?"  # 'in' is an English function word
    assert features.english_share(german) > 0.0
    assert features.question_english(german, "de") == 0.0
    english = "When did Putin visit Algiers?"
    assert features.question_english(english, "en") == features.english_share(english)
    french = "Quand Poutine a visité Alger ?"  # French questions keep their lexical route
    assert features.question_english(french, "fr") == features.english_share(french)


def test_known_share_counts_terms_in_the_vocabulary():
    terms = [Term("putin", "putin", 1.0), Term("xyz", "xyz", 1.0, known=False)]
    assert features.known_share(terms) == 0.5
    assert features.known_share([]) == 0.0


def _vector(**overrides):
    values = dict(
        lexical=0.7,
        coverage=0.8,
        missing=0,
        intent=1.0,
        place=1.0,
        wording=0.5,
        dense=0.9,
        best_dense=0.92,
        paragraph=0.85,
        best_paragraph=0.9,
        dense_rank=1,
        fts_rank=0,
        bm25=4.0,
        best_bm25=8.0,
        table=False,
        kind="sentence",
        text="A short fact.",
        english=1.0,
        known=1.0,
    )
    values.update(overrides)
    return features.vector(**values)


def test_vector_has_one_value_per_feature_in_its_range():
    row = _vector()
    assert len(row) == len(features.BASE_FEATURES)
    named = dict(zip(features.BASE_FEATURES, row, strict=True))
    assert named["dense_gap"] == pytest.approx(-0.02)
    assert named["paragraph_gap"] == pytest.approx(-0.05)
    assert named["dense_rank"] == 0.5 and named["fts_rank"] == 1.0 and named["bm25"] == 0.5
    assert named["foreign_dense"] == 0.0  # an English question: the foreign terms are off


def test_vector_clips_extreme_values():
    named = dict(
        zip(
            features.BASE_FEATURES,
            _vector(lexical=50.0, missing=9, coverage=3, place=-4.0),
            strict=True,
        )
    )
    assert named["lexical"] == 2.0 and named["missing"] == 3.0 and named["coverage"] == 1.0
    assert named["place"] == -1.0


def test_foreign_terms_carry_the_signal_for_a_question_that_is_not_english():
    named = dict(
        zip(features.BASE_FEATURES, _vector(english=0.0, dense=0.8, best_dense=0.9), strict=True)
    )
    assert named["foreign_dense"] == pytest.approx(-0.1)
    assert named["foreign_lexical"] == pytest.approx(0.7)


def test_linear_model_standardises_then_applies_the_weights():
    model = Linear(
        ("a", "b"), np.array([1.0, 0.0]), np.array([2.0, 1.0]), np.array([1.0, -1.0]), 0.5
    )
    assert model.logits(np.array([[3.0, 1.0]]))[0] == pytest.approx(1.0 - 1.0 + 0.5)
    assert Linear.from_dict(model.to_dict()).logits([[3.0, 1.0]])[0] == pytest.approx(0.5)


def test_sigmoid_never_overflows():
    assert sigmoid(1e9) == pytest.approx(1.0)
    assert sigmoid(-1e9) == pytest.approx(0.0)


def test_the_shipped_models_read_the_current_features():
    for model in (shipped().english, shipped().foreign):
        assert model.ranker.names == features.FEATURES
        assert model.calibrator.names == CALIBRATION_FEATURES


def test_a_model_that_needs_a_feature_gone_is_refused():
    data = json.loads(resources.files("knowledge").joinpath("data", "ranker.json").read_text())
    ranker = data["foreign"]["ranker"]
    weighted = next(i for i, c in enumerate(ranker["coef"]) if c)
    ranker["names"][weighted] = "something_else"
    with pytest.raises(ValueError, match="something_else.*knowledge.train"):
        Routed.from_dict(data)


def test_weights_fitted_before_a_feature_existed_give_it_no_weight():
    old = Linear(("a", "b"), np.zeros(2), np.ones(2), np.array([1.0, 2.0]), 0.5)
    new = old.aligned(("a", "new", "b"))
    rows = np.array([[1.0, 7.0, 3.0], [0.0, -4.0, 1.0]])
    assert new.names == ("a", "new", "b")
    assert np.allclose(new.logits(rows), old.logits(rows[:, [0, 2]]))
    assert Linear(("a", "b"), np.zeros(2), np.ones(2), np.array([1.0, 0.0]), 0).aligned(("a",))


def test_a_model_uses_vectors_only_when_it_weighs_a_feature_read_from_them():
    def linear(names, coef):
        n = len(names)
        return Linear(tuple(names), np.zeros(n), np.ones(n), np.array(coef, dtype=float), 0.0)

    words_only = Model(linear(["lexical", "dense"], [1, 0]), linear(["top", "best_dense"], [4, 0]))
    assert not words_only.uses_vectors
    ranked = Model(linear(["lexical", "dense_gap_en"], [1, 0.5]), linear(["top"], [4]))
    assert ranked.uses_vectors
    calibrated = Model(linear(["lexical"], [1]), linear(["top", "best_paragraph"], [4, 1]))
    assert calibrated.uses_vectors
    assert not shipped().english.uses_vectors and shipped().foreign.uses_vectors


def test_questions_that_read_as_english_take_the_english_route():
    routed = shipped()
    assert routed.pick(ENGLISH_ROUTE) is routed.english and route(0.5) == "english"
    assert routed.pick(0.0) is routed.foreign and route(0.0) == "foreign"
    assert routed.english.pick(0.0) is routed.english  # a single model serves every route


def test_lexical_gap_is_the_distance_to_the_best_lexical_score():
    gaps = features.lexical_gap(np.array([1.0, -0.5, 0.2, -9.0]))
    assert gaps.tolist() == pytest.approx([0.0, -1.5, -0.8, -4.0])
    assert len(features.lexical_gap(np.array([]))) == 0


def test_lexical_rank_is_reciprocal_and_keeps_ties_in_order():
    assert features.lexical_rank(np.array([0.1, 0.9, 0.1])).tolist() == pytest.approx(
        [1 / 2, 1.0, 1 / 3]
    )


def test_derived_columns_follow_the_base_and_scale_by_english():
    base = np.array([_vector(english=0.5), _vector(english=0.5)])
    base[1, features.BASE_FEATURES.index("lexical")] = -1.0
    full = features.with_derived(base)
    assert full.shape == (2, len(features.FEATURES))
    assert (full[:, : len(features.BASE_FEATURES)] == base).all()
    gap = features.FEATURES.index("lexical_gap")
    assert full[0, gap] == 0.0 and full[1, gap] < 0.0
    en = features.FEATURES.index("lexical_gap_en")
    assert full[1, en] == pytest.approx(0.5 * full[1, gap])


BEST = features.with_derived(np.array([_vector()]))[0]


def test_confidence_grows_with_the_margin_over_the_runner_up():
    model = shipped().foreign
    close = model.confidence(np.array([2.0, 1.9]), BEST, english=1.0, known=1.0, dense=0.9)
    clear = model.confidence(np.array([2.0, -3.0]), BEST, english=1.0, known=1.0, dense=0.9)
    assert 0.0 <= close <= clear <= 1.0
    assert model.confidence(np.array([]), BEST, english=1.0, known=1.0, dense=0.9) == 0.0
    assert not math.isnan(close)


def test_calibration_bins_hold_every_confidence_once():
    assert grading.calibration_bin(0.0) == 0
    assert grading.calibration_bin(0.5) == grading.BINS.index(0.5)
    assert grading.calibration_bin(1.0) == len(grading.BINS) - 2
    assert grading.bin_bounds(len(grading.BINS) - 2) == (0.9, 1.0)


def test_each_route_reads_the_thresholds_chosen_for_it():
    data = json.loads(resources.files("knowledge").joinpath("data", "ranker.json").read_text())
    for route_name in ("english", "foreign"):
        chosen = data.get("chosen", {}).get(route_name) or data["thresholds"]
        limits = thresholds.of(route_name)
        assert (limits.abstain, limits.unsure) == (chosen["ABSTAIN"], chosen["UNSURE"])
        assert limits.abstain <= limits.unsure
    assert thresholds.of("klingon") == thresholds.of("english")
    assert thresholds.of("english").abstain == thresholds.ABSTAIN


def _pool_of(cases: list[tuple[str, float]]) -> tuple[SimpleNamespace, dict]:
    """A stand-in for train.Pool: questions answered at the given confidences, each 'right',
    'wrong' or 'oos' (unanswerable)."""
    questions = [{"kind": "oos" if k == "oos" else "fact", "weight": 1.0} for k, _ in cases]
    conf = {i: (c, k == "right") for i, (k, c) in enumerate(cases)}
    return SimpleNamespace(questions=questions), conf


def test_abstain_threshold_weighs_a_wrong_answer_above_an_abstention():
    # one right and three wrong answers at 0.305: answering still pays (1 - 3 * WRONG_COST > 0)
    pool, conf = _pool_of([("right", 0.305)] + [("wrong", 0.305)] * 3 + [("right", 0.9)])
    assert train.choose_thresholds(pool, conf)["ABSTAIN"] <= 0.305
    # with five wrong ones it no longer does: abstain below the next confidence up
    pool, conf = _pool_of([("right", 0.305)] + [("wrong", 0.305)] * 5 + [("right", 0.9)])
    assert 0.305 < train.choose_thresholds(pool, conf)["ABSTAIN"] <= 0.9
    # an unanswerable question answered is as wrong as a wrong fact
    pool, conf = _pool_of([("right", 0.305)] + [("oos", 0.305)] * 5 + [("right", 0.9)])
    assert train.choose_thresholds(pool, conf)["ABSTAIN"] > 0.305


def test_smoothing_prefers_a_plateau_to_a_lone_peak():
    values = [0, 0, 5, 0, 0, 3, 3, 3, 3, 3]
    assert list(train.smoothed([1, 2, 3], 1)) == [1.5, 2.0, 2.5]
    assert int(np.argmax(values)) == 2
    assert int(np.argmax(train.smoothed(values, 2))) == 7


def _linear(names, coef, intercept=0.0):
    n = len(names)
    return Linear(tuple(names), np.zeros(n), np.ones(n), np.array(coef, dtype=float), intercept)


def test_the_gate_caps_the_confidence_only_below_its_floor():
    gate = Gate(_linear(["top"], [1.0]), floor=0.2)
    doubtful = sigmoid(-2.0)  # the gate's chance when top is -2: 0.12, under the floor
    assert gate.cap(0.9, [-2.0]) == pytest.approx(doubtful)
    assert gate.cap(0.05, [-2.0]) == 0.05  # never raised
    assert gate.cap(0.9, [-1.0]) == 0.9  # 0.27 is above the floor: the confidence stands


def test_a_gated_model_round_trips_and_lowers_only_doubtful_answers():
    calibrator = _linear(CALIBRATION_FEATURES, [0.0] * len(CALIBRATION_FEATURES), 3.0)
    gate_coef = [0.0] * len(CALIBRATION_FEATURES)
    gate_coef[CALIBRATION_FEATURES.index("best_coverage")] = 10.0
    gate = Gate(_linear(CALIBRATION_FEATURES, gate_coef, -5.0), floor=0.3)
    model = Model(_linear(features.FEATURES, [0.0] * len(features.FEATURES)), calibrator, gate)
    again = Model.from_dict(json.loads(json.dumps(model.to_dict())))
    covered, uncovered = BEST.copy(), BEST.copy()
    covered[features.FEATURES.index("coverage")] = 1.0
    uncovered[features.FEATURES.index("coverage")] = 0.1
    args = {"english": 1.0, "known": 1.0, "dense": 0.0}
    assert again.confidence(np.array([1.0]), covered, **args) == pytest.approx(sigmoid(3.0))
    assert again.confidence(np.array([1.0]), uncovered, **args) == pytest.approx(sigmoid(-4.0))
    assert Model(model.ranker, calibrator).confidence(
        np.array([1.0]), uncovered, **args
    ) == pytest.approx(sigmoid(3.0))


def test_a_gate_on_vectors_makes_the_model_embed_questions():
    words = Model(_linear(["lexical"], [1]), _linear(["top"], [4]))
    gated = Model(words.ranker, words.calibrator, Gate(_linear(["best_dense"], [1.0]), 0.2))
    assert not words.uses_vectors and gated.uses_vectors
    assert shipped().english.gate is not None and not shipped().english.uses_vectors
