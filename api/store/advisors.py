"""Advisor accounts. Tokens and passwords are random, shown once, and stored as hashes."""

from __future__ import annotations

import hashlib
import hmac
import secrets

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from api.store.models import Advisor

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

    def add(self, name: str) -> tuple[str, str]:
        """Register an advisor; returns (password, token), which are not stored in clear."""
        password, token = secrets.token_urlsafe(12), secrets.token_urlsafe(32)
        with self._sessions() as session, session.begin():
            if session.scalars(select(Advisor).where(Advisor.name == name)).first() is not None:
                raise AdvisorExists(name)
            session.add(Advisor(name=name, token_hash=token_hash(token), password_hash=password_hash(password)))
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
        """Replace the advisor's API token; the old one stops working."""
        token = secrets.token_urlsafe(32)
        self._update(name, token_hash=token_hash(token))
        return token

    def new_password(self, name: str) -> str:
        """Replace the advisor's console password."""
        password = secrets.token_urlsafe(12)
        self._update(name, password_hash=password_hash(password))
        return password

    def _update(self, name: str, **values: str) -> None:
        with self._sessions() as session, session.begin():
            advisor = session.scalars(select(Advisor).where(Advisor.name == name)).first()
            if advisor is None:
                raise UnknownAdvisor(name)
            for key, value in values.items():
                setattr(advisor, key, value)
