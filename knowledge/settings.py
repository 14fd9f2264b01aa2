"""Settings shared by every process that loads the knowledge engine."""

from __future__ import annotations

from pathlib import Path

from pydantic import field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_ENCODER = PROJECT_ROOT / "knowledge" / "models" / "nb-static-v1"


class KnowledgeSettings(BaseSettings):
    """Where sources, index and encoder live; read from the environment or `.env`."""

    model_config = SettingsConfigDict(env_file=PROJECT_ROOT / ".env", extra="ignore")

    sources_dir: Path = PROJECT_ROOT / "knowledge" / "sources"
    synonyms_file: Path = PROJECT_ROOT / "knowledge" / "synonyms.yml"
    index_dir: Path = PROJECT_ROOT / "var" / "index"
    # A local directory (absolute, or relative to the project) or a sentence-transformers
    # model name, which needs the model hub or its local cache.
    encoder: str = str(DEFAULT_ENCODER)
    # A spaCy pipeline (package name or path); empty: nb_core_news_md/sm if installed, else
    # the project's nb_rop_core (see knowledge.loaders).
    spacy_model: str = ""
    # Below this confidence the engine says it does not know instead of answering. 0.30 gave
    # the best accuracy on the encoder's held-back training questions + knowledge/training/out_of_scope.yml.
    answer_threshold: float = 0.3

    @field_validator("encoder")
    @classmethod
    def _resolve_project_path(cls, value: str) -> str:
        """`knowledge/models/x` means the project's folder, whatever the working directory."""
        candidate = PROJECT_ROOT / value
        return str(candidate) if not Path(value).is_absolute() and candidate.exists() else value
