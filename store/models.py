"""Tables. Texts are stored masked (api.privacy); nothing else about the worker is kept but
the channel's conversation reference, which is needed to deliver the advisor's reply (for a Teams
case begun in a group chat or channel also the user's Teams id, to open their private chat)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, DateTime, Dialect, ForeignKey, String, Text, TypeDecorator
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


def utcnow() -> datetime:
    """Timestamps are stored in UTC."""
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes on every database (SQLite drops the zone, so it is put back)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        return value.astimezone(UTC) if value is not None else None

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    """Declarative base of the gateway's tables."""

    type_annotation_map = {datetime: UTCDateTime}


ROLES = ("advisor", "editor", "admin")
INSIGHT_ROLES = ("editor", "admin")  # content owners, who read the insights page


class Advisor(Base):
    """A human advisor; the API token and console password are stored as hashes only. An admin
    may also close or answer cases others took and read the audit log; an editor (content owner)
    and an admin read the insights. Console sessions carry
    `session_version`; raising it ends them all (new password, new token, log-out)."""

    __tablename__ = "advisors"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    password_hash: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(16), default="advisor", server_default="advisor")
    session_version: Mapped[int] = mapped_column(default=0, server_default="0")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    @property
    def is_admin(self) -> bool:
        """Whether the advisor has the admin role."""
        return self.role == "admin"

    @property
    def reads_insights(self) -> bool:
        """Whether the advisor may read the insights page (editors and admins)."""
        return self.role in INSIGHT_ROLES


class Case(Base):
    """A conversation handed to an advisor: waiting -> open (an advisor took it) -> closed."""

    __tablename__ = "cases"

    id: Mapped[int] = mapped_column(primary_key=True)
    sender: Mapped[str] = mapped_column(String(128), index=True)
    channel: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16), index=True, default="waiting")
    reason: Mapped[str] = mapped_column(String(32))
    conversation: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)
    advisor_id: Mapped[int | None] = mapped_column(ForeignKey("advisors.id"), default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column(default=None)
    messages: Mapped[list[Message]] = relationship(back_populates="case", order_by="Message.id")
    advisor: Mapped[Advisor | None] = relationship(lazy="joined")  # who took it, named in the queue


class Message(Base):
    """One line of a case's transcript: role is worker, bot, advisor or system; an advisor's line
    names the advisor who wrote it (always loaded with the line)."""

    __tablename__ = "messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    role: Mapped[str] = mapped_column(String(16))
    text: Mapped[str] = mapped_column(Text)
    advisor_id: Mapped[int | None] = mapped_column(ForeignKey("advisors.id"), default=None)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    case: Mapped[Case] = relationship(back_populates="messages")
    advisor: Mapped[Advisor | None] = relationship(lazy="joined")


class AuditEntry(Base):
    """Who did what to which case, and failed log-ins (the name tried and the client address;
    never the password tried)."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    action: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(80))
    advisor_id: Mapped[int | None] = mapped_column(ForeignKey("advisors.id"), default=None)
    address: Mapped[str | None] = mapped_column(String(64), default=None)
    # Not a foreign key: the log outlives cases deleted for retention.
    case_id: Mapped[int | None] = mapped_column(default=None)


class Feedback(Base):
    """A thumbs up or down, the passages the rated answer quoted, the question it answered
    (masked by the gateway before Rasa saw it) and the channel."""

    __tablename__ = "feedback"

    id: Mapped[int] = mapped_column(primary_key=True)
    rating: Mapped[str] = mapped_column(String(8))
    sources: Mapped[list[str]] = mapped_column(JSON, default=list)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    question: Mapped[str | None] = mapped_column(Text, default=None)
    channel: Mapped[str | None] = mapped_column(String(16), default=None)


class InsightEvent(Base):
    """One question answered or refused, or one emergency detected (kind certain or uncertain),
    for the insights page. Only a refused question keeps its (masked) text: the content team's
    to-do list; an emergency's words are never kept."""

    __tablename__ = "insight_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    channel: Mapped[str] = mapped_column(String(16))
    kind: Mapped[str] = mapped_column(String(16))
    text: Mapped[str | None] = mapped_column(Text, default=None)
