"""Start the stack as `make run` does (scripts/supervise.py over the Procfile), on ports of our choosing;
used by the end-to-end and attack tests and by `make bench`."""

from __future__ import annotations

import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from knowledge.settings import PROJECT_ROOT

# What the stack's bot tells a worker who asks for a person (the e2e tests look for it).
ADVISOR_CONTACT = "rådgivertelefonen 400 00 000 (hverdager 08–15)"
PORT_NAMES = ("RASA_PORT", "ACTIONS_PORT", "API_PORT")
SUPERVISOR = PROJECT_ROOT / "scripts" / "supervise.py"
PROCFILE = PROJECT_ROOT / "Procfile"
STOP_SECONDS = 30  # the supervisor's own SIGTERM-to-SIGKILL grace is 10 s
LOG_LINE = re.compile(r"^\d\d:\d\d:\d\d (\S+)\s*\| .*$", re.MULTILINE)
EXIT_LINE = re.compile(r"\| (\S+) \(pid (\d+)\) (?:exited|killed)")


def free_ports() -> dict[str, int]:
    """A free loopback port for each service, so several stacks (tests, bench) can run at once."""
    sockets = [socket.socket() for _ in PORT_NAMES]
    try:
        for s in sockets:
            s.bind(("127.0.0.1", 0))
        return {name: s.getsockname()[1] for name, s in zip(PORT_NAMES, sockets, strict=True)}
    finally:
        for s in sockets:
            s.close()


class StackFailed(RuntimeError):
    """A process died or the stack did not become healthy; the message holds the log tails."""


@dataclass
class Stack:
    """The supervisor running the processes, its log and a client for the gateway."""

    supervisor: subprocess.Popen[bytes]
    logs: Path
    api: httpx.Client
    env: dict[str, str] = field(default_factory=dict)
    started_seconds: float = field(default=0.0)
    conversations: dict[str, dict[str, str]] = field(default_factory=dict)

    def conversation(self, label: str) -> dict[str, str]:
        """The gateway-issued conversation a test calls `label` (started on first use)."""
        if label not in self.conversations:
            response = self.api.post("/api/conversations")
            response.raise_for_status()
            self.conversations[label] = response.json()
        return self.conversations[label]

    def conversation_id(self, label: str) -> str:
        """The id the gateway gave the conversation (the sender in Rasa and in cases)."""
        return self.conversation(label)["conversation_id"]

    def auth(self, label: str) -> dict[str, str]:
        """The Authorization header of the conversation `label`."""
        return {"Authorization": f"Bearer {self.conversation(label)['token']}"}

    def chat(self, label: str, message: str) -> httpx.Response:
        """One chat turn in the conversation `label`."""
        return self.api.post("/api/chat", json={"message": message}, headers=self.auth(label))

    @property
    def log(self) -> Path:
        """The supervisor's output: every process's lines, prefixed as `make run` prints them."""
        return self.logs / "stack.log"

    def output(self, since_line: int = 0) -> str:
        """The log from line `since_line` on."""
        return "\n".join(self.log.read_text(errors="replace").splitlines()[since_line:])

    def add_advisor(self, name: str, *options: str) -> dict[str, str]:
        """Create an advisor with the CLI against this stack's database; its Authorization header."""
        done = subprocess.run(
            [sys.executable, "-m", "api.admin", "add-advisor", name, *options],
            cwd=PROJECT_ROOT, env=self.env, capture_output=True, text=True, check=True,
        )  # fmt: skip
        return {"Authorization": f"Bearer {done.stdout.strip().splitlines()[-1]}"}

    def log_tail(self, lines: int = 40) -> str:
        """The last lines of each process (and of the supervisor, as `system`)."""
        by_name: dict[str, list[str]] = {}
        for match in LOG_LINE.finditer(self.output()):
            by_name.setdefault(match[1], []).append(match[0])
        return "\n".join(f"--- {name}\n" + "\n".join(found[-lines:]) for name, found in by_name.items())

    def pid(self, name: str) -> int:
        """The process `name` as the supervisor last started it (it leads its own process group)."""
        started = re.findall(rf"\| {name} started \(pid (\d+)\)$", self.output(), re.MULTILINE)
        if not started:
            raise StackFailed(f"{name} was never started\n{self.log_tail()}")
        return int(started[-1])

    def wait_for_exit(self, name: str, pid: int, timeout_seconds: float = 30) -> None:
        """Return once the supervisor has seen the process end; it starts it again after its back-off."""
        deadline = time.monotonic() + timeout_seconds
        while (name, str(pid)) not in EXIT_LINE.findall(self.output()):
            if time.monotonic() > deadline:
                raise StackFailed(f"{name} (pid {pid}) still running after {timeout_seconds:.0f} s")
            time.sleep(0.1)

    def stop_process(self, name: str) -> None:
        """Stop one process (and its children) as an operator or a crash would; the supervisor
        starts it again."""
        pid = self.pid(name)
        os.killpg(pid, signal.SIGTERM)
        self.wait_for_exit(name, pid)

    def restart(self, *names: str, timeout_seconds: float = 300) -> None:
        """Stop these processes and wait until the supervisor has them healthy again."""
        for name in names:
            self.stop_process(name)
        wait_until_healthy(self, timeout_seconds, since_line=len(self.output().splitlines()))

    def stop(self) -> None:
        """Stop everything as Ctrl-C on `make run` does; SIGKILL the supervisor if it hangs."""
        self.api.close()
        self.supervisor.send_signal(signal.SIGTERM)
        try:
            self.supervisor.wait(timeout=STOP_SECONDS)
        except subprocess.TimeoutExpired:
            self.supervisor.kill()  # the kernel then sends its processes SIGTERM (PR_SET_PDEATHSIG)
            self.supervisor.wait()


def start_stack(
    logs: Path,
    extra_env: dict[str, str],
    ports: dict[str, int] | None = None,
    timeout_seconds: float = 300,
    procfile: Path = PROCFILE,
) -> Stack:
    """Start every Procfile process under the supervisor and wait until /health says all are ready;
    `extra_env` wins over the defaults (the scaled profile sends its own RASA_URL and stores)."""
    ports = ports or free_ports()
    env = (
        os.environ
        | {key: str(value) for key, value in ports.items()}
        | {
            "RASA_TOKEN": secrets.token_hex(16),
            "RASA_URL": f"http://127.0.0.1:{ports['RASA_PORT']}",
            "ACTIONS_URL": f"http://127.0.0.1:{ports['ACTIONS_PORT']}",
            "ACTION_SERVER_URL": f"http://127.0.0.1:{ports['ACTIONS_PORT']}/webhook",
            "API_HOST": "127.0.0.1",
            "RASA_TELEMETRY_ENABLED": "false",
            "HF_HUB_OFFLINE": "1",
            "DATABASE_URL": f"sqlite:///{logs}/rop.db",
            "TRACKER_STORE_DB": str(logs / "rasa-tracker.db"),
            "TRACKER_STORE_URL": "",
            "LOCK_STORE_TYPE": "in_memory",
            "LOCK_STORE_HOST": "",
            "LOCK_STORE_PORT": "",
            "LOCK_STORE_DB": "",
            # every test and bench client comes from 127.0.0.1: only the per-conversation limit applies
            "CONVERSATIONS_PER_MINUTE": "100000",
            "ADDRESS_MESSAGES_PER_MINUTE": "100000",
        }
        | extra_env
    )
    started = time.monotonic()
    with (logs / "stack.log").open("ab") as out:
        supervisor = subprocess.Popen(
            [sys.executable, str(SUPERVISOR), "--procfile", str(procfile)],
            cwd=PROJECT_ROOT, env=env, start_new_session=True,
            stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
        )  # fmt: skip
    api = httpx.Client(base_url=f"http://127.0.0.1:{ports['API_PORT']}", timeout=60)
    stack = Stack(supervisor, logs, api, env)
    wait_until_healthy(stack, timeout_seconds)
    stack.started_seconds = time.monotonic() - started
    return stack


def wait_until_healthy(stack: Stack, timeout_seconds: float, since_line: int = 0) -> None:
    """Return once /health is 200; if the supervisor or a process (after `since_line` of the log)
    exits, or on timeout, stop everything and raise."""
    started = time.monotonic()
    while True:
        exited = sorted({name for name, _ in EXIT_LINE.findall(stack.output(since_line))})
        error = f"{exited} exited during start-up" if exited else None
        if stack.supervisor.poll() is not None:
            error = f"the supervisor exited with code {stack.supervisor.returncode}"
        if not error and time.monotonic() - started > timeout_seconds:
            error = f"stack not healthy after {timeout_seconds:.0f} s"
        if error:
            tail = stack.log_tail()
            stack.stop()
            raise StackFailed(f"{error}\n{tail}")
        try:
            if stack.api.get("/health").status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
