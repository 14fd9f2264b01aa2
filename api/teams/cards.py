"""Render the bot's messages as Teams activities, and read what a Teams user typed.

Quick replies become Adaptive Card buttons of Teams' `messageBack` kind: the click posts the
button's payload as the message text (what Rasa understands) while the chat shows its title.
Sources fold out under "Vis kilder". The 👍/👎 quick replies are replaced by Teams' own
feedback buttons under the message, which arrive as a `message/submitAction` invoke.
"""

from __future__ import annotations

import html
import re
from typing import Any

from api.schemas import Button, ChatMessage, SourceOut
from contract.language import Language
from contract.nynorsk import localized
from contract.payloads import FEEDBACK_NEGATIVE, FEEDBACK_POSITIVE

CARD_VERSION = "1.4"  # rendered by Teams on desktop, web and mobile
FEEDBACK = {"like": FEEDBACK_POSITIVE, "dislike": FEEDBACK_NEGATIVE}
_MENTION = re.compile(r"<at[^>]*>.*?</at>", re.IGNORECASE | re.DOTALL)
_TAG = re.compile(r"<[^>]+>")
# A bullet line of a guideline passage, perhaps opening a quote: "- Kommunene bør ..." or "«- Kommunene bør ..."
_ITEM = re.compile(r"^(«?)- (.*)$")


def user_text(text: str | None) -> str:
    """The words a user typed, without @-mentions of the bot or HTML from the Teams client."""
    without_mentions = _MENTION.sub(" ", text or "")
    return html.unescape(_TAG.sub(" ", without_mentions)).strip()


def _markdown(text: str) -> str:
    """Teams joins single line breaks, so the bot's lines (answer, quote, source) become paragraphs;
    the bullet lines of a quoted passage stay one list ("- item" lines), the opening « moved past
    the bullet so the words stay as the guideline wrote them."""
    blocks: list[list[str]] = []
    for line in filter(None, text.split("\n")):
        item = _ITEM.match(line)
        if item is None:
            blocks.append([line])
        elif blocks and _ITEM.match(blocks[-1][-1]):
            blocks[-1].append(f"- {item[1]}{item[2]}")
        else:
            blocks.append([f"- {item[1]}{item[2]}"])
    return "\n\n".join("\n".join(block) for block in blocks)


def _button(button: Button) -> dict[str, Any]:
    return {
        "type": "Action.Submit",
        "title": button.title,
        "data": {"msteams": {"type": "messageBack", "text": button.payload, "displayText": button.title}},
    }


def _source(source: SourceOut) -> list[dict[str, Any]]:
    return [
        {"type": "TextBlock", "text": f"**{source.document}**, {source.title}", "wrap": True, "spacing": "Medium"},
        {"type": "TextBlock", "text": _markdown(f"«{source.text}»"), "wrap": True, "isSubtle": True},
    ]


def activity_for(message: ChatMessage, language: Language = "nb") -> dict[str, Any]:
    """One message activity: plain markdown text, or a card when there are buttons or sources
    (their "Vis kilder" in the conversation's written standard)."""
    buttons = [b for b in message.buttons or [] if b.payload not in FEEDBACK.values()]
    activity: dict[str, Any] = {"type": "message", "textFormat": "markdown"}
    if len(buttons) < len(message.buttons or []):
        activity["channelData"] = {"feedbackLoopEnabled": True}
    if not buttons and not message.sources:
        activity["text"] = _markdown(message.text)
        return activity
    actions = [_button(b) for b in buttons]
    if message.sources:
        sources = [block for source in message.sources for block in _source(source)]
        actions.append(
            {
                "type": "Action.ShowCard",
                "title": localized("Vis kilder ({count})", language).format(count=len(message.sources)),
                "card": {"type": "AdaptiveCard", "body": sources},
            }
        )
    card = {
        "type": "AdaptiveCard",
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "version": CARD_VERSION,
        "body": [{"type": "TextBlock", "text": _markdown(message.text), "wrap": True}],
        "actions": actions,
    }
    activity["attachments"] = [{"contentType": "application/vnd.microsoft.card.adaptive", "content": card}]
    return activity
