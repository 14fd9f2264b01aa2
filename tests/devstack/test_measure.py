"""The bench's throughput, memory and CPU readings measure what they say."""

from __future__ import annotations

import os
import threading
import time

import pytest

from devstack.measure import group_cpu_seconds, group_rss_bytes, throughput


def test_throughput_counts_every_clients_turns_over_the_wall_time() -> None:
    seen: list[tuple[int, int]] = []
    lock = threading.Lock()

    def send(client: int, turn: int) -> None:
        time.sleep(0.02)
        with lock:
            seen.append((client, turn))

    rate = throughput(send, clients=5, turns_per_client=4)
    assert sorted(seen) == [(c, t) for c in range(5) for t in range(4)]
    assert 50 < rate < 260  # 5 parallel clients at 20 ms a turn: about 250 turns/s at best


def test_a_failed_turn_fails_the_measurement() -> None:
    def send(client: int, turn: int) -> None:
        raise RuntimeError("503")

    with pytest.raises(RuntimeError):
        throughput(send, clients=2, turns_per_client=1)


def test_memory_and_cpu_of_this_process_group_are_read_from_proc() -> None:
    group = os.getpgid(0)
    before = group_cpu_seconds(group)
    deadline = time.process_time() + 0.3
    while time.process_time() < deadline:  # burn 0.3 s of CPU
        pass
    assert group_cpu_seconds(group) - before >= 0.25
    assert group_rss_bytes(group) > 20_000_000  # at least this Python with pytest loaded
    assert group_rss_bytes(2**22 + 1) == 0  # no such group
