"""When human advisors answer, so a worker outside those hours is told when to expect a reply."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

WEEKDAYS = ("mandag", "tirsdag", "onsdag", "torsdag", "fredag", "lørdag", "søndag")


@dataclass(frozen=True)
class OpeningHours:
    """Open on `days` (0 = Monday) from `opens` to `closes`, local time in `zone`."""

    days: frozenset[int]
    opens: time
    closes: time
    zone: ZoneInfo

    def is_open(self, now: datetime) -> bool:
        """True while an advisor is on duty."""
        local = now.astimezone(self.zone)
        return local.weekday() in self.days and self.opens <= local.time() < self.closes

    def next_opening(self, now: datetime) -> datetime:
        """The next moment the advisors open (now itself when open)."""
        local = now.astimezone(self.zone)
        for offset in range(8):
            day = (local + timedelta(days=offset)).date()
            start = datetime.combine(day, self.opens, self.zone)
            end = datetime.combine(day, self.closes, self.zone)
            if day.weekday() in self.days and local < end:
                return max(start, local)
        raise ValueError("opening hours have no open day")

    def describe_next(self, now: datetime) -> str:
        """'i morgen kl. 08:00', 'mandag kl. 08:00' or 'i dag kl. 08:00', in Norwegian."""
        local, opening = now.astimezone(self.zone), self.next_opening(now)
        days = (opening.date() - local.date()).days
        day = "i dag" if days == 0 else "i morgen" if days == 1 else WEEKDAYS[opening.weekday()]
        return f"{day} kl. {opening:%H:%M}"

    def describe(self) -> str:
        """'mandag–fredag kl. 08:00–15:30' for the reply and the console."""
        ordered = sorted(self.days)
        contiguous = ordered == list(range(ordered[0], ordered[-1] + 1))
        if contiguous and len(ordered) > 1:
            days = f"{WEEKDAYS[ordered[0]]}–{WEEKDAYS[ordered[-1]]}"
        else:
            days = ", ".join(WEEKDAYS[d] for d in ordered)
        return f"{days} kl. {self.opens:%H:%M}–{self.closes:%H:%M}"
