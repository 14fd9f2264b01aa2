"""A learned reading of severity and duration, for descriptions the rules in referral.yml cannot read.

Why: workers describe people indirectly ("har ikke jobbet siden hun var 20", "klarer ikke å handle
selv", "det gikk over etter et par uker"), and no list of cues covers every way of saying it. A
logistic regression over character and word n-grams, fitted on the person descriptions in
`knowledge/tuning/referral*.yml` (never knowledge/eval or the field set), reads the whole text.
It has a class of its own for "the text does not say", and its answer is used only when it is
confident, so what a description does not say is still asked. It is fitted when a service starts
(about a second); nothing is shipped that could go stale.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import numpy as np
import yaml
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline, make_pipeline, make_union

from knowledge.patterns import readings

SLOTS = ("severity", "duration")
UNSAID = "unsaid"  # the class for descriptions that do not say the level
# Chosen by 5-fold cross-validation on knowledge/tuning/referral*.yml (scripts/referral_model_cv.py).
# Of the 330 descriptions, the rules leave 77 without a severity and 57 without a duration. At
# these thresholds the model answered 30 of the 77 (28 right, none where the text does not say)
# and 18 of the 57 (15 of 15 right, but 3 of the 33 that do not say got one); at 0.5 severity
# was right in 0.90 and duration answered 9 that do not say.
THRESHOLDS = {"severity": 0.55, "duration": 0.7}
MIN_WORDS = 8  # a shorter text ("vet ikke", "ganske lenge") holds too little to read between the lines
REGULARISATION_C = 8.0
# What must not move the reading: who the person is and exact numbers (an age, a count).
_PERSON = re.compile(
    r"(?<!\w)(?:han|hun|ham|henne|hans|hennes|hennar|mann(?:en)?|kvinne(?:n|a)?|gutt(?:en)?|gut(?:ten)?|jent(?:a|e)|"
    r"sønn(?:en)?|datter(?:en)?|dotter|mor(?:a|en)?|far(?:en)?)(?!\w)"
)
_NUMBER = re.compile(r"\d+")


def model_text(description: str, respell: Callable[[str], str]) -> str:
    """What the model reads: the text as the rules read it (lower case, æøå restored, dialect
    respelled), with persons and numbers made alike."""
    return _NUMBER.sub("0", _PERSON.sub("person", respell(readings(description)[-1])))


class LevelReader:
    """Severity and duration read from the whole description, or None when unsure."""

    def __init__(self, models: dict[str, Pipeline], respell: Callable[[str], str]) -> None:
        self._models = models
        self._respell = respell

    def probabilities(self, slot: str, description: str) -> dict[str, float]:
        """P(level) for each level of `slot`, and for UNSAID."""
        model = self._models[slot]
        row = model.predict_proba([model_text(description, self._respell)])[0]
        return {str(level): float(p) for level, p in zip(model.classes_, row, strict=True)}

    def read(self, slot: str, description: str) -> str | None:
        """The level of `slot` the text shows, if the model is confident and the text says it."""
        if len(description.split()) < MIN_WORDS:
            return None
        probabilities = self.probabilities(slot, description)
        level = max(probabilities, key=probabilities.__getitem__)
        return level if level != UNSAID and probabilities[level] >= THRESHOLDS[slot] else None


def new_pipeline() -> Pipeline:
    """Untrained model: character n-grams (typos, compounds, dialect) and words and word pairs."""
    features = make_union(
        TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True, min_df=2),
        TfidfVectorizer(analyzer="word", ngram_range=(1, 2), sublinear_tf=True),
    )
    return make_pipeline(features, LogisticRegression(C=REGULARISATION_C, class_weight="balanced", max_iter=3000))


def training_descriptions(tuning_dir: Path) -> tuple[list[str], dict[str, np.ndarray]]:
    """The written descriptions and, per slot, their labels (UNSAID where the text does not say)."""
    vignettes = [
        v
        for path in sorted(tuning_dir.glob("referral*.yml"))
        for v in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("vignettes") or []
    ]
    if not vignettes:
        raise ValueError(f"no person descriptions to learn from in {tuning_dir}")
    texts = [str(v["text"]) for v in vignettes]
    labels = {slot: np.array([str(v.get(slot) or UNSAID) for v in vignettes]) for slot in SLOTS}
    return texts, labels


def train_level_reader(tuning_dir: Path, respell: Callable[[str], str]) -> LevelReader:
    """Fit one model per slot on all descriptions (deterministic: the same files give the same model)."""
    texts, labels = training_descriptions(tuning_dir)
    read = [model_text(text, respell) for text in texts]
    return LevelReader({slot: new_pipeline().fit(read, labels[slot]) for slot in SLOTS}, respell)
