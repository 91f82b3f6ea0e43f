"""The fitted ranker and confidence, read from a small JSON file shipped in the package.

Two logistic models, fitted by `python -m knowledge.train`:

1. the ranker scores every candidate fact: the chance that it answers the question;
2. the calibrator turns the best candidate's score, its margin over the runner-up and how
   English the question reads into the chance that the quoted fact is right. That chance is
   the confidence that the thresholds in `knowledge/thresholds.py` read.

There is one such pair per route: questions that read as English (`ENGLISH_ROUTE`, the share of
English function words) go to the "english" pair, the others to the "foreign" one, so each
language group gets a ranker and a confidence curve of its own.
"""

from __future__ import annotations

import functools
import json
import math
from dataclasses import dataclass
from importlib import resources

import numpy as np

from .features import FEATURES

MODEL_FILE = "ranker.json"
VECTOR_FEATURE_PARTS = ("dense", "paragraph")  # features (and their variants) read from vectors
ENGLISH_ROUTE = 0.2  # questions with at least this share of English function words
ROUTES = ("english", "foreign")
# The best candidate's scores, and the same again for a question that does not read as English:
# cross-lingual similarities run lower, so each language group gets its own curve.
QUESTION_FEATURES = ("top", "margin", "share", "english", "known", "dense")
CALIBRATION_FEATURES = (
    QUESTION_FEATURES
    + ("top_foreign", "margin_foreign", "share_foreign", "dense_foreign")
    + tuple(f"best_{name}" for name in FEATURES)
)


def sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-max(-60.0, min(60.0, x))))


@dataclass(frozen=True)
class Linear:
    """A standardised logistic model: sigmoid(((x - mean) / scale) . coef + intercept)."""

    names: tuple[str, ...]
    mean: np.ndarray
    scale: np.ndarray
    coef: np.ndarray
    intercept: float

    @classmethod
    def from_dict(cls, data: dict) -> Linear:
        return cls(
            tuple(data["names"]),
            np.asarray(data["mean"], dtype=np.float64),
            np.asarray(data["scale"], dtype=np.float64),
            np.asarray(data["coef"], dtype=np.float64),
            float(data["intercept"]),
        )

    def to_dict(self) -> dict:
        return {
            "names": list(self.names),
            "mean": [round(float(v), 6) for v in self.mean],
            "scale": [round(float(v), 6) for v in self.scale],
            "coef": [round(float(v), 6) for v in self.coef],
            "intercept": round(self.intercept, 6),
        }

    def aligned(self, names: tuple[str, ...]) -> Linear:
        """This model over the inputs `names`: an input it was not fitted on gets weight 0, so
        weights fitted before a feature was added still load. A weighted input that `names`
        lacks is an error."""
        if names == self.names:
            return self
        lost = [n for n, c in zip(self.names, self.coef, strict=True) if c and n not in names]
        if lost:
            raise ValueError(f"the weights need features that no longer exist: {', '.join(lost)}")
        index = {name: i for i, name in enumerate(self.names)}
        mean, scale, coef = np.zeros(len(names)), np.ones(len(names)), np.zeros(len(names))
        for i, name in enumerate(names):
            if name in index:
                j = index[name]
                mean[i], scale[i], coef[i] = self.mean[j], self.scale[j], self.coef[j]
        return Linear(names, mean, scale, coef, self.intercept)

    def logits(self, rows: np.ndarray) -> np.ndarray:
        rows = np.atleast_2d(np.asarray(rows, dtype=np.float64))
        return ((rows - self.mean) / self.scale) @ self.coef + self.intercept


def capped(confidence, chance, floor: float):
    """Each confidence, lowered to the gate's chance where that chance is under `floor`
    (scalars or arrays)."""
    return np.where(np.asarray(chance) < floor, np.minimum(confidence, chance), confidence)


@dataclass(frozen=True)
class Gate:
    """A second opinion on whether the best fact answers the question at all: a logistic model
    over the calibrator's inputs. Below `floor`, its chance caps the confidence."""

    model: Linear
    floor: float

    def cap(self, confidence: float, row: list[float]) -> float:
        """The confidence, lowered to the gate's chance where that chance is under the floor."""
        chance = sigmoid(float(self.model.logits(row)[0]))
        return float(capped(confidence, chance, self.floor))


@dataclass(frozen=True)
class Model:
    ranker: Linear
    calibrator: Linear
    gate: Gate | None = None

    @classmethod
    def from_dict(cls, data: dict) -> Model:
        try:
            ranker = Linear.from_dict(data["ranker"]).aligned(FEATURES)
            calibrator = Linear.from_dict(data["calibrator"]).aligned(CALIBRATION_FEATURES)
            gate = None
            if "gate" in data:
                linear = Linear.from_dict(data["gate"]["model"]).aligned(CALIBRATION_FEATURES)
                gate = Gate(linear, float(data["gate"]["floor"]))
        except ValueError as error:
            raise ValueError(f"{error}: run python -m knowledge.train") from None
        return cls(ranker, calibrator, gate)

    def to_dict(self) -> dict:
        data = {"ranker": self.ranker.to_dict(), "calibrator": self.calibrator.to_dict()}
        if self.gate:
            data["gate"] = {"model": self.gate.model.to_dict(), "floor": self.gate.floor}
        return data

    def pick(self, english: float) -> Model:
        """The model for a question `english` share English: this one, for every question."""
        return self

    @functools.cached_property
    def uses_vectors(self) -> bool:
        """Whether any weight rests on a feature read from the question's vector: if none
        does, ranking and confidence come out the same without embedding the question."""
        return any(
            weight and any(part in name for part in VECTOR_FEATURE_PARTS)
            for linear in (self.ranker, self.calibrator, *([self.gate.model] if self.gate else []))
            for name, weight in zip(linear.names, linear.coef, strict=True)
        )

    def scores(self, features: np.ndarray) -> np.ndarray:
        """The ranker's logit for each candidate (higher is better)."""
        if not len(features):
            return np.zeros(0)
        return self.ranker.logits(features)

    def confidence(
        self, logits: np.ndarray, best: np.ndarray, english: float, known: float, dense: float
    ) -> float:
        """The chance that the best candidate (whose features are `best`) is right."""
        return self.assess(logits, best, english, known, dense)[0]

    def assess(
        self, logits: np.ndarray, best: np.ndarray, english: float, known: float, dense: float
    ) -> tuple[float, float]:
        """The confidence, and the calibrator's alone, before the gate's veto."""
        if not len(logits):
            return 0.0, 0.0
        row = calibration_row(*summarise(logits), english, known, dense, best)
        calibrated = sigmoid(float(self.calibrator.logits(row)[0]))
        return (self.gate.cap(calibrated, row) if self.gate else calibrated), calibrated


def summarise(logits: np.ndarray) -> tuple[float, float, float]:
    """The best logit, its margin over the runner-up, and its softmax share of all."""
    order = np.sort(np.asarray(logits, dtype=np.float64))[::-1]
    top = float(order[0])
    margin = top - float(order[1]) if len(order) > 1 else 5.0
    share = 1.0 / float(np.exp(order - top).sum())
    return top, margin, share


def calibration_row(
    top: float, margin: float, share: float, english: float, known: float, dense: float, best
) -> list[float]:
    """The calibrator's inputs, in the order of CALIBRATION_FEATURES."""
    margin = min(margin, 5.0)
    foreign = 1.0 - english
    return [
        top,
        margin,
        share,
        english,
        known,
        dense,
        top * foreign,
        margin * foreign,
        share * foreign,
        dense * foreign,
        *best,
    ]


@dataclass(frozen=True)
class Routed:
    """A model per route: English-reading questions and the others."""

    english: Model
    foreign: Model

    @classmethod
    def from_dict(cls, data: dict) -> Routed:
        return cls(Model.from_dict(data["english"]), Model.from_dict(data["foreign"]))

    def to_dict(self) -> dict:
        return {"english": self.english.to_dict(), "foreign": self.foreign.to_dict()}

    def pick(self, english: float) -> Model:
        return self.english if route(english) == "english" else self.foreign


def route(english: float) -> str:
    """The route of a question whose words are `english` share English function words."""
    return "english" if english >= ENGLISH_ROUTE else "foreign"


@functools.cache
def shipped() -> Routed:
    """The models shipped in knowledge/data."""
    text = resources.files("knowledge").joinpath("data", MODEL_FILE).read_text("utf-8")
    return Routed.from_dict(json.loads(text))


DEFAULT_THRESHOLDS = {"ABSTAIN": 0.5, "UNSURE": 0.8, "GROUP_SILENCE": 0.8}


def shipped_thresholds(route_name: str | None = None) -> dict[str, float]:
    """The thresholds the training script chose, as shipped beside the weights: those it
    chose for `route_name` when it fitted that route, else the shared ones."""
    text = resources.files("knowledge").joinpath("data", MODEL_FILE).read_text("utf-8")
    data = json.loads(text)
    chosen = data.get("chosen", {}).get(route_name) or data.get("thresholds", {})
    return {key: float(chosen.get(key, value)) for key, value in DEFAULT_THRESHOLDS.items()}
