"""A stand-in for Microsoft's cloud side of Teams, as a real HTTP server on 127.0.0.1.

It plays the three services a Teams bot talks to:
- the Bot Framework OpenID metadata and signing keys (with channel endorsements), which the
  gateway fetches to verify the JWT on each incoming activity; `token_for` signs such JWTs;
- the Entra ID token endpoint of the bot's tenant (client-credentials grant);
- the Bot Connector REST API, after checking the bearer token it issued: it records every
  activity the bot sends (`/v3/conversations/{id}/activities[/{replyToId}]`) with the
  conversation it went to, and opens a user's 1:1 chat with the bot (`POST /v3/conversations`),
  answering with the same conversation id each time for the same user, as Teams does.
Activities to replay live in `tests/fixtures/teams/`: real Teams JSON with the ids replaced.
"""

from __future__ import annotations

import hashlib
import json
import re
import secrets
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa

from knowledge.settings import PROJECT_ROOT

FIXTURES = PROJECT_ROOT / "tests" / "fixtures" / "teams"  # recorded activities: data, read here, not imported
APP_ID = "6d1f3a8e-2c4b-4f5e-9a7d-0b1c2d3e4f50"
APP_PASSWORD = "emulated-client-secret-" + "x" * 16
TENANT_ID = "3f2e1d0c-b4a5-4c6d-8e7f-9a0b1c2d3e4f"
ISSUER = "https://api.botframework.com"
TEAMS_KEY, WEBCHAT_KEY = "emulated-teams-key", "emulated-webchat-key"
_ACTIVITIES = re.compile(r"^(?:/[^/]+)?/v3/conversations/([^/]+)/activities(?:/([^/]+))?$")
_CONVERSATIONS = re.compile(r"^(?:/[^/]+)?/v3/conversations$")


@dataclass
class Sent:
    """An activity the bot posted to the connector."""

    conversation_id: str
    reply_to: str | None
    activity: dict[str, Any]


class BotConnectorCloud:
    """The emulated services; `url` is their base, `service_url` the connector's."""

    def __init__(self) -> None:
        self._keys = {
            kid: rsa.generate_private_key(public_exponent=65537, key_size=2048) for kid in (TEAMS_KEY, WEBCHAT_KEY)
        }
        self._endorsements = {TEAMS_KEY: ["msteams"], WEBCHAT_KEY: ["webchat"]}
        self.sent: list[Sent] = []
        self.created: list[dict[str, Any]] = []  # the bodies of the conversations the bot opened
        self.token_requests = 0
        self.issued: set[str] = set()
        self.fail_next: list[int] = []  # statuses the connector answers the next requests with
        self._changed = threading.Condition()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def __enter__(self) -> BotConnectorCloud:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    @property
    def service_url(self) -> str:
        """Like Teams' `https://smba.trafficmanager.net/emea/`: a region path and a trailing slash."""
        return f"{self.url}/emea/"

    def settings_env(self) -> dict[str, str]:
        """The gateway settings that point it at this stand-in."""
        return {
            "MICROSOFT_APP_ID": APP_ID,
            "MICROSOFT_APP_PASSWORD": APP_PASSWORD,
            "MICROSOFT_APP_TENANT_ID": TENANT_ID,
            "BOTFRAMEWORK_OPENID_URL": f"{self.url}/v1/.well-known/openidconfiguration",
            "MICROSOFT_LOGIN_URL": self.url,
        }

    def token_for(self, activity: dict[str, Any], kid: str = TEAMS_KEY, **claims: Any) -> str:
        """The `Authorization` header the connector sends with `activity`; `claims` override."""
        now = int(time.time())
        body = {
            "iss": ISSUER,
            "aud": APP_ID,
            "serviceurl": activity["serviceUrl"],
            "nbf": now - 5,
            "exp": now + 3600,
            **claims,
        }
        return "Bearer " + jwt.encode(body, self._keys[kid], algorithm="RS256", headers={"kid": kid})

    def activity(self, name: str, **changes: Any) -> dict[str, Any]:
        """A recorded Teams activity from the fixtures, addressed to this stand-in."""
        recorded = (FIXTURES / f"{name}.json").read_text(encoding="utf-8")
        activity: dict[str, Any] = json.loads(recorded.replace("BOT_ID", APP_ID))
        activity["serviceUrl"] = self.service_url
        return {**activity, **changes}

    def wait_for(self, count: int, timeout: float = 30.0) -> list[Sent]:
        """Block until at least `count` activities were sent; then all of them."""
        with self._changed:
            if not self._changed.wait_for(lambda: len(self.sent) >= count, timeout):
                raise AssertionError(f"expected {count} activities from the bot, got {self.sent}")
            return list(self.sent)

    def messages(self, since: int = 0) -> list[Sent]:
        """The message activities (not typing indicators) sent after the first `since` sends."""
        return [s for s in self.sent[since:] if s.activity.get("type") == "message"]

    @staticmethod
    def private_chat(user_id: str) -> str:
        """The id of the bot's 1:1 chat with a Teams user (`29:...`): stable, like Teams'."""
        return f"a:1{hashlib.sha256(user_id.encode()).hexdigest()[:48]}"

    def _open(self, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        """`POST /v3/conversations` for a 1:1 chat: the bot, one member and the tenant, as Teams
        requires them; a bad request is refused like the connector refuses it."""
        members, tenant = body.get("members"), body.get("tenantId")
        users = [m.get("id") for m in members if isinstance(m, dict)] if isinstance(members, list) else []
        channel_tenant = (body.get("channelData") or {}).get("tenant") or {}
        well_formed = (
            len(users) == 1
            and str(users[0]).startswith("29:")
            and (body.get("bot") or {}).get("id") == f"28:{APP_ID}"
            and body.get("isGroup") is False
            and tenant == TENANT_ID == channel_tenant.get("id")
        )
        if not well_formed:
            return 400, {"error": {"code": "BadArgument", "message": "Invalid conversation parameters"}}
        self.created.append(body)
        return 201, {"id": self.private_chat(str(users[0]))}

    def _jwks(self) -> dict[str, Any]:
        keys = []
        for kid, key in self._keys.items():
            public = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(key.public_key()))
            public.pop("key_ops", None)  # Microsoft publishes kty, use, kid, n, e, x5c, endorsements
            keys.append({**public, "kid": kid, "use": "sig", "endorsements": self._endorsements[kid]})
        return {"keys": keys}

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        cloud = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:  # keep test output quiet
                return

            def _json(self, status: int, body: dict[str, Any]) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _body(self) -> bytes:
                return self.rfile.read(int(self.headers.get("Content-Length", 0)))

            def do_GET(self) -> None:  # noqa: N802
                if self.path == "/v1/.well-known/openidconfiguration":
                    self._json(200, {
                        "issuer": ISSUER,
                        "jwks_uri": f"{cloud.url}/v1/.well-known/keys",
                        "id_token_signing_alg_values_supported": ["RS256"],
                        "token_endpoint_auth_methods_supported": ["private_key_jwt"],
                    })  # fmt: skip
                elif self.path == "/v1/.well-known/keys":
                    self._json(200, cloud._jwks())
                else:
                    self._json(404, {"error": "not found"})

            def do_POST(self) -> None:  # noqa: N802
                if self.path == f"/{TENANT_ID}/oauth2/v2.0/token":
                    self._token(parse_qs(self._body().decode()))
                    return
                match = _ACTIVITIES.match(self.path)
                opening = _CONVERSATIONS.match(self.path) is not None
                if match is None and not opening:
                    self._json(404, {"error": "not found"})
                    return
                body = json.loads(self._body())
                if self.headers.get("Authorization", "").removeprefix("Bearer ") not in cloud.issued:
                    self._json(401, {"message": "Authorization has been denied for this request."})
                    return
                if cloud.fail_next:
                    self._json(cloud.fail_next.pop(0), {"error": {"code": "ServiceError"}})
                    return
                if match is None:
                    self._json(*cloud._open(body))
                    return
                conversation, reply_to = unquote(match[1]), unquote(match[2]) if match[2] else None
                with cloud._changed:
                    cloud.sent.append(Sent(conversation, reply_to, body))
                    cloud._changed.notify_all()
                self._json(200, {"id": f"1:{secrets.token_hex(8)}"})

            def _token(self, form: dict[str, list[str]]) -> None:
                cloud.token_requests += 1
                expected = {
                    "grant_type": ["client_credentials"],
                    "client_id": [APP_ID],
                    "client_secret": [APP_PASSWORD],
                    "scope": ["https://api.botframework.com/.default"],
                }
                if form != expected:
                    self._json(401, {"error": "invalid_client"})
                    return
                token = secrets.token_urlsafe(24)
                cloud.issued.add(token)
                self._json(
                    200, {"token_type": "Bearer", "expires_in": 3599, "ext_expires_in": 3599, "access_token": token}
                )

        return Handler
