"""Engine, sessions and migrations. SQLite by default; PostgreSQL (or any SQLAlchemy URL)
through DATABASE_URL. The schema is created and upgraded by Alembic, never by create_all,
so a database made by an older version is migrated, not silently mismatched."""

from __future__ import annotations

import fcntl
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.orm import Session, sessionmaker

from knowledge.settings import PROJECT_ROOT

MIGRATIONS = Path(__file__).parent / "migrations"
SQLITE = "sqlite:///"
MIGRATION_LOCK = 16_0001  # PostgreSQL advisory lock id held while migrating


def make_engine(url: str) -> Engine:
    """An engine. A relative SQLite path is relative to the project (whichever folder a process
    runs in), its folder is created, and WAL lets readers and a writer overlap."""
    if url.startswith(SQLITE) and not url.endswith(":memory:"):
        path = PROJECT_ROOT / url.removeprefix(SQLITE)  # an absolute path stays as it is
        path.parent.mkdir(parents=True, exist_ok=True)
        url = SQLITE + str(path)
    # a PostgreSQL host that does not answer must fail a request, not hang it
    connect_args = {"connect_timeout": 5} if url.startswith("postgresql") else {}
    engine = create_engine(url, pool_pre_ping=True, connect_args=connect_args)
    if engine.dialect.name == "sqlite":

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(connection: Any, _record: Any) -> None:
            cursor = connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA busy_timeout=5000")
            cursor.execute("PRAGMA secure_delete=ON")  # rows deleted for retention are overwritten in the file
            cursor.close()

    return engine


def migrate(engine: Engine) -> None:
    """Bring the schema to the newest Alembic revision. The gateway does this at start and the
    admin CLI before it writes; a lock file (SQLite) or an advisory lock (PostgreSQL) keeps two
    of them, such as two gateway workers starting together, from racing."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    database = engine.url.database if engine.dialect.name == "sqlite" else None
    lock = Path(f"{database}.migrate.lock") if database and database != ":memory:" else None
    with _file_lock(lock), engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            connection.execute(text("SELECT pg_advisory_xact_lock(:id)"), {"id": MIGRATION_LOCK})
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


@contextmanager
def _file_lock(path: Path | None) -> Iterator[None]:
    """An exclusive lock on `path` across processes (none when `path` is None)."""
    if path is None:
        yield
        return
    with path.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def session_factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions that keep loaded objects usable after commit (responses are built after it)."""
    return sessionmaker(engine, expire_on_commit=False)
