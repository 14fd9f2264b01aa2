"""The audit log: who logged in (or failed to), and who took, answered and closed which case."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from store.models import AuditEntry

LOGIN, LOGIN_FAILED, LOGOUT = "login", "login_failed", "logout"
TAKE, REPLY, CLOSE = "take", "reply", "close"


class AuditLog:
    """Appends entries and lists the newest; entries are never changed."""

    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._sessions = sessions

    def record(
        self,
        action: str,
        name: str,
        advisor_id: int | None = None,
        address: str | None = None,
        case_id: int | None = None,
    ) -> None:
        """One entry; `name` is the advisor's, or for a failed log-in the name tried."""
        entry = AuditEntry(
            action=action, name=name[:80], advisor_id=advisor_id, address=address and address[:64], case_id=case_id
        )
        with self._sessions() as session, session.begin():
            session.add(entry)

    def recent(self, limit: int = 100) -> list[AuditEntry]:
        """The newest entries first."""
        with self._sessions() as session:
            return list(session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc()).limit(limit)))
