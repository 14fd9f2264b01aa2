"""What the insights page reads: questions answered and refused, emergencies, hand-offs and
ratings of a period. Rows only; counting and grouping are api.insights'."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from store.models import Case, Feedback, InsightEvent, Message

ANSWERED, REFUSED = "answered", "refused"
KINDS = (ANSWERED, REFUSED, "certain", "uncertain")  # the last two are crisis tiers


@dataclass(frozen=True)
class Handoff:
    """A case opened in the period, and when an advisor first answered in it (None: not yet)."""

    at: datetime
    channel: str
    answered_at: datetime | None


class InsightStore:
    """Writes insight events as the gateway sees them and reads a period's rows for the page."""

    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._sessions = sessions

    def add(self, channel: str, kind: str, text: str | None = None, at: datetime | None = None) -> None:
        """Record one event; `text` is the masked question and only kept for a refused one."""
        if kind not in KINDS:
            raise ValueError(f"unknown insight kind {kind!r}")
        with self._sessions.begin() as session:
            event = InsightEvent(channel=channel, kind=kind, text=text if kind == REFUSED else None)
            if at is not None:
                event.at = at
            session.add(event)

    def events(self, start: datetime, end: datetime) -> list[InsightEvent]:
        """Events from `start` up to (not including) `end`, oldest first."""
        with self._sessions() as session:
            query = select(InsightEvent).where(InsightEvent.at >= start, InsightEvent.at < end)
            return list(session.scalars(query.order_by(InsightEvent.at, InsightEvent.id)))

    def feedback(self, start: datetime, end: datetime) -> list[Feedback]:
        """Ratings given in the period, oldest first."""
        with self._sessions() as session:
            query = select(Feedback).where(Feedback.at >= start, Feedback.at < end)
            return list(session.scalars(query.order_by(Feedback.at, Feedback.id)))

    def handoffs(self, start: datetime, end: datetime) -> list[Handoff]:
        """Cases opened in the period with the time of the first advisor reply in each."""
        first_reply = (
            select(Message.case_id, func.min(Message.at).label("first"))
            .where(Message.role == "advisor")
            .group_by(Message.case_id)
            .subquery()
        )
        query = (
            select(Case.created_at, Case.channel, first_reply.c.first)
            .outerjoin(first_reply, first_reply.c.case_id == Case.id)
            .where(Case.created_at >= start, Case.created_at < end)
            .order_by(Case.created_at, Case.id)
        )
        with self._sessions() as session:
            rows = session.execute(query).all()
        return [Handoff(at, channel, first) for at, channel, first in rows]  # min() keeps the UTC type
