"""Retention in the gateway's database: closed cases with their messages, feedback and insight
events are deleted once they are older than the cut-off. Waiting and open cases are kept whatever their age,
since an advisor still needs them; the audit log is not touched (it only names case ids)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session, sessionmaker

from store.cases import ACTIVE
from store.models import Case, Feedback, InsightEvent, Message


@dataclass(frozen=True)
class Purged:
    """How many rows of each kind one purge deleted."""

    cases: int
    messages: int
    feedback: int
    insight_events: int


def purge_closed(sessions: sessionmaker[Session], cutoff: datetime) -> Purged:
    """Delete cases closed before `cutoff`, their messages, and feedback and insight events from
    before it, in one transaction, so a case never loses its transcript without being deleted itself."""
    old_cases = select(Case.id).where(Case.status == "closed", Case.closed_at < cutoff).scalar_subquery()
    with sessions.begin() as session:
        connection = session.connection()
        messages = connection.execute(delete(Message).where(Message.case_id.in_(old_cases))).rowcount
        cases = connection.execute(delete(Case).where(Case.id.in_(old_cases))).rowcount
        feedback = connection.execute(delete(Feedback).where(Feedback.at < cutoff)).rowcount
        events = connection.execute(delete(InsightEvent).where(InsightEvent.at < cutoff)).rowcount
    return Purged(cases=cases, messages=messages, feedback=feedback, insight_events=events)


def active_senders(sessions: sessionmaker[Session]) -> set[str]:
    """Senders with a waiting or open case: their conversation with Rasa must be kept whole."""
    with sessions() as session:
        return set(session.scalars(select(Case.sender).where(Case.status.in_(ACTIVE))))
