"""Load the expensive objects once per process, when the action server starts."""

from __future__ import annotations

from functools import cache

from actions.settings import ActionSettings
from knowledge.crisis_model import create_safety_rules
from knowledge.engine import Answerer, create_engine
from knowledge.referral import ReferralEngine, create_referral_engine
from knowledge.safety import SafetyRules
from store.database import make_engine, session_factory
from store.feedback import FeedbackStore


@cache
def settings() -> ActionSettings:
    """The action server's settings, read once."""
    return ActionSettings()


@cache
def default_engine() -> Answerer:
    """The knowledge engine named by the settings, loaded on first use."""
    return create_engine(settings())


@cache
def default_referral() -> ReferralEngine:
    """The referral engine over the knowledge base named by the settings."""
    return create_referral_engine(settings())


def default_safety() -> SafetyRules:
    """The crisis rules with the fitted classifier (fitted once per process)."""
    return create_safety_rules(settings())


@cache
def default_feedback() -> FeedbackStore:
    """Ratings go to the gateway's database; the gateway owns (and migrates) the schema, and
    ratings only arrive through it."""
    return FeedbackStore(session_factory(make_engine(settings().database_url)))
