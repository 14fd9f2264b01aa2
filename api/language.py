"""Each conversation's written standard, as the gateway's own texts and Rasa need it.

Why here and sticky: a worker who writes nynorsk gets nynorsk for the rest of the conversation,
also after "ja", "og DPS?" or a button, which say nothing about the standard; only words that are
clearly bokmål turn it back (contract.language.follow). The gateway sends the result to Rasa with
every message, so Rasa's `language` slot and the gateway's own replies (the emergency reply, errors,
hand-off notices, Teams cards) agree. With REDIS_URL every gateway worker reads and writes the same
value (a conversation's turns may reach any worker); this worker's own memory (bounded) serves
while Redis is down, and a conversation nobody remembers starts from the deployment's `LANGUAGE`.
"""

from __future__ import annotations

from collections import OrderedDict

from api.redis_state import FAILURES, RedisLink
from contract.language import Language, as_language, follow

KEYS = "rop:language:"
REMEMBERED = 100_000  # conversations in this worker's memory; an entry is a few dozen bytes


class ConversationLanguages:
    """The written standard of each conversation, by sender id."""

    def __init__(
        self, default: Language, redis: RedisLink | None = None, keep_seconds: int = 86_400, size: int = REMEMBERED
    ) -> None:
        self.default = default
        self._redis = redis
        self._keep_seconds = keep_seconds  # as long as a conversation lasts
        self._size = size
        self._local: OrderedDict[str, Language] = OrderedDict()

    async def of(self, sender: str) -> Language:
        """The conversation's language now (the default for one not seen)."""
        if self._redis is not None and self._redis.worth_trying():
            try:
                stored = await self._redis.client.get(KEYS + sender)
                self._redis.worked()
                shared = as_language(stored.decode() if isinstance(stored, bytes) else stored)
                if shared is not None:
                    self._remember(sender, shared)
                    return shared
            except FAILURES as error:
                self._redis.failed(error)
        return self._local.get(sender, self.default)

    async def follow(self, sender: str, words: str) -> Language:
        """The conversation's language after the worker wrote `words` (kept for the next turns)."""
        language = follow(await self.of(sender), words)
        self._remember(sender, language)
        if self._redis is not None and self._redis.worth_trying():
            try:
                await self._redis.client.set(KEYS + sender, language, ex=self._keep_seconds)
                self._redis.worked()
            except FAILURES as error:
                self._redis.failed(error)
        return language

    def _remember(self, sender: str, language: Language) -> None:
        self._local[sender] = language
        self._local.move_to_end(sender)
        if len(self._local) > self._size:
            self._local.popitem(last=False)
