"""Referral and crisis quality on the held-out vignettes and messages (`make eval` prints it).

knowledge/eval/referral.yml (vignettes with the expected pathway and recommendations) and
knowledge/eval/crisis.yml (emergencies and ordinary messages with the same hard words) are
never used to write or fit the rules; the rules were written on knowledge/tuning/referral*.yml
and the classifier fitted on knowledge/crisis.
"""

from __future__ import annotations

import time
from collections import Counter
from pathlib import Path
from typing import Any

import yaml

from knowledge.referral import ReferralEngine
from knowledge.safety import SafetyRules

GOALS = {"pathway accuracy": (0.9, ">="), "crisis recall": (1.0, ">="), "crisis false alarms": (0.05, "<=")}


def load_vignettes(path: Path) -> list[dict[str, Any]]:
    """Described persons with the expected reading (`text`, `pathway`, `severity`, `duration` ...)."""
    return list(yaml.safe_load(path.read_text(encoding="utf-8"))["vignettes"])


def load_crisis_messages(path: Path) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Emergencies (`text`, `kind`) and ordinary messages with the same hard words (`text`)."""
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    return list(raw["crisis"]), list(raw["ordinary"])


def referral_table(engine: ReferralEngine, path: Path) -> float:
    """Pathway accuracy (all, per variety), severity/duration reading, recommendation P/R."""
    vignettes = load_vignettes(path)
    right: Counter[str] = Counter()
    total: Counter[str] = Counter()
    levels = Counter[str]()
    tp = fp = fn = 0
    wrong: list[str] = []
    for vignette in vignettes:
        result = engine.suggest(vignette["text"])
        variety = vignette.get("variety", "bokmal")
        total[variety] += 1
        total["all"] += 1
        hit = result.pathway == vignette["pathway"]
        right[variety] += hit
        right["all"] += hit
        levels["severity"] += result.severity == vignette["severity"]
        levels["duration"] += result.duration == vignette["duration"]
        expected, got = set(vignette.get("recommendations") or []), {r.id for r in result.recommendations}
        tp, fp, fn = tp + len(expected & got), fp + len(got - expected), fn + len(expected - got)
        if not hit:
            wrong.append(f"    expected {vignette['pathway']}, got {result.pathway}: {vignette['text'][:110]}")
    n = len(vignettes)
    print(f"\nReferral ({n} held-out vignettes)")
    print("  pathway accuracy " + "   ".join(f"{k} {right[k] / total[k]:.3f} (n={total[k]})" for k in sorted(total)))
    print(f"  severity read right {levels['severity'] / n:.3f}   duration read right {levels['duration'] / n:.3f}")
    print(f"  recommendations precision {tp / max(tp + fp, 1):.3f}   recall {tp / max(tp + fn, 1):.3f}")
    print("\n".join(wrong))
    return right["all"] / n


def crisis_table(safety: SafetyRules, path: Path, everyday: list[str]) -> tuple[float, float]:
    """Crisis recall (all, per kind), false alarms on ordinary messages and on `everyday`
    questions (the held-out knowledge questions), time per check."""
    crises, ordinary = load_crisis_messages(path)
    caught: Counter[str] = Counter()
    kinds: Counter[str] = Counter()
    missed: list[str] = []
    started = time.perf_counter()
    for message in crises:
        kinds[message["kind"]] += 1
        if safety.crisis(message["text"]) is not None:
            caught[message["kind"]] += 1
        else:
            missed.append(f"    missed ({message['kind']}): {message['text']}")
    alarms = [m["text"] for m in ordinary if safety.crisis(m["text"]) is not None]
    per_check_ms = (time.perf_counter() - started) * 1000 / (len(crises) + len(ordinary))
    recall = sum(caught.values()) / len(crises)
    false_alarms = len(alarms) / len(ordinary)
    print(f"\nCrisis ({len(crises)} emergencies, {len(ordinary)} ordinary messages with the same hard words)")
    print(f"  recall {recall:.3f}   " + ", ".join(f"{k} {caught[k]}/{kinds[k]}" for k in sorted(kinds)))
    print(f"  false alarms {false_alarms:.3f} ({len(alarms)}/{len(ordinary)})   {per_check_ms:.2f} ms per message")
    everyday_alarms = [text for text in everyday if safety.crisis(text) is not None]
    print(f"  false alarms on {len(everyday)} everyday questions {len(everyday_alarms) / max(len(everyday), 1):.3f}")
    print("\n".join(missed + [f"    false alarm: {text}" for text in alarms + everyday_alarms]))
    return recall, false_alarms


def goals_lines(scores: dict[str, float]) -> list[str]:
    """One line per goal: value, goal, met or not."""
    lines = []
    for name, (goal, sense) in GOALS.items():
        met = scores[name] >= goal if sense == ">=" else scores[name] <= goal
        lines.append(f"  {name:22} {scores[name]:.3f}  goal {sense} {goal:.2f}  {'met' if met else 'NOT met'}")
    return lines
