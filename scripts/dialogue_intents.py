"""Intent accuracy of the trained Rasa model on every turn of the field set's dialogues (issue 15).

Why: the field dialogues are the closest thing to real conversations we may measure on; the
expected intent of each turn is kept apart, as ids and labels only, in
scripts/fieldtest_dialogue_intents.yml. Runs in Rasa's environment and reads each turn as sent,
before the gateway's masking, one turn at a time (no dialogue state: NLU only).
Usage: .venv-rasa/bin/python scripts/dialogue_intents.py [--shared ../shared] [--model models/rop-veiviser.tar.gz]
Goal: accuracy >= 0.9.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
LABELS = Path(__file__).resolve().parent / "fieldtest_dialogue_intents.yml"
GOAL = 0.9


async def _intents(model: Path, texts: list[str]) -> list[str]:
    from rasa.core.agent import Agent  # Rasa's environment only; heavy
    from rasa.utils.log_utils import configure_structlog

    configure_structlog(logging.WARNING)  # its debug log would print every turn's text
    sys.path.insert(0, str(ROOT))  # the model's own components (bot.components)
    agent = Agent.load(str(model))
    return [(await agent.parse_message(text))["intent"]["name"] for text in texts]


def main() -> None:
    """Parse every dialogue turn and print the turns whose intent is not an expected one, by id."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=ROOT.parent / "shared", help="holds fieldtest/")
    parser.add_argument("--model", type=Path, default=ROOT / "models" / "rop-veiviser.tar.gz")
    args = parser.parse_args()
    logging.disable(logging.WARNING)
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")  # as bot/serve.py: before Rasa loads OpenMP
    dialogues: list[dict[str, Any]] = yaml.safe_load(
        (args.shared / "fieldtest" / "fieldtest.yaml").read_text(encoding="utf-8")
    )["dialogue"]
    expected: dict[str, list[str]] = yaml.safe_load(LABELS.read_text(encoding="utf-8"))
    turns = [(item["id"], n, text) for item in dialogues for n, text in enumerate(item["turns"])]
    got = asyncio.run(_intents(args.model, [text for _, _, text in turns]))
    right = 0
    for (item_id, n, _), intent in zip(turns, got, strict=True):
        wanted = expected[item_id][n].split("|")
        right += intent in wanted
        if intent not in wanted:
            print(f"  {item_id} turn {n + 1}: got {intent}, expected {' or '.join(wanted)}")
    accuracy = right / len(turns)
    print(f"Dialogue turns: intent accuracy {accuracy:.3f} ({right}/{len(turns)})  goal >= {GOAL:.2f}  "
          f"{'met' if accuracy >= GOAL else 'NOT met'}")  # fmt: skip


if __name__ == "__main__":
    main()
