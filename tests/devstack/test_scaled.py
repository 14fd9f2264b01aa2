"""The scaled profile's generated files: one Procfile line per replica on its own port, the same
commands as `make run`, and an nginx configuration nginx itself accepts."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

from devstack.scaled import Layout, nginx_conf, procfile, scaled_env
from devstack.services import installed

LAYOUT = Layout(rasa_ports=[5105, 5106], gateway_ports=[8101, 8102], actions_port=5155, balancer_port=8100)


def test_every_replica_and_worker_gets_a_line_and_its_own_port(tmp_path: Path) -> None:
    lines = dict(line.split(": ", 1) for line in procfile(LAYOUT, tmp_path / "nginx.conf").splitlines())
    assert list(lines) == ["rasa1", "rasa2", "actions", "api1", "api2", "balancer"]
    assert re.search(r"RASA_PORT=5106;.*-m bot\.serve run .*--port \$\{RASA_PORT:-5005\}", lines["rasa2"])
    assert lines["api2"].startswith("API_HOST=127.0.0.1; API_PORT=8102;") and "-m api.serve" in lines["api2"]
    assert f"-c {tmp_path / 'nginx.conf'}" in lines["balancer"] and "daemon off;" in lines["balancer"]


def test_rasa_replicas_share_postgresql_and_the_redis_lock_store_apart_from_the_gateways_database() -> None:
    env = scaled_env(
        LAYOUT, "redis://127.0.0.1:6390/0", "postgresql+psycopg://rop@h/rop", "postgresql+psycopg://rop@h/t"
    )
    assert env["RASA_URL"] == "http://127.0.0.1:5105,http://127.0.0.1:5106"
    assert env["TRACKER_STORE_URL"] == "postgresql://rop@h/t"  # Rasa's psycopg2 dialect
    assert (env["LOCK_STORE_TYPE"], env["LOCK_STORE_PORT"], env["LOCK_STORE_DB"]) == ("redis", "6390", "1")


def test_nginx_accepts_the_configuration(tmp_path: Path) -> None:
    (tmp_path / "nginx-temp").mkdir()
    conf = tmp_path / "nginx.conf"
    conf.write_text(nginx_conf(LAYOUT, tmp_path))
    nginx = installed("nginx", "nginx", (Path("/usr/sbin"),))
    checked = subprocess.run([str(nginx), "-t", "-e", "stderr", "-c", str(conf)], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stderr
    assert "server 127.0.0.1:8102" in conf.read_text() and "listen 127.0.0.1:8100" in conf.read_text()
