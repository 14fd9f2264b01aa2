"""POST /api/ask answers straight from the knowledge engine, best source first."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from api.main import create_app
from api.settings import Settings


def test_ask_returns_answer_confidence_and_ordered_sources(client: TestClient) -> None:
    response = client.post("/api/ask", json={"question": "Hvem har ansvaret for individuell plan?", "top_k": 3})
    assert response.status_code == 200
    body = response.json()
    assert body["out_of_scope"] is False and 0 < body["confidence"] <= 1
    assert body["answer"] == body["sources"][0]["text"]
    assert len(body["sources"]) == 3
    assert set(body["sources"][0]) == {"id", "document", "title", "text", "score", "recommendation", "services"}
    scores = [s["score"] for s in body["sources"]]
    assert scores == sorted(scores, reverse=True)
    assert body["short_answer"].startswith("Kommunen") and "kommunen" in body["responsible"]
    assert body["quotes"][0] == body["answer"] and body["reason"] is None


def test_dosing_question_is_out_of_scope_with_reason_clinical(client: TestClient) -> None:
    body = client.post("/api/ask", json={"question": "Hvor mange mg metadon er vanlig startdose?"}).json()
    assert body["out_of_scope"] is True and body["reason"] == "clinical" and body["answer"] is None


def test_question_outside_the_guidelines_is_marked_out_of_scope(client: TestClient) -> None:
    body = client.post("/api/ask", json={"question": "Hva blir været i Tromsø i morgen?"}).json()
    assert body["out_of_scope"] is True and body["answer"] is None


@pytest.mark.parametrize(("top_k", "status"), [(0, 422), (11, 422), ("3", 422), (1.5, 422), (10, 200)])
def test_top_k_must_be_an_integer_from_1_to_10(client: TestClient, top_k: object, status: int) -> None:
    response = client.post("/api/ask", json={"question": "kriseplan", "top_k": top_k})
    assert response.status_code == status
    if status == 422:
        assert "top_k" in response.json()["detail"]


def test_ask_without_index_gets_503_in_norwegian(tmp_path) -> None:  # type: ignore[no-untyped-def]
    settings = Settings(index_dir=tmp_path / "empty", environment="test", database_url=f"sqlite:///{tmp_path}/rop.db")
    with TestClient(create_app(settings)) as client:
        response = client.post("/api/ask", json={"question": "Hvem har ansvaret for IP?"})
    assert response.status_code == 503
    assert "Kunnskapsbasen er ikke klar" in response.json()["detail"]


def test_emergency_question_is_urgent_and_says_what_to_do_now(client: TestClient) -> None:
    body = client.post(
        "/api/ask", json={"question": "Han sier han vil ta livet sitt i kveld, hvem har ansvaret?"}
    ).json()
    assert body["urgent"] is True and body["reason"] == "crisis" and body["answer"] is None
    assert "113" in body["short_answer"] and "116 117" in body["short_answer"]
