"""The whole knowledge base as content owners edit it, loaded and validated in one call.

Why: sources, service vocabulary and responsibility map are separate plain files, but they
must agree (a topic cites passages, a passage is tagged with services). Loading them
together is where that agreement is checked, for `make index` and for the tests alike.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from knowledge.documents import Document, Passage, load_sources
from knowledge.referral_rules import ReferralRules, load_referral_rules
from knowledge.responsibility import Topic, load_topics
from knowledge.safety import SafetyRules, load_safety_rules
from knowledge.services import Service, load_services, tag
from knowledge.settings import KnowledgeSettings


@dataclass(frozen=True)
class KnowledgeBase:
    """Documents, passages tagged with services, the services, the responsibility map, and the
    safety and referral rules that build on them."""

    documents: list[Document]
    passages: list[Passage]
    services: dict[str, Service]
    topics: list[Topic]
    safety: SafetyRules
    referral: ReferralRules


def load_knowledge_base(settings: KnowledgeSettings) -> KnowledgeBase:
    """Load and cross-check every content file; raise ValueError/FileNotFoundError naming the problem."""
    documents, passages = load_sources(settings.sources_dir, *settings.extra_sources_dirs)
    services = load_services(settings.services_file)
    tagged = [dataclasses.replace(p, services=tag(f"{p.lead} {p.text}", services)) for p in passages]
    topics = load_topics(settings.responsibility_file, tagged, services)
    return KnowledgeBase(
        documents=documents,
        passages=tagged,
        services=services,
        topics=topics,
        safety=load_safety_rules(settings.safety_file),
        referral=load_referral_rules(settings.referral_file, topics, set(services)),
    )
