"""Issue 14 §6: advisors. Password guessing is throttled and audited, sessions end when the
credentials change or the advisor logs out, a case belongs to the advisor who took it, every reply
names its advisor, and a reply is masked before it is stored or sent."""

from __future__ import annotations

import asyncio
import logging
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.login_throttle import LoginThrottle
from api.settings import Settings
from store.models import Case

FNR = "15038512525"  # a valid fødselsnummer (check digits and date)


class FakeClock:
    """Monotonic seconds that a test moves forward."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def _state(client: TestClient) -> Any:
    return client.app.state  # type: ignore[attr-defined]


def _advisor(client: TestClient, name: str, role: str = "advisor") -> tuple[str, dict[str, str]]:
    """A registered advisor: its console password and its API token header."""
    password, token = _state(client).advisors.add(name, role)
    return password, {"Authorization": f"Bearer {token}"}


def _login(client: TestClient, name: str, password: str) -> dict[str, str]:
    response = client.post("/api/advisor/login", json={"name": name, "password": password})
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['token']}"}


def _case(client: TestClient) -> int:
    """A waiting case, as a hand-off leaves it."""
    case, _ = _state(client).cases.open("w1", "web", "asked", [("worker", "Trenger hjelp med en bruker")])
    return int(case.id)


def _case_taken_by(client: TestClient, headers: dict[str, str]) -> int:
    case_id = _case(client)
    assert client.post(f"/api/advisor/cases/{case_id}/take", headers=headers).json()["status"] == "open"
    return case_id


def _stored(client: TestClient, case_id: int) -> Case:
    case: Case = _state(client).cases.get(case_id)
    return case


def test_password_guessing_is_throttled_per_account(client: TestClient) -> None:
    clock = FakeClock()
    _state(client).login_throttle = LoginThrottle.default(clock)
    password, _ = _advisor(client, "kari")
    for guess in range(5):
        assert client.post("/api/advisor/login", json={"name": "kari", "password": f"gjett{guess}"}).status_code == 401
    refused = client.post("/api/advisor/login", json={"name": "kari", "password": password})
    assert refused.status_code == 429  # even the right password, so guessing on learns nothing
    assert "For mange mislykkede innlogginger" in refused.json()["detail"]
    assert 0 < int(refused.headers["Retry-After"]) <= 15 * 60
    assert client.post("/api/advisor/login", json={"name": "KARI ", "password": password}).status_code == 429
    clock.now += 15 * 60
    _login(client, "kari", password)


def test_password_guessing_is_throttled_per_address(client: TestClient) -> None:
    password, _ = _advisor(client, "kari")
    for account in range(20):  # a few guesses each at many accounts stay under the per-account limit
        response = client.post("/api/advisor/login", json={"name": f"konto{account}", "password": "Sommer2026"})
        assert response.status_code == 401
    refused = client.post("/api/advisor/login", json={"name": "kari", "password": password})
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) >= 1


def test_parallel_guesses_get_no_more_tries_than_sequential_ones() -> None:
    throttle = LoginThrottle.default(FakeClock())

    async def guesses() -> list[int]:  # all at once: none has failed yet
        return list(await asyncio.gather(*(throttle.hit("kari", "203.0.113.9") for _ in range(50))))

    with ThreadPoolExecutor(1) as pool:  # a loop of its own, whatever an earlier test left running here
        let_through = pool.submit(asyncio.run, guesses()).result()
    assert let_through.count(0) == 5


def test_failed_login_is_audited_without_the_password(
    client: TestClient, settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    _advisor(client, "kari")
    _, admin = _advisor(client, "sjef", role="admin")
    tried = "Hemmelig-gjett-7731"
    with caplog.at_level(logging.INFO):
        assert client.post("/api/advisor/login", json={"name": "kari", "password": tried}).status_code == 401
    [entry] = [e for e in client.get("/api/advisor/audit", headers=admin).json() if e["action"] == "login_failed"]
    assert entry["name"] == "kari" and entry["address"] == "testclient" and entry["at"]
    assert "kari" in caplog.text and tried not in caplog.text
    database = Path(settings.database_url.removeprefix("sqlite:///"))
    stored = b"".join(p.read_bytes() for p in database.parent.glob(database.name + "*"))
    assert tried.encode() not in stored


def test_session_revoked_by_new_password(client: TestClient) -> None:
    password, _ = _advisor(client, "kari")
    session = _login(client, "kari", password)
    _state(client).advisors.new_password("kari")
    assert client.get("/api/advisor/cases", headers=session).status_code == 401


def test_session_revoked_by_new_token(client: TestClient) -> None:
    password, _ = _advisor(client, "kari")
    session = _login(client, "kari", password)
    _state(client).advisors.new_token("kari")
    assert client.get("/api/advisor/cases", headers=session).status_code == 401


def test_session_revoked_by_logout(client: TestClient) -> None:
    password, _ = _advisor(client, "kari")
    session = _login(client, "kari", password)
    assert client.post("/api/advisor/logout", headers=session).status_code == 204
    assert client.get("/api/advisor/cases", headers=session).status_code == 401
    assert client.get("/api/advisor/cases", headers=_login(client, "kari", password)).status_code == 200


def test_other_advisor_cannot_close_a_taken_case(client: TestClient) -> None:
    _, kari = _advisor(client, "kari")
    _, ola = _advisor(client, "ola")
    case_id = _case_taken_by(client, kari)
    refused = client.post(f"/api/advisor/cases/{case_id}/close", headers=ola)
    assert refused.status_code == 403 and "En annen rådgiver har tatt saken" in refused.json()["detail"]
    assert _stored(client, case_id).status == "open"


def test_other_advisor_cannot_reply_into_a_taken_case(client: TestClient) -> None:
    _, kari = _advisor(client, "kari")
    _, ola = _advisor(client, "ola")
    case_id = _case_taken_by(client, kari)
    refused = client.post(f"/api/advisor/cases/{case_id}/messages", json={"text": "Jeg tar over"}, headers=ola)
    assert refused.status_code == 403 and "En annen rådgiver har tatt saken" in refused.json()["detail"]
    assert [m.role for m in _stored(client, case_id).messages] == ["worker"]


def test_admin_can_close_any_case(client: TestClient) -> None:
    _, kari = _advisor(client, "kari")
    _, admin = _advisor(client, "sjef", role="admin")
    case_id = _case_taken_by(client, kari)
    assert client.post(f"/api/advisor/cases/{case_id}/close", headers=admin).json()["status"] == "closed"
    closes = [e for e in client.get("/api/advisor/audit", headers=admin).json() if e["action"] == "close"]
    assert [(e["name"], e["case_id"]) for e in closes] == [("sjef", case_id)]


def test_message_records_which_advisor_wrote_it(client: TestClient) -> None:
    _, kari = _advisor(client, "kari")
    case_id = _case(client)
    reply = client.post(f"/api/advisor/cases/{case_id}/messages", json={"text": "Hei, jeg ser på saken"}, headers=kari)
    assert reply.json()["advisor"] == "kari"
    [line] = [
        m
        for m in client.get(f"/api/advisor/cases/{case_id}", headers=kari).json()["messages"]
        if m["role"] == "advisor"
    ]
    assert line["advisor"] == "kari"
    kari_id = _state(client).advisors.by_token(kari["Authorization"].removeprefix("Bearer ")).id
    assert _stored(client, case_id).messages[-1].advisor_id == kari_id


def test_advisor_fodselsnummer_is_masked_before_storage(client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    _, kari = _advisor(client, "kari")
    case_id = _case(client)
    sent: list[object] = []  # what the worker's widget and the consoles get live
    monkeypatch.setattr(_state(client).hub, "publish", lambda topic, event: sent.append(event))
    text = f"Gjelder det {FNR}? Ring 41234567."
    reply = client.post(f"/api/advisor/cases/{case_id}/messages", json={"text": text}, headers=kari)
    assert reply.status_code == 200 and reply.json()["text"] == "Gjelder det [fødselsnummer]? Ring [telefon]."
    assert sent and FNR not in str(sent)
    assert all(FNR not in m.text for m in _stored(client, case_id).messages)


def test_audit_log_only_for_admins(client: TestClient) -> None:
    password, kari = _advisor(client, "kari")
    _, admin = _advisor(client, "sjef", role="admin")
    _login(client, "kari", password)
    refused = client.get("/api/advisor/audit", headers=kari)
    assert refused.status_code == 403 and refused.json()["detail"] == "Bare administratorer har tilgang til dette."
    logins = [e for e in client.get("/api/advisor/audit", headers=admin).json() if e["action"] == "login"]
    assert [e["name"] for e in logins] == ["kari"]
