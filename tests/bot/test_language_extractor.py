"""The `language` entity in Rasa's own environment: from the gateway's metadata, nothing else."""

from __future__ import annotations

import json
import subprocess

from knowledge.settings import PROJECT_ROOT

RASA_PYTHON = PROJECT_ROOT / ".venv-rasa" / "bin" / "python"
EXTRACT = """
import json
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.shared.nlu.training_data.message import Message
from bot.components.language import LanguageExtractor

extractor = LanguageExtractor.create({}, None, None, ExecutionContext(GraphSchema({}), "test"))
metadata = [{"language": "nn"}, {"language": "nb"}, {"language": "en"}, {"language": ["nn"]}, {}, None]
messages = [Message(data={"text": "og DPS?", **({"metadata": m} if m is not None else {})}) for m in metadata]
print(json.dumps([[(e["entity"], e["value"]) for e in m.get("entities", [])] for m in extractor.process(messages)]))
"""


def test_the_entity_comes_from_the_gateways_metadata_only() -> None:
    found = subprocess.run(
        [str(RASA_PYTHON), "-c", EXTRACT], cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=300, check=True
    )
    entities = json.loads(found.stdout.strip().splitlines()[-1])
    assert entities == [[["language", "nn"]], [["language", "nb"]], [], [], [], []]


GREET = """
import asyncio, json, sys
from rasa.core.agent import Agent

agent = Agent.load(sys.argv[1])


async def replies() -> dict:
    found = {}
    for label, payload in (("nb", "/greet"), ("nn", '/greet{"language": "nn"}')):
        found[label] = [reply.get("text", "") for reply in await agent.handle_text(payload, sender_id=f"w-{label}")]
    return found


print(json.dumps(asyncio.run(replies())))
"""


def test_a_payload_carrying_the_language_gets_the_trained_models_nynorsk_response() -> None:
    """The gateway adds the language to payloads (Rasa runs no NLU on them): the slot fills from it."""
    done = subprocess.run(
        [str(RASA_PYTHON), "-c", GREET, str(PROJECT_ROOT / "models" / "rop-veiviser.tar.gz")],
        cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=600, check=True,
    )  # fmt: skip
    replies = json.loads(done.stdout.strip().splitlines()[-1])
    assert replies["nb"][0].startswith("Hei! Jeg er ROP-veiviseren.")
    assert replies["nn"][0].startswith("Hei! Eg er ROP-veiviser.")
