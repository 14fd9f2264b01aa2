"""One place that builds the knowledge side from the settings: the safety gate, the answering
pipeline and the referral engine. The gateway, the action server, `make index` and the
evaluation scripts all call `assemble`, so they all run the same components."""

from __future__ import annotations

from dataclasses import dataclass

import faiss
from threadpoolctl import threadpool_limits

from knowledge.calibration import Calibration, signed_features
from knowledge.crisis_model import create_safety_rules
from knowledge.encoder import Encoder
from knowledge.index import LoadedIndex, StaleIndexError, load_index
from knowledge.loaders import SemanticEncoder, load_encoder, load_semantic_encoder
from knowledge.pipeline import AnswerBuilder, Components, KnowledgePipeline
from knowledge.ranking import ConfidenceScorer, Fusion, TopicMatcher
from knowledge.referral import ReferralEngine, create_referral_engine
from knowledge.responsibility import load_topics
from knowledge.retrievers import DenseRetriever, LexicalRetriever, QueryReader, SemanticRetriever
from knowledge.safety import SafetyRules
from knowledge.services import load_services
from knowledge.settings import KnowledgeSettings


@dataclass(frozen=True)
class Assembly:
    """The safety rules, the referral engine, and the answering pipeline, or why it is missing
    (a stale index or a missing encoder: the services then run without answers and say so).
    `semantic` is e5's state for /health: "ok" or, in Norwegian, why it is off; `encoder` is e5
    itself (None when off), the one instance whose per-message cache every part shares."""

    safety: SafetyRules
    referral: ReferralEngine
    knowledge: KnowledgePipeline | None
    knowledge_error: Exception | None
    semantic: str
    encoder: SemanticEncoder | None = None


def assemble(settings: KnowledgeSettings, with_knowledge: bool = True) -> Assembly:
    """Everything the services need. Broken rule files raise (no service may run without crisis
    detection); a stale index or a missing encoder leaves `knowledge` None with the error.
    `with_knowledge=False` skips the answering pipeline, for a caller that brings its own."""
    safety = create_safety_rules(settings)
    referral = create_referral_engine(settings)
    semantic = load_semantic_encoder(settings)
    if not with_knowledge:
        return Assembly(safety, referral, None, None, semantic.status, semantic.encoder)
    try:
        encoder = load_encoder(settings.encoder)  # first: a missing model is reported as such
        index = load_index(settings)
    except (StaleIndexError, FileNotFoundError, RuntimeError) as error:
        return Assembly(safety, referral, None, error, semantic.status, semantic.encoder)
    status = semantic.status
    if semantic.encoder is not None and index.semantic is None:
        status = "av for søk (indeksen er bygd uten e5: kjør make index)"
    built_with = index.manifest.get("semantic")
    if semantic.encoder is not None and index.semantic is not None and built_with != semantic.encoder.name:
        stale = StaleIndexError(f"index built with {built_with}, not {semantic.encoder.name}; run `make index`")
        return Assembly(safety, referral, None, stale, status, semantic.encoder)
    knowledge = build_pipeline(settings, index, encoder, semantic.encoder, safety)
    return Assembly(safety, referral, knowledge, None, status, semantic.encoder)


def build_pipeline(
    settings: KnowledgeSettings,
    index: LoadedIndex,
    encoder: Encoder,
    semantic: SemanticEncoder | None,
    safety: SafetyRules,
    calibrated: bool = True,
) -> KnowledgePipeline:
    """The components over one index. e5 is a signal when it loaded and the index has its
    vectors; the confidence model fitted for that combination is used (uncalibrated while
    `make index` fits it)."""
    # One question against ~100 passages: OpenMP threads only add wake-up latency, and under
    # load (2 cores shared with Rasa) they turned a 0.1 ms search into 9 ms.
    faiss.omp_set_num_threads(1)
    # The same for numpy's BLAS (the passage and example products): with its 2 threads, at 10,000
    # passages on busy cores, a question took 24 ms of CPU against 7 ms with one.
    threadpool_limits(limits=1, user_api="blas")
    services = load_services(settings.services_file)
    topics = load_topics(settings.responsibility_file, index.passages, services)
    normaliser, lexicon, bm25 = index.lexical.normaliser, index.lexical.lexicon, index.lexical.bm25
    passages = index.passages
    position = {p.id: i for i, p in enumerate(passages)}
    cited = [list(dict.fromkeys(position[c.passage_id] for c in t.citations)) for t in topics]
    use_semantic = semantic is not None and index.semantic is not None
    path = index.calibration(settings, use_semantic) if calibrated else None
    calibration = Calibration.load(path) if path else None
    expected = tuple(name for name, _ in signed_features(use_semantic))
    if calibration is not None and calibration.features != expected:
        raise StaleIndexError(f"{path} was fitted on other features; run `make index`")
    components = Components(
        reader=QueryReader(normaliser, lexicon),
        lexical=LexicalRetriever(bm25),
        dense=DenseRetriever(encoder, index.vectors, index.examples, index.example_owners),
        semantic=SemanticRetriever(semantic, index.semantic, len(passages)) if semantic and index.semantic else None,
        topics=TopicMatcher(topics, encoder, normaliser),
        fusion=Fusion(cited),
        confidence=ConfidenceScorer(bm25, lexicon, index.unanswerable, calibration),
    )
    names = {tag: service.name for tag, service in services.items()}
    builder = AnswerBuilder(passages, topics, cited, names)
    return KnowledgePipeline(passages, components, builder, safety, settings.answer_threshold)
