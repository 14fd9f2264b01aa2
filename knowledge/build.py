"""`make index`: validate the content, write the index with both encoders, fit one confidence
model for the pipeline with e5 and one for it without, and write the manifest last."""

from __future__ import annotations

import time

import numpy as np

from knowledge.assemble import build_pipeline
from knowledge.base import load_knowledge_base
from knowledge.calibration import fit, signed_features
from knowledge.crisis_model import create_safety_rules
from knowledge.encoder import Encoder
from knowledge.index import calibration_file, tuning_questions, write_index, write_manifest
from knowledge.loaders import SemanticEncoder, cached_vectors
from knowledge.pipeline import KnowledgePipeline
from knowledge.settings import KnowledgeSettings


def build(settings: KnowledgeSettings, encoder: Encoder, semantic: SemanticEncoder | None) -> dict[str, object]:
    """Build everything a service loads; return the manifest."""
    started = time.perf_counter()
    base = load_knowledge_base(settings)
    index = write_index(settings, base.passages, encoder, semantic)
    manifest = dict(index.manifest)
    if semantic is not None:  # the tuning questions are read once per fit: encode them once, cached
        texts = [q for group in tuning_questions(settings) for q in group]
        semantic.remember(texts, cached_vectors(semantic, texts, settings.semantic_cache_dir))
    fits = {False: None, True: semantic} if semantic is not None else {False: None}
    for use_semantic, with_e5 in fits.items():
        pipeline = build_pipeline(settings, index, encoder, with_e5, base.safety, calibrated=False)
        manifest[calibration_file(use_semantic)] = _calibrate(settings, pipeline, use_semantic)
    manifest["build_seconds"] = round(time.perf_counter() - started, 3)
    write_manifest(settings, manifest)
    create_safety_rules(settings)  # fills the crisis classifier's e5 cache, so services start fast
    return manifest


def _calibrate(settings: KnowledgeSettings, pipeline: KnowledgePipeline, semantic: bool) -> dict[str, object]:
    """Fit the confidence model on the tuning questions and save it beside the index."""
    answerable, unanswerable = tuning_questions(settings)
    path = settings.index_dir / calibration_file(semantic)
    path.unlink(missing_ok=True)
    if not answerable or not unanswerable:
        return {"fitted": False}
    # leave one out: a tuning question must not find itself among the unanswerable examples
    x = np.array([pipeline.features(q, leave_out_self=True) for q in [*answerable, *unanswerable]])
    y = np.array([1.0] * len(answerable) + [0.0] * len(unanswerable))
    calibration = fit(x, y, signed_features(semantic))
    calibration.save(path)
    predicted = np.array([calibration.probability(row) >= calibration.threshold for row in x])
    return {
        "fitted": True,
        "questions": len(y),
        "threshold": calibration.threshold,
        "tuning_accuracy": round(float((predicted == (y == 1)).mean()), 4),
    }
