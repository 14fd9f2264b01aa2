"""Load the expensive objects once per process, when the action server starts."""

from __future__ import annotations

from functools import cache

from actions.settings import ActionSettings
from knowledge.answer import Answerer
from knowledge.assemble import Assembly, assemble
from knowledge.loaders import SemanticEncoder
from knowledge.referral import ReferralEngine
from knowledge.safety import SafetyRules
from store.database import make_engine, session_factory
from store.feedback import FeedbackStore


@cache
def settings() -> ActionSettings:
    """The action server's settings, read once."""
    return ActionSettings()


@cache
def assembly() -> Assembly:
    """The knowledge side, built once per process (knowledge.assemble, as in the gateway)."""
    return assemble(settings())


def default_engine() -> Answerer:
    """The answering pipeline; a stale index or missing encoder raises, naming the fix."""
    built = assembly()
    if built.knowledge is None:
        raise RuntimeError(f"knowledge pipeline not loaded: {built.knowledge_error}")
    return built.knowledge


def default_semantic() -> SemanticEncoder | None:
    """e5, the same instance the pipeline encodes with (None when off): it takes the gateway's vectors."""
    return assembly().encoder


def default_referral() -> ReferralEngine:
    """The referral engine over the knowledge base named by the settings."""
    return assembly().referral


def default_safety() -> SafetyRules:
    """The crisis rules with the fitted classifier."""
    return assembly().safety


@cache
def default_feedback() -> FeedbackStore:
    """Ratings go to the gateway's database; the gateway owns (and migrates) the schema, and
    ratings only arrive through it."""
    return FeedbackStore(session_factory(make_engine(settings().database_url)))
