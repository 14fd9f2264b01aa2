"""Talk to the Rasa server and watch whether Rasa and the action server are up."""

from __future__ import annotations

import asyncio
import contextlib
import time
import unicodedata
from dataclasses import dataclass
from typing import Any

import httpx

from api.replicas import Replicas
from api.schemas import Button, ChatMessage, SourceOut
from contract.language import LANGUAGE_ENTITY, LANGUAGE_METADATA, Language, as_language
from contract.nynorsk import localized
from contract.payloads import (
    ADVISOR_TITLE,
    FAQ,
    REFUSED,
    REQUEST_ADVISOR,
    intent_of,
    is_payload,
    with_entity,
    without_entity,
)

READY_CACHE_SECONDS = 2.0  # a healthy answer is trusted this long; failures are re-checked at once
ADVISOR_BUTTON = Button(title=ADVISOR_TITLE, payload=REQUEST_ADVISOR)
NO_REPLY = ChatMessage(
    text="Beklager, jeg fikk ikke til å svare på dette nå. Prøv igjen, eller snakk med en rådgiver.",
    buttons=[ADVISOR_BUTTON],
)


def advisor_button(language: Language) -> Button:
    """The button to an advisor, titled in the conversation's written standard."""
    return Button(title=localized(ADVISOR_TITLE, language), payload=REQUEST_ADVISOR)


def no_reply(language: Language) -> ChatMessage:
    """NO_REPLY in the conversation's written standard."""
    return ChatMessage(text=localized(NO_REPLY.text, language), buttons=[advisor_button(language)])


@dataclass
class Turn:
    """The bot's messages for one user message, and the reason if the bot handed over to an
    advisor (action_handoff_advisor sends it as a custom payload); `refused` when the answer
    action found nothing in the guidelines, `faq` when the reply was one of the FAQ answers."""

    messages: list[ChatMessage]
    handoff: str | None = None
    refused: bool = False
    faq: bool = False

    @property
    def answered(self) -> bool:
        """Whether the bot answered a question from the guidelines: its answer cites sources, or
        it is one of the FAQ answers."""
        return self.faq or any(m.sources for m in self.messages)


class UpstreamUnavailable(RuntimeError):
    """Rasa or the action server cannot serve a chat turn right now."""


class RasaGateway:
    """Sends chat turns to Rasa's REST channel (one replica or several, see api.replicas) and
    probes the dialogue services."""

    def __init__(self, client: httpx.AsyncClient, rasa_url: str, rasa_token: str, actions_url: str) -> None:
        self._client = client
        self.replicas = Replicas(rasa_url)
        self.replica_problems: list[str] = []  # as of the last probe, for /health
        self._token = rasa_token
        self._actions_url = actions_url.rstrip("/")
        self._ready_until = 0.0
        self._probe: asyncio.Task[str] | None = None

    async def component_status(self) -> dict[str, str]:
        """'ok' or a short Norwegian reason for each of rasa and actions (asked at the same time)."""
        rasa, actions = await asyncio.gather(self._rasa_status(), self._actions_status())
        return {"rasa": rasa, "actions": actions}

    async def _rasa_status(self) -> str:
        """'ok' while any replica serves (the gateway sends turns to those); otherwise what the
        first one says. Replicas that fail are passed over, those that answer take turns again."""
        verdicts = await asyncio.gather(*(self._replica_status(url) for url in self.replicas.urls))
        for url, verdict in zip(self.replicas.urls, verdicts, strict=True):
            (self.replicas.up if verdict == "ok" else self.replicas.down)(url)
        pairs = zip(self.replicas.urls, verdicts, strict=True)
        self.replica_problems = [f"{url}: {verdict}" for url, verdict in pairs if verdict != "ok"]
        return "ok" if "ok" in verdicts else verdicts[0]

    async def _replica_status(self, url: str) -> str:
        try:
            response = await self._client.get(f"{url}/status", params={"token": self._token}, timeout=3)
        except httpx.HTTPError:
            return "Rasa svarer ikke"
        if response.status_code != 200:
            return f"Rasa svarte {response.status_code}"
        return "ok" if response.json().get("model_file") else "Rasa har ingen modell lastet"

    async def _actions_status(self) -> str:
        try:
            response = await self._client.get(f"{self._actions_url}/health", timeout=3)
        except httpx.HTTPError:
            return "handlingsserveren svarer ikke"
        return "ok" if response.status_code == 200 else f"handlingsserveren svarte {response.status_code}"

    def probe_soon(self) -> None:
        """Start the readiness probe now if one is due, so it runs while the gateway screens the
        message instead of after it: at low traffic every turn is due."""
        if self._probe is None and time.monotonic() >= self._ready_until:
            self._start_probe()

    async def ensure_ready(self) -> None:
        """Raise UpstreamUnavailable unless both services answered recently or answer now;
        turns arriving together share one probe."""
        if time.monotonic() < self._ready_until:
            return
        problems = await asyncio.shield(self._probe or self._start_probe())
        if problems:
            raise UpstreamUnavailable(problems)

    def _start_probe(self) -> asyncio.Task[str]:
        self._probe = asyncio.create_task(self._check())
        return self._probe

    async def _check(self) -> str:
        """Probe both services once: "" when both are up (then trusted for READY_CACHE_SECONDS),
        else what is wrong: returned, not raised, since nobody may wait for a probe begun early."""
        try:
            status = await self.component_status()
        finally:
            self._probe = None
        problems = ", ".join(f"{k}: {v}" for k, v in status.items() if v != "ok")
        if not problems:
            self._ready_until = time.monotonic() + READY_CACHE_SECONDS
        return problems

    async def send(self, sender: str, message: str, metadata: dict[str, str] | None = None) -> Turn:
        """Run one turn through Rasa (NLU, dialogue, actions) and return the bot's messages;
        `metadata` reaches the actions with the message (see contract.payloads.SAFETY_METADATA)."""
        await self.ensure_ready()
        language = (metadata or {}).get(LANGUAGE_METADATA)
        if language and is_payload(message):  # a button first in the conversation must not start it in bokmål
            message = with_entity(message, LANGUAGE_ENTITY, language)
        body: dict[str, Any] = {"sender": sender, "message": message}
        if metadata:
            body["metadata"] = metadata
        response = await self._post_turn(body)
        if response.status_code != 200:
            self._ready_until = 0.0
            raise UpstreamUnavailable(f"Rasa svarte {response.status_code}")
        turn = to_turn(response.json())
        if not turn.messages:
            # Every turn of this bot replies; silence means an action failed inside Rasa.
            self._ready_until = 0.0
            await self.ensure_ready()
            turn.messages = [no_reply(as_language((metadata or {}).get(LANGUAGE_METADATA)) or "nb")]
        return turn

    async def _post_turn(self, body: dict[str, Any]) -> httpx.Response:
        """POST the turn to the next replica; one that refuses the connection never saw the turn,
        so the next takes it. An error after the turn was sent is not retried: the turn may have
        run, and running it twice would double it in the conversation."""
        for url in self.replicas.order():
            try:
                return await self._client.post(f"{url}/webhooks/rest/webhook", json=body)
            except (httpx.ConnectError, httpx.ConnectTimeout):
                self.replicas.down(url)
            except httpx.HTTPError as error:
                self.replicas.down(url)
                self._ready_until = 0.0
                raise UpstreamUnavailable(f"Rasa: {type(error).__name__}") from error
        self._ready_until = 0.0
        raise UpstreamUnavailable("Rasa: ingen instans tar imot")

    async def transcript(self, sender: str, limit: int = 60) -> list[tuple[str, str]]:
        """The conversation so far as (role, text), from Rasa's tracker (any replica: they share
        it): the texts are already masked, since the gateway masks before Rasa."""
        for url in self.replicas.order():
            try:
                response = await self._client.get(
                    f"{url}/conversations/{sender}/tracker", params={"token": self._token}
                )
                response.raise_for_status()
            except httpx.HTTPError:
                continue
            return transcript_lines(response.json().get("events", []))[-limit:]
        return [("system", "Samtalen før overføringen kunne ikke hentes.")]


# What an advisor reads for payloads the gateway or the channels send instead of typed text.
PAYLOAD_LABELS = {
    "crisis": "[melding om akutt fare – ordlyden er ikke lagret]",
    "clinical_question": "[spørsmål om medisiner eller diagnose]",
    "request_advisor": "[ba om en rådgiver]",
    "feedback_positive": "[svaret var nyttig]",  # words, not emoji: a console without an emoji font shows boxes
    "feedback_negative": "[svaret var ikke nyttig]",
    "greet": "[startet samtalen]",
}


def transcript_lines(events: list[dict[str, Any]]) -> list[tuple[str, str]]:
    """(role, text) of a tracker's messages; a button click reads as the button's title."""
    lines: list[tuple[str, str]] = []
    offered: dict[str, str] = {}
    for event in events:
        text = event.get("text")
        if event.get("event") == "bot" and text:
            lines.append(("bot", text))
            buttons = [b for b in (event.get("data") or {}).get("buttons") or [] if isinstance(b, dict)]
            offered = {button_key(b.get("payload", "")): wordy(b.get("title", "")) for b in buttons}
        elif event.get("event") == "user" and text:
            if is_payload(text):
                key, intent = button_key(text), intent_of(text)
                text = f"[{offered[key]}]" if key in offered else PAYLOAD_LABELS.get(intent, f"[valg: {intent}]")
            lines.append(("worker", text))
    return lines


def wordy(title: str) -> str:
    """A button's title without its emoji (👍 Nyttig -> Nyttig): the console may have no emoji font."""
    return "".join(char for char in title if unicodedata.category(char) != "So").strip() or title


def button_key(payload: str) -> str:
    """A payload as a key to its button: the same intent and entities however the JSON is spaced,
    without the language entity the gateway adds (see RasaGateway.send)."""
    with contextlib.suppress(ValueError):
        return without_entity(payload, LANGUAGE_ENTITY)
    return payload


def to_turn(raw: list[dict[str, Any]]) -> Turn:
    """Map Rasa's REST output to the gateway contract.

    Rasa sends a response's text and its custom payload as two entries; a custom
    payload carrying `sources` belongs to the text message before it.
    """
    messages: list[ChatMessage] = []
    handoff, refused, faq = None, False, False
    for entry in raw:
        custom = entry.get("custom") or {}
        if "text" in entry:
            buttons = [Button(title=b["title"], payload=b["payload"]) for b in entry.get("buttons") or []]
            messages.append(ChatMessage(text=entry["text"], buttons=buttons or None))
        if custom.get("sources") and messages:
            messages[-1].sources = [SourceOut(**s) for s in custom["sources"]]
        if custom.get("handoff"):
            handoff = str(custom["handoff"])
        refused = refused or bool(custom.get(REFUSED))
        faq = faq or bool(custom.get(FAQ))
    return Turn(messages, handoff, refused, faq)
