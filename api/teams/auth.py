"""Verify that an activity really comes from Microsoft's Bot Connector.

The Bot Framework protocol signs every request to the bot with a JWT (RS256). The signing keys
are published behind an OpenID metadata document; each key lists the channels it is endorsed
for. A token is accepted only when it is signed by such a key endorsed for the activity's
channel, issued by the connector, addressed to our app id, unexpired (5 minutes of clock skew)
and bound to the activity's `serviceUrl`, so a stolen token cannot point the bot at another host.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx
import jwt

CLOCK_SKEW_SECONDS = 300
KEYS_MAX_AGE_SECONDS = 24 * 3600
# An unknown key id triggers a refresh at most this often, so forged tokens cannot make us
# hammer the metadata endpoint.
REFRESH_COOLDOWN_SECONDS = 300


class AuthError(Exception):
    """The request is not from the Bot Connector (or not for this bot)."""


@dataclass(frozen=True)
class SigningKey:
    """A connector signing key and the channels it may sign for."""

    key: Any
    endorsements: frozenset[str]


class ConnectorTokenVerifier:
    """Checks the `Authorization: Bearer` header of incoming activities."""

    def __init__(
        self,
        client: httpx.AsyncClient,
        app_id: str,
        openid_url: str,
        issuer: str,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._client = client
        self._app_id = app_id
        self._openid_url = openid_url
        self._issuer = issuer
        self._clock = clock
        self._keys: dict[str, SigningKey] = {}
        self._fetched_at = float("-inf")  # last successful fetch
        self._attempted_at = float("-inf")  # last fetch, successful or not
        self._lock = asyncio.Lock()

    async def verify(self, authorization: str | None, channel_id: str, service_url: str) -> dict[str, Any]:
        """The token's claims; raises AuthError for anything short of a valid connector token."""
        scheme, _, token = (authorization or "").partition(" ")
        if scheme.lower() != "bearer" or not token:
            raise AuthError("missing bearer token")
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError as error:
            raise AuthError(f"malformed token: {error}") from error
        if header.get("alg") != "RS256":
            raise AuthError("token not signed with RS256")
        key = await self._key(str(header.get("kid", "")))
        if channel_id not in key.endorsements:
            raise AuthError(f"signing key not endorsed for channel {channel_id!r}")
        try:
            claims: dict[str, Any] = jwt.decode(
                token,
                key.key,
                algorithms=["RS256"],
                audience=self._app_id,
                issuer=self._issuer,
                leeway=CLOCK_SKEW_SECONDS,
                options={"require": ["exp", "iss", "aud"]},
            )
        except jwt.PyJWTError as error:
            raise AuthError(f"invalid token: {error}") from error
        if claims.get("serviceurl") != service_url:
            raise AuthError("token is bound to another serviceUrl")
        return claims

    async def _key(self, kid: str) -> SigningKey:
        """The key with this id, refreshing the published keys when stale or when the id is new."""
        async with self._lock:
            now = self._clock()
            wanted = now - self._fetched_at > KEYS_MAX_AGE_SECONDS or kid not in self._keys
            if wanted and now - self._attempted_at > REFRESH_COOLDOWN_SECONDS:
                self._attempted_at = now
                await self._refresh()
        key = self._keys.get(kid)
        if key is None:
            raise AuthError("unknown signing key")
        return key

    async def _refresh(self) -> None:
        """Fetch the OpenID metadata, then its key set; keep the old keys if that fails."""
        try:
            metadata = (await self._client.get(self._openid_url)).raise_for_status().json()
            keys = (await self._client.get(metadata["jwks_uri"])).raise_for_status().json()["keys"]
            fresh = {
                item["kid"]: SigningKey(jwt.PyJWK(item).key, frozenset(item.get("endorsements", [])))
                for item in keys
                if item.get("kid")
            }
        except (httpx.HTTPError, KeyError, TypeError, ValueError, jwt.PyJWTError) as error:
            raise AuthError(f"connector keys unavailable: {error}") from error
        self._keys, self._fetched_at = fresh, self._clock()
