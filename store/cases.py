"""Cases handed to advisors and their transcripts."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session, selectinload, sessionmaker

from store.models import Advisor, Case, Message, utcnow

ACTIVE = ("waiting", "open")
STATUSES = (*ACTIVE, "closed")


class CaseStore:
    """Creates, lists and closes cases; every call is one short transaction."""

    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._sessions = sessions

    def active(self, sender: str) -> Case | None:
        """The sender's waiting or open case, if any: while it exists the bot is paused."""
        return self._newest(sender, ACTIVE)

    def latest(self, sender: str) -> Case | None:
        """The sender's most recent case in any state."""
        return self._newest(sender, STATUSES)

    def active_for_user(self, channel: str, user_id: str, tenant: str) -> Case | None:
        """The newest waiting or open case of this channel whose conversation reference names this
        user of this tenant: only a case begun in a Teams group chat or channel keeps the user's id
        (`user.id`), so the user's 1:1 chat, where the advisor answers, can reach it."""
        reference = Case.conversation
        with self._sessions() as session:
            query = select(Case).where(
                Case.channel == channel,
                Case.status.in_(ACTIVE),
                reference[("user", "id")].as_string() == user_id,
                reference[("conversation", "tenantId")].as_string() == tenant,
            )
            return session.scalars(query.order_by(Case.id.desc())).first()

    def _newest(self, sender: str, statuses: Sequence[str]) -> Case | None:
        """The sender's newest case in one of `statuses`, with its transcript."""
        with self._sessions() as session:
            query = select(Case).where(Case.sender == sender, Case.status.in_(statuses))
            return session.scalars(query.options(selectinload(Case.messages)).order_by(Case.id.desc())).first()

    def open(
        self,
        sender: str,
        channel: str,
        reason: str,
        transcript: Iterable[tuple[str, str]],
        conversation: dict[str, Any] | None = None,
    ) -> tuple[Case, bool]:
        """The sender's active case, or a new one holding the transcript so far; True if new."""
        with self._sessions() as session, session.begin():
            query = select(Case).where(Case.sender == sender, Case.status.in_(ACTIVE))
            existing = session.scalars(query).first()
            if existing is not None:
                return existing, False
            case = Case(sender=sender, channel=channel, reason=reason, conversation=conversation, advisor=None)
            case.messages = [Message(role=role, text=text) for role, text in transcript]
            session.add(case)
        return case, True

    def add_message(self, case_id: int, role: str, text: str, advisor_id: int | None = None) -> Message:
        """Append one line to a case's transcript (an advisor's line names its advisor)."""
        with self._sessions() as session, session.begin():
            advisor = session.get(Advisor, advisor_id) if advisor_id is not None else None
            message = Message(case_id=case_id, role=role, text=text, advisor=advisor)
            session.add(message)
        return message

    def get(self, case_id: int) -> Case | None:
        """One case with its transcript."""
        with self._sessions() as session:
            return session.get(Case, case_id, options=[selectinload(Case.messages)])

    def list(self, statuses: Sequence[str] = ACTIVE) -> list[Case]:
        """Cases in these states, oldest first (the queue order)."""
        with self._sessions() as session:
            query = select(Case).where(Case.status.in_(statuses)).options(selectinload(Case.messages))
            return list(session.scalars(query.order_by(Case.created_at, Case.id)))

    def take(self, case_id: int, advisor_id: int) -> tuple[Case | None, bool]:
        """An advisor opens a waiting case (an open or closed one keeps its state and advisor);
        True if this advisor got it. One conditional update, so of two at once only one gets it."""
        with self._sessions() as session, session.begin():
            query = update(Case).where(Case.id == case_id, Case.status == "waiting")
            taken = session.execute(query.values(status="open", advisor_id=advisor_id).returning(Case.id)).first()
        return self.get(case_id), taken is not None

    def close(self, case_id: int) -> Case | None:
        """Close a case: the bot answers the sender again."""
        with self._sessions() as session, session.begin():
            case = session.get(Case, case_id)
            if case is not None and case.status != "closed":
                case.status, case.closed_at = "closed", utcnow()
        return self.get(case_id)
