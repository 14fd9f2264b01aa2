"""A calibrated "do I know this?" probability from a few retrieval signals.

Why: a fixed threshold on one hand-mixed score refuses good questions and answers bad
ones. A logistic regression over the signals, fitted on questions written for tuning
(`knowledge/tuning`, plus the out-of-scope questions in `knowledge/training`; never the
evaluation set), turns them into a probability that the guidelines answer the question.
`make index` fits it and stores it beside the index, so it always matches the encoder.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

# Each signal with the direction it may move the confidence: +1 may only raise it, -1 only
# lower it. Several signals say nearly the same thing, and an unconstrained fit gave some of
# them the wrong sign (a better topic match lowering the confidence), which does not carry
# over to new questions. Constrained, the nested 5-fold balanced accuracy on the tuning
# questions rose from 0.941 to 0.955 (false answers 0.057 -> 0.033).
BASE_FEATURES = (
    ("cosine", 1),
    ("coverage", 1),
    ("topic_cosine", 1),
    ("unknown_share", -1),
    ("margin", 1),
    ("local_fact", -1),
    ("unknown_name", -1),
    ("unanswerable_cosine", -1),
    ("passage_cosine", 1),
    ("example_cosine", 1),
    ("examples_cosine", 1),
)
# With e5 (knowledge.retrievers.SemanticRetriever): its best passage, example question and
# unanswerable question. On the tuning questions (nested 5-fold) false refusals went 0.056 ->
# 0.028 and out-of-scope refusals 0.943 -> 0.970. Without e5 the base features get their own fit.
SEMANTIC_FEATURES = (
    ("semantic_passage_cosine", 1),
    ("semantic_example_cosine", 1),
    ("semantic_unanswerable_cosine", -1),
)
FEATURES = tuple(name for name, _ in BASE_FEATURES + SEMANTIC_FEATURES)


def signed_features(semantic: bool) -> tuple[tuple[str, int], ...]:
    """The features (with their allowed direction) of a pipeline with or without e5."""
    return BASE_FEATURES + SEMANTIC_FEATURES if semantic else BASE_FEATURES


@dataclass(frozen=True)
class Calibration:
    """Logistic-regression weights over standardised features, and the answer threshold."""

    mean: tuple[float, ...]
    scale: tuple[float, ...]
    weights: tuple[float, ...]
    bias: float
    threshold: float
    features: tuple[str, ...] = ()

    def probability(self, features: npt.NDArray[np.float64]) -> float:
        """P(the guidelines answer this question)."""
        z = (features - np.asarray(self.mean)) / np.asarray(self.scale)
        return float(1.0 / (1.0 + np.exp(-(z @ np.asarray(self.weights) + self.bias))))

    def save(self, path: Path) -> None:
        """Write as JSON next to the index."""
        path.write_text(json.dumps(asdict(self), indent=2), encoding="utf-8")

    @staticmethod
    def load(path: Path) -> Calibration:
        """Read what `save` wrote."""
        raw = json.loads(path.read_text(encoding="utf-8"))
        return Calibration(
            mean=tuple(raw["mean"]),
            scale=tuple(raw["scale"]),
            weights=tuple(raw["weights"]),
            bias=float(raw["bias"]),
            threshold=float(raw["threshold"]),
            features=tuple(raw["features"]),
        )


def _class_weights(y: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """Equal total weight per class, so how many questions of each kind were written does
    not move the weights or the threshold."""
    weights: npt.NDArray[np.float64] = np.where(y == 1, 0.5 / max(y.sum(), 1), 0.5 / max((1 - y).sum(), 1))
    return weights


def _logistic(
    z: npt.NDArray[np.float64], y: npt.NDArray[np.float64], signs: npt.NDArray[np.float64], l2: float, steps: int
) -> tuple[npt.NDArray[np.float64], float]:
    """Class-weighted L2 logistic regression by projected gradient descent (deterministic):
    after each step a weight against its feature's allowed direction is set to 0."""
    sample = _class_weights(y)
    w, b = np.zeros(z.shape[1]), 0.0
    for _ in range(steps):
        p = 1.0 / (1.0 + np.exp(-(z @ w + b)))
        grad = sample * (p - y)
        w -= 0.5 * (z.T @ grad + l2 * w / len(y))
        b -= 0.5 * float(grad.sum())
        w = np.where(w * signs < 0, 0.0, w)
    return w, b


def fit(
    x: npt.NDArray[np.float64],
    y: npt.NDArray[np.float64],
    features: tuple[tuple[str, int], ...] = BASE_FEATURES,
    l2: float = 0.1,
    steps: int = 3000,
    folds: int = 5,
) -> Calibration:
    """Fit on all questions; pick the threshold on out-of-fold probabilities.

    Choosing the threshold on the very questions the model was fitted to overrates it, so
    each question's probability comes from a model fitted without its fold (folds by position,
    deterministic). The threshold is the middle of those with the best balanced accuracy:
    many tie on a few hundred questions, and the middle is the least tied to any of them."""
    signs = np.array([sign for _, sign in features], dtype=np.float64)
    mean, scale = x.mean(axis=0), x.std(axis=0) + 1e-9
    z = (x - mean) / scale
    fold = np.arange(len(y)) % folds
    held_out = np.zeros(len(y))
    for k in range(folds):
        w_k, b_k = _logistic(z[fold != k], y[fold != k], signs, l2, steps)
        held_out[fold == k] = 1.0 / (1.0 + np.exp(-(z[fold == k] @ w_k + b_k)))
    sample = _class_weights(y)
    candidates = np.unique(np.round(held_out, 3))
    accuracy = np.array([float((((held_out >= t) == (y == 1)) * sample).sum()) for t in candidates])
    best = float(np.median(candidates[accuracy >= accuracy.max() - 0.005]))
    w, b = _logistic(z, y, signs, l2, steps)
    names = tuple(name for name, _ in features)
    return Calibration(tuple(mean.tolist()), tuple(scale.tolist()), tuple(w.tolist()), b, round(best, 3), names)
