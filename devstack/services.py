"""Real Redis, PostgreSQL and nginx servers for the scaled profile (`make run-scaled`) and its tests,
on free ports. CI has none running, so Debian's packages are installed when missing (as root, with
apt-get); PostgreSQL refuses to run as root, so there it runs as the `postgres` system user."""

from __future__ import annotations

import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import psycopg
import redis

POSTGRES_BIN = Path("/usr/lib/postgresql/15/bin")
START_SECONDS = 30.0


def free_port() -> int:
    """A loopback port nothing listens on now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def installed(program: str, package: str, folders: tuple[Path, ...] = ()) -> Path:
    """The program's path, installing the Debian package first if it is missing."""
    for _ in range(2):
        found = next((folder / program for folder in folders if (folder / program).exists()), None)
        found = found or (Path(which) if (which := shutil.which(program)) else None)
        if found:
            return found
        if os.geteuid() != 0 or not shutil.which("apt-get"):
            break
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        if subprocess.run(["apt-get", "install", "-y", "-q", package], env=env, capture_output=True).returncode:
            subprocess.run(["apt-get", "update", "-q"], env=env, capture_output=True, check=True)
            subprocess.run(["apt-get", "install", "-y", "-q", package], env=env, capture_output=True, check=True)
    raise RuntimeError(f"{program} is missing: install the Debian package {package} (apt-get install {package})")


def _wait_until(answers: Callable[[], object], what: str, process: subprocess.Popen[bytes]) -> None:
    """Until `answers` returns without raising; fails if the server exits or takes too long."""
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{what} exited with {process.returncode}")
        try:
            answers()
            return
        except Exception:  # not up yet
            time.sleep(0.05)
    raise RuntimeError(f"{what} did not start in {START_SECONDS} s")


class RedisServer:
    """redis-server without persistence; `stop` and `start` again keep the port (a restart)."""

    def __init__(self) -> None:
        self.program = installed("redis-server", "redis-server")
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self._process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        command = [str(self.program), "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly"]
        self._process = subprocess.Popen([*command, "no"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        with redis.Redis.from_url(self.url, socket_connect_timeout=0.5) as client:
            _wait_until(client.ping, "redis-server", self._process)

    def stop(self) -> None:
        if self._process is not None:
            self._process.terminate()
            self._process.wait(10)
            self._process = None

    def flush(self) -> None:
        with redis.Redis.from_url(self.url) as client:
            client.flushall()


class PostgresServer:
    """A PostgreSQL cluster that hands out one fresh database per test: throw-away (no fsync) in a
    temporary folder, or kept in `folder` (created on first use) for the scaled profile."""

    def __init__(self, folder: Path | None = None) -> None:
        self.postgres = installed("postgres", "postgresql", (POSTGRES_BIN,))
        self.initdb = installed("initdb", "postgresql", (POSTGRES_BIN, self.postgres.parent))
        self.port = free_port()
        self.durable = folder is not None
        self.folder = folder or Path(tempfile.mkdtemp(prefix="rop-postgres-"))
        self.folder.mkdir(parents=True, exist_ok=True)
        self._user = pwd.getpwnam("postgres") if os.geteuid() == 0 else None
        if self._user:
            os.chown(self.folder, self._user.pw_uid, self._user.pw_gid)
        if not (self.folder / "data" / "PG_VERSION").exists():
            initdb = [str(self.initdb), "-D", str(self.folder / "data"), "-U", "rop", "--auth=trust", "-E", "UTF8"]
            self._run(initdb if self.durable else [*initdb, "--no-sync"])
        self._process: subprocess.Popen[bytes] | None = None
        self._databases = 0

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://rop@127.0.0.1:{self.port}/{database}"

    def start(self) -> None:
        settings = ["-c", "listen_addresses=127.0.0.1"]
        if not self.durable:
            settings += ["-c", "fsync=off", "-c", "full_page_writes=off"]
        command = [str(self.postgres), "-D", str(self.folder / "data"), "-p", str(self.port), "-k", str(self.folder)]
        self._process = self._popen([*command, *settings])
        _wait_until(lambda: psycopg.connect(self._dsn("postgres")).close(), "postgres", self._process)

    def stop(self) -> None:
        if self._process is not None:
            self._process.send_signal(signal.SIGINT)  # fast shutdown: SIGTERM would wait for pooled connections
            self._process.wait(30)
            self._process = None

    def remove(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)

    def new_database(self, name: str = "") -> str:
        """The URL of a new, empty database (or of `name`, created if missing)."""
        self._databases += 1
        name = name or f"rop_{os.getpid()}_{self._databases}"
        with psycopg.connect(self._dsn("postgres"), autocommit=True) as connection:
            if not connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone():
                connection.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def _dsn(self, database: str) -> str:
        return f"host=127.0.0.1 port={self.port} user=rop dbname={database} connect_timeout=2"

    def _run(self, command: list[str]) -> None:
        process = self._popen(command, subprocess.PIPE)
        output, _ = process.communicate(timeout=120)
        if process.returncode:
            raise RuntimeError(f"{command[0]} failed: {output.decode(errors='replace')}")

    def _popen(self, command: list[str], output: int = subprocess.DEVNULL) -> subprocess.Popen[bytes]:
        """Run as the postgres user when we are root (PostgreSQL refuses root)."""
        if self._user is None:
            return subprocess.Popen(command, stdout=output, stderr=subprocess.STDOUT, cwd=self.folder)
        user, group = self._user.pw_uid, self._user.pw_gid
        return subprocess.Popen(
            command, stdout=output, stderr=subprocess.STDOUT, cwd=self.folder, user=user, group=group, extra_groups=[]
        )
