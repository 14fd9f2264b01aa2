"""Start the Procfile's processes as `make run` does, on ports of our choosing; used by tests and bench."""

from __future__ import annotations

import os
import secrets
import signal
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from knowledge.settings import PROJECT_ROOT

TEST_PORTS = {"RASA_PORT": 15005, "ACTIONS_PORT": 15055, "API_PORT": 18000}


class StackFailed(RuntimeError):
    """A process died or the stack did not become healthy; the message holds the log tails."""


@dataclass
class Stack:
    """The running processes, their logs and a client for the gateway."""

    processes: dict[str, subprocess.Popen[bytes]]
    logs: Path
    api: httpx.Client
    env: dict[str, str] = field(default_factory=dict)
    started_seconds: float = field(default=0.0)

    def chat(self, sender: str, message: str) -> httpx.Response:
        return self.api.post("/api/chat", json={"sender": sender, "message": message})

    def log_tail(self) -> str:
        return "\n".join(
            f"--- {p.name}\n{p.read_text(errors='replace')[-3000:]}" for p in sorted(self.logs.glob("*.log"))
        )

    def stop_process(self, name: str) -> None:
        """Stop one process (and its children) as a crash or an operator would."""
        process = self.processes[name]
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=20)

    def restart(self, *names: str, timeout_seconds: float = 300) -> None:
        """Stop these processes as a crash would, start them again and wait until healthy."""
        for name in names:
            self.stop_process(name)
        commands = procfile()
        for name in names:
            self.processes[name] = _spawn(name, commands[name], self.env, self.logs)
        wait_until_healthy(self, timeout_seconds)

    def stop(self) -> None:
        """Stop everything: SIGTERM, then SIGKILL after 20 s."""
        self.api.close()
        for process in self.processes.values():
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in self.processes.values():
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)


def procfile() -> dict[str, str]:
    """The process names and commands `make run` starts."""
    lines = (PROJECT_ROOT / "Procfile").read_text(encoding="utf-8").splitlines()
    return {name.strip(): command.strip() for name, command in (line.split(":", 1) for line in lines if line.strip())}


def start_stack(
    logs: Path, extra_env: dict[str, str], ports: dict[str, int] = TEST_PORTS, timeout_seconds: float = 300
) -> Stack:
    """Start every Procfile process and wait until /health says all components are ready."""
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
        }
        | extra_env
    )
    started = time.monotonic()
    processes = {name: _spawn(name, command, env, logs) for name, command in procfile().items()}
    api = httpx.Client(base_url=f"http://127.0.0.1:{ports['API_PORT']}", timeout=60)
    stack = Stack(processes, logs, api, env)
    wait_until_healthy(stack, timeout_seconds)
    stack.started_seconds = time.monotonic() - started
    return stack


def _spawn(name: str, command: str, env: dict[str, str], logs: Path) -> subprocess.Popen[bytes]:
    """Start one Procfile command in its own process group, appending to its log."""
    return subprocess.Popen(
        ["bash", "-c", command],
        cwd=PROJECT_ROOT,
        env=env,
        start_new_session=True,
        stdout=(logs / f"{name}.log").open("ab"),
        stderr=subprocess.STDOUT,
    )


def wait_until_healthy(stack: Stack, timeout_seconds: float) -> None:
    """Return once /health is 200; on a dead process or timeout stop everything and raise."""
    started = time.monotonic()
    while True:
        dead = [name for name, p in stack.processes.items() if p.poll() is not None]
        error = f"{dead} exited during start-up" if dead else None
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
