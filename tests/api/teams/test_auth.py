"""Only the Bot Connector, signing for this bot and this conversation's host, reaches the bot."""

from __future__ import annotations

import time
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from fastapi.testclient import TestClient

from api.main import create_app
from api.settings import Settings
from devstack.bot_connector import APP_ID, APP_PASSWORD, TEAMS_KEY, WEBCHAT_KEY, BotConnectorCloud
from knowledge.pipeline import KnowledgePipeline
from tests.api.conftest import closed_port_url


def post(client: TestClient, activity: dict[str, Any], authorization: str | None) -> Any:
    headers = {"Authorization": authorization} if authorization else {}
    return client.post("/api/messages", json=activity, headers=headers)


def forged_with_own_key(activity: dict[str, Any]) -> str:
    """A well-formed token whose key id is the connector's but whose signature is not."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    now = int(time.time())
    claims = {
        "iss": "https://api.botframework.com",
        "aud": APP_ID,
        "serviceurl": activity["serviceUrl"],
        "exp": now + 60,
    }
    return "Bearer " + jwt.encode(claims, key, algorithm="RS256", headers={"kid": TEAMS_KEY})


BAD_TOKENS = {
    "no header": lambda cloud, a: None,
    "not bearer": lambda cloud, a: cloud.token_for(a).replace("Bearer", "Basic"),
    "garbage": lambda cloud, a: "Bearer not.a.jwt",
    "expired": lambda cloud, a: cloud.token_for(a, exp=int(time.time()) - 600, nbf=int(time.time()) - 4000),
    "other app id": lambda cloud, a: cloud.token_for(a, aud="00000000-0000-0000-0000-000000000000"),
    "other issuer": lambda cloud, a: cloud.token_for(a, iss="https://sts.windows.net/evil/"),
    "other service url": lambda cloud, a: cloud.token_for(a, serviceurl="https://evil.example/"),
    "key not endorsed for msteams": lambda cloud, a: cloud.token_for(a, kid=WEBCHAT_KEY),
    "signed with another key": lambda cloud, a: forged_with_own_key(a),
    "hs256 with the app password": lambda cloud, a: (
        "Bearer " + jwt.encode({"aud": APP_ID}, APP_PASSWORD, algorithm="HS256", headers={"kid": TEAMS_KEY})
    ),
}


@pytest.mark.parametrize("kind", BAD_TOKENS)
def test_activity_without_a_valid_connector_token_is_refused_401_and_not_answered(
    client: TestClient, cloud: BotConnectorCloud, kind: str
) -> None:
    activity = cloud.activity("message_personal")
    response = post(client, activity, BAD_TOKENS[kind](cloud, activity))
    assert response.status_code == 401
    assert "token" in response.json()["detail"]
    assert cloud.sent == []


def test_activity_with_a_valid_token_is_accepted_and_answered(client: TestClient, cloud: BotConnectorCloud) -> None:
    activity = cloud.activity("message_personal")
    assert post(client, activity, cloud.token_for(activity)).status_code == 200
    assert cloud.messages(), "the bot should have replied through the connector"


def test_activity_from_another_organisation_is_refused_403(client: TestClient, cloud: BotConnectorCloud) -> None:
    activity = cloud.activity("message_personal", channelData={"tenant": {"id": "another-tenant"}})
    activity["conversation"]["tenantId"] = "another-tenant"
    response = post(client, activity, cloud.token_for(activity))
    assert response.status_code == 403
    assert cloud.sent == []


def test_odd_channel_data_from_the_connector_is_not_a_crash(client: TestClient, cloud: BotConnectorCloud) -> None:
    activity = cloud.activity("message_personal", channelData={"tenant": "not-an-object"})
    assert post(client, activity, cloud.token_for(activity)).status_code == 200  # tenant read from the conversation


def test_malformed_activity_is_a_clear_422(client: TestClient, cloud: BotConnectorCloud) -> None:
    activity = cloud.activity("message_personal")
    del activity["conversation"]
    response = post(client, activity, cloud.token_for(cloud.activity("message_personal")))
    assert response.status_code == 422


def test_teams_endpoint_is_404_when_no_app_registration_is_configured(engine: KnowledgePipeline) -> None:
    settings = Settings(rasa_url=closed_port_url(), actions_url=closed_port_url(), environment="test")
    with TestClient(create_app(settings, engine=engine)) as client:
        response = client.post("/api/messages", json={})
    assert response.status_code == 404
    assert "Teams er ikke satt opp" in response.json()["detail"]


def test_production_refuses_a_teams_app_id_without_password_and_tenant() -> None:
    with pytest.raises(ValueError, match="MICROSOFT_APP_PASSWORD"):
        Settings(microsoft_app_id="6d1f3a8e-2c4b-4f5e-9a7d-0b1c2d3e4f50")
