"""The NLU examples are consistent: one label per message and canonical entity values, so
the same words always lead to the same reply and the same slot value."""

from __future__ import annotations

import importlib.util
import json
import re
from collections import defaultdict

import pytest
import yaml

from knowledge.settings import PROJECT_ROOT

ENTITY = re.compile(r"\[([^\]]+)\](?:\((\w+)\)|(\{[^}]*\}))")
CANONICAL = {
    "service": {
        "kommunen", "spesialisthelsetjenesten", "helseforetaket", "DPS", "TSB", "psykisk helsevern", "NAV",
        "koordinator", "fastlege", "legevakt", "kriminalomsorgen", "BUP", "barnevernet", "hjemmetjenesten",
        "politiet",
    },
    "topic": {
        "individuell plan", "bolig", "kriseplan", "arbeid", "økonomi", "fengsel", "utskrivning",
        "barn som pårørende", "pårørende", "samarbeidsavtale", "kartlegging", "veiledning", "LAR",
        "oppsøkende team", "brukermedvirkning", "hovedforløp", "henvisning", "ansvarsgruppe",
        "integrert behandling", "epikrise", "avrusning", "lavterskeltilbud",
    },
    "severity": {"mild", "moderate", "severe"},
    "duration": {"short", "long"},
}  # fmt: skip
NO_ENTITIES = {
    "crisis", "clinical_question", "thank", "feedback_positive", "feedback_negative",
    "goodbye", "affirm", "deny", "bot_challenge", "out_of_scope",
}  # fmt: skip


def _examples() -> list[tuple[str, str]]:
    """(intent, example line with markup) for every example in data/nlu."""
    found = []
    for path in sorted((PROJECT_ROOT / "data" / "nlu").glob("*.yml")):
        for item in yaml.safe_load(path.read_text(encoding="utf-8")).get("nlu", []):
            if "intent" in item:
                lines = (line.strip()[2:].strip() for line in item["examples"].splitlines())
                found += [(item["intent"], line) for line in lines if line]
    return found


def _entities(example: str) -> list[tuple[str, str]]:
    """(entity, canonical value) for each annotation in an example."""
    pairs = []
    for match in ENTITY.finditer(example):
        if match.group(2):
            pairs.append((match.group(2), match.group(1)))
        else:
            spec = json.loads(match.group(3))
            pairs.append((spec["entity"], spec.get("value", match.group(1))))
    return pairs


def test_no_message_is_written_twice_or_under_two_intents() -> None:
    labels: dict[str, list[str]] = defaultdict(list)
    for intent, example in _examples():
        labels[ENTITY.sub(lambda m: m.group(1), example).lower()].append(intent)
    assert {text: intents for text, intents in labels.items() if len(intents) > 1} == {}


@pytest.mark.parametrize("entity", sorted(CANONICAL))
def test_entity_values_are_the_canonical_ones(entity: str) -> None:
    values = {value for _, example in _examples() for name, value in _entities(example) if name == entity}
    assert values and values <= CANONICAL[entity], values - CANONICAL[entity]


def test_emergencies_small_talk_and_off_topic_carry_no_entities() -> None:
    assert [example for intent, example in _examples() if intent in NO_ENTITIES and _entities(example)] == []


def test_form_answers_always_carry_a_severity_or_duration() -> None:
    answers = [example for intent, example in _examples() if intent == "inform"]
    assert answers and all({"severity", "duration"} & {name for name, _ in _entities(e)} for e in answers)


SHARED = PROJECT_ROOT.parent / "shared"


@pytest.mark.skipif(
    not (SHARED / "corpora").exists(), reason="../shared is only beside the project in development and CI"
)
def test_generated_domain_terms_match_the_guidelines_and_knowledge_files() -> None:
    """A stale lookup (after editing synonyms or variants) would silently weaken the feature."""
    spec = importlib.util.spec_from_file_location(
        "build_domain_terms", PROJECT_ROOT / "scripts" / "build_domain_terms.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    lookup = yaml.safe_load((PROJECT_ROOT / "data" / "nlu" / "domain_terms.yml").read_text(encoding="utf-8"))
    written = [line[2:] for line in lookup["nlu"][0]["examples"].splitlines()]
    assert written == module.domain_terms(SHARED), "run: .venv/bin/python scripts/build_domain_terms.py"


def test_every_faq_answer_is_marked_so_the_insights_page_counts_it_as_answered() -> None:
    responses = yaml.safe_load((PROJECT_ROOT / "data" / "nlu" / "faq.yml").read_text(encoding="utf-8"))["responses"]
    variations = [(name, variation) for name, found in responses.items() for variation in found]
    assert len(variations) >= 28 and all(name.startswith("utter_faq/") for name, _ in variations)
    assert [name for name, variation in variations if variation.get("custom") != {"faq": True}] == []
