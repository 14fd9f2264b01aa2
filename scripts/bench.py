"""Measure start-up and turn latency of the real stack, and in-process retrieval latency.

Starts the Procfile's processes on their own ports (like the end-to-end test), so it
needs `make install index train` first; `make bench` does that.
Usage: python scripts/bench.py [--turns 100]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from knowledge.engine import create_engine  # noqa: E402
from knowledge.settings import KnowledgeSettings  # noqa: E402
from tests.e2e.stack import start_stack  # noqa: E402

MESSAGES = [
    "Hvem har ansvaret for individuell plan?",
    "Kven skal følgje opp bustad for ein med ROP-lidelse?",
    "hvem har ansvar for kriseplan",
    "Hva er hovedforløp 2?",
    "Hei!",
    "Hvem følger opp etter utskrivning fra døgnbehandling?",
    "Hva blir været i morgen?",
    "Takk for hjelpen",
    "Han sier han skal ta livet sitt i kveld",
]


DESCRIPTIONS = [
    "Mann med schizofreni i mange år som injiserer amfetamin daglig, bostedsløs, to barn.",
    "Ho har drukke meir sidan skilsmissa i vår, litt nedstemd, men er i full jobb.",
    "Bruker med angst og cannabis, usikker på hvor lenge.",
    "Skal skrives ut fra TSB neste uke etter ti år med heroin, har stor gjeld.",
]


def _percentiles(samples_ms: list[float]) -> str:
    p50, p95 = np.percentile(samples_ms, [50, 95])
    return f"p50 {p50:7.1f} ms   p95 {p95:7.1f} ms   max {max(samples_ms):7.1f} ms"


def _time(call: Callable[[], object], n: int) -> list[float]:
    samples = []
    for _ in range(n):
        started = time.perf_counter()
        call()
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def main() -> None:
    """Print one line per measurement."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--turns", type=int, default=100)
    args = parser.parse_args()

    settings = KnowledgeSettings()
    started = time.perf_counter()
    engine = create_engine(settings)
    load_ms = (time.perf_counter() - started) * 1000
    cycle = iter(MESSAGES * (args.turns // len(MESSAGES) + 1))
    retrieval = _time(lambda: engine.ask(next(cycle)), args.turns)

    with tempfile.TemporaryDirectory() as logs:
        stack = start_stack(Path(logs), {})
        try:
            for message in MESSAGES:  # warm up every code path once
                stack.chat("bench-warmup", message)
            turn = iter(range(args.turns))

            def chat() -> None:
                i = next(turn)
                response = stack.chat(f"bench-{i % 10}", MESSAGES[i % len(MESSAGES)])
                response.raise_for_status()

            chats = _time(chat, args.turns)
            cycle = iter(MESSAGES * (args.turns // len(MESSAGES) + 1))
            asks = _time(
                lambda: stack.api.post("/api/ask", json={"question": next(cycle)}).raise_for_status(), args.turns
            )
            people = iter(DESCRIPTIONS * (args.turns // len(DESCRIPTIONS) + 1))
            referrals = _time(
                lambda: stack.api.post("/api/referral", json={"description": next(people)}).raise_for_status(),
                args.turns,
            )
        finally:
            stack.stop()

    print(f"engine load (index + encoder)      {load_ms:7.0f} ms")
    print(f"retrieval in-process ({args.turns} q)       {_percentiles(retrieval)}")
    print(f"stack start to healthy             {stack.started_seconds:7.1f} s")
    print(f"POST /api/chat ({args.turns} turns)        {_percentiles(chats)}")
    print(f"POST /api/ask ({args.turns} questions)     {_percentiles(asks)}")
    print(f"POST /api/referral ({args.turns} people)   {_percentiles(referrals)}")


if __name__ == "__main__":
    main()
