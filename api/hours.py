"""When human advisors answer, so a worker outside those hours is told when to expect a reply."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import cache
from zoneinfo import ZoneInfo

from contract.language import Language
from contract.nynorsk import localized

WEEKDAYS = ("mandag", "tirsdag", "onsdag", "torsdag", "fredag", "lørdag", "søndag")


def _easter_sunday(year: int) -> date:
    """Gregorian Easter (the anonymous Gregorian algorithm)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = divmod(b, 4)
    g = (8 * b + 13) // 25
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    weekday = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 19 * weekday) // 433
    month = (h + weekday - 7 * m + 90) // 25
    return date(year, month, (h + weekday - 7 * m + 33 * month + 19) % 32)


@cache
def norwegian_public_holidays(year: int) -> frozenset[date]:
    """The official Norwegian public holidays (helligdager and høytidsdager) of a year."""
    easter = _easter_sunday(year)
    moving = {easter + timedelta(days=n) for n in (-3, -2, 0, 1, 39, 49, 50)}  # skjærtorsdag to 2. pinsedag
    fixed = {date(year, 1, 1), date(year, 5, 1), date(year, 5, 17), date(year, 12, 25), date(year, 12, 26)}
    return frozenset(moving | fixed)


@dataclass(frozen=True)
class OpeningHours:
    """Open on `days` (0 = Monday) from `opens` to `closes`, local time in `zone`; closed on
    Norwegian public holidays unless `holidays_open`."""

    days: frozenset[int]
    opens: time
    closes: time
    zone: ZoneInfo
    holidays_open: bool = False

    def _open_on(self, day: date) -> bool:
        return day.weekday() in self.days and (self.holidays_open or day not in norwegian_public_holidays(day.year))

    def is_open(self, now: datetime) -> bool:
        """True while an advisor is on duty."""
        local = now.astimezone(self.zone)
        return self._open_on(local.date()) and self.opens <= local.time() < self.closes

    def next_opening(self, now: datetime) -> datetime:
        """The next moment the advisors open (now itself when open)."""
        local = now.astimezone(self.zone)
        for offset in range(15):  # Easter can close a Monday-to-Friday service for six days
            day = (local + timedelta(days=offset)).date()
            start = datetime.combine(day, self.opens, self.zone)
            end = datetime.combine(day, self.closes, self.zone)
            if self._open_on(day) and local < end:
                return max(start, local)
        raise ValueError("opening hours have no open day")

    def describe_next(self, now: datetime, language: Language = "nb") -> str:
        """'i morgen kl. 08:00', 'mandag kl. 08:00' or 'i dag kl. 08:00', in bokmål or nynorsk."""
        local, opening = now.astimezone(self.zone), self.next_opening(now)
        days = (opening.date() - local.date()).days
        day = "i dag" if days == 0 else "i morgen" if days == 1 else WEEKDAYS[opening.weekday()]
        return f"{localized(day, language)} kl. {opening:%H:%M}"

    def describe(self, language: Language = "nb") -> str:
        """'mandag–fredag kl. 08:00–15:30 (ikke helligdager)' for the reply and the console."""
        names = [localized(day, language) for day in WEEKDAYS]
        ordered = sorted(self.days)
        contiguous = ordered == list(range(ordered[0], ordered[-1] + 1))
        if contiguous and len(ordered) > 1:
            days = f"{names[ordered[0]]}–{names[ordered[-1]]}"
        else:
            days = ", ".join(names[d] for d in ordered)
        holidays = "" if self.holidays_open else localized(" (ikke helligdager)", language)
        return f"{days} kl. {self.opens:%H:%M}–{self.closes:%H:%M}{holidays}"
