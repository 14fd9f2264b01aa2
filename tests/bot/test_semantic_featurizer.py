"""e5 sentence features in Rasa's own environment: the featurizer and the intent classifier use them,
still run with `SEMANTIC_ENCODER=off`, and the trained model reads minimal pairs alike."""

from __future__ import annotations

import json
import os
import subprocess
from typing import Any

import pytest

from knowledge.settings import PROJECT_ROOT

RASA_PYTHON = PROJECT_ROOT / ".venv-rasa" / "bin" / "python"
COMPONENTS = """
import json, sys
from pathlib import Path
import numpy as np
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from bot.components.linear_intent import LinearIntentClassifier
from bot.components.semantic_featurizer import SemanticFeaturizer

examples = {
    "thank": ["takk", "tusen takk", "takk for hjelpa", "mange takk"],
    "request_advisor": ["kan jeg snakke med en rådgiver", "sett meg over til et menneske",
                        "jeg vil snakke med en person", "kan noen ringe meg"],
}
data = TrainingData([Message.build(text=t, intent=i) for i, texts in examples.items() for t in texts])
storage = LocalModelStorage(Path(sys.argv[1]))
context = ExecutionContext(GraphSchema({}), "test")
featurizer = SemanticFeaturizer.create({}, storage, Resource("e5"), context)
featurizer.process_training_data(data)
config = {"semantic_weight": 2.0}
LinearIntentClassifier.create(config, storage, Resource("linear"), context).train(data)
classifier = LinearIntentClassifier.load(config, storage, Resource("linear"), context)

def vector(text):
    message = Message.build(text=text)
    featurizer.process([message])
    return message.get_dense_features("text")[1].features[0]

def intent(text):
    message = Message.build(text=text)
    classifier.process([message])
    return message.get("intent")["name"]

def vector_with(text, metadata):
    message = Message(data={"text": text, "metadata": metadata})
    featurizer.process([message])
    return message.get_dense_features("text")[1].features[0]

a, b, c = vector("hvem har ansvaret for boligen"), vector("kven har ansvar for bustaden"), vector("tusen takk")
from contract.semantic import SEMANTIC_METADATA, pack
sent = np.zeros(384, dtype=np.float32); sent[7] = 1.0
scale = np.linalg.norm(c) if c.any() else 1.0
print(json.dumps({
    "width": len(a), "zeros": not a.any(),
    "paraphrase": float(a @ b), "unrelated": float(a @ c),
    "sent used": float(vector_with("tusen takk", {SEMANTIC_METADATA: pack(sent)})[7] / scale),
    "bad sent ignored": bool(np.allclose(vector_with("tusen takk", {SEMANTIC_METADATA: pack(sent * 3)}), c)),
    "garbage ignored": bool(np.allclose(vector_with("tusen takk", {SEMANTIC_METADATA: "%%%"}), c)),
    "trained width": data.training_examples[0].get_dense_features("text")[1].features.shape[1],
    "intents": {t: intent(t) for t in ["takk skal du ha", "kan jeg få snakke med en rådgiver"]},
}))
"""
PAIRS = """
import asyncio, json, logging, sys
from rasa.core.agent import Agent
from rasa.utils.log_utils import configure_structlog
configure_structlog(logging.WARNING)
texts = json.loads(sys.argv[1])
agent = Agent.load("models/rop-veiviser.tar.gz")
async def parse():
    return {t: (await agent.parse_message(t))["intent"]["name"] for t in texts}
print(json.dumps(asyncio.run(parse())))
"""
# Each group differs only in what must not matter: han/hun, a name, an age, dialect or typed spelling.
MINIMAL_PAIRS = {
    "ask_responsibility": [
        "hvem har ansvaret for boligen til han",
        "hvem har ansvaret for boligen til henne",
        "kven har ansvaret for bustaden til ho",
        "hvem har ansvare for boligen til hu",
    ],
    "ask_referral": [
        "hvor skal jeg henvise Ola",
        "hvor skal jeg henvise Fatima",
        "kor ska æ henvis han",
    ],
    "describe_person": [
        "mann på 34 år med schizofreni som har drukket tungt i mange år",
        "kvinne på 58 år med schizofreni som har drukket tungt i mange år",
        "ein mann på 34 med schizofreni som har drukke tungt i mange år",
    ],
}


def _run(snippet: str, *args: str, encoder: str = "e5") -> Any:
    done = subprocess.run(
        [str(RASA_PYTHON), "-c", snippet, *args],
        cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=600, check=False,
        env={**os.environ, "PYTHONPATH": str(PROJECT_ROOT), "SEMANTIC_ENCODER": encoder, "OMP_WAIT_POLICY": "PASSIVE"},
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.strip().splitlines()[-1]), done.stderr


@pytest.fixture(scope="module", params=["e5", "off"])
def components(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> tuple[str, Any, str]:
    """Featurize, train, save, load and query once per encoder setting."""
    result, log = _run(COMPONENTS, str(tmp_path_factory.mktemp("model")), encoder=request.param)
    return request.param, result, log


def test_featurizer_gives_one_sentence_vector_that_reads_meaning(components: tuple[str, Any, str]) -> None:
    encoder, result, log = components
    assert result["width"] == result["trained width"] == 384  # the same width on and off: a model runs either way
    if encoder == "e5":
        assert not result["zeros"]
        assert result["paraphrase"] > result["unrelated"] + 0.05  # bokmål vs nynorsk paraphrase, vs a thank-you
    else:
        assert result["zeros"]
        assert "SEMANTIC_ENCODER=off" in log  # says why the features are empty


def test_a_vector_the_gateway_sent_is_used_and_a_malformed_one_is_encoded_again(
    components: tuple[str, Any, str],
) -> None:
    """Rasa need not encode what the gateway encoded; a vector that is no unit vector, or no base64, is not trusted."""
    _, result, _ = components
    assert result["sent used"] == pytest.approx(1.0, abs=1e-3)
    assert result["bad sent ignored"] and result["garbage ignored"]


def test_intent_classifier_with_e5_learns_with_and_without_the_encoder(components: tuple[str, Any, str]) -> None:
    _, result, _ = components
    assert result["intents"] == {"takk skal du ha": "thank", "kan jeg få snakke med en rådgiver": "request_advisor"}


def test_trained_model_reads_minimal_pairs_alike() -> None:
    if not (PROJECT_ROOT / "models" / "rop-veiviser.tar.gz").exists():
        pytest.fail("no trained Rasa model: run `make train`")
    texts = [text for group in MINIMAL_PAIRS.values() for text in group]
    intents, _ = _run(PAIRS, json.dumps(texts))
    assert {intent: [intents[t] for t in group] for intent, group in MINIMAL_PAIRS.items()} == {
        intent: [intent] * len(group) for intent, group in MINIMAL_PAIRS.items()
    }
