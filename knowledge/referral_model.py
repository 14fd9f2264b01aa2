"""A learned reading of severity and duration, for descriptions the rules in referral.yml cannot read.

Why: workers describe people indirectly ("har ikke jobbet siden hun var 20", "klarer ikke å handle
selv", "det gikk over etter et par uker"), and no list of cues covers every way of saying it. Per
slot, a logistic regression over character and word n-grams reads the words, and one over the e5
sentence vector (multilingual-e5-small, `knowledge.loaders.load_semantic_encoder`) reads the
meaning; their mean decides. Both are fitted on the person descriptions in
`knowledge/tuning/referral*.yml` (never knowledge/eval or the field set). There is a class of its
own for "the text does not say", and an answer is used only when confident, so what a description
does not say is still asked. Without the encoder the n-grams decide alone, with their own
threshold. Fitted when a service starts (a few seconds; e5 vectors are cached on disk).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import yaml
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline, make_pipeline, make_union
from sklearn.preprocessing import StandardScaler

from knowledge.loaders import SemanticEncoder, cached_vectors
from knowledge.patterns import readings

SLOTS = ("severity", "duration")
UNSAID = "unsaid"  # the class for descriptions that do not say the level
# Chosen by 5-fold cross-validation on knowledge/tuning/referral*.yml (scripts/referral_model_cv.py).
# Of 330 descriptions the rules leave 57 without a duration (33 of them do not say it): n-grams alone
# at 0.7 answered 18 (15 right, 3 that do not say); with e5 at 0.6, 23 (20 right, 1 that does not
# say), at 0.7, 17 (16 right, 1 that does not say): 0.7, since asking beats guessing a pathway.
# For severity e5 did not help (77 unread; n-grams alone at 0.55-0.6: 24-30 answered, 1-2 wrong;
# with e5 more answers but more wrong), so severity is read from the n-grams alone.
SEMANTIC_SLOTS = ("duration",)
NGRAM_THRESHOLDS = {"severity": 0.55, "duration": 0.7}
BLENDED_THRESHOLDS = {"duration": 0.7}
MIN_WORDS = 8  # a shorter text ("vet ikke", "ganske lenge") holds too little to read between the lines
REGULARISATION_C = 8.0
SEMANTIC_C = 0.03  # e5 vectors are standardised first; 384 dimensions for a few hundred texts
# What must not move the reading: who the person is and exact numbers (an age, a count).
_PERSON = re.compile(
    r"(?<!\w)(?:han|hun|ham|henne|hans|hennes|hennar|mann(?:en)?|kvinne(?:n|a)?|gutt(?:en)?|gut(?:ten)?|jent(?:a|e)|"
    r"sønn(?:en)?|datter(?:en)?|dotter|mor(?:a|en)?|far(?:en)?)(?!\w)"
)
_NUMBER = re.compile(r"\d+")


def model_text(description: str, respell: Callable[[str], str]) -> str:
    """What the n-grams read: the text as the rules read it (lower case, æøå restored, dialect
    respelled), with persons and numbers made alike."""
    return _NUMBER.sub("0", _PERSON.sub("person", respell(readings(description)[-1])))


@dataclass(frozen=True)
class SlotModels:
    """One slot's fitted models: n-grams, and the encoder with a model over its vectors when the
    slot reads sentence meaning (same classes), and how sure they must be together."""

    ngrams: Pipeline
    threshold: float
    semantic: tuple[SemanticEncoder, Pipeline] | None = None


class LevelReader:
    """Severity and duration read from the whole description, or None when unsure."""

    def __init__(self, models: dict[str, SlotModels], respell: Callable[[str], str]) -> None:
        self._models = models
        self._respell = respell

    def probabilities(self, slot: str, description: str) -> dict[str, float]:
        """P(level) for each level of `slot`, and for UNSAID."""
        models = self._models[slot]
        row = models.ngrams.predict_proba([model_text(description, self._respell)])[0]
        if models.semantic is not None:
            encoder, semantic = models.semantic
            row = (row + semantic.predict_proba(encoder.encode_one(description).reshape(1, -1))[0]) / 2
        return {str(level): float(p) for level, p in zip(models.ngrams.classes_, row, strict=True)}

    def read(self, slot: str, description: str) -> str | None:
        """The level of `slot` the text shows, if the models are confident and the text says it."""
        if len(description.split()) < MIN_WORDS:
            return None
        probabilities = self.probabilities(slot, description)
        level = max(probabilities, key=probabilities.__getitem__)
        return level if level != UNSAID and probabilities[level] >= self._models[slot].threshold else None


def new_pipeline() -> Pipeline:
    """Untrained n-gram model: character n-grams (typos, compounds, dialect) and words and word pairs."""
    features = make_union(
        TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True, min_df=2),
        TfidfVectorizer(analyzer="word", ngram_range=(1, 2), sublinear_tf=True),
    )
    return make_pipeline(features, LogisticRegression(C=REGULARISATION_C, class_weight="balanced", max_iter=3000))


def new_semantic_model() -> Pipeline:
    """Untrained model over e5 vectors: standardised, since the vectors of all descriptions lie close."""
    return make_pipeline(StandardScaler(), LogisticRegression(C=SEMANTIC_C, class_weight="balanced", max_iter=3000))


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


def train_level_reader(
    tuning_dir: Path,
    respell: Callable[[str], str],
    encoder: SemanticEncoder | None = None,
    cache_dir: Path = Path(),
) -> LevelReader:
    """Fit the models of each slot on all descriptions (deterministic: the same files give the same model)."""
    texts, labels = training_descriptions(tuning_dir)
    read = [model_text(text, respell) for text in texts]
    vectors = cached_vectors(encoder, texts, cache_dir) if encoder else None
    models = {}
    for slot in SLOTS:
        ngrams = new_pipeline().fit(read, labels[slot])
        if encoder is None or vectors is None or slot not in SEMANTIC_SLOTS:
            models[slot] = SlotModels(ngrams, NGRAM_THRESHOLDS[slot])
        else:
            semantic = new_semantic_model().fit(vectors, labels[slot])
            models[slot] = SlotModels(ngrams, BLENDED_THRESHOLDS[slot], (encoder, semantic))
    return LevelReader(models, respell)
