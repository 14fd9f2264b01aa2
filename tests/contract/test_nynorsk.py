"""Everything the assistant writes in its own words has a nynorsk form: every Rasa response, every
content text (short answers, referral texts, service names, the emergency reply) and every text the
gateway, Teams and the actions write; and the catalogs hold nothing that nobody writes."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from actions.referral import FOLLOW_UP_BUTTONS
from actions.settings import ActionSettings
from api.conversation import TOO_FAST, UNAVAILABLE
from api.deps import NO_CONVERSATION
from api.errors import _STATUS_MESSAGES, _TYPE_MESSAGES, _UNREADABLE_BECAUSE, DATABASE_DOWN, INTERNAL_ERROR
from api.escalation import EMERGENCY_HINT as HANDOFF_HINT
from api.hours import WEEKDAYS
from api.schemas import INVALID_TEXT, TOO_LONG
from api.teams.bot import TEXT_ONLY
from api.upstream import NO_REPLY
from contract.nynorsk import CATALOGS, catalog, localized
from contract.payloads import ADVISOR_TITLE
from knowledge.safety import EMERGENCY_HINT
from knowledge.settings import PROJECT_ROOT
from tests.contract.test_nynorsk_spelling import RESPONSE_FILES, widget_texts

FIELD = re.compile(r"\{\w+\}")
ADJACENT = re.compile(r"\"\s*\n\s*\"")


def _yaml(path: Path) -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    return loaded


def content_texts() -> list[str]:
    """The content owners' own words (not the quotes) in responsibility, referral, services and safety."""
    knowledge = PROJECT_ROOT / "knowledge"
    referral = _yaml(knowledge / "referral.yml")
    texts = [t["short_answer"] for t in _yaml(knowledge / "responsibility.yml")["topics"]]
    texts += [fact["label"] for fact in referral["facts"].values()]
    texts += [*referral["substances"], *referral["diagnoses"]]
    texts += [p["lead"] for p in referral["pathways"]] + [r["text"] for r in referral["recommendations"]]
    for question in referral["questions"].values():
        texts += [question["text"], *question["options"].values()]
    texts += [service["name"] for service in _yaml(knowledge / "services.yml")["services"].values()]
    return [*texts, _yaml(knowledge / "safety.yml")["emergency_message"], EMERGENCY_HINT]


def code_texts() -> list[str]:
    """What the gateway, Teams and the actions write themselves (bokmål in the code)."""
    return [
        UNAVAILABLE,
        TOO_FAST,
        str(NO_REPLY.text),
        ADVISOR_TITLE,
        HANDOFF_HINT,
        TEXT_ONLY,
        INTERNAL_ERROR,
        DATABASE_DOWN,
        INVALID_TEXT,
        TOO_LONG,
        NO_CONVERSATION,
        *_TYPE_MESSAGES.values(),
        *_STATUS_MESSAGES.values(),
        *_UNREADABLE_BECAUSE.values(),
        *WEEKDAYS,
        *(button["title"] for button in FOLLOW_UP_BUTTONS),
        ActionSettings().advisor_contact,
    ]


@pytest.mark.parametrize("text", [*content_texts(), *code_texts()])
def test_every_own_text_has_its_nynorsk_form(text: str) -> None:
    assert text in catalog(), f"no nynorsk for {text!r}: add it to contract/nynorsk.yml or knowledge/nynorsk.yml"


def test_no_response_lacks_its_nynorsk_form() -> None:
    for path in RESPONSE_FILES:
        for name, variations in _yaml(path)["responses"].items():
            nynorsk = [
                v for v in variations if {"type": "slot", "name": "language", "value": "nn"} in v.get("condition", [])
            ]
            bokmal = [v for v in variations if not v.get("condition")]
            assert nynorsk and len(nynorsk) == len(bokmal), (
                f"{path.name}: {name} needs one nynorsk variation per bokmål one"
            )
            for nn, nb in zip(nynorsk, bokmal, strict=True):
                assert set(FIELD.findall(nn["text"])) == set(FIELD.findall(nb["text"])), name
                assert [b["payload"] for b in nn.get("buttons", [])] == [b["payload"] for b in nb.get("buttons", [])]


def test_the_widget_has_every_text_in_both_standards() -> None:
    texts = widget_texts()
    assert set(texts) == {"nb", "nn"} and texts["nb"].keys() == texts["nn"].keys()
    assert all(texts["nn"].values())


def test_a_nynorsk_form_keeps_the_fields_and_differs_where_it_should() -> None:
    for bokmal, nynorsk in catalog().items():
        assert set(FIELD.findall(bokmal)) == set(FIELD.findall(nynorsk)), bokmal
    assert localized("Snakk med en rådgiver", "nn") == "Snakk med ein rådgjevar"
    assert localized("Snakk med en rådgiver", "nb") == "Snakk med en rådgiver"
    assert localized("a text nobody translated", "nn") == "a text nobody translated"


def test_every_catalog_entry_is_written_somewhere() -> None:
    sources = [
        *PROJECT_ROOT.joinpath("api").rglob("*.py"),
        *PROJECT_ROOT.joinpath("actions").glob("*.py"),
        *PROJECT_ROOT.joinpath("contract").glob("*.py"),
        *PROJECT_ROOT.joinpath("knowledge").glob("*.py"),
        *(
            PROJECT_ROOT / "knowledge" / name
            for name in ("responsibility.yml", "referral.yml", "services.yml", "safety.yml")
        ),
    ]
    # adjacent string literals over several lines read as the one text they make
    written = ADJACENT.sub("", "\n".join(path.read_text(encoding="utf-8") for path in sources))
    unused = [text for text in catalog() if text not in written and text.strip() not in written]
    assert not unused, f"nynorsk for texts nobody writes (remove them): {unused}"


@pytest.mark.parametrize("path", CATALOGS, ids=lambda p: p.parent.name)
def test_no_text_is_in_a_catalog_twice(path: Path) -> None:
    """YAML keeps the last of two equal keys without a word; an edited copy would hide the other."""
    node = yaml.compose(path.read_text(encoding="utf-8"))
    keys = [key.value for key, _ in node.value]
    assert sorted({k for k in keys if keys.count(k) > 1}) == []
