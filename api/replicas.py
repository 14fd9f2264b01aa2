"""Which Rasa replica takes the next turn: turns are spread round-robin over those not known to
be down, and a replica that refused a connection sits out a few seconds before it is tried again,
so a killed replica costs no turn and a restarted one rejoins by itself.

Every replica reads and writes the same tracker store under the same lock store (Redis), so any
of them may take any conversation's turn; no stickiness is needed.
"""

from __future__ import annotations

import itertools
import time

DOWN_SECONDS = 5.0  # how long a replica that refused a connection is passed over


def split_urls(urls: str) -> list[str]:
    """`RASA_URL` holds one URL or several, comma-separated (without trailing slashes)."""
    found = [url.strip().rstrip("/") for url in urls.split(",") if url.strip()]
    if not found:
        raise ValueError("RASA_URL is empty: give at least one Rasa URL")
    return found


class Replicas:
    """The Rasa URLs of a deployment and, for each, until when it is passed over."""

    def __init__(self, urls: str) -> None:
        self.urls = split_urls(urls)
        self._down_until = dict.fromkeys(self.urls, 0.0)
        self._next = itertools.cycle(range(len(self.urls)))

    def order(self) -> list[str]:
        """All replicas in the order to try them for one turn: the next in the round first, those
        believed down last (still tried, since they may be back)."""
        start = next(self._next)
        ring = self.urls[start:] + self.urls[:start]
        now = time.monotonic()
        return sorted(ring, key=lambda url: self._down_until[url] > now)

    def down(self, url: str) -> None:
        """The replica did not take a connection: pass over it for DOWN_SECONDS."""
        self._down_until[url] = time.monotonic() + DOWN_SECONDS

    def up(self, url: str) -> None:
        """The replica answered: it takes turns again at once."""
        self._down_until[url] = 0.0
