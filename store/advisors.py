"""Advisor accounts. Tokens and passwords are random, shown once, and stored as hashes."""

from __future__ import annotations

import hashlib
import hmac
import secrets

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session, sessionmaker

from store.models import ROLES, Advisor

_SCRYPT = {"n": 2**14, "r": 8, "p": 1}


def token_hash(token: str) -> str:
    """SHA-256 suffices for a 256-bit random token and lets it be looked up."""
    return hashlib.sha256(token.encode()).hexdigest()


def password_hash(password: str, salt: bytes | None = None) -> str:
    """scrypt with a random salt, stored as scrypt$salt$hash."""
    salt = salt or secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, **_SCRYPT)
    return f"scrypt${salt.hex()}${digest.hex()}"


def password_matches(password: str, stored: str) -> bool:
    """Constant-time comparison against a stored scrypt hash."""
    _, salt, _ = stored.split("$")
    return hmac.compare_digest(password_hash(password, bytes.fromhex(salt)), stored)


class AdvisorExists(ValueError):
    """An advisor with this name is already registered."""


class UnknownAdvisor(LookupError):
    """No advisor has this name."""


class AdvisorStore:
    """Creates advisors and checks their credentials."""

    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._sessions = sessions

    def add(self, name: str, role: str = "advisor") -> tuple[str, str]:
        """Register an advisor (role advisor or admin); returns (password, token), which are not stored in clear."""
        if role not in ROLES:
            raise ValueError(f"unknown role {role!r}")
        password, token = secrets.token_urlsafe(12), secrets.token_urlsafe(32)
        with self._sessions() as session, session.begin():
            if session.scalars(select(Advisor).where(Advisor.name == name)).first() is not None:
                raise AdvisorExists(name)
            advisor = Advisor(name=name, token_hash=token_hash(token), password_hash=password_hash(password), role=role)
            session.add(advisor)
        return password, token

    def by_token(self, token: str) -> Advisor | None:
        """The advisor holding this bearer token."""
        with self._sessions() as session:
            return session.scalars(select(Advisor).where(Advisor.token_hash == token_hash(token))).first()

    def by_password(self, name: str, password: str) -> Advisor | None:
        """The advisor, if the console password is right."""
        with self._sessions() as session:
            advisor = session.scalars(select(Advisor).where(Advisor.name == name)).first()
        if advisor is None:
            password_hash(password)  # same work either way: the timing does not reveal names
            return None
        return advisor if password_matches(password, advisor.password_hash) else None

    def get(self, advisor_id: int) -> Advisor | None:
        """One advisor by id."""
        with self._sessions() as session:
            return session.get(Advisor, advisor_id)

    def new_token(self, name: str) -> str:
        """Replace the advisor's API token; the old one and every console session stop working."""
        token = secrets.token_urlsafe(32)
        self._update(Advisor.name == name, token_hash=token_hash(token))
        return token

    def new_password(self, name: str) -> str:
        """Replace the advisor's console password; every console session ends."""
        password = secrets.token_urlsafe(12)
        self._update(Advisor.name == name, password_hash=password_hash(password))
        return password

    def disable(self, name: str) -> None:
        """An advisor who has left: token and password become secrets nobody holds and every
        session ends; the name stays, for the audit log and the cases they answered."""
        self._update(
            Advisor.name == name,
            token_hash=token_hash(secrets.token_urlsafe(32)),
            password_hash=password_hash(secrets.token_urlsafe(32)),
        )

    def end_sessions(self, advisor_id: int) -> None:
        """End every console session of the advisor (log-out)."""
        self._update(Advisor.id == advisor_id)

    def _update(self, which: ColumnElement[bool], **values: str) -> None:
        """Change the advisor's credentials; sessions signed before no longer match its session version."""
        with self._sessions() as session, session.begin():
            advisor = session.scalars(select(Advisor).where(which)).first()
            if advisor is None:
                raise UnknownAdvisor
            for key, value in values.items():
                setattr(advisor, key, value)
            advisor.session_version += 1
