"""While the tracker store's database is away, Rasa fails the turn instead of carrying on from an
empty in-memory tracker (which forgets the conversation and never stores what is said)."""

from __future__ import annotations

import subprocess

from knowledge.settings import PROJECT_ROOT

RASA_PYTHON = PROJECT_ROOT / ".venv-rasa" / "bin" / "python"
SCRIPT = """
import asyncio, sys
from rasa.core.agent import Agent
from rasa.core.tracker_store import InMemoryTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.trackers import DialogueStateTracker

if sys.argv[1] == "strict":
    from bot.strict_tracker_store import install
    install()

class DatabaseAway(InMemoryTrackerStore):
    async def retrieve(self, sender_id):
        raise ConnectionRefusedError("database away")

    async def save(self, tracker):
        raise ConnectionRefusedError("database away")

store = Agent._create_tracker_store(DatabaseAway(Domain.empty()), Domain.empty())
for step in ("retrieve", "save"):
    call = store.retrieve("w1") if step == "retrieve" else store.save(DialogueStateTracker("w1", []))
    try:
        print(step, "->", asyncio.run(call))
    except ConnectionRefusedError:
        print(step, "-> refused")
from rasa.core.tracker_store import create_engine_kwargs
print("pre-ping", create_engine_kwargs("postgresql://rop@db/rop").get("pool_pre_ping"), create_engine_kwargs("sqlite:///x.db"))
"""


def run(mode: str) -> str:
    done = subprocess.run(
        [str(RASA_PYTHON), "-c", SCRIPT, mode], cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_database_away_fails_the_turn_instead_of_forgetting_the_conversation() -> None:
    assert run("strict").splitlines()[:2] == ["retrieve -> refused", "save -> refused"]


def test_postgresql_connections_are_checked_before_use_so_a_database_restart_costs_no_turn() -> None:
    assert run("strict").splitlines()[2] == "pre-ping True {}"


def test_rasa_alone_would_forget_silently() -> None:
    """Why the strict store exists: Rasa's own wrapper answers as if the conversation were new."""
    assert run("rasa").splitlines()[:2] == ["retrieve -> None", "save -> None"]
