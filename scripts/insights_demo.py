"""Fill a database with a scripted week of invented traffic for the insights page (/advisor/innsikt),
for a screenshot or a demonstration. Every text is invented and written as the gateway stores it:
masked ("[navn]", "[telefon]"). It writes to its own SQLite file unless told otherwise; never
point it at a service's real database.

    .venv/bin/python scripts/insights_demo.py --editor demo-redaktør
    DATABASE_URL=sqlite:///var/insights-demo.db make run     # then log in at /advisor, open Innsikt
"""

from __future__ import annotations

import argparse
import random
import sys
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from knowledge.documents import load_sources  # noqa: E402
from knowledge.settings import KnowledgeSettings  # noqa: E402
from store.advisors import AdvisorStore  # noqa: E402
from store.database import make_engine, migrate, session_factory  # noqa: E402
from store.models import Case, Feedback, InsightEvent, Message  # noqa: E402

ZONE = ZoneInfo("Europe/Oslo")
DEFAULT_DATABASE = "sqlite:///var/insights-demo.db"
# Refused questions, a few wordings of each meaning; the content team's to-do list.
REFUSED = [
    [
        "Hvor mange timer BPA kan en bruker få?",
        "Hvor mange timer brukerstyrt personlig assistanse har man krav på?",
        "Hvor mange BPA-timer kan [navn] få i uka?",
    ],
    [
        "Hva koster et opphold på rusinstitusjon for brukeren?",
        "Må brukeren betale egenandel for døgnopphold i TSB?",
        "Hvor mye er egenandelen ved innleggelse i rusbehandling?",
    ],
    ["Kan vi gi ut journal til politiet uten samtykke?", "Har politiet rett til innsyn i journalen?"],
    ["Hvordan søker kommunen om tilskudd til lavterskeltilbud?", "Hvilke tilskudd finnes for rusarbeid i kommunen?"],
    ["Kan jeg sende SMS til [telefon] om timen hos fastlegen?"],
]
# Questions whose answers got a thumbs down, with the passage the answer quoted (by position).
DISLIKED = [
    (0, "Hvem har ansvaret for oppfølging etter utskrivning fra DPS?"),
    (0, "Hvem følger opp [navn] når hun skrives ut fra døgnavdelingen?"),
    (1, "Hvem skal lage kriseplan for en bruker med ROP-lidelse?"),
    (2, "Hva gjør vi når fastlegen ikke vil delta i ansvarsgruppen?"),
]


def at_local(day: date, rng: random.Random, evening: bool = False) -> datetime:
    """A moment in the working day (or the evening) in local time, as the UTC time the database keeps."""
    hour = rng.uniform(17, 22) if evening else rng.uniform(8, 15.5)
    return (datetime.combine(day, time(), ZONE) + timedelta(hours=hour)).astimezone(UTC)


def days_of_week(last: date) -> list[tuple[date, float]]:
    """The seven days up to `last`, each with how busy it is (weekends are quiet)."""
    return [(day, 1.0 if day.weekday() < 5 else 0.15) for day in (last - timedelta(days=n) for n in range(6, -1, -1))]


def week_rows(last: date, passages: list[str], seed: int = 17) -> list[InsightEvent | Feedback | Case]:
    """One invented week up to `last`: questions, emergencies, ratings and hand-offs in both channels."""
    rng = random.Random(seed)
    rows: list[InsightEvent | Feedback | Case] = []
    for day, busy in days_of_week(last):
        for channel, share in (("web", 1.0), ("teams", 0.45)):
            scale = busy * share
            for _ in range(round(rng.gauss(26, 4) * scale)):
                rows.append(InsightEvent(at=at_local(day, rng), channel=channel, kind="answered"))
            for _ in range(round(rng.gauss(6, 2) * scale)):
                group = REFUSED[min(int(rng.expovariate(0.7)), len(REFUSED) - 1)]
                text = rng.choice(group)
                rows.append(InsightEvent(at=at_local(day, rng), channel=channel, kind="refused", text=text))
            for kind, mean in (("certain", 0.5), ("uncertain", 1.2)):
                for _ in range(round(rng.expovariate(1 / mean) * scale)):
                    rows.append(InsightEvent(at=at_local(day, rng, rng.random() < 0.3), channel=channel, kind=kind))
            for _ in range(round(rng.gauss(5, 1.5) * scale)):
                rows.append(
                    Feedback(rating="up", sources=[rng.choice(passages)], at=at_local(day, rng), channel=channel)
                )
            for _ in range(round(rng.gauss(1.5, 1) * scale)):
                position, question = rng.choice(DISLIKED)
                rows.append(
                    Feedback(
                        rating="down",
                        sources=[passages[position], rng.choice(passages)],
                        at=at_local(day, rng),
                        channel=channel,
                        question=question,
                    )
                )
            for _ in range(round(rng.gauss(2, 0.8) * scale)):
                rows.append(handoff(day, channel, rng))
    return rows


def handoff(day: date, channel: str, rng: random.Random) -> Case:
    """A closed case; an advisor answered after a few minutes, or not at all (evening, no reply)."""
    evening = rng.random() < 0.15
    opened = at_local(day, rng, evening)
    case = Case(
        sender=f"demo-{rng.getrandbits(40):010x}",
        channel=channel,
        status="closed",
        reason=rng.choice(["asked", "fallback", "crisis"]),
        created_at=opened,
        closed_at=opened + timedelta(hours=1),
    )
    case.messages = [Message(role="worker", text="Kan jeg snakke med en rådgiver om [navn]?", at=opened)]
    if not evening:
        answered = opened + timedelta(minutes=rng.lognormvariate(1.8, 0.7))
        case.messages.append(Message(role="advisor", text="Hei, jeg ser på saken din nå.", at=answered))
    return case


def main(argv: list[str] | None = None) -> int:
    """Write the week; print what was written (and the editor's password, if one was asked for)."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default=DEFAULT_DATABASE, help=f"where to write (default {DEFAULT_DATABASE})")
    parser.add_argument("--last-day", type=date.fromisoformat, default=None, help="the week's last day (default today)")
    parser.add_argument("--editor", help="also create an editor account with this name and print its password")
    args = parser.parse_args(argv)
    engine = make_engine(args.database_url)
    migrate(engine)
    sessions = session_factory(engine)
    _, passages = load_sources(KnowledgeSettings().sources_dir)
    chosen = [p.id for p in passages[:: max(1, len(passages) // 6)]][:6]
    rows = week_rows(args.last_day or datetime.now(ZONE).date(), chosen)
    with sessions.begin() as session:
        session.add_all(rows)
    print(f"Skrev {len(rows)} rader (spørsmål, akutte meldinger, tilbakemeldinger, saker) til {args.database_url}")
    if args.editor:
        password, _ = AdvisorStore(sessions).add(args.editor, "editor")
        print(f"Redaktør {args.editor}, passord for konsollet (/advisor):")
        print(password)
    engine.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
