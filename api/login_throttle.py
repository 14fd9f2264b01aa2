"""Slow down password guessing at the advisor login: after too many failed log-ins for one
account or from one client address, every log-in for it is refused for a while, even with the
right password, so a guesser learns nothing more.

The counts are kept where the limiter factory keeps them: in this process by default, in Redis
when several gateway workers must share them.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from api.limits import Limiter, LimiterFactory, local_limiter

WINDOW_SECONDS = 15 * 60
FAILURES_PER_ACCOUNT = 5
FAILURES_PER_ADDRESS = 20


@dataclass(frozen=True)
class LoginThrottle:
    """The two limits a log-in must pass: its account (against guessing one password from many
    addresses) and its client address (against trying many accounts from one). A right password
    forgives the account's failures, but not the address's, or one valid account could reset
    it between guesses at others."""

    accounts: Limiter
    addresses: Limiter

    @classmethod
    def build(cls, make: LimiterFactory) -> LoginThrottle:
        """5 failures per account or 20 per address in 15 minutes."""
        return cls(
            make("login-account", FAILURES_PER_ACCOUNT, WINDOW_SECONDS),
            make("login-address", FAILURES_PER_ADDRESS, WINDOW_SECONDS),
        )

    @classmethod
    def default(cls, clock: Callable[[], float] = time.monotonic) -> LoginThrottle:
        """The limits counted in this process."""
        return cls.build(local_limiter(clock))

    async def hit(self, name: str, address: str) -> int:
        """0 if this log-in may be tried (it counts as failed from the moment it is let through, so
        a burst of parallel guesses gets no more tries, until `succeeded`), else the seconds to
        wait; a refused log-in counts against neither."""
        wait = await self.addresses.hit(address)
        if wait:
            return wait
        wait = await self.accounts.hit(_account(name))
        if wait:
            await self.addresses.take_back(address)  # not tried: take the address's count back
        return wait

    async def succeeded(self, name: str, address: str) -> None:
        """The password was right."""
        await self.accounts.take_back(_account(name), all_of_them=True)
        await self.addresses.take_back(address)


def _account(name: str) -> str:
    """One key for the ways of typing a name."""
    return name.strip().casefold()
