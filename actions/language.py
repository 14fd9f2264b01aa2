"""The written standard an action answers in: the gateway's word for this message (its metadata),
else the conversation's `language` slot, else the deployment's `LANGUAGE`.

Why the metadata first: Rasa reads a button payload without NLU, so the slot is only filled from
typed words, while the gateway sends the conversation's language with every message.
"""

from __future__ import annotations

from rasa_sdk import Tracker

from actions.factories import settings
from contract.language import LANGUAGE_METADATA, Language, as_language


def language_of(tracker: Tracker) -> Language:
    """bokmål ("nb") or nynorsk ("nn") for this turn's own words."""
    sent = as_language((tracker.latest_message.get("metadata") or {}).get(LANGUAGE_METADATA))
    return sent or as_language(tracker.get_slot("language")) or settings().language
