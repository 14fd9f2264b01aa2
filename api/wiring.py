"""Build the chat side of the gateway once at start-up: database, stores, live hub, masking,
hand-off and the chat turn service, stored on `app.state` for the typed dependencies."""

from __future__ import annotations

from typing import Any

import httpx
from sqlalchemy import Engine

from api.backends import Backends
from api.conversation import Conversation
from api.escalation import Escalation
from api.language import ConversationLanguages
from api.limits import TurnLimits
from api.login_throttle import LoginThrottle
from api.privacy import Masker, NameLexicon, any_of, spacy_name_finder
from api.settings import Settings
from api.teams.auth import ConnectorTokenVerifier
from api.teams.bot import CHANNEL, TeamsBot
from api.teams.connector import Connector
from api.upstream import RasaGateway
from contract.payloads import ButtonPayloads
from knowledge.loaders import load_spacy
from store.advisors import AdvisorStore
from store.audit import AuditLog
from store.cases import CaseStore
from store.database import make_engine, session_factory
from store.insights import InsightStore


def conversation(state: Any) -> Conversation:
    """The chat turn handler over the state's parts; tests that swap the gateway for a stand-in
    rebuild it with this, so it never misses a part the gateway's own one has."""
    return Conversation(
        state.gateway,
        state.safety,
        state.masker,
        state.escalation,
        state.buttons,
        state.insights,
        state.semantic_encoder,
        state.languages,
    )


def wire_chat(state: Any, settings: Settings, client: httpx.AsyncClient) -> Engine:
    """Create the chat services on `state` (which already holds `safety` and `referral`); returns the database
    engine for the caller to dispose. Blocking (spaCy): run in a thread."""
    database = make_engine(settings.database_url)
    state.backends = shared = Backends(database, settings.redis_url)  # migrated by its `running()`
    sessions = session_factory(database)
    state.cases, state.advisors = CaseStore(sessions), AdvisorStore(sessions)
    state.audit, state.login_throttle = AuditLog(sessions), LoginThrottle.build(shared.limiter)
    state.insights = InsightStore(sessions)
    state.hub = shared.hub
    state.limits = TurnLimits(
        shared.limiter,
        settings.chat_messages_per_minute,
        settings.address_messages_per_minute,
        settings.overall_messages_per_minute,
    )
    state.start_limit = shared.limiter("start", settings.conversations_per_minute, 60.0)
    # the written standard of each conversation, shared by the turns and the hand-offs (and, with Redis, the workers)
    state.languages = ConversationLanguages(settings.language, shared.redis, settings.conversation_hours * 3600)
    state.escalation = Escalation(state.cases, state.hub, settings.opening_hours(), languages=state.languages)
    names = NameLexicon.load(settings.names_file)
    state.masker = Masker(any_of(spacy_name_finder(load_spacy(settings.spacy_model), names), names.find))
    state.gateway = RasaGateway(client, settings.rasa_url, settings.rasa_token, settings.actions_url)
    state.buttons = ButtonPayloads({slot: q.options for slot, q in state.referral.questions.items()})
    state.conversation = conversation(state)
    state.teams, state.teams_verifier = None, None
    if settings.teams_enabled:
        wire_teams(state, settings, client)
    return database


def wire_teams(state: Any, settings: Settings, client: httpx.AsyncClient) -> None:
    """The Teams channel: verifier for incoming activities, connector for replies, and the
    delivery of advisor replies to Teams conversations."""
    connector = Connector(client, settings.microsoft_app_id, settings.microsoft_app_password, settings.teams_token_url)
    state.teams = TeamsBot(
        state.conversation,
        state.escalation,
        connector,
        state.limits,
        settings.microsoft_app_tenant_id,
        settings.secret_key,
    )
    state.teams_verifier = ConnectorTokenVerifier(
        client, settings.microsoft_app_id, settings.botframework_openid_url, settings.botframework_issuer
    )
    state.escalation.register_channel(CHANNEL, state.teams.deliver)
