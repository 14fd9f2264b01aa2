"""Slow down password guessing at the advisor login: after too many failed log-ins for one
account or from one client address, every log-in for it is refused for a while, even with the
right password, so a guesser learns nothing more.

State is in-process (one gateway process); the narrow `hit/succeeded` interface is what a shared
store (Redis) would have to offer later.
"""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

WINDOW_SECONDS = 15 * 60
FAILURES_PER_ACCOUNT = 5
FAILURES_PER_ADDRESS = 20
_MAX_KEYS = 10_000


class FailureLimit:
    """At most `limit` failed attempts per key in any `window` seconds; then the key waits until
    the oldest of them is out of the window. An attempt counts from the moment it is let through
    (so a burst of parallel guesses gets no more tries) until it succeeds; refused attempts are not
    counted, so waiting helps. With `forgive`, a success also forgets the key's earlier failures."""

    def __init__(self, limit: int, window: float, forgive: bool, clock: Callable[[], float] = time.monotonic) -> None:
        self._limit = limit
        self._window = window
        self._forgive = forgive
        self._clock = clock
        self._attempts: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def hit(self, key: str) -> int:
        """Let an attempt through (0) and count it, or the seconds to wait before the next one."""
        now = self._clock()
        with self._lock:
            attempts = self._attempts.setdefault(key, deque())
            while attempts and attempts[0] <= now - self._window:
                attempts.popleft()
            if len(attempts) >= self._limit:
                return max(1, math.ceil(attempts[-self._limit] + self._window - now))
            attempts.append(now)
            if len(self._attempts) > _MAX_KEYS:  # guessed names must not grow the table for ever
                self._attempts = {k: a for k, a in self._attempts.items() if a and a[-1] > now - self._window}
            return 0

    def succeeded(self, key: str) -> None:
        """The attempt let through last was right: it does not count (nor, with `forgive`, the
        failures before it)."""
        with self._lock:
            attempts = self._attempts.get(key)
            if attempts and not self._forgive:
                attempts.pop()
            elif attempts is not None:
                del self._attempts[key]


@dataclass(frozen=True)
class LoginThrottle:
    """The two limits a log-in must pass: its account (against guessing one password from many
    addresses) and its client address (against trying many accounts from one). A right password
    forgives the account's failures, but not the address's, or one valid account could reset
    it between guesses at others."""

    accounts: FailureLimit
    addresses: FailureLimit

    @classmethod
    def default(cls, clock: Callable[[], float] = time.monotonic) -> LoginThrottle:
        """5 failures per account or 20 per address in 15 minutes."""
        return cls(
            FailureLimit(FAILURES_PER_ACCOUNT, WINDOW_SECONDS, forgive=True, clock=clock),
            FailureLimit(FAILURES_PER_ADDRESS, WINDOW_SECONDS, forgive=False, clock=clock),
        )

    def hit(self, name: str, address: str) -> int:
        """0 if this log-in may be tried (it then counts as failed until `succeeded`), else the
        seconds to wait; a refused log-in counts against neither."""
        wait = self.addresses.hit(address)
        if wait:
            return wait
        wait = self.accounts.hit(_account(name))
        if wait:
            self.addresses.succeeded(address)  # not tried: take the address's count back
        return wait

    def succeeded(self, name: str, address: str) -> None:
        """The password was right."""
        self.accounts.succeeded(_account(name))
        self.addresses.succeeded(address)


def _account(name: str) -> str:
    """One key for the ways of typing a name."""
    return name.strip().casefold()
