"""The services and roles the guidelines name, and tagging passages with them.

Why: a worker asks "who does what", so every passage carries the services it mentions,
and the responsibility map may only name services defined here. Content owners edit
`knowledge/services.yml`; a broken pattern stops `make index` with the tag it belongs to.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import yaml


@dataclass(frozen=True)
class Service:
    """A service or role, its display name and the patterns that find it in a text."""

    id: str
    name: str
    pattern: re.Pattern[str]


def load_services(path: Path) -> dict[str, Service]:
    """Read and compile `services.yml`; raise ValueError naming the file and tag on errors."""
    raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    services: dict[str, Service] = {}
    for tag, entry in (raw.get("services") or {}).items():
        if not isinstance(entry, dict) or not entry.get("name") or not entry.get("patterns"):
            raise ValueError(f"{path}: service {tag!r} needs a name and at least one pattern")
        alternatives = "|".join(f"(?:{p})" for p in entry["patterns"])
        try:
            pattern = re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)", re.IGNORECASE)
        except re.error as error:
            raise ValueError(f"{path}: service {tag!r} has an invalid pattern: {error}") from error
        services[str(tag)] = Service(id=str(tag), name=str(entry["name"]), pattern=pattern)
    if not services:
        raise ValueError(f"{path}: no services defined")
    return services


def tag(text: str, services: dict[str, Service]) -> tuple[str, ...]:
    """The ids of the services `text` mentions, in the order of the services file."""
    return tuple(service.id for service in services.values() if service.pattern.search(text))
