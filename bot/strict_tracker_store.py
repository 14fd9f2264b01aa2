"""Rasa's tracker store through a database outage: fail the turn instead of forgetting, and
reconnect by itself afterwards.

Rasa 3.6 wraps every tracker store in `FailSafeTrackerStore`: when PostgreSQL is away it carries
on from an empty in-memory tracker, so the bot forgets the conversation mid-form and what is said
meanwhile never reaches the database. A failed turn is better: the gateway tells the worker to try
again, and nothing is forgotten or lost. After PostgreSQL restarts, the pooled connections are
dead; without a check on checkout the first turn on each of them would fail too.
`install` makes both changes; `bot.serve` calls it before Rasa starts.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rasa.core import agent, tracker_store
from rasa.core.tracker_store import FailSafeTrackerStore, TrackerStore

_rasa_engine_kwargs = tracker_store.create_engine_kwargs


def _fail(error: Exception) -> None:
    raise error


class StrictTrackerStore(FailSafeTrackerStore):
    """`FailSafeTrackerStore` whose error callback re-raises, so no fallback is ever used."""

    def __init__(
        self,
        tracker_store: TrackerStore,
        on_tracker_store_error: Callable[[Exception], None] | None = None,
        fallback_tracker_store: TrackerStore | None = None,
    ) -> None:
        super().__init__(tracker_store, on_tracker_store_error or _fail, fallback_tracker_store)


def engine_kwargs(url: Any) -> dict[str, Any]:
    """Rasa's engine arguments, with a connection check on checkout for PostgreSQL (SQLite gets none)."""
    kwargs = _rasa_engine_kwargs(url)
    return {**kwargs, "pool_pre_ping": True} if tracker_store.is_postgresql_url(url) else kwargs


def install() -> None:
    """Make Rasa's agent wrap its tracker store in StrictTrackerStore, and its SQL tracker store
    check pooled connections before use."""
    agent.FailSafeTrackerStore = StrictTrackerStore  # type: ignore[attr-defined]  # the name agent.py uses
    tracker_store.create_engine_kwargs = engine_kwargs
