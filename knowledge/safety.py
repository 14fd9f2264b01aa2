"""Safety checks that run before anything else: emergencies and requests for clinical advice.

Why a separate, rule-based module: an emergency must be caught the same way in every channel
and every state of the conversation, and content owners must be able to read and extend the
rules (`knowledge/safety.yml`). Only the standard library and PyYAML are used, so the Rasa
environment can import it too.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import yaml

from knowledge.patterns import compile_patterns, first_match, readings

# Clauses: a past event in one ("for to år siden") must not hide an acute one in another.
_CLAUSE = re.compile(r"(?<=[.!?;,:])\s+|\s+(?:men|og så|mens)\s+")
# A general question: it asks something (question mark or a question word first).
_QUESTION = re.compile(
    r"\?|^(?:hva|hvordan|hvilke|hvilken|hvem|hvor|hvorfor|når|kva|korleis|kven|kor|kvifor|finnes|fins"
    r"|er|har|kan|skal|bør|må)(?!\w)"
)


# The one line above a normal answer when a message may, but need not, be about an emergency.
EMERGENCY_HINT = "Hvis noen er i akutt fare: ring 113 (legevakt 116 117)."
Tier = Literal["certain", "uncertain", "none"]


@dataclass(frozen=True)
class CrisisKind:
    """One kind of emergency and the patterns that recognise it."""

    name: str
    label: str
    acute: tuple[re.Pattern[str], ...]
    near: tuple[re.Pattern[str], ...]
    topic: tuple[re.Pattern[str], ...]


@dataclass(frozen=True)
class Crisis:
    """A detected emergency: its kind (e.g. "suicide"), its Norwegian label and the words that matched."""

    kind: str
    label: str
    evidence: str


@dataclass(frozen=True)
class Verdict:
    """The one crisis verdict every channel acts on: "certain" gets the emergency reply,
    "uncertain" the normal answer under `EMERGENCY_HINT`, "none" the normal answer. `crisis`
    names the kind for the first two."""

    tier: Tier
    crisis: Crisis | None = None

    @property
    def certain(self) -> bool:
        return self.tier == "certain"

    @property
    def uncertain(self) -> bool:
        return self.tier == "uncertain"

    @property
    def kind(self) -> str | None:
        return self.crisis.kind if self.crisis else None

    @property
    def label(self) -> str | None:
        return self.crisis.label if self.crisis else None


NO_CRISIS = Verdict("none")


class SafetyRules:
    """Recognises emergencies and clinical questions in a message."""

    def __init__(
        self,
        message: str,
        kinds: list[CrisisKind],
        not_acute: Sequence[re.Pattern[str]],
        past: Sequence[re.Pattern[str]],
        now: Sequence[re.Pattern[str]],
        clinical: Sequence[re.Pattern[str]],
        danger_words: Sequence[re.Pattern[str]] = (),
        classifier: Callable[[str, bool], Tier] | None = None,
    ) -> None:
        self.message = message
        self._kinds = kinds
        self._not_acute = not_acute
        self._past = past
        self._now = now
        self._clinical = clinical
        self._danger_words = danger_words
        self._classifier = classifier

    @property
    def kinds(self) -> list[str]:
        """Names of the kinds of emergency, in the order they are checked."""
        return [kind.name for kind in self._kinds]

    def crisis(self, message: str) -> Crisis | None:
        """The emergency `message` certainly describes, or None (see `verdict`)."""
        verdict = self.verdict(message)
        return verdict.crisis if verdict.certain else None

    def verdict(self, message: str) -> Verdict:
        """Whether `message` is about an emergency now: certain, uncertain or none (rules: see
        the head of safety.yml).

        An acute pattern makes it certain at once. Otherwise the learned classifier gives the
        tier, when there is one, told whether the message holds a danger word (the patterns
        then only name the kind); a clinical question ("hva er dosen ...", "kan jeg gi ... til
        en som ...") that says nothing is happening now gets at most the 113 line, since it is
        refused as clinical anyway and the emergency reply would hide that. Without a
        classifier, `near` and `topic` make it certain."""
        texts = readings(message)
        now = bool(first_match(self._now, texts))
        for kind in self._kinds:
            for text in texts:
                for clause in _CLAUSE.split(text):
                    match = first_match(kind.acute, (clause,))
                    if match and (now or not first_match(self._past, (clause,))):
                        return Verdict("certain", Crisis(kind.name, kind.label, match))
        if self._classifier is not None:
            tier = self._classifier(message, bool(first_match(self._danger_words, texts)))
            if tier == "certain" and not now and _QUESTION.search(texts[0]) and first_match(self._clinical, texts):
                tier = "uncertain"
            return NO_CRISIS if tier == "none" else Verdict(tier, self._named(texts))
        if not now and (
            _QUESTION.search(texts[0]) or first_match(self._not_acute, texts) or first_match(self._past, texts)
        ):
            return NO_CRISIS
        for kind in self._kinds:
            match = first_match(kind.near, texts) or first_match(kind.topic, texts)
            if match:
                return Verdict("certain", Crisis(kind.name, kind.label, match))
        return NO_CRISIS

    def _named(self, texts: tuple[str, ...]) -> Crisis:
        """The kind whose words occur in an emergency the classifier found ("" evidence: none)."""
        for kind in self._kinds:
            match = first_match((*kind.acute, *kind.near, *kind.topic), texts)
            if match:
                return Crisis(kind.name, kind.label, match)
        return Crisis("unspecified", "akutt fare", "")

    def clinical(self, message: str) -> bool:
        """Whether `message` asks for doses, medicines or a diagnosis of a person."""
        return bool(first_match(self._clinical, readings(message)))


def load_safety_rules(path: Path, classifier: Callable[[str, bool], Tier] | None = None) -> SafetyRules:
    """Read and compile `safety.yml`; raise ValueError listing every broken pattern or kind.
    `classifier` (see knowledge.crisis_model) takes over from the `near` and `topic` tiers."""
    raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    problems: list[str] = []
    kinds = []
    for name, spec in (raw.get("crisis") or {}).items():
        if not spec.get("acute") or not spec.get("label"):
            problems.append(f"crisis kind {name!r} needs a label and acute patterns")
        kinds.append(
            CrisisKind(
                name=name,
                label=str(spec.get("label", "")),
                acute=compile_patterns(spec.get("acute") or [], f"{name}.acute", problems),
                near=compile_patterns(spec.get("near") or [], f"{name}.near", problems),
                topic=compile_patterns(spec.get("topic") or [], f"{name}.topic", problems),
            )
        )
    if not kinds or not raw.get("clinical") or not raw.get("emergency_message"):
        problems.append("needs an emergency_message, crisis kinds and clinical patterns")
    lists = {
        key: compile_patterns(raw.get(key) or [], key, problems)
        for key in ("not_acute", "past", "now", "clinical", "danger_words")
    }
    if problems:
        raise ValueError(f"{path}: " + "; ".join(problems))
    return SafetyRules(
        str(raw["emergency_message"]),
        kinds,
        lists["not_acute"],
        lists["past"],
        lists["now"],
        lists["clinical"],
        lists["danger_words"],
        classifier,
    )
