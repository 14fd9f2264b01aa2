"""Choose e5's weight in the fusion on the tuning questions (knowledge/tuning), never on the
held-out or field sets: prints hit@1, hit@3 and MRR per weight (knowledge.ranking.SEMANTIC_WEIGHT).

Usage: python scripts/tune_fusion.py
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from knowledge.assemble import assemble  # noqa: E402
from knowledge.ranking import SEMANTIC_WEIGHT  # noqa: E402
from knowledge.settings import KnowledgeSettings  # noqa: E402

WEIGHTS = (0.0, 0.5, 1.0, 2.0, 3.0, 4.0, 5.0, 8.0)


def tuning_questions(settings: KnowledgeSettings) -> list[tuple[str, set[str]]]:
    """Every answerable tuning question with the passage ids that answer it."""
    found = []
    for path in sorted(settings.tuning_dir.glob("*.yml")):
        for entry in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("questions", []):
            if "answers" in entry:
                found.append((str(entry["q"]), set(entry["answers"])))
    return found


def main() -> None:
    """Rank with each weight and print the table."""
    settings = KnowledgeSettings()
    knowledge = assemble(settings).knowledge
    if knowledge is None or not knowledge.semantic:
        raise SystemExit("needs a current index built with e5 (make index, SEMANTIC_ENCODER=e5)")
    questions = tuning_questions(settings)
    rows = []
    for text, answers in questions:
        signals = knowledge.signals(text)
        assert signals.semantic is not None
        base = signals.fused - SEMANTIC_WEIGHT * signals.semantic.scores
        rows.append((base, signals.semantic.scores, answers))
    passages = knowledge.passage_ids
    print(f"{len(questions)} tuning questions; weight: hit@1 hit@3 MRR")
    for weight in WEIGHTS:
        ranks = []
        for base, semantic, answers in rows:
            order = np.argsort(-(base + weight * semantic), kind="stable")
            ranks.append(next(r for r, i in enumerate(order) if passages[i] in answers))
        hit1 = np.mean([r == 0 for r in ranks])
        hit3 = np.mean([r < 3 for r in ranks])
        mrr = np.mean([1 / (r + 1) for r in ranks])
        print(f"  {weight:4.1f}: {hit1:.3f} {hit3:.3f} {mrr:.3f}{'  <- in use' if weight == SEMANTIC_WEIGHT else ''}")


if __name__ == "__main__":
    main()
