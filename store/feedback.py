"""Thumbs up and down for content owners: the rating, the quoted passages, the (masked) question
and the channel; nothing about who gave it."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from store.models import Feedback


class FeedbackStore:
    """Adds ratings and lists them for content owners."""

    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._sessions = sessions

    def add(self, rating: str, sources: list[str], question: str | None = None, channel: str | None = None) -> Feedback:
        """Store a rating ("up" or "down") for the answer that quoted `sources` and answered
        `question` (masked: the gateway masks before Rasa, where it comes from)."""
        with self._sessions() as session, session.begin():
            feedback = Feedback(rating=rating, sources=sources, question=question, channel=channel)
            session.add(feedback)
        return feedback

    def all(self) -> list[Feedback]:
        """Every rating, oldest first."""
        with self._sessions() as session:
            return list(session.scalars(select(Feedback).order_by(Feedback.id)))
