"""The scaled profile on one machine (`make run-scaled`): PostgreSQL and Redis from Debian, Rasa
replicas that share PostgreSQL's tracker store and Redis's lock store, one action server, gateway
workers that share PostgreSQL and Redis, and nginx in front of the gateways.

The processes run under the supervisor of `make run` (restarted when they die); this module
writes its Procfile, from the single-machine Procfile's commands with a port each, and nginx's
configuration. Usage: python -m devstack.scaled [--rasa 2] [--gateways 2] [--port 8000]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from dotenv import dotenv_values

from devstack.services import PostgresServer, RedisServer, free_port, installed
from devstack.stack import PROCFILE, SUPERVISOR, Stack, StackFailed, start_stack
from knowledge.settings import PROJECT_ROOT

NGINX_CONF = """\
worker_processes 1;
pid {folder}/nginx.pid;
error_log stderr warn;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    client_body_temp_path {folder}/nginx-temp;
    proxy_temp_path {folder}/nginx-temp;
    fastcgi_temp_path {folder}/nginx-temp;
    uwsgi_temp_path {folder}/nginx-temp;
    scgi_temp_path {folder}/nginx-temp;
    # The gateway refuses large bodies itself, with a message the widget shows; nothing spills to disk.
    client_max_body_size 1m;
    client_body_buffer_size 1m;
    upstream gateways {{
{servers}
        keepalive 32;
    }}
    server {{
        listen 127.0.0.1:{port};
        location / {{
            proxy_pass http://gateways;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host $http_host;
            # The gateway limits per client address: the real one, never what the client claims.
            proxy_set_header X-Forwarded-For $remote_addr;
            proxy_set_header X-Forwarded-Proto $scheme;
            # Live events (SSE) pass through at once and may stay open.
            proxy_buffering off;
            proxy_read_timeout 1h;
            proxy_connect_timeout 2s;
            # A refused connection goes to the other worker; a worker that dies mid-turn is a 503.
            proxy_next_upstream error timeout;
            error_page 502 504 =503 @unavailable;
        }}
        location @unavailable {{
            default_type application/json;
            charset utf-8;
            return 503 '{{"detail": "Tjenesten er midlertidig utilgjengelig. Prøv igjen om litt."}}';
        }}
    }}
}}
"""


@dataclass
class Layout:
    """The ports of one scaled deployment: Rasa replicas, gateway workers, actions and nginx."""

    rasa_ports: list[int]
    gateway_ports: list[int]
    actions_port: int
    balancer_port: int

    @classmethod
    def free(cls, rasa: int, gateways: int, balancer_port: int = 0) -> Layout:
        """Free loopback ports for everything (and for nginx, unless one is given)."""
        return cls(
            [free_port() for _ in range(rasa)],
            [free_port() for _ in range(gateways)],
            free_port(),
            balancer_port or free_port(),
        )


def procfile(layout: Layout, nginx_conf: Path, base: Path = PROCFILE) -> str:
    """One line per process: the single-machine Procfile's commands, one per replica and port."""
    commands = dict(line.split(":", 1) for line in base.read_text(encoding="utf-8").splitlines() if ":" in line)
    lines = [f"rasa{i}: RASA_PORT={port};{commands['rasa']}" for i, port in enumerate(layout.rasa_ports, 1)]
    lines.append(f"actions: ACTIONS_PORT={layout.actions_port};{commands['actions']}")
    lines += [
        f"api{i}: API_HOST=127.0.0.1; API_PORT={port};{commands['api']}"
        for i, port in enumerate(layout.gateway_ports, 1)
    ]
    nginx = installed("nginx", "nginx", (Path("/usr/sbin"),))
    lines.append(f"balancer: exec {nginx} -e stderr -c {nginx_conf} -g 'daemon off;'")
    return "\n".join(lines) + "\n"


def nginx_conf(layout: Layout, folder: Path) -> str:
    """nginx in front of the gateway workers, on the balancer port."""
    ports = layout.gateway_ports
    servers = "\n".join(f"        server 127.0.0.1:{port} max_fails=1 fail_timeout=5s;" for port in ports)
    return NGINX_CONF.format(folder=folder, servers=servers, port=layout.balancer_port)


def scaled_env(layout: Layout, redis_url: str, database_url: str, tracker_url: str) -> dict[str, str]:
    """What every process of the scaled profile reads: the replicas, PostgreSQL and Redis."""
    redis = urlsplit(redis_url)
    return {
        "RASA_URL": ",".join(f"http://127.0.0.1:{port}" for port in layout.rasa_ports),
        "ACTIONS_URL": f"http://127.0.0.1:{layout.actions_port}",
        "ACTION_SERVER_URL": f"http://127.0.0.1:{layout.actions_port}/webhook",
        "API_PORT": str(layout.balancer_port),
        "DATABASE_URL": database_url,
        "TRACKER_STORE_URL": tracker_url.replace("postgresql+psycopg://", "postgresql://"),  # psycopg2 in Rasa
        "REDIS_URL": redis_url,
        "LOCK_STORE_TYPE": "redis",
        "LOCK_STORE_HOST": redis.hostname or "127.0.0.1",
        "LOCK_STORE_PORT": str(redis.port or 6379),
        "LOCK_STORE_DB": "1",  # the gateway's REDIS_URL uses database 0
    }


def prepare(layout: Layout, folder: Path, redis_url: str, postgres: PostgresServer) -> tuple[Path, dict[str, str]]:
    """Write nginx's configuration and the Procfile into `folder`; the Procfile and the environment."""
    (folder / "nginx-temp").mkdir(parents=True, exist_ok=True)
    conf = folder / "nginx.conf"
    conf.write_text(nginx_conf(layout, folder), encoding="utf-8")
    processes = folder / "Procfile"
    processes.write_text(procfile(layout, conf), encoding="utf-8")
    env = scaled_env(layout, redis_url, postgres.new_database("rop"), postgres.new_database("rop_tracker"))
    return processes, env


def start_scaled_stack(
    logs: Path,
    redis_url: str,
    postgres: PostgresServer,
    rasa: int = 2,
    gateways: int = 2,
    extra_env: dict[str, str] | None = None,
    timeout_seconds: float = 600,
) -> Stack:
    """The scaled profile on free ports, for tests and the bench: through nginx, once every
    replica answers (/health is 200 as soon as one does)."""
    started = time.monotonic()
    layout = Layout.free(rasa, gateways)
    processes, env = prepare(layout, logs, redis_url, postgres)
    ports = {"RASA_PORT": layout.rasa_ports[0], "ACTIONS_PORT": layout.actions_port, "API_PORT": layout.balancer_port}
    stack = start_stack(logs, env | (extra_env or {}), ports, timeout_seconds, procfile=processes)
    wait_for_replicas(stack, timeout_seconds - (time.monotonic() - started))
    stack.started_seconds = time.monotonic() - started
    return stack


def wait_for_replicas(stack: Stack, timeout_seconds: float) -> None:
    """Until /health finds every Rasa replica answering (a restarted one takes a minute to load)."""
    deadline = time.monotonic() + timeout_seconds
    while (components := stack.api.get("/health").json()["components"]).get("rasa_replicas", "ok") != "ok":
        if time.monotonic() > deadline:
            raise StackFailed(f"not every Rasa replica answers: {components}\n{stack.log_tail()}")
        time.sleep(1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rasa", type=int, default=2, help="Rasa replicas")
    parser.add_argument("--gateways", type=int, default=2, help="gateway workers")
    parser.add_argument("--port", type=int, default=int(os.environ.get("API_PORT", "8000")), help="nginx's port")
    parser.add_argument("--data", type=Path, default=PROJECT_ROOT / "var" / "scaled", help="PostgreSQL's data")
    parser.add_argument("--env-file", type=Path, default=PROJECT_ROOT / ".env")
    args = parser.parse_args()
    postgres, redis = PostgresServer(args.data.resolve() / "postgres"), RedisServer()
    postgres.start()
    redis.start()
    try:
        layout = Layout.free(args.rasa, args.gateways, args.port)
        processes, scaled = prepare(layout, args.data.resolve(), redis.url, postgres)
        settings = {k: v for k, v in dotenv_values(args.env_file).items() if v is not None}
        print(f"==> http://127.0.0.1:{args.port} (nginx) -> gateways {layout.gateway_ports}, Rasa {layout.rasa_ports}")
        print(f"==> PostgreSQL 127.0.0.1:{postgres.port} ({args.data}), Redis {redis.url}")
        command = [sys.executable, str(SUPERVISOR), "--procfile", str(processes)]
        supervisor = subprocess.Popen(command, env=os.environ | settings | scaled, cwd=PROJECT_ROOT)
        try:
            supervisor.wait()
        except KeyboardInterrupt:
            supervisor.wait()  # it had the same Ctrl-C and stops its processes first
    finally:
        redis.stop()
        postgres.stop()


if __name__ == "__main__":
    main()
