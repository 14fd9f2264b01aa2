"""How the learned severity/duration reader is set (knowledge/referral_model.py): thresholds with and
without the e5 encoder, and the e5 model's regularisation.

Five-fold cross-validation on the person descriptions in knowledge/tuning/referral*.yml (never
knowledge/eval or the field set): for each setting, how many descriptions the rules leave unread
get an answer from the model, how many of those are right, and how many descriptions that do not
say the level get one anyway.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
from sklearn.model_selection import StratifiedKFold

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from knowledge.base import load_knowledge_base  # noqa: E402
from knowledge.crisis_model import create_safety_rules  # noqa: E402
from knowledge.loaders import cached_vectors, load_semantic_encoder  # noqa: E402
from knowledge.referral import ReferralEngine  # noqa: E402
from knowledge.referral_model import (  # noqa: E402
    MIN_WORDS,
    SLOTS,
    UNSAID,
    model_text,
    new_pipeline,
    new_semantic_model,
    training_descriptions,
)
from knowledge.settings import KnowledgeSettings  # noqa: E402

THRESHOLDS = (0.4, 0.45, 0.5, 0.55, 0.6, 0.7)
SEMANTIC_CS = (0.01, 0.03, 0.1)


def _report(
    name: str, y: np.ndarray, unread: np.ndarray, short: np.ndarray, proba: np.ndarray, classes: np.ndarray
) -> None:
    best, top = classes[proba.argmax(1)], proba.max(1)
    print(f"  {name}: all {np.mean(best == y):.3f}, unread by the rules {np.mean(best[unread] == y[unread]):.3f}")
    for threshold in THRESHOLDS:
        answered = unread & ~short & (best != UNSAID) & (top >= threshold)
        said = answered & (y != UNSAID)
        right = (best[said] == y[said]).sum()
        print(
            f"    >= {threshold:.2f}: answers {answered.sum():3d}, right {right}/{said.sum()}"
            f" ({right / max(said.sum(), 1):.2f}), answered though unsaid {(answered & (y == UNSAID)).sum()}"
        )


def main() -> None:
    settings = KnowledgeSettings()
    base = load_knowledge_base(settings)
    names = {tag: service.name for tag, service in base.services.items()}
    rules_only = ReferralEngine(base.referral, base.topics, base.passages, names, create_safety_rules(settings))
    texts, labels = training_descriptions(settings.tuning_dir)
    read = [model_text(text, base.referral.respell) for text in texts]
    encoder = load_semantic_encoder(settings).encoder
    vectors = cached_vectors(encoder, texts, settings.semantic_cache_dir) if encoder else None
    short = np.array([len(t.split()) < MIN_WORDS for t in texts])
    suggested = [rules_only.suggest(t) for t in texts]
    for slot in SLOTS:
        y = labels[slot]
        unread = np.array([getattr(s, slot) is None for s in suggested])
        ngrams = np.zeros((len(texts), len(set(y))))
        semantic = {c: np.zeros_like(ngrams) for c in SEMANTIC_CS}
        classes = np.array(sorted(set(y)))
        for train, test in StratifiedKFold(5, shuffle=True, random_state=0).split(texts, y):
            ngrams[test] = new_pipeline().fit([read[i] for i in train], y[train]).predict_proba([read[i] for i in test])
            if vectors is not None:
                for c in SEMANTIC_CS:
                    model = new_semantic_model().set_params(logisticregression__C=c).fit(vectors[train], y[train])
                    semantic[c][test] = model.predict_proba(vectors[test])
        print(f"{slot}: {unread.sum()} of {len(texts)} unread by the rules ({(y[unread] == UNSAID).sum()} say nothing)")
        _report("n-grams alone", y, unread, short, ngrams, classes)
        for c in SEMANTIC_CS if vectors is not None else ():
            _report(f"n-grams + e5 (C={c})", y, unread, short, (ngrams + semantic[c]) / 2, classes)


if __name__ == "__main__":
    main()
