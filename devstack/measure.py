"""What the bench measures on a running stack besides latency: turns per second with concurrent
clients, and each process's memory."""

from __future__ import annotations

import os
import re
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import yaml

from devstack.stack import Stack
from knowledge.settings import PROJECT_ROOT

# The project's own Rasa rule turn (greeting: NLU, a rule, a template; no custom action).
RULE_TURN = "hei"
# The bench sends faster than a worker types: the per-conversation limit would answer 429.
UNLIMITED = {"CHAT_MESSAGES_PER_MINUTE": "1000000"}
STARTED = re.compile(r"\| (\S+) started \(pid \d+\)$", re.MULTILINE)
VM_RSS = re.compile(r"^VmRSS:\s+(\d+) kB", re.MULTILINE)


def eval_questions() -> list[str]:
    """The own held-out in-scope questions: each throughput turn asks a different one, so no cache
    of the last thousand messages answers it."""
    data = yaml.safe_load((PROJECT_ROOT / "knowledge" / "eval" / "questions.yml").read_text(encoding="utf-8"))
    return [item["q"] for item in data["questions"] if item.get("answers")]


def throughput(send: Callable[[int, int], None], clients: int, turns_per_client: int) -> float:
    """Turns per second while `clients` threads each send `turns_per_client` turns one after the
    other (`send(client, turn)` raises on a failed turn)."""

    def one_client(client: int) -> None:
        for turn in range(turns_per_client):
            send(client, turn)

    with ThreadPoolExecutor(clients) as pool:
        started = time.perf_counter()
        list(pool.map(one_client, range(clients)))
        return clients * turns_per_client / (time.perf_counter() - started)


def _group_stats(pgid: int) -> list[tuple[Path, list[str]]]:
    """(/proc/<pid>, fields of its stat after the command name) of every process in the group."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:  # the process ended meanwhile
            continue
        if int(fields[2]) == pgid:  # the fifth field of /proc/<pid>/stat: the process group
            found.append((stat.parent, fields))
    return found


def group_cpu_seconds(pgid: int) -> float:
    """CPU time (user and system) used so far by every process in the process group."""
    ticks = sum(int(fields[11]) + int(fields[12]) for _, fields in _group_stats(pgid))  # utime, stime
    return ticks / os.sysconf("SC_CLK_TCK")


def group_rss_bytes(pgid: int) -> int:
    """Resident memory of every process in the process group (a Procfile line and its children)."""
    total = 0
    for folder, _ in _group_stats(pgid):
        try:
            resident = VM_RSS.search((folder / "status").read_text())
        except OSError:
            continue
        total += int(resident[1]) * 1024 if resident else 0  # kernel threads have none
    return total


def process_names(stack: Stack) -> list[str]:
    """The supervised processes' Procfile names, in start order."""
    return list(dict.fromkeys(STARTED.findall(stack.output())))


def rss_by_process(stack: Stack) -> dict[str, int]:
    """Each supervised process's resident memory in bytes, by its Procfile name."""
    return {name: group_rss_bytes(stack.pid(name)) for name in process_names(stack)}


def cpu_by_process(stack: Stack) -> dict[str, float]:
    """Each supervised process's CPU seconds so far, by its Procfile name (subtract two readings)."""
    return {name: group_cpu_seconds(stack.pid(name)) for name in process_names(stack)}
