"""Why a conversation was handed to an advisor: the action server names it in its `handoff`
payload, the gateway stores it with the case and the console shows it in Norwegian."""

from __future__ import annotations

ASKED = "asked"  # the worker asked for a person
FALLBACK = "fallback"  # the bot found no answer twice and offered an advisor
CRISIS = "crisis"  # right after an emergency reply
REASONS = (ASKED, FALLBACK, CRISIS)
