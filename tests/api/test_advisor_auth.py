"""Only advisors reach cases: the CLI's bearer token or a console session; 401 otherwise."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest
from alembic import command
from alembic.config import Config
from fastapi.testclient import TestClient
from sqlalchemy import text

from api.auth import issue_session
from api.main import create_app
from api.settings import Settings
from knowledge.pipeline import KnowledgePipeline
from knowledge.settings import PROJECT_ROOT
from store.advisors import AdvisorStore, password_hash, token_hash
from store.database import MIGRATIONS, make_engine, migrate, session_factory

ENDPOINTS = [
    ("get", "/api/advisor/cases"),
    ("get", "/api/advisor/cases/1"),
    ("post", "/api/advisor/cases/1/take"),
    ("post", "/api/advisor/cases/1/close"),
    ("post", "/api/advisor/cases/1/messages"),
    ("get", "/api/advisor/events"),
    ("post", "/api/advisor/logout"),
    ("get", "/api/advisor/audit"),
]


@pytest.mark.parametrize(("method", "path"), ENDPOINTS)
@pytest.mark.parametrize("authorization", [None, "Bearer feil", "Bearer s1.1.9999999999.forged", "Basic a2FyaTp4"])
def test_every_advisor_endpoint_refuses_without_valid_credentials(
    client: TestClient, method: str, path: str, authorization: str | None
) -> None:
    headers = {"Authorization": authorization} if authorization else {}
    response = client.request(method, path, headers=headers, json={"text": "hei"})
    assert response.status_code == 401
    assert response.json()["detail"] == "Du må logge inn som rådgiver."


def test_cli_creates_an_advisor_whose_token_is_the_last_line(client: TestClient, settings: Settings) -> None:
    env = {"DATABASE_URL": settings.database_url, "PATH": "/usr/bin:/bin"}
    done = subprocess.run(
        [sys.executable, "-m", "api.admin", "add-advisor", "Kari Rådgiver"],
        cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, check=True,
    )  # fmt: skip
    token = done.stdout.strip().splitlines()[-1]
    response = client.get("/api/advisor/cases", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200 and response.json() == []
    again = subprocess.run(
        [sys.executable, "-m", "api.admin", "add-advisor", "Kari Rådgiver"], cwd=PROJECT_ROOT, env=env,
        capture_output=True, text=True,
    )  # fmt: skip
    assert again.returncode == 1 and "finnes allerede" in again.stderr


def test_cli_makes_an_admin_who_reads_the_audit_log(client: TestClient, settings: Settings) -> None:
    env = {"DATABASE_URL": settings.database_url, "PATH": "/usr/bin:/bin"}

    def admin_cli(*args: str) -> str:
        done = subprocess.run(
            [sys.executable, "-m", "api.admin", *args], cwd=PROJECT_ROOT, env=env, capture_output=True, text=True,
            check=True,
        )  # fmt: skip
        return done.stdout

    token = admin_cli("add-advisor", "sjef", "--role", "admin").strip().splitlines()[-1]
    assert client.post("/api/advisor/login", json={"name": "sjef", "password": "feil"}).status_code == 401
    [entry] = client.get("/api/advisor/audit", headers={"Authorization": f"Bearer {token}"}).json()
    assert (entry["action"], entry["name"], entry["address"]) == ("login_failed", "sjef", "testclient")
    [line] = admin_cli("audit").splitlines()
    assert "login_failed" in line and '"sjef"' in line and "testclient" in line


def test_cli_disables_an_advisor_who_left_token_password_and_session_stop_working(
    client: TestClient, settings: Settings
) -> None:
    password, token = client.app.state.advisors.add("tidligere")  # type: ignore[attr-defined]
    session = client.post("/api/advisor/login", json={"name": "tidligere", "password": password}).json()
    env = {"DATABASE_URL": settings.database_url, "PATH": "/usr/bin:/bin"}
    done = subprocess.run(
        [sys.executable, "-m", "api.admin", "disable-advisor", "tidligere"],
        cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, check=True,
    )  # fmt: skip
    assert "deaktivert" in done.stdout
    for credential in (token, session["token"]):
        assert client.get("/api/advisor/cases", headers={"Authorization": f"Bearer {credential}"}).status_code == 401
    assert client.post("/api/advisor/login", json={"name": "tidligere", "password": password}).status_code == 401
    unknown = subprocess.run(
        [sys.executable, "-m", "api.admin", "disable-advisor", "ukjent"], cwd=PROJECT_ROOT, env=env,
        capture_output=True, text=True,
    )  # fmt: skip
    assert unknown.returncode == 1 and "Fant ingen rådgiver" in unknown.stderr


def test_tokens_and_passwords_are_stored_only_as_hashes(client: TestClient) -> None:
    password, token = client.app.state.advisors.add("ola")  # type: ignore[attr-defined]
    stored = client.app.state.advisors.by_token(token)  # type: ignore[attr-defined]
    assert token not in stored.token_hash and password not in stored.password_hash


def test_console_login_gives_a_session_that_works_until_it_expires(client: TestClient, settings: Settings) -> None:
    password, _ = client.app.state.advisors.add("kari")  # type: ignore[attr-defined]
    assert client.post("/api/advisor/login", json={"name": "kari", "password": "feil"}).status_code == 401
    assert client.post("/api/advisor/login", json={"name": "ukjent", "password": password}).status_code == 401
    session = client.post("/api/advisor/login", json={"name": "kari", "password": password}).json()
    assert session["name"] == "kari"
    headers = {"Authorization": f"Bearer {session['token']}"}
    assert client.get("/api/advisor/cases", headers=headers).status_code == 200
    expired, _ = issue_session(settings.secret_key, 1, 0, hours=1, now=time.time() - 7200)
    assert client.get("/api/advisor/cases", headers={"Authorization": f"Bearer {expired}"}).status_code == 401
    other_key, _ = issue_session("another-secret", 1, 0, hours=1)
    assert client.get("/api/advisor/cases", headers={"Authorization": f"Bearer {other_key}"}).status_code == 401


def test_console_session_survives_a_restart_of_the_gateway(
    client: TestClient, settings: Settings, engine: KnowledgePipeline
) -> None:
    password, _ = client.app.state.advisors.add("kari")  # type: ignore[attr-defined]
    session = client.post("/api/advisor/login", json={"name": "kari", "password": password}).json()
    with TestClient(create_app(settings, engine=engine)) as restarted:
        response = restarted.get("/api/advisor/cases", headers={"Authorization": f"Bearer {session['token']}"})
    assert response.status_code == 200


def test_unknown_case_and_unknown_status_get_clear_errors(client: TestClient) -> None:
    _, token = client.app.state.advisors.add("kari")  # type: ignore[attr-defined]
    headers = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/advisor/cases/999", headers=headers).json()["detail"] == "Fant ikke saken."
    assert client.get(f"/api/advisor/cases/{2**64}", headers=headers).status_code == 422  # was a 500 (SQLite overflow)
    assert client.get("/api/advisor/cases", params={"status": "slettet"}, headers=headers).status_code == 422


def test_an_advisor_from_before_roles_and_session_versions_still_logs_in(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path}/old.db")
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0001")
        connection.execute(
            text("INSERT INTO advisors (name, token_hash, password_hash, created_at) VALUES (:n, :t, :p, :c)"),
            {"n": "kari", "t": token_hash("tok"), "p": password_hash("pw"), "c": "2026-11-30 08:00:00"},
        )
    migrate(engine)
    advisor = AdvisorStore(session_factory(engine)).by_password("kari", "pw")
    engine.dispose()
    assert advisor is not None and (advisor.role, advisor.session_version) == ("advisor", 0)
