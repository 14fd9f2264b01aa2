"""Issue 14 §4: one dead process takes nothing else down, and it comes back by itself.

Under honcho, `kill -9` of Rasa stopped the action server and the gateway too. The first tests
run scripts/supervise.py over small Procfiles of shell commands (seconds); the e2e tests kill
each real process under light traffic.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from dotenv import dotenv_values

from devstack.stack import SUPERVISOR, Stack, StackFailed, start_stack
from knowledge.settings import PROJECT_ROOT

PROCESSES = ("rasa", "actions", "api")
QUESTION = "Hvem har ansvaret for individuell plan?"
PERSON = "Bruker med schizofreni som injiserer amfetamin daglig, i mange år."
GATEWAY_TARGETS = ("ask", "referral", "cases")  # the gateway serves these without Rasa


@dataclass
class Supervised:
    """scripts/supervise.py over a test Procfile, and its output as it arrives."""

    process: subprocess.Popen[bytes]
    log: Path

    def wait_for(self, pattern: str, count: int = 1, timeout_seconds: float = 15) -> list[re.Match[str]]:
        """The first `count` log lines matching `pattern`, waiting for them to appear."""
        deadline = time.monotonic() + timeout_seconds
        while len(found := list(re.finditer(pattern, self.log.read_text(), re.MULTILINE))) < count:
            assert time.monotonic() < deadline, f"no {count} × {pattern!r} in:\n{self.log.read_text()}"
            time.sleep(0.02)
        return found[:count]

    def pid(self, name: str) -> int:
        return int(self.wait_for(rf"\| {name} started \(pid (\d+)\)$")[0][1])


@contextmanager
def supervise(tmp_path: Path, procfile: str, *args: str, env: dict[str, str] | None = None) -> Iterator[Supervised]:
    (tmp_path / "Procfile").write_text(procfile)
    log = tmp_path / "out.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, str(SUPERVISOR), "--procfile", str(tmp_path / "Procfile"), *args],
            cwd=tmp_path, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
    try:
        yield Supervised(process, log)
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            process.wait(timeout=20)


def alive(pid: int) -> bool:
    """Running, not a zombie waiting for a parent (a container's init may never reap it)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] not in "ZX"
    except FileNotFoundError:
        return False


def gone_within(pids: list[int], seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while any(alive(pid) for pid in pids):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def test_a_process_that_keeps_dying_comes_back_after_doubling_delays_while_the_others_keep_running(
    tmp_path: Path,
) -> None:
    with supervise(tmp_path, "steady: sleep 1000\ncrashing: echo dying; exit 3\n") as supervised:
        steady = supervised.pid("steady")
        starts = []
        for count in range(1, 5):
            supervised.wait_for(r"\| crashing started", count)
            starts.append(time.monotonic())
        assert alive(steady) and supervised.pid("steady") == steady
    gaps = [later - earlier for earlier, later in zip(starts, starts[1:], strict=False)]
    assert gaps == pytest.approx([1, 2, 4], abs=0.5)


def test_ctrl_c_stops_every_process_and_kills_one_ignoring_sigterm_after_the_grace_period(tmp_path: Path) -> None:
    procfile = "polite: sleep 1000\nstubborn: trap '' TERM; sleep 1000\n"
    with supervise(tmp_path, procfile, "--grace-seconds", "1") as supervised:
        pids = [supervised.pid("polite"), supervised.pid("stubborn")]
        supervised.process.send_signal(signal.SIGINT)
        assert supervised.process.wait(timeout=10) == 0
        supervised.wait_for(r"\| stubborn \(pid \d+\) stopped: killed by SIGKILL")
        assert gone_within(pids, 1)


def test_children_of_a_killed_process_are_killed_before_it_starts_again(tmp_path: Path) -> None:
    """A child left behind would hold the port and the restarted process could not listen."""
    with supervise(tmp_path, "parent: sleep 1000 & echo child $!; wait\n") as supervised:
        parent = supervised.pid("parent")
        child = int(supervised.wait_for(r"\| child (\d+)$")[0][1])
        os.kill(parent, signal.SIGKILL)
        supervised.wait_for(r"\| parent started", 2)
        assert gone_within([child], 1)


def test_killing_the_supervisor_itself_leaves_no_process_running(tmp_path: Path) -> None:
    """Orphans would hold the ports, and the next `make run` could not start."""
    with supervise(tmp_path, "one: sleep 1000\ntwo: sleep 1000\n") as supervised:
        pids = [supervised.pid("one"), supervised.pid("two")]
        supervised.process.kill()
        assert gone_within(pids, 5)


def test_env_file_values_reach_the_processes_as_the_settings_read_them_and_win(tmp_path: Path) -> None:
    """Same values as pydantic-settings reads from .env (quotes, spaces); the file wins over the
    environment, as with `honcho start -e .env`."""
    show = f"{sys.executable} -c 'import json, os; print(\"ENV\", json.dumps(dict(os.environ)))'; sleep 1000"
    example = PROJECT_ROOT / ".env.example"
    environment = os.environ | {"ADVISOR_CONTACT": "fra miljøet", "KEPT": "ja"}
    with supervise(tmp_path, f"show: {show}\n", "--env-file", str(example), env=environment) as supervised:
        seen = json.loads(supervised.wait_for(r"\| ENV (.*)$")[0][1])
    expected = {key: value for key, value in dotenv_values(example).items() if value is not None}
    assert {key: seen.get(key) for key in expected} == expected and seen["KEPT"] == "ja"
    assert " " in seen["ADVISOR_CONTACT"] and seen["CORS_ORIGINS"] == "[]"


@dataclass
class Sample:
    """One request of the light traffic: when it was sent, what answered and how fast."""

    target: str
    sent: float
    seconds: float
    status: int | None  # None: refused or no answer
    body: Any = None


@dataclass
class Traffic:
    """Every 0.5 s: /api/ask, /api/referral, the advisor queue and /health on the gateway, and
    Rasa's and the action server's own ports."""

    stack: Stack
    advisor: dict[str, str]
    samples: list[Sample] = field(default_factory=list)
    done: threading.Event = field(default_factory=threading.Event)

    def run(self) -> None:
        env, gateway = self.stack.env, self.stack.api.base_url
        targets: dict[str, tuple[str, str, dict[str, Any]]] = {
            "ask": ("POST", str(gateway.join("/api/ask")), {"json": {"question": QUESTION}}),
            "referral": ("POST", str(gateway.join("/api/referral")), {"json": {"description": PERSON}}),
            "cases": ("GET", str(gateway.join("/api/advisor/cases")), {"headers": self.advisor}),
            "health": ("GET", str(gateway.join("/health")), {}),
            "rasa": ("GET", f"{env['RASA_URL']}/status", {"params": {"token": env["RASA_TOKEN"]}}),
            "actions": ("GET", f"{env['ACTIONS_URL']}/health", {}),
        }
        with httpx.Client(timeout=30) as client:
            while not self.done.wait(0.5):
                for target, (method, url, options) in targets.items():
                    sent = time.monotonic()
                    try:
                        response = client.request(method, url, **options)
                        status, body = response.status_code, response.json() if target == "health" else None
                    except httpx.HTTPError:
                        status, body = None, None
                    self.samples.append(Sample(target, sent, time.monotonic() - sent, status, body))

    def between(self, start: float, end: float, target: str) -> list[Sample]:
        return [s for s in self.samples if s.target == target and start <= s.sent <= end]


@contextmanager
def light_traffic(stack: Stack, advisor: dict[str, str]) -> Iterator[Traffic]:
    traffic = Traffic(stack, advisor)
    thread = threading.Thread(target=traffic.run, daemon=True)
    thread.start()
    try:
        yield traffic
    finally:
        traffic.done.set()
        thread.join(timeout=60)


@pytest.fixture(scope="module")
def supervised_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """A stack of its own: the kills must not disturb the shared one."""
    try:
        running = start_stack(tmp_path_factory.mktemp("supervised-stack"), {})
    except StackFailed as error:
        pytest.fail(str(error))
    yield running
    running.stop()


@pytest.fixture(scope="module")
def queue_reader(supervised_stack: Stack) -> dict[str, str]:
    """The Authorization header of an advisor created with the CLI."""
    return supervised_stack.add_advisor("vakt")


def back_healthy(stack: Stack, name: str, old_pid: int, deadline: float) -> float:
    """When a new `name` was running and /health said everything is ready again."""
    while time.monotonic() < deadline:
        try:
            if stack.pid(name) != old_pid and stack.api.get("/health", timeout=5).status_code == 200:
                return time.monotonic()
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    pytest.fail(f"{name} not back within 60 s\n{stack.log_tail()}")


@pytest.mark.e2e
@pytest.mark.parametrize("victim", PROCESSES)
def test_kill_9_does_not_take_down_the_others_and_it_returns_within_60s(
    supervised_stack: Stack, queue_reader: dict[str, str], victim: str
) -> None:
    stack = supervised_stack
    others = {name: stack.pid(name) for name in PROCESSES if name != victim}
    pid = stack.pid(victim)
    with light_traffic(stack, queue_reader) as traffic:
        time.sleep(1.5)
        killed = time.monotonic()
        os.kill(pid, signal.SIGKILL)
        stack.wait_for_exit(victim, pid)
        back = back_healthy(stack, victim, pid, killed + 60)
        time.sleep(1)
    health = traffic.between(killed, back, "health")
    slowest = max((s.seconds for s in health if s.status), default=0)
    print(f"\n{victim} back and healthy {back - killed:.1f} s after kill -9; slowest /health {slowest:.2f} s")
    assert {name: stack.pid(name) for name in others} == others, "another process was restarted"
    for own_port in ("rasa", "actions"):
        if own_port != victim:
            assert {s.status for s in traffic.between(killed, back, own_port)} == {200}, own_port
    if victim == "api":
        return
    for target in GATEWAY_TARGETS:
        served = traffic.between(killed, back, target)
        assert len(served) >= 3 and {s.status for s in served} == {200}, target
    down = [s for s in health if s.status == 503]
    assert down and all(s.status in (200, 503) for s in health)
    assert all({name for name, state in s.body["components"].items() if state != "ok"} == {victim} for s in down)
    assert slowest < 2, [round(s.seconds, 2) for s in health]
