"""Cases as the advisor console shows them: Norwegian labels for every code a case carries (one
mapping, so no English code reaches an advisor), a short preview of what the worker asked, and
the queue order: emergencies first, then whoever has waited longest."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from contract.handoff import ASKED, CRISIS, FALLBACK
from store.models import Case, Message

REASON_LABELS = {ASKED: "Ba om rådgiver", FALLBACK: "Boten fant ikke svar", CRISIS: "Akutt"}
STATUS_LABELS = {"waiting": "Venter", "open": "Åpen", "closed": "Avsluttet"}
CHANNEL_LABELS = {"web": "Nett", "teams": "Teams"}
ROLE_LABELS = {"worker": "Bruker", "bot": "Boten", "advisor": "Rådgiver", "system": "System"}
PREVIEW_CHARS = 140
# What the transcript shows instead of a button click or an emergency's unstored words:
# "[ba om en rådgiver]". Not what the worker asked, so not a preview.
_STAND_IN = re.compile(r"^\[[^\]]*\]$")


def _label(labels: dict[str, str], code: str) -> str:
    """The Norwegian label; a code without one is shown as it is rather than hidden (a test
    checks that every code the project produces has a label)."""
    return labels.get(code, code)


def preview(case: Case) -> str:
    """The worker's first own words in the case (already masked), cut at a word near
    PREVIEW_CHARS; empty when the worker only clicked buttons."""
    asked = (m.text for m in case.messages if m.role == "worker" and not _STAND_IN.match(m.text.strip()))
    text = " ".join(next(asked, "").split())
    if len(text) <= PREVIEW_CHARS:
        return text
    cut = text[:PREVIEW_CHARS].rsplit(" ", 1)[0] or text[:PREVIEW_CHARS]
    return cut.rstrip(",.;:–- ") + " …"


def queue_order(cases: Iterable[Case]) -> list[Case]:
    """Emergencies first, then the longest waiting (oldest first)."""
    return sorted(cases, key=lambda case: (case.reason != CRISIS, case.created_at, case.id))


def console_message_out(message: Message) -> dict[str, Any]:
    """A transcript line for the console: who wrote it in Norwegian, and an advisor's line names
    the advisor."""
    line: dict[str, Any] = {
        "id": message.id,
        "role": message.role,
        "role_label": _label(ROLE_LABELS, message.role),
        "text": message.text,
        "at": message.at.isoformat(),
    }
    if message.role == "advisor":
        line["advisor"] = message.advisor.name if message.advisor else None
    return line


def case_out(case: Case) -> dict[str, Any]:
    """A case as the queue lists it, with its labels, preview, who took it and its transcript."""
    return {
        "id": case.id,
        "sender": case.sender,
        "channel": case.channel,
        "channel_label": _label(CHANNEL_LABELS, case.channel),
        "status": case.status,
        "status_label": _label(STATUS_LABELS, case.status),
        "reason": case.reason,
        "reason_label": _label(REASON_LABELS, case.reason),
        "urgent": case.reason == CRISIS,
        "preview": preview(case),
        "advisor": case.advisor.name if case.advisor else None,
        "created_at": case.created_at.isoformat(),
        "closed_at": case.closed_at.isoformat() if case.closed_at else None,
        "messages": [console_message_out(m) for m in case.messages],
    }
