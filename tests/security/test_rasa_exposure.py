"""Issue 14 §7: Rasa's API token stays out of the process list, and Rasa and the action server
cannot be reached from the network (Rasa's REST webhook takes any sender and would skip the
gateway's masking, crisis check and limits)."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import socket
import subprocess
from pathlib import Path

import httpx
import pytest

from devstack.stack import Stack
from knowledge.settings import PROJECT_ROOT


def command_lines() -> dict[int, bytes]:
    """Every process's command line, as `ps` shows it to any local user."""
    lines = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(FileNotFoundError, ProcessLookupError):  # ended meanwhile
                lines[int(entry.name)] = (entry / "cmdline").read_bytes()
    return lines


def own_network_address() -> str:
    """This host's first non-loopback IPv4 address; the tests only open TCP connections to it."""
    ip = shutil.which("ip")
    if ip is None:
        pytest.skip("no `ip` command to find this host's address")
    shown = subprocess.run([ip, "-j", "-4", "addr", "show", "scope", "global"], capture_output=True, text=True)
    addresses = [a["local"] for interface in json.loads(shown.stdout or "[]") for a in interface.get("addr_info", [])]
    if not addresses:
        pytest.skip("this host has no non-loopback IPv4 address")
    return str(addresses[0])


@pytest.mark.e2e
def test_rasa_token_is_in_no_process_command_line_and_rasa_still_requires_it(stack: Stack) -> None:
    token = stack.env["RASA_TOKEN"]
    lines = command_lines()
    assert b"bot.serve" in lines[stack.pid("rasa")]  # the process the gateway talks to
    assert [pid for pid, line in lines.items() if token.encode() in line] == []
    status = f"{stack.env['RASA_URL']}/status"
    for params in ({}, {"token": ""}, {"token": "feil"}):
        assert httpx.get(status, params=params).status_code in (401, 403), params
    assert httpx.get(status, params={"token": token}).status_code == 200


def test_rasa_does_not_start_without_a_token() -> None:
    """With an empty token Rasa accepts `?token=` on every API route."""
    rasa_python = PROJECT_ROOT / ".venv-rasa" / "bin" / "python"
    started = subprocess.run(
        [rasa_python, "-m", "bot.serve", "run", "--enable-api"],
        cwd=PROJECT_ROOT, env=os.environ | {"RASA_TOKEN": ""}, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert started.returncode != 0 and "RASA_TOKEN" in started.stderr


@pytest.mark.e2e
def test_rasa_and_the_action_server_refuse_connections_from_the_network(stack: Stack) -> None:
    address = own_network_address()
    for port in (int(stack.env["RASA_PORT"]), int(stack.env["ACTIONS_PORT"])):
        socket.create_connection(("127.0.0.1", port), timeout=5).close()
        with pytest.raises(ConnectionRefusedError):
            socket.create_connection((address, port), timeout=5).close()
