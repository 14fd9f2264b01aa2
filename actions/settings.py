"""Settings of the action server process."""

from __future__ import annotations

from pathlib import Path

from knowledge.settings import PROJECT_ROOT, KnowledgeSettings


class ActionSettings(KnowledgeSettings):
    """Knowledge settings plus what the actions tell users; from the environment or `.env`."""

    advisor_contact: str = "rådgivertelefonen (se intranettet for nummer og åpningstid)"
    # Thumbs up/down on answers, one JSON line each (rating, time, quoted passage ids).
    feedback_file: Path = PROJECT_ROOT / "var" / "feedback.jsonl"
