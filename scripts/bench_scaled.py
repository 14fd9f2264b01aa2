"""Throughput and memory of the scaled profile (nginx, gateway workers, Rasa replicas on PostgreSQL
and Redis), at 2 + 2 replicas against 1 + 1 on the same machine: the figures docs/scaling.md uses.

On one 2-core machine a second replica adds no cores, so the ratio shows the profile's overhead,
not its capacity. Starts its own PostgreSQL and Redis (devstack.services); needs `make install
index train` first (`make bench` does that).
Usage: python scripts/bench_scaled.py [--clients 10] [--turns 10]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from devstack.measure import (  # noqa: E402
    RULE_TURN,
    UNLIMITED,
    cpu_by_process,
    eval_questions,
    rss_by_process,
    throughput,
)
from devstack.scaled import start_scaled_stack  # noqa: E402
from devstack.services import PostgresServer, RedisServer  # noqa: E402
from devstack.stack import Stack  # noqa: E402


def measure(stack: Stack, clients: int, turns: int) -> tuple[float, float, dict[str, float]]:
    """Answer turns per second through nginx, rule turns per second on one Rasa replica, and each
    process's share of the CPU the answer turns used."""
    questions = eval_questions()

    def answer(client: int, turn: int) -> None:
        stack.chat(f"scaled-{client}", questions[(client * turns + turn) % len(questions)]).raise_for_status()

    with httpx.Client(base_url=stack.env["RASA_URL"].split(",")[0], timeout=60) as rasa:

        def rule(client: int, turn: int) -> None:
            body = {"sender": f"scaled-rule-{client}", "message": RULE_TURN}
            rasa.post("/webhooks/rest/webhook", json=body).raise_for_status()

        before = cpu_by_process(stack)
        answers = throughput(answer, clients, turns)
        used = {name: seconds - before.get(name, 0.0) for name, seconds in cpu_by_process(stack).items()}
        shares = {name: seconds / max(sum(used.values()), 1e-9) for name, seconds in used.items()}
        return answers, throughput(rule, clients, turns), shares


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=10)
    parser.add_argument("--turns", type=int, default=10, help="turns per client")
    args = parser.parse_args()
    postgres, redis = PostgresServer(), RedisServer()
    postgres.start()
    redis.start()
    rates: dict[int, float] = {}
    try:
        for replicas in (2, 1):
            with tempfile.TemporaryDirectory() as logs:
                stack = start_scaled_stack(Path(logs), redis.url, postgres, replicas, replicas, UNLIMITED)
                try:
                    stack.chat("warm-up", "Hvem har ansvaret for individuell plan?").raise_for_status()
                    rates[replicas], rule_rate, shares = measure(stack, args.clients, args.turns)
                    memory = rss_by_process(stack)
                finally:
                    stack.stop()
            profile = f"{replicas} gateway(s) + {replicas} Rasa"
            print(f"scaled {profile}: start to healthy {stack.started_seconds:6.1f} s")
            print(f"scaled {profile}: answer turns {rates[replicas]:6.1f}/s at {args.clients} clients (nginx)")
            print(f"scaled {profile}: rule turns on one replica {rule_rate:6.1f}/s")
            print(f"scaled {profile}: answer turns per Rasa replica {rates[replicas] / replicas:6.1f}/s")
            for name, share in shares.items():
                print(f"scaled {profile}: CPU share of answer turns {name:<9} {share:5.0%}")
            for name, size in memory.items():
                print(f"scaled {profile}: memory (RSS) {name:<9} {size / 1e9:5.2f} GB")
            print(f"scaled {profile}: memory (RSS) total     {sum(memory.values()) / 1e9:5.2f} GB")
        print(f"scaled 2 + 2 against 1 + 1: {rates[2] / rates[1]:5.2f}x answer throughput (2 cores)")
    finally:
        redis.stop()
        postgres.stop()
        postgres.remove()


if __name__ == "__main__":
    main()
