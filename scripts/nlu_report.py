"""Print the intent and entity reports of `rasa test nlu --cross-validation` (make eval-nlu).

Usage: python scripts/nlu_report.py var/nlu-cv
Goals (issues 6, 15): intent macro-F1 >= 0.96, entity F1 >= 0.9.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

GOALS = {"intent macro-F1": 0.96, "entity F1 (micro)": 0.90}


def _row(label: str, row: dict[str, float]) -> str:
    support = f"{int(row['support']):5d}" if "support" in row else ""
    return f"  {label:32} {row['precision']:9.3f} {row['recall']:7.3f} {row['f1-score']:6.3f} {support}"


def _table(title: str, report: dict[str, dict[str, float]]) -> None:
    print(f"\n{title}")
    print(f"  {'label':32} {'precision':>9} {'recall':>7} {'F1':>6} {'n':>5}")
    totals = ("micro avg", "macro avg", "weighted avg")
    for label, row in sorted(report.items()):
        if isinstance(row, dict) and "f1-score" in row and label not in totals:
            print(_row(label, row))
    for label in totals:
        if label in report:
            print(_row(label, report[label]))


def main() -> None:
    """Read the reports Rasa wrote and print them with the goals."""
    folder = Path(sys.argv[1] if len(sys.argv) > 1 else "var/nlu-cv")
    intents = json.loads((folder / "intent_report.json").read_text(encoding="utf-8"))
    entities = json.loads((folder / "DIETClassifier_report.json").read_text(encoding="utf-8"))
    _table("Intents (5-fold cross-validation)", intents)
    _table("Entities, DIETClassifier (5-fold cross-validation)", entities)
    response = folder / "response_selection_report.json"
    if response.exists():
        selection = json.loads(response.read_text(encoding="utf-8"))
        print(f"\nFAQ answers (ResponseSelector): macro-F1 {selection['macro avg']['f1-score']:.3f}")
    entity_f1 = entities.get("micro avg", entities.get("accuracy", {}))
    scores = {"intent macro-F1": intents["macro avg"]["f1-score"], "entity F1 (micro)": entity_f1["f1-score"]}
    print("\nGoals (NLU)")
    for name, goal in GOALS.items():
        print(f"  {name:22} {scores[name]:.3f}  goal >= {goal:.2f}  {'met' if scores[name] >= goal else 'NOT met'}")


if __name__ == "__main__":
    main()
