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

FEATURES = (
    "cosine",
    "coverage",
    "topic_cosine",
    "unknown_share",
    "margin",
    "local_fact",
    "unknown_name",
    "unanswerable_cosine",
)


@dataclass(frozen=True)
class Calibration:
    """Logistic-regression weights over standardised features, and the answer threshold."""

    mean: tuple[float, ...]
    scale: tuple[float, ...]
    weights: tuple[float, ...]
    bias: float
    threshold: float

    def probability(self, features: npt.NDArray[np.float64]) -> float:
        """P(the guidelines answer this question)."""
        z = (features - np.asarray(self.mean)) / np.asarray(self.scale)
        return float(1.0 / (1.0 + np.exp(-(z @ np.asarray(self.weights) + self.bias))))

    def save(self, path: Path) -> None:
        """Write as JSON next to the index."""
        path.write_text(json.dumps(asdict(self) | {"features": FEATURES}, indent=2), encoding="utf-8")

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
        )


def fit(x: npt.NDArray[np.float64], y: npt.NDArray[np.float64], l2: float = 0.1, steps: int = 3000) -> Calibration:
    """Fit by gradient descent (deterministic), then pick the threshold with the best balanced
    accuracy. Classes are weighted equally, so the balance of the tuning set does not move
    the weights or the threshold.
    Many thresholds tie on a few hundred questions; the middle of the best ones is the least
    tied to the particular questions written for tuning."""
    mean, scale = x.mean(axis=0), x.std(axis=0) + 1e-9
    z = (x - mean) / scale
    sample = np.where(y == 1, 0.5 / max(y.sum(), 1), 0.5 / max((1 - y).sum(), 1))
    w, b = np.zeros(z.shape[1]), 0.0
    for _ in range(steps):
        p = 1.0 / (1.0 + np.exp(-(z @ w + b)))
        grad = sample * (p - y)
        w -= 0.5 * (z.T @ grad + l2 * w / len(y))
        b -= 0.5 * float(grad.sum())
    p = 1.0 / (1.0 + np.exp(-(z @ w + b)))
    candidates = np.unique(np.round(p, 3))
    # balanced accuracy: how many unanswerable questions were written must not move the threshold
    accuracy = np.array([float((((p >= t) == (y == 1)) * sample).sum()) for t in candidates])
    near_best = candidates[accuracy >= accuracy.max() - 0.005]
    best = float(np.median(near_best))
    return Calibration(tuple(mean.tolist()), tuple(scale.tolist()), tuple(w.tolist()), b, round(best, 3))
