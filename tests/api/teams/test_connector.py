"""Replies reach the Bot Connector with a token from the bot's own tenant, renewed when refused."""

from __future__ import annotations

import httpx
import pytest

from api.teams.connector import Connector, ConnectorError
from devstack.bot_connector import APP_ID, APP_PASSWORD, TENANT_ID, BotConnectorCloud

pytestmark = pytest.mark.asyncio
CONVERSATION = "19:abc@thread.tacv2;messageid=1763626202555"


def connector(cloud: BotConnectorCloud, client: httpx.AsyncClient, password: str = APP_PASSWORD) -> Connector:
    return Connector(client, APP_ID, password, f"{cloud.url}/{TENANT_ID}/oauth2/v2.0/token")


async def test_token_is_fetched_once_and_reused_for_later_replies(cloud: BotConnectorCloud) -> None:
    before = cloud.token_requests
    async with httpx.AsyncClient() as client:
        sender = connector(cloud, client)
        await sender.send(cloud.service_url, CONVERSATION, {"type": "message", "text": "1"}, reply_to="17636")
        await sender.send(cloud.service_url, CONVERSATION, {"type": "message", "text": "2"})
    assert cloud.token_requests == before + 1
    first, second = cloud.sent
    assert (first.conversation_id, first.reply_to) == (CONVERSATION, "17636")  # ids with : ; @ survive quoting
    assert (second.conversation_id, second.reply_to) == (CONVERSATION, None)


async def test_a_token_the_connector_refuses_is_renewed_once(cloud: BotConnectorCloud) -> None:
    async with httpx.AsyncClient() as client:
        sender = connector(cloud, client)
        await sender.send(cloud.service_url, CONVERSATION, {"type": "message", "text": "1"})
        cloud.issued.clear()  # the connector no longer accepts the cached token
        await sender.send(cloud.service_url, CONVERSATION, {"type": "message", "text": "2"})
    assert [s.activity["text"] for s in cloud.sent] == ["1", "2"]


async def test_wrong_app_password_is_a_connector_error_not_a_crash(cloud: BotConnectorCloud) -> None:
    async with httpx.AsyncClient() as client:
        with pytest.raises(ConnectorError, match="no token"):
            await connector(cloud, client, password="wrong").send(cloud.service_url, CONVERSATION, {"type": "message"})
    assert cloud.sent == []


async def test_connector_outage_is_a_connector_error(cloud: BotConnectorCloud) -> None:
    cloud.fail_next.append(503)
    async with httpx.AsyncClient() as client:
        with pytest.raises(ConnectorError, match="503"):
            await connector(cloud, client).send(cloud.service_url, CONVERSATION, {"type": "message"})


def private_chat_with(user: str, tenant: str | None = TENANT_ID) -> dict[str, object]:
    """The body Teams wants for a bot's 1:1 chat with `user`."""
    return {
        "bot": {"id": f"28:{APP_ID}"},
        "members": [{"id": user}],
        "tenantId": tenant,
        "isGroup": False,
        "channelData": {"tenant": {"id": tenant}},
    }


async def test_a_private_chat_is_opened_and_is_the_same_chat_each_time_for_the_same_user(
    cloud: BotConnectorCloud,
) -> None:
    async with httpx.AsyncClient() as client:
        sender = connector(cloud, client)
        first = await sender.create_conversation(cloud.service_url, private_chat_with("29:kari"))
        again = await sender.create_conversation(cloud.service_url, private_chat_with("29:kari"))
        other = await sender.create_conversation(cloud.service_url, private_chat_with("29:ola"))
    assert first == again == cloud.private_chat("29:kari") != other
    assert [body["members"] for body in cloud.created] == [[{"id": "29:kari"}]] * 2 + [[{"id": "29:ola"}]]


async def test_a_private_chat_the_connector_refuses_is_a_connector_error(cloud: BotConnectorCloud) -> None:
    async with httpx.AsyncClient() as client:
        with pytest.raises(ConnectorError, match="conversation not opened: connector answered 400"):
            await connector(cloud, client).create_conversation(cloud.service_url, private_chat_with("29:kari", None))
    assert cloud.created == []
