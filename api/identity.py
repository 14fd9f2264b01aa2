"""Who a web conversation belongs to: the gateway issues each one an id and a signed token.

The token is the only credential for a conversation's chat turns, advisor replies and live
events. A client cannot choose an id, and cannot compute another conversation's token without
SECRET_KEY. Teams conversations get pseudonyms from the same secret (`teams_pseudonym`), of a
form a web token can never carry.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
import time

TOKEN_PREFIX = "cv1"
WEB_ID = re.compile(r"w[0-9a-f]{32}")
TEAMS_PREFIX = "teams-"


def _mac(secret: str, purpose: str, *parts: str) -> bytes:
    """HMAC-SHA256 of `parts`, bound to its purpose so one signature never serves another."""
    message = "\n".join((purpose, *parts)).encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).digest()


def _signature(secret: str, body: str) -> str:
    return base64.urlsafe_b64encode(_mac(secret, "conversation", body)).decode().rstrip("=")


def issue_conversation(secret: str, hours: int, now: float | None = None) -> tuple[str, str, int]:
    """A new conversation: (id, token, expiry in Unix seconds)."""
    conversation_id = "w" + secrets.token_hex(16)
    expires = int((time.time() if now is None else now) + hours * 3600)
    body = f"{conversation_id}.{expires}"
    return conversation_id, f"{TOKEN_PREFIX}.{body}.{_signature(secret, body)}", expires


def conversation_of(secret: str, token: str, now: float | None = None) -> str | None:
    """The conversation id of a valid, unexpired token; None for anything else."""
    parts = token.split(".")
    if len(parts) != 4 or parts[0] != TOKEN_PREFIX:
        return None
    _, conversation_id, expires, signature = parts
    if not WEB_ID.fullmatch(conversation_id) or not expires.isdigit():
        return None
    if not hmac.compare_digest(signature, _signature(secret, f"{conversation_id}.{expires}")):
        return None
    return conversation_id if int(expires) > (time.time() if now is None else now) else None


def teams_pseudonym(secret: str, conversation_id: str, user_id: str) -> str:
    """A stable pseudonym for a Teams user in one conversation; without the secret it cannot be
    computed from the (widely seen) Teams ids."""
    return TEAMS_PREFIX + _mac(secret, "teams", conversation_id, user_id).hex()[:40]
