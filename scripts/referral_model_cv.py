"""How sure the learned severity/duration reader must be (knowledge/referral_model.py THRESHOLDS).

Five-fold cross-validation on the person descriptions in knowledge/tuning/referral*.yml (never
knowledge/eval or the field set): for each threshold, how many descriptions the rules leave unread
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
from knowledge.referral import ReferralEngine  # noqa: E402
from knowledge.referral_model import MIN_WORDS, SLOTS, UNSAID, model_text, new_pipeline, training_descriptions  # noqa: E402
from knowledge.settings import KnowledgeSettings  # noqa: E402

THRESHOLDS = (0.35, 0.4, 0.45, 0.5, 0.55, 0.6, 0.7, 0.8)


def main() -> None:
    settings = KnowledgeSettings()
    base = load_knowledge_base(settings)
    names = {tag: service.name for tag, service in base.services.items()}
    rules_only = ReferralEngine(base.referral, base.topics, base.passages, names, create_safety_rules(settings))
    texts, labels = training_descriptions(settings.tuning_dir)
    read = [model_text(text, base.referral.respell) for text in texts]
    short = np.array([len(t.split()) < MIN_WORDS for t in texts])
    for slot in SLOTS:
        y = labels[slot]
        unread = np.array([getattr(rules_only.suggest(t), slot) is None for t in texts])
        best = np.empty(len(texts), dtype=object)
        top = np.zeros(len(texts))
        for train, test in StratifiedKFold(5, shuffle=True, random_state=0).split(texts, y):
            model = new_pipeline().fit([read[i] for i in train], y[train])
            proba = model.predict_proba([read[i] for i in test])
            best[test] = model.classes_[proba.argmax(1)]
            top[test] = proba.max(1)
        print(f"{slot}: {unread.sum()} of {len(texts)} unread by the rules ({(y[unread] == UNSAID).sum()} say nothing)")
        for threshold in THRESHOLDS:
            answered = unread & ~short & (best != UNSAID) & (top >= threshold)
            said = answered & (y != UNSAID)
            right = (best[said] == y[said]).sum()
            print(
                f"  >= {threshold:.2f}: answers {answered.sum():3d}, right {right}/{said.sum()}"
                f" ({right / max(said.sum(), 1):.2f}), answered though unsaid {(answered & (y == UNSAID)).sum()}"
            )


if __name__ == "__main__":
    main()
