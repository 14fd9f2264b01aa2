"""Send activities to a conversation, and open a user's 1:1 chat, through the Bot Connector REST API (v3).

The bot authenticates with a token from its own Entra ID tenant (single-tenant app
registration, client-credentials grant, scope of the Bot Framework API). The token is cached
until shortly before it expires, and fetched again once if the connector rejects it.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import quote

import httpx

SCOPE = "https://api.botframework.com/.default"
RENEW_BEFORE_SECONDS = 300


class ConnectorError(Exception):
    """The connector or the token issuer refused or could not be reached."""


class Connector:
    """Posts activities (replies and proactive messages) to the Bot Connector service, and opens
    the 1:1 chats that advisor replies to a group chat or channel user go to."""

    def __init__(
        self,
        client: httpx.AsyncClient,
        app_id: str,
        password: str,
        token_url: str,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._client = client
        self._app_id = app_id
        self._password = password
        self._token_url = token_url
        self._clock = clock
        self._token = ""
        self._expires = float("-inf")
        self._lock = asyncio.Lock()

    async def send(
        self, service_url: str, conversation_id: str, activity: dict[str, Any], reply_to: str | None = None
    ) -> None:
        """Post one activity; as a reply to `reply_to` when given, else as a new message."""
        url = f"{service_url.rstrip('/')}/v3/conversations/{quote(conversation_id, safe='')}/activities"
        if reply_to:
            url += f"/{quote(reply_to, safe='')}"
        await self._post(url, activity)

    async def create_conversation(self, service_url: str, parameters: dict[str, Any]) -> str:
        """Open a conversation (Teams answers a 1:1 chat with the one it already has) and return its id."""
        try:
            response = await self._post(f"{service_url.rstrip('/')}/v3/conversations", parameters)
            conversation_id = response.json()["id"]
        except (ConnectorError, ValueError, KeyError, TypeError) as error:
            raise ConnectorError(f"conversation not opened: {error}") from error
        if not isinstance(conversation_id, str) or not conversation_id:
            raise ConnectorError(f"conversation not opened: no id in {conversation_id!r}")
        return conversation_id

    async def _post(self, url: str, body: dict[str, Any]) -> httpx.Response:
        """POST with the bot's token, renewed once if the connector refuses it."""
        for attempt in (1, 2):
            headers = {"Authorization": f"Bearer {await self._access_token(renew=attempt == 2)}"}
            try:
                response = await self._client.post(url, json=body, headers=headers)
            except httpx.HTTPError as error:
                raise ConnectorError(f"connector unreachable: {error}") from error
            if response.status_code != 401:
                break
        if response.is_error:
            raise ConnectorError(f"connector answered {response.status_code}")
        return response

    async def _access_token(self, renew: bool = False) -> str:
        """A valid token for the connector, from the cache unless it is (nearly) expired."""
        async with self._lock:
            if renew or self._clock() >= self._expires - RENEW_BEFORE_SECONDS:
                form = {
                    "grant_type": "client_credentials",
                    "client_id": self._app_id,
                    "client_secret": self._password,
                    "scope": SCOPE,
                }
                try:
                    response = await self._client.post(self._token_url, data=form)
                    body = response.raise_for_status().json()
                    self._token, self._expires = body["access_token"], self._clock() + float(body["expires_in"])
                except (httpx.HTTPError, KeyError, TypeError, ValueError) as error:
                    raise ConnectorError(f"no token from {self._token_url}: {error}") from error
            return self._token
