"""Start every Procfile process, restart any that dies, stop them all on Ctrl-C.

honcho stopped the whole stack when one process died, and nothing came back by itself. Here each
process is watched on its own: when it exits it is started again after a back-off (1 s, doubling
to 30 s while it keeps dying within a minute), and the others go on serving. Output is prefixed
like honcho's (`HH:MM:SS name | line`, one colour per process on a terminal).

Usage: python scripts/supervise.py [--procfile Procfile] [--env-file .env] [--grace-seconds 10]
Values in the env file win over the environment, as with `honcho start -e`.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import ctypes
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import TextIO

from dotenv import dotenv_values

PROCFILE_LINE = re.compile(r"^([A-Za-z0-9_-]+):\s*(.+)$")
INITIAL_DELAY_SECONDS = 1.0
MAX_DELAY_SECONDS = 30.0
STABLE_SECONDS = 60.0  # a process that ran this long starts again after the initial delay
DRAIN_SECONDS = 5.0  # output still arriving after a process exited (from children it left behind)
COLOURS = ("36", "33", "32", "35", "34", "31")  # cyan, yellow, green, magenta, blue, red
PR_SET_PDEATHSIG = 1


def read_procfile(path: Path) -> dict[str, str]:
    """Process names and their shell commands, in file order (the lines honcho would start)."""
    matches = (PROCFILE_LINE.match(line) for line in path.read_text(encoding="utf-8").splitlines())
    return {m.group(1): m.group(2) for m in matches if m}


def read_env_file(path: Path) -> dict[str, str]:
    """The file's values read as the settings classes read them (python-dotenv)."""
    return {key: value for key, value in dotenv_values(path).items() if value is not None}


def next_delay(previous: float, ran_seconds: float) -> float:
    """1 s after a first exit or a run that lasted; doubling up to 30 s while it keeps dying fast."""
    if previous == 0 or ran_seconds >= STABLE_SECONDS:
        return INITIAL_DELAY_SECONDS
    return min(2 * previous, MAX_DELAY_SECONDS)


def kill_group(pid: int, sig: signal.Signals) -> None:
    """Signal a process group (each process leads its own); gone already is fine."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, sig)


def exit_reason(code: int) -> str:
    return f"killed by {signal.Signals(-code).name}" if code < 0 else f"exited with code {code}"


class Printer:
    """Writes `HH:MM:SS name | line`, the prefix coloured per process when writing to a terminal."""

    def __init__(self, names: list[str], out: TextIO) -> None:
        self._width = max(len(name) for name in [*names, "system"])
        self._out = out
        tty = out.isatty()
        self._colours = {name: COLOURS[i % len(COLOURS)] if tty else "" for i, name in enumerate(names)}
        self._colours["system"] = "1" if tty else ""

    def line(self, name: str, text: str) -> None:
        prefix = f"{time.strftime('%H:%M:%S')} {name:<{self._width}} |"
        colour = self._colours[name]
        self._out.write(f"\033[{colour}m{prefix}\033[0m {text}\n" if colour else f"{prefix} {text}\n")
        self._out.flush()


class Supervisor:
    """Keeps each process running in its own process group until asked to stop."""

    def __init__(self, commands: dict[str, str], env: dict[str, str], printer: Printer, grace_seconds: float) -> None:
        self._commands = commands
        self._env = env
        self._printer = printer
        self._grace_seconds = grace_seconds
        self._stopping = asyncio.Event()
        self._running: dict[str, int] = {}  # name -> pid, which is also its process group
        self._libc = ctypes.CDLL(None)

    async def run(self) -> None:
        """Until SIGINT, SIGTERM or SIGHUP; a second Ctrl-C kills at once."""
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            loop.add_signal_handler(sig, self._on_signal, sig)
        await asyncio.gather(*(self._keep_running(name) for name in self._commands))

    def _on_signal(self, sig: signal.Signals) -> None:
        if self._stopping.is_set():
            self._printer.line("system", f"{sig.name} again: killing everything")
            self._signal_all(signal.SIGKILL)
            return
        self._printer.line("system", f"{sig.name}: stopping (SIGKILL after {self._grace_seconds:.0f} s)")
        self._stopping.set()
        self._signal_all(signal.SIGTERM)
        asyncio.get_running_loop().call_later(self._grace_seconds, self._signal_all, signal.SIGKILL)

    def _signal_all(self, sig: signal.Signals) -> None:
        for pid in self._running.values():
            kill_group(pid, sig)

    async def _keep_running(self, name: str) -> None:
        delay = 0.0
        while not self._stopping.is_set():
            started = time.monotonic()
            pid, code = await self._run_once(name)
            if self._stopping.is_set():
                self._printer.line("system", f"{name} (pid {pid}) stopped: {exit_reason(code)}")
                return
            delay = next_delay(delay, time.monotonic() - started)
            self._printer.line("system", f"{name} (pid {pid}) {exit_reason(code)}; starting it again in {delay:.0f} s")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), delay)

    async def _run_once(self, name: str) -> tuple[int, int]:
        """Start the command, relay its output until it exits, clean up what it left behind;
        its pid and exit code."""
        transport, relay = await asyncio.get_running_loop().subprocess_exec(
            lambda: Relay(name, self._printer), "bash", "-c", self._commands[name],
            env=self._env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
            start_new_session=True, preexec_fn=self._die_with_supervisor,
        )  # fmt: skip
        pid = transport.get_pid()
        self._running[name] = pid
        self._printer.line("system", f"{name} started (pid {pid})")
        if self._stopping.is_set():  # a stop that came while this one was starting
            kill_group(pid, signal.SIGTERM)
        await relay.exited
        del self._running[name]
        kill_group(pid, signal.SIGKILL)  # children of a crashed process would hold its port
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(relay.closed.wait(), DRAIN_SECONDS)
        transport.close()
        code = transport.get_returncode()
        assert code is not None  # set before process_exited() is called
        return pid, code

    def _die_with_supervisor(self) -> None:
        """In the child before exec: get SIGTERM if the supervisor itself is killed."""
        self._libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


class Relay(asyncio.SubprocessProtocol):
    """Prints a process's output line by line, and says when the process has exited (which can be
    before its output closes, if it left children behind)."""

    def __init__(self, name: str, printer: Printer) -> None:
        self._name = name
        self._printer = printer
        self._pending = b""
        self.exited: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self.closed = asyncio.Event()

    def pipe_data_received(self, fd: int, data: bytes) -> None:
        *lines, self._pending = (self._pending + data).split(b"\n")
        for line in lines:
            self._printer.line(self._name, line.rstrip(b"\r").decode(errors="replace"))

    def pipe_connection_lost(self, fd: int, exc: Exception | None) -> None:
        if self._pending:
            self._printer.line(self._name, self._pending.decode(errors="replace"))
        self.closed.set()

    def process_exited(self) -> None:
        self.exited.set_result(None)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--procfile", type=Path, default=Path("Procfile"))
    parser.add_argument("--env-file", type=Path, help="KEY=value file whose values win over the environment")
    parser.add_argument("--grace-seconds", type=float, default=10.0, help="SIGTERM to SIGKILL on stop")
    args = parser.parse_args()
    commands = read_procfile(args.procfile)
    if not commands:
        parser.error(f"no processes in {args.procfile}")
    if args.env_file and not args.env_file.is_file():
        parser.error(f"no env file {args.env_file}")
    env = dict(os.environ) | (read_env_file(args.env_file) if args.env_file else {})
    asyncio.run(Supervisor(commands, env, Printer(list(commands), sys.stdout), args.grace_seconds).run())


if __name__ == "__main__":
    main()
