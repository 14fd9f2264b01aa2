"""The confidence model: probabilities that move the right way, a threshold between the classes."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from knowledge.calibration import BASE_FEATURES, FEATURES, SEMANTIC_FEATURES, Calibration, fit


def _questions(seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Two signals: the first separates answerable from not, the second is noise that by chance
    leans the wrong way in this sample."""
    rng = np.random.default_rng(seed)
    y = np.array([1.0] * 150 + [0.0] * 150)
    good = y * 0.4 + rng.normal(0.4, 0.1, len(y))
    misleading = -0.05 * y + rng.normal(0.5, 0.1, len(y))
    return np.column_stack([good, misleading]), y


def test_signal_may_not_lower_confidence_when_declared_as_raising_it() -> None:
    x, y = _questions()
    unconstrained = fit(x, y, (("good", 0), ("noise", 0)))
    constrained = fit(x, y, (("good", 1), ("noise", 1)))
    assert unconstrained.weights[1] < 0  # the sample alone would learn the wrong direction
    assert constrained.weights[1] == 0.0
    assert constrained.weights[0] > 0


def test_threshold_separates_answerable_from_unanswerable_questions() -> None:
    x, y = _questions()
    calibration = fit(x, y, (("good", 1), ("noise", 1)))
    answered = np.array([calibration.probability(row) >= calibration.threshold for row in x])
    assert ((answered == (y == 1)).mean()) > 0.95


def test_saved_calibration_reads_back_identically(tmp_path: Path) -> None:
    x, y = _questions()
    calibration = fit(x, y, (("good", 1), ("noise", 1)))
    calibration.save(tmp_path / "calibration.json")
    assert Calibration.load(tmp_path / "calibration.json") == calibration


def test_every_feature_has_a_direction_and_a_name_of_its_own() -> None:
    assert {sign for _, sign in BASE_FEATURES + SEMANTIC_FEATURES} <= {-1, 1}
    assert len(set(FEATURES)) == len(FEATURES)
