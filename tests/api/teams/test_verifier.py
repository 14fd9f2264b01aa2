"""Forged tokens cannot make the gateway hammer Microsoft's key service, even while it is down."""

from __future__ import annotations

import httpx
import pytest

from api.teams.auth import REFRESH_COOLDOWN_SECONDS, AuthError, ConnectorTokenVerifier

pytestmark = pytest.mark.asyncio


async def test_key_service_down_is_asked_again_only_after_the_cooldown() -> None:
    calls: list[str] = []
    now = [1000.0]

    def down(request: httpx.Request) -> httpx.Response:
        calls.append(str(request.url))
        return httpx.Response(503)

    async with httpx.AsyncClient(transport=httpx.MockTransport(down)) as client:
        verifier = ConnectorTokenVerifier(client, "app", "https://keys.test/openid", "iss", clock=lambda: now[0])
        for _ in range(5):  # a burst of forged tokens with unknown key ids
            with pytest.raises(AuthError):
                await verifier._key("forged")
        assert len(calls) == 1
        now[0] += REFRESH_COOLDOWN_SECONDS + 1
        with pytest.raises(AuthError):
            await verifier._key("forged")
        assert len(calls) == 2
