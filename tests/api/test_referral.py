"""POST /api/referral: pathway, lead, actors, cited recommendations, what is missing, urgency."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient


def test_description_gets_pathway_lead_actors_and_cited_recommendations(client: TestClient) -> None:
    response = client.post(
        "/api/referral",
        json={"description": "Mann med schizofreni i mange år, injiserer amfetamin daglig og har to barn på 5 og 9."},
    )
    assert response.status_code == 200
    body = response.json()
    assert body["urgent"] is False and body["pathway"] == 3 and body["missing"] == []
    assert "samtidig" in body["lead"]
    assert "kommunen" in body["actors"]
    recommendations = {r["id"]: r for r in body["recommendations"]}
    assert "barn_som_parorende" in recommendations
    source = recommendations["barn_som_parorende"]["source"]
    assert set(source) == {"id", "document", "section", "quote"} and source["quote"]
    assert body["sources"][0]["id"].startswith("sm:")
    assert body["substances"] == ["amfetamin"] and body["diagnoses"] == ["schizofreni"]
    assert body["findings"] == ["barn"]


def test_unknown_details_come_back_as_questions_with_answer_options(client: TestClient) -> None:
    body = client.post("/api/referral", json={"description": "Bruker med rusproblemer og angst."}).json()
    assert body["pathway"] is None
    assert body["missing"] == ["severity", "duration"]  # "angst" alone says nothing about severity
    assert body["questions"][1]["options"] == {
        "short": "Kortvarige (uker til måneder)",
        "long": "Langvarige (mer enn et år)",
    }


def test_structured_answers_complete_the_suggestion(client: TestClient) -> None:
    body = client.post(
        "/api/referral",
        json={"description": "Bruker med rusproblemer og angst.", "severity": "moderate", "duration": "short"},
    ).json()
    assert body["pathway"] == 1 and body["lead"].startswith("Kommunen")


def test_emergency_in_the_description_is_urgent_with_what_to_do_now(client: TestClient) -> None:
    body = client.post(
        "/api/referral", json={"description": "Hun har tatt en overdose av Sobril for en time siden og er slapp."}
    ).json()
    assert body["urgent"] is True and body["crisis"] == "overdose"
    assert "113" in body["message"] and "116 117" in body["message"]


@pytest.mark.parametrize(
    ("body", "detail"),
    [
        ({"description": ""}, "Meldingen er tom"),
        ({"description": "x" * 5001}, "for lang"),
        ({"description": "Bruker med angst", "severity": "ekstrem"}, "severity"),
        ({"description": "Bruker med angst", "pasient": "Ola"}, "pasient"),
        ({}, "description"),
    ],
)
def test_bad_input_gets_a_clear_error_not_a_crash(client: TestClient, body: dict, detail: str) -> None:
    response = client.post("/api/referral", json=body)
    assert response.status_code == 422
    assert detail in response.text
